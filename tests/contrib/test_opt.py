"""tf.contrib.opt: LazyAdam, AdamW/MomentumW, Nadam, MovingAverageOptimizer and the external
optimizer interfaces, checked against NumPy formulas written from TF 1.15's contrib.opt
(TensorFlow 2.15 no longer has contrib, so no TF fixture)."""
import importlib.util

import numpy as np
import pytest

import tensorweave as tf

_rs = np.random.RandomState(1915)
W0 = _rs.uniform(-1, 1, (5, 3))
H0 = _rs.uniform(-1, 1, (3, 1))
C = _rs.uniform(-1, 1, (3, 3))
IDS = [0, 2, 2]
# d loss / d W on its rows (loss = sum(gather(W, IDS) * C)): row 0 gets C[0], row 2 C[1] + C[2]
ROWS = np.array([0, 2])
ROW_GRAD = np.stack([C[0], C[1] + C[2]])
# hyperparameters are float32 tensors cast to the variable's float64, as in TF
LR, B1, B2, EPS = (float(np.float32(x)) for x in (0.05, 0.9, 0.999, 1e-8))


def _train(make_opt, steps=3, dense=False, decay_var_list=None, minimize=True):
    """Trains W (and H through a dense term) with make_opt(); returns (opt, values)."""
    with tf.Graph().as_default():
        w = tf.Variable(W0, name="w")
        h = tf.Variable(H0, name="h")
        rows = tf.gather(tf.identity(w) * 1.0 if dense else w, IDS)
        loss = tf.reduce_sum(rows * C) + tf.reduce_sum(tf.square(h))
        opt = make_opt()
        kwargs = {} if decay_var_list is None else {"decay_var_list": decay_var_list(w, h)}
        if minimize:
            step = opt.minimize(loss, **kwargs)
        else:
            step = opt.apply_gradients(opt.compute_gradients(loss), **kwargs)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(steps):
                sess.run(step)
            names = [v.op.name for v in tf.global_variables()]
            return opt, dict(zip(names, sess.run(tf.global_variables())))


def _adam_lr(t):
    """Adam's step size at step t, from the float32 beta powers Adam keeps."""
    b1p = b2p = np.float32(1)
    for _ in range(t):
        b1p, b2p = b1p * np.float32(B1), b2p * np.float32(B2)
    return LR * np.sqrt(1 - float(b2p)) / (1 - float(b1p))


def test_lazy_adam_touches_only_the_rows_of_the_batch():
    _, got = _train(lambda: tf.contrib.opt.LazyAdamOptimizer(LR))
    w, m, v = W0.copy(), np.zeros_like(W0), np.zeros_like(W0)
    for t in range(1, 4):
        m[ROWS] = B1 * m[ROWS] + (1 - B1) * ROW_GRAD
        v[ROWS] = B2 * v[ROWS] + (1 - B2) * ROW_GRAD ** 2
        w[ROWS] -= _adam_lr(t) * m[ROWS] / (np.sqrt(v[ROWS]) + EPS)
    np.testing.assert_allclose(got["w"], w, rtol=1e-9)
    np.testing.assert_allclose(got["w/Adam"], m, rtol=1e-9)
    np.testing.assert_allclose(got["w/Adam_1"], v, rtol=1e-9)
    assert sorted(got) == ["beta1_power", "beta2_power", "h", "h/Adam", "h/Adam_1", "w",
                           "w/Adam", "w/Adam_1"]
    np.testing.assert_allclose(got["beta1_power"], B1 ** 4)


def test_lazy_adam_dense_gradient_is_adam():
    _, lazy = _train(lambda: tf.contrib.opt.LazyAdamOptimizer(LR), dense=True)
    _, adam = _train(lambda: tf.train.AdamOptimizer(LR), dense=True)
    for name in adam:
        np.testing.assert_allclose(lazy[name], adam[name], rtol=1e-9)


def _adam_sparse_reference(w, decay=0.0):
    """TF's (non-lazy) sparse Adam with decoupled decay of the batch's rows first."""
    w, m, v = w.copy(), np.zeros_like(w), np.zeros_like(w)
    for t in range(1, 4):
        w[ROWS] -= decay * w[ROWS]
        m *= B1
        m[ROWS] += (1 - B1) * ROW_GRAD
        v *= B2
        v[ROWS] += (1 - B2) * ROW_GRAD ** 2
        w -= _adam_lr(t) * m / (np.sqrt(v) + EPS)
    return w, m, v


def test_adamw_sparse_and_dense():
    wd = 0.015625
    opt, got = _train(lambda: tf.contrib.opt.AdamWOptimizer(wd, LR))
    w, m, v = _adam_sparse_reference(W0, decay=wd)
    np.testing.assert_allclose(got["w"], w, rtol=1e-9)
    np.testing.assert_allclose(got["w/AdamW"], m, rtol=1e-9)
    np.testing.assert_allclose(got["w/AdamW_1"], v, rtol=1e-9)
    h, mh, vh = H0.copy(), np.zeros_like(H0), np.zeros_like(H0)  # dense: decay, then Adam
    for t in range(1, 4):
        g = 2 * h
        h = h - wd * h
        mh = B1 * mh + (1 - B1) * g
        vh = B2 * vh + (1 - B2) * g * g
        h = h - _adam_lr(t) * mh / (np.sqrt(vh) + EPS)
    np.testing.assert_allclose(got["h"], h, rtol=1e-7)
    assert opt.get_name() == "AdamW"


def test_decay_var_list_and_extension():
    _, got = _train(lambda: tf.contrib.opt.AdamWOptimizer(0.5, LR),
                    decay_var_list=lambda w, h: [h], minimize=False)
    w, _, _ = _adam_sparse_reference(W0)  # w not decayed
    np.testing.assert_allclose(got["w"], w, rtol=1e-9)
    _, got = _train(lambda: tf.contrib.opt.AdamWOptimizer(0.5, LR),
                    decay_var_list=lambda w, h: [h])
    w, _, _ = _adam_sparse_reference(W0, decay=0.5)  # minimize's list is lost, as in TF 1.15
    np.testing.assert_allclose(got["w"], w, rtol=1e-9)
    adamw = tf.contrib.opt.extend_with_decoupled_weight_decay(tf.train.AdamOptimizer)
    _, extended = _train(lambda: adamw(0.015625, learning_rate=LR))
    w, _, _ = _adam_sparse_reference(W0, decay=0.015625)
    np.testing.assert_allclose(extended["w"], w, rtol=1e-9)
    assert "w/Adam" in extended
    _, momentum_w = _train(lambda: tf.contrib.opt.MomentumWOptimizer(0.01, 0.125, 0.75))
    w, acc = W0.copy(), np.zeros_like(W0)
    for _ in range(3):
        w[ROWS] -= 0.01 * w[ROWS]  # the decay: a Python float, as TF multiplies it
        acc[ROWS] = 0.75 * acc[ROWS] + ROW_GRAD
        w[ROWS] -= 0.125 * acc[ROWS]
    np.testing.assert_allclose(momentum_w["w"], w, rtol=1e-9)
    np.testing.assert_allclose(momentum_w["w/MomentumW"], acc, rtol=1e-9)


def test_nadam():
    _, got = _train(lambda: tf.contrib.opt.NadamOptimizer(LR))
    w, m, v = W0.copy(), np.zeros_like(W0), np.zeros_like(W0)
    for t in range(1, 4):
        m *= B1
        m[ROWS] += (1 - B1) * ROW_GRAD
        m_bar = (1 - B1) * ROW_GRAD + B1 * m[ROWS]
        v *= B2
        v[ROWS] += (1 - B2) * ROW_GRAD ** 2
        w[ROWS] -= _adam_lr(t) * m_bar / (np.sqrt(v[ROWS]) + EPS)
    np.testing.assert_allclose(got["w"], w, rtol=1e-9)
    np.testing.assert_allclose(got["w/Adam"], m, rtol=1e-9)
    _, dense = _train(lambda: tf.contrib.opt.NadamOptimizer(LR), dense=True)
    h, mh, vh = H0.copy(), np.zeros_like(H0), np.zeros_like(H0)
    for t in range(1, 4):
        g = 2 * h
        mh = B1 * mh + (1 - B1) * g
        vh = B2 * vh + (1 - B2) * g * g
        h = h - _adam_lr(t) * (B1 * mh + (1 - B1) * g) / (np.sqrt(vh) + EPS)
    np.testing.assert_allclose(dense["h"], h, rtol=1e-7)


def test_moving_average_optimizer_and_swapping_saver(tmp_path):
    with tf.Graph().as_default():
        w = tf.Variable(W0, name="w")
        loss = tf.reduce_sum(tf.gather(w, IDS) * C)
        opt = tf.contrib.opt.MovingAverageOptimizer(tf.train.GradientDescentOptimizer(0.125),
                                                    average_decay=0.5)
        with pytest.raises(RuntimeError, match="Must call apply_gradients or minimize"):
            opt.swapping_saver()
        step = opt.minimize(loss)
        assert step.name == "train_with_avg"
        saver = opt.swapping_saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(step)
            sess.run(step)
            path = saver.save(sess, str(tmp_path / "model"))
            trained = sess.run(w)
    want, avg = W0.copy(), W0.copy()
    for _ in range(2):
        want[0] -= 0.125 * C[0]
        want[2] -= 0.125 * (C[1] + C[2])
        avg = 0.5 * avg + 0.5 * want
    np.testing.assert_allclose(trained, want, rtol=1e-9)
    np.testing.assert_allclose(tf.train.load_variable(path, "w"), avg, rtol=1e-9)
    np.testing.assert_allclose(tf.train.load_variable(path, "w/ExponentialMovingAverage"),
                               want, rtol=1e-9)


class _GradientSteps(tf.contrib.opt.ExternalOptimizerInterface):
    """An external minimizer of plain gradient steps: exercises the packing machinery."""

    def _minimize(self, initial_val, loss_grad_func, equality_funcs, equality_grad_funcs,
                  inequality_funcs, inequality_grad_funcs, packed_bounds, step_callback,
                  optimizer_kwargs):
        x = initial_val
        for _ in range(optimizer_kwargs["steps"]):
            _, grad = loss_grad_func(x)
            x = x - 0.25 * grad
            if packed_bounds is not None:
                x = np.clip(x, [b[0] for b in packed_bounds], [b[1] for b in packed_bounds])
            step_callback(x)
        return x


def test_external_optimizer_interface():
    with tf.Graph().as_default():
        a = tf.Variable([1.0, 2.0], name="a")
        b = tf.Variable([[3.0]], name="b")
        target = tf.placeholder(tf.float32, [])
        loss = tf.reduce_sum(tf.square(a - target)) + tf.reduce_sum(tf.square(b - target))
        opt = _GradientSteps(loss, var_to_bounds={b: (-1.0, 0.5)}, steps=30)
        seen, steps = [], []
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            opt.minimize(sess, feed_dict={target: 0.0}, fetches=[loss],
                         loss_callback=seen.append, step_callback=steps.append)
            a_value, b_value = sess.run([a, b])
    np.testing.assert_allclose(a_value, 0.0, atol=1e-6)
    np.testing.assert_allclose(b_value, [[0.0]], atol=1e-6)
    assert len(seen) == 30 and len(steps) == 30 and seen[0] > seen[-1]


@pytest.mark.skipif(importlib.util.find_spec("scipy") is not None, reason="SciPy is installed")
def test_scipy_interface_without_scipy():
    with tf.Graph().as_default():
        a = tf.Variable([1.0, 2.0])
        with pytest.raises(ImportError, match="needs SciPy"):
            tf.contrib.opt.ScipyOptimizerInterface(tf.reduce_sum(tf.square(a)))


@pytest.mark.skipif(importlib.util.find_spec("scipy") is None, reason="SciPy is not installed")
def test_scipy_interface_minimizes():
    with tf.Graph().as_default():
        a = tf.Variable([1.0, 2.0])
        loss = tf.reduce_sum(tf.square(a - [3.0, -1.0]))
        opt = tf.contrib.opt.ScipyOptimizerInterface(loss, options={"maxiter": 50})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            opt.minimize(sess)
            np.testing.assert_allclose(sess.run(a), [3.0, -1.0], atol=1e-4)


def test_contrib_opt_names():
    import tensorweave.contrib.opt as contrib_opt
    for name in contrib_opt.__all__:
        assert getattr(tf.contrib.opt, name) is getattr(contrib_opt, name)


def test_multitask_wrapper_skips_all_zero_gradients():
    with tf.Graph().as_default():
        a = tf.Variable([1.0, 2.0], name="a")
        b = tf.Variable([3.0], name="b")
        use_b = tf.placeholder(tf.float32, [])
        loss = tf.reduce_sum(tf.square(a)) + use_b * tf.reduce_sum(tf.square(b))
        opt = tf.contrib.opt.MultitaskOptimizerWrapper(tf.train.MomentumOptimizer(0.1, 0.5))
        grads_and_vars, norm = tf.contrib.opt.clip_gradients_by_global_norm(
            opt.compute_gradients(loss), 1.0)
        step = opt.apply_gradients(grads_and_vars)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_allclose(sess.run(norm, {use_b: 0.0}), np.sqrt(4 + 16),
                                       rtol=1e-6)
            sess.run(step, {use_b: 1.0})
            b1, mom1 = sess.run([b, opt.get_slot(b, "momentum")])
            sess.run(step, {use_b: 0.0})  # b's gradient is zero: b and its momentum stay
            b2, mom2 = sess.run([b, opt.get_slot(b, "momentum")])
            a_value = sess.run(a)
    np.testing.assert_allclose(b2, b1)
    np.testing.assert_allclose(mom2, mom1)
    assert (a_value < [1.0, 2.0]).all()
    with pytest.raises(TypeError, match="instance of tf.train.Optimizer"):
        tf.contrib.opt.MultitaskOptimizerWrapper(object())
