"""tf.contrib.util, tf.contrib.signal and tf.contrib.stateless: TF 1.15's contrib names for
core functions (the same functions), and ops_used_by_graph_def."""
import numpy as np
import pytest

import tensorweave as tf


def test_contrib_signal_and_stateless_are_the_core_functions():
    assert tf.contrib.signal.stft is tf.signal.stft
    assert tf.contrib.signal.mfccs_from_log_mel_spectrograms is \
        tf.signal.mfccs_from_log_mel_spectrograms
    assert tf.contrib.stateless.stateless_random_uniform is tf.random.stateless_uniform
    assert tf.contrib.stateless.stateless_multinomial is tf.random.stateless_multinomial
    with pytest.raises(AttributeError):
        tf.contrib.signal.not_a_function  # noqa: B018


def test_contrib_util_values_and_protos():
    pytest.importorskip("tensorboard")
    with tf.Graph().as_default():
        assert tf.contrib.util.constant_value(tf.shape(tf.zeros([2, 3]))).tolist() == [2, 3]
        assert tf.contrib.util.constant_value(tf.constant([1, 2]) * 3) is None  # as TF's
        assert tf.contrib.util.constant_value(tf.placeholder(tf.float32)) is None
    proto = tf.contrib.util.make_tensor_proto([[1.5, 2.5]], dtype=tf.float32)
    assert [d.size for d in proto.tensor_shape.dim] == [1, 2]
    np.testing.assert_array_equal(tf.contrib.util.make_ndarray(proto), [[1.5, 2.5]])


def test_ops_used_by_graph_def_counts_function_bodies():
    pytest.importorskip("tensorboard")
    graph_def = tf.GraphDef()
    graph_def.node.add(name="a", op="Placeholder")
    graph_def.node.add(name="f", op="Twice", input=["a"])
    graph_def.node.add(name="b", op="Identity", input=["f"])
    function = graph_def.library.function.add()
    function.signature.name = "Twice"
    function.node_def.add(name="m", op="Mul")
    function.node_def.add(name="c", op="Const")
    assert tf.contrib.util.ops_used_by_graph_def(graph_def) == [
        "Placeholder", "Mul", "Const", "Identity"]
    with tf.Graph().as_default() as graph:
        tf.add(tf.placeholder(tf.float32), 1.0)
    types = [op.type for op in graph.get_operations()]
    assert tf.contrib.util.ops_used_by_graph_def(graph.as_graph_def()) == types
