"""Bitwise ops on integers: and, or, xor, invert and shifts (tf.bitwise)."""
import numpy as np

from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.ops._common import elementwise_rows, one
from tensorweave.ops.array import broadcast_shapes

__all__ = []  # the names `tf.` takes from here (tf.bitwise's are not top-level in TF 1.15)

_ALLOWED = "int8, int16, int32, int64, uint8, uint16, uint32, uint64"


def _check_integer(op_type, dtype):
    if not dtype.is_integer:
        raise TypeError(f"{op_type} requires an integer input ({_ALLOWED}), got {dtype.name}")


def _clamped_shift(shift_fn):
    """x shifted by y clamped to [0, bits - 1], as TensorFlow's CPU kernels do for shifts
    that are negative or not smaller than the width (which TF leaves implementation defined)."""
    def kernel(x, y):
        bits = np.dtype(x.dtype).itemsize * 8
        return shift_fn(x, np.clip(y, 0, bits - 1).astype(x.dtype)).astype(x.dtype, copy=False)
    return kernel


def _binary(op_type, kernel):
    def shape(x, y):
        _check_integer(op_type, x.dtype)
        if x.dtype is not y.dtype:
            raise TypeError(f"{op_type} requires inputs of one dtype, got x: {x.dtype.name} and "
                            f"y: {y.dtype.name}")
        return [(x.dtype, broadcast_shapes(x.shape, y.shape))]

    register_op(op_type, shape=shape, kernel=kernel, grad=NOT_DIFFERENTIABLE,
                row_wise=elementwise_rows)

    def builder(x, y, name=None):
        x = convert_to_tensor(x)
        y = convert_to_tensor(y, dtype=x.dtype if not hasattr(y, "dtype") else None)
        return one(create_op(op_type, [x, y], name=name or op_type))
    builder.__name__ = op_type
    builder.__doc__ = f"Elementwise {op_type} of integer tensors `x` and `y`, with broadcasting."
    return builder


bitwise_and = _binary("BitwiseAnd", np.bitwise_and)
bitwise_or = _binary("BitwiseOr", np.bitwise_or)
bitwise_xor = _binary("BitwiseXor", np.bitwise_xor)
left_shift = _binary("LeftShift", _clamped_shift(np.left_shift))
right_shift = _binary("RightShift", _clamped_shift(np.right_shift))


def _invert_shape(x):
    _check_integer("Invert", x.dtype)
    return [(x.dtype, x.shape)]


register_op("Invert", shape=_invert_shape, kernel=np.invert, grad=NOT_DIFFERENTIABLE,
            row_wise=elementwise_rows)


def invert(x, name=None):
    """Flips every bit of integer tensor `x` (~x)."""
    return one(create_op("Invert", [convert_to_tensor(x)], name=name or "Invert"))
