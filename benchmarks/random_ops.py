"""The stateful random ops (TensorFlow's Philox numbers) against NumPy's own generator.

    python benchmarks/random_ops.py [--shape 3136,1024] [--rounds 5] [--accel both|on|off]

Times one Session.run of RandomUniform, RandomStandardNormal and TruncatedNormal (float32) of
the given shape, with the speed variants of runtime/accel (random_blocks.py) and with the
plain NumPy reference kernels, and NumPy's Generator drawing as many float32 values
(`random` and `standard_normal`; no truncation). Prints the best of the rounds (wall time) and
the ratio to NumPy. Goal: the variants within 1.5x of NumPy's generator. A busy machine shows
in the wall times; CPU time (all threads) is printed alongside, and its ratio: the variants
share large draws with helper threads, which only shortens the wall time where cores are free.
"""
import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def best_of(run, rounds):
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def tensorweave_runs(shape, accel):
    import tensorweave as tf
    runs = {}
    for name, draw in (("RandomUniform", tf.random_uniform),
                       ("RandomStandardNormal", tf.random_normal),
                       ("TruncatedNormal", tf.truncated_normal)):
        graph = tf.Graph()
        with graph.as_default():
            sample = draw(list(shape), seed=1)
            op = graph.get_operation_by_name(sample.op.name.rsplit("/", 1)[0] + "/" + name)
            sess = tf.Session(config=tf.ConfigProto(accel=accel))
        runs[name] = (lambda sess, out: lambda: sess.run(out))(sess, op.outputs[0])
    return runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shape", default="3136,1024")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--accel", choices=("both", "on", "off"), default="both")
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    shape = tuple(int(d) for d in args.shape.split(","))
    rng = np.random.default_rng(0)
    numpy_uniform = best_of(lambda: rng.random(shape, dtype=np.float32), args.rounds)
    numpy_normal = best_of(lambda: rng.standard_normal(shape, dtype=np.float32), args.rounds)
    from tensorweave.runtime.accel import random_blocks
    engine = random_blocks.philox_engine()
    print(f"shape {list(shape)}, best of {args.rounds} (wall ms, cpu ms); the variants' Philox "
          f"calls by {'randomgen (C)' if engine else 'NumPy (randomgen is not installed)'}")
    print(f"  numpy Generator.random          {1e3 * numpy_uniform[0]:8.1f} "
          f"{1e3 * numpy_uniform[1]:8.1f}")
    print(f"  numpy Generator.standard_normal {1e3 * numpy_normal[0]:8.1f} "
          f"{1e3 * numpy_normal[1]:8.1f}")
    modes = {"both": (None, False), "on": (None,), "off": (False,)}[args.accel]
    for accel in modes:
        label = "variants" if accel is None else "reference"
        for name, run in tensorweave_runs(shape, accel).items():
            wall, cpu = best_of(run, args.rounds)
            numpy_wall, numpy_cpu = numpy_uniform if name == "RandomUniform" else numpy_normal
            print(f"  {label:9s} {name:22s} {1e3 * wall:8.1f} {1e3 * cpu:8.1f}   "
                  f"{wall / numpy_wall:5.2f}x numpy (wall), {cpu / numpy_cpu:5.2f}x (cpu)")


if __name__ == "__main__":
    main()
