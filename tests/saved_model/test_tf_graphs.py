"""Graphs real TensorFlow (2.15, compat.v1) wrote import and run in tensorweave (issue 22 part
4): TF1 training programs' .meta files and checkpoints continue training with TF's losses,
and tf.keras.applications models exported as frozen GraphDefs and SavedModels give TF's
outputs. Fixtures: tests/fixtures/make_tf_graphs_reference.py; the large models are made in
the test when TENSORWEAVE_TF_PYTHON names a Python with TensorFlow."""
import os
import subprocess
import sys

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.saved_model import loader

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "fixtures")
GRAPHS = os.path.join(FIXTURES, "tf_graphs")
SIZES = {"mobilenet_v1": 96, "mobilenet_v2": 96, "resnet50": 64, "inception_v3": 75}


def model_input(size):
    """The images make_tf_graphs_reference.py runs the models on."""
    return np.random.RandomState(5).rand(2, size, size, 3).astype(np.float32) * 2 - 1


def _continue_training(name):
    reference = np.load(os.path.join(GRAPHS, name + ".npz"))
    with tf.Graph().as_default(), tf.Session() as sess:
        saver = tf.train.import_meta_graph(os.path.join(GRAPHS, name + "-0.meta"))
        saver.restore(sess, os.path.join(GRAPHS, name + "-0"))
        loss = tf.get_collection("loss")[0]
        train_op = tf.get_collection("train_op")[0]
        losses = []
        for step in range(len(reference["losses"])):
            feed = {str(reference["name_" + k]): reference[k][step] for k in ("x", "y")}
            losses.append(sess.run([loss, train_op], feed)[0])
    return np.array(losses), reference["losses"]


@pytest.mark.parametrize("name", ["mlp", "cnn", "lstm"])
def test_tf1_training_program_continues_with_tfs_losses(name):
    # mlp: dense layers, tf.nn.dropout (SelectV2 and rate 0 fed), tf.losses (DivNoNan),
    # L2Loss, Adam; cnn: conv, FusedBatchNormV3 in training and its gradient, Relu6, momentum;
    # lstm: dynamic_rnn's TF1 while loop and its gradient loop (tests/framework/
    # test_tf1_loop_import.py has more)
    losses, expected = _continue_training(name)
    np.testing.assert_allclose(losses, expected, rtol=1e-5)


def test_tf_data_pipeline_runs_and_training_continues_with_tfs_losses():
    """A one-shot iterator over from_tensor_slices(...).batch(10).repeat(): TF's dataset ops
    run from the imported graph (tests/data/test_imported_dataset_ops.py has more)."""
    reference = np.load(os.path.join(GRAPHS, "data.npz"))
    with tf.Graph().as_default(), tf.Session() as sess:
        saver = tf.train.import_meta_graph(os.path.join(GRAPHS, "data-0.meta"))
        saver.restore(sess, os.path.join(GRAPHS, "data-0"))
        loss, train_op = tf.get_collection("loss")[0], tf.get_collection("train_op")[0]
        losses = [sess.run([loss, train_op])[0] for _ in reference["losses"]]
    np.testing.assert_allclose(losses, reference["losses"], rtol=1e-5)


def _check_model(directory, name):
    reference = np.load(os.path.join(directory, name + "_io.npz"))
    image, expected = model_input(SIZES[name]), reference["output"]
    graph_def = tf.GraphDef()
    with open(os.path.join(directory, name + "_frozen.pb"), "rb") as f:
        graph_def.ParseFromString(f.read())
    with tf.Graph().as_default(), tf.Session() as sess:
        tf.import_graph_def(graph_def, name="")
        frozen, logits = sess.run([str(reference["output_name"]), str(reference["logits_name"])],
                                  {str(reference["input_name"]): image})
    assert np.ptp(reference["logits"]) > 0.05  # the weights make distinct classes
    np.testing.assert_allclose(frozen, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
    np.testing.assert_allclose(logits, reference["logits"], rtol=1e-4,
                               atol=1e-4 * np.abs(reference["logits"]).max())
    with tf.Graph().as_default(), tf.Session() as sess:
        meta_graph_def = loader.load(sess, ["serve"], os.path.join(directory,
                                                                   name + "_savedmodel"))
        signature = meta_graph_def.signature_def["serving_default"]
        served = sess.run(signature.outputs["probabilities"].name,
                          {signature.inputs["image"].name: image})
    np.testing.assert_allclose(served, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


def test_mobilenet_v1_frozen_and_saved_model_give_tfs_outputs():
    _check_model(GRAPHS, "mobilenet_v1")


@pytest.mark.parametrize("name", ["mobilenet_v2", "resnet50", "inception_v3"])
def test_keras_applications_written_by_tf_give_tfs_outputs(name, tmp_path):
    python = os.environ.get("TENSORWEAVE_TF_PYTHON")
    if not python:
        pytest.skip("set TENSORWEAVE_TF_PYTHON to a Python with TensorFlow to export the model")
    subprocess.run([python, os.path.join(FIXTURES, "make_tf_graphs_reference.py"),
                    str(tmp_path), "--models", name], check=True, capture_output=True,
                   timeout=900)
    _check_model(str(tmp_path), name)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
