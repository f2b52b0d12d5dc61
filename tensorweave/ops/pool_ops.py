"""Pooling ops beyond MaxPool/AvgPool: MaxPoolWithArgmax (and its gradients) and the
fractional pools (tf.nn.fractional_max_pool / fractional_avg_pool) with theirs.

MaxPoolWithArgmax's argmax is the flat index of each maximum, ((b * height + y) * width + x)
* channels + c, without the batch term unless include_batch_in_index. The fractional pools cut
rows and columns into cells of two sizes (TF's pooling sequences, random or pseudo-random) and
return the sequences beside the result.
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor, partial_shape_from_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.core.errors import InvalidArgumentError
from tensorweave.ops import array
from tensorweave.ops._common import one
from tensorweave.ops.conv_ops import Window, output_size


# --- MaxPoolWithArgmax ---------------------------------------------------------------------------
def _check(op_type, ksize, strides, padding):
    for name, values in (("ksize", ksize), ("strides", strides)):
        if len(values) != 4 or values[0] != 1 or values[3] != 1:
            raise ValueError(f"{op_type} requires {name} of 4 values with 1 in the batch and "
                             f"depth dimensions, got {list(values)}")
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"{op_type} requires padding 'SAME' or 'VALID', got {padding!r}")


def _pooled_shape(op_type, x, ksize, strides, padding):
    if x.shape.ndims not in (None, 4):
        raise ValueError(f"{op_type} requires a 4-D input, got shape {x.shape}")
    n, h, w, c = x.shape.as_list() if x.shape.ndims else [None] * 4
    out = []
    for size, k, s in ((h, ksize[1], strides[1]), (w, ksize[2], strides[2])):
        o = None if size is None else output_size(size, k, s, 1, padding)[0]
        if o is not None and o < 0:
            raise ValueError(f"{op_type} requires a window that fits the input, got an input "
                             f"of size {size} and a window of {k}")
        out.append(o)
    return TensorShape([n] + out + [c])


def _argmax_shape(x, *, ksize, strides, Targmax, padding, include_batch_in_index):  # noqa: N803
    _check("MaxPoolWithArgmax", ksize, strides, padding)
    if not (x.dtype.is_floating or x.dtype.is_integer):
        raise TypeError(f"MaxPoolWithArgmax requires a real input, got {x.dtype.name}")
    if Targmax not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"MaxPoolWithArgmax requires Targmax int32 or int64, got {Targmax}")
    shape = _pooled_shape("MaxPoolWithArgmax", x, ksize, strides, padding)
    return [(x.dtype, shape), (Targmax, shape)]


def _window(shape, ksize, strides, padding):
    return Window(shape[1:3], ksize[1:3], {"strides": strides, "padding": padding})


def _argmax_kernel(x, *, ksize, strides, Targmax, padding, include_batch_in_index):  # noqa: N803
    n, h, w, c = x.shape
    win = _window(x.shape, ksize, strides, padding)
    xp = win.padded(x)
    flat = np.arange(h * w * c, dtype=np.int64).reshape(1, h, w, c)
    if include_batch_in_index:
        flat = flat + (np.arange(n, dtype=np.int64) * h * w * c).reshape(n, 1, 1, 1)
    flat_p = win.padded(flat, -1)
    best = argmax = None
    for _, _, rows, cols in win.taps():
        value, index = xp[:, rows, cols], flat_p[:, rows, cols]
        if best is None:
            best = np.where(index >= 0, value, _lowest(x.dtype))
            argmax = np.broadcast_to(index, best.shape).copy()
            continue
        better = (index >= 0) & (value > best)
        best = np.where(better, value, best)
        argmax = np.where(better, index, argmax)
    return best.astype(x.dtype, copy=False), argmax.astype(Targmax)


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _batch_offsets(shape, include_batch_in_index, argmax):
    """argmax as indices into the flattened whole batch."""
    n, h, w, c = shape
    argmax = argmax.astype(np.int64)
    if include_batch_in_index:
        return argmax
    return argmax + (np.arange(n, dtype=np.int64) * h * w * c).reshape(n, 1, 1, 1)


def _grad_with_argmax_kernel(x, dy, argmax, *, ksize, strides, padding,
                             include_batch_in_index):
    index = _batch_offsets(x.shape, include_batch_in_index, argmax).ravel()
    if index.size and (index.min() < 0 or index.max() >= x.size):
        raise InvalidArgumentError(None, None, "Invalid argmax index in MaxPoolGradWithArgmax")
    dx = np.bincount(index, weights=dy.ravel(), minlength=x.size)
    return dx.astype(dy.dtype).reshape(x.shape)


def _grad_grad_with_argmax_kernel(x, ddx, argmax, *, ksize, strides, padding,
                                  include_batch_in_index):
    index = _batch_offsets(x.shape, include_batch_in_index, argmax)
    if index.size and (index.min() < 0 or index.max() >= x.size):
        raise InvalidArgumentError(None, None,
                                   "Invalid argmax index in MaxPoolGradGradWithArgmax")
    return ddx.ravel()[index]


def _grad_with_argmax_shape(op_type, output_like):
    def shape(x, grad, argmax, *, ksize, strides, padding, include_batch_in_index):
        _check(op_type, ksize, strides, padding)
        if not argmax.dtype.is_integer:
            raise TypeError(f"{op_type} requires an integer argmax, got {argmax.dtype.name}")
        pooled = _pooled_shape(op_type, x, ksize, strides, padding)
        return [(grad.dtype, pooled if output_like else x.shape)]
    return shape


def _argmax_attrs(op):
    return {k: op.attrs[k] for k in ("ksize", "strides", "padding", "include_batch_in_index")}


def _argmax_pool_grad(op, dy, dargmax):
    return [one(create_op("MaxPoolGradWithArgmax", [op.inputs[0], dy, op.outputs[1]],
                          **_argmax_attrs(op)))]


def _grad_with_argmax_grad(op, ddx):
    x, _, argmax = op.inputs
    return [array.zeros_like(x),
            one(create_op("MaxPoolGradGradWithArgmax", [x, ddx, argmax], **_argmax_attrs(op))),
            None]


def _grad_grad_with_argmax_grad(op, dd):
    x, _, argmax = op.inputs
    return [array.zeros_like(x),
            one(create_op("MaxPoolGradWithArgmax", [x, dd, argmax], **_argmax_attrs(op))),
            None]


register_op("MaxPoolWithArgmax", shape=_argmax_shape, kernel=_argmax_kernel,
            grad=_argmax_pool_grad)
register_op("MaxPoolGradWithArgmax", shape=_grad_with_argmax_shape("MaxPoolGradWithArgmax", False),
            kernel=_grad_with_argmax_kernel, grad=_grad_with_argmax_grad)
register_op("MaxPoolGradGradWithArgmax",
            shape=_grad_with_argmax_shape("MaxPoolGradGradWithArgmax", True),
            kernel=_grad_grad_with_argmax_kernel, grad=_grad_grad_with_argmax_grad)


# --- fractional pools ----------------------------------------------------------------------------
def pooling_sequence(rng, input_length, output_length, pseudo_random):
    """TF's cell boundaries [0, ..., input_length] cutting input_length into output_length
    cells of size floor(alpha) or floor(alpha) + 1 (alpha = input / output)."""
    if pseudo_random:
        alpha = input_length / output_length
        k = input_length // output_length
        u_max1 = (k + 2) / alpha - 1
        u_max2 = (input_length + 1 - k) / alpha - (output_length - 1)
        u = rng.random() * min(u_max1, u_max2)
        cum = [1] + [int(np.ceil(alpha * (i + u))) for i in range(1, output_length)]
        cum.append(input_length + 1)
        diff = np.diff(cum)
    else:
        k = input_length // output_length
        diff = np.full(output_length, k, dtype=np.int64)
        diff[:input_length % output_length] += 1
        rng.shuffle(diff)
    return np.concatenate([[0], np.cumsum(diff)]).astype(np.int64)


def _fractional_shape(op_type):
    def shape(x, *, pooling_ratio, pseudo_random, overlapping, deterministic, seed, seed2):
        if x.shape.ndims not in (None, 4):
            raise ValueError(f"{op_type} requires a 4-D input, got shape {x.shape}")
        if len(pooling_ratio) != 4 or pooling_ratio[0] != 1 or pooling_ratio[3] != 1:
            raise ValueError(f"{op_type} requires pooling_ratio of 4 values with 1 in the batch "
                             f"and depth dimensions, got {list(pooling_ratio)}")
        if min(pooling_ratio) < 1:
            raise ValueError(f"{op_type} requires pooling_ratio >= 1, got {list(pooling_ratio)}")
        dims = x.shape.as_list() if x.shape.ndims else [None] * 4
        out = [None if d is None else int(np.floor(d / r)) for d, r in zip(dims, pooling_ratio)]
        out[0], out[3] = dims[0], dims[3]
        rows, cols = (None if d is None else d + 1 for d in out[1:3])
        return [(x.dtype, TensorShape(out)), (dtypes.int64, TensorShape([rows])),
                (dtypes.int64, TensorShape([cols]))]
    return shape


def _cells(seq, length, overlapping):
    """(start, end) of each cell; overlapping cells share their boundary element."""
    ends = seq[1:] + (1 if overlapping else 0)
    return [(int(a), min(int(b), length)) for a, b in zip(seq[:-1], ends)]


def _fractional_pool(x, rows, cols, overlapping, reduce):
    out = np.empty((x.shape[0], len(rows) - 1, len(cols) - 1, x.shape[3]), dtype=x.dtype)
    for i, (r0, r1) in enumerate(_cells(rows, x.shape[1], overlapping)):
        for j, (c0, c1) in enumerate(_cells(cols, x.shape[2], overlapping)):
            out[:, i, j] = reduce(x[:, r0:r1, c0:c1], axis=(1, 2))
    return out


def _pool_seeds(state, name, seed, seed2, deterministic):
    """As TF: a fresh generator each run; a deterministic pool's from (seed, seed2), or from
    seeds drawn once per session when both are 0; other pools draw new seeds each run."""
    if (seed or seed2) and not deterministic:
        raise InvalidArgumentError(None, None, "Both seed and seed2 should be 0 if "
                                   "deterministic is false.")
    if seed or seed2:
        return [seed, seed2]
    fresh = state.random_generator(name, 0, 0).integers(1, 2 ** 62, size=2).tolist()
    if deterministic:
        return state.resources.setdefault(("fractional_pool_seeds", name), fresh)
    return fresh


def _fractional_kernel(reduce):
    def kernel(state, name, x, *, pooling_ratio, pseudo_random, overlapping, deterministic,
               seed, seed2):
        out_h = int(np.floor(x.shape[1] / pooling_ratio[1]))
        out_w = int(np.floor(x.shape[2] / pooling_ratio[2]))
        if out_h <= 0 or out_w <= 0:
            raise InvalidArgumentError(None, None, "outputs of a fractional pool must be "
                                       "non-empty; pooling_ratio is too large for the input")
        rng = np.random.default_rng(_pool_seeds(state, name, seed, seed2, deterministic))
        rows = pooling_sequence(rng, x.shape[1], out_h, pseudo_random)
        cols = pooling_sequence(rng, x.shape[2], out_w, pseudo_random)
        out = _fractional_pool(x, rows, cols, overlapping, reduce)
        if reduce is np.mean:
            out = out.astype(x.dtype)
        return out, rows, cols
    return kernel


def _fractional_max_grad_kernel(x, y, dy, rows, cols, *, overlapping):
    """Routes dy to the first maximum (row-major) of each cell."""
    dx = np.zeros(x.shape, dtype=dy.dtype)
    n, _, _, c = x.shape
    for i, (r0, r1) in enumerate(_cells(rows, x.shape[1], overlapping)):
        for j, (c0, c1) in enumerate(_cells(cols, x.shape[2], overlapping)):
            cell = x[:, r0:r1, c0:c1].reshape(n, -1, c)
            first = cell.argmax(axis=1)
            b, ch = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
            rr, cc = np.divmod(first, c1 - c0)
            np.add.at(dx, (b, r0 + rr, c0 + cc, ch), dy[:, i, j])
    return dx


def _fractional_avg_grad_kernel(sizes, dy, rows, cols, *, overlapping):
    shape = tuple(int(s) for s in sizes)
    dx = np.zeros(shape, dtype=dy.dtype)
    for i, (r0, r1) in enumerate(_cells(rows, shape[1], overlapping)):
        for j, (c0, c1) in enumerate(_cells(cols, shape[2], overlapping)):
            count = (r1 - r0) * (c1 - c0)
            dx[:, r0:r1, c0:c1] += (dy[:, i, j] / count)[:, None, None, :]
    return dx


def _fractional_max_grad_shape(x, y, dy, rows, cols, *, overlapping):
    return [(dy.dtype, x.shape)]


def _fractional_avg_grad_shape(sizes, dy, rows, cols, *, overlapping):
    return [(dy.dtype, partial_shape_from_tensor(sizes))]


def _fractional_max_grad(op, dy, drows, dcols):
    x = op.inputs[0]
    y, rows, cols = op.outputs
    return [one(create_op("FractionalMaxPoolGrad", [x, y, dy, rows, cols],
                          overlapping=op.attrs["overlapping"]))]


def _fractional_avg_grad(op, dy, drows, dcols):
    _, rows, cols = op.outputs
    return [one(create_op("FractionalAvgPoolGrad",
                          [array.cast(array.shape_tensor(op.inputs[0]), dtypes.int64), dy, rows,
                           cols], overlapping=op.attrs["overlapping"]))]


register_op("FractionalMaxPool", shape=_fractional_shape("FractionalMaxPool"),
            kernel=_fractional_kernel(np.max), stateful=True, grad=_fractional_max_grad)
register_op("FractionalAvgPool", shape=_fractional_shape("FractionalAvgPool"),
            kernel=_fractional_kernel(np.mean), stateful=True, grad=_fractional_avg_grad)
register_op("FractionalMaxPoolGrad", shape=_fractional_max_grad_shape,
            kernel=_fractional_max_grad_kernel, grad=NOT_DIFFERENTIABLE)
register_op("FractionalAvgPoolGrad", shape=_fractional_avg_grad_shape,
            kernel=_fractional_avg_grad_kernel, grad=NOT_DIFFERENTIABLE)


# --- public functions ----------------------------------------------------------------------------
def nhwc_four(values, name):
    """An int or a 1-, 2- or 4-sequence as the NHWC attribute list [1, h, w, 1]."""
    values = [int(v) for v in np.atleast_1d(values)]
    if len(values) == 1:
        values *= 2
    if len(values) == 2:
        return [1] + values + [1]
    if len(values) != 4:
        raise ValueError(f"{name} should be of length 1, 2 or 4, got {len(values)}")
    return values


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC",  # noqa: A002
                         Targmax=None, name=None, output_dtype=None,  # noqa: N803
                         include_batch_in_index=False):
    """(max_pool(input), flat index of each maximum): ((b * height + y) * width + x) *
    channels + c, the batch term only if include_batch_in_index."""
    if data_format != "NHWC":
        raise ValueError("Data formats other than 'NHWC' are not yet supported")
    argmax_dtype = dtypes.as_dtype(output_dtype or Targmax or dtypes.int64)
    x = convert_to_tensor(input)
    op = create_op("MaxPoolWithArgmax", [x], name=name or "MaxPoolWithArgmax",
                   ksize=nhwc_four(ksize, "ksize"), strides=nhwc_four(strides, "strides"),
                   Targmax=argmax_dtype, padding=padding.upper(),
                   include_batch_in_index=bool(include_batch_in_index))
    return tuple(op.outputs)


def _fractional(op_type, value, pooling_ratio, pseudo_random, overlapping, deterministic, seed,
                seed2, name):
    ratio = [float(r) for r in np.atleast_1d(pooling_ratio)]
    if len(ratio) == 2:
        ratio = [1.0] + ratio + [1.0]
    op = create_op(op_type, [convert_to_tensor(value)], name=name or op_type,
                   pooling_ratio=ratio, pseudo_random=bool(pseudo_random),
                   overlapping=bool(overlapping), deterministic=bool(deterministic),
                   seed=int(seed or 0), seed2=int(seed2 or 0))
    return tuple(op.outputs)


def fractional_max_pool(value, pooling_ratio, pseudo_random=False, overlapping=False,
                        deterministic=False, seed=0, seed2=0, name=None):
    """Max pooling over cells of fractional average size pooling_ratio (Graham, 2015):
    (output, row_pooling_sequence, col_pooling_sequence)."""
    return _fractional("FractionalMaxPool", value, pooling_ratio, pseudo_random, overlapping,
                       deterministic, seed, seed2, name)


def fractional_avg_pool(value, pooling_ratio, pseudo_random=False, overlapping=False,
                        deterministic=False, seed=0, seed2=0, name=None):
    """Average pooling over cells of fractional average size pooling_ratio: (output,
    row_pooling_sequence, col_pooling_sequence)."""
    return _fractional("FractionalAvgPool", value, pooling_ratio, pseudo_random, overlapping,
                       deterministic, seed, seed2, name)
