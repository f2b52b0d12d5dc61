"""tf.contrib.predictor: Predictors from a SavedModel real TensorFlow wrote
(tests/fixtures/make_predictor_saved_model.py), from a tf.estimator.Estimator and from a
contrib.learn Estimator, giving what their graphs give."""
import json
import pathlib

import numpy as np
import pytest

pytest.importorskip("google.protobuf")

import tensorweave as tf  # noqa: E402

FIXTURE = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "predictor_saved_model"
EXPECTED = json.loads((FIXTURE / "expected.json").read_text())
INPUTS = np.array(EXPECTED["inputs"], np.float32)


def test_from_saved_model_gives_what_tensorflow_gave():
    predict = tf.contrib.predictor.from_saved_model(str(FIXTURE))
    assert set(predict.feed_tensors) == {"x"}
    assert set(predict.fetch_tensors) == {"probabilities", "classes"}
    out = predict({"x": INPUTS})
    np.testing.assert_allclose(out["probabilities"], EXPECTED["probabilities"], rtol=1e-6)
    assert out["classes"].tolist() == EXPECTED["classes"]
    with pytest.raises(ValueError, match="unexpected keys"):
        predict({"images": INPUTS})


def test_from_saved_model_by_signature_key_or_tensor_names():
    scores = tf.contrib.predictor.from_saved_model(str(FIXTURE), signature_def_key="scores")
    np.testing.assert_allclose(scores({"inputs": INPUTS})["scores"], EXPECTED["scores"],
                               rtol=1e-6)
    named = tf.contrib.predictor.from_saved_model(
        str(FIXTURE), input_names={"in": "x:0"}, output_names={"out": "logits:0"})
    np.testing.assert_allclose(named({"in": INPUTS})["out"], EXPECTED["scores"], rtol=1e-6)
    with pytest.raises(ValueError, match="Available signatures are"):
        tf.contrib.predictor.from_saved_model(str(FIXTURE), signature_def_key="nope")
    with pytest.raises(ValueError, match="both be specified"):
        tf.contrib.predictor.from_saved_model(str(FIXTURE), input_names={"in": "x:0"})
    with pytest.raises(ValueError, match="at most one"):
        tf.contrib.predictor.from_saved_model(str(FIXTURE), signature_def_key="scores",
                                              input_names={}, output_names={})
    with pytest.raises(RuntimeError, match="tags 'train' could not be found"):  # the loader's
        tf.contrib.predictor.from_saved_model(str(FIXTURE), tags="train")


def _linear_model_fn(features, labels, mode):
    w = tf.get_variable("w", [3, 1], initializer=tf.zeros_initializer())
    prediction = tf.matmul(features["x"], w)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": prediction})
    loss = tf.losses.mean_squared_error(labels, prediction)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train)


def _train_input():
    x = np.random.RandomState(0).rand(64, 3).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32)
    return tf.data.Dataset.from_tensor_slices(({"x": x}, y)).repeat().batch(16)


def test_from_estimator_predicts_with_the_newest_checkpoint(tmp_path):
    estimator = tf.estimator.Estimator(_linear_model_fn, model_dir=str(tmp_path))
    estimator.train(_train_input, steps=50)

    def receiver():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        return tf.estimator.export.ServingInputReceiver({"x": x}, {"x": x})
    predict = tf.contrib.predictor.from_estimator(estimator, receiver)
    expected = np.stack([p["y"] for p in estimator.predict(
        lambda: tf.data.Dataset.from_tensor_slices({"x": INPUTS}).batch(2))])
    np.testing.assert_allclose(predict({"x": INPUTS})["y"], expected, rtol=1e-6)
    with pytest.raises(KeyError, match="output_key must be one of"):
        tf.contrib.predictor.from_estimator(estimator, receiver, output_key="nope")
    with pytest.raises(TypeError, match="from_estimator"):
        tf.contrib.predictor.from_contrib_estimator(estimator, receiver)


def test_from_contrib_estimator_predicts_with_the_newest_checkpoint(tmp_path):
    learn = tf.contrib.learn

    def model_fn(features, labels, mode):
        w = tf.get_variable("w", [3, 1], initializer=tf.ones_initializer())
        prediction = tf.matmul(features["x"], w)
        loss = None if labels is None else tf.losses.mean_squared_error(labels, prediction)
        train = None if labels is None else tf.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.train.get_global_step())
        return learn.ModelFnOps(mode, predictions={"y": prediction}, loss=loss, train_op=train)

    estimator = learn.Estimator(model_fn, model_dir=str(tmp_path))
    x = np.random.RandomState(1).rand(32, 3).astype(np.float32)
    estimator.fit(input_fn=lambda: ({"x": tf.constant(x)}, tf.constant(x[:, :1])), steps=5)

    def serving_input():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        return learn.utils.input_fn_utils.InputFnOps({"x": x}, None, {"x": x})
    predict = tf.contrib.predictor.from_contrib_estimator(estimator, serving_input)
    weights = tf.train.load_variable(str(tmp_path), "w")
    np.testing.assert_allclose(predict({"x": INPUTS})["y"], INPUTS @ weights, rtol=1e-5)
    with pytest.raises(TypeError, match="from_contrib_estimator"):
        tf.contrib.predictor.from_estimator(estimator, serving_input)
