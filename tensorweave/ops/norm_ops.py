"""Normalization ops: batch normalization (composite and fused) and local response
normalization (tf.nn.batch_normalization, fused_batch_norm, local_response_normalization)."""
import numpy as np

from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core import tf_form
from tensorweave.core.registry import register_op, register_tf_form
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array, math_ops
from tensorweave.ops._common import one

_MIN_FUSED_EPSILON = 1.001e-5  # the smallest epsilon TF's fused kernel accepts


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) / sqrt(variance + variance_epsilon) * scale + offset (offset and scale may be
    None), broadcasting the statistics against x."""
    x = convert_to_tensor(x)
    with name_scope(name, "batchnorm", [x]):
        inv = math_ops.rsqrt(convert_to_tensor(variance, dtype=x.dtype) + variance_epsilon)
        if scale is not None:
            inv = inv * convert_to_tensor(scale, dtype=x.dtype)
        shift = -convert_to_tensor(mean, dtype=x.dtype) * inv
        if offset is not None:
            shift = shift + convert_to_tensor(offset, dtype=x.dtype)
        return x * inv + shift


# --- FusedBatchNorm ------------------------------------------------------------------------
def _channel_axis(data_format):
    return 1 if data_format == "NCHW" else 3


def _per_channel(v, data_format):
    """A per-channel vector shaped to broadcast against a 4-D NHWC or NCHW array."""
    return v.reshape((1, -1, 1, 1) if data_format == "NCHW" else (1, 1, 1, -1))


def _fused_batch_norm_shape(x, scale, offset, mean, variance, *, epsilon, data_format,
                            is_training):
    if not x.dtype.is_floating or not scale.dtype.is_floating:
        raise TypeError(f"FusedBatchNorm requires floating point inputs, got {x.dtype.name} "
                        f"and {scale.dtype.name}")
    if x.shape.ndims not in (None, 4):
        raise ValueError(f"FusedBatchNorm requires a 4-D input, got shape {x.shape}")
    channels = x.shape[_channel_axis(data_format)].value if x.shape.ndims else None
    vectors = (scale, offset) if is_training else (scale, offset, mean, variance)
    for v in vectors:
        if v.dtype is not scale.dtype:
            raise TypeError(f"FusedBatchNorm requires scale, offset, mean and variance of one "
                            f"dtype, got {scale.dtype.name} and {v.dtype.name}")
        if v.shape.ndims not in (None, 1):
            raise ValueError(f"FusedBatchNorm requires 1-D scale, offset, mean and variance, "
                             f"got shape {v.shape}")
        size = v.shape[0].value if v.shape.ndims else None
        if channels is not None and size is not None and size != channels:
            raise ValueError(f"FusedBatchNorm requires vectors of the input's depth {channels}, "
                             f"got shape {v.shape}")
        channels = size if channels is None else channels
    vector = TensorShape([channels])
    return [(x.dtype, x.shape)] + [(scale.dtype, vector)] * 4


def _fused_batch_norm_kernel(x, scale, offset, mean, variance, *, epsilon, data_format,
                             is_training):
    """(y, batch mean, batch variance with Bessel's correction, saved mean, saved variance)."""
    axes = (0, 2, 3) if data_format == "NCHW" else (0, 1, 2)
    wide = x.astype(scale.dtype, copy=False)
    if is_training:
        mean = wide.mean(axis=axes)
        variance = np.square(wide - _per_channel(mean, data_format)).mean(axis=axes)
        count = x.size // max(mean.size, 1)
        population = variance * (count / max(count - 1, 1))
    else:
        mean, variance, population = mean.copy(), variance.copy(), variance.copy()
    inv = 1 / np.sqrt(variance + epsilon)
    y = (wide - _per_channel(mean, data_format)) * _per_channel(inv * scale, data_format)
    y += _per_channel(offset, data_format)
    return y.astype(x.dtype, copy=False), mean, population, mean.copy(), variance


def _fused_batch_norm_grad(op, dy, *_):
    """Gradients flow from y only (as in TF): the statistics outputs are for moving averages."""
    if dy is None:
        return [None] * 5
    x, scale, _, mean, variance = op.inputs
    saved_mean, saved_variance = (op.outputs[3], op.outputs[4]) if op.attrs["is_training"] \
        else (mean, variance)
    dx, dscale, doffset = create_op("FusedBatchNormGrad",
                                    [dy, x, scale, saved_mean, saved_variance],
                                    **op.attrs).outputs
    return [dx, dscale, doffset, None, None]


def _fused_batch_norm_grad_shape(dy, x, scale, mean, variance, **_):
    if dy.dtype is not x.dtype:
        raise TypeError(f"FusedBatchNormGrad requires dy and x of one dtype, got "
                        f"{dy.dtype.name} and {x.dtype.name}")
    return [(x.dtype, x.shape.merge_with(dy.shape)), (scale.dtype, scale.shape),
            (scale.dtype, scale.shape)]


def _fused_batch_norm_grad_kernel(dy, x, scale, mean, variance, *, epsilon, data_format,
                                  is_training):
    """(dx, dscale, doffset) given the mean and variance the forward op normalized with."""
    axes = (0, 2, 3) if data_format == "NCHW" else (0, 1, 2)
    dy_w = dy.astype(scale.dtype, copy=False)
    inv = 1 / np.sqrt(variance + epsilon)
    x_hat = (x.astype(scale.dtype, copy=False) - _per_channel(mean, data_format)) * \
        _per_channel(inv, data_format)
    doffset = dy_w.sum(axis=axes)
    dscale = (dy_w * x_hat).sum(axis=axes)
    if is_training:
        count = x.size // max(mean.size, 1)
        centred = dy_w - _per_channel(doffset / count, data_format)
        centred -= x_hat * _per_channel(dscale / count, data_format)
        dx = centred * _per_channel(scale * inv, data_format)
    else:
        dx = dy_w * _per_channel(scale * inv, data_format)
    return dx.astype(x.dtype, copy=False), dscale, doffset


def _batch_norm_backprop(dy, x, scale, mean, variance, epsilon, data_format, is_training):
    """FusedBatchNormGrad's outputs built from public ops (training mode recomputes the
    statistics from x, so their dependence on x is differentiated too)."""
    axes = [0, 2, 3] if data_format == "NCHW" else [0, 1, 2]
    shape = [1, -1, 1, 1] if data_format == "NCHW" else [1, 1, 1, -1]

    def vec(v):
        return array.reshape(v, shape)
    x, dy = array.cast(x, scale.dtype), array.cast(dy, scale.dtype)
    if is_training:
        mean = math_ops.reduce_mean(x, axes, keepdims=True)
        variance = math_ops.reduce_mean(math_ops.square(x - mean), axes, keepdims=True)
    else:
        mean, variance = vec(mean), vec(variance)
    inv = math_ops.rsqrt(variance + epsilon)
    x_hat = (x - mean) * inv
    doffset = math_ops.reduce_sum(dy, axes)
    dscale = math_ops.reduce_sum(dy * x_hat, axes)
    if is_training:
        dx = (dy - math_ops.reduce_mean(dy, axes, keepdims=True)
              - x_hat * math_ops.reduce_mean(dy * x_hat, axes, keepdims=True)) * vec(scale) * inv
    else:
        dx = dy * vec(scale) * inv
    return dx, dscale, doffset


def _fused_batch_norm_grad_grad(op, ddx, ddscale, ddoffset):
    """Differentiates the composite form of the backward pass (as TF does)."""
    from tensorweave.gradients import gradients  # imported here: gradients imports the ops
    dy, x, scale, mean, variance = op.inputs
    outputs = _batch_norm_backprop(dy, x, scale, mean, variance, **op.attrs)
    pairs = [(out, dd) for out, dd in zip(outputs, (ddx, ddscale, ddoffset)) if dd is not None]
    if not pairs:
        return [None] * 5
    grads = gradients([p[0] for p in pairs], [dy, x, scale], grad_ys=[p[1] for p in pairs],
                      stop_gradients=[dy, x, scale])  # partials: dy may depend on x
    grads[1] = None if grads[1] is None else array.cast(grads[1], x.dtype)
    grads[0] = None if grads[0] is None else array.cast(grads[0], dy.dtype)
    return grads + [None, None]


register_op("FusedBatchNorm", shape=_fused_batch_norm_shape, kernel=_fused_batch_norm_kernel,
            grad=_fused_batch_norm_grad)
register_op("FusedBatchNormGrad", shape=_fused_batch_norm_grad_shape,
            kernel=_fused_batch_norm_grad_kernel, grad=_fused_batch_norm_grad_grad)


def _read_fused_batch_norm_grad_v3(node, reader):
    """TF's FusedBatchNormGradV3 is FusedBatchNormGrad with a sixth input (reserve_space_3,
    empty on CPU) and outputs 3 and 4 unused; read without that input."""
    if tf_form.data_inputs(node) == 6:
        del node.input[5]
    node.op = "FusedBatchNormGrad"


def _fused_batch_norm_v3_shape(x, scale, offset, mean, variance, *, epsilon, data_format,
                               is_training, exponential_avg_factor=1.0):
    return _fused_batch_norm_shape(x, scale, offset, mean, variance, epsilon=epsilon,
                                   data_format=data_format, is_training=is_training) + [
        (scale.dtype, TensorShape([0]))]


def _fused_batch_norm_v3_kernel(x, scale, offset, mean, variance, *, epsilon, data_format,
                                is_training, exponential_avg_factor=1.0):
    """FusedBatchNorm's outputs and reserve_space_3 (empty, as on TF's CPU); in training
    with exponential_avg_factor f < 1 the statistics outputs are the moving averages
    (1 - f) * input + f * batch statistic, as TF computes them."""
    y, batch_mean, batch_var, saved_mean, saved_var = _fused_batch_norm_kernel(
        x, scale, offset, mean, variance, epsilon=epsilon, data_format=data_format,
        is_training=is_training)
    f = exponential_avg_factor
    if is_training and f != 1.0 and mean.size:
        batch_mean = (1 - f) * mean + f * batch_mean
        batch_var = (1 - f) * variance + f * batch_var
    return y, batch_mean, batch_var, saved_mean, saved_var, np.zeros(0, dtype=scale.dtype)


def _fused_batch_norm_v3_grad(op, dy, *_):
    if dy is None:
        return [None] * 5
    x, scale, _, mean, variance = op.inputs
    attrs = {k: op.attrs[k] for k in ("epsilon", "data_format", "is_training")}
    saved_mean, saved_variance = (op.outputs[3], op.outputs[4]) if attrs["is_training"] \
        else (mean, variance)
    dx, dscale, doffset = create_op("FusedBatchNormGrad",
                                    [dy, x, scale, saved_mean, saved_variance], **attrs).outputs
    return [dx, dscale, doffset, None, None]


# TensorFlow's FusedBatchNormV3 (graphs TF 1.15+ wrote): FusedBatchNorm with attr U (the
# statistics' dtype, scale's here) and a sixth output, reserve_space_3, which only feeds
# FusedBatchNormGradV3 (read as FusedBatchNormGrad without it). V2 is V1 with U.
register_op("FusedBatchNormV3", shape=_fused_batch_norm_v3_shape,
            kernel=_fused_batch_norm_v3_kernel,
            grad=_fused_batch_norm_v3_grad)
register_tf_form("FusedBatchNormV3", to_tf=lambda t: t.set("U", t.dtypes[1]))
register_tf_form("FusedBatchNorm", renamed_from=("FusedBatchNormV2",))
register_tf_form("FusedBatchNormGrad", from_tf=_read_fused_batch_norm_grad_v3,
                 marker="_read_without_reserve_space_3",
                 reads=("FusedBatchNormGradV2", "FusedBatchNormGradV3"))


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001,
                     data_format="NHWC", is_training=True, name=None):
    """Batch normalization of a 4-D input in one op: (y, batch_mean, batch_var).

    Training normalizes with the batch's statistics (batch_var carries Bessel's correction,
    ready for a moving average); inference normalizes with the given mean and variance.
    """
    x = convert_to_tensor(x)
    scale = convert_to_tensor(scale)
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"fused_batch_norm supports data_format 'NHWC' or 'NCHW', got "
                         f"{data_format!r}")
    if not is_training and (mean is None or variance is None):
        raise ValueError("fused_batch_norm needs `mean` and `variance` when is_training is "
                         "False.")
    empty = np.zeros(0, dtype=scale.dtype.as_numpy_dtype)
    inputs = [x, scale, convert_to_tensor(offset, dtype=scale.dtype)]
    inputs += [convert_to_tensor(empty if v is None else v, dtype=scale.dtype)
               for v in (mean, variance)]
    op = create_op("FusedBatchNorm", inputs, name=name or "FusedBatchNorm",
                   epsilon=float(max(epsilon, _MIN_FUSED_EPSILON)), data_format=data_format,
                   is_training=bool(is_training))
    return op.outputs[0], op.outputs[1], op.outputs[2]


# --- LRN -----------------------------------------------------------------------------------
def _channel_window_sum(a, radius):
    """Sum of `a` over channels [c - radius, c + radius] (clipped) along the last axis."""
    total = a.copy()
    for k in range(1, min(radius, a.shape[-1] - 1) + 1):
        total[..., k:] += a[..., :-k]
        total[..., :-k] += a[..., k:]
    return total


def _lrn_shape(x, *, depth_radius, bias, alpha, beta):
    if not x.dtype.is_floating:
        raise TypeError(f"LRN requires a floating point input, got {x.dtype.name}")
    if x.shape.ndims not in (None, 4):
        raise ValueError(f"LRN requires a 4-D input, got shape {x.shape}")
    return [(x.dtype, x.shape)]


def _lrn_scale(x, depth_radius, bias, alpha):
    return bias + alpha * _channel_window_sum(np.square(x), depth_radius)


def _lrn_kernel(x, *, depth_radius, bias, alpha, beta):
    return x * _lrn_scale(x, depth_radius, bias, alpha) ** -beta


def _lrn_grad_kernel(dy, x, y, *, depth_radius, bias, alpha, beta):
    scale = _lrn_scale(x, depth_radius, bias, alpha)
    spread = _channel_window_sum(dy * y / scale, depth_radius)
    return dy * scale ** -beta - (2 * alpha * beta) * x * spread


def _lrn_grad(op, dy):
    return [one(create_op("LRNGrad", [dy, op.inputs[0], op.outputs[0]], **op.attrs))]


def _lrn_grad_shape(dy, x, y, **_):
    return [(dy.dtype, x.shape.merge_with(dy.shape))]


register_op("LRN", shape=_lrn_shape, kernel=_lrn_kernel, grad=_lrn_grad)
register_op("LRNGrad", shape=_lrn_grad_shape, kernel=_lrn_grad_kernel, grad=None)


def local_response_normalization(input, depth_radius=5, bias=1, alpha=1, beta=0.5,  # noqa: A002
                                 name=None):
    """input / (bias + alpha * sum of squares over 2 * depth_radius + 1 channels) ** beta."""
    return one(create_op("LRN", [convert_to_tensor(input)], name=name or "LRN",
                          depth_radius=int(depth_radius), bias=float(bias), alpha=float(alpha),
                          beta=float(beta)))


lrn = local_response_normalization


# --- embeddings ----------------------------------------------------------------------------
def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True,
                     max_norm=None):
    """Rows of `params` (a tensor, or a list of shards) picked by `ids`.

    Shards split the rows as TF does: "mod" puts row i in shard i % n at position i // n, "div"
    gives each shard a contiguous block. Rows with an L2 norm above `max_norm` are scaled down.
    """
    shards = list(params) if isinstance(params, (list, tuple)) else [params]
    if not shards:
        raise ValueError("Need at least one param")
    if partition_strategy not in ("mod", "div"):
        raise ValueError(f"Unrecognized partition strategy: {partition_strategy}")
    with name_scope(name, "embedding_lookup", [s for s in shards if hasattr(s, "graph")]):
        ids = convert_to_tensor(ids)
        shards = [convert_to_tensor(s) for s in shards]
        table = shards[0] if len(shards) == 1 else array.concat(shards, 0)
        if len(shards) > 1 and partition_strategy == "mod":
            ids = array.gather(_mod_order([_rows(s) for s in shards]), ids)
        rows = array.gather(table, ids)
        if max_norm is not None:
            rows = _clip_rows(rows, ids.shape.ndims, max_norm)
        return array.identity(rows)


def _rows(shard):
    rows = shard.shape[0].value if shard.shape.ndims else None
    if rows is None:
        raise ValueError(f"embedding_lookup with sharded params needs each shard's row count "
                         f"statically, got shape {shard.shape}")
    return rows


def _mod_order(sizes):
    """For "mod" sharding, where row i of the whole table sits in the concatenated shards."""
    starts = np.cumsum([0] + sizes[:-1])
    total, n = sum(sizes), len(sizes)
    return np.array([starts[i % n] + i // n for i in range(total)], dtype=np.int32)


def _clip_rows(rows, ids_rank, max_norm):
    if rows.shape.ndims is None or ids_rank is None:
        raise ValueError("embedding_lookup with max_norm needs params and ids of known rank")
    axes = list(range(ids_rank, rows.shape.ndims))
    return math_ops.clip_by_norm(rows, max_norm, axes=axes)

