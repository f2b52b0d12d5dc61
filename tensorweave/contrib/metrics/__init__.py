"""tf.contrib.metrics (slim.metrics): the streaming_* metrics (predictions first), built on
tf.metrics, and helpers aggregating (value, update_op) pairs.

    names_to_values, names_to_updates = slim.metrics.aggregate_metric_map({
        "accuracy": slim.metrics.streaming_accuracy(predictions, labels),
        "recall": slim.metrics.streaming_recall(predictions, labels)})
"""
from tensorweave import metrics as metrics_lib
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.ops import array, math_ops

__all__ = ["accuracy", "aggregate_metric_map", "aggregate_metrics", "streaming_accuracy",
           "streaming_auc", "streaming_false_negatives", "streaming_false_positives",
           "streaming_mean", "streaming_mean_absolute_error", "streaming_mean_iou",
           "streaming_mean_squared_error", "streaming_precision", "streaming_recall",
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
