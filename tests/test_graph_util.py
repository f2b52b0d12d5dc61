"""tf.graph_util on GraphDefs: the node lists below are what TF 2.15's compat.v1 gives for the
same program (checked by running it under TensorFlow)."""
import numpy as np
import pytest

import tensorweave as tf

pytest.importorskip("tensorboard")


def _program():
    v = tf.Variable([1.0, 2.0], name="w")
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.identity(tf.check_numerics(x, "m") * v, name="y")
    tf.identity(y, name="z")
    tf.Variable(3.0, name="unused")
    return v


def _nodes(graph_def):
    return [(n.name, n.op, list(n.input)) for n in graph_def.node]


def test_freeze_prune_and_remove_training_nodes_as_tf():
    with tf.Graph().as_default(), tf.Session() as sess:
        v = _program()
        sess.run(tf.global_variables_initializer())
        frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(),
                                                              ["z"])
        assert tf.graph_util.must_run_on_cpu(tf.constant(1).op)
        assert not tf.graph_util.must_run_on_cpu(tf.constant(1.0).op)
        assert tf.graph_util.must_run_on_cpu(v.op, pin_variables_on_cpu=True)
        assert tf.graph_util.tensor_shape_from_node_def_name(sess.graph, "x").as_list() == [2]
        pruned = tf.graph_util.extract_sub_graph(sess.graph.as_graph_def(), ["y"])
    assert _nodes(frozen) == [
        ("w", "Const", []), ("w/read", "Identity", ["w"]), ("x", "Placeholder", []),
        ("CheckNumerics", "CheckNumerics", ["x"]), ("mul", "Mul", ["CheckNumerics", "w/read"]),
        ("y", "Identity", ["mul"]), ("z", "Identity", ["y"])]
    assert [n.name for n in pruned.node] == ["w", "w/read", "x", "CheckNumerics", "mul", "y"]
    assert _nodes(tf.graph_util.remove_training_nodes(frozen, ["z"])) == [
        ("w", "Const", []), ("x", "Placeholder", []), ("mul", "Mul", ["w"]),
        ("z", "Identity", ["mul"])]
    with tf.Graph().as_default(), tf.Session() as sess:
        z, = tf.graph_util.import_graph_def(frozen, return_elements=["z:0"], name="")
        np.testing.assert_allclose(sess.run(z, {"x:0": [3.0, 4.0]}), [3.0, 8.0])


def test_errors_as_tf():
    with tf.Graph().as_default():
        _program()
        graph_def = tf.get_default_graph().as_graph_def()
    with pytest.raises(TypeError, match="must be a list"):
        tf.graph_util.extract_sub_graph(graph_def, "y")
    with pytest.raises(AssertionError, match="nope is not in graph"):
        tf.graph_util.extract_sub_graph(graph_def, ["nope"])
    with pytest.raises(TypeError):
        tf.graph_util.extract_sub_graph("not a graph", ["y"])
