"""tf.contrib.losses.metric_learning: losses on embeddings (contrastive, triplet with
semi-hard negatives, N-pairs, lifted structure), TF 1.15's formulas.

    loss = tf.contrib.losses.metric_learning.triplet_semihard_loss(labels, embeddings)
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.ops import array, check_ops, math_ops, nn_ops

__all__ = ["contrastive_loss", "lifted_struct_loss", "npairs_loss", "pairwise_distance",
           "triplet_semihard_loss"]


def _off_diagonal(n, dtype=dtypes.float32):
    """ones([n, n]) with zeros on the diagonal (n a scalar tensor)."""
    rows = array.range_(n)
    return array.cast(math_ops.not_equal(array.expand_dims(rows, 1),
                                         array.expand_dims(rows, 0)), dtype)


def pairwise_distance(feature, squared=False):
    """[n, n] Euclidean distances (squared if asked) between the rows of `feature`; the
    diagonal is exactly 0 and tiny negative round-off is clipped to 0."""
    feature = convert_to_tensor(feature)
    norms = math_ops.reduce_sum(math_ops.square(feature), axis=[1], keepdims=True)
    squared_distances = norms + array.transpose(norms) - \
        2.0 * math_ops.matmul(feature, feature, transpose_b=True)
    squared_distances = math_ops.maximum(squared_distances, 0.0)
    zero = math_ops.less_equal(squared_distances, 0.0)
    if squared:
        distances = squared_distances
    else:  # the 1e-16 keeps sqrt's gradient finite where the distance is 0
        distances = math_ops.sqrt(squared_distances + array.cast(zero, dtypes.float32) * 1e-16)
    distances = distances * array.cast(math_ops.logical_not(zero), dtypes.float32)
    return distances * _off_diagonal(array.shape(feature)[0])


def contrastive_loss(labels, embeddings_anchor, embeddings_positive, margin=1.0):
    """mean(y d^2 + (1 - y) max(margin - d, 0)^2), d the distance of each anchor/positive
    pair and y its 0/1 label."""
    distances = math_ops.sqrt(math_ops.reduce_sum(
        math_ops.squared_difference(embeddings_anchor, embeddings_positive), 1))
    y = array.cast(labels, distances.dtype)
    return math_ops.reduce_mean(
        y * math_ops.square(distances) +
        (1.0 - y) * math_ops.square(math_ops.maximum(margin - distances, 0.0)),
        name="contrastive_loss")


def _masked_maximum(data, mask, axis):
    """max over `axis` of the entries where mask is 1 (the minimum when there are none)."""
    low = math_ops.reduce_min(data, axis, keepdims=True)
    return math_ops.reduce_max((data - low) * mask, axis, keepdims=True) + low


def _masked_minimum(data, mask, axis):
    """min over `axis` of the entries where mask is 1 (the maximum when there are none)."""
    high = math_ops.reduce_max(data, axis, keepdims=True)
    return math_ops.reduce_min((data - high) * mask, axis, keepdims=True) + high


def _label_column(labels):
    labels = convert_to_tensor(labels)
    if labels.shape.ndims not in (None, 1):
        raise ValueError(f"labels must be 1-D, got shape {labels.shape}")
    return array.reshape(labels, [-1, 1])


def triplet_semihard_loss(labels, embeddings, margin=1.0):
    """Mean over anchor/positive pairs (same label, a != p) of max(margin + d(a, p) -
    d(a, n), 0), with squared distances d and n the closest negative farther than p (the
    farthest negative when none is): Schroff et al.'s semi-hard triplets."""
    labels = _label_column(labels)
    dist = pairwise_distance(embeddings, squared=True)  # [a, n]
    same = math_ops.equal(labels, array.transpose(labels))
    negative = array.cast(math_ops.logical_not(same), dtypes.float32)
    # farther[a, p, n]: n is a negative of a, farther from a than p is
    dist_an = array.expand_dims(dist, 1)
    farther = array.expand_dims(negative, 1) * array.cast(
        math_ops.greater(dist_an, array.expand_dims(dist, 2)), dtypes.float32)
    has_farther = math_ops.greater(math_ops.reduce_sum(farther, 2), 0.0)
    tiled = dist_an * array.ones_like(farther)
    closest_farther = array.squeeze(_masked_minimum(tiled, farther, 2), [2])
    farthest = _masked_maximum(dist, negative, 1) * array.ones_like(dist)
    semi_hard = array.where(has_farther, closest_farther, farthest)
    losses = margin + dist - semi_hard
    positive = array.cast(same, dtypes.float32) * _off_diagonal(array.shape(dist)[0])
    return math_ops.truediv(math_ops.reduce_sum(math_ops.maximum(losses * positive, 0.0)),
                            math_ops.reduce_sum(positive), name="triplet_semihard_loss")


def npairs_loss(labels, embeddings_anchor, embeddings_positive, reg_lambda=0.002,
                print_losses=False):
    """Sohn's N-pairs loss: softmax cross entropy of each anchor's similarities to the
    positives (targets: the positives of its label, normalized), plus reg_lambda / 4 times
    the mean squared norms of anchors and positives."""
    reg_anchor = math_ops.reduce_mean(math_ops.reduce_sum(math_ops.square(embeddings_anchor),
                                                          1))
    reg_positive = math_ops.reduce_mean(
        math_ops.reduce_sum(math_ops.square(embeddings_positive), 1))
    l2loss = math_ops.multiply(0.25 * reg_lambda, reg_anchor + reg_positive, name="l2loss")
    similarity = math_ops.matmul(embeddings_anchor, embeddings_positive, transpose_b=True)
    labels = _label_column(labels)
    targets = array.cast(math_ops.equal(labels, array.transpose(labels)), dtypes.float32)
    targets = targets / math_ops.reduce_sum(targets, 1, keepdims=True)
    xent = nn_ops.softmax_cross_entropy_with_logits_v2(logits=similarity, labels=targets)
    xent = math_ops.reduce_mean(xent, name="xentropy")
    if print_losses:
        xent = check_ops.Print(xent, ["cross entropy:", xent, "l2loss:", l2loss])
    return l2loss + xent


def lifted_struct_loss(labels, embeddings, margin=1.0):
    """Song et al.'s lifted structured loss: for each positive pair (i, j), the squared
    hinge of d(i, j) + log(sum over negatives k of exp(margin - d(i, k)) + exp(margin -
    d(j, k))), computed stably; averaged over the positive pairs and divided by 2."""
    labels = _label_column(labels)
    dist = pairwise_distance(embeddings)
    same = math_ops.equal(labels, array.transpose(labels))
    negative = array.cast(math_ops.logical_not(same), dtypes.float32)
    diff = margin - dist
    row_max = _masked_maximum(diff, negative, 1)  # [n, 1]
    largest = math_ops.maximum(row_max, array.transpose(row_max))  # [i, j]
    # sums[i, j] = sum over negatives k of i of exp(diff[i, k] - largest[i, j])
    shifted = array.expand_dims(diff, 1) - array.expand_dims(largest, 2)  # [i, j, k]
    sums = math_ops.reduce_sum(math_ops.exp(shifted) * array.expand_dims(negative, 1), 2)
    losses = largest + math_ops.log(sums + array.transpose(sums)) + dist
    positive = array.cast(same, dtypes.float32) * _off_diagonal(array.shape(dist)[0])
    num_positives = math_ops.reduce_sum(positive) / 2.0
    return math_ops.truediv(
        0.25 * math_ops.reduce_sum(math_ops.square(math_ops.maximum(losses * positive, 0.0))),
        num_positives, name="liftedstruct_loss")
