"""Element types of tensors (TF's tf.DType and the tf.float32, ... constants)."""
import builtins

import numpy as np


class DType:
    """An element type: `tw.float32.as_numpy_dtype is np.float32`."""

    __slots__ = ("name", "as_numpy_dtype", "_np", "_kind", "is_quantized")

    def __init__(self, name, numpy_type, kind=None, is_quantized=False):
        self.name = name
        self.as_numpy_dtype = numpy_type
        self._np = np.dtype(numpy_type)
        self._kind = kind or self._np.kind  # NumPy's kind letter, or the one the type stands for
        self.is_quantized = is_quantized

    @property
    def base_dtype(self):
        return self

    @property
    def real_dtype(self):
        """The type of the real and imaginary parts of a complex type; else the type itself."""
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    @property
    def is_floating(self):
        return self._kind == "f"

    @property
    def is_integer(self):
        return self._kind in "iu"

    @property
    def is_unsigned(self):
        return self._kind == "u"

    @property
    def is_bool(self):
        return self._kind == "b"

    @property
    def is_complex(self):
        return self._kind == "c"

    @property
    def is_numpy_compatible(self):
        return self._kind == self._np.kind

    @property
    def as_datatype_enum(self):
        """TensorFlow's DataType enum value (types.proto)."""
        return DATATYPE_ENUMS[self.name]

    @property
    def size(self):
        return self._np.itemsize if self is not string else 1

    @property
    def min(self):
        if not self.is_numpy_compatible:
            raise TypeError(f"Cannot find minimum value of {self.name}.")
        if self.is_floating:
            return float(np.finfo(self._np).min)
        if self.is_integer:
            return int(np.iinfo(self._np).min)
        raise TypeError(f"Cannot find minimum value of {self.name}.")

    @property
    def max(self):
        if not self.is_numpy_compatible:
            raise TypeError(f"Cannot find maximum value of {self.name}.")
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
resource = DType("resource", np.object_)  # a handle to state, in graphs TensorFlow wrote
# Types tensorweave names but has no kernels for: TF's quantized integers (NumPy structured
# types, as TF declares them) and bfloat16 (stored as 16 bits; casts to it are refused).
qint8 = DType("qint8", np.dtype([("qint8", np.int8)]), kind="i", is_quantized=True)
quint8 = DType("quint8", np.dtype([("quint8", np.uint8)]), kind="u", is_quantized=True)
qint16 = DType("qint16", np.dtype([("qint16", np.int16)]), kind="i", is_quantized=True)
quint16 = DType("quint16", np.dtype([("quint16", np.uint16)]), kind="u", is_quantized=True)
qint32 = DType("qint32", np.dtype([("qint32", np.int32)]), kind="i", is_quantized=True)
bfloat16 = DType("bfloat16", np.dtype([("bfloat16", np.uint16)]), kind="f")
QUANTIZED_DTYPES = frozenset([qint8, quint8, qint16, quint16, qint32])

DATATYPE_ENUMS = {
    "float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6, "string": 7,
    "complex64": 8, "int64": 9, "bool": 10, "qint8": 11, "quint8": 12, "qint32": 13,
    "bfloat16": 14, "qint16": 15, "quint16": 16, "uint16": 17, "complex128": 18,
    "float16": 19, "resource": 20, "variant": 21, "uint32": 22, "uint64": 23,
}

_ALL = [float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
        bool, complex64, complex128, string]
_BY_NAME = {d.name: d for d in _ALL + [variant, resource, bfloat16, *QUANTIZED_DTYPES]}
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
