"""TensorFlow's forms of ops in a GraphDef, rewritten to tensorweave's before import.

Where TensorFlow passes axes, permutations or multiples as input tensors, tensorweave's ops
take attrs (known while building). A NodeDef in TensorFlow's form is rewritten: a constant
input becomes the attr (the input is dropped); a computed one selects tensorweave's
tensor-input form (ops/array/dynamic.py: `Dynamic` + TF's op type, as DynamicSum, DynamicTile,
DynamicStridedSlice, DynamicPad for Pad/PadV2/MirrorPad), which is TF's op under another
name. Op types TF renamed map to tensorweave's (AddV2 -> Add). Nodes already in tensorweave's
form pass as they are. TensorFlow forms with no rewrite here raise ValueError at import,
naming the node. Writing (to_tensorflow) reverses all of it.
"""
import numpy as np

from tensorweave.core import dtypes as _dtypes
from tensorweave.core import graph_def as codec
from tensorweave.core import tf_op_signatures

_int32 = _dtypes.int32

# op types TensorFlow renamed (same inputs and attrs) -> tensorweave's
RENAMED_OPS = {"AddV2": "Add", "BatchMatMulV2": "MatMul", "BatchMatMul": "MatMul"}
_REDUCTIONS = {"Sum", "Mean", "Prod", "Max", "Min", "All", "Any"}


class _Rewriter:
    def __init__(self, graph_def):
        self.nodes = {n.name: n for n in graph_def.node}

    def constant(self, name):
        """The value of input `name` if a Const node makes it, else None."""
        node = self.nodes.get(name.split(":")[0])
        if node is None or node.op != "Const" or ":" in name and not name.endswith(":0"):
            return None
        return codec.tensor_value(node.attr["value"].tensor)

    def take_input(self, node, index):
        """Removes data input `index`; returns its value if constant, else None."""
        name = node.input[index]
        del node.input[index]
        return self.constant(name)


def _data_inputs(node):
    return sum(1 for i in node.input if not i.startswith("^"))


def _ints(value):
    return tuple(int(v) for v in value.reshape(-1))


def _set(node, key, value):
    node.attr[key].CopyFrom(codec.attr_value(value))


def _reduction(node, rewriter):
    if _data_inputs(node) != 2:
        return
    keepdims = node.attr["keep_dims"].b if "keep_dims" in node.attr else False
    axes = rewriter.constant(node.input[1])
    if axes is None:
        node.op = "Dynamic" + node.op
    else:
        del node.input[1]
        _set(node, "axis", _ints(axes))
    _set(node, "keepdims", bool(keepdims))


def _tile(node, rewriter):
    if _data_inputs(node) != 2:
        return
    multiples = rewriter.constant(node.input[1])
    if multiples is None:
        node.op = "DynamicTile"
        return
    del node.input[1]
    _set(node, "multiples", _ints(multiples))


def _attr_from_input(key, index, convert=_ints, inputs=2, run_time_form=False):
    """A rule moving constant data input `index` (counted from the end if negative) into
    attr `key`; a computed one keeps TF's form as op Dynamic<op> if `run_time_form`."""
    def rule(node, rewriter):
        count = _data_inputs(node)
        if count != inputs and not (inputs is None and count >= 2):
            return
        position = index if index >= 0 else count + index
        if run_time_form and rewriter.constant(node.input[position]) is None:
            node.op = "Dynamic" + node.op
            return
        value = rewriter.take_input(node, position)
        if value is None:
            raise ValueError(f"{node.op} with its {key} computed at run time is not supported")
        _set(node, key, convert(value))
    return rule


def _scalar(value):
    return int(value.reshape(-1)[0])


def _pad(node, rewriter):
    count = _data_inputs(node)
    if count < 2:
        return
    mode = node.attr["mode"].s.decode() if "mode" in node.attr else "CONSTANT"
    fill = rewriter.take_input(node, 2) if count == 3 else 0
    if fill is None:
        raise ValueError(f"{node.op} with constant_values computed at run time is not "
                         "supported")
    if rewriter.constant(node.input[1]) is None:  # paddings computed at run time
        node.op = "DynamicPad"
    else:
        paddings = rewriter.take_input(node, 1)
        node.op = "Pad"
        _set(node, "paddings", tuple(tuple(int(v) for v in row) for row in paddings))
    _set(node, "mode", mode)
    _set(node, "constant_values", fill.item() if hasattr(fill, "item") else fill)


def _squeeze(node, rewriter):
    if "squeeze_dims" in node.attr:
        node.attr["axis"].CopyFrom(node.attr["squeeze_dims"])
        del node.attr["squeeze_dims"]
    if not node.attr["axis"].HasField("list"):
        node.attr["axis"].list.SetInParent()


def _strided_slice(node, rewriter, at=1):
    if _data_inputs(node) < at + 3:
        return
    begin, end, strides = (rewriter.constant(node.input[at + k]) for k in range(3))
    if begin is None or end is None or strides is None:
        node.op = "Dynamic" + node.op  # TF's masks are its attrs too
        return
    del node.input[at:at + 3]
    masks = {k: node.attr[k].i if k in node.attr else 0 for k in _MASKS}
    spec = []
    for i, (b, e, step) in enumerate(zip(begin.tolist(), end.tolist(), strides.tolist())):
        bit = 1 << i
        if masks["ellipsis_mask"] & bit:
            spec.append(Ellipsis)
        elif masks["new_axis_mask"] & bit:
            spec.append(None)
        elif masks["shrink_axis_mask"] & bit:
            spec.append(int(b))
        else:
            spec.append(slice(None if masks["begin_mask"] & bit else int(b),
                              None if masks["end_mask"] & bit else int(e), int(step)))
    for key in _MASKS:
        if key in node.attr:
            del node.attr[key]
    _set(node, "spec", tuple(spec))


def _split_v(node, rewriter):
    sizes, axis = rewriter.constant(node.input[1]), rewriter.constant(node.input[2])
    if sizes is None or axis is None or -1 in sizes:
        node.op = "DynamicSplitV"
        return
    del node.input[1:3]
    node.op = "Split"
    _set(node, "sizes", _ints(sizes))
    _set(node, "axis", _scalar(axis))


def _split(node, rewriter):
    """TF's Split(axis, value) with num_split: tensorweave's DynamicSplit, which is it."""
    node.op = "DynamicSplit"


def _gather_v2(node, rewriter):
    if "batch_dims" in node.attr:
        if node.attr["batch_dims"].i:
            raise ValueError("GatherV2 with batch_dims is not supported")
        del node.attr["batch_dims"]
    _attr_from_input("axis", 2, _scalar, inputs=3, run_time_form=True)(node, rewriter)


def _batch_matmul(node, rewriter):
    for ours, theirs in (("transpose_a", "adj_x"), ("transpose_b", "adj_y")):
        _set(node, ours, node.attr[theirs].b if theirs in node.attr else False)


def _make_iterator(node, rewriter):
    """TensorFlow's MakeIterator(dataset, iterator); tensorweave's holds its dataset."""
    node.op = "MakeIteratorFromDataset"


def _default(key, value):
    def rule(node, rewriter):
        _set(node, key, value)
    return rule


# op type -> (the attr tensorweave's form has and TensorFlow's lacks, the rewrite)
_RULES = {
    "Tile": ("multiples", _tile),
    "Transpose": ("perm", _attr_from_input("perm", 1, run_time_form=True)),
    "ExpandDims": ("axis", _attr_from_input("axis", 1, _scalar, run_time_form=True)),
    "GatherV2": ("axis", _gather_v2),
    "ConcatV2": ("axis", _attr_from_input("axis", -1, _scalar, inputs=None,
                                          run_time_form=True)),
    "Pad": ("paddings", _pad), "PadV2": ("paddings", _pad), "MirrorPad": ("paddings", _pad),
    "Squeeze": ("axis", _squeeze),
    **{op: ("keepdims", _reduction) for op in _REDUCTIONS},
    "ArgMax": ("axis", _attr_from_input("axis", 1, _scalar, run_time_form=True)),
    "ArgMin": ("axis", _attr_from_input("axis", 1, _scalar, run_time_form=True)),
    "InTopKV2": ("k", _attr_from_input("k", 2, _scalar, inputs=3)),
    "OneHot": ("depth", _attr_from_input("depth", 1, _scalar, inputs=4)),
    "TopKV2": ("k", _attr_from_input("k", 1, _scalar, run_time_form=True)),
    "TileGrad": ("multiples", _attr_from_input("multiples", 1)),
    "MirrorPadGrad": ("paddings", _attr_from_input(
        "paddings", 1, lambda v: tuple(tuple(int(x) for x in row) for row in v),
        run_time_form=True)),
    "StridedSlice": ("spec", _strided_slice),
    "StridedSliceGrad": ("spec", _strided_slice),
    "SplitV": ("sizes", _split_v),
    "Split": ("sizes", _split),
    "Rank": ("out_type", _default("out_type", _dtypes.int32)),
    "MatMul": ("transpose_a", _batch_matmul),
    "MakeIterator": ("dataset", _make_iterator),
    "Softmax": ("axis", _default("axis", -1)),
    "LogSoftmax": ("axis", _default("axis", -1)),
}


def from_tensorflow(graph_def):
    """A copy of `graph_def` with TensorFlow's op forms rewritten to tensorweave's."""
    rewritten = type(graph_def)()
    rewritten.CopyFrom(graph_def)
    rewriter = _Rewriter(rewritten)
    for node in rewritten.node:
        node.op = RENAMED_OPS.get(node.op, node.op)
        marker, rule = _RULES.get(node.op, (None, None))
        if rule is not None and marker not in node.attr:
            try:
                rule(node, rewriter)
            except ValueError as e:
                raise ValueError(f"Node '{node.name}': {e}") from None
    return rewritten


# --- tensorweave -> TensorFlow ------------------------------------------------------------------
class _TFNode:
    """One op's NodeDef being rewritten to TensorFlow's form, the dtypes of its data inputs,
    and the nodes it needs before it (constants, expansions)."""

    def __init__(self, op, node, taken):
        self.op = op
        self.node = node
        self.dtypes = [t.dtype for t in op.inputs]
        self.before = []
        self.taken = taken  # node names in use

    def fresh(self, suffix):
        name, k = f"{self.node.name}/{suffix}", 1
        while name in self.taken:
            name, k = f"{self.node.name}/{suffix}_{k}", k + 1
        self.taken.add(name)
        return name

    def add(self, op_type, suffix, inputs=(), **attrs):
        """A new node before this one; returns its name."""
        node = self.node.__class__(name=self.fresh(suffix), op=op_type, device=self.node.device)
        node.input.extend(inputs)
        for key, value in attrs.items():
            node.attr[key].CopyFrom(codec.attr_value(value))
        self.before.append(node)
        return node.name

    def const(self, suffix, value, dtype):
        return self.add("Const", suffix, dtype=dtype,
                        value=np.asarray(value, dtype=dtype.as_numpy_dtype))

    def insert_const(self, index, suffix, value, dtype=_dtypes.int32):
        """A constant data input at `index` (appended when None)."""
        name = self.const(suffix, value, dtype)
        data = [i for i in self.node.input if not i.startswith("^")]
        controls = [i for i in self.node.input if i.startswith("^")]
        index = len(data) if index is None else index
        data.insert(index, name)
        self.dtypes.insert(index, dtype)
        del self.node.input[:]
        self.node.input.extend(data + controls)

    def pop(self, attr):
        value = self.op.attrs.get(attr)
        if attr in self.node.attr:
            del self.node.attr[attr]
        return value

    def rank(self, index=0):
        rank = self.op.inputs[index].shape.ndims
        if rank is None:
            raise _Unsupported("needs the input's rank")
        return rank


class _Unsupported(Exception):
    """This op has no TensorFlow form here; it is written in tensorweave's."""


def _unsupported(why):
    raise _Unsupported(why)


def _all_axes(t, axis):
    return list(range(t.rank())) if axis is None else [int(a) for a in axis]


def _to_reduction(t):
    t.insert_const(None, "reduction_indices", _all_axes(t, t.pop("axis")))
    _set(t.node, "keep_dims", bool(t.pop("keepdims")))


def _to_input(attr, index, suffix, convert=lambda v: v, dtype_of=None):
    """A rule moving attr `attr` into a constant data input at `index`."""
    def rule(t):
        dtype = t.dtypes[dtype_of] if dtype_of is not None else _dtypes.int32
        t.insert_const(index, suffix, convert(t.pop(attr)), dtype)
    return rule


def _to_transpose(t):
    perm = t.pop("perm")
    t.insert_const(1, "perm", list(range(t.rank()))[::-1] if perm is None else list(perm))


def _to_pad(t):
    paddings, mode, fill = t.pop("paddings"), t.pop("mode"), t.pop("constant_values")
    t.insert_const(1, "paddings", [list(p) for p in paddings])
    if mode != "CONSTANT":
        t.node.op = "MirrorPad"
        _set(t.node, "mode", mode)
        _set(t.node, "Tpaddings", _dtypes.int32)
    elif fill:
        t.node.op = "PadV2"
        t.insert_const(2, "constant_values", fill, t.dtypes[0])


def _to_squeeze(t):
    _set(t.node, "squeeze_dims", list(t.pop("axis")))


def _to_softmax(t):
    """TensorFlow's (Log)Softmax takes the last axis: others are transposed there and back."""
    rank, axis = t.rank(), t.pop("axis")
    if axis in (-1, rank - 1):
        return
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    dtype = t.dtypes[0]
    moved = t.add("Transpose", "transpose", [t.node.input[0], t.const("perm", perm, _int32)],
                  T=dtype, Tperm=_int32)
    inner = t.add(t.node.op, t.node.op, [moved], T=dtype)
    t.node.op = "Transpose"
    t.node.input[0] = inner
    t.insert_const(1, "perm_1", perm)


def _to_matmul(t):
    if max(t.rank(0), t.rank(1)) > 2:
        t.node.op = "BatchMatMulV2"
        _set(t.node, "adj_x", bool(t.pop("transpose_a")))
        _set(t.node, "adj_y", bool(t.pop("transpose_b")))


def _to_tensor_input_form(op_type, keepdims=False):
    """Dynamic<op> is TensorFlow's <op>, its inputs in TF's order (DynamicSum is Sum, ...)."""
    def rule(t):
        t.node.op = op_type
        if keepdims:
            _set(t.node, "keep_dims", bool(t.pop("keepdims")))
    return rule


def _to_dynamic_pad(t):
    """DynamicPad is TF's Pad, PadV2 (a fill value) or MirrorPad (REFLECT, SYMMETRIC)."""
    mode, fill = t.pop("mode"), t.pop("constant_values")
    if mode != "CONSTANT":
        t.node.op = "MirrorPad"
        _set(t.node, "mode", mode)
    elif fill:
        t.node.op = "PadV2"
        t.insert_const(2, "constant_values", fill, t.dtypes[0])
    else:
        t.node.op = "Pad"


def _to_tile_grad(t):
    """TensorFlow dropped TileGrad: dy reshaped to [m0, s0, m1, s1, ...], summed over the
    m axes (static multiples)."""
    multiples = list(t.pop("multiples"))
    dtype, dy = t.dtypes[0], t.node.input[0]
    m = t.const("multiples", multiples, _int32)
    dy_shape = t.add("Shape", "Shape", [dy], T=dtype, out_type=_int32)
    shape = t.add("FloorDiv", "floordiv", [dy_shape, m], T=_int32)
    pairs = t.add("Pack", "stack", [m, shape], T=_int32, N=2, axis=1)
    split = t.add("Reshape", "Reshape", [pairs, t.const("flat", [-1], _int32)], T=_int32,
                  Tshape=_int32)
    tiles = t.add("Reshape", "Reshape_1", [dy, split], T=dtype, Tshape=_int32)
    axes = t.const("axes", list(range(0, 2 * len(multiples), 2)), _int32)
    summed = t.add("Sum", "Sum", [tiles, axes], T=dtype, Tidx=_int32, keep_dims=False)
    t.node.op = "Reshape"
    del t.node.input[:]
    t.node.input.extend([summed, shape])
    t.dtypes = [dtype, _int32]


def _split_v(t, sizes, axis):
    t.node.op = "SplitV"
    t.insert_const(1, "size_splits", list(sizes))
    t.insert_const(2, "split_dim", axis)
    for key, value in (("num_split", len(sizes)), ("T", t.dtypes[0]), ("Tlen", _int32)):
        _set(t.node, key, value)
    t.dtypes = None  # SplitV is typed here, not from the signature table


def _to_split(t):
    _split_v(t, t.pop("sizes"), t.pop("axis"))


def _to_concat_grad(t):
    """The gradient pieces of a concat as TensorFlow's SplitV (pieces of known size)."""
    axis = t.pop("axis")
    pieces = t.op.inputs[1:]
    sizes = [p.shape.as_tuple()[axis] if p.shape.ndims else None for p in pieces]
    if None in sizes:
        raise _Unsupported("needs the pieces' sizes along the axis")
    kept = [t.node.input[0]] + [i for i in t.node.input if i.startswith("^")]
    del t.node.input[:]
    t.node.input.extend(kept)
    t.dtypes = t.dtypes[:1]
    _split_v(t, sizes, axis)


def _slice_parts(spec):
    """begin, end, strides and the masks of TensorFlow's StridedSlice for a tensorweave
    spec (a tuple of slices, ints, None and Ellipsis)."""
    begin, end, strides, masks = [], [], [], dict.fromkeys(_MASKS, 0)
    for i, item in enumerate(spec):
        bit = 1 << i
        if item is Ellipsis:
            masks["ellipsis_mask"] |= bit
            item = (0, 0, 1)
        elif item is None:
            masks["new_axis_mask"] |= bit
            item = (0, 0, 1)
        elif isinstance(item, slice):
            if item.start is None:
                masks["begin_mask"] |= bit
            if item.stop is None:
                masks["end_mask"] |= bit
            item = (item.start or 0, item.stop or 0, 1 if item.step is None else item.step)
        else:
            masks["shrink_axis_mask"] |= bit
            item = (item, item + 1, 1)
        for part, value in zip((begin, end, strides), item):
            part.append(value)
    return begin, end, strides, masks


_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _to_strided_slice(t, at=1):
    begin, end, strides, masks = _slice_parts(t.pop("spec"))
    for offset, (suffix, values) in enumerate((("stack", begin), ("stack_1", end),
                                              ("stack_2", strides))):
        t.insert_const(at + offset, suffix, values)
    for key, value in masks.items():
        _set(t.node, key, value)


def _to_sum_to_shape(t):
    """Sum over BroadcastGradientArgs' axes, reshaped: TensorFlow's broadcast gradient."""
    x, shape = t.node.input[0], t.node.input[1]
    kind = t.dtypes[1]
    x_shape = t.add("Shape", "Shape", [x], T=t.dtypes[0], out_type=kind)
    axes = t.add("BroadcastGradientArgs", "BroadcastGradientArgs", [x_shape, shape], T=kind)
    summed = t.add("Sum", "Sum", [x, axes + ":1"], T=t.dtypes[0], Tidx=kind, keep_dims=False)
    t.node.op = "Reshape"
    t.node.input[0] = summed
    _set(t.node, "Tshape", kind)


def _to_broadcast_reduced(t):
    """dy with the reduced axes put back (ExpandDims) and broadcast to x's shape."""
    dy, x = t.node.input[0], t.node.input[1]
    axis, keepdims = t.pop("axis"), t.pop("keepdims")
    rank = t.rank(1)
    if not keepdims:
        axes = range(rank) if axis is None else axis
        for a in sorted(a % rank if rank else a for a in axes):
            dim = t.const("ExpandDims/dim", a, _dtypes.int32)
            dy = t.add("ExpandDims", "ExpandDims", [dy, dim], T=t.dtypes[0],
                       Tdim=_dtypes.int32)
    shape = t.add("Shape", "Shape", [x], T=t.dtypes[1], out_type=_dtypes.int32)
    t.node.op = "BroadcastTo"
    t.node.input[0], t.node.input[1] = dy, shape
    t.dtypes[1] = _dtypes.int32


_TO_TF = {
    **{op: _to_reduction for op in _REDUCTIONS},
    "ArgMax": _to_input("axis", 1, "dimension"),
    "ArgMin": _to_input("axis", 1, "dimension"),
    "ConcatV2": _to_input("axis", None, "axis"),
    "ExpandDims": _to_input("axis", 1, "dim"),
    "GatherV2": _to_input("axis", 2, "axis"),
    "InTopKV2": _to_input("k", 2, "k", dtype_of=1),
    "OneHot": _to_input("depth", 1, "depth"),
    "TopKV2": _to_input("k", 1, "k"),
    "Tile": _to_input("multiples", 1, "multiples", list),
    "MirrorPadGrad": _to_input("paddings", 1, "paddings", lambda p: [list(r) for r in p]),
    "Transpose": _to_transpose,
    "Pad": _to_pad,
    "Squeeze": _to_squeeze,
    "Softmax": _to_softmax,
    "LogSoftmax": _to_softmax,
    "Rank": lambda t: t.pop("out_type") is _int32 or _unsupported("out_type other than int32"),
    "MatMul": _to_matmul,
    **{"Dynamic" + op: _to_tensor_input_form(op, keepdims=True) for op in _REDUCTIONS},
    **{"Dynamic" + op: _to_tensor_input_form(op) for op in (
        "Tile", "Transpose", "MirrorPadGrad", "ExpandDims", "ConcatV2", "SplitV", "Split",
        "GatherV2", "ArgMax", "ArgMin", "TopKV2", "StridedSlice", "StridedSliceGrad")},
    "DynamicPad": _to_dynamic_pad,
    "TileGrad": _to_tile_grad,
    "ConcatGrad": _to_concat_grad,
    "Split": _to_split,
    "StridedSlice": _to_strided_slice,
    "StridedSliceGrad": lambda t: _to_strided_slice(t, at=1),
    "SumToShape": _to_sum_to_shape,
    "BroadcastReduced": _to_broadcast_reduced,
    "MakeIteratorFromDataset": lambda t: setattr(t.node, "op", "MakeIterator"),
}


def _fit_signature(node, dtypes):
    """Sets the type attrs of TensorFlow's OpDef from the input dtypes and drops attrs the
    OpDef does not declare; leaves the node alone when its inputs do not fit the OpDef."""
    signature = tf_op_signatures.SIGNATURES.get(node.op)
    if signature is None or dtypes is None:
        return
    words, declared = signature[0].split(), set(signature[1].split())
    if any(k not in declared and k != "T" and not k.startswith("_") for k in node.attr):
        return  # tensorweave attrs TensorFlow's op lacks: not its form
    spare = len(dtypes) - len(words)
    if spare < 0 or spare and not any("*" in w or w.startswith("[") for w in words):
        return
    position, typed = 0, {}
    for word in words:
        count = spare + 1 if "*" in word or word.startswith("[") else 1
        taken = dtypes[position:position + count]
        position += count
        if not word.startswith("[") and word.split("*")[0] != "-":
            typed.setdefault(word.split("*")[0], set()).update(taken)
    if any(len(kinds) > 1 for kinds in typed.values()):
        return  # inputs one type attr types differ (tensorweave's Merge reads its predicate)
    position = 0
    for word in words:
        count = spare + 1 if "*" in word or word.startswith("[") else 1
        taken = dtypes[position:position + count]
        position += count
        if word.startswith("["):
            _set(node, word[1:-1], list(taken))
        elif "*" in word:
            type_attr, number_attr = word.split("*")
            _set(node, number_attr, count)
            if type_attr != "-" and taken:
                _set(node, type_attr, taken[0])
        elif word != "-":
            _set(node, word, taken[0])
    for key in list(node.attr):
        if key not in declared and not key.startswith("_"):
            del node.attr[key]


def tensorflow_node_defs(op, taken, add_shapes=False):
    """The NodeDefs that stand for `op` in TensorFlow's form (nodes it needs first, then its
    own, under its name); tensorweave's form where there is no TensorFlow form."""
    node = codec.node_def(op, add_shapes)
    rule = _TO_TF.get(op.type)
    t = _TFNode(op, node, taken)
    if rule is not None:
        try:
            rule(t)
        except _Unsupported:
            return [codec.node_def(op, add_shapes)]
    _fit_signature(node, t.dtypes)
    return t.before + [node]


def to_tensorflow(graph, add_shapes=True):
    """`graph` as a GraphDef in TensorFlow's op forms where tensorweave has them (what a
    .meta file holds, so TensorFlow can import it); from_tensorflow reverses it."""
    graph_def = codec.graph_pb2.GraphDef()
    graph_def.versions.producer = codec.GRAPH_DEF_PRODUCER
    taken = set(graph._ops_by_name)
    for op in graph.get_operations():
        graph_def.node.extend(tensorflow_node_defs(op, taken, add_shapes))
    return graph_def
