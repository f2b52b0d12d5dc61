"""Behaviour of math ops beyond the op table: TF's runtime errors for integer division."""
import numpy as np
import pytest

import tensorweave as tf

_DIVISIONS = {"floordiv": tf.floordiv, "floormod": tf.floormod, "div": tf.div, "mod": tf.mod,
              "//": lambda a, b: a // b, "%": lambda a, b: a % b}


@pytest.mark.parametrize("dtype", [tf.int32, tf.int64, tf.uint8, tf.int8])
@pytest.mark.parametrize("name", sorted(_DIVISIONS))
def test_integer_division_by_zero_is_invalid_argument(name, dtype):
    x, y = tf.placeholder(dtype), tf.placeholder(dtype)
    z = _DIVISIONS[name](x, y)
    assert z.op.type in ("FloorDiv", "FloorMod")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(z, {x: [7, 6], y: [2, 3]}),
                                      [3, 2] if z.op.type == "FloorDiv" else [1, 0])
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=f"Integer division by zero(.|\n)*node {z.op.name} "):
            sess.run(z, {x: [7, 3], y: [2, 0]})


def test_integer_division_by_a_constant_zero_fails_when_run():
    z = tf.floordiv(tf.constant([4, 5], tf.int64), tf.constant(0, tf.int64))  # folded early
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="Integer division by zero"):
        sess.run(z)


def test_float_division_by_zero_follows_ieee():
    x = tf.constant([1.0, -1.0, 0.0])
    with tf.Session() as sess:
        floor, mod = sess.run([tf.floordiv(x, 0.0), tf.floormod(x, 0.0)])
    np.testing.assert_array_equal(floor, [np.inf, -np.inf, np.nan])
    assert np.isnan(mod).all()


def test_arg_max_and_arg_min_take_tf_1_x_positional_order():
    """tf.arg_max(input, dimension, output_type): the older names TF 1.x programs call."""
    x = tf.constant([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    with tf.Session() as sess:
        got_max, got_min = sess.run([tf.arg_max(x, 1), tf.arg_min(x, 0, tf.int32)])
    assert got_max.tolist() == [1, 0] and got_max.dtype == np.int64
    assert got_min.tolist() == [0, 1, 0] and got_min.dtype == np.int32
