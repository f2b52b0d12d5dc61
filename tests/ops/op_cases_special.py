"""Op table rows for the special functions, the extra binary ops and complex numbers.

Trigonometric and error-function rows compare with NumPy and Python's `math` module. The
special functions without an independent reference here (Bessel, zeta, incomplete gamma and
beta, ...) use the kernels' own NumPy functions as the row's reference: their rows check
shapes, dtypes, unknown shapes and gradients; their values are checked against TensorFlow's
own numbers in test_special_math.py.
"""
import math

import numpy as np

from tensorweave.ops import complex_ops, special_bessel, special_functions

from op_case import Case, away, ints, off_grid, pos, rand

_erf = np.vectorize(math.erf)
_erfc = np.vectorize(math.erfc)
_lgamma = np.vectorize(math.lgamma)


def _unary(op_type, fn, x, **kw):
    return Case(op_type, [x], fn, **kw)


def _central_difference(fn, x, h=1e-6):
    """(fn(x + h) - fn(x - h)) / 2h in float64, returned in x's dtype."""
    wide = np.asarray(x, np.float64)
    return ((fn(wide + h) - fn(wide - h)) / (2 * h)).astype(np.asarray(x).dtype)


def _kernel(fn):
    """A reference that is the kernel's own NumPy function (values checked against TF
    elsewhere)."""
    return lambda *arrays: fn(*[np.asarray(a, np.float64) for a in arrays]).astype(
        arrays[0].dtype)


_UNIT = rand(2, 3, lo=-0.8, hi=0.8)
_SMALL_POS = rand(2, 3, lo=0.3, hi=4.0)

UNARY_CASES = [
    _unary("Acos", np.arccos, _UNIT),
    _unary("Asin", np.arcsin, _UNIT),
    _unary("Atan", np.arctan, rand(2, 3)),
    _unary("Acosh", np.arccosh, rand(2, 3, lo=1.3, hi=4.0)),
    _unary("Asinh", np.arcsinh, rand(2, 3)),
    _unary("Atanh", np.arctanh, _UNIT),
    _unary("Cosh", np.cosh, rand(2, 3)),
    _unary("Sinh", np.sinh, rand(2, 3)),
    _unary("Tan", np.tan, rand(2, 3, lo=-1.2, hi=1.2)),
    _unary("Expm1", np.expm1, rand(2, 3)),
    _unary("Rint", np.rint, off_grid(2, 3)),
    _unary("Rint", lambda x: np.array([-2.0, -2.0, 0.0, 2.0, 2.0]),
           np.array([-2.5, -1.5, 0.5, 1.5, 2.5]), tag="half_to_even", wrt=()),
    _unary("IsInf", np.isinf, np.array([1.0, np.nan, np.inf, -np.inf])),
    _unary("Erf", _erf, rand(2, 3, lo=-3.5, hi=3.5)),
    _unary("Erfc", _erfc, rand(2, 3, lo=-3.5, hi=3.5)),
    _unary("Lgamma", _lgamma, np.array([[-2.5, -0.5, 0.3], [1.5, 4.2, 12.7]]),
           ref_tol=(1e-9, 1e-12)),
    _unary("Digamma", lambda x: _central_difference(_lgamma, x),
           np.array([[-2.5, -0.5, 0.3], [1.5, 4.2, 12.7]]), ref_tol=(1e-6, 1e-8)),
    _unary("Erfinv", _kernel(special_functions.erfinv), rand(2, 3, lo=-0.9, hi=0.9)),
    _unary("Ndtri", _kernel(special_functions.ndtri), rand(2, 3, lo=0.05, hi=0.95)),
]

_BESSEL_X = np.array([[-3.1, -0.7, 0.4], [1.3, 5.2, 28.0]])
_POSITIVE_X = np.abs(_BESSEL_X)
_MODERATE_X = np.array([[-3.1, -0.7, 0.4], [1.3, 5.2, 6.8]])
BESSEL_CASES = [
    _unary(op_type, _kernel(getattr(special_bessel, fn)), x)
    for op_type, fn, x in [
        ("BesselI0", "bessel_i0", _MODERATE_X), ("BesselI0e", "bessel_i0e", _BESSEL_X),
        ("BesselI1", "bessel_i1", _MODERATE_X), ("BesselI1e", "bessel_i1e", _BESSEL_X),
        ("BesselJ0", "bessel_j0", _BESSEL_X), ("BesselJ1", "bessel_j1", _BESSEL_X),
        ("BesselY0", "bessel_y0", _POSITIVE_X), ("BesselY1", "bessel_y1", _POSITIVE_X),
        ("BesselK0", "bessel_k0", _POSITIVE_X), ("BesselK0e", "bessel_k0e", _POSITIVE_X),
        ("BesselK1", "bessel_k1", _POSITIVE_X), ("BesselK1e", "bessel_k1e", _POSITIVE_X),
        ("Dawsn", "dawsn", _BESSEL_X), ("Expint", "expint", np.abs(_MODERATE_X)),
        ("FresnelCos", "fresnel_cos", rand(2, 3, lo=-3.0, hi=3.0)),
        ("FresnelSin", "fresnel_sin", rand(2, 3, lo=-3.0, hi=3.0)),
        ("Spence", "spence", np.array([[0.2, 0.7, 1.3], [2.6, 5.0, 40.0]]))]
] + [
    # x = 0 and x = 1: the rules' limits (0.5 for I1e, I1 and J1, -1 for Spence)
    _unary("BesselI1e", _kernel(special_bessel.bessel_i1e), np.array([0.0, 1.0]), tag="zero",
           second="the finite difference of the x = 0 branch's where() is not the limit"),
    _unary("BesselJ1", _kernel(special_bessel.bessel_j1), np.array([0.0, 1.0]), tag="zero",
           second="the finite difference of the x = 0 branch's where() is not the limit"),
    _unary("Spence", _kernel(special_bessel.spence), np.array([1.0, 2.0]), tag="one",
           second="the finite difference of the x = 1 branch's where() is not the limit"),
]


def _xlogy(x, y):
    return np.where(x == 0, 0.0, x * np.log(np.where(x == 0, 1.0, y)))


def _with_zero(x):
    x = x.copy()
    x.flat[0] = 0.0
    return x


_Y_POS = pos(2, 3)
BINARY_CASES = [
    Case("Atan2", [rand(2, 3), away(3)], np.arctan2),
    Case("Atan2", [rand(2, 1), away(1, 2)], np.arctan2, tag="outer"),
    Case("Xlogy", [rand(2, 3), _Y_POS], _xlogy),
    Case("Xlogy", [_with_zero(rand(2, 3)), _Y_POS], _xlogy, tag="x_zero", wrt=(1,)),
    Case("Xlogy", [np.zeros(2), np.zeros(2)], lambda x, y: np.zeros(2), tag="zeros", wrt=()),
    Case("Xdivy", [rand(2, 3), away(3)],
         lambda x, y: np.where(x == 0, 0.0, x / y)),
    Case("Xlog1py", [rand(2, 3), _Y_POS],
         lambda x, y: np.where(x == 0, 0.0, x * np.log1p(y))),
    Case("DivNoNan", [rand(2, 3), away(3)], np.divide),
    Case("DivNoNan", [rand(2, 3), np.array([0.0, 1.5, -0.5])],
         lambda x, y: np.where(y == 0, 0.0, x / np.where(y == 0, 1.0, y)), tag="zero",
         wrt=(0,)),
    Case("MulNoNan", [rand(2, 3), rand(3)], np.multiply),
    Case("MulNoNan", [np.array([np.inf, np.nan, 2.0]), np.array([0.0, 0.0, 3.0])],
         lambda x, y: np.array([0.0, 0.0, 6.0]), tag="zero", wrt=()),
    Case("TruncateDiv", [off_grid(2, 3) * 3, away(3)], lambda x, y: np.trunc(x / y)),
    Case("TruncateDiv", [ints(7, -7, 7, -7), ints(2, 2, -2, -2)],
         lambda x, y: ints(3, -3, -3, 3), tag="int32"),
    Case("TruncateMod", [off_grid(2, 3) * 3, away(3)], np.fmod),
    Case("TruncateMod", [ints(7, -7, 7, -7), ints(3, 3, -3, -3)],
         lambda x, y: ints(1, -1, 1, -1), tag="int32"),
    Case("NextAfter", [rand(2, 3), rand(3)], np.nextafter, float32=False),
    Case("Polygamma", [np.array([0.0, 1.0, 2.0]), _SMALL_POS],
         _kernel(special_functions.polygamma), wrt=(1,)),
    Case("Zeta", [np.array([1.5, 2.0, 4.5]), _SMALL_POS], _kernel(special_functions.zeta),
         wrt=(1,)),
    Case("Igamma", [_SMALL_POS, rand(3, lo=0.2, hi=5.0)], _kernel(special_functions.igamma),
         second="TF registers no gradient for IgammaGradA (d/da)", tol=1e-4),
    Case("Igammac", [_SMALL_POS, rand(3, lo=0.2, hi=5.0)], _kernel(special_functions.igammac),
         second="TF registers no gradient for IgammaGradA (d/da)", tol=1e-4),
    Case("IgammaGradA", [_SMALL_POS, rand(3, lo=0.2, hi=5.0)],
         lambda a, x: _central_difference(lambda v: special_functions.igamma(v, x), a),
         ref_tol=(1e-5, 1e-8)),
    Case("Betainc", [pos(2, 3) * 2, pos(2, 3) * 3, rand(2, 3, lo=0.1, hi=0.9)],
         _kernel(special_functions.betainc), wrt=(2,)),
    Case("Betainc", [np.float64(2.5), np.float64(1.5), rand(4, lo=0.1, hi=0.9)],
         _kernel(special_functions.betainc), wrt=(2,), tag="scalar_ab"),
]

_Z = rand(2, 3) + 1j * rand(2, 3)
COMPLEX_CASES = [
    Case("Complex", [rand(2, 3), rand(3)], lambda re, im: re + 1j * im,
         build=lambda re, im: [complex_ops.complex(re, im)], wrt=()),
    Case("Real", [_Z], np.real, build=lambda z: [complex_ops.real(z)]),
    Case("Imag", [_Z], np.imag, build=lambda z: [complex_ops.imag(z)]),
    Case("Angle", [_Z], np.angle, build=lambda z: [complex_ops.angle(z)]),
    Case("ComplexAbs", [_Z], np.abs, build=lambda z: [complex_ops.complex_abs(z)]),
    Case("Conj", [_Z], np.conj, build=lambda z: [complex_ops.conj(z)]),
    Case("Conj", [_Z.astype(np.complex64)], np.conj, build=lambda z: [complex_ops.conj(z)],
         tag="complex64"),
]

CASES = UNARY_CASES + BESSEL_CASES + BINARY_CASES + COMPLEX_CASES
