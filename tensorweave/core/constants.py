"""Tensors from Python and NumPy values: Const ops, TF's dtype inference, and the values
known while building the graph (TF's tf.constant, convert_to_tensor, constant_value)."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core import registry
from tensorweave.core.dtypes import as_bytes
from tensorweave.core.graph import get_default_graph
from tensorweave.core.operation import Operation, Tensor, TensorLike
from tensorweave.core.tensor_shape import TensorShape

_conversion_hooks = []  # (type, fn(value, dtype, name) -> Tensor)


def register_tensor_conversion_function(base_type, fn):
    """convert_to_tensor turns instances of `base_type` into tensors with fn(value, dtype,
    name), which may return NotImplemented to leave the value to the next rule."""
    _conversion_hooks.append((base_type, fn))


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None):
    """A Tensor for `value`: Tensors pass through (dtype checked), values become constants."""
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype is not dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with "
                             f"dtype {value.dtype.name}: {value!r}")
        return value
    for base_type, fn in _conversion_hooks:
        if isinstance(value, base_type):
            converted = fn(value, dtype, name)
            if converted is not NotImplemented:  # a hook may decline, as in TF
                return converted
    if isinstance(value, Operation):
        raise TypeError(f"Can't convert Operation '{value.name}' to Tensor (target dtype="
                        f"{dtype}, name={name!r}, as_ref=False)")
    if dtype is None and preferred_dtype is not None:
        try:
            return constant(value, dtype=preferred_dtype, name=name)
        except (TypeError, ValueError):
            pass
    return constant(value, dtype=dtype, name=name)


def constant_array(value, dtype=None):
    """`value` as a NumPy array with TF's dtype inference (Python floats -> float32)."""
    if dtype is None:
        dtype = dtypes.dtype_of_value(value)
    if dtype is dtypes.string:
        array = np.asarray(value, dtype=object)
        return np.vectorize(as_bytes, otypes=[object])(array) if array.size else array
    if isinstance(value, (list, tuple)) and _contains_non_numbers(value):
        raise TypeError(f"Expected {dtype.name}, got {value!r} of type "
                        f"'{type(value).__name__}' instead.")
    array = np.asarray(value)
    if dtype.is_integer and array.dtype.kind == "f" and np.any(array != np.floor(array)):
        raise TypeError(f"Expected {dtype.name}, got {value!r} of type "
                        f"'{type(value).__name__}' instead.")
    return np.asarray(array, dtype=dtype.as_numpy_dtype)


def _contains_non_numbers(value):
    for v in value:
        if isinstance(v, (list, tuple)):
            if _contains_non_numbers(v):
                return True
        elif isinstance(v, (str, bytes, TensorLike)) or v is None:
            return True
    return False


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """A Const op holding `value` (TF's tf.constant), broadcast to `shape` when given."""
    if isinstance(value, (list, tuple)) and any(isinstance(v, TensorLike) for v in value):
        raise TypeError("tf.constant cannot hold Tensors; use tf.stack to combine them.")
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    array = constant_array(value, dtype)
    if dtype is None:
        dtype = dtypes.as_dtype(array.dtype) if array.dtype != object else dtypes.string
    if shape is not None:
        shape = tuple(int(d) for d in (shape if isinstance(shape, (list, tuple)) else [shape]))
        if array.shape != shape:
            if verify_shape:
                raise TypeError(f"Expected Tensor's shape: {shape}, got {array.shape}.")
            if array.size == 1:
                array = np.full(shape, array.reshape(()), dtype=array.dtype)
            elif array.size == int(np.prod(shape)):
                array = array.reshape(shape)
            else:
                raise TypeError(f"Eager execution of tf.constant with unsupported shape (value "
                                f"has {array.size} elements, shape is {shape} with "
                                f"{int(np.prod(shape))} elements).")
    if isinstance(value, np.ndarray) and np.may_share_memory(array, value):
        array = array.copy()  # the graph keeps its own value; the caller's array stays writable
    array.setflags(write=False)
    return get_default_graph().create_op("Const", [], {"value": array, "dtype": dtype},
                                         name=name).outputs[0]


def constant_value(tensor):
    """The value of `tensor` if it is known while building the graph, else None (each op type
    says through its registry facet `value`)."""
    if not isinstance(tensor, Tensor) or tensor.value_index != 0:
        return None
    rule = registry.lookup(tensor.op.type).value
    return None if rule is None else rule(tensor.op)


def partial_value(tensor):
    """What the registry facet `partial_value` of `tensor`'s op knows of its value: nested lists
    with None for entries not known while building (a Pack's entries), or None."""
    if not isinstance(tensor, Tensor) or tensor.value_index != 0:
        return None
    rule = registry.lookup(tensor.op.type).partial_value
    return None if rule is None else rule(tensor.op)


def kernel_attrs(op):
    """The op's attrs as kernels take them (NumPy dtypes, shape tuples)."""
    def value(attr):
        if isinstance(attr, dtypes.DType):
            return np.dtype(attr.as_numpy_dtype)
        if isinstance(attr, TensorShape):
            return attr.as_tuple()
        return attr
    return {k: value(v) for k, v in op.attrs.items()}


EVALUATED_ELEMENTS = 1024  # shape inference evaluates constant subgraphs of small values only
EVALUATED_DEPTH = 16


def _is_complete(values):
    if isinstance(values, list):
        return all(_is_complete(v) for v in values)
    return values is not None


def _evaluated(tensor, depth):
    """`tensor`'s value computed by its op's kernel from its inputs' values, when all of them
    are known while building and small, as TensorFlow's shape inference evaluates small
    constant subgraphs (a shape's entries multiplied, a slice of a shape); else None."""
    op = tensor.op
    op_def = registry.lookup(op.type)
    shape = tensor.shape
    if (depth > EVALUATED_DEPTH or not op_def.foldable or op_def.bind is not None
            or op_def.must_feed or op_def.fed_by_default or op_def.dead_aware
            or op_def.kernel is None
            or not shape.is_fully_defined()
            or shape.num_elements() > EVALUATED_ELEMENTS
            or not (tensor.dtype.is_integer or tensor.dtype.is_floating)):
        return None
    args = []
    for t in op.inputs:
        if t.shape.num_elements() is None or t.shape.num_elements() > EVALUATED_ELEMENTS:
            return None
        values = _known(t, depth + 1)
        if values is None or not _is_complete(values):
            return None
        args.append(np.asarray(values, dtype=t.dtype.as_numpy_dtype))
    try:
        with np.errstate(all="ignore"):
            result = op_def.kernel(*args, **kernel_attrs(op))
    except Exception:  # noqa: BLE001 - a kernel that fails here fails when run, and says why
        return None
    if len(op.outputs) > 1:
        result = result[tensor.value_index]
    return np.asarray(result).tolist()


def _known(tensor, depth):
    value = constant_value(tensor)
    if value is not None:
        return np.asarray(value).tolist()
    values = partial_value(tensor)
    if values is not None:
        return values
    return _evaluated(tensor, depth)


def known_values(tensor):
    """The value of `tensor` as nested lists, with None for each entry not known while building
    (see `partial_value`; small constant subgraphs are evaluated, as TensorFlow's shape
    inference does); None when not even the tensor's shape is known.

    >>> known_values(tf.stack([2, tf.placeholder(tf.int32, [])]))  # [2, None]
    >>> known_values(tf.shape(tf.zeros([3, 4]))[0] * 2)             # 6
    """
    values = _known(tensor, 0)
    if values is not None:
        return values
    if tensor.shape.ndims in (None, 0) or not tensor.shape.is_fully_defined():
        return None
    return np.full(tensor.shape.as_tuple(), None, dtype=object).tolist()


def partial_shape_from_tensor(tensor):
    """A TensorShape from a 1-D shape tensor; entries not known while building are None."""
    value = constant_value(tensor)
    if value is not None:
        return TensorShape([None if d < 0 else int(d) for d in np.asarray(value).reshape(-1)])
    entries = partial_value(tensor)
    if entries is None:
        entries = _evaluated(tensor, 0)
    if entries is not None:
        return TensorShape([d if isinstance(d, int) and d >= 0 else None for d in entries])
    n = tensor.shape[0].value if tensor.shape.ndims == 1 else None
    return TensorShape(None if n is None else [None] * n)


def _const_shape(*, value, dtype):
    return [(dtype, TensorShape(value.shape))]


def _const_kernel(*, value, dtype):
    return value


def _const_value(op):
    return op.attrs["value"]


registry.register_op("Const", shape=_const_shape, kernel=_const_kernel,
                     grad=registry.NOT_DIFFERENTIABLE, shares_memory=True, value=_const_value)
