"""tf.estimator.export: how an Estimator is served. A serving input receiver function builds
the serving graph's inputs (placeholders for raw tensors or serialized tf.Examples) and the
features the model_fn sees; ExportOutputs name the SignatureDefs written to the SavedModel.

    feature_spec = tf.feature_column.make_parse_example_spec(columns)
    serving_fn = tf.estimator.export.build_parsing_serving_input_receiver_fn(feature_spec)
    export_dir = estimator.export_saved_model("/tmp/export", serving_fn)
"""
import collections

from tensorweave.core import dtypes
from tensorweave.core.operation import Tensor
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.ops.array.inputs import placeholder
from tensorweave.platform import tf_logging as logging
from tensorweave.saved_model import signature_constants, signature_def_utils

SINGLE_FEATURE_DEFAULT_NAME = "feature"
SINGLE_RECEIVER_DEFAULT_NAME = "input"
SINGLE_LABEL_DEFAULT_NAME = "label"


def _wrap_and_check(tensors, field_name, default_name):
    """`tensors` as a dict {str: Tensor or SparseTensor} (a single one under default_name)."""
    if tensors is None:
        raise ValueError(f"{field_name} must be defined.")
    if not isinstance(tensors, dict):
        tensors = {default_name: tensors}
    for name, tensor in tensors.items():
        if not isinstance(name, str):
            raise ValueError(f"{field_name} keys must be strings: {name}.")
        if not isinstance(tensor, (Tensor, SparseTensor)):
            raise ValueError(f"{field_name} must be a Tensor or SparseTensor: {tensor}.")
    return tensors


def _check_alternatives(alternatives):
    if alternatives is None:
        return None
    if not isinstance(alternatives, dict):
        raise ValueError(f"receiver_tensors_alternatives must be a dict: {alternatives}.")
    return {key: _wrap_and_check(value, "receiver_tensors_alternative",
                                 SINGLE_RECEIVER_DEFAULT_NAME)
            for key, value in alternatives.items()}


class ServingInputReceiver(collections.namedtuple(
        "ServingInputReceiver",
        ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """The serving graph's inputs: `receiver_tensors` (the placeholders requests feed, a
    Tensor or dict) and `features` (what the model_fn gets, a Tensor or dict; a single
    Tensor becomes {"feature": tensor})."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        features = _wrap_and_check(features, "feature", SINGLE_FEATURE_DEFAULT_NAME)
        receiver_tensors = _wrap_and_check(receiver_tensors, "receiver_tensor",
                                           SINGLE_RECEIVER_DEFAULT_NAME)
        return super().__new__(cls, features=features, receiver_tensors=receiver_tensors,
                               receiver_tensors_alternatives=_check_alternatives(
                                   receiver_tensors_alternatives))


class TensorServingInputReceiver(collections.namedtuple(
        "TensorServingInputReceiver",
        ["features", "receiver_tensors", "receiver_tensors_alternatives"])):
    """A ServingInputReceiver whose `features` is one Tensor handed to the model_fn as it is
    (not wrapped in a dict)."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        if features is None:
            raise ValueError("features must be defined.")
        checked = ServingInputReceiver(features, receiver_tensors,
                                       receiver_tensors_alternatives)
        return super().__new__(cls, features=checked.features[SINGLE_FEATURE_DEFAULT_NAME],
                               receiver_tensors=checked.receiver_tensors,
                               receiver_tensors_alternatives=(
                                   checked.receiver_tensors_alternatives))


class SupervisedInputReceiver(collections.namedtuple(
        "SupervisedInputReceiver", ["features", "labels", "receiver_tensors"])):
    """A TRAIN or EVAL export graph's inputs: `features` and `labels` for the model_fn (a
    Tensor or dict each) and the `receiver_tensors` that feed them."""

    def __new__(cls, features, labels, receiver_tensors):
        _wrap_and_check(features, "feature", SINGLE_FEATURE_DEFAULT_NAME)  # checked, kept
        _wrap_and_check(labels, "label", SINGLE_LABEL_DEFAULT_NAME)
        receiver_tensors = _wrap_and_check(receiver_tensors, "receiver_tensor",
                                           SINGLE_RECEIVER_DEFAULT_NAME)
        return super().__new__(cls, features=features, labels=labels,
                               receiver_tensors=receiver_tensors)


def build_raw_supervised_input_receiver_fn(features, labels, default_batch_size=None):
    """A supervised receiver function of placeholders shaped like `features` and `labels`
    (Tensors or dicts of them; the batch dimension `default_batch_size`), named by their
    keys ("input" and "label" for single Tensors); the keys must be distinct."""
    feature_keys = list(features) if isinstance(features, dict) else \
        [SINGLE_RECEIVER_DEFAULT_NAME]
    label_keys = list(labels) if isinstance(labels, dict) else [SINGLE_LABEL_DEFAULT_NAME]
    overlap = set(feature_keys) & set(label_keys)
    if overlap:
        raise ValueError(f"Features and labels must have distinct keys. Found overlapping "
                         f"keys: {overlap}")

    def placeholders(tensors, default_name):
        wrapped = tensors if isinstance(tensors, dict) else {default_name: tensors}
        made = {key: placeholder(t.dtype, [default_batch_size] + t.shape.as_list()[1:],
                                 name=key) for key, t in wrapped.items()}
        return made if isinstance(tensors, dict) else made[default_name]

    def supervised_input_receiver_fn():
        input_features = placeholders(features, SINGLE_RECEIVER_DEFAULT_NAME)
        input_labels = placeholders(labels, SINGLE_LABEL_DEFAULT_NAME)
        receivers = dict(input_features) if isinstance(input_features, dict) else \
            {SINGLE_RECEIVER_DEFAULT_NAME: input_features}
        receivers.update(input_labels if isinstance(input_labels, dict) else
                         {SINGLE_LABEL_DEFAULT_NAME: input_labels})
        return SupervisedInputReceiver(input_features, input_labels, receivers)
    return supervised_input_receiver_fn


def build_parsing_serving_input_receiver_fn(feature_spec, default_batch_size=None):
    """A serving_input_receiver_fn taking serialized tf.Examples (a string placeholder
    'input_example_tensor' of shape [default_batch_size], receiver key 'examples') parsed
    with `feature_spec` into the features."""
    def serving_input_receiver_fn():
        from tensorweave.ops import example_parsing
        serialized = placeholder(dtypes.string, [default_batch_size],
                                 name="input_example_tensor")
        features = example_parsing.parse_example(serialized, feature_spec)
        return ServingInputReceiver(features, {"examples": serialized})
    return serving_input_receiver_fn


def build_raw_serving_input_receiver_fn(features, default_batch_size=None):
    """A serving_input_receiver_fn feeding each of `features` ({name: Tensor}, or one
    Tensor) through a placeholder of its dtype and shape (batch size default_batch_size)."""
    def serving_input_receiver_fn():
        receivers = {}
        wrapped = features if isinstance(features, dict) else {
            SINGLE_FEATURE_DEFAULT_NAME: features}
        for name, tensor in wrapped.items():
            dims = tensor.shape.as_list() if tensor.shape.ndims is not None else None
            shape = None if dims is None else [default_batch_size] + dims[1:]
            receivers[name] = placeholder(tensor.dtype, shape, name=name)
        if isinstance(features, dict):
            return ServingInputReceiver(receivers, receivers)
        return TensorServingInputReceiver(receivers[SINGLE_FEATURE_DEFAULT_NAME], receivers)
    return serving_input_receiver_fn


# --- export outputs ----------------------------------------------------------------------------
class ExportOutput:
    """One output of a served model, as a SignatureDef (tf.estimator.export.ExportOutput)."""

    def as_signature_def(self, receiver_tensors):
        raise NotImplementedError


def _single_string_input(receiver_tensors, kind):
    if len(receiver_tensors) != 1:
        raise ValueError(f"{kind} input must be a single string Tensor; got "
                         f"{receiver_tensors}")
    (examples,) = receiver_tensors.values()
    if not isinstance(examples, Tensor) or examples.dtype is not dtypes.string:
        raise ValueError(f"{kind} input must be a single string Tensor; got "
                         f"{receiver_tensors}")
    return examples


class ClassificationOutput(ExportOutput):
    """Class scores (float [batch, n]) and/or class names (string [batch, n]), served as a
    classification signature (the serving input must be serialized tf.Examples)."""

    def __init__(self, scores=None, classes=None):
        if scores is not None and not (isinstance(scores, Tensor) and scores.dtype.is_floating):
            raise ValueError(f"Classification scores must be a float32 Tensor; got {scores}")
        if classes is not None and not (isinstance(classes, Tensor)
                                        and classes.dtype is dtypes.string):
            raise ValueError(f"Classification classes must be a string Tensor; got {classes}")
        if scores is None and classes is None:
            raise ValueError("At least one of scores and classes must be set.")
        self._scores, self._classes = scores, classes

    @property
    def scores(self):
        return self._scores

    @property
    def classes(self):
        return self._classes

    def as_signature_def(self, receiver_tensors):
        examples = _single_string_input(receiver_tensors, "Classification")
        return signature_def_utils.classification_signature_def(examples, self._classes,
                                                                self._scores)


class RegressionOutput(ExportOutput):
    """A float prediction per example, served as a regression signature."""

    def __init__(self, value):
        if not (isinstance(value, Tensor) and value.dtype.is_floating):
            raise ValueError(f"Regression output value must be a float32 Tensor; got {value}")
        self._value = value

    @property
    def value(self):
        return self._value

    def as_signature_def(self, receiver_tensors):
        examples = _single_string_input(receiver_tensors, "Regression")
        return signature_def_utils.regression_signature_def(examples, self._value)


class PredictOutput(ExportOutput):
    """Any named output tensors (a Tensor becomes {"output": tensor}), served as a predict
    signature of all the receiver tensors."""

    def __init__(self, outputs):
        if not isinstance(outputs, dict):
            outputs = {"output": outputs}
        for key, value in outputs.items():
            if not isinstance(key, str):
                raise ValueError(f"Prediction output key must be a string; got {key}.")
            if not isinstance(value, Tensor):
                raise ValueError(f"Prediction output value must be a Tensor; got {value}.")
        self._outputs = outputs

    @property
    def outputs(self):
        return self._outputs

    def as_signature_def(self, receiver_tensors):
        return signature_def_utils.predict_signature_def(receiver_tensors, self._outputs)


class EvalOutput(ExportOutput):
    """A supervised evaluation's outputs: loss, predictions and metrics ({name: (value,
    update_op)}), named "loss", "predictions" ("predictions/<key>" for a dict) and
    "metrics/<name>/value", "metrics/<name>/update_op"."""

    def __init__(self, loss=None, predictions=None, metrics=None):
        self._loss = self._named("loss", loss)
        self._predictions = self._named("predictions", predictions)
        self._metrics = {}
        for name, pair in (metrics or {}).items():
            value, update_op = pair
            key = self._prefixed("metrics", name)
            if not isinstance(update_op, Tensor):  # an Operation: a tensor running it
                from tensorweave.core.constants import constant
                from tensorweave.core.graph import control_dependencies
                with control_dependencies([update_op]):
                    update_op = constant([], name="metric_op_wrapper")
            self._metrics[f"{key}/value"] = value
            self._metrics[f"{key}/update_op"] = update_op

    @staticmethod
    def _prefixed(prefix, key):
        """`key` under `prefix/`, unless it starts with `prefix` already (TF's rule)."""
        return key if str(key).startswith(prefix) else f"{prefix}/{key}"

    @classmethod
    def _named(cls, prefix, value):
        if value is None:
            return {}
        if isinstance(value, dict):
            return {cls._prefixed(prefix, key): v for key, v in value.items()}
        return {prefix: value}

    @property
    def loss(self):
        return self._loss

    @property
    def predictions(self):
        return self._predictions

    @property
    def metrics(self):
        return self._metrics

    def as_signature_def(self, receiver_tensors):
        return signature_def_utils.supervised_eval_signature_def(
            receiver_tensors, self._loss, self._predictions, self._metrics)


class TrainOutput(EvalOutput):
    """A supervised training graph's outputs (as EvalOutput's), for a TRAIN SignatureDef."""

    def as_signature_def(self, receiver_tensors):
        return signature_def_utils.supervised_train_signature_def(
            receiver_tensors, self.loss, self.predictions, self.metrics)


def export_outputs_for_predictions(export_outputs, predictions):
    """A PREDICT EstimatorSpec's export_outputs, as TF completes them: a PredictOutput of the
    predictions under "serving_default" when there are none, a lone output also under
    "serving_default"; TypeError for values that are not ExportOutputs, ValueError for several
    outputs none of which is the default."""
    if export_outputs is None:
        return {signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY:
                PredictOutput(predictions)}
    if not isinstance(export_outputs, dict):
        raise TypeError(f"export_outputs must be dict, given: {export_outputs}")
    for key, value in export_outputs.items():
        if not isinstance(value, ExportOutput):
            raise TypeError(f"Values in export_outputs must be ExportOutput objects. Given: "
                            f"{export_outputs}")
    default = signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY
    if len(export_outputs) == 1 and default not in export_outputs:
        export_outputs = dict(export_outputs, **{default: next(iter(export_outputs.values()))})
    if len(export_outputs) > 1 and default not in export_outputs:
        raise ValueError("Multiple export_outputs were provided, but none of them is specified "
                         "as the default.  Do this by naming one of them with "
                         "signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY.")
    return export_outputs


def build_all_signature_defs(receiver_tensors, export_outputs,
                             receiver_tensors_alternatives=None, serving_only=True):
    """{signature key: SignatureDef} of each export output with each set of receiver tensors;
    outputs that do not fit the inputs (a classification of raw tensors) are left out with a
    log line, as TF does, and (serving_only) SignatureDefs that do not serve."""
    if not isinstance(receiver_tensors, dict):
        receiver_tensors = {SINGLE_RECEIVER_DEFAULT_NAME: receiver_tensors}
    if export_outputs is None or not isinstance(export_outputs, dict):
        raise ValueError(f"export_outputs must be a dict and not{type(export_outputs)}")
    signatures, excluded = {}, {}
    for key, output in export_outputs.items():
        name = f"{key or 'None'}"
        try:
            signatures[name] = output.as_signature_def(receiver_tensors)
        except ValueError as e:
            excluded[name] = str(e)
    for receiver_name, tensors in (receiver_tensors_alternatives or {}).items():
        for key, output in export_outputs.items():
            name = f"{receiver_name or 'None'}:{key or 'None'}"
            try:
                signatures[name] = output.as_signature_def(tensors)
            except ValueError as e:
                excluded[name] = str(e)
    for name, why in excluded.items():
        logging.info("Signature %s excluded from export: %s", name, why)
    if not serving_only:  # TRAIN and EVAL signatures are kept as they are, as TF keeps them
        return signatures
    return {k: v for k, v in signatures.items() if signature_def_utils.is_valid_signature(v)}
