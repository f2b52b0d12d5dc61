"""Collective op types (Horovod's TensorFlow ops): HorovodAllreduce, HorovodGroupedAllreduce,
HorovodAllgather, HorovodBroadcast and the HorovodSize/Rank/LocalSize/LocalRank queries.

The kernels move data through the process's collective engine, which the Session state hands
them (`state.collectives`, runtime/collectives.py: MPI under mpirun, one process otherwise);
the op's name identifies the collective across ranks, so every rank must build the same graph.
`reduce_op` is Horovod's code: 0 average, 1 sum, 2 Adasum.

    total = allreduce(x, reduce_op=SUM)       # every rank gets the sum of every rank's x
    rows = allgather(x)                       # ranks' x joined along dimension 0
"""
import re

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array, math_ops
from tensorweave.ops._common import one, outputs

AVERAGE, SUM, ADASUM = 0, 1, 2
_REDUCE_OPS = (AVERAGE, SUM, ADASUM)


def normalize_name(name):
    """A tensor name as part of an op name (Horovod's rule: other characters become '_')."""
    return re.sub("[^a-zA-Z0-9_]", "_", name)


def _check_reduce_op(op_type, reduce_op):
    if reduce_op not in _REDUCE_OPS:
        raise ValueError(f"{op_type}: reduce_op must be Average (0), Sum (1) or Adasum (2), "
                         f"got {reduce_op!r}")


# --- allreduce -------------------------------------------------------------------------------
def _allreduce_shape(tensor, *, reduce_op):
    _check_reduce_op("HorovodAllreduce", reduce_op)
    if reduce_op == ADASUM and not tensor.dtype.is_floating:
        raise TypeError(f"HorovodAllreduce: Adasum needs a floating-point tensor, got "
                        f"{tensor.dtype.name}")
    return [(tensor.dtype, tensor.shape)]


def _allreduce_kernel(state, op_name, tensor, *, reduce_op):
    return state.collectives.allreduce(op_name, tensor, reduce_op)


def _allreduce_grad(op, grad):
    return [allreduce(grad, reduce_op=op.attrs["reduce_op"])]


register_op("HorovodAllreduce", shape=_allreduce_shape, kernel=_allreduce_kernel,
            grad=_allreduce_grad, stateful=True, shares_memory=True)


def allreduce(tensor, reduce_op=SUM, name=None):
    """The op every rank's `tensor` reduced (summed, averaged or Adasum-combined) by."""
    tensor = convert_to_tensor(tensor)
    if name is None:
        name = "HorovodAllreduce_" + normalize_name(tensor.name)
    return one(create_op("HorovodAllreduce", [tensor], name=name, reduce_op=reduce_op))


# --- grouped allreduce: one fused buffer for many tensors -------------------------------------
def _grouped_shape(*tensors, reduce_op):
    _check_reduce_op("HorovodGroupedAllreduce", reduce_op)
    if not tensors:
        raise ValueError("HorovodGroupedAllreduce needs at least one tensor")
    if reduce_op == ADASUM and not all(t.dtype.is_floating for t in tensors):
        raise TypeError("HorovodGroupedAllreduce: Adasum needs floating-point tensors")
    return [(t.dtype, t.shape) for t in tensors]


def _grouped_kernel(state, op_name, *tensors, reduce_op):
    """One fused allreduce per dtype present (the optimizer groups one dtype per op)."""
    world = state.collectives
    by_dtype = {}
    for i, t in enumerate(tensors):
        by_dtype.setdefault(t.dtype.str, []).append(i)
    results = [None] * len(tensors)
    for code, indices in by_dtype.items():
        name = op_name if len(by_dtype) == 1 else f"{op_name}/{code}"
        reduced = world.grouped_allreduce(name, [tensors[i] for i in indices], reduce_op)
        for i, value in zip(indices, reduced):
            results[i] = value
    return outputs(results)


def _grouped_grad(op, *grads):
    needed = [i for i, g in enumerate(grads) if g is not None]
    result = [None] * len(grads)
    if needed:
        reduced = grouped_allreduce([grads[i] for i in needed], op.attrs["reduce_op"])
        for i, value in zip(needed, reduced):
            result[i] = value
    return result


register_op("HorovodGroupedAllreduce", shape=_grouped_shape, kernel=_grouped_kernel,
            grad=_grouped_grad, stateful=True, shares_memory=True)


def grouped_allreduce(tensors, reduce_op=SUM, name=None):
    """Allreduces `tensors` in one op: one negotiation and one MPI call per dtype per run,
    through a buffer reused between runs (Horovod's tensor fusion)."""
    tensors = [convert_to_tensor(t) for t in tensors]
    if name is None:
        name = "HorovodGroupedAllreduce_" + normalize_name(tensors[0].name) if tensors else \
            "HorovodGroupedAllreduce"
    op = create_op("HorovodGroupedAllreduce", tensors, name=name, reduce_op=reduce_op)
    return list(op.outputs)


# --- allgather -------------------------------------------------------------------------------
def _allgather_shape(tensor):
    shape = tensor.shape
    if shape.ndims == 0:
        raise ValueError(f"HorovodAllgather: the tensor must have at least one dimension, got "
                         f"the scalar {tensor.name}")
    if shape.ndims is None:
        return [(tensor.dtype, shape)]
    return [(tensor.dtype, TensorShape([None] + shape.as_list()[1:]))]


def _allgather_kernel(state, op_name, tensor):
    return state.collectives.allgather(op_name, tensor)


def _allgather_grad(op, grad):
    """Horovod's rule: the gradient summed over ranks, then this rank's own rows of it."""
    x = op.inputs[0]
    summed = allreduce(grad, reduce_op=SUM)
    own = array.reshape(array.getitem(array.shape(x, out_type=dtypes.int32), slice(0, 1)),
                        [1])
    rows = allgather(own)
    start = math_ops.reduce_sum(array.getitem(rows, slice(None, rank_op())))
    return [array.getitem(summed, slice(start, start + array.getitem(own, 0)))]


register_op("HorovodAllgather", shape=_allgather_shape, kernel=_allgather_kernel,
            grad=_allgather_grad, stateful=True)


def allgather(tensor, name=None):
    """Every rank's `tensor` joined along dimension 0 (ranks may differ in that dimension)."""
    tensor = convert_to_tensor(tensor)
    if name is None:
        name = "HorovodAllgather_" + normalize_name(tensor.name)
    return one(create_op("HorovodAllgather", [tensor], name=name))


# --- broadcast -------------------------------------------------------------------------------
def _broadcast_shape(tensor, *, root_rank):
    if not isinstance(root_rank, int) or root_rank < 0:
        raise ValueError(f"HorovodBroadcast: root_rank must be a non-negative int, got "
                         f"{root_rank!r}")
    return [(tensor.dtype, tensor.shape)]


def _broadcast_kernel(state, op_name, tensor, *, root_rank):
    return state.collectives.broadcast(op_name, tensor, root_rank)


def _broadcast_grad(op, grad):
    """Horovod's rule: the summed gradient on the root rank, zeros elsewhere."""
    summed = allreduce(grad, reduce_op=SUM)
    is_root = math_ops.equal(rank_op(), op.attrs["root_rank"])
    return [summed * array.cast(is_root, summed.dtype)]


register_op("HorovodBroadcast", shape=_broadcast_shape, kernel=_broadcast_kernel,
            grad=_broadcast_grad, stateful=True)


def broadcast(tensor, root_rank, name=None):
    """Rank `root_rank`'s `tensor` on every rank."""
    tensor = convert_to_tensor(tensor)
    if name is None:
        name = "HorovodBroadcast_" + normalize_name(tensor.name)
    return one(create_op("HorovodBroadcast", [tensor], name=name, root_rank=int(root_rank)))


# --- the job's size and this process's rank, read when the op runs ----------------------------
def _scalar_int32_shape():
    return [(dtypes.int32, TensorShape([]))]


def _query(attribute):
    def kernel(state, op_name):
        return np.array(getattr(state.collectives, attribute), np.int32)
    return kernel


for _op_type, _attribute in (("HorovodSize", "size"), ("HorovodRank", "rank"),
                             ("HorovodLocalSize", "local_size"),
                             ("HorovodLocalRank", "local_rank")):
    register_op(_op_type, shape=_scalar_int32_shape, kernel=_query(_attribute),
                grad=NOT_DIFFERENTIABLE, stateful=True)


def size_op(name=None):
    """The number of processes, as an int32 scalar tensor read at run time."""
    return one(create_op("HorovodSize", [], name=name or "HorovodSize"))


def rank_op(name=None):
    """This process's rank, as an int32 scalar tensor read at run time."""
    return one(create_op("HorovodRank", [], name=name or "HorovodRank"))


def local_size_op(name=None):
    return one(create_op("HorovodLocalSize", [], name=name or "HorovodLocalSize"))


def local_rank_op(name=None):
    return one(create_op("HorovodLocalRank", [], name=name or "HorovodLocalRank"))
