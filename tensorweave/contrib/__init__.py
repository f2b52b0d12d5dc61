"""tf.contrib: the parts of TensorFlow 1.x's contrib namespace tensorweave provides.

Sub-packages load on first attribute access (`tf.contrib.rnn`, `tf.contrib.seq2seq`).
"""
import importlib as _importlib

_SUBMODULES = ("rnn", "seq2seq")


def __getattr__(name):
    if name in _SUBMODULES:
        module = _importlib.import_module(f"tensorweave.contrib.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'tensorweave.contrib' has no attribute '{name}'")
