"""Math ops: elementwise functions, matmul, reductions, comparisons, and the Tensor operators."""
import builtins
import functools

import numpy as np

from tensorweave.core import dtypes, errors, tf_form
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.core.operation import Tensor, TensorLike
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op, register_tf_form
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import array
from tensorweave.ops.array import broadcast_shapes, sum_to_shape
from tensorweave.ops._common import elementwise_rows, one, same_dtype_and_shape

# the dtype kinds an elementwise op accepts: kind -> (test, what the error says is wanted)
_KINDS = {
    "float": (lambda d: d.is_floating or d.is_complex, "a floating point"),
    "number": (lambda d: d.is_floating or d.is_integer or d.is_complex, "a numeric"),
    "bool": (lambda d: d.is_bool, "a bool"),
    "any": (lambda d: True, None),
    "real": (lambda d: d.is_floating, "a floating point"),  # float16/32/64
    "real32": (lambda d: d in (dtypes.float32, dtypes.float64), "a float32 or float64"),
    "inexact": (lambda d: d.is_floating or d.is_complex, "a floating point or complex"),
}
_FLOAT = "float"
_NUMBER = "number"
_BOOL = "bool"
_ANY = "any"


def check_kind(op_type, dtype, kind):
    """TypeError naming `op_type` unless `dtype` is of `kind` (a key of _KINDS)."""
    test, wanted = _KINDS[kind]
    if not test(dtype):
        raise TypeError(f"{op_type} requires {wanted} input, got {dtype.name}")


# --- elementwise unary -----------------------------------------------------------------------
def _ufunc_writing(kernel, out_dtype):
    """The `writes_into` of an op whose kernel is a NumPy ufunc giving the inputs' dtype."""
    return kernel if isinstance(kernel, np.ufunc) and out_dtype is None else None


def unary_op(op_type, kernel, grad, kind=_FLOAT, out_dtype=None, doc=None, writes_into=None):
    """Registers an elementwise one-input op type and returns its public builder."""
    def shape(x):
        check_kind(op_type, x.dtype, kind)
        return [(out_dtype or x.dtype, x.shape)]

    register_op(op_type, shape=shape, kernel=kernel, grad=grad, row_wise=elementwise_rows,
                writes_into=writes_into or _ufunc_writing(kernel, out_dtype))

    def builder(x, name=None):
        if isinstance(x, TensorLike):
            return one(create_op(op_type, [convert_to_tensor(x)], name=name or op_type))
        with name_scope(name or op_type) as scope:  # a value's constant is "<op>/x"
            return one(create_op(op_type, [convert_to_tensor(x, name="x")], name=scope))
    builder.__name__ = op_type.lower()
    builder.__doc__ = doc or f"Elementwise {op_type} of `x`."
    return builder



def _rsqrt_kernel(x):
    return 1 / np.sqrt(x)


def _sigmoid_kernel(x, out=None):
    """1 / (1 + exp(-x)) in one buffer; exp overflows to inf for very negative x, giving 0."""
    out = np.negative(x, out=np.empty_like(x) if out is None else out)
    np.exp(out, out=out)
    out += 1
    return np.divide(1, out, out=out)  # as np.reciprocal, bit for bit, but vectorised


def _conj(x):
    """The complex conjugate of a complex tensor (TF's gradients conjugate), else x itself."""
    return one(create_op("Conj", [x])) if x.dtype.is_complex else x


negative = unary_op("Neg", np.negative, lambda op, dy: [-dy], _NUMBER)
_real_abs = unary_op("Abs", np.abs, lambda op, dy: [dy * sign(op.inputs[0])], _NUMBER)
sign = unary_op("Sign", np.sign, lambda op, dy: [array.zeros_like(dy)], _NUMBER)
square = unary_op("Square", np.square, lambda op, dy: [dy * (2 * _conj(op.inputs[0]))], _NUMBER)
sqrt = unary_op("Sqrt", np.sqrt, lambda op, dy: [dy * 0.5 / _conj(op.outputs[0])])
rsqrt = unary_op("Rsqrt", _rsqrt_kernel, lambda op, dy: [dy * -0.5 * op.outputs[0] ** 3])
exp = unary_op("Exp", np.exp, lambda op, dy: [dy * _conj(op.outputs[0])])
log = unary_op("Log", np.log, lambda op, dy: [dy / _conj(op.inputs[0])])


def abs(x, name=None):  # noqa: A001 - TF's name
    """|x| elementwise; for a complex tensor, its real magnitude (TF's ComplexAbs)."""
    x = convert_to_tensor(x)
    if x.dtype.is_complex:
        return one(create_op("ComplexAbs", [x], name=name or "ComplexAbs",
                             Tout=x.dtype.real_dtype))
    return _real_abs(x, name)
log1p = unary_op("Log1p", np.log1p, lambda op, dy: [dy / (1 + op.inputs[0])])
sin = unary_op("Sin", np.sin, lambda op, dy: [dy * cos(op.inputs[0])])
cos = unary_op("Cos", np.cos, lambda op, dy: [-dy * sin(op.inputs[0])])
tanh = unary_op("Tanh", np.tanh, lambda op, dy: [dy * (1 - square(op.outputs[0]))])
sigmoid = unary_op("Sigmoid", _sigmoid_kernel,
                   lambda op, dy: [dy * op.outputs[0] * (1 - op.outputs[0])],
                   writes_into=_sigmoid_kernel)


def sigmoid_input(tensor):
    """The logits a Sigmoid op turned into `tensor`, or None when no Sigmoid op produced it.

    Keras's binary cross-entropy uses them, as TF 1.x's backend does."""
    op = getattr(tensor, "op", None)
    if op is not None and op.type == "Sigmoid" and len(op.inputs) == 1:
        return op.inputs[0]
    return None


# TensorFlow's gradient ops of Sigmoid and Tanh, in the graphs TensorFlow writes: (y, dy) with y
# the forward op's output.
def _cwise_grad_shape(op_type):
    def shape(y, dy):
        dtype, merged = same_dtype_and_shape(op_type, [y, dy])
        check_kind(op_type, dtype, _FLOAT)
        return [(dtype, merged)]
    return shape


def _sigmoid_grad_grad(op, g):
    y, dy = op.inputs
    g_dy = g * dy
    return [g_dy - 2.0 * g_dy * y, one(create_op("SigmoidGrad", [y, g]))]


def _tanh_grad_grad(op, g):
    y, dy = op.inputs
    return [g * -2.0 * dy * y, one(create_op("TanhGrad", [y, g]))]


register_op("SigmoidGrad", shape=_cwise_grad_shape("SigmoidGrad"),
            kernel=lambda y, dy: dy * (y * (1 - y)), grad=_sigmoid_grad_grad,
            row_wise=elementwise_rows)
register_op("TanhGrad", shape=_cwise_grad_shape("TanhGrad"),
            kernel=lambda y, dy: dy * (1 - y * y), grad=_tanh_grad_grad,
            row_wise=elementwise_rows)
reciprocal = unary_op("Reciprocal", np.reciprocal,
                      lambda op, dy: [-dy * square(_conj(op.outputs[0]))])
floor = unary_op("Floor", np.floor, lambda op, dy: [array.zeros_like(dy)])
ceil = unary_op("Ceil", np.ceil, lambda op, dy: [array.zeros_like(dy)])
round = unary_op("Round", np.round, lambda op, dy: [array.zeros_like(dy)],  # noqa: A001
                 _NUMBER)
logical_not = unary_op("LogicalNot", np.logical_not, NOT_DIFFERENTIABLE, _BOOL)
is_nan = unary_op("IsNan", np.isnan, NOT_DIFFERENTIABLE, out_dtype=dtypes.bool)
is_finite = unary_op("IsFinite", np.isfinite, NOT_DIFFERENTIABLE, out_dtype=dtypes.bool)


# --- elementwise binary ----------------------------------------------------------------------
def _binary_inputs(x, y, names=("x", "y")):
    """Converts x and y to tensors, giving a Python value the other operand's dtype; values
    become constants named `names` (in the op's name scope, as TF names them)."""
    if isinstance(x, TensorLike):
        x = convert_to_tensor(x)
        if isinstance(y, TensorLike):
            return x, convert_to_tensor(y)
        return x, convert_to_tensor(y, dtype=x.dtype, name=names[1])
    if isinstance(y, TensorLike):
        y = convert_to_tensor(y)
        return convert_to_tensor(x, dtype=y.dtype, name=names[0]), y
    x = convert_to_tensor(x, name=names[0])
    return x, convert_to_tensor(y, dtype=x.dtype, name=names[1])


def _binary(op_type, kernel, grad, kind=_NUMBER, out_dtype=None, default_name=None,
            forwards=None, bind=None, writes_into=None):
    """Registers a broadcasting two-input op and returns its public builder."""
    def shape(x, y):
        if x.dtype is not y.dtype:
            raise TypeError(f"{op_type} requires inputs of one dtype, got x: {x.dtype.name} "
                            f"and y: {y.dtype.name}")
        check_kind(op_type, x.dtype, kind)
        return [(out_dtype or x.dtype, broadcast_shapes(x.shape, y.shape))]

    register_op(op_type, shape=shape, kernel=kernel, grad=grad, forwards=forwards, bind=bind,
                row_wise=elementwise_rows,
                writes_into=writes_into or (None if bind else _ufunc_writing(kernel, out_dtype)))

    def builder(x, y, name=None):
        name = name or default_name or op_type
        if isinstance(x, TensorLike) and isinstance(y, TensorLike):
            x, y = _binary_inputs(x, y)
            return one(create_op(op_type, [x, y], name=name))
        with name_scope(name, values=[x, y]) as scope:  # a value's constant is "<op>/y"
            x, y = _binary_inputs(x, y)
            return one(create_op(op_type, [x, y], name=scope))
    builder.__name__ = op_type.lower()
    builder.__doc__ = f"Elementwise {op_type} of `x` and `y`, with broadcasting."
    return builder


def _reduce_both(op, dx, dy):
    """Input gradients summed back to the inputs' shapes (the reverse of broadcasting)."""
    x, y = op.inputs
    return [None if dx is None else sum_to_shape(dx, x),
            None if dy is None else sum_to_shape(dy, y)]


def _pow_grad(op, dz):
    x, y, z = (_conj(t) for t in (op.inputs[0], op.inputs[1], op.outputs[0]))
    dx = dz * y * pow(x, y - 1)
    has_log = not_equal(x, 0) if x.dtype.is_complex else x > 0  # log is taken where defined
    safe_log = array.where(has_log, log(array.where(has_log, x, array.ones_like(x))),
                           array.zeros_like(x))
    return _reduce_both(op, dx, dz * z * safe_log)


def _extreme_grad(compare):
    def grad(op, dz):
        x, y = op.inputs
        pick_x = compare(x, y)
        zero = array.zeros_like(dz)
        return _reduce_both(op, array.where(pick_x, dz, zero),
                            array.where(pick_x, zero, dz))
    return grad


def _floor_mod_grad(op, dz):
    x, y = op.inputs
    return _reduce_both(op, dz, -dz * floor(x / y))


def _real_div_kernel(x, y):
    return np.true_divide(x, y)


def _integer_divisor_checked(kernel):
    """(`kernel(x, y)` that fails as TF does when an integer `y` holds a zero (NumPy would
    return 0 with a warning), its bind rule). A Plan binds the plain `kernel` for float ops,
    whose division by zero gives inf or nan, so they pay nothing for the check."""
    def checked(x, y):
        if y.dtype.kind in "iu" and not np.all(y):
            raise errors.InvalidArgumentError(None, None, "Integer division by zero")
        return kernel(x, y)

    def bind(op, make_plan, is_used):
        return checked if op.inputs[1].dtype.is_integer else kernel
    return checked, bind


def _neutral_forwards(neutral, positions=(0, 1)):
    """A `forwards` rule: the op outputs its other input where a known input at one of
    `positions` is `neutral` as a single number that cannot broadcast that input (x * 1,
    x / 1, x - 0 bit for bit; x + 0 as TensorFlow's graph optimizer forwards it, so a -0.0
    stays -0.0)."""
    def forwards(op, constants):
        for index, value in constants.items():
            x = op.inputs[1 - index]
            if index in positions and isinstance(value, (np.ndarray, np.generic)) and \
                    value.dtype.kind in "iufc" and value.size == 1 and value == neutral and \
                    (value.ndim == 0 or (x.shape.ndims or 0) >= value.ndim):
                return 1 - index
        return None
    return forwards


add = _binary("Add", np.add, lambda op, dz: _reduce_both(op, dz, dz), _ANY,
              forwards=_neutral_forwards(0))
subtract = _binary("Sub", np.subtract, lambda op, dz: _reduce_both(op, dz, -dz),
                   forwards=_neutral_forwards(0, positions=(1,)))
multiply = _binary("Mul", np.multiply,
                   lambda op, dz: _reduce_both(op, dz * _conj(op.inputs[1]),
                                               _conj(op.inputs[0]) * dz),
                   forwards=_neutral_forwards(1))
real_div = _binary("RealDiv", _real_div_kernel, lambda op, dz: _reduce_both(
    op, dz / _conj(op.inputs[1]), -dz * _conj(op.inputs[0]) / square(_conj(op.inputs[1]))),
    default_name="truediv", writes_into=np.true_divide,
    forwards=_neutral_forwards(1, positions=(1,)))
_floor_div, _bind_floor_div = _integer_divisor_checked(np.floor_divide)
floordiv = _binary("FloorDiv", _floor_div, NOT_DIFFERENTIABLE, default_name="floordiv",
                   bind=_bind_floor_div)
_floor_mod, _bind_floor_mod = _integer_divisor_checked(np.mod)
floormod = _binary("FloorMod", _floor_mod, _floor_mod_grad, default_name="mod",
                   bind=_bind_floor_mod)
pow = _binary("Pow", np.power, _pow_grad)  # noqa: A001
maximum = _binary("Maximum", np.maximum, _extreme_grad(lambda x, y: x >= y))
minimum = _binary("Minimum", np.minimum, _extreme_grad(lambda x, y: x <= y))
squared_difference = _binary("SquaredDifference", lambda x, y: np.square(x - y), lambda op, dz:
                             _reduce_both(op, dz * 2 * (op.inputs[0] - op.inputs[1]),
                                          dz * -2 * (op.inputs[0] - op.inputs[1])))
equal = _binary("Equal", np.equal, NOT_DIFFERENTIABLE, _ANY, dtypes.bool)
not_equal = _binary("NotEqual", np.not_equal, NOT_DIFFERENTIABLE, _ANY, dtypes.bool)
less = _binary("Less", np.less, NOT_DIFFERENTIABLE, _NUMBER, dtypes.bool)
less_equal = _binary("LessEqual", np.less_equal, NOT_DIFFERENTIABLE, _NUMBER, dtypes.bool)
greater = _binary("Greater", np.greater, NOT_DIFFERENTIABLE, _NUMBER, dtypes.bool)
greater_equal = _binary("GreaterEqual", np.greater_equal, NOT_DIFFERENTIABLE, _NUMBER,
                        dtypes.bool)
logical_and = _binary("LogicalAnd", np.logical_and, NOT_DIFFERENTIABLE, _BOOL)
logical_or = _binary("LogicalOr", np.logical_or, NOT_DIFFERENTIABLE, _BOOL)
mod = floormod
floor_div = floordiv


def logical_xor(x, y, name="LogicalXor"):
    """Elementwise exclusive or of bool tensors."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


def truediv(x, y, name=None):
    """x / y in floating point; integer inputs are cast to float first (Python 3 division)."""
    with name_scope(name, "truediv", [x, y]) as scope:
        x, y = _binary_inputs(x, y)
        if x.dtype.is_integer:
            target = dtypes.float32 if x.dtype.size <= 2 else dtypes.float64
            x, y = array.cast(x, target), array.cast(y, target)
        return real_div(x, y, name=scope)


def divide(x, y, name=None):
    """x / y (TF's tf.divide)."""
    return truediv(x, y, name=name or "truediv")


def div(x, y, name=None):
    """TF1's tf.div: floor division for integers, true division for floats."""
    with name_scope(name, "div", [x, y]) as scope:
        x, y = _binary_inputs(x, y)
        if x.dtype.is_integer:
            return floordiv(x, y, name=scope)
        return real_div(x, y, name=scope)


def scalar_mul(scalar, x, name=None):
    return multiply(scalar, x, name=name)


# --- n-ary -----------------------------------------------------------------------------------
def _add_n_shape(*inputs):
    return [same_dtype_and_shape("AddN", inputs)]


def _add_n_kernel(*inputs, out=None):
    """((x0 + x1) + x2) + ..., into `out` unless it is an input still to be added."""
    if len(inputs) == 1 or (out is not None and any(x is out for x in inputs[2:])):
        return functools.reduce(np.add, inputs)
    total = np.add(inputs[0], inputs[1], out=out)
    for x in inputs[2:]:  # a new sum is written over; NumPy scalars are not arrays
        total = np.add(total, x, out=total if total.__class__ is np.ndarray else None)
    return total


register_op("AddN", shape=_add_n_shape, kernel=_add_n_kernel,
            grad=lambda op, dy: [dy] * len(op.inputs), row_wise=elementwise_rows,
            writes_into=_add_n_kernel)


def add_n(inputs, name=None):
    """The elementwise sum of a list of tensors of one shape and dtype."""
    if not inputs:
        raise ValueError("inputs must be a list of at least one Tensor with the same dtype and "
                         "shape")
    inputs = [convert_to_tensor(t) for t in inputs]
    if len(inputs) == 1:
        return array.identity(inputs[0], name=name)
    return one(create_op("AddN", inputs, name=name or "AddN"))


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None):
    return add_n(inputs, name=name)


# --- matmul ----------------------------------------------------------------------------------
def _matmul_shape(a, b, *, transpose_a, transpose_b):
    if a.dtype is not b.dtype:
        raise TypeError(f"MatMul requires inputs of one dtype, got a: {a.dtype.name} and "
                        f"b: {b.dtype.name}")
    check_kind("MatMul", a.dtype, _NUMBER)
    if a.shape.ndims is None or b.shape.ndims is None:
        return [(a.dtype, unknown_shape())]
    if a.shape.ndims < 2 or b.shape.ndims < 2:
        raise ValueError(f"MatMul requires inputs of rank >= 2, got ranks {a.shape.ndims} and "
                         f"{b.shape.ndims}")
    da, db = a.shape.as_tuple(), b.shape.as_tuple()
    m, k1 = (da[-1], da[-2]) if transpose_a else (da[-2], da[-1])
    k2, n = (db[-1], db[-2]) if transpose_b else (db[-2], db[-1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"Dimensions must be equal, but are {k1} and {k2}")
    batch = broadcast_shapes(TensorShape(da[:-2]), TensorShape(db[:-2]))
    return [(a.dtype, batch.concatenate([m, n]))]


def _matmul_kernel(a, b, *, transpose_a, transpose_b):
    if transpose_a:
        a = a.swapaxes(-1, -2)  # the method: np.swapaxes adds a Python layer per call
    if transpose_b:
        b = b.swapaxes(-1, -2)
    return np.matmul(a, b)


def _matmul_grad(op, dz):
    a, b = op.inputs
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    if not ta and not tb:
        da, db = matmul(dz, b, transpose_b=True), matmul(a, dz, transpose_a=True)
    elif not ta and tb:
        da, db = matmul(dz, b), matmul(dz, a, transpose_a=True)
    elif ta and not tb:
        da, db = matmul(b, dz, transpose_b=True), matmul(a, dz)
    else:
        da = matmul(b, dz, transpose_a=True, transpose_b=True)
        db = matmul(dz, a, transpose_a=True, transpose_b=True)
    return [sum_to_shape(da, a), sum_to_shape(db, b)]


register_op("MatMul", shape=_matmul_shape, kernel=_matmul_kernel, grad=_matmul_grad)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """The matrix product of `a` and `b` (batched over leading dimensions)."""
    with name_scope(name, "MatMul", [a, b]) as scope:
        a, b = _binary_inputs(a, b, names=("a", "b"))
        return one(create_op("MatMul", [a, b], name=scope,
                              transpose_a=bool(transpose_a or adjoint_a),
                              transpose_b=bool(transpose_b or adjoint_b)))


# --- reductions ------------------------------------------------------------------------------
def _reduced_shape(x, axis, keepdims):
    if x.shape.ndims is None:
        return unknown_shape()
    dims = x.shape.as_tuple()
    axes = range(len(dims)) if axis is None else [a % len(dims) if dims else a for a in axis]
    for a in (axis or ()):
        if not -len(dims) <= a < max(len(dims), 1):
            raise ValueError(f"Invalid reduction dimension {a} for input with {len(dims)} "
                             "dimensions")
    if keepdims:
        return TensorShape([1 if i in axes else d for i, d in enumerate(dims)])
    return TensorShape([d for i, d in enumerate(dims) if i not in axes])


def _read_reduction(node, reader):
    """TF's reduction (axes an input): axes constant -> the axis attr, else Dynamic<op>."""
    if tf_form.data_inputs(node) != 2:
        return
    keepdims = node.attr["keep_dims"].b if "keep_dims" in node.attr else False
    axes = reader.constant(node.input[1])
    if axes is None:
        node.op = "Dynamic" + node.op
    else:
        del node.input[1]
        reader.set(node, "axis", tf_form.int_tuple(axes))
    reader.set(node, "keepdims", bool(keepdims))


def _to_reduction(t):
    axis = t.pop("axis")
    t.insert_const(None, "reduction_indices",
                   list(range(t.rank())) if axis is None else [int(a) for a in axis])
    t.set("keep_dims", bool(t.pop("keepdims")))


def _reduction(op_type, kernel, grad, kind=_NUMBER):
    """Registers reduction `op_type` (axes an attr) and Dynamic`op_type` (axes an input tensor,
    for axes computed at run time); one kernel and one gradient rule serve both."""
    def shape(x, *, axis, keepdims):
        check_kind(op_type, x.dtype, kind)
        return [(x.dtype, _reduced_shape(x, axis, keepdims))]

    def dynamic_shape(x, axes, *, keepdims):
        check_kind(op_type, x.dtype, kind)
        if not axes.dtype.is_integer or axes.shape.ndims not in (None, 0, 1):
            raise ValueError(f"Dynamic{op_type} requires int axes (a scalar or vector), got "
                             f"{axes.dtype.name} of shape {axes.shape}")
        if keepdims and x.shape.ndims is not None:  # as TF: the rank, not which axes go
            return [(x.dtype, TensorShape([None] * x.shape.ndims))]
        return [(x.dtype, unknown_shape())]

    def dynamic_kernel(x, axes, *, keepdims):
        return kernel(x, axis=tuple(int(a) for a in np.reshape(axes, -1)), keepdims=keepdims)

    def dynamic_grad(op, dy):
        return grad(op, dy) + [None]  # no gradient for the axes

    register_op(op_type, shape=shape, kernel=kernel, grad=grad)
    register_op("Dynamic" + op_type, shape=dynamic_shape, kernel=dynamic_kernel,
                grad=grad if grad is NOT_DIFFERENTIABLE else dynamic_grad)
    register_tf_form(op_type, marker="keepdims", from_tf=_read_reduction, to_tf=_to_reduction)
    register_tf_form("Dynamic" + op_type, to_tf=tf_form.tensor_input_form(op_type, keepdims=True))


def _mean_kernel(x, *, axis, keepdims):
    total = np.add.reduce(x, axis=axis, keepdims=keepdims, dtype=x.dtype)
    count = x.size // max(np.size(total), 1) if x.size else 0
    if x.dtype.kind in "fc":
        return total / x.dtype.type(count) if count else total * np.nan
    return np.asarray(np.trunc(total / max(count, 1))).astype(x.dtype)


def _sum_kernel(x, *, axis, keepdims):
    return np.add.reduce(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _prod_kernel(x, *, axis, keepdims):
    return np.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _extreme_kernel(reduce, sign):
    """np.max (sign -1) or np.min (sign 1); like TF, reducing nothing gives the identity
    (-inf or the dtype's lowest value for max)."""
    def kernel(x, *, axis, keepdims):
        if x.size:
            return reduce(x, axis=axis, keepdims=keepdims)
        limits = np.iinfo(x.dtype) if x.dtype.kind in "iu" else None
        identity = sign * np.inf if limits is None else (limits.max if sign > 0 else limits.min)
        return reduce(x, axis=axis, keepdims=keepdims, initial=identity)
    return kernel


def _broadcast_reduced(dy, op):
    """`dy` (a reduction's output gradient) expanded back over the reduced input's shape."""
    x = op.inputs[0]
    if "axis" not in op.attrs:  # the axes are a tensor (Dynamic<reduction>)
        axes = op.inputs[1]
        shape = array.shape(x, out_type=axes.dtype)
        kept = one(create_op("ReducedShape", [shape, array.reshape(axes, [-1])]))
        return array.broadcast_to(array.reshape(dy, kept), shape)
    axis = op.attrs["axis"]
    if x.shape.is_fully_defined() and _reduces_every_axis(axis, x.shape.ndims):
        # TF's Sum gradient when every axis of a fully known shape is reduced: dy tiled to a
        # constant shape, so x's value is not needed (d/dx sum(conv(x, w) * c) runs no conv)
        return array.broadcast_to(array.reshape(dy, [1] * x.shape.ndims), x.shape.as_list())
    return one(create_op("BroadcastReduced", [dy, x], axis=axis,
                          keepdims=op.attrs["keepdims"]))


def _reduces_every_axis(axis, rank):
    """Whether a reduction over `axis` (an attr: None for all) leaves none of `rank` axes."""
    return axis is None or rank == 0 or len({a % rank for a in axis}) == rank


def _reduce_like(op, op_type, t):
    """`t` reduced by `op_type` over the axes reduction `op` reduces (attr or tensor)."""
    if "axis" not in op.attrs:
        return one(create_op("Dynamic" + op_type, [t, op.inputs[1]],
                              keepdims=op.attrs["keepdims"]))
    return one(create_op(op_type, [t], axis=op.attrs["axis"], keepdims=op.attrs["keepdims"]))


def _sum_grad(op, dy):
    return [_broadcast_reduced(dy, op)]


def _mean_grad(op, dy):
    x, y = op.inputs[0], op.outputs[0]
    n_in, n_out = x.shape.num_elements(), y.shape.num_elements()
    if n_in is not None and n_out is not None:
        count = constant(max(n_in // max(n_out, 1), 1), dtype=dy.dtype)
    else:
        count = array.cast(array.size(x) // maximum(array.size(y), 1), dy.dtype)
    return [_broadcast_reduced(dy / count, op)]


def _extreme_reduction_grad(op, dy):
    x = op.inputs[0]
    hits = array.cast(equal(_broadcast_reduced(op.outputs[0], op), x), dy.dtype)
    counts = _reduce_like(op, "Sum", hits)
    return [_broadcast_reduced(dy / counts, op) * hits]


def _prod_grad(op, dy):
    """dy times the product of the other entries, found without dividing by zero entries."""
    x = op.inputs[0]
    is_zero = equal(x, array.zeros_like(x))
    ones = array.ones_like(x)

    def reduced(op_type, t):
        return _broadcast_reduced(_reduce_like(op, op_type, t), op)

    safe = array.where(is_zero, ones, x)
    nonzero_prod = reduced("Prod", safe)
    zero_prod = reduced("Prod", array.where(is_zero, x, ones))  # 0 if the slice has a 0
    one_zero = array.cast(equal(reduced("Sum", array.cast(is_zero, x.dtype)), 1),
                              x.dtype)
    others = array.where(is_zero, nonzero_prod * one_zero,
                             nonzero_prod / safe * zero_prod)
    return [_broadcast_reduced(dy, op) * others]


_reduction("Sum", _sum_kernel, _sum_grad)
_reduction("Mean", _mean_kernel, _mean_grad)
_reduction("Max", _extreme_kernel(np.max, -1), _extreme_reduction_grad)
_reduction("Min", _extreme_kernel(np.min, 1), _extreme_reduction_grad)
_reduction("Prod", _prod_kernel, _prod_grad)
_reduction("Any", lambda x, *, axis, keepdims: np.any(x, axis=axis, keepdims=keepdims),
           NOT_DIFFERENTIABLE, _BOOL)
_reduction("All", lambda x, *, axis, keepdims: np.all(x, axis=axis, keepdims=keepdims),
           NOT_DIFFERENTIABLE, _BOOL)


def _broadcast_reduced_shape(dy, x, *, axis, keepdims):
    return [(dy.dtype, x.shape)]


def _broadcast_reduced_kernel(dy, x, *, axis, keepdims):
    dy = np.asarray(dy)
    if not keepdims:  # put the reduced axes back as size-1 dimensions
        if axis is None:
            kept = (1,) * x.ndim
        else:
            kept = list(x.shape)
            for a in axis:
                kept[a % x.ndim] = 1
        dy = dy.reshape(kept)
    out = np.empty(x.shape, dy.dtype)
    out[...] = dy
    return out


def _broadcast_reduced_grad(op, ddx):
    return [one(create_op("Sum", [ddx], axis=op.attrs["axis"], keepdims=op.attrs["keepdims"])),
            None]


register_op("BroadcastReduced", shape=_broadcast_reduced_shape,
            kernel=_broadcast_reduced_kernel, grad=_broadcast_reduced_grad, shape_only_inputs=[1])


def _reduced_shape_shape(shape, axes):
    for t, what in ((shape, "the shape"), (axes, "the axes")):
        if not t.dtype.is_integer or t.shape.ndims not in (None, 1):
            raise ValueError(f"ReducedShape requires {what} to be an int vector, got "
                             f"{t.dtype.name} of shape {t.shape}")
    return [(shape.dtype, shape.shape)]


def _reduced_shape_kernel(shape, axes):
    out = np.array(shape, copy=True)
    if out.size:
        out[np.asarray(axes, np.int64) % out.size] = 1
    return out


register_op("ReducedShape", shape=_reduced_shape_shape, kernel=_reduced_shape_kernel,
            grad=NOT_DIFFERENTIABLE)


def _axis_attr(axis, reduction_indices):
    axis = reduction_indices if axis is None else axis
    if axis is None:
        return None
    if isinstance(axis, Tensor):
        from tensorweave.core.constants import constant_value
        value = constant_value(axis)
        if value is None:
            raise TypeError("Reduction axes must be known while building the graph (Python "
                            "ints or constants).")
        axis = value
    return tuple(int(a) for a in np.asarray(axis).reshape(-1))


def _run_time_axes(axis, reduction_indices):
    """The axes as an int tensor when they are computed at run time, else None."""
    axis = reduction_indices if axis is None else axis
    axes = None if axis is None else array.shape_argument(axis)
    return axes if isinstance(axes, Tensor) else None


def _reduce(op_type, default_name):
    def builder(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None):
        keep = bool(keepdims if keepdims is not None else keep_dims)
        x = convert_to_tensor(input_tensor)
        axes = _run_time_axes(axis, reduction_indices)
        if axes is not None:
            return one(create_op("Dynamic" + op_type, [x, axes], name=name or default_name,
                                  keepdims=keep))
        return one(create_op(op_type, [x], name=name or default_name,
                              axis=_axis_attr(axis, reduction_indices), keepdims=keep))
    builder.__name__ = default_name
    builder.__doc__ = (f"{op_type} over `axis` (all axes when None); `keepdims` keeps reduced "
                       "axes with length 1. TF1's `reduction_indices`/`keep_dims` also work.")
    return builder


reduce_sum = _reduce("Sum", "Sum")
reduce_mean = _reduce("Mean", "Mean")
reduce_max = _reduce("Max", "Max")
reduce_min = _reduce("Min", "Min")
reduce_prod = _reduce("Prod", "Prod")
reduce_any = _reduce("Any", "Any")
reduce_all = _reduce("All", "All")


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None,
                     reduction_indices=None, keep_dims=None):
    """log(sum(exp(x))) computed stably."""
    keep = bool(keepdims or keep_dims)
    x = convert_to_tensor(input_tensor)
    peak = array.stop_gradient(
        reduce_max(x, axis, keepdims=True, reduction_indices=reduction_indices))
    if not keep and _run_time_axes(axis, reduction_indices) is not None:
        total = reduce_sum(exp(x - peak), axis, reduction_indices=reduction_indices)
        out = log(total) + array.reshape(peak, array.shape(total))
        return array.identity(out, name=name) if name else out
    out = log(reduce_sum(exp(x - peak), axis, keepdims=True,
                         reduction_indices=reduction_indices)) + peak
    if not keep:
        axes = _axis_attr(axis, reduction_indices)
        out = array.squeeze(out, axes) if axes is not None else array.reshape(out, [])
    return array.identity(out, name=name or "ReduceLogSumExp") if name else out


def count_nonzero(input_tensor, axis=None, keepdims=False, dtype=dtypes.int64, name=None):
    x = convert_to_tensor(input_tensor)
    nonzero = array.cast(not_equal(x, array.zeros_like(x)), dtype)
    return reduce_sum(nonzero, axis, keepdims=keepdims, name=name)


# --- arg max / min ---------------------------------------------------------------------------
def _arg_shape(x, *, axis, output_type):
    return [(output_type, _reduced_shape(x, (axis,), False))]


register_op("ArgMax", shape=_arg_shape,
            kernel=lambda x, *, axis, output_type: np.argmax(x, axis=axis).astype(output_type),
            grad=NOT_DIFFERENTIABLE)
register_op("ArgMin", shape=_arg_shape,
            kernel=lambda x, *, axis, output_type: np.argmin(x, axis=axis).astype(output_type),
            grad=NOT_DIFFERENTIABLE)


def _dynamic_arg_shape(x, dimension, *, output_type):
    if not dimension.dtype.is_integer or dimension.shape.ndims not in (None, 0, 1):
        raise ValueError(f"DynamicArgMax/Min require an int scalar dimension, got "
                         f"{dimension.dtype.name} of shape {dimension.shape}")
    if x.shape.ndims == 0:
        raise ValueError("DynamicArgMax/Min require an input of rank at least 1, got a scalar")
    return [(output_type, unknown_shape() if x.shape.ndims is None
             else TensorShape([None] * (x.shape.ndims - 1)))]  # as TF: which axis goes is unknown


def _dynamic_arg_kernel(arg):
    def kernel(x, dimension, *, output_type):
        axis = np.reshape(dimension, -1)
        if axis.size != 1 or not -x.ndim <= int(axis[0]) < x.ndim:
            raise ValueError(f"Expected dimension in the range [{-x.ndim}, {x.ndim}), but got "
                             f"{axis.tolist()}")
        return arg(x, axis=int(axis[0])).astype(output_type)
    return kernel


# TF's ArgMax and ArgMin forms: the dimension an input computed at run time
register_op("DynamicArgMax", shape=_dynamic_arg_shape, kernel=_dynamic_arg_kernel(np.argmax),
            grad=NOT_DIFFERENTIABLE)
register_op("DynamicArgMin", shape=_dynamic_arg_shape, kernel=_dynamic_arg_kernel(np.argmin),
            grad=NOT_DIFFERENTIABLE)


def _arg(op_type):
    def builder(input, axis=None, name=None, dimension=None,  # noqa: A002
                output_type=dtypes.int64):
        axis = dimension if axis is None else axis
        x = convert_to_tensor(input)
        axes = _run_time_axes(axis, None)
        if axes is not None:
            return one(create_op("Dynamic" + op_type, [x, axes], name=name or op_type,
                                  output_type=dtypes.as_dtype(output_type)))
        axis = 0 if axis is None else int(_axis_attr(axis, None)[0])
        return one(create_op(op_type, [x], name=name or op_type,
                              axis=axis, output_type=dtypes.as_dtype(output_type)))
    builder.__doc__ = f"Index of the {op_type[3:].lower()} value along `axis` (int64)."
    return builder


argmax = _arg("ArgMax")
argmin = _arg("ArgMin")


# --- clipping --------------------------------------------------------------------------------
def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """`t` with values below/above the bounds replaced by the bounds."""
    t = convert_to_tensor(t)
    return minimum(maximum(t, clip_value_min), clip_value_max, name=name or "clip_by_value")


def _values_of(t):
    """The tensor clipping reads: an IndexedSlices' values (duplicates counted apart, as TF)."""
    return convert_to_tensor(t.values if isinstance(t, IndexedSlices) else t)


def _like(t, clipped):
    """`clipped` values in the form of `t`: IndexedSlices stay IndexedSlices."""
    if isinstance(t, IndexedSlices):
        return IndexedSlices(clipped, t.indices, t.dense_shape)
    return clipped


def global_norm(t_list, name=None):
    """sqrt(sum of squares of every element of every tensor in t_list); an IndexedSlices
    counts its values."""
    squares = [reduce_sum(square(_values_of(t))) for t in t_list if t is not None]
    return sqrt(add_n(squares), name=name or "global_norm")


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales t_list so its global norm is at most clip_norm; returns (clipped, norm).
    IndexedSlices come back as IndexedSlices with scaled values."""
    if isinstance(t_list, (str, bytes)) or not isinstance(t_list, (list, tuple)):
        raise TypeError("t_list should be a sequence")
    t_list = list(t_list)
    norm = global_norm(t_list) if use_norm is None else use_norm
    clip_norm = convert_to_tensor(clip_norm, dtype=norm.dtype)
    scale = clip_norm * minimum(1.0 / norm, 1.0 / clip_norm)
    clipped = []
    for t in t_list:
        if t is None:
            clipped.append(None)
            continue
        values = _values_of(t)
        clipped.append(_like(t, array.identity(values * array.cast(scale, values.dtype))))
    return clipped, norm


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """`t` scaled so its L2 norm (over `axes`) is at most clip_norm (an IndexedSlices: its
    values, returned as IndexedSlices)."""
    values = _values_of(t)
    norm = sqrt(reduce_sum(square(values), axes, keepdims=True))
    clip_norm = convert_to_tensor(clip_norm, dtype=values.dtype)
    return _like(t, array.identity(values * clip_norm / maximum(norm, clip_norm),
                                   name=name or "clip_by_norm"))


def clip_by_average_norm(t, clip_norm, name=None):
    """`t` scaled so its L2 norm divided by its number of elements is at most clip_norm
    (TF 1.x's tf.clip_by_average_norm)."""
    t = convert_to_tensor(t, name="t")
    count = array.cast(array.size(t), t.dtype)
    inverse_norm = rsqrt(reduce_sum(t * t))
    clip_norm = convert_to_tensor(clip_norm, dtype=t.dtype)
    scale = minimum(inverse_norm * count, 1.0 / clip_norm)
    return array.identity(t * clip_norm * scale, name=name or "clip_by_average_norm")


# --- saturating casts --------------------------------------------------------------------
def _limit_in(value_dtype, bound):
    """`bound` as a value of `value_dtype`, moved toward 0 when the nearest one passes it
    (float32 cannot hold int32's max 2**31 - 1: the float32 just below it is used)."""
    x = np.asarray(bound).astype(value_dtype.as_numpy_dtype)
    if value_dtype.is_floating and builtins.abs(float(x)) > builtins.abs(bound):
        x = np.nextafter(x, np.zeros((), x.dtype))
    return x


def saturate_cast(value, dtype, name=None):
    """`value` clipped to `dtype`'s range and cast to `dtype` (tf.saturate_cast). The limits are
    the values of value's dtype nearest the range's ends inside it, as TensorFlow's later
    releases take them; 1.15 could step outside (float32 1.0 to int32 gave INT_MIN)."""
    with name_scope(name, "saturate_cast", [value]) as scope:
        value = convert_to_tensor(value, name="value")
        dtype = dtypes.as_dtype(dtype)
        numeric = (value.dtype.is_floating or value.dtype.is_integer) and (
            dtype.is_floating or dtype.is_integer)
        if numeric and (value.dtype.min < dtype.min or value.dtype.max > dtype.max):
            low = _limit_in(value.dtype, max(value.dtype.min, dtype.min))
            high = _limit_in(value.dtype, min(value.dtype.max, dtype.max))
            value = minimum(maximum(value, constant(low, name="min")),
                            constant(high, name="max"))
        return array.cast(value, dtype, name=scope)


# --- Tensor operators ------------------------------------------------------------------------
def _install_operators():
    def binary(fn, name=None, reverse=False):
        if reverse:
            return lambda self, other: fn(other, self, name=name)
        return lambda self, other: fn(self, other, name=name)

    # TF names operator ops after the operator ("add", "mul", ...), not the op type.
    table = {"add": add, "sub": subtract, "mul": multiply, "truediv": truediv, "div": div,
             "floordiv": floordiv, "mod": floormod, "pow": pow, "matmul": matmul,
             "and": logical_and, "or": logical_or, "xor": logical_xor}
    for name, fn in table.items():
        setattr(TensorLike, f"__{name}__", binary(fn, name))
        setattr(TensorLike, f"__r{name}__", binary(fn, name, reverse=True))
    TensorLike.__lt__ = binary(less)
    TensorLike.__le__ = binary(less_equal)
    TensorLike.__gt__ = binary(greater)
    TensorLike.__ge__ = binary(greater_equal)
    TensorLike.__neg__ = lambda self: negative(self)
    TensorLike.__abs__ = lambda self: abs(self)
    TensorLike.__invert__ = lambda self: logical_not(self)
    TensorLike.__getitem__ = array.getitem


_install_operators()


# --- TensorFlow's forms (core/tf_form.py) -----------------------------------------------------
def _read_batch_matmul(node, reader):
    """TF's BatchMatMul(V2), read as MatMul: adj_x and adj_y are transpose_a and _b."""
    for ours, theirs in (("transpose_a", "adj_x"), ("transpose_b", "adj_y")):
        reader.set(node, ours, node.attr[theirs].b if theirs in node.attr else False)


def _to_matmul(t):
    if max(t.rank(0), t.rank(1)) > 2:
        t.node.op = "BatchMatMulV2"
        t.set("adj_x", bool(t.pop("transpose_a")))
        t.set("adj_y", bool(t.pop("transpose_b")))


def _to_broadcast_reduced(t):
    """dy with the reduced axes put back (ExpandDims) and broadcast to x's shape."""
    dy, x = t.node.input[0], t.node.input[1]
    axis, keepdims = t.pop("axis"), t.pop("keepdims")
    rank = t.rank(1)
    if not keepdims:
        axes = range(rank) if axis is None else axis
        for a in sorted(a % rank if rank else a for a in axes):
            dim = t.const("ExpandDims/dim", a, dtypes.int32)
            dy = t.add("ExpandDims", "ExpandDims", [dy, dim], T=t.dtypes[0],
                       Tdim=dtypes.int32)
    shape = t.add("Shape", "Shape", [x], T=t.dtypes[1], out_type=dtypes.int32)
    t.node.op = "BroadcastTo"
    t.node.input[0], t.node.input[1] = dy, shape
    t.dtypes[1] = dtypes.int32


register_tf_form("Add", renamed_from=("AddV2",))
register_tf_form("MatMul", marker="transpose_a", from_tf=_read_batch_matmul, to_tf=_to_matmul,
                 renamed_from=("BatchMatMulV2", "BatchMatMul"))
register_tf_form("BroadcastReduced", to_tf=_to_broadcast_reduced)
for _op_type in ("ArgMax", "ArgMin"):
    register_tf_form(_op_type, marker="axis",
                     from_tf=tf_form.attr_from_input("axis", 1, tf_form.scalar,
                                                     run_time_form=True),
                     to_tf=tf_form.attr_to_input("axis", 1, "dimension"))
    register_tf_form("Dynamic" + _op_type, to_tf=tf_form.tensor_input_form(_op_type))


def arg_max(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002
    """TF 1.x's older `tf.arg_max`: `argmax` with TF's positional order (dimension, type)."""
    return argmax(input, dimension, name=name, output_type=output_type)


def arg_min(input, dimension, output_type=dtypes.int64, name=None):  # noqa: A002
    """TF 1.x's older `tf.arg_min`: `argmin` with TF's positional order (dimension, type)."""
    return argmin(input, dimension, name=name, output_type=output_type)
