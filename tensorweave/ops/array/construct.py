"""Tensors built from values: Fill, zeros and ones (and their _like forms), Pack and Unpack
(tf.stack, tf.unstack)."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import (constant, constant_value, convert_to_tensor, known_values,
                                        partial_shape_from_tensor,
                                        register_tensor_conversion_function)
from tensorweave.core.graph import create_op, get_default_graph
from tensorweave.core.operation import Tensor, TensorLike
from tensorweave.core.registry import register_op
from tensorweave.core.tensor_shape import TensorShape, as_shape, unknown_shape
from tensorweave.ops._common import (elementwise_rows, normalize_axis, one, outputs,
                                     same_as_input,
                                     same_dtype_and_shape)
from tensorweave.ops.array.convert import cast


def holds_tensor(value):
    return isinstance(value, Tensor) or (isinstance(value, (list, tuple))
                                         and any(holds_tensor(v) for v in value))


def holds_graph_value(value):
    """True for a Tensor or Variable, or a (nested) list or tuple holding one."""
    if isinstance(value, TensorLike):
        return True
    if isinstance(value, (list, tuple)):
        for item in value:  # plain numbers skip the call: convert_to_tensor asks of any list
            if type(item) not in _PLAIN_SCALARS and holds_graph_value(item):
                return True
    return False


_PLAIN_SCALARS = frozenset([int, float, bool, str, bytes])


def _first_dtype(value):
    if isinstance(value, TensorLike):
        return value.dtype
    for item in value if isinstance(value, (list, tuple)) else ():
        found = _first_dtype(item)
        if found is not None:
            return found
    return None


def packed(value, dtype=None, name=None):
    """A (nested) list or tuple holding tensors as one tensor, stacked as TF packs them when
    it converts an argument (`tf.fill([n, 2], 0.)` with a tensor n); NotImplemented for lists
    of plain values, which become constants."""
    if type(value) not in (list, tuple) or not holds_graph_value(value):
        return NotImplemented
    dtype = dtypes.as_dtype(dtype) if dtype is not None else _first_dtype(value)
    parts = [packed(v, dtype) if type(v) in (list, tuple) and holds_graph_value(v)
             else convert_to_tensor(v, dtype=dtype) for v in value]
    return stack(parts, name=name or "packed")


register_tensor_conversion_function((list, tuple), packed)


def stacked_ints(value):
    """Nested lists holding tensors as one int32 tensor (int scalars of other types are cast)."""
    if isinstance(value, Tensor):
        return value
    parts = [stacked_ints(v) if holds_tensor(v) else v for v in value]
    return stack([cast(p, dtypes.int32) if isinstance(p, Tensor) else p for p in parts])


def _fill_shape(dims, value):
    if value.shape.ndims not in (None, 0):
        raise ValueError(f"Fill requires a scalar value, got shape {value.shape}")
    return [(value.dtype, partial_shape_from_tensor(dims))]


def _fill_kernel(dims, value):
    return np.full(tuple(dims), value, dtype=value.dtype)


def _fill_grad(op, dy):
    return [None, _reduce_all(dy)]


def _fill_value(op):
    dims, value = (constant_value(t) for t in op.inputs)
    return None if dims is None or value is None else _fill_kernel(dims, value)


register_op("Fill", shape=_fill_shape, kernel=_fill_kernel, grad=_fill_grad, value=_fill_value)


def _reduce_all(x):
    return one(create_op("Sum", [x], axis=None, keepdims=False))


def fill(dims, value, name=None):
    """A tensor of shape `dims` filled with scalar `value`."""
    value = convert_to_tensor(value)
    dims = convert_to_tensor(dims, dtype=dtypes.int32) if not isinstance(dims, Tensor) else dims
    return one(create_op("Fill", [dims, value], name=name or "Fill"))


# From this many elements up zeros and ones are Fill ops, as in TF, so GraphDefs stay small.
_FILL_FROM_ELEMENTS = 1000


def _filled(shape, dtype, number, name):
    dtype = dtypes.as_dtype(dtype)
    if isinstance(shape, Tensor) or (isinstance(shape, (list, tuple))
                                     and any(isinstance(d, Tensor) for d in shape)):
        return fill(stack(shape) if isinstance(shape, (list, tuple)) else shape,
                    constant(number, dtype=dtype), name=name)
    shape = as_shape(shape).as_list() if isinstance(shape, TensorShape) else shape
    dims = [int(d) for d in (shape if isinstance(shape, (list, tuple, np.ndarray)) else [shape])]
    if int(np.prod(dims)) < _FILL_FROM_ELEMENTS:
        return constant(number, dtype=dtype, shape=dims, name=name)
    with get_default_graph().name_scope(name) as scope:  # TF's form: Fill(shape, value)
        return fill(constant(np.array(dims, np.int32), name="shape_as_tensor"),
                    constant(number, dtype=dtype), name=scope)


def zeros(shape, dtype=dtypes.float32, name=None):
    """A tensor of zeros."""
    return _filled(shape, dtype, 0, name or "zeros")


def ones(shape, dtype=dtypes.float32, name=None):
    """A tensor of ones."""
    return _filled(shape, dtype, 1, name or "ones")


def _like_kernel(number):
    def kernel(x):
        return np.full(x.shape, number, dtype=x.dtype)
    return kernel


def _zero_grad(op, dy):
    return [None]


register_op("ZerosLike", shape=same_as_input, kernel=_like_kernel(0), grad=_zero_grad,
            shape_only_inputs=[0], row_wise=elementwise_rows)


register_op("OnesLike", shape=same_as_input, kernel=_like_kernel(1), grad=_zero_grad,
            shape_only_inputs=[0], row_wise=elementwise_rows)


def _like(op_type, tensor, dtype, name):
    tensor = convert_to_tensor(tensor)
    if dtype is not None and dtypes.as_dtype(dtype) is not tensor.dtype:
        tensor = cast(tensor, dtype)
    if tensor.shape.is_fully_defined():
        return _filled(tensor.shape.as_list(), tensor.dtype, 0 if op_type == "ZerosLike" else 1,
                       name)
    return one(create_op(op_type, [tensor], name=name))


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """Zeros with the shape (and dtype) of `tensor`."""
    return _like("ZerosLike", tensor, dtype, name or "zeros_like")


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """Ones with the shape (and dtype) of `tensor`."""
    return _like("OnesLike", tensor, dtype, name or "ones_like")


def _pack_shape(*values, axis):
    dtype, merged = same_dtype_and_shape(
        "Pack", values, shape_error="{op_type} requires shapes of all inputs to match: {a} != {b}")
    if merged.ndims is None:
        return [(dtype, unknown_shape())]
    dims = list(merged.as_tuple())
    dims.insert(normalize_axis(axis, len(dims) + 1, "Pack"), len(values))
    return [(dtype, TensorShape(dims))]


def _pack_kernel(*values, axis):
    return np.stack(values, axis=axis)


def _pack_grad(op, dy):
    return unstack(dy, num=len(op.inputs), axis=op.attrs["axis"])


def _pack_value(op):
    parts = [constant_value(t) for t in op.inputs]
    return None if any(p is None for p in parts) else np.stack(parts, axis=op.attrs["axis"])


def _pack_partial_value(op):
    """A Pack along its first axis: its entries, each as far as it is known."""
    axis, rank = op.attrs["axis"], op.outputs[0].shape.ndims
    if axis != 0 and (rank is None or axis != -rank):
        return None
    return [known_values(part) for part in op.inputs]


register_op("Pack", shape=_pack_shape, kernel=_pack_kernel, grad=_pack_grad, value=_pack_value,
            partial_value=_pack_partial_value)


def stack(values, axis=0, name="stack"):
    """Stacks rank-R tensors into one rank-(R+1) tensor along a new `axis`."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    tensors = [v for v in values if isinstance(v, Tensor)]
    graph = tensors[0].graph if tensors else get_default_graph()
    with graph.as_default():
        dtype = tensors[0].dtype if tensors else None
        values = [convert_to_tensor(v, dtype=dtype) for v in values]
        return one(create_op("Pack", values, name=name, axis=int(axis)))


def _unpack_shape(x, *, num, axis):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape())] * num
    dims = list(x.shape.as_tuple())
    a = normalize_axis(axis, len(dims), "Unpack")
    if dims[a] is not None and dims[a] != num:
        raise ValueError(f"Unpack requires num to match dimension {a}, got num={num} and "
                         f"shape {x.shape}")
    del dims[a]
    return [(x.dtype, TensorShape(dims))] * num


def _unpack_kernel(x, *, num, axis):
    return outputs(np.moveaxis(x, axis, 0))


def _unpack_grad(op, *dys):
    pieces = [zeros_like(t) if d is None else d for d, t in zip(dys, op.outputs)]
    return [stack(pieces, axis=op.attrs["axis"])]


register_op("Unpack", shape=_unpack_shape, kernel=_unpack_kernel, grad=_unpack_grad,
            shares_memory=True)


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits `value` along `axis` into a list of tensors of one rank less."""
    value = convert_to_tensor(value)
    if num is None:
        if value.shape.ndims is None or value.shape[axis].value is None:
            raise ValueError(f"Cannot infer num from shape {value.shape}")
        num = value.shape[axis].value
    return list(create_op("Unpack", [value], name=name, num=int(num), axis=int(axis)).outputs)
