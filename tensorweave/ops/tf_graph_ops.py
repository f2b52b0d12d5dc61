"""Ops for graphs TensorFlow wrote: forms whose axes or multiples are tensors, not attrs.

tensorweave's own Sum and Tile take their axes and multiples as attrs, known while building.
TensorFlow's gradient graphs compute them at run time (from the shapes of a batch of unknown
size), so a GraphDef written by TensorFlow is imported with these ops where those inputs are
not constants (see framework/tf_forms.py):

- `BroadcastGradientArgs(s0, s1)`: the axes to sum a broadcast result's gradient over so it
  fits each of two shapes (TF's op of that name);
- `DynamicSum(x, axes)`: Sum over the axes a tensor holds;
- `DynamicTile(x, multiples)`: Tile by multiples a tensor holds;
- `ReducedShape(shape, axes)`: `shape` with 1 at `axes` (for DynamicSum's gradient).
"""
import numpy as np

from tensorweave.framework.graph import create_op
from tensorweave.framework.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.framework.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import array_ops


def _int_vector(op_type, t, what):
    if not t.dtype.is_integer or t.shape.ndims not in (None, 1):
        raise ValueError(f"{op_type} requires {what} to be an int vector, got {t.dtype.name} "
                         f"of shape {t.shape}")


# --- BroadcastGradientArgs --------------------------------------------------------------------
def _broadcast_gradient_args_shape(s0, s1):
    for t in (s0, s1):
        _int_vector("BroadcastGradientArgs", t, "shapes")
    return [(s0.dtype, TensorShape([None])), (s0.dtype, TensorShape([None]))]


def _broadcast_gradient_args_kernel(s0, s1):
    rank = max(len(s0), len(s1))
    a = [1] * (rank - len(s0)) + [int(d) for d in s0]
    b = [1] * (rank - len(s1)) + [int(d) for d in s1]
    r0, r1 = [], []
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y and 1 not in (x, y):
            raise ValueError(f"Incompatible shapes: {list(s0)} vs. {list(s1)}")
        if x == 1 and y != 1 or x == y == 1:
            r0.append(i)
        if y == 1 and x != 1 or x == y == 1:
            r1.append(i)
    return np.array(r0, s0.dtype), np.array(r1, s0.dtype)


register_op("BroadcastGradientArgs", shape=_broadcast_gradient_args_shape,
            kernel=_broadcast_gradient_args_kernel, grad=NOT_DIFFERENTIABLE)


# --- ReducedShape -------------------------------------------------------------------------------
def _reduced_shape_shape(shape, axes):
    _int_vector("ReducedShape", shape, "the shape")
    _int_vector("ReducedShape", axes, "the axes")
    return [(shape.dtype, shape.shape)]


def _reduced_shape_kernel(shape, axes):
    out = np.array(shape, copy=True)
    if out.size:
        out[np.asarray(axes, np.int64) % out.size] = 1
    return out


register_op("ReducedShape", shape=_reduced_shape_shape, kernel=_reduced_shape_kernel,
            grad=NOT_DIFFERENTIABLE)


# --- DynamicSum ---------------------------------------------------------------------------------
def _dynamic_sum_shape(x, axes, *, keepdims):
    _int_vector("DynamicSum", axes, "the axes")
    if keepdims and x.shape.ndims is not None:
        return [(x.dtype, TensorShape([None] * x.shape.ndims))]
    return [(x.dtype, unknown_shape())]


def _dynamic_sum_kernel(x, axes, *, keepdims):
    axis = tuple(int(a) for a in np.reshape(axes, -1))
    return np.asarray(np.add.reduce(x, axis=axis, keepdims=keepdims, dtype=x.dtype))


def _dynamic_sum_grad(op, dy):
    x, axes = op.inputs
    shape = array_ops.shape(x, out_type=axes.dtype)
    kept = create_op("ReducedShape", [shape, axes]).outputs[0]
    return [array_ops.broadcast_to(array_ops.reshape(dy, kept), shape), None]


register_op("DynamicSum", shape=_dynamic_sum_shape, kernel=_dynamic_sum_kernel,
            grad=_dynamic_sum_grad)


# --- DynamicTile --------------------------------------------------------------------------------
def _dynamic_tile_shape(x, multiples):
    _int_vector("DynamicTile", multiples, "multiples")
    return [(x.dtype, unknown_shape() if x.shape.ndims is None
             else TensorShape([None] * x.shape.ndims))]


def _dynamic_tile_kernel(x, multiples):
    if len(multiples) != x.ndim:
        raise ValueError(f"DynamicTile requires one multiple per dimension of the input, got "
                         f"{list(multiples)} for shape {list(x.shape)}")
    return np.tile(x, [int(m) for m in multiples])


def _dynamic_tile_grad(op, dy):
    """dx sums the tiles: dy reshaped to [m0, s0, m1, s1, ...] and summed over the m axes."""
    x, multiples = op.inputs
    shape = array_ops.shape(x, out_type=multiples.dtype)
    split = array_ops.reshape(array_ops.transpose(array_ops.stack([multiples, shape])), [-1])
    axes = array_ops.range_(0, array_ops.size(split, out_type=multiples.dtype), 2)
    summed = create_op("DynamicSum", [array_ops.reshape(dy, split), axes],
                       keepdims=False).outputs[0]
    return [array_ops.reshape(summed, shape), None]


register_op("DynamicTile", shape=_dynamic_tile_shape, kernel=_dynamic_tile_kernel,
            grad=_dynamic_tile_grad)
