"""The op table: one or more cases per stateless registered op type, with NumPy references.

A case builds one op from concrete inputs (`create_op` by default, or a public builder), names
the NumPy expression its outputs must equal, and which inputs to differentiate. Test points
are chosen away from kinks, ties and discontinuities so finite differences are meaningful.
Stateful ops (variables, random, optimizer updates) are exercised in test_op_table.py.
"""
import importlib
import pathlib

import numpy as np

import tensorweave as tf
from tensorweave.core.graph import create_op
from tensorweave.io import parsing_ops
from tensorweave.ops import conv_ops, norm_ops

from op_case import Case, away, bools, ints, off_grid, pos, rand, rng as _rng


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _mirror_pad_adjoint(dy, paddings, mode, shape):
    """The transpose of mirror padding: sums each padded cell back onto its source cell."""
    index = np.arange(int(np.prod(shape))).reshape(shape)
    source = np.pad(index, paddings, mode="reflect" if mode == "REFLECT" else "symmetric")
    return np.bincount(source.ravel(), weights=dy.ravel(), minlength=index.size).reshape(shape)


def _in_top_k(predictions, targets, k):
    target = predictions[np.arange(len(targets)), targets]
    return np.array([np.sum(row > t) < k for row, t in zip(predictions, target)])


def _reverse_rows(x, lengths, seq_dim, batch_dim):
    """tf.reverse_sequence by loops: slice b reversed in its first lengths[b] steps."""
    out = np.array(x)
    for b, n in enumerate(lengths):
        index = [slice(None)] * x.ndim
        index[batch_dim], index[seq_dim] = b, slice(0, n)
        source = list(index)
        source[seq_dim] = slice(n - 1, None, -1) if n > 0 else slice(0, 0)
        out[tuple(index)] = x[tuple(source)]
    return out


def _unsorted_segment_sum(data, ids, rows):
    out = np.zeros((rows,) + data.shape[ids.ndim:])
    for i, s in enumerate(ids):
        if s >= 0:
            out[s] += data[i]
    return out


def _scatter_slice(shape, dy, spec):
    out = np.zeros(tuple(shape))
    out[spec] = dy
    return out


def _first_output(op_type, *inputs):
    """Only the first output of the op, so the gradient rule sees None for the others."""
    return create_op(op_type, list(inputs)).outputs[:1]


# --- array ops -------------------------------------------------------------------------------
_X23 = rand(2, 3)
_PLACEHOLDER_VALUE = rand(2, 3)
_SLICE_SPEC = (slice(1, 4, 2), Ellipsis, None, 2)
_PADDINGS = ((1, 2), (2, 1))
_CONCAT_PIECES = (rand(2, 3), rand(2, 2))
_GATHER_RANK = "the gradient along axis != 0 transposes, so it needs inputs of known rank"

ARRAY_CASES = [
    Case("Const", [], lambda: _X23, build=lambda: [tf.constant(_X23)]),
    Case("Placeholder", [], lambda: _PLACEHOLDER_VALUE,
         build=lambda: [tf.placeholder(tf.float64, [None, 3])],
         feed=lambda outs: {outs[0]: _PLACEHOLDER_VALUE}, partial_shape=True),
    Case("PlaceholderWithDefault", [rand(2, 3)], lambda x: x,
         attrs={"shape": tf.TensorShape([None, 3])}, partial_shape=True),
    Case("Identity", [rand(2, 3)], lambda x: x),
    Case("StopGradient", [rand(2, 3)], lambda x: x),
    Case("NoOp", [], lambda: ()),
    Case("Fill", [ints(2, 3), np.float64(1.5)], lambda d, v: np.full(d, v)),
    Case("ZerosLike", [rand(2, 3)], np.zeros_like),
    Case("OnesLike", [rand(2, 3)], np.ones_like),
    Case("Cast", [rand(2, 3)], lambda x: x.astype(np.float32), attrs={"DstT": tf.float32},
         tag="to_float32", eps=1e-2, tol=1e-4, float32=False),
    Case("Cast", [rand(2, 3).astype(np.float32)], lambda x: x.astype(np.float64),
         attrs={"DstT": tf.float64}, tag="to_float64", eps=1e-2, tol=1e-4),
    Case("Cast", [rand(2, 3) * 3], lambda x: x.astype(np.int32), attrs={"DstT": tf.int32},
         tag="to_int32", wrt=()),
    Case("Cast", [bools(2, 3)], lambda x: x.astype(np.float64), attrs={"DstT": tf.float64},
         tag="bool_to_float64"),
    Case("Shape", [rand(2, 3, 4)], lambda x: np.array(x.shape, np.int32),
         attrs={"out_type": tf.int32}),
    Case("Shape", [rand(2, 3)], lambda x: np.array(x.shape, np.int64),
         attrs={"out_type": tf.int64}, tag="int64"),
    Case("Size", [rand(2, 3, 4)], lambda x: np.int32(x.size), attrs={"out_type": tf.int32}),
    Case("Rank", [rand(2, 3, 4)], lambda x: np.int32(x.ndim), attrs={"out_type": tf.int32}),
    Case("Reshape", [rand(2, 3), ints(3, -1)], lambda x, s: x.reshape(3, 2)),
    Case("Reshape", [rand(2, 3), ints(6)], lambda x, s: x.reshape(6), tag="flat"),
    Case("Reshape", [np.float64(1.5), ints(1, 1)], lambda x, s: x.reshape(1, 1), tag="scalar"),
    Case("Reshape", [rand(0, 3), ints(-1, 6)], lambda x, s: x.reshape(0, 6), tag="empty"),
    Case("Transpose", [rand(2, 3, 4)], lambda x: x.transpose(2, 0, 1),
         attrs={"perm": (2, 0, 1)}),
    Case("Transpose", [rand(2, 3, 4)], lambda x: x.T, attrs={"perm": None}, tag="reverse"),
    Case("ExpandDims", [rand(2, 3)], lambda x: x[:, None], attrs={"axis": 1}),
    Case("ExpandDims", [rand(2, 3)], lambda x: x[..., None], attrs={"axis": -1}, tag="last"),
    Case("ExpandDims", [np.float64(2.5)], lambda x: np.array([x]), attrs={"axis": 0},
         tag="scalar"),
    Case("Squeeze", [rand(2, 1, 3, 1)], lambda x: x[:, 0], attrs={"axis": (1,)}),
    Case("Squeeze", [rand(2, 1, 3, 1)], lambda x: x[:, 0, :, 0], attrs={"axis": ()},
         tag="all"),
    Case("Squeeze", [rand(2, 1, 3, 1)], lambda x: x[..., 0], attrs={"axis": (-1,)},
         tag="axis-1"),
    Case("BroadcastTo", [rand(3), ints(2, 3)], lambda x, s: np.broadcast_to(x, (2, 3))),
    Case("BroadcastTo", [rand(2, 1), ints(2, 2, 3)],
         lambda x, s: np.broadcast_to(x, (2, 2, 3)), tag="inner"),
    Case("SumToShape", [rand(2, 3), ints(1, 3)], lambda x, s: x.sum(0, keepdims=True)),
    Case("SumToShape", [rand(4, 2, 3), ints(2, 1)], lambda x, s: x.sum((0, 2))[:, None],
         tag="lead"),
    Case("ConcatV2", list(_CONCAT_PIECES), lambda a, b: np.concatenate([a, b], 1),
         attrs={"axis": 1}),
    Case("ConcatV2", [rand(1, 3), rand(2, 3), rand(3, 3)],
         lambda a, b, c: np.concatenate([a, b, c], 0), attrs={"axis": -2}, tag="three"),
    Case("ConcatV2", [rand(2, 0), rand(2, 3)], lambda a, b: np.concatenate([a, b], 1),
         attrs={"axis": 1}, tag="empty_piece"),
    Case("ConcatV2", [rand(2, 3)], lambda x: np.concatenate([x, x], 0), tag="same_input",
         build=lambda x: create_op("ConcatV2", [x, x], axis=0)),
    Case("ConcatGrad", [rand(2, 5), *_CONCAT_PIECES], lambda dy, a, b: (dy[:, :3], dy[:, 3:]),
         attrs={"axis": 1}, wrt=(0,)),
    Case("ConcatGrad", [rand(2, 5), *_CONCAT_PIECES], lambda dy, a, b: dy[:, 3:],
         attrs={"axis": -1}, wrt=(0,), tag="second_only",
         build=lambda *ts: create_op("ConcatGrad", list(ts), axis=-1).outputs[1:]),
    Case("Pack", [rand(2, 3), rand(2, 3)], lambda a, b: np.stack([a, b], 1), attrs={"axis": 1}),
    Case("Pack", [rand(2, 3), rand(2, 3)], lambda a, b: np.stack([a, b], -1),
         attrs={"axis": -1}, tag="axis-1"),
    Case("Pack", [np.float64(1.5), np.float64(-2.0)], lambda a, b: np.array([a, b]),
         attrs={"axis": 0}, tag="scalars"),
    Case("Unpack", [rand(2, 3)], lambda x: tuple(x.T), attrs={"num": 3, "axis": 1}),
    Case("Unpack", [rand(2, 3)], lambda x: x[:, 1], tag="middle_only",
         build=lambda x: create_op("Unpack", [x], num=3, axis=-1).outputs[1:2]),
    Case("Split", [rand(2, 5)], lambda x: (x[:, :2], x[:, 2:]),
         attrs={"sizes": (2, 3), "axis": 1}),
    Case("Split", [rand(4, 2)], lambda x: x[:1], tag="first_only",
         build=lambda x: create_op("Split", [x], sizes=(1, 3), axis=-2).outputs[:1]),
    Case("StridedSlice", [rand(4, 5, 3)], lambda x: x[_SLICE_SPEC], attrs={"spec": _SLICE_SPEC}),
    Case("StridedSlice", [rand(4, 5)], lambda x: x[::-2, 1:-1],
         attrs={"spec": (slice(None, None, -2), slice(1, -1))}, tag="reverse"),
    Case("StridedSlice", [rand(4, 5)], lambda x: x[-1], attrs={"spec": (-1,)}, tag="index"),
    Case("StridedSliceGrad", [ints(4, 5, 3), rand(2, 5, 1)],
         lambda s, dy: _scatter_slice(s, dy, _SLICE_SPEC), attrs={"spec": _SLICE_SPEC},
         wrt=(1,)),
    Case("ReverseSequence", [rand(3, 4, 2), ints(2, 4, 0)],
         lambda x, n: _reverse_rows(x, n, 1, 0), attrs={"seq_dim": 1, "batch_dim": 0}),
    Case("ReverseSequence", [rand(4, 3), ints(1, 3, 2, dtype=np.int64)],
         lambda x, n: _reverse_rows(x, n, 0, 1), attrs={"seq_dim": 0, "batch_dim": 1},
         tag="batch_after_seq"),
    Case("GatherV2", [rand(4, 3), ints(2, 0, 2)], lambda p, i: p[i], attrs={"axis": 0}),
    Case("GatherV2", [rand(2, 4, 3), ints([1, 3], [1, 0])], lambda p, i: p[:, i],
         attrs={"axis": 1}, tag="axis1", static_grad={"rank": _GATHER_RANK}),
    Case("GatherV2", [rand(2, 4), ints(3, 3, 0)], lambda p, i: p[:, i], attrs={"axis": -1},
         tag="axis-1", static_grad={"rank": _GATHER_RANK}),
    Case("GatherV2", [rand(4, 3), np.zeros(0, np.int32)], lambda p, i: p[i],
         attrs={"axis": 0}, tag="empty"),
    Case("UnsortedSegmentSum", [rand(4, 3), ints(0, 2, 0, 1), np.int32(3)],
         lambda d, i, s: _unsorted_segment_sum(d, i, 3)),
    Case("UnsortedSegmentSum", [rand(4, 3), ints(0, -1, 2, 0), np.int64(3)],
         lambda d, i, s: _unsorted_segment_sum(d, i, 3), tag="negative_ids"),
    Case("UnsortedSegmentSum", [rand(2, 2, 3), ints([1, 0], [-1, 1])],
         lambda d, i: _unsorted_segment_sum(d.reshape(4, 3), i.reshape(4), 2), tag="builder",
         build=lambda d, i: [tf.unsorted_segment_sum(d, i, 2)]),
    Case("OneHot", [ints(0, 2, -1, 1), np.float64(2.0), np.float64(-1.0)],
         lambda i, on, off: np.where(i[:, None] == np.arange(3), on, off),
         attrs={"depth": 3, "axis": -1}),
    Case("OneHot", [ints(0, 2, 1), np.float64(1.0), np.float64(0.0)],
         lambda i, on, off: np.eye(3)[i].T, attrs={"depth": 3, "axis": 0}, tag="axis0"),
    Case("Tile", [rand(2, 3)], lambda x: np.tile(x, (2, 1)), attrs={"multiples": (2, 1)}),
    Case("Tile", [rand(2, 1, 3)], lambda x: np.tile(x, (1, 3, 2)),
         attrs={"multiples": (1, 3, 2)}, tag="3d"),
    Case("TileGrad", [rand(4, 3)], lambda dy: dy[:2] + dy[2:], attrs={"multiples": (2, 1)}),
    Case("TileGrad", [rand(2, 6)], lambda dy: dy[:, :2] + dy[:, 2:4] + dy[:, 4:],
         attrs={"multiples": (1, 3)}, tag="inner"),
    Case("Pad", [rand(3, 4)], lambda x: np.pad(x, _PADDINGS, constant_values=1.5),
         attrs={"paddings": _PADDINGS, "mode": "CONSTANT", "constant_values": 1.5}),
    Case("Pad", [rand(3, 4)], lambda x: np.pad(x, _PADDINGS, mode="reflect"),
         attrs={"paddings": _PADDINGS, "mode": "REFLECT", "constant_values": 0}, tag="reflect"),
    Case("Pad", [rand(3, 4)], lambda x: np.pad(x, _PADDINGS, mode="symmetric"),
         attrs={"paddings": _PADDINGS, "mode": "SYMMETRIC", "constant_values": 0},
         tag="symmetric"),
    Case("MirrorPadGrad", [rand(6, 7)],
         lambda dy: _mirror_pad_adjoint(dy, _PADDINGS, "REFLECT", (3, 4)),
         attrs={"paddings": _PADDINGS, "mode": "REFLECT"}, tag="reflect"),
    Case("MirrorPadGrad", [rand(6, 7)],
         lambda dy: _mirror_pad_adjoint(dy, _PADDINGS, "SYMMETRIC", (3, 4)),
         attrs={"paddings": _PADDINGS, "mode": "SYMMETRIC"}, tag="symmetric"),
    Case("Where", [bools(3, 4)], lambda c: np.argwhere(c).astype(np.int64),
         partial_shape=True),
    Case("Select", [bools(2, 3), rand(2, 3), rand(2, 3)], lambda c, x, y: np.where(c, x, y)),
    Case("Select", [np.array([True, False]), rand(2, 3), rand(2, 3)],
         lambda c, x, y: np.where(c[:, None], x, y), tag="rows"),
    Case("Range", [np.int32(1), np.int32(10), np.int32(3)],
         lambda a, b, d: np.arange(1, 10, 3, dtype=np.int32)),
    Case("Range", [np.float64(0.5), np.float64(-1.0), np.float64(-0.5)],
         lambda a, b, d: np.arange(0.5, -1.0, -0.5), tag="float"),
]


# --- math ops --------------------------------------------------------------------------------
def _unary(op_type, fn, x, **kw):
    return Case(op_type, [x], fn, **kw)


MATH_UNARY_CASES = [
    _unary("Neg", np.negative, rand(2, 3)),
    _unary("Abs", np.abs, away(2, 3)),
    _unary("Abs", np.abs, ints(-3, 0, 2), tag="int32"),
    _unary("Sign", np.sign, away(2, 3)),
    _unary("Square", np.square, rand(2, 3)),
    _unary("Sqrt", np.sqrt, pos(2, 3)),
    _unary("Rsqrt", lambda x: 1 / np.sqrt(x), pos(2, 3)),
    _unary("Exp", np.exp, rand(2, 3)),
    _unary("Log", np.log, pos(2, 3)),
    _unary("Log1p", np.log1p, rand(2, 3, lo=-0.5, hi=2.0)),
    _unary("Sin", np.sin, rand(2, 3)),
    _unary("Cos", np.cos, rand(2, 3)),
    _unary("Tanh", np.tanh, rand(2, 3)),
    _unary("Sigmoid", _sigmoid, rand(2, 3) * 3),
    _unary("Reciprocal", lambda x: 1 / x, away(2, 3)),
    _unary("Floor", np.floor, off_grid(2, 3)),
    _unary("Ceil", np.ceil, off_grid(2, 3)),
    _unary("Round", np.round, off_grid(2, 3)),
    _unary("Round", lambda x: np.array([0.0, 2.0, -2.0, 2.0, -0.0]),
           np.array([0.5, 1.5, -1.5, 2.5, -0.5]), tag="half_to_even", wrt=()),
    _unary("LogicalNot", np.logical_not, bools(2, 3)),
    _unary("IsNan", np.isnan, np.array([1.0, np.nan, np.inf, -np.inf])),
    _unary("IsFinite", np.isfinite, np.array([1.0, np.nan, np.inf, -np.inf])),
]


def _off_grid_quotient(y):
    """x with x / y away from integers (FloorMod's discontinuities)."""
    return y * off_grid(*y.shape)


_Y3 = pos(3)
_MOD_Y = np.broadcast_to(pos(3), (2, 3))

MATH_BINARY_CASES = [
    Case("Add", [rand(2, 3), rand(3)], np.add),
    Case("Add", [rand(2, 1), rand(1, 3)], np.add, tag="outer"),
    Case("Add", [rand(2, 3), np.float64(0.5)], np.add, tag="scalar"),
    Case("Add", [ints(1, 2), ints(3, 4)], np.add, tag="int32"),
    Case("Sub", [rand(2, 3), rand(3)], np.subtract),
    Case("Mul", [rand(2, 3), rand(3)], np.multiply),
    Case("Mul", [rand(2, 1), rand(1, 3)], np.multiply, tag="outer"),
    Case("Mul", [rand(2, 3)], np.square, tag="same_input",
         build=lambda x: create_op("Mul", [x, x])),
    Case("RealDiv", [rand(2, 3), away(3)], np.divide),
    Case("RealDiv", [rand(3, 1), away(1, 2)], np.divide, tag="outer"),
    Case("FloorDiv", [rand(2, 3) * 5, away(3)], np.floor_divide),
    Case("FloorDiv", [ints(7, -7, 7, -7), ints(2, 2, -2, -2)],
         lambda x, y: ints(3, -4, -4, 3), tag="int32"),
    Case("FloorMod", [_off_grid_quotient(_MOD_Y), _Y3], np.mod),
    Case("FloorMod", [ints(7, -7, 7, -7), ints(3, 3, -3, -3)],
         lambda x, y: ints(1, 2, -2, -1), tag="int32"),
    Case("Pow", [pos(2, 3), rand(3)], np.power),
    Case("Pow", [pos(2, 3), np.float64(2.5)], np.power, tag="scalar"),
    Case("Pow", [-pos(2, 3), np.float64(3.0)], np.power, tag="negative_base", wrt=(0,)),
    Case("Maximum", [rand(2, 3), rand(3)], np.maximum),
    Case("Minimum", [rand(2, 3), rand(3)], np.minimum),
    Case("SquaredDifference", [rand(2, 3), rand(3)], lambda x, y: (x - y) ** 2),
]

_A = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
_B = np.array([2.0, 2.0, 2.0])
_P, _Q = bools(2, 3), bools(3)
MATH_COMPARE_CASES = [
    Case("Equal", [_A, _B], np.equal),
    Case("NotEqual", [_A, _B], np.not_equal),
    Case("Less", [_A, _B], np.less),
    Case("LessEqual", [_A, _B], np.less_equal),
    Case("Greater", [_A, _B], np.greater),
    Case("GreaterEqual", [_A, _B], np.greater_equal),
    Case("LogicalAnd", [_P, _Q], np.logical_and),
    Case("LogicalOr", [_P, _Q], np.logical_or),
]


def _with_zeros(x, *indices):
    x = x.copy()
    for index in indices:
        x[index] = 0.0
    return x


def _reduction(op_type, fn, x, axis, keepdims=False, **kw):
    tag = kw.pop("tag", None)
    return Case(op_type, [x], lambda a: fn(a, axis=axis, keepdims=keepdims),
                attrs={"axis": axis, "keepdims": keepdims}, tag=tag, **kw)


def _matmul(transpose_a, transpose_b, a, b, tag=None):
    def ref(x, y):
        return np.matmul(np.swapaxes(x, -1, -2) if transpose_a else x,
                         np.swapaxes(y, -1, -2) if transpose_b else y)
    return Case("MatMul", [a, b], ref, attrs={"transpose_a": transpose_a,
                                              "transpose_b": transpose_b}, tag=tag)


MATH_OTHER_CASES = [
    Case("AddN", [rand(2, 3), rand(2, 3), rand(2, 3)], lambda a, b, c: a + b + c),
    _matmul(False, False, rand(2, 3), rand(3, 4)),
    _matmul(False, True, rand(2, 3), rand(4, 3), tag="tb"),
    _matmul(True, False, rand(3, 2), rand(3, 4), tag="ta"),
    _matmul(True, True, rand(3, 2), rand(4, 3), tag="ta_tb"),
    _matmul(False, False, rand(2, 2, 3), rand(3, 4), tag="batch_bcast"),
    _matmul(False, True, rand(2, 1, 2, 3), rand(3, 4, 3), tag="batch_outer"),
    _matmul(False, False, rand(0, 3), rand(3, 4), tag="empty_rows"),
    _reduction("Sum", np.sum, rand(2, 3, 4), (1,)),
    _reduction("Sum", np.sum, rand(2, 3, 4), None, tag="all"),
    _reduction("Sum", np.sum, rand(2, 3, 4), (0, -1), True, tag="keepdims"),
    _reduction("Sum", np.sum, ints(1, 2, 3), None, tag="int32"),
    _reduction("Sum", np.sum, np.float64(1.5), None, tag="scalar"),
    _reduction("Sum", np.sum, rand(0, 3), (0,), tag="empty"),
    _reduction("Sum", np.sum, rand(2, 3, 4), (0, 1), tag="leading"),  # a bias gradient
    _reduction("Sum", np.sum, rand(2, 3, 4), (0,), True, tag="leading_keepdims"),
    _reduction("Mean", np.mean, rand(2, 3, 4), (1,)),
    _reduction("Mean", np.mean, rand(2, 3, 4), None, tag="all"),
    _reduction("Mean", np.mean, rand(2, 3, 4), (-1, 0), True, tag="keepdims"),
    _reduction("Mean", lambda x, axis, keepdims: np.full(3, np.nan), rand(0, 3), (0,),
               tag="empty"),
    _reduction("Mean", lambda x, axis, keepdims: np.int32(2), ints(1, 2, 4), None,
               tag="int32"),
    _reduction("Max", np.max, rand(2, 3, 4), (1,)),
    _reduction("Max", np.max, rand(2, 3, 4), None, tag="all"),
    _reduction("Max", np.max, rand(2, 3, 4), (2,), True, tag="keepdims"),
    _reduction("Max", lambda x, axis, keepdims: np.full(3, -np.inf), rand(0, 3), (0,),
               tag="empty"),
    _reduction("Max", lambda x, axis, keepdims: np.full(3, np.iinfo(np.int32).min, np.int32),
               np.zeros((0, 3), np.int32), (0,), tag="empty_int32"),
    _reduction("Min", np.min, rand(2, 3, 4), (1,)),
    _reduction("Min", np.min, rand(2, 3, 4), (0, 2), True, tag="keepdims"),
    _reduction("Min", lambda x, axis, keepdims: np.full((1, 3), np.inf), rand(0, 3), (0,), True,
               tag="empty"),
    _reduction("Prod", np.prod, away(2, 3, 4), (1,)),
    _reduction("Prod", np.prod, away(2, 3), None, tag="all"),
    _reduction("Prod", np.prod, away(2, 3, 4), (-1,), True, tag="keepdims"),
    _reduction("Prod", np.prod, _with_zeros(away(2, 3, 4), (0, 1, 2), (1, 0, 3)), (1,),
               tag="one_zero"),
    _reduction("Prod", np.prod, _with_zeros(away(2, 3, 4), (0, 0, 1), (0, 2, 1)), (1,),
               tag="two_zeros", second="with two zeros in a slice the gradient is exactly 0, "
               "but its derivative is not; only first order is exact there"),
    _reduction("Any", np.any, bools(2, 3), (1,)),
    _reduction("All", np.all, bools(2, 3), None, tag="all"),
    _reduction("All", np.all, np.array([[True, True], [True, False]]), (1,)),
    Case("BroadcastReduced", [rand(2, 4), rand(2, 3, 4)],
         lambda dy, x: np.broadcast_to(dy[:, None], x.shape),
         attrs={"axis": (1,), "keepdims": False}, wrt=(0,)),
    Case("BroadcastReduced", [np.float64(0.5), rand(2, 3)],
         lambda dy, x: np.full(x.shape, dy), attrs={"axis": None, "keepdims": False},
         wrt=(0,), tag="all"),
    Case("ArgMax", [rand(3, 4)], lambda x: np.argmax(x, 1),
         attrs={"axis": 1, "output_type": tf.int64}),
    Case("ArgMax", [rand(3, 4)], lambda x: np.argmax(x, -1),
         attrs={"axis": -1, "output_type": tf.int64}, tag="axis-1"),
    Case("ArgMin", [rand(3, 4)], lambda x: np.argmin(x, 0).astype(np.int32),
         attrs={"axis": 0, "output_type": tf.int32}),
]


# --- nn ops ----------------------------------------------------------------------------------
_LOGITS = rand(3, 4) * 2
_LABELS = _softmax(rand(3, 4))
_SPARSE_LABELS = ints(1, 0, 3)


def _sparse_xent(logits, labels):
    p = _softmax(logits)
    rows = np.arange(len(labels))
    backprop = p.copy()
    backprop[rows, labels] -= 1
    return -np.log(p[rows, labels]), backprop


def _dense_xent(logits, labels):
    p = _softmax(logits)
    return -(labels * np.log(p)).sum(1), p - labels


def _masks(begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0,
           end_mask_1=0):
    """StridedSlice's mask attrs (end_mask_1: also mask the end of the second item)."""
    return {"begin_mask": begin_mask, "end_mask": end_mask | end_mask_1 << 1,
            "ellipsis_mask": ellipsis_mask, "new_axis_mask": new_axis_mask,
            "shrink_axis_mask": shrink_axis_mask}


def _top_k(x, k):
    order = np.argsort(-x, axis=-1)[..., :k]
    return np.take_along_axis(x, order, -1), order.astype(np.int32)


_RELU6_X = np.array([[-1.5, 0.5, 2.0], [5.5, 7.0, 3.0]])
_BIAS_NCHW = rand(3)

NN_CASES = [
    Case("Relu", [away(2, 3)], lambda x: np.maximum(x, 0)),
    Case("ReluGrad", [rand(2, 3), away(2, 3)], lambda dy, y: dy * (y > 0)),
    Case("Relu6", [_RELU6_X], lambda x: np.clip(x, 0, 6)),
    Case("Relu", [ints(-2, -1, 0, 1, 2)], lambda x: np.maximum(x, 0), tag="int32"),
    Case("Relu6", [ints(-3, 0, 4, 6, 9, dtype=np.int64)], lambda x: np.clip(x, 0, 6),
         tag="int64"),
    Case("Elu", [away(2, 3)], lambda x: np.where(x > 0, x, np.exp(x) - 1)),
    Case("LeakyRelu", [away(2, 3)], lambda x: np.where(x > 0, x, 0.2 * x),
         attrs={"alpha": 0.2}),
    Case("Softplus", [rand(2, 3) * 3], lambda x: np.log1p(np.exp(x))),
    Case("Softsign", [away(2, 3)], lambda x: x / (1 + np.abs(x))),
    Case("Softmax", [rand(2, 3)], _softmax, attrs={"axis": -1}),
    Case("Softmax", [rand(3, 2)], lambda x: _softmax(x, 0), attrs={"axis": 0}, tag="axis0"),
    Case("LogSoftmax", [rand(2, 3)], lambda x: np.log(_softmax(x)), attrs={"axis": -1}),
    Case("LogSoftmax", [rand(3, 2, 2)], lambda x: np.log(_softmax(x, 1)), attrs={"axis": 1},
         tag="axis1"),
    Case("BiasAdd", [rand(2, 3), rand(3)], np.add, attrs={"data_format": "NHWC"}),
    Case("BiasAdd", [rand(2, 3, 2, 2), _BIAS_NCHW], lambda v, b: v + b[:, None, None],
         attrs={"data_format": "NCHW"}, tag="nchw"),
    Case("BiasAdd", [rand(2, 3), rand(3)], np.add, attrs={"data_format": "NCHW"},
         tag="nchw_rank2"),
    Case("BiasAddGrad", [rand(2, 2, 3)], lambda dy: dy.sum((0, 1)),
         attrs={"data_format": "NHWC"}),
    Case("BiasAddGrad", [rand(2, 3, 2, 2)], lambda dy: dy.sum((0, 2, 3)),
         attrs={"data_format": "NCHW"}, tag="nchw"),
    Case("BiasAddGrad", [rand(2, 3)], lambda dy: dy.sum(0), attrs={"data_format": "NCHW"},
         tag="nchw_rank2"),
    Case("SparseSoftmaxCrossEntropyWithLogits", [_LOGITS, _SPARSE_LABELS], _sparse_xent),
    Case("SparseSoftmaxCrossEntropyWithLogits", [_LOGITS, _SPARSE_LABELS],
         lambda x, y: _sparse_xent(x, y)[0], tag="loss_only",
         build=lambda x, y: _first_output("SparseSoftmaxCrossEntropyWithLogits", x, y)),
    Case("SparseSoftmaxCrossEntropyWithLogits", [rand(0, 4), np.zeros(0, np.int32)],
         _sparse_xent, tag="empty"),
    Case("SoftmaxCrossEntropyWithLogits", [_LOGITS, _LABELS], _dense_xent),
    Case("SoftmaxCrossEntropyWithLogits", [_LOGITS, _LABELS],
         lambda x, y: _dense_xent(x, y)[0], tag="loss_only",
         build=lambda x, y: _first_output("SoftmaxCrossEntropyWithLogits", x, y)),
    Case("InTopKV2", [rand(3, 4), ints(0, 1, 3)], lambda p, t: _in_top_k(p, t, 2),
         attrs={"k": 2}),
    Case("InTopKV2", [rand(6, 4), ints(0, 1, 3, 2, 2, 0)], lambda p, t: _in_top_k(p, t, 1),
         attrs={"k": 1}, tag="k1"),
    Case("InTopKV2", [np.array([[1.0, 2.0, 2.0, 0.0], [np.inf, 1.0, 0.0, 0.0]]), ints(1, 0)],
         lambda p, t: np.array([True, False]), attrs={"k": 1}, tag="tie_and_inf"),
    Case("InTopKV2", [np.array([[1.0, 2.0, np.nan], [3.0, 1.0, 0.0], [-np.inf, 5.0, 0.0]]),
                      ints(1, 0, 1)],
         lambda p, t: np.array([False, True, False]), attrs={"k": 1}, tag="non_finite_row"),
    Case("TopKV2", [rand(2, 5)], lambda x: _top_k(x, 3), attrs={"k": 3, "sorted": True},
         static_grad=dict.fromkeys(["dims", "rank"], "the gradient one-hot encodes indices, "
                                   "so it needs a statically known last dimension")),
    Case("ComputeAccidentalHits",
         [ints([3, 1], [0, 7], [5, 5], dtype=np.int64), ints(1, 5, 9, 3, 0, dtype=np.int64)],
         lambda t, s: (ints(0, 0, 1, 2, 2), ints(3, 0, 4, 1, 1, dtype=np.int64),
                       np.full(5, -np.finfo(np.float32).max, np.float32)),
         attrs={"num_true": 2, "seed": 0, "seed2": 0}, partial_shape=True),
]


# --- convolution, pooling, normalization -------------------------------------------------------
def _taps(in_hw, k_hw, strides, padding, dilations=(1, 1)):
    """For each output pixel (i, j): the input (row, col) of every kernel tap, None where the
    tap falls on padding (TF's SAME rule: the odd padding pixel goes after)."""
    def axis(size, k, s, d, pads):
        span = (k - 1) * d + 1
        if padding == "SAME":
            out = -(-size // s)
            before = max((out - 1) * s + span - size, 0) // 2
        elif padding == "VALID":
            out, before = (size - span) // s + 1, 0
        else:
            out, before = (size + sum(pads) - span) // s + 1, pads[0]
        return [[o * s - before + t * d for t in range(k)] for o in range(out)]
    pads = padding if not isinstance(padding, str) else ((0, 0), (0, 0))
    rows = axis(in_hw[0], k_hw[0], strides[0], dilations[0], pads[0])
    cols = axis(in_hw[1], k_hw[1], strides[1], dilations[1], pads[1])
    for i, tap_rows in enumerate(rows):
        for j, tap_cols in enumerate(cols):
            yield i, j, [[(r, c) if 0 <= r < in_hw[0] and 0 <= c < in_hw[1] else None
                          for c in tap_cols] for r in tap_rows], (len(rows), len(cols))


def _conv_ref(x, w, strides, padding, dilations=(1, 1), depthwise=False):
    """NHWC convolution, one output pixel and kernel tap at a time."""
    out = None
    for i, j, taps, (oh, ow) in _taps(x.shape[1:3], w.shape[:2], strides, padding, dilations):
        total = 0
        for a, row in enumerate(taps):
            for b, at in enumerate(row):
                if at is not None:
                    pixel = x[:, at[0], at[1], :]
                    total = total + (np.einsum("nc,cm->ncm", pixel, w[a, b]).reshape(
                        len(x), -1) if depthwise else pixel @ w[a, b])
        if out is None:
            out = np.zeros((len(x), oh, ow, np.shape(total)[-1]))
        out[:, i, j] = total
    return out


def _pool_ref(x, k_hw, strides, padding, reduce):
    out = None
    for i, j, taps, (oh, ow) in _taps(x.shape[1:3], k_hw, strides, padding):
        pixels = [x[:, at[0], at[1], :] for row in taps for at in row if at is not None]
        if out is None:
            out = np.zeros((len(x), oh, ow, x.shape[3]))
        out[:, i, j] = reduce(np.stack(pixels), axis=0)
    return out


def _adjoint(linear, shape, dy):
    """Jᵀ dy for a linear function of an array of `shape`, from its values on a basis."""
    out = np.zeros(shape)
    for index in np.ndindex(*shape):
        basis = np.zeros(shape)
        basis[index] = 1.0
        out[index] = np.sum(linear(basis) * dy)
    return out


def _max_pool_picks(x, k_hw, strides, padding):
    """For each max-pool output element, the flat index into x of the maximum it picked."""
    flat = np.arange(x.size).reshape(x.shape)
    picks = None
    for i, j, taps, (oh, ow) in _taps(x.shape[1:3], k_hw, strides, padding):
        cells = [at for row in taps for at in row if at is not None]
        best = np.stack([x[:, r, c] for r, c in cells]).argmax(0)
        if picks is None:
            picks = np.zeros((len(x), oh, ow, x.shape[3]), dtype=int)
        picks[:, i, j] = np.take_along_axis(np.stack([flat[:, r, c] for r, c in cells]),
                                            best[None], 0)[0]
    return picks


def _max_pool_grad_ref(x, dy, k_hw, strides, padding):
    picks = _max_pool_picks(x, k_hw, strides, padding)
    return np.bincount(picks.ravel(), dy.ravel(), x.size).reshape(x.shape)


def _max_pool_grad_grad_ref(x, ddx, k_hw, strides, padding):
    return ddx.ravel()[_max_pool_picks(x, k_hw, strides, padding)]


def _batch_norm(x, scale, offset, epsilon=1e-3):
    mean, var = x.mean((0, 1, 2)), x.var((0, 1, 2))
    y = (x - mean) / np.sqrt(var + epsilon) * scale + offset
    n = x.size // len(mean)
    return y, mean, var * n / (n - 1), mean, var


def _batch_norm_backprop(dy, x, scale, epsilon=1e-3):
    mean, var = x.mean((0, 1, 2)), x.var((0, 1, 2))
    x_hat = (x - mean) / np.sqrt(var + epsilon)
    dscale, doffset = (dy * x_hat).sum((0, 1, 2)), dy.sum((0, 1, 2))
    dx = (dy - dy.mean((0, 1, 2)) - x_hat * (dy * x_hat).mean((0, 1, 2))) * scale / np.sqrt(
        var + epsilon)
    return dx, dscale, doffset


def _lrn(x, radius=2, bias=1.0, alpha=0.5, beta=0.75):
    squares = np.square(x)
    window = np.stack([squares[..., max(c - radius, 0):c + radius + 1].sum(-1)
                       for c in range(x.shape[-1])], -1)
    return x / (bias + alpha * window) ** beta


def _numeric_vjp(f, x, dy, eps=1e-6):
    x, dy = x.astype(np.float64), dy.astype(np.float64)
    out = np.zeros(x.shape)
    for index in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += eps
        minus[index] -= eps
        out[index] = np.sum((f(plus) - f(minus)) * dy) / (2 * eps)
    return out


def _found(op_type, tensor):
    """The outputs of the (last) op of `op_type` in tensor's graph, e.g. a gradient's op."""
    ops = [op for op in tensor.graph.get_operations() if op.type == op_type]
    return ops[-1].outputs


def _grad_op(op_type, forward, x, dy):
    """The outputs of the `op_type` op that tf.gradients builds for forward(x) with grad_ys dy."""
    return _found(op_type, tf.gradients(forward(x), x, grad_ys=dy)[0])


_IMG = rand(1, 4, 5, 2)
_FILTER = rand(2, 3, 2, 2)
_DW_FILTER = rand(3, 2, 2, 2)
_POOL_X = rand(1, 4, 5, 2)
_POOL_DY = rand(1, 2, 3, 2)  # max/avg pool 2x2, stride 2, SAME over 4x5
_S1, _S2 = [1, 1, 1, 1], [1, 2, 2, 1]
_K2 = [1, 2, 2, 1]
_EXPLICIT = [[0, 0], [1, 0], [0, 2], [0, 0]]
_CONV_DY = _conv_ref(_IMG, _FILTER, (1, 1), "SAME")
_DW_DY = rand(1, 2, 3, 4)
_BN_X, _BN_SCALE, _BN_OFFSET = rand(2, 2, 2, 3), pos(3), rand(3)
_LRN_X = rand(1, 2, 3, 5)


def _conv_fn(**kw):
    return lambda x, w: [conv_ops.conv2d(x, w, **kw)]


def _depthwise(x, w):
    return conv_ops.depthwise_conv2d_native(x, w, _S2, "SAME")


def _max_pool(x):
    return conv_ops.max_pool(x, _K2, _S2, "SAME")


def _avg_pool(x):
    return conv_ops.avg_pool(x, _K2, _S2, "SAME")


def _max_pool_grad_grad(x, ddx):
    """MaxPoolGradGrad, as the gradient of MaxPoolGrad with respect to its dy."""
    y = _max_pool(x)
    dy = tf.ones_like(y)
    grad = tf.gradients(y, x, grad_ys=dy)[0]
    return _found("MaxPoolGradGrad", tf.gradients(grad, dy, grad_ys=ddx)[0])


def _lrn_op(x):
    return norm_ops.lrn(x, depth_radius=2, bias=1.0, alpha=0.5, beta=0.75)


def _fused_bn(x, scale, offset):
    return norm_ops.fused_batch_norm(x, scale, offset)


def _nchw(x):
    return x.transpose(0, 3, 1, 2)


def _nhwc(x):
    return x.transpose(0, 2, 3, 1)


CONV_NORM_CASES = [
    Case("Conv2D", [_IMG, _FILTER], lambda x, w: _conv_ref(x, w, (1, 1), "SAME"),
         build=_conv_fn(strides=_S1, padding="SAME")),
    Case("Conv2D", [_IMG, _FILTER], lambda x, w: _conv_ref(x, w, (2, 2), "VALID"),
         build=_conv_fn(strides=_S2, padding="VALID"), tag="valid_stride2"),
    Case("Conv2D", [_IMG, rand(2, 2, 2, 2)],
         lambda x, w: _conv_ref(x, w, (1, 1), "SAME", (2, 2)),
         build=_conv_fn(strides=_S1, padding="SAME", dilations=[1, 2, 2, 1]), tag="dilated"),
    Case("Conv2D", [_IMG, _FILTER], lambda x, w: _conv_ref(x, w, (2, 1), _EXPLICIT[1:3]),
         build=_conv_fn(strides=[1, 2, 1, 1], padding=_EXPLICIT), tag="explicit"),
    Case("Conv2D", [_nchw(_IMG), _FILTER],
         lambda x, w: _nchw(_conv_ref(_nhwc(x), w, (2, 2), "SAME")),
         build=_conv_fn(strides=[1, 1, 2, 2], padding="SAME", data_format="NCHW"), tag="nchw"),
    Case("Conv2DBackpropInput", [ints(1, 4, 5, 2), _FILTER, _CONV_DY],
         lambda s, w, dy: _adjoint(lambda x: _conv_ref(x, w, (1, 1), "SAME"), tuple(s), dy),
         build=lambda s, w, dy: [conv_ops.conv2d_backprop_input(s, w, dy, _S1, "SAME")],
         wrt=(1, 2)),
    Case("Conv2DBackpropFilter", [_IMG, ints(2, 3, 2, 2), _CONV_DY],
         lambda x, s, dy: _adjoint(lambda w: _conv_ref(x, w, (1, 1), "SAME"), tuple(s), dy),
         build=lambda x, s, dy: [conv_ops.conv2d_backprop_filter(x, s, dy, _S1, "SAME")],
         wrt=(0, 2)),
    Case("DepthwiseConv2dNative", [_IMG, _DW_FILTER],
         lambda x, w: _conv_ref(x, w, (2, 2), "SAME", depthwise=True),
         build=lambda x, w: [_depthwise(x, w)]),
    Case("DepthwiseConv2dNativeBackpropInput", [_IMG, _DW_FILTER, _DW_DY],
         lambda x, w, dy: _adjoint(lambda v: _conv_ref(v, w, (2, 2), "SAME", depthwise=True),
                                   x.shape, dy),
         build=lambda x, w, dy: _found("DepthwiseConv2dNativeBackpropInput", tf.gradients(
             _depthwise(x, w), x, grad_ys=dy)[0]), wrt=(1, 2)),
    Case("DepthwiseConv2dNativeBackpropFilter", [_IMG, _DW_FILTER, _DW_DY],
         lambda x, w, dy: _adjoint(lambda v: _conv_ref(x, v, (2, 2), "SAME", depthwise=True),
                                   w.shape, dy),
         build=lambda x, w, dy: _found("DepthwiseConv2dNativeBackpropFilter", tf.gradients(
             _depthwise(x, w), w, grad_ys=dy)[0]), wrt=(0, 2)),
    Case("MaxPool", [_POOL_X], lambda x: _pool_ref(x, (2, 2), (2, 2), "SAME", np.max),
         build=lambda x: [_max_pool(x)]),
    Case("MaxPool", [_POOL_X], lambda x: _pool_ref(x, (3, 2), (1, 2), "VALID", np.max),
         build=lambda x: [conv_ops.max_pool(x, [1, 3, 2, 1], [1, 1, 2, 1], "VALID")],
         tag="valid"),
    Case("MaxPoolGrad", [_POOL_X, _POOL_DY],
         lambda x, dy: _max_pool_grad_ref(x, dy, (2, 2), (2, 2), "SAME"),
         build=lambda x, dy: _grad_op("MaxPoolGrad", _max_pool, x, dy)),
    Case("MaxPoolGradGrad", [_POOL_X, _POOL_X],
         lambda x, ddx: _max_pool_grad_grad_ref(x, ddx, (2, 2), (2, 2), "SAME"),
         build=_max_pool_grad_grad),
    Case("AvgPool", [_POOL_X], lambda x: _pool_ref(x, (2, 2), (2, 2), "SAME", np.mean),
         build=lambda x: [_avg_pool(x)]),
    Case("AvgPool", [_nchw(_POOL_X)],
         lambda x: _nchw(_pool_ref(_nhwc(x), (3, 3), (1, 1), "SAME", np.mean)),
         build=lambda x: [conv_ops.avg_pool(x, 3, 1, "SAME", data_format="NCHW")], tag="nchw"),
    Case("AvgPoolGrad", [_POOL_X, _POOL_DY],
         lambda x, dy: _adjoint(lambda v: _pool_ref(v, (2, 2), (2, 2), "SAME", np.mean),
                                x.shape, dy),
         build=lambda x, dy: _grad_op("AvgPoolGrad", _avg_pool, x, dy), wrt=(1,)),
    # As in TF, gradients flow from y only (not from the batch statistics outputs), and not
    # into the mean and variance inputs of inference: the rows below differentiate just that.
    Case("FusedBatchNorm", [_BN_X, _BN_SCALE, _BN_OFFSET], _batch_norm,
         build=lambda *ts: _found("FusedBatchNorm", _fused_bn(*ts)[0]), wrt=(),
         tag="all_outputs"),
    Case("FusedBatchNorm", [_BN_X, _BN_SCALE, _BN_OFFSET],
         lambda x, scale, offset: _batch_norm(x, scale, offset)[0],
         build=lambda *ts: [_fused_bn(*ts)[0]]),
    Case("FusedBatchNorm", [_BN_X, _BN_SCALE, _BN_OFFSET, pos(3) - 1, pos(3)],
         lambda x, scale, offset, mean, var: (x - mean) / np.sqrt(var + 1e-3) * scale + offset,
         build=lambda x, scale, offset, mean, var: [norm_ops.fused_batch_norm(
             x, scale, offset, mean, var, is_training=False)[0]], wrt=(0, 1, 2),
         tag="inference"),
    Case("FusedBatchNormGrad", [rand(2, 2, 2, 3), _BN_X, _BN_SCALE, _BN_OFFSET],
         lambda dy, x, scale, offset: _batch_norm_backprop(dy, x, scale),
         build=lambda dy, x, scale, offset: _found("FusedBatchNormGrad", tf.gradients(
             _fused_bn(x, scale, offset)[0], x, grad_ys=dy)[0]), wrt=(0, 1, 2)),
    Case("LRN", [_LRN_X], _lrn, build=lambda x: [_lrn_op(x)],
         second="LRNGrad has no gradient (as in TF)"),
    Case("LRNGrad", [rand(1, 2, 3, 5), _LRN_X], lambda dy, x: _numeric_vjp(_lrn, x, dy),
         build=lambda dy, x: _grad_op("LRNGrad", _lrn_op, x, dy), ref_tol=(1e-7, 1e-9)),
]

# --- parsing ---------------------------------------------------------------------------------
_CSV_RECORDS = np.array([[b"1,2.5,a", b"3,,b"], [b'4,0.5,"c,d"', b"-2,1e3,"]], dtype=object)

PARSING_CASES = [
    Case("DecodeCSV", [], lambda: (np.array([[1, 3], [4, -2]], np.int32),
                                   np.array([[2.5, 9.0], [0.5, 1000.0]], np.float32),
                                   np.array([[b"a", b"b"], [b"c,d", b"-"]], dtype=object)),
         build=lambda: parsing_ops.decode_csv(tf.constant(_CSV_RECORDS), [[0], [9.0], ["-"]])),
]



# --- summaries (tensorweave.ops.summary; their encoders are checked against TensorFlow's output
# in tests/summary) ------------------------------------------------------------------------------
def _summary_cases():
    try:
        from tensorboard.compat.proto import summary_pb2
        from tensorweave.core.graph_def import tensor_proto
    except ImportError:  # without the tensorboard extra the summary kernels cannot run
        return []
    from tensorweave.lib import summary_encoding as encoding
    from tensorweave.ops import summary as summary_ops

    def as_bytes(*values):
        return np.array(summary_pb2.Summary(value=list(values)).SerializeToString(),
                        dtype=object)

    def tag(name):
        return np.array(name.encode(), dtype=object)

    value = summary_pb2.Summary.Value
    pixels = np.arange(12, dtype=np.uint8).reshape(1, 2, 2, 3) * 20
    clip = np.array([[0.0, 0.5, -0.5, 1.0]], np.float32)
    metadata = summary_pb2.SummaryMetadata(display_name="d").SerializeToString()
    scalar_bytes = as_bytes(value(tag="a", simple_value=1.0))
    histogram_bytes = as_bytes(value(tag="b", histo=summary_ops.histogram_proto([1e21])))
    return [
        Case("ScalarSummary", [tag("loss"), np.array(1.5)],
             lambda t, v: as_bytes(value(tag="loss", simple_value=float(v)))),
        # histograms with a value in the last bucket, so that their bytes do not end in zeros
        # (which NumPy's fixed-width bytes arrays strip when the harness compares them)
        Case("HistogramSummary", [tag("h"), np.array([0.0, 0.5, -2.0, 1e21])],
             lambda t, v: as_bytes(value(tag="h", histo=summary_ops.histogram_proto(v)))),
        Case("ImageSummary", [tag("img"), pixels],
             lambda t, v: as_bytes(value(tag="img/image", image=summary_pb2.Summary.Image(
                 height=2, width=2, colorspace=3, encoded_image_string=encoding.encode_png(
                     v[0])))),
             attrs={"max_images": 1, "bad_color": np.array([255, 0, 0, 255], np.uint8)}),
        Case("AudioSummaryV2", [tag("snd"), clip, np.array(8000.0, np.float32)],
             lambda t, v, r: as_bytes(value(tag="snd/audio", audio=summary_pb2.Summary.Audio(
                 sample_rate=8000.0, num_channels=1, length_frames=4, content_type="audio/wav",
                 encoded_audio_string=encoding.encode_wav(v[0][:, None], 8000)))),
             attrs={"max_outputs": 1}),
        Case("TensorSummaryV2", [tag("t"), np.array([[1, 2]], np.int32),
                                 np.array(metadata, dtype=object)],
             lambda t, v, m: as_bytes(value(
                 tag="t", metadata=summary_pb2.SummaryMetadata(display_name="d"),
                 tensor=tensor_proto(v)))),
        Case("MergeSummary", [histogram_bytes, scalar_bytes],
             lambda a, b: as_bytes(*summary_pb2.Summary.FromString(a[()]).value,
                                   *summary_pb2.Summary.FromString(b[()]).value),
             attrs={"N": 2}),
    ]


SUMMARY_CASES = _summary_cases()


# --- feature columns (tensorweave.ops.feature_column; hashes are TF's, checked against
# TensorFlow in tests/estimator/test_feature_column.py) ------------------------------------------
def _feature_column_cases():
    from tensorweave.ops import feature_column as fco

    words = np.array([[b"a", b""], [b"zz", b"b"]], dtype=object)
    fp = fco.fingerprint64
    return [
        Case("Bucketize", [np.array([[-1.0, 0.0], [0.5, 10.0]])],
             lambda x: np.array([[0, 1], [1, 2]], np.int32), attrs={"boundaries": (0.0, 1.0)}),
        Case("CategoricalHash", [words],
             lambda x: np.array([[fp(b"a") % 7, -1], [fp(b"zz") % 7, fp(b"b") % 7]]),
             attrs={"num_buckets": 7}),
        Case("CategoricalHash", [np.array([[3, -1]])], lambda x: np.array([[fp(b"3") % 5, -1]]),
             tag="int", attrs={"num_buckets": 5}),
        Case("CategoricalVocabulary", [words],
             lambda x: np.array([[0, -1], [2 + fp(b"zz") % 3, 1]]),
             attrs={"vocabulary": (b"a", b"b"), "num_oov_buckets": 3, "default_value": -1}),
        Case("CategoricalIdentity", [np.array([[0, 5], [-1, 2]])],
             lambda x: np.array([[0, 1], [-1, 2]]),
             attrs={"num_buckets": 4, "default_value": 1}),
        Case("HashedCross", [np.array([[1, -1]]), np.array([[b"x"]], dtype=object)],
             lambda a, b: np.array([[fco.fingerprint_cat64(fco.fingerprint_cat64(
                 0xDECAFCAFFE, 1), fp(b"x")) % 11, -1]]),
             attrs={"num_buckets": 11, "hash_key": 0xDECAFCAFFE, "num_dense": 1}),
    ]


# --- the fused LSTM step ---------------------------------------------------------------------
def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


def _lstm_step(x, cs_prev, h_prev, w, wci, wcf, wco, b, forget_bias=0.75):
    """LSTMBlockCell's seven outputs (i, cs, f, o, ci, co, h) in NumPy, peepholes included."""
    i, ci, f, o = np.split(np.concatenate([x, h_prev], 1) @ w + b, 4, axis=1)
    i, f = _sigmoid(i + cs_prev * wci), _sigmoid(f + forget_bias + cs_prev * wcf)
    ci = np.tanh(ci)
    cs = ci * i + cs_prev * f
    o = _sigmoid(o + cs * wco)
    return i, cs, f, o, ci, np.tanh(cs), np.tanh(cs) * o


def _lstm_step_backprop(x, cs_prev, h_prev, w, wci, wcf, wco, b, i, cs, f, o, ci, co, cs_grad,
                        h_grad, peephole=True):
    """LSTMBlockCellGrad's outputs in NumPy (TF's formulas)."""
    do = o * (1 - o) * h_grad * co
    dcs = (1 - co ** 2) * h_grad * o + cs_grad + (do * wco if peephole else 0)
    dci, df, di = (1 - ci ** 2) * dcs * i, f * (1 - f) * dcs * cs_prev, i * (1 - i) * dcs * ci
    cs_prev_grad = dcs * f + (di * wci + df * wcf if peephole else 0)
    sums = [(di * cs_prev).sum(0), (df * cs_prev).sum(0), (do * cs).sum(0)] if peephole else \
        [np.zeros(3)] * 3
    return (cs_prev_grad, np.concatenate([di, dci, df, do], 1), *sums)


_LSTM_INPUTS = [rand(2, 4), rand(2, 3), rand(2, 3), rand(7, 12, lo=-0.6, hi=0.6),
                rand(3), rand(3), rand(3), rand(12)]
_LSTM_ATTRS = {"forget_bias": 0.75, "cell_clip": -1.0, "use_peephole": True}  # float32-exact
_LSTM_STATIC = {mode: "the gradient splits W's rows into x's and h's at w's static shape"
                for mode in ("dims", "rank")}
_LSTM_ACTIVATIONS = [rand(2, 3, lo=0.1, hi=0.9), rand(2, 3), rand(2, 3, lo=0.1, hi=0.9),
                     rand(2, 3, lo=0.1, hi=0.9), rand(2, 3, lo=-0.9, hi=0.9),
                     rand(2, 3, lo=-0.9, hi=0.9), rand(2, 3), rand(2, 3)]

LSTM_CASES = [
    Case("LSTMBlockCell", _LSTM_INPUTS, _lstm_step, attrs=_LSTM_ATTRS, wrt=(), tag="all_outputs"),
    Case("LSTMBlockCell", _LSTM_INPUTS, lambda *a: _lstm_step(*a)[1::5],  # cs and h
         build=lambda *ts: create_op("LSTMBlockCell", list(ts), **_LSTM_ATTRS).outputs[1::5],
         static_grad=_LSTM_STATIC),
    Case("LSTMBlockCell", _LSTM_INPUTS, lambda *a: _lstm_step(*a[:4], *[np.zeros(3)] * 3,
                                                              a[7])[1::5],
         build=lambda *ts: create_op("LSTMBlockCell", list(ts), **dict(
             _LSTM_ATTRS, use_peephole=False)).outputs[1::5],
         wrt=(0, 1, 2, 3, 7), tag="no_peephole", static_grad=_LSTM_STATIC),
    Case("LSTMBlockCell", _LSTM_INPUTS, lambda *a: np.clip(_lstm_step(*a)[1], -0.3, 0.3),
         build=lambda *ts: create_op("LSTMBlockCell", list(ts), **dict(
             _LSTM_ATTRS, cell_clip=0.3)).outputs[1:2],
         wrt=(), tag="cell_clip"),
    Case("LSTMBlockCellGrad", _LSTM_INPUTS + _LSTM_ACTIVATIONS, _lstm_step_backprop,
         attrs={"use_peephole": True}),
    Case("LSTMBlockCellGrad", _LSTM_INPUTS + _LSTM_ACTIVATIONS,
         lambda *a: _lstm_step_backprop(*a, peephole=False), attrs={"use_peephole": False},
         tag="no_peephole"),
]


def _lstm_sequence(used, x, cs_prev, h_prev, w, wci, wcf, wco, b, forget_bias=0.75):
    """BlockLSTM's seven outputs: _lstm_step over the first `used` steps, zeros after."""
    outputs = np.zeros((7,) + x.shape[:2] + cs_prev.shape[1:])
    for t in range(int(used)):
        outputs[:, t] = _lstm_step(x[t], cs_prev, h_prev, w, wci, wcf, wco, b, forget_bias)
        cs_prev, h_prev = outputs[1, t], outputs[6, t]
    return tuple(outputs)


def _lstm_sequence_backprop(used, x, cs_prev, h_prev, w, wci, wcf, wco, b, i, cs, f, o, ci,
                            co, h, cs_grad, h_grad):
    """BlockLSTMGrad's outputs: _lstm_step_backprop backwards over the steps."""
    depth = x.shape[2]
    grads = [np.zeros_like(a) for a in (x, cs_prev, h_prev, w, wci, wcf, wco, b)]
    dcs, dh = np.zeros_like(cs_prev), np.zeros_like(h_prev)
    for t in reversed(range(int(used))):
        c_before, h_before = (cs[t - 1], h[t - 1]) if t else (cs_prev, h_prev)
        dcs, dicfo, *peeps = _lstm_step_backprop(
            x[t], c_before, h_before, w, wci, wcf, wco, b, i[t], cs[t], f[t], o[t], ci[t],
            co[t], cs_grad[t] + dcs, h_grad[t] + dh)
        grads[0][t] = dicfo @ w[:depth].T
        dh = dicfo @ w[depth:].T
        grads[3] += np.concatenate([x[t], h_before], 1).T @ dicfo
        for k, p in enumerate(peeps):
            grads[4 + k] += p
        grads[7] += dicfo.sum(0)
    grads[1], grads[2] = dcs, dh
    return tuple(grads)


_SEQUENCE_INPUTS = [np.array(3, np.int64), rand(3, 2, 4)] + _LSTM_INPUTS[1:]
_NO_SECOND = "BlockLSTMGrad has no gradient, as in TensorFlow"
_SEQUENCE_ACTIVATIONS = list(_lstm_sequence(*_SEQUENCE_INPUTS)) + [rand(3, 2, 3), rand(3, 2, 3)]

LSTM_CASES += [
    Case("BlockLSTM", _SEQUENCE_INPUTS, _lstm_sequence, attrs=_LSTM_ATTRS, wrt=(),
         tag="all_outputs"),
    Case("BlockLSTM", _SEQUENCE_INPUTS, lambda *a: _lstm_sequence(*a)[1::5],  # cs and h
         build=lambda *ts: create_op("BlockLSTM", list(ts), **_LSTM_ATTRS).outputs[1::5],
         second=_NO_SECOND),
    Case("BlockLSTM", [np.array(2, np.int64)] + _SEQUENCE_INPUTS[1:],
         lambda *a: _lstm_sequence(*a[:5], *[np.zeros(3)] * 3, a[8])[1::5],
         build=lambda *ts: create_op("BlockLSTM", list(ts), **dict(
             _LSTM_ATTRS, use_peephole=False)).outputs[1::5],
         wrt=(1, 2, 3, 4, 8), tag="no_peephole_2_of_3_steps", second=_NO_SECOND),
    Case("BlockLSTMGrad", _SEQUENCE_INPUTS + _SEQUENCE_ACTIVATIONS, _lstm_sequence_backprop,
         attrs={"use_peephole": True}, wrt=()),  # no gradient, as in TF
]

FEATURE_COLUMN_CASES = _feature_column_cases()

CASES = (ARRAY_CASES + MATH_UNARY_CASES + MATH_BINARY_CASES + MATH_COMPARE_CASES
         + MATH_OTHER_CASES + NN_CASES + CONV_NORM_CASES + LSTM_CASES + PARSING_CASES
         + SUMMARY_CASES + FEATURE_COLUMN_CASES)


# --- TensorFlow's tensor-input forms (ops/array/dynamic.py, for GraphDefs TF wrote) ----------
TF_GRAPH_CASES = [
    Case("BroadcastGradientArgs", [ints(4, 1, 3), ints(2, 3)],
         lambda a, b: (ints(1), ints(0)), partial_shape=True),
    Case("BroadcastGradientArgs", [ints(1, 1), ints(1)], lambda a, b: (ints(0, 1), ints(0, 1)),
         tag="ones", partial_shape=True),
    Case("ReducedShape", [ints(2, 3, 4), ints(1, -1)], lambda s, a: ints(2, 1, 1)),
    Case("DynamicSum", [rand(2, 3, 4), ints(0, 2)], lambda x, a: x.sum((0, 2)),
         attrs={"keepdims": False}, partial_shape=True),
    Case("DynamicSum", [rand(2, 3), ints(1)], lambda x, a: x.sum(1, keepdims=True),
         attrs={"keepdims": True}, partial_shape=True, tag="keepdims"),
    Case("DynamicSum", [rand(2, 3), np.zeros(0, np.int32)], lambda x, a: x,
         attrs={"keepdims": False}, partial_shape=True, tag="no_axes"),
    Case("DynamicTile", [rand(2, 3), ints(2, 1)], lambda x, m: np.tile(x, (2, 1)),
         partial_shape=True),
    Case("DynamicTile", [rand(1, 2, 3), ints(3, 1, 2)], lambda x, m: np.tile(x, (3, 1, 2)),
         partial_shape=True, tag="3d"),
    Case("DynamicMean", [rand(2, 3, 4), ints(0, 2)], lambda x, a: x.mean((0, 2)),
         attrs={"keepdims": False}, partial_shape=True),
    Case("DynamicMean", [rand(2, 3), np.int64(-1)], lambda x, a: x.mean(-1, keepdims=True),
         attrs={"keepdims": True}, partial_shape=True, tag="scalar_axis_keepdims"),
    Case("DynamicMax", [rand(2, 3, 4), ints(1)], lambda x, a: x.max(1),
         attrs={"keepdims": False}, partial_shape=True),
    Case("DynamicMin", [rand(2, 3, 4), ints(0, 2)], lambda x, a: x.min((0, 2), keepdims=True),
         attrs={"keepdims": True}, partial_shape=True),
    Case("DynamicProd", [away(2, 3), ints(1)], lambda x, a: x.prod(1),
         attrs={"keepdims": False}, partial_shape=True),
    Case("DynamicAny", [bools(2, 3), ints(1)], lambda x, a: x.any(1),
         attrs={"keepdims": False}, partial_shape=True),
    Case("DynamicAll", [bools(2, 3), ints(0, 1)], lambda x, a: x.all(),
         attrs={"keepdims": False}, partial_shape=True),
    Case("Slice", [rand(4, 5), ints(1, 2), ints(2, -1)], lambda x, b, n: x[1:3, 2:]),
    Case("Slice", [rand(2, 3, 4), np.array([0, 1, 1], np.int64), np.array([2, 0, 3], np.int64)],
         lambda x, b, n: x[:, 1:1, 1:4], tag="empty_int64"),
    Case("DynamicPad", [rand(3, 4), np.array(_PADDINGS, np.int32)],
         lambda x, p: np.pad(x, _PADDINGS, constant_values=0.5),
         attrs={"mode": "CONSTANT", "constant_values": 0.5}),
    Case("DynamicPad", [rand(3, 4), np.array(_PADDINGS, np.int32)],
         lambda x, p: np.pad(x, _PADDINGS, mode="reflect"),
         attrs={"mode": "REFLECT", "constant_values": 0}, tag="reflect"),
    Case("DynamicPad", [rand(3, 4), np.array(_PADDINGS, np.int64)],
         lambda x, p: np.pad(x, _PADDINGS, mode="symmetric"),
         attrs={"mode": "SYMMETRIC", "constant_values": 0}, tag="symmetric"),
    Case("DynamicMirrorPadGrad", [rand(6, 7), np.array(_PADDINGS, np.int32)],
         lambda dy, p: _mirror_pad_adjoint(dy, _PADDINGS, "REFLECT", (3, 4)),
         attrs={"mode": "REFLECT"}),
    Case("DynamicMirrorPadGrad", [rand(6, 7), np.array(_PADDINGS, np.int32)],
         lambda dy, p: _mirror_pad_adjoint(dy, _PADDINGS, "SYMMETRIC", (3, 4)),
         attrs={"mode": "SYMMETRIC"}, tag="symmetric"),
    Case("DynamicTranspose", [rand(2, 3, 4), ints(2, 0, 1)],
         lambda x, p: x.transpose(2, 0, 1)),
    Case("InvertPermutation", [ints(2, 0, 3, 1)], lambda p: ints(1, 3, 0, 2)),
    Case("DynamicExpandDims", [rand(2, 3), np.int32(1)], lambda x, a: x[:, None],
         partial_shape=True),
    Case("DynamicExpandDims", [rand(2, 3), ints(-1, dtype=np.int64)], lambda x, a: x[..., None],
         partial_shape=True, tag="vector_int64"),
    Case("DynamicConcatV2", [rand(2, 3), rand(2, 2), np.int32(1)],
         lambda a, b, axis: np.concatenate([a, b], 1), partial_shape=True),
    Case("DynamicConcatV2", [rand(1, 3), rand(2, 3), rand(1, 3), np.int64(-2)],
         lambda a, b, c, axis: np.concatenate([a, b, c], 0), partial_shape=True, tag="3_neg"),
    Case("DynamicSplitV", [rand(2, 5), ints(2, -1, 1), np.int32(1)],
         lambda x, s, a: (x[:, :2], x[:, 2:4], x[:, 4:]), attrs={"num_split": 3},
         partial_shape=True),
    Case("DynamicSplitV", [rand(3, 2), ints(1, 2, dtype=np.int64), np.int32(-2)],
         lambda x, s, a: (x[:1], x[1:]), attrs={"num_split": 2}, partial_shape=True,
         tag="int64_neg"),
    Case("DynamicSplit", [np.int32(0), rand(4, 3)], lambda a, x: (x[:2], x[2:]),
         attrs={"num_split": 2}, partial_shape=True),
    Case("DynamicGatherV2", [rand(3, 4, 2), ints(3, 0, 3), np.int32(1)],
         lambda p, i, a: p[:, [3, 0, 3]], partial_shape=True),
    Case("DynamicGatherV2", [rand(2, 4), ints([1, 3], [1, 0]), np.int64(-1)],
         lambda p, i, a: p[:, i], partial_shape=True, tag="2d_indices_neg"),
    Case("DynamicGatherV2", [rand(4, 3), ints(2, 0), np.int32(0)],
         lambda p, i, a: p[[2, 0]], partial_shape=True, tag="axis0"),
    Case("DynamicArgMax", [rand(3, 4), np.int32(1)], lambda x, a: np.argmax(x, 1),
         attrs={"output_type": tf.int64}, partial_shape=True),
    Case("DynamicArgMin", [rand(3, 4), np.int64(-2)],
         lambda x, a: np.argmin(x, 0).astype(np.int32), attrs={"output_type": tf.int32},
         partial_shape=True),
    Case("DynamicTopKV2", [rand(2, 5), np.int32(3)], lambda x, k: _top_k(x, 3),
         attrs={"sorted": True}, partial_shape=True),
    Case("DynamicStridedSlice", [rand(4, 6), ints(1, 5), ints(0, 0), ints(2, -2)],
         lambda x, b, e, s: x[1::2, 5::-2], attrs=_masks(end_mask=1, end_mask_1=1)),
    Case("DynamicStridedSlice", [rand(4, 5, 3), ints(0, 0, 2, 1), ints(0, 0, 3, 0),
                                 ints(1, 1, 1, 1)],
         lambda x, b, e, s: x[None, ..., 2, 1:], partial_shape=True,
         attrs=_masks(new_axis_mask=1, ellipsis_mask=2, shrink_axis_mask=4, end_mask=8),
         tag="newaxis_ellipsis_shrink"),
    Case("DynamicStridedSliceGrad", [ints(4, 6), ints(1, 5), ints(0, 0), ints(2, -2),
                                     rand(2, 3)],
         lambda sh, b, e, st, dy: _scatter_slice(sh, dy, (slice(1, None, 2),
                                                          slice(5, None, -2))),
         attrs=_masks(end_mask=1, end_mask_1=1), wrt=(4,)),
]

CASES = CASES + TF_GRAPH_CASES


# --- the other families, one module each (tests/ops/op_cases_<family>.py) -------------------
FAMILIES = [importlib.import_module(path.stem) for path in
            sorted(pathlib.Path(__file__).parent.glob("op_cases_*.py"))]
CASES = CASES + [case for family in FAMILIES for case in getattr(family, "CASES", [])]
FAMILY_RANDOM_CASES = {op_type: row for family in FAMILIES
                       for op_type, row in getattr(family, "RANDOM_CASES", {}).items()}
FAMILY_SESSION_CASES = {op_type: check for family in FAMILIES
                        for op_type, check in getattr(family, "SESSION_CASES", {}).items()}
