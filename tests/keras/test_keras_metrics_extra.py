"""The IoU, F-score, R2 and at-threshold Keras metrics, grouped convolutions and the radial
constraint against TensorFlow 2.15 (tests/fixtures/keras_metrics_extra_cases.py,
make_keras_metrics_extra_reference.py)."""
import json
import os
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "fixtures")
sys.path.insert(0, FIXTURES)
import keras_metrics_extra_cases as cases  # noqa: E402
from keras_applications_common import weight_value  # noqa: E402

with np.load(os.path.join(FIXTURES, "keras_metrics_extra_reference.npz")) as _z:
    REF = dict(_z)
META = json.loads(str(REF.pop("meta")))
METRICS = cases.metric_cases()


@pytest.mark.parametrize("case", sorted(METRICS))
def test_metric_matches_tensorflow(case):
    tf.keras.backend.clear_session()
    class_name, kwargs, batches = METRICS[case]
    metric = getattr(tf.keras.metrics, class_name)(**kwargs)
    session = tf.keras.backend.get_session()
    updates = [metric.update_state(t, p, sample_weight=w) for t, p, w in batches]
    result = metric.result()
    session.run(tf.local_variables_initializer())
    got = []
    for update in updates:
        session.run(update)
        got.append(session.run(result))
    metric.reset_states()
    session.run(updates[-1])
    got.append(session.run(result))
    np.testing.assert_allclose(np.stack(got), REF[f"metric/{case}"], rtol=2e-5, atol=2e-6)
    if class_name == "AUC":  # checked here for its values only (its options are not all ours)
        return
    expected = META["metrics"][case]
    assert metric.get_config() == expected["config"]
    assert [[v.name.split(":")[0].rsplit("/", 1)[-1], v.shape.as_list()]
            for v in metric.variables] == expected["variables"]
    assert type(metric).from_config(metric.get_config()).get_config() == expected["config"]


def test_metrics_in_compile_and_fit():
    tf.keras.backend.clear_session()
    rng = np.random.RandomState(0)
    x = rng.normal(size=(32, 4)).astype(np.float32)
    labels = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    y = np.eye(2, dtype=np.float32)[labels]
    model = tf.keras.Sequential([tf.keras.layers.Dense(2, activation="softmax",
                                                       input_shape=(4,))])
    model.compile("sgd", "categorical_crossentropy",
                  metrics=[tf.keras.metrics.F1Score(average="macro"),
                           tf.keras.metrics.OneHotMeanIoU(num_classes=2),
                           tf.keras.metrics.R2Score(),
                           tf.keras.metrics.PrecisionAtRecall(0.5, class_id=1)])
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert set(history.history) >= {"loss", "f1_score", "one_hot_mean_io_u", "r2_score",
                                    "precision_at_recall"}
    # the epoch values equal the metrics recomputed from the final predictions by hand
    results = dict(zip(model.metrics_names, model.evaluate(x, y, batch_size=32, verbose=0)))
    predicted = model.predict(x).argmax(1)
    f1 = []
    for c in (0, 1):
        tp = np.sum((predicted == c) & (labels == c))
        fp, fn = np.sum((predicted == c) & (labels != c)), np.sum((predicted != c) & (
            labels == c))
        f1.append(2 * tp / max(2 * tp + fp + fn, 1))
    assert results["f1_score"] == pytest.approx(np.mean(f1), abs=1e-5)


def test_metric_errors():
    with pytest.raises(ValueError, match="beta"):
        tf.keras.metrics.FBetaScore(beta=2)
    with pytest.raises(ValueError, match="average"):
        tf.keras.metrics.F1Score(average="mean")
    with pytest.raises(ValueError, match="out of range"):
        tf.keras.metrics.IoU(num_classes=2, target_class_ids=[2])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        tf.keras.metrics.RecallAtPrecision(1.5)
    with pytest.raises(ValueError, match="2D inputs"):
        tf.keras.metrics.R2Score().update_state(np.zeros(3), np.zeros(3))
    assert tf.keras.metrics.get({"class_name": "BinaryIoU", "config": {"threshold": 0.2}}
                                ).threshold == 0.2


@pytest.mark.parametrize("case", sorted(cases.conv_cases()))
def test_grouped_convolution_matches_tensorflow(case):
    tf.keras.backend.clear_session()
    class_name, kwargs, shape = cases.conv_cases()[case]
    layer = getattr(tf.keras.layers, class_name)(**kwargs)
    x = tf.placeholder(tf.float32, shape)
    y = layer(x)
    grads = tf.gradients(tf.reduce_sum(y * y), [x] + layer.weights)
    expected = META["conv"][case]
    assert [[w.name, w.shape.as_list()] for w in layer.weights] == expected["weights"]
    assert y.shape.as_list() == expected["output_shape"]
    assert layer.get_config()["groups"] == expected["groups"]
    layer.set_weights([weight_value(w.name, w.shape.as_list()) for w in layer.weights])
    session = tf.keras.backend.get_session()
    results = session.run([y] + grads, {x: REF[f"conv/{case}/input"]})
    np.testing.assert_allclose(results[0], REF[f"conv/{case}/output"], rtol=1e-5, atol=1e-5)
    for i, g in enumerate(results[1:]):
        np.testing.assert_allclose(g, REF[f"conv/{case}/grad{i}"], rtol=1e-4, atol=1e-4)
    clone = type(layer).from_config(layer.get_config())
    assert clone.groups == layer.groups


@pytest.mark.parametrize("case", sorted(cases.conv_error_cases()))
def test_grouped_convolution_errors(case):
    class_name, kwargs, shape = cases.conv_error_cases()[case]
    with pytest.raises(ValueError) as info:
        layer = getattr(tf.keras.layers, class_name)(**kwargs)
        layer(tf.placeholder(tf.float32, shape))
    assert str(info.value) == META["conv_errors"][case]


@pytest.mark.parametrize("shape", cases.RADIAL_SHAPES)
def test_radial_constraint_matches_tensorflow(shape):
    tf.keras.backend.clear_session()
    constraint = tf.keras.constraints.get("radial_constraint")
    out = constraint(tf.constant(cases.radial_kernel(shape)))
    got = tf.keras.backend.get_session().run(out)
    np.testing.assert_array_equal(got, REF["radial/" + "x".join(map(str, shape))])
    assert isinstance(constraint, tf.keras.constraints.RadialConstraint)
    with pytest.raises(ValueError, match="rank 4"):
        constraint(tf.zeros([3, 3, 1]))


def test_auc_pr_is_tfs_interpolated_precision():
    """TF 2.15's tf.keras.metrics.AUC on one weighted batch (values from TF): PR with
    'interpolation' is Davis & Goadrich's interpolated precision, not the trapezoid rule."""
    rng = np.random.RandomState(0)
    y = (rng.rand(50) > 0.6).astype("f")
    p = np.clip(y * 0.3 + rng.rand(50) * 0.7, 0, 1).astype("f")
    w = rng.rand(50).astype("f")
    expected = [0.7723307013511658, 0.711761474609375, 0.7903258204460144, 0.750032901763916]
    ours = []
    for kw in (dict(curve="PR"), dict(curve="PR", summation_method="minoring"),
               dict(curve="ROC"), dict(curve="PR", num_thresholds=7)):
        metric = tf.keras.metrics.AUC(**kw)
        update = metric.update_state(y, p, sample_weight=w)
        sess = tf.keras.backend.get_session()
        sess.run(tf.variables_initializer(metric.variables))
        sess.run(update)
        ours.append(sess.run(metric.result()))
    np.testing.assert_allclose(ours, expected, rtol=1e-5)
