"""contrib.learn's SavedModel export (TF 1.15 semantics): make_export_strategy's "Servo"
exports from an Experiment, a contrib Estimator's export_savedmodel over an InputFnOps serving
input_fn, and the output alternatives' SignatureDefs. TF 2.15 has no contrib; the exported
model's predictions are checked against the estimator's own predict."""
import os

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.contrib import learn
from tensorweave.contrib.learn.python.learn.utils import input_fn_utils
from tensorweave.contrib.learn.python.learn.utils import saved_model_export_utils


def _x():
    return np.random.RandomState(0).randn(16, 3).astype(np.float32)


def _input_fn():
    x = _x()
    return {"x": tf.constant(x)}, tf.constant((x.sum(axis=1) > 0).astype(np.int64))


def _model_fn(features, labels, mode):
    w = tf.get_variable("w", [3, 2], initializer=tf.constant_initializer(0.1))
    logits = tf.matmul(features["x"], w)
    predictions = {"probabilities": tf.nn.softmax(logits), "classes": tf.argmax(logits, 1)}
    if mode == learn.ModeKeys.INFER:
        return learn.ModelFnOps(mode, predictions=predictions)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    train = tf.train.GradientDescentOptimizer(0.5).minimize(
        loss, global_step=tf.train.get_global_step())
    return learn.ModelFnOps(mode, predictions=predictions, loss=loss, train_op=train)


def _serving_input_fn():
    inputs = {"x": tf.placeholder(tf.float32, [None, 3])}
    return input_fn_utils.InputFnOps(inputs, None, inputs)


def test_experiment_exports_servo_and_keeps_the_newest(tmp_path):
    est = learn.Estimator(model_fn=_model_fn, model_dir=str(tmp_path))
    strategy = saved_model_export_utils.make_export_strategy(_serving_input_fn,
                                                             exports_to_keep=1)
    assert strategy.name == "Servo"
    exp = learn.Experiment(est, train_input_fn=_input_fn, eval_input_fn=_input_fn,
                           train_steps=5, eval_steps=1, export_strategies=strategy)
    _, (first,) = exp.train_and_evaluate()
    base = os.path.join(os.fsencode(str(tmp_path)), b"export", b"Servo")
    assert os.path.dirname(first) == base and os.path.basename(first).isdigit()
    second = strategy.export(est, base)
    assert second != first and not os.path.exists(first)  # exports_to_keep=1

    expected = list(est.predict(input_fn=lambda: tf.data.Dataset.from_tensor_slices(
        {"x": _x()}).batch(16).make_one_shot_iterator().get_next(), outputs=["probabilities"]))
    with tf.Session(graph=tf.Graph()) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], second.decode())
        assert sorted(meta.signature_def) == [
            "default_input_alternative:default_output_alternative", "serving_default"]
        sig = meta.signature_def["serving_default"]
        assert sig.method_name == "tensorflow/serving/predict"
        assert sorted(sig.outputs) == ["classes", "probabilities"]
        probs = sess.run(sig.outputs["probabilities"].name,
                         {sig.inputs["x"].name: _x()})
    np.testing.assert_allclose(probs, [p["probabilities"] for p in expected], rtol=1e-6)


def test_output_alternatives_pick_the_signature():
    with tf.Graph().as_default():
        examples = tf.placeholder(tf.string, [None])
        scores = tf.constant([[0.2, 0.8]])
        value = tf.constant([1.5])
        ops = learn.ModelFnOps(learn.ModeKeys.INFER, predictions={"scores": scores},
                               output_alternatives={
                                   "head_a": (learn.ProblemType.CLASSIFICATION,
                                              {"scores": scores}),
                                   "head_b": (learn.ProblemType.LINEAR_REGRESSION,
                                              {"value": value})})
        with pytest.raises(ValueError, match="Please specify a default_output_alternative"):
            saved_model_export_utils.get_output_alternatives(ops)
        outputs, key = saved_model_export_utils.get_output_alternatives(ops, "head_b")
        sigs = saved_model_export_utils.build_all_signature_defs(
            {"default_input_alternative": {"examples": examples}}, outputs, key)
        assert sigs["default_input_alternative:head_a"].method_name == \
            "tensorflow/serving/classify"
        assert sigs["serving_default"].method_name == "tensorflow/serving/regress"


def test_make_export_strategy_takes_tf_1_15_arguments():
    with pytest.raises(TypeError):  # TF 1.0's keyword is gone in TF 1.15 too
        saved_model_export_utils.make_export_strategy(export_input_fn=_serving_input_fn)
    assert learn.make_export_strategy is saved_model_export_utils.make_export_strategy
