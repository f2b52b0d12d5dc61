"""Complex numbers: complex, real, imag, angle, conj and complex abs, with TF's gradients."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import register_op
from tensorweave.ops import array, math_ops, special_math
from tensorweave.ops._common import elementwise_rows, one

__all__ = ["complex", "real", "imag", "angle", "conj", "to_complex64", "to_complex128"]

_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}


def real_dtype(dtype):
    """float32 for complex64, float64 for complex128, the dtype itself otherwise."""
    if dtype.is_complex:
        return dtypes.as_dtype(np.zeros((), dtype.as_numpy_dtype).real.dtype)
    return dtype


def _check_complex(op_type, t):
    if not t.dtype.is_complex:
        raise TypeError(f"{op_type} requires a complex64 or complex128 input, got "
                        f"{t.dtype.name}")


# --- Complex ---------------------------------------------------------------------------------
def _complex_shape(real_part, imag_part, *, Tout):  # noqa: N803 - TF's attr name
    if real_part.dtype is not imag_part.dtype or real_part.dtype not in _COMPLEX_OF:
        raise TypeError(f"Complex requires float32 or float64 parts of one dtype, got "
                        f"{real_part.dtype.name} and {imag_part.dtype.name}")
    if Tout is not _COMPLEX_OF[real_part.dtype]:
        raise TypeError(f"Complex of {real_part.dtype.name} parts gives "
                        f"{_COMPLEX_OF[real_part.dtype].name}, not {Tout.name}")
    return [(Tout, array.broadcast_shapes(real_part.shape, imag_part.shape))]


def _complex_kernel(real_part, imag_part, *, Tout):  # noqa: N803
    shape = np.broadcast_shapes(np.shape(real_part), np.shape(imag_part))
    out = np.empty(shape, Tout)
    out.real, out.imag = real_part, imag_part  # (re + 1j * im would turn inf * 0 into nan)
    return out


def _complex_grad(op, dz):
    return [array.sum_to_shape(real(dz), op.inputs[0]),
            array.sum_to_shape(imag(dz), op.inputs[1])]


register_op("Complex", shape=_complex_shape, kernel=_complex_kernel, grad=_complex_grad,
            row_wise=elementwise_rows)


def complex(real, imag, name=None):  # noqa: A001 - TF's name
    """The complex tensor real + i imag (float32 parts give complex64, float64 complex128)."""
    real_part, imag_part = special_math.binary_inputs(real, imag)
    if real_part.dtype is not imag_part.dtype or real_part.dtype not in _COMPLEX_OF:
        raise TypeError(f"real and imag have incorrect types: {real_part.dtype.name} "
                        f"{imag_part.dtype.name}")
    return one(create_op("Complex", [real_part, imag_part], name=name or "Complex",
                         Tout=_COMPLEX_OF[real_part.dtype]))


# --- Real, Imag, Angle, ComplexAbs: complex in, real out -------------------------------------
def _to_real(op_type, kernel, grad):
    def shape(x, *, Tout):  # noqa: N803
        _check_complex(op_type, x)
        if Tout is not real_dtype(x.dtype):
            raise TypeError(f"{op_type} of {x.dtype.name} gives {real_dtype(x.dtype).name}, "
                            f"not {Tout.name}")
        return [(Tout, x.shape)]

    def run(x, *, Tout):  # noqa: N803
        return np.array(kernel(x), dtype=Tout)  # a copy, never a view of x

    register_op(op_type, shape=shape, kernel=run, grad=grad, row_wise=elementwise_rows)


def _as_complex(t, imag_part=None):
    """complex(t, 0) (or complex(t, imag_part)) for a real tensor t."""
    return complex(t, array.zeros_like(t) if imag_part is None else imag_part)


def _angle_grad(op, dy):
    x = op.inputs[0]
    return [-_as_complex(dy) * math_ops.reciprocal(complex(imag(x), real(x)))]


def _complex_abs_grad(op, dy):
    x, y = op.inputs[0], op.outputs[0]
    return [special_math.div_no_nan(_as_complex(dy) * x, _as_complex(y))]


_to_real("Real", np.real, lambda op, dy: [_as_complex(dy)])
_to_real("Imag", np.imag, lambda op, dy: [complex(array.zeros_like(dy), dy)])
_to_real("Angle", np.angle, _angle_grad)
_to_real("ComplexAbs", np.abs, _complex_abs_grad)


def _real_op(op_type, x, name):
    return one(create_op(op_type, [x], name=name or op_type, Tout=real_dtype(x.dtype)))


def real(input, name=None):  # noqa: A002 - TF's argument name
    """The real part of a complex tensor; a real tensor is returned as it is."""
    x = convert_to_tensor(input)
    return _real_op("Real", x, name) if x.dtype.is_complex else x


def imag(input, name=None):  # noqa: A002
    """The imaginary part of a complex tensor; zeros for a real tensor."""
    x = convert_to_tensor(input)
    return _real_op("Imag", x, name) if x.dtype.is_complex else array.zeros_like(x, name=name)


def angle(input, name=None):  # noqa: A002
    """The argument atan2(imag, real) of a complex tensor; zeros for a real tensor (TF 1.15)."""
    x = convert_to_tensor(input)
    return _real_op("Angle", x, name) if x.dtype.is_complex else array.zeros_like(x, name=name)


def complex_abs(x, name=None):
    """|x| of a complex tensor, as a real tensor (what tf.abs gives for complex inputs)."""
    x = convert_to_tensor(x)
    _check_complex("ComplexAbs", x)
    return _real_op("ComplexAbs", x, name)


# --- Conj ------------------------------------------------------------------------------------
def _conj_shape(x):
    _check_complex("Conj", x)
    return [(x.dtype, x.shape)]


register_op("Conj", shape=_conj_shape, kernel=lambda x: np.conj(x),
            grad=lambda op, dy: [conj(dy)], row_wise=elementwise_rows)


def conj(x, name=None):
    """The complex conjugate; real and integer tensors are returned as they are."""
    x = convert_to_tensor(x)
    if x.dtype.is_complex:
        return one(create_op("Conj", [x], name=name or "Conj"))
    if x.dtype.is_floating or x.dtype.is_integer:
        return x
    raise TypeError(f"Expected numeric or variant tensor, got dtype {x.dtype!r}")


def to_complex64(x, name="ToComplex64"):
    """x cast to complex64."""
    return array.cast(x, dtypes.complex64, name=name)


def to_complex128(x, name="ToComplex128"):
    """x cast to complex128."""
    return array.cast(x, dtypes.complex128, name=name)
