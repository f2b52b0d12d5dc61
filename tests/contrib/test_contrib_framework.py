"""tf.contrib.framework: arg_scope, slim's variable helpers, assign_from_values, utilities."""
import numpy as np
import pytest

import tensorweave as tf

framework = tf.contrib.framework


@framework.add_arg_scope
def scoped(a, b=1, c=2):
    return a, b, c


def plain(a, b=1):
    return a, b


def test_arg_scope_sets_defaults_nests_and_call_arguments_win():
    with framework.arg_scope([scoped], b=10):
        assert scoped(0) == (0, 10, 2)
        with framework.arg_scope([scoped], c=20) as sc:
            assert scoped(0) == (0, 10, 20)
            assert scoped(0, c=3) == (0, 10, 3)
        assert scoped(0) == (0, 10, 2)
    assert scoped(0) == (0, 1, 2)
    with framework.arg_scope(sc):  # a scope dict is re-entered as it was
        assert scoped(0) == (0, 10, 20)
    with pytest.raises(TypeError, match="multiple values"):
        with framework.arg_scope([scoped], b=5):
            scoped(0, 1)


def test_arg_scope_rejects_undecorated_functions_and_bad_arguments():
    with pytest.raises(ValueError, match="is not decorated with @add_arg_scope"):
        with framework.arg_scope([plain], b=2):
            pass
    with pytest.raises(TypeError, match="list_ops_or_scope must either be a list/tuple"):
        with framework.arg_scope(scoped, b=2):
            pass
    with pytest.raises(ValueError, match="kwargs must be empty"):
        with framework.arg_scope({}, b=2):
            pass
    assert framework.has_arg_scope(scoped) and not framework.has_arg_scope(plain)
    assert framework.arg_scoped_arguments(scoped) == ["b", "c"]
    assert framework.current_arg_scope() == {}


def test_arg_scope_reaches_slim_layers():
    slim = tf.contrib.slim
    with tf.Graph().as_default():
        with slim.arg_scope([slim.conv2d], padding="VALID", activation_fn=None):
            net = slim.conv2d(tf.zeros([1, 5, 5, 1]), 2, [3, 3], scope="c")
        assert net.shape.as_list() == [1, 3, 3, 2]
        assert net.op.type == "BiasAdd"
        assert "padding" in framework.arg_scoped_arguments(slim.conv2d)


def test_model_variable_collections_device_and_lookups():
    with tf.Graph().as_default():
        with tf.variable_scope("net"):
            w = framework.model_variable("weights", shape=[2, 3], device="/cpu:0",
                                         collections=["mine"])
            b = framework.variable("biases", shape=[3], trainable=False)
            with tf.variable_scope("inner"):
                w2 = framework.model_variable("weights", shape=[1])
        loc = framework.local_variable([1.0, 2.0], name="loc")
        glob = framework.global_variable(3.0, name="glob")
        assert w.device == "/device:CPU:0"
        assert tf.get_collection("mine") == [w]
        assert framework.get_model_variables() == [w, w2]
        assert framework.get_variables("net") == [w, b, w2]
        assert framework.get_variables("net", suffix="weights") == [w, w2]
        assert framework.get_variables_by_name("weights") == [w, w2]
        assert framework.get_variables_by_suffix("biases") == [b]
        assert framework.get_trainable_variables("net") == [w, w2]
        assert framework.get_local_variables() == [loc]
        assert glob in tf.global_variables() and glob not in tf.trainable_variables()
        assert framework.get_unique_variable("net/weights") is w
        with pytest.raises(ValueError, match="Couldn't find variable nothing"):
            framework.get_unique_variable("nothing")
        assert framework.get_variables_to_restore(exclude=["net/inner"]) == [w, b, glob]
        assert framework.get_variables_to_restore(include=["net/inner", "glob"]) == [w2, glob]
        with pytest.raises(TypeError, match="exclude is provided but is not a list"):
            framework.get_variables_to_restore(exclude="net")
        assert framework.filter_variables([w, b, w2], include_patterns=["weights"],
                                          exclude_patterns=["inner"]) == [w]
        assert framework.filter_variables([w, b, w2], include_patterns=["weights"],
                                          reg_search=False) == []
        assert framework.get_variable_full_name(w) == "net/weights"
        framework.add_model_variable(b)
        framework.add_model_variable(b)
        assert framework.get_model_variables() == [w, w2, b]


def test_assign_from_values_and_fn():
    with tf.Graph().as_default():
        with tf.variable_scope("a"):
            v = framework.model_variable("v", shape=[2, 2])
            framework.model_variable("v2", shape=[1])
        op, feed = framework.assign_from_values({"a/v": np.arange(4.0).reshape(2, 2)})
        fn = framework.assign_from_values_fn({"a/v2": np.array([7.0])})
        with pytest.raises(ValueError, match="Variable b wasn't found"):
            framework.assign_from_values({"b": np.zeros(1)})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(op, feed)
            fn(sess)
            np.testing.assert_array_equal(sess.run(v), [[0, 1], [2, 3]])
            assert sess.run("a/v2:0")[0] == 7.0


def test_global_step_helpers_and_tensor_utilities():
    with tf.Graph().as_default():
        assert framework.get_global_step() is None
        step = framework.get_or_create_global_step()
        assert framework.get_or_create_global_step() is step
        assert framework.assert_or_get_global_step() is step
        assert step.op.name == "global_step"
        x = tf.placeholder(tf.float32, [None, 3])
        checked = framework.with_shape([2, 3], x)
        assert checked.shape.as_list() == [2, 3]
        with pytest.raises(ValueError, match="Invalid shape"):
            framework.with_shape([2, 4], x)
        assert framework.is_tensor(x) and not framework.is_tensor(3)
        with pytest.raises(ValueError, match="Expected integer type"):
            framework.assert_scalar_int(tf.constant(1.0))
        total = framework.reduce_sum_n([tf.ones([2]), tf.ones([3, 1])])
        with tf.Session() as sess:
            assert sess.run(total) == 5.0
            assert sess.run(checked, {x: np.zeros([2, 3])}).shape == (2, 3)
            with pytest.raises(tf.errors.InvalidArgumentError):
                sess.run(checked, {x: np.zeros([1, 3])})
    assert framework.nest.flatten([1, (2, 3)]) == [1, 2, 3]
    with tf.Graph().as_default():
        with tf.name_scope("outer"):
            assert framework.get_name_scope() == "outer"
        with tf.Session() as sess:
            assert list(sess.run(framework.sort([3, 1, 2]))) == [1, 2, 3]
            assert list(sess.run(framework.argsort([3, 1, 2]))) == [1, 2, 0]


def test_variable_device_chooser():
    chooser = framework.VariableDeviceChooser(num_tasks=2)
    assert [chooser(None) for _ in range(3)] == [
        "/job:ps/task:0/device:CPU:0", "/job:ps/task:1/device:CPU:0",
        "/job:ps/task:0/device:CPU:0"]
    assert framework.VariableDeviceChooser(device_type="GPU", device_index=1)(None) == \
        "/device:GPU:1"


def test_old_checkpoint_utils_path_lists_a_saved_checkpoint(tmp_path):
    from tensorweave.contrib.framework.python.framework import checkpoint_utils
    assert checkpoint_utils.list_variables is tf.train.list_variables
    with tf.Graph().as_default():
        tf.Variable(np.ones([2, 3], np.float32), name="w")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, str(tmp_path / "model"), global_step=1)
    assert checkpoint_utils.list_variables(str(tmp_path)) == [("w", [2, 3])]


# TF 2.15's tensorflow.python.framework.ops.strip_name_scope / prepend_name_scope outputs
@pytest.mark.parametrize("name,scope,stripped,prepended", [
    ("a/b/c:0", "a", "b/c:0", "a/a/b/c:0"), ("^a/b", "a/", "^b", "^a/a/b"),
    ("loc:@a/b", "a", "loc:@b", "loc:@a/a/b"), ("x/b", "a", "x/b", "a/x/b"),
    ("b", "", "b", "b")])
def test_name_scope_functions_are_tfs(name, scope, stripped, prepended):
    assert tf.contrib.framework.strip_name_scope(name, scope) == stripped
    assert tf.contrib.framework.prepend_name_scope(name, scope) == prepended


def test_remove_squeezable_dimensions_static_and_when_run():
    framework = tf.contrib.framework
    with tf.Graph().as_default():
        predictions, labels = framework.remove_squeezable_dimensions(tf.zeros([3, 1]),
                                                                     tf.zeros([3]))
        assert predictions.shape.as_list() == [3] and labels.shape.as_list() == [3]
        predictions, labels = framework.remove_squeezable_dimensions(tf.zeros([3]),
                                                                     tf.zeros([3, 1]))
        assert predictions.shape.as_list() == [3] and labels.shape.as_list() == [3]
        fed_p, fed_l = tf.placeholder(tf.float32), tf.placeholder(tf.int32, [None])
        predictions, labels = framework.remove_squeezable_dimensions(fed_p, fed_l)
        with tf.Session() as sess:
            got = sess.run(predictions, {fed_p: np.ones([4, 1]), fed_l: np.ones(4)})
            kept = sess.run(predictions, {fed_p: np.ones([4]), fed_l: np.ones(4)})
    assert got.shape == (4,) and kept.shape == (4,)


def test_deprecation_decorators_log_tfs_notice_once(caplog):
    framework = tf.contrib.framework

    @framework.deprecated("2018-01-01", "Use g instead.")
    def f(x):
        return x + 1

    @framework.deprecated_args(None, "Drop y.", "y")
    def g(x, y=None):
        return x

    @framework.deprecated_arg_values(None, "Pass mode='new'.", mode="old")
    def h(mode="new"):
        return mode
    with caplog.at_level("WARNING"):
        assert (f(1), f(2), g(1), g(1, y=2), g(1, 3), h(), h("old")) == (2, 3, 1, 1, 1, "new",
                                                                         "old")
    notices = [r.getMessage() for r in caplog.records]
    assert len(notices) == 3
    assert "f (from" in notices[0] and "deprecated and will be removed after 2018-01-01" \
        "" in notices[0] and notices[0].endswith("Instructions for updating:\nUse g instead.")
    assert "calling " in notices[1] and "with y is deprecated and will be removed in a " \
        "future version" in notices[1]
    assert "with mode=old is deprecated" in notices[2]
    assert "THIS FUNCTION IS DEPRECATED" in f.__doc__
    with pytest.raises(ValueError, match="conversion instructions"):
        framework.deprecated(None, "")
    with pytest.raises(ValueError, match="not present in the function signature"):
        framework.deprecated_args(None, "x", "z")(lambda x: x)


def test_framework_check_names_and_missing_initializers():
    framework = tf.contrib.framework
    assert framework.is_numeric_tensor(tf.constant(1.0))
    assert not framework.is_numeric_tensor(tf.constant("a"))
    with tf.Session() as sess:
        assert sess.run(framework.is_strictly_increasing([1, 2, 4]))
        assert not sess.run(framework.is_non_decreasing([2, 1]))
    with pytest.raises(NotImplementedError, match="load_embedding_initializer"):
        framework.load_embedding_initializer  # noqa: B018
