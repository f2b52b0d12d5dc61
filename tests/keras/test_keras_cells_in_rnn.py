"""Keras cells driven by tf.nn.dynamic_rnn / static_rnn (TF accepts any cell with
get_initial_state): outputs and final states equal real TF's for fixed weights
(tests/fixtures/make_keras_cells_in_rnn_reference.py), with TF's state structures."""
import os

import numpy as np
import pytest

import tensorweave as tf

REF = np.load(os.path.join(os.path.dirname(__file__), "..", "fixtures",
                           "keras_cells_in_rnn_reference.npz"))


def cell(name):
    init = {"kernel_initializer": tf.constant_initializer(REF[f"{name}/kernel"]),
            "recurrent_initializer": tf.constant_initializer(REF[f"{name}/recurrent_kernel"]),
            "bias_initializer": tf.constant_initializer(REF[f"{name}/bias"])}
    if name == "lstm":
        return tf.keras.layers.LSTMCell(4, recurrent_activation="sigmoid",
                                        unit_forget_bias=False, **init)
    if name == "gru":
        return tf.keras.layers.GRUCell(3, recurrent_activation="sigmoid", **init)
    return tf.keras.layers.SimpleRNNCell(2, **init)


def run(outputs, state):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run([outputs, tf.contrib.framework.nest.flatten(state)])


def check(name, outputs, state, count):
    out, flat = run(outputs, state)
    np.testing.assert_allclose(out, REF[f"{name}/outputs"], rtol=1e-5, atol=1e-6)
    assert len(flat) == count
    for i, s in enumerate(flat):
        np.testing.assert_allclose(s, REF[f"{name}/state_{i}"], rtol=1e-5, atol=1e-6)


def test_stacked_cells_in_dynamic_rnn():
    with tf.Graph().as_default():
        stacked = tf.keras.layers.StackedRNNCells([cell("lstm"), cell("gru")])
        assert stacked.state_size == ([4, 4], 3)
        outputs, state = tf.nn.dynamic_rnn(stacked, tf.constant(REF["inputs"]),
                                           dtype=tf.float32, scope="stacked")
        assert isinstance(state, tuple) and isinstance(state[0], list)
        assert state[1].shape.as_list() == [2, 3]
        assert outputs.shape.as_list() == [2, 4, 3]
        check("stacked", outputs, state, 3)


def test_lstm_cell_with_sequence_lengths():
    with tf.Graph().as_default():
        outputs, state = tf.nn.dynamic_rnn(cell("lstm"), tf.constant(REF["inputs"]),
                                           sequence_length=REF["lengths"], dtype=tf.float32,
                                           scope="lstm")
        assert isinstance(state, list) and len(state) == 2
        check("lstm_lengths", outputs, state, 2)


def test_simple_cell_in_static_rnn_keeps_a_single_state_tensor():
    with tf.Graph().as_default():
        steps = tf.unstack(tf.constant(REF["inputs"]), axis=1)
        outputs, state = tf.nn.static_rnn(cell("simple"), steps, dtype=tf.float32,
                                          scope="simple")
        assert isinstance(state, tf.Tensor)
        check("simple_static", tf.stack(outputs, 1), state, 1)


def test_keras_rnn_layer_over_stacked_cells_takes_flat_states():
    with tf.Graph().as_default():
        layer = tf.keras.layers.RNN([cell("lstm"), cell("gru")], return_state=True)
        result = layer(tf.constant(REF["inputs"]))
        assert len(result) == 4  # output, then h, c of the LSTM and h of the GRU
        out, *states = run(result[0], result[1:])
        np.testing.assert_allclose(out, REF["stacked/outputs"][:, -1], rtol=1e-5, atol=1e-6)
        for i, s in enumerate(states[0]):
            np.testing.assert_allclose(s, REF[f"stacked/state_{i}"], rtol=1e-5, atol=1e-6)


def test_an_object_without_an_initial_state_is_not_a_cell():
    class NoState:
        output_size = state_size = 1

        def __call__(self, x, s):
            return x, s
    with pytest.raises(TypeError, match="either 'zero_state' or 'get_initial_state'"):
        tf.nn.dynamic_rnn(NoState(), tf.zeros([1, 2, 1]), dtype=tf.float32)
