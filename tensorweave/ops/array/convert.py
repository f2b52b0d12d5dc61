"""A value passed on: Identity, StopGradient, and Cast (the value in another dtype)."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.ops._common import (elementwise_rows, identity_kernel, one, passthrough_grad,
                                     same_as_input)


def _converted_input_value(op):
    """The op's input value known while building, in the output's dtype (Identity, Cast)."""
    inner = constant_value(op.inputs[0])
    return None if inner is None else np.asarray(inner, dtype=op.outputs[0].dtype.as_numpy_dtype)


register_op("Identity", shape=same_as_input, kernel=identity_kernel, grad=passthrough_grad,
            shares_memory=True, is_alias=True, value=_converted_input_value,
            row_wise=elementwise_rows)


register_op("StopGradient", shape=same_as_input, kernel=identity_kernel,
            grad=NOT_DIFFERENTIABLE, shares_memory=True, is_alias=True,
            row_wise=elementwise_rows)


def identity(input, name=None):  # noqa: A002
    """The same value as `input`, as a new tensor."""
    return one(create_op("Identity", [convert_to_tensor(input)], name=name or "Identity"))


def stop_gradient(input, name=None):  # noqa: A002
    """`input`, but gradients do not flow back through it."""
    return one(create_op("StopGradient", [convert_to_tensor(input)],
                          name=name or "StopGradient"))


def _cast_shape(x, *, DstT):
    return [(DstT, x.shape)]


def _cast_kernel(x, *, DstT):
    return x.astype(DstT)


def _cast_grad(op, dy):
    src = op.inputs[0].dtype
    if not (src.is_floating or src.is_complex) or not (dy.dtype.is_floating or
                                                       dy.dtype.is_complex):
        return [None]
    return [cast(dy, src)]


register_op("Cast", shape=_cast_shape, kernel=_cast_kernel, grad=_cast_grad,
            value=_converted_input_value, row_wise=elementwise_rows)


def cast(x, dtype, name=None):
    """`x` converted to `dtype` (truncating floats toward zero for integer types)."""
    dtype = dtypes.as_dtype(dtype)
    x = convert_to_tensor(x)
    if x.dtype is dtype:
        return x
    return one(create_op("Cast", [x], name=name or "Cast", DstT=dtype))


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble"):
    return cast(x, dtypes.float64, name=name)


def to_int32(x, name="ToInt32"):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    return cast(x, dtypes.int64, name=name)

