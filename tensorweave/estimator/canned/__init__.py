"""Canned estimators: DNN, linear and combined models with TF 1.15's heads and defaults."""
from tensorweave.estimator.canned.dnn import DNNClassifier, DNNRegressor  # noqa: F401
from tensorweave.estimator.canned.dnn_linear_combined import (  # noqa: F401
    DNNLinearCombinedClassifier)
from tensorweave.estimator.canned.linear import LinearClassifier, LinearRegressor  # noqa: F401
