"""tf.estimator.Estimator on small known-answer models: train, evaluate, predict, resume,
model_fn argument handling, logs and the files in model_dir."""
import json
import os
import re

import numpy as np
import pytest

import tensorweave as tf

pytest.importorskip("tensorboard", reason="Estimator checkpoints/summaries need the extras")

from hook_helpers import captured_log, scalars  # noqa: E402

RNG = np.random.RandomState(0)
X = RNG.randn(200, 2).astype(np.float32)
TRUE_W = np.array([[2.0], [-3.0]], np.float32)
Y = (X @ TRUE_W + 1.0).astype(np.float32)


def linear_model_fn(features, labels, mode, params):
    """y = x W + b fitted by gradient descent on the mean squared error."""
    prediction = tf.layers.dense(features["x"], 1, name="linear")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": prediction,
                                                             "twice": 2 * prediction})
    loss = tf.losses.mean_squared_error(labels, prediction)
    optimizer = tf.train.GradientDescentOptimizer(params["learning_rate"])
    train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
    metrics = {"mae": tf.metrics.mean_absolute_error(labels, prediction)}
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op,
                                      eval_metric_ops=metrics)


def train_fn(batch_size=20, num_epochs=None, shuffle=True):
    return tf.estimator.inputs.numpy_input_fn({"x": X}, Y, batch_size=batch_size,
                                              num_epochs=num_epochs, shuffle=shuffle)


def eval_fn(batch_size=50):
    return tf.estimator.inputs.numpy_input_fn({"x": X}, Y, batch_size=batch_size,
                                              shuffle=False)


def make(model_dir, **config):
    return tf.estimator.Estimator(linear_model_fn, model_dir=str(model_dir),
                                  params={"learning_rate": 0.1},
                                  config=tf.estimator.RunConfig(**config))


def test_linear_regression_converges_to_the_true_weights(tmp_path):
    est = make(tmp_path, tf_random_seed=1)
    assert est.train(train_fn(), steps=150) is est
    assert est.get_variable_names() == ["global_step", "linear/bias", "linear/kernel"]
    np.testing.assert_allclose(est.get_variable_value("linear/kernel"), TRUE_W, atol=1e-4)
    np.testing.assert_allclose(est.get_variable_value("linear/bias"), [1.0], atol=1e-4)
    assert est.get_variable_value("global_step") == 150
    assert est.latest_checkpoint() == os.path.join(str(tmp_path), "model.ckpt-150")


def test_evaluate_returns_loss_metrics_and_step_and_writes_events(tmp_path):
    est = make(tmp_path)
    est.train(train_fn(), steps=100)
    # Labels off the fitted line, so the metrics stand well above float32 rounding (on Y itself
    # the fit is exact and they are rounding noise).
    offsets = np.random.RandomState(1).uniform(-0.5, 0.5, Y.shape).astype(np.float32)
    labels = Y + offsets
    with captured_log() as log:
        results = est.evaluate(tf.estimator.inputs.numpy_input_fn(
            {"x": X}, labels, batch_size=50, shuffle=False))
    assert sorted(results) == ["global_step", "loss", "mae"]
    assert results["global_step"] == 100
    w = est.get_variable_value("linear/kernel")
    b = est.get_variable_value("linear/bias")
    residual = X @ w + b - labels  # float32, as the model computes it
    assert residual.dtype == np.float32
    # loss: the mean over the 4 batches of each batch's mean squared error
    expected_loss = np.mean([np.mean(residual[i:i + 50] ** 2) for i in range(0, 200, 50)],
                            dtype=np.float32)
    assert results["loss"] == pytest.approx(expected_loss, rel=1e-5)
    assert results["mae"] == pytest.approx(np.mean(np.abs(residual)), rel=1e-5)
    line = [m for m in log if m.startswith("Saving dict for global step 100: ")]
    assert line and re.fullmatch(r"Saving dict for global step 100: global_step = 100, "
                                 r"loss = \S+, mae = \S+", line[0])
    events = scalars(os.path.join(str(tmp_path), "eval"))
    assert set(events) == {"loss", "mae"} and events["loss"][0][0] == 100
    named = est.evaluate(eval_fn(), steps=2, name="validation")
    assert named["global_step"] == 100
    assert "mae" in scalars(est.eval_dir("validation"))
    assert est.eval_dir("validation") == os.path.join(str(tmp_path), "eval_validation")


def test_evaluate_steps_stops_early_and_logs_progress(tmp_path):
    est = make(tmp_path)
    est.train(train_fn(), steps=5)
    with captured_log() as log:
        est.evaluate(eval_fn(batch_size=10), steps=3)
    assert [m for m in log if m.startswith("Evaluation [")] == [
        "Evaluation [1/3]", "Evaluation [2/3]", "Evaluation [3/3]"]
    with pytest.raises(ValueError, match="Must specify steps > 0, given: 0"):
        est.evaluate(eval_fn(), steps=0)


def test_predict_single_examples_batches_and_keys(tmp_path):
    est = make(tmp_path)
    est.train(train_fn(), steps=150)
    fn = tf.estimator.inputs.numpy_input_fn({"x": X[:5]}, batch_size=2, shuffle=False)
    single = list(est.predict(fn))
    assert len(single) == 5 and sorted(single[0]) == ["twice", "y"]
    np.testing.assert_allclose([p["y"] for p in single], Y[:5], atol=1e-3)
    batches = list(est.predict(fn, predict_keys=["y"], yield_single_examples=False))
    assert [b["y"].shape for b in batches] == [(2, 1), (2, 1), (1, 1)]
    assert sorted(batches[0]) == ["y"]
    with pytest.raises(ValueError, match="Expected to run at least one output"):
        list(est.predict(fn, predict_keys=["nope"]))


def test_a_new_estimator_resumes_from_model_dir(tmp_path):
    make(tmp_path).train(train_fn(), steps=30)
    again = make(tmp_path)
    again.train(train_fn(), steps=20)
    assert again.get_variable_value("global_step") == 50
    with captured_log() as log:
        again.train(train_fn(), max_steps=40)
    assert "Skipping training since max_steps has already saved." in log
    again.train(train_fn(), max_steps=60)
    assert again.get_variable_value("global_step") == 60
    saved = [p for p in os.listdir(str(tmp_path)) if p.endswith(".index")]
    assert sorted(saved) == ["model.ckpt-0.index", "model.ckpt-30.index",
                             "model.ckpt-50.index", "model.ckpt-60.index"]


def test_training_ends_when_the_input_runs_out(tmp_path):
    est = make(tmp_path)
    est.train(train_fn(batch_size=30, num_epochs=2, shuffle=False))
    assert est.get_variable_value("global_step") == 14  # 2 epochs of 200 in 7 batches


def test_train_log_lines_and_files(tmp_path):
    est = make(tmp_path, log_step_count_steps=10, save_summary_steps=5)
    with captured_log() as log:
        est.train(train_fn(), steps=25)
    assert f"Saving checkpoints for 0 into {tmp_path}/model.ckpt." in log
    assert f"Saving checkpoints for 25 into {tmp_path}/model.ckpt." in log
    losses = [m for m in log if m.startswith("loss = ")]
    assert re.fullmatch(r"loss = [0-9.e+-]+, step = 1", losses[0])
    assert re.fullmatch(r"loss = [0-9.e+-]+, step = 11 \(\d+\.\d{3} sec\)", losses[1])
    assert len([m for m in log if m.startswith("global_step/sec: ")]) == 2
    assert any(re.fullmatch(r"Loss for final step: [0-9.e+-]+\.", m) for m in log)
    found = scalars(str(tmp_path))
    assert [s for s, _ in found["loss"]] == [1, 6, 11, 16, 21]
    assert "global_step/sec" in found
    assert (tmp_path / "graph.pbtxt").is_file() and (tmp_path / "checkpoint").is_file()


def test_checkpoint_frequency_and_retention_follow_run_config(tmp_path):
    est = make(tmp_path, save_checkpoints_steps=10, keep_checkpoint_max=2)
    est.train(train_fn(), steps=35)
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == [
        "model.ckpt-30", "model.ckpt-35"]


def test_model_fn_may_take_any_subset_of_its_arguments(tmp_path):
    seen = {}

    def model_fn(features, mode, config):
        seen["mode"], seen["config"] = mode, config
        w = tf.Variable(1.0)
        return tf.estimator.EstimatorSpec(mode, predictions=features * w)

    est = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    out = list(est.predict(lambda: tf.data.Dataset.from_tensor_slices(
        np.arange(3, dtype=np.float32)).batch(2)))
    assert out == [0.0, 1.0, 2.0]
    assert seen["mode"] == "infer" and seen["config"].model_dir == str(tmp_path)


def test_input_fn_may_return_a_dataset_and_take_params(tmp_path):
    def input_fn(params):
        ds = tf.data.Dataset.from_tensor_slices(({"x": X}, Y))
        return ds.batch(params["batch"]).repeat()

    def model_fn(features, labels, mode, params):
        return linear_model_fn(features, labels, mode, params)

    est = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path),
                                 params={"learning_rate": 0.1, "batch": 40})
    est.train(input_fn, steps=100)
    np.testing.assert_allclose(est.get_variable_value("linear/kernel"), TRUE_W, atol=1e-3)


def test_model_fn_and_constructor_errors(tmp_path):
    with pytest.raises(ValueError, match="must include features argument"):
        tf.estimator.Estimator(lambda labels, mode: None)
    with pytest.raises(ValueError, match="does not include params argument"):
        tf.estimator.Estimator(lambda features, mode: None, params={"a": 1})
    with pytest.raises(ValueError, match=r"has following not expected args: \['extra'\]"):
        tf.estimator.Estimator(lambda features, extra: None)
    with pytest.raises(ValueError, match="`model_dir` are set both in constructor and "
                                         "`RunConfig`"):
        tf.estimator.Estimator(lambda features: None, model_dir="/tmp/a",
                               config=tf.estimator.RunConfig(model_dir="/tmp/b"))
    with captured_log(level=tf.logging.WARN) as log:
        est = tf.estimator.Estimator(lambda features, labels, mode: None)
    assert os.path.isdir(est.model_dir)
    assert f"Using temporary folder as model directory: {est.model_dir}" in log

    est = tf.estimator.Estimator(lambda features, mode: None, model_dir=str(tmp_path))
    with pytest.raises(ValueError, match="model_fn does not take labels, but input_fn returns "
                                         "labels"):
        est.train(train_fn(), steps=1)
    with pytest.raises(ValueError, match="Could not find trained model in model_dir"):
        est.get_variable_value("x")
    with pytest.raises(ValueError, match="Can not provide both steps and max_steps"):
        est.train(train_fn(), steps=1, max_steps=2)
    with pytest.raises(ValueError, match="Must specify steps > 0, given: 0"):
        est.train(train_fn(), steps=0)
    bad = tf.estimator.Estimator(lambda features, labels: 3, model_dir=str(tmp_path))
    with pytest.raises(ValueError, match="model_fn should return an EstimatorSpec"):
        bad.train(train_fn(), steps=1)


def test_loss_is_reserved_in_eval_metric_ops(tmp_path):
    def model_fn(features, labels, mode):
        loss = tf.reduce_mean(features["x"]) * tf.Variable(1.0)
        return tf.estimator.EstimatorSpec(mode, loss=loss,
                                          eval_metric_ops={"loss": tf.metrics.mean(loss)})

    est = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    with pytest.raises(ValueError, match='Metric with name "loss" is not allowed'):
        est.evaluate(eval_fn())


def test_hooks_and_saving_listeners_reach_training(tmp_path):
    class Listener(tf.train.CheckpointSaverListener):
        steps = []

        def after_save(self, session, global_step_value):
            self.steps.append(global_step_value)

    hook = tf.train.LoggingTensorHook({"k": "linear/kernel"}, every_n_iter=5)
    est = make(tmp_path, save_checkpoints_steps=4)
    with captured_log() as log:
        est.train(train_fn(), steps=10, hooks=[hook], saving_listeners=[Listener()])
    assert Listener.steps == [0, 4, 8, 10]
    assert len([m for m in log if m.startswith("k = ")]) == 2
    with pytest.raises(TypeError, match="Hooks must be a SessionRunHook"):
        est.train(train_fn(), steps=1, hooks=[object()])


def test_warm_start_from_another_models_checkpoint(tmp_path):
    source = make(tmp_path / "source")
    source.train(train_fn(), steps=150)
    warm = tf.estimator.Estimator(linear_model_fn, model_dir=str(tmp_path / "warm"),
                                  params={"learning_rate": 1e-9},
                                  warm_start_from=str(tmp_path / "source"))
    warm.train(train_fn(), steps=1)
    np.testing.assert_allclose(warm.get_variable_value("linear/kernel"), TRUE_W, atol=1e-3)
    assert warm.get_variable_value("global_step") == 1


def test_same_seed_gives_identical_training(tmp_path):
    values = []
    for name in ("a", "b"):
        est = make(tmp_path / name, tf_random_seed=7)
        est.train(train_fn(), steps=3)
        values.append(est.get_variable_value("linear/kernel"))
    np.testing.assert_array_equal(values[0], values[1])


def test_evaluate_and_predict_without_a_checkpoint_use_initial_values(tmp_path):
    def model_fn(features, labels, mode):
        w = tf.get_variable("w", [], initializer=tf.constant_initializer(2.0))
        prediction = features["x"][:, 0] * w
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions=prediction)
        loss = tf.reduce_mean(tf.square(prediction - labels[:, 0]))
        return tf.estimator.EstimatorSpec(mode, loss=loss)

    est = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    with captured_log() as log:
        results = est.evaluate(eval_fn())
    assert results["global_step"] == 0
    assert results["loss"] == pytest.approx(np.mean((2 * X[:, 0] - Y[:, 0]) ** 2), rel=1e-4)
    assert (f"Could not find trained model in model_dir: {tmp_path}, running initialization "
            f"to evaluate.") in log
    import itertools
    with captured_log(level=tf.logging.WARN) as log:
        forever = est.predict(lambda: {"x": tf.constant(X[:2])})
        assert list(itertools.islice(forever, 5)) == pytest.approx(
            [2 * X[0, 0], 2 * X[1, 0]] * 2 + [2 * X[0, 0]])
        forever.close()
    assert any("predict yields forever" in m for m in log)


def test_model_fn_may_be_a_partial_or_a_callable_object(tmp_path):
    import functools

    def scaled_fn(features, labels, mode, params, scale):
        spec = linear_model_fn(features, labels, mode, params)
        return spec._replace(loss=spec.loss * scale) if mode == "eval" else spec

    class ModelFn:
        def __call__(self, features, labels, mode, params):
            return linear_model_fn(features, labels, mode, params)

    for i, fn in enumerate([functools.partial(scaled_fn, scale=2.0), ModelFn()]):
        est = tf.estimator.Estimator(fn, model_dir=str(tmp_path / str(i)),
                                     params={"learning_rate": 0.1})
        est.train(train_fn(), steps=2)
        assert est.get_variable_value("global_step") == 2


def test_predict_spec_completes_its_export_outputs_as_tensorflow():
    """TF 1.15's EstimatorSpec in PREDICT mode: no export_outputs gives a PredictOutput of
    the predictions under serving_default; a lone output is also the default; several with
    none named serving_default are refused."""
    export = tf.estimator.export
    default = tf.saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY
    with tf.Graph().as_default():
        y = tf.constant([1.0])
        spec = tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.PREDICT, predictions={"y": y})
        assert list(spec.export_outputs) == [default]
        assert spec.export_outputs[default].outputs == {"y": y}
        lone = export.RegressionOutput(y)
        spec = tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.PREDICT, predictions=y,
                                          export_outputs={"regress": lone})
        assert spec.export_outputs == {"regress": lone, default: lone}
        with pytest.raises(ValueError, match="none of them is specified as the default"):
            tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.PREDICT, predictions=y,
                                       export_outputs={"a": lone, "b": lone})
        with pytest.raises(TypeError, match="ExportOutput objects"):
            tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.PREDICT, predictions=y,
                                       export_outputs={"a": y})
        train = tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.EVAL, loss=tf.constant(0.0))
        assert train.export_outputs is None


def test_logged_steps_are_the_steps_after_each_run_as_in_tf(tmp_path):
    """TF logs the global step variable fetched with the train op: 1, 11, 21, and after a
    resume 26, 36 (fixture from real TF: make_estimator_log_steps_reference.py)."""
    with open(os.path.join(os.path.dirname(__file__), "..", "fixtures",
                           "estimator_log_steps_reference.json")) as f:
        expected = json.load(f)
    est = make(tmp_path, log_step_count_steps=10)

    def steps(log):
        return [int(re.match(r"loss = [0-9.e+-]+, step = (\d+)", m).group(1))
                for m in log if m.startswith("loss = ")]
    with captured_log() as log:
        est.train(train_fn(), steps=25)
    assert steps(log) == expected["first"]
    with captured_log() as log:
        est.train(train_fn(), steps=15)
    assert steps(log) == expected["resumed"]
