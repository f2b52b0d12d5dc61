"""Stride-1 convolutions (Conv2D and its two gradients) through the 2-D discrete Fourier
transform, computed as matrix products, where that needs fewer multiply-adds than im2col.

A correlation of a padded image with a filter is a product per frequency once both are
transformed over a period at least the padded image's size, so nothing wraps around. Per
frequency the channels mix by one small complex matrix product, [N, C] x [C, K], which takes
4 real multiply-adds per (n, c, k) instead of KH * KW for im2col. Images are small, so the
transforms themselves are matrix products with DFT matrices (real ones along the width,
complex along the height), which also fold the padding in: an image is "placed" at its padding
offset by the phase of its DFT rows, and only the wanted rows and columns are synthesized.

Arrays are planes [rows, cols, B], B the flattened batch and channels; spectra are
[period rows * (period cols // 2 + 1), B], frequency-major, so that reshaping to
[F, N, C] gives the per-frequency matrices without a copy.

The rule choosing it: the estimated multiply-adds (`cost`) times MARGIN are fewer than
im2col's; MARGIN is the knob (its small matrix products run slower per multiply-add than
im2col's one large product). `benchmarks/conv.py` times the deep MNIST step and its layers.
"""
import functools

import numpy as np

from tensorweave.ops import conv_ops
from tensorweave.runtime.accel import variants

MARGIN = 2
_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


@functools.lru_cache(maxsize=32)
def _analysis(period, count, offset, dtype, real):
    """Forward DFT rows for `count` samples at `offset` in `period`: real -> [2 * half, count]
    (cosine rows, then sine rows, of the half spectrum); complex -> [period, count]."""
    freqs = np.arange(period // 2 + 1 if real else period)[:, None]
    angle = -2 * np.pi * freqs * (np.arange(count) + offset)[None, :] / period
    if real:
        return np.concatenate([np.cos(angle), np.sin(angle)]).astype(dtype)
    return np.exp(1j * angle).astype(_complex(dtype))


@functools.lru_cache(maxsize=32)
def _synthesis(period, count, offset, dtype, real):
    """Inverse DFT rows for samples offset..offset+count-1: complex -> [count, period];
    real -> [count, 2 * half], acting on the (real parts, imaginary parts) of a half spectrum
    whose other half is its conjugate mirror."""
    freqs = np.arange(period // 2 + 1 if real else period)[None, :]
    angle = 2 * np.pi * (np.arange(count) + offset)[:, None] * freqs / period
    if not real:
        return (np.exp(1j * angle) / period).astype(_complex(dtype))
    mirrored = np.where((freqs == 0) | (2 * freqs == period), 1.0, 2.0)
    return (np.concatenate([np.cos(angle) * mirrored, -np.sin(angle) * mirrored], axis=1)
            / period).astype(dtype)


def _complex(dtype):
    return np.result_type(dtype, np.complex64)


def spectrum(planes, period, offset, conjugate=False):
    """The DFT over `period` (rows, cols) of real `planes` [P, Q, B] placed at `offset` (or
    its complex conjugate, at no extra cost)."""
    p, q, b = planes.shape
    half = period[1] // 2 + 1
    cols = np.matmul(_analysis(period[1], q, offset[1], planes.dtype, True), planes)
    mixed = np.empty((p, half, b), dtype=_complex(planes.dtype))
    mixed.real = cols[:, :half]
    if conjugate:
        np.negative(cols[:, half:], out=mixed.imag)
    else:
        mixed.imag = cols[:, half:]
    rows = _analysis(period[0], p, offset[0], planes.dtype, False)
    rows = rows.conj() if conjugate else rows
    return np.matmul(rows, mixed.reshape(p, half * b)).reshape(period[0] * half, b)


def planes(spec, period, rows, cols, dtype):
    """Real planes [rows[1], cols[1], B] at rows[0].., cols[0].. of the inverse DFT of `spec`."""
    half = period[1] // 2 + 1
    b = spec.shape[1]
    by_row = np.matmul(_synthesis(period[0], rows[1], rows[0], dtype, False),
                       spec.reshape(period[0], half * b)).reshape(rows[1], half, b)
    parts = np.concatenate([by_row.real, by_row.imag], axis=1)
    return np.matmul(_synthesis(period[1], cols[1], cols[0], dtype, True), parts)


def _image_spectrum(x, period, offset, conjugate=False):
    """Spectrum of an NHWC array, as [F, N, C]."""
    n, h, w, c = x.shape
    spec = spectrum(x.transpose(1, 2, 0, 3).reshape(h, w, n * c), period, offset, conjugate)
    return spec.reshape(-1, n, c)


def _filter_spectrum(w, period, conjugate=False):
    kh, kw, c, k = w.shape
    return spectrum(w.reshape(kh, kw, c * k), period, (0, 0), conjugate).reshape(-1, c, k)


def _image(spec, period, rows, cols, dtype):
    """NHWC array from a spectrum [F, N, C], keeping rows (start, count) and cols likewise."""
    f, n, c = spec.shape
    out = planes(spec.reshape(f, n * c), period, rows, cols, dtype)
    return np.ascontiguousarray(out.reshape(rows[1], cols[1], n, c).transpose(2, 0, 1, 3))


def correlate(x, w, offset, period):
    """Conv2D: NHWC `x` placed at `offset` (the top and left padding) in `period`, correlated
    with `w` [KH, KW, C, K]; the output is the period minus the filter, plus one."""
    kh, kw = w.shape[:2]
    spec = np.matmul(_image_spectrum(x, period, offset), _filter_spectrum(w, period, True))
    return _image(spec, period, (0, period[0] - kh + 1), (0, period[1] - kw + 1), x.dtype)


def correlate_input_grad(x_hw, w, dy, offset, period):
    """Conv2DBackpropInput: the gradient of `correlate` with respect to x of size `x_hw`."""
    spec = np.matmul(_image_spectrum(dy, period, (0, 0)),
                     _filter_spectrum(w, period).transpose(0, 2, 1))
    return _image(spec, period, (offset[0], x_hw[0]), (offset[1], x_hw[1]), dy.dtype)


def correlate_filter_grad(x, k_hw, dy, offset, period):
    """Conv2DBackpropFilter: the gradient of `correlate` with respect to its filter."""
    xs = _image_spectrum(x, period, offset).transpose(0, 2, 1)
    spec = np.matmul(xs, _image_spectrum(dy, period, (0, 0), True))  # F, C, K
    f, c, k = spec.shape
    return planes(spec.reshape(f, c * k), period, (0, k_hw[0]), (0, k_hw[1]),
                  x.dtype).reshape(k_hw[0], k_hw[1], c, k)


def cost(n, c, k, in_hw, k_hw, period):
    """Estimated multiply-adds of one of the three correlations above (they cost alike)."""
    half = period[1] // 2 + 1

    def transform(count, hw):  # per plane: a real product along cols, a complex one along rows
        return count * (2 * half * hw[0] * hw[1] + 4 * period[0] * hw[0] * half)
    out_hw = (period[0] - k_hw[0] + 1, period[1] - k_hw[1] + 1)
    return (4 * period[0] * half * n * c * k + transform(n * c, in_hw)
            + transform(c * k, k_hw) + transform(n * k, out_hw))


# --- the choice, and the three variants ---------------------------------------------------
def spectral_period(win, n, c, k, dtype):
    """The DFT period to compute a convolution of window `win` (conv_ops.Window) with, or
    None where im2col is cheaper: stride 1, no dilation, and an estimated cost under
    1 / MARGIN of im2col's."""
    if (win.sh, win.sw, win.dh, win.dw) != (1, 1, 1, 1) or dtype not in _DTYPES:
        return None
    period = (win.oh + win.kh - 1, win.ow + win.kw - 1)
    in_hw = (period[0] - win.top - win.bottom, period[1] - win.left - win.right)
    direct = n * win.oh * win.ow * win.kh * win.kw * c * k
    spectral = cost(n, c, k, in_hw, (win.kh, win.kw), period)
    return period if MARGIN * spectral < direct else None


def _unit_steps(op):
    """Whether op's strides and dilations are all 1 and its dtype one the DFT runs in."""
    attrs = op.attrs
    ones = all(int(s) == 1 for s in attrs["strides"]) and \
        all(int(d) == 1 for d in attrs.get("dilations", (1, 1, 1, 1)))
    return ones and np.dtype(op.outputs[0].dtype.as_numpy_dtype) in _DTYPES


def _conv2d(reference):
    def kernel(x, w, **attrs):
        fmt = attrs["data_format"]
        xn = conv_ops.to_nhwc(x, fmt)
        n, h, wd, c = xn.shape
        kh, kw, _, k = w.shape
        win = conv_ops.Window((h, wd), (kh, kw), attrs)
        period = spectral_period(win, n, c, k, xn.dtype)
        if period is None:
            return reference(x, w, **attrs)
        return conv_ops.from_nhwc(correlate(xn, w, (win.top, win.left), period), fmt)
    return kernel


def _conv2d_backprop_input(reference):
    def kernel(sizes, w, dy, **attrs):
        fmt = attrs["data_format"]
        n, h, wd, c = conv_ops.nhwc_shape(tuple(int(s) for s in sizes), fmt)
        dyn = conv_ops.to_nhwc(dy, fmt)
        kh, kw, _, k = w.shape
        win = conv_ops.Window((h, wd), (kh, kw), attrs)
        conv_ops.check_out_backprop(dyn, n, win, k)
        period = spectral_period(win, n, c, k, dyn.dtype)
        if period is None:
            return reference(sizes, w, dy, **attrs)
        dx = correlate_input_grad((h, wd), w, dyn, (win.top, win.left), period)
        return conv_ops.from_nhwc(dx, fmt)
    return kernel


def _conv2d_backprop_filter(reference):
    def kernel(x, sizes, dy, **attrs):
        fmt = attrs["data_format"]
        xn, dyn = conv_ops.to_nhwc(x, fmt), conv_ops.to_nhwc(dy, fmt)
        n, h, wd, c = xn.shape
        kh, kw, _, k = (int(s) for s in sizes)
        win = conv_ops.Window((h, wd), (kh, kw), attrs)
        conv_ops.check_out_backprop(dyn, n, win, k)
        period = spectral_period(win, n, c, k, xn.dtype)
        if period is None:
            return reference(x, sizes, dy, **attrs)
        return correlate_filter_grad(xn, (kh, kw), dyn, (win.top, win.left), period)
    return kernel


def _chooser(make):
    def choose(op):
        return make(op.op_def.kernel) if _unit_steps(op) else None
    return choose


for _op_type, _make in (("Conv2D", _conv2d), ("Conv2DBackpropInput", _conv2d_backprop_input),
                        ("Conv2DBackpropFilter", _conv2d_backprop_filter)):
    variants.register_variant(_op_type, _chooser(_make))
