"""tf.keras.backend, losses and metric functions against TensorFlow's Keras (fixture programs
in tests/fixtures/keras_backend_cases.py), plus the session, K.function and variables."""
import json
import os
import sys

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.keras import backend as K
from tensorweave.keras import losses, metrics

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")
sys.path.insert(0, FIXTURES)
import keras_backend_cases  # noqa: E402

with open(os.path.join(FIXTURES, "keras_backend_reference.json")) as f:
    REFERENCE = json.load(f)


@pytest.mark.parametrize("name", sorted(keras_backend_cases.CASES))
def test_matches_tensorflow(name):
    K.clear_session()
    value = K.get_session().run(keras_backend_cases.CASES[name](K, losses, metrics))
    np.testing.assert_allclose(value, REFERENCE[name], rtol=2e-5, atol=2e-6)


def test_function_variables_and_values():
    K.clear_session()
    x = K.placeholder(shape=(None, 3))
    v = K.variable(np.ones((3, 1)), name="v")
    f = K.function([x], [K.dot(x, v)], updates=[(v, v * 2.0)])
    np.testing.assert_allclose(f([np.ones((2, 3))])[0], [[3.0], [3.0]])
    np.testing.assert_allclose(K.get_value(v), np.full((3, 1), 2.0))
    K.set_value(v, np.zeros((3, 1)))
    assert K.eval(K.sum(v)) == 0.0
    assert K.int_shape(x) == (None, 3) and K.ndim(x) == 2 and K.dtype(x) == "float32"
    with pytest.raises(TypeError, match="should be a list or tuple"):
        K.function(x, [x])


def test_learning_phase_and_switch():
    K.clear_session()
    phase = K.learning_phase()
    assert phase.name == "keras_learning_phase:0"
    out = K.in_train_phase(K.constant(1.0), K.constant(0.0))
    sess = K.get_session()
    assert sess.run(out) == 0.0
    assert sess.run(out, {phase: True}) == 1.0
    with K.learning_phase_scope(1):
        assert K.in_train_phase(1, 0) == 1
    cond = K.switch(K.constant([True, False]), K.constant([1, 2]), K.constant([3, 4]))
    np.testing.assert_array_equal(K.eval(cond), [1, 4])


def test_rnn_masks_and_unrolls_like_the_loop():
    K.clear_session()

    def step(x, states):
        h = states[0] * 0.5 + x
        return h, [h]

    inputs = K.constant(np.arange(24, dtype=np.float32).reshape(2, 4, 3))
    mask = K.constant([[1, 1, 0, 0], [1, 1, 1, 1]])
    results = [K.rnn(step, inputs, [tf.zeros((2, 3))], mask=mask, unroll=u) for u in (0, 1)]
    values = K.get_session().run([[r[0], r[1], r[2][0]] for r in results])
    for a, b in zip(*values):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    last = values[0][0]
    x = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
    np.testing.assert_allclose(last[0], x[0, 0] * 0.5 + x[0, 1], rtol=1e-6)


def test_progbar_prints_steps_and_values(capsys):
    from tensorweave.keras.utils import Progbar
    bar = Progbar(10, verbose=1, interval=0)
    bar.update(5, [("loss", 0.5)])
    bar.update(10, [("loss", 0.25)])
    out = capsys.readouterr().out
    assert "10/10 [==============================]" in out and "loss: 0.3750" in out


def test_cross_entropies_of_softmax_and_sigmoid_outputs_use_their_logits():
    """As TF 1.x's backend: a loss on a Softmax / Sigmoid op's output is computed from that
    op's logits (so TF's softmax-minus-labels gradient, no clipping at 1e-7), and binary
    cross-entropy of plain probabilities keeps epsilon inside its logs. The expected numbers
    were computed with TensorFlow 2.15's tf.compat.v1 Keras backend in graph mode."""
    K.clear_session()
    z = tf.constant([[2.0, -1.0, 0.5], [20.0, 0.0, 0.0]])
    t = tf.constant([[0.7, 0.9, 0.2], [1.0, 0.0, 0.0]])  # first row: targets not summing to 1
    p = tf.nn.softmax(z)
    cce = K.categorical_crossentropy(t, p)
    scce = K.sparse_categorical_crossentropy(tf.constant([1.0, 0.0]), p)
    u = tf.constant([[20.0, -3.0, 0.25]])
    y = tf.constant([[0.0, 1.0, 1.0]])
    bce_sig = K.binary_crossentropy(y, tf.sigmoid(u))
    bce_prob = K.binary_crossentropy(y, tf.constant([[0.999999999, 0.2, 0.6]]))
    got = K.get_session().run({
        "cce": cce, "cce_grad": tf.gradients(tf.reduce_sum(cce), z)[0],
        "scce": scce, "scce_grad": tf.gradients(tf.reduce_sum(scce), z)[0],
        "bce_sig": bce_sig, "bce_sig_grad": tf.gradients(tf.reduce_sum(bce_sig), u)[0],
        "bce_prob": bce_prob})
    tiny = 2.06115369216775e-09
    expected = {
        "cce": [3.4343602657318115, 0.0],
        "cce_grad": [[0.08559703826904297, -0.8608874082565308, -0.024709612131118774],
                     [0.0, tiny, tiny]],
        "scce": [3.2413113117218018, 0.0],
        "scce_grad": [[0.785597026348114, -0.9608874320983887, 0.17529039084911346],
                      [0.0, tiny, tiny]],
        "bce_sig": [[20.0, 3.0485873222351074, 0.575939416885376]],
        "bce_sig_grad": [[1.0, -0.9525741338729858, -0.4378235340118408]],
        "bce_prob": [[15.33323860168457, 1.609437346458435, 0.5108253955841064]],
    }
    for name, value in expected.items():
        np.testing.assert_allclose(got[name], value, rtol=2e-6, atol=1e-12, err_msg=name)


def test_cross_entropy_of_a_softmax_over_another_axis_uses_the_probabilities():
    """TF's Softmax op is over the last axis only: a softmax over axis 0 is no Softmax op there,
    so K.categorical_crossentropy normalizes and takes clipped logs of it. Expected numbers
    from TensorFlow 2.15's tf.compat.v1 Keras backend in graph mode."""
    K.clear_session()
    z = tf.constant([[2.0, -1.0, 0.5], [20.0, 0.0, 0.0]])
    t = tf.constant([[0.7, 0.9, 0.2], [1.0, 0.0, 0.0]])
    cce = K.categorical_crossentropy(t, tf.nn.softmax(z, axis=0))
    value, grad = K.get_session().run([cce, tf.gradients(tf.reduce_sum(cce), z)[0]])
    np.testing.assert_allclose(value, [12.43295955657959, 0.7460238337516785], rtol=2e-6)
    np.testing.assert_allclose(
        grad, [[2.6801171060242268e-08, -0.5085739493370056, 0.10303927212953568],
               [0.0, 0.5085739493370056, -0.10303929448127747]], rtol=1e-5, atol=1e-12)
