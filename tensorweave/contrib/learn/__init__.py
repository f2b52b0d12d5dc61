"""tf.contrib.learn: the parts TF 1.x programs still use, its datasets (`load_dataset` of
"iris", "boston", "mnist" or "dbpedia", `datasets.base.load_csv_with_header`), `io`
(numpy_input_fn, pandas_input_fn), and the Estimator API of TF 1.0's guides: Estimator with
fit/evaluate/predict over a model_fn returning ModelFnOps, numpy x/y fed by data feeders
(feeders.py), the canned DNNClassifier, DNNRegressor, LinearClassifier and LinearRegressor,
RunConfig, SKCompat, infer_real_valued_columns_from_input, monitors.ValidationMonitor (early
stopping), MetricSpec for evaluate(metrics=...) and preprocessing's VocabularyProcessor and
ByteProcessor; Experiment (train_and_evaluate and the other schedules, over a contrib or a core
Estimator), ExportStrategy and learn_runner.run (experiment.py, learn_runner.py), and the
SavedModel export an ExportStrategy from make_export_strategy writes (InputFnOps serving
input_fns; `utils`: python/learn/utils).

The rest (DNNLinearCombined*, streaming data feeders) was superseded by tf.estimator in TF 1.x
and is not provided."""
from tensorweave.contrib.learn import datasets  # noqa: F401
from tensorweave.contrib.learn import io  # noqa: F401
from tensorweave.contrib.learn import monitors  # noqa: F401
from tensorweave.contrib.learn import preprocessing  # noqa: F401
from tensorweave.contrib.learn import prediction_key  # noqa: F401
from tensorweave.contrib.learn.metric_spec import MetricSpec  # noqa: F401
from tensorweave.contrib.learn import estimators  # noqa: F401
from tensorweave.contrib.learn.estimators import (  # noqa: F401
    Estimator, ModeKeys, ModelFnOps, RunConfig, SKCompat,
    infer_real_valued_columns_from_input)
from tensorweave.contrib.learn.dnn import DNNClassifier, DNNRegressor  # noqa: F401
from tensorweave.contrib.learn.linear import LinearClassifier, LinearRegressor  # noqa: F401
from tensorweave.contrib.learn.export_strategy import ExportStrategy  # noqa: F401
from tensorweave.contrib.learn.experiment import Experiment  # noqa: F401
from tensorweave.contrib.learn import learn_runner  # noqa: F401
from tensorweave.contrib.learn.python.learn.estimators.constants import ProblemType  # noqa: F401
from tensorweave.contrib.learn.python.learn.utils.input_fn_utils import (  # noqa: F401
    InputFnOps, build_parsing_serving_input_fn)
from tensorweave.contrib.learn.python.learn.utils.saved_model_export_utils import (  # noqa: F401
    make_export_strategy)
from tensorweave.contrib.learn.python.learn import utils  # noqa: F401  (tf.contrib.learn.utils)

__all__ = ["datasets", "io", "monitors", "preprocessing", "prediction_key", "MetricSpec",
           "estimators", "Estimator",
           "LinearRegressor", "ModeKeys", "ModelFnOps", "RunConfig", "SKCompat",
           "infer_real_valued_columns_from_input", "DNNClassifier", "DNNRegressor",
           "LinearClassifier", "Experiment", "ExportStrategy", "learn_runner", "ProblemType",
           "InputFnOps", "build_parsing_serving_input_fn", "make_export_strategy", "utils"]
