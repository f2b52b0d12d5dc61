"""The state machinery of tf.keras.metrics: the Metric base class, whose state lives in local
variables of the graph, and the confusion counts at thresholds that Precision, Recall, AUC
and the at-threshold metrics share."""
import numpy as np

from tensorweave import math as tf_math
from tensorweave import variables as variables_module
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, control_dependencies, init_scope, name_scope
from tensorweave.keras import backend_config, backend_math as KM
from tensorweave.ops import array, control, math_ops, state_ops


class Metric:
    """A metric with state in local variables: update_state() returns the update op,
    result() the value, reset_states() zeroes the state in the Keras session."""

    def __init__(self, name=None, dtype=None, **kwargs):
        self.name = name or generic_utils_snake(type(self).__name__)
        self.dtype = dtypes.as_dtype(dtype or backend_config.floatx())
        self.stateful = True
        self._weights = []
        self._scope = None

    def add_weight(self, name, shape=(), dtype=None, initializer="zeros"):
        dtype = dtypes.as_dtype(dtype or self.dtype)
        value = np.zeros(shape, dtype.as_numpy_dtype) if initializer == "zeros" else \
            np.full(shape, initializer, dtype.as_numpy_dtype)
        with init_scope(), name_scope(self.name):
            v = variables_module.Variable(
                value, name=name, trainable=False, dtype=dtype,
                collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES])
        self._weights.append(v)
        return v

    @property
    def weights(self):
        return list(self._weights)

    variables = weights

    def __call__(self, *args, **kwargs):
        """Update the state, and return the result after the update."""
        update = self.update_state(*args, **kwargs)
        with control_dependencies([update]):
            return array.identity(self.result())

    def reset_states(self):
        from tensorweave.keras import backend
        backend.batch_set_value([(v, np.zeros(v.shape.as_list(),
                                              v.dtype.base_dtype.as_numpy_dtype))
                                 for v in self._weights])

    def update_state(self, *args, **kwargs):
        raise NotImplementedError("Must be implemented in subclasses.")

    def result(self):
        raise NotImplementedError("Must be implemented in subclasses.")

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def generic_utils_snake(name):
    import re
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()


def match_ranks(y_pred, y_true, sample_weight=None):
    """Keras's squeeze_or_expand_dimensions: drop a trailing 1 that makes y_pred and y_true
    differ in rank by one, then bring sample_weight to y_pred's rank the same way."""
    pred_rank, true_rank = KM.ndim(y_pred), KM.ndim(y_true)
    if pred_rank is not None and true_rank is not None:
        if pred_rank - true_rank == 1 and KM.int_shape(y_pred)[-1] == 1:
            y_pred = array.squeeze(y_pred, [-1])
        elif true_rank - pred_rank == 1 and KM.int_shape(y_true)[-1] == 1:
            y_true = array.squeeze(y_true, [-1])
    if sample_weight is None:
        return y_pred, y_true, None
    weight_rank, pred_rank = KM.ndim(sample_weight), KM.ndim(y_pred)
    if weight_rank and pred_rank is not None:
        if weight_rank - pred_rank == 1:
            sample_weight = array.squeeze(sample_weight, [-1])
        elif pred_rank - weight_rank == 1:
            sample_weight = array.expand_dims(sample_weight, -1)
    return y_pred, y_true, sample_weight


def evenly_spaced(thresholds):
    """True when `thresholds` are i / (n - 1) for i in 0..n-1 (n >= 3), up to epsilon."""
    n = len(thresholds)
    return n >= 3 and bool(np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1),
                                       atol=backend_config.epsilon()))


def confusion_updates(variables, y_true, y_pred, thresholds, sample_weight=None,
                      class_id=None, evenly=False):
    """The op adding to `variables` ({'tp'|'fp'|'tn'|'fn': variable}) the weighted counts at
    each threshold (a prediction counts as positive where y_pred > threshold). `evenly`
    thresholds i/(n-1) (end points may be moved out by an epsilon) are counted by buckets."""
    dtype = list(variables.values())[0].dtype.base_dtype
    y_true = array.cast(convert_to_tensor(y_true), dtype)
    y_pred = array.cast(convert_to_tensor(y_pred), dtype)
    if sample_weight is not None:
        sample_weight = array.cast(convert_to_tensor(sample_weight), dtype)
    y_pred, y_true, sample_weight = match_ranks(y_pred, y_true, sample_weight)
    if class_id is not None:
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
    weight = array.ones_like(y_pred) if sample_weight is None else \
        sample_weight + array.zeros_like(y_pred)
    y_pred = array.reshape(y_pred, [-1])
    y_true = array.reshape(y_true, [-1])
    weight = array.reshape(weight, [-1])
    if evenly:
        counts = _bucket_counts(variables, y_true, y_pred, weight, thresholds, dtype)
    else:
        counts = _tiled_counts(variables, y_true, y_pred, weight, thresholds, dtype)
    return control.group(*[state_ops.assign_add(variables[kind], counts[kind]).op
                           for kind in variables])


def _tiled_counts(variables, y_true, y_pred, weight, thresholds, dtype):
    thresh = array.reshape(convert_to_tensor(np.array(thresholds, dtype.as_numpy_dtype)),
                           [-1, 1])
    above = math_ops.greater(array.reshape(y_pred, [1, -1]), thresh)
    positive = array.reshape(array.cast(y_true, "bool"), [1, -1])
    conditions = {
        "tp": math_ops.logical_and(positive, above),
        "fp": math_ops.logical_and(math_ops.logical_not(positive), above),
        "tn": math_ops.logical_and(math_ops.logical_not(positive),
                                   math_ops.logical_not(above)),
        "fn": math_ops.logical_and(positive, math_ops.logical_not(above)),
    }
    weight = array.reshape(weight, [1, -1])
    return {kind: math_ops.reduce_sum(array.cast(conditions[kind], dtype) * weight, axis=1)
            for kind in variables}


def _bucket_counts(variables, y_true, y_pred, weight, thresholds, dtype):
    """Each prediction falls in the bucket of the highest threshold it exceeds; counts above
    each threshold are reverse running sums of the buckets."""
    n = len(thresholds)
    with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    y_true = array.cast(array.cast(y_true, "bool"), dtype)
    y_pred = math_ops.clip_by_value(y_pred, 0.0, 1.0)
    true_labels = y_true * weight
    false_labels = (1.0 - y_true) * weight
    buckets = math_ops.ceil(y_pred * float(n - 1)) - 1.0
    if with_epsilon:
        buckets = math_ops.maximum(buckets, 0.0)
    buckets = array.cast(buckets, "int32")
    tp = tf_math.cumsum(array.unsorted_segment_sum(true_labels, buckets, n), reverse=True)
    fp = tf_math.cumsum(array.unsorted_segment_sum(false_labels, buckets, n), reverse=True)
    counts = {"tp": tp, "fp": fp}
    if "tn" in variables:
        counts["tn"] = math_ops.reduce_sum(false_labels) - fp
    if "fn" in variables:
        counts["fn"] = math_ops.reduce_sum(true_labels) - tp
    return counts


def static_targets(y_true, y_pred):
    """y_true with the static shape it shares with y_pred: the targets placeholder Keras makes
    for compile() knows only its rank."""
    if y_true.shape.is_compatible_with(y_pred.shape):
        y_true.set_shape(y_true.shape.merge_with(y_pred.shape))
    return y_true, y_pred


def check_2d_inputs(metric_name, y_true_shape, y_pred_shape):
    """The (batch, outputs) check of the F-score and R2 metrics, with Keras's messages."""
    if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
        raise ValueError(f"{metric_name} expects 2D inputs with shape (batch_size, "
                         f"output_dim). Received input shapes: y_pred.shape={y_pred_shape} "
                         f"and y_true.shape={y_true_shape}.")
    if y_pred_shape[-1] is None or y_true_shape[-1] is None:
        raise ValueError(f"{metric_name} expects 2D inputs with shape (batch_size, "
                         "output_dim), with output_dim fully defined (not None). Received "
                         f"input shapes: y_pred.shape={y_pred_shape} and "
                         f"y_true.shape={y_true_shape}.")
