"""Op table rows of the gather/scatter, segment, cumulative, counting, partitioning and sorting
op types (tensorweave/ops/scatter_ops.py, segment_ops.py, counting_ops.py, sort_ops.py) and
session checks of the variable scatter updates (ops/state_ops.py)."""
import bisect

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import state_ops

from op_case import Case, away, ints, pos, rand


# --- NumPy references, written with loops ----------------------------------------------------
def _gather_nd(params, indices):
    rows = indices.reshape(int(np.prod(indices.shape[:-1])), indices.shape[-1])
    picked = [params[tuple(r)] for r in rows]
    return np.array(picked).reshape(indices.shape[:-1] + params.shape[indices.shape[-1]:])


def _scatter_nd(indices, updates, shape, start=None, how="add"):
    out = np.zeros(tuple(shape), updates.dtype) if start is None else np.array(start)
    depth = indices.shape[-1]
    rows = indices.reshape(-1, depth)
    pieces = updates.reshape((len(rows),) + out.shape[depth:])
    for r, u in zip(rows, pieces):
        key = tuple(r)
        if how == "add":
            out[key] = out[key] + u
        elif how == "sub":
            out[key] = out[key] - u
        elif how == "min":
            out[key] = np.minimum(out[key], u)
        elif how == "max":
            out[key] = np.maximum(out[key], u)
        else:
            out[key] = u
    return out


def _segments(data, ids, rows, reduce, empty):
    out = []
    for s in range(rows):
        members = [data[i] for i in range(len(ids)) if ids[i] == s]
        out.append(reduce(np.array(members), axis=0) if members else
                   np.full(data.shape[1:], empty, data.dtype))
    return np.array(out).reshape((rows,) + data.shape[1:])


def _sorted_rows(ids):
    return int(ids[-1]) + 1 if len(ids) else 0


def _scan(x, axis, combine, identity, exclusive=False, reverse=False):
    x = np.moveaxis(x, axis, 0)
    out = np.empty_like(x)
    n = x.shape[0]
    for j in range(n):
        span = range(j + 1 if exclusive else j, n) if reverse else range(0, j if exclusive
                                                                          else j + 1)
        acc = np.full(x.shape[1:], identity, x.dtype)
        for k in span:
            acc = combine(acc, x[k])
        out[j] = acc
    return np.moveaxis(out, 0, axis)


def _bincount(arr, size, weights):
    out = np.zeros(int(size), weights.dtype)
    for k, a in enumerate(arr.reshape(-1)):
        if a < size:
            out[a] += weights.reshape(-1)[k] if weights.size else 1
    return out


def _histogram(values, value_range, nbins):
    lo, hi = value_range
    out = np.zeros(int(nbins), np.int32)
    for v in values.reshape(-1):
        out[min(max(int(np.floor((v - lo) / (hi - lo) * nbins)), 0), nbins - 1)] += 1
    return out


def _unique(x, counts=False):
    seen = {}
    for v in x.tolist():
        seen.setdefault(v, len(seen))
    y = np.array(list(seen), x.dtype)
    idx = np.array([seen[v] for v in x.tolist()], np.int32)
    if not counts:
        return y, idx
    return y, idx, np.array([x.tolist().count(v) for v in seen], np.int32)


def _stitch(*arrays):
    n = len(arrays) // 2
    found = {}
    for i, d in zip(arrays[:n], arrays[n:]):
        for j, k in enumerate(i.reshape(-1).tolist()):
            found[k] = d.reshape((i.size,) + d.shape[i.ndim:])[j]
    return np.array([found[k] for k in range(max(found) + 1)])


def _bounds(sorted_inputs, values, side):
    find = bisect.bisect_left if side == "left" else bisect.bisect_right
    return np.array([[find(list(s), v) for v in row] for s, row in zip(sorted_inputs, values)],
                    np.int32)


# --- rows ------------------------------------------------------------------------------------
_PROD_ZERO = "a zero entry makes the gradient's gradient 0 * inf (TF's formula divides by x)"
_DATA = rand(5, 3)
_TENSOR = rand(4, 3)
_UPDATES = away(2, 3)
_ROWS = ints([2], [0])

CASES = [
    Case("GatherNd", [rand(3, 4), ints([0, 1], [2, 3], [2, 1])], _gather_nd),
    Case("GatherNd", [rand(3, 4, 2), ints([[1], [0]], [[2], [2]])], _gather_nd, tag="slices"),
    Case("GatherNd", [rand(2, 3), np.zeros((2, 0), np.int32)], _gather_nd, tag="depth0"),
    Case("ScatterNd", [ints([0], [2], [0]), rand(3, 2), ints(4, 2)], _scatter_nd),
    Case("ScatterNd", [ints([1, 0], [0, 2]), rand(2), ints(2, 3, dtype=np.int32)], _scatter_nd,
         tag="elements"),
    Case("TensorScatterUpdate", [_TENSOR, _ROWS, _UPDATES],
         lambda t, i, u: _scatter_nd(i, u, None, t, "update")),
    Case("TensorScatterAdd", [_TENSOR, ints([2], [0], [2]), rand(3, 3)],
         lambda t, i, u: _scatter_nd(i, u, None, t, "add")),
    Case("TensorScatterSub", [_TENSOR, ints([1, 1], [3, 0]), rand(2)],
         lambda t, i, u: _scatter_nd(i, u, None, t, "sub")),
    Case("TensorScatterMin", [_TENSOR, _ROWS, _UPDATES],
         lambda t, i, u: _scatter_nd(i, u, None, t, "min")),
    Case("TensorScatterMax", [_TENSOR, _ROWS, _UPDATES],
         lambda t, i, u: _scatter_nd(i, u, None, t, "max")),
    # sorted segments: the number of segments is known only at run time
    Case("SegmentSum", [_DATA, ints(0, 0, 1, 3, 3)],
         lambda d, i: _segments(d, i, 4, np.sum, 0), partial_shape=True),
    Case("SegmentMean", [_DATA, ints(0, 0, 1, 3, 3)],
         lambda d, i: _segments(d, i, 4, np.mean, 0), partial_shape=True),
    Case("SegmentMax", [_DATA, ints(0, 0, 1, 3, 3)],
         lambda d, i: _segments(d, i, 4, np.max, 0), partial_shape=True),
    Case("SegmentMin", [_DATA, ints(0, 0, 1, 3, 3)],
         lambda d, i: _segments(d, i, 4, np.min, 0), partial_shape=True),
    Case("SegmentProd", [_DATA, ints(0, 0, 1, 3, 3)],
         lambda d, i: _segments(d, i, 4, np.prod, 1), partial_shape=True),
    Case("SegmentProd", [np.array([[1.5, 0.0], [0.7, -1.2], [0.0, 0.0], [2.0, 0.9]]),
                         ints(0, 0, 1, 1)],
         lambda d, i: _segments(d, i, 2, np.prod, 1), partial_shape=True, tag="zeros",
         second=_PROD_ZERO),
    Case("UnsortedSegmentMax", [_DATA, ints(2, 0, -1, 1, 0), np.int32(3)],
         lambda d, i, n: _segments(d, i, 3, np.max, None)),
    Case("UnsortedSegmentMax", [_DATA, ints(2, 0, -1, 2, 0), np.int32(4)],
         lambda d, i, n: _segments(d, i, 4, np.max, np.finfo(d.dtype).min), tag="empty",
         wrt=(), float32=False),
    Case("UnsortedSegmentMin", [rand(2, 3, 2), ints([1, 0, 1], [2, 0, 1]), np.int32(3)],
         lambda d, i, n: _segments(d.reshape(6, 2), i.reshape(6), 3, np.min, None)),
    Case("UnsortedSegmentMin", [ints(4, -2, 7), ints(0, 2, 0), np.int32(3)],
         lambda d, i, n: _segments(d, i, 3, np.min, np.iinfo(np.int32).max), tag="int_empty"),
    Case("UnsortedSegmentProd", [_DATA, ints(2, 0, -1, 2, 0), np.int32(3)],
         lambda d, i, n: _segments(d, i, 3, np.prod, 1)),
    Case("UnsortedSegmentProd", [np.array([1.5, 0.0, 0.7, 0.0, 0.0, 2.0]),
                                 ints(0, 0, 1, 1, 1, 2), np.int32(3)],
         lambda d, i, n: _segments(d, i, 3, np.prod, 1), tag="zeros", second=_PROD_ZERO),
    Case("SparseSegmentSum", [_DATA, ints(4, 0, 4, 2), ints(0, 0, 2, 2)],
         lambda d, i, s: _segments(d[i], s, 3, np.sum, 0), partial_shape=True),
    Case("SparseSegmentMean", [_DATA, ints(4, 0, 4, 2), ints(0, 0, 0, 2)],
         lambda d, i, s: _segments(d[i], s, 3, np.mean, 0), partial_shape=True),
    Case("SparseSegmentSqrtN", [_DATA, ints(4, 0, 4, 2), ints(0, 0, 0, 2)],
         lambda d, i, s: _segments(d[i], s, 3, np.sum, 0) /
         np.sqrt(np.maximum(np.bincount(s, minlength=3), 1))[:, None], partial_shape=True),
    Case("SparseSegmentSumWithNumSegments", [_DATA, ints(4, 0, 1), ints(0, 2, 2), np.int32(4)],
         lambda d, i, s, n: _segments(d[i], s, 4, np.sum, 0)),
    Case("SparseSegmentMeanWithNumSegments", [_DATA, ints(4, 0, 1), ints(0, 2, 2),
                                              np.int32(4)],
         lambda d, i, s, n: _segments(d[i], s, 4, np.mean, 0)),
    Case("SparseSegmentSqrtNWithNumSegments", [_DATA, ints(4, 0, 1), ints(0, 2, 2),
                                               np.int32(3)],
         lambda d, i, s, n: _segments(d[i], s, 3, np.sum, 0) /
         np.sqrt(np.maximum(np.bincount(s, minlength=3), 1))[:, None]),
    # cumulative
    Case("Cumsum", [rand(3, 4), np.int32(1)],
         lambda x, a: _scan(x, 1, np.add, 0), attrs={"exclusive": False, "reverse": False}),
    Case("Cumsum", [rand(3, 4), np.int32(0)],
         lambda x, a: _scan(x, 0, np.add, 0, True, True), attrs={"exclusive": True,
                                                                 "reverse": True},
         tag="exclusive_reverse"),
    Case("Cumsum", [ints(1, 2, 3), np.int32(-1)], lambda x, a: _scan(x, 0, np.add, 0, True),
         attrs={"exclusive": True, "reverse": False}, tag="int"),
    Case("Cumprod", [away(3, 4), np.int32(1)],
         lambda x, a: _scan(x, 1, np.multiply, 1), attrs={"exclusive": False,
                                                          "reverse": False}),
    Case("Cumprod", [away(2, 3), np.int32(1)],
         lambda x, a: _scan(x, 1, np.multiply, 1, True, True),
         attrs={"exclusive": True, "reverse": True}, tag="exclusive_reverse"),
    Case("CumulativeLogsumexp", [rand(2, 4), np.int32(1)],
         lambda x, a: _scan(x, 1, np.logaddexp, -np.inf),
         attrs={"exclusive": False, "reverse": False}),
    Case("CumulativeLogsumexp", [rand(4, 2), np.int32(0)],
         lambda x, a: _scan(x, 0, np.logaddexp, -np.inf, False, True),
         attrs={"exclusive": False, "reverse": True}, tag="reverse"),
    # counting
    Case("Bincount", [ints(1, 1, 3, 6), np.int32(5), np.zeros(0, np.int32)],
         lambda a, s, w: _bincount(a, s, w)),
    Case("Bincount", [ints([1, 0], [4, 1]), np.int32(6), pos(2, 2)],
         lambda a, s, w: _bincount(a, s, w), tag="weights", wrt=()),
    Case("HistogramFixedWidth", [np.array([-1.0, 0.0, 1.5, 2.0, 5.0, 15.0, 4.99]),
                                 np.array([0.0, 5.0]), np.int32(5)],
         lambda v, r, n: _histogram(v, r, 5), attrs={"dtype": tf.int32}),
    Case("DynamicPartition", [rand(5, 2), ints(1, 0, 2, 1, 1)],
         lambda d, p: tuple(d[p == k] for k in range(3)), attrs={"num_partitions": 3},
         partial_shape=True),
    Case("DynamicPartition", [rand(2, 3, 2), ints([1, 0, 1], [0, 0, 1])],
         lambda d, p: tuple(d.reshape(6, 2)[p.reshape(6) == k] for k in range(2)),
         attrs={"num_partitions": 2}, partial_shape=True, tag="rank2"),
    Case("DynamicStitch", [ints(0, 3), ints([1], [2]), rand(2, 3), rand(2, 1, 3)], _stitch,
         attrs={"N": 2}),
    # TF's gradient gathers for every piece, also the overwritten rows: checked on the last
    Case("DynamicStitch", [ints(0, 1, 2), ints(1), rand(3, 2), rand(1, 2)], _stitch,
         attrs={"N": 2}, tag="overwrite", wrt=(3,)),
    Case("ParallelDynamicStitch", [ints(2, 0), ints(1), rand(2, 2), rand(1, 2)], _stitch,
         attrs={"N": 2}),
    Case("Unique", [ints(3, 1, 3, 2, 1)], _unique, attrs={"out_idx": tf.int32},
         partial_shape=True),
    Case("Unique", [np.array([2.5, -1.0, 2.5])],
         lambda x: (_unique(x)[0], _unique(x)[1].astype(np.int64)),
         attrs={"out_idx": tf.int64}, partial_shape=True, tag="int64"),
    Case("UniqueWithCounts", [ints(3, 1, 3, 2, 1)], lambda x: _unique(x, True),
         attrs={"out_idx": tf.int32}, partial_shape=True),
    Case("ListDiff", [ints(1, 2, 3, 4, 2), ints(2, 5)],
         lambda x, y: (x[~np.isin(x, y)], np.nonzero(~np.isin(x, y))[0].astype(np.int32)),
         attrs={"out_idx": tf.int32}, partial_shape=True),
    Case("LowerBound", [np.array([[1.0, 2.0, 2.0, 3.0], [0.0, 1.0, 5.0, 9.0]]),
                        np.array([[2.0, 0.5, 3.5], [9.0, 5.0, -1.0]])],
         lambda s, v: _bounds(s, v, "left"), attrs={"out_type": tf.int32}),
    Case("UpperBound", [np.array([[1.0, 2.0, 2.0, 3.0], [0.0, 1.0, 5.0, 9.0]]),
                        np.array([[2.0, 0.5, 3.5], [9.0, 5.0, -1.0]])],
         lambda s, v: _bounds(s, v, "right").astype(np.int64), attrs={"out_type": tf.int64}),
]


# --- variable scatter updates, through sessions ----------------------------------------------
_V = np.arange(12, dtype=np.float64).reshape(4, 3) + 1.0

_ROW_UPDATES = {  # op type: (builder, indices, updates, expected new value)
    "ScatterUpdate": (state_ops.scatter_update, [2, 0], [[9.0] * 3, [8.0] * 3],
                      lambda v: np.vstack([[8.0] * 3, v[1], [9.0] * 3, v[3]])),
    "ScatterAdd": (state_ops.scatter_add, [1, 1, 3], np.ones((3, 3)),
                   lambda v: v + np.array([[0], [2], [0], [1]])),
    "ScatterSub": (state_ops.scatter_sub, [0, 0], np.full((2, 3), 0.5),
                   lambda v: v - np.array([[1.0], [0], [0], [0]])),
    "ScatterMul": (state_ops.scatter_mul, [3, 3], np.full((2, 3), 2.0),
                   lambda v: v * np.array([[1], [1], [1], [4.0]])),
    "ScatterDiv": (state_ops.scatter_div, [2], np.full((1, 3), 4.0),
                   lambda v: v / np.array([[1], [1], [4.0], [1]])),
    "ScatterMin": (state_ops.scatter_min, [1, 2], np.full((2, 3), 8.0),
                   lambda v: np.minimum(v, np.array([[np.inf], [8], [8], [np.inf]]))),
    "ScatterMax": (state_ops.scatter_max, [1, 2], np.full((2, 3), 8.0),
                   lambda v: np.maximum(v, np.array([[-np.inf], [8], [8], [-np.inf]]))),
    "ScatterNdUpdate": (state_ops.scatter_nd_update, [[0, 1], [3, 2]], [-1.0, -2.0],
                        lambda v: _scatter_nd(np.array([[0, 1], [3, 2]]),
                                              np.array([-1.0, -2.0]), None, v, "update")),
    "ScatterNdAdd": (state_ops.scatter_nd_add, [[1], [1]], np.ones((2, 3)),
                     lambda v: v + np.array([[0], [2], [0], [0]])),
    "ScatterNdSub": (state_ops.scatter_nd_sub, [[2, 2]], [5.0],
                     lambda v: v - np.array([[0, 0, 0], [0, 0, 0], [0, 0, 5], [0, 0, 0.0]])),
}


def _check_scatter(op_type):
    builder, indices, updates, expected = _ROW_UPDATES[op_type]
    nd = op_type.startswith("ScatterNd")

    def check():
        graph = tf.Graph()
        with graph.as_default():
            v = tf.Variable(_V, name="v")
            out = builder(v, indices, updates)
            bad = builder(v, [[7, 0]] if nd else [0, 7], np.ones((1,) if nd else (2, 3)))
            v32 = tf.Variable(_V.astype(np.float32), name="v32")
            out32 = builder(v32, indices, np.asarray(updates, np.float32))
        assert out.op.type == op_type and out.op.inputs[0].op.type == "VariableV2"
        assert out.dtype is tf.float64 and out.shape.as_list() == [4, 3]
        assert out.op.get_attr("use_locking") is True
        with tf.Session(graph=graph) as sess:
            sess.run(tf.variables_initializer([v, v32]))
            first = sess.run(out)
            np.testing.assert_allclose(first, expected(_V))
            np.testing.assert_allclose(sess.run(v), first)  # the variable changed in place
            if op_type not in ("ScatterUpdate", "ScatterNdUpdate", "ScatterMin", "ScatterMax"):
                second = sess.run(out)  # applied again on the new value
                assert not np.allclose(second, first)
            got32 = sess.run(out32)
            assert got32.dtype == np.float32
            np.testing.assert_allclose(got32, expected(_V), rtol=1e-6)
            message = r"indices\[0\] = \[7, 0\] does not index into shape \[4,3\]" if nd else \
                r"indices\[1\] = 7 is not in \[0, 4\)"
            with pytest.raises(tf.errors.InvalidArgumentError, match=message):
                sess.run(bad)
    return check


def _check_count_up_to():
    graph = tf.Graph()
    with graph.as_default():
        v = tf.Variable(1, name="counter")
        out = state_ops.count_up_to(v, 3)
    assert out.op.type == "CountUpTo" and out.dtype is tf.int32 and out.shape.as_list() == []
    with tf.Session(graph=graph) as sess:
        sess.run(v.initializer)
        assert [int(sess.run(out)) for _ in range(2)] == [1, 2]
        assert int(sess.run(v)) == 3
        with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 3"):
            sess.run(out)
    with graph.as_default(), pytest.raises(TypeError, match="int32 or int64"):
        state_ops.count_up_to(tf.Variable(1.0), 3)


SESSION_CASES = {op_type: _check_scatter(op_type) for op_type in _ROW_UPDATES}
SESSION_CASES["CountUpTo"] = _check_count_up_to
