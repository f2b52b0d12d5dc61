"""Joining and splitting: ConcatV2, Split, Tile and Pad, with their gradient ops."""
import numbers

import numpy as np

from tensorweave.core import dtypes, errors, tf_form
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.operation import Tensor
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op, register_tf_form
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops._common import normalize_axis, one, outputs
from tensorweave.ops.array.convert import cast, identity
from tensorweave.ops.array.construct import zeros_like
from tensorweave.ops.array.shapes import shape_argument


# TensorFlow's ConcatOffset (in ConcatV2's gradient as TensorFlow writes it): where each input
# starts in the result, from concat_dim and the inputs' shapes.
def _concat_offset_shape(concat_dim, *shapes):
    if concat_dim.dtype is not dtypes.int32 or concat_dim.shape.ndims not in (None, 0):
        raise ValueError(f"ConcatOffset requires a scalar int32 concat_dim, got "
                         f"{concat_dim.dtype.name} of shape {concat_dim.shape}")
    if len(shapes) < 2:
        raise ValueError(f"ConcatOffset requires at least 2 shapes, got {len(shapes)}")
    for s in shapes:
        if s.dtype is not dtypes.int32 or s.shape.ndims not in (None, 1):
            raise ValueError(f"ConcatOffset requires int32 shape vectors, got {s.dtype.name} "
                             f"of shape {s.shape}")
    return [(dtypes.int32, s.shape) for s in shapes]


def _concat_offset_kernel(concat_dim, *shapes):
    rank = len(shapes[0])
    axis = int(concat_dim)
    if not -rank <= axis < rank:
        raise errors.InvalidArgumentError(None, None, f"Concat dim is out of range: {axis} vs. "
                                                      f"{rank}")
    axis %= rank
    offsets, start = [], 0
    for k, s in enumerate(shapes):
        if len(s) != rank or any(s[d] != shapes[0][d] for d in range(rank) if d != axis):
            raise errors.InvalidArgumentError(
                None, None, f"input {k} should contain {rank} elements, and match the first "
                f"shape except along the concat dim, but got {list(s)} and {list(shapes[0])}")
        offset = np.zeros(rank, np.int32)
        offset[axis] = start
        start += int(s[axis])
        offsets.append(offset)
    return tuple(offsets)


register_op("ConcatOffset", shape=_concat_offset_shape, kernel=_concat_offset_kernel,
            grad=NOT_DIFFERENTIABLE)


def _concat_shape(*values, axis):
    dtype = values[0].dtype
    known = [v.shape for v in values if v.shape.ndims is not None]
    for v in values:
        if v.dtype is not dtype:
            raise TypeError(f"ConcatV2 requires inputs of one dtype, got {dtype.name} and "
                            f"{v.dtype.name}")
    if not known:
        return [(dtype, unknown_shape())]
    n = known[0].ndims
    a = normalize_axis(axis, n, "ConcatV2")
    out = [None] * n
    total = 0
    for s in known:
        if s.ndims != n:
            raise ValueError(f"ConcatV2 requires inputs of equal rank, got {n} and {s.ndims}")
        for i, d in enumerate(s.as_tuple()):
            if i == a:
                continue
            if out[i] is not None and d is not None and out[i] != d:
                raise ValueError(f"ConcatV2 requires equal dimensions except along axis {a}, "
                                 f"got {out[i]} and {d} in dimension {i}")
            out[i] = out[i] if d is None else d
    for s in known:
        d = s.as_tuple()[a]
        total = None if (total is None or d is None) else total + d
    out[a] = total if len(known) == len(values) else None
    return [(dtype, TensorShape(out))]


def _concat_kernel(*values, axis):
    return np.concatenate(values, axis=axis)


def _concat_grad(op, dy):
    return list(create_op("ConcatGrad", [dy, *op.inputs], axis=op.attrs["axis"]).outputs)


register_op("ConcatV2", shape=_concat_shape, kernel=_concat_kernel, grad=_concat_grad)


def _concat_grad_shape(dy, *values, axis):
    return [(dy.dtype, v.shape) for v in values]


def _concat_grad_kernel(dy, *values, axis):
    return split_pieces(dy, [v.shape[axis] for v in values], axis, "ConcatGrad")


def _concat_grad_grad(op, *dys):
    pieces = [zeros_like(v) if d is None else d for d, v in zip(dys, op.inputs[1:])]
    return [concat(pieces, op.attrs["axis"])] + [None] * (len(op.inputs) - 1)


register_op("ConcatGrad", shape=_concat_grad_shape, kernel=_concat_grad_kernel,
            grad=_concat_grad_grad, shares_memory=True)


def concat(values, axis, name="concat"):
    """Joins `values` along `axis`."""
    values = [convert_to_tensor(v) for v in values]
    if len(values) == 1:
        return identity(values[0], name=name)
    axis = shape_argument(axis)
    if isinstance(axis, Tensor):  # TF's ConcatV2 form: the axis an input
        return one(create_op("DynamicConcatV2", values + [axis], name=name))
    return one(create_op("ConcatV2", values, name=name, axis=int(axis)))


def _split_shape(x, *, sizes, axis):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape())] * len(sizes)
    dims = list(x.shape.as_tuple())
    a = normalize_axis(axis, len(dims), "Split")
    if dims[a] is not None and sum(sizes) != dims[a]:
        raise ValueError(f"Split requires sizes summing to dimension {a} ({dims[a]}), "
                         f"got {list(sizes)}")
    out = []
    for s in sizes:
        piece = list(dims)
        piece[a] = s
        out.append((x.dtype, TensorShape(piece)))
    return out


def _split_kernel(x, *, sizes, axis):
    return split_pieces(x, sizes, axis, "Split")


def split_pieces(x, sizes, axis, op_type):
    """Views of `x` cut along `axis` into consecutive parts of `sizes` (which must cover it)."""
    if sum(sizes) != x.shape[axis]:
        raise ValueError(f"{op_type} requires sizes summing to dimension {axis} "
                         f"({x.shape[axis]}), got {list(sizes)}")
    index = [slice(None)] * x.ndim
    parts, start = [], 0
    for size in sizes:
        index[axis] = slice(start, start + size)
        parts.append(x[tuple(index)])
        start += size
    return outputs(parts)


def _split_grad(op, *dys):
    pieces = [zeros_like(t) if d is None else d for d, t in zip(dys, op.outputs)]
    return [concat(pieces, op.attrs["axis"])]


register_op("Split", shape=_split_shape, kernel=_split_kernel, grad=_split_grad,
            shares_memory=True)


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits `value` along `axis` into equal parts or parts of the given sizes."""
    value = convert_to_tensor(value)
    axis = shape_argument(axis)
    if not isinstance(num_or_size_splits, numbers.Integral):
        num_or_size_splits = shape_argument(num_or_size_splits)
        if not isinstance(num_or_size_splits, Tensor) and num_or_size_splits.ndim == 0:
            num_or_size_splits = int(num_or_size_splits)
    if isinstance(axis, Tensor) or isinstance(num_or_size_splits, Tensor):
        return _split_run_time(value, num_or_size_splits, axis, num, name)
    axis = int(axis)
    dim = value.shape[axis].value if value.shape.ndims is not None else None
    if isinstance(num_or_size_splits, numbers.Integral):
        if dim is None:  # as TF: pieces of unknown size
            return _split_run_time(value, num_or_size_splits, axis, num, name)
        if dim % num_or_size_splits:
            raise ValueError(f"Split requires dimension {axis} ({dim}) to be divisible by "
                             f"num_split ({num_or_size_splits})")
        sizes = (dim // num_or_size_splits,) * int(num_or_size_splits)
    else:
        sizes = [int(s) for s in num_or_size_splits]
        if -1 in sizes:
            i = sizes.index(-1)
            sizes[i] = dim - (sum(sizes) + 1)
        sizes = tuple(sizes)
    return list(create_op("Split", [value], name=name, sizes=sizes, axis=int(axis)).outputs)


def _split_run_time(value, num_or_size_splits, axis, num, name):
    """TF's Split (a count) or SplitV (sizes) with the axis and sizes as inputs."""
    axis = cast(axis, dtypes.int32) if isinstance(axis, Tensor) else constant(np.int32(axis))
    if isinstance(num_or_size_splits, numbers.Integral):
        return list(create_op("DynamicSplit", [axis, value], name=name,
                              num_split=int(num_or_size_splits)).outputs)
    sizes = num_or_size_splits
    if not isinstance(sizes, Tensor):
        sizes = constant(sizes.astype(np.int32).reshape(-1))
    if sizes.shape.ndims == 0:
        raise ValueError("Rank-0 tensors are not supported as the num_or_size_splits argument "
                         "to split. Argument provided: " + str(sizes))
    if num is None:
        num = sizes.shape[0].value if sizes.shape.ndims == 1 else None
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {sizes.shape}")
    return list(create_op("DynamicSplitV", [value, sizes, axis], name=name,
                          num_split=int(num)).outputs)


def _tile_shape(x, *, multiples):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape(len(multiples)))]
    if len(multiples) != x.shape.ndims:
        raise ValueError(f"Tile requires one multiple per dimension ({x.shape.ndims}), got "
                         f"{list(multiples)}")
    return [(x.dtype, TensorShape([None if d is None else d * m
                                   for d, m in zip(x.shape.as_tuple(), multiples)]))]


def _tile_kernel(x, *, multiples):
    return np.tile(x, multiples)


def _tile_grad(op, dy):
    return [one(create_op("TileGrad", [dy], multiples=op.attrs["multiples"]))]


register_op("Tile", shape=_tile_shape, kernel=_tile_kernel, grad=_tile_grad)


def _tile_grad_shape(dy, *, multiples):
    if dy.shape.ndims is None:
        return [(dy.dtype, unknown_shape(len(multiples)))]
    return [(dy.dtype, TensorShape([None if d is None else d // m
                                    for d, m in zip(dy.shape.as_tuple(), multiples)]))]


def _tile_grad_kernel(dy, *, multiples):
    split = []
    for d, m in zip(dy.shape, multiples):
        split.extend([m, d // m])
    return dy.reshape(split).sum(axis=tuple(range(0, len(split), 2)))


def _tile_grad_grad(op, ddx):
    return [tile(ddx, op.attrs["multiples"])]


register_op("TileGrad", shape=_tile_grad_shape, kernel=_tile_grad_kernel, grad=_tile_grad_grad)


def tile(input, multiples, name=None):  # noqa: A002
    """`input` repeated `multiples[i]` times along dimension i."""
    x = convert_to_tensor(input)
    multiples = shape_argument(multiples)
    if isinstance(multiples, Tensor):
        return one(create_op("DynamicTile", [x, multiples], name=name or "Tile"))
    return one(create_op("Tile", [x], name=name or "Tile",
                          multiples=tuple(int(m) for m in multiples.reshape(-1))))


def _pad_shape(x, *, paddings, mode, constant_values):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape(len(paddings)))]
    if len(paddings) != x.shape.ndims:
        raise ValueError(f"Pad requires one (before, after) pair per dimension "
                         f"({x.shape.ndims}), got {len(paddings)}")
    return [(x.dtype, TensorShape([None if d is None else d + b + a
                                   for d, (b, a) in zip(x.shape.as_tuple(), paddings)]))]


def pad_kernel(x, *, paddings, mode, constant_values):
    """Pad's NumPy kernel (also DynamicPad's, in ops/array/dynamic.py)."""
    if mode == "CONSTANT":
        return np.pad(x, paddings, mode="constant", constant_values=constant_values)
    return np.pad(x, paddings, mode="reflect" if mode == "REFLECT" else "symmetric")


def _pad_grad(op, dy):
    if op.attrs["mode"] != "CONSTANT":
        return [one(create_op("MirrorPadGrad", [dy], paddings=op.attrs["paddings"],
                               mode=op.attrs["mode"]))]
    spec = tuple(slice(b, -a if a else None) for b, a in op.attrs["paddings"])
    return [one(create_op("StridedSlice", [dy], spec=spec))]


register_op("Pad", shape=_pad_shape, kernel=pad_kernel, grad=_pad_grad)


def _mirror_pad_grad_shape(dy, *, paddings, mode):
    if dy.shape.ndims is None:
        return [(dy.dtype, unknown_shape(len(paddings)))]
    return [(dy.dtype, TensorShape([None if d is None else d - b - a
                                    for d, (b, a) in zip(dy.shape.as_tuple(), paddings)]))]


def mirror_pad_grad_kernel(dy, *, paddings, mode):
    """Folds the mirrored borders of `dy` back onto the positions they were copied from
    (MirrorPadGrad's and DynamicMirrorPadGrad's kernel)."""
    shift = 1 if mode == "REFLECT" else 0
    out = dy
    for axis, (before, after) in enumerate(paddings):
        g = np.moveaxis(out, axis, 0)
        n = g.shape[0] - before - after
        core = g[before:before + n].copy()
        for k in range(before):  # padded position k mirrors source index before - k - 1 + shift
            core[before - 1 - k + shift] += g[k]
        for k in range(after):  # padded position n + before + k mirrors n - 1 - k - shift
            core[n - 1 - k - shift] += g[before + n + k]
        out = np.moveaxis(core, 0, axis)
    return out


def _mirror_pad_grad_grad(op, ddx):
    return [one(create_op("Pad", [ddx], paddings=op.attrs["paddings"], mode=op.attrs["mode"],
                           constant_values=0))]


register_op("MirrorPadGrad", shape=_mirror_pad_grad_shape, kernel=mirror_pad_grad_kernel,
            grad=_mirror_pad_grad_grad)


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """`tensor` padded by `paddings[i] = (before, after)` in each dimension."""
    paddings = shape_argument(paddings)
    mode = mode.upper()
    if mode not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(f"Unknown padding mode: {mode}")
    if isinstance(paddings, Tensor):
        return one(create_op("DynamicPad", [convert_to_tensor(tensor), paddings],
                              name=name or "Pad", mode=mode, constant_values=constant_values))
    return one(create_op("Pad", [convert_to_tensor(tensor)], name=name or "Pad",
                          paddings=tuple((int(b), int(a)) for b, a in paddings), mode=mode,
                          constant_values=constant_values))


# --- TensorFlow's forms (core/tf_form.py) -----------------------------------------------------
def _read_tile(node, reader):
    if tf_form.data_inputs(node) != 2:
        return
    multiples = reader.constant(node.input[1])
    if multiples is None:
        node.op = "DynamicTile"
        return
    del node.input[1]
    reader.set(node, "multiples", tf_form.int_tuple(multiples))


def _read_pad(node, reader):
    """TF's Pad, PadV2 (a fill value) and MirrorPad: Pad, or DynamicPad for paddings computed
    at run time."""
    count = tf_form.data_inputs(node)
    if count < 2:
        return
    mode = node.attr["mode"].s.decode() if "mode" in node.attr else "CONSTANT"
    fill = reader.take_input(node, 2) if count == 3 else 0
    if fill is None:
        raise ValueError(f"{node.op} with constant_values computed at run time is not "
                         "supported")
    if reader.constant(node.input[1]) is None:  # paddings computed at run time
        node.op = "DynamicPad"
    else:
        paddings = reader.take_input(node, 1)
        node.op = "Pad"
        reader.set(node, "paddings", tuple(tuple(int(v) for v in row) for row in paddings))
    reader.set(node, "mode", mode)
    reader.set(node, "constant_values", fill.item() if hasattr(fill, "item") else fill)


def _to_pad(t):
    paddings, mode, fill = t.pop("paddings"), t.pop("mode"), t.pop("constant_values")
    t.insert_const(1, "paddings", [list(p) for p in paddings])
    if mode != "CONSTANT":
        t.node.op = "MirrorPad"
        t.set("mode", mode)
        t.set("Tpaddings", dtypes.int32)
    elif fill:
        t.node.op = "PadV2"
        t.insert_const(2, "constant_values", fill, t.dtypes[0])


def _to_tile_grad(t):
    """TensorFlow dropped TileGrad: dy reshaped to [m0, s0, m1, s1, ...], summed over the
    m axes (static multiples)."""
    int32 = dtypes.int32
    multiples = list(t.pop("multiples"))
    dtype, dy = t.dtypes[0], t.node.input[0]
    m = t.const("multiples", multiples, int32)
    dy_shape = t.add("Shape", "Shape", [dy], T=dtype, out_type=int32)
    shape = t.add("FloorDiv", "floordiv", [dy_shape, m], T=int32)
    pairs = t.add("Pack", "stack", [m, shape], T=int32, N=2, axis=1)
    split = t.add("Reshape", "Reshape", [pairs, t.const("flat", [-1], int32)], T=int32,
                  Tshape=int32)
    tiles = t.add("Reshape", "Reshape_1", [dy, split], T=dtype, Tshape=int32)
    axes = t.const("axes", list(range(0, 2 * len(multiples), 2)), int32)
    summed = t.add("Sum", "Sum", [tiles, axes], T=dtype, Tidx=int32, keep_dims=False)
    t.node.op = "Reshape"
    del t.node.input[:]
    t.node.input.extend([summed, shape])
    t.dtypes = [dtype, int32]


def _read_split_v(node, reader):
    sizes, axis = reader.constant(node.input[1]), reader.constant(node.input[2])
    if sizes is None or axis is None or -1 in sizes:
        node.op = "DynamicSplitV"
        return
    del node.input[1:3]
    node.op = "Split"
    reader.set(node, "sizes", tf_form.int_tuple(sizes))
    reader.set(node, "axis", tf_form.scalar(axis))


def _as_split_v(t, sizes, axis):
    t.node.op = "SplitV"
    t.insert_const(1, "size_splits", list(sizes))
    t.insert_const(2, "split_dim", axis)
    for key, value in (("num_split", len(sizes)), ("T", t.dtypes[0]), ("Tlen", dtypes.int32)):
        t.set(key, value)
    t.dtypes = None  # SplitV is typed here, not from the signature table


def _to_split(t):
    _as_split_v(t, t.pop("sizes"), t.pop("axis"))


def _to_concat_grad(t):
    """The gradient pieces of a concat as TensorFlow's SplitV (pieces of known size)."""
    axis = t.pop("axis")
    pieces = t.op.inputs[1:]
    sizes = [p.shape.as_tuple()[axis] if p.shape.ndims else None for p in pieces]
    if None in sizes:
        raise tf_form.Unsupported("needs the pieces' sizes along the axis")
    kept = [t.node.input[0]] + [i for i in t.node.input if i.startswith("^")]
    del t.node.input[:]
    t.node.input.extend(kept)
    t.dtypes = t.dtypes[:1]
    _as_split_v(t, sizes, axis)


register_tf_form("Tile", marker="multiples", from_tf=_read_tile,
                 to_tf=tf_form.attr_to_input("multiples", 1, "multiples", list))
register_tf_form("ConcatV2", marker="axis",
                 from_tf=tf_form.attr_from_input("axis", -1, tf_form.scalar, inputs=None,
                                                 run_time_form=True),
                 to_tf=tf_form.attr_to_input("axis", None, "axis"))
register_tf_form("Pad", marker="paddings", from_tf=_read_pad, reads=("Pad", "PadV2", "MirrorPad"),
                 to_tf=_to_pad)
register_tf_form("TileGrad", marker="multiples",
                 from_tf=tf_form.attr_from_input("multiples", 1), to_tf=_to_tile_grad)
register_tf_form("MirrorPadGrad", marker="paddings",
                 from_tf=tf_form.attr_from_input(
                     "paddings", 1, lambda v: tuple(tuple(int(x) for x in row) for row in v),
                     run_time_form=True),
                 to_tf=tf_form.attr_to_input("paddings", 1, "paddings",
                                             lambda p: [list(r) for r in p]))
# TF's Split(axis, value) with num_split is tensorweave's DynamicSplit; its SplitV is Split
register_tf_form("Split", marker="sizes", from_tf=tf_form.renamed("DynamicSplit"),
                 to_tf=_to_split)
register_tf_form("Split", marker="sizes", from_tf=_read_split_v, reads=("SplitV",))
register_tf_form("ConcatGrad", to_tf=_to_concat_grad)
