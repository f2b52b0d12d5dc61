"""tf.metrics: streaming metrics as (value, update_op) pairs on local variables.

Each metric keeps running totals in local variables (collections LOCAL_VARIABLES and
METRIC_VARIABLES, initialized by tf.local_variables_initializer()). Running `update_op`
adds a batch and returns the metric so far; `value` reads it without changing anything.

    acc, update = tf.metrics.accuracy(labels, predictions)
    sess.run(tf.local_variables_initializer())
    for batch in batches:
        sess.run(update, feed(batch))
    print(sess.run(acc))
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.ops import array, math_ops, state_ops
from tensorweave.variable_scope import variable_scope
from tensorweave.variables import Variable

_AUC_EPSILON = 1e-7


def metric_variable(shape, dtype, validate_shape=True, name=None):
    """A zero-initialized local variable holding running totals of a metric."""
    dtype = dtypes.as_dtype(dtype)
    return Variable(lambda: array.zeros(shape, dtype), trainable=False,
                    collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES],
                    validate_shape=validate_shape, name=name)


def _add_to_collections(collections, value):
    if collections:
        get_default_graph().add_to_collections(collections, value)


def _safe_div(numerator, denominator, name):
    """numerator / denominator, or 0 where the denominator is not positive."""
    positive = math_ops.greater(denominator, 0)
    safe = array.where(positive, denominator, array.ones_like(denominator))
    return array.where(positive, math_ops.truediv(numerator, safe),
                           array.zeros_like(numerator), name=name)


def _squeeze_to_match(labels, predictions):
    """Drops a trailing size-1 dimension of whichever has rank one more than the other."""
    lr, pr = labels.shape.ndims, predictions.shape.ndims
    if lr is not None and pr is not None:
        if lr == pr + 1 and labels.shape[-1].value == 1:
            labels = array.squeeze(labels, [-1])
        elif pr == lr + 1 and predictions.shape[-1].value == 1:
            predictions = array.squeeze(predictions, [-1])
    return labels, predictions


def _float_weights(weights, like):
    """`weights` as float32 broadcast to the shape of `like`."""
    weights = convert_to_tensor(weights)
    if weights.dtype is not dtypes.float32:
        weights = array.cast(weights, dtypes.float32)
    return weights * array.ones_like(like, dtype=dtypes.float32)


# --- means ---------------------------------------------------------------------------------
def mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """The (weighted) mean of every value seen: (mean, update_op)."""
    with variable_scope(name, "mean", [values]):
        values = array.to_float(convert_to_tensor(values))
        total = metric_variable([], dtypes.float32, name="total")
        count = metric_variable([], dtypes.float32, name="count")
        if weights is None:
            batch_count = array.to_float(array.size(values))
        else:
            weights = _float_weights(weights, values)
            values = values * weights
            batch_count = math_ops.reduce_sum(weights)
        update_total = state_ops.assign_add(total._as_graph_element(),
                                            math_ops.reduce_sum(values))
        update_count = state_ops.assign_add(count._as_graph_element(), batch_count)
        value = _safe_div(total.read_value(), count.read_value(), "value")
        update_op = _safe_div(update_total, update_count, "update_op")
    _add_to_collections(metrics_collections, value)
    _add_to_collections(updates_collections, update_op)
    return value, update_op


def accuracy(labels, predictions, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """How often `predictions` equals `labels`: (accuracy, update_op)."""
    labels, predictions = convert_to_tensor(labels), convert_to_tensor(predictions)
    labels, predictions = _squeeze_to_match(labels, predictions)
    if labels.dtype is not predictions.dtype:
        labels = array.cast(labels, predictions.dtype)
    is_correct = array.to_float(math_ops.equal(predictions, labels))
    return mean(is_correct, weights, metrics_collections, updates_collections,
                name or "accuracy")


def _mean_of(elementwise, default_name):
    def metric(labels, predictions, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        predictions = array.to_float(convert_to_tensor(predictions))
        labels = array.cast(convert_to_tensor(labels), predictions.dtype)
        labels, predictions = _squeeze_to_match(labels, predictions)
        return mean(elementwise(labels, predictions), weights, metrics_collections,
                    updates_collections, name or default_name)
    return metric


mean_squared_error = _mean_of(math_ops.squared_difference, "mean_squared_error")
mean_squared_error.__doc__ = "The mean of (labels - predictions) ** 2: (mse, update_op)."
mean_absolute_error = _mean_of(lambda a, b: math_ops.abs(a - b), "mean_absolute_error")
mean_absolute_error.__doc__ = "The mean of |labels - predictions|: (mae, update_op)."


def root_mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """The square root of the mean squared error: (rmse, update_op)."""
    mse, update_mse = mean_squared_error(labels, predictions, weights,
                                         name=name or "root_mean_squared_error")
    value, update_op = math_ops.sqrt(mse), math_ops.sqrt(update_mse)  # TF's names: Sqrt, Sqrt_1
    _add_to_collections(metrics_collections, value)
    _add_to_collections(updates_collections, update_op)
    return value, update_op


# --- counts of a condition: true/false positives/negatives, precision, recall ---------------
def _as_bool_pair(labels, predictions):
    labels, predictions = convert_to_tensor(labels), convert_to_tensor(predictions)
    labels, predictions = _squeeze_to_match(labels, predictions)
    return (array.cast(labels, dtypes.bool), array.cast(predictions, dtypes.bool))


def _count(condition, weights, metrics_collections, updates_collections):
    """A running (weighted) count of the elements where `condition` holds."""
    count = metric_variable([], dtypes.float32, name="count")
    hits = array.to_float(condition)
    if weights is not None:
        hits = hits * _float_weights(weights, hits)
    update_op = state_ops.assign_add(count._as_graph_element(), math_ops.reduce_sum(hits))
    value = array.identity(count.read_value(), name="value")
    _add_to_collections(metrics_collections, value)
    _add_to_collections(updates_collections, update_op)
    return value, update_op


def _condition_counter(label_is, prediction_is, default_name, doc):
    def metric(labels, predictions, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        with variable_scope(name, default_name, [predictions, labels]):
            labels, predictions = _as_bool_pair(labels, predictions)
            label_ok = labels if label_is else math_ops.logical_not(labels)
            prediction_ok = predictions if prediction_is else math_ops.logical_not(predictions)
            return _count(math_ops.logical_and(label_ok, prediction_ok), weights,
                          metrics_collections, updates_collections)
    metric.__name__, metric.__doc__ = default_name, doc
    return metric


true_positives = _condition_counter(True, True, "true_positives",
                                    "Running count of true labels predicted true.")
false_positives = _condition_counter(False, True, "false_positives",
                                     "Running count of false labels predicted true.")
true_negatives = _condition_counter(False, False, "true_negatives",
                                    "Running count of false labels predicted false.")
false_negatives = _condition_counter(True, False, "false_negatives",
                                     "Running count of true labels predicted false.")


def _ratio_of_counts(default_name, other, doc):
    """precision (tp / (tp + fp)) or recall (tp / (tp + fn))."""
    def metric(labels, predictions, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        with variable_scope(name, default_name, [predictions, labels]):
            tp, tp_update = true_positives(labels, predictions, weights)
            wrong, wrong_update = other(labels, predictions, weights)
            value = _safe_div(tp, tp + wrong, "value")
            update_op = _safe_div(tp_update, tp_update + wrong_update, "update_op")
        _add_to_collections(metrics_collections, value)
        _add_to_collections(updates_collections, update_op)
        return value, update_op
    metric.__name__, metric.__doc__ = default_name, doc
    return metric


precision = _ratio_of_counts("precision", false_positives,
                             "true positives / predicted positives: (precision, update_op).")
recall = _ratio_of_counts("recall", false_negatives,
                          "true positives / actual positives: (recall, update_op).")


# --- AUC -------------------------------------------------------------------------------------
def _thresholds(num_thresholds):
    """TF's evenly spaced thresholds, with the ends just outside [0, 1]."""
    inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return [0.0 - _AUC_EPSILON] + inner + [1.0 + _AUC_EPSILON]


def auc(labels, predictions, weights=None, num_thresholds=200, metrics_collections=None,
        updates_collections=None, curve="ROC", name=None, summation_method="trapezoidal",
        thresholds=None):
    """Area under the ROC or PR curve, from confusion counts at fixed thresholds (a Riemann
    sum, as TF computes it): (auc, update_op)."""
    if curve not in ("ROC", "PR"):
        raise ValueError(f"curve must be either ROC or PR, {curve} unknown")
    if summation_method not in ("trapezoidal", "minoring", "majoring"):
        raise ValueError(f"Invalid summation_method: {summation_method} (careful_interpolation "
                         f"is not supported by tensorweave)")
    with variable_scope(name, "auc", [labels, predictions]):
        points = _thresholds(num_thresholds) if thresholds is None else \
            [0.0 - _AUC_EPSILON] + list(thresholds) + [1.0 + _AUC_EPSILON]
        counts, updates = _confusion_at_thresholds(labels, predictions, points, weights)
        value = _area(counts, curve, summation_method, "value")
        update_op = _area(updates, curve, summation_method, "update_op")
    _add_to_collections(metrics_collections, value)
    _add_to_collections(updates_collections, update_op)
    return value, update_op


def _confusion_at_thresholds(labels, predictions, points, weights):
    """({tp, fn, tn, fp}: running counts per threshold, the same after an update)."""
    labels, predictions = _squeeze_to_match(convert_to_tensor(labels),
                                            convert_to_tensor(predictions))
    weight = None if weights is None else array.reshape(
        _float_weights(weights, predictions), [-1, 1])
    predictions = array.reshape(array.to_float(predictions), [-1, 1])
    labels = array.reshape(array.cast(labels, dtypes.bool), [-1, 1])
    above = math_ops.greater(predictions, np.array([points], dtype=np.float32))
    below = math_ops.logical_not(above)
    values, updates = {}, {}
    for key, label, prediction in (("tp", labels, above),
                                   ("fn", labels, below),
                                   ("tn", math_ops.logical_not(labels), below),
                                   ("fp", math_ops.logical_not(labels), above)):
        hits = array.to_float(math_ops.logical_and(label, prediction))
        if weight is not None:
            hits = hits * weight
        variable = metric_variable([len(points)], dtypes.float32, name=_NAMES[key])
        updates[key] = state_ops.assign_add(variable._as_graph_element(),
                                            math_ops.reduce_sum(hits, 0))
        values[key] = variable.read_value()
    return values, updates


_NAMES = {"tp": "true_positives", "fn": "false_negatives", "tn": "true_negatives",
          "fp": "false_positives"}


def _area(c, curve, summation_method, name):
    n = c["tp"].shape[0].value
    rec = math_ops.truediv(c["tp"] + _AUC_EPSILON, c["tp"] + c["fn"] + _AUC_EPSILON)
    if curve == "ROC":
        x = math_ops.truediv(c["fp"], c["fp"] + c["tn"] + _AUC_EPSILON)
        y = rec
    else:
        x = rec
        y = math_ops.truediv(c["tp"] + _AUC_EPSILON, c["tp"] + c["fp"] + _AUC_EPSILON)
    widths = x[:n - 1] - x[1:]
    if summation_method == "trapezoidal":
        heights = (y[:n - 1] + y[1:]) / 2.0
    elif summation_method == "minoring":
        heights = math_ops.minimum(y[:n - 1], y[1:])
    else:
        heights = math_ops.maximum(y[:n - 1], y[1:])
    return math_ops.reduce_sum(widths * heights, name=name)


# --- mean IoU --------------------------------------------------------------------------------
def mean_iou(labels, predictions, num_classes, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """The mean over classes of intersection / union, from a running confusion matrix:
    (mean_iou, update_op). update_op returns the confusion matrix (as TF's does); classes
    that never occur are left out of the mean."""
    with variable_scope(name, "mean_iou", [predictions, labels]):
        labels = array.cast(array.reshape(convert_to_tensor(labels), [-1]),
                               dtypes.int64)
        predictions = array.cast(array.reshape(convert_to_tensor(predictions), [-1]),
                                    dtypes.int64)
        total = metric_variable([num_classes, num_classes], dtypes.float64,
                                name="total_confusion_matrix")
        cells = labels * num_classes + predictions
        counts = array.ones_like(cells, dtype=dtypes.float64) if weights is None else \
            array.cast(array.reshape(convert_to_tensor(weights), [-1]), dtypes.float64)
        batch = array.reshape(array.unsorted_segment_sum(counts, cells,
                                                                 num_classes * num_classes),
                                  [num_classes, num_classes])
        update_op = state_ops.assign_add(total._as_graph_element(), batch, name="update_op")
        value = _mean_iou_of(total.read_value(), num_classes, "mean_iou")
    _add_to_collections(metrics_collections, value)
    _add_to_collections(updates_collections, update_op)
    return value, update_op


def _mean_iou_of(matrix, num_classes, name):
    matrix = array.to_float(matrix)
    diagonal = array.gather(array.reshape(matrix, [-1]),
                                np.arange(num_classes, dtype=np.int32) * (num_classes + 1))
    union = math_ops.reduce_sum(matrix, 0) + math_ops.reduce_sum(matrix, 1) - diagonal
    present = math_ops.reduce_sum(array.to_float(math_ops.not_equal(union, 0)))
    iou = _safe_div(diagonal, union, None)
    return _safe_div(math_ops.reduce_sum(iou), present, name)
