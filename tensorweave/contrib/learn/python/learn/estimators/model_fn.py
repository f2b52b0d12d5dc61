"""TF's module path `tensorflow.contrib.learn.python.learn.estimators.model_fn` (ModelFnOps,
ModeKeys), as TF 1.x tutorials import it: `model_fn_lib.ModelFnOps(mode, predictions, ...)`."""
from tensorweave.contrib.learn.estimators import ModeKeys, ModelFnOps  # noqa: F401

__all__ = ["ModeKeys", "ModelFnOps"]
