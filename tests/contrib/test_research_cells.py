"""tf.contrib.rnn's research cells run by tf.nn.dynamic_rnn: TF 1.15's variable names and
shapes, and outputs and final states equal to the cell equations run with real TensorFlow's
ops on the same weights (tests/fixtures/make_contrib_rnn_cells_reference.py); CompiledWrapper's
XLA marks; TF's errors."""
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
from contrib_rnn_cells_cases import CASES, STEPS, WINDOWS_STATE_WIDTH  # noqa: E402

REF = np.load(FIXTURES / "contrib_rnn_cells_reference.npz")


def _run(name, wrap=None):
    class_name, args, scope, _ = CASES[name]
    with tf.Graph().as_default():
        if class_name == "NTMCell":
            args = dict(args, controller=tf.contrib.rnn.BasicRNNCell(5))
        cell = getattr(tf.contrib.rnn, class_name)(**args)
        if wrap is not None:
            cell = wrap(cell)
        inputs = tf.constant(REF[f"{name}/inputs"])
        if name == "phased":
            inputs = (tf.constant(REF[f"{name}/times"]), inputs)
        if name == "time_freq_windows":  # TF's state_size is too small for dynamic_rnn here
            state = tf.zeros([inputs.shape[0].value, WINDOWS_STATE_WIDTH])
            with tf.variable_scope("rnn"):
                steps = []
                for t in range(STEPS):
                    output, state = cell(inputs[:, t], state)
                    steps.append(output)
            outputs = tf.stack(steps, 1)
        else:
            outputs, state = tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)
        variables = {v.op.name[len(f"rnn/{scope}/"):]: v for v in tf.global_variables()}
        assert all(v.op.name.startswith(f"rnn/{scope}/") for v in tf.global_variables())
        with tf.Session() as sess:
            for key, variable in variables.items():
                variable.load(REF[f"{name}/w/{key}"], sess)
            got = sess.run([outputs, state])
        shapes = {k: v.shape.as_list() for k, v in variables.items()}
    return got, shapes


@pytest.mark.parametrize("name", sorted(CASES))
def test_cell_variables_and_steps_are_tensorflows(name):
    (outputs, state), shapes = _run(name)
    assert shapes == CASES[name][3]
    np.testing.assert_allclose(outputs, REF[f"{name}/outputs"], rtol=2e-5, atol=2e-6)
    if name == "ntm":
        state = state.M
    states = state if isinstance(state, tuple) else (state,)
    for k, value in enumerate(states):
        np.testing.assert_allclose(value, REF[f"{name}/state{k}"], rtol=2e-5, atol=2e-6)


def test_compiled_wrapper_marks_stateless_ops_and_changes_nothing():
    (outputs, _), shapes = _run("ugrnn", wrap=tf.contrib.rnn.CompiledWrapper)
    np.testing.assert_allclose(outputs, REF["ugrnn/outputs"], rtol=2e-5, atol=2e-6)
    with tf.Graph().as_default() as graph:
        cell = tf.contrib.rnn.CompiledWrapper(tf.contrib.rnn.UGRNNCell(3))
        cell(tf.ones([2, 3]), cell.zero_state(2, tf.float32))
        marks = {op.type: op.get_attr("_XlaCompile") for op in graph.get_operations()
                 if "_XlaCompile" in op.node_def.attr}
    assert marks["MatMul"] is True and marks["VariableV2"] is False


def test_cell_errors():
    with pytest.raises(ValueError, match="divisible by number_of_groups"):
        tf.contrib.rnn.GLSTMCell(5, number_of_groups=2)
    with tf.Graph().as_default():
        cell = tf.contrib.rnn.IntersectionRNNCell(4)
        with pytest.raises(ValueError, match="Must have input size == output size"):
            cell(tf.ones([2, 6]), tf.zeros([2, 4]))
        with pytest.raises(ValueError, match="Too many shards"):
            cifg = tf.contrib.rnn.CoupledInputForgetGateLSTMCell(2, num_unit_shards=9)
            cifg(tf.ones([1, 1]), cifg.zero_state(1, tf.float32))


def test_default_initializers():
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        phased = tf.contrib.rnn.PhasedLSTMCell(50, period_init_min=2.0, period_init_max=20.0)
        times, x = tf.ones([2, 3, 1]), tf.ones([2, 3, 5])
        tf.nn.dynamic_rnn(phased, (times, x), dtype=tf.float32, scope="phased")
        minimal = tf.contrib.rnn.MinimalRNNCell(4)
        tf.nn.dynamic_rnn(minimal, x, dtype=tf.float32, scope="minimal")
        ind = tf.contrib.rnn.IndRNNCell(30)
        tf.nn.dynamic_rnn(ind, x, dtype=tf.float32, scope="ind")
        values = {v.op.name: v for v in tf.global_variables()}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got = sess.run(values)
    period, phase = got["phased/phased_lstm_cell/period"], got["phased/phased_lstm_cell/phase"]
    assert np.all((period >= 2.0) & (period <= 20.0)) and np.all((phase >= 0) & (phase < period))
    np.testing.assert_allclose(got["phased/phased_lstm_cell/ratio_on"], 0.1)
    np.testing.assert_array_equal(got["minimal/minimal_rnn_cell/bias"], np.ones(4))
    assert np.abs(got["minimal/minimal_rnn_cell/kernel"]).max() <= np.sqrt(6 / (9 + 4 + 4))
    kernel_u = got["ind/ind_rnn_cell/kernel_u"]
    assert np.all(np.abs(kernel_u) <= 1) and kernel_u.std() > 0.3


def test_grid_lstm_concatenated_state_equals_the_tuple_and_errors():
    args = dict(num_units=3, use_peepholes=True, cell_clip=0.8, feature_size=4,
                frequency_skip=2, num_frequency_blocks=[2])
    x = REF["grid/inputs"]
    results = []
    for as_tuple in (True, False):
        with tf.Graph().as_default():
            cell = tf.contrib.rnn.GridLSTMCell(state_is_tuple=as_tuple, **args)
            outputs, _ = tf.nn.dynamic_rnn(cell, tf.constant(x), dtype=tf.float32)
            with tf.Session() as sess:
                for v in tf.global_variables():
                    v.load(REF["grid/w/" + v.op.name[len("rnn/grid_lstm_cell/"):]], sess)
                results.append(sess.run(outputs))
    np.testing.assert_allclose(results[0], REF["grid/outputs"], rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="Must specify num_frequency_blocks"):
        tf.contrib.rnn.GridLSTMCell(3)
    with tf.Graph().as_default():
        cell = tf.contrib.rnn.GridLSTMCell(3, feature_size=4, frequency_skip=2,
                                           num_frequency_blocks=[3])
        with pytest.raises(ValueError, match="requires 3 but gets 2"):
            cell(tf.ones([1, 6]), cell.zero_state(1, tf.float32))
