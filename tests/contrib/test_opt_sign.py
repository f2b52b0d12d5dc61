"""tf.contrib.opt's AdaMaxOptimizer, AddSignOptimizer and PowerSignOptimizer: five dense steps
against real TensorFlow's own update ops (tests/fixtures/make_contrib_opt_reference.py), TF
1.15's slots and names, the sparse path against the dense one, and the sign decays."""
import math
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
import optimizer_bits_cases as cases  # noqa: E402

REF = np.load(FIXTURES / "contrib_opt_reference.npz")
OPTIMIZERS = {
    "ada_max": lambda: tf.contrib.opt.AdaMaxOptimizer(0.01),
    "add_sign": lambda: tf.contrib.opt.AddSignOptimizer(),
    "power_sign": lambda: tf.contrib.opt.PowerSignOptimizer(),
    "power_sign_base2": lambda: tf.contrib.opt.PowerSignOptimizer(base=2.0),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_dense_steps_are_tensorflows(name):
    cases.OPTIMIZERS[name] = lambda _tf: OPTIMIZERS[name]()
    try:
        got = cases.train(tf, name)
    finally:
        del cases.OPTIMIZERS[name]
    np.testing.assert_array_equal(got, REF[name])


@pytest.mark.parametrize("name", ["ada_max", "add_sign", "power_sign"])
def test_sparse_rows_match_the_dense_update(name):
    start = np.random.RandomState(1).randn(4, 3).astype(np.float32)
    results = []
    for sparse in (False, True):
        with tf.Graph().as_default():
            w = tf.Variable(start)
            rows = tf.gather(w, [0, 1, 2, 3]) if sparse else w
            loss = tf.reduce_sum(tf.square(rows - 0.5))
            opt = OPTIMIZERS[name]()
            step = opt.minimize(loss, global_step=tf.train.create_global_step())
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for _ in range(3):
                    sess.run(step)
                results.append(sess.run(w))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-5, atol=1e-6)


def test_slots_names_and_power_accumulator():
    with tf.Graph().as_default():
        w = tf.Variable([1.0, 2.0], name="w")
        opt = tf.contrib.opt.AdaMaxOptimizer()
        opt.minimize(tf.reduce_sum(w * w))
        names = sorted(v.op.name for v in tf.global_variables())
        assert names == ["beta1_power", "w", "w/AdaMax", "w/AdaMax_1"]
        assert opt.get_slot_names() == ["m", "v"]
    with tf.Graph().as_default():
        w = tf.Variable([1.0, 2.0], name="w")
        tf.contrib.opt.PowerSignOptimizer().minimize(tf.reduce_sum(w * w))
        assert sorted(v.op.name for v in tf.global_variables()) == [
            "w", "w/PowerSignOptimizer"]


def test_sign_decays_follow_tensorflows_formulas():
    steps = [0, 25, 50, 100, 150]
    linear = tf.contrib.opt.get_linear_decay_fn(100)
    cosine = tf.contrib.opt.get_cosine_decay_fn(100, num_periods=0.5)
    cut = tf.contrib.opt.get_cosine_decay_fn(100, num_periods=1.0, zero_after=0.4)
    restart = tf.contrib.opt.get_restart_decay_fn(100, num_periods=2)
    with tf.Graph().as_default(), tf.Session() as sess:
        values = sess.run([[f(tf.constant(s, tf.int64)) for s in steps]
                           for f in (linear, cosine, cut, restart)])
    done = np.minimum(steps, 100) / 100.0
    np.testing.assert_allclose(values[0], 1 - done, atol=1e-6)
    np.testing.assert_allclose(values[1], 0.5 * (1 + np.cos(math.pi * done)), atol=1e-6)
    np.testing.assert_allclose(values[2], np.where(2 * done >= 0.8, 0.0,
                                                   0.5 * (1 + np.cos(2 * math.pi * done))),
                               atol=1e-6)
    np.testing.assert_allclose(values[3], 0.5 * (1 + np.cos(math.pi * ((2 * done) % 1.0))),
                               atol=1e-6)
    with pytest.raises(ValueError, match="global_step is required"):
        linear(None)


def test_add_sign_with_a_decay_uses_the_global_step():
    with tf.Graph().as_default():
        w = tf.Variable([1.0, -1.0])
        step = tf.train.create_global_step()
        opt = tf.contrib.opt.AddSignOptimizer(
            learning_rate=0.1, sign_decay_fn=tf.contrib.opt.get_linear_decay_fn(2))
        train = opt.minimize(tf.reduce_sum(w * w), global_step=step)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)  # step 0: decay 1, m = 0.1 g, sign term +1: w -= 0.1 * 2 * g
            np.testing.assert_allclose(sess.run(w), [1.0 - 0.4, -1.0 + 0.4], rtol=1e-6)
