"""tf.contrib.rnn: stacked bidirectional RNNs (a tagger trained against TensorFlow's numbers),
GRUBlockCell against TensorFlow's fused op, the contrib cells and wrappers against NumPy, and
their variable names."""
import numpy as np
import pytest

import tensorweave as tf

from contrib_reference import REF, load_variables, variables_of

X, LENGTHS, TAGS = REF["input/x"], REF["input/lengths"], REF["input/tags"]


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def test_bidirectional_tagger_trains_as_tensorflow():
    x, lengths = tf.constant(X), tf.constant(LENGTHS)
    with tf.variable_scope("tagger"):
        outputs, states_fw, states_bw = tf.contrib.rnn.stack_bidirectional_dynamic_rnn(
            [tf.contrib.rnn.LSTMCell(4), tf.contrib.rnn.GRUCell(3)],
            [tf.contrib.rnn.GRUCell(3), tf.contrib.rnn.BasicLSTMCell(2)], x,
            sequence_length=lengths, dtype=tf.float32)
        logits = tf.layers.dense(outputs, 3, name="proj")
    assert outputs.shape.as_list() == [3, 5, 5]
    assert len(states_fw) == len(states_bw) == 2
    mask = tf.sequence_mask(lengths, 5, dtype=tf.float32)
    ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(TAGS),
                                                        logits=logits)
    loss = tf.reduce_sum(ce * mask) / tf.reduce_sum(mask)
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        load_variables(sess, "tagger")
        np.testing.assert_allclose(sess.run(outputs), REF["tagger/outputs"], rtol=1e-5,
                                   atol=1e-6)
        losses = [sess.run([loss, train])[0] for _ in range(3)]
    np.testing.assert_allclose(losses, REF["tagger/losses"], rtol=1e-5)
    assert losses[2] < losses[0]


def test_static_stack_bidirectional_rnn_matches_tensorflow():
    inputs = tf.unstack(tf.constant(X), axis=1)
    outputs, states_fw, states_bw = tf.contrib.rnn.stack_bidirectional_rnn(
        [tf.contrib.rnn.BasicRNNCell(3), tf.contrib.rnn.BasicRNNCell(3)],
        [tf.contrib.rnn.BasicLSTMCell(2), tf.contrib.rnn.BasicLSTMCell(2)], inputs,
        sequence_length=tf.constant(LENGTHS), dtype=tf.float32)
    assert len(outputs) == 5 and isinstance(states_bw[0], tf.contrib.rnn.LSTMStateTuple)
    with tf.Session() as sess:
        load_variables(sess, "static")
        np.testing.assert_allclose(np.stack(sess.run(outputs), 1), REF["static/outputs"],
                                   rtol=1e-5, atol=1e-6)


def test_stack_bidirectional_argument_errors():
    cell = tf.contrib.rnn.GRUCell(2)
    x = tf.zeros([1, 2, 3])
    with pytest.raises(ValueError, match="at least one fw cell"):
        tf.contrib.rnn.stack_bidirectional_dynamic_rnn([], [cell], x, dtype=tf.float32)
    with pytest.raises(ValueError, match="cells_fw must be a list"):
        tf.contrib.rnn.stack_bidirectional_dynamic_rnn((cell,), [cell], x, dtype=tf.float32)
    with pytest.raises(ValueError, match="same depth"):
        tf.contrib.rnn.stack_bidirectional_rnn([cell, cell], [cell], [x[:, 0]],
                                               dtype=tf.float32)
    with pytest.raises(ValueError, match="initial_states_fw must be a list"):
        tf.contrib.rnn.stack_bidirectional_dynamic_rnn([cell], [cell], x,
                                                       initial_states_fw=x, dtype=tf.float32)


def test_gru_block_cell_matches_tensorflows_fused_op():
    cell = tf.contrib.rnn.GRUBlockCell(4)
    out, state = cell(tf.constant(REF["input/gru_x"]), tf.constant(REF["input/gru_h"]))
    with tf.Session() as sess:
        load_variables(sess, "gru")
        h = sess.run(out)
    np.testing.assert_allclose(h, REF["gru/h"], rtol=1e-5, atol=1e-6)
    assert sorted(v.op.name for v in cell.variables) == sorted(variables_of("gru"))


def test_gru_block_cell_v2_uses_gru_cell_names():
    cell = tf.contrib.rnn.GRUBlockCellV2(num_units=3)
    tf.nn.dynamic_rnn(cell, tf.zeros([1, 2, 2]), dtype=tf.float32)
    assert [v.op.name for v in tf.global_variables()] == [
        "rnn/gru_cell/gates/kernel", "rnn/gru_cell/gates/bias", "rnn/gru_cell/candidate/kernel",
        "rnn/gru_cell/candidate/bias"]
    with pytest.raises(ValueError, match="Exactly one of num_units or cell_size"):
        tf.contrib.rnn.GRUBlockCell()
    with pytest.raises(ValueError, match="Exactly one of num_units or cell_size"):
        tf.contrib.rnn.GRUBlockCellV2(2, cell_size=2)


def _layer_norm(v, gain, shift):
    mean = v.mean(1, keepdims=True)
    var = v.var(1, keepdims=True)
    return (v - mean) / np.sqrt(var + 1e-12) * gain + shift


def test_layer_norm_basic_lstm_cell_against_numpy():
    rng = np.random.RandomState(3)
    x, c0, h0 = rng.randn(2, 3), rng.randn(2, 4), rng.randn(2, 4)
    cell = tf.contrib.rnn.LayerNormBasicLSTMCell(4, forget_bias=0.5, norm_gain=1.5,
                                                 norm_shift=0.1)
    out, state = cell(tf.constant(x, tf.float32),
                      tf.contrib.rnn.LSTMStateTuple(tf.constant(c0, tf.float32),
                                                    tf.constant(h0, tf.float32)))
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["layer_norm_basic_lstm_cell/kernel"] + [
        f"layer_norm_basic_lstm_cell/{part}/{p}" for part in
        ("input", "transform", "forget", "output", "state") for p in ("gamma", "beta")]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel = sess.run(tf.global_variables()[0])
        h, (c, h2) = sess.run([out, state])
    gates = np.concatenate([x, h0], 1) @ kernel
    i, j, f, o = (_layer_norm(g, 1.5, 0.1) for g in np.split(gates, 4, 1))
    new_c = _layer_norm(c0 * sigmoid(f + 0.5) + sigmoid(i) * np.tanh(j), 1.5, 0.1)
    np.testing.assert_allclose(c, new_c, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(h, np.tanh(new_c) * sigmoid(o), rtol=1e-4, atol=1e-5)


def test_projection_and_embedding_wrappers_against_numpy():
    ids = np.array([[1, 3], [0, 2]], np.int32)
    cell = tf.contrib.rnn.OutputProjectionWrapper(
        tf.contrib.rnn.EmbeddingWrapper(tf.contrib.rnn.BasicRNNCell(3), 5, 2), 4,
        activation=tf.nn.relu)
    outputs, _ = tf.nn.dynamic_rnn(cell, tf.constant(ids[:, :, None]), dtype=tf.float32)
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["rnn/output_projection_wrapper/embedding_wrapper/embedding",
                     "rnn/output_projection_wrapper/embedding_wrapper/basic_rnn_cell/kernel",
                     "rnn/output_projection_wrapper/embedding_wrapper/basic_rnn_cell/bias",
                     "rnn/output_projection_wrapper/kernel",
                     "rnn/output_projection_wrapper/bias"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        emb, k, b, pk, pb = sess.run(tf.global_variables())
        got = sess.run(outputs)
    h = np.zeros((2, 3))
    for t in range(2):
        h = np.tanh(np.concatenate([emb[ids[:, t]], h], 1) @ k + b)
        np.testing.assert_allclose(got[:, t], np.maximum(h @ pk + pb, 0), rtol=1e-5,
                                   atol=1e-6)


def test_input_projection_and_highway_wrappers():
    x = np.random.RandomState(1).randn(2, 3).astype(np.float32)
    cell = tf.contrib.rnn.HighwayWrapper(
        tf.contrib.rnn.InputProjectionWrapper(tf.contrib.rnn.GRUCell(3), 3))
    out, _ = cell(tf.constant(x), tf.zeros([2, 3]))
    names = sorted(v.op.name for v in tf.global_variables())
    assert names == ["carry_b", "carry_w", "input_projection_wrapper/bias",
                     "input_projection_wrapper/gru_cell/candidate/bias",
                     "input_projection_wrapper/gru_cell/candidate/kernel",
                     "input_projection_wrapper/gru_cell/gates/bias",
                     "input_projection_wrapper/gru_cell/gates/kernel",
                     "input_projection_wrapper/kernel"]
    carry_w = [v for v in tf.global_variables() if v.op.name == "carry_w"][0]
    carry_b = [v for v in tf.global_variables() if v.op.name == "carry_b"][0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert np.allclose(sess.run(carry_b), 1.0)
        w, b, got = sess.run([carry_w, carry_b, out])
    carry = sigmoid(x @ w + b)
    # out = x * carry + cell_out * (1 - carry): recover cell_out and check it is finite
    cell_out = (got - x * carry) / (1 - carry)
    assert np.all(np.abs(cell_out) <= 1 + 1e-5)  # a GRU output is a convex mix of tanh values


def test_attention_cell_wrapper_state_and_names():
    cell = tf.contrib.rnn.AttentionCellWrapper(tf.contrib.rnn.BasicLSTMCell(4), attn_length=3)
    assert cell.output_size == 4
    assert cell.state_size == (tf.contrib.rnn.LSTMStateTuple(4, 4), 4, 12)
    outputs, state = tf.nn.dynamic_rnn(cell, tf.constant(X), dtype=tf.float32)
    names = sorted(v.op.name for v in tf.global_variables())
    assert names == sorted([
        "rnn/attention_cell_wrapper/kernel", "rnn/attention_cell_wrapper/bias",
        "rnn/attention_cell_wrapper/basic_lstm_cell/kernel",
        "rnn/attention_cell_wrapper/basic_lstm_cell/bias",
        "rnn/attention_cell_wrapper/attention/attn_w",
        "rnn/attention_cell_wrapper/attention/attn_v",
        "rnn/attention_cell_wrapper/attention/kernel",
        "rnn/attention_cell_wrapper/attention/bias",
        "rnn/attention_cell_wrapper/attn_output_projection/kernel",
        "rnn/attention_cell_wrapper/attn_output_projection/bias"])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out, (_, attns, window) = sess.run([outputs, state])
    assert out.shape == (3, 5, 4) and attns.shape == (3, 4) and window.shape == (3, 12)
    # the window's last slot is the last output
    np.testing.assert_allclose(window[:, 8:], out[:, -1], rtol=1e-6)


def test_dropout_wrapper_variational_recurrent_keeps_one_mask():
    cell = tf.contrib.rnn.DropoutWrapper(
        tf.contrib.rnn.BasicLSTMCell(6), input_keep_prob=0.5, output_keep_prob=0.5,
        state_keep_prob=0.5, variational_recurrent=True, input_size=4, dtype=tf.float32,
        seed=3)
    outputs, _ = tf.nn.dynamic_rnn(cell, tf.constant(X), dtype=tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a = sess.run(outputs)
    zero = a == 0
    assert zero.any() and not zero.all()
    assert (zero == zero[:1, :1]).all()  # one mask for every row and step
    with pytest.raises(ValueError, match="dtype must be provided"):
        tf.contrib.rnn.DropoutWrapper(tf.contrib.rnn.GRUCell(2), variational_recurrent=True)
    with pytest.raises(ValueError, match="input_size must be provided"):
        tf.contrib.rnn.DropoutWrapper(tf.contrib.rnn.GRUCell(2), input_keep_prob=0.5,
                                      variational_recurrent=True, dtype=tf.float32)


def test_fused_rnn_adaptors_match_the_cell():
    x = tf.constant(np.transpose(X, [1, 0, 2]))  # time-major
    cell = tf.contrib.rnn.GRUCell(3)
    fused = tf.contrib.rnn.FusedRNNCellAdaptor(cell, use_dynamic_rnn=True)
    out, state = fused(x, dtype=tf.float32, sequence_length=tf.constant(LENGTHS))
    with tf.variable_scope("rev"):
        backward = tf.contrib.rnn.TimeReversedFusedRNN(tf.contrib.rnn.GRUCell(3))
        rev_out, _ = backward(x, dtype=tf.float32, sequence_length=tf.constant(LENGTHS))
    (_, bw_out), _ = tf.nn.bidirectional_dynamic_rnn(
        cell, backward._cell._cell, x, sequence_length=tf.constant(LENGTHS),
        dtype=tf.float32, time_major=True, scope="bi")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, got_state, got_rev, want_rev = sess.run([out, state, rev_out, bw_out])
    for b, n in enumerate(LENGTHS):
        np.testing.assert_allclose(got_state[b], got[n - 1, b], rtol=1e-6)
    np.testing.assert_allclose(got_rev, want_rev, rtol=1e-5, atol=1e-6)
    assert tf.contrib.rnn.transpose_batch_time(tf.zeros([2, 3, 4])).shape.as_list() == \
        [3, 2, 4]
