"""Real TensorFlow (2.15) loads every kind of SavedModel tensorweave writes, with
tf.compat.v1.saved_model.loader.load and with tf.saved_model.load, and serves tensorweave's
predictions (issue 22 part 5). Runs tests/fixtures/tf_load_saved_models.py under
TENSORWEAVE_TF_PYTHON (a Python with TensorFlow); skipped without one."""
import base64
import json
import os
import subprocess

import numpy as np
import pytest

import tensorweave as tf
import tensorweave.saved_model as saved_model
from tensorweave.saved_model import loader

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures",
                      "tf_load_saved_models.py")


def _serve(export_dir, tags, signature_key, inputs):
    """tensorweave's outputs of the signature."""
    with tf.Graph().as_default(), tf.Session() as sess:
        meta_graph_def = loader.load(sess, tags, export_dir)
        signature = meta_graph_def.signature_def[signature_key]
        keys = sorted(signature.outputs)
        values = sess.run([signature.outputs[k].name for k in keys],
                          {signature.inputs[k].name: v for k, v in inputs.items()})
    return dict(zip(keys, values))


def _mlp(root):
    export_dir = os.path.join(root, "mlp")
    with tf.Graph().as_default(), tf.Session() as sess:
        tf.set_random_seed(1)
        x = tf.placeholder(tf.float32, [None, 5], name="features")
        hidden = tf.layers.dense(x, 7, activation=tf.nn.relu)
        probabilities = tf.nn.softmax(tf.layers.dense(hidden, 3))
        sess.run(tf.global_variables_initializer())
        saved_model.simple_save(sess, export_dir, {"features": x},
                                {"probabilities": probabilities,
                                 "class": tf.argmax(probabilities, 1)})
    inputs = {"features": np.random.RandomState(0).randn(4, 5).astype(np.float32)}
    return export_dir, ["serve"], "serving_default", inputs


def _cnn(root, asset_dir):
    export_dir = os.path.join(root, "cnn")
    vocab = os.path.join(asset_dir, "labels.txt")
    with open(vocab, "w") as f:
        f.write("cat\ndog\n")
    with tf.Graph().as_default() as graph, tf.Session() as sess:
        tf.set_random_seed(2)
        images = tf.placeholder(tf.float32, [None, 8, 8, 2], name="images")
        h = tf.layers.conv2d(images, 4, 3, padding="same", activation=tf.nn.relu6)
        h = tf.layers.batch_normalization(h, training=False, fused=True)
        h = tf.layers.max_pooling2d(h, 2, 2)
        h = tf.nn.depthwise_conv2d(h, tf.ones([3, 3, 4, 1]) * 0.1, [1, 1, 1, 1], "SAME")
        logits = tf.layers.dense(tf.reduce_mean(h, axis=[1, 2]), 2)
        asset = tf.constant(vocab, name="labels_path")
        graph.add_to_collection(tf.GraphKeys.ASSET_FILEPATHS, asset)
        calls = tf.Variable(0.0, name="calls", collections=[tf.GraphKeys.LOCAL_VARIABLES])
        sess.run(tf.global_variables_initializer())
        signature = saved_model.signature_def_utils.predict_signature_def(
            {"images": images}, {"logits": logits, "scaled": logits * (calls + 2.0)})
        model = saved_model.builder.SavedModelBuilder(export_dir)
        model.add_meta_graph_and_variables(
            sess, ["serve", "cnn"], signature_def_map={"predict": signature},
            assets_collection=[asset],
            main_op=tf.group(tf.local_variables_initializer(), tf.tables_initializer()))
        model.save()
    inputs = {"images": np.random.RandomState(1).randn(3, 8, 8, 2).astype(np.float32)}
    return export_dir, ["serve", "cnn"], "predict", inputs


def _estimator(root):
    x = np.random.RandomState(3).randn(48, 4).astype(np.float32)
    y = (x[:, 0] + x[:, 2] > 0).astype(np.int64)
    columns = [tf.feature_column.numeric_column("x", shape=[4])]
    classifier = tf.estimator.DNNClassifier([6], columns, n_classes=2,
                                            model_dir=os.path.join(root, "classifier"))
    classifier.train(tf.estimator.inputs.numpy_input_fn({"x": x}, y, batch_size=12,
                                                        num_epochs=None, shuffle=False), steps=4)
    parsing = tf.estimator.export.build_parsing_serving_input_receiver_fn(
        {"x": tf.FixedLenFeature([4], tf.float32)})
    export_dir = classifier.export_saved_model(os.path.join(root, "export"), parsing).decode()
    examples = np.array([tf.train.Example(features=tf.train.Features(feature={
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=row))})).SerializeToString()
        for row in x[:3]], dtype=object)
    classify = (export_dir, ["serve"], "serving_default", {"inputs": examples})
    regressor = tf.estimator.LinearRegressor(columns, model_dir=os.path.join(root, "regressor"))
    regressor.train(tf.estimator.inputs.numpy_input_fn({"x": x}, x[:, :1] * 2, batch_size=12,
                                                       num_epochs=None, shuffle=False), steps=4)
    raw = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 4])})
    export_dir = regressor.export_savedmodel(os.path.join(root, "export_raw"), raw).decode()
    predict = (export_dir, ["serve"], "predict", {"x": x[:3]})
    return [classify, predict]


def test_tensorflow_serves_tensorweaves_saved_models(tmp_path):
    python = os.environ.get("TENSORWEAVE_TF_PYTHON")
    if not python:
        pytest.skip("set TENSORWEAVE_TF_PYTHON to a Python with TensorFlow 2.x to run "
                    "TensorFlow's loaders on tensorweave's SavedModels")
    root = str(tmp_path)
    models = [_mlp(root), _cnn(root, root)] + _estimator(root)
    manifest, expected = [], []
    for k, (export_dir, tags, key, inputs) in enumerate(models):
        numbers = {name: v for name, v in inputs.items() if v.dtype != object}
        strings = {name: [base64.b64encode(s).decode() for s in v]
                   for name, v in inputs.items() if v.dtype == object}
        np.savez(os.path.join(root, f"in{k}.npz"), **numbers)
        manifest.append({"dir": export_dir, "tags": tags, "signature": key,
                         "inputs": os.path.join(root, f"in{k}.npz"), "string_inputs": strings,
                         "out": os.path.join(root, f"out{k}")})
        expected.append(_serve(export_dir, tags, key, inputs))
    with open(os.path.join(root, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    result = subprocess.run([python, SCRIPT, os.path.join(root, "manifest.json")],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    for k, ours in enumerate(expected):
        for loader_name in ("v1", "v2"):
            with np.load(os.path.join(root, f"out{k}_{loader_name}.npz"),
                         allow_pickle=False) as theirs:
                assert sorted(theirs.files) == sorted(ours), (k, loader_name)
                for key, value in ours.items():
                    if value.dtype.kind in "OSU":
                        assert theirs[key].astype(bytes).tolist() == \
                            np.asarray(value).astype(bytes).tolist()
                    else:
                        np.testing.assert_allclose(theirs[key], value, rtol=1e-5, atol=1e-6,
                                                   err_msg=f"model {k} {key} ({loader_name})")
