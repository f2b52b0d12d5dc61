"""Proximal and dual-averaging optimizers, ExponentialMovingAverage and every learning-rate
schedule against real TensorFlow (tests/fixtures/train_extra_reference.json, made by
tests/fixtures/make_train_extra_reference.py under TF 2.15's compat.v1)."""
import json
import pathlib

import numpy as np
import pytest

import tensorweave as tf

REFERENCE = json.loads((pathlib.Path(__file__).parents[1] / "fixtures" /
                        "train_extra_reference.json").read_text())

X = np.array([[0.1, 0.2], [0.3, -0.4], [-0.5, 0.6]], np.float32)
Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, -0.5]], np.float32)
W0 = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
B0 = np.array([0.5, -1.5], np.float32)

OPTIMIZERS = {
    "proximal_gd": lambda gs: tf.train.ProximalGradientDescentOptimizer(0.1),
    "proximal_gd_l1_l2": lambda gs: tf.train.ProximalGradientDescentOptimizer(
        0.1, l1_regularization_strength=0.05, l2_regularization_strength=0.2),
    "proximal_adagrad": lambda gs: tf.train.ProximalAdagradOptimizer(0.3),
    "proximal_adagrad_l1_l2": lambda gs: tf.train.ProximalAdagradOptimizer(
        0.3, initial_accumulator_value=0.2, l1_regularization_strength=0.05,
        l2_regularization_strength=0.1),
    "adagrad_da": lambda gs: tf.train.AdagradDAOptimizer(0.5, gs),
    "adagrad_da_l1_l2": lambda gs: tf.train.AdagradDAOptimizer(
        0.5, gs, initial_gradient_squared_accumulator_value=0.2,
        l1_regularization_strength=0.01, l2_regularization_strength=0.1),
}


@pytest.mark.parametrize("key", sorted(OPTIMIZERS))
def test_optimizer_matches_tensorflow(key):
    want = REFERENCE["optimizers"][key]
    with tf.Graph().as_default():
        w = tf.Variable(W0, name="w")
        b = tf.Variable(B0, name="b")
        gs = tf.train.get_or_create_global_step()
        loss = tf.reduce_sum(tf.square(tf.matmul(X, w) + b - Y))
        train = OPTIMIZERS[key](gs).minimize(loss, global_step=gs)
        assert sorted(v.op.name for v in tf.global_variables()) == want["variables"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for step in want["steps"]:
                sess.run(train)
                np.testing.assert_allclose(sess.run(w), step["w"], rtol=1e-6, atol=1e-6)
                np.testing.assert_allclose(sess.run(b), step["b"], rtol=1e-6, atol=1e-6)


def test_optimizer_argument_checks():
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive"):
        tf.train.ProximalAdagradOptimizer(0.1, initial_accumulator_value=0.0)
    with pytest.raises(ValueError, match="initial_gradient_squared_accumulator_value"):
        tf.train.AdagradDAOptimizer(0.1, None, initial_gradient_squared_accumulator_value=-1)


def test_adagrad_da_slots():
    with tf.Graph().as_default():
        w = tf.Variable([1.0, 2.0], name="w")
        gs = tf.train.get_or_create_global_step()
        opt = tf.train.AdagradDAOptimizer(0.1, gs)
        opt.minimize(tf.reduce_sum(w * w), global_step=gs)
        assert opt.get_slot_names() == ["gradient_accumulator", "gradient_squared_accumulator"]
        assert opt.get_slot(w, "gradient_squared_accumulator").op.name == "w/AdagradDA_1"


def _ema_graph():
    with tf.variable_scope("scope"):
        v = tf.Variable([1.0, 2.0], name="v")
    u = tf.Variable(10.0, name="u")
    frozen = tf.Variable(7.0, name="frozen", trainable=False)
    step = tf.Variable(0, name="step", trainable=False)
    t = tf.placeholder(tf.float32, [], name="t")
    tensor = tf.identity(t * 2.0, name="tensor")
    return v, u, frozen, step, t, tensor


def test_exponential_moving_average_matches_tensorflow():
    want = REFERENCE["ema"]
    with tf.Graph().as_default():
        v, u, frozen, step, t, tensor = _ema_graph()
        ema = tf.train.ExponentialMovingAverage(0.9, name="ema_plain")
        ema_n = tf.train.ExponentialMovingAverage(0.99, num_updates=step, zero_debias=True)
        plain = ema.apply([v, u])
        with tf.control_dependencies([plain]):
            counted = ema_n.apply([v, tensor])
        before = ema_n.average_name(u)
        inc = tf.assign_add(step, 1)
        assert plain.name == want["update_op"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for x, expected in zip(want["values"], want["trace"]):
                sess.run([tf.assign(v, [x, -x]), tf.assign(u, x * 3)])
                sess.run(counted, {t: x})
                sess.run(inc)
                got = {"v_plain": ema.average(v), "u_plain": ema.average(u),
                       "v_counted": ema_n.average(v), "tensor_counted": ema_n.average(tensor)}
                for key, average in got.items():
                    np.testing.assert_allclose(sess.run(average), expected[key], rtol=1e-6)
        assert sorted(x.op.name for x in tf.global_variables()) == want["variables"]
        assert [x.op.name for x in tf.get_collection(tf.GraphKeys.MOVING_AVERAGE_VARIABLES)] \
            == want["moving_average_variables"]
        assert {"v": ema.average_name(v), "u": ema.average_name(u), "u_unapplied": before,
                "frozen": ema.average_name(frozen)} == want["average_name"]
        assert sorted([k, x.op.name] for k, x in ema.variables_to_restore().items()) \
            == want["variables_to_restore"]
        assert sorted([k, x.op.name] for k, x in ema.variables_to_restore([u]).items()) \
            == want["variables_to_restore_list"]
        assert ema.name == "ema_plain" and ema.average(frozen) is None


def test_moving_average_restores_into_the_variables(tmp_path):
    """The averages saved under '<var>/ExponentialMovingAverage' load into the variables."""
    with tf.Graph().as_default():
        w = tf.Variable(0.0, name="w")
        ema = tf.train.ExponentialMovingAverage(0.5)
        update = ema.apply([w])
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for x in (4.0, 8.0):
                sess.run(tf.assign(w, x))
                sess.run(update)
            path = saver.save(sess, str(tmp_path / "model"))
    with tf.Graph().as_default():
        w = tf.Variable(0.0, name="w")
        ema = tf.train.ExponentialMovingAverage(0.5)
        restore = tf.train.Saver(ema.variables_to_restore())
        with tf.Session() as sess:
            restore.restore(sess, path)
            assert sess.run(w) == pytest.approx(5.0)  # 0 -> 2 -> 5


def test_moving_average_rejects_integers():
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="must be half, float, or double"):
            tf.train.ExponentialMovingAverage(0.9).apply([tf.Variable(1, name="i")])


DECAYS = {
    "exponential": lambda s: tf.train.exponential_decay(0.1, s, 7, 0.8),
    "exponential_stair": lambda s: tf.train.exponential_decay(0.1, s, 7, 0.8, staircase=True),
    "natural_exp": lambda s: tf.train.natural_exp_decay(0.1, s, 5, 0.3),
    "natural_exp_stair": lambda s: tf.train.natural_exp_decay(0.1, s, 5, 0.3, staircase=True),
    "inverse_time": lambda s: tf.train.inverse_time_decay(0.1, s, 3, 0.5),
    "inverse_time_stair": lambda s: tf.train.inverse_time_decay(0.1, s, 3, 0.5, True),
    "polynomial": lambda s: tf.train.polynomial_decay(0.1, s, 30, 0.01, power=2.0),
    "polynomial_cycle": lambda s: tf.train.polynomial_decay(0.1, s, 9, 0.01, 0.5, cycle=True),
    "cosine": lambda s: tf.train.cosine_decay(0.1, s, 25, alpha=0.1),
    "cosine_restarts": lambda s: tf.train.cosine_decay_restarts(0.1, s, 6),
    "cosine_restarts_t1": lambda s: tf.train.cosine_decay_restarts(0.1, s, 5, t_mul=1.0,
                                                                   m_mul=0.8, alpha=0.05),
    "cosine_restarts_m": lambda s: tf.train.cosine_decay_restarts(0.1, s, 4, t_mul=1.5,
                                                                  m_mul=0.7, alpha=0.1),
    "linear_cosine": lambda s: tf.train.linear_cosine_decay(0.1, s, 30),
    "linear_cosine_args": lambda s: tf.train.linear_cosine_decay(0.1, s, 20, num_periods=2.0,
                                                                 alpha=0.1, beta=0.01),
    "piecewise": lambda s: tf.train.piecewise_constant(s, [5, 12, 30], [1.0, 0.5, 0.25, 0.1]),
    "piecewise_decay": lambda s: tf.train.piecewise_constant_decay(s, [3, 9],
                                                                   [0.3, 0.2, 0.1]),
}
# op names TF gives where ours differ (TF's come from tf.case and a trailing multiply)
_OTHER_NAMES = {"cosine", "piecewise", "piecewise_decay"}


@pytest.mark.parametrize("key", sorted(DECAYS))
def test_decay_matches_tensorflow(key):
    want = REFERENCE["decays"]
    with tf.Graph().as_default():
        step = tf.placeholder(tf.int64, [])
        rate = DECAYS[key](step)
        if key not in _OTHER_NAMES:
            assert rate.op.name.split("_")[0] == want["names"][key].split("_")[0]
        with tf.Session() as sess:
            got = [float(sess.run(rate, {step: s})) for s in want["steps"]]
    np.testing.assert_allclose(got, want[key], rtol=1e-5, atol=1e-9)


def test_noisy_linear_cosine_decay_spreads_around_linear_cosine():
    with tf.Graph().as_default():
        tf.set_random_seed(3)
        step = tf.placeholder(tf.int64, [])
        noisy = tf.train.noisy_linear_cosine_decay(0.1, step, 100, initial_variance=0.01)
        clean = tf.train.linear_cosine_decay(0.1, step, 100)
        assert noisy.op.name == "NoisyLinearCosineDecay"
        with tf.Session() as sess:
            draws = np.array([sess.run(noisy, {step: 50}) for _ in range(400)])
            centre = sess.run(clean, {step: 50})
    # noise std sqrt(0.01 / 51 ** 0.55) on the linear part, times lr * cosine(pi/2 ...) here
    cosine = 0.5 * (1 + np.cos(np.pi * 0.5))
    std = 0.1 * cosine * np.sqrt(0.01 / 51 ** 0.55)
    assert abs(draws.mean() - centre) < 4 * std / np.sqrt(400)
    assert draws.std() == pytest.approx(std, rel=0.15)


def test_decays_need_a_global_step():
    with tf.Graph().as_default():
        for fn in (tf.train.cosine_decay_restarts, tf.train.linear_cosine_decay,
                   tf.train.noisy_linear_cosine_decay):
            with pytest.raises(ValueError, match="global_step is required"):
                fn(0.1, None, 10)
