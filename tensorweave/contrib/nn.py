"""tf.contrib.nn: TF 1.15's variants of tf.nn functions: alpha dropout, the n-th element of
each row, scaled softplus, the argument-flipped cross-entropies, the sampled sparse and the
rank-resampled softmax losses, and conv1d_transpose.

    y = tf.contrib.nn.alpha_dropout(tf.nn.selu(x), keep_prob=0.9)
"""
import numbers

from tensorweave.core import dtypes
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.nn.conv_nd import conv1d_transpose  # noqa: F401 - TF 1.15's contrib name
from tensorweave.nn.sampled_losses import sampled_softmax_loss
from tensorweave.ops import array, candidate_sampling_ops, math_ops, nn_ops, norm_ops
from tensorweave.ops import random_ops
from tensorweave.ops.sort_ops import nth_element  # noqa: F401 - TF 1.15's contrib name

# The value SELU sends -inf to (-scale * alpha): dropped units take it in alpha dropout.
ALPHA_DROPOUT_VALUE = -1.7580993408473766


def alpha_dropout(x, keep_prob, noise_shape=None, seed=None, name=None):
    """Dropout that keeps zero mean and unit variance of SELU activations (Klambauer et al.
    2017): dropped units are set to ALPHA_DROPOUT_VALUE, then an affine map a * x + b restores
    the mean and variance. `keep_prob` a float in (0, 1] or a scalar tensor."""
    with name_scope(name, "alpha_dropout", [x]):
        x = convert_to_tensor(x, name="x")
        if isinstance(keep_prob, numbers.Real) and not 0 < keep_prob <= 1.0:
            raise ValueError(f"keep_prob must be a scalar tensor or a float in the range "
                             f"(0, 1], got {keep_prob:g}")
        keep_prob = convert_to_tensor(keep_prob, dtype=x.dtype, name="keep_prob")
        keep_prob.shape.assert_is_compatible_with(TensorShape([]))
        known = constant_value(keep_prob)
        if known is not None and known == 1:
            return x
        if noise_shape is None:
            noise_shape = array.shape(x)
        uniform = random_ops.random_uniform(noise_shape, seed=seed, dtype=x.dtype)
        kept = array.cast(math_ops.greater_equal(uniform, 1 - keep_prob), x.dtype)
        masked = x * kept + ALPHA_DROPOUT_VALUE * (1 - kept)
        scale = (keep_prob + keep_prob * (1 - keep_prob) * ALPHA_DROPOUT_VALUE ** 2) ** -0.5
        shift = -scale * ALPHA_DROPOUT_VALUE * (1 - keep_prob)
        return scale * masked + shift


def scaled_softplus(x, alpha, clip=None, name=None):
    """alpha * log(1 + exp(x / alpha)), capped at `clip` when given: tends to relu(x) (to
    relu6(x) with clip=6) as alpha tends to 0. Gradients flow to x, alpha and clip."""
    with name_scope(name, "scaled_softplus", [x, alpha] + ([] if clip is None else [clip])):
        x = convert_to_tensor(x, name="x")
        alpha = convert_to_tensor(alpha, dtype=x.dtype, name="alpha")
        y = alpha * nn_ops.softplus(x / alpha)
        if clip is not None:
            y = math_ops.minimum(y, convert_to_tensor(clip, dtype=x.dtype, name="clip"))
        return y


def deprecated_flipped_softmax_cross_entropy_with_logits(logits, labels, dim=-1, name=None):
    """tf.nn.softmax_cross_entropy_with_logits with logits first (TF 0.x's order)."""
    return nn_ops.softmax_cross_entropy_with_logits(labels=labels, logits=logits, dim=dim,
                                                    name=name)


def deprecated_flipped_sparse_softmax_cross_entropy_with_logits(logits, labels, name=None):
    """tf.nn.sparse_softmax_cross_entropy_with_logits with logits first (TF 0.x's order)."""
    return nn_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                           name=name)


def deprecated_flipped_sigmoid_cross_entropy_with_logits(logits, targets, name=None):
    """tf.nn.sigmoid_cross_entropy_with_logits with logits first and labels named
    `targets` (TF 0.x's form)."""
    return nn_ops.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits, name=name)


def sampled_sparse_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes,
                                sampled_values=None, remove_accidental_hits=True,
                                partition_strategy="mod", name="sampled_sparse_softmax_loss"):
    """Per-example sampled softmax loss for one true class per example (labels [batch, 1]):
    the sparse cross-entropy of the true logit (first) against the sampled ones, which is
    tf.nn.sampled_softmax_loss with num_true=1."""
    return sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_classes,
                                num_true=1, sampled_values=sampled_values,
                                remove_accidental_hits=remove_accidental_hits,
                                partition_strategy=partition_strategy, name=name)


def _rank_resample(weights, biases, inputs, sampled_values, num_resampled,
                   resampling_temperature, partition_strategy):
    """The `num_resampled` of the sampled classes with the largest
    logsumexp over the batch of (w_i . x_j + b_i) / temperature, with their expected counts."""
    sampled, true_count, sampled_count = (array.stop_gradient(v) for v in sampled_values)
    sampled = array.cast(sampled, dtypes.int64)
    shards = list(weights) if isinstance(weights, (list, tuple)) else [weights]
    scaled_inputs = inputs / resampling_temperature
    sampled_w = norm_ops.embedding_lookup(shards, sampled, partition_strategy)
    scores = math_ops.reduce_logsumexp(
        math_ops.matmul(sampled_w, scaled_inputs, transpose_b=True), axis=1)
    sampled_b = array.reshape(norm_ops.embedding_lookup(biases, sampled, partition_strategy),
                              [-1])
    scores = scores + sampled_b / resampling_temperature
    _, kept = nn_ops.top_k(scores, k=num_resampled, sorted=False)
    return (array.gather(sampled, kept), true_count, array.gather(sampled_count, kept))


def rank_sampled_softmax_loss(weights, biases, labels, inputs, num_sampled, num_resampled,
                              num_classes, num_true, sampled_values, resampling_temperature,
                              remove_accidental_hits, partition_strategy, name=None):
    """Sampled softmax loss with TAPAS's rank-based resampling (arXiv:1707.03073): of
    `num_sampled` classes (from `sampled_values`, else a unique learned-unigram draw) keep the
    `num_resampled` scoring highest over the batch, then tf.nn.sampled_softmax_loss on those."""
    if num_sampled > num_classes:
        raise ValueError(f"num_sampled ({num_sampled}) cannot be greater than num_classes "
                         f"({num_classes})")
    if num_sampled <= num_resampled:
        raise ValueError(f"num_resampled ({num_resampled}) must be less than num_sampled "
                         f"({num_sampled})")
    if partition_strategy not in ("div", "mod"):
        raise ValueError(f"unsupported partition_strategy ({partition_strategy})")
    with name_scope(name, "rank_sampled_softmax_loss", [inputs, labels]) as scope:
        inputs = convert_to_tensor(inputs, name="inputs")
        if not sampled_values:
            sampled_values = candidate_sampling_ops.learned_unigram_candidate_sampler(
                true_classes=labels, num_true=num_true, num_sampled=num_sampled, unique=True,
                range_max=num_classes)
        resampled = _rank_resample(weights, biases, inputs, sampled_values, num_resampled,
                                   resampling_temperature, partition_strategy)
        return sampled_softmax_loss(weights, biases, labels, inputs, num_resampled,
                                    num_classes, num_true=num_true, sampled_values=resampled,
                                    remove_accidental_hits=remove_accidental_hits,
                                    partition_strategy=partition_strategy, name=scope)
