"""Op table rows for checks, printing and Python functions: Assert, CheckNumerics,
StringFormat (stateless rows); Print, PrintV2, PyFunc, PyFuncStateless, EagerPyFunc (run
through sessions: they write streams or call Python)."""
import contextlib
import io
import sys

import numpy as np

import tensorweave as tf
from tensorweave.core.graph import create_op

from op_case import Case, ints, rand

CASES = [
    Case("Assert", [np.array(True), rand(2, 3), ints(1, 2)], lambda c, x, i: (),
         attrs={"summarize": 3}),
    Case("CheckNumerics", [rand(2, 3)], lambda x: x, attrs={"message": "checked"}),
    Case("StringFormat", [ints(1, 2, 3), np.array([[1.5, 2.0]])],
         lambda a, b: np.array(b"a=[1 2 3] b=[[1.5 2]]", dtype=object),
         attrs={"template": "a={} b={}", "placeholder": "{}", "summarize": 3}),
]


@contextlib.contextmanager
def _captured(stream_name):
    saved = getattr(sys, stream_name)
    buffer = io.StringIO()
    setattr(sys, stream_name, buffer)
    try:
        yield buffer
    finally:
        setattr(sys, stream_name, saved)


def _check_print():
    with tf.Graph().as_default():
        x = tf.constant([1.0, 2.0])
        op = create_op("Print", [x, x, tf.constant("s")], message="m: ", first_n=2,
                       summarize=1)
        y = op.outputs[0]
        assert y.shape.as_list() == [2] and y.dtype is tf.float32
        g = tf.gradients(tf.reduce_sum(y * 3.0), x)[0]
        with tf.Session() as sess, _captured("stderr") as err:
            for _ in range(3):
                np.testing.assert_array_equal(sess.run(y), [1.0, 2.0])
            np.testing.assert_array_equal(sess.run(g), [3.0, 3.0])
        assert err.getvalue() == "m: [1...][s]\nm: [1...][s]\n", err.getvalue()


def _check_print_v2():
    with tf.Graph().as_default():
        text = tf.constant("hello [1 2]")
        op = create_op("PrintV2", [text], output_stream="stdout", end="!\n")
        assert op.outputs == ()
        with tf.Session() as sess, _captured("stdout") as out:
            sess.run(op)
            sess.run(op)
        assert out.getvalue() == "hello [1 2]!\nhello [1 2]!\n", out.getvalue()


def _check_script_op(op_type):
    def check():
        calls = []

        def func(a, b):
            calls.append(1)
            if op_type == "EagerPyFunc":
                a, b = a.numpy(), b.numpy()
            return a * b, np.int32(a.size)
        with tf.Graph().as_default():
            a = tf.constant([1.0, 2.0])
            b = tf.placeholder(tf.float32, [2])
            outs = tf.py_func(func, [a, b], [tf.float32, tf.int32],
                              stateful=op_type != "PyFuncStateless") \
                if op_type != "EagerPyFunc" else tf.py_function(func, [a, b],
                                                                [tf.float32, tf.int32])
            assert outs[0].op.type == op_type
            assert outs[0].shape.ndims is None
            with tf.Session() as sess:
                got = sess.run(outs, {b: [3.0, 4.0]})
                np.testing.assert_array_equal(got[0], [3.0, 8.0])
                assert got[1] == 2 and got[1].dtype == np.int32
                sess.run(outs, {b: [3.0, 4.0]})
            assert len(calls) == 2
    return check


SESSION_CASES = {
    "Print": _check_print,
    "PrintV2": _check_print_v2,
    "PyFunc": _check_script_op("PyFunc"),
    "PyFuncStateless": _check_script_op("PyFuncStateless"),
    "EagerPyFunc": _check_script_op("EagerPyFunc"),
}
