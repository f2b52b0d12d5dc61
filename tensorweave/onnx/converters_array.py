"""ONNX converters of TensorFlow's shape and indexing ops: reshape, slicing, gathering,
concatenation, padding, stacking, tiling."""
import numpy as np

from tensorweave.onnx.context import INT64_MAX, INT64_MIN


def _int64_const(ctx, values):
    return ctx.const(np.asarray(values, np.int64))


def convert_reshape(ctx):
    shape = ctx.value(1)
    if shape is None:
        return ctx.add("Reshape", [ctx.input(0), ctx.int64(1)])
    shape = np.asarray(shape, np.int64).reshape(-1)
    allowzero = None
    if (shape == 0).any():  # TF's 0 is a dimension of size 0; ONNX's copies by default
        if ctx.opset < 14:
            ctx.fail("a 0 in the new shape needs opset 14 or later")
        allowzero = 1
    return ctx.add("Reshape", [ctx.input(0), ctx.const(shape)], allowzero=allowzero)


def convert_squeeze(ctx):
    axes = ctx.attr("squeeze_dims", [])
    return ctx.squeeze(ctx.input(0), axes or None)


def convert_expand_dims(ctx):
    axis = int(np.asarray(ctx.require_value(1, "axis")).reshape(-1)[0])
    return ctx.unsqueeze(ctx.input(0), [axis])


def concat(axis_first):
    def convert(ctx):
        count = len(ctx.inputs)
        axis_index = 0 if axis_first else count - 1
        axis = int(ctx.require_value(axis_index, "axis"))
        values = [ctx.input(i) for i in range(count) if i != axis_index]
        return ctx.add("Concat", values, axis=axis)
    return convert


def _pads(ctx, i):
    """TF paddings [[before, after], ...] as ONNX pads [befores..., afters...] (int64)."""
    value = ctx.value(i)
    if value is not None:
        value = np.asarray(value, np.int64)
        return _int64_const(ctx, np.concatenate([value[:, 0], value[:, 1]]))
    pads = ctx.transpose(ctx.int64(i), [1, 0])
    return ctx.add("Reshape", [pads, _int64_const(ctx, [-1])])


def convert_pad(ctx):
    inputs = [ctx.input(0), _pads(ctx, 1)]
    if len(ctx.inputs) > 2:  # PadV2's constant_values
        inputs.append(ctx.input(2))
    return ctx.add("Pad", inputs, mode="constant")


def convert_mirror_pad(ctx):
    mode = ctx.attr("mode")
    if mode != "REFLECT":
        ctx.fail(f"mode {mode} has no ONNX equivalent (only REFLECT)")
    return ctx.add("Pad", [ctx.input(0), _pads(ctx, 1)], mode="reflect")


def convert_transpose(ctx):
    perm = ctx.require_value(1, "perm")
    return ctx.transpose(ctx.input(0), [int(p) for p in perm])


def convert_shape(ctx):
    outputs = []
    for i in range(len(ctx.inputs)):
        shape = ctx.add("Shape", [ctx.input(i)])
        if ctx.out_dtype(i) != np.int64:
            shape = ctx.cast(shape, ctx.out_dtype(i))
        outputs.append(shape)
    return outputs


def _slice(ctx, name, starts, ends, axes, steps):
    if not axes:
        return name
    return ctx.add("Slice", [name, _int64_const(ctx, starts), _int64_const(ctx, ends),
                             _int64_const(ctx, axes), _int64_const(ctx, steps)])


def convert_slice(ctx):
    begin = np.asarray(ctx.require_value(1, "begin"), np.int64)
    size = np.asarray(ctx.require_value(2, "size"), np.int64)
    ends = [INT64_MAX if s == -1 else b + s for b, s in zip(begin, size)]
    return _slice(ctx, ctx.input(0), list(begin), ends, list(range(len(begin))),
                  [1] * len(begin))


def convert_strided_slice(ctx):
    """StridedSlice with constant begin/end/strides and TF's five masks: one Slice, then
    Unsqueeze for new axes and Squeeze for shrunk ones."""
    begin, end, strides = (np.asarray(ctx.require_value(i, what), np.int64).reshape(-1)
                           for i, what in ((1, "begin"), (2, "end"), (3, "strides")))
    masks = {name: int(ctx.attr(name, 0)) for name in
             ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")}

    def bit(name, i):
        return (masks[name] >> i) & 1

    entries = []  # ("dim", spec index or None for a whole dimension) / ("new", None)
    for i in range(len(begin)):
        if bit("ellipsis_mask", i):
            named = sum(1 for j in range(len(begin))
                        if not bit("ellipsis_mask", j) and not bit("new_axis_mask", j))
            entries += [("dim", None)] * (ctx.require_rank(0) - named)
        elif bit("new_axis_mask", i):
            entries.append(("new", None))
        else:
            entries.append(("dim", i))
    starts, ends, axes, steps, new_axes, shrunk = [], [], [], [], [], []
    axis = 0
    for position, (kind, i) in enumerate(entries):
        if kind == "new":
            new_axes.append(position)
            continue
        if i is not None:
            b, e, s = int(begin[i]), int(end[i]), int(strides[i])
            if s == 0:
                ctx.fail("strides must be non-zero")
            if bit("shrink_axis_mask", i):
                b, e, s = b, (INT64_MAX if b == -1 else b + 1), 1
                shrunk.append(position)
            else:
                if bit("begin_mask", i):
                    b = 0 if s > 0 else INT64_MAX
                if bit("end_mask", i):
                    e = INT64_MAX if s > 0 else INT64_MIN
            starts.append(b)
            ends.append(e)
            axes.append(axis)
            steps.append(s)
        axis += 1
    out = _slice(ctx, ctx.input(0), starts, ends, axes, steps)
    if new_axes:
        out = ctx.unsqueeze(out, new_axes)
    if shrunk:
        out = ctx.squeeze(out, shrunk)
    return out if out != ctx.input(0) else ctx.add("Identity", [out])


def convert_gather_v2(ctx):
    if int(ctx.attr("batch_dims", 0)) != 0:
        ctx.fail("batch_dims other than 0 is not supported")
    axis = int(ctx.require_value(2, "axis"))
    return ctx.add("Gather", [ctx.input(0), ctx.input(1)], axis=axis)


def convert_gather(ctx):
    return ctx.add("Gather", [ctx.input(0), ctx.input(1)], axis=0)


def convert_tile(ctx):
    return ctx.add("Tile", [ctx.input(0), ctx.int64(1)])


def convert_pack(ctx):
    axis = int(ctx.attr("axis", 0))
    values = [ctx.unsqueeze(ctx.input(i), [axis]) for i in range(len(ctx.inputs))]
    return ctx.add("Concat", values, axis=axis)


def convert_unpack(ctx):
    axis = int(ctx.attr("axis", 0))
    return [ctx.add("Gather", [ctx.input(0), _int64_const(ctx, k)], axis=axis)
            for k in range(int(ctx.attr("num")))]


def fill_like(fill):
    def convert(ctx):
        return ctx.add("Expand", [ctx.const(fill, ctx.dtype(0)),
                                  ctx.add("Shape", [ctx.input(0)])])
    return convert


def _split(ctx, name, axis, sizes, count):
    """ONNX Split into `count` parts of `sizes` (None: equal parts)."""
    if sizes is not None:
        return ctx.add("Split", [name, _int64_const(ctx, sizes)], outputs=count, axis=axis)
    if ctx.opset >= 18:
        return ctx.add("Split", [name], outputs=count, axis=axis, num_outputs=count)
    return ctx.add("Split", [name], outputs=count, axis=axis)


def convert_split(ctx):
    count = int(ctx.attr("num_split"))
    axis = int(ctx.require_value(0, "axis"))
    parts = _split(ctx, ctx.input(1), axis, None, count)
    return parts if count > 1 else [parts]


def convert_split_v(ctx):
    count = int(ctx.attr("num_split"))
    sizes = [int(s) for s in ctx.require_value(1, "size_splits")]
    axis = int(ctx.require_value(2, "axis"))
    if -1 in sizes:
        shape = ctx.shape(0)
        dim = None if shape is None else shape[axis]
        if dim is None:
            ctx.fail("a -1 size needs the split dimension to be known")
        sizes[sizes.index(-1)] = dim - (sum(sizes) + 1)
    parts = _split(ctx, ctx.input(0), axis, sizes, count)
    return parts if count > 1 else [parts]


CONVERTERS = {
    "Reshape": convert_reshape, "Squeeze": convert_squeeze, "ExpandDims": convert_expand_dims,
    "ConcatV2": concat(axis_first=False), "Concat": concat(axis_first=True),
    "Pad": convert_pad, "PadV2": convert_pad, "MirrorPad": convert_mirror_pad,
    "Transpose": convert_transpose, "Shape": convert_shape, "ShapeN": convert_shape,
    "Slice": convert_slice, "StridedSlice": convert_strided_slice,
    "GatherV2": convert_gather_v2, "Gather": convert_gather, "Tile": convert_tile,
    "Pack": convert_pack, "Unpack": convert_unpack,
    "ZerosLike": fill_like(0), "OnesLike": fill_like(1),
    "Split": convert_split, "SplitV": convert_split_v,
}
