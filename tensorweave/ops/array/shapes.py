"""Shapes: Shape, Size, Rank; Reshape, ExpandDims, Squeeze, Transpose; shape arguments known
while building or computed at run time."""
import numbers

import numpy as np

from tensorweave.core import dtypes, tf_form
from tensorweave.core.constants import (constant, constant_value, convert_to_tensor,
                                        partial_shape_from_tensor)
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.sparse_tensor import SparseTensor, SparseTensorValue
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op, register_tf_form
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops._common import axis_after_rows, normalize_axis, one
from tensorweave.ops.array.convert import cast
from tensorweave.ops.array.construct import holds_tensor, stack, stacked_ints


def shape_tensor(x):
    """A constant for x's shape when fully known while building, else a Shape op."""
    if x.shape.is_fully_defined():
        return constant(np.array(x.shape.as_list(), dtype=np.int32), name="Shape")
    return shape(x)


def shape_argument(value):
    """A shape argument (multiples, paddings, bounds, axes, a permutation, a depth) as a NumPy
    array when it is known while building, else as an int tensor: ops take the first as an
    attr and the second as the input of their tensor-input form (ops/array/dynamic.py). Lists
    that hold tensors are stacked, so their known entries still inform static shapes.

    >>> shape_argument([2, 3])                              # array([2, 3])
    >>> shape_argument([2, tf.placeholder(tf.int32, [])])   # a Pack tensor, entries [2, None]
    """
    tensor = stacked_ints(value) if holds_tensor(value) else value
    if not isinstance(tensor, Tensor):
        return np.asarray(value)
    known = constant_value(tensor)
    return tensor if known is None else np.asarray(known)


def _shape_shape(x, *, out_type):
    return [(out_type, TensorShape([x.shape.ndims]))]


def _shape_kernel(x, *, out_type):
    return np.array(x.shape, dtype=out_type)


def _scalar_int(x, *, out_type):
    return [(out_type, TensorShape([]))]


def _size_kernel(x, *, out_type):
    return np.array(x.size, dtype=out_type)


def _rank_kernel(x, *, out_type):
    return np.array(x.ndim, dtype=out_type)


def _shape_value(op):
    shape = op.inputs[0].shape
    if not shape.is_fully_defined():
        return None
    return np.array(shape.as_list(), dtype=op.outputs[0].dtype.as_numpy_dtype)


def _shape_partial_value(op):
    """The input's dimensions, None where unknown (its rank must be known)."""
    shape = op.inputs[0].shape
    return None if shape.ndims is None else shape.as_list()


register_op("Shape", shape=_shape_shape, kernel=_shape_kernel, grad=NOT_DIFFERENTIABLE,
            shape_only_inputs=[0], value=_shape_value, partial_value=_shape_partial_value)


def _size_value(op):
    shape = op.inputs[0].shape
    if not shape.is_fully_defined():
        return None
    return np.array(np.prod(shape.as_list(), dtype=np.int64),
                    dtype=op.outputs[0].dtype.as_numpy_dtype)


def _rank_value(op):
    rank = op.inputs[0].shape.ndims
    return None if rank is None else np.array(rank, dtype=op.outputs[0].dtype.as_numpy_dtype)


register_op("Size", shape=_scalar_int, kernel=_size_kernel, grad=NOT_DIFFERENTIABLE,
            shape_only_inputs=[0], value=_size_value)


register_op("Rank", shape=_scalar_int, kernel=_rank_kernel, grad=NOT_DIFFERENTIABLE,
            shape_only_inputs=[0], value=_rank_value)


def _sparse_dense_shape(value):
    """A SparseTensor's (or SparseTensorValue's) dense shape as a tensor, else None."""
    if isinstance(value, (SparseTensor, SparseTensorValue)):
        return convert_to_tensor(value.dense_shape, dtype=dtypes.int64)
    return None


def shape(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """The shape of `input` as a 1-D int tensor: a constant when it is fully known while
    building (as TF's, so nothing upstream runs for it), else a Shape op."""
    out_type = dtypes.as_dtype(out_type)
    dense_shape = _sparse_dense_shape(input)
    if dense_shape is not None:  # a SparseTensor's dense shape, as TF's shape gives it
        with name_scope(name, "Shape"):
            return cast(dense_shape, out_type, name="Cast")
    x = convert_to_tensor(input)
    if x.shape.is_fully_defined():
        return constant(np.array(x.shape.as_list(), out_type.as_numpy_dtype),
                        name=name or "Shape")
    return one(create_op("Shape", [x], name=name or "Shape", out_type=out_type))


def size(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """The number of elements of `input`: a constant when known while building (a fully
    known shape, or a known 0 dimension), else a Size op."""
    out_type = dtypes.as_dtype(out_type)
    dense_shape = _sparse_dense_shape(input)
    if dense_shape is not None:  # the product of a SparseTensor's dense shape, as TF's
        with name_scope(name, "Size") as scope:
            return one(create_op("Prod", [cast(dense_shape, out_type, name="Cast")],
                                  name=scope, axis=(0,), keepdims=False))
    x = convert_to_tensor(input)
    known = x.shape.num_elements()
    if known is None and x.shape.ndims is not None and 0 in x.shape.as_list():
        known = 0
    if known is not None:
        return constant(np.array(known, out_type.as_numpy_dtype), name=name or "Size")
    return one(create_op("Size", [x], name=name or "Size", out_type=out_type))


def rank(input, name=None):  # noqa: A002
    """The number of dimensions of `input`: a constant when known while building, else a
    Rank op."""
    dense_shape = _sparse_dense_shape(input)
    if dense_shape is not None:  # the length of a SparseTensor's dense shape, as TF's
        return size(dense_shape, name=name or "Rank")
    x = convert_to_tensor(input)
    if x.shape.ndims is not None:
        return constant(np.array(x.shape.ndims, np.int32), name=name or "Rank")
    return one(create_op("Rank", [x], name=name or "Rank", out_type=dtypes.int32))


def _reshape_shape(x, new_shape):
    target = partial_shape_from_tensor(new_shape)
    if target.ndims is None:
        return [(x.dtype, target)]
    dims = list(target.as_tuple())
    value = constant_value(new_shape)
    minus_one = [i for i, d in enumerate(np.asarray(value).reshape(-1))
                 if d == -1] if value is not None else []
    if len(minus_one) > 1:
        raise ValueError("Reshape requires at most one -1 in the new shape, got "
                         f"{list(np.asarray(value).reshape(-1))}")
    n = x.shape.num_elements()
    known = [d for i, d in enumerate(dims) if d is not None]
    if value is not None and n is not None:
        product = int(np.prod(known)) if known else 1
        if minus_one:
            if product == 0 or n % product:
                raise ValueError(f"Reshape requires the input's {n} elements to divide into "
                                 f"{list(np.asarray(value).reshape(-1))}")
            dims[minus_one[0]] = n // product
        elif product != n:
            raise ValueError(f"Reshape requires the same number of elements, got input with {n} "
                             f"elements and requested shape "
                             f"{list(np.asarray(value).reshape(-1))}")
    elif n is not None and dims.count(None) == 1:  # as TF: the one unknown entry is implied
        product = int(np.prod(known)) if known else 1
        if product and n % product == 0:
            dims[dims.index(None)] = n // product
    return [(x.dtype, TensorShape(dims))]


def _reshape_kernel(x, new_shape):
    return x.reshape(new_shape)


def _reshape_grad(op, dy):
    return [reshape(dy, shape_tensor(op.inputs[0])), None]


def _reshape_rows(op, batched):
    """Row-wise with the static target shape behind a row dimension."""
    shape = op.outputs[0].shape
    if batched[1] or not shape.is_fully_defined() or constant_value(op.inputs[1]) is None:
        return None
    return {"inputs": {1: np.array([-1] + shape.as_list(), dtype=np.int32)}}


register_op("Reshape", shape=_reshape_shape, kernel=_reshape_kernel, grad=_reshape_grad,
            shares_memory=True, row_wise=_reshape_rows)


def as_shape_tensor(new_shape):
    if isinstance(new_shape, Tensor):
        return new_shape
    if isinstance(new_shape, (list, tuple)) and any(isinstance(d, Tensor) for d in new_shape):
        return stack([cast(d, dtypes.int32) if isinstance(d, Tensor) else d for d in new_shape])
    if isinstance(new_shape, TensorShape):
        new_shape = [-1 if d is None else d for d in new_shape.as_list()]
    if isinstance(new_shape, (list, tuple)) and any(
            isinstance(d, (float, np.floating)) for d in new_shape):
        # TF converts a list holding a Python float to a float32 tensor, which the op rejects.
        raise TypeError("Value passed to parameter 'shape' has DataType float32 not in list of "
                        "allowed values: int32, int64")
    return constant(np.asarray(new_shape, dtype=np.int32).reshape(-1), name="shape")


def reshape(tensor, shape, name=None):  # noqa: F811 - TF's argument name
    """`tensor` with a new shape; one dimension may be -1 (inferred)."""
    tensor = convert_to_tensor(tensor)
    with name_scope(name or "Reshape", values=[tensor]) as scope:  # its shape: "Reshape/shape"
        return one(create_op("Reshape", [tensor, as_shape_tensor(shape)], name=scope))


def _transpose_shape(x, *, perm):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape(len(perm)) if perm is not None else unknown_shape())]
    order = perm if perm is not None else tuple(reversed(range(x.shape.ndims)))
    if sorted(order) != list(range(x.shape.ndims)):
        raise ValueError(f"Transpose requires a permutation of 0..{x.shape.ndims - 1}, "
                         f"got {list(order)}")
    dims = x.shape.as_tuple()
    return [(x.dtype, TensorShape([dims[i] for i in order]))]


def _transpose_kernel(x, *, perm):
    return np.transpose(x, perm)


def _transpose_grad(op, dy):
    perm = op.attrs["perm"]
    if perm is None:
        return [transpose(dy)]
    return [transpose(dy, tuple(int(i) for i in np.argsort(perm)))]


register_op("Transpose", shape=_transpose_shape, kernel=_transpose_kernel,
            grad=_transpose_grad, shares_memory=True)


def transpose(a, perm=None, name="transpose", conjugate=False):
    """`a` with its dimensions permuted (reversed when perm is None)."""
    a = convert_to_tensor(a)
    if perm is not None:
        perm = shape_argument(perm)
        if isinstance(perm, Tensor):
            return one(create_op("DynamicTranspose", [a, perm], name=name))
        perm = tuple(int(i) for i in perm.reshape(-1))
    return one(create_op("Transpose", [a], name=name, perm=perm))


def _expand_dims_shape(x, *, axis):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape())]
    n = x.shape.ndims + 1
    axis = normalize_axis(axis, n, "ExpandDims")
    dims = list(x.shape.as_tuple())
    dims.insert(axis, 1)
    return [(x.dtype, TensorShape(dims))]


def _expand_dims_kernel(x, *, axis):
    axis %= x.ndim + 1
    return x.reshape(x.shape[:axis] + (1,) + x.shape[axis:])


def _reshape_back_grad(op, dy):
    return [reshape(dy, shape_tensor(op.inputs[0]))]


register_op("ExpandDims", shape=_expand_dims_shape, kernel=_expand_dims_kernel,
            grad=_reshape_back_grad, shares_memory=True, row_wise=axis_after_rows)


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    """`input` with a size-1 dimension inserted at `axis`."""
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    x = convert_to_tensor(input)
    axis = shape_argument(axis)
    if isinstance(axis, Tensor):
        return one(create_op("DynamicExpandDims", [x, axis], name=name or "ExpandDims"))
    return one(create_op("ExpandDims", [x], name=name or "ExpandDims", axis=int(axis)))


def _squeeze_shape(x, *, axis):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape())]
    dims = x.shape.as_tuple()
    if axis:
        axes = {normalize_axis(a, len(dims), "Squeeze") for a in axis}
        for a in axes:
            if dims[a] not in (1, None):
                raise ValueError(f"Squeeze requires dimension {a} to be 1, got {dims[a]}")
        return [(x.dtype, TensorShape([d for i, d in enumerate(dims) if i not in axes]))]
    if any(d is None for d in dims):
        return [(x.dtype, unknown_shape())]
    return [(x.dtype, TensorShape([d for d in dims if d != 1]))]


def _squeeze_kernel(x, *, axis):
    return np.squeeze(x, axis=axis if axis else None)


register_op("Squeeze", shape=_squeeze_shape, kernel=_squeeze_kernel, grad=_reshape_back_grad,
            shares_memory=True)


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """`input` without its size-1 dimensions (or only those in `axis`)."""
    axis = squeeze_dims if axis is None else axis
    if isinstance(axis, Tensor):
        known = constant_value(axis)
        if known is None:  # an attr in TF as well
            raise TypeError(f"Expected list for 'axis' argument to 'squeeze' Op, not {axis}.")
        axis = np.reshape(known, -1).tolist()
    if isinstance(axis, numbers.Integral):
        axis = [axis]
    return one(create_op("Squeeze", [convert_to_tensor(input)], name=name or "Squeeze",
                          axis=tuple(int(a) for a in axis) if axis else ()))


# --- TensorFlow's forms (core/tf_form.py) -----------------------------------------------------
def _to_transpose(t):
    perm = t.pop("perm")
    t.insert_const(1, "perm", list(range(t.rank()))[::-1] if perm is None else list(perm))


def _read_squeeze(node, reader):
    if "squeeze_dims" in node.attr:
        node.attr["axis"].CopyFrom(node.attr["squeeze_dims"])
        del node.attr["squeeze_dims"]
    if not node.attr["axis"].HasField("list"):
        node.attr["axis"].list.SetInParent()


def _to_squeeze(t):
    t.set("squeeze_dims", list(t.pop("axis")))


def _to_rank(t):
    if t.pop("out_type") is not dtypes.int32:
        raise tf_form.Unsupported("out_type other than int32")


register_tf_form("Transpose", marker="perm",
                 from_tf=tf_form.attr_from_input("perm", 1, run_time_form=True),
                 to_tf=_to_transpose)
register_tf_form("ExpandDims", marker="axis",
                 from_tf=tf_form.attr_from_input("axis", 1, tf_form.scalar, run_time_form=True),
                 to_tf=tf_form.attr_to_input("axis", 1, "dim"))
register_tf_form("Squeeze", marker="axis", from_tf=_read_squeeze, to_tf=_to_squeeze)
register_tf_form("Rank", marker="out_type", from_tf=tf_form.default_attr("out_type", dtypes.int32),
                 to_tf=_to_rank)
