"""Special and trigonometric functions, and the extra elementwise binary ops (xlogy,
div_no_nan, ...): op types with their shape rules, kernels and TF's gradients, and the
composites TF builds from them (lbeta, log_sigmoid, reduce_variance, ...).

The numerical kernels live in special_functions.py and special_bessel.py (NumPy only).
"""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.operation import TensorLike
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.ops import array, math_ops, nn_ops
from tensorweave.ops import special_bessel as bessel
from tensorweave.ops import special_functions as special
from tensorweave.ops._common import elementwise_rows, one

__all__ = [  # the names `tf.` takes from here
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cosh", "sinh", "tan", "erf",
    "erfc", "lgamma", "digamma", "polygamma", "zeta", "igamma", "igammac", "betainc", "lbeta",
    "expm1", "rint", "is_inf", "log_sigmoid", "div_no_nan", "realdiv", "truncatediv",
    "truncatemod",
]

_REAL = "real"  # float16/32/64
_REAL32 = "real32"  # float32/64 only (TF's special functions)
_INEXACT = "inexact"  # floating or complex
_NUMBER = "number"


def in_float64(fn):
    """A kernel computing `fn` in float64 and returning the first input's dtype."""
    def kernel(*arrays):
        with np.errstate(all="ignore"):
            out = fn(*[np.asarray(a, np.float64) for a in arrays])
        return np.asarray(out).astype(arrays[0].dtype, copy=False)
    return kernel


def numpy_kernel(fn):
    """A kernel applying NumPy's `fn` quietly (nan and inf as IEEE gives them)."""
    def kernel(*arrays):
        with np.errstate(all="ignore"):
            return np.asarray(fn(*arrays)).astype(arrays[0].dtype, copy=False)
    return kernel


def _conj(t):
    """conj(t) for complex tensors (TF's gradients conjugate their inputs), else t."""
    return one(create_op("Conj", [t])) if t.dtype.is_complex else t


# --- elementwise unary -----------------------------------------------------------------------
def _unary(op_type, kernel, grad, kind=_REAL, out_dtype=None):
    """Registers an elementwise one-input op type and returns its builder."""
    return math_ops.unary_op(op_type, kernel, grad, kind, out_dtype,
                             doc=f"Elementwise {op_type} of `x` (TF's tf.{op_type.lower()}).")


def _x(op):
    return _conj(op.inputs[0])


def _y(op):
    return _conj(op.outputs[0])


acos = _unary("Acos", numpy_kernel(np.arccos), lambda op, dy: [
    -dy * math_ops.rsqrt(1 - math_ops.square(_x(op)))], _INEXACT)
asin = _unary("Asin", numpy_kernel(np.arcsin), lambda op, dy: [
    dy * math_ops.rsqrt(1 - math_ops.square(_x(op)))], _INEXACT)
atan = _unary("Atan", numpy_kernel(np.arctan), lambda op, dy: [
    dy * math_ops.reciprocal(1 + math_ops.square(_x(op)))], _INEXACT)
acosh = _unary("Acosh", numpy_kernel(np.arccosh), lambda op, dy: [dy / sinh(_y(op))],
               _INEXACT)
asinh = _unary("Asinh", numpy_kernel(np.arcsinh), lambda op, dy: [dy / cosh(_y(op))],
               _INEXACT)
atanh = _unary("Atanh", numpy_kernel(np.arctanh), lambda op, dy: [
    dy * math_ops.reciprocal(1 - math_ops.square(_x(op)))], _INEXACT)
cosh = _unary("Cosh", numpy_kernel(np.cosh), lambda op, dy: [dy * sinh(_x(op))], _INEXACT)
sinh = _unary("Sinh", numpy_kernel(np.sinh), lambda op, dy: [dy * cosh(_x(op))], _INEXACT)
tan = _unary("Tan", numpy_kernel(np.tan), lambda op, dy: [
    dy * math_ops.square(math_ops.reciprocal(math_ops.cos(_x(op))))], _INEXACT)
expm1 = _unary("Expm1", numpy_kernel(np.expm1), lambda op, dy: [
    dy * math_ops.exp(_x(op))], _INEXACT)
rint = _unary("Rint", numpy_kernel(np.rint), lambda op, dy: [None])
is_inf = _unary("IsInf", np.isinf, NOT_DIFFERENTIABLE, out_dtype=dtypes.bool)

_TWO_OVER_SQRT_PI = 2 / np.sqrt(np.pi)
erf = _unary("Erf", in_float64(special.erf), lambda op, dy: [
    dy * _TWO_OVER_SQRT_PI * math_ops.exp(-math_ops.square(op.inputs[0]))])
erfc = _unary("Erfc", in_float64(special.erfc), lambda op, dy: [
    -dy * _TWO_OVER_SQRT_PI * math_ops.exp(-math_ops.square(op.inputs[0]))])
lgamma = _unary("Lgamma", in_float64(special.lgamma), lambda op, dy: [
    dy * digamma(op.inputs[0])])
digamma = _unary("Digamma", in_float64(special.digamma), lambda op, dy: [
    dy * polygamma(array.ones_like(op.inputs[0]), op.inputs[0])])
_erfinv = _unary("Erfinv", in_float64(special.erfinv), lambda op, dy: [
    dy * (np.sqrt(np.pi) / 2) * math_ops.exp(math_ops.square(op.outputs[0]))])
_ndtri = _unary("Ndtri", in_float64(special.ndtri), lambda op, dy: [
    dy * np.sqrt(2 * np.pi) * math_ops.exp(math_ops.square(op.outputs[0]) / 2)])


def erfinv(x, name=None):
    """The inverse of erf (tf.math.erfinv)."""
    return _erfinv(x, name=name or "Erfinv")


def ndtri(x, name=None):
    """The inverse of the standard normal distribution function (tf.math.ndtri)."""
    return _ndtri(x, name=name or "Ndtri")


def erfcinv(x, name=None):
    """The inverse of erfc, as TF composes it: -ndtri(x / 2) / sqrt(2)."""
    with name_scope(name or "erfcinv"):
        x = convert_to_tensor(x)
        return -ndtri(0.5 * x) * np.sqrt(0.5)


# --- Bessel functions and the other special functions (tf.math.special) ---------------------
def _safe_over_x(x, y):
    """y / x where |x| > eps, else the limit 0.5 of the order-one Bessel functions' y/x terms
    (returns (where x is not tiny, x made safe))."""
    eps = float(np.finfo(x.dtype.as_numpy_dtype).eps)
    not_tiny = math_ops.abs(x) > eps
    safe = array.where(not_tiny, x, array.ones_like(x) * eps)
    return not_tiny, safe


def _order_one_grad(value_at_zero, rule):
    """A gradient rule rule(x_safe, y) with its limit at x = 0 (TF's Bessel I1/J1 rules)."""
    def grad(op, dy):
        x, y = op.inputs[0], op.outputs[0]
        not_tiny, safe = _safe_over_x(x, y)
        slope = array.where(not_tiny, rule(safe, y), array.ones_like(x) * value_at_zero)
        return [dy * slope]
    return grad


bessel_i0e = _unary("BesselI0e", in_float64(bessel.bessel_i0e), lambda op, dy: [
    dy * (bessel_i1e(op.inputs[0]) - math_ops.sign(op.inputs[0]) * op.outputs[0])])
bessel_i1e = _unary("BesselI1e", in_float64(bessel.bessel_i1e), _order_one_grad(
    0.5, lambda x, y: bessel_i0e(x) - y * (math_ops.sign(x) + math_ops.reciprocal(x))))
bessel_i0 = _unary("BesselI0", in_float64(bessel.bessel_i0), lambda op, dy: [
    dy * bessel_i1(op.inputs[0])])
bessel_i1 = _unary("BesselI1", in_float64(bessel.bessel_i1), _order_one_grad(
    0.5, lambda x, y: bessel_i0(x) - y / x))
bessel_j0 = _unary("BesselJ0", in_float64(bessel.bessel_j0), lambda op, dy: [
    -dy * bessel_j1(op.inputs[0])])
bessel_j1 = _unary("BesselJ1", in_float64(bessel.bessel_j1), _order_one_grad(
    0.5, lambda x, y: bessel_j0(x) - y / x))
bessel_y0 = _unary("BesselY0", in_float64(bessel.bessel_y0), lambda op, dy: [
    -dy * bessel_y1(op.inputs[0])])
bessel_y1 = _unary("BesselY1", in_float64(bessel.bessel_y1), lambda op, dy: [
    dy * (bessel_y0(op.inputs[0]) - op.outputs[0] / op.inputs[0])])
bessel_k0 = _unary("BesselK0", in_float64(bessel.bessel_k0), lambda op, dy: [
    -dy * bessel_k1(op.inputs[0])])
bessel_k0e = _unary("BesselK0e", in_float64(bessel.bessel_k0e), lambda op, dy: [
    dy * (op.outputs[0] - bessel_k1e(op.inputs[0]))])
bessel_k1 = _unary("BesselK1", in_float64(bessel.bessel_k1), lambda op, dy: [
    dy * (-bessel_k0(op.inputs[0]) - op.outputs[0] / op.inputs[0])])
bessel_k1e = _unary("BesselK1e", in_float64(bessel.bessel_k1e), lambda op, dy: [
    dy * (-bessel_k0e(op.inputs[0]) + op.outputs[0] * (1 - math_ops.reciprocal(
        op.inputs[0])))])
dawsn = _unary("Dawsn", in_float64(bessel.dawsn), lambda op, dy: [
    dy * (1 - 2 * op.inputs[0] * op.outputs[0])])
expint = _unary("Expint", in_float64(bessel.expint), lambda op, dy: [
    dy * math_ops.exp(op.inputs[0]) / op.inputs[0]])
fresnel_cos = _unary("FresnelCos", in_float64(bessel.fresnel_cos), lambda op, dy: [
    dy * math_ops.cos(np.pi / 2 * math_ops.square(op.inputs[0]))])
fresnel_sin = _unary("FresnelSin", in_float64(bessel.fresnel_sin), lambda op, dy: [
    dy * math_ops.sin(np.pi / 2 * math_ops.square(op.inputs[0]))])


def _spence_grad(op, dy):
    x = op.inputs[0]
    slope = math_ops.log(x) / (1 - x)
    return [dy * array.where(math_ops.equal(x, 1), -array.ones_like(x), slope)]


spence = _unary("Spence", in_float64(bessel.spence), _spence_grad)


# --- elementwise binary ----------------------------------------------------------------------
def binary_inputs(x, y):
    """x and y as tensors, a Python value taking the other operand's dtype."""
    if isinstance(x, TensorLike) or not isinstance(y, TensorLike):
        x = convert_to_tensor(x)
        return x, convert_to_tensor(y, dtype=None if isinstance(y, TensorLike) else x.dtype)
    y = convert_to_tensor(y)
    return convert_to_tensor(x, dtype=y.dtype), y


def _reduced(op, *grads):
    """Gradients summed back to the shapes of the op's inputs (undoing broadcasting)."""
    return [None if g is None else array.sum_to_shape(g, t) for g, t in zip(grads, op.inputs)]


def _binary(op_type, kernel, grad, kind=_REAL, bind=None):
    """Registers a broadcasting two-input op type and returns its builder."""
    def shape(x, y):
        if x.dtype is not y.dtype:
            raise TypeError(f"{op_type} requires inputs of one dtype, got {x.dtype.name} and "
                            f"{y.dtype.name}")
        math_ops.check_kind(op_type, x.dtype, kind)
        return [(x.dtype, array.broadcast_shapes(x.shape, y.shape))]

    register_op(op_type, shape=shape, kernel=kernel, grad=grad, bind=bind,
                row_wise=elementwise_rows)

    def builder(x, y, name=None):
        x, y = binary_inputs(x, y)
        return one(create_op(op_type, [x, y], name=name or op_type))
    builder.__name__ = op_type.lower()
    builder.__doc__ = f"Elementwise {op_type} of `x` and `y`, with broadcasting."
    return builder


def _atan2_grad(op, dz):
    y, x = op.inputs
    scaled = dz / (math_ops.square(x) + math_ops.square(y))
    return _reduced(op, x * scaled, -y * scaled)


def _zero_where_x_is_zero(fn):
    def kernel(x, y):
        with np.errstate(all="ignore"):
            out = np.where(x == 0, np.zeros((), x.dtype), fn(x, y))
        return np.asarray(out).astype(x.dtype, copy=False)
    return kernel


def _zero_where_y_is_zero(fn):
    def kernel(x, y):
        with np.errstate(all="ignore"):
            out = np.where(y == 0, np.zeros((), x.dtype), fn(x, y))
        return np.asarray(out).astype(x.dtype, copy=False)
    return kernel


def _not_zero(x):
    return array.cast(math_ops.not_equal(x, array.zeros_like(x)), x.dtype)


def _xlogy_grad(op, dz):
    x, y = _conj(op.inputs[0]), _conj(op.inputs[1])
    return _reduced(op, dz * xlogy(_not_zero(x), y), dz * xdivy(x, y))


def _xdivy_grad(op, dz):
    x, y = _conj(op.inputs[0]), _conj(op.inputs[1])
    return _reduced(op, dz * xdivy(_not_zero(x), y), dz * xdivy(-x, math_ops.square(y)))


def _xlog1py_grad(op, dz):
    x, y = _conj(op.inputs[0]), _conj(op.inputs[1])
    return _reduced(op, dz * xlog1py(_not_zero(x), y), dz * xdivy(x, y + 1))


def _div_no_nan_grad(op, dz):
    x, y = _conj(op.inputs[0]), _conj(op.inputs[1])
    return _reduced(op, div_no_nan(dz, y), dz * div_no_nan(div_no_nan(-x, y), y))


def _mul_no_nan_grad(op, dz):
    x, y = op.inputs
    return _reduced(op, _mul_no_nan(dz, y), _mul_no_nan(x, dz))


def _truncate_div(x, y):
    if x.dtype.kind in "iu":
        if not np.all(y):
            raise errors.InvalidArgumentError(None, None, "Integer division by zero")
        quotient = np.abs(x) // np.abs(y)
        return (np.sign(x) * np.sign(y) * quotient).astype(x.dtype)
    with np.errstate(all="ignore"):
        return np.trunc(x / y).astype(x.dtype)


def _truncate_mod(x, y):
    if x.dtype.kind in "iu" and not np.all(y):
        raise errors.InvalidArgumentError(None, None, "Integer division by zero")
    with np.errstate(all="ignore"):
        return np.fmod(x, y).astype(x.dtype)


def _nextafter_grad(op, dz):
    x1, x2 = op.inputs
    return _reduced(op, dz * array.ones_like(x1), dz * array.zeros_like(x2))


atan2 = _binary("Atan2", numpy_kernel(np.arctan2), _atan2_grad)
xlogy = _binary("Xlogy", _zero_where_x_is_zero(lambda x, y: x * np.log(y)), _xlogy_grad,
                _INEXACT)
xdivy = _binary("Xdivy", _zero_where_x_is_zero(lambda x, y: x / y), _xdivy_grad, _INEXACT)
xlog1py = _binary("Xlog1py", _zero_where_x_is_zero(lambda x, y: x * np.log1p(y)),
                  _xlog1py_grad, _INEXACT)
_div_no_nan = _binary("DivNoNan", _zero_where_y_is_zero(lambda x, y: x / y), _div_no_nan_grad,
                      _INEXACT)
_mul_no_nan = _binary("MulNoNan", _zero_where_y_is_zero(lambda x, y: x * y), _mul_no_nan_grad,
                      _INEXACT)
truncatediv = _binary("TruncateDiv", _truncate_div, lambda op, dz: [None, None], _NUMBER)
truncatemod = _binary("TruncateMod", _truncate_mod, None, _NUMBER)
nextafter = _binary("NextAfter", numpy_kernel(np.nextafter), _nextafter_grad, _REAL32)


def div_no_nan(x, y, name=None):
    """x / y, or 0 where y is 0 (tf.div_no_nan)."""
    x, y = binary_inputs(x, y)
    if x.dtype is not y.dtype:
        raise TypeError(f"x and y must have the same dtype, got {x.dtype!r} != {y.dtype!r}")
    return _div_no_nan(x, y, name=name or "div_no_nan")


divide_no_nan = div_no_nan


def multiply_no_nan(x, y, name=None):
    """x * y, or 0 where y is 0 even when x is inf or nan (tf.math.multiply_no_nan)."""
    x, y = binary_inputs(x, y)
    if x.dtype is not y.dtype:
        raise TypeError(f"x and y must have the same dtype, got {x.dtype!r} != {y.dtype!r}")
    return _mul_no_nan(x, y, name=name or "multiply_no_nan")


def reciprocal_no_nan(x, name=None):
    """1 / x, or 0 where x is 0 (tf.math.reciprocal_no_nan)."""
    x = convert_to_tensor(x)
    return _div_no_nan(constant(1, dtype=x.dtype), x, name=name or "reciprocal_no_nan")


def realdiv(x, y, name=None):
    """x / y for real (floating) tensors, TF's RealDiv op (tf.realdiv)."""
    return math_ops.real_div(x, y, name=name or "RealDiv")


# --- the gamma family: binary and ternary ----------------------------------------------------
def _polygamma_grad(op, dz):
    n, x = _conj(op.inputs[0]), _conj(op.inputs[1])
    return _reduced(op, None, dz * polygamma(n + 1, x))


def _zeta_grad(op, dz):
    x, q = _conj(op.inputs[0]), _conj(op.inputs[1])
    return _reduced(op, None, dz * -x * zeta(x + 1, q))


def _igamma_partials(op):
    a, x = op.inputs
    partial_a = igamma_grad_a(a, x)
    partial_x = math_ops.exp(-x + (a - 1) * math_ops.log(x) - lgamma(a))
    return partial_a, partial_x


def _igamma_grad(op, dz):
    partial_a, partial_x = _igamma_partials(op)
    return _reduced(op, dz * partial_a, dz * partial_x)


def _igammac_grad(op, dz):
    partial_a, partial_x = _igamma_partials(op)
    return _reduced(op, -dz * partial_a, -dz * partial_x)


polygamma = _binary("Polygamma", in_float64(special.polygamma), _polygamma_grad, _REAL32)
zeta = _binary("Zeta", in_float64(special.zeta), _zeta_grad, _REAL32)
igamma = _binary("Igamma", in_float64(special.igamma), _igamma_grad, _REAL32)
igammac = _binary("Igammac", in_float64(special.igammac), _igammac_grad, _REAL32)
igamma_grad_a = _binary("IgammaGradA", in_float64(special.igamma_grad_a), None, _REAL32)


def _betainc_shape(a, b, x):
    for t in (b, x):
        if t.dtype is not a.dtype:
            raise TypeError(f"Betainc requires inputs of one dtype, got {a.dtype.name} and "
                            f"{t.dtype.name}")
    math_ops.check_kind("Betainc", a.dtype, _REAL32)
    merged = None
    for name, t in (("a", a), ("b", b), ("x", x)):
        if t.shape.ndims == 0:
            continue
        if merged is not None and not merged.is_compatible_with(t.shape):
            raise ValueError(f"Betainc: shapes of a, b and x are inconsistent: {merged} vs. "
                             f"{t.shape} ({name})")
        merged = t.shape if merged is None else merged.merge_with(t.shape)
    return [(a.dtype, merged if merged is not None else a.shape)]


def _betainc_kernel(a, b, x):
    shapes = {np.shape(v) for v in (a, b, x) if np.ndim(v)}
    if len(shapes) > 1:
        raise errors.InvalidArgumentError(
            None, None, "Shapes of a, b and x are inconsistent: " + " vs. ".join(
                str(list(s)) for s in (np.shape(a), np.shape(b), np.shape(x))))
    return in_float64(special.betainc)(a, b, x)


def _betainc_grad(op, dz):
    a, b, x = op.inputs
    log_beta = lgamma(a) + lgamma(b) - lgamma(a + b)
    partial_x = math_ops.exp(xlog1py(b - 1, -x) + xlogy(a - 1, x) - log_beta)
    return [None, None, array.sum_to_shape(dz * partial_x, x)]


register_op("Betainc", shape=_betainc_shape, kernel=_betainc_kernel, grad=_betainc_grad,
            row_wise=elementwise_rows)


def betainc(a, b, x, name=None):
    """The regularized incomplete beta function I_x(a, b) (tf.betainc)."""
    a = convert_to_tensor(a)
    b, x = convert_to_tensor(b, dtype=a.dtype), convert_to_tensor(x, dtype=a.dtype)
    return one(create_op("Betainc", [a, b, x], name=name or "Betainc"))


# --- composites ------------------------------------------------------------------------------
def lbeta(x, name=None):
    """log(|Beta(x)|) over the last dimension: sum(lgamma(x)) - lgamma(sum(x)) (tf.lbeta)."""
    with name_scope(name or "lbeta"):
        x = convert_to_tensor(x)
        log_prod_gamma = math_ops.reduce_sum(lgamma(x), axis=[-1])
        return log_prod_gamma - lgamma(math_ops.reduce_sum(x, axis=[-1]))


def log_sigmoid(x, name=None):
    """log(1 / (1 + exp(-x))), computed as -softplus(-x) (tf.log_sigmoid)."""
    x = convert_to_tensor(x)
    return math_ops.negative(nn_ops.softplus(-x), name=name or "LogSigmoid")


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """The variance of the elements over `axis` (tf.math.reduce_variance)."""
    with name_scope(name or "reduce_variance"):
        x = convert_to_tensor(input_tensor)
        if not (x.dtype.is_floating or x.dtype.is_complex):
            raise TypeError(f"Input must be either real or complex, got {x.dtype.name}")
        means = math_ops.reduce_mean(x, axis=axis, keepdims=True)
        deviations = x - means
        if x.dtype.is_complex:
            deviations = deviations * _conj(deviations)
        else:
            deviations = math_ops.square(deviations)
        return math_ops.reduce_mean(deviations, axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """The standard deviation of the elements over `axis` (tf.math.reduce_std)."""
    with name_scope(name or "reduce_std"):
        return math_ops.sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """sqrt(sum(x^2)) over `axis` (tf.math.reduce_euclidean_norm); integer inputs give the
    integer part, as TF's EuclideanNorm kernel does."""
    with name_scope(name or "reduce_euclidean_norm"):
        x = convert_to_tensor(input_tensor)
        if x.dtype.is_integer:
            wide = array.cast(x, dtypes.float64)
            norm = math_ops.sqrt(math_ops.reduce_sum(math_ops.square(wide), axis=axis,
                                                     keepdims=keepdims))
            return array.cast(math_ops.floor(norm), x.dtype)
        return math_ops.sqrt(math_ops.reduce_sum(math_ops.square(x), axis=axis,
                                                 keepdims=keepdims))


def polyval(coeffs, x, name=None):
    """coeffs[0] * x^(n-1) + ... + coeffs[n-1] by Horner's rule (tf.math.polyval)."""
    if not isinstance(coeffs, (list, tuple)):
        raise ValueError(f"Argument coeffs must be list type found {type(coeffs)}.")
    with name_scope(name or "polyval"):
        x = convert_to_tensor(x)
        if not coeffs:
            return array.zeros_like(x)
        coeffs = [convert_to_tensor(c, dtype=x.dtype) for c in coeffs]
        total = coeffs[0]
        for c in coeffs[1:]:
            total = c + total * x
        return total


def _top_k_along(operand, k, reduction_dimension, name):
    x = convert_to_tensor(operand)
    rank = x.shape.ndims
    if rank is None:
        raise ValueError("approx_max_k/approx_min_k need an operand of known rank")
    axis = reduction_dimension % rank
    if axis == rank - 1:
        return nn_ops.top_k(x, k, name=name)
    perm = [d for d in range(rank) if d != axis] + [axis]
    back = list(np.argsort(perm))
    values, indices = nn_ops.top_k(array.transpose(x, perm), k, name=name)
    return array.transpose(values, back), array.transpose(indices, back)


def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """The k largest values along `reduction_dimension` and their indices (exact on CPU)."""
    return _top_k_along(operand, k, reduction_dimension, name or "ApproxTopK")


def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """The k smallest values along `reduction_dimension` and their indices (exact on CPU)."""
    values, indices = _top_k_along(math_ops.negative(convert_to_tensor(operand)), k,
                                   reduction_dimension, name or "ApproxTopK")
    return math_ops.negative(values), indices
