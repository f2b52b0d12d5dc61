"""tf.contrib: the parts of TensorFlow 1.x's contrib namespace tensorweave provides.

Sub-packages load on first attribute access (`tf.contrib.rnn`, `tf.contrib.layers`). A part
tensorweave does not provide raises ContribNotImplemented (a NotImplementedError that is also
an AttributeError, so `hasattr` still answers False) naming it.
"""
import importlib

PROVIDED = (
    "rnn", "seq2seq", "legacy_seq2seq", "crf", "training",     # sequence models
    "layers", "framework", "slim", "losses", "metrics",         # layers and slim
    "opt",                                                      # optimizers
    "lookup",                                                   # lookup tables
    "factorization", "tensorboard", "learn", "data", "distributions",
    "mpi_collectives", "tensor_forest", "keras",
    "feature_column",                                           # sequence feature columns
    "predictor",                                                # models ready to call
    "util", "signal", "stateless",                              # names of core functions
    "image",                                                    # projective transforms
    "deprecated",                                               # TF 0.12 summaries
)


class ContribNotImplemented(NotImplementedError, AttributeError):
    """A tf.contrib part tensorweave does not provide."""


def __getattr__(name):
    if name in PROVIDED:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
        else:
            globals()[name] = module
            return module
    if name.startswith("__"):
        raise AttributeError(name)
    raise ContribNotImplemented(
        f"tf.contrib.{name} is not implemented by tensorweave (see docs/compatibility.md)")
