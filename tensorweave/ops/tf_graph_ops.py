"""Tensor-input forms of array ops: shape arguments (multiples, paddings, bounds, permutations)
computed at run time.

tensorweave's Tile, Pad, StridedSlice and Transpose take those arguments as attrs, known while
building. When a program computes one at run time (`tf.tile(x, tf.shape(y))`), or a GraphDef
TensorFlow wrote does (see framework/tf_forms.py), these forms take it as an input tensor; their
shape rules use whatever entries are known while building, as TensorFlow's do:

- `BroadcastGradientArgs(s0, s1)`: the axes to sum a broadcast result's gradient over so it
  fits each of two shapes (TF's op of that name);
- `DynamicTile(x, multiples)`: Tile by multiples a tensor holds;
- `Slice(x, begin, size)`: TF's Slice (size -1: to the end);
- `DynamicPad(x, paddings)` and `DynamicMirrorPadGrad(dy, paddings)`: Pad and its mirror
  gradient by [rank, 2] paddings a tensor holds;
- `DynamicTranspose(x, perm)` and `InvertPermutation(perm)` (TF's op of that name).

The reductions' forms (DynamicSum, ...) are in ops/math_ops.py, beside the reductions.
"""
import numpy as np

from tensorweave.framework.graph import constant_value, create_op
from tensorweave.framework.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.framework.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import array_ops, math_ops


def known_values(t):
    """The value of int tensor `t` as nested lists, with None for each entry not known while
    building (entries of a Pack are found one by one); None when not even t's shape is known.

    >>> known_values(tf.stack([2, tf.placeholder(tf.int32, [])]))  # [2, None]
    """
    value = constant_value(t)
    if value is not None:
        return np.asarray(value).tolist()
    if t.op.type == "Pack" and t.op.attrs["axis"] == 0:
        return [known_values(part) for part in t.op.inputs]
    if t.shape.ndims in (None, 0) or not t.shape.is_fully_defined():
        return None
    return np.full(t.shape.as_tuple(), None, dtype=object).tolist()


def _int_vector(op_type, t, what, ranks=(1,)):
    if not t.dtype.is_integer or t.shape.ndims not in (None, *ranks):
        raise ValueError(f"{op_type} requires {what} to be an int vector, got {t.dtype.name} "
                         f"of shape {t.shape}")


def _vector_entries(t, length=None):
    """known_values of 1-D `t` as a list of int or None, `length` long if given and unknown."""
    values = known_values(t)
    if values is None:
        return None if length is None else [None] * length
    return [None if v is None else int(v) for v in values]


def _rank_of(op_type, x, *entry_lists):
    """The output rank: x's, else the length of any entry list known; all must agree."""
    ranks = {len(e) for e in entry_lists if e is not None}
    if x.shape.ndims is not None:
        ranks.add(x.shape.ndims)
    if len(ranks) > 1:
        raise ValueError(f"{op_type} requires one entry per dimension of the input "
                         f"(rank {x.shape.ndims}), got {sorted(ranks)}")
    return ranks.pop() if ranks else None


def _pairs(op_type, paddings, ndim):
    """[rank, 2] paddings as (before, after) int pairs, one per dimension, none negative."""
    paddings = np.asarray(paddings)
    if paddings.shape != (ndim, 2) or (paddings < 0).any():
        raise ValueError(f"{op_type} requires [{ndim}, 2] non-negative paddings, got "
                         f"{paddings.tolist()}")
    return tuple((int(b), int(a)) for b, a in paddings)


def _padding_rows(paddings):
    """known_values of [rank, 2] paddings as rows of two int-or-None, or None."""
    rows = known_values(paddings)
    if rows is None:
        return None
    return [[None, None] if row is None else [None if v is None else int(v) for v in row]
            for row in rows]


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


# --- DynamicTile --------------------------------------------------------------------------------
def _dynamic_tile_shape(x, multiples):
    _int_vector("DynamicTile", multiples, "multiples")
    times = _vector_entries(multiples)
    rank = _rank_of("DynamicTile", x, times)
    if rank is None:
        return [(x.dtype, unknown_shape())]
    dims = x.shape.as_tuple() if x.shape.ndims is not None else (None,) * rank
    times = times or [None] * rank
    return [(x.dtype, TensorShape([None if d is None or m is None or m < 0 else d * m
                                   for d, m in zip(dims, times)]))]


def _dynamic_tile_kernel(x, multiples):
    if len(multiples) != x.ndim or (np.asarray(multiples) < 0).any():
        raise ValueError(f"DynamicTile requires one non-negative multiple per dimension of the "
                         f"input, got {list(multiples)} for shape {list(x.shape)}")
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


# --- Slice --------------------------------------------------------------------------------------
def _slice_shape(x, begin, size):
    _int_vector("Slice", begin, "begin")
    _int_vector("Slice", size, "size")
    if begin.dtype is not size.dtype:
        raise TypeError(f"Slice requires begin and size of one dtype, got {begin.dtype.name} "
                        f"and {size.dtype.name}")
    starts, sizes = _vector_entries(begin), _vector_entries(size)
    rank = _rank_of("Slice", x, starts, sizes)
    if rank is None:
        return [(x.dtype, unknown_shape())]
    dims = x.shape.as_tuple() if x.shape.ndims is not None else (None,) * rank
    out = []
    for d, b, s in zip(dims, starts or [None] * rank, sizes or [None] * rank):
        if s is not None and s >= 0:
            if d is not None and b is not None and (b < 0 or b + s > d):
                raise ValueError(f"Slice requires 0 <= begin <= begin + size <= dimension, got "
                                 f"begin {starts} and size {sizes}")
            out.append(s)
        else:
            out.append(d - b if s == -1 and d is not None and b is not None else None)
    return [(x.dtype, TensorShape(out))]


def _slice_kernel(x, begin, size):
    if len(begin) != x.ndim or len(size) != x.ndim:
        raise ValueError(f"Slice requires begin and size with one entry per dimension of shape "
                         f"{list(x.shape)}, got {list(begin)} and {list(size)}")
    index = []
    for d, b, s in zip(x.shape, begin, size):
        end = d if s == -1 else int(b) + int(s)
        if not 0 <= b <= end <= d:
            raise ValueError(f"Slice requires 0 <= begin <= begin + size <= dimension, got "
                             f"begin {list(begin)} and size {list(size)} for shape "
                             f"{list(x.shape)}")
        index.append(slice(int(b), end))
    return x[tuple(index)]


def _slice_grad(op, dy):
    """dy padded back to x's shape: begin before it, the rest after."""
    x, begin, _ = op.inputs
    kind = begin.dtype
    after = math_ops.subtract(math_ops.subtract(array_ops.shape(x, out_type=kind), begin),
                              array_ops.shape(dy, out_type=kind))
    paddings = array_ops.stack([begin, after], axis=1)
    return [dynamic_pad(dy, paddings, "CONSTANT", 0), None, None]


register_op("Slice", shape=_slice_shape, kernel=_slice_kernel, grad=_slice_grad,
            shares_memory=True)


# --- DynamicPad and DynamicMirrorPadGrad ------------------------------------------------------
def _dynamic_pad_shape(x, paddings, *, mode, constant_values):
    _int_vector("DynamicPad", paddings, "paddings", ranks=(2,))
    return [(x.dtype, _padded_shape("DynamicPad", x, paddings, sign=1))]


def _padded_shape(op_type, x, paddings, sign):
    rows = _padding_rows(paddings)
    rank = _rank_of(op_type, x, rows)
    if rank is None:
        return unknown_shape()
    dims = x.shape.as_tuple() if x.shape.ndims is not None else (None,) * rank
    return TensorShape([None if None in (d, b, a) else d + sign * (b + a)
                        for d, (b, a) in zip(dims, rows or [[None, None]] * rank)])


def _dynamic_pad_kernel(x, paddings, *, mode, constant_values):
    return array_ops.pad_kernel(x, paddings=_pairs("DynamicPad", paddings, x.ndim), mode=mode,
                                constant_values=constant_values)


def _dynamic_pad_grad(op, dy):
    x, paddings = op.inputs
    if op.attrs["mode"] == "CONSTANT":
        begin = array_ops.getitem(paddings, (slice(None), 0))
        return [slice_tensor(dy, begin, array_ops.shape(x, out_type=paddings.dtype)), None]
    return [create_op("DynamicMirrorPadGrad", [dy, paddings], mode=op.attrs["mode"]).outputs[0],
            None]


register_op("DynamicPad", shape=_dynamic_pad_shape, kernel=_dynamic_pad_kernel,
            grad=_dynamic_pad_grad)


def _dynamic_mirror_pad_grad_shape(dy, paddings, *, mode):
    _int_vector("DynamicMirrorPadGrad", paddings, "paddings", ranks=(2,))
    return [(dy.dtype, _padded_shape("DynamicMirrorPadGrad", dy, paddings, sign=-1))]


def _dynamic_mirror_pad_grad_kernel(dy, paddings, *, mode):
    return array_ops.mirror_pad_grad_kernel(
        dy, paddings=_pairs("DynamicMirrorPadGrad", paddings, dy.ndim), mode=mode)


def _dynamic_mirror_pad_grad_grad(op, ddx):
    return [dynamic_pad(ddx, op.inputs[1], op.attrs["mode"], 0), None]


register_op("DynamicMirrorPadGrad", shape=_dynamic_mirror_pad_grad_shape,
            kernel=_dynamic_mirror_pad_grad_kernel, grad=_dynamic_mirror_pad_grad_grad)


def dynamic_pad(x, paddings, mode, constant_values):
    """Pad by [rank, 2] `paddings` a tensor holds (mode CONSTANT, REFLECT or SYMMETRIC)."""
    return create_op("DynamicPad", [x, paddings], mode=mode,
                     constant_values=constant_values).outputs[0]


def slice_tensor(x, begin, size):
    """TF's Slice with begin and size as tensors of one int dtype."""
    return create_op("Slice", [x, begin, size]).outputs[0]


# --- DynamicTranspose and InvertPermutation ---------------------------------------------------
def _dynamic_transpose_shape(x, perm):
    _int_vector("DynamicTranspose", perm, "perm")
    order = _vector_entries(perm)
    rank = _rank_of("DynamicTranspose", x, order)
    if rank is None:
        return [(x.dtype, unknown_shape())]
    dims = x.shape.as_tuple() if x.shape.ndims is not None else (None,) * rank
    order = order or [None] * rank
    return [(x.dtype, TensorShape([None if i is None else dims[i] for i in order]))]


def _dynamic_transpose_kernel(x, perm):
    if sorted(int(i) for i in perm) != list(range(x.ndim)):
        raise ValueError(f"DynamicTranspose requires a permutation of 0..{x.ndim - 1}, got "
                         f"{list(perm)}")
    return np.transpose(x, [int(i) for i in perm])


def _dynamic_transpose_grad(op, dy):
    inverse = create_op("InvertPermutation", [op.inputs[1]]).outputs[0]
    return [create_op("DynamicTranspose", [dy, inverse]).outputs[0], None]


register_op("DynamicTranspose", shape=_dynamic_transpose_shape,
            kernel=_dynamic_transpose_kernel, grad=_dynamic_transpose_grad, shares_memory=True)


def _invert_permutation_shape(perm):
    _int_vector("InvertPermutation", perm, "perm")
    return [(perm.dtype, perm.shape)]


def _invert_permutation_kernel(perm):
    if sorted(int(i) for i in perm) != list(range(len(perm))):
        raise ValueError(f"InvertPermutation requires a permutation of 0..{len(perm) - 1}, "
                         f"got {list(perm)}")
    inverse = np.empty_like(perm)
    inverse[perm] = np.arange(len(perm), dtype=perm.dtype)
    return inverse


register_op("InvertPermutation", shape=_invert_permutation_shape,
            kernel=_invert_permutation_kernel, grad=NOT_DIFFERENTIABLE)
