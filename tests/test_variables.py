"""Behaviour of tf.Variable, the variable listing and initializing helpers, and initializers."""
import numpy as np
import pytest

import tensorweave as tf


# --- construction --------------------------------------------------------------------------------
def test_variable_from_tensor_value():
    w = tf.Variable(tf.zeros([784, 10]), name="weights")
    assert w.name == "weights:0"
    assert w.op.name == "weights"
    assert w.dtype is tf.float32
    assert w.shape.as_list() == [784, 10]
    assert w.get_shape().as_list() == [784, 10]
    assert w.trainable
    assert w.graph is tf.get_default_graph()
    assert isinstance(w.initializer, tf.Operation)
    with tf.Session() as sess:
        sess.run(w.initializer)
        value = sess.run(w)
    assert value.shape == (784, 10) and value.dtype == np.float32 and not value.any()


def test_variable_from_python_value_and_dtype():
    v = tf.Variable([1, 2, 3])
    f = tf.Variable([1, 2, 3], dtype=tf.float64)
    assert v.dtype is tf.int32
    assert f.dtype is tf.float64
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(f), [1.0, 2.0, 3.0])
        assert sess.run(f).dtype == np.float64


def test_variable_from_callable_initial_value():
    calls = []

    def make():
        calls.append(1)
        return tf.ones([2, 3])

    v = tf.Variable(make, name="v")
    assert calls == [1]
    assert v.shape.as_list() == [2, 3]
    assert v.initial_value.name.startswith("v/Initializer/")
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(v), np.ones((2, 3)))


def test_default_variable_names_are_uniquified():
    assert tf.Variable(1.0).name == "Variable:0"
    assert tf.Variable(1.0).name == "Variable_1:0"


def test_variable_needs_an_initial_value_with_known_shape():
    with pytest.raises(ValueError):
        tf.Variable()
    with pytest.raises(ValueError):
        tf.Variable(tf.placeholder(tf.float32, [None]))
    v = tf.Variable(tf.placeholder(tf.float32, [None]), validate_shape=False)
    assert v.shape.ndims is None


def test_variable_is_usable_as_a_tensor():
    v = tf.Variable([[1.0, 2.0]])
    w = tf.Variable([[3.0], [4.0]])
    y = tf.matmul(v, w) + v[0, 1]
    assert isinstance(tf.convert_to_tensor(v), tf.Tensor)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(y), [[13.0]])
        np.testing.assert_array_equal(sess.run(v * 2 - 1), [[1.0, 3.0]])


# --- values and updates --------------------------------------------------------------------------
def test_assign_assign_add_assign_sub():
    v = tf.Variable(10.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v.assign(3.0)) == 3.0
        assert sess.run(v.assign_add(2.0)) == 5.0
        assert sess.run(v.assign_sub(1.5)) == 3.5
        assert sess.run(tf.assign(v, 7.0)) == 7.0
        assert sess.run(tf.assign_add(v, 1.0)) == 8.0
        assert sess.run(tf.assign_sub(v, 1.0)) == 7.0
        assert sess.run(v) == 7.0


def test_module_level_assign_takes_the_variable_reference():
    v = tf.Variable(1.0, name="v")
    update = tf.assign_add(v, 1.0)
    assert update.op.inputs[0] is v._ref()  # a Tensor, so the graph exports
    nodes = {n.name: n for n in tf.get_default_graph().as_graph_def().node}
    assert nodes[update.op.name].input[0] == "v"


def test_assign_checks_shape_and_dtype_while_building():
    v = tf.Variable(tf.zeros([2, 3]))
    with pytest.raises(ValueError):
        v.assign(tf.zeros([3, 2]))
    with pytest.raises((TypeError, ValueError)):
        v.assign(tf.zeros([2, 3], dtype=tf.int32))


def test_read_value_value_and_initialized_value():
    a = tf.Variable(tf.constant([1.0, 2.0]), name="a")
    b = tf.Variable(a.initialized_value() * 2, name="b")
    assert a.value().name == "a/read:0"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(a.assign([5.0, 5.0]))
        np.testing.assert_array_equal(sess.run(a.read_value()), [5.0, 5.0])
        np.testing.assert_array_equal(sess.run(a.value()), [5.0, 5.0])
        np.testing.assert_array_equal(sess.run(b), [2.0, 4.0])


def test_initialized_value_before_initialization_is_the_initial_value():
    a = tf.Variable(tf.random_normal([3], seed=1))
    b = tf.Variable(a.initialized_value() * 2.0)
    with tf.Session() as sess:
        first = sess.run(a.initialized_value())
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(b), 2.0 * sess.run(a))
    assert first.shape == (3,)


def test_initialized_value_of_an_initialized_variable_is_its_current_value():
    a = tf.Variable([1.0, 2.0])
    value = a.initialized_value()
    assert value.op.type == "Merge"  # TF's cond(is_variable_initialized(a), read, initial)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(value), [1.0, 2.0])  # not read: uninitialized
        sess.run(a.initializer)
        sess.run(a.assign([5.0, 5.0]))
        np.testing.assert_array_equal(sess.run(value), [5.0, 5.0])
        np.testing.assert_array_equal(sess.run(a.initialized_value()), [5.0, 5.0])


def test_initialized_value_inside_a_cond_branch_and_its_gradient():
    a = tf.Variable([1.0, 2.0])
    x = tf.placeholder(tf.bool, [])
    y = tf.cond(x, lambda: a.initialized_value() * 3.0, lambda: tf.zeros([2]))
    grad = tf.gradients(tf.reduce_sum(a.initialized_value() * 2.0), a)[0]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: True}), [3.0, 6.0])
        sess.run(a.initializer)
        np.testing.assert_array_equal(sess.run(y, {x: False}), [0.0, 0.0])
        np.testing.assert_array_equal(sess.run(grad), [2.0, 2.0])


def test_variable_eval_and_load():
    v = tf.Variable([0.0, 0.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        v.load([3.0, 4.0], sess)
        np.testing.assert_array_equal(v.eval(), [3.0, 4.0])
        np.testing.assert_array_equal(v.eval(session=sess), [3.0, 4.0])


def test_variable_values_live_in_the_session():
    v = tf.Variable(1.0)
    inc = v.assign_add(1.0)
    with tf.Session() as s1, tf.Session() as s2:
        s1.run(v.initializer)
        s2.run(v.initializer)
        s1.run(inc)
        s1.run(inc)
        assert s1.run(v) == 3.0
        assert s2.run(v) == 1.0


def test_reading_uninitialized_variable_raises_failed_precondition_naming_it():
    v = tf.Variable(1.0, name="my_weights")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match="uninitialized value my_weights") as info:
            sess.run(v * 2)
        assert info.value.op.name == "my_weights"
        assert __file__ in str(info.value)


# --- listing and initializing --------------------------------------------------------------------
def test_global_trainable_local_variables():
    w = tf.Variable(1.0, name="w")
    step = tf.Variable(0, name="step", trainable=False)
    with tf.name_scope("metrics"):
        count = tf.Variable(0.0, name="count", trainable=False,
                            collections=[tf.GraphKeys.LOCAL_VARIABLES])
    assert tf.global_variables() == [w, step]
    assert tf.trainable_variables() == [w]
    assert tf.local_variables() == [count]
    assert tf.local_variables(scope="metrics") == [count]
    assert tf.global_variables(scope="st") == [step]
    assert tf.all_variables() == [w, step]


def test_global_variables_initializer_initializes_only_global_variables():
    w = tf.Variable(1.0, name="w")
    count = tf.Variable(0.0, name="count", trainable=False,
                        collections=[tf.GraphKeys.LOCAL_VARIABLES])
    init = tf.global_variables_initializer()
    local_init = tf.local_variables_initializer()
    with tf.Session() as sess:
        sess.run(init)
        assert sess.run(w) == 1.0
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(count)
        sess.run(local_init)
        assert sess.run(count) == 0.0


def test_initializers_with_no_variables_are_no_ops():
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        assert sess.run(init) is None
        assert sess.run(tf.local_variables_initializer()) is None


def test_variables_initializer_and_report_uninitialized():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    c = tf.Variable(3.0, name="c")
    report = tf.report_uninitialized_variables()
    with tf.Session() as sess:
        assert list(sess.run(report)) == [b"a", b"b", b"c"]
        sess.run(tf.variables_initializer([a, c]))
        assert list(sess.run(report)) == [b"b"]
        assert list(sess.run(tf.report_uninitialized_variables([a, c]))) == []
        assert not sess.run(tf.is_variable_initialized(b))
        assert sess.run(tf.is_variable_initialized(a))
        sess.run(b.initializer)
        assert sess.run(report).size == 0


def test_rerunning_an_initializer_resets_the_value():
    v = tf.Variable(5.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(v.assign(1.0))
        sess.run(v.initializer)
        assert sess.run(v) == 5.0


# --- initializers --------------------------------------------------------------------------------
def _sample(initializer, shape=(400, 100), dtype=tf.float32):
    with tf.Session() as sess:
        return sess.run(initializer(list(shape), dtype=dtype))


def test_zeros_ones_and_constant_initializers():
    np.testing.assert_array_equal(_sample(tf.zeros_initializer(), (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(_sample(tf.ones_initializer(), (2,)), np.ones(2))
    np.testing.assert_array_equal(_sample(tf.constant_initializer(3.5), (2, 2)),
                                  np.full((2, 2), 3.5))
    np.testing.assert_array_equal(_sample(tf.constant_initializer([1, 2, 3, 4]), (2, 2)),
                                  [[1, 2], [3, 4]])
    ints = _sample(tf.zeros_initializer(), (3,), dtype=tf.int32)
    assert ints.dtype == np.int32
    with pytest.raises(TypeError):
        _sample(tf.constant_initializer([1, 2, 3]), (2, 2))


def test_random_normal_initializer_statistics():
    values = _sample(tf.random_normal_initializer(mean=1.0, stddev=2.0, seed=1))
    assert values.dtype == np.float32
    assert abs(values.mean() - 1.0) < 0.05
    assert abs(values.std() - 2.0) < 0.05
    assert np.abs(values - 1.0).max() > 4.0  # not truncated


def test_truncated_normal_initializer_statistics_and_bounds():
    values = _sample(tf.truncated_normal_initializer(mean=0.0, stddev=1.0, seed=2))
    assert np.abs(values).max() <= 2.0
    assert abs(values.mean()) < 0.02
    assert abs(values.std() - 0.8796) < 0.02  # std of a unit normal truncated at 2 sigma


def test_glorot_uniform_initializer_bounds():
    values = _sample(tf.glorot_uniform_initializer(seed=3), (400, 100))
    limit = np.sqrt(6.0 / (400 + 100))
    assert np.abs(values).max() <= limit
    assert np.abs(values).max() > 0.95 * limit
    assert abs(values.std() - limit / np.sqrt(3)) < 0.002


def test_glorot_uniform_counts_the_receptive_field_of_conv_kernels():
    values = _sample(tf.glorot_uniform_initializer(seed=4), (5, 5, 32, 64))
    limit = np.sqrt(6.0 / (25 * 32 + 25 * 64))
    assert np.abs(values).max() <= limit
    assert np.abs(values).max() > 0.95 * limit


def test_variance_scaling_initializer():
    fan_in_uniform = _sample(tf.variance_scaling_initializer(2.0, "fan_in", "uniform", seed=5))
    limit = np.sqrt(3.0 * 2.0 / 400)
    assert np.abs(fan_in_uniform).max() <= limit
    assert np.abs(fan_in_uniform).max() > 0.95 * limit
    truncated = _sample(tf.variance_scaling_initializer(seed=6))  # scale 1, fan_in, truncated
    assert abs(truncated.std() - np.sqrt(1.0 / 400)) < 0.002
    assert np.abs(truncated).max() <= 2 * np.sqrt(1.0 / 400) / 0.8796 + 1e-6
    fan_out = _sample(tf.variance_scaling_initializer(1.0, "fan_out", "uniform", seed=7))
    assert np.abs(fan_out).max() <= np.sqrt(3.0 / 100)
    assert np.abs(fan_out).max() > 0.95 * np.sqrt(3.0 / 100)
    with pytest.raises(ValueError):
        tf.variance_scaling_initializer(mode="fan_sideways")
    with pytest.raises(ValueError):
        tf.variance_scaling_initializer(scale=-1.0)


def test_initializer_as_variable_initial_value():
    w = tf.Variable(tf.truncated_normal([300, 10], stddev=0.1, seed=1))
    with tf.Session() as sess:
        sess.run(w.initializer)
        value = sess.run(w)
    assert np.abs(value).max() <= 0.2
    assert 0.07 < value.std() < 0.1


def test_reads_under_an_assigns_control_dependency_see_the_assigned_value():
    # TF's Assign copies into the variable's buffer, which its snapshot and identities alias:
    # a read that runs after the Assign sees the new value (WOW5678's control_dependencies
    # factorial prints 720). A fetched value is the step's copy, kept by later assigns.
    with tf.Graph().as_default():
        a = tf.placeholder(tf.int32)
        v = tf.Variable(1, name="v")
        step = tf.assign(v, v * a)
        with tf.control_dependencies([step]):
            read = v.read_value()
            snap = tf.identity(v)
            printed = tf.Print(v, [v], message="v:")
        with tf.Session() as sess:
            sess.run(v.initializer)
            got = [sess.run([read, snap, printed], {a: i}) for i in range(1, 7)]
            first = got[0][0]
            sess.run(tf.assign(v, 5))
        assert [g[0] for g in got] == [1, 2, 6, 24, 120, 720]
        assert [g[1] for g in got] == [g[2] for g in got] == [g[0] for g in got]
        assert first == 1


def test_assign_of_another_shape_without_validation_replaces_the_buffer():
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], validate_shape=False)
        grow = tf.assign(v, [1.0, 2.0, 3.0], validate_shape=False)
        same = tf.assign(v, [7.0, 8.0, 9.0], validate_shape=False)
        with tf.Session() as sess:
            sess.run(v.initializer)
            kept = sess.run(v)
            assert sess.run(grow).tolist() == [1.0, 2.0, 3.0]
            assert sess.run(same).tolist() == [7.0, 8.0, 9.0]
            assert sess.run(v).tolist() == [7.0, 8.0, 9.0]
            assert kept.tolist() == [1.0, 2.0]
