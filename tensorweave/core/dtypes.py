"""Element types of tensors (TF's tf.DType and the tf.float32, ... constants)."""
import builtins

import numpy as np


class DType:
    """An element type: `tw.float32.as_numpy_dtype is np.float32`."""

    __slots__ = ("name", "as_numpy_dtype", "_np")

    def __init__(self, name, numpy_type):
        self.name = name
        self.as_numpy_dtype = numpy_type
        self._np = np.dtype(numpy_type)

    @property
    def base_dtype(self):
        return self

    @property
    def real_dtype(self):
        return self

    @property
    def is_floating(self):
        return self._np.kind == "f"

    @property
    def is_integer(self):
        return self._np.kind in "iu"

    @property
    def is_unsigned(self):
        return self._np.kind == "u"

    @property
    def is_bool(self):
        return self._np.kind == "b"

    @property
    def is_complex(self):
        return self._np.kind == "c"

    @property
    def is_numpy_compatible(self):
        return True

    @property
    def size(self):
        return self._np.itemsize if self is not string else 1

    @property
    def min(self):
        if self.is_floating:
            return float(np.finfo(self._np).min)
        if self.is_integer:
            return int(np.iinfo(self._np).min)
        raise TypeError(f"Cannot find minimum value of {self.name}.")

    @property
    def max(self):
        if self.is_floating:
            return float(np.finfo(self._np).max)
        if self.is_integer:
            return int(np.iinfo(self._np).max)
        raise TypeError(f"Cannot find maximum value of {self.name}.")

    def is_compatible_with(self, other):
        return as_dtype(other) is self

    def __repr__(self):
        return f"tf.{self.name}"

    def __str__(self):
        return f"<dtype: '{self.name}'>"

    def __eq__(self, other):
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.name)

    def __reduce__(self):
        return as_dtype, (self.name,)


float16 = DType("float16", np.float16)
half = float16
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
double = float64
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
uint16 = DType("uint16", np.uint16)
uint32 = DType("uint32", np.uint32)
uint64 = DType("uint64", np.uint64)
bool = DType("bool", np.bool_)  # noqa: A001 - TF's public name
complex64 = DType("complex64", np.complex64)
complex128 = DType("complex128", np.complex128)
string = DType("string", np.object_)
variant = DType("variant", np.object_)  # a tf.data dataset, in graphs TensorFlow wrote

_ALL = [float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
        bool, complex64, complex128, string]
_BY_NAME = {d.name: d for d in _ALL + [variant]}
_BY_NAME.update(half=float16, float=float32, double=float64)  # TF's non-canonical names
_BY_NUMPY = {np.dtype(d.as_numpy_dtype): d for d in _ALL if d is not string}
_BY_NUMPY[np.dtype(np.object_)] = string
_BY_PYTHON = {float: float32, int: int32, builtins.bool: bool, str: string, bytes: string}


def as_dtype(type_value):
    """Converts a DType, NumPy dtype, type or name ('float32') to a DType."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        try:
            return _BY_NAME[type_value]
        except KeyError:
            raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.") from None
    if type_value in _BY_PYTHON:
        return _BY_PYTHON[type_value]
    try:
        npd = np.dtype(type_value)
    except TypeError:
        raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.") from None
    if npd.kind in "SU":
        return string
    try:
        return _BY_NUMPY[npd]
    except KeyError:
        raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.") from None


def dtype_of_value(value):
    """The DType TF infers for a Python or NumPy value (ints -> int32, floats -> float32)."""
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        kind = value.dtype.kind
        if kind in "SUO":
            return string
        return as_dtype(value.dtype)
    arr = np.asarray(value)
    kind = arr.dtype.kind
    if kind == "f":
        return float32
    if kind in "iu":
        if arr.size and (arr.max() > np.iinfo(np.int32).max or arr.min() < np.iinfo(np.int32).min):
            return int64
        return int32
    if kind == "b":
        return bool
    if kind in "SUO":
        return string
    if kind == "c":
        return complex128
    raise TypeError(f"Cannot infer a dtype for value {value!r}.")


def as_bytes(value):
    """`value` as bytes when it is a str (UTF-8), else unchanged (TF's string elements)."""
    return value.encode("utf-8") if isinstance(value, str) else value
