"""TensorFlow's three CPU configurations the benchmarks compare against in the same run:
as installed (TF's own default on this CPU: oneDNN on where the CPU has AVX-512 or AMX, off
elsewhere), oneDNN forced on and oneDNN forced off (TF_ENABLE_ONEDNN_OPTS=1 / 0).

    for label, env in tf_modes.environments():
        subprocess.run([tf_python, ...], env=env)
"""
import os

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
