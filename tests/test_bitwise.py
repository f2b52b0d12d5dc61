"""tf.bitwise against TensorFlow's numbers (tests/fixtures/signal_reference.npz)."""
import pathlib

import numpy as np
import pytest

import tensorweave as tf

REF = np.load(pathlib.Path(__file__).resolve().parent / "fixtures" / "signal_reference.npz")
A = np.array([0, 1, 5, -3, 127, -128], np.int8)
B = np.array([3, 1, 2, 7, 9, -1], np.int8)


def test_values_match_tensorflow():
    a, b = tf.constant(A), tf.constant(B)
    fetches = {"bit_and": tf.bitwise.bitwise_and(a, b), "bit_or": tf.bitwise.bitwise_or(a, b),
               "bit_xor": tf.bitwise.bitwise_xor(a, b), "bit_invert": tf.bitwise.invert(a),
               "bit_left": tf.bitwise.left_shift(a, b), "bit_right": tf.bitwise.right_shift(a, b),
               "bit_left_u16": tf.bitwise.left_shift(tf.constant([1, 3, 65535], tf.uint16),
                                                     tf.constant([15, 16, 1], tf.uint16))}
    with tf.Session() as sess:
        values = sess.run(fetches)
    for key, value in values.items():
        assert value.dtype == REF[key].dtype, key
        np.testing.assert_array_equal(value, REF[key], err_msg=key)


def test_names_broadcasting_and_errors():
    x = tf.constant([[1, 2], [3, 4]])
    y = tf.bitwise.bitwise_or(x, 8)
    assert y.op.type == "BitwiseOr" and y.op.name == "BitwiseOr" and y.shape.as_list() == [2, 2]
    assert tf.bitwise.invert(x).op.name == "Invert"
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y), [[9, 10], [11, 12]])
    with pytest.raises(TypeError, match="BitwiseAnd requires an integer input"):
        tf.bitwise.bitwise_and(tf.constant([1.0]), tf.constant([2.0]))
    with pytest.raises(TypeError, match="BitwiseXor requires an integer input"):
        tf.bitwise.bitwise_xor(tf.constant([True]), tf.constant([False]))
    with pytest.raises(TypeError, match="one dtype"):
        tf.bitwise.left_shift(tf.constant([1], tf.int32), tf.constant([1], tf.int64))


def test_not_differentiable():
    x = tf.constant([1, 2])
    assert tf.gradients(tf.cast(tf.bitwise.bitwise_and(x, 3), tf.float32), x) == [None]
