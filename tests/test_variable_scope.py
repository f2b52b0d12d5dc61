"""Behaviour of tf.variable_scope and tf.get_variable (sharing, reuse, naming, defaults)."""
import os
import sys

import numpy as np
import pytest

import tensorweave as tf

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "fixtures"))
import variable_scope_cases  # noqa: E402


def _values(*variables):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(list(variables))


def test_get_variable_names_follow_nested_scopes():
    with tf.variable_scope("foo"):
        with tf.variable_scope("bar"):
            v = tf.get_variable("v", [1])
    assert v.name == "foo/bar/v:0"
    assert isinstance(v, tf.Variable)
    assert v in tf.trainable_variables()


def test_reuse_true_returns_the_same_variable():
    with tf.variable_scope("foo"):
        v = tf.get_variable("v", [1])
    with tf.variable_scope("foo", reuse=True):
        v1 = tf.get_variable("v", [1])
        v2 = tf.get_variable("v")  # shape may be omitted when reusing
    assert v1 is v and v2 is v
    assert len(tf.global_variables()) == 1


def test_reuse_variables_on_a_captured_scope():
    with tf.variable_scope("foo") as scope:
        v = tf.get_variable("v", [1])
        scope.reuse_variables()
        assert tf.get_variable("v", [1]) is v
        assert tf.get_variable_scope().reuse


def test_accidental_duplicate_raises_value_error_naming_the_variable():
    with tf.variable_scope("foo"):
        tf.get_variable("v", [1])
        with pytest.raises(ValueError, match="Variable foo/v already exists") as info:
            tf.get_variable("v", [1])
    assert "reuse=True" in str(info.value)
    assert __file__ in str(info.value)  # where it was originally defined


def test_reuse_of_missing_variable_raises_value_error():
    with tf.variable_scope("foo", reuse=True):
        with pytest.raises(ValueError, match="Variable foo/missing does not exist"):
            tf.get_variable("missing", [1])


def test_reusing_with_a_different_shape_or_dtype_raises():
    with tf.variable_scope("foo"):
        tf.get_variable("v", [2, 3])
    with tf.variable_scope("foo", reuse=True):
        with pytest.raises(ValueError, match="shape"):
            tf.get_variable("v", [3, 2])
        with pytest.raises(ValueError, match="dtype"):
            tf.get_variable("v", [2, 3], dtype=tf.int32)


def test_auto_reuse_creates_then_shares():
    def layer():
        with tf.variable_scope("shared", reuse=tf.AUTO_REUSE):
            return tf.get_variable("w", [3])

    assert layer() is layer()
    assert [v.name for v in tf.global_variables()] == ["shared/w:0"]


def test_reuse_is_inherited_by_sub_scopes():
    with tf.variable_scope("a"):
        with tf.variable_scope("b"):
            v = tf.get_variable("v", [1])
    with tf.variable_scope("a", reuse=True):
        with tf.variable_scope("b"):
            assert tf.get_variable_scope().reuse is True
            assert tf.get_variable("v", [1]) is v
        with tf.variable_scope("b", reuse=False):  # False means "inherit"
            assert tf.get_variable_scope().reuse is True
    with tf.variable_scope("top", reuse=tf.AUTO_REUSE):
        with tf.variable_scope("inner"):
            assert tf.get_variable_scope().reuse is tf.AUTO_REUSE
            w = tf.get_variable("w", [1])
            assert tf.get_variable("w", [1]) is w
    assert tf.get_variable_scope().reuse is False


def test_reuse_argument_is_validated():
    with pytest.raises(ValueError):
        with tf.variable_scope("x", reuse="yes"):
            pass
    with pytest.raises(ValueError):
        with tf.variable_scope(None, default_name="x", reuse=True):
            pass
    with pytest.raises(TypeError):
        with tf.variable_scope(None):
            pass


def test_default_name_is_uniquified():
    names = []
    for _ in range(3):
        with tf.variable_scope(None, default_name="layer") as scope:
            names.append((scope.name, tf.get_variable("w", [1]).name, tf.constant(1.0).name))
    assert names == [("layer", "layer/w:0", "layer/Const:0"),
                     ("layer_1", "layer_1/w:0", "layer_1/Const:0"),
                     ("layer_2", "layer_2/w:0", "layer_2/Const:0")]


def test_default_name_counters_restart_when_reentering_a_captured_scope():
    # The example from TF's variable_scope documentation.
    with tf.variable_scope("foo") as vs:
        with tf.variable_scope(None, default_name="bar"):
            assert tf.get_variable("a", [1]).name == "foo/bar/a:0"
        with tf.variable_scope(None, default_name="bar"):
            assert tf.get_variable("b", [1]).name == "foo/bar_1/b:0"
    with tf.variable_scope(vs):
        with tf.variable_scope(None, default_name="bar"):
            assert tf.get_variable("c", [1]).name == "foo/bar/c:0"


def test_reentering_a_captured_scope_with_its_original_name_scope():
    with tf.variable_scope("foo") as vs:
        pass
    with tf.variable_scope(vs, auxiliary_name_scope=False) as vs1:
        with tf.name_scope(vs1.original_name_scope):
            v = tf.get_variable("v", [1])
            c = tf.constant([1], name="c")
    assert v.name == "foo/v:0"
    assert c.name == "foo/c:0"


def test_reopened_variable_scope_gets_a_fresh_name_scope_for_ops():
    with tf.variable_scope("layer"):
        w = tf.get_variable("w", [1])
        a = tf.identity(w, name="out")
    with tf.variable_scope("layer", reuse=True):
        assert tf.get_variable("w", [1]) is w
        b = tf.identity(w, name="out")
    assert a.name == "layer/out:0"
    assert b.name == "layer_1/out:0"


def test_get_variable_ignores_name_scopes():
    with tf.name_scope("ns"):
        with tf.variable_scope("vs"):
            v = tf.get_variable("v", [1])
            c = tf.constant(1.0, name="c")
    assert v.name == "vs/v:0"
    assert c.name == "ns/vs/c:0"


def test_initializers_from_argument_scope_and_default():
    with tf.variable_scope("s", initializer=tf.constant_initializer(7.0)):
        scoped = tf.get_variable("scoped", [2])
        explicit = tf.get_variable("explicit", [2], initializer=tf.ones_initializer())
        with tf.variable_scope("child"):
            inherited = tf.get_variable("inherited", [2])
    default = tf.get_variable("default", [100, 100])
    integer = tf.get_variable("integer", [3], dtype=tf.int32)
    from_tensor = tf.get_variable("from_tensor", initializer=tf.constant([1.0, 2.0]))
    values = _values(scoped, explicit, inherited, default, integer, from_tensor)
    np.testing.assert_array_equal(values[0], [7.0, 7.0])
    np.testing.assert_array_equal(values[1], [1.0, 1.0])
    np.testing.assert_array_equal(values[2], [7.0, 7.0])
    limit = np.sqrt(6.0 / 200)  # glorot_uniform is the default for floats
    assert np.abs(values[3]).max() <= limit and values[3].std() > 0.5 * limit / np.sqrt(3)
    np.testing.assert_array_equal(values[4], [0, 0, 0])  # zeros for integers
    assert values[4].dtype == np.int32
    np.testing.assert_array_equal(values[5], [1.0, 2.0])
    assert from_tensor.shape.as_list() == [2]


def test_new_variable_needs_a_fully_defined_shape():
    with pytest.raises(ValueError):
        tf.get_variable("v")
    with pytest.raises(ValueError):
        tf.get_variable("w", [None, 3])
    with pytest.raises(ValueError):
        tf.get_variable("c", [2], initializer=tf.constant([1.0, 2.0]))


def test_scope_dtype_is_inherited():
    with tf.variable_scope("d", dtype=tf.float64):
        v = tf.get_variable("v", [1])
        with tf.variable_scope("inner"):
            w = tf.get_variable("w", [1])
    assert v.dtype is tf.float64 and w.dtype is tf.float64


def test_trainable_collections_and_regularizer():
    frozen = tf.get_variable("frozen", [1], trainable=False)
    local = tf.get_variable("local", [1], trainable=False,
                            collections=[tf.GraphKeys.LOCAL_VARIABLES])
    with tf.variable_scope("reg", regularizer=lambda w: tf.reduce_sum(w) * 0.5):
        w = tf.get_variable("w", [2], initializer=tf.ones_initializer())
    assert frozen in tf.global_variables() and frozen not in tf.trainable_variables()
    assert tf.local_variables() == [local] and local not in tf.global_variables()
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(losses[0]) == 1.0


def test_get_variable_scope_and_scope_get_variable():
    assert tf.get_variable_scope().name == ""
    with tf.variable_scope("outer") as outer:
        assert tf.get_variable_scope().name == "outer"
    v = outer.get_variable("v", [1])
    assert v.name == "outer/v:0"


def test_custom_getter_wraps_creation():
    seen = []

    def getter(true_getter, name, *args, **kwargs):
        seen.append(name)
        return true_getter(name + "_custom", *args, **kwargs)

    with tf.variable_scope("g", custom_getter=getter):
        v = tf.get_variable("v", [1])
    assert seen == ["g/v"]
    assert v.name == "g/v_custom:0"


def test_variable_stores_are_per_graph():
    with tf.Graph().as_default():
        tf.get_variable("v", [1])
    v = tf.get_variable("v", [1])  # no clash with the other graph's variable
    assert v.graph is tf.get_default_graph()


def test_default_scope_names_restart_when_a_scope_is_entered_again():
    # The sequence TF 1.x gives (checked against TensorFlow); the last entry used to be wrong
    # because leaving a scope entered by its object replaced the scope counters.
    names = []
    with tf.variable_scope("X") as scope:
        for _ in range(2):
            with tf.variable_scope(None, default_name="d") as inner:
                names.append(inner.name)
    with tf.variable_scope(scope):
        with tf.variable_scope(None, default_name="d") as inner:
            names.append(inner.name)
    with tf.variable_scope("X"):
        with tf.variable_scope(None, default_name="d") as inner:
            names.append(inner.name)
            with tf.variable_scope(scope):
                with tf.variable_scope(None, default_name="d") as innermost:
                    names.append(innermost.name)
        with tf.variable_scope(None, default_name="d") as inner:
            names.append(inner.name)
    with tf.variable_scope("X"):
        with tf.variable_scope(None, default_name="d") as inner:
            names.append(inner.name)
    assert names == ["X/d", "X/d_1", "X/d", "X/d", "X/d_1", "X/d_1", "X/d"]


# --- VariableScope's setters and collection views, against real TF ----------------------------
def _scope_methods_reference():
    import json
    path = os.path.join(os.path.dirname(__file__), "fixtures",
                        "variable_scope_methods_reference.json")
    with open(path) as f:  # written by tests/fixtures/make_variable_scope_methods_reference.py
        return json.load(f)


@pytest.mark.parametrize("case", ["devices_and_resource", "custom_getter", "collections"])
def test_scope_setters_getters_and_collection_views_are_tensorflows(case):
    """caching_device and use_resource given, set and inherited; a custom getter set on the
    scope (its calls, the names it gives, kept on the scope); the collection views (a prefix
    match on "<scope>/"): each as tests/fixtures/variable_scope_cases.py records them."""
    assert getattr(variable_scope_cases, case)(tf) == _scope_methods_reference()[case]
