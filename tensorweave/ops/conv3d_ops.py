"""3-D convolution and pooling ops (tf.nn.conv3d, max_pool3d, avg_pool3d and their gradients).

Kernels work on NDHWC arrays (NCDHW is transposed on the way in and out). As in conv_ops, a
convolution gathers its windows into columns and does one matrix product, its input gradient
scatters columns back with one strided add per kernel tap, and pooling loops over kernel taps
with whole-array operations.
"""
import itertools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tensorweave.core.graph import create_op
from tensorweave.core.registry import register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array
from tensorweave.ops._common import one
from tensorweave.ops.conv_ops import avg_pool_gradients, max_pool_gradients, output_size
from tensorweave.ops.conv_ops import pool_grad_shape, ranked_dims, sizes_dims

_SPATIAL = 3


# --- geometry ----------------------------------------------------------------------------------
def _spatial(values, data_format):
    """The (depth, height, width) entries of a 5-element NDHWC or NCDHW attribute."""
    return tuple(values[2:]) if data_format == "NCDHW" else tuple(values[1:4])


def to_last(x, data_format):
    return x.transpose(0, 2, 3, 4, 1) if data_format == "NCDHW" else x


def from_last(x, data_format):
    return x.transpose(0, 4, 1, 2, 3) if data_format == "NCDHW" else x


def last_dims(dims, data_format):
    """NDHWC dims from dims laid out in `data_format`."""
    dims = tuple(dims)
    return (dims[0],) + dims[2:] + (dims[1],) if data_format == "NCDHW" else dims


def _layout(dims, data_format):
    """A TensorShape from NDHWC `dims` laid out in `data_format`."""
    dims = tuple(dims)
    return TensorShape((dims[0], dims[4]) + dims[1:4] if data_format == "NCDHW" else dims)


def _strided(start, count, step):
    return slice(start, start + (count - 1) * step + 1 if count else start, step)


class Window3D:
    """A kd x kh x kw window sliding over an NDHWC volume: output sizes, padding, taps."""

    def __init__(self, in_dhw, k_dhw, attrs):
        fmt = attrs["data_format"]
        self.k = tuple(int(k) for k in k_dhw)
        self.s = _spatial(attrs["strides"], fmt)
        self.d = _spatial(attrs["dilations"], fmt) if "dilations" in attrs else (1,) * 3
        geometry = [output_size(size, k, s, d, attrs["padding"])
                    for size, k, s, d in zip(in_dhw, self.k, self.s, self.d)]
        self.out = tuple(g[0] for g in geometry)
        self.pads = tuple((g[1], g[2]) for g in geometry)
        if min(self.out) < 0:
            raise ValueError(f"Computed output size would be negative: input {tuple(in_dhw)}, "
                             f"window {self.k}")

    def padded(self, x, fill=0):
        if not any(a or b for a, b in self.pads):
            return x
        return np.pad(x, ((0, 0),) + self.pads + ((0, 0),), constant_values=fill)

    def cropped(self, xp, dhw):
        return xp[(slice(None),) + tuple(slice(a, a + n) for (a, _), n in zip(self.pads, dhw))]

    def padded_zeros(self, n, dhw, c, dtype):
        return np.zeros((n,) + tuple(s + a + b for s, (a, b) in zip(dhw, self.pads)) + (c,),
                        dtype=dtype)

    def taps(self):
        """(tap index, slices of the padded volume the tap reads)."""
        ranges = [range(k) for k in self.k]
        for tap in itertools.product(*ranges):
            yield tap, tuple(_strided(t * d, o, s)
                             for t, d, o, s in zip(tap, self.d, self.out, self.s))

    def column_matrix(self, xp):
        """The windows of padded volume `xp` as a [N*OD*OH*OW, KD*KH*KW*C] matrix."""
        spans = tuple((k - 1) * d + 1 for k, d in zip(self.k, self.d))
        view = sliding_window_view(xp, spans, axis=(1, 2, 3))
        view = view[(slice(None),) + tuple(_strided(0, o, s) for o, s in zip(self.out, self.s))
                    + (slice(None),) + tuple(slice(None, None, d) for d in self.d)]
        view = view.transpose(0, 1, 2, 3, 5, 6, 7, 4)
        return view.reshape(-1, int(np.prod(self.k)) * xp.shape[4])

    def scatter(self, dcols, shape):
        """The adjoint of column_matrix: dcols [N, OD, OH, OW, KD, KH, KW, C] summed into an
        NDHWC volume of `shape`."""
        n, c = shape[0], shape[4]
        dxp = self.padded_zeros(n, shape[1:4], c, dcols.dtype)
        for tap, where in self.taps():
            dxp[(slice(None),) + where] += dcols[(slice(None),) * 4 + tap]
        return self.cropped(dxp, shape[1:4])


# --- shape rules -------------------------------------------------------------------------------
def _check_float(op_type, *tensors):
    dtype = tensors[0].dtype
    if not dtype.is_floating:
        raise TypeError(f"{op_type} requires floating point inputs, got {dtype.name}")
    for t in tensors[1:]:
        if t.dtype is not dtype:
            raise TypeError(f"{op_type} requires inputs of one dtype, got {dtype.name} and "
                            f"{t.dtype.name}")


def _check_five(op_type, attrs, names):
    fmt = attrs["data_format"]
    if fmt not in ("NDHWC", "NCDHW"):
        raise ValueError(f"{op_type} requires data_format 'NDHWC' or 'NCDHW', got {fmt!r}")
    batch, channel = (0, 1) if fmt == "NCDHW" else (0, 4)
    for name in names:
        values = attrs.get(name)
        if values is None:
            continue
        if len(values) != 5:
            raise ValueError(f"{op_type} requires {name} of 5 values, got {list(values)}")
        if values[batch] != 1 or values[channel] != 1:
            raise ValueError(f"{op_type} requires {name} of 1 in the batch and depth "
                             f"dimensions, got {list(values)}")
    if attrs["padding"] not in ("SAME", "VALID"):
        raise ValueError(f"{op_type} requires padding 'SAME' or 'VALID', got "
                         f"{attrs['padding']!r}")


def _volume_dims(op_type, what, t, data_format):
    return last_dims(ranked_dims(op_type, what, t, 5), data_format)


def _filter_dims(op_type, w):
    return ranked_dims(op_type, "filter", w, 5)


def _static_out(op_type, in_dhw, k_dhw, attrs):
    fmt = attrs["data_format"]
    strides = _spatial(attrs["strides"], fmt)
    dilations = _spatial(attrs["dilations"], fmt) if "dilations" in attrs else (1,) * 3
    out = []
    for size, k, s, d in zip(in_dhw, k_dhw, strides, dilations):
        if size is None or k is None:
            out.append(None)
            continue
        o = output_size(size, k, s, d, attrs["padding"])[0]
        if o < 0:
            raise ValueError(f"{op_type} requires a window that fits the input, got an input "
                             f"of size {size} and a window spanning {(k - 1) * d + 1}")
        out.append(o)
    return tuple(out)


def _same(a, b):
    return a is None or b is None or a == b


def _conv_out_dims(op_type, x_dims, w_dims, attrs):
    if not _same(x_dims[4], w_dims[3]):
        raise ValueError(f"{op_type} requires input depth equal to the filter's in_channels, "
                         f"got {x_dims[4]} and {w_dims[3]}")
    return (x_dims[0],) + _static_out(op_type, x_dims[1:4], w_dims[:3], attrs) + (w_dims[4],)


_CONV_ATTRS = ("strides", "dilations")


def _conv3d_shape(x, w, **attrs):
    _check_float("Conv3D", x, w)
    _check_five("Conv3D", attrs, _CONV_ATTRS)
    fmt = attrs["data_format"]
    dims = _conv_out_dims("Conv3D", _volume_dims("Conv3D", "input", x, fmt),
                          _filter_dims("Conv3D", w), attrs)
    return [(x.dtype, _layout(dims, fmt))]


def _check_dy(op_type, expected, dy, fmt):
    got = _volume_dims(op_type, "out_backprop", dy, fmt)
    if not all(_same(a, b) for a, b in zip(expected, got)):
        raise ValueError(f"{op_type} requires out_backprop of shape {_layout(expected, fmt)}, "
                         f"got {dy.shape}")


def _backprop_input_shape(sizes, w, dy, **attrs):
    op_type = "Conv3DBackpropInputV2"
    _check_float(op_type, w, dy)
    _check_five(op_type, attrs, _CONV_ATTRS)
    fmt = attrs["data_format"]
    layout = sizes_dims(op_type, sizes, 5)
    expected = _conv_out_dims(op_type, last_dims(layout, fmt), _filter_dims(op_type, w), attrs)
    _check_dy(op_type, expected, dy, fmt)
    return [(w.dtype, TensorShape(layout))]


def _backprop_filter_shape(x, sizes, dy, **attrs):
    op_type = "Conv3DBackpropFilterV2"
    _check_float(op_type, x, dy)
    _check_five(op_type, attrs, _CONV_ATTRS)
    fmt = attrs["data_format"]
    w_dims = sizes_dims(op_type, sizes, 5)
    expected = _conv_out_dims(op_type, _volume_dims(op_type, "input", x, fmt), w_dims, attrs)
    _check_dy(op_type, expected, dy, fmt)
    return [(x.dtype, TensorShape(w_dims))]


# --- Conv3D kernels ------------------------------------------------------------------------------
def _check_out_backprop(dy, n, win, channels):
    if dy.shape != (n,) + win.out + (channels,):
        raise ValueError(f"out_backprop has shape {dy.shape} (NDHWC) but the convolution gives "
                         f"{(n,) + win.out + (channels,)}")


COLUMNS_BUDGET = 1 << 24  # column-matrix elements at a time: bounds a convolution's memory


def _batch_parts(n, win, depth):
    """Slices of the batch, each small enough that its columns fit the budget."""
    per_item = max(int(np.prod(win.out)) * int(np.prod(win.k)) * depth, 1)
    step = max(COLUMNS_BUDGET // per_item, 1)
    return [slice(i, min(i + step, n)) for i in range(0, n, step)]


def _conv3d_kernel(x, w, **attrs):
    fmt = attrs["data_format"]
    x = to_last(x, fmt)
    win = Window3D(x.shape[1:4], w.shape[:3], attrs)
    out_c = w.shape[4]
    w2d = w.reshape(-1, out_c)
    out = np.empty((x.shape[0],) + win.out + (out_c,), dtype=x.dtype)
    for part in _batch_parts(x.shape[0], win, x.shape[4]):
        cols = win.column_matrix(win.padded(x[part]))
        out[part] = np.matmul(cols, w2d).reshape(out[part].shape)
    return from_last(out, fmt)


def _conv3d_backprop_input_kernel(sizes, w, dy, **attrs):
    fmt = attrs["data_format"]
    shape = last_dims([int(s) for s in sizes], fmt)
    dy = to_last(dy, fmt)
    win = Window3D(shape[1:4], w.shape[:3], attrs)
    out_c = w.shape[4]
    _check_out_backprop(dy, shape[0], win, out_c)
    w2d_t = w.reshape(-1, out_c).T
    dx = np.empty(shape, dtype=dy.dtype)
    for part in _batch_parts(shape[0], win, shape[4]):
        dcols = np.matmul(dy[part].reshape(-1, out_c), w2d_t)
        count = dx[part].shape[0]
        dcols = dcols.reshape((count,) + win.out + w.shape[:4])
        dx[part] = win.scatter(dcols, (count,) + tuple(shape[1:]))
    return from_last(dx, fmt)


def _conv3d_backprop_filter_kernel(x, sizes, dy, **attrs):
    fmt = attrs["data_format"]
    x, dy = to_last(x, fmt), to_last(dy, fmt)
    w_shape = tuple(int(s) for s in sizes)
    win = Window3D(x.shape[1:4], w_shape[:3], attrs)
    _check_out_backprop(dy, x.shape[0], win, w_shape[4])
    dw = np.zeros((int(np.prod(w_shape[:4])), w_shape[4]), dtype=x.dtype)
    for part in _batch_parts(x.shape[0], win, x.shape[4]):
        cols = win.column_matrix(win.padded(x[part]))
        dw += np.matmul(cols.T, dy[part].reshape(-1, w_shape[4]))
    return dw.reshape(w_shape)


_CONV3D = ("Conv3D", "Conv3DBackpropInputV2", "Conv3DBackpropFilterV2")


def _make(op_type, inputs, op):
    return one(create_op(op_type, inputs, **op.attrs))


def _conv3d_grad(op, dy):
    x, w = op.inputs
    return [_make(_CONV3D[1], [array.shape_tensor(x), w, dy], op),
            _make(_CONV3D[2], [x, array.shape_tensor(w), dy], op)]


def _backprop_input_grad(op, ddx):
    _, w, dy = op.inputs
    return [None, _make(_CONV3D[2], [ddx, array.shape_tensor(w), dy], op),
            _make(_CONV3D[0], [ddx, w], op)]


def _backprop_filter_grad(op, ddw):
    x, _, dy = op.inputs
    return [_make(_CONV3D[1], [array.shape_tensor(x), ddw, dy], op), None,
            _make(_CONV3D[0], [x, ddw], op)]


register_op("Conv3D", shape=_conv3d_shape, kernel=_conv3d_kernel, grad=_conv3d_grad)
register_op("Conv3DBackpropInputV2", shape=_backprop_input_shape,
            kernel=_conv3d_backprop_input_kernel, grad=_backprop_input_grad)
register_op("Conv3DBackpropFilterV2", shape=_backprop_filter_shape,
            kernel=_conv3d_backprop_filter_kernel, grad=_backprop_filter_grad)


# --- pooling -------------------------------------------------------------------------------------
_POOL_ATTRS = ("ksize", "strides")


def _pool3d_shape(op_type):
    def shape(x, **attrs):
        if not x.dtype.is_floating:
            raise TypeError(f"{op_type} requires a floating point input, got {x.dtype.name}")
        _check_five(op_type, attrs, _POOL_ATTRS)
        fmt = attrs["data_format"]
        dims = _volume_dims(op_type, "input", x, fmt)
        out = _static_out(op_type, dims[1:4], _spatial(attrs["ksize"], fmt), attrs)
        return [(x.dtype, _layout((dims[0],) + out + (dims[4],), fmt))]
    return shape


def _pool_window(x_last, attrs):
    return Window3D(x_last.shape[1:4], _spatial(attrs["ksize"], attrs["data_format"]), attrs)


def _max_pool3d_kernel(x, **attrs):
    fmt = attrs["data_format"]
    x = to_last(x, fmt)
    win = _pool_window(x, attrs)
    xp = win.padded(x, -np.inf)
    out = None
    for _, where in win.taps():
        part = xp[(slice(None),) + where]
        out = part.copy() if out is None else np.maximum(out, part, out=out)
    return from_last(out, fmt)


def _max_taps(xp, y, win):
    """For each tap, where the window's maximum `y` is first found (row-major order)."""
    taken = np.zeros(y.shape, dtype=bool)
    for _, where in win.taps():
        hit = xp[(slice(None),) + where] == y
        hit &= ~taken
        taken |= hit
        yield where, hit


def _max_pool3d_grad_kernel(x, y, dy, **attrs):
    """Routes dy to the first element (row-major) equal to its window's maximum."""
    fmt = attrs["data_format"]
    x, y, dy = to_last(x, fmt), to_last(y, fmt), to_last(dy, fmt)
    win = _pool_window(x, attrs)
    xp = win.padded(x, -np.inf)
    dxp = np.zeros(xp.shape, dtype=dy.dtype)
    for where, hit in _max_taps(xp, y, win):
        dxp[(slice(None),) + where] += np.where(hit, dy, 0)
    return from_last(np.ascontiguousarray(win.cropped(dxp, x.shape[1:4])), fmt)


def _max_pool3d_grad_grad_kernel(x, y, ddx, **attrs):
    fmt = attrs["data_format"]
    x, y, ddx = to_last(x, fmt), to_last(y, fmt), to_last(ddx, fmt)
    win = _pool_window(x, attrs)
    xp, ddxp = win.padded(x, -np.inf), win.padded(ddx)
    out = np.zeros(y.shape, dtype=ddx.dtype)
    for where, hit in _max_taps(xp, y, win):
        np.copyto(out, ddxp[(slice(None),) + where], where=hit)
    return from_last(out, fmt)


def _avg_divisor(win, dhw):
    """How many real (unpadded) elements each window covers."""
    counts = []
    for out, stride, (before, _), k, size in zip(win.out, win.s, win.pads, win.k, dhw):
        starts = np.arange(out) * stride - before
        counts.append(np.minimum(starts + k, size) - np.maximum(starts, 0))
    total = np.multiply.outer(np.multiply.outer(counts[0], counts[1]), counts[2])
    return total[None, ..., None]


def _avg_pool3d_kernel(x, **attrs):
    fmt = attrs["data_format"]
    x = to_last(x, fmt)
    win = _pool_window(x, attrs)
    xp = win.padded(x)
    total = np.zeros((x.shape[0],) + win.out + (x.shape[4],), dtype=x.dtype)
    for _, where in win.taps():
        total += xp[(slice(None),) + where]
    total /= _avg_divisor(win, x.shape[1:4]).astype(x.dtype)
    return from_last(total, fmt)


def _avg_pool3d_grad_kernel(sizes, dy, **attrs):
    fmt = attrs["data_format"]
    shape = last_dims([int(s) for s in sizes], fmt)
    dy = to_last(dy, fmt)
    win = Window3D(shape[1:4], _spatial(attrs["ksize"], fmt), attrs)
    share = dy / _avg_divisor(win, shape[1:4]).astype(dy.dtype)
    dxp = win.padded_zeros(shape[0], shape[1:4], shape[4], dy.dtype)
    for _, where in win.taps():
        dxp[(slice(None),) + where] += share
    return from_last(np.ascontiguousarray(win.cropped(dxp, shape[1:4])), fmt)


_max_pool3d_grad, _max_pool3d_grad_grad, _max_pool3d_grad_grad_grad = max_pool_gradients(
    "MaxPool3DGrad", "MaxPool3DGradGrad")
_avg_pool3d_grad, _avg_pool3d_grad_grad = avg_pool_gradients("AvgPool3D", "AvgPool3DGrad")


def _check_pool_attrs(op_type, attrs):
    _check_five(op_type, attrs, _POOL_ATTRS)


def _avg_pool3d_grad_shape(sizes, dy, **attrs):
    _check_five("AvgPool3DGrad", attrs, _POOL_ATTRS)
    return [(dy.dtype, TensorShape(sizes_dims("AvgPool3DGrad", sizes, 5)))]


register_op("MaxPool3D", shape=_pool3d_shape("MaxPool3D"), kernel=_max_pool3d_kernel,
            grad=_max_pool3d_grad)
register_op("MaxPool3DGrad", shape=pool_grad_shape("MaxPool3DGrad", 0, _check_pool_attrs),
            kernel=_max_pool3d_grad_kernel, grad=_max_pool3d_grad_grad)
register_op("MaxPool3DGradGrad", shape=pool_grad_shape("MaxPool3DGradGrad", 1,
                                                          _check_pool_attrs),
            kernel=_max_pool3d_grad_grad_kernel, grad=_max_pool3d_grad_grad_grad)
register_op("AvgPool3D", shape=_pool3d_shape("AvgPool3D"), kernel=_avg_pool3d_kernel,
            grad=_avg_pool3d_grad)
register_op("AvgPool3DGrad", shape=_avg_pool3d_grad_shape, kernel=_avg_pool3d_grad_kernel,
            grad=_avg_pool3d_grad_grad)
