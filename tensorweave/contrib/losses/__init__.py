"""tf.contrib.losses (TF-slim's slim.losses): the pre-tf.losses loss functions, predictions or
logits first, with contrib's weighting.

Weights of shape [batch] (or [batch, 1]) scale each example's summed loss; the result is the
weighted sum divided by the number of present (nonzero-weight) elements, added to LOSSES.
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.contrib.losses import metric_learning  # noqa: F401
from tensorweave.contrib.losses.metric_learning import (  # noqa: F401
    contrastive_loss, lifted_struct_loss, npairs_loss, triplet_semihard_loss)
from tensorweave.losses import add_loss, get_losses, get_regularization_losses
from tensorweave.ops import array, math_ops, nn_ops

__all__ = ["absolute_difference", "add_loss", "compute_weighted_loss", "cosine_distance",
           "get_losses", "get_regularization_losses", "get_total_loss", "hinge_loss",
           "log_loss", "mean_pairwise_squared_error", "mean_squared_error",
           "sigmoid_cross_entropy", "softmax_cross_entropy", "sparse_softmax_cross_entropy"]


def _safe_div(numerator, denominator, name="value"):
    """numerator / denominator where denominator > 0, else 0."""
    safe = array.where(math_ops.equal(denominator, 0), array.ones_like(denominator),
                       denominator)
    return array.where(math_ops.greater(denominator, 0), math_ops.div(numerator, safe),
                       array.zeros_like(numerator), name=name)


def _scale_losses(losses, weights):
    """sum(losses summed over the axes weights lacks, times weights)."""
    start = max(0, weights.shape.ndims)
    reduced = math_ops.reduce_sum(losses, axis=list(range(start, losses.shape.ndims)))
    return math_ops.reduce_sum(math_ops.multiply(reduced, weights))


def _num_present(losses, weights, per_batch=False):
    """The number of elements of `losses` with a nonzero weight (per example if per_batch)."""
    if weights.shape.ndims == 0:
        batch_size = array.reshape(array.shape(losses)[:1], [])
        per_example = math_ops.div(array.cast(array.size(losses), dtypes.float32),
                                   array.cast(batch_size, dtypes.float32))
        per_example = array.where(math_ops.equal(weights, 0), 0.0, per_example)
        per_example = math_ops.multiply(array.ones(array.reshape(batch_size, [1])),
                                        per_example)
        return per_example if per_batch else math_ops.reduce_sum(per_example)
    nonzero = math_ops.reduce_sum(array.cast(math_ops.not_equal(weights, 0), dtypes.float32),
                                  axis=list(range(1, weights.shape.ndims)))
    broadcast_dims = array.shape(losses)[weights.shape.ndims:]
    to_broadcast = array.cast(math_ops.reduce_prod(broadcast_dims), dtypes.float32)
    per_example = math_ops.multiply(nonzero, to_broadcast)
    return per_example if per_batch else math_ops.reduce_sum(per_example)


def get_total_loss(add_regularization_losses=True, name="total_loss"):
    """The sum of the LOSSES (and the regularization losses)."""
    losses = get_losses()
    if add_regularization_losses:
        losses += get_regularization_losses()
    return math_ops.add_n(losses, name=name)


def compute_weighted_loss(losses, weights=1.0, scope=None):
    """The weighted mean of `losses` over the present elements, added to LOSSES."""
    with name_scope(scope, "weighted_loss", [losses, weights]):
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype
        losses = array.cast(losses, dtypes.float32)
        weights = array.cast(convert_to_tensor(weights), dtypes.float32)
        if losses.shape.ndims is None:
            raise ValueError("losses.get_shape() cannot be None")
        if weights.shape.ndims is None:
            raise ValueError("weights.get_shape() cannot be None")
        if weights.shape.ndims > 1 and weights.shape[-1].is_compatible_with(1):
            weights = array.squeeze(weights, [-1])
        total = _scale_losses(losses, weights)
        mean_loss = _safe_div(math_ops.reduce_sum(total), _num_present(losses, weights))
        mean_loss = array.cast(mean_loss, input_dtype)
        add_loss(mean_loss)
        return mean_loss


def _pair(predictions, labels):
    predictions, labels = convert_to_tensor(predictions), convert_to_tensor(labels)
    predictions.shape.assert_is_compatible_with(labels.shape)
    return array.cast(predictions, dtypes.float32), array.cast(labels, dtypes.float32)


def absolute_difference(predictions, labels=None, weights=1.0, scope=None):
    """Weighted mean of |predictions - labels|."""
    with name_scope(scope, "absolute_difference", [predictions, labels, weights]) as scope:
        predictions, labels = _pair(predictions, labels)
        return compute_weighted_loss(math_ops.abs(predictions - labels), weights, scope=scope)


def mean_squared_error(predictions, labels=None, weights=1.0, scope=None):
    """Weighted mean of (predictions - labels) ** 2."""
    with name_scope(scope, "mean_squared_error", [predictions, labels, weights]) as scope:
        predictions, labels = _pair(predictions, labels)
        return compute_weighted_loss(math_ops.squared_difference(predictions, labels), weights,
                                     scope=scope)


def log_loss(predictions, labels=None, weights=1.0, epsilon=1e-7, scope=None):
    """Weighted mean of -labels log(p + eps) - (1 - labels) log(1 - p + eps)."""
    with name_scope(scope, "log_loss", [predictions, labels, weights]) as scope:
        predictions, labels = _pair(predictions, labels)
        losses = -math_ops.multiply(labels, math_ops.log(predictions + epsilon)) - \
            math_ops.multiply(1 - labels, math_ops.log(1 - predictions + epsilon))
        return compute_weighted_loss(losses, weights, scope=scope)


def hinge_loss(logits, labels=None, scope=None):
    """The elementwise hinge losses max(0, 1 - (2 labels - 1) logits) (not reduced)."""
    with name_scope(scope, "hinge_loss", [logits, labels]):
        logits, labels = convert_to_tensor(logits), convert_to_tensor(labels)
        logits.shape.assert_is_compatible_with(labels.shape)
        labels = array.cast(labels, dtypes.float32)
        all_ones = array.ones_like(labels)
        labels = math_ops.subtract(2 * labels, all_ones)
        return nn_ops.relu(math_ops.subtract(all_ones, math_ops.multiply(labels, logits)))


def cosine_distance(predictions, labels=None, axis=None, weights=1.0, scope=None, dim=None):
    """Weighted mean of 1 - sum(predictions * labels, axis) (inputs already unit-normalized)."""
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    if axis is None:
        raise ValueError("`axis` cannot be None.")
    with name_scope(scope, "cosine_distance_loss", [predictions, labels, weights]) as scope:
        predictions, labels = _pair(predictions, labels)
        losses = 1 - math_ops.reduce_sum(math_ops.multiply(predictions, labels), axis=[axis])
        return compute_weighted_loss(losses, weights, scope=scope)


def sigmoid_cross_entropy(logits, multi_class_labels, weights=1.0, label_smoothing=0,
                          scope=None):
    """Weighted mean of sigmoid cross entropies (labels smoothed toward 1/2)."""
    with name_scope(scope, "sigmoid_cross_entropy_loss",
                    [logits, multi_class_labels, weights]) as scope:
        logits = convert_to_tensor(logits)
        multi_class_labels = convert_to_tensor(multi_class_labels)
        logits.shape.assert_is_compatible_with(multi_class_labels.shape)
        labels = array.cast(multi_class_labels, logits.dtype)
        if label_smoothing > 0:
            labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
        losses = nn_ops.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                                          name="xentropy")
        return compute_weighted_loss(losses, weights, scope=scope)


def softmax_cross_entropy(logits, onehot_labels, weights=1.0, label_smoothing=0, scope=None):
    """Weighted mean of softmax cross entropies (labels smoothed toward 1/num_classes)."""
    with name_scope(scope, "softmax_cross_entropy_loss",
                    [logits, onehot_labels, weights]) as scope:
        logits, onehot_labels = convert_to_tensor(logits), convert_to_tensor(onehot_labels)
        logits.shape.assert_is_compatible_with(onehot_labels.shape)
        labels = array.cast(onehot_labels, logits.dtype)
        if label_smoothing > 0:
            num_classes = array.cast(array.shape(labels)[1], logits.dtype)
            labels = labels * (1.0 - label_smoothing) + label_smoothing / num_classes
        losses = nn_ops.softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                          name="xentropy")
        return compute_weighted_loss(losses, weights, scope=scope)


def sparse_softmax_cross_entropy(logits, labels, weights=1.0, scope=None):
    """Weighted mean of softmax cross entropies against integer class labels."""
    with name_scope(scope, "sparse_softmax_cross_entropy_loss",
                    [logits, labels, weights]) as scope:
        labels = convert_to_tensor(labels)
        labels = array.reshape(labels, array.shape(labels)[:1])
        losses = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                                 name="xentropy")
        return compute_weighted_loss(losses, weights, scope=scope)


def mean_pairwise_squared_error(predictions, labels=None, weights=1.0, scope=None):
    """Weighted mean over examples of the mean squared difference between all pairs of
    elements of (predictions - labels) (contrib's formula: 2 E[d^2] - 2 E[d]^2)."""
    with name_scope(scope, "mean_pairwise_squared_error", [predictions, labels, weights]):
        predictions, labels = _pair(predictions, labels)
        weights = array.cast(convert_to_tensor(weights), dtypes.float32)
        diffs = math_ops.subtract(predictions, labels)
        if diffs.shape.ndims is None:
            raise ValueError("diffs.get_shape().ndims cannot be None")
        if weights.shape.ndims is None:
            raise ValueError("weights.get_shape().ndims cannot be None")
        axes = list(range(1, diffs.shape.ndims))
        present = _num_present(diffs, weights, per_batch=True)
        term1 = 2.0 * _safe_div(math_ops.reduce_sum(math_ops.square(diffs), axis=axes),
                                present)
        sum_diff = math_ops.reduce_sum(diffs, axis=axes)
        term2 = 2.0 * _safe_div(math_ops.square(sum_diff), math_ops.square(present))
        loss = _scale_losses(term1 - term2, weights)
        mean_loss = array.where(math_ops.reduce_sum(present) > 0, loss, array.zeros_like(loss),
                                name="value")
        add_loss(mean_loss)
        return mean_loss
