"""gather_nd, scatter_nd and the tensor_scatter / variable scatter updates.

N-d indices: the last dimension of `indices` holds a position in the first K dimensions of the
indexed tensor (K = indices.shape[-1]); each index row picks a slice of the remaining ones.
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor, partial_shape_from_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.registry import register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import array, math_ops, state_ops
from tensorweave.ops._common import one
from tensorweave.ops.scatter_indices import check_nd_updates, nd_positions, scatter_into
from tensorweave.ops.state_ops import (count_up_to, scatter_add,
                                       scatter_div, scatter_max, scatter_min, scatter_mul,
                                       scatter_nd_add, scatter_nd_sub, scatter_nd_update,
                                       scatter_sub, scatter_update)

__all__ = [  # the names `tf.` takes from here
    "gather_nd", "batch_gather", "scatter_nd", "tensor_scatter_update", "tensor_scatter_add",
    "tensor_scatter_sub", "tensor_scatter_nd_update", "tensor_scatter_nd_add",
    "tensor_scatter_nd_sub", "tensor_scatter_nd_min", "tensor_scatter_nd_max",
    "scatter_update", "scatter_add", "scatter_sub", "scatter_mul", "scatter_div",
    "scatter_min", "scatter_max", "scatter_nd_update", "scatter_nd_add", "scatter_nd_sub",
    "batch_scatter_update", "count_up_to",
]


def _nd_slice_shape(op_type, indices, target, updates=None, what="updates"):
    """The shape indices.shape[:-1] + target[K:] (None when unknown); with `updates`, checks
    that it fits them."""
    if indices.shape.ndims is None or target.ndims is None:
        return None
    depth = indices.shape[-1].value
    if depth is None:
        return None
    if depth > target.ndims:
        raise ValueError(f"{op_type} requires indices.shape[-1] <= rank of the indexed tensor, "
                         f"got indices shape {indices.shape} and shape {target}")
    expected = TensorShape(indices.shape.as_tuple()[:-1] + target.as_tuple()[depth:])
    if updates is not None and updates.ndims is not None and \
            not expected.is_compatible_with(updates):
        raise ValueError(f"{op_type} requires {what} of shape indices.shape[:-1] + "
                         f"shape[indices.shape[-1]:] = {expected}, got {updates}")
    return expected


def _check_indices_dtype(op_type, indices):
    if indices.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"{op_type} requires int32 or int64 indices, got {indices.dtype.name}")


# --- GatherNd --------------------------------------------------------------------------------
def _gather_nd_shape(params, indices):
    _check_indices_dtype("GatherNd", indices)
    shape = _nd_slice_shape("GatherNd", indices, params.shape)
    return [(params.dtype, unknown_shape() if shape is None else shape)]


def _gather_nd_kernel(params, indices):
    positions = nd_positions(indices, params.shape, into="param shape")
    if not positions:  # indices.shape[-1] == 0: each row picks params whole
        return np.broadcast_to(params, indices.shape[:-1] + params.shape).copy()
    return params[positions]


def _gather_nd_grad(op, dy):
    params, indices = op.inputs
    return [scatter_nd(indices, dy, array.shape(params, out_type=indices.dtype)), None]


register_op("GatherNd", shape=_gather_nd_shape, kernel=_gather_nd_kernel, grad=_gather_nd_grad)


def gather_nd(params, indices, name=None, batch_dims=0):
    """Slices of `params` picked by n-d `indices` (the last dimension of indices is a position
    in params' first dimensions); with `batch_dims`, per batch entry.

    >>> tf.gather_nd([[1, 2], [3, 4]], [[1, 0], [0, 1]])  # [3, 2]
    """
    params = convert_to_tensor(params, name="params")
    indices = convert_to_tensor(indices, name="indices")
    if not isinstance(batch_dims, int):
        raise TypeError(f"batch_dims must be a Python int, got {batch_dims!r}")
    if batch_dims == 0:
        return one(create_op("GatherNd", [params, indices], name=name or "GatherNd"))
    with name_scope(name, "GatherNd", [params, indices]):
        return _batch_gather_nd(params, indices, batch_dims)


def _batch_gather_nd(params, indices, batch_dims):
    """gather_nd per batch entry: the batch dimensions flattened to one, whose position is put
    in front of each index row."""
    if batch_dims < 0 or indices.shape.ndims is not None and batch_dims >= indices.shape.ndims:
        raise ValueError(f"batch_dims must be in [0, rank(indices)), got {batch_dims} for "
                         f"indices of shape {indices.shape}")
    kind = indices.dtype
    params_shape = array.shape(params, out_type=kind)
    indices_shape = array.shape(indices, out_type=kind)
    batch_size = array.expand_dims(math_ops.reduce_prod(params_shape[:batch_dims]), 0)
    flat_params = array.reshape(params, array.concat([batch_size, params_shape[batch_dims:]], 0))
    flat_indices = array.reshape(indices,
                                 array.concat([batch_size, indices_shape[batch_dims:]], 0))
    ones = array.fill(array.expand_dims(array.rank(indices) - batch_dims, 0),
                      convert_to_tensor(1, dtype=kind))
    position = array.reshape(array.range_(0, batch_size[0], dtype=kind),
                             array.concat([batch_size, ones], 0))
    position = array.broadcast_to(position, array.concat(
        [array.shape(flat_indices, out_type=kind)[:-1], ones[:1]], 0))
    picked = gather_nd(flat_params, array.concat([position, flat_indices], -1))
    out = array.reshape(picked, array.concat(
        [params_shape[:batch_dims], array.shape(picked, out_type=kind)[1:]], 0))
    depth = indices.shape[-1].value if indices.shape.ndims is not None else None
    if params.shape.ndims is not None and depth is not None:
        known = params.shape[:batch_dims].merge_with(indices.shape[:batch_dims])
        out.set_shape(known.concatenate(indices.shape[batch_dims:-1]).concatenate(
            params.shape[batch_dims + depth:]))
    return out


def batch_gather(params, indices, name=None):
    """Rows of params picked per batch entry: out[b..., i] = params[b..., indices[b..., i]]
    (TF 1.x's tf.batch_gather, gather with batch_dims = rank(indices) - 1)."""
    with name_scope(name, "BatchGather", [params, indices]):
        params = convert_to_tensor(params, name="params")
        indices = convert_to_tensor(indices, name="indices")
        if indices.shape.ndims is None:
            raise ValueError("batch_gather does not allow indices with unknown shape.")
        return gather_nd(params, array.expand_dims(indices, -1),
                         batch_dims=indices.shape.ndims - 1)


# --- ScatterNd -------------------------------------------------------------------------------
def _scatter_nd_shape(indices, updates, shape):
    _check_indices_dtype("ScatterNd", indices)
    out = partial_shape_from_tensor(shape)
    _nd_slice_shape("ScatterNd", indices, out, updates.shape)
    return [(updates.dtype, out)]


def _scatter_nd_kernel(indices, updates, shape):
    out = np.zeros(tuple(int(d) for d in shape), dtype=updates.dtype)
    positions = nd_positions(indices, out.shape)
    check_nd_updates("ScatterNd", indices, updates, out.shape)
    return scatter_into(out, positions, updates, np.add)


def _scatter_nd_grad(op, dy):
    indices = op.inputs[0]
    return [None, gather_nd(dy, indices), None]


register_op("ScatterNd", shape=_scatter_nd_shape, kernel=_scatter_nd_kernel,
            grad=_scatter_nd_grad)


def scatter_nd(indices, updates, shape, name=None):
    """A tensor of zeros of `shape` with `updates` added at n-d `indices` (duplicates sum).

    >>> tf.scatter_nd([[1], [3]], [9, 10], [5])  # [0, 9, 0, 10, 0]
    """
    indices = convert_to_tensor(indices, name="indices")
    updates = convert_to_tensor(updates, name="updates")
    shape = convert_to_tensor(shape, dtype=indices.dtype, name="shape")
    return one(create_op("ScatterNd", [indices, updates, shape], name=name or "ScatterNd"))


# --- TensorScatterUpdate / Add / Sub / Min / Max ---------------------------------------------
def _tensor_scatter_shape(op_type):
    def shape(tensor, indices, updates):
        _check_indices_dtype(op_type, indices)
        if tensor.dtype is not updates.dtype:
            raise TypeError(f"{op_type} requires updates of the tensor's dtype "
                            f"{tensor.dtype.name}, got {updates.dtype.name}")
        _nd_slice_shape(op_type, indices, tensor.shape, updates.shape)
        return [(tensor.dtype, tensor.shape)]
    return shape


def _tensor_scatter_kernel(op_type, combine):
    def kernel(tensor, indices, updates):
        out = np.array(tensor, copy=True)
        positions = nd_positions(indices, out.shape)
        check_nd_updates(op_type, indices, updates, out.shape)
        return scatter_into(out, positions, updates, combine)
    return kernel


def _tensor_scatter_update_grad(op, dy):
    indices, updates = op.inputs[1], op.inputs[2]
    return [tensor_scatter_update(dy, indices, array.zeros_like(updates)), None,
            gather_nd(dy, indices)]


def _tensor_scatter_add_grad(op, dy):
    return [dy, None, gather_nd(dy, op.inputs[1])]


def _tensor_scatter_sub_grad(op, dy):
    return [dy, None, -gather_nd(dy, op.inputs[1])]


def _tensor_scatter_extreme_grad(op, dy):
    """As TF: the gradient is shared equally among the entries (of the tensor and of the
    updates written to one place) that equal the result."""
    tensor, indices, updates = op.inputs
    out = op.outputs[0]
    in_tensor = array.cast(math_ops.equal(tensor, out), dy.dtype)
    in_updates = array.cast(math_ops.equal(updates, gather_nd(out, indices)), dy.dtype)
    shape = array.shape(tensor, out_type=indices.dtype)
    chosen = in_tensor + scatter_nd(indices, in_updates, shape)
    shared = dy / chosen
    return [in_tensor * shared, None, in_updates * gather_nd(shared, indices)]


for _op_type, _combine, _grad in (
        ("TensorScatterUpdate", None, _tensor_scatter_update_grad),
        ("TensorScatterAdd", np.add, _tensor_scatter_add_grad),
        ("TensorScatterSub", np.subtract, _tensor_scatter_sub_grad),
        ("TensorScatterMin", np.minimum, _tensor_scatter_extreme_grad),
        ("TensorScatterMax", np.maximum, _tensor_scatter_extreme_grad)):
    register_op(_op_type, shape=_tensor_scatter_shape(_op_type),
                kernel=_tensor_scatter_kernel(_op_type, _combine), grad=_grad)


def _tensor_scatter(op_type):
    def builder(tensor, indices, updates, name=None):
        tensor = convert_to_tensor(tensor, name="tensor")
        indices = convert_to_tensor(indices, name="indices")
        updates = convert_to_tensor(updates, dtype=tensor.dtype, name="updates")
        return one(create_op(op_type, [tensor, indices, updates], name=name or op_type))
    builder.__name__ = op_type
    builder.__doc__ = f"A copy of `tensor` with `updates` combined in at n-d `indices` " \
                      f"({op_type})."
    return builder


tensor_scatter_update = tensor_scatter_nd_update = _tensor_scatter("TensorScatterUpdate")
tensor_scatter_add = tensor_scatter_nd_add = _tensor_scatter("TensorScatterAdd")
tensor_scatter_sub = tensor_scatter_nd_sub = _tensor_scatter("TensorScatterSub")
tensor_scatter_nd_min = _tensor_scatter("TensorScatterMin")
tensor_scatter_nd_max = _tensor_scatter("TensorScatterMax")


# --- batch_scatter_update (a composite over ScatterNdUpdate, as in TF) ------------------------
def batch_scatter_update(ref, indices, updates, use_locking=True, name=None):
    """Per batch entry b..., writes updates[b..., i] to ref[b..., indices[b..., i]]: rows of the
    last batch dimension's slices, through scatter_nd_update with each index's batch position.

    >>> tf.batch_scatter_update(v, [[1], [0]], [[9], [8]])  # [[1, 2], [3, 4]] -> [[1, 9], [8, 4]]
    """
    with name_scope(name, "BatchScatterUpdate", [indices, updates]):
        indices = convert_to_tensor(indices, name="indices")
        rank = indices.shape.ndims
        if rank is None:
            raise ValueError("batch_scatter_update does not allow indices with unknown shape.")
        shape = array.shape(indices, out_type=indices.dtype)
        positions = []
        for axis in range(rank - 1):  # each batch axis's position, broadcast like indices
            dims = [1] * (rank + 1)
            dims[axis] = -1
            along = array.reshape(array.range_(0, shape[axis], dtype=indices.dtype), dims)
            positions.append(array.broadcast_to(along, array.concat([shape, [1]], 0)))
        positions.append(array.expand_dims(indices, -1))
        return state_ops.scatter_nd_update(ref, array.concat(positions, -1), updates,
                                           use_locking=use_locking)
