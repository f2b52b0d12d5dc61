"""Graphs TensorFlow 1 writes with control flow v1 (while-loop frames, tf.cond's Switch/Merge,
TensorArrays, the gradient loops' stacks) import and run with TensorFlow's numbers; training
programs restored from TF's .meta and checkpoint continue with TF's losses. Fixtures:
tests/fixtures/make_tf1_loops_fixture.py (TF 2.15, compat.v1, control flow v1)."""
import json
import pathlib

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import tensorweave as tf  # noqa: E402
from tensorweave.core import graph_def as codec  # noqa: E402
from tensorweave.ops.control import tf1_frames  # noqa: E402

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures" / "tf1_loops"
REFERENCE = json.loads((FIXTURES / "reference.json").read_text())


def _graph_def(name):
    graph_def = codec.graph_pb2.GraphDef()
    graph_def.ParseFromString((FIXTURES / f"{name}.pb").read_bytes())
    return graph_def


def _run_frozen(name, graph_def=None):
    reference = REFERENCE[name]
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def or _graph_def(name), name="")
        feeds = {k: np.array(v, np.int32 if isinstance(v[0], int) else np.float32)
                 for k, v in reference["feeds"].items()}
        with tf.Session() as sess:
            got = sess.run(list(reference["fetches"]), feeds)
    for key, value in zip(reference["fetches"], got):
        np.testing.assert_allclose(value, reference["fetches"][key], rtol=1e-5, atol=1e-6,
                                   err_msg=key)
    return graph


def test_fixtures_are_control_flow_v1():
    for name in ("loops", "lstm", "map_scan", "birnn", "ta_grad", "nested_grad",
                 "variable_loop", "train_sgd", "train_adam", "train_mixed"):
        assert {"Enter", "Exit", "NextIteration", "LoopCond"} <= set(REFERENCE[name]["op_types"])


def test_counter_loop_and_nested_loop():
    graph = _run_frozen("loops")
    types = {op.type for op in graph.get_operations()}
    assert "While" in types and not types & {"Enter", "Exit", "NextIteration", "LoopCond"}
    # the Exits keep their names: fetched above as counter/Exit_1:0


def test_tf1_cond():
    reference = REFERENCE["cond"]
    with tf.Graph().as_default():
        tf.import_graph_def(_graph_def("cond"), name="")
        with tf.Session() as sess:
            got = [float(sess.run("cond_out:0", {"x:0": v})) for v in reference["x"]]
    np.testing.assert_allclose(got, reference["y"], rtol=1e-6)


def test_dynamic_rnn_lstm_frozen():
    _run_frozen("lstm")


def test_gradients_through_an_imported_frozen_lstm():
    """tf.gradients built by tensorweave through the rebuilt loop and TF's handle TensorArrays
    (TensorArrayGradV3 and the TensorArray ops' gradient rules) give TF's gradient."""
    reference = REFERENCE["lstm"]
    weights = np.linspace(-1.0, 1.0, 2 * 4 * 5).reshape(2, 4, 5).astype(np.float32)
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(_graph_def("lstm"), name="")
        x = graph.get_tensor_by_name("inputs:0")
        outputs = graph.get_tensor_by_name("rnn_outputs:0")
        h = graph.get_tensor_by_name("rnn_h:0")
        grad = tf.gradients(tf.reduce_sum(outputs * weights) + tf.reduce_sum(h), x)[0]
        with tf.Session() as sess:
            got = sess.run(grad, {x: np.array(reference["feeds"]["inputs:0"], np.float32)})
    np.testing.assert_allclose(got, reference["input_grad"], rtol=1e-5, atol=1e-6)


def test_map_fn_and_scan():
    _run_frozen("map_scan")


def test_bidirectional_gru_with_sequence_lengths():
    _run_frozen("birnn")


def test_tensor_array_loop_and_its_gradient_loop():
    """tf.gradients through a loop writing a dynamic_size TensorArray, as TF wrote it: a
    gradient loop popping stacks and reading the gradient TensorArray."""
    _run_frozen("ta_grad")


def test_gradients_of_nested_loops_foldl_and_reversed_scan():
    _run_frozen("nested_grad")


def test_loop_assigning_a_variable():
    """The body's AssignAdd reads the variable through a RefEnter; each run runs the loop."""
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(_graph_def("variable_loop"), name="")
        with tf.Session() as sess:
            sess.run(graph.get_operation_by_name("v/Assign"))
            got = [float(sess.run("v_after:0")) for _ in range(2)]
    assert got == REFERENCE["variable_loop"]["v_after"]


def test_imported_loops_export_and_import_again():
    """A graph with rebuilt frames is written in tensorweave's form and read back."""
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(_graph_def("lstm"), name="")
    _run_frozen("lstm", graph.as_graph_def())


@pytest.mark.parametrize("name", ["train_sgd", "train_adam", "train_mixed"])
def test_training_continues_with_tf_losses(name):
    """The .meta and checkpoint TF wrote (dynamic_rnn with GradientDescent or Adam; a tf.cond
    inside a tf.while_loop, map_fn and scan): three more steps give TF's losses."""
    reference = REFERENCE[name]
    x, y = np.array(reference["x"], np.float32), np.array(reference["y"], np.float32)
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(str(FIXTURES / f"{name}.meta"))
        train_op = tf.get_collection("train_op")[0]
        with tf.Session() as sess:
            saver.restore(sess, str(FIXTURES / name))
            losses = []
            for step in range(3):
                feeds = {"x:0": x[step], "y:0": y[step]}
                losses.append(sess.run("loss:0", feeds))
                sess.run(train_op, feeds)
            losses.append(sess.run("loss:0", {"x:0": x[0], "y:0": y[0]}))
    np.testing.assert_allclose(losses, reference["losses"], rtol=1e-5)


def test_unsupported_op_type_in_a_loop_names_it_and_the_node():
    graph_def = _graph_def("loops")
    node = next(n for n in graph_def.node if n.name == "counter/mul")
    node.op = "NotAnOpAnywhere"
    with tf.Graph().as_default():
        with pytest.raises(tf.errors.NotFoundError,
                           match="Node 'counter/mul': Op type not registered 'NotAnOpAnywhere'"):
            tf.import_graph_def(graph_def, name="")


def test_broken_frame_names_it():
    graph_def = _graph_def("loops")
    for node in graph_def.node:
        if node.name == "counter/LoopCond":
            node.op = "Identity"
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="frame 'counter/while_context' has 0 LoopCond"):
            tf.import_graph_def(graph_def, name="")


def test_exit_outside_a_loop_is_refused():
    graph_def = _graph_def("loops")
    graph_def.node.add(name="stray_enter", op="Enter", input=["x"]).attr["frame_name"].s = b"f"
    graph_def.node.add(name="stray_exit", op="Exit", input=["x"])
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Node 'stray_exit' \\(Exit\\) is not in a while"):
            tf.import_graph_def(graph_def, name="")


def test_graphs_without_frames_pass_unchanged():
    graph_def = _graph_def("cond")
    assert tf1_frames.rebuild_frames(graph_def) is graph_def


def test_gradient_through_a_reimported_tensorweave_loop_reads_its_variables():
    """An imported While's LoopInputs belong to its loop, so tf.gradients records their values
    (d/dx of s <- s * s + x, three times, from s = x)."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [], name="x")
        _, s = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * s + x), [0, x])
        tf.identity(s, name="out")
    with tf.Graph().as_default() as imported:
        tf.import_graph_def(graph.as_graph_def(), name="")
        x, out = imported.get_tensor_by_name("x:0"), imported.get_tensor_by_name("out:0")
        grad = tf.gradients(out, x)[0]
        with tf.Session() as sess:
            value, slope = sess.run([out, grad], {x: 0.5})
    s1, s2 = 0.5 * 0.5 + 0.5, (0.5 * 0.5 + 0.5) ** 2 + 0.5
    ds1 = 2 * 0.5 + 1
    ds2 = 2 * s1 * ds1 + 1
    assert np.isclose(value, s2 * s2 + 0.5) and np.isclose(slope, 2 * s2 * ds2 + 1)
