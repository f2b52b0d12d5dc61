"""tf.contrib.mixed_precision, step by step against TF 1.15's algorithm
(contrib/mixed_precision/python/loss_scale_manager.py and loss_scale_optimizer.py) written
out in NumPy: the scaled loss, the down-scaled gradients, the skipped update (and global step)
when a gradient is not finite, and the exponential manager's counts and scale; TF's variable
names."""
import numpy as np
import pytest

import tensorweave as tf

mp = tf.contrib.mixed_precision


class ExponentialModel:
    """TF 1.15's ExponentialUpdateLossScaleManager.update_loss_scale, in float32."""

    def __init__(self, scale, incr_every, decr_every, incr_ratio, decr_ratio):
        self.scale, self.good, self.bad = np.float32(scale), 0, 0
        self.incr_every, self.decr_every = incr_every, decr_every
        self.incr_ratio, self.decr_ratio = incr_ratio, decr_ratio

    def update(self, finite):
        if finite:
            if self.good + 1 >= self.incr_every:
                with np.errstate(over="ignore"):
                    grown = np.float32(self.scale * np.float32(self.incr_ratio))
                self.scale = grown if np.isfinite(grown) else self.scale
                self.good = self.bad = 0
            else:
                self.good += 1
        elif self.bad + 1 >= self.decr_every:
            self.scale = np.maximum(np.float32(1), np.float32(self.scale *
                                                              np.float32(self.decr_ratio)))
            self.good = self.bad = 0
        else:
            self.bad += 1
            self.good = 0


# x fed per step: inf and an overflow of x * scale make steps whose gradient is not finite
FEEDS = [1.0, 2.0, np.inf, 0.5, 3e38, 1.0, 1.0, 1.0, 1.0, np.nan, np.inf, 1.0, 1.0, 1.0, 1.0,
         1.0, 2.0, 1.0]


def _train(manager_fn, feeds):
    with tf.Graph().as_default():
        manager = manager_fn()
        x = tf.placeholder(tf.float32, [])
        w = tf.Variable([1.0, -2.0], name="w")
        step = tf.train.get_or_create_global_step()
        loss = tf.reduce_sum(w * x) + 0.5 * tf.reduce_sum(w ** 2)
        opt = mp.LossScaleOptimizer(tf.train.GradientDescentOptimizer(0.1), manager)
        train_op = opt.minimize(loss, global_step=step)
        state = [w, step, manager.get_loss_scale()]
        if isinstance(manager, mp.ExponentialUpdateLossScaleManager):
            names = sorted(v.op.name for v in tf.global_variables())
            assert names == ["bad_steps", "global_step", "good_steps", "loss_scale", "w"]
            assert [v.op.name for v in tf.trainable_variables()] == ["w"]
            good, bad = (v for v in tf.global_variables() if v.op.name in ("good_steps",
                                                                           "bad_steps"))
            state += [good, bad]
        history = []
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for value in feeds:
                sess.run(train_op, {x: value})
                history.append(sess.run(state))
        return history


def _model_history(feeds, model=None, scale=None):
    w, step = np.array([1.0, -2.0], np.float32), 0
    history = []
    for value in feeds:
        s = model.scale if model else np.float32(scale)
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = np.float32(value) * s + w * s  # d(loss * s)/dw in float32
            grad = scaled * np.reciprocal(s)
        finite = bool(np.all(np.isfinite(grad)))
        if finite:
            w, step = (w - np.float32(0.1) * grad).astype(np.float32), step + 1
        if model:
            model.update(finite)
            history.append((w, step, model.scale, model.good, model.bad))
        else:
            history.append((w, step, s))
    return history


def test_exponential_manager_step_by_step():
    args = dict(incr_every=3, decr_every=2, incr_ratio=2.0, decr_ratio=0.5)
    got = _train(lambda: mp.ExponentialUpdateLossScaleManager(
        1024.0, args["incr_every"], args["decr_every"], args["incr_ratio"],
        args["decr_ratio"]), FEEDS)
    want = _model_history(FEEDS, ExponentialModel(1024.0, **args))
    assert len(got) == len(want)
    for i, (g, m) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g[0], m[0], rtol=1e-6, err_msg=f"w at step {i}")
        assert g[1:] == list(m[1:]), f"step {i}: {g[1:]} != {m[1:]}"
    scales = [h[2] for h in got]
    assert min(scales) < 1024 < max(scales)  # it went both ways
    assert got[2][1] == got[1][1]  # the inf step did not count as a global step


def test_exponential_manager_keeps_the_scale_below_overflow_and_above_one():
    feeds = [1.0] * 4 + [np.inf] * 6
    got = _train(lambda: mp.ExponentialUpdateLossScaleManager(2.0 ** 126, 2, 1, 4.0, 1e-10),
                 feeds)
    want = _model_history(feeds, ExponentialModel(2.0 ** 126, 2, 1, 4.0, 1e-10))
    assert [h[2] for h in got] == [m[2] for m in want]
    assert got[1][1] == 2 and got[1][2] == got[3][2] == np.float32(2.0 ** 126)  # 2^128 refused
    assert got[-1][2] == 1.0


def test_fixed_manager_scales_and_skips():
    got = _train(lambda: mp.FixedLossScaleManager(128.0), FEEDS)
    want = _model_history(FEEDS, scale=128.0)
    for g, m in zip(got, want):
        np.testing.assert_allclose(g[0], m[0], rtol=1e-6)
        assert g[1:] == list(m[1:])
    with pytest.raises(ValueError, match="at least 1"):
        mp.FixedLossScaleManager(0.5)


def test_gradients_are_scaled_back_and_sparse_ones_too():
    with tf.Graph().as_default():
        table = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2))
        loss = tf.reduce_sum(tf.gather(table, [2, 0]) ** 2)
        opt = mp.LossScaleOptimizer(tf.train.GradientDescentOptimizer(1.0),
                                    mp.FixedLossScaleManager(2.0 ** 20))
        (grad, _), = opt.compute_gradients(loss, var_list=[table])
        assert isinstance(grad, tf.IndexedSlices)
        train_op = opt.apply_gradients([(grad, table)])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            values = sess.run(grad.values)
            sess.run(train_op)
            updated = sess.run(table)
    np.testing.assert_array_equal(values, [[8.0, 10.0], [0.0, 2.0]])
    np.testing.assert_array_equal(updated, [[0.0, -1.0], [2.0, 3.0], [-4.0, -5.0]])
