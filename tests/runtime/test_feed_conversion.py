"""Converting fed values to the placeholder's dtype, with TF 1.15's errors."""
import numpy as np
import pytest

import tensorweave as tf


@pytest.mark.parametrize("dtype, value", [(tf.int32, 2 ** 40), (tf.int32, 2 ** 31),
                                          (tf.int32, -2 ** 31 - 1), (tf.uint8, 256),
                                          (tf.uint8, -1), (tf.int64, 2 ** 63)])
def test_python_int_out_of_range_is_a_type_error(dtype, value):
    p = tf.placeholder(dtype)
    with tf.Session() as sess:
        with pytest.raises(TypeError, match=(
                rf"Type of feed value {value} with type <class 'int'> is not compatible with "
                rf"Tensor type <class 'numpy.{dtype.name}'>. Try explicitly setting the type "
                rf"of the feed tensor to a larger type \(e.g. int64\).")):
            sess.run(p, {p: value})


def test_python_ints_at_the_limits_and_bools_feed():
    p, q = tf.placeholder(tf.int32), tf.placeholder(tf.uint8)
    with tf.Session() as sess:
        assert sess.run(p, {p: 2 ** 31 - 1}) == 2 ** 31 - 1
        assert sess.run(p, {p: -2 ** 31}) == -2 ** 31
        assert sess.run(q, {q: True}) == 1
        assert sess.run(q, {q: 255}) == 255
        np.testing.assert_array_equal(sess.run(p, {p: np.int64(7)}), 7)
