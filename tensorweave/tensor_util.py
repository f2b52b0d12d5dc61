"""Tensors as values and protos: TF's tensor_util names (make_tensor_proto, make_ndarray,
get_static_value, is_tensor) and the conversion helpers programs call."""
import numpy as np

from tensorweave.core import constants
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.core.operation import TensorLike
from tensorweave.core.sparse_tensor import SparseTensor, SparseTensorValue
from tensorweave.core.tensor_shape import Dimension, as_shape

__all__ = ["make_tensor_proto", "make_ndarray", "get_static_value", "is_tensor",
           "register_tensor_conversion_function", "convert_to_tensor_or_sparse_tensor",
           "convert_to_tensor_or_indexed_slices", "dimension_at_index", "is_symbolic_tensor"]


def make_tensor_proto(values, dtype=None, shape=None, verify_shape=False,
                      allow_broadcast=False):
    """A TensorProto holding `values` (reshaped or repeated to `shape` as TF does)."""
    from tensorweave.core import graph_def  # protobuf loads on first use, not on import
    array = constants.constant_array(values, dtype)
    if shape is not None:
        shape = tuple(as_shape(shape).as_list())
        if verify_shape and array.shape != shape:
            raise TypeError(f"Expected Tensor's shape: {shape}, got {array.shape}.")
        if array.size == 1 and int(np.prod(shape)) != 1:
            array = np.full(shape, array.reshape(-1)[0], dtype=array.dtype)
        elif allow_broadcast:
            array = np.broadcast_to(array, shape)
        elif array.size != int(np.prod(shape)):
            raise ValueError(f"Too many elements provided. Needed at most "
                             f"{int(np.prod(shape))}, but received {array.size}")
        else:
            array = array.reshape(shape)
    return graph_def.tensor_proto(array, dtype)


def make_ndarray(tensor):
    """The NumPy array a TensorProto holds."""
    from tensorweave.core import graph_def  # protobuf loads on first use, not on import
    return graph_def.tensor_value(tensor)


def get_static_value(tensor, partial=False):
    """The value of `tensor` when it is known while building the graph, else None."""
    if not isinstance(tensor, TensorLike):
        return np.asarray(tensor)
    value = constants.constant_value(tensor)
    if value is None and partial:
        entries = constants.partial_value(tensor)
        return None if entries is None else np.array(entries, dtype=object)
    return value


def is_tensor(x):
    """True for the graph's tensor types (Tensor, Variable, SparseTensor)."""
    return isinstance(x, (TensorLike, SparseTensor))


def is_symbolic_tensor(tensor):
    """True for a graph tensor (every tensorweave Tensor is one: there is no eager mode)."""
    return isinstance(tensor, TensorLike)


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """Makes convert_to_tensor accept `base_type` through
    `conversion_func(value, dtype=None, name=None, as_ref=False)`."""
    if not callable(conversion_func):
        raise TypeError("conversion_func must be callable.")
    types = base_type if isinstance(base_type, tuple) else (base_type,)
    if any(t in (object,) or issubclass(t, (np.ndarray, np.generic, int, float, str, bytes))
           for t in types):
        raise TypeError(f"Cannot register conversions for Python numeric types and NumPy "
                        f"scalars and arrays, got {base_type}")

    def convert(value, dtype, name):
        return conversion_func(value, dtype=dtype, name=name, as_ref=False)
    constants.register_tensor_conversion_function(base_type, convert)


def convert_to_tensor_or_sparse_tensor(value, dtype=None, name=None):
    """SparseTensors (and their values) as SparseTensors; anything else as a Tensor."""
    if isinstance(value, SparseTensorValue):
        value = SparseTensor.from_value(value)
    if isinstance(value, SparseTensor):
        if dtype is not None and value.dtype != dtype:
            raise ValueError(f"Sparse dtype: requested = {dtype}, actual = {value.dtype}")
        return value
    return constants.convert_to_tensor(value, dtype=dtype, name=name)


def convert_to_tensor_or_indexed_slices(value, dtype=None, name=None):
    """Sparse values pass through; anything else becomes a Tensor."""
    if isinstance(value, (SparseTensor, IndexedSlices)):
        return value
    return constants.convert_to_tensor(value, dtype=dtype, name=name)


def dimension_at_index(shape, index):
    """The Dimension at `index` of `shape` (unknown when the rank is)."""
    shape = as_shape(shape)
    if shape.ndims is None:
        return Dimension(None)
    return shape.dims[index]
