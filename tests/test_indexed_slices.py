"""tf.IndexedSlices: dense conversion (repeated rows add up) and Variable's sparse updates."""
import numpy as np
import pytest

import tensorweave as tf


def test_dense_conversion_adds_repeated_rows():
    with tf.Graph().as_default():
        rows = tf.IndexedSlices(tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
                                tf.constant([2, 0, 2]), tf.constant([4, 2]))
        dense = tf.convert_to_tensor(rows)
        assert dense.shape.as_list() == [4, 2] and rows.dtype == tf.float32
        negated = tf.convert_to_tensor(-rows)
        with pytest.raises(ValueError, match="without dense_shape"):
            tf.convert_to_tensor(tf.IndexedSlices(tf.ones([1, 2]), tf.constant([0])))
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(dense), [[3, 4], [0, 0], [6, 8], [0, 0]])
            np.testing.assert_array_equal(sess.run(negated)[2], [-6, -8])


def test_variable_sparse_updates():
    with tf.Graph().as_default():
        v = tf.Variable([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
        delta = tf.IndexedSlices(tf.constant([[10.0, 10.0]]), tf.constant([1]))
        added = v.scatter_add(delta)
        counter = tf.Variable(0)
        step = counter.count_up_to(2)
        with pytest.raises(TypeError, match="IndexedSlices"):
            v.scatter_sub([1.0])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(added)[1], [12, 12])
            np.testing.assert_array_equal(sess.run(v.scatter_nd_update([[0, 1]], [7.0]))[0],
                                          [1, 7])
            assert sess.run(step) == 0 and sess.run(step) == 1
            with pytest.raises(tf.errors.OutOfRangeError):
                sess.run(step)


def test_segment_sum_is_tensorflows_op_with_num_segments():
    with tf.Graph().as_default():
        ids = tf.placeholder(tf.int32, [None])
        data = tf.placeholder(tf.float32, [None, 3])
        total = tf.unsorted_segment_sum(data, ids, 4)
        assert total.shape.as_list() == [4, 3]
        assert total.op.inputs[2].shape.ndims == 0  # TF's scalar num_segments
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"segment_ids\[1\] = 5"):
                sess.run(total, {ids: [0, 5], data: np.ones((2, 3))})
