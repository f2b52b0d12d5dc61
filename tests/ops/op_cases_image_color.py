"""Op table rows for the image color op types (tensorweave/ops/image_color_ops.py). References
are Python's colorsys and plain formulas; TensorFlow's own numbers for them are checked in
tests/image/test_color.py. TF 1.15 defines no gradient for these op types."""
import colorsys

import numpy as np

from tensorweave.ops import image_color_ops  # noqa: F401 - registers the op types

from op_case import Case, rng


def _pixels(shape, dtype=np.float64):
    x = rng.uniform(0.05, 0.95, size=shape + (3,))
    return x.astype(dtype)


def _per_pixel(fn, x):
    flat = x.reshape(-1, 3).astype(np.float64)
    return np.array([fn(*p) for p in flat]).reshape(x.shape)


def _hue_shift(x, delta):
    def shift(r, g, b):
        h, s, v = colorsys.rgb_to_hsv(r, g, b)
        return colorsys.hsv_to_rgb((h + delta) % 1.0, s, v)
    return _per_pixel(shift, x)


def _saturate(x, scale):
    def adjust(r, g, b):
        h, s, v = colorsys.rgb_to_hsv(r, g, b)
        return colorsys.hsv_to_rgb(h, min(1.0, max(0.0, s * scale)), v)
    return _per_pixel(adjust, x)


def _contrast(x, factor):
    mean = x.astype(np.float64).mean(axis=(-3, -2), keepdims=True)
    return (x - mean) * factor + mean


_RGB64 = _pixels((3, 4))
_RGB32 = _pixels((2, 3, 4), np.float32)
_F32_TOL = (2e-6, 2e-6)

CASES = [
    Case("RGBToHSV", [_RGB64], lambda x: _per_pixel(colorsys.rgb_to_hsv, x)),
    Case("HSVToRGB", [_RGB64], lambda x: _per_pixel(colorsys.hsv_to_rgb, x)),
    Case("AdjustContrastv2", [_RGB32, np.float32(1.7)],
         lambda x, f: _contrast(x, 1.7).astype(np.float32), ref_tol=_F32_TOL),
    Case("AdjustHue", [_RGB32, np.float32(0.3)],
         lambda x, d: _hue_shift(x, 0.3).astype(np.float32), ref_tol=_F32_TOL),
    Case("AdjustHue", [_RGB32, np.float32(-0.45)],
         lambda x, d: _hue_shift(x, -0.45).astype(np.float32), ref_tol=_F32_TOL, tag="negative"),
    Case("AdjustSaturation", [_RGB32, np.float32(0.6)],
         lambda x, s: _saturate(x, 0.6).astype(np.float32), ref_tol=_F32_TOL),
    Case("AdjustSaturation", [_RGB32, np.float32(4.0)],
         lambda x, s: _saturate(x, 4.0).astype(np.float32), ref_tol=_F32_TOL, tag="clipped"),
]
