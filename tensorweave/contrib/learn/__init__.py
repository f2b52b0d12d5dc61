"""tf.contrib.learn: the parts TF 1.x programs still use, its datasets
(`tf.contrib.learn.datasets.load_dataset("mnist")`, `datasets.mnist.read_data_sets`), `io`
(numpy_input_fn, pandas_input_fn) and the Estimator API of TF 1.0's getting-started guide:
Estimator with fit/evaluate/predict over a model_fn returning ModelFnOps, and LinearRegressor
(see estimators.py), run by tf.estimator.

The rest of contrib.learn's Estimator family (Experiment, learn_runner, SKCompat, the other
canned estimators) was superseded by tf.estimator in TF 1.x and is not provided."""
from tensorweave.contrib.learn import datasets  # noqa: F401
from tensorweave.contrib.learn import io  # noqa: F401
from tensorweave.contrib.learn.estimators import (  # noqa: F401
    Estimator, LinearRegressor, ModeKeys, ModelFnOps)

__all__ = ["datasets", "io", "Estimator", "LinearRegressor", "ModeKeys", "ModelFnOps"]
