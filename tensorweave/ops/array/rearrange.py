"""Rearranging arrays: ReverseV2, Roll, SpaceToDepth / DepthToSpace, SpaceToBatchND /
BatchToSpaceND (and the paddings they need), ExtractImagePatches / ExtractVolumePatches.

The op types take TensorFlow's inputs and attrs (axes, shifts, block shapes and paddings are
input tensors), so their shape rules use whatever entries are known while building. This is
the entry module of the family: its `__all__` also hands on the names of `diagonal.py`
(diagonals, bands, eye, trace, linspace) and `structural.py` (shape_n, identity_n, where_v2,
boolean_mask, repeat, ...)."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant, convert_to_tensor, known_values
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.registry import register_op, register_tf_form
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import math_ops
from tensorweave.ops._common import one
from tensorweave.ops.array.construct import stack
from tensorweave.ops.array.convert import cast
from tensorweave.ops.array.index import getitem, range_, unsorted_segment_sum
from tensorweave.ops.array.join import concat
from tensorweave.ops.array.shapes import reshape, shape, transpose
from tensorweave.ops.array.diagonal import (diag, diag_part, eye, lin_space, linspace,
                                            matrix_band_part, matrix_diag, matrix_diag_part,
                                            matrix_set_diag, matrix_transpose, trace)
from tensorweave.ops.array.structural import (bitcast, boolean_mask, broadcast_dynamic_shape,
                                              broadcast_static_shape, ensure_shape,
                                              guarantee_const, identity_n, invert_permutation,
                                              meshgrid, parallel_stack, repeat, shape_n,
                                              unravel_index, where_v2)

__all__ = [  # the names `tf.` takes from here
    "reverse", "reverse_v2", "roll", "space_to_depth", "depth_to_space", "space_to_batch",
    "space_to_batch_nd", "batch_to_space", "batch_to_space_nd",
    "required_space_to_batch_paddings", "extract_image_patches", "extract_volume_patches",
    "diag", "diag_part", "eye", "lin_space", "linspace", "matrix_band_part", "matrix_diag",
    "matrix_diag_part", "matrix_set_diag", "matrix_transpose", "trace",
    "bitcast", "boolean_mask", "broadcast_dynamic_shape", "broadcast_static_shape",
    "ensure_shape", "guarantee_const", "identity_n", "invert_permutation", "meshgrid",
    "parallel_stack", "repeat", "shape_n", "unravel_index", "where_v2",
]


def int_entries(t):
    """The entries of int tensor `t` known while building, as a flat list of int or None (a
    scalar gives one entry); None when not even their number is known."""
    values = known_values(t)
    if values is None:
        return None
    flat = np.asarray(values, dtype=object).reshape(-1).tolist()
    return [None if v is None else int(v) for v in flat]


def check_int(op_type, t, what, ranks=(0, 1)):
    if not t.dtype.is_integer or t.shape.ndims not in (None, *ranks):
        allowed = " or ".join(f"{r}-D" for r in ranks)
        raise ValueError(f"{op_type} requires {what} to be a {allowed} int tensor, got "
                         f"{t.dtype.name} of shape {t.shape}")


def _int_tensor(value, dtype=dtypes.int32):
    """`value` as an int tensor (int32 unless it is already a tensor)."""
    return value if isinstance(value, Tensor) else convert_to_tensor(
        np.asarray(value, dtype=dtype.as_numpy_dtype))


# --- ReverseV2 --------------------------------------------------------------------------------
def _reverse_axes(op_type, axes, ndims):
    """`axes` (ints) in [0, ndims), each once; ValueError worded as TF's."""
    out = []
    for i, a in enumerate(axes):
        if not -ndims <= a < ndims:
            raise ValueError(f"{op_type}: 'axis'[{i}] = {a} is out of valid range [0, "
                             f"{ndims - 1}]")
        a %= ndims
        if a in out:
            raise ValueError(f"{op_type}: axis {a} specified more than once.")
        out.append(a)
    return out


def _reverse_shape(x, axis):
    check_int("ReverseV2", axis, "axis", ranks=(1,))
    axes = int_entries(axis)
    if axes is not None and None not in axes and x.shape.ndims is not None:
        _reverse_axes("ReverseV2", axes, x.shape.ndims)
    return [(x.dtype, x.shape)]


def _reverse_kernel(x, axis):
    axes = _reverse_axes("ReverseV2", [int(a) for a in axis], x.ndim)
    return np.flip(x, tuple(axes)).copy() if axes else x.copy()


def _reverse_grad(op, dy):
    return [reverse_v2(dy, op.inputs[1]), None]


register_op("ReverseV2", shape=_reverse_shape, kernel=_reverse_kernel, grad=_reverse_grad)


def reverse_v2(tensor, axis, name=None):
    """`tensor` with the dimensions in `axis` reversed (TF's tf.reverse in 1.x too).

    >>> tf.reverse([[1, 2, 3], [4, 5, 6]], [-1])  # [[3, 2, 1], [6, 5, 4]]
    """
    return one(create_op("ReverseV2", [convert_to_tensor(tensor), _int_tensor(axis)],
                          name=name or "ReverseV2"))


reverse = reverse_v2


# --- Roll -------------------------------------------------------------------------------------
def _roll_shape(x, shift, axis):
    check_int("Roll", shift, "shift")
    check_int("Roll", axis, "axis")
    if shift.shape.is_fully_defined() and axis.shape.is_fully_defined() and \
            shift.shape.as_tuple() != axis.shape.as_tuple():
        raise ValueError(f"Roll requires shift and axis of the same size, got shapes "
                         f"{shift.shape} and {axis.shape}")
    axes = int_entries(axis)
    if axes is not None and x.shape.ndims is not None:
        for a in axes:
            if a is not None and not -x.shape.ndims <= a < x.shape.ndims:
                raise ValueError(f"Roll: axis {a} is out of range for input of rank "
                                 f"{x.shape.ndims}")
    return [(x.dtype, x.shape)]


def _roll_kernel(x, shift, axis):
    shift, axis = np.reshape(shift, -1), np.reshape(axis, -1)
    if shift.shape != axis.shape:
        raise ValueError(f"shift and axis must have the same size, got {shift.size} and "
                         f"{axis.size}")
    for a in axis:
        if not -x.ndim <= a < x.ndim:
            raise ValueError(f"axis {a} is out of range for input of rank {x.ndim}")
    if x.ndim == 0 or not axis.size:
        return x.copy()
    return np.roll(x, [int(s) for s in shift], [int(a) for a in axis])


def _roll_grad(op, dy):
    _, shift, axis = op.inputs
    return [roll(dy, math_ops.negative(shift), axis), None, None]


register_op("Roll", shape=_roll_shape, kernel=_roll_kernel, grad=_roll_grad)


def _to_roll(t):
    """TensorFlow's Roll names the dtypes of shift and axis (no defaults)."""
    t.set("Tshift", t.dtypes[1])
    t.set("Taxis", t.dtypes[2])


register_tf_form("Roll", to_tf=_to_roll)


def roll(input, shift, axis, name=None):  # noqa: A002 - TF's argument name
    """`input` shifted by `shift` places along each `axis` (elements wrap around).

    >>> tf.roll([0, 1, 2, 3, 4], shift=2, axis=0)  # [3, 4, 0, 1, 2]
    """
    x = convert_to_tensor(input)
    return one(create_op("Roll", [x, _int_tensor(shift), _int_tensor(axis)],
                          name=name or "Roll"))


# --- SpaceToDepth and DepthToSpace ------------------------------------------------------------
def _nhwc(op_type, x, data_format):
    """(batch, height, width, depth) of 4-D `x` in `data_format`, None where unknown."""
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"{op_type} supports data_format NHWC and NCHW, got {data_format!r}")
    if x.shape.ndims is None:
        return None
    if x.shape.ndims != 4:
        raise ValueError(f"{op_type} requires a 4-D input, got shape {x.shape}")
    b, *rest = x.shape.as_tuple()
    return (b, rest[1], rest[2], rest[0]) if data_format == "NCHW" else (b, *rest)


def _in_format(dims, data_format):
    b, h, w, c = dims
    return TensorShape([b, c, h, w] if data_format == "NCHW" else [b, h, w, c])


def _divisible(op_type, size, by):
    if size is not None and size % by:
        raise ValueError(f"{op_type}: Dimension size must be evenly divisible by {by} but is "
                         f"{size}")


def _space_to_depth_shape(x, *, block_size, data_format):
    if block_size < 2:
        raise ValueError(f"SpaceToDepth requires block_size >= 2, got {block_size}")
    dims = _nhwc("SpaceToDepth", x, data_format)
    if dims is None:
        return [(x.dtype, unknown_shape(4))]
    b, h, w, c = dims
    _divisible("SpaceToDepth", h, block_size)
    _divisible("SpaceToDepth", w, block_size)
    out = (b, None if h is None else h // block_size, None if w is None else w // block_size,
           None if c is None else c * block_size ** 2)
    return [(x.dtype, _in_format(out, data_format))]


def _to_nhwc(x, data_format):
    return x.transpose(0, 2, 3, 1) if data_format == "NCHW" else x


def _from_nhwc(x, data_format):
    return np.array(x.transpose(0, 3, 1, 2) if data_format == "NCHW" else x)  # a copy


def _space_to_depth_kernel(x, *, block_size, data_format):
    x = _to_nhwc(x, data_format)
    b, h, w, c = x.shape
    s = block_size
    if h % s or w % s:
        raise ValueError(f"Image height {h} and width {w} should be divisible by block_size: "
                         f"{s}")
    out = x.reshape(b, h // s, s, w // s, s, c).transpose(0, 1, 3, 2, 4, 5)
    return _from_nhwc(out.reshape(b, h // s, w // s, s * s * c), data_format)


def _space_to_depth_grad(op, dy):
    return [depth_to_space(dy, op.attrs["block_size"], data_format=op.attrs["data_format"])]


register_op("SpaceToDepth", shape=_space_to_depth_shape, kernel=_space_to_depth_kernel,
            grad=_space_to_depth_grad)


def _depth_to_space_shape(x, *, block_size, data_format):
    if block_size < 2:
        raise ValueError(f"DepthToSpace requires block_size >= 2, got {block_size}")
    dims = _nhwc("DepthToSpace", x, data_format)
    if dims is None:
        return [(x.dtype, unknown_shape(4))]
    b, h, w, c = dims
    _divisible("DepthToSpace", c, block_size ** 2)
    out = (b, None if h is None else h * block_size, None if w is None else w * block_size,
           None if c is None else c // block_size ** 2)
    return [(x.dtype, _in_format(out, data_format))]


def _depth_to_space_kernel(x, *, block_size, data_format):
    x = _to_nhwc(x, data_format)
    b, h, w, c = x.shape
    s = block_size
    if c % (s * s):
        raise ValueError(f"Input depth dimension {c} should be divisible by: {s * s}")
    out = x.reshape(b, h, w, s, s, c // (s * s)).transpose(0, 1, 3, 2, 4, 5)
    return _from_nhwc(out.reshape(b, h * s, w * s, c // (s * s)), data_format)


def _depth_to_space_grad(op, dy):
    return [space_to_depth(dy, op.attrs["block_size"], data_format=op.attrs["data_format"])]


register_op("DepthToSpace", shape=_depth_to_space_shape, kernel=_depth_to_space_kernel,
            grad=_depth_to_space_grad)


def space_to_depth(input, block_size, name=None, data_format="NHWC"):  # noqa: A002
    """Moves block_size x block_size blocks of height and width into depth.

    >>> tf.space_to_depth(tf.zeros([1, 4, 4, 3]), 2).shape  # (1, 2, 2, 12)
    """
    return one(create_op("SpaceToDepth", [convert_to_tensor(input)],
                          name=name or "SpaceToDepth", block_size=int(block_size),
                          data_format=_format_text(data_format)))


def depth_to_space(input, block_size, name=None, data_format="NHWC"):  # noqa: A002
    """Moves depth into block_size x block_size blocks of height and width (the inverse of
    space_to_depth)."""
    return one(create_op("DepthToSpace", [convert_to_tensor(input)],
                          name=name or "DepthToSpace", block_size=int(block_size),
                          data_format=_format_text(data_format)))


def _format_text(data_format):
    return data_format.decode() if isinstance(data_format, bytes) else str(data_format)


# --- SpaceToBatchND and BatchToSpaceND --------------------------------------------------------
def _rows(t):
    """[M, 2] int tensor `t` known while building as M pairs of int-or-None, or None."""
    values = known_values(t)
    if values is None:
        return None
    return [[None, None] if row is None else [None if v is None else int(v) for v in row]
            for row in values]


def _batch_space_inputs(op_type, x, block_shape, pairs, what):
    """block entries, pair rows and the number of block dims M (None where unknown), checked."""
    check_int(op_type, block_shape, "block_shape", ranks=(1,))
    check_int(op_type, pairs, what, ranks=(2,))
    blocks, rows = int_entries(block_shape), _rows(pairs)
    counts = {len(e) for e in (blocks, rows) if e is not None}
    if pairs.shape.ndims == 2 and pairs.shape[1].value not in (None, 2):
        raise ValueError(f"{op_type} requires {what} of shape [M, 2], got {pairs.shape}")
    if len(counts) > 1:
        raise ValueError(f"{op_type} requires block_shape and {what} with the same number of "
                         f"block dimensions, got {sorted(counts)}")
    m = counts.pop() if counts else None
    if m is not None and x.shape.ndims is not None and x.shape.ndims < m + 1:
        raise ValueError(f"{op_type} requires an input of rank >= {m + 1}, got {x.shape}")
    for b in blocks or ():
        if b is not None and b < 1:
            raise ValueError(f"{op_type} requires block_shape >= 1, got {blocks}")
    for row in rows or ():
        if any(v is not None and v < 0 for v in row):
            raise ValueError(f"{op_type} requires non-negative {what}, got {rows}")
    return blocks, rows, m


def _space_to_batch_shape(x, block_shape, paddings):
    blocks, rows, m = _batch_space_inputs("SpaceToBatchND", x, block_shape, paddings,
                                          "paddings")
    if x.shape.ndims is None or m is None:
        return [(x.dtype, unknown_shape() if x.shape.ndims is None
                 else unknown_shape(x.shape.ndims))]
    dims = x.shape.as_tuple()
    blocks = blocks or [None] * m
    rows = rows or [[None, None]] * m
    out = []
    for d, bs, (before, after) in zip(dims[1:m + 1], blocks, rows):
        padded = None if None in (d, before, after) else d + before + after
        if padded is not None and bs is not None:
            _divisible("SpaceToBatchND", padded, bs)
        out.append(None if padded is None or bs is None else padded // bs)
    total = None if None in blocks else int(np.prod(blocks))
    batch = None if dims[0] is None or total is None else dims[0] * total
    return [(x.dtype, TensorShape([batch] + out + list(dims[m + 1:])))]


def _block_args(op_type, x, block_shape, pairs, what):
    block_shape = [int(b) for b in np.reshape(block_shape, -1)]
    pairs = np.asarray(pairs).reshape(-1, 2)
    m = len(block_shape)
    if pairs.shape[0] != m or x.ndim < m + 1 or min(block_shape, default=1) < 1 or \
            (pairs < 0).any():
        raise ValueError(f"{op_type} requires block_shape >= 1 and non-negative {what} of shape "
                         f"[{m}, 2] for an input of rank >= {m + 1}, got block_shape "
                         f"{block_shape}, {what} {pairs.tolist()} and input shape "
                         f"{list(x.shape)}")
    return block_shape, [(int(b), int(a)) for b, a in pairs]


def _space_to_batch_kernel(x, block_shape, paddings):
    blocks, pads = _block_args("SpaceToBatchND", x, block_shape, paddings, "paddings")
    m = len(blocks)
    padded = np.pad(x, [(0, 0)] + pads + [(0, 0)] * (x.ndim - m - 1))
    batch, spatial, rest = padded.shape[0], padded.shape[1:m + 1], padded.shape[m + 1:]
    for d, b in zip(spatial, blocks):
        if d % b:
            raise ValueError(f"padded_shape {list(spatial)} is not divisible by block_shape "
                             f"{blocks}")
    split = [batch]
    for d, b in zip(spatial, blocks):
        split += [d // b, b]
    order = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)] + \
        list(range(1 + 2 * m, 1 + 2 * m + len(rest)))
    out = padded.reshape(split + list(rest)).transpose(order)
    return out.reshape([batch * int(np.prod(blocks))] + [d // b for d, b in zip(spatial, blocks)]
                       + list(rest))


def _space_to_batch_grad(op, dy):
    _, block_shape, paddings = op.inputs
    return [batch_to_space_nd(dy, block_shape, paddings), None, None]


register_op("SpaceToBatchND", shape=_space_to_batch_shape, kernel=_space_to_batch_kernel,
            grad=_space_to_batch_grad)


def _batch_to_space_shape(x, block_shape, crops):
    blocks, rows, m = _batch_space_inputs("BatchToSpaceND", x, block_shape, crops, "crops")
    if x.shape.ndims is None or m is None:
        return [(x.dtype, unknown_shape() if x.shape.ndims is None
                 else unknown_shape(x.shape.ndims))]
    dims = x.shape.as_tuple()
    blocks = blocks or [None] * m
    rows = rows or [[None, None]] * m
    total = None if None in blocks else int(np.prod(blocks))
    if dims[0] is not None and total is not None:
        _divisible("BatchToSpaceND", dims[0], total)
    out = []
    for d, bs, (before, after) in zip(dims[1:m + 1], blocks, rows):
        size = None if None in (d, bs, before, after) else d * bs - before - after
        if size is not None and size < 0:
            raise ValueError(f"BatchToSpaceND: crops {rows} are larger than the block "
                             f"dimensions of input shape {x.shape}")
        out.append(size)
    batch = None if dims[0] is None or total is None else dims[0] // total
    return [(x.dtype, TensorShape([batch] + out + list(dims[m + 1:])))]


def _batch_to_space_kernel(x, block_shape, crops):
    blocks, cuts = _block_args("BatchToSpaceND", x, block_shape, crops, "crops")
    m, total = len(blocks), int(np.prod(blocks))
    if x.shape[0] % total:
        raise ValueError(f"Input batch dimension ({x.shape[0]}) is not divisible by product of "
                         f"block sizes ({total})")
    batch, spatial, rest = x.shape[0] // total, x.shape[1:m + 1], x.shape[m + 1:]
    split = x.reshape(blocks + [batch] + list(spatial) + list(rest))
    order = [m]
    for i in range(m):
        order += [m + 1 + i, i]
    order += list(range(2 * m + 1, 2 * m + 1 + len(rest)))
    full = split.transpose(order).reshape([batch] + [d * b for d, b in zip(spatial, blocks)]
                                          + list(rest))
    index = [slice(None)]
    for d, (before, after) in zip(full.shape[1:m + 1], cuts):
        if before + after > d:
            raise ValueError(f"Crops must be less than the block dimension sizes, got crops "
                             f"{[list(c) for c in cuts]} for input shape {list(x.shape)}")
        index.append(slice(before, d - after))
    return np.array(full[tuple(index)])  # a copy


def _batch_to_space_grad(op, dy):
    _, block_shape, crops = op.inputs
    return [space_to_batch_nd(dy, block_shape, crops), None, None]


register_op("BatchToSpaceND", shape=_batch_to_space_shape, kernel=_batch_to_space_kernel,
            grad=_batch_to_space_grad)


def space_to_batch_nd(input, block_shape, paddings, name=None):  # noqa: A002
    """Zero-pads the M block dimensions (1..M) of `input` by `paddings` and moves blocks of
    `block_shape` into the batch dimension.

    >>> tf.space_to_batch_nd(tf.zeros([1, 4, 4, 1]), [2, 2], [[0, 0], [0, 0]]).shape
    (4, 2, 2, 1)
    """
    x = convert_to_tensor(input)
    return one(create_op("SpaceToBatchND", [x, _int_tensor(block_shape), _int_tensor(paddings)],
                          name=name or "SpaceToBatchND"))


def batch_to_space_nd(input, block_shape, crops, name=None):  # noqa: A002
    """Moves blocks of the batch dimension back into the M block dimensions and crops them by
    `crops` (the inverse of space_to_batch_nd)."""
    x = convert_to_tensor(input)
    return one(create_op("BatchToSpaceND", [x, _int_tensor(block_shape), _int_tensor(crops)],
                          name=name or "BatchToSpaceND"))


def _square_block(block_size, block_shape):
    if block_shape is not None:
        if block_size is not None and block_size != block_shape:
            raise ValueError("Cannot specify both 'block_shape' and 'block_size'")
        block_size = block_shape
    if block_size is None:
        raise ValueError("block_size is required")
    return np.array([block_size, block_size], dtype=np.int64)


def space_to_batch(input, paddings, block_size=None, name=None, block_shape=None):  # noqa: A002
    """space_to_batch_nd of a 4-D input with a square block (TF 1.x's tf.space_to_batch)."""
    out = space_to_batch_nd(input, _square_block(block_size, block_shape), paddings, name=name)
    out.set_shape(unknown_shape(4))
    return out


def batch_to_space(input, crops, block_size, name=None, block_shape=None):  # noqa: A002
    """batch_to_space_nd of a 4-D input with a square block (TF 1.x's tf.batch_to_space)."""
    out = batch_to_space_nd(input, _square_block(block_size, block_shape), crops, name=name)
    out.set_shape(unknown_shape(4))
    return out


def required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None, name=None):
    """(paddings, crops): the least padding beyond `base_paddings` that makes each padded
    dimension of `input_shape` a multiple of `block_shape`, and the crops that undo the extra.

    >>> p, c = tf.required_space_to_batch_paddings([5, 7], [2, 3])  # [[0, 1], [0, 2]], [[0, 1],
    ...                                                             #  [0, 2]]
    """
    with name_scope(name, "required_space_to_batch_paddings"):
        input_shape = cast(convert_to_tensor(input_shape, dtype=dtypes.int32), dtypes.int32)
        block_shape = cast(convert_to_tensor(block_shape, dtype=dtypes.int32), dtypes.int32)
        if block_shape.shape.ndims != 1 or block_shape.shape[0].value is None:
            raise ValueError(f"block_shape must be a vector of known length, got shape "
                             f"{block_shape.shape}")
        m = block_shape.shape[0].value
        if base_paddings is None:
            base_paddings = np.zeros((m, 2), np.int32)
        base_paddings = cast(convert_to_tensor(base_paddings, dtype=dtypes.int32),
                             dtypes.int32)
        start = getitem(base_paddings, (slice(None), 0))
        end = getitem(base_paddings, (slice(None), 1))
        full = math_ops.add(math_ops.add(input_shape, start), end)
        extra = math_ops.floormod(math_ops.subtract(
            block_shape, math_ops.floormod(full, block_shape)), block_shape)
        end = math_ops.add(end, extra)
        zero = constant(np.zeros(m, np.int32))
        paddings = stack([start, end], axis=1, name="paddings")
        crops = stack([zero, extra], axis=1, name="crops")
        return paddings, crops


# --- ExtractImagePatches and ExtractVolumePatches -----------------------------------------------
def _window_geometry(size, k, stride, rate, padding):
    """(output size, padding before) of one spatial dimension; size None gives (None, None)."""
    extent = k + (k - 1) * (rate - 1)
    if size is None:
        return None, None
    if padding == "VALID":
        out = max(0, -(-(size - extent + 1) // stride))
        return out, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + extent - size, 0)
    return out, total // 2


def _patch_attrs(op_type, ndims, ksizes, strides, rates, padding):
    for what, values in (("ksizes", ksizes), ("strides", strides), ("rates", rates)):
        if len(values) != ndims or values[0] != 1 or values[-1] != 1:
            raise ValueError(f"{op_type} requires {what} of length {ndims} with 1 in its first "
                             f"and last entries, got {list(values)}")
        if any(v < 1 for v in values):
            raise ValueError(f"{op_type} requires positive {what}, got {list(values)}")
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"{op_type} requires padding SAME or VALID, got {padding!r}")


def _patches_shape(op_type, x, ksizes, strides, rates, padding):
    n = len(ksizes)
    _patch_attrs(op_type, n, ksizes, strides, rates, padding)
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape(n))]
    if x.shape.ndims != n:
        raise ValueError(f"{op_type} requires a {n}-D input, got shape {x.shape}")
    dims = x.shape.as_tuple()
    out = [_window_geometry(d, k, s, r, padding)[0]
           for d, k, s, r in zip(dims[1:-1], ksizes[1:-1], strides[1:-1], rates[1:-1])]
    depth = None if dims[-1] is None else dims[-1] * int(np.prod(ksizes))
    return [(x.dtype, TensorShape([dims[0]] + out + [depth]))]


def _patches_kernel(x, ksizes, strides, rates, padding):
    """Patches of x [batch, s1..sN, depth]: [batch, o1..oN, k1 * .. * kN * depth], each patch
    flattened in the order (k1, .., kN, depth); positions outside x are 0 (SAME)."""
    spatial = x.shape[1:-1]
    geometry = [_window_geometry(d, k, s, r, padding)
                for d, k, s, r in zip(spatial, ksizes[1:-1], strides[1:-1], rates[1:-1])]
    outs = [o for o, _ in geometry]
    extents = [k + (k - 1) * (r - 1) for k, r in zip(ksizes[1:-1], rates[1:-1])]
    pads = []
    for d, (o, before), s, e in zip(spatial, geometry, strides[1:-1], extents):
        need = max((o - 1) * s + e, d) if o else d
        pads.append((before, max(need - d - before, 0)))
    padded = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    kernel = ksizes[1:-1]
    out = np.zeros((x.shape[0], *outs, *kernel, x.shape[-1]), dtype=x.dtype)
    for offset in np.ndindex(*kernel):
        index = [slice(None)]
        for j, o, s, r in zip(offset, outs, strides[1:-1], rates[1:-1]):
            index.append(slice(j * r, j * r + (o - 1) * s + 1 if o else j * r, s))
        out[(slice(None),) * (1 + len(outs)) + offset] = padded[tuple(index)]
    return out.reshape(x.shape[0], *outs, -1)


def _patches_grad(op, dy, extract):
    """The adjoint of patch extraction: each patch entry of dy summed onto the input position
    it was copied from, found by extracting patches of an image of position numbers (1-based,
    so the zeros of SAME padding drop out as segment -1)."""
    x = op.inputs[0]
    n = len(op.attrs["ksizes"]) - 2
    x_shape = shape(x)
    spatial = getitem(x_shape, slice(1, n + 1))
    count = math_ops.reduce_prod(spatial)
    positions = reshape(range_(1, math_ops.add(count, 1)), concat([[1], spatial, [1]], 0))
    ids = math_ops.subtract(reshape(extract(positions), [-1]), 1)
    batch, depth = getitem(x_shape, 0), getitem(x_shape, -1)
    rows = transpose(reshape(dy, stack([batch, -1, depth])), (1, 0, 2))
    summed = unsorted_segment_sum(rows, ids, count)
    return [reshape(transpose(summed, (1, 0, 2)), x_shape)]


def _image_patches_shape(images, *, ksizes, strides, rates, padding):
    return _patches_shape("ExtractImagePatches", images, ksizes, strides, rates, padding)


def _image_patches_kernel(images, *, ksizes, strides, rates, padding):
    return _patches_kernel(images, ksizes, strides, rates, padding)


def _image_patches_grad(op, dy):
    attrs = dict(op.attrs)
    return _patches_grad(op, dy, lambda p: one(create_op("ExtractImagePatches", [p], **attrs)))


register_op("ExtractImagePatches", shape=_image_patches_shape, kernel=_image_patches_kernel,
            grad=_image_patches_grad)


def _volume_patches_shape(x, *, ksizes, strides, padding):
    return _patches_shape("ExtractVolumePatches", x, ksizes, strides, (1,) * len(ksizes),
                          padding)


def _volume_patches_kernel(x, *, ksizes, strides, padding):
    return _patches_kernel(x, ksizes, strides, (1,) * len(ksizes), padding)


def _volume_patches_grad(op, dy):
    attrs = dict(op.attrs)
    return _patches_grad(op, dy, lambda p: one(create_op("ExtractVolumePatches", [p], **attrs)))


register_op("ExtractVolumePatches", shape=_volume_patches_shape, kernel=_volume_patches_kernel,
            grad=_volume_patches_grad)


def _ints(values, what):
    if values is None:
        raise ValueError(f"{what} is required")
    return tuple(int(v) for v in values)


def _padding_text(padding):
    padding = padding.decode() if isinstance(padding, bytes) else padding
    if padding is None:
        raise ValueError("padding is required")
    return str(padding).upper()


def extract_image_patches(images, ksizes=None, strides=None, rates=None, padding=None,
                          name=None, sizes=None):
    """Patches of `ksizes` [1, rows, cols, 1] from 4-D `images`, `strides` apart, with input
    positions `rates` apart inside a patch, each flattened into the depth dimension."""
    if sizes is not None:
        if ksizes is not None and list(ksizes) != list(sizes):
            raise ValueError("Cannot specify both 'sizes' and 'ksizes'")
        ksizes = sizes
    return one(create_op("ExtractImagePatches", [convert_to_tensor(images)],
                          name=name or "ExtractImagePatches", ksizes=_ints(ksizes, "ksizes"),
                          strides=_ints(strides, "strides"), rates=_ints(rates, "rates"),
                          padding=_padding_text(padding)))


def extract_volume_patches(input, ksizes, strides, padding, name=None):  # noqa: A002
    """Patches of `ksizes` [1, planes, rows, cols, 1] from 5-D `input`, `strides` apart, each
    flattened into the depth dimension."""
    return one(create_op("ExtractVolumePatches", [convert_to_tensor(input)],
                          name=name or "ExtractVolumePatches", ksizes=_ints(ksizes, "ksizes"),
                          strides=_ints(strides, "strides"), padding=_padding_text(padding)))
