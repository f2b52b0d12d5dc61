"""The op table test: every registered op type runs through one harness.

- shape rule vs kernel: static shapes and dtypes against the kernel's real outputs, with
  inputs of known shape, of known rank only, and of unknown rank; values against NumPy;
  kernels are pure and declare when they return (views of) their inputs;
- first-order gradients against central finite differences in float64, also with inputs of
  unknown shape, and TensorFlow's conventions at kinks and ties;
- second order (Hessian-vector products) against finite differences of the gradient;
- float32: kernels and gradients (of first and second order) keep the input dtype;
- stateful ops (variables, random, optimizer updates) through variables and sessions;
- coverage: every op type tensorweave registers has a row.

The stateless rows live in op_cases.py.
"""
import functools
import importlib
import pathlib

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.core.graph import create_op
from tensorweave.core.registry import registered_op_types
from tensorweave.ops import dataset as dataset_op_types
from tensorweave.ops import state_ops
from tensorweave.runtime import accel
from tensorweave.runtime.accel import leading_sums, sliced_updates, spectral_conv
from tensorweave.runtime.plan import bind_kernel

from op_cases import CASES, FAMILY_RANDOM_CASES, FAMILY_SESSION_CASES

_IDS = [c.id for c in CASES]
_GRAD_CASES = [c for c in CASES if c.wrt]
_FLOAT32_CASES = [c for c in CASES if c.float32]


# --- the harness ---------------------------------------------------------------------------
def _dense(gradient):
    """A gradient as a dense tensor (gather's gradient is an IndexedSlices, as in TF)."""
    return tf.convert_to_tensor(gradient) if isinstance(gradient, tf.IndexedSlices) else gradient


class Built:
    """A case's op in a fresh graph: its input tensors, the op, its outputs and the feeds."""

    def __init__(self, case, mode="const", dtype=None):
        self.case = case
        self.graph = tf.Graph()
        self.arrays = [a.astype(dtype) if dtype and a.dtype == np.float64 else a
                       for a in case.inputs]
        self.feeds = {}
        with self.graph.as_default():
            self.inputs = [self._input(a, mode) for a in self.arrays]
            built = case.build(*self.inputs)
            if isinstance(built, tf.Operation):
                self.op, self.outputs = built, list(built.outputs)
            else:
                self.outputs = list(built)
                self.op = self.outputs[0].op
            if case.feed:
                self.feeds.update(case.feed(self.outputs))
        assert self.op.type == case.op_type
        assert all(t.op is self.op for t in self.outputs)
        self.sess = tf.Session(graph=self.graph)

    def _input(self, array, mode):
        if mode == "const":
            return tf.constant(array)
        shape = None if mode == "rank" else [None] * array.ndim
        t = tf.placeholder(tf.as_dtype(array.dtype), shape)
        self.feeds[t] = array
        return t

    def run(self, fetches, overrides=None):
        feeds = dict(self.feeds)
        feeds.update(overrides or {})
        return self.sess.run(fetches, feeds)

    def forward(self):
        if not self.outputs:
            return [self.run(self.op)]
        return self.run(self.outputs)

    def weighted_sum(self, values, seed=1):
        """sum(out * w) over every float output, with fixed random weights."""
        rng = np.random.RandomState(seed)
        with self.graph.as_default():
            terms = [tf.reduce_sum(t * tf.constant(
                rng.standard_normal(np.shape(v)).astype(t.dtype.as_numpy_dtype)))
                for t, v in zip(self.outputs, values) if t.dtype.is_floating]
            return tf.add_n(terms)

    def wrt(self):
        return [self.inputs[i] for i in self.case.wrt]

    def gradients(self, y):
        """tf.gradients(y, wrt) with None replaced by zeros, checked for shape and dtype."""
        xs = self.wrt()
        with self.graph.as_default():
            grads = [_dense(g) for g in tf.gradients(y, xs)]
        fetched = self.run([g for g in grads if g is not None])
        values = iter(fetched)
        out = []
        for x, a, g in zip(xs, (self.arrays[i] for i in self.case.wrt), grads):
            if g is None:
                out.append(np.zeros_like(a))
                continue
            value = np.asarray(next(values))
            assert g.dtype is x.dtype, f"gradient dtype {g.dtype.name} for {x.dtype.name} input"
            assert g.shape.is_compatible_with(a.shape), f"static gradient shape {g.shape}"
            assert value.shape == a.shape, f"gradient shape {value.shape} for input {a.shape}"
            out.append(value)
        return grads, out

    def numeric_gradients(self, y, eps):
        """Central differences of scalar y with respect to each wrt input."""
        out = []
        for i in self.case.wrt:
            x, base = self.inputs[i], self.arrays[i]
            grad = np.zeros(base.shape)
            for index in np.ndindex(*base.shape):
                plus, minus = base.copy(), base.copy()
                plus[index] += eps
                minus[index] -= eps
                grad[index] = (self.run(y, {x: plus}) - self.run(y, {x: minus})) / (2 * eps)
            out.append(grad)
        return out


def _check_output(t, v):
    """The fetched value `v` of tensor `t` is a NumPy value of t's static shape and dtype (a
    string scalar is fetched as bytes, as in TensorFlow)."""
    if t.dtype is tf.string and isinstance(v, bytes):
        assert t.shape.is_compatible_with([]), f"{t.name}: static shape {t.shape} for bytes"
        return
    assert isinstance(v, (np.ndarray, np.generic)), f"{t.name} gave {type(v).__name__}"
    assert t.shape.is_compatible_with(np.shape(v)), \
        f"{t.name}: static shape {t.shape} but the kernel gave {np.shape(v)}"
    assert np.asarray(v).dtype == np.dtype(t.dtype.as_numpy_dtype), \
        f"{t.name}: declared {t.dtype.name} but the kernel gave {np.asarray(v).dtype}"


def _check_outputs(built, values):
    for t, v in zip(built.outputs, values):
        _check_output(t, v)


def _check_values(built, values, rtol, atol):
    expected = built.case.ref(*built.arrays)
    expected = list(expected) if isinstance(expected, tuple) else [expected]
    if not built.outputs:
        assert values == [None] and expected == []
        return
    assert len(expected) == len(values)
    for t, v, e in zip(built.outputs, values, expected):
        e = np.asarray(e)
        assert np.shape(v) == e.shape, f"{t.name}: shape {np.shape(v)}, expected {e.shape}"
        if t.dtype.is_floating:
            np.testing.assert_allclose(v, e, rtol=rtol, atol=atol, err_msg=t.name)
        else:
            np.testing.assert_array_equal(v, e, err_msg=t.name)


# --- 1. shape rule vs kernel ---------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_shape_rule_and_kernel(case):
    built = Built(case)
    values = built.forward()
    if built.outputs:
        _check_outputs(built, values)
    _check_values(built, values, *case.ref_tol)
    for t, v in zip(built.outputs, values):  # constant inputs: the shape rule knows it all
        assert t.shape.as_tuple() == np.shape(v) or case.partial_shape, \
            f"{t.name}: static shape {t.shape} for constant inputs, the kernel gave {np.shape(v)}"
    constants = [op.attrs["value"] for op in built.graph.get_operations() if op.type == "Const"]
    for t, v in zip(built.outputs, values):
        assert not any(np.shares_memory(v, c) for c in constants), \
            f"{t.name}: the fetched value shares memory with a constant of the graph"


@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_kernel_is_pure_and_declares_aliasing(case):
    """A kernel leaves its inputs unchanged; one that returns an input or a view of one says
    so (shares_memory), so the session copies fetched values before they reach the user."""
    built = Built(case)
    if built.op.type == "Placeholder":
        return
    originals = [np.array(v) for v in built.run(list(built.op.inputs))]
    inputs = [a.copy() for a in originals]
    result = bind_kernel(built.op, None)(*inputs)
    for a, original in zip(inputs, originals):
        np.testing.assert_array_equal(a, original, err_msg="the kernel wrote an input")
    if built.op.op_def.shares_memory:
        return
    for value in (result if isinstance(result, tuple) else (result,)):
        assert not any(np.shares_memory(value, a) for a in inputs), \
            f"the {case.op_type} kernel returned memory of an input without shares_memory"


@pytest.mark.parametrize("mode", ["dims", "rank"])
@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_shape_rule_with_unknown_input_shapes(case, mode):
    """Inputs fed through placeholders of known rank only ('dims') or unknown rank ('rank')."""
    if mode == "rank" and case.unknown_rank:
        pytest.skip(case.unknown_rank)
    built = Built(case, mode)
    values = built.forward()
    if built.outputs:
        _check_outputs(built, values)
    _check_values(built, values, *case.ref_tol)


# --- 2. first order ------------------------------------------------------------------------
@pytest.mark.parametrize("case", _GRAD_CASES, ids=[c.id for c in _GRAD_CASES])
def test_first_order_gradient(case):
    built = Built(case)
    loss = built.weighted_sum(built.forward())
    _, analytic = built.gradients(loss)
    numeric = built.numeric_gradients(loss, case.eps)
    for i, a, n in zip(case.wrt, analytic, numeric):
        np.testing.assert_allclose(a, n, rtol=case.tol, atol=case.tol,
                                   err_msg=f"d/d(input {i})")


@pytest.mark.parametrize("mode", ["dims", "rank"])
@pytest.mark.parametrize("case", _GRAD_CASES, ids=[c.id for c in _GRAD_CASES])
def test_gradient_with_unknown_input_shapes(case, mode):
    """The gradient graph also builds and runs when the inputs' shapes are not static."""
    if mode in case.static_grad:
        pytest.skip(case.static_grad[mode])
    known = Built(case)
    _, expected = known.gradients(known.weighted_sum(known.forward()))
    built = Built(case, mode)
    _, analytic = built.gradients(built.weighted_sum(built.forward()))
    for a, e in zip(analytic, expected):
        np.testing.assert_allclose(a, e, rtol=1e-10, atol=1e-12)


# --- 3. second order -----------------------------------------------------------------------
@pytest.mark.parametrize("case", _GRAD_CASES, ids=[c.id for c in _GRAD_CASES])
def test_second_order_gradient(case):
    """d/dx sum(grad * v) against central differences of sum(grad * v)."""
    if case.second is not True:
        pytest.skip(case.second)
    built = Built(case)
    loss = built.weighted_sum(built.forward())
    with built.graph.as_default():
        grads = [_dense(g) for g in tf.gradients(loss, built.wrt())]
        rng = np.random.RandomState(2)
        terms = [tf.reduce_sum(g * tf.constant(rng.standard_normal(
            built.arrays[i].shape).astype(g.dtype.as_numpy_dtype)))
            for i, g in zip(case.wrt, grads) if g is not None]
        if not terms:
            return  # no gradient flows: nothing of second order to check
        hvp = tf.add_n(terms)
    _, analytic = built.gradients(hvp)
    numeric = built.numeric_gradients(hvp, 1e-5)
    for i, a, n in zip(case.wrt, analytic, numeric):
        np.testing.assert_allclose(a, n, rtol=case.tol, atol=case.tol,
                                   err_msg=f"d2/d(input {i})")


# --- gradients at kinks and ties: TensorFlow's conventions ------------------------------------
_KX = np.array([[-1.0, 0.0, 2.0, 2.0], [6.0, 3.0, 3.0, 0.5]])
_KY = np.array([[0.0, 0.0, 2.0, 1.0], [6.0, 3.0, 4.0, 0.5]])

# name -> (f(x, y), expected [d/dx, d/dy] of sum(f)), the values TensorFlow 1.15 gives.
KINK_CASES = {
    "Relu": (lambda x, y: tf.nn.relu(x), [[[0, 0, 1, 1], [1, 1, 1, 1]], None]),
    "Relu6": (lambda x, y: tf.nn.relu6(x), [[[0, 0, 1, 1], [0, 1, 1, 1]], None]),
    "Elu": (lambda x, y: tf.nn.elu(x), [[[np.exp(-1), 1, 1, 1], [1, 1, 1, 1]], None]),
    "LeakyRelu": (lambda x, y: tf.nn.leaky_relu(x, 0.2),
                  [[[0.2, 0.2, 1, 1], [1, 1, 1, 1]], None]),
    "Abs": (lambda x, y: tf.abs(x), [[[-1, 0, 1, 1], [1, 1, 1, 1]], None]),
    "Maximum": (tf.maximum, [[[0, 1, 1, 1], [1, 1, 0, 1]], [[1, 0, 0, 0], [0, 0, 1, 0]]]),
    "Minimum": (tf.minimum, [[[1, 1, 1, 0], [1, 1, 1, 1]], [[0, 0, 0, 1], [0, 0, 0, 0]]]),
    "Max": (lambda x, y: tf.reduce_max(x, 1), [[[0, 0, 0.5, 0.5], [1, 0, 0, 0]], None]),
    "Min": (lambda x, y: tf.reduce_min(x), [[[1, 0, 0, 0], [0, 0, 0, 0]], None]),
}


@pytest.mark.parametrize("name", sorted(KINK_CASES))
def test_gradient_at_kinks_and_ties(name):
    fn, expected = KINK_CASES[name]
    graph = tf.Graph()
    with graph.as_default():
        x, y = tf.constant(_KX), tf.constant(_KY)
        grads = tf.gradients(fn(x, y), [x, y])
    assert [g is None for g in grads] == [e is None for e in expected]
    with tf.Session(graph=graph) as sess:
        values = sess.run([g for g in grads if g is not None])
    np.testing.assert_allclose(values, [e for e in expected if e is not None], rtol=1e-12)


# --- float32 -------------------------------------------------------------------------------
@pytest.mark.parametrize("case", _FLOAT32_CASES, ids=[c.id for c in _FLOAT32_CASES])
def test_float32_kernel_and_gradient(case):
    """With float32 inputs, outputs and gradients stay float32 and match float64 closely."""
    built = Built(case, dtype=np.float32)
    values = built.forward()
    if built.outputs:
        _check_outputs(built, values)
    _check_values(built, values, rtol=1e-4, atol=1e-5)
    if not case.wrt:
        return
    reference = Built(case)
    _, expected = reference.gradients(reference.weighted_sum(reference.forward()))
    grads, analytic = built.gradients(built.weighted_sum(values))
    for a, e in zip(analytic, expected):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, e, rtol=1e-3, atol=1e-4)
    if case.second is True and any(g is not None for g in grads):
        with built.graph.as_default():  # the gradient's gradient also stays in float32
            hvp = tf.add_n([tf.reduce_sum(g * g) for g in grads if g is not None])
        built.gradients(hvp)


# --- stateful ops: random ------------------------------------------------------------------
def _random_graph(op_type, build, graph_seed=None):
    graph = tf.Graph()
    with graph.as_default():
        if graph_seed is not None:
            tf.set_random_seed(graph_seed)
        build()
    ops = [op for op in graph.get_operations() if op.type == op_type]
    assert len(ops) == 1
    return graph, ops[0].outputs[0]


def _check_normal(x, mean, std):
    assert abs(x.mean() - mean) < 0.05 and abs(x.std() - std) < 0.05


def _check_truncated(x):
    assert np.all(np.abs(x) <= 2)
    _check_normal(x, 0.0, 0.8796)  # the std of a standard normal truncated to [-2, 2]


def _check_uniform(x):
    assert x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.02 and abs(x.var() - 1 / 12) < 0.01


def _check_uniform_int(x):
    assert set(np.unique(x)) == {2, 3, 4, 5, 6}
    assert abs(x.mean() - 4) < 0.1


_SHUFFLE_VALUE = np.arange(50, dtype=np.float64).reshape(25, 2)


def _check_shuffle(x):
    assert not np.array_equal(x, _SHUFFLE_VALUE)
    np.testing.assert_array_equal(np.sort(x, axis=0), _SHUFFLE_VALUE)
    np.testing.assert_array_equal(x[:, 1] - x[:, 0], 1)  # rows move whole


_MULTINOMIAL_LOGITS = np.log([[1.0, 2.0, 3.0], [3.0, 0.5, 0.5]])


def _check_multinomial(x):
    for row, logits in zip(x, _MULTINOMIAL_LOGITS):
        freq = np.bincount(row, minlength=3) / row.size
        np.testing.assert_allclose(freq, np.exp(logits) / np.exp(logits).sum(), atol=0.03)


def _check_candidates(x, probabilities):
    """Sampled ids: distinct (a unique sample) or with frequencies near `probabilities`."""
    if probabilities is None:
        assert len(set(x.tolist())) == x.size and x.min() >= 0 and x.max() < 50
    else:
        freq = np.bincount(x, minlength=probabilities.size) / x.size
        np.testing.assert_allclose(freq, probabilities, atol=0.03)


RANDOM_CASES = {
    "RandomStandardNormal": (
        lambda: tf.random_normal([200, 50], dtype=tf.float64, seed=3),
        lambda x: _check_normal(x, 0.0, 1.0)),
    "TruncatedNormal": (
        lambda: tf.truncated_normal([200, 50], dtype=tf.float32, seed=3), _check_truncated),
    "RandomUniform": (lambda: tf.random_uniform([200, 50], seed=3), _check_uniform),
    "RandomUniformInt": (
        lambda: tf.random_uniform([4000], minval=2, maxval=7, dtype=tf.int32, seed=3),
        _check_uniform_int),
    "RandomShuffle": (lambda: tf.random_shuffle(tf.constant(_SHUFFLE_VALUE), seed=3),
                      _check_shuffle),
    "Multinomial": (lambda: tf.multinomial(tf.constant(_MULTINOMIAL_LOGITS), 4000, seed=3),
                    _check_multinomial),
    "LogUniformCandidateSampler": (
        lambda: tf.random.log_uniform_candidate_sampler([[0], [3]], 1, 4000, False, 5, seed=3),
        lambda x: _check_candidates(x, np.log1p(1 / np.arange(1.0, 6.0)) / np.log(6.0))),
    "UniformCandidateSampler": (
        lambda: tf.random.uniform_candidate_sampler([[1, 2]], 2, 40, True, 50, seed=3),
        lambda x: _check_candidates(x, None)),
    "LearnedUnigramCandidateSampler": (  # near uniform: one update moves p(1) to 2 / 51
        lambda: tf.random.learned_unigram_candidate_sampler([[1]], 1, 4000, False, 50, seed=3),
        lambda x: _check_candidates(x, np.full(50, 0.02))),
    **FAMILY_RANDOM_CASES,
}


@pytest.mark.parametrize("op_type", sorted(RANDOM_CASES))
def test_random_op(op_type):
    build, check = RANDOM_CASES[op_type]
    graph, out = _random_graph(op_type, build)
    with tf.Session(graph=graph) as sess:
        first, second = sess.run(out), sess.run(out)
    for value in (first, second):
        _check_output(out, value)
        check(value)
    assert not np.array_equal(first, second), "a random op repeated its draw within a session"
    graph, out_again = _random_graph(op_type, build)
    with tf.Session(graph=graph) as sess:
        np.testing.assert_array_equal(sess.run(out_again), first)  # the op seed fixes the stream


@pytest.mark.parametrize("op_type", sorted(RANDOM_CASES))
def test_random_op_graph_seed(op_type):
    """A graph seed makes a program deterministic; another graph seed changes the draw."""
    build, _ = RANDOM_CASES[op_type]
    runs = []
    for graph_seed in (1, 1, 2):
        graph, out = _random_graph(op_type, build, graph_seed)
        with tf.Session(graph=graph) as sess:
            runs.append(sess.run(out))
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


# --- stateful ops: variables ---------------------------------------------------------------
_V0 = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
_V1 = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -3.0]])


def _variable_session():
    graph = tf.Graph()
    with graph.as_default():
        v = tf.Variable(_V0, name="v")
    return graph, v, tf.Session(graph=graph)


def _check_variable_v2():
    graph, v, sess = _variable_session()
    ref = v._as_graph_element()
    assert ref.op.type == "VariableV2"
    sess.run(v.initializer)
    value = sess.run(ref)
    _check_output(ref, value)
    np.testing.assert_array_equal(value, _V0)
    value[0, 0] = 99.0  # a fetched value is the user's copy, not the variable's buffer
    np.testing.assert_array_equal(sess.run(ref), _V0)


def _check_assign():
    graph, v, sess = _variable_session()
    with graph.as_default():
        out = state_ops.assign(v._as_graph_element(), tf.constant(_V1))
        reshaped = state_ops.assign(v._as_graph_element(), tf.constant([7.0, 8.0], tf.float64),
                                    validate_shape=False)
    assert out.op.type == "Assign"
    sess.run(v.initializer)
    value = sess.run(out)
    _check_output(out, value)
    np.testing.assert_array_equal(value, _V1)
    np.testing.assert_array_equal(sess.run(v), _V1)
    np.testing.assert_array_equal(sess.run(reshaped), [7.0, 8.0])
    np.testing.assert_array_equal(sess.run(v._as_graph_element()), [7.0, 8.0])


def _check_update(op_type, fn):
    def check():
        graph, v, sess = _variable_session()
        with graph.as_default():
            out = fn(v._as_graph_element(), tf.constant(_V1))
        assert out.op.type == op_type
        sess.run(v.initializer)
        first = sess.run(out)
        _check_output(out, first)
        expected = _V0 + _V1 if op_type == "AssignAdd" else _V0 - _V1
        np.testing.assert_array_equal(first, expected)
        second = sess.run(out)
        np.testing.assert_array_equal(first, expected)  # the fetched value is not aliased
        np.testing.assert_array_equal(second, 2 * expected - _V0)
        np.testing.assert_array_equal(sess.run(v), second)
    return check


def _check_is_initialized():
    graph, v, sess = _variable_session()
    with graph.as_default():
        out = state_ops.is_variable_initialized(v._as_graph_element())
    assert out.op.type == "IsVariableInitialized"
    before = sess.run(out)
    _check_output(out, before)
    assert not before
    sess.run(v.initializer)
    assert sess.run(out)


def _check_report_uninitialized():
    graph = tf.Graph()
    with graph.as_default():
        a = tf.Variable(_V0, name="a")
        b = tf.Variable(_V1, name="scope/b")
        out = state_ops.report_uninitialized([a._as_graph_element(), b._as_graph_element()])
    assert out.op.type == "ReportUninitializedVariables"
    with tf.Session(graph=graph) as sess:
        before = sess.run(out)
        _check_output(out, before)
        assert list(before) == [b"a", b"scope/b"]
        sess.run(b.initializer)
        assert list(sess.run(out)) == [b"a"]
        sess.run(a.initializer)
        after = sess.run(out)
        assert after.shape == (0,)
        _check_output(out, after)


def _check_ref_identity():
    graph, v, sess = _variable_session()
    with graph.as_default():
        out = state_ops.ref_identity(v._as_graph_element())
        pred = tf.placeholder(tf.bool, [])
        guarded = tf.cond(pred, lambda: state_ops.ref_identity(v._as_graph_element()),
                          lambda: tf.zeros([2, 3], tf.float64))
        grad = tf.gradients(out * 2.0, v)[0]
    assert out.op.type == "RefIdentity" and out.op.inputs[0].op.type == "VariableV2"
    with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized"):
        sess.run(out)
    np.testing.assert_array_equal(sess.run(guarded, {pred: False}), np.zeros((2, 3)))
    sess.run(v.initializer)
    value = sess.run(out)
    _check_output(out, value)
    np.testing.assert_array_equal(value, _V0)
    value[0, 0] = 99.0  # the fetched value is a copy
    np.testing.assert_array_equal(sess.run(guarded, {pred: True}), _V0)
    np.testing.assert_array_equal(sess.run(grad), np.full((2, 3), 2.0))


VARIABLE_CASES = {
    "RefIdentity": _check_ref_identity,
    "VariableV2": _check_variable_v2,
    "Assign": _check_assign,
    "AssignAdd": _check_update("AssignAdd", state_ops.assign_add),
    "AssignSub": _check_update("AssignSub", state_ops.assign_sub),
    "IsVariableInitialized": _check_is_initialized,
    "ReportUninitializedVariables": _check_report_uninitialized,
}


@pytest.mark.parametrize("op_type", sorted(VARIABLE_CASES))
def test_variable_op(op_type):
    VARIABLE_CASES[op_type]()


# --- stateful ops: optimizer updates -------------------------------------------------------
_rng = np.random.RandomState(7)
_W = _rng.uniform(-1, 1, (2, 3))
_G = _rng.uniform(-1, 1, (2, 3))


def _slot(lo=0.1, hi=1.0):
    return _rng.uniform(lo, hi, (2, 3))


def _sgd(var, alpha):
    return [var - alpha * _G]


def _momentum(var, accum, lr, momentum, use_nesterov):
    accum = momentum * accum + _G
    step = _G * lr + accum * momentum * lr if use_nesterov else lr * accum
    return [var - step, accum]


def _adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, use_nesterov):
    lr_t = lr * np.sqrt(1 - beta2_power) / (1 - beta1_power)
    m = beta1 * m + (1 - beta1) * _G
    v = beta2 * v + (1 - beta2) * _G ** 2
    step = beta1 * m + (1 - beta1) * _G if use_nesterov else m
    return [var - lr_t * step / (np.sqrt(v) + epsilon), m, v]


def _adagrad(var, accum, lr):
    accum = accum + _G ** 2
    return [var - lr * _G / np.sqrt(accum), accum]


def _rms_prop(var, ms, mom, lr, rho, momentum, epsilon):
    ms = rho * ms + (1 - rho) * _G ** 2
    mom = momentum * mom + lr * _G / np.sqrt(ms + epsilon)
    return [var - mom, ms, mom]


def _centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon):
    mg = rho * mg + (1 - rho) * _G
    ms = rho * ms + (1 - rho) * _G ** 2
    mom = momentum * mom + lr * _G / np.sqrt(ms - mg ** 2 + epsilon)
    return [var - mom, mg, ms, mom]


def _adadelta(var, accum, accum_update, lr, rho, epsilon):
    accum = rho * accum + (1 - rho) * _G ** 2
    update = np.sqrt(accum_update + epsilon) / np.sqrt(accum + epsilon) * _G
    accum_update = rho * accum_update + (1 - rho) * update ** 2
    return [var - lr * update, accum, accum_update]


def _ftrl(var, accum, linear, lr, l1, l2, lr_power):
    new_accum = accum + _G ** 2
    linear = linear + _G - (new_accum ** -lr_power - accum ** -lr_power) / lr * var
    quadratic = new_accum ** -lr_power / lr + 2 * l2
    var = np.where(np.abs(linear) > l1, (np.sign(linear) * l1 - linear) / quadratic, 0.0)
    return [var, new_accum, linear]


def _ada_max(var, m, v, beta1_power, lr, beta1, beta2, epsilon):
    m = beta1 * m + (1 - beta1) * _G
    v = np.maximum(beta2 * v, np.abs(_G))
    return [var - lr / (1 - beta1_power) * m / (v + epsilon), m, v]


def _add_sign(var, m, lr, alpha, sign_decay, beta):
    m = beta * m + (1 - beta) * _G
    return [var - lr * (alpha + sign_decay * np.sign(_G) * np.sign(m)) * _G, m]


def _power_sign(var, m, lr, logbase, sign_decay, beta):
    m = beta * m + (1 - beta) * _G
    return [var - lr * np.exp(logbase * sign_decay * np.sign(_G) * np.sign(m)) * _G, m]


# name -> (NumPy formula, slot values, inputs after the variables in TF's order, attrs);
# "grad" marks the gradient, (name, value) a scalar hyperparameter. The formulas follow the
# documentation of TensorFlow's training_ops.
APPLY_CASES = {
    "ApplyGradientDescent": (_sgd, [], [("alpha", 0.1), "grad"], {}),
    "ApplyMomentum": (_momentum, [_slot()], [("lr", 0.1), "grad", ("momentum", 0.9)],
                      {"use_nesterov": False}),
    "ApplyMomentum-nesterov": (_momentum, [_slot()], [("lr", 0.1), "grad", ("momentum", 0.9)],
                               {"use_nesterov": True}),
    "ApplyAdam": (_adam, [_slot(), _slot()],
                  [("beta1_power", 0.9 ** 2), ("beta2_power", 0.999 ** 2), ("lr", 0.01),
                   ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8), "grad"],
                  {"use_nesterov": False}),
    "ApplyAdam-nesterov": (_adam, [_slot(), _slot()],
                           [("beta1_power", 0.9), ("beta2_power", 0.999), ("lr", 0.01),
                            ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8), "grad"],
                           {"use_nesterov": True}),
    "ApplyAdagrad": (_adagrad, [_slot()], [("lr", 0.1), "grad"], {}),
    "ApplyRMSProp": (_rms_prop, [_slot(), _slot()],
                     [("lr", 0.01), ("rho", 0.9), ("momentum", 0.5), ("epsilon", 1e-10),
                      "grad"], {}),
    "ApplyCenteredRMSProp": (_centered_rms_prop, [_slot(-0.1, 0.1), _slot(), _slot()],
                             [("lr", 0.01), ("rho", 0.9), ("momentum", 0.5),
                              ("epsilon", 1e-10), "grad"], {}),
    "ApplyAdadelta": (_adadelta, [_slot(), _slot()],
                      [("lr", 1.0), ("rho", 0.95), ("epsilon", 1e-6), "grad"], {}),
    "ApplyFtrl": (_ftrl, [_slot(), _slot(-2, 2)],
                  ["grad", ("lr", 0.1), ("l1", 0.3), ("l2", 0.1), ("lr_power", -0.5)], {}),
    "ApplyAdaMax": (_ada_max, [_slot(-1, 1), _slot()],
                    [("beta1_power", 0.9 ** 2), ("lr", 0.01), ("beta1", 0.9), ("beta2", 0.999),
                     ("epsilon", 1e-8), "grad"], {}),
    "ApplyAddSign": (_add_sign, [_slot(-1, 1)],
                     [("lr", 0.1), ("alpha", 1.0), ("sign_decay", 0.5), ("beta", 0.9), "grad"],
                     {}),
    "ApplyPowerSign": (_power_sign, [_slot(-1, 1)],
                       [("lr", 0.1), ("logbase", 0.7), ("sign_decay", 0.5), ("beta", 0.9),
                        "grad"], {}),
}


def _force_variants(monkeypatch):
    """Knobs of runtime/accel set so that every variant runs, even on the table's small
    arrays: updates over slices of 2 elements shared with two helper threads, every stride-1
    convolution through the DFT."""
    monkeypatch.setattr(sliced_updates, "SLICED_ABOVE", 0)
    monkeypatch.setattr(sliced_updates, "SLICE", 2)
    monkeypatch.setattr(sliced_updates, "SHARED_ABOVE", 0)
    monkeypatch.setattr(sliced_updates, "HELPERS", 2)
    monkeypatch.setattr(spectral_conv, "MARGIN", 0)
    monkeypatch.setattr(leading_sums, "MIN_ROWS", 1)


_VARIANT_CASES = [c for c in CASES if c.op_type in accel.op_types_with_variants()]


@pytest.mark.parametrize("case", _VARIANT_CASES, ids=[c.id for c in _VARIANT_CASES])
def test_variant_kernel_against_the_reference(case, monkeypatch):
    """A speed variant (runtime/accel), forced to run, gives the reference kernel's values."""
    _force_variants(monkeypatch)
    built = Built(case)
    if accel.variant_for(built.op) is None:
        pytest.skip("no variant runs this op (its strides, dilations or axes)")
    inputs = [np.array(v) for v in built.run(list(built.op.inputs))]
    variant = bind_kernel(built.op, None, variants=True)
    reference = bind_kernel(built.op, None, variants=False)
    want, got = reference(*inputs), variant(*inputs)
    for w, g in zip(*(v if isinstance(v, tuple) else (v,) for v in (want, got))):
        assert np.asarray(g).dtype == np.asarray(w).dtype and np.shape(g) == np.shape(w)
        np.testing.assert_allclose(g, w, rtol=1e-6 if w.dtype == np.float32 else 1e-12,
                                   atol=1e-5 if w.dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("accel_mode", ["reference", "variants"])
@pytest.mark.parametrize("name", sorted(APPLY_CASES))
def test_apply_op(name, accel_mode, monkeypatch):
    """Two updates of the op against the NumPy formula, applied to var and slots in place:
    by the reference kernel, and by its speed variants forced to run."""
    if accel_mode == "variants":
        _force_variants(monkeypatch)
    monkeypatch.setenv(accel.ENVIRONMENT_VARIABLE, "0" if accel_mode == "reference" else "")
    op_type = name.split("-")[0]
    formula, slots, order, attrs = APPLY_CASES[name]
    graph = tf.Graph()
    with graph.as_default():
        variables = [tf.Variable(v) for v in [_W] + slots]
        inputs = [v._as_graph_element() for v in variables]
        inputs += [tf.constant(_G if item == "grad" else np.float64(item[1])) for item in order]
        out = create_op(op_type, inputs, **attrs).outputs[0]
        init = tf.global_variables_initializer()
    state = [_W] + slots
    hyper = dict(attrs, **dict(item for item in order if item != "grad"))
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        fetched = []
        for _ in range(2):
            fetched.append(sess.run(out))
            state = formula(*state, **hyper)
            _check_output(out, fetched[-1])
            np.testing.assert_allclose(fetched[-1], state[0], rtol=1e-12, atol=1e-14)
            for v, expected in zip(variables, state):
                np.testing.assert_allclose(sess.run(v), expected, rtol=1e-12, atol=1e-14)
        assert not np.array_equal(fetched[0], fetched[1])  # fetched values are not aliased


# --- ops of the library floors: summaries and checkpoints ----------------------------------
def _run_summary(op_type, build):
    """Builds a summary with `build()`, checks its op's output and returns the parsed Summary."""
    summary_pb2 = pytest.importorskip("tensorboard.compat.proto.summary_pb2")
    summary_ops = importlib.import_module("tensorweave.summary.summary_ops")
    graph = tf.Graph()
    with graph.as_default():
        out = build(summary_ops)
    assert out.op.type == op_type
    with tf.Session(graph=graph) as sess:
        value = sess.run(out)
    _check_output(out, value)
    summary = summary_pb2.Summary()
    summary.ParseFromString(value)
    return summary


def _check_scalar_summary():
    summary = _run_summary("ScalarSummary", lambda s: s.scalar("loss", tf.constant(2.5)))
    assert [(v.tag, v.simple_value) for v in summary.value] == [("loss", 2.5)]


def _check_histogram_summary():
    summary = _run_summary("HistogramSummary", lambda s: s.histogram(
        "weights", tf.constant([[1.0, 2.0], [3.0, 4.0]], tf.float64)))
    histo = summary.value[0].histo
    assert summary.value[0].tag == "weights"
    assert (histo.num, histo.min, histo.max, histo.sum, histo.sum_squares) == (4, 1, 4, 10, 30)
    assert sum(histo.bucket) == 4 and len(histo.bucket) == len(histo.bucket_limit)


def _check_image_summary():
    images = np.arange(2 * 4 * 5 * 3, dtype=np.uint8).reshape(2, 4, 5, 3)
    summary = _run_summary("ImageSummary", lambda s: s.image("img", tf.constant(images), 3))
    assert len(summary.value) == 2
    for v in summary.value:
        assert (v.image.height, v.image.width, v.image.colorspace) == (4, 5, 3)
        assert v.image.encoded_image_string.startswith(b"\x89PNG")


def _check_audio_summary():
    clips = np.sin(np.linspace(0, 20, 2 * 100)).reshape(2, 100).astype(np.float32)
    summary = _run_summary("AudioSummaryV2", lambda s: s.audio("clip", tf.constant(clips), 8000,
                                                               max_outputs=1))
    assert len(summary.value) == 1
    audio = summary.value[0].audio
    assert (audio.sample_rate, audio.num_channels, audio.length_frames) == (8000, 1, 100)
    assert audio.encoded_audio_string.startswith(b"RIFF")


def _check_tensor_summary():
    tensor_util = pytest.importorskip("tensorboard.util.tensor_util")
    value = np.array([[1.5, -2.0]], dtype=np.float32)
    summary = _run_summary("TensorSummaryV2",
                           lambda s: s.tensor_summary("t", tf.constant(value)))
    np.testing.assert_array_equal(tensor_util.make_ndarray(summary.value[0].tensor), value)


def _check_merge_summary():
    def build(s):
        return s.merge([s.scalar("a", tf.constant(1.0)), s.scalar("b", tf.constant(2.0))])
    summary = _run_summary("MergeSummary", build)
    assert [(v.tag, v.simple_value) for v in summary.value] == [("a", 1.0), ("b", 2.0)]


def _check_save_and_restore(tmp_path):
    """SaveV2 writes a checkpoint that RestoreV2 reads back, value for value and dtype."""
    pytest.importorskip("google.protobuf")
    io_ops = importlib.import_module("tensorweave.ops.io_ops")
    values = [_V0, np.array([3, -1, 7], np.int32), np.float32(2.5)]
    prefix = str(tmp_path / "model.ckpt")
    graph = tf.Graph()
    with graph.as_default():
        save = io_ops.save_v2(prefix, ["a", "b", "c"], [""] * 3, [tf.constant(v) for v in values])
        restored = io_ops.restore_v2(prefix, ["c", "a"], [""] * 2, [tf.float32, tf.float64])
    assert (save.type, restored[0].op.type) == ("SaveV2", "RestoreV2")
    with tf.Session(graph=graph) as sess:
        assert sess.run(save) is None
        got = sess.run(restored)
    for t, v, expected in zip(restored, got, [values[2], values[0]]):
        _check_output(t, v)
        np.testing.assert_array_equal(v, expected)


def _check_iterator_ops():
    """An initializable iterator (IteratorV2, MakeIterator) and a one-shot iterator give a
    dataset's elements through IteratorGetNext, then OutOfRangeError; re-initializing with a
    new feed restarts."""
    graph = tf.Graph()
    with graph.as_default():
        limit = tf.placeholder(tf.int64, [])
        dataset = tf.data.Dataset.range(limit).map(lambda x: (x, tf.cast(x, tf.float32) / 2))
        iterator = dataset.make_initializable_iterator()
        x, half = iterator.get_next()
        one_shot = tf.data.Dataset.range(3).batch(2).make_one_shot_iterator().get_next()
    assert {"IteratorV2", "MakeIterator", "IteratorGetNext", "OneShotIterator"} <= {
        op.type for op in graph.get_operations()}
    with tf.Session(graph=graph) as sess:
        for n in (3, 1):
            sess.run(iterator.initializer, {limit: n})
            for i in range(n):
                values = sess.run([x, half])
                for t, v in zip((x, half), values):
                    _check_output(t, v)
                assert values == [i, i / 2]
            with pytest.raises(tf.errors.OutOfRangeError):
                sess.run(x)
        first = sess.run(one_shot)
        _check_output(one_shot, first)
        np.testing.assert_array_equal(first, [0, 1])
        np.testing.assert_array_equal(sess.run(one_shot), [2])
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(one_shot)


def _check_graph_dataset_ops():
    """TensorFlow's dataset ops as a GraphDef from TensorFlow has them: those of constants and
    placeholders make datasets MakeIteratorFromDataset starts (IteratorToStringHandle passes
    the handle on); the others raise UnimplementedError when run."""
    graph = tf.Graph()

    def dataset(op_type, *inputs):
        return graph.create_op(op_type, list(inputs), {}).outputs[0]

    with graph.as_default():
        rows = tf.placeholder(tf.float32, [None, 2])
        i64 = functools.partial(tf.constant, dtype=tf.int64)
        made = dataset("TensorSliceDataset", rows, tf.range(tf.shape(rows)[0]))
        made = dataset("RepeatDataset", made, i64(2))
        for op_type in ("OptimizeDataset", "OptimizeDatasetV2", "MaxIntraOpParallelismDataset",
                        "PrivateThreadPoolDataset"):
            made = dataset(op_type, made, tf.constant(["noop"]))
        made = dataset("ModelDataset", dataset("PrefetchDataset", made, i64(1)))
        made = dataset("SkipDataset", dataset("TakeDataset", made, i64(5)), i64(1))
        made = dataset("BatchDataset", dataset("BatchDatasetV2", made, i64(2),
                                               tf.constant(False)), i64(1))
        handle = graph.create_op("IteratorV2", [], {
            "shared_name": "", "output_types": [tf.float32, tf.int32],
            "output_shapes": [tf.TensorShape([None, None, 2]), tf.TensorShape([None, None])]}
        ).outputs[0]
        start = graph.create_op("MakeIteratorFromDataset", [made, handle], {})
        string_handle = dataset("IteratorToStringHandle", handle)
        x, k = graph.create_op("IteratorGetNext", [string_handle], {
            "output_types": [tf.float32, tf.int32],
            "output_shapes": [tf.TensorShape([1, None, 2]), tf.TensorShape([1, None])]}).outputs
        ranged = dataset("TensorDataset", dataset("RangeDataset", i64(0), i64(3), i64(1)))
        refused = [dataset(t, made) for t in dataset_op_types.NOT_RUNNABLE]
    feed = {rows: np.arange(6, dtype=np.float32).reshape(3, 2)}
    with tf.Session(graph=graph) as sess:
        sess.run(start, feed)
        got = [sess.run([x, k]) for _ in range(2)]
        np.testing.assert_array_equal(got[0][1], [[1, 2]])
        np.testing.assert_array_equal(got[1][0], [[[0, 1], [2, 3]]])
        assert sess.run(ranged) is not None
        for t in refused:
            with pytest.raises(tf.errors.UnimplementedError, match=t.op.type):
                sess.run(t, feed)


LIBRARY_CASES = {
    **{op_type: _check_graph_dataset_ops for op_type in (
        "TensorSliceDataset", "TensorDataset", "RangeDataset", "BatchDataset",
        "BatchDatasetV2", "RepeatDataset", "TakeDataset", "SkipDataset", "PrefetchDataset",
        "OptimizeDataset", "OptimizeDatasetV2", "ModelDataset", "MaxIntraOpParallelismDataset",
        "PrivateThreadPoolDataset", "MakeIteratorFromDataset", "IteratorToStringHandle",
        *dataset_op_types.NOT_RUNNABLE)},
    "IteratorV2": _check_iterator_ops,
    "MakeIterator": _check_iterator_ops,
    "IteratorGetNext": _check_iterator_ops,
    "OneShotIterator": _check_iterator_ops,
    "ScalarSummary": _check_scalar_summary,
    "HistogramSummary": _check_histogram_summary,
    "ImageSummary": _check_image_summary,
    "AudioSummaryV2": _check_audio_summary,
    "TensorSummaryV2": _check_tensor_summary,
    "MergeSummary": _check_merge_summary,
    "SaveV2": _check_save_and_restore,
    "RestoreV2": _check_save_and_restore,
    **FAMILY_SESSION_CASES,
}


@pytest.mark.parametrize("op_type", sorted(LIBRARY_CASES))
def test_library_op(op_type, tmp_path):
    check = LIBRARY_CASES[op_type]
    check(tmp_path) if check is _check_save_and_restore else check()


# --- control flow and TensorArrays ----------------------------------------------------------
# Their run-time values are not all arrays (DEAD, TensorLists, loop traces), so each op type has
# its own check; tests/ops/test_control_flow.py covers their behaviour in depth.
_CF_X = _rng.uniform(-1, 1, (3, 2))


def _check_fd(build, value=_CF_X, feeds=None, order=1):
    """tf.gradients of the scalar build(x) (order 2: of sum(grad * v)) against central
    differences in float64; returns the graph's session for further checks."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float64, value.shape)
        y = build(x)
        if order == 2:
            g = tf.gradients(y, x)[0]
            y = tf.reduce_sum(g * tf.constant(np.cos(np.arange(value.size)).reshape(
                value.shape)))
        grad = tf.gradients(y, x)[0]
    sess = tf.Session(graph=graph)
    feeds = dict(feeds or {})
    analytic = sess.run(grad, {**feeds, x: value})
    numeric = np.zeros_like(value)
    for index in np.ndindex(*value.shape):
        plus, minus = value.copy(), value.copy()
        plus[index] += 1e-6
        minus[index] -= 1e-6
        numeric[index] = (sess.run(y, {**feeds, x: plus}) -
                          sess.run(y, {**feeds, x: minus})) / 2e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-7)
    return sess


def _check_switch():
    graph = tf.Graph()
    with graph.as_default():
        x, p = tf.constant(_CF_X), tf.placeholder(tf.bool, [])
        false, true = create_op("Switch", [x, p]).outputs
        with pytest.raises(ValueError, match="scalar bool"):
            create_op("Switch", [x, x])
    assert false.shape == true.shape == x.shape and false.dtype is tf.float64
    with tf.Session(graph=graph) as sess:
        np.testing.assert_array_equal(sess.run(true, {p: True}), _CF_X)
        np.testing.assert_array_equal(sess.run(false, {p: False}), _CF_X)
        with pytest.raises(tf.errors.InvalidArgumentError, match="does not have value"):
            sess.run(false, {p: True})
    for taken in (True, False):  # Switch's gradient is a Merge of the branch gradients
        _check_fd(lambda x: tf.reduce_sum(tf.cond(tf.constant(taken), lambda: tf.sin(x),
                                                  lambda: x * x)))


def _check_merge():
    graph = tf.Graph()
    with graph.as_default():
        p = tf.placeholder(tf.bool, [])
        x = tf.placeholder(tf.float64, [None, 2])
        out = tf.cond(p, lambda: x * 2.0, lambda: tf.constant(_CF_X))
        merge = out.op
    assert merge.type == "Merge" and out.shape.as_list() == [None, 2]
    assert merge.outputs[1].dtype is tf.int32
    with tf.Session(graph=graph) as sess:
        for taken, expected in ((True, 2 * _CF_X[:2]), (False, _CF_X)):
            value, index = sess.run(list(merge.outputs), {p: taken, x: _CF_X[:2]})
            _check_output(out, value)
            np.testing.assert_array_equal(value, expected)
            assert index == int(taken)
    with pytest.raises(TypeError, match="one dtype"):
        create_op("Merge", [tf.constant(True), tf.constant(1.0), tf.constant(1)])
    for taken in (True, False):  # Merge's gradient is a Switch of the output gradient
        _check_fd(lambda x: tf.reduce_sum(tf.cond(tf.less(tf.reduce_sum(x), 100.0), lambda: x,
                                                  lambda: -x) * tf.cond(tf.constant(taken),
                                                                        lambda: x, lambda: 2 * x)))


def _check_zeros_like_value():
    ta = tf.TensorArray(tf.float32, size=2).write(0, [1.0, 2.0])
    zeros = create_op("ZerosLikeValue", [tf.constant(_CF_X)]).outputs[0]
    empty = create_op("ZerosLikeValue", [ta.flow]).outputs[0]
    with tf.Session() as sess:
        value, flow = sess.run([zeros, empty])
    _check_output(zeros, value)
    np.testing.assert_array_equal(value, np.zeros_like(_CF_X))
    assert flow.items == {} and flow.size == 2
    assert tf.gradients(zeros, zeros.op.inputs[0]) == [None]


def _check_loop_input():
    graph = tf.Graph()
    with graph.as_default():
        inside = create_op("LoopInput", [], dtype=tf.float32,
                           shape=tf.TensorShape([None, 3])).outputs[0]
    assert inside.shape.as_list() == [None, 3] and inside.dtype is tf.float32
    with tf.Session(graph=graph) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="while_loop"):
            sess.run(inside)


def _check_tensor_array():
    size = tf.placeholder(tf.int32, [])
    ta = tf.TensorArray(tf.float32, size=size, element_shape=[2])
    assert ta.flow.op.type == "TensorArray" and ta.flow.shape.as_list() == []
    with tf.Session() as sess:
        value = sess.run(ta.flow, {size: 4})
    assert (value.size, value.items) == (4, {})
    with pytest.raises(ValueError, match="scalar integer"):
        tf.TensorArray(tf.float32, size=tf.constant([1, 2]))


def _ta(x, size=3):
    return tf.TensorArray(tf.float64, size=size).unstack(x)


def _check_tensor_array_write():
    graph = tf.Graph()
    with graph.as_default():
        ta = tf.TensorArray(tf.float64, size=2).write(1, tf.constant(_CF_X[0]))
        assert ta.flow.op.type == "TensorArrayWrite"
        stacked = ta.write(0, tf.constant(_CF_X[2])).stack()
    with tf.Session(graph=graph) as sess:
        np.testing.assert_array_equal(sess.run(stacked), _CF_X[[2, 0]])
    _check_fd(lambda x: tf.reduce_sum(tf.sin(tf.TensorArray(tf.float64, size=2).write(
        0, x[1] * x[0]).write(1, x[2]).stack())))


def _check_tensor_array_read():
    graph = tf.Graph()
    with graph.as_default():
        value = _ta(tf.constant(_CF_X)).read(2)
    assert value.op.type == "TensorArrayRead" and value.shape.as_list() == [2]
    with tf.Session(graph=graph) as sess:
        got = sess.run(value)
    _check_output(value, got)
    np.testing.assert_array_equal(got, _CF_X[2])
    _check_fd(lambda x: tf.reduce_sum(_ta(x).read(1) * _ta(x).read(0) ** 2), order=2)


def _check_tensor_array_gather():
    graph = tf.Graph()
    with graph.as_default():
        value = _ta(tf.constant(_CF_X)).gather([2, 0, 2])
    assert value.op.type == "TensorArrayGather" and value.shape.as_list() == [3, 2]
    with tf.Session(graph=graph) as sess:
        got = sess.run(value)
    _check_output(value, got)
    np.testing.assert_array_equal(got, _CF_X[[2, 0, 2]])
    _check_fd(lambda x: tf.reduce_sum(tf.square(_ta(x).gather([1, 1, 0]))), order=2)


def _check_tensor_array_scatter():
    graph = tf.Graph()
    with graph.as_default():
        ta = tf.TensorArray(tf.float64, size=3).scatter([2, 0], tf.constant(_CF_X[:2]))
        assert ta.flow.op.type == "TensorArrayScatter"
        value = ta.gather([0, 2])
    with tf.Session(graph=graph) as sess:
        np.testing.assert_array_equal(sess.run(value), _CF_X[[1, 0]])
    _check_fd(lambda x: tf.reduce_sum(tf.exp(tf.TensorArray(tf.float64, size=4).scatter(
        [3, 1, 0], x).stack())))


def _check_tensor_array_size():
    n = tf.placeholder(tf.int32, [])
    size = tf.TensorArray(tf.float32, size=n, dynamic_size=True).write(6, 1.0).size()
    assert size.op.type == "TensorArraySize" and size.dtype is tf.int32
    with tf.Session() as sess:
        assert sess.run(size, {n: 9}) == 9 and sess.run(size, {n: 2}) == 7


def _check_gradient_lists():
    """TensorArrayPlace makes sparse gradient lists, TensorArrayPick reads them densely; the
    gradients of read and write are made of them, to second order."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(_CF_X)
        ta = _ta(x)
        grad = tf.gradients(tf.reduce_sum(ta.read(1) * 3.0), x)[0]
    types = {op.type for op in graph.get_operations()}
    assert {"TensorArrayPlace", "TensorArrayPick"} <= types
    with tf.Session(graph=graph) as sess:
        got = sess.run(grad)
    np.testing.assert_array_equal(got, [[0, 0], [3, 3], [0, 0]])
    _check_fd(lambda x: tf.reduce_sum(tf.sin(_ta(x).read(0)) * _ta(x).read(2)), order=2)


CONTROL_FLOW_CASES = {
    "Switch": _check_switch,
    "Merge": _check_merge,
    "ZerosLikeValue": _check_zeros_like_value,
    "LoopInput": _check_loop_input,
    "TensorArray": _check_tensor_array,
    "TensorArrayWrite": _check_tensor_array_write,
    "TensorArrayRead": _check_tensor_array_read,
    "TensorArrayGather": _check_tensor_array_gather,
    "TensorArrayScatter": _check_tensor_array_scatter,
    "TensorArraySize": _check_tensor_array_size,
    "TensorArrayPlace": _check_gradient_lists,
    "TensorArrayPick": _check_gradient_lists,
}


def _loop(x, n):
    body = lambda i, s: (i + 1, tf.sin(s) * x + s)  # noqa: E731
    return tf.while_loop(lambda i, s: i < n, body, [0, tf.ones_like(x)])[1]


def _check_while():
    graph = tf.Graph()
    with graph.as_default():
        n = tf.placeholder(tf.int32, [])
        out = _loop(tf.constant(_CF_X), n)
    assert out.op.type == "While" and out.shape == tf.TensorShape([3, 2])
    with tf.Session(graph=graph) as sess:
        for trips in (0, 3):
            s = np.ones_like(_CF_X)
            for _ in range(trips):
                s = np.sin(s) * _CF_X + s
            got = sess.run(out, {n: trips})
            _check_output(out, got)
            np.testing.assert_allclose(got, s, rtol=1e-12)
    for trips in (0, 1, 4):  # the While gradient (a WhileGrad op) with run-time trip counts
        _check_fd(lambda x: tf.reduce_sum(_loop(x, tf.placeholder(tf.int32, [], "trips")) ** 2),
                  feeds={"trips:0": trips})


def _check_while_grad():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(_CF_X)
        grad = tf.gradients(tf.reduce_sum(_loop(x, 3)), x)[0]
        assert grad.op.type == "WhileGrad" and grad.shape == x.shape
        second = tf.gradients(tf.reduce_sum(grad), x)[0]
        assert second.shape == x.shape
        assert any(op.type == "WhileGrad" and op.inputs[0].op.type == "WhileGrad"
                   for op in graph.get_operations())  # the WhileGrad of the WhileGrad
    with tf.Session(graph=graph) as sess:
        _check_output(grad, sess.run(grad))
    for trips in (0, 1, 4):  # second order, with run-time trip counts
        _check_fd(lambda x: tf.reduce_sum(_loop(x, tf.placeholder(tf.int32, [], "trips")) ** 2),
                  feeds={"trips:0": trips}, order=2)


LOOP_CASES = {"While": _check_while, "WhileGrad": _check_while_grad}


@pytest.mark.parametrize("op_type", sorted(CONTROL_FLOW_CASES))
def test_control_flow_op(op_type):
    CONTROL_FLOW_CASES[op_type]()


@pytest.mark.parametrize("op_type", sorted(LOOP_CASES))
def test_loop_op(op_type):
    LOOP_CASES[op_type]()


# --- coverage ------------------------------------------------------------------------------
def _table_op_types():
    """(op types of the stateless rows, op types exercised through sessions and state)."""
    stateful = set(RANDOM_CASES) | set(VARIABLE_CASES) | set(LIBRARY_CASES)
    stateful |= {name.split("-")[0] for name in APPLY_CASES}
    stateful |= set(LOOP_CASES)
    return {c.op_type for c in CASES} | set(CONTROL_FLOW_CASES), stateful


def _package_op_types():
    """Op types tensorweave registers (every module that calls register_op is imported first,
    unless an optional dependency is missing; op types tests register for themselves are left
    out)."""
    package = pathlib.Path(tf.__file__).parent
    for path in sorted(package.rglob("*.py")):
        if "register_op(" in path.read_text(encoding="utf-8"):
            module = path.relative_to(package.parent).with_suffix("").parts
            try:
                importlib.import_module(".".join(module[:-1] if module[-1] == "__init__"
                                                 else module))
            except ModuleNotFoundError as e:
                if e.name.split(".")[0] == "tensorweave":
                    raise
    return {name: op_def for name, op_def in registered_op_types().items()
            if op_def.shape.__module__.split(".")[0] == "tensorweave"}


def test_every_registered_op_type_has_a_row():
    stateless, stateful = _table_op_types()
    missing = sorted(set(_package_op_types()) - stateless - stateful)
    assert not missing, f"op types without a row in the op table: {missing}"
    unknown = sorted((stateless | stateful) - set(_package_op_types()))
    assert not unknown, f"rows for op types that are not registered: {unknown}"


def test_stateful_rows_are_stateful_and_stateless_rows_are_not():
    stateless, stateful = _table_op_types()
    types = _package_op_types()
    assert sorted(t for t in stateless if types[t].stateful) == []
    assert sorted(t for t in stateful - set(LIBRARY_CASES)
                  if not (types[t].stateful or types[t].bind)) == []  # loops bind sub-Plans


def test_case_ids_are_unique():
    assert len(set(_IDS)) == len(_IDS)
