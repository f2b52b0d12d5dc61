"""Sampled losses for many classes: tf.nn.sampled_softmax_loss and tf.nn.nce_loss.

Both score each example's true classes and a shared set of sampled classes (by default drawn
log-uniformly, unique), subtract log(expected count) from every logit, and train on those few
logits instead of all num_classes:

    loss = tf.reduce_mean(tf.nn.sampled_softmax_loss(
        weights, biases, labels, inputs, num_sampled=64, num_classes=50000))
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.ops import array, candidate_sampling_ops, math_ops, nn_ops, norm_ops


def _true_and_sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes,
                             num_true, sampled_values, remove_accidental_hits,
                             partition_strategy, seed):
    """(logits [batch, num_true + num_sampled], their target probabilities): the true classes'
    logits first, each corrected by log(expected count) of its class."""
    shards = list(weights) if isinstance(weights, (list, tuple)) else [weights]
    inputs = convert_to_tensor(inputs)
    labels = convert_to_tensor(labels)
    if labels.dtype is not dtypes.int64:
        labels = array.cast(labels, dtypes.int64)
    if sampled_values is None:
        sampled_values = candidate_sampling_ops.log_uniform_candidate_sampler(
            labels, num_true, num_sampled, True, num_classes, seed=seed)
    sampled, true_count, sampled_count = (array.stop_gradient(v) for v in sampled_values)
    if sampled.dtype is not dtypes.int64:
        sampled = array.cast(sampled, dtypes.int64)
    flat_labels = array.reshape(labels, [-1])
    true_w, sampled_w = (norm_ops.embedding_lookup(shards, ids, partition_strategy)
                         for ids in (flat_labels, sampled))
    true_b, sampled_b = (norm_ops.embedding_lookup(biases, ids, partition_strategy)
                         for ids in (flat_labels, sampled))
    dim = array.shape(true_w)[1:2]
    true_w = array.reshape(true_w, array.concat([[-1, num_true], dim], 0))
    true_logits = math_ops.reduce_sum(array.expand_dims(inputs, 1) * true_w, axis=2)
    true_logits = true_logits + array.reshape(true_b, [-1, num_true])
    sampled_logits = math_ops.matmul(inputs, sampled_w, transpose_b=True) + sampled_b
    if remove_accidental_hits:
        sampled_logits = sampled_logits + _accidental_hit_mask(labels, sampled, num_true,
                                                               sampled_logits)
    true_logits = true_logits - math_ops.log(_like(true_count, true_logits))
    sampled_logits = sampled_logits - math_ops.log(_like(sampled_count, sampled_logits))
    logits = array.concat([true_logits, sampled_logits], 1)
    targets = array.concat([array.ones_like(true_logits) / float(num_true),
                                array.zeros_like(sampled_logits)], 1)
    return logits, targets


def _like(t, other):
    return t if t.dtype is other.dtype else array.cast(t, other.dtype)


def _accidental_hit_mask(labels, sampled, num_true, sampled_logits):
    """-FLT_MAX where tf.nn.compute_accidental_hits finds a true class among the sampled
    ones, else 0."""
    rows, positions, _ = candidate_sampling_ops.compute_accidental_hits(labels, sampled,
                                                                        num_true)
    batch, width = (array.range_(0, array.shape(sampled_logits)[k]) for k in (0, 1))
    in_row = math_ops.equal(array.reshape(rows, [-1, 1, 1]),
                            array.reshape(batch, [1, -1, 1]))
    at = math_ops.equal(array.reshape(array.cast(positions, dtypes.int32), [-1, 1, 1]),
                        array.reshape(width, [1, 1, -1]))
    hit = math_ops.reduce_any(math_ops.logical_and(in_row, at), axis=0)  # [batch, sampled]
    zeros = array.zeros_like(sampled_logits)
    return array.where(hit, zeros - float(np.finfo(np.float32).max), zeros)


def sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
                         sampled_values=None, remove_accidental_hits=True,
                         partition_strategy="mod", name="sampled_softmax_loss", seed=None):
    """Per-example softmax cross-entropy over the true classes and `num_sampled` sampled ones
    (TF's tf.nn.sampled_softmax_loss); a training-time stand-in for the full softmax loss.

    weights: [num_classes, dim] (or a list of shards), biases: [num_classes], labels:
    [batch, num_true] ints, inputs: [batch, dim]. `sampled_values` is a sampler's output
    triple; by default a unique log-uniform sample. Sampled classes equal to a true class are
    masked out when `remove_accidental_hits`.
    """
    with name_scope(name, "sampled_softmax_loss", [inputs, labels]):
        logits, targets = _true_and_sampled_logits(
            weights, biases, labels, inputs, num_sampled, num_classes, num_true,
            sampled_values, remove_accidental_hits, partition_strategy, seed)
        return nn_ops.softmax_cross_entropy_with_logits_v2(
            labels=array.stop_gradient(targets), logits=logits)


def nce_loss(weights, biases, labels, inputs, num_sampled, num_classes, num_true=1,
             sampled_values=None, remove_accidental_hits=False, partition_strategy="mod",
             name="nce_loss"):
    """Per-example noise-contrastive estimation loss (TF's tf.nn.nce_loss): logistic losses
    telling the true classes (target 1 / num_true) from the sampled ones (target 0), summed.

    Arguments as for `sampled_softmax_loss`; accidental hits are kept by default.
    """
    with name_scope(name, "nce_loss", [inputs, labels]):
        logits, targets = _true_and_sampled_logits(
            weights, biases, labels, inputs, num_sampled, num_classes, num_true,
            sampled_values, remove_accidental_hits, partition_strategy, None)
        losses = nn_ops.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits)
        return math_ops.reduce_sum(losses, axis=1)
