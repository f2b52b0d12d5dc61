"""GraphDef export (Graph.as_graph_def, tf.train.write_graph) and graphs in event files, read
back with TensorBoard's loader."""
import numpy as np
import pytest

pytest.importorskip("tensorboard", reason="the tensorboard extra is not installed")

import tensorweave as tf  # noqa: E402
from google.protobuf import text_format  # noqa: E402
from tensorboard.backend.event_processing import event_accumulator as ea  # noqa: E402
from tensorboard.compat.proto import graph_pb2, types_pb2  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402
from tensorweave.examples.tutorials.mnist import mnist  # noqa: E402
from tensorweave.core.graph_io import write_graph  # noqa: E402


def _mnist_graph():
    graph = tf.Graph()
    with graph.as_default():
        images = tf.placeholder(tf.float32, [None, mnist.IMAGE_PIXELS], name="images")
        labels = tf.placeholder(tf.int32, [None], name="labels")
        logits = mnist.inference(images, 8, 4)
        loss = mnist.loss(logits, labels)
        mnist.training(loss, 0.1)
        tf.global_variables_initializer()
    return graph


def _nodes(graph_def):
    return {n.name: n for n in graph_def.node}


def test_nodes_names_types_and_inputs():
    graph = _mnist_graph()
    graph_def = graph.as_graph_def()
    nodes = _nodes(graph_def)
    # TensorFlow's op forms: every op is a node of its name (constants TF passes as inputs,
    # such as a reduction's axes, are nodes of their own under the op's name)
    ours = [op.name for op in graph.get_operations()]
    assert [n.name for n in graph_def.node if n.name in set(ours)] == ours
    assert nodes["sparse_softmax_cross_entropy_loss/Sum/reduction_indices"].op == "Const"
    assert list(nodes["hidden1/MatMul"].input) == ["images", "hidden1/weights/read"]
    assert nodes["hidden1/weights"].op == "VariableV2"
    assert graph_def.versions.producer > 0
    for op in graph.get_operations():
        node = nodes[op.name]
        data = [i for i in node.input if not i.startswith("^")]
        control = [i[1:] for i in node.input if i.startswith("^")]
        if node.op == op.type:
            assert data[:len(op.inputs)] == [t.op.name if t.value_index == 0 else t.name
                                             for t in op.inputs]
        assert control == [c.name for c in op.control_inputs]
        for i in node.input:
            assert i.lstrip("^").split(":")[0] in nodes
    assert any(i.startswith("^") for n in graph_def.node for i in n.input)


def test_second_outputs_and_control_edges_and_devices():
    with tf.device("/cpu:0"):
        a, b = tf.split(tf.constant([1.0, 2.0]), 2)
    with tf.control_dependencies([a.op]):
        c = tf.add(b, 1.0, name="c")
    nodes = _nodes(tf.get_default_graph().as_graph_def())
    assert b.name == "split:1"
    assert list(nodes["c"].input) == ["split:1", c.op.inputs[1].op.name, "^split"]
    assert nodes[a.op.name].device == "/device:CPU:0"
    assert nodes["c"].device == ""


def test_attrs_carry_dtypes_shapes_and_values():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.constant(np.arange(6, dtype=np.float64).reshape(3, 2), name="w")
    y = tf.matmul(tf.cast(x, tf.float64), w, transpose_b=False, name="y")
    tf.reduce_sum(y, axis=[1], name="total")
    tf.constant("words", name="text")
    nodes = _nodes(tf.get_default_graph().as_graph_def(add_shapes=True))
    assert nodes["x"].attr["dtype"].type == types_pb2.DT_FLOAT
    assert [d.size for d in nodes["x"].attr["shape"].shape.dim] == [-1, 3]
    assert nodes["w"].attr["dtype"].type == types_pb2.DT_DOUBLE
    np.testing.assert_array_equal(tensor_util.make_ndarray(nodes["w"].attr["value"].tensor),
                                  np.arange(6).reshape(3, 2))
    assert tensor_util.make_ndarray(nodes["text"].attr["value"].tensor) == b"words"
    assert nodes["y"].attr["T"].type == types_pb2.DT_DOUBLE
    assert nodes["y"].attr["transpose_b"].b is False and "transpose_a" in nodes["y"].attr
    assert nodes["Cast"].attr["DstT"].type == types_pb2.DT_DOUBLE
    assert nodes["Cast"].attr["SrcT"].type == types_pb2.DT_FLOAT   # TF's attr names
    assert list(nodes["total"].input) == ["y", "total/reduction_indices"]
    np.testing.assert_array_equal(tensor_util.make_ndarray(
        nodes["total/reduction_indices"].attr["value"].tensor), [1])
    shapes = nodes["y"].attr["_output_shapes"].list.shape
    assert [[d.size for d in s.dim] for s in shapes] == [[-1, 2]]
    assert "_output_shapes" not in _nodes(tf.get_default_graph().as_graph_def())["y"].attr


def test_unknown_rank_shapes_and_from_version():
    tf.placeholder(tf.float32, name="anything")
    graph = tf.get_default_graph()
    version = len(graph.get_operations())
    tf.constant(1, name="later")
    graph_def = graph.as_graph_def(add_shapes=True)
    assert graph_def.node[0].attr["shape"].shape.unknown_rank
    assert graph_def.node[0].attr["_output_shapes"].list.shape[0].unknown_rank
    assert [n.name for n in graph.as_graph_def(from_version=version).node] == ["later"]


def test_session_graph_def():
    tf.constant(1.0, name="one")
    with tf.Session() as sess:
        assert [n.name for n in sess.graph_def.node] == ["one"]


def test_graph_in_event_file_is_read_by_tensorboard(tmp_path):
    graph = _mnist_graph()
    with tf.Session(graph=graph) as sess:
        writer = tf.summary.FileWriter(str(tmp_path), sess.graph)
        writer.close()
    acc = ea.EventAccumulator(str(tmp_path))
    acc.Reload()
    assert acc.Tags()["graph"] and acc.Tags()["meta_graph"]
    graph_def = acc.Graph()
    assert graph_def == graph.as_graph_def(add_shapes=True)
    names = [n.name for n in graph_def.node]
    # name scopes become TensorBoard's boxes: each scope's ops share its prefix
    scopes = {name.split("/")[0] for name in names if "/" in name}
    assert {"hidden1", "hidden2", "softmax_linear", "GradientDescent"} <= scopes
    assert acc.MetaGraph().graph_def == graph_def


def test_add_graph_accepts_a_graph_def(tmp_path):
    tf.constant(2.0, name="two")
    graph_def = tf.get_default_graph().as_graph_def()
    with tf.summary.FileWriter(str(tmp_path), graph_def=graph_def) as writer:
        with pytest.raises(ValueError, match="not both"):
            writer.add_graph(tf.get_default_graph(), graph_def=graph_def)
    acc = ea.EventAccumulator(str(tmp_path))
    acc.Reload()
    assert [n.name for n in acc.Graph().node] == ["two"]


def test_write_graph_text_and_binary(tmp_path):
    graph = _mnist_graph()
    text_path = write_graph(graph, str(tmp_path / "new_dir"), "graph.pbtxt")
    assert text_path == str(tmp_path / "new_dir" / "graph.pbtxt")
    parsed = text_format.Parse(open(text_path).read(), graph_pb2.GraphDef())
    assert parsed == graph.as_graph_def()
    binary_path = write_graph(graph.as_graph_def(), str(tmp_path), "graph.pb", as_text=False)
    with open(binary_path, "rb") as f:
        assert graph_pb2.GraphDef.FromString(f.read()) == graph.as_graph_def()
    write_graph(tf.Graph(), str(tmp_path), "graph.pb", as_text=False)  # replaces the file
    with open(binary_path, "rb") as f:
        assert graph_pb2.GraphDef.FromString(f.read()).node == []


def test_tf_train_write_graph_when_exported():
    if not hasattr(tf.train, "write_graph"):
        pytest.skip("tf.train.write_graph is not exported by tensorweave.train yet")
    assert tf.train.write_graph is write_graph


@pytest.mark.parametrize("value, compact", [
    (np.full((30, 40), 0.5, np.float32), True), (np.zeros((3, 4), np.float64), True),
    (np.float32(2.5), True), (np.array([0.0, -0.0, 0.0], np.float32), False),
    (np.full(5, np.nan, np.float32), True), (np.full((2, 3), 7, np.int64), True),
    (np.ones(6, np.float16), True), (np.full(3, 1 - 2j, np.complex64), True),
    (np.ones(4, bool), True), (np.array([b"a", b"a"], object), True),
    (np.zeros((0, 3), np.int32), True), (np.arange(6, dtype=np.uint8).reshape(2, 3), False)])
def test_tensor_values_round_trip_with_one_value_for_filled_tensors(value, compact):
    """Like TensorFlow, a tensor of one repeated value is written as its shape and that value
    (bit for bit: 0.0 and -0.0 differ)."""
    from tensorweave.core import graph_def as codec
    proto = codec.tensor_proto(value)
    assert (not proto.tensor_content) is compact
    values = sum(len(getattr(proto, field)) for field in (
        "float_val", "double_val", "half_val", "int_val", "int64_val", "bool_val",
        "scomplex_val", "string_val"))
    assert values <= (2 if compact else 0)  # a complex value is two numbers
    for back in (codec.tensor_value(proto), tensor_util.make_ndarray(proto)):  # ours, TF's
        assert back.shape == np.shape(value)
        np.testing.assert_array_equal(back, value)
        if back.dtype != object:
            assert back.tobytes() == np.asarray(value).tobytes()


def test_tensorboard_graph_of_a_large_model_with_adam_is_small():
    graph = tf.Graph()
    with graph.as_default():
        w = tf.get_variable("w", [1000, 1000])
        tf.train.AdamOptimizer().minimize(tf.reduce_sum(tf.square(w)))
        tf.global_variables_initializer()
    assert graph.as_graph_def(add_shapes=True).ByteSize() < 50_000  # was 8 MB of zeros
