"""tf.contrib.rnn's ConvLSTMCell family: TF 1.15's variable names, state and output sizes,
and its step computed by real TensorFlow's ops (tests/fixtures/make_conv_lstm_reference.py)."""
import pathlib

import numpy as np
import pytest

import tensorweave as tf

REF = np.load(pathlib.Path(__file__).resolve().parents[1] / "fixtures" /
              "conv_lstm_reference.npz")


CELLS = [("2d", "Conv2DLSTMCell", [3, 3], 3), ("1d", "Conv1DLSTMCell", [3], 2)]


def _cell(name, cell_class, kernel_shape, channels, skip=False):
    return getattr(tf.contrib.rnn, cell_class)(
        input_shape=list(REF[f"{name}/inputs"].shape[2:]), output_channels=channels,
        kernel_shape=kernel_shape, skip_connection=skip)


def _load(sess, name):
    kernel, bias = tf.global_variables()
    sess.run([kernel.assign(REF[f"{name}/kernel"]), bias.assign(REF[f"{name}/bias"])])


@pytest.mark.parametrize("name,cell_class,kernel_shape,channels", CELLS)
def test_dynamic_rnn_gives_tensorflows_numbers(name, cell_class, kernel_shape, channels):
    inputs = REF[f"{name}/inputs"]
    with tf.Graph().as_default():
        cell = _cell(name, cell_class, kernel_shape, channels)
        outputs, state = tf.nn.dynamic_rnn(cell, tf.constant(inputs), dtype=tf.float32)
        scope = f"rnn/conv_{name}_lstm_cell"
        kernel, bias = tf.global_variables()
        assert (kernel.op.name, bias.op.name) == (f"{scope}/kernel", f"{scope}/biases")
        with tf.Session() as sess:
            _load(sess, name)
            out, c, h = sess.run([outputs, state.c, state.h])
    np.testing.assert_allclose(out, REF[f"{name}/outputs"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c, REF[f"{name}/c"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h, REF[f"{name}/h"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,cell_class,kernel_shape,channels", CELLS)
def test_skip_connection_step_and_tensorflows_loop_error(name, cell_class, kernel_shape,
                                                         channels):
    """TF 1.15's skip connection appends the input to the output and carries that as the
    hidden state, so one step works and a loop fails on the state's shape, as in TF."""
    inputs = REF[f"{name}/inputs"]
    with tf.Graph().as_default():
        cell = _cell(name, cell_class, kernel_shape, channels, skip=True)
        assert cell.output_size.as_list() == list(inputs.shape[2:-1]) + [
            channels + inputs.shape[-1]]
        output, state = cell(tf.constant(inputs[:, 0]), cell.zero_state(2, tf.float32))
        with tf.Session() as sess:
            _load(sess, name)
            output = sess.run(output)
        np.testing.assert_allclose(output, REF[f"{name}_skip/outputs"][:, 0], rtol=1e-5,
                                   atol=1e-6)
        with pytest.raises(ValueError, match="enters the loop with shape"):
            tf.nn.dynamic_rnn(cell, tf.constant(inputs), dtype=tf.float32, scope="loop")


def test_conv_lstm_checks_and_zero_state():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Invalid input_shape"):
            tf.contrib.rnn.ConvLSTMCell(2, [5, 1], 4, [3, 3])
        cell = tf.contrib.rnn.ConvLSTMCell(2, [5, 6, 1], 4, [3, 3], use_bias=False)
        zero = cell.zero_state(3, tf.float32)
        assert zero.c.shape.as_list() == [3, 5, 6, 4]
        out, _ = cell(tf.zeros([3, 5, 6, 1]), zero)
        assert out.shape.as_list() == [3, 5, 6, 4]
        assert [v.op.name for v in tf.global_variables()] == ["conv_lstm_cell/kernel"]
