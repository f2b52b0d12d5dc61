"""tf.SparseTensor as a graph value: building, fetching, feeding, and back to dense."""
import numpy as np
import pytest

import tensorweave as tf


def test_sparse_tensor_components_and_static_shape():
    st = tf.SparseTensor([[0, 1], [2, 3]], [1.0, 2.0], [3, 4])
    assert st.indices.dtype == tf.int64 and st.dense_shape.dtype == tf.int64
    assert st.dtype == tf.float32 and st.shape.as_list() == [3, 4]
    assert st.indices.name == "SparseTensor/indices:0"
    with pytest.raises(TypeError):
        tf.convert_to_tensor(st)
    with pytest.raises(ValueError):
        tf.SparseTensor([0, 1], [1.0, 2.0], [3, 4])  # indices must be a matrix


def test_fetch_gives_sparse_tensor_value_inside_structures():
    st = tf.SparseTensor([[0, 1], [2, 3]], [1.0, 2.0], [3, 4])
    with tf.Session() as sess:
        value = sess.run(st)
        assert isinstance(value, tf.SparseTensorValue)
        np.testing.assert_array_equal(value.indices, [[0, 1], [2, 3]])
        np.testing.assert_array_equal(value.values, [1.0, 2.0])
        np.testing.assert_array_equal(value.dense_shape, [3, 4])
        both = sess.run({"s": st, "v": [st.values]})
        np.testing.assert_array_equal(both["s"].dense_shape, [3, 4])
        for mine, theirs in zip(st.eval(), sess.run(st)):
            np.testing.assert_array_equal(mine, theirs)


def test_sparse_placeholder_feeds_values_and_tuples():
    sp = tf.sparse_placeholder(tf.float32, name="sp")
    assert sp.indices.name == "sp/indices:0" and sp.dense_shape.name == "sp/shape:0"
    dense = tf.sparse_tensor_to_dense(sp)
    known = tf.sparse_placeholder(tf.float32, shape=[2, 2])
    assert known.shape.as_list() == [2, 2]
    with tf.Session() as sess:
        fed = tf.SparseTensorValue([[0, 0], [1, 1]], [5.0, 6.0], [2, 2])
        np.testing.assert_array_equal(sess.run(dense, {sp: fed}), [[5, 0], [0, 6]])
        np.testing.assert_array_equal(sess.run(dense, {sp: ([[0, 1]], [7.0], [1, 3])}),
                                      [[0, 7, 0]])
        np.testing.assert_array_equal(
            sess.run(tf.sparse.to_dense(known), {known: ([[1, 0]], [3.0], [2, 2])}),
            [[0, 0], [3, 0]])
        with pytest.raises(TypeError):
            sess.run(dense, {sp: [1.0, 2.0]})


def test_sparse_to_dense_checks_indices_as_tf():
    with tf.Session() as sess:
        unordered = tf.sparse_to_dense([[1], [0]], [3], [1.0, 2.0])
        with pytest.raises(tf.errors.InvalidArgumentError, match="out of order"):
            sess.run(unordered)
        outside = tf.sparse_to_dense([[3]], [3], [1.0], validate_indices=False)
        with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
            sess.run(outside)
        scalar = tf.sparse_to_dense([0, 2], [4], 1.5, default_value=-1.0)
        np.testing.assert_array_equal(sess.run(scalar), [1.5, -1, 1.5, -1])


def test_gradient_reaches_values_and_default():
    values = tf.constant([1.0, 2.0])
    default = tf.constant(0.5)
    dense = tf.sparse_to_dense([[0, 1], [1, 0]], [2, 3], values, default)
    weights = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    dv, dd = tf.gradients(tf.reduce_sum(dense * weights), [values, default])
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(dv), [2.0, 4.0])
        np.testing.assert_allclose(sess.run(dd), 21.0 - 6.0)


def test_shape_size_and_rank_of_a_sparse_tensor_are_its_dense_shapes():
    """As TF's array_ops: the cast dense shape (Shape/Cast), its product (Size) and its length
    (Rank); values and names as TF 2.15 gives them ([3, 5], 15, 2)."""
    with tf.Graph().as_default():
        sparse = tf.SparseTensor([[0, 1], [2, 3]], [1.0, 2.0], [3, 5])
        shape, size, rank = tf.shape(sparse), tf.size(sparse), tf.rank(sparse)
        wide = tf.shape(sparse, out_type=tf.int64)
        assert (shape.op.name, size.op.name, rank.op.name) == ("Shape/Cast", "Size", "Rank")
        assert (shape.dtype, size.dtype, rank.dtype, wide.dtype) == (
            tf.int32, tf.int32, tf.int32, tf.int64)
        fed = tf.sparse_placeholder(tf.float32)
        with tf.Session() as sess:
            assert [np.asarray(v).tolist() for v in sess.run([shape, size, rank, wide])] == \
                [[3, 5], 15, 2, [3, 5]]
            value = tf.SparseTensorValue([[0, 0, 0]], [1.0], [2, 3, 4])
            assert sess.run(tf.size(fed), {fed: value}) == 24
