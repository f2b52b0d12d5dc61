"""TF's module path `tensorflow.contrib.learn.python.learn.estimators.estimator`, where TF 1.x
programs import `SKCompat` and `Estimator` from
(`from ....estimators.estimator import SKCompat`)."""
from tensorweave.contrib.learn.estimators import (  # noqa: F401
    Estimator, SKCompat, infer_real_valued_columns_from_input)

__all__ = ["Estimator", "SKCompat", "infer_real_valued_columns_from_input"]
