"""tf.contrib.compiler: the XLA marks jit.experimental_jit_scope puts on ops and their
gradients, and what xla.compile returns (structure, names, values), against real TensorFlow's
jit_scope and xla.compile (tests/fixtures/make_contrib_compiler_reference.py); the marked ops
run as usual."""
import json
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
import contrib_compiler_cases as cases  # noqa: E402

REF = json.loads((FIXTURES / "contrib_compiler_reference.json").read_text())
jit_scope = tf.contrib.compiler.jit.experimental_jit_scope
xla_compile = tf.contrib.compiler.xla.compile


@pytest.fixture(scope="module")
def jit():
    return cases.jit_cases(tf, jit_scope)


def test_scopes_mark_ops_as_tensorflow_does(jit):
    # TF 2.15's tf.add builds AddV2, TF 1.15's (and tensorweave's) Add
    want = {name: ["Add" if v[0] == "AddV2" else v[0]] + v[1:]
            for name, v in REF["jit"]["scopes"].items()}
    assert jit["scopes"] == want


def test_gradients_are_marked_as_tensorflow_does(jit):
    got, want = jit["gradients"], REF["jit"]["gradients"]
    assert got["forward"] == want["forward"]
    for scope in ("mygrads1", "mygrads2", "mygrads3"):
        assert [list(v) for v in got[scope]] == want[scope], scope


def test_marked_ops_run_and_differentiate_as_usual():
    with tf.Graph().as_default():
        a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        with jit_scope(separate_compiled_gradients=True):
            y = tf.reduce_sum(tf.matmul(a, a))
        grad, = tf.gradients(y, a)
        with tf.Session() as sess:
            value, g = sess.run([y, grad])
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert value == np.sum(x @ x)
    np.testing.assert_allclose(g, np.ones((2, 2)) @ x.T + x.T @ np.ones((2, 2)))


def test_xla_compile_returns_what_tensorflow_returns():
    described, values = cases.xla_cases(tf, xla_compile)
    assert described == REF["xla"]
    assert values == REF["values"]


def test_xla_compile_marks_its_ops_and_runs_returned_operations():
    with tf.Graph().as_default() as graph:
        v = tf.Variable(1.0)

        def step(x):
            return x * 2.0, tf.assign_add(v, 1.0).op

        out, = xla_compile(step, [tf.constant(3.0)])
        marked = {op.name: op.get_attr("_xla_compile_id") for op in graph.get_operations()
                  if "_xla_compile_id" in op.node_def.attr}
        assert set(marked.values()) == {b"cluster"} and "input_0" in marked
        with tf.Session() as sess:
            sess.run(v.initializer)
            assert sess.run(out) == 6.0 and sess.run(v) == 2.0


def test_xla_compile_errors():
    with tf.Graph().as_default():
        x = tf.constant(1.0)
        with pytest.raises(TypeError, match="inputs must be a list"):
            xla_compile(lambda a: a, x)
        with pytest.raises(ValueError, match="followed by zero or more Operations"):
            xla_compile(lambda: (tf.no_op(), x))
        with pytest.raises(ValueError, match="does not support Operation as return value"):
            xla_compile(lambda: {"op": tf.no_op()})
        with pytest.raises(ValueError, match="cannot be nested"):
            xla_compile(lambda: xla_compile(lambda: x))


def test_estimator_model_fn_is_refused_by_name():
    with pytest.raises(tf.contrib.ContribNotImplemented, match="xla.estimator_model_fn"):
        tf.contrib.compiler.xla.estimator_model_fn  # noqa: B018


def test_tf_xla_experimental_names_the_same_functions():
    assert tf.xla.experimental.jit_scope is jit_scope
    assert tf.xla.experimental.compile is xla_compile
    with tf.Graph().as_default():
        with tf.xla.experimental.jit_scope():
            y = tf.square(tf.constant(2.0))
        assert y.op.get_attr("_XlaCompile") is True
        out, = tf.xla.experimental.compile(lambda: y + 1.0)
        with tf.Session() as sess:
            assert sess.run(out) == 5.0


def test_import_graph_def_keeps_the_xla_marks():
    """As TF's import_graph_def (TF 2.15 gives True and b'jit_scope_0' back)."""
    graph = tf.Graph()
    with graph.as_default():
        with tf.xla.experimental.jit_scope():
            x = tf.constant(1.0) + 2.0
    with tf.Graph().as_default() as imported:
        tf.import_graph_def(graph.as_graph_def(), name="")
        op = imported.get_operation_by_name(x.op.name)
        assert op.get_attr("_XlaCompile") is True
        assert op.get_attr("_XlaScope") == b"jit_scope_0"
        with tf.Session() as sess:
            assert sess.run(op.outputs[0]) == 3.0
