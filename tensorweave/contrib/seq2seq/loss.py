"""tf.contrib.seq2seq: the sequence loss of TensorFlow 1.x's seq2seq library.

    loss = tf.contrib.seq2seq.sequence_loss(logits, targets, tf.ones_like(targets, tf.float32))
"""
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.ops import array, math_ops, nn_ops


def _rank(t):
    ndims = t.shape.ndims
    if ndims is None:
        raise ValueError(f"sequence_loss needs tensors of known rank, got {t.name} of unknown "
                         "rank")
    return ndims


def _divide_no_nan(total, count):
    """total / count, and 0 where count is 0 (gradients stay finite there too)."""
    positive = math_ops.greater(count, array.zeros_like(count))
    safe = array.where(positive, count, array.ones_like(count))
    return array.where(positive, total / safe, array.zeros_like(total))


def sequence_loss(logits, targets, weights, average_across_timesteps=True,
                  average_across_batch=True, sum_over_timesteps=False, sum_over_batch=False,
                  softmax_loss_function=None, name=None):
    """Weighted cross-entropy of `logits` [batch, time, classes] against integer `targets`
    [batch, time] (TF's tf.contrib.seq2seq.sequence_loss).

    Averaging divides the weighted sum by the sum of `weights` over the reduced dimensions;
    summing divides it by the count of non-zero weights there. Reducing over both gives a
    scalar, over one a vector, over neither the [batch, time] matrix; as in TF, when one
    dimension is averaged and the other summed, only the average is applied.
    `softmax_loss_function(labels=..., logits=...)` replaces the sparse softmax cross-entropy.
    """
    logits = convert_to_tensor(logits)
    targets = convert_to_tensor(targets)
    weights = convert_to_tensor(weights)
    if _rank(logits) != 3:
        raise ValueError("Logits must be a [batch_size x sequence_length x logits_num_classes] "
                         "tensor")
    if _rank(targets) != 2:
        raise ValueError("Targets must be a [batch_size x sequence_length] tensor")
    if _rank(weights) != 2:
        raise ValueError("Weights must be a [batch_size x sequence_length] tensor")
    if average_across_timesteps and sum_over_timesteps:
        raise ValueError("average_across_timesteps and sum_over_timesteps cannot be set to True "
                         "at same time.")
    if average_across_batch and sum_over_batch:
        raise ValueError("average_across_batch and sum_over_batch cannot be set to True at same "
                         "time.")
    with name_scope(name, "sequence_loss", [logits, targets, weights]):
        num_classes = array.shape(logits)[2]
        flat_logits = array.reshape(logits, array.stack([-1, num_classes]))
        flat_targets = array.reshape(targets, [-1])
        loss_fn = softmax_loss_function or nn_ops.sparse_softmax_cross_entropy_with_logits
        crossent = loss_fn(labels=flat_targets, logits=flat_logits)
        crossent = crossent * array.reshape(weights, [-1])
        if average_across_timesteps and average_across_batch:
            return _reduce(crossent, weights, None, average=True)
        if sum_over_timesteps and sum_over_batch:
            return _reduce(crossent, weights, None, average=False)
        crossent = array.reshape(crossent, array.shape(logits)[0:2])
        if average_across_timesteps or average_across_batch:  # one average; a sum is ignored
            return _reduce(crossent, weights, [0] if average_across_batch else [1], True)
        if sum_over_timesteps or sum_over_batch:
            return _reduce(crossent, weights, [0] if sum_over_batch else [1], False)
        return crossent


def _reduce(crossent, weights, axis, average):
    """The weighted sum over `axis` divided by the weight (average) or the count of non-zero
    weights (sum) there."""
    total = math_ops.reduce_sum(crossent, axis=axis)
    if average:
        count = math_ops.reduce_sum(weights, axis=axis)
    else:
        count = array.cast(math_ops.count_nonzero(weights, axis=axis), crossent.dtype)
    return _divide_no_nan(total, count)
