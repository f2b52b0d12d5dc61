"""Times each MNIST tutorial end to end (process start to exit), on tensorweave and, where a
TensorFlow is installed, on TensorFlow running the very same program files.

    python benchmarks/tutorials.py [--runs 3] [--tf-python /opt/tfref/bin/python]

TensorFlow runs our tutorial sources unchanged: a shim package named `tensorweave` on its
PYTHONPATH forwards `import tensorweave as tf` to `tensorflow.compat.v1`, next to copies of our
pure-NumPy input_data.py and mnist.py; it runs as installed (TF's own default on this CPU),
with oneDNN forced on and forced off (benchmarks/tf_modes.py). The four take turns run by run,
and each time is the median of its runs. Goal: tensorweave <= 0.35x TensorFlow's wall time.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tf_modes

# Benchmarks run tensorweave as tuned as it gets: speed variants and process tuning
# (runtime/accel). TENSORWEAVE_ACCEL=0 measures the plain NumPy reference kernels.
os.environ.setdefault("TENSORWEAVE_ACCEL", "1")

REPO = Path(__file__).resolve().parents[1]
MNIST_DIR = Path(os.environ.get("TENSORWEAVE_MNIST_DIR",
                                REPO.parent / "shared" / "data" / "mnist"))
TUTORIALS = {
    "mnist_softmax": ["--data_dir", str(MNIST_DIR)],
    "fully_connected_feed": ["--input_data_dir", str(MNIST_DIR), "--log_dir", "{tmp}/logs"],
}
SHIM = """import tensorflow.compat.v1 as _tf
_tf.disable_v2_behavior()
_tf.logging.set_verbosity(_tf.logging.ERROR)


def __getattr__(name):
    return getattr(_tf, name)
"""


def make_shim(root):
    """A package `tensorweave` that is TensorFlow, holding our tutorial files."""
    package = root / "tensorweave"
    mnist = package / "examples" / "tutorials" / "mnist"
    mnist.mkdir(parents=True)
    (package / "__init__.py").write_text(SHIM)
    for part in (package / "examples", package / "examples" / "tutorials", mnist):
        (part / "__init__.py").touch()
    source = REPO / "tensorweave" / "examples" / "tutorials" / "mnist"
    for name in ["input_data.py", "mnist.py"] + [f"{t}.py" for t in TUTORIALS]:
        shutil.copy(source / name, mnist / name)
    shutil.copy(source.parent / "tutorial_flags.py", mnist.parent / "tutorial_flags.py")  # --seed
    datasets = package / "contrib" / "learn" / "datasets"  # input_data's reader (pure NumPy)
    datasets.mkdir(parents=True)
    for part in (package / "contrib", package / "contrib" / "learn", datasets):
        (part / "__init__.py").touch()
    shutil.copy(REPO / "tensorweave" / "contrib" / "learn" / "datasets" / "mnist.py",
                datasets / "mnist.py")


def time_run(python, pythonpath, module, args, env=None):
    """(seconds, last output line) of one run, in `env` (a tf_modes environment) or ours."""
    env = dict(os.environ if env is None else env, PYTHONPATH=str(pythonpath))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # time programs as users run them: bytecode cached
    start = time.perf_counter()
    done = subprocess.run([python, "-m", module, *args], env=env, capture_output=True,
                          text=True, cwd=pythonpath)  # `-m` puts the cwd first on sys.path
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed under {python}:\n{done.stderr[-2000:]}")
    return elapsed, done.stdout.strip().splitlines()[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tf-python", default=os.environ.get("TENSORWEAVE_TF_PYTHON",
                                                              "/opt/tfref/bin/python"))
    args = parser.parse_args()
    has_tf = Path(args.tf_python).exists() and subprocess.run(
        [args.tf_python, "-c", "import tensorflow"], capture_output=True).returncode == 0
    if not has_tf:
        print(f"TensorFlow not importable with {args.tf_python}: timing tensorweave only.")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if has_tf:
            make_shim(tmp / "shim")
        print(f"{'tutorial':22} {'tensorweave':>12}"
              + "".join(f" {label:>16} {'ratio':>6}" for label, _ in tf_modes.MODES)
              + "  last line (tensorweave | tensorflow)")
        for name, flags in TUTORIALS.items():
            module = f"tensorweave.examples.tutorials.mnist.{name}"
            flags = [f.format(tmp=tmp) for f in flags]
            engines = [(sys.executable, REPO, None)]
            if has_tf:
                engines += [(args.tf_python, tmp / "shim", env)
                            for _, env in tf_modes.environments()]
            runs = [[] for _ in engines]
            for _ in range(args.runs):  # the engines take turns: a busy spell slows all alike
                for times, (python, path, env) in zip(runs, engines):
                    times.append(time_run(python, path, module, flags, env))
            ours, ours_time = runs[0], statistics.median(t for t, _ in runs[0])
            line = f"{name:22} {ours_time:10.2f} s"
            if has_tf:
                for theirs in runs[1:]:
                    tf_time = statistics.median(t for t, _ in theirs)
                    line += f" {tf_time:14.2f} s {ours_time / tf_time:6.2f}"
                line += f"  {ours[-1][1]} | {runs[1][-1][1]}"
            else:
                line += f" {'-':>12} {'-':>7}  {ours[-1][1]}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
