"""Op table rows for the lookup table, set and ragged op types (ops/lookup_ops.py,
ops/set_ops.py, ops/ragged_ops.py).

Tables keep state in the Session, so each table op type has a session check; the set ops and
RaggedRange are stateless rows. Behaviour in depth (checked against TensorFlow):
tests/test_lookup.py, tests/test_sets.py, tests/test_ragged.py.
"""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.core.graph import create_op
from tensorweave.ops import lookup_ops as table_ops
from tensorweave.ops import ragged_ops, set_ops  # noqa: F401 - registers the op types

from op_case import Case

_I64 = np.int64


def _outputs(op_type, **attrs):
    return lambda *t: create_op(op_type, list(t), **attrs).outputs


def _set_ref(operation):
    """The set operation on dense [2, k] rows, as SparseTensor components."""
    def ref(a, b):
        rows = []
        for x, y in zip(a.tolist(), b.tolist()):
            x, y = set(x), set(y)
            rows.append(sorted({"intersection": x & y, "union": x | y, "a-b": x - y,
                                "b-a": y - x}[operation]))
        width = max(len(r) for r in rows)
        indices = [[i, j] for i, r in enumerate(rows) for j in range(len(r))]
        values = [v for r in rows for v in r]
        return (np.array(indices, _I64).reshape(-1, 2), np.array(values, a.dtype),
                np.array([len(rows), width], _I64))
    return ref


_A = np.array([[1, 2, 2, 5], [3, 4, 5, 6]], np.int32)
_B = np.array([[2, 9, 1], [5, 3, 3]], np.int32)
_SP_IND = np.array([[0, 0], [0, 2], [1, 1]], _I64)
_SP_VAL = np.array([5, 2, 3], np.int32)
_SP_SHAPE = np.array([2, 4], _I64)


def _dense_rows(indices, values, shape):
    rows = [set() for _ in range(int(shape[0]))]
    for (i, _), v in zip(indices.tolist(), values.tolist()):
        rows[i].add(v)
    return rows


def _dense_sparse_ref(a, indices, values, shape):
    rows = [sorted(set(x) & y) for x, y in zip(a.tolist(), _dense_rows(indices, values, shape))]
    width = max(len(r) for r in rows)
    return (np.array([[i, j] for i, r in enumerate(rows) for j in range(len(r))],
                     _I64).reshape(-1, 2),
            np.array([v for r in rows for v in r], a.dtype), np.array([2, width], _I64))


def _sparse_sparse_ref(i1, v1, s1, i2, v2, s2):
    rows = [sorted(x | y) for x, y in zip(_dense_rows(i1, v1, s1), _dense_rows(i2, v2, s2))]
    width = max(len(r) for r in rows)
    return (np.array([[i, j] for i, r in enumerate(rows) for j in range(len(r))],
                     _I64).reshape(-1, 2),
            np.array([v for r in rows for v in r], v1.dtype), np.array([2, width], _I64))


def _range_ref(starts, limits, deltas):
    rows = [np.arange(s, l, d, dtype=starts.dtype) for s, l, d in zip(starts, limits, deltas)]
    splits = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(_I64)
    return splits, np.concatenate(rows).astype(starts.dtype)


CASES = [
    *[Case("DenseToDenseSetOperation", [_A, _B], _set_ref(op), tag=op, partial_shape=True,
           build=_outputs("DenseToDenseSetOperation", set_operation=op,
                          validate_indices=True, T=tf.int32))
      for op in ("intersection", "union", "a-b", "b-a")],
    Case("DenseToDenseSetOperation", [np.array([[b"a", b"b"]], object),
                                      np.array([[b"b", b"c"]], object)],
         _set_ref("union"), tag="strings", partial_shape=True,
         build=_outputs("DenseToDenseSetOperation", set_operation="union",
                        validate_indices=True, T=tf.string)),
    Case("DenseToSparseSetOperation", [_A, _SP_IND, _SP_VAL, _SP_SHAPE], _dense_sparse_ref,
         partial_shape=True, unknown_rank="a sparse input's rank comes from its indices",
         build=_outputs("DenseToSparseSetOperation", set_operation="intersection",
                        validate_indices=True, T=tf.int32)),
    Case("SparseToSparseSetOperation",
         [_SP_IND, _SP_VAL, _SP_SHAPE, np.array([[0, 1], [1, 0]], _I64),
          np.array([7, 3], np.int32), _SP_SHAPE], _sparse_sparse_ref, partial_shape=True,
         unknown_rank="a sparse input's rank comes from its indices",
         build=_outputs("SparseToSparseSetOperation", set_operation="union",
                        validate_indices=True, T=tf.int32)),
    Case("SetSize", [_SP_IND, _SP_VAL, _SP_SHAPE], lambda i, v, s: np.array([2, 1], np.int32),
         partial_shape=True, unknown_rank="a sparse input's rank comes from its indices",
         attrs=dict(validate_indices=True, T=tf.int32)),
    Case("RaggedRange", [np.array([0, 5, 2], _I64), np.array([3, 5, 10], _I64),
                         np.array([1, 1, 3], _I64)], _range_ref, partial_shape=True,
         build=_outputs("RaggedRange", T=tf.int64, Tsplits=tf.int64)),
    Case("RaggedRange", [np.array([0.0, 1.0]), np.array([1.0, 2.0]), np.array([0.25, 0.5])],
         _range_ref, partial_shape=True, tag="float", float32=False,
         build=_outputs("RaggedRange", T=tf.float64, Tsplits=tf.int64)),
]


def _check_static_table():
    """HashTableV2 filled by InitializeTableV2: find, size, export, re-initializing."""
    graph = tf.Graph()
    with graph.as_default():
        handle = table_ops.table_op("HashTableV2", "t", key_dtype=tf.string,
                                    value_dtype=tf.int64)
        init = table_ops.initialize(handle, tf.constant(["a", "b"]),
                                    tf.constant([1, 2], tf.int64))
        find = table_ops.find(handle, tf.constant([["b", "z"]]), tf.constant(-1, tf.int64))
        size = table_ops.size(handle)
        keys, values = table_ops.export(handle, tf.string, tf.int64)
        other = table_ops.initialize(handle, tf.constant(["a"]), tf.constant([5], tf.int64))
    assert handle.op.type == "HashTableV2" and handle.dtype is tf.resource
    assert init.type == "InitializeTableV2" and find.op.type == "LookupTableFindV2"
    assert find.shape.as_list() == [1, 2] and size.op.type == "LookupTableSizeV2"
    assert keys.op.type == "LookupTableExportV2"
    with tf.Session(graph=graph) as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="Table not initialized"):
            sess.run(find)
        assert sess.run(size) == 0
        sess.run(init)
        sess.run(init)
        assert sess.run(find).tolist() == [[2, -1]] and sess.run(size) == 2
        assert sorted(sess.run(keys).tolist()) == [b"a", b"b"]
        with pytest.raises(tf.errors.FailedPreconditionError, match="different data"):
            sess.run(other)


def _check_mutable_table():
    """MutableHashTableV2 with insert, remove, import and export."""
    graph = tf.Graph()
    with graph.as_default():
        handle = table_ops.table_op("MutableHashTableV2", "m", key_dtype=tf.int64,
                                    value_dtype=tf.float32)
        insert = table_ops.insert(handle, tf.constant([1, 2, 3], tf.int64),
                                  tf.constant([0.5, 1.5, 2.5]))
        remove = table_ops.remove(handle, tf.constant([2], tf.int64))
        find = table_ops.find(handle, tf.constant([1, 2, 3], tf.int64), tf.constant(-1.0))
        load = table_ops.import_values(handle, tf.constant([9], tf.int64), tf.constant([9.5]))
        keys, values = table_ops.export(handle, tf.int64, tf.float32)
    assert (insert.type, remove.type, load.type) == ("LookupTableInsertV2",
                                                     "LookupTableRemoveV2",
                                                     "LookupTableImportV2")
    with tf.Session(graph=graph) as sess:
        sess.run(insert)
        sess.run(remove)
        np.testing.assert_array_equal(sess.run(find), [0.5, -1.0, 2.5])
        sess.run(load)
        k, v = sess.run([keys, values])
        assert k.tolist() == [9] and v.tolist() == [9.5]


def _check_tensor_values():
    graph = tf.Graph()
    with graph.as_default():
        handle = table_ops.table_op("MutableHashTableOfTensorsV2", "mt", key_dtype=tf.string,
                                    value_dtype=tf.int32, value_shape=[2])
        insert = table_ops.insert(handle, tf.constant(["a"]), tf.constant([[1, 2]]))
        find = table_ops.find(handle, tf.constant(["a", "b"]), tf.constant([0, 0]))
    assert find.shape.as_list() == [2, 2]
    with tf.Session(graph=graph) as sess:
        sess.run(insert)
        assert sess.run(find).tolist() == [[1, 2], [0, 0]]


def _check_dense_table():
    graph = tf.Graph()
    with graph.as_default():
        handle = table_ops.table_op("MutableDenseHashTableV2", "d",
                                    [tf.constant(0, tf.int64), tf.constant(-1, tf.int64)],
                                    key_dtype=tf.int64, value_dtype=tf.int64, value_shape=[],
                                    initial_num_buckets=2, max_load_factor=0.8)
        insert = table_ops.insert(handle, tf.constant([4, 5], tf.int64),
                                  tf.constant([40, 50], tf.int64))
        find = table_ops.find(handle, tf.constant([5, 6], tf.int64), tf.constant(0, tf.int64))
        keys, _ = table_ops.export(handle, tf.int64, tf.int64)
    with tf.Session(graph=graph) as sess:
        sess.run(insert)
        assert sess.run(find).tolist() == [50, 0]
        assert len(sess.run(keys)) == 4  # the buckets, grown to keep the load factor


def _check_text_file(tmp=None):
    import tempfile
    with tempfile.TemporaryDirectory() as directory:
        path = f"{directory}/vocab.txt"
        with open(path, "w") as f:
            f.write("x\t7\ny\t8\n")
        graph = tf.Graph()
        with graph.as_default():
            handle = table_ops.table_op("HashTableV2", "t", key_dtype=tf.string,
                                        value_dtype=tf.int64)
            init = table_ops.initialize_from_text_file(handle, tf.constant(path), 0, 1)
            find = table_ops.find(handle, tf.constant(["y", "x", "q"]),
                                  tf.constant(-1, tf.int64))
        assert init.type == "InitializeTableFromTextFileV2"
        with tf.Session(graph=graph) as sess:
            sess.run(init)
            assert sess.run(find).tolist() == [8, 7, -1]


SESSION_CASES = {
    **dict.fromkeys(["HashTableV2", "InitializeTableV2", "LookupTableFindV2",
                     "LookupTableSizeV2", "LookupTableExportV2"], _check_static_table),
    **dict.fromkeys(["MutableHashTableV2", "LookupTableInsertV2", "LookupTableRemoveV2",
                     "LookupTableImportV2"], _check_mutable_table),
    "MutableHashTableOfTensorsV2": _check_tensor_values,
    "MutableDenseHashTableV2": _check_dense_table,
    "InitializeTableFromTextFileV2": _check_text_file,
}
