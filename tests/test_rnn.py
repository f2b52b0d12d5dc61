"""RNN cells, dynamic_rnn / static_rnn / bidirectional_dynamic_rnn and sequence_mask: TF's
variable names, outputs against NumPy references of the cell equations, ragged
sequence_length, and gradients against finite differences."""
import os
import sys

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import lstm_ops

rnn_cell = tf.nn.rnn_cell
RNG = np.random.RandomState(42)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# --- NumPy references: one step of each cell, from its variable values ----------------------
def np_basic_rnn(x, h, kernel, bias):
    out = np.tanh(np.concatenate([x, h], 1) @ kernel + bias)
    return out, out


def np_gru(x, h, gate_kernel, gate_bias, cand_kernel, cand_bias):
    r, u = np.split(sigmoid(np.concatenate([x, h], 1) @ gate_kernel + gate_bias), 2, axis=1)
    c = np.tanh(np.concatenate([x, r * h], 1) @ cand_kernel + cand_bias)
    new_h = u * h + (1 - u) * c
    return new_h, new_h


def np_lstm(x, state, kernel, bias, forget_bias=1.0, peepholes=None, cell_clip=None,
            projection=None):
    c, h = state
    i, j, f, o = np.split(np.concatenate([x, h], 1) @ kernel + bias, 4, axis=1)
    if peepholes is None:
        c = c * sigmoid(f + forget_bias) + sigmoid(i) * np.tanh(j)
    else:
        w_f, w_i, w_o = peepholes
        c = c * sigmoid(f + forget_bias + w_f * c) + sigmoid(i + w_i * c) * np.tanh(j)
    if cell_clip is not None:
        c = np.clip(c, -cell_clip, cell_clip)
    m = np.tanh(c) * sigmoid(o if peepholes is None else o + peepholes[2] * c)
    if projection is not None:
        m = m @ projection
    return m, (c, m)


def np_unroll(step, inputs, state, lengths=None):
    """Batch-major inputs [b, t, d]; zero outputs and frozen state past each row's length."""
    outputs = []
    for t in range(inputs.shape[1]):
        out, new_state = step(inputs[:, t], state)
        if lengths is not None:
            done = (t >= np.asarray(lengths))[:, None]
            out = np.where(done, 0.0, out)
            new_state = tuple(np.where(done, s, n) for s, n in zip(_flat(state), _flat(new_state)))
            new_state = new_state if isinstance(state, tuple) else new_state[0]
        outputs.append(out)
        state = new_state
    return np.stack(outputs, 1), state


def _flat(state):
    return list(state) if isinstance(state, tuple) else [state]


def _values(sess, cell):
    return [sess.run(v) for v in cell.variables]


# name -> (make cell, NumPy step from variable values, state as a tuple?)
CELLS = {
    "BasicRNNCell": (lambda: rnn_cell.BasicRNNCell(4),
                     lambda vals: lambda x, h: np_basic_rnn(x, h, *vals), False),
    "GRUCell": (lambda: rnn_cell.GRUCell(4), lambda vals: lambda x, h: np_gru(x, h, *vals),
                False),
    "BasicLSTMCell": (lambda: rnn_cell.BasicLSTMCell(4, forget_bias=0.5),
                      lambda vals: lambda x, s: np_lstm(x, s, *vals, forget_bias=0.5), True),
    "LSTMCell": (lambda: rnn_cell.LSTMCell(4, use_peepholes=True, cell_clip=0.8, num_proj=3),
                 lambda vals: lambda x, s: np_lstm(x, s, vals[0], vals[1],
                                                   peepholes=vals[2:5], cell_clip=0.8,
                                                   projection=vals[5]), True),
    # the fused step (one LSTMBlockCell op): LSTMCell with peepholes, neither clip nor projection
    "LSTMCell-fused": (lambda: rnn_cell.LSTMCell(4, use_peepholes=True, forget_bias=0.3),
                       lambda vals: lambda x, s: np_lstm(x, s, vals[0], vals[1],
                                                         forget_bias=0.3, peepholes=vals[2:5]),
                       True),
    "LSTMBlockCell": (lambda: tf.contrib.rnn.LSTMBlockCell(4, use_peephole=True),
                      lambda vals: lambda x, s: np_lstm(x, s, vals[0], vals[1],
                                                        peepholes=vals[2:5]), True),
}


def _initial(cell, batch):
    sizes = cell.state_size
    if isinstance(sizes, tuple):
        return tuple(RNG.uniform(-1, 1, (batch, s)) for s in sizes)
    return RNG.uniform(-1, 1, (batch, sizes))


def _state_placeholders(cell, batch):
    sizes = cell.state_size
    if isinstance(sizes, tuple):
        return rnn_cell.LSTMStateTuple(*[tf.placeholder(tf.float64, [batch, s]) for s in sizes])
    return tf.placeholder(tf.float64, [batch, sizes])


def _feed_state(placeholders, values):
    if isinstance(values, tuple):
        return dict(zip(placeholders, values))
    return {placeholders: values}


# --- variable names --------------------------------------------------------------------------
def _names():
    return sorted(v.name for v in tf.global_variables())


def test_dynamic_rnn_variable_names_follow_tensorflow():
    x = tf.placeholder(tf.float32, [2, 5, 3])
    cells = [rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(4), output_keep_prob=0.5),
             rnn_cell.GRUCell(3)]
    tf.nn.dynamic_rnn(rnn_cell.MultiRNNCell(cells), x, dtype=tf.float32)
    tf.nn.dynamic_rnn(rnn_cell.LSTMCell(4, use_peepholes=True, num_proj=2), x,
                      dtype=tf.float32, scope="other")
    tf.nn.bidirectional_dynamic_rnn(rnn_cell.BasicRNNCell(2), rnn_cell.BasicRNNCell(2), x,
                                    dtype=tf.float32)
    assert _names() == sorted([
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel:0",
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias:0",
        "rnn/multi_rnn_cell/cell_1/gru_cell/gates/kernel:0",
        "rnn/multi_rnn_cell/cell_1/gru_cell/gates/bias:0",
        "rnn/multi_rnn_cell/cell_1/gru_cell/candidate/kernel:0",
        "rnn/multi_rnn_cell/cell_1/gru_cell/candidate/bias:0",
        "other/lstm_cell/kernel:0", "other/lstm_cell/bias:0", "other/lstm_cell/w_f_diag:0",
        "other/lstm_cell/w_i_diag:0", "other/lstm_cell/w_o_diag:0",
        "other/lstm_cell/projection/kernel:0",
        "bidirectional_rnn/fw/basic_rnn_cell/kernel:0",
        "bidirectional_rnn/fw/basic_rnn_cell/bias:0",
        "bidirectional_rnn/bw/basic_rnn_cell/kernel:0",
        "bidirectional_rnn/bw/basic_rnn_cell/bias:0"])
    shapes = {v.name: v.shape.as_list() for v in tf.global_variables()}
    assert shapes["rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel:0"] == [7, 16]
    assert shapes["other/lstm_cell/kernel:0"] == [5, 16]
    assert shapes["other/lstm_cell/projection/kernel:0"] == [4, 2]
    assert len(tf.trainable_variables()) == 16


BIDIRECTIONAL_NAMES = os.path.join(os.path.dirname(__file__), "fixtures",
                                   "bidirectional_rnn_names.json")


@pytest.mark.parametrize("case_name", ["plain", "lengths", "time_major_scope",
                                       "outer_name_scope"])
def test_bidirectional_rnn_reverses_outputs_outside_its_scope_as_tensorflow(case_name):
    import json  # the reference: tests/fixtures/make_bidirectional_rnn_names.py, real TF
    with open(BIDIRECTIONAL_NAMES) as f:
        want = json.load(f)["cases"][case_name]
    case = want["case"]
    x = tf.placeholder(tf.float32, [5, 2, 3] if case["time_major"] else [2, 5, 3])
    lengths = tf.constant([5, 3]) if case["lengths"] else None

    def build():
        return tf.nn.bidirectional_dynamic_rnn(
            rnn_cell.BasicRNNCell(4), rnn_cell.BasicRNNCell(4), x, sequence_length=lengths,
            dtype=tf.float32, time_major=case["time_major"], scope=case["scope"])

    if case["outer"]:
        with tf.name_scope(case["outer"]):
            (_, out_bw), _ = build()
    else:
        (_, out_bw), _ = build()
    reverses = [op.name for op in tf.get_default_graph().get_operations()
                if op.type in ("ReverseV2", "ReverseSequence")]
    assert reverses == want["reverse_ops"]
    assert out_bw.name == want["outputs"][1]


def test_static_rnn_names_and_scope_clash():
    inputs = tf.unstack(tf.placeholder(tf.float32, [2, 3, 5]), axis=1)
    outputs, state = tf.nn.static_rnn(rnn_cell.BasicLSTMCell(4), inputs, dtype=tf.float32)
    assert len(outputs) == 3 and outputs[0].shape.as_list() == [2, 4]
    assert _names() == ["rnn/basic_lstm_cell/bias:0", "rnn/basic_lstm_cell/kernel:0"]
    with pytest.raises(ValueError, match="already exists"):  # as in TF: a second rnn, same scope
        tf.nn.static_rnn(rnn_cell.BasicLSTMCell(4), inputs, dtype=tf.float32)


def test_lstm_cells_step_through_one_fused_op_where_they_can():
    for cell, fused in ((rnn_cell.BasicLSTMCell(4), True), (rnn_cell.LSTMCell(4), True),
                        (rnn_cell.BasicLSTMCell(4, activation=tf.nn.relu), False),
                        (rnn_cell.LSTMCell(4, cell_clip=1.0), False),
                        (rnn_cell.LSTMCell(4, num_proj=2), False)):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [2, 3, 5])
            tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)
            types = [op.type for op in tf.get_default_graph().get_operations()]
            assert types.count("LSTMBlockCell") == (3 if fused else 0), cell
    with tf.Graph().as_default():
        tf.nn.dynamic_rnn(tf.contrib.rnn.LSTMBlockCell(4), tf.zeros([2, 3, 5]),
                          dtype=tf.float32)
        assert _names() == ["rnn/lstm_cell/bias:0", "rnn/lstm_cell/kernel:0"]


def test_contrib_rnn_names_the_same_classes():
    assert tf.contrib.rnn.BasicLSTMCell is rnn_cell.BasicLSTMCell
    assert tf.contrib.rnn.LSTMStateTuple is rnn_cell.LSTMStateTuple
    assert tf.contrib.rnn.static_rnn is tf.nn.static_rnn


# --- one step against NumPy ------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CELLS))
def test_cell_step_against_numpy(name):
    make, reference, _ = CELLS[name]
    cell = make()
    x = tf.placeholder(tf.float64, [3, 5])
    state = _state_placeholders(cell, 3)
    output, new_state = cell(x, state)
    assert output.shape.as_list() == [3, cell.output_size]
    xv, sv = RNG.uniform(-1, 1, (3, 5)), _initial(cell, 3)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run([output, new_state], {x: xv, **_feed_state(state, sv)})
        want = reference(_values(sess, cell))(xv, sv)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-10, atol=1e-12)
    for g, w in zip(_flat(tuple(got[1]) if isinstance(sv, tuple) else got[1]),
                    _flat(want[1])):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_state_tuples_and_zero_state():
    cell = rnn_cell.LSTMCell(4, num_proj=2)
    assert cell.state_size == rnn_cell.LSTMStateTuple(4, 2) and cell.output_size == 2
    zero = cell.zero_state(3, tf.float32)
    assert isinstance(zero, rnn_cell.LSTMStateTuple)
    assert zero.c.shape.as_list() == [3, 4] and zero.h.shape.as_list() == [3, 2]
    assert zero.dtype is tf.float32 and zero.c.op.name.startswith("LSTMCellZeroState")
    batch = tf.placeholder(tf.int32, [])
    dynamic = rnn_cell.MultiRNNCell([rnn_cell.GRUCell(2), cell]).zero_state(batch, tf.float64)
    assert dynamic[0].shape.as_list() == [None, 2]
    with tf.Session() as sess:
        assert sess.run(dynamic[1].h, {batch: 5}).shape == (5, 2)


def test_concatenated_lstm_state():
    cell = rnn_cell.BasicLSTMCell(3, state_is_tuple=False)
    assert cell.state_size == 6
    x = tf.placeholder(tf.float64, [2, 4])
    out, state = cell(x, tf.zeros([2, 6], tf.float64))
    assert state.shape.as_list() == [2, 6]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        xv = RNG.uniform(-1, 1, (2, 4))
        got_out, got_state = sess.run([out, state], {x: xv})
        want_out, (c, h) = np_lstm(xv, (np.zeros((2, 3)), np.zeros((2, 3))),
                                   *_values(sess, cell))
    np.testing.assert_allclose(got_out, want_out, rtol=1e-10)
    np.testing.assert_allclose(got_state, np.concatenate([c, h], 1), rtol=1e-10)


def test_dynamic_rnn_runs_fused_lstm_cells_as_one_block_lstm_op():
    class OwnStep(rnn_cell.BasicLSTMCell):
        def call(self, inputs, state):
            return super().call(inputs, state)

    for cell, fused in ((rnn_cell.BasicLSTMCell(4), True),
                        (rnn_cell.LSTMCell(4, use_peepholes=True), True),
                        (rnn_cell.LSTMCell(4, num_proj=2), False),
                        (rnn_cell.GRUCell(4), False), (OwnStep(4), False)):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [2, 3, 5])
            outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
            tf.gradients(outputs, x)
            types = [op.type for op in tf.get_default_graph().get_operations()]
            assert (types.count("BlockLSTM"), types.count("BlockLSTMGrad")) == \
                ((1, 1) if fused else (0, 0)), cell
            assert ("While" in types) is not fused, cell
            assert _names()[0].startswith("rnn/"), _names()
    with tf.Graph().as_default():  # the number of steps must be known while building
        tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(4), tf.placeholder(tf.float32, [2, None, 5]),
                          dtype=tf.float32)
        assert "BlockLSTM" not in [op.type for op in tf.get_default_graph().get_operations()]


def test_block_lstm_config_says_which_cells_run_as_block_lstm_ops():
    basic, peephole = rnn_cell.BasicLSTMCell(3, forget_bias=0.4), \
        rnn_cell.LSTMCell(2, use_peepholes=True)
    config = rnn_cell.MultiRNNCell([basic, peephole]).block_lstm_config()
    assert [(c.cell, c.num_units, c.forget_bias, c.use_peephole, c.cell_clip, c.state_is_tuple)
            for c in config.layers] == [(basic, 3, 0.4, False, None, True),
                                        (peephole, 2, 1.0, True, None, True)]
    nested = rnn_cell.MultiRNNCell([rnn_cell.MultiRNNCell([basic]), peephole])
    assert [c.cell for c in nested.block_lstm_config().layers] == [basic, peephole]

    class OwnStack(rnn_cell.MultiRNNCell):
        def call(self, inputs, state):
            return super().call(inputs, state)

    for cell in (rnn_cell.GRUCell(2), rnn_cell.LSTMCell(2, cell_clip=1.0),
                 rnn_cell.LSTMCell(2, num_proj=1),
                 rnn_cell.BasicLSTMCell(2, activation=tf.nn.relu),
                 rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(2)),
                 rnn_cell.MultiRNNCell([basic, rnn_cell.GRUCell(2)]),
                 rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(2, state_is_tuple=False)],
                                       state_is_tuple=False),
                 OwnStack([basic])):
        assert cell.block_lstm_config() is None, cell
    assert rnn_cell.BasicLSTMCell(2, state_is_tuple=False).block_lstm_config().state_is_tuple \
        is False
    fused = tf.contrib.rnn.LSTMBlockFusedCell(2, cell_clip=0.5)  # always one BlockLSTM op
    assert fused.block_lstm_config().cell_clip == 0.5


def test_lstm_subclass_with_its_own_call_runs_in_the_while_loop():
    class DoubledOutput(rnn_cell.LSTMCell):
        def call(self, inputs, state):
            output, new_state = super().call(inputs, state)
            return 2 * output, new_state

    cell = DoubledOutput(3, use_peepholes=True)
    assert cell.block_lstm_config() is None
    x = tf.placeholder(tf.float64, [2, 4, 5])
    outputs, final = tf.nn.dynamic_rnn(cell, x, sequence_length=[4, 2], dtype=tf.float64)
    types = [op.type for op in tf.get_default_graph().get_operations()]
    assert "While" in types and "BlockLSTM" not in types
    xv = RNG.uniform(-1, 1, (2, 4, 5))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_out, got_final = sess.run([outputs, final], {x: xv})
        kernel, bias, w_f, w_i, w_o = _values(sess, cell)

    def step(x_t, s):
        output, new_state = np_lstm(x_t, s, kernel, bias, peepholes=(w_f, w_i, w_o))
        return 2 * output, new_state
    want_out, want_final = np_unroll(step, xv, (np.zeros((2, 3)),) * 2, [4, 2])
    np.testing.assert_allclose(got_out, want_out, rtol=1e-10, atol=1e-12)
    for g, w in zip(got_final, want_final):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_block_lstm_gradients_reach_through_cs_and_h_once():
    x = tf.constant(np.ones((2, 1, 1)))
    w = tf.constant(np.full((2, 4), 0.1))
    zeros = tf.constant(np.zeros((1, 1)))
    outputs = lstm_ops.block_lstm(2, x, zeros, zeros, w, cell_clip=-1.0)
    with pytest.raises(LookupError, match="gate outputs"):
        tf.gradients(outputs[0], w)  # i: TF silently drops this gradient
    first = tf.gradients(tf.reduce_sum(outputs[6] ** 2), w)[0]
    with pytest.raises(LookupError, match="static_rnn"):
        tf.gradients(tf.reduce_sum(first ** 2), w)  # second order
    clipped = lstm_ops.block_lstm(2, x, zeros, zeros, w)  # TF's default cell_clip: 3
    with pytest.raises(LookupError, match="BlockLSTM .* clips its cell state"):
        tf.gradients(clipped[6], w)


def test_block_lstm_grad_skips_x_gradient_only_where_nothing_reads_it(monkeypatch):
    rng = np.random.default_rng(3)
    x = tf.placeholder(tf.float64, [3, 2, 2])
    w = tf.Variable(rng.standard_normal((5, 12)))
    zeros = tf.zeros([2, 3], tf.float64)
    h = lstm_ops.block_lstm(3, x, zeros, zeros, w, cell_clip=-1.0)[6]
    loss = tf.reduce_sum(tf.sin(h))
    dx, dw = tf.gradients(loss, [x, w])
    products = []
    real_matmul = np.matmul
    monkeypatch.setattr(lstm_ops.np, "matmul", lambda *a, **k: (products.append(1),
                                                                real_matmul(*a, **k))[1])
    feed = {x: rng.standard_normal((3, 2, 2))}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        both = sess.run([dx, dw], feed)
        products.clear()
        w_alone = sess.run(dw, feed)
        fewer = len(products)
        products.clear()
        sess.run([dx, dw], feed)
    np.testing.assert_array_equal(w_alone, both[1])
    assert fewer == len(products) - 1  # x's product with w is the one left out
    assert np.abs(both[0]).max() > 0

def _stacked_lstm_graph(lengths_value):
    """dynamic_rnn over two stacked fused LSTM cells: (x, outputs, final, loss gradients)."""
    multi = rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(3, forget_bias=0.4),
                                   rnn_cell.LSTMCell(2, use_peepholes=True)])
    x = tf.placeholder(tf.float64, [4, 5, 2])
    outputs, final = tf.nn.dynamic_rnn(multi, x, sequence_length=tf.constant(lengths_value),
                                       dtype=tf.float64)
    loss = tf.reduce_sum(tf.sin(outputs)) + tf.reduce_sum(final[0].c ** 2) + \
        tf.reduce_sum(final[1].h * 3)
    return x, outputs, final, tf.gradients(loss, [x] + tf.trainable_variables())


def test_dynamic_rnn_runs_stacked_lstm_cells_as_one_block_lstm_op_each(monkeypatch):
    lengths, xv = [5, 2, 0, 4], RNG.uniform(-1, 1, (4, 5, 2))
    results = {}
    for fused in (True, False):
        if not fused:  # the while loop of LSTMBlockCell steps
            monkeypatch.setattr(rnn_cell.MultiRNNCell, "block_lstm_config", lambda self: None)
        with tf.Graph().as_default():
            x, outputs, final, grads = _stacked_lstm_graph(lengths)
            types = [op.type for op in tf.get_default_graph().get_operations()]
            assert types.count("BlockLSTM") == (2 if fused else 0)
            if fused:
                assert _names() == [f"rnn/multi_rnn_cell/cell_{k}/{cell}/{name}:0"
                                    for k, cell, names in ((0, "basic_lstm_cell", ["bias",
                                                                                  "kernel"]),
                                                           (1, "lstm_cell", [
                                                               "bias", "kernel", "w_f_diag",
                                                               "w_i_diag", "w_o_diag"]))
                                    for name in names]
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for k, var in enumerate(tf.trainable_variables()):  # the same weights in both
                    var.load(np.random.RandomState(k).uniform(-0.7, 0.7, var.shape.as_list()),
                             sess)
                results[fused] = sess.run([outputs, final, grads], {x: xv})
    (out_a, final_a, grads_a), (out_b, final_b, grads_b) = results[True], results[False]
    np.testing.assert_allclose(out_a, out_b, rtol=1e-10, atol=1e-12)
    assert not out_a[2].any() and not out_a[1, 2:].any()
    for a, b in zip(_flat(final_a[0]) + _flat(final_a[1]), _flat(final_b[0]) + _flat(final_b[1])):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    for a, b in zip(grads_a, grads_b):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


# --- LSTMBlockFusedCell ----------------------------------------------------------------------
@pytest.mark.parametrize("time_known", [True, False], ids=["time_known", "time_unknown"])
def test_lstm_block_fused_cell_against_numpy(time_known):
    cell = tf.contrib.rnn.LSTMBlockFusedCell(4, forget_bias=0.6, use_peephole=True)
    x = tf.placeholder(tf.float64, [6 if time_known else None, 3, 5])  # time-major
    lengths = tf.placeholder(tf.int32, [3])
    state = rnn_cell.LSTMStateTuple(tf.placeholder(tf.float64, [3, 4]),
                                    tf.placeholder(tf.float64, [3, 4]))
    outputs, final = cell(x, initial_state=state, sequence_length=lengths)
    assert _names() == ["lstm_fused_cell/bias:0", "lstm_fused_cell/kernel:0",
                        "lstm_fused_cell/w_f_diag:0", "lstm_fused_cell/w_i_diag:0",
                        "lstm_fused_cell/w_o_diag:0"]
    assert cell.num_units == 4 and isinstance(final, rnn_cell.LSTMStateTuple)
    xv, lv, sv = RNG.uniform(-1, 1, (6, 3, 5)), [6, 0, 4], _initial(cell, 3)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, got_final = sess.run([outputs, final], {x: xv, lengths: lv, state.c: sv[0],
                                                     state.h: sv[1]})
        kernel, bias, w_f, w_i, w_o = sess.run(cell.variables)
    step = lambda x_t, s: np_lstm(x_t, s, kernel, bias, forget_bias=0.6,  # noqa: E731
                                  peepholes=(w_f, w_i, w_o))
    want, want_final = np_unroll(step, xv.transpose(1, 0, 2), sv, lv)
    np.testing.assert_allclose(got, want.transpose(1, 0, 2), rtol=1e-10, atol=1e-12)
    for g, w in zip(got_final, want_final):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_lstm_block_fused_cell_lists_zero_state_clip_and_errors():
    cell = tf.contrib.rnn.LSTMBlockFusedCell(2, cell_clip=0.05)
    steps = [tf.constant(np.full((1, 3), 2.0, np.float32)) for _ in range(4)]
    outputs, final = cell(steps, dtype=tf.float32)
    assert isinstance(outputs, list) and len(outputs) == 4
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert np.abs(sess.run(final.c)).max() <= 0.05 + 1e-7  # the cell state is clipped
    with pytest.raises(ValueError, match="initial_state or dtype"):
        cell(tf.zeros([2, 1, 3]))
    with pytest.raises(ValueError, match="length 2"):
        cell(tf.zeros([2, 1, 3]), initial_state=(tf.zeros([1, 2]),))
    with pytest.raises(ValueError, match="inputs_shape"):
        cell(tf.placeholder(tf.float32, [2, 1, None]), dtype=tf.float32)


# --- dynamic_rnn -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CELLS))
def test_dynamic_rnn_with_ragged_lengths_against_numpy(name):
    make, reference, _ = CELLS[name]
    cell = make()
    x = tf.placeholder(tf.float64, [None, 6, 5])
    lengths = tf.placeholder(tf.int32, [None])
    outputs, final = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float64)
    assert outputs.shape.as_list() == [None, 6, cell.output_size]
    xv, lv = RNG.uniform(-1, 1, (4, 6, 5)), [6, 2, 0, 4]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_out, got_final = sess.run([outputs, final], {x: xv, lengths: lv})
        zero = tuple(np.zeros((4, s)) for s in cell.state_size) \
            if isinstance(cell.state_size, tuple) else np.zeros((4, cell.state_size))
        want_out, want_final = np_unroll(reference(_values(sess, cell)), xv, zero, lv)
    np.testing.assert_allclose(got_out, want_out, rtol=1e-10, atol=1e-12)
    assert not got_out[2].any() and not got_out[1, 2:].any()
    for g, w in zip(_flat(tuple(got_final) if isinstance(zero, tuple) else got_final),
                    _flat(want_final)):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cell_class", [rnn_cell.LSTMCell, rnn_cell.GRUCell])
def test_dynamic_rnn_pads_with_positive_zeros(cell_class):
    # TF selects zeros past a row's length (no -0. from multiplying negative outputs by 0)
    x = tf.placeholder(tf.float32, [3, 5, 1])
    outputs, _ = tf.nn.dynamic_rnn(cell_class(6), x, sequence_length=[5, 2, 3],
                                   dtype=tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(outputs, {x: RNG.uniform(-1, 1, (3, 5, 1))})
    assert (got[0] < 0).any()
    assert not np.signbit(got[1, 2:]).any() and not np.signbit(got[2, 3:]).any()


def test_dynamic_rnn_stops_at_the_longest_sequence():
    x = tf.placeholder(tf.float64, [2, 5, 3])
    lengths = tf.placeholder(tf.int32, [2])
    outputs, _ = tf.nn.dynamic_rnn(rnn_cell.GRUCell(2), x, sequence_length=lengths,
                                   dtype=tf.float64)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(outputs, {x: RNG.uniform(-1, 1, (2, 5, 3)), lengths: [2, 1]})
    assert got.shape == (2, 5, 2) and not got[:, 2:].any() and got[0, 1].any()


def test_dynamic_rnn_time_major_and_initial_state():
    cell = rnn_cell.BasicLSTMCell(3)
    x = tf.placeholder(tf.float64, [4, 2, 5])  # [time, batch, depth]
    init = rnn_cell.LSTMStateTuple(tf.placeholder(tf.float64, [2, 3]),
                                   tf.placeholder(tf.float64, [2, 3]))
    outputs, final = tf.nn.dynamic_rnn(cell, x, initial_state=init, time_major=True)
    assert outputs.shape.as_list() == [4, 2, 3]
    xv, sv = RNG.uniform(-1, 1, (4, 2, 5)), _initial(cell, 2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_out, got_final = sess.run([outputs, final], {x: xv, init.c: sv[0], init.h: sv[1]})
        vals = _values(sess, cell)
    want_out, want_final = np_unroll(lambda a, s: np_lstm(a, s, *vals),
                                     xv.transpose(1, 0, 2), sv)
    np.testing.assert_allclose(got_out, want_out.transpose(1, 0, 2), rtol=1e-10)
    np.testing.assert_allclose(got_final.c, want_final[0], rtol=1e-10)


def test_static_rnn_matches_dynamic_rnn_and_reuses_variables():
    cell = rnn_cell.GRUCell(3)
    x = tf.placeholder(tf.float64, [2, 4, 5])
    lengths = tf.constant([4, 2])
    dyn, dyn_final = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float64)
    static, static_final = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float64,
                                            sequence_length=lengths, scope="rnn")
    assert len(tf.global_variables()) == 4
    xv = RNG.uniform(-1, 1, (2, 4, 5))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b, c, d = sess.run([dyn, tf.stack(static, 1), dyn_final, static_final], {x: xv})
    np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(c, d, rtol=1e-12)


def test_multi_rnn_cell_against_numpy():
    cells = [rnn_cell.BasicLSTMCell(3), rnn_cell.BasicRNNCell(2)]
    multi = rnn_cell.MultiRNNCell(cells)
    assert multi.output_size == 2 and multi.state_size == (rnn_cell.LSTMStateTuple(3, 3), 2)
    x = tf.placeholder(tf.float64, [2, 3, 4])
    outputs, final = tf.nn.dynamic_rnn(multi, x, dtype=tf.float64)
    xv = RNG.uniform(-1, 1, (2, 3, 4))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, got_final = sess.run([outputs, final], {x: xv})
        lstm_vals, rnn_vals = _values(sess, cells[0]), _values(sess, cells[1])

    def step(a, state):
        (c, h), r = state
        out, lstm_state = np_lstm(a, (c, h), *lstm_vals)
        out, r = np_basic_rnn(out, r, *rnn_vals)
        return out, (lstm_state, r)
    state = ((np.zeros((2, 3)), np.zeros((2, 3))), np.zeros((2, 2)))
    outs = []
    for t in range(3):
        out, state = step(xv[:, t], state)
        outs.append(out)
    np.testing.assert_allclose(got, np.stack(outs, 1), rtol=1e-10)
    np.testing.assert_allclose(got_final[0].c, state[0][0], rtol=1e-10)
    np.testing.assert_allclose(got_final[1], state[1], rtol=1e-10)
    assert len(multi.trainable_variables) == 4


def test_dropout_wrapper():
    base = rnn_cell.BasicLSTMCell(8)
    x = tf.placeholder(tf.float64, [5, 3, 4])
    plain, _ = tf.nn.dynamic_rnn(base, x, dtype=tf.float64)
    kept, _ = tf.nn.dynamic_rnn(rnn_cell.DropoutWrapper(base), x, dtype=tf.float64,
                                scope="rnn")
    dropped, final = tf.nn.dynamic_rnn(
        rnn_cell.DropoutWrapper(base, output_keep_prob=0.5, state_keep_prob=0.5, seed=7), x,
        dtype=tf.float64, scope="rnn")
    assert len(tf.global_variables()) == 2  # the wrapper adds no variables or scope
    xv = RNG.uniform(-1, 1, (5, 3, 4))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b, d = sess.run([plain, kept, dropped], {x: xv})
    np.testing.assert_allclose(a, b, rtol=1e-12)  # one BlockLSTM op vs a loop of steps
    first = d[:, 0]  # the first step's state is the zero state: outputs are a or 0, scaled
    reference = a[:, 0]
    assert np.all((first == 0) | np.isclose(first, 2 * reference))
    assert 0.2 < np.mean(first == 0) < 0.8
    with pytest.raises(ValueError, match="between 0 and 1"):
        rnn_cell.DropoutWrapper(base, input_keep_prob=1.5)


def test_bidirectional_dynamic_rnn_reverses_each_sequence():
    fw, bw = rnn_cell.GRUCell(2), rnn_cell.GRUCell(3)
    x = tf.placeholder(tf.float64, [3, 4, 2])
    lengths = tf.placeholder(tf.int32, [3])
    (out_fw, out_bw), (state_fw, state_bw) = tf.nn.bidirectional_dynamic_rnn(
        fw, bw, x, sequence_length=lengths, dtype=tf.float64)
    xv, lv = RNG.uniform(-1, 1, (3, 4, 2)), [4, 2, 3]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_bw, got_state = sess.run([out_bw, state_bw], {x: xv, lengths: lv})
        vals = _values(sess, bw)
    for b, n in enumerate(lv):
        row = xv[b:b + 1, :n][:, ::-1]
        want, state = np_unroll(lambda a, h: np_gru(a, h, *vals), row, np.zeros((1, 3)))
        np.testing.assert_allclose(got_bw[b, :n], want[0, ::-1], rtol=1e-10)
        assert not got_bw[b, n:].any()
        np.testing.assert_allclose(got_state[b], state[0], rtol=1e-10)


def test_bidirectional_dynamic_rnn_without_lengths_reverses_with_reverse_v2():
    # TF reverses the time axis with array_ops.reverse when sequence_length is None: the
    # backward outputs keep their static shape and the input gradient is dense
    x = tf.placeholder(tf.float64, [None, 4, 2])
    fw, bw = rnn_cell.BasicRNNCell(2), rnn_cell.BasicRNNCell(3)
    (out_fw, out_bw), _ = tf.nn.bidirectional_dynamic_rnn(
        fw, bw, x, initial_state_fw=fw.zero_state(1, tf.float64),
        initial_state_bw=bw.zero_state(1, tf.float64))
    assert out_bw.shape.as_list() == out_fw.shape.as_list()[:2] + [3]
    assert out_bw.shape.as_list()[1] == 4
    types = [op.type for op in tf.get_default_graph().get_operations()]
    assert types.count("ReverseV2") == 2 and "GatherV2" not in types
    grad = tf.gradients(tf.reduce_sum(out_bw), x)[0]
    assert not isinstance(grad, tf.IndexedSlices)
    xv = RNG.uniform(-1, 1, (1, 4, 2))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(out_bw, {x: xv})
        vals = _values(sess, bw)
    want, _ = np_unroll(lambda a, h: np_basic_rnn(a, h, *vals), xv[:, ::-1], np.zeros((1, 3)))
    np.testing.assert_allclose(got, want[:, ::-1], rtol=1e-10)


def test_bidirectional_dynamic_rnn_with_lengths_reverses_with_reverse_sequence():
    # TF reverses each row's first sequence_length steps with ReverseSequence (seq_axis 1,
    # batch_axis 0 for batch-major inputs): a dense input gradient equal to finite differences
    x = tf.placeholder(tf.float64, [2, 3, 2])
    lengths = tf.constant([3, 1])
    (out_fw, out_bw), _ = tf.nn.bidirectional_dynamic_rnn(
        rnn_cell.BasicRNNCell(2), rnn_cell.BasicRNNCell(2), x, sequence_length=lengths,
        dtype=tf.float64)
    ops = [op for op in tf.get_default_graph().get_operations()
           if op.type == "ReverseSequence"]
    assert len(ops) == 2 and {op.get_attr("seq_dim") for op in ops} == {1}
    assert {op.get_attr("batch_dim") for op in ops} == {0}
    loss = tf.reduce_sum(tf.sin(out_bw))
    grad = tf.gradients(loss, x)[0]
    assert not isinstance(grad, tf.IndexedSlices)
    xv = RNG.uniform(-1, 1, (2, 3, 2))
    eps = 1e-6
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run(grad, {x: xv})
        num = np.zeros_like(xv)
        for i in np.ndindex(*xv.shape):
            d = np.zeros_like(xv)
            d[i] = eps
            num[i] = (sess.run(loss, {x: xv + d}) - sess.run(loss, {x: xv - d})) / (2 * eps)
    np.testing.assert_allclose(got, num, rtol=1e-6, atol=1e-9)
    assert not got[1, 1:].any()


def test_dynamic_rnn_gradients_against_finite_differences():
    cell = rnn_cell.LSTMCell(3, use_peepholes=True)
    x = tf.placeholder(tf.float64, [2, 3, 2])
    lengths = tf.constant([3, 2])
    outputs, final = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float64)
    loss = tf.reduce_sum(tf.sin(outputs)) + tf.reduce_sum(final.c ** 2)
    kernel = cell.variables[0]
    gx, gk = tf.gradients(loss, [x, kernel])
    xv = RNG.uniform(-1, 1, (2, 3, 2))
    eps = 1e-6
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_x, got_k = sess.run([gx, gk], {x: xv})
        num_x = np.zeros_like(xv)
        for i in np.ndindex(*xv.shape):
            d = np.zeros_like(xv)
            d[i] = eps
            num_x[i] = (sess.run(loss, {x: xv + d}) - sess.run(loss, {x: xv - d})) / (2 * eps)
        k0 = sess.run(kernel)
        num_k = np.zeros_like(k0)
        for i in [(0, 0), (1, 5), (4, 11), (2, 7)]:
            for sign in (1, -1):
                k = k0.copy()
                k[i] += sign * eps
                kernel.load(k, sess)
                num_k[i] += sign * sess.run(loss, {x: xv}) / (2 * eps)
    np.testing.assert_allclose(got_x, num_x, rtol=1e-6, atol=1e-8)
    for i in [(0, 0), (1, 5), (4, 11), (2, 7)]:
        assert np.isclose(got_k[i], num_k[i], rtol=1e-6, atol=1e-8)


def test_dynamic_rnn_trains():
    x = tf.placeholder(tf.float32, [None, 5, 1])
    y = tf.placeholder(tf.float32, [None, 1])
    tf.set_random_seed(3)
    outputs, state = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(8), x, dtype=tf.float32)
    w = tf.Variable(tf.truncated_normal([8, 1], stddev=0.3))
    prediction = tf.matmul(state.h, w) + tf.Variable(0.0)
    loss = tf.reduce_mean((prediction - y) ** 2)
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    data = RNG.uniform(0, 1, (64, 5, 1)).astype(np.float32)
    target = data.sum(1) / 5
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, {x: data, y: target})
        for _ in range(60):
            sess.run(train, {x: data, y: target})
        assert sess.run(loss, {x: data, y: target}) < first / 4


def test_rnn_argument_errors():
    x = tf.placeholder(tf.float32, [2, 3, 4])
    with pytest.raises(ValueError, match="dtype"):
        tf.nn.dynamic_rnn(rnn_cell.GRUCell(2), x)
    with pytest.raises(TypeError, match="not an RNNCell"):
        tf.nn.dynamic_rnn(object(), x, dtype=tf.float32)
    with pytest.raises(ValueError, match="accessible via shape inference|inputs.shape"):
        tf.nn.dynamic_rnn(rnn_cell.GRUCell(2), tf.placeholder(tf.float32, [2, 3, None]),
                          dtype=tf.float32)
    with pytest.raises(ValueError, match="vector"):
        tf.nn.dynamic_rnn(rnn_cell.GRUCell(2), x, sequence_length=[[1]], dtype=tf.float32,
                          scope="s")



@pytest.mark.parametrize("cell_class", ["BasicLSTMCell", "LSTMCell", "GRUCell"])
def test_one_cell_in_every_layer_fails_as_tf_matmul_does(cell_class):
    """MultiRNNCell([cell] * 3) over inputs of depth 3: the one cell, built for [3 + 5] rows,
    meets [5 + 5] in layer 2 and TF's W [x, h] MatMul raises at graph construction, also
    where the LSTM runs as fused ops (dynamic_rnn's BlockLSTM, static_rnn's LSTMBlockCell)."""
    x = tf.placeholder(tf.float32, [3, 5, 3])
    cell = getattr(rnn_cell, cell_class)(5)
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 10 and 8 .*"
                                         r"MatMul.*\[3,10\], \[8,"):
        tf.nn.dynamic_rnn(rnn_cell.MultiRNNCell([cell] * 3), x, dtype=tf.float32)
    cell = getattr(rnn_cell, cell_class)(5)
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 10 and 8"):
        tf.nn.static_rnn(rnn_cell.MultiRNNCell([cell] * 2), tf.unstack(x, axis=1),
                         dtype=tf.float32, scope="static")

# --- sequence_mask ---------------------------------------------------------------------------
def test_sequence_mask():
    lengths = tf.constant([1, 3, 2])
    default = tf.sequence_mask(lengths)
    wide = tf.sequence_mask(lengths, 5, dtype=tf.float32)
    nested = tf.sequence_mask(tf.constant([[1, 0], [2, 4]]), maxlen=3)
    assert default.dtype is tf.bool and wide.dtype is tf.float32
    with tf.Session() as sess:
        a, b, c = sess.run([default, wide, nested])
    np.testing.assert_array_equal(a, [[1, 0, 0], [1, 1, 1], [1, 1, 0]])
    np.testing.assert_array_equal(b, [[1, 0, 0, 0, 0], [1, 1, 1, 0, 0], [1, 1, 0, 0, 0]])
    np.testing.assert_array_equal(c, [[[1, 0, 0], [0, 0, 0]], [[1, 1, 0], [1, 1, 1]]])


def test_residual_and_device_wrappers():
    x = tf.placeholder(tf.float64, [2, 3])
    residual = rnn_cell.ResidualWrapper(rnn_cell.GRUCell(3))
    out, state = residual(x, residual.zero_state(2, tf.float64))
    placed = rnn_cell.DeviceWrapper(rnn_cell.BasicRNNCell(2), "/cpu:0")
    placed_out, _ = placed(x, placed.zero_state(2, tf.float64))
    assert placed_out.device == "/device:CPU:0"
    xv = RNG.uniform(-1, 1, (2, 3))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_out, got_state = sess.run([out, state], {x: xv})
    np.testing.assert_allclose(got_out, got_state + xv, rtol=1e-12)


def test_output_sizes_held_in_tensors_as_in_tensorflow():
    """dynamic_rnn and static_rnn with sequence lengths over a cell whose output_size is a
    Tensor: values equal real TF's (fixture make_rnn_tensor_output_size_reference.py)."""
    ref = np.load(os.path.join(os.path.dirname(__file__), "fixtures",
                               "rnn_tensor_output_size_reference.npz"))
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "fixtures"))
    import rnn_tensor_output_size_cases as cases
    with tf.Graph().as_default():
        memory = tf.placeholder(tf.float32, [None, None, 2])
        tensors = cases.build(tf, memory, ref["inputs"], ref["lengths"])
        assert tensors["dynamic_attention"].shape.as_list()[-1] is None
        assert tensors["dynamic_states"].shape.as_list()[-1] == 2
        with tf.Session() as sess:
            values = sess.run(tensors, {memory: ref["memory"]})
    for name, value in values.items():
        np.testing.assert_allclose(value, ref[name], rtol=1e-5, atol=1e-6, err_msg=name)
