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
    "summary", "estimator",                                     # writers, Estimator extras
    "nn", "sparsemax", "mixed_precision", "integrate", "compiler",  # small research parts
    "kernel_methods",                                           # random Fourier features
    "tfprof",                                                   # the profiler's old names
    "bayesflow",                                                # Monte Carlo estimates
)


class ContribNotImplemented(NotImplementedError, AttributeError):
    """A tf.contrib part tensorweave does not provide."""


def not_provided(module_name, names, fallback=None):
    """A module `__getattr__` raising ContribNotImplemented for `names` (TF 1.15 names of
    that tf.contrib module tensorweave does not provide), else `fallback(name)` (a lazy
    table's, whose `table` it keeps) or AttributeError."""
    missing = frozenset(names)
    shown = module_name.replace("tensorweave.", "tf.", 1)

    def __getattr__(name):
        if name in missing:
            raise ContribNotImplemented(f"{shown}.{name} is not implemented by tensorweave "
                                        f"(see docs/compatibility.md)")
        if fallback is not None:
            return fallback(name)
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
    if fallback is not None and hasattr(fallback, "table"):
        __getattr__.table = fallback.table
    return __getattr__


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
