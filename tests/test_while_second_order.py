"""Second-order gradients through tf.while_loop: the WhileGrad op is itself differentiable, so
tf.gradients of a loop gradient and tf.hessians through a loop work, checked in float64
against known answers and finite differences of the first-order gradient."""
import numpy as np
import pytest

import tensorweave as tf

_rng = np.random.RandomState(3)


def _power_loop(x, trips):
    """y = x ** trips, computed as y = y * x repeated `trips` times."""
    one = tf.constant(1.0, tf.float64)
    return tf.while_loop(lambda i, y: i < trips, lambda i, y: (i + 1, y * x), [0, one])[1]


def _fd_jacobian(f, x0, eps=1e-6):
    """d f / d x0 by central differences: [f.size, x0.size]."""
    rows = []
    for index in np.ndindex(*x0.shape):
        bump = np.zeros_like(x0)
        bump[index] = eps
        rows.append(((f(x0 + bump) - f(x0 - bump)) / (2 * eps)).ravel())
    return np.array(rows).T


def test_second_derivative_of_a_product_loop():
    x = tf.placeholder(tf.float64, [])
    y = _power_loop(x, 3)
    dy = tf.gradients(y, x)[0]
    d2y = tf.gradients(dy, x)[0]
    with tf.Session() as sess:
        values = sess.run([y, dy, d2y], {x: 1.7})
    np.testing.assert_allclose(values, [1.7 ** 3, 3 * 1.7 ** 2, 6 * 1.7], rtol=1e-12)


@pytest.mark.parametrize("trips", [0, 1, 2, 5])
def test_trip_count_known_only_at_run_time(trips):
    x = tf.placeholder(tf.float64, [])
    n = tf.placeholder(tf.int32, [])
    d2y = tf.gradients(tf.gradients(_power_loop(x, n), x)[0], x)[0]
    with tf.Session() as sess:
        got = sess.run(d2y, {x: 1.3, n: trips})
    expected = trips * (trips - 1) * 1.3 ** (trips - 2) if trips >= 2 else 0.0
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def _recurrent(x, w, n):
    """A nonlinear recurrence over a vector, reading captured tensors and a tf.cond."""
    def body(i, s):
        s2 = tf.tanh(tf.reshape(tf.matmul(w, tf.reshape(s, [3, 1])), [3]) + x)
        return i + 1, tf.cond(i % 2 > 0, lambda: s2 * s, lambda: s2 + tf.sin(x))
    return tf.while_loop(lambda i, s: i < n, body, [0, x])[1]


@pytest.mark.parametrize("trips", [0, 1, 4])
def test_hessians_through_a_loop_match_finite_differences(trips):
    x = tf.placeholder(tf.float64, [3])
    n = tf.placeholder(tf.int32, [])
    w = tf.constant(_rng.randn(3, 3) * 0.5)
    y = tf.reduce_sum(_recurrent(x, w, n) ** 2)
    grad = tf.gradients(y, x)[0]
    hessian = tf.hessians(y, x)[0]
    assert hessian.shape.as_list() == [3, 3]
    x0 = _rng.randn(3)
    with tf.Session() as sess:
        got = sess.run(hessian, {x: x0, n: trips})
        numeric = _fd_jacobian(lambda v: sess.run(grad, {x: v, n: trips}), x0)
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got, got.T, rtol=1e-9, atol=1e-12)


def test_mixed_second_derivative_of_a_captured_tensor():
    """d/dw of (dy/dx) where w is captured by the loop and x is its initial value."""
    x = tf.placeholder(tf.float64, [2])
    w = tf.placeholder(tf.float64, [2])
    body = lambda i, s: (i + 1, tf.sin(s * w) + s)  # noqa: E731
    y = tf.reduce_sum(tf.while_loop(lambda i, s: i < 3, body, [0, x])[1])
    dx = tf.gradients(y, x)[0]
    dxdw = tf.gradients(tf.reduce_sum(dx * [1.0, -2.0]), w)[0]
    x0, w0 = _rng.randn(2), _rng.randn(2)
    with tf.Session() as sess:
        got = sess.run(dxdw, {x: x0, w: w0})
        numeric = _fd_jacobian(lambda v: sess.run(tf.reduce_sum(dx * [1.0, -2.0]),
                                                  {x: x0, w: v}), w0)
    np.testing.assert_allclose(got, numeric.ravel(), rtol=1e-6, atol=1e-8)


def test_gradient_penalty_through_dynamic_rnn():
    """d/d(inputs, weights) of |d loss / d inputs|^2 through dynamic_rnn (TensorArrays)."""
    inputs = tf.placeholder(tf.float64, [2, 4, 3])
    outputs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(3), inputs,
                                       dtype=tf.float64)
    loss = tf.reduce_sum(outputs ** 2) + tf.reduce_sum(state)
    penalty = tf.reduce_sum(tf.gradients(loss, inputs)[0] ** 2)
    kernel = tf.trainable_variables()[0]
    d_inputs, d_kernel = tf.gradients(penalty, [inputs, kernel])
    x0 = _rng.randn(2, 4, 3)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_inputs, got_kernel, k0 = sess.run([d_inputs, d_kernel, kernel], {inputs: x0})
        numeric = _fd_jacobian(lambda v: sess.run(penalty, {inputs: v}), x0)
        np.testing.assert_allclose(got_inputs.ravel(), numeric.ravel(), rtol=1e-6, atol=1e-8)
        numeric = _fd_jacobian(lambda v: sess.run(penalty, {inputs: x0, kernel: v}), k0)
    np.testing.assert_allclose(got_kernel.ravel(), numeric.ravel(), rtol=1e-6, atol=1e-8)


def test_nested_loops_and_maximum_iterations():
    x = tf.placeholder(tf.float64, [])

    def outer(i, s):
        inner = tf.while_loop(lambda j, t: j < 2, lambda j, t: (j + 1, tf.sin(t) * x), [0, s])
        return i + 1, inner[1] + x * s
    y = tf.while_loop(lambda i, s: i < 3, outer, [0, x])[1]
    capped = tf.while_loop(lambda s: s < 100.0, lambda s: s * x,
                           [tf.constant(1.0, tf.float64)], maximum_iterations=4)
    grads = [tf.gradients(t, x)[0] for t in (y, capped)]
    seconds = [tf.gradients(g, x)[0] for g in grads]
    with tf.Session() as sess:
        got = sess.run(seconds, {x: 0.7})
        numeric = [(sess.run(g, {x: 0.7 + 1e-6}) - sess.run(g, {x: 0.7 - 1e-6})) / 2e-6
                   for g in grads]
        np.testing.assert_allclose(got, numeric, rtol=1e-6)
        np.testing.assert_allclose(sess.run(seconds[1], {x: 1.5}), 12 * 1.5 ** 2, rtol=1e-12)


def test_two_loop_gradients_add_their_gradient_traces():
    """Two WhileGrad ops read one loop's trace; their second-order gradient traces reaching
    the loop are added (AddN of two traces)."""
    x = tf.placeholder(tf.float64, [])
    y = _power_loop(x, 4)
    first = tf.gradients(y, x)[0]  # 4 x^3
    second = tf.gradients(tf.sin(y), x)[0]  # cos(x^4) 4 x^3
    d2 = tf.gradients(first + second, x)[0]
    assert "AddN" in {op.type for op in d2.graph.get_operations()
                      if any(t.op.type == "WhileGrad" for t in op.inputs)}
    with tf.Session() as sess:
        got = sess.run(d2, {x: 0.9})
    x0 = 0.9
    expected = 12 * x0 ** 2 + 12 * x0 ** 2 * np.cos(x0 ** 4) - 16 * x0 ** 6 * np.sin(x0 ** 4)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_third_order_raises_lookup_error():
    x = tf.placeholder(tf.float64, [])
    second = tf.gradients(tf.gradients(_power_loop(x, 3), x)[0], x)[0]
    with pytest.raises(LookupError, match="order three"):
        tf.gradients(second, x)


def test_back_prop_false_stops_second_order_too():
    x = tf.placeholder(tf.float64, [])
    one = tf.constant(1.0, tf.float64)
    y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * x), [0, one],
                      back_prop=False)[1]
    assert tf.gradients(y, x) == [None]
