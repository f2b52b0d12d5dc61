"""Peak memory of the deep MNIST training step (batch 50, Adam; benchmarks/conv.py's model) on
tensorweave and on TensorFlow's compat.v1, each in its own process.

    python benchmarks/memory.py [--steps 20] [--tf-python PY]

Each child reports its peak resident set size (getrusage's ru_maxrss) after importing the
framework, after building and initializing the model, and after the training steps; the last
minus the first is the memory the model and its steps take, the comparison that matters
(TensorFlow's import alone is several hundred MB). Goal (issue 24): tensorweave's step peak no
more than TF's.
"""
import argparse
import json
import os
import resource
import sys
from pathlib import Path

import tf_modes

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(impl, steps):
    """Runs in the child: prints {"import", "built", "stepped"} peak MB as JSON."""
    sys.path.insert(0, str(HERE))
    if impl == "tensorflow":
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
    else:
        sys.path.insert(0, str(REPO))
        import tensorweave as tf
    import conv
    marks = {"import": peak_mb()}
    step = conv.deep_mnist_step(tf)
    marks["built"] = peak_mb()
    for _ in range(steps):
        step()
    marks["stepped"] = peak_mb()
    print(json.dumps(marks))


def run_child(python, impl, steps, env):
    return tf_modes.run_json(python, [__file__, "--impl", impl, "--steps", steps], env, impl)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--tf-python", default=os.environ.get("TENSORWEAVE_TF_PYTHON",
                                                              "/work/tfenv/bin/python"))
    parser.add_argument("--impl", choices=["tensorweave", "tensorflow"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.impl:
        child(args.impl, args.steps)
        return
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TENSORWEAVE_ACCEL="1")
    results = {"tensorweave": run_child(sys.executable, "tensorweave", args.steps, env)}
    if Path(args.tf_python).exists():
        results["tensorflow"] = run_child(args.tf_python, "tensorflow", args.steps, env)
    print(f"peak resident MB, deep MNIST step (batch 50), {args.steps} steps")
    print(f"{'':12} {'after import':>13} {'after build':>12} {'after steps':>12} "
          f"{'model + steps':>14}")
    for impl, marks in results.items():
        if marks:
            print(f"{impl:12} {marks['import']:13.0f} {marks['built']:12.0f} "
                  f"{marks['stepped']:12.0f} {marks['stepped'] - marks['import']:14.0f}")
    ours, theirs = results.get("tensorweave"), results.get("tensorflow")
    if ours and theirs:
        ratio = (ours["stepped"] - ours["import"]) / (theirs["stepped"] - theirs["import"])
        print(f"model + steps, tensorweave / tensorflow: {ratio:.2f}  (goal <= 1.0)")


if __name__ == "__main__":
    main()
