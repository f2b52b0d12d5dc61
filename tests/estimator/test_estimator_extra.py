"""Head-based and baseline estimators against TF 2.15 (a few SGD steps from fixed weights:
evaluate's dict, predictions, variable names), and the other tf.estimator additions: parse
specs, add_metrics, exporters in train_and_evaluate, GlobalStepWaiterHook, ProfilerHook."""
import json
import logging
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
        ckpt = cases.write_checkpoint(tf, init, str(tmp_path / "init" / "init"))
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
    # TF's head-based (v2) estimators keep their Keras optimizer's variables under training/
    assert sorted(estimator.get_variable_names()) == want["variables"]


def test_baseline_needs_features():
    with pytest.raises(ValueError, match="features should be a dictionary"):
        est = tf.estimator.BaselineRegressor()
        est.train(lambda: (tf.constant([[1.0]]), tf.constant([[1.0]])), steps=1)


def _spec_text(spec):
    def plain(v):
        v = np.asarray(v)
        if v.dtype.kind in "SOU":
            return [x.decode() if isinstance(x, bytes) else x for x in v.ravel().tolist()]
        return v.astype(np.float64).tolist()
    return {k: [type(v).__name__, list(getattr(v, "shape", [])), v.dtype.name,
                plain(v.default_value) if getattr(v, "default_value", None) is not None
                else None] for k, v in spec.items()}


def test_parse_example_specs_match_tensorflow():
    fc = tf.feature_column
    columns = [fc.numeric_column("x", shape=(2,)),
               fc.embedding_column(fc.categorical_column_with_hash_bucket("c", 10), 2)]
    want = REFERENCE["parse_specs"]
    assert _spec_text(tf.estimator.classifier_parse_example_spec(
        columns, "label", weight_column="w")) == want["classifier"]
    assert _spec_text(tf.estimator.classifier_parse_example_spec(
        columns, "label", label_dtype=tf.string, label_default="a")) == want["classifier_str"]
    assert _spec_text(tf.estimator.regressor_parse_example_spec(
        columns, "y", label_dimension=3, label_default=0.5,
        weight_column=fc.numeric_column("w", default_value=1.0))) == want["regressor"]
    with pytest.raises(ValueError, match="label should not be used as feature"):
        tf.estimator.classifier_parse_example_spec(columns, "x")
    with pytest.raises(ValueError, match="weight column should not be used as feature"):
        tf.estimator.regressor_parse_example_spec(columns, "y", weight_column="x")


def test_add_metrics_matches_tensorflow(tmp_path):
    estimator = tf.estimator.BaselineRegressor(
        model_dir=str(tmp_path), optimizer=tf.train.GradientDescentOptimizer(0.1))

    def metric_fn(labels, predictions, features):
        return {"rmse": tf.metrics.root_mean_squared_error(labels, predictions["predictions"]),
                "x_mean": tf.metrics.mean(features["x"])}
    estimator = tf.estimator.add_metrics(estimator, metric_fn)

    def input_fn():
        return ({"x": tf.constant(cases.EST_X)}, tf.constant(cases.EST_Y["real"]))
    estimator.train(input_fn, steps=2)
    got = estimator.evaluate(input_fn, steps=1)
    assert got.pop("global_step") == 2
    assert sorted(got) == sorted(REFERENCE["add_metrics"])
    for key, value in REFERENCE["add_metrics"].items():
        np.testing.assert_allclose(got[key], value, rtol=2e-5, err_msg=key)
    tf.estimator.add_metrics(estimator, lambda labels: {})  # TF needs no predictions argument
    with pytest.raises(ValueError, match="not expected args"):
        tf.estimator.add_metrics(estimator, lambda labels, logits: {})


def _receiver_fn():
    x = tf.placeholder(tf.float32, [None, 1], name="x")
    return tf.estimator.export.ServingInputReceiver({"x": x}, {"x": x})


def test_exporters_in_train_and_evaluate(tmp_path):
    config = tf.estimator.RunConfig(model_dir=str(tmp_path), save_checkpoints_steps=2)
    estimator = tf.estimator.BaselineRegressor(
        config=config, optimizer=tf.train.GradientDescentOptimizer(0.1))

    def input_fn():
        return ({"x": tf.constant(cases.EST_X)}, tf.constant(cases.EST_Y["real"]))
    exporters = [tf.estimator.LatestExporter("latest", _receiver_fn, exports_to_keep=1),
                 tf.estimator.FinalExporter("final", _receiver_fn),
                 tf.estimator.BestExporter(serving_input_receiver_fn=_receiver_fn,
                                           exports_to_keep=2)]
    metrics, exports = tf.estimator.train_and_evaluate(
        estimator, tf.estimator.TrainSpec(input_fn, max_steps=6),
        tf.estimator.EvalSpec(input_fn, steps=1, exporters=exporters, throttle_secs=0))
    assert metrics["global_step"] == 6
    assert len(exports) == 3 and all(e is not None for e in exports)
    export_dir = tmp_path / "export"
    latest = os.listdir(export_dir / "latest")
    assert len(latest) == 1 and exports[0] == str(export_dir / "latest" / latest[0]).encode()
    assert len(os.listdir(export_dir / "final")) == 1
    assert len(os.listdir(export_dir / "best_exporter")) == 2  # 3 better losses, 2 kept
    for kind in ("latest", "final", "best_exporter"):
        for stamp in os.listdir(export_dir / kind):
            assert (export_dir / kind / stamp / "saved_model.pb").exists()
    # a restart reads the best loss so far from the eval event files: no better model, no export
    best = tf.estimator.BestExporter(serving_input_receiver_fn=_receiver_fn)
    logger, seen = tf.get_logger(), _Recorder()
    level = logger.level
    logger.addHandler(seen)
    logger.setLevel(logging.INFO)
    try:
        assert best.export(estimator, str(tmp_path / "again"), estimator.latest_checkpoint(),
                           {"loss": metrics["loss"] + 1.0, "global_step": 6}, False) is None
    finally:
        logger.removeHandler(seen)
        logger.setLevel(level)
    assert seen.messages == ["Loading best metric from event files."]  # TF's lines


class _Recorder(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_exporter_and_eval_spec_errors():
    with pytest.raises(ValueError, match="exports_to_keep"):
        tf.estimator.LatestExporter("x", _receiver_fn, exports_to_keep=0)
    with pytest.raises(ValueError, match="serving_input_receiver_fn"):
        tf.estimator.BestExporter()
    with pytest.raises(ValueError, match="must include current_eval_result"):
        tf.estimator.BestExporter(serving_input_receiver_fn=_receiver_fn,
                                  compare_fn=lambda best_eval_result: True)
    exporter = tf.estimator.FinalExporter("same", _receiver_fn)
    with pytest.raises(ValueError, match="unique names"):
        tf.estimator.EvalSpec(lambda: None, exporters=[exporter, exporter])
    with pytest.raises(TypeError, match="must be an Exporter"):
        tf.estimator.EvalSpec(lambda: None, exporters=[1])


def test_hooks_are_tf_trains():
    assert tf.estimator.GlobalStepWaiterHook is tf.train.GlobalStepWaiterHook
    assert tf.estimator.ProfilerHook is tf.train.ProfilerHook


def test_vocab_info_warm_start_matches_tensorflow(tmp_path):
    got = cases.vocab_warm_start(tf, str(tmp_path))
    for name, value in REFERENCE["vocab_warm_start"].items():
        np.testing.assert_allclose(got[name], value, rtol=1e-6, err_msg=name)
    with pytest.raises(ValueError, match="axis"):
        tf.estimator.VocabInfo("new", 3, 0, "old", axis=2)


def test_profiler_hook_writes_chrome_traces(tmp_path):
    estimator = tf.estimator.BaselineRegressor(model_dir=str(tmp_path / "m"))
    hook = tf.estimator.ProfilerHook(save_steps=2, output_dir=str(tmp_path / "prof"))

    def input_fn():
        return {"x": tf.constant(cases.EST_X)}, tf.constant(cases.EST_Y["real"])
    estimator.train(input_fn, steps=4, hooks=[hook])
    files = os.listdir(tmp_path / "prof")
    traces = sorted(t for t in files if t.startswith("timeline-"))
    assert traces == ["timeline-2.json", "timeline-4.json"]
    assert any(f.startswith("events.out.tfevents") for f in files)  # the run metadata
    events = json.loads((tmp_path / "prof" / traces[0]).read_text())["traceEvents"]
    assert any(e.get("ph") == "X" for e in events)
