"""contrib.learn MetricSpec and Estimator.evaluate(metrics=...), feed_fn, and
ValidationMonitor's TF 1.x cadence (every_n_steps multiples, check_interval_secs, metrics)."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.contrib import learn
from tensorweave.contrib.learn import metric_spec


def _data():
    rng = np.random.RandomState(0)
    x = rng.randn(60, 4)
    return x, (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0)


def _classifier(tmp_path, **kwargs):
    x, _ = _data()
    return learn.DNNClassifier(hidden_units=[6], n_classes=3, model_dir=str(tmp_path),
                               feature_columns=learn.infer_real_valued_columns_from_input(x),
                               **kwargs)


def test_evaluate_with_metric_specs(tmp_path):
    x, y = _data()
    est = _classifier(tmp_path)
    est.fit(x, y, steps=20)
    metrics = {
        "acc": learn.MetricSpec(metric_fn=tf.contrib.metrics.streaming_accuracy,
                                prediction_key=learn.prediction_key.PredictionKey.CLASSES),
        "rec": learn.MetricSpec(metric_fn=tf.metrics.recall, prediction_key="classes"),
        "mean_p": learn.MetricSpec(metric_fn=tf.metrics.mean,  # no labels argument
                                   prediction_key="probabilities"),
    }
    result = est.evaluate(x, y, metrics=metrics)
    classes = np.array(list(est.predict(x)))
    assert abs(result["acc"] - np.mean(classes == y)) < 1e-6
    assert result["acc"] == result["accuracy"]
    assert abs(result["rec"] - np.sum((classes > 0) & (y > 0)) / np.sum(y > 0)) < 1e-6
    assert abs(result["mean_p"] - 1.0 / 3) < 1e-6  # each row of probabilities sums to 1
    assert "acc" not in est.evaluate(x, y)  # metrics last for one evaluate call
    with pytest.raises(ValueError, match="Metrics argument should be None or dict"):
        est.evaluate(x, y, metrics=[metrics["acc"]])
    with pytest.raises(KeyError):
        est.evaluate(x, y, metrics={"a": learn.MetricSpec(tf.metrics.accuracy, "nope")})


def test_metric_fn_argument_rules():
    calls = []

    def positional(labels, predictions):
        calls.append(("positional", labels, predictions))
        return 0

    def target_named(predictions, target, weights=None):
        calls.append(("named", target, predictions, weights))
        return 0

    def only_values(values):
        calls.append(("values", values))
        return 0

    metric_spec.MetricSpec(positional).create_metric_ops({}, "L", "P")
    metric_spec.MetricSpec(target_named, weight_key="w").create_metric_ops({"w": "W"}, "L",
                                                                           "P")
    metric_spec.MetricSpec(only_values, prediction_key="p").create_metric_ops(
        {}, "L", {"p": "P"})
    assert calls == [("positional", "L", "P"), ("named", "L", "P", "W"), ("values", "P")]
    with pytest.raises(ValueError, match="missing from"):
        metric_spec.MetricSpec(only_values, label_key="y")
    with pytest.raises(ValueError, match="Ambiguous arguments"):
        metric_spec.MetricSpec(lambda labels, label: 0)
    with pytest.raises(ValueError, match="requires predictions tensor or single element"):
        metric_spec.MetricSpec(positional).create_metric_ops({}, "L", {"a": 1, "b": 2})


def test_validation_monitor_every_n_cadence_and_metrics(tmp_path, monkeypatch):
    x, y = _data()
    steps = []
    monitor = learn.monitors.ValidationMonitor(
        x, y, every_n_steps=7, check_interval_secs=None,
        metrics={"acc": learn.MetricSpec(tf.metrics.accuracy, prediction_key="classes")})
    est = _classifier(tmp_path, config=learn.RunConfig(save_checkpoints_steps=3))
    original = est.evaluate

    def evaluate(**kwargs):
        steps.append(int(est.get_variable_value("global_step")))
        result = original(**kwargs)
        assert "acc" in result
        return result
    monkeypatch.setattr(est, "evaluate", evaluate)
    est.fit(x, y, steps=30, monitors=[monitor])
    # looked at steps 7, 14, 21, 28 (no more); each saw a checkpoint newer than the last
    assert len(steps) == 4 and steps == sorted(set(steps)) and steps[0] >= 3
    assert monitor.best_step is None  # no early_stopping_rounds: nothing tracked
