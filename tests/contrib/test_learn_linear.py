"""contrib.learn's LinearClassifier (TF 1.15 contrib.learn semantics): the FTRL train op over
the 'linear' collection, the multi-class and logistic heads, predict / predict_proba /
SKCompat, checked against TF 2.15's tf.compat.v1.estimator.LinearClassifier (the same model
and optimizer with loss_reduction=SUM_OVER_BATCH_SIZE, contrib's mean loss; zero initial
weights make the runs identical)."""
import numpy as np
import pytest

from tensorweave.contrib import learn

# TF 2.15, tf.compat.v1.estimator.LinearClassifier(numeric_column("x", shape=[3]),
# loss_reduction=SUM_OVER_BATCH_SIZE), 20 full-batch steps of _data():
# linear/linear_model/x/weights (row-major), bias_weights, evaluate's loss and accuracy.
_TF_3 = ([-0.6949015259742737, 0.489728718996048, 0.44190701842308044, -0.7474626302719116,
          0.47149792313575745, 0.4859325885772705, -0.8776153326034546, -0.407955527305603,
          0.9456017017364502], [0.07043934613466263, 0.427693635225296, -0.4829237759113312],
         0.47273904, 0.925)
_TF_2 = ([1.1044172048568726, -0.08210135996341705, -0.8183819055557251],
         [0.048623111099004745], 0.335684, 1.0)


def _data():
    rng = np.random.RandomState(0)
    x = rng.randn(40, 3).astype(np.float32)
    y3 = ((x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 0.5)).astype(np.int64)
    y2 = (x[:, 0] - x[:, 2] > 0).astype(np.int64)
    return x, y3, y2


@pytest.mark.parametrize("n_classes,expected", [(3, _TF_3), (2, _TF_2)])
def test_linear_classifier_matches_tf(tmp_path, n_classes, expected):
    x, y3, y2 = _data()
    y = y3 if n_classes == 3 else y2
    est = learn.LinearClassifier(feature_columns=learn.infer_real_valued_columns_from_input(x),
                                 n_classes=n_classes, model_dir=str(tmp_path))
    assert est.fit(x, y, steps=20) is est
    weights, bias, loss, accuracy = expected
    np.testing.assert_allclose(
        est.get_variable_value("linear/linear_model//weights").ravel(), weights, atol=2e-6)
    np.testing.assert_allclose(est.get_variable_value("linear/linear_model/bias_weights"),
                               bias, atol=2e-6)
    result = est.evaluate(x, y)
    assert result["global_step"] == 20
    assert abs(result["loss"] - loss) < 1e-5
    assert abs(result["accuracy"] - accuracy) < 1e-6
    if n_classes == 2:
        assert {"auc", "labels/actual_label_mean", "labels/prediction_mean",
                "accuracy/baseline_label_mean"} <= set(result)


def test_linear_classifier_predictions(tmp_path):
    x, y, _ = _data()
    est = learn.LinearClassifier(feature_columns=learn.infer_real_valued_columns_from_input(x),
                                 n_classes=3, model_dir=str(tmp_path))
    est.fit(x, y, steps=20)
    w = est.get_variable_value("linear/linear_model//weights")
    b = est.get_variable_value("linear/linear_model/bias_weights")
    logits = x @ w + b
    classes = list(est.predict(x))
    np.testing.assert_array_equal(classes, logits.argmax(1))
    proba = np.stack(list(est.predict_proba(x)))
    e = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(proba, e / e.sum(1, keepdims=True), rtol=1e-5, atol=1e-6)
    stacked = learn.SKCompat(est).predict(x)
    assert set(stacked) == {"logits", "probabilities", "classes"}
    np.testing.assert_array_equal(stacked["classes"], logits.argmax(1))
    assert list(est.predict(x, outputs=["logits"]))[0]["logits"].shape == (3,)


def test_linear_classifier_optimizer_name_and_refusals(tmp_path):
    x, y, _ = _data()
    cols = learn.infer_real_valued_columns_from_input(x)
    est = learn.LinearClassifier(feature_columns=cols, n_classes=3, optimizer="SGD",
                                 gradient_clip_norm=1.0, model_dir=str(tmp_path))
    est.fit(x, y, steps=5, batch_size=10)
    assert "linear/linear_model//weights/Ftrl" not in est.get_variable_names()
    assert est.evaluate(x, y)["global_step"] == 5
    with pytest.raises(ValueError):
        learn.LinearClassifier(feature_columns=cols, n_classes=1)
