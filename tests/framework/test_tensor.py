"""Behaviour of tf.Tensor, tf.Operation and tf.DType."""
import numpy as np
import pytest

import tensorweave as tf


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


# --- identity ------------------------------------------------------------------------------------
def test_tensor_names_dtype_op_and_graph():
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    assert x.name == "x:0"
    assert x.dtype is tf.float32
    assert x.op.name == "x"
    assert x.op.type == "Placeholder"
    assert x.value_index == 0
    assert x.graph is tf.get_default_graph()
    assert x.op.outputs == (x,)
    assert x.op.values() == (x,)


def test_multi_output_op_names_its_outputs_by_index():
    parts = tf.split(tf.constant([1.0, 2.0, 3.0, 4.0]), 2, name="parts")
    assert [t.name for t in parts] == ["parts:0", "parts:1"]
    assert parts[0].op is parts[1].op


def test_str_and_repr_show_partial_shapes():
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    assert str(x.shape) == "(?, 784)"
    assert x.shape.as_list() == [None, 784]
    assert repr(x) == "<tf.Tensor 'x:0' shape=(?, 784) dtype=float32>"
    assert str(x) == 'Tensor("x:0", shape=(?, 784), dtype=float32)'
    assert str(tf.placeholder(tf.int32).shape) == "<unknown>"
    assert str(tf.constant(1.0).shape) == "()"


def test_str_leaves_out_an_unknown_rank_shape_as_tf1_does():
    p = tf.placeholder(tf.int32, name="p")
    assert str(p) == 'Tensor("p:0", dtype=int32)'
    assert repr(p) == "<tf.Tensor 'p:0' shape=<unknown> dtype=int32>"
    assert str(tf.constant(1.0, name="c")) == 'Tensor("c:0", shape=(), dtype=float32)'


# --- static shapes -------------------------------------------------------------------------------
def test_get_shape_and_dimensions():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    assert x.get_shape() == x.shape
    assert x.shape.ndims == 4
    assert x.shape[0].value is None
    assert x.shape[1].value == 28
    assert tf.dimension_value(x.shape[2]) == 28
    assert not x.shape.is_fully_defined()
    assert x.shape[1:].is_fully_defined()
    assert x.shape[1:].num_elements() == 784


def test_set_shape_refines_a_partial_shape():
    x = tf.placeholder(tf.float32, [None, 784])
    x.set_shape([32, None])
    assert x.shape.as_list() == [32, 784]
    y = tf.placeholder(tf.float32)
    assert y.shape.ndims is None
    y.set_shape([None, 5])
    assert y.shape.as_list() == [None, 5]
    y.set_shape(tf.TensorShape([7, None]))
    assert y.shape.as_list() == [7, 5]


def test_incompatible_set_shape_raises_value_error():
    x = tf.placeholder(tf.float32, [None, 784])
    with pytest.raises(ValueError):
        x.set_shape([10, 100])
    with pytest.raises(ValueError):
        x.set_shape([None, 784, 1])
    assert x.shape.as_list() == [None, 784]


def test_shapes_are_inferred_while_building():
    x = tf.placeholder(tf.float32, [None, 784])
    w = tf.zeros([784, 10])
    y = tf.matmul(x, w) + tf.zeros([10])
    assert y.shape.as_list() == [None, 10]
    with pytest.raises(ValueError):
        tf.matmul(x, tf.zeros([100, 10]))


# --- operations ----------------------------------------------------------------------------------
def test_operation_inputs_outputs_control_inputs_and_attrs():
    a = tf.constant([[1.0, 2.0]], name="a")
    b = tf.constant([[3.0], [4.0]], name="b")
    marker = tf.no_op(name="marker")
    with tf.control_dependencies([marker]):
        c = tf.matmul(a, b, transpose_a=False, name="c")
    op = c.op
    assert op.name == "c"
    assert op.type == "MatMul"
    assert op.inputs == (a, b)
    assert op.outputs == (c,)
    assert op.control_inputs == [marker]
    assert op.get_attr("transpose_a") is False
    assert a.op.get_attr("dtype") is tf.float32
    with pytest.raises(ValueError):
        op.get_attr("no_such_attr")
    assert op.device == ""
    assert op.graph is tf.get_default_graph()


def test_operation_records_where_user_code_created_it():
    c = tf.constant(1.0)
    filename, lineno, _ = c.op.traceback
    assert filename == __file__
    assert c.op.location == f"{__file__}:{lineno}"


def test_eval_and_run_use_the_default_session():
    v = tf.Variable(1.0)
    add = tf.assign_add(v, 2.0)
    x = tf.placeholder(tf.float32, [])
    with tf.Session():
        v.initializer.run()
        add.op.run()
        assert v.eval() == 3.0
        assert (x * 2).eval(feed_dict={x: 5.0}) == 10.0
    sess = tf.Session()  # an explicit session has its own (here uninitialized) state
    with pytest.raises(tf.errors.FailedPreconditionError):
        v.eval(session=sess)
    sess.run(v.initializer)
    assert v.eval(session=sess) == 1.0
    sess.close()


def test_eval_without_default_session_raises():
    c = tf.constant(1.0)
    with pytest.raises(ValueError, match="default session"):
        c.eval()
    with pytest.raises(ValueError):
        c.op.run()


def test_eval_with_session_of_other_graph_raises():
    c = tf.constant(1.0)
    with tf.Session(graph=tf.Graph()) as other:
        with pytest.raises(ValueError):
            c.eval(session=other)


# --- operators -----------------------------------------------------------------------------------
def test_arithmetic_operators_match_numpy():
    a = np.array([5.0, 7.0, -3.0], np.float32)
    b = np.array([2.0, 4.0, 2.0], np.float32)
    x, y = tf.constant(a), tf.constant(b)
    results = _run([x + y, x - y, x * y, x / y, x // y, x % y, x ** y, -x, abs(x),
                    x + 1, 1 - x, 2 * x, 1 / x, x ** 2, 2 ** x])
    expected = [a + b, a - b, a * b, a / b, a // b, np.mod(a, b), a ** b, -a, np.abs(a),
                a + 1, 1 - a, 2 * a, 1 / a, a ** 2, 2 ** a]
    for got, want in zip(results, expected):
        np.testing.assert_allclose(got, want, rtol=1e-6)
        assert got.dtype == np.float32


def test_integer_division_and_modulo_follow_python_floor_semantics():
    x = tf.constant([7, -7, 7, -7])
    y = tf.constant([2, 2, -2, -2])
    floordiv, mod, truediv = _run([x // y, x % y, x / y])
    np.testing.assert_array_equal(floordiv, [3, -4, -4, 3])
    np.testing.assert_array_equal(mod, [1, 1, -1, -1])
    assert truediv.dtype == np.float64  # int32 / int32 -> float64, as in TF


def test_matmul_operator():
    m = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    np.testing.assert_allclose(_run(tf.constant(m) @ tf.constant(m)), m @ m)


def test_comparison_operators():
    x = tf.constant([1, 2, 3])
    lt, le, gt, ge = _run([x < 2, x <= 2, x > 2, x >= 2])
    np.testing.assert_array_equal(lt, [True, False, False])
    np.testing.assert_array_equal(le, [True, True, False])
    np.testing.assert_array_equal(gt, [False, False, True])
    np.testing.assert_array_equal(ge, [False, True, True])
    assert lt.dtype == np.bool_


def test_tensor_equality_is_identity_so_tensors_hash():
    a = tf.constant(1.0)
    b = tf.constant(1.0)
    assert a == a
    assert a != b
    assert len({a, b, a}) == 2


def test_operator_dtypes_must_agree():
    with pytest.raises((TypeError, ValueError)):
        tf.constant(1.0) + tf.constant(1)


@pytest.mark.parametrize("index", [
    np.s_[1], np.s_[-1], np.s_[1:], np.s_[:, 1], np.s_[..., 2], np.s_[:, ::2],
    np.s_[-1, ::-1], np.s_[0, 1:, -2], np.s_[..., 1:3], np.s_[:, None, 1, ::2],
    np.s_[None, ..., 0], np.s_[1, -2:, 1:4:2],
])
def test_getitem_matches_numpy(index):
    value = np.arange(24).reshape(2, 3, 4)
    t = tf.constant(value)
    sliced = t[index]
    expected = value[index]
    assert sliced.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(_run(sliced), expected)


def test_getitem_with_newaxis_and_partial_shapes():
    x = tf.placeholder(tf.float32, [None, 3])
    assert tf.newaxis is None
    assert x[:, tf.newaxis].shape.as_list() == [None, 1, 3]
    assert x[1:, ::2].shape.as_list() == [None, 2]
    assert x[:, -1].shape.as_list() == [None]
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(_run(x[:, tf.newaxis, -1], {x: value}),
                                  value[:, None, -1])


def test_getitem_with_tensor_index():
    t = tf.constant([10, 20, 30])
    i = tf.placeholder(tf.int32, [])
    assert _run(t[i], {i: 2}) == 30
    assert _run(t[i], {i: -1}) == 30  # negative counts from the end, as in TF


def test_getitem_with_run_time_indices_next_to_static_slices_and_its_gradient():
    value = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    x = tf.constant(value)
    i, j = tf.placeholder(tf.int32, []), tf.placeholder(tf.int64, [])
    picked = x[1:, j, ::2]
    assert picked.shape.as_list() == [1, 2]
    np.testing.assert_array_equal(_run(picked, {j: 2}), value[1:, 2, ::2])
    assert _run(x[i, 0, j], {i: 1, j: -1}) == value[1, 0, -1]
    grad = tf.gradients(tf.reduce_sum(x[i, :, j] * 2.0), x)[0]
    expected = np.zeros_like(value)
    expected[1, :, 3] = 2.0
    np.testing.assert_array_equal(_run(grad, {i: 1, j: 3}), expected)
    with pytest.raises(tf.errors.InvalidArgumentError, match="slice index 5 of dimension 0 out of "
                       "bounds"):  # TF's message
        _run(x[i], {i: 5})
    assert x[i:].shape.as_list() == [None, 3, 4]  # run-time bounds: TF's partial shape
    np.testing.assert_array_equal(_run(x[i:, 1:j], {i: -1, j: -1}), value[-1:, 1:-1])
    assert x[i::2, ..., j].shape.as_list() == [None, 3]
    np.testing.assert_array_equal(_run(x[i::-1, None, ..., j], {i: 0, j: 1}),
                                  value[0::-1, None, ..., 1])
    with pytest.raises(TypeError, match="scalar"):
        x[tf.placeholder(tf.int32, [2])]


def test_slice_bounds_known_while_building_or_computed_at_run_time():
    x = tf.constant(np.arange(12.0).reshape(3, 4))
    np.testing.assert_array_equal(_run(tf.slice(x, tf.constant([0, 1]), [1, -1])),
                                  [[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(_run(tf.strided_slice(x, [0, 1], [3, 4], [2, 1])),
                                  [[1.0, 2.0, 3.0], [9.0, 10.0, 11.0]])
    begin = tf.placeholder(tf.int32, [2])
    block = tf.slice(x, begin, [1, 2])
    assert block.shape.as_list() == [1, 2]
    np.testing.assert_array_equal(_run(block, {begin: [2, 1]}), [[9.0, 10.0]])


def test_bool_and_iteration_raise_type_error_with_advice():
    x = tf.constant([1.0, 2.0])
    with pytest.raises(TypeError, match="tf.cond"):
        bool(x)
    with pytest.raises(TypeError):
        if x:
            pass
    with pytest.raises(TypeError, match="unstack"):
        iter(x)
    with pytest.raises(TypeError):
        for _ in x:
            pass
    with pytest.raises(TypeError):
        len(x)
    v = tf.Variable([1.0])
    with pytest.raises(TypeError):
        bool(v)


# --- dtypes --------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype, np_type, floating, integer", [
    (tf.float16, np.float16, True, False),
    (tf.float32, np.float32, True, False),
    (tf.float64, np.float64, True, False),
    (tf.int8, np.int8, False, True),
    (tf.int16, np.int16, False, True),
    (tf.int32, np.int32, False, True),
    (tf.int64, np.int64, False, True),
    (tf.uint8, np.uint8, False, True),
    (tf.uint16, np.uint16, False, True),
    (tf.bool, np.bool_, False, False),
])
def test_dtype_properties(dtype, np_type, floating, integer):
    assert dtype.as_numpy_dtype is np_type
    assert dtype.is_floating is floating
    assert dtype.is_integer is integer
    assert dtype.base_dtype is dtype
    assert tf.as_dtype(np_type) is dtype
    assert tf.as_dtype(np.dtype(np_type)) is dtype
    assert tf.as_dtype(dtype.name) is dtype
    assert tf.as_dtype(dtype) is dtype
    value = _run(tf.placeholder(dtype, [2]), {"Placeholder:0": [1, 0]})
    assert value.dtype == np_type


@pytest.mark.parametrize("name, dtype", [("float", tf.float32), ("double", tf.float64),
                                         ("half", tf.float16)])
def test_tf_non_canonical_dtype_names(name, dtype):
    """TF 1.x programs write tf.placeholder("float", ...): TF maps these names as here."""
    assert tf.as_dtype(name) is dtype
    x = tf.placeholder(name, [2])
    assert x.dtype is dtype
    assert _run(x * 2, {x.name: [1.5, 2]}).dtype == dtype.as_numpy_dtype
    with pytest.raises(TypeError, match="Cannot convert value 'long' to a TensorFlow DType"):
        tf.as_dtype("long")


def test_string_dtype():
    assert tf.as_dtype("string") is tf.string
    assert not tf.string.is_floating and not tf.string.is_integer
    s = tf.constant(["ab", "c"])
    assert s.dtype is tf.string
    assert list(_run(s)) == [b"ab", b"c"]


def test_dtype_aliases_names_and_equality():
    assert tf.double is tf.float64
    assert tf.half is tf.float16
    assert tf.float32 == "float32"
    assert tf.float32 == np.float32
    assert tf.float32 != tf.float64
    assert tf.float32.name == "float32"
    assert repr(tf.float32) == "tf.float32"
    assert tf.as_dtype(float) is tf.float32
    with pytest.raises(TypeError):
        tf.as_dtype("float31")


def test_constant_infers_tf_dtypes():
    assert tf.constant(1).dtype is tf.int32
    assert tf.constant(1.0).dtype is tf.float32
    assert tf.constant([1.0, 2.0]).dtype is tf.float32
    assert tf.constant(True).dtype is tf.bool
    assert tf.constant("s").dtype is tf.string
    assert tf.constant(np.float64(1)).dtype is tf.float64
    assert tf.constant(np.arange(3)).dtype is tf.int64
    assert tf.constant(1, dtype=tf.float32).dtype is tf.float32
    with pytest.raises(TypeError):
        tf.constant(1.5, dtype=tf.int32)


# --- TensorShape and Dimension -------------------------------------------------------------------
def test_tensor_shape_partial_operations():
    partial = tf.TensorShape([None, 784])
    assert partial.is_compatible_with([32, 784])
    assert not partial.is_compatible_with([32, 100])
    assert not partial.is_compatible_with([784])
    assert partial.merge_with([32, None]).as_list() == [32, 784]
    with pytest.raises(ValueError):
        partial.merge_with([32, 100])
    assert partial.concatenate([10]).as_list() == [None, 784, 10]
    assert partial.num_elements() is None
    assert tf.TensorShape([2, 3]).num_elements() == 6
    assert len(partial) == 2
    assert [d.value for d in partial] == [None, 784]
    assert partial.with_rank(2) is partial
    with pytest.raises(ValueError):
        partial.with_rank(3)


def test_unknown_tensor_shape():
    unknown = tf.TensorShape(None)
    assert unknown.ndims is None
    assert unknown.is_compatible_with([1, 2, 3])
    assert unknown.merge_with([1, 2]).as_list() == [1, 2]
    assert unknown.concatenate([3]).ndims is None
    with pytest.raises(ValueError):
        unknown.as_list()
    assert unknown.with_rank(2).as_list() == [None, None]


def test_dimension_arithmetic_propagates_unknowns():
    assert (tf.Dimension(3) * 4).value == 12
    assert (tf.Dimension(3) + tf.Dimension(None)).value is None
    assert tf.Dimension(5) == 5
    assert (tf.Dimension(None) == 5) is None
    assert int(tf.Dimension(7)) == 7
    with pytest.raises(ValueError):
        tf.Dimension(-2)
    with pytest.raises(ValueError):
        tf.Dimension(3).merge_with(4)
    assert tf.Dimension(None).merge_with(4).value == 4
