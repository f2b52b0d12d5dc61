"""tf.contrib.sparsemax: the sparsemax activation and its loss (Martins & Astudillo 2016,
arXiv:1602.02068), as TF 1.15 computes them: sort each row, find the support from the running
sums, and project onto the probability simplex. Gradients are those of these ops.

    p = tf.contrib.sparsemax.sparsemax(logits)              # rows sum to 1, many exact zeros
    loss = tf.reduce_mean(tf.contrib.sparsemax.sparsemax_loss(logits, p, one_hot_labels))
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.ops import array, counting_ops, math_ops, nn_ops, scatter_ops, special_math

__all__ = ["sparsemax", "sparsemax_loss"]


def sparsemax(logits, name=None):
    """max(logits - tau, 0) for each row of 2-D `logits`, tau chosen so the row sums to 1.

    A row holding nan or +inf, or only -inf, gives nan throughout, as TF 1.15's does.
    """
    with name_scope(name, "sparsemax", [logits]):
        z = convert_to_tensor(logits, name="logits")
        rows = array.shape(z)[0]
        width = array.shape(z)[1]
        z_sorted, _ = nn_ops.top_k(z, k=width)
        running = counting_ops.cumsum(z_sorted, axis=1)
        k = array.range_(1, array.cast(width, z.dtype) + 1, dtype=z.dtype)
        in_support = 1 + k * z_sorted > running
        support_size = math_ops.reduce_sum(array.cast(in_support, dtypes.int32), axis=1)
        # an invalid row (support 0) reads entry 0 here; it is replaced by nan below
        last = math_ops.maximum(support_size, 1) - 1
        support_sum = scatter_ops.gather_nd(
            running, array.stack([array.range_(0, rows), last], axis=1))
        tau = (support_sum - 1) / array.cast(support_size, z.dtype)
        p = math_ops.maximum(array.cast(0, z.dtype), z - array.expand_dims(tau, 1))
        invalid = math_ops.logical_or(math_ops.equal(support_size, 0),
                                      math_ops.is_nan(running[:, -1]))
        nans = array.fill(array.stack([rows, width]), array.cast(float("nan"), z.dtype))
        return array.where(invalid, nans, p)


def sparsemax_loss(logits, sparsemax, labels, name=None):  # noqa: F811 - TF's argument name
    """Per-row sparsemax loss of 2-D `logits` z given their `sparsemax` p and target
    distributions q: sum over the support of p of p * (z - p / 2), plus q * (q / 2 - z)
    summed (its gradient in z is p - q). -inf logits with zero labels add nothing."""
    with name_scope(name, "sparsemax_loss", [logits, sparsemax, labels]):
        z = convert_to_tensor(logits, name="logits")
        p = convert_to_tensor(sparsemax, name="sparsemax")
        q = convert_to_tensor(labels, name="labels")
        on_support = math_ops.logical_or(p > 0, math_ops.is_nan(p))
        support_part = array.where(on_support, p * (z - 0.5 * p), array.zeros_like(p))
        label_part = q * (0.5 * q - z)
        label_part = array.where(
            math_ops.logical_and(math_ops.equal(q, 0), special_math.is_inf(z)),
            array.zeros_like(z), label_part)
        return math_ops.reduce_sum(support_part + label_part, axis=1)
