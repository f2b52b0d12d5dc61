"""Tensor-input forms of array ops: shape arguments (multiples, paddings, bounds, permutations)
computed at run time.

tensorweave's Tile, Pad, StridedSlice and Transpose take those arguments as attrs, known while
building. When a program computes one at run time (`tf.tile(x, tf.shape(y))`), or a GraphDef
TensorFlow wrote does (see core/tensorflow_forms.py), these forms take it as an input tensor; their
shape rules use whatever entries are known while building, as TensorFlow's do:

- `BroadcastGradientArgs(s0, s1)`: the axes to sum a broadcast result's gradient over so it
  fits each of two shapes (TF's op of that name);
- `DynamicTile(x, multiples)`: Tile by multiples a tensor holds;
- `Slice(x, begin, size)`: TF's Slice (size -1: to the end);
- `DynamicPad(x, paddings)` and `DynamicMirrorPadGrad(dy, paddings)`: Pad and its mirror
  gradient by [rank, 2] paddings a tensor holds;
- `DynamicTranspose(x, perm)` and `InvertPermutation(perm)` (TF's op of that name);
- `DynamicExpandDims(x, dim)`, `DynamicConcatV2(values..., axis)`,
  `DynamicSplitV(x, size_splits, axis)`, `DynamicSplit(axis, x)`,
  `DynamicGatherV2(params, indices, axis)`: TF's ExpandDims, ConcatV2, SplitV, Split, GatherV2;
- `DynamicStridedSlice(x, begin, end, strides)` and `DynamicStridedSliceGrad(shape, begin,
  end, strides, dy)` with TF's five masks: TF's StridedSlice and StridedSliceGrad (`x[i]`,
  `x[a:b:2]`, `x[..., n]` with run-time values build these).

Each is TensorFlow's op of the name without `Dynamic`, in TF's input order (except DynamicPad,
which is TF's Pad, PadV2 or MirrorPad by mode), so core/tensorflow_forms.py writes it as that.
The reductions' forms (DynamicSum, ...) and DynamicArgMax/Min are in ops/math_ops.py, and
DynamicTopKV2 in ops/nn_ops.py, beside the ops whose forms they are.
"""
import numpy as np

from tensorweave.core import tf_form
from tensorweave.core.constants import (constant_value, known_values,
                                        partial_shape_from_tensor)
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op, register_tf_form
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import array, math_ops


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


def _input_dims(op_type, x, *entry_lists):
    """x's dimensions (None where unknown) for the rank that x or any known entry list (one
    entry per dimension) gives, all of which must agree; None when no rank is known."""
    ranks = {len(e) for e in entry_lists if e is not None}
    if x.shape.ndims is not None:
        ranks.add(x.shape.ndims)
    if len(ranks) > 1:
        raise ValueError(f"{op_type} requires one entry per dimension of the input "
                         f"(rank {x.shape.ndims}), got {sorted(ranks)}")
    if not ranks:
        return None
    return x.shape.as_tuple() if x.shape.ndims is not None else (None,) * ranks.pop()


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
    dims = _input_dims("DynamicTile", x, times)
    if dims is None:
        return [(x.dtype, unknown_shape())]
    times = times or [None] * len(dims)
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
    shape = array.shape(x, out_type=multiples.dtype)
    split = array.reshape(array.transpose(array.stack([multiples, shape])), [-1])
    axes = array.range_(0, array.size(split, out_type=multiples.dtype), 2)
    summed = create_op("DynamicSum", [array.reshape(dy, split), axes],
                       keepdims=False).outputs[0]
    return [array.reshape(summed, shape), None]


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
    dims = _input_dims("Slice", x, starts, sizes)
    if dims is None:
        return [(x.dtype, unknown_shape())]
    out = []
    for d, b, s in zip(dims, starts or [None] * len(dims), sizes or [None] * len(dims)):
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
    after = math_ops.subtract(math_ops.subtract(array.shape(x, out_type=kind), begin),
                              array.shape(dy, out_type=kind))
    paddings = array.stack([begin, after], axis=1)
    return [dynamic_pad(dy, paddings, "CONSTANT", 0), None, None]


register_op("Slice", shape=_slice_shape, kernel=_slice_kernel, grad=_slice_grad,
            shares_memory=True)


# --- DynamicPad and DynamicMirrorPadGrad ------------------------------------------------------
def _dynamic_pad_shape(x, paddings, *, mode, constant_values):
    _int_vector("DynamicPad", paddings, "paddings", ranks=(2,))
    return [(x.dtype, _padded_shape("DynamicPad", x, paddings, sign=1))]


def _padded_shape(op_type, x, paddings, sign):
    rows = _padding_rows(paddings)
    dims = _input_dims(op_type, x, rows)
    if dims is None:
        return unknown_shape()
    return TensorShape([None if None in (d, b, a) else d + sign * (b + a)
                        for d, (b, a) in zip(dims, rows or [[None, None]] * len(dims))])


def _dynamic_pad_kernel(x, paddings, *, mode, constant_values):
    return array.pad_kernel(x, paddings=_pairs("DynamicPad", paddings, x.ndim), mode=mode,
                                constant_values=constant_values)


def _dynamic_pad_grad(op, dy):
    x, paddings = op.inputs
    if op.attrs["mode"] == "CONSTANT":
        begin = array.getitem(paddings, (slice(None), 0))
        return [slice_tensor(dy, begin, array.shape(x, out_type=paddings.dtype)), None]
    return [create_op("DynamicMirrorPadGrad", [dy, paddings], mode=op.attrs["mode"]).outputs[0],
            None]


register_op("DynamicPad", shape=_dynamic_pad_shape, kernel=_dynamic_pad_kernel,
            grad=_dynamic_pad_grad)


def _dynamic_mirror_pad_grad_shape(dy, paddings, *, mode):
    _int_vector("DynamicMirrorPadGrad", paddings, "paddings", ranks=(2,))
    return [(dy.dtype, _padded_shape("DynamicMirrorPadGrad", dy, paddings, sign=-1))]


def _dynamic_mirror_pad_grad_kernel(dy, paddings, *, mode):
    return array.mirror_pad_grad_kernel(
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
    dims = _input_dims("DynamicTranspose", x, order)
    if dims is None:
        return [(x.dtype, unknown_shape())]
    order = order or [None] * len(dims)
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


# --- DynamicExpandDims --------------------------------------------------------------------------
def _scalar_int(op_type, t, what):
    if not t.dtype.is_integer or t.shape.ndims not in (None, 0, 1):
        raise ValueError(f"{op_type} requires {what} to be an int scalar, got {t.dtype.name} "
                         f"of shape {t.shape}")


def _axis_value(op_type, axis, ndim, extra=0):
    """The int in (scalar or one-element) `axis`, in [0, ndim + extra); ValueError if not."""
    axis = np.reshape(axis, -1)
    if axis.size != 1 or not -(ndim + extra) <= int(axis[0]) < ndim + extra:
        raise ValueError(f"{op_type} requires an axis in [{-(ndim + extra)}, {ndim + extra}), "
                         f"got {axis.tolist()}")
    return int(axis[0]) % (ndim + extra)


def _dynamic_expand_dims_shape(x, dim):
    _scalar_int("DynamicExpandDims", dim, "dim")
    return [(x.dtype, unknown_shape())]  # as TF: where the 1 goes is not known


def _dynamic_expand_dims_kernel(x, dim):
    return np.expand_dims(x, _axis_value("DynamicExpandDims", dim, x.ndim, extra=1))


def _dynamic_expand_dims_grad(op, dy):
    return [array.reshape(dy, array.shape(op.inputs[0])), None]


register_op("DynamicExpandDims", shape=_dynamic_expand_dims_shape,
            kernel=_dynamic_expand_dims_kernel, grad=_dynamic_expand_dims_grad,
            shares_memory=True)


# --- DynamicConcatV2, DynamicSplitV, DynamicSplit -----------------------------------------------
def _known_rank(op_type, values):
    ranks = {v.shape.ndims for v in values if v.shape.ndims is not None}
    if len(ranks) > 1:
        raise ValueError(f"{op_type} requires inputs of equal rank, got ranks {sorted(ranks)}")
    return ranks.pop() if ranks else None


def _dynamic_concat_shape(*inputs):
    values, axis = inputs[:-1], inputs[-1]
    _scalar_int("DynamicConcatV2", axis, "the axis")
    for v in values[1:]:
        if v.dtype is not values[0].dtype:
            raise TypeError(f"DynamicConcatV2 requires inputs of one dtype, got "
                            f"{values[0].dtype.name} and {v.dtype.name}")
    rank = _known_rank("DynamicConcatV2", values)  # as TF: the rank, no dimension
    return [(values[0].dtype, unknown_shape() if rank is None else TensorShape([None] * rank))]


def _dynamic_concat_kernel(*inputs):
    values, axis = inputs[:-1], inputs[-1]
    return np.concatenate(values, axis=_axis_value("DynamicConcatV2", axis, values[0].ndim))


def _dim_along(x, axis):
    """x's size along int tensor `axis` (negative counts from the end), as an axis.dtype
    vector of one entry."""
    dims = array.shape(x, out_type=axis.dtype)
    return array.reshape(array.gather(dims, math_ops.floormod(
        array.reshape(axis, []), array.size(dims, out_type=axis.dtype))), [1])


def _dynamic_concat_grad(op, dy):
    values, axis = op.inputs[:-1], op.inputs[-1]
    sizes = array.concat([_dim_along(v, axis) for v in values], 0)
    pieces = create_op("DynamicSplitV", [dy, sizes, axis], num_split=len(values)).outputs
    return list(pieces) + [None]


register_op("DynamicConcatV2", shape=_dynamic_concat_shape, kernel=_dynamic_concat_kernel,
            grad=_dynamic_concat_grad)


def _split_shapes(op_type, x, axis, sizes):
    """TF's static shapes of the pieces: unknown along the split axis unless `sizes` (ints or
    None each) are known; every dimension unknown when the axis is."""
    rank = x.shape.ndims
    if rank is None:
        return [(x.dtype, unknown_shape())] * len(sizes)
    axis = constant_value(axis)
    if axis is None:
        return [(x.dtype, TensorShape([None] * rank))] * len(sizes)
    a = _axis_value(op_type, axis, rank)
    dims = list(x.shape.as_tuple())
    out = []
    for size in sizes:
        dims[a] = size
        out.append((x.dtype, TensorShape(dims)))
    return out


def _dynamic_split_v_shape(x, size_splits, axis, *, num_split):
    _int_vector("DynamicSplitV", size_splits, "size_splits")
    _scalar_int("DynamicSplitV", axis, "the axis")
    sizes = constant_value(size_splits)
    sizes = [None] * num_split if sizes is None else _filled_sizes(x, axis, sizes)
    if len(sizes) != num_split:
        raise ValueError(f"DynamicSplitV requires {num_split} sizes, got {len(sizes)}")
    return _split_shapes("DynamicSplitV", x, axis, sizes)


def _filled_sizes(x, axis, sizes):
    """Known sizes with one -1 replaced by what is left of the dimension (None if unknown)."""
    sizes = [int(s) for s in np.reshape(sizes, -1)]
    if -1 in sizes:
        known_axis = constant_value(axis)
        dim = None if known_axis is None or x.shape.ndims is None else \
            x.shape.as_tuple()[_axis_value("DynamicSplitV", known_axis, x.shape.ndims)]
        sizes[sizes.index(-1)] = None if dim is None else dim - sum(sizes) - 1
    return sizes


def _dynamic_split_v_kernel(x, size_splits, axis, *, num_split):
    a = _axis_value("DynamicSplitV", axis, x.ndim)
    sizes = [int(s) for s in size_splits]
    if len(sizes) != num_split or sizes.count(-1) > 1:
        raise ValueError(f"DynamicSplitV requires {num_split} sizes with at most one -1, got "
                         f"{sizes}")
    if -1 in sizes:
        sizes[sizes.index(-1)] = x.shape[a] - sum(sizes) - 1
    return array.split_pieces(x, sizes, a, "DynamicSplitV")


def _split_grad(op, dys, axis):
    pieces = [array.zeros_like(t) if d is None else d for d, t in zip(dys, op.outputs)]
    return create_op("DynamicConcatV2", pieces + [axis]).outputs[0]


def _dynamic_split_v_grad(op, *dys):
    return [_split_grad(op, dys, op.inputs[2]), None, None]


register_op("DynamicSplitV", shape=_dynamic_split_v_shape, kernel=_dynamic_split_v_kernel,
            grad=_dynamic_split_v_grad, shares_memory=True)


def _dynamic_split_shape(axis, x, *, num_split):
    _scalar_int("DynamicSplit", axis, "the axis")
    known_axis, sizes = constant_value(axis), [None] * num_split
    if known_axis is not None and x.shape.ndims is not None:
        dim = x.shape.as_tuple()[_axis_value("DynamicSplit", known_axis, x.shape.ndims)]
        if dim is not None and dim % num_split:
            raise ValueError(f"DynamicSplit requires dimension {int(known_axis)} ({dim}) to be "
                             f"divisible by num_split ({num_split})")
        sizes = [None if dim is None else dim // num_split] * num_split
    return _split_shapes("DynamicSplit", x, axis, sizes)


def _dynamic_split_kernel(axis, x, *, num_split):
    a = _axis_value("DynamicSplit", axis, x.ndim)
    if x.shape[a] % num_split:
        raise ValueError(f"DynamicSplit requires dimension {a} ({x.shape[a]}) to be divisible "
                         f"by num_split ({num_split})")
    return array.split_pieces(x, [x.shape[a] // num_split] * num_split, a, "DynamicSplit")


def _dynamic_split_grad(op, *dys):
    return [None, _split_grad(op, dys, op.inputs[0])]


register_op("DynamicSplit", shape=_dynamic_split_shape, kernel=_dynamic_split_kernel,
            grad=_dynamic_split_grad, shares_memory=True)


# --- DynamicGatherV2 ----------------------------------------------------------------------------
def _dynamic_gather_shape(params, indices, axis):
    _scalar_int("DynamicGatherV2", axis, "the axis")
    if not indices.dtype.is_integer:
        raise TypeError(f"DynamicGatherV2 requires integer indices, got {indices.dtype.name}")
    if params.shape.ndims is None or indices.shape.ndims is None:
        return [(params.dtype, unknown_shape())]
    if params.shape.ndims == 0:
        raise ValueError("DynamicGatherV2 requires params of rank at least 1, got a scalar")
    return [(params.dtype, TensorShape([None] * (params.shape.ndims + indices.shape.ndims - 1)))]


def _dynamic_gather_kernel(params, indices, axis):
    a = _axis_value("DynamicGatherV2", axis, params.ndim)
    bad = indices[(indices < 0) | (indices >= params.shape[a])]
    if bad.size:
        raise IndexError(f"indices = {bad.reshape(-1)[0]} is not in [0, {params.shape[a]})")
    return np.take(params, indices, axis=a)


def _dynamic_gather_grad(op, dy):
    """As TF's: dy reshaped to [outer..., n, inner...], the n axis moved to the front, summed
    into params' rows by index, and moved back."""
    params, indices, axis = op.inputs
    kind = axis.dtype
    dims = array.shape(params, out_type=kind)
    axis = math_ops.floormod(array.reshape(axis, []), array.size(dims, out_type=kind))
    outer, inner = array.getitem(dims, slice(None, axis)), \
        array.getitem(dims, slice(axis + 1, None))
    count = array.reshape(array.size(indices, out_type=kind), [1])
    values = array.reshape(dy, array.concat([outer, count, inner], 0))
    outer_axes = array.range_(0, axis, dtype=kind)
    inner_axes = array.range_(axis + 1, array.size(array.shape(
        values, out_type=kind), out_type=kind), dtype=kind)
    front = array.concat([array.reshape(axis, [1]), outer_axes, inner_axes], 0)
    moved = create_op("DynamicTranspose", [values, front]).outputs[0]
    summed = array.unsorted_segment_sum(moved, array.reshape(indices, [-1]),
                                            array.getitem(dims, axis))
    back = array.concat([outer_axes + 1, array.zeros([1], kind), inner_axes], 0)
    return [create_op("DynamicTranspose", [summed, back]).outputs[0], None, None]


register_op("DynamicGatherV2", shape=_dynamic_gather_shape, kernel=_dynamic_gather_kernel,
            grad=_dynamic_gather_grad)


# --- DynamicStridedSlice and DynamicStridedSliceGrad --------------------------------------------
_MASK_NAMES = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _strided_slice_shape(op_type, x, begin, end, strides, masks):
    """TF's rule: unknown unless x's rank and the strides are known; a dimension is known
    where its bounds (or masks) are."""
    for t, what in ((begin, "begin"), (end, "end"), (strides, "strides")):
        _int_vector(op_type, t, what)
    steps = constant_value(strides)
    if x.shape.ndims is None or steps is None:
        return unknown_shape()
    steps = [int(s) for s in np.reshape(steps, -1)]
    starts, stops = _vector_entries(begin, len(steps)), _vector_entries(end, len(steps))
    if 0 in steps:
        raise ValueError(f"{op_type} requires non-zero strides, got {steps}")
    bits = [{k: bool(masks[k] >> i & 1) for k in _MASK_NAMES} for i in range(len(steps))]
    dims = list(x.shape.as_tuple())
    consumed = sum(1 for b in bits if not b["ellipsis_mask"] and not b["new_axis_mask"])
    if consumed > len(dims):
        raise ValueError(f"{op_type} requires at most {len(dims)} indices for shape {x.shape}, "
                         f"got {consumed}")
    out, at = [], 0
    for bit, start, stop, step in zip(bits, starts, stops, steps):
        if bit["ellipsis_mask"]:
            out.extend(dims[at:at + len(dims) - consumed])
            at += len(dims) - consumed
        elif bit["new_axis_mask"]:
            out.append(1)
        elif bit["shrink_axis_mask"]:
            at += 1
        else:
            start = None if bit["begin_mask"] else start
            stop = None if bit["end_mask"] else stop
            unknown = (start is None and not bit["begin_mask"]) or \
                (stop is None and not bit["end_mask"]) or dims[at] is None
            out.append(None if unknown else
                       len(range(*slice(start, stop, step).indices(dims[at]))))
            at += 1
    return TensorShape(out + dims[at:])


def _masks(attrs):
    return {k: attrs[k] for k in _MASK_NAMES}


def _dynamic_strided_slice_shape(x, begin, end, strides, *, begin_mask, end_mask,
                                 ellipsis_mask, new_axis_mask, shrink_axis_mask):
    masks = dict(begin_mask=begin_mask, end_mask=end_mask, ellipsis_mask=ellipsis_mask,
                 new_axis_mask=new_axis_mask, shrink_axis_mask=shrink_axis_mask)
    return [(x.dtype, _strided_slice_shape("DynamicStridedSlice", x, begin, end, strides,
                                           masks))]


def _dynamic_strided_slice_kernel(x, begin, end, strides, *, begin_mask, end_mask,
                                  ellipsis_mask, new_axis_mask, shrink_axis_mask):
    return x[array.strided_slice_key(
        x.shape, begin, end, strides, begin_mask=begin_mask, end_mask=end_mask,
        ellipsis_mask=ellipsis_mask, new_axis_mask=new_axis_mask,
        shrink_axis_mask=shrink_axis_mask)]


def _dynamic_strided_slice_grad(op, dy):
    x, begin, end, strides = op.inputs
    return [create_op("DynamicStridedSliceGrad",
                      [array.shape(x, out_type=begin.dtype), begin, end, strides, dy],
                      **_masks(op.attrs)).outputs[0], None, None, None]


register_op("DynamicStridedSlice", shape=_dynamic_strided_slice_shape,
            kernel=_dynamic_strided_slice_kernel, grad=_dynamic_strided_slice_grad,
            shares_memory=True)


def _dynamic_strided_slice_grad_shape(shape, begin, end, strides, dy, *, begin_mask,
                                      end_mask, ellipsis_mask, new_axis_mask,
                                      shrink_axis_mask):
    for t, what in ((begin, "begin"), (end, "end"), (strides, "strides")):
        _int_vector("DynamicStridedSliceGrad", t, what)
    return [(dy.dtype, partial_shape_from_tensor(shape))]


def _dynamic_strided_slice_grad_kernel(shape, begin, end, strides, dy, *, begin_mask,
                                       end_mask, ellipsis_mask, new_axis_mask,
                                       shrink_axis_mask):
    out = np.zeros(tuple(int(d) for d in shape), dtype=dy.dtype)
    out[array.strided_slice_key(
        out.shape, begin, end, strides, begin_mask=begin_mask, end_mask=end_mask,
        ellipsis_mask=ellipsis_mask, new_axis_mask=new_axis_mask,
        shrink_axis_mask=shrink_axis_mask)] = dy
    return out


def _dynamic_strided_slice_grad_grad(op, ddx):
    return [None] * 4 + [create_op("DynamicStridedSlice", [ddx] + list(op.inputs[1:4]),
                                   **_masks(op.attrs)).outputs[0]]


register_op("DynamicStridedSliceGrad", shape=_dynamic_strided_slice_grad_shape,
            kernel=_dynamic_strided_slice_grad_kernel, grad=_dynamic_strided_slice_grad_grad)


# --- TensorFlow's forms (core/tf_form.py): each Dynamic<op> is TensorFlow's <op> -------------
def _to_dynamic_pad(t):
    """DynamicPad is TF's Pad, PadV2 (a fill value) or MirrorPad (REFLECT, SYMMETRIC)."""
    mode, fill = t.pop("mode"), t.pop("constant_values")
    if mode != "CONSTANT":
        t.node.op = "MirrorPad"
        t.set("mode", mode)
    elif fill:
        t.node.op = "PadV2"
        t.insert_const(2, "constant_values", fill, t.dtypes[0])
    else:
        t.node.op = "Pad"


for _tf_op in ("Tile", "Transpose", "MirrorPadGrad", "ExpandDims", "ConcatV2", "SplitV", "Split",
               "GatherV2", "StridedSlice", "StridedSliceGrad"):
    register_tf_form("Dynamic" + _tf_op, to_tf=tf_form.tensor_input_form(_tf_op))
register_tf_form("DynamicPad", to_tf=_to_dynamic_pad)
