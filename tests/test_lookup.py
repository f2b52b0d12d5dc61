"""Lookup tables (tf.lookup, tf.contrib.lookup, tf.tables_initializer, Saver), checked against
TensorFlow (tests/fixtures/lookup_reference.json)."""
import os

import numpy as np
import pytest

from lookup_face import REFERENCE, assert_same, run_case, tf
from tensorweave import lookup_ops


@pytest.mark.parametrize("case", ["static_tables", "vocabulary_tables", "table_errors"])
def test_against_tensorflow(case, tmp_path):
    assert_same(run_case(case, tmp_path), REFERENCE[case], case)


def test_lookup_before_initialization_fails_as_tf():
    with tf.Graph().as_default():
        table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(["a", "b"], [1, 2]), -1)
        found = table.lookup(tf.constant(["a"]))
        with tf.Session() as sess:
            with pytest.raises(tf.errors.FailedPreconditionError, match="Table not initialized."):
                sess.run(found)
            sess.run(tf.tables_initializer())
            sess.run(tf.tables_initializer())  # again with the same data: fine, as TF
            assert sess.run(found).tolist() == [1]


def test_op_types_names_and_collection():
    graph = tf.Graph()
    with graph.as_default():
        init = tf.lookup.KeyValueTensorInitializer(["a"], [1])
        table = tf.lookup.StaticHashTable(init, -1)
        found = table.lookup(tf.constant(["a", "b"]))
        size = table.size()
    assert table.resource_handle.op.type == "HashTableV2" and table.name == "hash_table"
    assert table.initializer.type == "InitializeTableV2"
    assert table.initializer.name == "key_value_init"
    assert graph.get_collection(tf.GraphKeys.TABLE_INITIALIZERS) == [table.initializer]
    assert found.op.type == "LookupTableFindV2" and found.op.name.startswith("hash_table_Lookup")
    assert found.shape.as_list() == [2] and found.dtype is tf.int32
    assert size.op.type == "LookupTableSizeV2" and size.dtype is tf.int64
    with pytest.raises(TypeError, match="Keys must be dtype"):
        table.lookup(tf.constant([1, 2]))


def test_text_file_initializer_checks_arguments(tmp_path):
    with pytest.raises(ValueError, match="Signature mismatch"):
        tf.lookup.TextFileInitializer("f", tf.string, tf.lookup.TextFileIndex.LINE_NUMBER,
                                      tf.int64, -1)
    with pytest.raises(ValueError, match="Invalid vocab_size"):
        tf.lookup.TextFileInitializer("f", tf.string, -2, tf.int64, -1, vocab_size=0)
    path = tmp_path / "missing.txt"
    with tf.Graph().as_default():
        table = tf.lookup.StaticHashTable(
            tf.lookup.TextFileInitializer(str(path), tf.string, -2, tf.int64, -1), -1)
        with tf.Session() as sess:
            with pytest.raises(tf.errors.NotFoundError, match="missing.txt"):
                sess.run(table.initializer)


def test_mutable_hash_table_insert_remove_export():
    with tf.Graph().as_default():
        table = lookup_ops.MutableHashTable(tf.string, tf.int64, -1)
        vectors = lookup_ops.MutableHashTable(tf.int64, tf.float32, [0.0, 0.0], name="vectors")
        insert = table.insert(["x", "y", "z"], [5, 6, 7])
        remove = table.remove(tf.constant(["y", "nope"]))
        found = table.lookup(tf.constant([["x", "y"], ["z", "w"]]))
        keys, values = table.export()
        insert_vectors = vectors.insert([3, 4], [[1.0, 2.0], [3.0, 4.0]])
        found_vectors = vectors.lookup(tf.constant([4, 9], tf.int64))
        assert table.resource_handle.op.type == "MutableHashTableV2"
        assert vectors.resource_handle.op.type == "MutableHashTableOfTensorsV2"
        assert found_vectors.shape.as_list() == [2, 2]
        with tf.Session() as sess:
            assert sess.run(table.size()) == 0
            sess.run(insert)
            sess.run(remove)
            assert sess.run(found).tolist() == [[5, -1], [7, -1]]
            k, v = sess.run([keys, values])
            assert dict(zip(k.tolist(), v.tolist())) == {b"x": 5, b"z": 7}
            sess.run(insert_vectors)
            np.testing.assert_array_equal(sess.run(found_vectors), [[3, 4], [0, 0]])
            with pytest.raises(tf.errors.InvalidArgumentError, match="Expected shape"):
                sess.run(vectors.insert(tf.placeholder_with_default(
                    tf.constant([1], tf.int64), [None]),
                                        tf.placeholder_with_default([1.0], None)))
        with pytest.raises(ValueError, match="requires values of shape"):
            vectors.insert([1], [1.0])


def test_static_table_refuses_insert_as_tf():
    with tf.Graph().as_default():
        table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["a"], [1]), -1)
        from tensorweave.ops import lookup_ops as table_ops
        insert = table_ops.insert(table.resource_handle, tf.constant(["b"]), tf.constant([2]))
        with tf.Session() as sess:
            sess.run(table.initializer)
            with pytest.raises(tf.errors.UnimplementedError, match="Insert not supported"):
                sess.run(insert)


def test_dense_hash_table():
    with tf.Graph().as_default():
        table = lookup_ops.MutableDenseHashTable(tf.int64, tf.int64, -1, empty_key=0,
                                                 deleted_key=-2, initial_num_buckets=4)
        insert = table.insert([5, 6, 7, 8], [50, 60, 70, 80])
        with tf.Session() as sess:
            sess.run(insert)
            assert sess.run(table.lookup(tf.constant([6, 9], tf.int64))).tolist() == [60, -1]
            keys, _ = sess.run(table.export())
            assert len(keys) == 8 and sorted(keys.tolist())[-4:] == [5, 6, 7, 8]
            with pytest.raises(tf.errors.InvalidArgumentError, match="empty_key"):
                sess.run(table.insert([0], [1]))


def test_saver_saves_and_restores_mutable_tables(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        v = tf.Variable(3.0, name="v")
        table = lookup_ops.MutableHashTable(tf.string, tf.int64, -1, name="table")
        insert = table.insert(["x", "y"], [5, 6])
        saver = tf.train.Saver()
        found = table.lookup(tf.constant(["x", "y", "z"]))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(insert)
            path = saver.save(sess, str(tmp_path / "model.ckpt"))
        reader = tf.train.NewCheckpointReader(path)
        assert sorted(reader.get_variable_to_shape_map()) == ["table-keys", "table-values",
                                                              "v"]
        with tf.Session() as sess:
            assert sess.run(table.size()) == 0
            saver.restore(sess, path)
            assert sess.run(found).tolist() == [5, 6, -1] and sess.run(v) == 3.0


def test_contrib_lookup_names():
    contrib = pytest.importorskip("tensorweave.contrib.lookup")
    with tf.Graph().as_default():
        ids = contrib.string_to_index(tf.constant(["b", "x"]), ["a", "b"])
        words = contrib.index_to_string(tf.constant([1, 5], tf.int64), ["a", "b"])
        table = contrib.HashTable(contrib.KeyValueTensorInitializer(["k"], [1]), 0)
        with tf.Session() as sess:
            sess.run(tf.tables_initializer())
            assert sess.run(ids).tolist() == [1, -1]
            assert sess.run(words).tolist() == [b"b", b"UNK"]
            assert sess.run(table.lookup(tf.constant(["k"]))).tolist() == [1]
        assert table.init is table.initializer


def test_namespace_names_resolve():
    for name in ("KeyValueTensorInitializer", "StaticHashTable", "StaticVocabularyTable",
                 "TextFileIndex", "TextFileInitializer"):
        assert getattr(tf.lookup, name) is getattr(lookup_ops, name)
    assert tf.lookup.TextFileIndex.WHOLE_LINE == -2
    assert tf.lookup.TextFileIndex.LINE_NUMBER == -1
    assert os.path.exists(os.path.join(os.path.dirname(__file__), "fixtures",
                                       "make_lookup_reference.py"))


def test_lookup_inside_a_dataset_map_function():
    # tensorflow/nmt's iterator_utils: the table lives in the outer graph, its lookup's name
    # scope names the handle, yet the op belongs in the map function (which captures the handle)
    with tf.Graph().as_default():
        table = lookup_ops.index_table_from_tensor(tf.constant(["a", "b", "eos"]))
        words = tf.data.Dataset.from_tensor_slices(tf.constant(["b a x", "eos"]))
        ids = words.map(lambda line: tf.cast(
            table.lookup(tf.string_split([line], delimiter=" ").values), tf.int32))
        item = ids.make_initializable_iterator()
        row = item.get_next()
        with tf.Session() as sess:
            sess.run([tf.tables_initializer(), item.initializer])
            assert sess.run(row).tolist() == [1, 0, -1]
            assert sess.run(row).tolist() == [2]


def test_lookup_ops_module_offers_tables_initializer():
    # TF's lookup_ops.py defines it; programs call lookup_ops.tables_initializer()
    with tf.Graph().as_default():
        table = lookup_ops.index_table_from_tensor(tf.constant(["anna", "gary"]))
        ids = table.lookup(tf.constant(["gary", "x"]))
        with tf.Session() as sess:
            sess.run(lookup_ops.tables_initializer())
            assert sess.run(ids).tolist() == [1, -1]
