"""Op table rows for sparse ops (tensorweave/ops/sparse_ops.py and the sparse_*_ops families).

The references below are plain NumPy/Python written from TF's documented semantics; the
numbers TensorFlow itself gives are checked in tests/test_sparse_ops.py against a fixture.
"""
import numpy as np

from op_case import Case, ints, rand

import tensorweave as tw
from tensorweave.core.graph import create_op


def _scatter(indices, shape, values, default):
    out = np.full(tuple(shape), default, dtype=values.dtype)
    out[tuple(np.asarray(indices).T)] = values
    return out


def _dense(indices, values, shape):
    return _scatter(indices, shape, values, np.zeros((), values.dtype))


_INDICES = np.array([[0, 1], [1, 0], [2, 3]], np.int64)
_I64 = np.int64

# Two sorted SparseTensors of shape [3, 4] sharing the entries [0, 1] and [2, 3].
_A_IND = np.array([[0, 1], [1, 2], [2, 3]], _I64)
_B_IND = np.array([[0, 1], [0, 3], [2, 0], [2, 3]], _I64)
_SHAPE = np.array([3, 4], _I64)
_A_VAL, _B_VAL = rand(3), rand(4)
_UNSORTED = np.array([[2, 1], [0, 3], [1, 0], [0, 0]], _I64)
_IND3 = np.array([[0, 0, 1], [0, 2, 0], [1, 1, 1], [1, 2, 0], [1, 2, 1]], _I64)
_SHAPE3 = np.array([2, 3, 2], _I64)


def _keys(indices):
    return [tuple(r) for r in np.asarray(indices).tolist()]


def _sparse_add_ref(ai, av, ash, bi, bv, bsh, thresh):
    total = {}
    for k, v in zip(_keys(ai), av):
        total[k] = total.get(k, 0) + v
    shared = set(_keys(ai)) & set(_keys(bi))
    for k, v in zip(_keys(bi), bv):
        total[k] = total.get(k, 0) + v
    kept = sorted(k for k in total if k not in shared or abs(total[k]) >= thresh)
    return (np.array(kept, _I64).reshape(-1, 2), np.array([total[k] for k in kept], av.dtype),
            ash)


def _sparse_add_grad_ref(grad, ai, bi, si):
    where = {k: i for i, k in enumerate(_keys(si))}
    return tuple(np.array([grad[where[k]] if k in where else 0.0 for k in _keys(ind)],
                          grad.dtype) for ind in (ai, bi))


def _extreme_ref(combine):
    def ref(ai, av, ash, bi, bv, bsh):
        a, b = dict(zip(_keys(ai), av)), dict(zip(_keys(bi), bv))
        keys = sorted(set(a) | set(b))
        return (np.array(keys, _I64).reshape(-1, 2),
                np.array([combine(a.get(k, 0.0), b.get(k, 0.0)) for k in keys], av.dtype))
    return ref


def _reduce_ref(kind, sparse):
    def ref(indices, values, shape, axes, keep_dims=False):
        dense = _dense(indices, values, shape)
        present = _scatter(indices, shape, np.ones(len(values), bool), False)
        axes = tuple(int(a) % len(shape) for a in np.atleast_1d(axes))
        if kind == "sum":
            out = dense.sum(axis=axes, keepdims=keep_dims)
        else:
            masked = np.where(present, dense, -np.inf)
            out = masked.max(axis=axes, keepdims=keep_dims)
            out = np.where(np.isinf(out), 0.0, out).astype(values.dtype)
        if not sparse:
            return out
        any_present = present.any(axis=axes, keepdims=keep_dims)
        where = np.argwhere(any_present)
        return where.astype(_I64), out[any_present], np.array(out.shape, _I64)
    return ref


def _softmax_ref(indices, values, shape):
    out = np.empty_like(values)
    rows = {}
    for i, k in enumerate(_keys(indices)):
        rows.setdefault(k[:-1], []).append(i)
    for members in rows.values():
        e = np.exp(values[members] - values[members].max())
        out[members] = e / e.sum()
    return out


def _matmul_ref(adjoint_a, adjoint_b):
    def ref(indices, values, shape, b):
        a = _dense(indices, values, shape)
        a = a.conj().T if adjoint_a else a
        return a @ (b.conj().T if adjoint_b else b)
    return ref


def _cwise_ref(combine):
    def ref(indices, values, shape, dense):
        full = np.broadcast_to(dense, tuple(shape))
        return combine(values, full[tuple(indices.T)])
    return ref


def _concat_ref(axis):
    def ref(i1, i2, v1, v2, s1, s2):
        moved = np.array(i2, copy=True)
        moved[:, axis] += s1[axis]
        indices = np.concatenate([i1, moved])
        order = sorted(range(len(indices)), key=lambda i: tuple(indices[i]))
        shape = np.array(s1, copy=True)
        shape[axis] += s2[axis]
        return indices[order], np.concatenate([v1, v2])[order], shape
    return ref


def _fill_ref(indices, values, shape, default):
    out_ind, out_val, reverse = [], [], np.zeros(len(indices), _I64)
    empty = np.ones(shape[0], bool)
    for row in range(shape[0]):
        members = [i for i in range(len(indices)) if indices[i, 0] == row]
        if not members:
            out_ind.append([row] + [0] * (len(shape) - 1))
            out_val.append(default)
        for i in members:
            empty[row] = False
            reverse[i] = len(out_ind)
            out_ind.append(list(indices[i]))
            out_val.append(values[i])
    return np.array(out_ind, _I64), np.array(out_val, values.dtype), empty, reverse


def _fill_grad_ref(reverse, grad):
    unused = np.setdiff1d(np.arange(len(grad)), reverse)
    return grad[reverse], np.asarray(grad[unused].sum(), grad.dtype)


def _reorder_ref(indices, values, shape):
    order = sorted(range(len(indices)), key=lambda i: tuple(indices[i]))
    return indices[order], values[order]


def _reshape_ref(indices, shape, new_shape):
    new_shape = np.array(new_shape, copy=True)
    if -1 in new_shape:
        new_shape[new_shape == -1] = np.prod(shape) // -np.prod(new_shape)
    flat = np.ravel_multi_index(indices.T, tuple(shape))
    return np.stack(np.unravel_index(flat, tuple(new_shape)), 1).astype(_I64), new_shape


def _slice_ref(indices, values, shape, start, size):
    end = np.minimum(start + size, shape)
    kept = np.all((indices >= start) & (indices < end), axis=1)
    return indices[kept] - start, values[kept], np.maximum(end - start, 0)


def _slice_grad_ref(grad, input_indices, start, output_indices):
    where = {k: i for i, k in enumerate(_keys(output_indices + start))}
    return np.array([grad[where[k]] if k in where else 0.0 for k in _keys(input_indices)],
                    grad.dtype)


def _split_ref(num_split):
    def ref(split_dim, indices, values, shape):
        size = shape[split_dim]
        sizes = [size // num_split + (i < size % num_split) for i in range(num_split)]
        parts, begin = [], 0
        for s in sizes:
            kept = (indices[:, split_dim] >= begin) & (indices[:, split_dim] < begin + s)
            moved = indices[kept].copy()
            moved[:, split_dim] -= begin
            part_shape = shape.copy()
            part_shape[split_dim] = s
            parts.append((moved, values[kept], part_shape))
            begin += s
        return tuple(p[0] for p in parts) + tuple(p[1] for p in parts) + \
            tuple(p[2] for p in parts)
    return ref


def _levenshtein(a, b):
    d = np.arange(len(b) + 1)
    for i, x in enumerate(a, 1):
        previous, d = d, np.concatenate([[i], np.zeros(len(b), int)])
        for j, y in enumerate(b, 1):
            d[j] = min(previous[j] + 1, d[j - 1] + 1, previous[j - 1] + (x != y))
    return d[-1]


def _edit_distance_ref(normalize):
    def ref(hi, hv, hs, ti, tv, ts):
        shape = np.maximum(hs[:-1], ts[:-1])
        out = np.zeros(shape, np.float32)
        for key in np.ndindex(*shape):
            h = [v for k, v in zip(_keys(hi), hv) if k[:-1] == key]
            t = [v for k, v in zip(_keys(ti), tv) if k[:-1] == key]
            d = _levenshtein(h, t)
            out[key] = (d / len(t) if t else (np.inf if h else 0)) if normalize else d
        return out
    return ref


def _serialized(indices, values, shape):
    """TensorProto bytes as TensorFlow writes them (dtype, shape, tensor_content)."""
    def proto(array, enum):
        dims = b"".join(b"\x12\x02\x08" + bytes([d]) if d else b"\x12\x00"
                        for d in array.shape)
        content = array.astype(array.dtype.newbyteorder("<")).tobytes()
        return (b"\x08" + bytes([enum]) + b"\x12" + bytes([len(dims)]) + dims +
                (b'"' + bytes([len(content)]) + content if content else b""))
    return np.array([proto(indices, 9), proto(values, 1 if values.dtype == np.float32 else 2),
                     proto(shape, 9)], object)


def _serialize_many_ref(indices, values, shape):
    rows = [_serialized(indices[indices[:, 0] == r][:, 1:], values[indices[:, 0] == r],
                        shape[1:]) for r in range(shape[0])]
    return np.stack(rows)


def _deserialize_build(serialized):
    return create_op("DeserializeManySparse", [serialized], dtype=tw.float64).outputs


_SERIALIZED = _serialize_many_ref(_IND3, np.arange(5.0), _SHAPE3)
_SMALL_SERIALIZED = _serialized(np.array([[1, 0], [4, 1]], _I64), np.array([7.0, 8.0]),
                                np.array([5, 2], _I64))


def _deserialize_ref(serialized):
    return (np.concatenate([_IND3, [[2, 1, 0], [2, 4, 1]]]), np.array([0, 1, 2, 3, 4, 7, 8.0]),
            np.array([3, 5, 2], _I64))


# A row of the op table that builds an op of several outputs.
def _outputs(op_type, **attrs):
    return lambda *t: create_op(op_type, list(t), **attrs).outputs


_CROSS_A = (np.array([[0, 0], [0, 1], [1, 0], [1, 1]], _I64),
            np.array([b"a", b"b", b"c", b"d"], object), np.array([3, 2], _I64))
_CROSS_B = (np.array([[0, 0], [0, 1], [1, 0]], _I64), ints(1, 2, 3, dtype=_I64),
            np.array([3, 4], _I64))
_CROSS_INPUTS = [_CROSS_A[0], _CROSS_B[0], _CROSS_A[1], _CROSS_B[1], _CROSS_A[2], _CROSS_B[2],
                 np.array([[b"x", b"y"], [b"z", b"w"], [b"u", b"v"]], object)]


def _cross_ref(separator):
    def ref(ai, bi, av, bv, ash, bsh, dense, *sep):
        rows = []
        for r in range(3):
            left = [v for i, v in zip(ai[:, 0], av) if i == r]
            mid = [str(v).encode() for i, v in zip(bi[:, 0], bv) if i == r]
            rows.append([separator.join([x, y, z]) for x in left for y in mid for z in dense[r]])
        indices = [(r, k) for r in range(3) for k in range(len(rows[r]))]
        return (np.array(indices, _I64).reshape(-1, 2),
                np.array([v for row in rows for v in row], object),
                np.array([3, max(len(row) for row in rows)], _I64))
    return ref


def _count_ref(rows_of, minlength, maxlength, binary):
    def ref(*inputs):
        rows, values, weights, batch, rank = rows_of(*inputs)
        out = {}
        for r, v, w in zip(rows, values, weights if weights.size else np.ones(len(values))):
            if maxlength <= 0 or v < maxlength:
                out[(r, v)] = 1 if binary else out.get((r, v), 0) + w
        keys = sorted(out)
        size = maxlength if maxlength > 0 else max([v + 1 for _, v in keys] + [minlength])
        dtype = weights.dtype if weights.size else values.dtype
        indices = np.array(keys, _I64).reshape(-1, 2)
        return (indices if rank == 2 else indices[:, 1:], np.array([out[k] for k in keys],
                                                                   dtype),
                np.array([batch, size] if rank == 2 else [size], _I64))
    return ref


def _dense_rows(values, weights):
    rows = np.repeat(np.arange(len(values)), values.shape[1]) if values.ndim == 2 else \
        np.zeros(len(values), int)
    return rows, values.reshape(-1), weights.reshape(-1), len(values), values.ndim


_HYP = (np.array([[0, 0, 0], [0, 0, 1], [1, 0, 0], [1, 1, 0]], _I64), ints(1, 2, 3, 5),
        np.array([2, 2, 2], _I64))
_TRUTH = (np.array([[0, 0, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0], [1, 1, 1]], _I64),
          ints(1, 3, 4, 5, 6), np.array([3, 2, 2], _I64))

CASES = [
    Case("SparseToDense", [_INDICES, ints(3, 4, dtype=np.int64), rand(3), np.float64(0.5)],
         _scatter, attrs={"validate_indices": True}),
    Case("SparseToDense", [ints(0, 2, dtype=np.int32), ints(4), rand(2), np.float64(-1.0)],
         lambda i, s, v, d: _scatter(i[:, None], s, v, d), attrs={"validate_indices": False},
         tag="vector_indices"),
    # SparseAdd: the shared entry [2, 3] sums below the threshold and is dropped; [0, 1] is kept
    Case("SparseAdd", [_A_IND, np.array([1.0, 0.5, 0.7]), _SHAPE, _B_IND,
                       np.array([1.5, -1.0, 2.0, -0.75]), _SHAPE, np.float64(0.1)],
         _sparse_add_ref, build=_outputs("SparseAdd"), wrt=(1, 4), partial_shape=True),
    Case("SparseAdd", [_A_IND, _A_VAL, _SHAPE, _B_IND, _B_VAL, _SHAPE, np.float64(0.0)],
         _sparse_add_ref, build=_outputs("SparseAdd"), wrt=(1, 4), partial_shape=True,
         tag="no_threshold"),
    Case("SparseAddGrad", [rand(5), _A_IND, _B_IND, np.array([[0, 1], [0, 3], [1, 2], [2, 0],
                                                              [2, 3]], _I64)],
         _sparse_add_grad_ref, build=_outputs("SparseAddGrad")),
    Case("SparseTensorDenseAdd", [_A_IND, _A_VAL, _SHAPE, rand(3, 4)],
         lambda i, v, s, b: b + _dense(i, v, s)),
    Case("SparseReduceSum", [_IND3, rand(5), _SHAPE3, ints(1)], _reduce_ref("sum", False),
         attrs={"keep_dims": False}),
    Case("SparseReduceSum", [_IND3, rand(5), _SHAPE3, ints(0, -1)],
         lambda *a: _reduce_ref("sum", False)(*a, keep_dims=True), attrs={"keep_dims": True},
         tag="keep_dims"),
    Case("SparseReduceSumSparse", [_IND3, rand(5), _SHAPE3, ints(2)],
         _reduce_ref("sum", True), attrs={"keep_dims": False},
         build=_outputs("SparseReduceSumSparse", keep_dims=False), partial_shape=True),
    Case("SparseReduceMax", [_IND3, rand(5), _SHAPE3, ints(2)], _reduce_ref("max", False),
         attrs={"keep_dims": False}),
    Case("SparseReduceMaxSparse", [_IND3, rand(5), _SHAPE3, ints(0)],
         lambda *a: _reduce_ref("max", True)(*a, keep_dims=True),
         build=_outputs("SparseReduceMaxSparse", keep_dims=True), partial_shape=True),
    Case("SparseSoftmax", [_IND3, rand(5), _SHAPE3], _softmax_ref),
    Case("SparseTensorDenseMatMul", [_UNSORTED, rand(4), np.array([3, 4], _I64), rand(4, 2)],
         _matmul_ref(False, False), attrs={"adjoint_a": False, "adjoint_b": False}),
    Case("SparseTensorDenseMatMul", [_UNSORTED, rand(4), np.array([3, 4], _I64), rand(2, 3)],
         _matmul_ref(True, True), attrs={"adjoint_a": True, "adjoint_b": True},
         tag="adjoint"),
    Case("SparseTensorDenseMatMul", [_A_IND, rand(3), _SHAPE, rand(2, 4)],
         _matmul_ref(False, True), attrs={"adjoint_a": False, "adjoint_b": True},
         tag="adjoint_b"),
    Case("SparseSparseMaximum", [_A_IND, _A_VAL, _SHAPE, _B_IND, _B_VAL, _SHAPE],
         _extreme_ref(max), build=_outputs("SparseSparseMaximum"), wrt=(),
         partial_shape=True),
    Case("SparseSparseMinimum", [_A_IND, _A_VAL, _SHAPE, _B_IND, _B_VAL, _SHAPE],
         _extreme_ref(min), build=_outputs("SparseSparseMinimum"), wrt=(),
         partial_shape=True),
    Case("SparseDenseCwiseMul", [_IND3, rand(5), _SHAPE3, rand(3, 1)],
         _cwise_ref(np.multiply)),
    Case("SparseDenseCwiseDiv", [_IND3, rand(5), _SHAPE3, rand(2, 3, 2, lo=0.5, hi=2.0)],
         _cwise_ref(np.divide)),
    Case("SparseDenseCwiseAdd", [_IND3, rand(5), _SHAPE3, rand(2)], _cwise_ref(np.add),
         wrt=()),
    Case("SparseConcat", [_A_IND, _B_IND, rand(3), rand(4), _SHAPE, np.array([3, 5], _I64)],
         _concat_ref(1), build=_outputs("SparseConcat", concat_dim=1, N=2),
         partial_shape=True),
    Case("SparseConcat", [_UNSORTED, _A_IND, rand(4), rand(3), _SHAPE, _SHAPE],
         _concat_ref(0), build=_outputs("SparseConcat", concat_dim=-2, N=2),
         partial_shape=True, tag="dim0"),
    Case("SparseFillEmptyRows", [np.array([[3, 0], [1, 1], [1, 0], [3, 2]], _I64), rand(4),
                                 np.array([5, 4], _I64), np.float64(-1.5)],
         _fill_ref, build=_outputs("SparseFillEmptyRows"), partial_shape=True),
    Case("SparseFillEmptyRowsGrad", [ints(4, 1, 2, 5, dtype=_I64), rand(7)], _fill_grad_ref,
         build=_outputs("SparseFillEmptyRowsGrad")),
    Case("SparseReorder", [_UNSORTED, rand(4), np.array([3, 4], _I64)], _reorder_ref,
         build=_outputs("SparseReorder")),
    Case("SparseReshape", [_IND3, _SHAPE3, np.array([3, -1], _I64)], _reshape_ref,
         build=_outputs("SparseReshape"), partial_shape=True),
    Case("SparseSlice", [_IND3, rand(5), _SHAPE3, np.array([0, 1, 1], _I64),
                         np.array([5, 2, 5], _I64)],
         _slice_ref, build=_outputs("SparseSlice"), partial_shape=True),
    Case("SparseSliceGrad", [rand(2), _IND3, np.array([0, 1, 1], _I64),
                             np.array([[0, 1, 0], [1, 1, 0]], _I64)],
         _slice_grad_ref),
    Case("SparseSplit", [np.int64(1), _IND3, rand(5), _SHAPE3], _split_ref(2),
         build=_outputs("SparseSplit", num_split=2), partial_shape=True),
    Case("SerializeSparse", [_A_IND, np.array([1.0, 2.0, 3.0]), _SHAPE], _serialized,
         attrs={"out_type": tw.string}),
    Case("SerializeManySparse", [_IND3, np.arange(5.0), _SHAPE3], _serialize_many_ref,
         attrs={"out_type": tw.string}, partial_shape=True),
    Case("DeserializeManySparse", [np.concatenate([_SERIALIZED, _SMALL_SERIALIZED[None]])],
         _deserialize_ref, build=_deserialize_build, partial_shape=True),
    Case("SparseCross", _CROSS_INPUTS, _cross_ref(b"_X_"), partial_shape=True,
         build=_outputs("SparseCross", N=2, hashed_output=False, num_buckets=0, hash_key=0,
                        out_type=tw.string, internal_type=tw.string)),
    Case("SparseCross", _CROSS_INPUTS[:6], lambda *a: (  # TensorFlow's numbers
        np.array([[0, 0], [0, 1], [0, 2], [0, 3], [1, 0], [1, 1]], _I64),
        np.array([85, 87, 83, 57, 94, 7]), np.array([3, 4], _I64)), partial_shape=True,
         tag="hashed",
         build=_outputs("SparseCross", N=2, hashed_output=True, num_buckets=100,
                        hash_key=0xDECAFCAFFE, out_type=tw.int64, internal_type=tw.string)),
    Case("SparseCrossV2", _CROSS_INPUTS + [np.array(b"--", object)], _cross_ref(b"--"),
         partial_shape=True, build=_outputs("SparseCrossV2", N=2)),
    Case("DenseCountSparseOutput", [ints(1, 3, 3, 0, 5, 1, 1, 7), np.zeros(0, np.int32)],
         _count_ref(_dense_rows, 10, -1, False), partial_shape=True,
         build=_outputs("DenseCountSparseOutput", minlength=10, maxlength=-1,
                        binary_output=False, output_type=tw.int32)),
    Case("DenseCountSparseOutput", [ints(1, 3, 3, 0, 5, 1, 1, 7).reshape(2, 4),
                                    rand(2, 4)],
         _count_ref(_dense_rows, -1, 6, False), partial_shape=True, tag="rows_weights",
         build=lambda v, w: create_op("DenseCountSparseOutput", [v, w], minlength=-1,
                                      maxlength=6, binary_output=False,
                                      output_type=w.dtype).outputs),
    Case("SparseCountSparseOutput", [_CROSS_B[0], _CROSS_B[1], _CROSS_B[2],
                                     np.zeros(0, _I64)],
         _count_ref(lambda i, v, s, w: (i[:, 0], v, w, s[0], 2), -1, -1, True),
         partial_shape=True,
         build=_outputs("SparseCountSparseOutput", minlength=-1, maxlength=-1,
                        binary_output=True, output_type=tw.int64)),
    Case("EditDistance", [*_HYP, *_TRUTH], _edit_distance_ref(True),
         attrs={"normalize": True}),
    Case("EditDistance", [*_HYP, *_TRUTH], _edit_distance_ref(False),
         attrs={"normalize": False}, tag="unnormalized"),
]
