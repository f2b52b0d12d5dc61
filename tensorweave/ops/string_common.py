"""What the string op families share: string tensors as object arrays of bytes, elementwise
string op types, checks and TensorFlow's error wording."""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.ops._common import elementwise_rows

ASCII_SPACE = b" \t\n\v\f\r"  # absl's ASCII whitespace


def check_string(op_type, t, what="input"):
    if t.dtype is not dtypes.string:
        raise TypeError(f"{op_type} requires a string {what}, got {t.dtype.name}")


def string_tensor(value, name=None):
    """`value` as a string tensor (TypeError for another dtype)."""
    t = convert_to_tensor(value, dtype=dtypes.string if not hasattr(value, "dtype") else None,
                          name=name)
    if t.dtype is not dtypes.string:
        raise TypeError(f"Expected string, got {t.dtype.name} tensor {t.name}")
    return t


def as_bytes(value):
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def map_strings(array_, fn, dtype=object):
    """fn applied to every element (as bytes) of string array `array_`, in its shape."""
    array_ = np.asarray(array_, dtype=object)
    out = np.empty(array_.shape, dtype=dtype)
    flat = out.reshape(-1)
    for i, item in enumerate(array_.reshape(-1)):
        flat[i] = fn(as_bytes(item))
    return out


def elementwise(op_type, kernel, out_dtype=dtypes.string, input_dtype=dtypes.string, grad=None):
    """Registers a one-input elementwise op type whose output has the input's shape."""
    def shape(x, **_):
        if input_dtype is not None and x.dtype is not input_dtype:
            raise TypeError(f"{op_type} requires a {input_dtype.name} input, got {x.dtype.name}")
        return [(out_dtype, x.shape)]
    register_op(op_type, shape=shape, kernel=kernel, grad=grad or NOT_DIFFERENTIABLE,
                row_wise=elementwise_rows)


def invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def string_text(data):
    """Bytes as TensorFlow's error messages quote them (Python's repr of bytes)."""
    return repr(bytes(data))


def check_scalar_string(op_type, t, what):
    check_string(op_type, t, what)
    if t.shape.ndims not in (None, 0):
        raise ValueError(f"{op_type} requires a scalar {what}, got shape {t.shape}")
