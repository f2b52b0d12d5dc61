"""Convolution and pooling ops (tf.nn.conv2d, depthwise_conv2d, max_pool, avg_pool, ...).

Every kernel works on NHWC arrays (NCHW is transposed on the way in and out). A kernel's
window geometry (output size and TF's padding, SAME padding putting the odd pixel after) comes
from `Window`; convolutions gather the windows into columns (im2col) and do one matrix
product; their input gradients scatter columns back with one strided add per kernel tap;
pooling loops over kernel taps with whole-array operations. No loop runs over pixels.

MaxPoolGrad of windows that tile the image routes gradients by one comparison
(`_tiled_max_pool_grad`). runtime/accel/spectral_conv.py runs stride-1 convolutions through
the DFT where that needs fewer multiply-adds.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.constants import partial_shape_from_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.operation import Tensor
from tensorweave.core.registry import register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array
from tensorweave.ops._common import one


# --- geometry ----------------------------------------------------------------------------------
def output_size(size, k, stride, dilation, padding, pads=(0, 0)):
    """(output size, padding before, padding after) of one spatial dimension, TF's rules.

    SAME: ceil(size / stride) outputs, the total padding split with the extra pixel after.
    VALID: only windows that fit. EXPLICIT: `pads` as given. The size is negative if no window
    fits; shape rules report that.
    """
    span = (k - 1) * dilation + 1
    if padding == "SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + span - size, 0)
        return out, total // 2, total - total // 2
    before, after = pads if padding == "EXPLICIT" else (0, 0)
    return (size + before + after - span) // stride + 1, before, after


def _hw(values, data_format):
    """The (height, width) entries of a 4-element NHWC or NCHW attribute."""
    return (values[2], values[3]) if data_format == "NCHW" else (values[1], values[2])


def _explicit_hw(explicit_paddings, data_format):
    """((top, bottom), (left, right)) from TF's 8-element explicit_paddings attribute."""
    if not explicit_paddings:
        return (0, 0), (0, 0)
    pairs = [tuple(explicit_paddings[i:i + 2]) for i in range(0, 8, 2)]
    return _hw(pairs, data_format)


class Window:
    """A kh x kw window sliding over an NHWC image: output size, padding and kernel taps."""

    __slots__ = ("kh", "kw", "sh", "sw", "dh", "dw", "oh", "ow", "top", "bottom", "left",
                 "right")

    def __init__(self, in_hw, k_hw, attrs):
        self.kh, self.kw = k_hw
        fmt = attrs.get("data_format", "NHWC")
        self.sh, self.sw = _hw(attrs["strides"], fmt)
        self.dh, self.dw = _hw(attrs["dilations"], fmt) if "dilations" in attrs else (1, 1)
        pads_h, pads_w = _explicit_hw(attrs.get("explicit_paddings"), fmt)
        padding = attrs["padding"]
        self.oh, self.top, self.bottom = output_size(in_hw[0], self.kh, self.sh, self.dh,
                                                     padding, pads_h)
        self.ow, self.left, self.right = output_size(in_hw[1], self.kw, self.sw, self.dw,
                                                     padding, pads_w)
        if self.oh < 0 or self.ow < 0:
            raise ValueError(f"Computed output size would be negative: input {in_hw}, window "
                             f"{k_hw}")

    def padded(self, x, fill=0):
        """`x` with the window's padding around its spatial dimensions."""
        if not (self.top or self.bottom or self.left or self.right):
            return x
        n, h, w, c = x.shape
        out = np.full((n, h + self.top + self.bottom, w + self.left + self.right, c), fill,
                      dtype=x.dtype)
        out[:, self.top:self.top + h, self.left:self.left + w] = x
        return out

    def cropped(self, xp, h, w):
        """The inverse of `padded` (a view)."""
        return xp[:, self.top:self.top + h, self.left:self.left + w]

    def taps(self):
        """(i, j, rows, cols): for kernel tap (i, j), the slices of the padded image it reads."""
        for i in range(self.kh):
            rows = _strided(i * self.dh, self.oh, self.sh)
            for j in range(self.kw):
                yield i, j, rows, _strided(j * self.dw, self.ow, self.sw)

    def columns(self, xp):
        """The windows of padded image `xp` as a view [N, OH, OW, KH, KW, C] (no copy)."""
        span = ((self.kh - 1) * self.dh + 1, (self.kw - 1) * self.dw + 1)
        view = sliding_window_view(xp, span, axis=(1, 2))
        view = view[:, _strided(0, self.oh, self.sh), _strided(0, self.ow, self.sw), :,
                    ::self.dh, ::self.dw]
        return view.transpose(0, 1, 2, 4, 5, 3)

    def column_matrix(self, xp):
        """The windows of padded image `xp` as a [N*OH*OW, KH*KW*C] matrix (a copy). With one
        channel it is gathered tap by tap, contiguous rows at a time, and returned as the
        transpose of a [KH*KW, N*OH*OW] array (3-5x faster there; matmul takes either)."""
        view = self.columns(xp)
        depth = self.kh * self.kw * xp.shape[3]
        if xp.shape[3] > 1:
            return view.reshape(-1, depth)
        return np.ascontiguousarray(view.transpose(3, 4, 5, 0, 1, 2)).reshape(depth, -1).T

    def scatter(self, dcols, shape):
        """The adjoint of `columns`: sums dcols [N, OH, OW, KH, KW, C] into an image of NHWC
        `shape` (one strided add per kernel tap)."""
        n, h, w, c = shape
        dxp = np.zeros((n, h + self.top + self.bottom, w + self.left + self.right, c),
                       dtype=dcols.dtype)
        for i, j, rows, cols in self.taps():
            dxp[:, rows, cols] += dcols[:, :, :, i, j]
        return self.cropped(dxp, h, w)


def _strided(start, count, step):
    """The slice of `count` indices from `start`, `step` apart."""
    return slice(start, start + (count - 1) * step + 1 if count else start, step)


def to_nhwc(x, data_format):
    return x.transpose(0, 2, 3, 1) if data_format == "NCHW" else x


def from_nhwc(x, data_format):
    return x.transpose(0, 3, 1, 2) if data_format == "NCHW" else x


def nhwc_shape(shape, data_format):
    n, a, b, c = shape
    return (n, b, c, a) if data_format == "NCHW" else (n, a, b, c)


def _layout(dims, data_format):
    """A TensorShape from NHWC `dims` laid out in `data_format`."""
    n, h, w, c = dims
    return TensorShape([n, c, h, w] if data_format == "NCHW" else [n, h, w, c])


# --- shape rules -------------------------------------------------------------------------------
def _check_float(op_type, *tensors):
    dtype = tensors[0].dtype
    if not dtype.is_floating:
        raise TypeError(f"{op_type} requires floating point inputs, got {dtype.name}")
    for t in tensors[1:]:
        if t.dtype is not dtype:
            raise TypeError(f"{op_type} requires inputs of one dtype, got {dtype.name} and "
                            f"{t.dtype.name}")


def ranked_dims(op_type, what, t, rank):
    """The static dims (ints or None) of tensor `t`, all None when its rank is unknown;
    ValueError naming `op_type` unless `t` has rank `rank`."""
    if t.shape.ndims is None:
        return (None,) * rank
    if t.shape.ndims != rank:
        raise ValueError(f"{op_type} requires a {rank}-D {what}, got shape {t.shape}")
    return t.shape.as_tuple()


def sizes_dims(op_type, sizes, rank):
    """The values of the shape vector `sizes` known at build time (None elsewhere; all None
    when its length is unknown); ValueError naming `op_type` unless it has `rank` values."""
    shape = partial_shape_from_tensor(sizes)
    if shape.ndims is None:
        return (None,) * rank
    if shape.ndims != rank:
        raise ValueError(f"{op_type} requires {rank} sizes, got {shape}")
    return shape.as_tuple()


def _image_dims(op_type, what, t, data_format):
    """NHWC dims (ints or None) of 4-D tensor `t`; ValueError if its rank is not 4."""
    return nhwc_shape(ranked_dims(op_type, what, t, 4), data_format)


def _filter_dims(op_type, w):
    return ranked_dims(op_type, "filter", w, 4)


def _static_window(op_type, in_hw, k_hw, attrs):
    """Static (OH, OW) of a window over in_hw; None where unknown."""
    fmt = attrs.get("data_format", "NHWC")
    strides = _hw(attrs["strides"], fmt)
    dilations = _hw(attrs["dilations"], fmt) if "dilations" in attrs else (1, 1)
    pads = _explicit_hw(attrs.get("explicit_paddings"), fmt)
    out = []
    for size, k, s, d, p in zip(in_hw, k_hw, strides, dilations, pads):
        if size is None or k is None:
            out.append(None)
            continue
        o = output_size(size, k, s, d, attrs["padding"], p)[0]
        if o < 0:
            raise ValueError(f"{op_type} requires a window that fits the input, got an input of "
                             f"size {size} and a window spanning {(k - 1) * d + 1} (negative "
                             f"output size)")
        out.append(o)
    return tuple(out)


def _same(a, b):
    return a is None or b is None or a == b


def _conv_out_dims(op_type, x_dims, w_dims, attrs, depthwise):
    """NHWC dims of a convolution's output from NHWC input dims and filter dims."""
    n, h, w, c = x_dims
    kh, kw, w_in, w_out = w_dims
    if not _same(c, w_in):
        raise ValueError(f"{op_type} requires input depth equal to the filter's in_channels, "
                         f"got {c} and {w_in}")
    out_c = w_out
    if depthwise:  # every input channel gives `multiplier` output channels
        depth = c if c is not None else w_in
        out_c = None if depth is None or w_out is None else depth * w_out
    return (n,) + _static_window(op_type, (h, w), (kh, kw), attrs) + (out_c,)


def _conv_shape(op_type, depthwise):
    def shape(x, w, **attrs):
        _check_float(op_type, x, w)
        fmt = attrs["data_format"]
        dims = _conv_out_dims(op_type, _image_dims(op_type, "input", x, fmt),
                              _filter_dims(op_type, w), attrs, depthwise)
        return [(x.dtype, _layout(dims, fmt))]
    return shape


def _backprop_input_shape(op_type, depthwise):
    def shape(sizes, w, dy, **attrs):
        _check_float(op_type, w, dy)
        fmt = attrs["data_format"]
        layout = sizes_dims(op_type, sizes, 4)
        x_dims = nhwc_shape(layout, fmt)
        dy_dims = _image_dims(op_type, "out_backprop", dy, fmt)
        expected = _conv_out_dims(op_type, x_dims, _filter_dims(op_type, w), attrs, depthwise)
        if not all(_same(a, b) for a, b in zip(expected, dy_dims)):
            raise ValueError(f"{op_type} requires out_backprop of shape "
                             f"{_layout(expected, fmt)} for input sizes {list(layout)}, got "
                             f"{dy.shape}")
        return [(w.dtype, TensorShape(layout))]
    return shape


def _backprop_filter_shape(op_type, depthwise):
    def shape(x, sizes, dy, **attrs):
        _check_float(op_type, x, dy)
        fmt = attrs["data_format"]
        w_dims = sizes_dims(op_type, sizes, 4)
        expected = _conv_out_dims(op_type, _image_dims(op_type, "input", x, fmt), w_dims,
                                  attrs, depthwise)
        dy_dims = _image_dims(op_type, "out_backprop", dy, fmt)
        if not all(_same(a, b) for a, b in zip(expected, dy_dims)):
            raise ValueError(f"{op_type} requires out_backprop of shape "
                             f"{_layout(expected, fmt)}, got {dy.shape}")
        return [(x.dtype, TensorShape(w_dims))]
    return shape


# --- Conv2D kernels ----------------------------------------------------------------------------
_COLUMNS_BUDGET = 1 << 24  # im2col elements at a time: bounds the memory one convolution takes


def _batch_parts(n, win, depth):
    """Slices of the batch, each small enough that its columns fit the budget."""
    per_image = max(win.oh * win.ow * win.kh * win.kw * depth, 1)
    step = max(_COLUMNS_BUDGET // per_image, 1)
    return [slice(i, min(i + step, n)) for i in range(0, n, step)]


def _conv2d_kernel(x, w, **attrs):
    fmt = attrs["data_format"]
    x = to_nhwc(x, fmt)
    n, h, wd, c = x.shape
    kh, kw, _, out_c = w.shape
    win = Window((h, wd), (kh, kw), attrs)
    w2d = w.reshape(kh * kw * c, out_c)
    out = np.empty((n, win.oh, win.ow, out_c), dtype=x.dtype)
    for part in _batch_parts(n, win, c):
        np.matmul(win.column_matrix(win.padded(x[part])), w2d,
                  out=out[part].reshape(-1, out_c))
    return from_nhwc(out, fmt)


def _conv2d_backprop_input_kernel(sizes, w, dy, **attrs):
    fmt = attrs["data_format"]
    n, h, wd, c = nhwc_shape(tuple(int(s) for s in sizes), fmt)
    dy = to_nhwc(dy, fmt)
    kh, kw, _, out_c = w.shape
    win = Window((h, wd), (kh, kw), attrs)
    check_out_backprop(dy, n, win, out_c)
    w2d_t = w.reshape(kh * kw * c, out_c).T
    dx = np.empty((n, h, wd, c), dtype=dy.dtype)
    for part in _batch_parts(n, win, c):
        dcols = np.matmul(dy[part].reshape(-1, out_c), w2d_t)
        dx[part] = win.scatter(dcols.reshape(-1, win.oh, win.ow, kh, kw, c),
                               (dx[part].shape[0], h, wd, c))
    return from_nhwc(dx, fmt)


def _conv2d_backprop_filter_kernel(x, sizes, dy, **attrs):
    fmt = attrs["data_format"]
    x, dy = to_nhwc(x, fmt), to_nhwc(dy, fmt)
    n, h, wd, c = x.shape
    kh, kw, _, out_c = (int(s) for s in sizes)
    win = Window((h, wd), (kh, kw), attrs)
    check_out_backprop(dy, n, win, out_c)
    dw = np.zeros((kh * kw * c, out_c), dtype=x.dtype)
    for part in _batch_parts(n, win, c):
        cols = win.column_matrix(win.padded(x[part]))
        dw += np.matmul(cols.T, dy[part].reshape(-1, out_c))
    return dw.reshape(kh, kw, c, out_c)


def check_out_backprop(dy, n, win, channels):
    if dy.shape != (n, win.oh, win.ow, channels):
        raise ValueError(f"out_backprop has shape {dy.shape} (NHWC) but the convolution "
                         f"gives {(n, win.oh, win.ow, channels)}")


# --- depthwise kernels: out[..., c * M + m] = sum over taps of x[..., c] * w[i, j, c, m] -------
def _depthwise_kernel(x, w, **attrs):
    fmt = attrs["data_format"]
    x = to_nhwc(x, fmt)
    n, h, wd, c = x.shape
    kh, kw, _, mult = w.shape
    win = Window((h, wd), (kh, kw), attrs)
    cols = win.columns(win.padded(x)).reshape(-1, kh * kw, c).transpose(2, 0, 1)  # C, P, K
    out = np.matmul(cols, w.reshape(kh * kw, c, mult).transpose(1, 0, 2))  # C, P, M
    return from_nhwc(out.transpose(1, 0, 2).reshape(n, win.oh, win.ow, c * mult), fmt)


def _depthwise_backprop_input_kernel(sizes, w, dy, **attrs):
    fmt = attrs["data_format"]
    n, h, wd, c = nhwc_shape(tuple(int(s) for s in sizes), fmt)
    dy = to_nhwc(dy, fmt)
    kh, kw, _, mult = w.shape
    win = Window((h, wd), (kh, kw), attrs)
    check_out_backprop(dy, n, win, c * mult)
    per_channel = dy.reshape(-1, c, mult).transpose(1, 0, 2)  # C, P, M
    dcols = np.matmul(per_channel, w.reshape(kh * kw, c, mult).transpose(1, 2, 0))  # C, P, K
    dcols = dcols.transpose(1, 2, 0).reshape(n, win.oh, win.ow, kh, kw, c)
    return from_nhwc(win.scatter(dcols, (n, h, wd, c)), fmt)


def _depthwise_backprop_filter_kernel(x, sizes, dy, **attrs):
    fmt = attrs["data_format"]
    x, dy = to_nhwc(x, fmt), to_nhwc(dy, fmt)
    n, h, wd, c = x.shape
    kh, kw, _, mult = (int(s) for s in sizes)
    win = Window((h, wd), (kh, kw), attrs)
    check_out_backprop(dy, n, win, c * mult)
    cols = win.columns(win.padded(x)).reshape(-1, kh * kw, c).transpose(2, 1, 0)  # C, K, P
    dw = np.matmul(cols, dy.reshape(-1, c, mult).transpose(1, 0, 2))  # C, K, M
    return dw.transpose(1, 0, 2).reshape(kh, kw, c, mult)


# --- gradients: each of the three ops of a family differentiates into the other two ----------
def _family_grads(forward, backprop_input, backprop_filter):
    """Gradient rules for a convolution family (x * w = y): every rule is built from the
    family's own ops, so gradients of any order exist."""
    def make(op_type, inputs, op):
        return one(create_op(op_type, inputs, **op.attrs))

    def forward_grad(op, dy):
        x, w = op.inputs
        return [make(backprop_input, [array.shape_tensor(x), w, dy], op),
                make(backprop_filter, [x, array.shape_tensor(w), dy], op)]

    def backprop_input_grad(op, ddx):
        _, w, dy = op.inputs
        return [None, make(backprop_filter, [ddx, array.shape_tensor(w), dy], op),
                make(forward, [ddx, w], op)]

    def backprop_filter_grad(op, ddw):
        x, _, dy = op.inputs
        return [make(backprop_input, [array.shape_tensor(x), ddw, dy], op), None,
                make(forward, [x, ddw], op)]

    return forward_grad, backprop_input_grad, backprop_filter_grad


def _register_family(names, kernels, depthwise):
    grads = _family_grads(*names)
    shapes = (_conv_shape(names[0], depthwise), _backprop_input_shape(names[1], depthwise),
              _backprop_filter_shape(names[2], depthwise))
    for name, shape, kernel, grad in zip(names, shapes, kernels, grads):
        register_op(name, shape=shape, kernel=kernel, grad=grad)


_CONV2D = ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter")
_DEPTHWISE = ("DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput",
              "DepthwiseConv2dNativeBackpropFilter")
_register_family(_CONV2D, (_conv2d_kernel, _conv2d_backprop_input_kernel,
                           _conv2d_backprop_filter_kernel), depthwise=False)
_register_family(_DEPTHWISE, (_depthwise_kernel, _depthwise_backprop_input_kernel,
                              _depthwise_backprop_filter_kernel), depthwise=True)


# --- pooling ---------------------------------------------------------------------------------
def _check_pool_attrs(op_type, ksize, strides, data_format):
    batch, channel = (0, 1) if data_format == "NCHW" else (0, 3)
    for name, values in (("ksize", ksize), ("strides", strides)):
        if len(values) != 4:
            raise ValueError(f"{op_type} requires {name} of 4 values, got {list(values)}")
        if values[batch] != 1 or values[channel] != 1:
            raise ValueError(f"{op_type} requires {name} of 1 in the batch and depth "
                             f"dimensions, got {list(values)}")


def _pool_shape(op_type, integers):
    def shape(x, *, ksize, strides, padding, data_format):
        if not (x.dtype.is_floating or (integers and x.dtype.is_integer)):
            kind = "a real" if integers else "a floating point"
            raise TypeError(f"{op_type} requires {kind} input, got {x.dtype.name}")
        _check_pool_attrs(op_type, ksize, strides, data_format)
        attrs = {"strides": strides, "padding": padding, "data_format": data_format}
        n, h, w, c = _image_dims(op_type, "input", x, data_format)
        out_hw = _static_window(op_type, (h, w), _hw(ksize, data_format), attrs)
        return [(x.dtype, _layout((n,) + out_hw + (c,), data_format))]
    return shape


def _pool_window(x_nhwc, attrs):
    return Window(x_nhwc.shape[1:3], _hw(attrs["ksize"], attrs["data_format"]), attrs)


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _max_pool_kernel(x, **attrs):
    fmt = attrs["data_format"]
    x = to_nhwc(x, fmt)
    win = _pool_window(x, attrs)
    xp = win.padded(x, _lowest(x.dtype))
    out = None
    for _, _, rows, cols in win.taps():
        if out is None:
            out = xp[:, rows, cols].copy()
        else:
            np.maximum(out, xp[:, rows, cols], out=out)
    return from_nhwc(out, fmt)


def _max_taps(xp, y, win):
    """For each tap, where the window maximum `y` is first found (TF routes ties to the first
    element of the window in row-major order)."""
    taken = np.zeros(y.shape, dtype=bool)
    for _, _, rows, cols in win.taps():
        hit = xp[:, rows, cols] == y
        hit &= ~taken
        taken |= hit
        yield rows, cols, hit


def _tiled_max_pool_grad(x, y, dy, win):
    """MaxPoolGrad of windows that tile the image (stride = window, no padding): tap by tap,
    each window's dy goes to the first of its elements equal to its maximum (TF's tie rule),
    written straight into that tap's strided view of dx; None for other windows."""
    n, h, w, c = x.shape
    if (win.sh, win.sw) != (win.kh, win.kw) or win.top or win.bottom or win.left or win.right:
        return None
    rows, cols = win.oh * win.kh, win.ow * win.kw
    dx = np.empty((n, h, w, c), dtype=dy.dtype)
    if (rows, cols) != (h, w):  # the last rows or columns no window covers
        dx[:, rows:] = 0
        dx[:, :rows, cols:] = 0
    free = np.ones(y.shape, dtype=bool)  # windows whose maximum has no element yet
    hit = np.empty(y.shape, dtype=bool)
    for i in range(win.kh):
        for j in range(win.kw):
            np.equal(x[:, i:rows:win.kh, j:cols:win.kw], y, out=hit)
            hit &= free
            np.greater(free, hit, out=free)  # free and not hit
            np.multiply(dy, hit, out=dx[:, i:rows:win.kh, j:cols:win.kw])
    return dx


def _max_pool_grad_kernel(x, y, dy, **attrs):
    """Routes dy to the input element each window's maximum came from."""
    fmt = attrs["data_format"]
    x, y, dy = to_nhwc(x, fmt), to_nhwc(y, fmt), to_nhwc(dy, fmt)
    win = _pool_window(x, attrs)
    tiled = _tiled_max_pool_grad(x, y, dy, win)
    if tiled is not None:
        return from_nhwc(tiled, fmt)
    xp = win.padded(x, _lowest(x.dtype))
    dxp = np.zeros(xp.shape, dtype=dy.dtype)
    for rows, cols, hit in _max_taps(xp, y, win):
        dxp[:, rows, cols] += np.where(hit, dy, 0)
    return from_nhwc(win.cropped(dxp, *x.shape[1:3]), fmt)


def _max_pool_grad_grad_kernel(x, y, ddx, **attrs):
    """Picks, for each window, ddx at the element the maximum came from."""
    fmt = attrs["data_format"]
    x, y, ddx = to_nhwc(x, fmt), to_nhwc(y, fmt), to_nhwc(ddx, fmt)
    win = _pool_window(x, attrs)
    xp = win.padded(x, _lowest(x.dtype))
    ddxp = win.padded(ddx)
    out = np.zeros(y.shape, dtype=ddx.dtype)
    for rows, cols, hit in _max_taps(xp, y, win):
        np.copyto(out, ddxp[:, rows, cols], where=hit)
    return from_nhwc(out, fmt)


def _avg_divisor(win, h, w):
    """How many real (unpadded) input elements each window covers: TF's SAME averaging leaves
    the padding out."""
    def counts(out, stride, before, k, size):
        starts = np.arange(out) * stride - before
        return np.minimum(starts + k, size) - np.maximum(starts, 0)
    rows = counts(win.oh, win.sh, win.top, win.kh, h)
    cols = counts(win.ow, win.sw, win.left, win.kw, w)
    return np.multiply.outer(rows, cols)[None, :, :, None]


def _avg_pool_kernel(x, **attrs):
    fmt = attrs["data_format"]
    x = to_nhwc(x, fmt)
    win = _pool_window(x, attrs)
    xp = win.padded(x)
    total = np.zeros((x.shape[0], win.oh, win.ow, x.shape[3]), dtype=x.dtype)
    for _, _, rows, cols in win.taps():
        total += xp[:, rows, cols]
    total /= _avg_divisor(win, *x.shape[1:3]).astype(x.dtype)
    return from_nhwc(total, fmt)


def _avg_pool_grad_kernel(sizes, dy, **attrs):
    fmt = attrs["data_format"]
    n, h, w, c = nhwc_shape(tuple(int(s) for s in sizes), fmt)
    dy = to_nhwc(dy, fmt)
    win = Window((h, w), _hw(attrs["ksize"], fmt), attrs)
    share = dy / _avg_divisor(win, h, w).astype(dy.dtype)
    dxp = np.zeros((n, h + win.top + win.bottom, w + win.left + win.right, c), dtype=dy.dtype)
    for _, _, rows, cols in win.taps():
        dxp[:, rows, cols] += share
    return from_nhwc(win.cropped(dxp, h, w), fmt)


def _pool_attrs(op):
    return {k: op.attrs[k] for k in ("ksize", "strides", "padding", "data_format")}


def max_pool_gradients(grad_type, grad_grad_type):
    """The gradient rules of MaxPool[3D], its Grad (op type `grad_type`) and its GradGrad
    (`grad_grad_type`), each built from the other two."""
    def pool_grad(op, dy):
        x, y = op.inputs[0], op.outputs[0]
        return [one(create_op(grad_type, [x, y, dy], **_pool_attrs(op)))]

    def grad_grad(op, ddx):
        x, y, _ = op.inputs
        return [None, None, one(create_op(grad_grad_type, [x, y, ddx], **_pool_attrs(op)))]

    def grad_grad_grad(op, dd):
        x, y, _ = op.inputs
        return [None, None, one(create_op(grad_type, [x, y, dd], **_pool_attrs(op)))]
    return pool_grad, grad_grad, grad_grad_grad


def avg_pool_gradients(pool_type, grad_type):
    """The gradient rules of AvgPool[3D] (op type `pool_type`) and its Grad (`grad_type`)."""
    def pool_grad(op, dy):
        sizes = array.shape_tensor(op.inputs[0])
        return [one(create_op(grad_type, [sizes, dy], **_pool_attrs(op)))]

    def grad_grad(op, ddx):
        return [None, one(create_op(pool_type, [ddx], **_pool_attrs(op)))]
    return pool_grad, grad_grad


_max_pool_grad, _max_pool_grad_grad, _max_pool_grad_grad_grad = max_pool_gradients(
    "MaxPoolGrad", "MaxPoolGradGrad")
_avg_pool_grad, _avg_pool_grad_grad = avg_pool_gradients("AvgPool", "AvgPoolGrad")


def _check_pool_grad_attrs(op_type, attrs):
    _check_pool_attrs(op_type, attrs["ksize"], attrs["strides"], attrs["data_format"])


def pool_grad_shape(op_type, image_input, check_attrs=_check_pool_grad_attrs):
    """Shape rule of MaxPool[3D]Grad / MaxPool[3D]GradGrad: the output is shaped like input
    `image_input` (0: the original input, 1: the original output); `check_attrs(op_type,
    attrs)` checks the window attributes."""
    def shape(x, y, grad, **attrs):
        check_attrs(op_type, attrs)
        if not (x.dtype is y.dtype is grad.dtype):
            raise TypeError(f"{op_type} requires inputs of one dtype, got {x.dtype.name}, "
                            f"{y.dtype.name} and {grad.dtype.name}")
        return [(grad.dtype, (x, y)[image_input].shape)]
    return shape


def _avg_pool_grad_shape(sizes, dy, *, ksize, strides, padding, data_format):
    _check_pool_attrs("AvgPoolGrad", ksize, strides, data_format)
    return [(dy.dtype, TensorShape(sizes_dims("AvgPoolGrad", sizes, 4)))]


register_op("MaxPool", shape=_pool_shape("MaxPool", integers=True), kernel=_max_pool_kernel,
            grad=_max_pool_grad)
register_op("MaxPoolGrad", shape=pool_grad_shape("MaxPoolGrad", 0),
            kernel=_max_pool_grad_kernel, grad=_max_pool_grad_grad)
register_op("MaxPoolGradGrad", shape=pool_grad_shape("MaxPoolGradGrad", 1),
            kernel=_max_pool_grad_grad_kernel, grad=_max_pool_grad_grad_grad)
register_op("AvgPool", shape=_pool_shape("AvgPool", integers=False), kernel=_avg_pool_kernel,
            grad=_avg_pool_grad)
register_op("AvgPoolGrad", shape=_avg_pool_grad_shape, kernel=_avg_pool_grad_kernel,
            grad=_avg_pool_grad_grad)


# --- public functions ----------------------------------------------------------------------------
def _data_format(data_format, op_name):
    fmt = data_format or "NHWC"
    if fmt not in ("NHWC", "NCHW"):
        raise ValueError(f"{op_name} supports data_format 'NHWC' or 'NCHW', got {fmt!r}")
    return fmt


def _four(value, name, data_format, default=1):
    """An int or a 1-, 2- or 4-sequence as TF's 4-element attribute (`default` in N and C)."""
    if value is None:
        value = default
    if isinstance(value, Tensor):
        value = constant_value(value)
    values = [int(v) for v in np.atleast_1d(value)]
    if len(values) == 1:
        values *= 2
    if len(values) == 2:
        h, w = values
        return (1, 1, h, w) if data_format == "NCHW" else (1, h, w, 1)
    if len(values) != 4:
        raise ValueError(f"{name} should be of length 1, 2 or 4, got {len(values)}")
    return tuple(values)


def _padding_attrs(padding, data_format, op_name):
    """(padding string, explicit_paddings) from 'SAME', 'VALID' or TF's list of 4 pairs."""
    if isinstance(padding, str):
        padding = padding.upper()
        if padding not in ("SAME", "VALID"):
            raise ValueError(f"{op_name}: padding must be 'SAME', 'VALID' or a list of pairs, "
                             f"got {padding!r}")
        return padding, ()
    pairs = [tuple(int(p) for p in pair) for pair in padding]
    if len(pairs) != 4 or any(len(p) != 2 for p in pairs):
        raise ValueError(f"{op_name}: explicit padding must be 4 pairs, got {padding!r}")
    batch, channel = (0, 1) if data_format == "NCHW" else (0, 3)
    if pairs[batch] != (0, 0) or pairs[channel] != (0, 0):
        raise ValueError(f"{op_name}: explicit padding of the batch and depth dimensions must "
                         f"be 0, got {padding!r}")
    return "EXPLICIT", tuple(p for pair in pairs for p in pair)


def conv_attrs(strides, padding, data_format, dilations, op_name):
    """The attrs of a 2-D convolution op from a public function's arguments."""
    fmt = _data_format(data_format, op_name)
    padding, explicit = _padding_attrs(padding, fmt, op_name)
    return {"strides": _four(strides, "strides", fmt),
            "dilations": _four(dilations, "dilations", fmt), "padding": padding,
            "explicit_paddings": explicit, "data_format": fmt}


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,  # noqa: A002
           data_format="NHWC", dilations=None, name=None, filters=None):
    """2-D convolution of a 4-D `input` with a [height, width, in, out] `filter`.

    >>> y = tf.nn.conv2d(images, kernel, strides=[1, 1, 1, 1], padding="SAME")
    """
    filter = filters if filter is None else filter  # noqa: A001
    if filter is None or padding is None:
        raise ValueError("conv2d needs `filter` and `padding`.")
    x = convert_to_tensor(input)
    w = convert_to_tensor(filter, dtype=x.dtype)
    attrs = conv_attrs(strides, padding, data_format, dilations, "conv2d")
    return one(create_op("Conv2D", [x, w], name=name or "Conv2D", **attrs))


def _sizes_tensor(sizes):
    if isinstance(sizes, Tensor):
        return sizes
    return convert_to_tensor(np.asarray(sizes, dtype=np.int32))


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None,  # noqa: A002
                          strides=None, padding=None, use_cudnn_on_gpu=True,
                          data_format="NHWC", dilations=None, name=None, filters=None):
    """The gradient of conv2d with respect to its input, of shape `input_sizes`."""
    w = convert_to_tensor(filters if filter is None else filter)
    dy = convert_to_tensor(out_backprop, dtype=w.dtype)
    attrs = conv_attrs(strides, padding, data_format, dilations, "conv2d_backprop_input")
    return one(create_op("Conv2DBackpropInput", [_sizes_tensor(input_sizes), w, dy],
                          name=name or "Conv2DBackpropInput", **attrs))


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                           use_cudnn_on_gpu=True, data_format="NHWC", dilations=None,
                           name=None):
    """The gradient of conv2d with respect to its filter, of shape `filter_sizes`."""
    x = convert_to_tensor(input)
    dy = convert_to_tensor(out_backprop, dtype=x.dtype)
    attrs = conv_attrs(strides, padding, data_format, dilations, "conv2d_backprop_filter")
    return one(create_op("Conv2DBackpropFilter", [x, _sizes_tensor(filter_sizes), dy],
                          name=name or "Conv2DBackpropFilter", **attrs))


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None,  # noqa: A002
                     padding="SAME", data_format="NHWC", name=None, input=None,  # noqa: A002
                     filters=None, dilations=None):
    """The transpose of conv2d (a "deconvolution"): `filter` is [height, width, out, in] and
    the result has `output_shape`."""
    value = input if value is None else value
    w = convert_to_tensor(filters if filter is None else filter)
    x = convert_to_tensor(value, dtype=w.dtype)
    fmt = _data_format(data_format, "conv2d_transpose")
    channels = x.shape[3 if fmt == "NHWC" else 1].value if x.shape.ndims == 4 else None
    if w.shape.ndims == 4 and not _same(channels, w.shape[3].value):
        raise ValueError(f"input channels ({channels}) must match the filter's last dimension "
                         f"({w.shape[3].value}) in conv2d_transpose")
    attrs = conv_attrs(strides, padding, fmt, dilations, "conv2d_transpose")
    return one(create_op("Conv2DBackpropInput", [_sizes_tensor(output_shape), w, x],
                          name=name or "conv2d_transpose", **attrs))


def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC",  # noqa: A002
                            dilations=None, name=None):
    """Per-channel 2-D convolution: `filter` is [height, width, in, multiplier]; output
    channel c * multiplier + m is input channel c convolved with filter[:, :, c, m]."""
    x = convert_to_tensor(input)
    w = convert_to_tensor(filter, dtype=x.dtype)
    attrs = conv_attrs(strides, padding, data_format, dilations, "depthwise_conv2d")
    return one(create_op("DepthwiseConv2dNative", [x, w],
                          name=name or "DepthwiseConv2dNative", **attrs))


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None,  # noqa: A002
                     data_format=None, dilations=None):
    """Depthwise 2-D convolution (see depthwise_conv2d_native); `rate` dilates the filter."""
    dilations = rate if dilations is None else dilations
    return depthwise_conv2d_native(input, filter, strides, padding, data_format or "NHWC",
                                   dilations, name=name or "depthwise")


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,  # noqa: A002
                     rate=None, name=None, data_format=None, dilations=None):
    """A depthwise convolution followed by a 1x1 convolution mixing the channels."""
    depthwise = depthwise_conv2d(input, depthwise_filter, strides, padding, rate,
                                 data_format=data_format, dilations=dilations)
    return conv2d(depthwise, pointwise_filter, [1, 1, 1, 1], "VALID",
                  data_format=data_format or "NHWC", name=name or "separable_conv2d")


def _pool(op_type, value, ksize, strides, padding, data_format, name):
    fmt = _data_format(data_format, op_type)
    padding = padding.upper() if isinstance(padding, str) else padding
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"{op_type}: padding must be 'SAME' or 'VALID', got {padding!r}")
    return one(create_op(op_type, [convert_to_tensor(value)], name=name or op_type,
                          ksize=_four(ksize, "ksize", fmt), strides=_four(strides, "strides", fmt),
                          padding=padding, data_format=fmt))


def max_pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC",
             name=None, input=None):  # noqa: A002
    """The maximum of each `ksize` window (windows `strides` apart; SAME pads with -inf)."""
    value = input if value is None else value
    return _pool("MaxPool", value, ksize, strides, padding, data_format, name)


def avg_pool(value=None, ksize=None, strides=None, padding=None, data_format="NHWC",
             name=None, input=None):  # noqa: A002
    """The mean of each `ksize` window; with SAME padding, the mean of the real elements."""
    value = input if value is None else value
    return _pool("AvgPool", value, ksize, strides, padding, data_format, name)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """max_pool under its TF 2 name."""
    return max_pool(input, ksize, strides, padding, data_format, name)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """avg_pool under its TF 2 name."""
    return avg_pool(input, ksize, strides, padding, data_format, name)
