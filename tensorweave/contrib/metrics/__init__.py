"""tf.contrib.metrics (slim.metrics): the streaming_* metrics (predictions first), built on
tf.metrics, and helpers aggregating (value, update_op) pairs.

    names_to_values, names_to_updates = slim.metrics.aggregate_metric_map({
        "accuracy": slim.metrics.streaming_accuracy(predictions, labels),
        "recall": slim.metrics.streaming_recall(predictions, labels)})
"""
from tensorweave import metrics as metrics_lib
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import get_default_graph, name_scope
from tensorweave.ops import array, math_ops
from tensorweave.variable_scope import variable_scope

__all__ = ["accuracy", "aggregate_metric_map", "aggregate_metrics", "streaming_accuracy",
           "streaming_auc", "streaming_covariance", "streaming_false_negatives", "streaming_false_positives",
           "streaming_mean", "streaming_mean_absolute_error", "streaming_mean_iou",
           "streaming_mean_squared_error", "streaming_pearson_correlation",
           "streaming_precision", "streaming_recall",
           "streaming_root_mean_squared_error", "streaming_true_negatives",
           "streaming_true_positives"]


def streaming_mean(values, weights=None, metrics_collections=None, updates_collections=None,
                   name=None):
    """The running (weighted) mean of `values`: (mean, update_op)."""
    return metrics_lib.mean(values, weights=weights, metrics_collections=metrics_collections,
                            updates_collections=updates_collections, name=name)


def _predictions_first(tf_metric, doc):
    def metric(predictions, labels, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        return tf_metric(labels=labels, predictions=predictions, weights=weights,
                         metrics_collections=metrics_collections,
                         updates_collections=updates_collections, name=name)
    metric.__doc__ = doc
    return metric


streaming_accuracy = _predictions_first(
    metrics_lib.accuracy, "How often predictions equal labels: (accuracy, update_op).")
streaming_precision = _predictions_first(
    metrics_lib.precision, "true positives / predicted positives: (precision, update_op).")
streaming_recall = _predictions_first(
    metrics_lib.recall, "true positives / actual positives: (recall, update_op).")
streaming_true_positives = _predictions_first(metrics_lib.true_positives,
                                              "Running count of true positives.")
streaming_false_positives = _predictions_first(metrics_lib.false_positives,
                                               "Running count of false positives.")
streaming_true_negatives = _predictions_first(metrics_lib.true_negatives,
                                              "Running count of true negatives.")
streaming_false_negatives = _predictions_first(metrics_lib.false_negatives,
                                               "Running count of false negatives.")
streaming_mean_absolute_error = _predictions_first(
    metrics_lib.mean_absolute_error, "Running mean of |predictions - labels|.")
streaming_mean_squared_error = _predictions_first(
    metrics_lib.mean_squared_error, "Running mean of (predictions - labels) ** 2.")
streaming_root_mean_squared_error = _predictions_first(
    metrics_lib.root_mean_squared_error, "Square root of the running mean squared error.")
for _name, _metric in list(globals().items()):
    if _name.startswith("streaming_") and _name != "streaming_mean":
        _metric.__name__ = _name


def streaming_auc(predictions, labels, weights=None, num_thresholds=200,
                  metrics_collections=None, updates_collections=None, curve="ROC", name=None,
                  summation_method="trapezoidal"):
    """The running area under the ROC or PR curve: (auc, update_op)."""
    return metrics_lib.auc(labels=labels, predictions=predictions, weights=weights,
                           num_thresholds=num_thresholds,
                           metrics_collections=metrics_collections,
                           updates_collections=updates_collections, curve=curve, name=name,
                           summation_method=summation_method)


def streaming_mean_iou(predictions, labels, num_classes, weights=None, metrics_collections=None,
                       updates_collections=None, name=None):
    """The running mean intersection-over-union over classes: (mean_iou, update_op)."""
    return metrics_lib.mean_iou(labels=labels, predictions=predictions,
                                num_classes=num_classes, weights=weights,
                                metrics_collections=metrics_collections,
                                updates_collections=updates_collections, name=name)


def _div_no_nan(numerator, denominator):
    safe = array.where(math_ops.equal(denominator, 0), array.ones_like(denominator),
                       denominator)
    return array.where(math_ops.equal(denominator, 0), array.zeros_like(numerator),
                       math_ops.truediv(numerator, safe))


def _collect(metrics_collections, value, updates_collections, update_op):
    graph = get_default_graph()
    if metrics_collections:
        graph.add_to_collections(metrics_collections, value)
    if updates_collections:
        graph.add_to_collections(updates_collections, update_op)


def streaming_covariance(predictions, labels, weights=None, metrics_collections=None,
                         updates_collections=None, name=None):
    """The running unbiased (weighted) covariance of predictions and labels, NaN until two
    values were seen: (covariance, update_op). Batches merge by the pairwise co-moment
    update (Chan et al.), in local variables count, mean_prediction, mean_label, comoment."""
    with variable_scope(name, "covariance", (predictions, labels, weights)):
        predictions = array.cast(convert_to_tensor(predictions), dtypes.float32)
        labels = array.cast(convert_to_tensor(labels), dtypes.float32)
        predictions.shape.assert_is_compatible_with(labels.shape)
        count = metrics_lib.metric_variable([], dtypes.float32, name="count")
        mean_prediction = metrics_lib.metric_variable([], dtypes.float32,
                                                      name="mean_prediction")
        mean_label = metrics_lib.metric_variable([], dtypes.float32, name="mean_label")
        comoment = metrics_lib.metric_variable([], dtypes.float32, name="comoment")
        if weights is None:
            batch_count = array.cast(array.size(labels), dtypes.float32)
            weighted_predictions, weighted_labels = predictions, labels
        else:
            weights = array.cast(convert_to_tensor(weights), dtypes.float32) * \
                array.ones_like(labels)
            batch_count = math_ops.reduce_sum(weights)
            weighted_predictions = predictions * weights
            weighted_labels = labels * weights
        update_count = count.assign_add(batch_count)
        prev_count = update_count - batch_count
        batch_mean_prediction = _div_no_nan(math_ops.reduce_sum(weighted_predictions),
                                            batch_count)
        delta_mean_prediction = _div_no_nan(
            (batch_mean_prediction - mean_prediction) * batch_count, update_count)
        update_mean_prediction = mean_prediction.assign_add(delta_mean_prediction)
        prev_mean_prediction = update_mean_prediction - delta_mean_prediction
        batch_mean_label = _div_no_nan(math_ops.reduce_sum(weighted_labels), batch_count)
        delta_mean_label = _div_no_nan((batch_mean_label - mean_label) * batch_count,
                                       update_count)
        update_mean_label = mean_label.assign_add(delta_mean_label)
        prev_mean_label = update_mean_label - delta_mean_label
        coresiduals = (predictions - batch_mean_prediction) * (labels - batch_mean_label)
        if weights is not None:
            coresiduals = coresiduals * weights
        batch_comoment = math_ops.reduce_sum(coresiduals)
        delta_comoment = batch_comoment + (prev_mean_prediction - batch_mean_prediction) * \
            (prev_mean_label - batch_mean_label) * (prev_count * batch_count / update_count)
        update_comoment = comoment.assign_add(delta_comoment)
        nan = float("nan")
        covariance = array.where(math_ops.less_equal(count, 1.0), nan,
                                 math_ops.truediv(comoment, count - 1), name="covariance")
        with get_default_graph().control_dependencies([update_comoment]):
            update_op = array.where(math_ops.less_equal(count, 1.0), nan,
                                    math_ops.truediv(comoment, count - 1), name="update_op")
    _collect(metrics_collections, covariance, updates_collections, update_op)
    return covariance, update_op


def streaming_pearson_correlation(predictions, labels, weights=None, metrics_collections=None,
                                  updates_collections=None, name=None):
    """The running Pearson correlation of predictions and labels: cov / (sd_p sd_l), from
    three streaming_covariance metrics: (pearson_r, update_op)."""
    with variable_scope(name, "pearson_r", (predictions, labels, weights)):
        predictions, labels = convert_to_tensor(predictions), convert_to_tensor(labels)
        predictions.shape.assert_is_compatible_with(labels.shape)
        if weights is not None:
            weights = array.cast(convert_to_tensor(weights), dtypes.float32) * \
                array.ones_like(labels, dtype=dtypes.float32)
        cov, update_cov = streaming_covariance(predictions, labels, weights=weights,
                                               name="covariance")
        var_p, update_var_p = streaming_covariance(predictions, predictions, weights=weights,
                                                   name="variance_predictions")
        var_l, update_var_l = streaming_covariance(labels, labels, weights=weights,
                                                   name="variance_labels")
        pearson_r = math_ops.truediv(cov, math_ops.sqrt(var_p) * math_ops.sqrt(var_l),
                                     name="pearson_r")
        update_op = math_ops.truediv(update_cov, math_ops.sqrt(update_var_p) *
                                     math_ops.sqrt(update_var_l), name="update_op")
    _collect(metrics_collections, pearson_r, updates_collections, update_op)
    return pearson_r, update_op


def accuracy(predictions, labels, weights=None, name=None):
    """The (weighted) fraction of predictions equal to labels in this batch (not streaming)."""
    with name_scope(name, "accuracy", [predictions, labels]):
        predictions, labels = convert_to_tensor(predictions), convert_to_tensor(labels)
        predictions.shape.assert_is_compatible_with(labels.shape)
        if labels.dtype is not predictions.dtype:
            predictions = array.cast(predictions, labels.dtype)
        is_correct = array.cast(math_ops.equal(predictions, labels), dtypes.float32)
        if weights is not None:
            is_correct = math_ops.multiply(is_correct, weights)
            num_values = math_ops.multiply(weights, array.ones_like(is_correct))
            return math_ops.div(math_ops.reduce_sum(is_correct),
                                math_ops.reduce_sum(num_values))
        return math_ops.reduce_mean(is_correct)


def aggregate_metrics(*value_update_tuples):
    """([values], [update_ops]) from (value, update_op) pairs."""
    if not value_update_tuples:
        raise ValueError("Expected at least one value_tensor/update_op pair")
    values, updates = zip(*value_update_tuples)
    return list(values), list(updates)


def aggregate_metric_map(names_to_tuples):
    """({name: value}, {name: update_op}) from {name: (value, update_op)}."""
    names = list(names_to_tuples)
    values, updates = zip(*names_to_tuples.values())
    return dict(zip(names, values)), dict(zip(names, updates))
