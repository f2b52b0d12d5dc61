"""tf.GradientTape in graph mode (TF 1.15 semantics)."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.gradient_tape import GradientTape


def _run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def test_watched_tensor_and_unwatched_source():
    with tf.Graph().as_default():
        x = tf.constant(3.0)
        z = tf.constant(2.0)
        with GradientTape() as tape:
            tape.watch(x)
            y = x * x * z
        dx, dz = tape.gradient(y, [x, z])
        assert dz is None
        assert _run(dx) == pytest.approx(12.0)


def test_only_recorded_ops_count():
    with tf.Graph().as_default():
        x = tf.constant(2.0)
        before = x * 5.0
        with GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = before + x * x
        assert _run(tape.gradient(y, x)) == pytest.approx(4.0)  # `before` is a constant
        assert tape.gradient(before, x) is None


def test_variables_watched_when_read():
    with tf.Graph().as_default():
        w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
        frozen = tf.Variable(1.0, trainable=False)
        other = tf.Variable(5.0)
        x = tf.constant([[1.0, 1.0]])
        with GradientTape() as tape:
            y = tf.reduce_sum(tf.matmul(x, w)) * frozen
        assert tape.watched_variables() == (w,)
        gw, gf, go = tape.gradient(y, [w, frozen, other])
        assert gf is None and go is None
        np.testing.assert_allclose(_run(gw), [[1.0, 1.0], [1.0, 1.0]])


def test_watch_accessed_variables_off_and_explicit_watch():
    with tf.Graph().as_default():
        v = tf.Variable(3.0)
        u = tf.Variable(4.0)
        with GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(u)
            y = v * u
        assert tape.watched_variables() == (u,)
        gv, gu = tape.gradient(y, [v, u])
        assert gv is None and _run(gu) == pytest.approx(3.0)


def test_non_persistent_second_call_and_persistent():
    with tf.Graph().as_default():
        x = tf.constant(1.5)
        with GradientTape() as tape:
            tape.watch(x)
            y = x * x
        tape.gradient(y, x)
        with pytest.raises(RuntimeError, match="only be called once"):
            tape.gradient(y, x)
        with GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x * x
            z = y * x
        assert _run([tape.gradient(y, x), tape.gradient(z, x)]) == pytest.approx([3.0, 6.75])


def test_stop_recording_reset_and_output_gradients():
    with tf.Graph().as_default():
        x = tf.constant([1.0, 2.0])
        with GradientTape(persistent=True) as tape:
            tape.watch(x)
            with tape.stop_recording():
                hidden = x * 10.0
            y = x * x + hidden
        np.testing.assert_allclose(_run(tape.gradient(y, x)), [2.0, 4.0])
        np.testing.assert_allclose(
            _run(tape.gradient(y, x, output_gradients=tf.constant([1.0, 3.0]))), [2.0, 12.0])
        zero = tape.gradient(y, tf.constant(1.0), unconnected_gradients="zero")
        assert _run(zero) == 0.0
        with pytest.raises(RuntimeError):
            with tape.stop_recording():
                pass
        with tape:
            tape.reset()
            tape.watch(x)
            w = x * 3.0
        np.testing.assert_allclose(_run(tape.gradient(w, x)), [3.0, 3.0])


def test_nested_tapes_second_order():
    with tf.Graph().as_default():
        x = tf.constant(2.0)
        with GradientTape() as outer:
            outer.watch(x)
            with GradientTape() as inner:
                inner.watch(x)
                y = x * x * x
            dy = inner.gradient(y, x)
        d2y = outer.gradient(dy, x)
        assert _run([dy, d2y]) == pytest.approx([12.0, 12.0])


def test_jacobian_and_batch_jacobian():
    with tf.Graph().as_default():
        x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        with GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x * x
        jac = tape.jacobian(y, x)
        assert jac.shape.as_list() == [2, 2, 2, 2]
        want = np.zeros([2, 2, 2, 2])
        for i in range(2):
            for j in range(2):
                want[i, j, i, j] = 2 * (2 * i + j + 1)
        np.testing.assert_allclose(_run(jac), want)
        batch = tape.batch_jacobian(y, x)
        np.testing.assert_allclose(_run(batch), [[[2.0, 0.0], [0.0, 4.0]],
                                                 [[6.0, 0.0], [0.0, 8.0]]])


def test_top_level_name_when_exported():
    assert GradientTape.__module__ == "tensorweave.gradient_tape"
