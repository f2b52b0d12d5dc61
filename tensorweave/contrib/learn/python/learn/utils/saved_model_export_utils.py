"""tf.contrib.learn's SavedModel export helpers (deprecated in TF 1.x for tf.estimator's
Exporters): the ExportStrategy an Experiment runs after its final evaluation, and the input /
output "alternatives" a contrib Estimator's export_savedmodel turns into SignatureDefs.

    strategy = saved_model_export_utils.make_export_strategy(serving_input_fn)
    learn.Experiment(estimator, ..., export_strategies=strategy)
    # each export: <model_dir>/export/Servo/<seconds since the epoch>, the newest 5 kept

A model_fn without output_alternatives is served as one head of unspecified type: the
SignatureDefs "default_input_alternative:default_output_alternative" and "serving_default"
both predict its predictions from the serving input_fn's default inputs.
"""
import os
import time

from tensorweave.contrib.learn.export_strategy import ExportStrategy
from tensorweave.contrib.learn.prediction_key import PredictionKey
from tensorweave.contrib.learn.python.learn.estimators.constants import ProblemType
from tensorweave.contrib.learn.python.learn.utils.input_fn_utils import InputFnOps
from tensorweave.core import dtypes
from tensorweave.estimator.estimator import fn_args
from tensorweave.estimator.exporter import garbage_collect_exports
from tensorweave.platform import tf_logging as logging
from tensorweave.saved_model import signature_constants, signature_def_utils

__all__ = ["DEFAULT_INPUT_ALTERNATIVE_KEY", "FEATURES_INPUT_ALTERNATIVE_KEY",
           "build_standardized_signature_def", "get_input_alternatives",
           "get_output_alternatives", "build_all_signature_defs", "get_timestamped_export_dir",
           "get_temp_export_dir", "garbage_collect_exports", "make_export_strategy"]

DEFAULT_INPUT_ALTERNATIVE_KEY = "default_input_alternative"
FEATURES_INPUT_ALTERNATIVE_KEY = "features_input_alternative"
_FALLBACK_DEFAULT_OUTPUT_ALTERNATIVE_KEY = "default_output_alternative"


def build_standardized_signature_def(input_tensors, output_tensors, problem_type):
    """A classification SignatureDef (one input; string classes and/or scores), a
    regression one (one input, one output) or else a predict SignatureDef."""
    if not input_tensors:
        raise ValueError("input_tensors must be provided.")
    if not output_tensors:
        raise ValueError("output_tensors must be provided.")
    classes = output_tensors.get(PredictionKey.CLASSES)
    if classes is not None and classes.dtype != dtypes.string:
        classes = None  # served classes are strings only
    scores = output_tensors.get(PredictionKey.SCORES)
    if scores is None:
        scores = output_tensors.get(PredictionKey.PROBABILITIES)
    one_input = len(input_tensors) == 1
    if (problem_type in (ProblemType.CLASSIFICATION, ProblemType.LOGISTIC_REGRESSION)
            and one_input and (classes is not None or scores is not None
                               or len(output_tensors) == 1)):
        (_, examples), = input_tensors.items()
        if classes is None and scores is None:
            (_, only), = output_tensors.items()
            if only.dtype == dtypes.string:
                classes = only
            else:
                scores = only
        return signature_def_utils.classification_signature_def(examples, classes, scores)
    if problem_type == ProblemType.LINEAR_REGRESSION and one_input and len(output_tensors) == 1:
        (_, examples), = input_tensors.items()
        (_, predictions), = output_tensors.items()
        return signature_def_utils.regression_signature_def(examples, predictions)
    return signature_def_utils.predict_signature_def(input_tensors, output_tensors)


def get_input_alternatives(input_ops):
    """({alternative key: input tensors}, features) of a serving input_fn's result (an
    InputFnOps gives its default_inputs under DEFAULT_INPUT_ALTERNATIVE_KEY)."""
    alternatives = {}
    if isinstance(input_ops, InputFnOps):
        features, _, default_inputs = input_ops
        alternatives[DEFAULT_INPUT_ALTERNATIVE_KEY] = default_inputs
    else:
        features, _ = input_ops
    if not features:
        raise ValueError("Features must be defined.")
    return alternatives, features


def get_output_alternatives(model_fn_ops, default_output_alternative_key=None):
    """({head key: (problem type, {name: tensor})}, the key served by default). Without
    output_alternatives the predictions are one head of unspecified type."""
    alternatives = model_fn_ops.output_alternatives
    if not alternatives:
        if default_output_alternative_key:
            raise ValueError(f"Requested default_output_alternative: "
                             f"{default_output_alternative_key}, but available "
                             f"output_alternatives are: []")
        outputs = model_fn_ops.predictions
        if not isinstance(outputs, dict):
            outputs = {PredictionKey.GENERIC: outputs}
        key = _FALLBACK_DEFAULT_OUTPUT_ALTERNATIVE_KEY
        return {key: (ProblemType.UNSPECIFIED, outputs)}, key
    if default_output_alternative_key:
        if default_output_alternative_key in alternatives:
            return alternatives, default_output_alternative_key
        raise ValueError(f"Requested default_output_alternative: "
                         f"{default_output_alternative_key}, but available "
                         f"output_alternatives are: {sorted(alternatives)}")
    if len(alternatives) == 1:
        (key, _), = alternatives.items()
        return alternatives, key
    raise ValueError(f"Please specify a default_output_alternative.  Available "
                     f"output_alternatives are: {sorted(alternatives)}")


def build_all_signature_defs(input_alternatives, output_alternatives,
                             actual_default_output_alternative_key):
    """A SignatureDef "<input key>:<output key>" for each pair, and "serving_default" of
    the default inputs with the default head."""
    signatures = {f"{input_key}:{output_key or 'None'}":
                  build_standardized_signature_def(inputs, outputs, problem_type)
                  for input_key, inputs in input_alternatives.items()
                  for output_key, (problem_type, outputs) in output_alternatives.items()}
    default_inputs = input_alternatives.get(DEFAULT_INPUT_ALTERNATIVE_KEY)
    if not default_inputs:
        raise ValueError("A default input_alternative must be provided.")
    problem_type, outputs = output_alternatives[actual_default_output_alternative_key]
    signatures[signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY] = (
        build_standardized_signature_def(default_inputs, outputs, problem_type))
    return signatures


def get_timestamped_export_dir(export_dir_base):
    """export_dir_base/<seconds since the epoch> (bytes), a directory not there yet (waits a
    second and retries, up to 10 times, when it is)."""
    for attempt in range(1, 11):
        export_dir = os.path.join(os.fsencode(export_dir_base), str(int(time.time())).encode())
        if not os.path.exists(export_dir):
            return export_dir
        time.sleep(1)
        logging.warning("Export directory %s already exists; retrying (attempt %d/10)",
                        export_dir, attempt)
    raise RuntimeError("Failed to obtain a unique export directory name after 10 attempts.")


def get_temp_export_dir(timestamped_export_dir):
    """The sibling "temp-<timestamp>" of an export directory (bytes)."""
    head, tail = os.path.split(os.fsencode(timestamped_export_dir))
    return os.path.join(head, b"temp-" + tail)


def make_export_strategy(serving_input_fn, default_output_alternative_key=None,
                         assets_extra=None, as_text=False, exports_to_keep=5,
                         strip_default_attrs=None):
    """An ExportStrategy "Servo" for Experiment: export_savedmodel with serving_input_fn
    (returning InputFnOps; a receiver for a tf.estimator.Estimator), then garbage collection
    keeping the newest `exports_to_keep`."""
    def export_fn(estimator, export_dir_base, checkpoint_path=None, strip_default_attrs=False):
        # a tf.estimator.Estimator's export_savedmodel has no output alternatives
        if "default_output_alternative_key" not in fn_args(estimator.export_savedmodel):
            if default_output_alternative_key is not None:
                raise ValueError(f"default_output_alternative_key is not supported in core "
                                 f"Estimator. Given: {default_output_alternative_key}")
            result = estimator.export_savedmodel(
                export_dir_base, serving_input_fn, assets_extra=assets_extra,
                as_text=as_text, checkpoint_path=checkpoint_path,
                strip_default_attrs=strip_default_attrs)
        else:
            result = estimator.export_savedmodel(
                export_dir_base, serving_input_fn,
                default_output_alternative_key=default_output_alternative_key,
                assets_extra=assets_extra, as_text=as_text, checkpoint_path=checkpoint_path,
                strip_default_attrs=strip_default_attrs)
        garbage_collect_exports(export_dir_base, exports_to_keep)
        return result
    return ExportStrategy("Servo", export_fn, strip_default_attrs)
