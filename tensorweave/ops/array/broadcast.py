"""Broadcasting and its reverse: BroadcastTo, SumToShape and sum_to_shape (the gradient of a
broadcast)."""
import numpy as np

from tensorweave.core.constants import convert_to_tensor, partial_shape_from_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import register_op, register_tf_form
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops._common import one
from tensorweave.ops.array.shapes import as_shape_tensor, reshape, shape_tensor


def broadcast_shapes(a, b):
    """The static broadcast of TensorShapes a and b; ValueError when incompatible."""
    if a.ndims is None or b.ndims is None:
        return unknown_shape()
    da, db = a.as_tuple(), b.as_tuple()
    n = max(len(da), len(db))
    da = (1,) * (n - len(da)) + da
    db = (1,) * (n - len(db)) + db
    out = []
    for x, y in zip(da, db):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        elif x == y:
            out.append(x)
        else:
            raise ValueError(f"Dimensions must be equal, but are {x} and {y}")
    return TensorShape(out)


def _broadcast_to_shape(x, new_shape):
    target = partial_shape_from_tensor(new_shape)
    merged = broadcast_shapes(x.shape, target)
    if target.ndims is None or merged.ndims != target.ndims:
        return [(x.dtype, target)]
    # as TF: an entry not known while building is the input's where that is not 1
    return [(x.dtype, TensorShape([m if t is None else t for t, m in zip(target.as_tuple(),
                                                                          merged.as_tuple())]))]


def _broadcast_to_kernel(x, new_shape):
    return np.broadcast_to(x, tuple(new_shape))


def _broadcast_to_grad(op, dy):
    return [sum_to_shape(dy, op.inputs[0]), None]


register_op("BroadcastTo", shape=_broadcast_to_shape, kernel=_broadcast_to_kernel,
            grad=_broadcast_to_grad, shares_memory=True)


def broadcast_to(input, shape, name=None):  # noqa: A002, F811
    """`input` broadcast to `shape`."""
    input = convert_to_tensor(input)
    return one(create_op("BroadcastTo", [input, as_shape_tensor(shape)],
                          name=name or "BroadcastTo"))


def _sum_to_shape_shape(x, target):
    return [(x.dtype, partial_shape_from_tensor(target))]


def _sum_to_shape_kernel(x, target):
    target = tuple(target)
    if x.shape == target:
        return x
    lead = x.ndim - len(target)
    axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(target)
                                      if d == 1 and x.shape[lead + i] != 1)
    return x.sum(axis=axes, keepdims=True).reshape(target) if axes else x.reshape(target)


def _sum_to_shape_grad(op, dy):
    return [broadcast_to(dy, shape_tensor(op.inputs[0])), None]


register_op("SumToShape", shape=_sum_to_shape_shape, kernel=_sum_to_shape_kernel,
            grad=_sum_to_shape_grad, shares_memory=True)


def sum_to_shape(grad, like):
    """Sums `grad` over the axes along which `like` was broadcast (the gradient's reverse).

    When the shapes tell the axes while building, this is a plain Sum; else a SumToShape op
    finds them at run time.
    """
    axes = _static_broadcast_axes(grad.shape, like.shape)
    if axes is None:  # named as TF's broadcast gradient's last op (gradients/Mul_grad/Reshape_1)
        return one(create_op("SumToShape", [grad, shape_tensor(like)], name="Reshape"))
    if not axes:
        return grad
    keep = grad.shape.ndims == like.shape.ndims
    summed = one(create_op("Sum", [grad], name="Sum", axis=axes, keepdims=keep))
    if keep or summed.shape.as_tuple() == like.shape.as_tuple():
        return summed
    return reshape(summed, like.shape.as_list())


def _static_broadcast_axes(grad_shape, like_shape):
    """The axes of grad_shape that broadcasting from like_shape added, or None if unknown."""
    g, x = grad_shape.as_tuple(), like_shape.as_tuple()
    if g is None or x is None or not like_shape.is_fully_defined():
        return None
    lead = len(g) - len(x)
    if lead < 0:
        return None
    axes = list(range(lead))
    for i, d in enumerate(x):
        if d == 1 and g[lead + i] != 1:
            if g[lead + i] is None:
                return None
            axes.append(lead + i)
    return tuple(axes)


def _to_sum_to_shape(t):
    """Sum over BroadcastGradientArgs' axes, reshaped: TensorFlow's broadcast gradient."""
    x, shape = t.node.input[0], t.node.input[1]
    kind = t.dtypes[1]
    x_shape = t.add("Shape", "Shape", [x], T=t.dtypes[0], out_type=kind)
    axes = t.add("BroadcastGradientArgs", "BroadcastGradientArgs", [x_shape, shape], T=kind)
    summed = t.add("Sum", "Sum", [x, axes + ":1"], T=t.dtypes[0], Tidx=kind, keep_dims=False)
    t.node.op = "Reshape"
    t.node.input[0] = summed
    t.set("Tshape", kind)


register_tf_form("SumToShape", to_tf=_to_sum_to_shape)  # TensorFlow's form (core/tf_form.py)
