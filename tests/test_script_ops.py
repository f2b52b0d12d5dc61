"""py_func, numpy_function and py_function: Python functions called in the step."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import script_ops


@pytest.fixture
def sess():
    with tf.Graph().as_default(), tf.Session() as s:
        yield s


def test_py_func_outputs_and_attrs(sess):
    x = tf.constant([[1, 2, 3], [4, 5, 6]])

    def fn(a, b):
        return a + b, np.float32(a.sum())
    y = tf.py_func(fn, [x, x], [tf.int32, tf.float32])
    assert [t.name for t in y] == ["PyFunc:0", "PyFunc:1"]
    assert y[0].op.type == "PyFunc" and y[0].shape.ndims is None
    assert y[0].op.get_attr("token") == "pyfunc_0"
    assert y[0].op.get_attr("Tout") == [tf.int32, tf.float32]
    got = sess.run(y)
    np.testing.assert_array_equal(got[0], [[2, 4, 6], [8, 10, 12]])
    assert got[1] == 21.0


def test_single_tout_gives_a_tensor_and_stateless_op(sess):
    f = tf.constant([1.5, 2.0])
    z = tf.py_func(lambda a: a * 2, [f], tf.float32, stateful=False)
    assert isinstance(z, tf.Tensor) and z.op.type == "PyFuncStateless"
    np.testing.assert_array_equal(sess.run(z), [3.0, 4.0])
    n = tf.numpy_function(lambda a: a * 3, [f], tf.float32)
    assert n.op.type == "PyFunc"
    np.testing.assert_array_equal(sess.run(n), [4.5, 6.0])


def test_empty_tout_returns_the_op_and_it_runs(sess):
    seen = []
    op = tf.py_func(lambda a: seen.append(a.tolist()), [tf.constant([1, 2])], [])
    assert isinstance(op, tf.Operation)
    assert sess.run(op) is None
    assert seen == [[1, 2]]


def test_py_function_inputs_have_numpy(sess):
    f = tf.constant([1.0, 2.0])
    z = tf.py_function(lambda a: a.numpy() * 2, [f], tf.float32)
    assert z.op.type == "EagerPyFunc" and z.op.get_attr("is_async") is False
    np.testing.assert_array_equal(sess.run(z), [2.0, 4.0])
    pair = tf.py_function(lambda a: (a * 2, a), [f], [tf.float32, tf.float32])
    got = sess.run(pair)
    np.testing.assert_array_equal(got[0], [2.0, 4.0])
    np.testing.assert_array_equal(got[1], [1.0, 2.0])


def test_stateful_py_func_runs_every_time(sess):
    counter = []
    y = tf.py_func(lambda: np.int64(len(counter.append(1) or counter)), [], tf.int64)
    assert [sess.run(y) for _ in range(3)] == [1, 2, 3]


def test_conversions_of_results(sess):
    f = tf.constant([1.0])
    assert sess.run(tf.py_func(lambda a: 3, [f], tf.int64)) == 3
    assert sess.run(tf.py_func(lambda a: "abc", [f], tf.string)) == b"abc"
    np.testing.assert_array_equal(
        sess.run(tf.py_func(lambda a: np.array(["x", b"y"], dtype=object), [f], tf.string)),
        [b"x", b"y"])


@pytest.mark.parametrize("func, tout, error, text", [
    (lambda a: a.astype(np.float64), tf.float32, tf.errors.InvalidArgumentError,
     "0-th value returned by pyfunc_0 is double, but expects float"),
    (lambda a: 3.0, tf.float32, tf.errors.InvalidArgumentError,
     "0-th value returned by pyfunc_0 is double, but expects float"),
    (lambda a: (a, a), tf.float32, tf.errors.InvalidArgumentError,
     "pyfunc_0 returns 2 values, but expects to see 1 values."),
])
def test_result_errors(func, tout, error, text):
    with tf.Graph().as_default(), tf.Session() as sess:
        y = tf.py_func(func, [tf.constant([1.5])], tout)
        with pytest.raises(error) as info:
            sess.run(y)
        assert info.value.message.startswith(text)


def _raise(kind):
    def func(a):
        raise kind("boom here")
    return func


@pytest.mark.parametrize("kind, error", [
    (ValueError, tf.errors.InvalidArgumentError),
    (TypeError, tf.errors.InvalidArgumentError),
    (StopIteration, tf.errors.OutOfRangeError),
    (NotImplementedError, tf.errors.UnimplementedError),
    (MemoryError, tf.errors.ResourceExhaustedError),
    (KeyError, tf.errors.UnknownError),
])
def test_exceptions_surface_as_tensorflow_maps_them(sess, kind, error):
    for build in (tf.py_func, tf.py_function):
        y = build(_raise(kind), [tf.constant(1.0)], tf.float32)
        with pytest.raises(error) as info:
            sess.run(y)
        assert info.value.message.startswith(f"{kind.__name__}: ")
        assert "boom here" in info.value.message
        assert "Traceback" in info.value.message


def test_op_errors_keep_their_class(sess):
    def func(a):
        raise tf.errors.NotFoundError(None, None, "no such thing")
    with pytest.raises(tf.errors.NotFoundError, match="no such thing"):
        sess.run(tf.py_func(func, [tf.constant(1.0)], tf.float32))


def test_gradients(sess):
    f = tf.constant([1.0, 2.0])
    assert tf.gradients(tf.py_func(lambda a: a, [f], tf.float32), f) == [None]
    with pytest.raises(LookupError, match="py_function"):
        tf.gradients(tf.py_function(lambda a: a, [f], tf.float32), f)

    @tf.RegisterGradient("ScriptOpsTestGrad")
    def _grad(op, dy):
        return [dy * 3.0]
    with tf.get_default_graph().gradient_override_map({"PyFunc": "ScriptOpsTestGrad"}):
        w = tf.py_func(lambda a: a * 2, [f], tf.float32)
    np.testing.assert_array_equal(sess.run(tf.gradients(w, f)[0]), [3.0, 3.0])


def test_functions_live_in_their_graph():
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        a = tf.py_func(lambda: np.int32(1), [], tf.int32)
    with g2.as_default():
        b = tf.py_func(lambda: np.int32(2), [], tf.int32)
    assert a.op.get_attr("token") == b.op.get_attr("token") == "pyfunc_0"
    assert tf.Session(graph=g1).run(a) == 1
    assert tf.Session(graph=g2).run(b) == 2
    assert script_ops.functions_of(g1) is not script_ops.functions_of(g2)


def test_graph_def_keeps_the_token_and_an_import_cannot_call_it():
    pytest.importorskip("google.protobuf")
    g = tf.Graph()
    with g.as_default():
        tf.py_func(lambda a: a, [tf.constant([1.0])], tf.float32, name="f")
    node = [n for n in g.as_graph_def().node if n.name == "f"][0]
    assert node.op == "PyFunc"
    assert node.attr["token"].s == b"pyfunc_0"
    assert list(node.attr["Tout"].list.type) == [1]  # DT_FLOAT
    with tf.Graph().as_default() as h:
        tf.import_graph_def(g.as_graph_def(), name="")
        y = h.get_tensor_by_name("f:0")
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                                 match="Could not find callback"):
            sess.run(y)
