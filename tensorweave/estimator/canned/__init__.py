"""Canned estimators: baseline, DNN, linear and combined models with TF 1.15's heads and
defaults, and the same models under any head (the *Estimator classes)."""
from tensorweave.estimator.canned.baseline import (BaselineClassifier,  # noqa: F401
                                                   BaselineEstimator, BaselineRegressor)
from tensorweave.estimator.canned.dnn import (DNNClassifier, DNNEstimator,  # noqa: F401
                                              DNNRegressor)
from tensorweave.estimator.canned.dnn_linear_combined import (  # noqa: F401
    DNNLinearCombinedClassifier, DNNLinearCombinedEstimator, DNNLinearCombinedRegressor)
from tensorweave.estimator.canned.linear import (LinearClassifier,  # noqa: F401
                                                 LinearEstimator, LinearRegressor)
