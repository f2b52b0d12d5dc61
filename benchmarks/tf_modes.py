"""TensorFlow's three CPU configurations the benchmarks compare against in the same run:
as installed (TF's own default on this CPU: oneDNN on where the CPU has AVX-512 or AMX, off
elsewhere), oneDNN forced on and oneDNN forced off (TF_ENABLE_ONEDNN_OPTS=1 / 0).

    for label, env in tf_modes.environments():
        subprocess.run([tf_python, ...], env=env)
"""
import json
import os
import subprocess
from pathlib import Path

VARIABLE = "TF_ENABLE_ONEDNN_OPTS"
MODES = (("tf as installed", None), ("tf oneDNN on", "1"), ("tf oneDNN off", "0"))


def environment(value, base=None):
    """A copy of `base` (default os.environ) with TF_ENABLE_ONEDNN_OPTS set to `value`, or
    removed for None (TF decides), and TF's C++ logging quiet."""
    env = dict(os.environ if base is None else base, TF_CPP_MIN_LOG_LEVEL="3")
    env.pop(VARIABLE, None)
    if value is not None:
        env[VARIABLE] = value
    return env


def environments(base=None):
    """[(label, environment)] for the three modes, "as installed" first."""
    return [(label, environment(value, base)) for label, value in MODES]


def run_json(python, argv, env=None, what="TensorFlow"):
    """The JSON object on the last line `python argv...` prints (the benchmark run as a
    subprocess, in `env`), or None with the reason printed when it is missing or fails."""
    if not Path(python).exists():
        return None
    done = subprocess.run([python, *map(str, argv)], capture_output=True, text=True,
                          env=environment(None) if env is None else env)
    if done.returncode != 0:
        print(f"{what} run failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])
