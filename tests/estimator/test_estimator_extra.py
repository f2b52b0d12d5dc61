"""Head-based and baseline estimators against TF 2.15 (a few SGD steps from fixed weights:
evaluate's dict, predictions, variable names), and the other tf.estimator additions: parse
specs, add_metrics, exporters in train_and_evaluate, GlobalStepWaiterHook, ProfilerHook."""
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
import estimator_extra_cases as cases  # noqa: E402

REFERENCE = json.loads((FIXTURES / "estimator_extra_reference.json").read_text())


def _write_checkpoint(values, path):
    with tf.Graph().as_default():
        for name, value in values.items():
            tf.Variable(np.asarray(value, np.float32), name=name)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return tf.train.Saver().save(sess, path)


def _input_fn(label_key):
    def input_fn():
        return ({"x": tf.constant(cases.EST_X), "z": tf.constant(cases.EST_Z)},
                tf.constant(cases.EST_Y[label_key]))
    return input_fn


def _plain(value):
    value = np.asarray(value)
    if value.dtype.kind in "SO":
        return [v.decode() if isinstance(v, bytes) else v for v in value.ravel().tolist()]
    return value.astype(np.float64)


@pytest.mark.parametrize("name", sorted(cases.ESTIMATOR_CASES))
def test_estimator_matches_tensorflow(name, tmp_path):
    class_name, label_key, _, init, kwargs = cases.ESTIMATOR_CASES[name]
    want = REFERENCE["estimators"][name]
    columns = [tf.feature_column.numeric_column("x"), tf.feature_column.numeric_column("z")]
    estimator = getattr(tf.estimator, class_name)(
        model_dir=str(tmp_path / "a"),
        **kwargs(tf.estimator, columns, lambda: tf.train.GradientDescentOptimizer(0.1)))
    if init is not None:
        ckpt = _write_checkpoint(init, str(tmp_path / "init" / "init"))
        estimator = tf.estimator.Estimator(model_fn=estimator.model_fn,
                                           model_dir=str(tmp_path / "b"),
                                           warm_start_from=tf.estimator.WarmStartSettings(
                                               ckpt, vars_to_warm_start="dnn/.*"))
    input_fn = _input_fn(label_key)
    estimator.train(input_fn, steps=3)
    metrics = estimator.evaluate(input_fn, steps=1)
    assert metrics.pop("global_step") == 3
    assert sorted(metrics) == sorted(want["metrics"])
    for key, value in want["metrics"].items():
        np.testing.assert_allclose(metrics[key], value, rtol=2e-5, atol=1e-6, err_msg=key)
    generator = estimator.predict(lambda: input_fn()[0], yield_single_examples=False)
    predictions = [next(generator)]
    assert len(predictions) == len(want["predictions"])
    for got, expected in zip(predictions, want["predictions"]):
        assert sorted(got) == sorted(expected)
        for key, value in expected.items():
            if isinstance(value, list) and value and isinstance(value[0], str):
                assert _plain(got[key]) == value
            else:
                np.testing.assert_allclose(np.ravel(_plain(got[key])), np.ravel(value),
                                           rtol=2e-5, atol=1e-6, err_msg=key)
    names = [n for n in estimator.get_variable_names() if not n.startswith("training/")]
    if want["variables"] and any("Ftrl" in n for n in want["variables"]):
        assert sorted(names) == want["variables"]
    else:  # TF's Keras optimizers keep no slots for SGD; ours neither
        assert sorted(names) == want["variables"]


def test_baseline_needs_features():
    with pytest.raises(ValueError, match="features should be a dictionary"):
        est = tf.estimator.BaselineRegressor()
        est.train(lambda: (tf.constant([[1.0]]), tf.constant([[1.0]])), steps=1)
