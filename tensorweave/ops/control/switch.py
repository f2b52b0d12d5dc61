"""Switch and Merge (a tf.cond's way in and out of its branches) and ZerosLikeValue."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.graph import create_op
from tensorweave.core.registry import register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import math_ops
from tensorweave.ops.tensor_array_ops import TensorList
from tensorweave.ops.control.contexts import DEAD


def _switch_shape(data, pred):
    if pred.dtype is not dtypes.bool or pred.shape.ndims not in (None, 0):
        raise ValueError(f"Switch requires a scalar bool predicate, got {pred.dtype.name} of "
                         f"shape {pred.shape}")
    return [(data.dtype, data.shape)] * 2


def _switch_kernel(data, pred):
    if data is DEAD or pred is DEAD:
        return DEAD, DEAD
    return (DEAD, data) if pred else (data, DEAD)


def _switch_grad(op, d_false, d_true):
    """A Merge of the branch gradients; a branch without one gets zeros live only there."""
    if d_false is None:
        d_false = zeros_like_value(op.outputs[0])
    if d_true is None:
        d_true = zeros_like_value(op.outputs[1])
    return [merge(op.inputs[1], [d_false, d_true], "cond_grad"), None]


register_op("Switch", shape=_switch_shape, kernel=_switch_kernel, grad=_switch_grad,
            shares_memory=True, dead_aware=True, makes_dead=True)


def _merged_shape(a, b):
    if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
        return unknown_shape()
    return TensorShape([x if x == y else None for x, y in zip(a.as_tuple(), b.as_tuple())])


def _merge_shape(guard, *values):
    shape = values[0].shape
    for v in values[1:]:
        if v.dtype is not values[0].dtype:
            raise TypeError(f"Merge requires inputs of one dtype, got {values[0].dtype.name} "
                            f"and {v.dtype.name}")
        shape = _merged_shape(shape, v.shape)
    return [(values[0].dtype, shape), (dtypes.int32, TensorShape([]))]


def _merge_kernel(guard, *values):
    for k, value in enumerate(values):
        if value is not DEAD:
            return value, np.array(k, dtype=np.int32)
    return DEAD, DEAD


def _merge_grad(op, dy, d_index):
    guard, values = op.inputs[0], op.inputs[1:]
    if len(values) == 2 and guard.dtype is dtypes.bool:  # a tf.cond: the guard is its pred
        switch = create_op("Switch", [dy, guard], name="cond_grad")
        return [None] + list(switch.outputs)
    index = op.outputs[1]
    return [None] + [create_op("Switch", [dy, math_ops.equal(index, k)]).outputs[1]
                     for k in range(len(values))]


register_op("Merge", shape=_merge_shape, kernel=_merge_kernel, grad=_merge_grad,
            shares_memory=True, dead_aware=True)


def merge(guard, values, name="Merge"):
    """The live one of `values`; DEAD only when `guard` is (Merge's first input)."""
    return create_op("Merge", [guard] + list(values), name=name).outputs[0]


def zeros_value(value):
    return value.zeros_like() if isinstance(value, TensorList) else np.zeros_like(value)


register_op("ZerosLikeValue", shape=lambda x: [(x.dtype, x.shape)],
            kernel=zeros_value, grad=lambda op, dy: [None])


def zeros_like_value(t, name="zeros_like"):
    """Zeros like `t` at run time; for a TensorArray flow, a gradient with no elements."""
    return create_op("ZerosLikeValue", [t], name=name).outputs[0]
