"""tf.estimator's heads against TF 2.15 (tests/fixtures/estimator_extra_reference.json): the
training loss, the eval metrics dict and the predictions of fixed logits and labels."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
import estimator_extra_cases as cases  # noqa: E402

REFERENCE = json.loads((FIXTURES / "estimator_extra_reference.json").read_text())["heads"]


def _plain(value):
    value = np.asarray(value)
    if value.dtype.kind in "SO":
        return [v.decode() if isinstance(v, bytes) else v for v in value.ravel().tolist()]
    return value.astype(np.float64)


def _spec(case, mode):
    tf.train.get_or_create_global_step()
    head = cases.make_head(tf.estimator, case)
    features = {k: tf.constant(v) for k, v in case.get("features", {}).items()}
    logits = tf.constant(np.asarray(case["logits"], np.float32))
    labels = None if mode == "infer" else cases.head_labels(tf, case)
    return head.create_estimator_spec(features=features, mode=mode, logits=logits,
                                      labels=labels, train_op_fn=lambda loss: tf.no_op())


@pytest.mark.parametrize("name", sorted(cases.HEAD_CASES))
def test_head_matches_tensorflow(name):
    case, want = cases.HEAD_CASES[name], REFERENCE[name]
    with tf.Graph().as_default():
        train, evaluation = _spec(case, "train"), _spec(case, "eval")
        predict = _spec(case, "infer")
        assert sorted(predict.export_outputs) == want["export_keys"]
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
            np.testing.assert_allclose(sess.run(train.loss), want["loss"], rtol=1e-5)
            sess.run([v[1] for v in evaluation.eval_metric_ops.values()])
            got = sess.run({k: v[0] for k, v in evaluation.eval_metric_ops.items()})
            assert sorted(got) == sorted(want["metrics"])
            for key, value in want["metrics"].items():
                np.testing.assert_allclose(got[key], value, rtol=2e-5, atol=1e-6, err_msg=key)
            predictions = {str(k): v for k, v in sess.run(predict.predictions).items()}
    assert sorted(predictions) == sorted(want["predictions"])
    for key, value in want["predictions"].items():
        got = _plain(predictions[key])
        if isinstance(value, list) and value and isinstance(value[0], str):
            assert got == value, key
        else:
            np.testing.assert_allclose(np.ravel(got), np.ravel(value), rtol=1e-5, err_msg=key)


def test_head_properties_and_errors():
    head = tf.estimator.MultiClassHead(3, name="h")
    assert (head.name, head.logits_dimension, head.loss_reduction) == \
        ("h", 3, "sum_over_batch_size")
    with pytest.raises(ValueError, match="n_classes must be > 2"):
        tf.estimator.MultiClassHead(2)
    with pytest.raises(ValueError, match="Invalid loss_reduction"):
        tf.estimator.RegressionHead(loss_reduction="none")
    with pytest.raises(ValueError, match="Prediction key must be in PredictionKeys"):
        with tf.Graph().as_default():
            tf.estimator.BinaryClassHead().predictions(tf.constant([[1.0]]), ["nope"])
    with tf.Graph().as_default():
        logits = tf.constant([[1.0, 2.0]])
        with pytest.raises(ValueError, match="logits shape"):
            tf.estimator.RegressionHead(label_dimension=3).predictions(logits)
        with pytest.raises(ValueError, match="train_op_fn and optimizer cannot both be None"):
            tf.estimator.RegressionHead(label_dimension=2).create_estimator_spec(
                {}, "train", logits, tf.constant([[1.0, 1.0]]))


def test_head_trains_with_a_tf1_optimizer():
    with tf.Graph().as_default():
        step = tf.train.get_or_create_global_step()
        w = tf.Variable([[0.0]])
        logits = tf.matmul(tf.constant([[1.0], [2.0]]), w)
        spec = tf.estimator.RegressionHead().create_estimator_spec(
            {}, "train", logits, tf.constant([[1.0], [2.0]]),
            optimizer=tf.train.GradientDescentOptimizer(0.1))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(spec.train_op)
            # loss = mean((2w-2)^2/... ): d/dw of ((w-1)^2 + (2w-2)^2) / 2 at 0 is -5
            np.testing.assert_allclose(sess.run(w), [[0.5]], rtol=1e-6)
            assert sess.run(step) == 1


def test_multi_head_in_an_estimator(tmp_path):
    head = tf.estimator.MultiHead([tf.estimator.BinaryClassHead(name="flag"),
                                   tf.estimator.RegressionHead(label_dimension=2, name="pos")])
    assert head.name == "flag_pos" and head.logits_dimension == 3
    estimator = tf.estimator.LinearEstimator(head, [tf.feature_column.numeric_column("x")],
                                             model_dir=str(tmp_path),
                                             optimizer=tf.train.GradientDescentOptimizer(0.1))

    def input_fn():
        return ({"x": tf.constant([[1.0], [2.0], [-1.0]])},
                {"flag": tf.constant([[1], [1], [0]]),
                 "pos": tf.constant([[1.0, 2.0], [2.0, 4.0], [-1.0, -2.0]])})
    estimator.train(input_fn, steps=20)
    metrics = estimator.evaluate(input_fn, steps=1)
    assert {"loss", "loss/flag", "loss/pos", "accuracy/flag", "average_loss/pos"} <= set(metrics)
    assert metrics["accuracy/flag"] == 1.0 and metrics["loss/pos"] < 1.0
    np.testing.assert_allclose(metrics["loss"], metrics["loss/flag"] + metrics["loss/pos"],
                               rtol=1e-5)
    prediction = next(estimator.predict(lambda: input_fn()[0]))
    assert ("pos", "predictions") in prediction and ("flag", "class_ids") in prediction
    with pytest.raises(ValueError, match="must have name specified"):
        tf.estimator.MultiHead([tf.estimator.RegressionHead()])
