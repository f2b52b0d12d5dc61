"""Image color op types: RGBToHSV, HSVToRGB, AdjustContrastv2, AdjustHue, AdjustSaturation.

Kernels follow TensorFlow's CPU kernels step by step in the image's float type (AdjustHue and
AdjustSaturation in float32, as TF computes them), so results agree with TF to the bit where
the arithmetic allows. TensorFlow 1.15 registers no gradient for any of these op types:
tf.gradients raises LookupError when it reaches one, here as there.
"""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import register_op
from tensorweave.ops._common import one

_COLOR_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
_ADJUST_FLOATS = (dtypes.float16, dtypes.float32)


def _check_dtype(op_type, dtype, allowed):
    if dtype not in allowed:
        names = ", ".join(d.name for d in allowed)
        raise TypeError(f"{op_type} requires images of type {names}, got {dtype.name}")


def _scalar(op_type, what, t):
    if t.shape.ndims is not None and t.shape.ndims != 0:
        raise ValueError(f"Shape must be rank 0 but is rank {t.shape.ndims} for '{op_type}' "
                         f"({what}) with shape {t.shape}")
    if t.dtype is not dtypes.float32:
        raise TypeError(f"{op_type} requires {what} of type float32, got {t.dtype.name}")


def _three_channels(op_type, images, min_rank):
    shape = images.shape
    if shape.ndims is not None:
        if shape.ndims < min_rank:
            raise ValueError(f"Shape must be at least rank {min_rank} but is rank {shape.ndims} "
                             f"for '{op_type}' with input shape {shape}")
        last = shape.as_list()[-1]
        if last is not None and last != 3:
            raise ValueError(f"Dimension must be 3 but is {last} for '{op_type}' with input "
                             f"shape {shape}")


def _kernel_channels(op_type, images, min_rank):
    if images.ndim < min_rank:
        raise errors.InvalidArgumentError(
            None, None, f"input must be at least {min_rank}-D, got shape{list(images.shape)}")
    if images.shape[-1] != 3:
        raise errors.InvalidArgumentError(
            None, None, f"input must have 3 channels but input only has {images.shape[-1]} "
                        f"channels.")


def _kernel_scalar(what, value):
    if np.ndim(value) != 0:
        raise errors.InvalidArgumentError(None, None,
                                          f"{what} must be scalar: {list(np.shape(value))}")


# --- RGBToHSV / HSVToRGB -----------------------------------------------------------------------
def _colorspace_shape(op_type):
    def shape(images):
        _check_dtype(op_type, images.dtype, _COLOR_FLOATS)
        _three_channels(op_type, images, 1)
        return [(images.dtype, images.shape)]
    return shape


def _rgb_to_hsv_kernel(images):
    _kernel_channels("RGBToHSV", images, 1)
    t = images.dtype.type
    with np.errstate(divide="ignore", invalid="ignore"):
        r, g, b = images[..., 0], images[..., 1], images[..., 2]
        v = np.maximum(np.maximum(r, g), b)
        rng = v - np.minimum(np.minimum(r, g), b)
        s = np.where(v > 0, rng / v, t(0)).astype(images.dtype)
        norm = (t(1) / rng) * (t(1) / t(6))
        h = np.where(r == v, norm * (g - b),
                     np.where(g == v, norm * (b - r) + t(2) / t(6), norm * (r - g) + t(4) / t(6)))
        h = np.where(rng > 0, h, t(0))
        h = np.where(h < 0, h + t(1), h).astype(images.dtype)
    return np.stack([h, s, v], axis=-1)


def _hsv_to_rgb_kernel(images):
    _kernel_channels("HSVToRGB", images, 1)
    t = images.dtype.type
    h, s, v = images[..., 0], images[..., 1], images[..., 2]
    dh = h * t(6)
    dr = np.clip(np.abs(dh - t(3)) - t(1), t(0), t(1))
    dg = np.clip(-np.abs(dh - t(2)) + t(2), t(0), t(1))
    db = np.clip(-np.abs(dh - t(4)) + t(2), t(0), t(1))
    one_s = -s + t(1)
    return np.stack([(one_s + s * d) * v for d in (dr, dg, db)], axis=-1).astype(images.dtype)


register_op("RGBToHSV", shape=_colorspace_shape("RGBToHSV"), kernel=_rgb_to_hsv_kernel,
            grad=None)
register_op("HSVToRGB", shape=_colorspace_shape("HSVToRGB"), kernel=_hsv_to_rgb_kernel,
            grad=None)


def rgb_to_hsv(images, name=None):
    """RGB to HSV, each component in [0, 1] (TF's RGBToHSV)."""
    return one(create_op("RGBToHSV", [convert_to_tensor(images)], name=name or "RGBToHSV"))


def hsv_to_rgb(images, name=None):
    """HSV to RGB (TF's HSVToRGB)."""
    return one(create_op("HSVToRGB", [convert_to_tensor(images)], name=name or "HSVToRGB"))


# --- AdjustContrastv2 --------------------------------------------------------------------------
def _adjust_contrast_shape(images, contrast_factor):
    _check_dtype("AdjustContrastv2", images.dtype, _ADJUST_FLOATS)
    if images.shape.ndims is not None and images.shape.ndims < 3:
        raise ValueError(f"Shape must be at least rank 3 but is rank {images.shape.ndims} for "
                         f"'AdjustContrastv2' with input shape {images.shape}")
    _scalar("AdjustContrastv2", "contrast_factor", contrast_factor)
    return [(images.dtype, images.shape)]


def _folded_sum(planes):
    """Sums planes [batch, n, channels] over n as TF's CPU kernel does: halving the rows and
    adding the upper half onto the lower until one row is left (float32 throughout)."""
    work = planes.copy()
    n = work.shape[1]
    while n > 1:
        right = n // 2
        left = n - right
        work[:, :right] += work[:, left:left + right]
        n = left
    return work[:, 0]


def _adjust_contrast_kernel(images, contrast_factor):
    if images.ndim < 3:
        raise errors.InvalidArgumentError(
            None, None, f"input must be at least 3-D, got shape{list(images.shape)}")
    _kernel_scalar("contrast_factor", contrast_factor)
    h, w, c = images.shape[-3:]
    x = images.astype(np.float32).reshape(-1, h * w, c)
    if x.size == 0:
        return images.copy()
    mean = _folded_sum(x) * (np.float32(1) / np.float32(h * w))
    mean = mean[:, None, :]
    out = mean + np.float32(contrast_factor) * (x - mean)
    return out.reshape(images.shape).astype(images.dtype)


register_op("AdjustContrastv2", shape=_adjust_contrast_shape, kernel=_adjust_contrast_kernel,
            grad=None)


def adjust_contrastv2(images, contrast_factor, name=None):
    """TF's AdjustContrastv2: (x - mean) * contrast_factor + mean per image and channel."""
    images = convert_to_tensor(images)
    factor = convert_to_tensor(contrast_factor, dtype=dtypes.float32)
    return one(create_op("AdjustContrastv2", [images, factor], name=name or "AdjustContrastv2"))


# --- AdjustHue / AdjustSaturation --------------------------------------------------------------
def _adjust_shape(op_type, what):
    def shape(images, value):
        _check_dtype(op_type, images.dtype, _ADJUST_FLOATS)
        _three_channels(op_type, images, 3)
        _scalar(op_type, what, value)
        return [(images.dtype, images.shape)]
    return shape


def _hue_and_range(r, g, b):
    """TF's rgb_to_hv_range: hue in [0, 6) from the ordering of r, g, b, and min/max."""
    r_lt_g = r < g
    cases = [  # (condition, v_max, v_mid, v_min, category)
        (r_lt_g & (b < r), g, r, b, 1),
        (r_lt_g & ~(b < r) & (b > g), b, g, r, 3),
        (r_lt_g & ~(b < r) & ~(b > g), g, b, r, 2),
        (~r_lt_g & (b < g), r, g, b, 0),
        (~r_lt_g & ~(b < g) & (b > r), b, r, g, 4),
        (~r_lt_g & ~(b < g) & ~(b > r), r, b, g, 5),
    ]
    v_max, v_mid, v_min = np.zeros_like(r), np.zeros_like(r), np.zeros_like(r)
    category = np.zeros(r.shape, np.int64)
    for cond, hi, mid, lo, cat in cases:
        v_max = np.where(cond, hi, v_max)
        v_mid = np.where(cond, mid, v_mid)
        v_min = np.where(cond, lo, v_min)
        category = np.where(cond, cat, category)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (v_mid - v_min) / (v_max - v_min)
    ratio = np.where(category % 2 == 0, ratio, np.float32(1) - ratio)
    h = (category.astype(np.float32) + ratio).astype(np.float32)
    return np.where(v_max == v_min, np.float32(0), h), v_min, v_max


def _range_to_rgb(h, v_min, v_max):
    """TF's hv_range_to_rgb."""
    category = h.astype(np.int64)
    ratio = h - category.astype(np.float32)
    ratio = np.where(category % 2 == 0, ratio, np.float32(1) - ratio)
    v_mid = v_min + ratio * (v_max - v_min)
    table = {0: (v_max, v_mid, v_min), 1: (v_mid, v_max, v_min), 2: (v_min, v_max, v_mid),
             3: (v_min, v_mid, v_max), 4: (v_mid, v_min, v_max)}
    r, g, b = v_max, v_min, v_mid  # category 5 and anything else
    for cat, (rr, gg, bb) in table.items():
        hit = category == cat
        r, g, b = np.where(hit, rr, r), np.where(hit, gg, g), np.where(hit, bb, b)
    return np.stack([r, g, b], axis=-1)


def _adjust_hue_kernel(images, delta):
    _kernel_channels("AdjustHue", images, 3)
    _kernel_scalar("delta", delta)
    x = images.astype(np.float32)
    h, v_min, v_max = _hue_and_range(x[..., 0], x[..., 1], x[..., 2])
    h = h + np.float32(delta) * np.float32(6)
    # TF wraps by repeated steps of 6; a float32 step at a time gives the same values as
    # TF's loops for |delta| <= a few turns.
    while np.any(h < 0):
        h = np.where(h < 0, h + np.float32(6), h)
    while np.any(h >= 6):
        h = np.where(h >= 6, h - np.float32(6), h)
    return _range_to_rgb(h, v_min, v_max).astype(images.dtype)


def _saturation_rgb_to_hsv(r, g, b):
    """TF's AdjustSaturation helper (float32, with its double-precision hue offsets)."""
    v = np.maximum(r, np.maximum(g, b))
    rng = v - np.minimum(r, np.minimum(g, b))
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(v > 0, rng / v, np.float32(0)).astype(np.float32)
        norm = np.float32(1) / (np.float32(6) * rng)
    f64 = np.float64
    hh = np.where(r == v, norm * (g - b),
                  np.where(g == v,
                           (f64(norm * (b - r)) + 2.0 / 6.0).astype(np.float32),
                           (f64(norm * (r - g)) + 4.0 / 6.0).astype(np.float32)))
    hh = np.where(rng <= 0, np.float32(0), hh)
    hh = np.where(hh < 0, hh + np.float32(1), hh)
    return hh.astype(np.float32), s, v


def _saturation_hsv_to_rgb(h, s, v):
    c = s * v
    m = v - c
    dh = h * np.float32(6)
    category = dh.astype(np.int64)
    fmodu = dh.copy()
    while np.any(fmodu <= 0):
        fmodu = np.where(fmodu <= 0, fmodu + np.float32(2), fmodu)
    while np.any(fmodu >= 2):
        fmodu = np.where(fmodu >= 2, fmodu - np.float32(2), fmodu)
    x = c * (np.float32(1) - np.abs(fmodu - np.float32(1)))
    zero = np.zeros_like(c)
    table = {0: (c, x, zero), 1: (x, c, zero), 2: (zero, c, x), 3: (zero, x, c),
             4: (x, zero, c), 5: (c, zero, x)}
    r, g, b = zero, zero, zero
    for cat, (rr, gg, bb) in table.items():
        hit = category == cat
        r, g, b = np.where(hit, rr, r), np.where(hit, gg, g), np.where(hit, bb, b)
    return np.stack([r + m, g + m, b + m], axis=-1)


def _adjust_saturation_kernel(images, scale):
    _kernel_channels("AdjustSaturation", images, 3)
    _kernel_scalar("scale", scale)
    x = images.astype(np.float32)
    h, s, v = _saturation_rgb_to_hsv(x[..., 0], x[..., 1], x[..., 2])
    s = np.minimum(np.float32(1), np.maximum(np.float32(0), s * np.float32(scale)))
    return _saturation_hsv_to_rgb(h, s, v).astype(images.dtype)


register_op("AdjustHue", shape=_adjust_shape("AdjustHue", "delta"), kernel=_adjust_hue_kernel,
            grad=None)
register_op("AdjustSaturation", shape=_adjust_shape("AdjustSaturation", "scale"),
            kernel=_adjust_saturation_kernel, grad=None)


def adjust_hue_op(images, delta, name=None):
    """TF's AdjustHue: rotates the hue of RGB images by `delta` (a fraction of a turn)."""
    images = convert_to_tensor(images)
    delta = convert_to_tensor(delta, dtype=dtypes.float32)
    return one(create_op("AdjustHue", [images, delta], name=name or "AdjustHue"))


def adjust_saturation_op(images, scale, name=None):
    """TF's AdjustSaturation: multiplies the saturation of RGB images by `scale`."""
    images = convert_to_tensor(images)
    scale = convert_to_tensor(scale, dtype=dtypes.float32)
    return one(create_op("AdjustSaturation", [images, scale], name=name or "AdjustSaturation"))
