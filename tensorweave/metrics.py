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
from tensorweave.core.graph import GraphKeys, get_default_graph, name_scope
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.ops import (array, counting_ops, math_ops, nn_ops, set_ops, sparse_array_ops,
                             sparse_ops, special_math, state_ops)
from tensorweave.variable_scope import variable_scope
from tensorweave.variables import Variable

_AUC_EPSILON = 1e-7  # threshold ends and the ratios at thresholds
_AUC_DIVISION_EPSILON = 1.0e-6  # TF's auc divides its rates with this one


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
        update_total = state_ops.assign_add(total,
                                            math_ops.reduce_sum(values))
        # as TF's: the count waits for the values, so a batch whose input fails (the end of
        # an evaluation's data) counts nothing even when its count is known in advance
        with get_default_graph().control_dependencies([values]):
            update_count = state_ops.assign_add(count, batch_count)
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
    update_op = state_ops.assign_add(count, math_ops.reduce_sum(hits))
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


def _confusion_at_thresholds(labels, predictions, points, weights, includes=None):
    """({key: running counts per threshold}, {key: the same after an update}) for the keys of
    `includes` (default all of 'tp', 'fn', 'tn', 'fp'): a prediction above a threshold is a
    positive there."""
    includes = ("tp", "fn", "tn", "fp") if includes is None else tuple(includes)
    for key in includes:
        if key not in _NAMES:
            raise ValueError(f"Invalid key: {key}")
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
        if key not in includes:
            continue
        hits = array.to_float(math_ops.logical_and(label, prediction))
        if weight is not None:
            hits = hits * weight
        variable = metric_variable([len(points)], dtypes.float32, name=_NAMES[key])
        updates[key] = state_ops.assign_add(variable, math_ops.reduce_sum(hits, 0))
        values[key] = variable.read_value()
    return values, updates


_NAMES = {"tp": "true_positives", "fn": "false_negatives", "tn": "true_negatives",
          "fp": "false_positives"}


def _area(c, curve, summation_method, name):
    n = c["tp"].shape[0].value
    eps = _AUC_DIVISION_EPSILON
    rec = math_ops.truediv(c["tp"] + eps, c["tp"] + c["fn"] + eps)
    if curve == "ROC":
        x = math_ops.truediv(c["fp"], c["fp"] + c["tn"] + eps)
        y = rec
    else:
        x = rec
        y = math_ops.truediv(c["tp"] + eps, c["tp"] + c["fp"] + eps)
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
        update_op = state_ops.assign_add(total, batch, name="update_op")
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


# --- more means ----------------------------------------------------------------------------
def mean_tensor(values, weights=None, metrics_collections=None, updates_collections=None,
                name=None):
    """The elementwise (weighted) mean of every `values` tensor seen: (mean, update_op), both
    shaped like `values`."""
    with variable_scope(name, "mean", [values, weights]):
        values = array.cast(convert_to_tensor(values), dtypes.float32)
        total = metric_variable(values.shape, dtypes.float32, name="total_tensor")
        count = metric_variable(values.shape, dtypes.float32, name="count_tensor")
        num_values = array.ones_like(values)
        if weights is not None:
            weights = _float_weights(weights, values)
            values = math_ops.multiply(values, weights)
            num_values = math_ops.multiply(num_values, weights)
        update_total = state_ops.assign_add(total, values)
        with get_default_graph().control_dependencies([values]):
            update_count = state_ops.assign_add(count, num_values)
        value = special_math.div_no_nan(total.read_value(),
                                        math_ops.maximum(count.read_value(), 0), name="value")
        update_op = special_math.div_no_nan(update_total, math_ops.maximum(update_count, 0),
                                            name="update_op")
    _add_to_collections(metrics_collections, value)
    _add_to_collections(updates_collections, update_op)
    return value, update_op


def percentage_below(values, threshold, weights=None, metrics_collections=None,
                     updates_collections=None, name=None):
    """The (weighted) fraction of `values` below `threshold`: (percentage, update_op)."""
    below = array.to_float(math_ops.less(convert_to_tensor(values), threshold))
    return mean(below, weights, metrics_collections, updates_collections,
                name or "percentage_below_threshold")


def mean_relative_error(labels, predictions, normalizer, weights=None, metrics_collections=None,
                        updates_collections=None, name=None):
    """The mean of |labels - predictions| / normalizer (0 where the normalizer is 0):
    (mean_relative_error, update_op)."""
    predictions = convert_to_tensor(predictions)
    labels = array.cast(convert_to_tensor(labels), predictions.dtype)
    labels, predictions = _squeeze_to_match(labels, predictions)
    normalizer = array.cast(convert_to_tensor(normalizer), predictions.dtype)
    if not predictions.shape.is_compatible_with(normalizer.shape):
        raise ValueError(f"Shapes {predictions.shape} and {normalizer.shape} are incompatible")
    relative = array.where(math_ops.equal(normalizer, 0.0), array.zeros_like(labels),
                           math_ops.divide(math_ops.abs(labels - predictions), normalizer))
    return mean(relative, weights, metrics_collections, updates_collections,
                name or "mean_relative_error")


def mean_cosine_distance(labels, predictions, dim, weights=None, metrics_collections=None,
                         updates_collections=None, name=None):
    """1 - the mean of sum(labels * predictions) along `dim` (unit vectors assumed):
    (mean_distance, update_op); weights must have size 1 along `dim`."""
    labels, predictions = _squeeze_to_match(convert_to_tensor(labels),
                                            convert_to_tensor(predictions))
    products = math_ops.reduce_sum(math_ops.multiply(predictions, labels), axis=[dim],
                                   keepdims=True)
    mean_product, update_product = mean(products, weights, None, None,
                                        name or "mean_cosine_distance")
    value = math_ops.subtract(1.0, mean_product)
    update_op = math_ops.subtract(1.0, update_product)
    _add_to_collections(metrics_collections, value)
    _add_to_collections(updates_collections, update_op)
    return value, update_op


def mean_per_class_accuracy(labels, predictions, num_classes, weights=None,
                            metrics_collections=None, updates_collections=None, name=None):
    """The mean over all `num_classes` classes of each class's (weighted) accuracy:
    (mean_accuracy, update_op); update_op returns the per-class accuracies, as TF's does."""
    with variable_scope(name, "mean_accuracy", [predictions, labels, weights]):
        labels = array.reshape(array.cast(convert_to_tensor(labels), dtypes.int64), [-1])
        predictions = array.reshape(convert_to_tensor(predictions), [-1])
        if not predictions.shape.is_compatible_with(labels.shape):
            raise ValueError(f"Shapes {predictions.shape} and {labels.shape} are "
                             "incompatible")
        total = metric_variable([num_classes], dtypes.float32, name="total")
        count = metric_variable([num_classes], dtypes.float32, name="count")
        ones = array.ones_like(labels, dtype=dtypes.float32)
        is_correct = array.to_float(math_ops.equal(array.cast(predictions, dtypes.int64),
                                                   labels))
        if weights is not None:
            weights = array.reshape(array.cast(convert_to_tensor(weights), dtypes.float32),
                                    [-1])
            is_correct = is_correct * weights
            ones = ones * weights
        update_total = state_ops.scatter_add(total, labels, ones)
        update_count = state_ops.scatter_add(count, labels, is_correct)
        per_class = special_math.div_no_nan(count.read_value(),
                                            math_ops.maximum(total.read_value(), 0))
        value = math_ops.reduce_mean(per_class, name="mean_accuracy")
        update_op = special_math.div_no_nan(update_count, math_ops.maximum(update_total, 0),
                                            name="update_op")
    _add_to_collections(metrics_collections, value)
    _add_to_collections(updates_collections, update_op)
    return value, update_op


# --- counts and ratios at thresholds ---------------------------------------------------------
def _count_at_thresholds(key, default_name, doc):
    def metric(labels, predictions, thresholds, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        with variable_scope(name, default_name, [predictions, labels, weights]):
            values, updates = _confusion_at_thresholds(labels, predictions, list(thresholds),
                                                       weights, includes=(key,))
        _add_to_collections(metrics_collections, values[key])
        _add_to_collections(updates_collections, updates[key])
        return values[key], updates[key]
    metric.__name__, metric.__doc__ = f"{default_name}_at_thresholds", doc
    return metric


true_positives_at_thresholds = _count_at_thresholds(
    "tp", "true_positives", "Running (weighted) counts of true labels predicted above each "
    "threshold: (tp, update_op), both [len(thresholds)].")
false_negatives_at_thresholds = _count_at_thresholds(
    "fn", "false_negatives", "Running counts of true labels predicted at most each threshold.")
true_negatives_at_thresholds = _count_at_thresholds(
    "tn", "true_negatives", "Running counts of false labels predicted at most each threshold.")
false_positives_at_thresholds = _count_at_thresholds(
    "fp", "false_positives", "Running counts of false labels predicted above each threshold.")


def _ratio_at_thresholds(default_name, other, short_name, doc):
    """tp / (epsilon + tp + other) per threshold (precision: other fp; recall: fn)."""
    def metric(labels, predictions, thresholds, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        with variable_scope(name, default_name, [predictions, labels, weights]):
            values, updates = _confusion_at_thresholds(labels, predictions, list(thresholds),
                                                       weights, includes=("tp", other))

            def ratio(counts, suffix):
                return math_ops.divide(counts["tp"], _AUC_EPSILON + counts["tp"] +
                                       counts[other], name=f"{short_name}_{suffix}")
            value, update_op = ratio(values, "value"), ratio(updates, "update_op")
        _add_to_collections(metrics_collections, value)
        _add_to_collections(updates_collections, update_op)
        return value, update_op
    metric.__name__, metric.__doc__ = default_name, doc
    return metric


precision_at_thresholds = _ratio_at_thresholds(
    "precision_at_thresholds", "fp", "precision",
    "tp / (tp + fp) at each threshold: (precision, update_op), both [len(thresholds)].")
recall_at_thresholds = _ratio_at_thresholds(
    "recall_at_thresholds", "fn", "recall",
    "tp / (tp + fn) at each threshold: (recall, update_op), both [len(thresholds)].")


def _rate_at_other_rate(labels, predictions, target, weights, num_thresholds, last, pick,
                        metrics_collections, updates_collections):
    """The running rate that `pick` reads off the confusion counts at `num_thresholds`
    thresholds (the last one `last`): (value, update_op)."""
    inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    points = [0.0 - _AUC_EPSILON] + inner + [last]
    values, updates = _confusion_at_thresholds(labels, predictions, points, weights)
    value, update_op = pick(values, target, "value"), pick(updates, target, "update_op")
    _add_to_collections(metrics_collections, value)
    _add_to_collections(updates_collections, update_op)
    return value, update_op


def _sensitivity_where_specificity_nearest(c, specificity, name):
    specificities = math_ops.divide(c["tn"], c["tn"] + c["fp"] + _AUC_EPSILON)
    index = array.cast(math_ops.argmin(math_ops.abs(specificities - specificity), 0),
                       dtypes.int32)
    return math_ops.divide(c["tp"][index], c["tp"][index] + c["fn"][index] + _AUC_EPSILON,
                           name=name)


def _specificity_where_sensitivity_nearest(c, sensitivity, name):
    distance = math_ops.abs(math_ops.divide(c["tp"], c["tp"] + c["fn"] + _AUC_EPSILON) -
                            sensitivity)
    nearest = array.cast(math_ops.equal(distance, math_ops.reduce_min(distance)),
                         dtypes.int64)
    # The last threshold among the nearest: argmax of the running count of them.
    index = array.cast(math_ops.argmax(counting_ops.cumsum(nearest), 0), dtypes.int32)
    return math_ops.divide(c["tn"][index], c["tn"][index] + c["fp"][index] + _AUC_EPSILON,
                           name=name)


def sensitivity_at_specificity(labels, predictions, specificity, weights=None,
                               num_thresholds=200, metrics_collections=None,
                               updates_collections=None, name=None):
    """The sensitivity (recall) at the threshold whose specificity is nearest `specificity`:
    (sensitivity, update_op)."""
    if specificity < 0 or specificity > 1:
        raise ValueError(f"`specificity` must be in the range [0, 1]. Currently, "
                         f"`specificity` got {specificity}.")
    with variable_scope(name, "sensitivity_at_specificity", [predictions, labels, weights]):
        return _rate_at_other_rate(labels, predictions, specificity, weights, num_thresholds,
                                   1.0 + _AUC_EPSILON, _sensitivity_where_specificity_nearest,
                                   metrics_collections, updates_collections)


def specificity_at_sensitivity(labels, predictions, sensitivity, weights=None,
                               num_thresholds=200, metrics_collections=None,
                               updates_collections=None, name=None):
    """The specificity at the (last) threshold whose sensitivity is nearest `sensitivity`:
    (specificity, update_op)."""
    if sensitivity < 0 or sensitivity > 1:
        raise ValueError(f"`sensitivity` must be in the range [0, 1]. Currently, "
                         f"`sensitivity` is {sensitivity}.")
    with variable_scope(name, "specificity_at_sensitivity", [predictions, labels, weights]):
        return _rate_at_other_rate(labels, predictions, sensitivity, weights, num_thresholds,
                                   1.0 - _AUC_EPSILON, _specificity_where_sensitivity_nearest,
                                   metrics_collections, updates_collections)


# --- top-k metrics on class ids ------------------------------------------------------------
def _at_k_name(name, k=None, class_id=None):
    name = f"{name}_at_{k}" if k is not None else f"{name}_at_k"
    return name if class_id is None else f"{name}_class{class_id}"


def _int64_ids(ids):
    """Class ids (a Tensor, array or SparseTensor) as int64."""
    if isinstance(ids, SparseTensor):
        return SparseTensor(ids.indices, array.cast(ids.values, dtypes.int64), ids.dense_shape)
    return array.cast(convert_to_tensor(ids), dtypes.int64)


def _expand_labels(labels, predictions):
    """`labels` with a trailing unit dimension when its rank is one less than that of
    `predictions` (ranks must be known)."""
    predictions_rank = predictions.shape.ndims
    if isinstance(labels, SparseTensor):
        labels_rank = labels.dense_shape.shape[0].value
    else:
        labels_rank = labels.shape.ndims
    if labels_rank is None or predictions_rank is None:
        raise ValueError("tensorweave's top-k metrics need labels and predictions of known "
                         "rank")
    if predictions_rank == labels_rank:
        return labels
    if predictions_rank != labels_rank + 1:
        raise ValueError(f"Unexpected labels shape for predictions shape {predictions.shape}. "
                         "Predictions rank should be the same rank as labels rank or labels "
                         "rank plus one .")
    with name_scope(None, "expand_labels", []) as scope:
        if isinstance(labels, SparseTensor):
            shape = array.concat([labels.dense_shape, np.array([1], np.int64)], 0)
            return sparse_array_ops.sparse_reshape(labels, shape, name=scope)
        return array.expand_dims(labels, -1, name=scope)


def _select_class_id(ids, class_id):
    """The sets of `ids` cut down to `class_id` (a SparseTensor)."""
    shape = ids.dense_shape if isinstance(ids, SparseTensor) else \
        array.shape(ids, out_type=dtypes.int64)
    filled = array.fill(array.concat([shape[:-1], np.array([1], np.int64)], 0),
                        np.int64(class_id))
    return set_ops.set_intersection(filled, ids)


def _set_counts(labels, predictions_idx, class_id, weights, kind):
    """Per-group (weighted, float64) sizes of predicted & labelled ('tp'), predicted but not
    labelled ('fp') or labelled but not predicted ('fn') ids."""
    if class_id is not None:
        labels = _select_class_id(labels, class_id)
        predictions_idx = _select_class_id(predictions_idx, class_id)
    if kind == "tp":
        found = set_ops.set_intersection(predictions_idx, labels)
    else:
        found = set_ops.set_difference(predictions_idx, labels, aminusb=kind == "fp")
    counts = array.cast(set_ops.set_size(found), dtypes.float64)
    if weights is not None:
        counts = math_ops.multiply(counts, array.cast(convert_to_tensor(weights),
                                                      dtypes.float64))
    return counts


_SET_COUNT_NAMES = {"tp": "true_positive", "fp": "false_positive", "fn": "false_negative"}


def _streaming_set_count(labels, predictions_idx, k, class_id, weights, kind):
    """A float64 running total of one kind of set count: (variable, update)."""
    with name_scope(None, _at_k_name(_SET_COUNT_NAMES[kind], k, class_id)) as scope:
        counts = _set_counts(labels, predictions_idx, class_id, weights, kind)
        variable = metric_variable([], dtypes.float64, name=scope)
        update = state_ops.assign_add(variable, math_ops.reduce_sum(counts), name="update")
        return variable.read_value(), update


def _top_k_ratio(kind, other, labels, predictions_idx, k, class_id, weights,
                 metrics_collections, updates_collections, name):
    """precision (other 'fp') or recall (other 'fn') of top-k class ids: tp / (tp + other)."""
    with name_scope(name, _at_k_name(kind, k, class_id), []) as scope:
        predictions_idx = array.cast(convert_to_tensor(predictions_idx), dtypes.int64)
        labels = _expand_labels(_int64_ids(labels), predictions_idx)
        tp, tp_update = _streaming_set_count(labels, predictions_idx, k, class_id, weights,
                                             "tp")
        wrong, wrong_update = _streaming_set_count(labels, predictions_idx, k, class_id,
                                                   weights, other)
        value = math_ops.divide(tp, math_ops.add(tp, wrong), name=scope)
        update_op = math_ops.divide(tp_update, math_ops.add(tp_update, wrong_update),
                                    name="update")
    _add_to_collections(metrics_collections, value)
    _add_to_collections(updates_collections, update_op)
    return value, update_op


def precision_at_top_k(labels, predictions_idx, k=None, class_id=None, weights=None,
                       metrics_collections=None, updates_collections=None, name=None):
    """How often the given top-k class ids are among the labels (float64):
    (precision, update_op); with class_id, only that class counts."""
    return _top_k_ratio("precision", "fp", labels, predictions_idx, k, class_id, weights,
                        metrics_collections, updates_collections, name)


def recall_at_top_k(labels, predictions_idx, k=None, class_id=None, weights=None,
                    metrics_collections=None, updates_collections=None, name=None):
    """How often the labels are among the given top-k class ids (float64):
    (recall, update_op); labels out of range always count as missed."""
    return _top_k_ratio("recall", "fn", labels, predictions_idx, k, class_id, weights,
                        metrics_collections, updates_collections, name)


def precision_at_k(labels, predictions, k, class_id=None, weights=None,
                   metrics_collections=None, updates_collections=None, name=None):
    """precision_at_top_k of the k highest `predictions`."""
    with name_scope(name, _at_k_name("precision", k, class_id), [predictions]) as scope:
        _, top_k_idx = nn_ops.top_k(predictions, k)
        return precision_at_top_k(labels, top_k_idx, k, class_id, weights,
                                  metrics_collections, updates_collections, scope)


def recall_at_k(labels, predictions, k, class_id=None, weights=None, metrics_collections=None,
                updates_collections=None, name=None):
    """recall_at_top_k of the k highest `predictions`."""
    with name_scope(name, _at_k_name("recall", k, class_id), [predictions]) as scope:
        _, top_k_idx = nn_ops.top_k(predictions, k)
        return recall_at_top_k(labels, top_k_idx, k, class_id, weights, metrics_collections,
                               updates_collections, scope)


sparse_precision_at_k = precision_at_k  # TF's deprecated name


def _dense_ids(labels):
    """Dense labels, or a SparseTensor's values padded with -1 (no class)."""
    if isinstance(labels, SparseTensor):
        return sparse_ops.sparse_tensor_to_dense(labels, default_value=-1)
    return labels


def _average_precision(labels, predictions_idx):
    """Per-row average precision of the top-k ids `predictions_idx` (float64): the sum of
    precision@i over the ranks i holding a label, over min(#labels, k)."""
    with name_scope(None, "average_precision", []) as scope:
        k = predictions_idx.shape[-1].value if predictions_idx.shape.ndims else None
        if k is None:
            raise ValueError("The last dimension of predictions_idx must be set. Currently, "
                             "it is None.")
        labels = _expand_labels(labels, predictions_idx)
        dense = _dense_ids(labels)
        hits = math_ops.equal(array.expand_dims(predictions_idx, -1),
                              array.expand_dims(dense, -2))
        relevant = array.cast(math_ops.reduce_any(hits, -1), dtypes.float64)
        tp_per_k = counting_ops.cumsum(relevant, axis=-1)
        retrieved_per_k = counting_ops.cumsum(array.ones_like(relevant), axis=-1)
        precision_sum = math_ops.reduce_sum(
            math_ops.divide(tp_per_k, retrieved_per_k) * relevant, axis=[-1])
        if isinstance(labels, SparseTensor):
            num_labels = set_ops.set_size(labels)
        else:
            num_labels = math_ops.reduce_sum(array.cast(math_ops.greater_equal(labels, 0),
                                                        dtypes.int64), axis=-1)
        num_relevant = array.cast(math_ops.minimum(array.cast(num_labels, dtypes.int64), k),
                                  dtypes.float64)
        return math_ops.divide(precision_sum, num_relevant, name=scope)


def _clean_out_of_range(labels, num_classes):
    """Labels >= num_classes replaced by -1 (no class). Like TF, it first checks whether the
    largest label is out of range (TF's op names, such as the variable `max_1`, follow)."""
    values = labels.values if isinstance(labels, SparseTensor) else labels
    any_out = math_ops.greater_equal(math_ops.reduce_max(values), num_classes)
    out = math_ops.logical_and(any_out, math_ops.greater_equal(values, num_classes))
    values = array.where(out, -1 * array.ones_like(values), values)
    if isinstance(labels, SparseTensor):
        return SparseTensor(labels.indices, values, labels.dense_shape)
    return values


def average_precision_at_k(labels, predictions, k, weights=None, metrics_collections=None,
                           updates_collections=None, name=None):
    """The (weighted) mean over rows of the average precision of the k highest
    `predictions` against the label ids: (mean_average_precision, update_op), float64."""
    if k < 1:
        raise ValueError(f"Invalid k={k}. `k` should be >= 1.")
    with name_scope(name, _at_k_name("average_precision", k), [predictions]) as scope:
        predictions = convert_to_tensor(predictions)
        _, predictions_idx = nn_ops.top_k(predictions, k)
        labels = _clean_out_of_range(_int64_ids(labels),
                                     array.cast(array.shape(predictions)[-1], dtypes.int64))
        with name_scope(scope):
            average = _average_precision(labels, array.cast(predictions_idx, dtypes.int64))
            if weights is not None:
                weights = array.cast(convert_to_tensor(weights), dtypes.float64) * \
                    array.ones_like(average)
                average = math_ops.multiply(average, weights)
            with name_scope(None, "max", []) as max_scope:
                max_var = metric_variable([], dtypes.float64, name=max_scope)
                batch_max = array.cast(array.size(average), dtypes.float64) \
                    if weights is None else math_ops.reduce_sum(weights, name="batch_max")
                max_update = state_ops.assign_add(max_var, batch_max, name="update")
            with name_scope(None, "total", []) as total_scope:
                total_var = metric_variable([], dtypes.float64, name=total_scope)
                batch_total = math_ops.reduce_sum(average, name="batch_total")
                total_update = state_ops.assign_add(total_var, batch_total, name="update")
            value = special_math.div_no_nan(total_var.read_value(), max_var.read_value(),
                                            name="mean")
            update_op = special_math.div_no_nan(total_update, max_update, name=scope)
    _add_to_collections(metrics_collections, value)
    _add_to_collections(updates_collections, update_op)
    return value, update_op


sparse_average_precision_at_k = average_precision_at_k  # TF's deprecated name
