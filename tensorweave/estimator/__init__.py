"""tf.estimator: Estimator, EstimatorSpec, ModeKeys, RunConfig, train_and_evaluate, input
functions (tf.estimator.inputs) and the canned models; the tf.train hooks are re-exported as
TF 1.15 does.

    classifier = tf.estimator.Estimator(model_fn=cnn_model_fn, model_dir="/tmp/mnist_convnet")
    classifier.train(input_fn=train_input_fn, steps=20000, hooks=[logging_hook])
"""
import importlib as _importlib

from tensorweave.estimator import inputs  # noqa: F401
from tensorweave.estimator.estimator import Estimator, WarmStartSettings  # noqa: F401
from tensorweave.estimator.model_fn import EstimatorSpec, ModeKeys  # noqa: F401
from tensorweave.estimator.run_config import RunConfig  # noqa: F401
from tensorweave.estimator.training import (EvalSpec, TrainSpec,  # noqa: F401
                                            train_and_evaluate)
from tensorweave.train.basic_session_run_hooks import (  # noqa: F401
    CheckpointSaverHook, CheckpointSaverListener, FeedFnHook, FinalOpsHook, LoggingTensorHook,
    NanLossDuringTrainingError, NanTensorHook, SecondOrStepTimer, StepCounterHook,
    StopAtStepHook, SummarySaverHook)
from tensorweave.train.session_run_hook import (SessionRunArgs, SessionRunContext,  # noqa: F401
                                                SessionRunHook, SessionRunValues)

# name -> module; loaded on first use (the canned models and feature columns)
_LAZY = {
    "DNNClassifier": "tensorweave.estimator.canned",
    "DNNRegressor": "tensorweave.estimator.canned",
    "DNNLinearCombinedClassifier": "tensorweave.estimator.canned",
    "LinearClassifier": "tensorweave.estimator.canned",
    "LinearRegressor": "tensorweave.estimator.canned",
}


def __getattr__(name):
    if name in _LAZY:
        value = getattr(_importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tensorweave.estimator' has no attribute '{name}'")
