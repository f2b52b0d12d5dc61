"""tf.keras.metrics: metric functions (per sample) and stateful metric classes whose state
lives in local variables of the graph.

    acc = tf.keras.metrics.categorical_accuracy(y_true, y_pred)
    m = tf.keras.metrics.Mean()
    update = m.update_state(values); result = m.result()
"""
import numpy as np

from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import control_dependencies
from tensorweave.keras import backend_config, backend_math as KM
from tensorweave.keras.losses import (binary_crossentropy, categorical_crossentropy,  # noqa
                                      binary_focal_crossentropy,
                                      categorical_focal_crossentropy, categorical_hinge,
                                      cosine_proximity, hinge, kullback_leibler_divergence,
                                      logcosh, mean_absolute_error,
                                      mean_absolute_percentage_error, mean_squared_error,
                                      mean_squared_logarithmic_error, poisson,
                                      sparse_categorical_crossentropy, squared_hinge)
from tensorweave.keras.metrics_base import (Metric, check_2d_inputs, confusion_updates,
                                             static_targets)
from tensorweave.keras.utils import generic_utils
from tensorweave.ops import array, control, math_ops, nn_ops, special_math, state_ops
from tensorweave.util import lazy

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence = kullback_leibler_divergence
cosine = cosine_proximity
log_cosh = logcosh


# --- functions -----------------------------------------------------------------------------
def _floatx(t):
    return array.cast(t, backend_config.floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Mean over the last axis of (y_pred > threshold) == y_true."""
    y_pred = convert_to_tensor(y_pred)
    y_true = array.cast(convert_to_tensor(y_true), y_pred.dtype.base_dtype)
    y_pred = array.cast(math_ops.greater(y_pred, threshold), y_pred.dtype.base_dtype)
    return KM.mean(_floatx(math_ops.equal(y_true, y_pred)), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1 where argmax(y_true) == argmax(y_pred), else 0."""
    return _floatx(math_ops.equal(math_ops.argmax(y_true, -1), math_ops.argmax(y_pred, -1)))


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where the integer label equals argmax(y_pred), else 0."""
    y_true, y_pred = convert_to_tensor(y_true), convert_to_tensor(y_pred)
    true_shape, pred_shape = KM.int_shape(y_true), KM.int_shape(y_pred)
    if true_shape is not None and pred_shape is not None and len(true_shape) == len(pred_shape):
        y_true = array.squeeze(y_true, [-1])
    y_pred = math_ops.argmax(y_pred, -1)
    if y_pred.dtype.base_dtype != y_true.dtype.base_dtype:
        y_pred = array.cast(y_pred, y_true.dtype.base_dtype)
    return _floatx(math_ops.equal(y_true, y_pred))


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the true class is among the k highest predictions."""
    return _floatx(nn_ops.in_top_k(y_pred, math_ops.argmax(y_true, -1), k))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the integer label is among the k highest predictions."""
    y_true, y_pred = convert_to_tensor(y_true), convert_to_tensor(y_pred)
    true_rank, pred_rank = KM.ndim(y_true), KM.ndim(y_pred)
    if true_rank is not None and pred_rank is not None and true_rank == pred_rank:
        y_true = array.squeeze(y_true, [-1])
    return _floatx(nn_ops.in_top_k(y_pred, array.cast(y_true, "int32"), k))


def accuracy(y_true, y_pred):
    """1 where y_true == y_pred."""
    y_pred = convert_to_tensor(y_pred)
    y_true = array.cast(convert_to_tensor(y_true), y_pred.dtype.base_dtype)
    return _floatx(math_ops.equal(y_true, y_pred))


# --- stateful metrics ----------------------------------------------------------------------
def _weighted(values, sample_weight, dtype):
    values = array.cast(convert_to_tensor(values), dtype)
    if sample_weight is None:
        return values, array.cast(array.size(values), dtype)
    sample_weight = array.cast(convert_to_tensor(sample_weight), dtype)
    w_rank, v_rank = KM.ndim(sample_weight), KM.ndim(values)
    if w_rank is not None and v_rank is not None:
        if w_rank == v_rank + 1 and KM.int_shape(sample_weight)[-1] == 1:
            sample_weight = array.squeeze(sample_weight, [-1])
        elif v_rank == w_rank + 1 and KM.int_shape(values)[-1] == 1:
            values = array.squeeze(values, [-1])
    sample_weight = sample_weight + array.zeros_like(values)  # broadcast to values
    return values * sample_weight, math_ops.reduce_sum(sample_weight)


class Reduce(Metric):
    """A weighted sum ('sum') or weighted mean ('weighted_mean') of the values seen."""

    def __init__(self, reduction, name, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reduction = reduction
        self.total = self.add_weight("total")
        if reduction != "sum":
            self.count = self.add_weight("count")

    def update_state(self, values, sample_weight=None):
        values, weight = _weighted(values, sample_weight, self.dtype)
        update_total = state_ops.assign_add(self.total, math_ops.reduce_sum(values))
        if self.reduction == "sum":
            return update_total.op
        with control_dependencies([update_total]):
            return state_ops.assign_add(self.count, weight).op

    def result(self):
        if self.reduction == "sum":
            return array.identity(self.total.value())
        return self.total.value() / math_ops.maximum(self.count.value(),
                                                     np.finfo(np.float32).tiny)


class Sum(Reduce):
    """The (weighted) sum of the values seen."""

    def __init__(self, name="sum", dtype=None):
        super().__init__("sum", name=name, dtype=dtype)


class Mean(Reduce):
    """The (weighted) mean of the values seen."""

    def __init__(self, name="mean", dtype=None):
        super().__init__("weighted_mean", name=name, dtype=dtype)


class MeanMetricWrapper(Mean):
    """The mean of fn(y_true, y_pred, **kwargs) over the samples seen."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        matches = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(matches, sample_weight=sample_weight)

    def get_config(self):
        config = dict(self._fn_kwargs)
        config.update(super().get_config())
        return config


def _wrapper(class_name, fn, default_name, **defaults):
    def __init__(self, name=default_name, dtype=None, **kwargs):
        options = generic_utils.wrapper_options(class_name, defaults, kwargs)
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **options)
    return type(class_name, (MeanMetricWrapper,), {
        "__init__": __init__, "__doc__": f"The running mean of `{fn.__name__}`."})


Accuracy = _wrapper("Accuracy", accuracy, "accuracy")
BinaryAccuracy = _wrapper("BinaryAccuracy", binary_accuracy, "binary_accuracy", threshold=0.5)
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy,
                               "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                     "sparse_categorical_accuracy")
TopKCategoricalAccuracy = _wrapper("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                   "top_k_categorical_accuracy", k=5)
SparseTopKCategoricalAccuracy = _wrapper("SparseTopKCategoricalAccuracy",
                                         sparse_top_k_categorical_accuracy,
                                         "sparse_top_k_categorical_accuracy", k=5)
MeanSquaredError = _wrapper("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper("MeanAbsolutePercentageError",
                                       mean_absolute_percentage_error,
                                       "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _wrapper("MeanSquaredLogarithmicError",
                                       mean_squared_logarithmic_error,
                                       "mean_squared_logarithmic_error")
Hinge = _wrapper("Hinge", hinge, "hinge")
SquaredHinge = _wrapper("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _wrapper("CategoricalHinge", categorical_hinge, "categorical_hinge")
LogCoshError = _wrapper("LogCoshError", logcosh, "logcosh")
Poisson = _wrapper("Poisson", poisson, "poisson")
KLDivergence = _wrapper("KLDivergence", kullback_leibler_divergence,
                        "kullback_leibler_divergence")
BinaryCrossentropy = _wrapper("BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
                              from_logits=False, label_smoothing=0)
CategoricalCrossentropy = _wrapper("CategoricalCrossentropy", categorical_crossentropy,
                                   "categorical_crossentropy", from_logits=False,
                                   label_smoothing=0)
SparseCategoricalCrossentropy = _wrapper("SparseCategoricalCrossentropy",
                                         sparse_categorical_crossentropy,
                                         "sparse_categorical_crossentropy", from_logits=False,
                                         axis=-1)


def _cosine_similarity(y_true, y_pred, axis=-1):
    return -cosine_proximity(y_true, y_pred, axis=axis)


CosineSimilarity = _wrapper("CosineSimilarity", _cosine_similarity, "cosine_similarity",
                            axis=-1)


class RootMeanSquaredError(Mean):
    """sqrt of the mean squared error over the samples seen."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = array.cast(convert_to_tensor(y_pred), self.dtype)
        y_true = array.cast(convert_to_tensor(y_true), self.dtype)
        return super().update_state(math_ops.squared_difference(y_pred, y_true),
                                    sample_weight=sample_weight)

    def result(self):
        return math_ops.sqrt(super().result())


class MeanRelativeError(Mean):
    """The mean of |y_pred - y_true| / normalizer."""

    def __init__(self, normalizer, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.normalizer = array.cast(convert_to_tensor(normalizer), self.dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = array.cast(convert_to_tensor(y_pred), self.dtype)
        y_true = array.cast(convert_to_tensor(y_true), self.dtype)
        relative = math_ops.abs(y_true - y_pred) / self.normalizer
        return super().update_state(relative, sample_weight=sample_weight)


class MeanTensor(Metric):
    """The element-wise mean of the tensors seen."""

    def __init__(self, name="mean_tensor", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = None
        self.count = None

    def update_state(self, values, sample_weight=None):
        values = array.cast(convert_to_tensor(values), self.dtype)
        if self.total is None:
            shape = values.shape.as_list()
            self.total = self.add_weight("total", shape=shape)
            self.count = self.add_weight("count", shape=shape)
        weight = array.ones_like(values) if sample_weight is None else \
            array.cast(convert_to_tensor(sample_weight), self.dtype) + array.zeros_like(values)
        update_total = state_ops.assign_add(self.total, values * weight)
        with control_dependencies([update_total]):
            return state_ops.assign_add(self.count, weight).op

    def result(self):
        if self.total is None:
            raise ValueError("MeanTensor does not have any result yet. Please call the "
                             "MeanTensor instance or use `.update_state(value)` before "
                             "retrieving the result.")
        return self.total.value() / math_ops.maximum(self.count.value(), 1e-38)


# --- confusion counts, precision, recall, AUC ----------------------------------------------
def _thresholds(thresholds, default):
    if thresholds is None:
        return [default], True
    if isinstance(thresholds, (int, float)):
        return [float(thresholds)], True
    return [float(t) for t in thresholds], False


class _ConfusionMatrixConditionCount(Metric):
    _KIND = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds, self._single = _thresholds(thresholds, 0.5)
        self.accumulator = self.add_weight("accumulator", shape=(len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        return confusion_updates({self._KIND: self.accumulator}, y_true, y_pred,
                                  self.thresholds, sample_weight)

    def result(self):
        value = self.accumulator.value()
        return value[0] if self._single else array.identity(value)

    def get_config(self):
        config = super().get_config()
        config["thresholds"] = self.init_thresholds
        return config


class TruePositives(_ConfusionMatrixConditionCount):
    """The weighted number of true positives (prediction > threshold)."""
    _KIND = "tp"


class FalsePositives(_ConfusionMatrixConditionCount):
    """The weighted number of false positives."""
    _KIND = "fp"


class TrueNegatives(_ConfusionMatrixConditionCount):
    """The weighted number of true negatives."""
    _KIND = "tn"


class FalseNegatives(_ConfusionMatrixConditionCount):
    """The weighted number of false negatives."""
    _KIND = "fn"


class Precision(Metric):
    """tp / (tp + fp) at each threshold (0.5 by default)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if top_k is not None or class_id is not None:
            raise NotImplementedError("Precision(top_k=, class_id=) is not supported")
        self.init_thresholds = thresholds
        self.thresholds, self._single = _thresholds(thresholds, 0.5)
        n = len(self.thresholds)
        self.true_positives = self.add_weight("true_positives", shape=(n,))
        self.false_positives = self.add_weight("false_positives", shape=(n,))

    def update_state(self, y_true, y_pred, sample_weight=None):
        return confusion_updates({"tp": self.true_positives, "fp": self.false_positives},
                                  y_true, y_pred, self.thresholds, sample_weight)

    def result(self):
        tp, fp = self.true_positives.value(), self.false_positives.value()
        value = tp / math_ops.maximum(tp + fp, 1e-38)
        return value[0] if self._single else value

    def get_config(self):
        config = super().get_config()
        config.update({"thresholds": self.init_thresholds, "top_k": None, "class_id": None})
        return config


class Recall(Metric):
    """tp / (tp + fn) at each threshold (0.5 by default)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if top_k is not None or class_id is not None:
            raise NotImplementedError("Recall(top_k=, class_id=) is not supported")
        self.init_thresholds = thresholds
        self.thresholds, self._single = _thresholds(thresholds, 0.5)
        n = len(self.thresholds)
        self.true_positives = self.add_weight("true_positives", shape=(n,))
        self.false_negatives = self.add_weight("false_negatives", shape=(n,))

    def update_state(self, y_true, y_pred, sample_weight=None):
        return confusion_updates({"tp": self.true_positives, "fn": self.false_negatives},
                                  y_true, y_pred, self.thresholds, sample_weight)

    def result(self):
        tp, fn = self.true_positives.value(), self.false_negatives.value()
        value = tp / math_ops.maximum(tp + fn, 1e-38)
        return value[0] if self._single else value

    def get_config(self):
        config = super().get_config()
        config.update({"thresholds": self.init_thresholds, "top_k": None, "class_id": None})
        return config


class AUC(Metric):
    """Area under the ROC or PR curve over num_thresholds thresholds: 'interpolation' is the
    trapezoid rule for ROC and TF's interpolated precision for PR; 'minoring'/'majoring' Riemann
    sums."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None):
        super().__init__(name=name, dtype=dtype)
        if curve not in ("ROC", "PR"):
            raise ValueError(f'Invalid AUC curve value "{curve}".')
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f'Invalid AUC summation method value "{summation_method}".')
        if num_thresholds <= 1:
            raise ValueError("`num_thresholds` must be > 1.")
        self.curve, self.summation_method = curve, summation_method
        self.num_thresholds = num_thresholds
        eps = 1e-7
        inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.thresholds = [0.0 - eps] + inner + [1.0 + eps]
        n = len(self.thresholds)
        self.true_positives = self.add_weight("true_positives", shape=(n,))
        self.true_negatives = self.add_weight("true_negatives", shape=(n,))
        self.false_positives = self.add_weight("false_positives", shape=(n,))
        self.false_negatives = self.add_weight("false_negatives", shape=(n,))

    def update_state(self, y_true, y_pred, sample_weight=None):
        return confusion_updates({"tp": self.true_positives, "tn": self.true_negatives,
                                   "fp": self.false_positives, "fn": self.false_negatives},
                                  y_true, y_pred, self.thresholds, sample_weight, evenly=True)

    def interpolate_pr_auc(self):
        """TF's PR-AUC (Davis & Goadrich): precision interpolated along the true positives
        between neighbouring thresholds, integrated in closed form."""
        n = self.num_thresholds
        tp, fp = self.true_positives.value(), self.false_positives.value()
        fn = self.false_negatives.value()
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = special_math.div_no_nan(dtp, math_ops.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        both = math_ops.logical_and(math_ops.greater(p[:n - 1], 0.0),
                                    math_ops.greater(p[1:], 0.0))
        ratio = array.where(both, special_math.div_no_nan(p[:n - 1],
                                                          math_ops.maximum(p[1:], 0.0)),
                            array.ones_like(p[1:]))
        increments = special_math.div_no_nan(slope * (dtp + intercept * math_ops.log(ratio)),
                                             math_ops.maximum(tp[1:] + fn[1:], 0.0))
        return math_ops.reduce_sum(increments, name="interpolate_pr_auc")

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, fp = self.true_positives.value(), self.false_positives.value()
        tn, fn = self.true_negatives.value(), self.false_negatives.value()
        eps = 1e-7
        recall = tp / (tp + fn + eps)
        if self.curve == "ROC":
            x = fp / (fp + tn + eps)
            y = recall
        else:
            x = recall
            y = tp / (tp + fp + eps)
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = math_ops.minimum(y[:n - 1], y[1:])
        else:
            heights = math_ops.maximum(y[:n - 1], y[1:])
        return math_ops.reduce_sum((x[:n - 1] - x[1:]) * heights)

    def get_config(self):
        config = super().get_config()
        config.update({"num_thresholds": self.num_thresholds, "curve": self.curve,
                       "summation_method": self.summation_method})
        return config


class R2Score(Metric):
    """The coefficient of determination 1 - SS_res / SS_tot per output column, aggregated
    over columns ('uniform_average', 'variance_weighted_average' or None), optionally adjusted
    for `num_regressors`. Inputs are (batch, outputs)."""

    def __init__(self, class_aggregation="uniform_average", num_regressors=0,
                 name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        allowed = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in allowed:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             f"{allowed}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_weight("num_samples", dtype="int32")
        self.built = False

    def build(self, y_true_shape, y_pred_shape):
        check_2d_inputs("R2Score", y_true_shape, y_pred_shape)
        columns = (y_pred_shape[-1],)
        self.squared_sum = self.add_weight("squared_sum", shape=columns)
        self.sum = self.add_weight("sum", shape=columns)
        self.total_mse = self.add_weight("residual", shape=columns)
        self.count = self.add_weight("count", shape=columns)
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = array.cast(convert_to_tensor(y_true), self.dtype)
        y_pred = array.cast(convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = static_targets(y_true, y_pred)
        if not self.built:
            self.build(y_true.shape.as_list(), y_pred.shape.as_list())
        weight = array.cast(convert_to_tensor(1 if sample_weight is None else sample_weight),
                            self.dtype)
        if KM.ndim(weight) == 1:
            weight = array.expand_dims(weight, 1)
        weight = weight + array.zeros_like(y_true)
        weighted = y_true * weight
        updates = [
            state_ops.assign_add(self.sum, math_ops.reduce_sum(weighted, axis=0)),
            state_ops.assign_add(self.squared_sum, math_ops.reduce_sum(y_true * weighted,
                                                                       axis=0)),
            state_ops.assign_add(self.total_mse, math_ops.reduce_sum(
                math_ops.square(y_true - y_pred) * weight, axis=0)),
            state_ops.assign_add(self.count, math_ops.reduce_sum(weight, axis=0)),
            state_ops.assign_add(self.num_samples, array.size(y_true, out_type="int32"))]
        return control.group(*[u.op for u in updates])

    def result(self):
        mean = self.sum.value() / self.count.value()
        total = self.squared_sum.value() - self.sum.value() * mean
        raw = 1.0 - self.total_mse.value() / total
        raw = array.where(special_math.is_inf(raw), array.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            score = math_ops.reduce_mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = math_ops.reduce_sum(total * raw) / math_ops.reduce_sum(total)
        else:
            score = raw
        if self.num_regressors == 0:
            return score
        n = array.cast(self.num_samples.value(), "float32")
        p = float(self.num_regressors)
        adjusted = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        # with no more samples than regressors + 1, Keras falls back to the plain score
        return array.where(math_ops.less(p, n - 1.0), adjusted, score)

    def get_config(self):
        config = super().get_config()
        config.update({"class_aggregation": self.class_aggregation,
                       "num_regressors": self.num_regressors})
        return config


_OBJECTS = {name: value for name, value in dict(globals()).items()
            if not name.startswith("_") and callable(value) and name not in (
                "convert_to_tensor", "name_scope", "control_dependencies",
                "Reduce", "confusion_updates", "check_2d_inputs", "static_targets")}


def serialize(metric):
    return generic_utils.serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    objects = {**_OBJECTS, **{name: __getattr__(name) for name in _LAZY}}
    return generic_utils.deserialize_keras_object(
        config, module_objects=objects, custom_objects=custom_objects,
        printable_module_name="metric function")


def get(identifier):
    """A metric function or object from a name, a config or a callable."""
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize(str(identifier))
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric function identifier: {identifier}")



# the IoU, F-score and at-threshold metrics live beside this module and load on first use
_LAZY = lazy.names_from(
    "tensorweave.keras.metrics_confusion", "IoU", "MeanIoU", "BinaryIoU", "OneHotIoU",
    "OneHotMeanIoU", "FBetaScore", "F1Score", "SensitivitySpecificityBase",
    "SensitivityAtSpecificity", "SpecificityAtSensitivity", "PrecisionAtRecall",
    "RecallAtPrecision")
__getattr__ = lazy.attributes(__name__, _LAZY)
