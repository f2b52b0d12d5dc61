"""tf.function (graph mode), tf.TensorSpec, tf.Module, and a few top-level helpers; names
and values as TF 2.15's compat.v1 gives them for the same programs."""
import numpy as np
import pytest

import tensorweave as tf


class Dense(tf.Module):
    def __init__(self, units, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.w = tf.Variable(tf.ones([2, units]), name="w")
            self.b = tf.Variable(tf.zeros([units]), name="b", trainable=False)

    @tf.Module.with_name_scope
    def __call__(self, x):
        return tf.matmul(x, self.w) + self.b


class Net(tf.Module):
    def __init__(self):
        super().__init__()
        self.layers = [Dense(3), Dense(3, name="second")]


def test_module_tracks_variables_and_scopes_as_tf():
    with tf.Graph().as_default():
        net = Net()
        assert net.name == "net" and net.name_scope.name == "net/"
        assert [v.name for v in net.variables] == ["dense/b:0", "dense/w:0", "second/b:0",
                                                   "second/w:0"]
        assert [v.name for v in net.trainable_variables] == ["dense/w:0", "second/w:0"]
        assert [m.name for m in net.submodules] == ["dense", "second"]
        assert net.layers[0](tf.ones([1, 2])).name == "dense/add:0"
        with pytest.raises(ValueError):
            tf.Module(name="not valid")


def test_function_traces_into_the_graph():
    with tf.Graph().as_default():
        @tf.function
        def double(x):
            return x * 2

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def triple(x):
            return x * 3

        y = double(tf.ones([2]))
        assert y.name == "double/mul:0"
        with pytest.raises(ValueError, match="input_signature"):
            triple(tf.ones([2, 2]))

        @tf.function
        def make_variable():
            return tf.Variable(1.0)
        make_variable()
        with pytest.raises(ValueError, match="non-first call"):
            make_variable()
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run([y, triple(tf.ones([2]))]), [[2, 2], [3, 3]])


def test_tensor_spec():
    spec = tf.TensorSpec([None, 3], tf.float32)
    assert str(spec) == "TensorSpec(shape=(?, 3), dtype=tf.float32, name=None)"
    with tf.Graph().as_default():
        assert spec.is_compatible_with(tf.ones([2, 3]))
        assert not spec.is_compatible_with(tf.ones([2, 4]))
    assert spec == tf.TensorSpec([None, 3]) and spec != tf.TensorSpec([None, 3], tf.int32)


def test_clip_by_average_norm_timestamp_and_init_scope():
    with tf.Graph().as_default():
        clipped = tf.clip_by_average_norm([3.0, 4.0], 1.0)
        stamp = tf.timestamp()
        first = tf.constant(1.0)
        with tf.control_dependencies([first]):
            with tf.init_scope():
                free = tf.constant(2.0)
            bound = tf.constant(3.0)
        assert free.op.control_inputs == [] and bound.op.control_inputs == [first.op]
        with tf.op_scope([first], "outer"):
            assert tf.constant(0).name == "outer/Const:0"
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(clipped), [1.2, 1.6])  # TF gives [1.2 1.6]
            assert sess.run(stamp) > 1.6e9


def test_small_top_level_helpers():
    with tf.Graph().as_default():
        assert tf.type_spec_from_value([1, 2]) == tf.TensorSpec([2], tf.int32)
        assert tf.is_symbolic_tensor(tf.constant(1.0)) and not tf.is_symbolic_tensor(1.0)
    assert tf.OpError is tf.errors.OpError
    assert tf.random.fixed_unigram_candidate_sampler is tf.nn.fixed_unigram_candidate_sampler
