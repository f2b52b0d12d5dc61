"""Assertions, numeric checks and printing in small TF1 programs. The expected messages and
texts are TensorFlow's (seen running the same programs on TensorFlow)."""
import sys

import numpy as np
import pytest

import tensorweave as tf


@pytest.fixture
def sess():
    with tf.Graph().as_default(), tf.Session() as s:
        yield s


def _op_error(sess, fetch, feed=None):
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(fetch, feed)
    return info.value.message.split("\n")[0]


# --- Assert ----------------------------------------------------------------------------------
def test_assert_lists_the_data_values_when_the_condition_fails(sess):
    x = tf.placeholder(tf.float32, [None])
    check = tf.Assert(tf.reduce_all(x > 0), [x, "hello", tf.constant([1, 2, 3])], summarize=2)
    assert check.type == "Merge" and check.name == "Assert/AssertGuard/Merge"  # TF's guard
    assert sess.run(check, {x: [1.0, 2.0, 3.0]}) is None
    assert _op_error(sess, check, {x: [1.0, -2.0, 3.0]}) == \
        "assertion failed: [1 -2...] [hello] [1 2...]"


def test_assert_of_int32_and_string_data_is_one_op(sess):
    n = tf.placeholder(tf.int32, [])
    check = tf.Assert(n < 3, ["n is", n])
    assert (check.type, check.name) == ("Assert", "Assert/Assert")
    sess.run(check, {n: 1})
    assert _op_error(sess, check, {n: 7}) == "assertion failed: [n is] [7]"


def test_assert_as_a_control_dependency_stops_the_step(sess):
    x = tf.placeholder(tf.float32, [2])
    with tf.control_dependencies([tf.assert_positive(x)]):
        y = tf.log(x)
    np.testing.assert_allclose(sess.run(y, {x: [1.0, np.e]}), [0.0, 1.0], rtol=1e-6)
    assert _op_error(sess, y, {x: [1.0, -1.0]}) == (
        "assertion failed: [] [Condition x > 0 did not hold element-wise:] "
        "[x (Placeholder:0) = ] [1 -1]")


@pytest.mark.parametrize("check, values, text", [
    (tf.assert_equal, [1.0, -2.0, 3.0],
     "[Condition x == y did not hold element-wise:] [x (Placeholder:0) = ] [1 -2 3] "
     "[y (assert_equal/y:0) = ] [1]"),
    (tf.assert_none_equal, [1.0, -2.0, 3.0],
     "[Condition x != y did not hold element-wise:] [x (Placeholder:0) = ] [1 -2 3] "
     "[y (assert_none_equal/y:0) = ] [1]"),
    (tf.assert_less, [1.0, 2.0],
     "[Condition x < y did not hold element-wise:] [x (Placeholder:0) = ] [1 2] "
     "[y (assert_less/y:0) = ] [1]"),
    (tf.assert_greater_equal, [0.0, 2.0],
     "[Condition x >= y did not hold element-wise:] [x (Placeholder:0) = ] [0 2] "
     "[y (assert_greater_equal/y:0) = ] [1]"),
])
def test_comparison_messages(sess, check, values, text):
    x = tf.placeholder(tf.float32, [None])
    op = check(x, 1.0)
    assert _op_error(sess, op, {x: values}) == f"assertion failed: {text}"


def test_message_and_summarize(sess):
    x = tf.placeholder(tf.float32, [None])
    op = tf.assert_less(x, 2.0, message="mymsg", summarize=2)
    assert _op_error(sess, op, {x: [1.0, -2.0, 3.0, 5.0]}) == (
        "assertion failed: [mymsg] [Condition x < y did not hold element-wise:] "
        "[x (Placeholder:0) = ] [1 -2...] [y (assert_less/y:0) = ] [2]")
    sess.run(op, {x: [1.0, -2.0]})


def test_sign_checks(sess):
    x = tf.placeholder(tf.float32, [None])
    ops = {"negative": tf.assert_negative(x), "non_negative": tf.assert_non_negative(x),
           "non_positive": tf.assert_non_positive(x), "positive": tf.assert_positive(x)}
    passing = {"negative": [-1.0], "non_negative": [0.0, 1.0], "non_positive": [0.0, -1.0],
               "positive": [2.0]}
    failing = {"negative": [0.0], "non_negative": [-1.0], "non_positive": [1.0],
               "positive": [0.0]}
    for key, op in ops.items():
        sess.run(op, {x: passing[key]})
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(op, {x: failing[key]})
    assert ops["positive"].name == "assert_positive/assert_less/Assert/AssertGuard/Merge"


def test_assert_near(sess):
    x = tf.placeholder(tf.float32, [None])
    op = tf.assert_near(x, x + 0.5)
    assert _op_error(sess, op, {x: [1.0, -2.0, 3.0, 5.0]}) == (
        'assertion failed: [] [x and y not equal to tolerance rtol = Tensor(\\"assert_near/rtol'
        ':0\\", shape=(), dtype=float32), atol = Tensor(\\"assert_near/atol:0\\", shape=(), '
        'dtype=float32)] [x (Placeholder:0) = ] [1 -2 3...] [y (add:0) = ] [1.5 -1.5 3.5...]')
    near = tf.assert_near(x, x + 1e-3, rtol=0.0, atol=1e-2)
    sess.run(near, {x: [1.0, 2.0]})


def test_static_values_fail_at_build_time(sess):
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.assert_equal(tf.constant([1, 2], name="a"), tf.constant([1, 3], name="b"))
    assert info.value.message == ("Condition x == y did not hold element-wise:\nx (a:0) = \n"
                                  "[1 2]\ny (b:0) = \n[1 3]")
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.assert_positive(tf.constant([1, -2], name="c"))
    assert info.value.message == "\nCondition x > 0 did not hold element-wise:\nx (c:0) = \n[ 1 -2]"
    ok = tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 2]))
    sess.run(ok)
    with pytest.raises(TypeError):
        tf.assert_equal(tf.constant([1, 2]), tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError):
        tf.assert_equal(tf.constant([1, 2]), tf.constant([1, 2, 3]))


# --- ranks, dtypes, shapes -------------------------------------------------------------------
def test_rank_checks_static(sess):
    c = tf.constant([1, -2], name="c")
    with pytest.raises(ValueError, match=r"^Tensor c:0 must have rank 2\.  Received rank 1, "
                                         r"shape \(2,\)$"):
        tf.assert_rank(c, 2)
    with pytest.raises(ValueError, match=r"^mm\.  Tensor c:0 must have rank 2\."):
        tf.assert_rank(c, 2, message="mm")
    with pytest.raises(ValueError, match="must have rank at least 2"):
        tf.assert_rank_at_least(c, 2)
    with pytest.raises(ValueError, match=r"must have rank in \(array\(0, dtype=int32\), "
                                         r"array\(2, dtype=int32\)\)"):
        tf.assert_rank_in(c, [0, 2])
    ok = tf.assert_rank(c, 1)
    assert (ok.type, ok.name) == ("NoOp", "assert_rank_2/static_checks_determined_all_ok")
    sess.run([ok, tf.assert_rank_at_least(c, 1), tf.assert_rank_in(c, [1, 3])])


def test_rank_checks_at_run_time(sess):
    y = tf.placeholder(tf.float32)
    r = tf.assert_rank(y, 2)
    assert (r.type, r.name) == ("Assert", "assert_rank/Assert/Assert")
    sess.run(r, {y: [[1.0]]})
    assert _op_error(sess, r, {y: [1.0]}) == (
        "assertion failed: [] [Tensor Placeholder:0 must have rank] [2] [Received shape: ] [1]")
    at_least = tf.assert_rank_at_least(y, 2)
    sess.run(at_least, {y: np.zeros([1, 2, 3])})
    assert "[Tensor Placeholder:0 must have rank at least] [2]" in _op_error(
        sess, at_least, {y: [1.0]})
    rank_in = tf.assert_rank_in(y, [0, 2])
    sess.run(rank_in, {y: 3.0})
    assert "[Tensor Placeholder:0 must have rank in] [0] [2] [Received shape: ] [1]" in \
        _op_error(sess, rank_in, {y: [1.0]})


def test_dtype_checks():
    with pytest.raises(TypeError, match=r'^Expected "x" to be integer type\.  Found: f:0 of '
                                        r"dtype <dtype: 'float32'>$"):
        tf.assert_integer(tf.constant([1.0], name="f"))
    assert tf.assert_integer(tf.constant([1])).name.endswith("statically_determined_was_integer")
    with pytest.raises(TypeError, match=r"^g:0 must be of type tf\.int32; got tf\.float32$"):
        tf.assert_type(tf.constant([1.0], name="g"), tf.int32)
    assert tf.assert_type(tf.constant(1.0), tf.float32).type == "NoOp"
    with pytest.raises(ValueError, match=r"^Expected scalar shape for v:0, saw shape: \(2,\)\.$"):
        tf.assert_scalar(tf.constant([1.0, 2.0], name="v"))
    with pytest.raises(ValueError, match="saw shape: <unknown>"):
        tf.assert_scalar(tf.placeholder(tf.float32))
    s = tf.constant(1.0)
    assert tf.assert_scalar(s) is s


def test_assert_same_float_dtype():
    a, b = tf.constant([1.0], name="a"), tf.constant(1.0, tf.float64, name="b")
    with pytest.raises(ValueError) as info:
        tf.assert_same_float_dtype([a, b])
    assert str(info.value) == ("b:0, type=<dtype: 'float64'>, must be of the same type "
                               "(<dtype: 'float32'>) as a:0.")
    assert tf.assert_same_float_dtype([a]) is tf.float32
    assert tf.assert_same_float_dtype(None) is tf.float32
    assert tf.assert_same_float_dtype(None, tf.float64) is tf.float64
    with pytest.raises(ValueError, match=r"^Expected floating point type, got <dtype: 'int32'>"):
        tf.assert_same_float_dtype([tf.constant([1])])


def test_assert_proper_iterable():
    tf.assert_proper_iterable([1, 2])
    tf.assert_proper_iterable((x for x in range(2)))
    for bad in ("abc", b"abc", np.array([1]), tf.constant([1])):
        with pytest.raises(TypeError, match='Expected argument "values" to be a "proper" '
                                            'iterable'):
            tf.assert_proper_iterable(bad)
    with pytest.raises(TypeError, match="to be iterable"):
        tf.assert_proper_iterable(3)


def test_assert_shapes(sess):
    with pytest.raises(ValueError) as info:
        tf.debugging.assert_shapes([(tf.constant([1.0, 2.0], name="p"), ("N",)),
                                    (tf.constant([[1.0]], name="q"), ("N", "N"))])
    assert str(info.value) == ("Specified by tensor p:0 dimension 0.  Tensor q:0 dimension 0 "
                               "must have size 2.  Received size 1, shape (1, 1)")
    with pytest.raises(ValueError, match="^Specified explicitly.  Tensor r:0 dimension 1 must "
                                         "have size 3"):
        tf.debugging.assert_shapes([(tf.constant([[1.0], [2.0]], name="r"), (2, 3))])
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None])
    check = tf.debugging.assert_shapes({x: ("N", "Q"), y: ("N",)})
    sess.run(check, {x: np.zeros((2, 3)), y: np.zeros(2)})
    assert _op_error(sess, check, {x: np.zeros((2, 3)), y: np.zeros(4)}) == (
        "assertion failed: [] [Specified by tensor Placeholder:0 dimension 0] "
        "[Tensor Placeholder_1:0 dimension] [0] [must have size] [2] [Received shape: ] [4]")
    z = tf.placeholder(tf.float32)
    outer = tf.debugging.assert_shapes([(z, (Ellipsis, 2))])
    sess.run(outer, {z: np.zeros((5, 4, 2))})
    with pytest.raises(tf.errors.InvalidArgumentError):
        sess.run(outer, {z: np.zeros((2, 3))})
    sess.run(tf.debugging.assert_shapes([(tf.constant(1.0), ())]))


# --- numeric checks --------------------------------------------------------------------------
def test_check_numerics(sess):
    x = tf.placeholder(tf.float32, [None])
    c = tf.check_numerics(x, "mycheck")
    assert (c.op.type, c.op.name, c.op.get_attr("message")) == (
        "CheckNumerics", "CheckNumerics", "mycheck")
    np.testing.assert_array_equal(sess.run(c, {x: [1.0, 2.0]}), [1.0, 2.0])
    assert _op_error(sess, c, {x: [1.0, np.nan]}) == "mycheck : Tensor had NaN values"
    assert _op_error(sess, c, {x: [1.0, np.inf]}) == "mycheck : Tensor had Inf values"
    assert _op_error(sess, c, {x: [np.nan, -np.inf]}) == "mycheck : Tensor had Inf and NaN values"
    with pytest.raises(TypeError):
        tf.check_numerics(tf.constant([1]), "ints")


def test_check_numerics_gradient_checks_the_gradient(sess):
    x = tf.placeholder(tf.float32, [])
    y = tf.sqrt(tf.check_numerics(x, "x"))
    g = tf.gradients(y, x)[0]
    assert sess.run(g, {x: 4.0}) == pytest.approx(0.25)
    assert _op_error(sess, g, {x: 0.0}) == ("Not a number (NaN) or infinity (Inf) values "
                                            "detected in gradient. x : Tensor had Inf values")


def test_verify_tensor_all_finite_and_assert_all_finite(sess):
    x = tf.placeholder(tf.float32, [None])
    v = tf.verify_tensor_all_finite(x, "vmsg")
    assert v.name == "VerifyFinite/control_dependency:0"
    np.testing.assert_array_equal(sess.run(v, {x: [1.0]}), [1.0])
    assert _op_error(sess, v, {x: [np.nan]}) == "vmsg : Tensor had NaN values"
    assert tf.debugging.assert_all_finite is tf.verify_tensor_all_finite
    w = tf.debugging.assert_all_finite(x, message="m2")
    assert _op_error(sess, w, {x: [np.inf]}) == "m2 : Tensor had Inf values"


def test_add_check_numerics_ops(sess):
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.log(x, name="y")
    check = tf.add_check_numerics_ops()
    sess.run([y, check], {x: [1.0, 2.0]})
    assert _op_error(sess, [y, check], {x: [1.0, -1.0]}) == "y:0 : Tensor had NaN values"
    tf.cond(tf.constant(True), lambda: x * 2, lambda: x)
    with pytest.raises(ValueError, match="not compatible with TensorFlow control flow"):
        tf.add_check_numerics_ops()


def test_monotonic_and_numeric(sess):
    assert sess.run(tf.is_non_decreasing([1, 2, 2]))
    assert not sess.run(tf.is_non_decreasing([2, 1]))
    assert not sess.run(tf.is_strictly_increasing([1, 2, 2]))
    assert sess.run(tf.is_strictly_increasing([[1, 2], [3, 4]]))
    assert sess.run(tf.is_strictly_increasing([]))
    assert sess.run(tf.is_non_decreasing([5]))
    assert tf.is_numeric_tensor(tf.constant(1)) and tf.is_numeric_tensor(tf.constant(1.0))
    assert not tf.is_numeric_tensor(tf.constant("a"))
    assert not tf.is_numeric_tensor(tf.constant(True))
    assert not tf.is_numeric_tensor(3)
    with pytest.raises(TypeError):
        tf.is_non_decreasing(tf.constant(["a", "b"]))


# --- printing --------------------------------------------------------------------------------
def test_print_v1_writes_to_stderr_first_n_times(sess, capsys):
    x = tf.constant([[1, 2, 3], [4, 5, 6]])
    f = tf.constant([1.5, 2.0, 1e-7, 123456.0])
    p = tf.Print(x, [x, f, "str"], message="msg: ", first_n=2, summarize=2)
    assert (p.op.type, p.op.name) == ("Print", "Print")
    for _ in range(3):
        np.testing.assert_array_equal(sess.run(p), [[1, 2, 3], [4, 5, 6]])
    out = capsys.readouterr()
    assert out.err == "msg: [[1 2...]...][1.5 2...][str]\nmsg: [[1 2...]...][1.5 2...][str]\n"
    assert out.out == ""
    q = tf.Print(f, [f])
    sess.run(q)
    sess.run(q)
    assert capsys.readouterr().err == "[1.5 2 1e-07...]\n" * 2


def test_tf_print_formats_like_tensorflow(sess, capsys):
    x = tf.constant([[1, 2, 3], [4, 5, 6]])
    f = tf.constant([1.5, 2.0, 1e-7, 123456.0])
    pv = tf.print("hello", x, f, {"a": x}, [1, 2], output_stream=sys.stdout, sep="|",
                  end="$\n")
    assert pv.type == "PrintV2" and [t.op.type for t in pv.inputs] == ["StringFormat"]
    assert sess.run(pv) is None
    sess.run(tf.print(tf.range(20), tf.reshape(tf.range(40.0), [4, 10]), summarize=2,
                      output_stream=sys.stdout))
    sess.run(tf.print(tf.range(20), summarize=-1, output_stream=sys.stdout))
    sess.run(tf.print(tf.constant(True), tf.constant(["a", "b"]), tf.constant(3.0),
                      tf.constant([0.1, 1e10]), output_stream=sys.stdout))
    sess.run(tf.print(tf.zeros([0, 3]), tf.constant(2.5, tf.float64),
                      tf.constant([1e-5, 2.0], tf.float64), output_stream=sys.stdout))
    assert capsys.readouterr().out == (
        "hello|[[1 2 3]\n [4 5 6]]|[1.5 2 1e-07 123456]|{'a': [[1 2 3]\n [4 5 6]]}|[1, 2]$\n"
        "[0 1 ... 18 19] [[0 1 ... 8 9]\n [10 11 ... 18 19]\n [20 21 ... 28 29]\n"
        " [30 31 ... 38 39]]\n"
        "[0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19]\n"
        '1 ["a" "b"] 3 [0.1 1e+10]\n'
        "[] 2.5 [1e-05 2]\n")


def test_tf_print_default_stream_control_dependency_and_file(sess, capsys, tmp_path):
    x = tf.placeholder(tf.float32, [3])
    with tf.control_dependencies([tf.print("x:", x)]):
        y = x * 2
    sess.run(y, {x: [1.0, 2.0, 3.0]})
    assert capsys.readouterr().err == "x: [1 2 3]\n"
    path = tmp_path / "out.txt"
    op = tf.print("to file", tf.constant(np.arange(8).reshape(2, 2, 2)),
                  output_stream=f"file://{path}")
    sess.run(op)
    sess.run(op)
    assert path.read_text() == "to file [[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]\n" * 2
    with pytest.raises(ValueError, match="Unsupported output stream"):
        tf.print("x", output_stream="nowhere")


def test_tf_print_writes_a_lone_string_scalar_as_it_is(sess, capsys):
    name = tf.placeholder(tf.string)
    sess.run(tf.print(tf.strings.format("Hello --{}", name), output_stream=sys.stdout),
             {name: "Jack"})
    sess.run(tf.print("a", tf.constant("b"), output_stream=sys.stdout))
    sess.run(tf.print([tf.constant("b")], output_stream=sys.stdout))
    assert capsys.readouterr().out == 'Hello --"Jack"\na "b"\n["b"]\n'


def test_string_format_placeholder_count_is_checked():
    from tensorweave.ops.string_format import string_format
    with pytest.raises(ValueError, match="num placeholders in template and num inputs must "
                                         "match: 2 vs. 1"):
        string_format("{} {}", [tf.constant(1)])


def test_element_texts_as_tensorflow_writes_them(sess, capsys):
    values = [tf.constant("abc"), tf.constant(["x\ny"]), tf.constant([True, False]),
              tf.constant(1.0 / 3), tf.constant(1.0 / 3, tf.float64), tf.constant(2**40, tf.int64)]
    sess.run(tf.print(*values, tf.constant([1 + 2j], tf.complex64), output_stream=sys.stdout))
    sess.run(tf.Print(tf.constant(1), values))
    out = capsys.readouterr()
    assert out.out == ('"abc" ["x\\ny"] [1 0] 0.333333343 0.33333333333333331 1099511627776 '
                       "[?]\n")
    assert out.err == "[abc][x\\ny][1 0][0.333333343][0.33333333333333331][1099511627776]\n"
