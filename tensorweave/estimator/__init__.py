"""tf.estimator: Estimator, EstimatorSpec, ModeKeys, RunConfig, train_and_evaluate, input
functions (tf.estimator.inputs) and the canned models; the tf.train hooks are re-exported as
TF 1.15 does.

    classifier = tf.estimator.Estimator(model_fn=cnn_model_fn, model_dir="/tmp/mnist_convnet")
    classifier.train(input_fn=train_input_fn, steps=20000, hooks=[logging_hook])
"""
from tensorweave.estimator import inputs  # noqa: F401
from tensorweave.estimator.estimator import (Estimator, VocabInfo,  # noqa: F401
                                             WarmStartSettings, add_metrics)
from tensorweave.estimator.model_fn import EstimatorSpec, ModeKeys  # noqa: F401
from tensorweave.estimator.run_config import RunConfig  # noqa: F401
from tensorweave.estimator.training import (EvalSpec, TrainSpec,  # noqa: F401
                                            train_and_evaluate)
from tensorweave.train.basic_session_run_hooks import (  # noqa: F401
    CheckpointSaverHook, CheckpointSaverListener, FeedFnHook, FinalOpsHook,
    GlobalStepWaiterHook, LoggingTensorHook, NanLossDuringTrainingError, NanTensorHook,
    ProfilerHook, SecondOrStepTimer, StepCounterHook, StopAtStepHook, SummarySaverHook)
from tensorweave.train.session_run_hook import (SessionRunArgs, SessionRunContext,  # noqa: F401
                                                SessionRunHook, SessionRunValues)
from tensorweave.util import lazy

# the canned models and their feature columns load on first use
__getattr__ = lazy.attributes(__name__, {**lazy.names_from(
    "tensorweave.estimator.canned", "DNNClassifier", "DNNRegressor",
    "DNNLinearCombinedClassifier", "LinearClassifier", "LinearRegressor", "DNNEstimator",
    "LinearEstimator", "DNNLinearCombinedEstimator", "DNNLinearCombinedRegressor",
    "BaselineClassifier", "BaselineRegressor", "BaselineEstimator"), **lazy.names_from(
    "tensorweave.estimator.canned.head_v2", "Head", "BinaryClassHead", "MultiClassHead",
    "MultiLabelHead", "RegressionHead", "LogisticRegressionHead", "PoissonRegressionHead",
    "MultiHead"),
    **lazy.names_from("tensorweave.estimator.exporter", "Exporter", "FinalExporter",
                      "LatestExporter", "BestExporter"),
    **lazy.names_from("tensorweave.estimator.canned.parsing_utils",
                      "classifier_parse_example_spec", "regressor_parse_example_spec"),
    "export": "tensorweave.estimator.export",
    "experimental": "tensorweave.estimator.experimental"})
