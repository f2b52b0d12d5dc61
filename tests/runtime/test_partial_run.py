"""Session.partial_run_setup / partial_run: one step in parts, with TF 2.15's results and errors
(checked on the same program: the docstring's a + b then * c, a random draw seen by two parts,
each misuse)."""
import numpy as np
import pytest

import tensorweave as tf


def _graph():
    a, b, c = (tf.placeholder(tf.float32, []) for _ in range(3))
    r1 = a + b
    r2 = r1 * c
    noise = tf.random_uniform([3], seed=1)
    return a, b, c, r1, r2, noise + 0.0, noise * 1.0


def test_parts_feed_and_fetch_as_they_come_and_share_one_draw():
    with tf.Graph().as_default():
        a, b, c, r1, r2, n1, n2 = _graph()
        with tf.Session() as sess:
            h = sess.partial_run_setup([r1, r2, n1, n2], [a, b, c])
            first = sess.partial_run(h, r1, feed_dict={a: 1, b: 2})
            assert first == 3.0
            assert sess.partial_run(h, r2, feed_dict={c: first}) == 9.0
            x, = sess.partial_run(h, [n1])
            np.testing.assert_array_equal(sess.partial_run(h, n2), x)  # one draw, not two
            with pytest.raises(tf.errors.InvalidArgumentError, match="Must run 'setup'"):
                sess.partial_run(h, r1)  # every feed fed, every fetch taken: the step is over


def test_misuse_gets_tfs_errors_and_a_failed_part_records_nothing():
    with tf.Graph().as_default():
        a, b, c, r1, r2, n1, n2 = _graph()
        with tf.Session() as sess:
            h = sess.partial_run_setup([r1, r2, n1], [a, b, c])
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match="Fetch Placeholder_2:0 can't be computed from the feeds"):
                sess.partial_run(h, r2, {a: 1, b: 2})
            with pytest.raises(tf.errors.InvalidArgumentError,
                               match="The fetch mul_1:0 was not specified in partial_run_setup"):
                sess.partial_run(h, n2, {c: 1})
            assert sess.partial_run(h, r1, {a: 1, b: 2}) == 3.0  # a and b were not taken
            with pytest.raises(tf.errors.InvalidArgumentError, match="has already been fed"):
                sess.partial_run(h, r2, {a: 5, c: 1})
            with pytest.raises(tf.errors.InvalidArgumentError, match="has already been fetched"):
                sess.partial_run(h, r1, {c: 1})
            assert sess.partial_run(h, [r2], {c: 2}) == [6.0]  # c fed here, a + b kept
            with pytest.raises(tf.errors.InvalidArgumentError, match="Must run 'setup'"):
                sess.partial_run("no such handle", r1)


def test_a_stateful_op_reached_again_is_refused_not_run_twice():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [])
        v = tf.Variable(0.0)
        bump = tf.assign_add(v, 1.0)
        with tf.control_dependencies([bump]):
            first = x + 0.0
            second = x * 1.0
        with tf.Session() as sess:
            sess.run(v.initializer)
            h = sess.partial_run_setup([first, second], [x])
            assert sess.partial_run(h, first, {x: 2.0}) == 2.0
            with pytest.raises(tf.errors.UnimplementedError, match="AssignAdd ran in an earlier"):
                sess.partial_run(h, second)
            assert sess.run(v) == 1.0
