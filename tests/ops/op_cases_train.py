"""Op-table rows for the proximal and dual-averaging update ops (tensorweave/ops/training_ops).

Each check builds the op on variables, runs two updates in a Session (with the reference
kernels and with the sliced-update variant forced) and compares variable and slots with a NumPy
transcription of the formula TensorFlow's training_ops document.
"""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.core import errors
from tensorweave.ops import training_ops
from tensorweave.runtime.accel import sliced_updates

_RNG = np.random.RandomState(7)
_W = _RNG.uniform(-1, 1, (3, 4))
_G = _RNG.uniform(-1, 1, (3, 4))


def _soft(prox, rate, l1, l2):
    if l1 > 0:
        prox = np.sign(prox) * np.maximum(np.abs(prox) - rate * l1, 0)
    return prox / (1 + rate * l2)


def _run_updates(build, slots, formula, steps=2):
    """Builds `build(var_ref, *slot_refs)`, runs it `steps` times with both kernel kinds and
    compares every variable with `formula(var, *slots)` -> [var, *slots]."""
    for sliced in (False, True):
        old = (sliced_updates.SLICED_ABOVE, sliced_updates.SLICE)
        if sliced:
            sliced_updates.SLICED_ABOVE, sliced_updates.SLICE = 0, 5
        try:
            graph = tf.Graph()
            with graph.as_default():
                variables = [tf.Variable(v) for v in [_W] + slots]
                out = build(*[v._as_graph_element() for v in variables])
                init = tf.global_variables_initializer()
            state = [_W] + slots
            with tf.Session(graph=graph) as sess:
                sess.run(init)
                for _ in range(steps):
                    fetched = sess.run(out)
                    state = formula(*state)
                    assert fetched.shape == _W.shape and fetched.dtype == np.float64
                    np.testing.assert_allclose(fetched, state[0], rtol=1e-12, atol=1e-14)
                    for v, expected in zip(variables, state):
                        np.testing.assert_allclose(sess.run(v), expected, rtol=1e-12,
                                                   atol=1e-14)
        finally:
            sliced_updates.SLICED_ABOVE, sliced_updates.SLICE = old


def _check_proximal_gradient_descent():
    for l1, l2 in ((0.0, 0.0), (0.05, 0.2)):
        _run_updates(
            lambda var: training_ops.apply_proximal_gradient_descent(
                var, tf.constant(0.3, tf.float64), tf.constant(l1, tf.float64),
                tf.constant(l2, tf.float64), tf.constant(_G)),
            [], lambda w: [_soft(w - 0.3 * _G, 0.3, l1, l2)])
    with tf.Graph().as_default():
        var = tf.Variable(_W)._as_graph_element()
        with pytest.raises(ValueError, match="ApplyProximalGradientDescent"):
            training_ops.apply_proximal_gradient_descent(
                var, tf.constant(0.3, tf.float64), tf.constant(0.0, tf.float64),
                tf.constant(0.0, tf.float64), tf.constant(np.ones(3)))


def _check_proximal_adagrad():
    def formula(l1, l2):
        def step(w, accum):
            accum = accum + _G ** 2
            rate = 0.2 / np.sqrt(accum)
            return [_soft(w - _G * rate, rate, l1, l2), accum]
        return step
    for l1, l2 in ((0.0, 0.0), (0.1, 0.3)):
        _run_updates(
            lambda var, accum: training_ops.apply_proximal_adagrad(
                var, accum, *[tf.constant(x, tf.float64) for x in (0.2, l1, l2)],
                tf.constant(_G)),
            [np.full(_W.shape, 0.1)], formula(l1, l2))


def _check_adagrad_da():
    def formula(l1, l2, step):
        def update(w, ga, gsa):
            ga, gsa = ga + _G, gsa + _G ** 2
            denominator = l2 * step * 0.4 + np.sqrt(gsa)
            if l1 > 0:
                numerator = np.sign(-ga) * 0.4 * np.maximum(np.abs(ga) - l1 * step, 0)
            else:
                numerator = -ga * 0.4
            return [numerator / denominator, ga, gsa]
        return update
    for l1, l2, step in ((0.0, 0.0, 0), (0.3, 0.2, 3)):
        _run_updates(
            lambda var, ga, gsa: training_ops.apply_adagrad_da(
                var, ga, gsa, tf.constant(_G),
                *[tf.constant(x, tf.float64) for x in (0.4, l1, l2)],
                tf.constant(step, tf.int64)),
            [np.zeros(_W.shape), np.full(_W.shape, 0.1)], formula(l1, l2, step))
    with tf.Graph().as_default():
        refs = [tf.Variable(_W)._as_graph_element() for _ in range(3)]
        with pytest.raises(TypeError, match="ApplyAdagradDA requires an int64 global_step"):
            training_ops.apply_adagrad_da(*refs, tf.constant(_G),
                                          *[tf.constant(0.1, tf.float64)] * 3,
                                          tf.constant(1, tf.int32))
        with pytest.raises((TypeError, ValueError, errors.InvalidArgumentError)):
            training_ops.apply_adagrad_da(*refs, tf.constant(_G),
                                          *[tf.constant(0.1, tf.float32)] * 3,
                                          tf.constant(1, tf.int64))


SESSION_CASES = {
    "ApplyProximalGradientDescent": _check_proximal_gradient_descent,
    "ApplyProximalAdagrad": _check_proximal_adagrad,
    "ApplyAdagradDA": _check_adagrad_da,
}
