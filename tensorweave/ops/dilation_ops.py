"""Grayscale morphological dilation (tf.nn.dilation2d; erosion2d composes it).

output[b, y, x, c] = max over taps (i, j) of input[b, y * sh + i * rh, x * sw + j * rw, c]
+ filter[i, j, c], taps on padding left out. Gradients route to the first maximizing tap.
"""
import numpy as np

from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops._common import one
from tensorweave.ops.conv_ops import Window, output_size
from tensorweave.ops.pool_ops import nhwc_four


def _window(x, w, strides, rates, padding):
    attrs = {"strides": strides, "dilations": rates, "padding": padding}
    return Window(x.shape[1:3], w.shape[:2], attrs)


def _check_attrs(op_type, strides, rates, padding):
    for name, values in (("strides", strides), ("rates", rates)):
        if len(values) != 4 or values[0] != 1 or values[3] != 1:
            raise ValueError(f"{op_type} requires {name} of 4 values with 1 in the batch and "
                             f"depth dimensions, got {list(values)}")
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"{op_type} requires padding 'SAME' or 'VALID', got {padding!r}")


def _out_dims(op_type, x, w, strides, rates, padding):
    _check_attrs(op_type, strides, rates, padding)
    if not x.dtype.is_floating and not x.dtype.is_integer:
        raise TypeError(f"{op_type} requires a real input, got {x.dtype.name}")
    if x.dtype is not w.dtype:
        raise TypeError(f"{op_type} requires inputs of one dtype, got {x.dtype.name} and "
                        f"{w.dtype.name}")
    if x.shape.ndims not in (None, 4):
        raise ValueError(f"{op_type} requires a 4-D input, got shape {x.shape}")
    if w.shape.ndims not in (None, 3):
        raise ValueError(f"{op_type} requires a 3-D filter, got shape {w.shape}")
    n, h, wd, c = x.shape.as_list() if x.shape.ndims else [None] * 4
    fh, fw, fc = w.shape.as_list() if w.shape.ndims else [None] * 3
    if c is not None and fc is not None and c != fc:
        raise ValueError(f"{op_type} requires input depth equal to the filter's depth, got {c} "
                         f"and {fc}")
    out = []
    for size, k, s, r in ((h, fh, strides[1], rates[1]), (wd, fw, strides[2], rates[2])):
        if size is None or k is None:
            out.append(None)
            continue
        o = output_size(size, k, s, r, padding)[0]
        if o < 0:
            raise ValueError(f"{op_type} requires a filter that fits the input, got an input of "
                             f"size {size} and a filter spanning {(k - 1) * r + 1}")
        out.append(o)
    return [n] + out + [c if c is not None else fc]


def _dilation_shape(x, w, *, strides, rates, padding):
    return [(x.dtype, TensorShape(_out_dims("Dilation2D", x, w, strides, rates, padding)))]


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _best_taps(x, w, strides, rates, padding):
    """(window, output, per-output index of the first maximizing tap)."""
    win = _window(x, w, strides, rates, padding)
    xp = win.padded(x)
    inside = win.padded(np.ones((1,) + x.shape[1:3] + (1,), dtype=bool), False)
    best = np.full((x.shape[0], win.oh, win.ow, x.shape[3]), _lowest(x.dtype), dtype=x.dtype)
    which = np.full(best.shape, -1, dtype=np.int64)
    for k, (i, j, rows, cols) in enumerate(win.taps()):
        candidate = xp[:, rows, cols] + w[i, j]
        better = inside[:, rows, cols] & (candidate > best)
        best = np.where(better, candidate, best)
        which = np.where(better, k, which)
    return win, best, which


def _dilation_kernel(x, w, *, strides, rates, padding):
    return _best_taps(x, w, strides, rates, padding)[1]


def _backprop_input_kernel(x, w, dy, *, strides, rates, padding):
    win, _, which = _best_taps(x, w, strides, rates, padding)
    n, h, wd, c = x.shape
    dxp = np.zeros((n, h + win.top + win.bottom, wd + win.left + win.right, c), dtype=dy.dtype)
    for k, (_, _, rows, cols) in enumerate(win.taps()):
        dxp[:, rows, cols] += np.where(which == k, dy, 0)
    return np.ascontiguousarray(win.cropped(dxp, h, wd))


def _backprop_filter_kernel(x, w, dy, *, strides, rates, padding):
    win, _, which = _best_taps(x, w, strides, rates, padding)
    dw = np.zeros(w.shape, dtype=dy.dtype)
    for k, (i, j, _, _) in enumerate(win.taps()):
        dw[i, j] = np.where(which == k, dy, 0).sum(axis=(0, 1, 2))
    return dw


def _backprop_shape(op_type, like):
    def shape(x, w, dy, *, strides, rates, padding):
        dims = _out_dims(op_type, x, w, strides, rates, padding)
        if not dy.shape.is_compatible_with(TensorShape(dims)):
            raise ValueError(f"{op_type} requires out_backprop of shape {TensorShape(dims)}, "
                             f"got {dy.shape}")
        return [(x.dtype, (x, w)[like].shape)]
    return shape


def _attrs(op):
    return {k: op.attrs[k] for k in ("strides", "rates", "padding")}


def _dilation_grad(op, dy):
    x, w = op.inputs
    return [one(create_op("Dilation2DBackpropInput", [x, w, dy], **_attrs(op))),
            one(create_op("Dilation2DBackpropFilter", [x, w, dy], **_attrs(op)))]


register_op("Dilation2D", shape=_dilation_shape, kernel=_dilation_kernel, grad=_dilation_grad)
register_op("Dilation2DBackpropInput", shape=_backprop_shape("Dilation2DBackpropInput", 0),
            kernel=_backprop_input_kernel, grad=NOT_DIFFERENTIABLE)
register_op("Dilation2DBackpropFilter", shape=_backprop_shape("Dilation2DBackpropFilter", 1),
            kernel=_backprop_filter_kernel, grad=NOT_DIFFERENTIABLE)


def dilation2d(input, filter=None, strides=None, rates=None, padding=None,  # noqa: A002
               name=None, filters=None, dilations=None):
    """Grayscale dilation of a 4-D input by a [height, width, depth] structuring function."""
    filter = filters if filter is None else filter  # noqa: A001
    rates = dilations if rates is None else rates
    x = convert_to_tensor(input)
    w = convert_to_tensor(filter, dtype=x.dtype)
    padding = padding.upper() if isinstance(padding, str) else padding
    return one(create_op("Dilation2D", [x, w], name=name or "Dilation2D",
                          strides=nhwc_four(strides, "strides"), rates=nhwc_four(rates, "rates"),
                          padding=padding))
