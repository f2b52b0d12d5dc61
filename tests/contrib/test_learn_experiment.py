"""contrib.learn's Experiment and learn_runner (TF 1.15 semantics). TF 2.15 has no contrib, so
the numbers are checked against the same estimator's own fit/evaluate (train/evaluate for a
core Estimator): an Experiment must train and evaluate exactly as those calls do."""
import os

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.contrib import learn
from tensorweave.contrib.learn import learn_runner


def _data():
    rng = np.random.RandomState(0)
    x = rng.randn(40, 3).astype(np.float32)
    y = (x[:, 0] - x[:, 2] > 0).astype(np.int64)
    return x, y


def _input_fn():
    x, y = _data()
    return tf.constant(x), tf.constant(y)


def _classifier(model_dir, config=None):
    x, _ = _data()
    return learn.LinearClassifier(feature_columns=learn.infer_real_valued_columns_from_input(x),
                                  model_dir=model_dir, config=config)


def _direct(model_dir, steps, eval_steps):
    est = _classifier(model_dir)
    est.fit(input_fn=_input_fn, steps=steps)
    return est.evaluate(input_fn=_input_fn, steps=eval_steps)


def test_train_and_evaluate_matches_fit_and_evaluate(tmp_path):
    est = _classifier(str(tmp_path / "exp"))
    exp = learn.Experiment(est, train_input_fn=_input_fn, eval_input_fn=_input_fn,
                           train_steps=20, eval_steps=2)
    result = exp.train_and_evaluate()
    assert isinstance(result, tuple) and len(result) == 2
    eval_result, export_results = result
    assert export_results == []
    assert eval_result["global_step"] == 20
    expected = _direct(str(tmp_path / "direct"), 20, 2)
    for key in ("loss", "accuracy", "auc"):
        assert eval_result[key] == expected[key], key
    assert os.path.isdir(os.path.join(str(tmp_path / "exp"), "eval"))


def test_properties_and_train_steps(tmp_path):
    est = _classifier(str(tmp_path))
    exp = learn.Experiment(est, _input_fn, _input_fn, train_steps=7, eval_steps=3)
    assert exp.estimator is est and exp.train_steps == 7 and exp.eval_steps == 3
    assert exp.eval_metrics is None
    assert exp.train() is est
    assert est.get_variable_value("global_step") == 7
    exp.train()  # max_steps already reached: no more steps
    assert est.get_variable_value("global_step") == 7
    result = exp.evaluate(delay_secs=0)
    assert result["global_step"] == 7
    assert os.path.isdir(os.path.join(str(tmp_path), "eval_one_pass"))


def test_eval_metrics_reach_contrib_evaluate(tmp_path):
    def batch_accuracy(predictions, labels):  # TF 1.x's bare metric function: a tensor
        return tf.reduce_mean(tf.cast(tf.equal(predictions, labels), tf.float32))

    metrics = {"acc_spec": learn.MetricSpec(metric_fn=tf.metrics.accuracy,
                                            prediction_key="classes"),
               ("acc_bare", "classes"): batch_accuracy}
    exp = learn.Experiment(_classifier(str(tmp_path)), _input_fn, _input_fn,
                           eval_metrics=metrics, train_steps=10, eval_steps=1)
    result, _ = exp.train_and_evaluate()
    assert result["acc_spec"] == result["accuracy"]
    assert abs(result["acc_bare"] - result["accuracy"]) < 1e-7


def test_continuous_train_and_eval_rounds(tmp_path):
    rounds = []
    exp = learn.Experiment(_classifier(str(tmp_path / "exp")), _input_fn, _input_fn,
                           train_steps=20, eval_steps=1, train_steps_per_iteration=5)
    result, exports = exp.continuous_train_and_eval(
        continuous_eval_predicate_fn=lambda r: rounds.append(r) or True)
    assert [r and r["global_step"] for r in rounds] == [None, 5, 10, 15, 20]
    assert result["global_step"] == 20 and exports == []
    expected = _direct(str(tmp_path / "direct"), 20, 1)
    assert result["loss"] == expected["loss"]


def test_continuous_eval_stops(tmp_path):
    est = _classifier(str(tmp_path))
    exp = learn.Experiment(est, _input_fn, _input_fn, train_steps=6, eval_steps=1)
    exp.train()
    seen = []

    def predicate(eval_results, checkpoint_path):
        seen.append((eval_results, checkpoint_path))
        return True

    # train_steps reached: one evaluation of the last checkpoint, then it returns
    exp.continuous_eval(delay_secs=0, throttle_delay_secs=0,
                        continuous_eval_predicate_fn=predicate)
    assert len(seen) == 2 and seen[0] == (None, None)
    assert seen[1][0]["global_step"] == 6
    assert seen[1][1] == est.latest_checkpoint()
    assert os.path.isdir(os.path.join(str(tmp_path), "eval_continuous"))
    # no train_steps: only the predicate ends it
    calls = []
    exp2 = learn.Experiment(est, _input_fn, _input_fn, eval_steps=1)
    exp2.continuous_eval_on_train_data(
        delay_secs=0, throttle_delay_secs=0,
        continuous_eval_predicate_fn=lambda r: calls.append(r) or len(calls) < 3)
    assert calls[0] is None and calls[1]["global_step"] == 6
    assert calls[2] == {}  # the same checkpoint is not evaluated twice
    with pytest.raises(ValueError, match="must be a callable, or None"):
        exp2.continuous_eval(delay_secs=0, continuous_eval_predicate_fn=3)


def test_test_schedule_and_export_strategies(tmp_path):
    exported = []

    def export_fn(estimator, export_path, checkpoint_path, eval_result):
        exported.append((export_path, checkpoint_path, eval_result["global_step"]))
        return b"made:" + os.path.basename(export_path)

    strategy = learn.ExportStrategy("serving", export_fn)
    exp = learn.Experiment(_classifier(str(tmp_path)), _input_fn, _input_fn,
                           train_steps=4, eval_steps=1, export_strategies=strategy)
    assert exp.test()["global_step"] == 1
    _, exports = exp.train_and_evaluate()
    assert exports == [b"made:serving"]  # TF passes the export path as bytes
    assert exported[-1] == (os.path.join(os.fsencode(tmp_path), b"export", b"serving"), None, 4)
    with pytest.raises(ValueError, match="must be an ExportStrategy"):
        exp.reset_export_strategies(["not a strategy"])


def test_checkpoint_and_export(tmp_path):
    config = learn.RunConfig(save_checkpoints_steps=5, save_checkpoints_secs=None)
    exp = learn.Experiment(_classifier(str(tmp_path), config), _input_fn, _input_fn,
                           train_steps=10, eval_steps=1, checkpoint_and_export=True)
    result, exports = exp.train_and_evaluate()
    assert result["global_step"] == 10 and exports == []
    assert os.path.isdir(os.path.join(str(tmp_path), "eval_intermediate_export"))


def _core_model_fn(features, labels, mode):
    w = tf.get_variable("w", [3, 1], initializer=tf.zeros_initializer())
    logits = tf.matmul(features, w)[:, 0]
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.cast(labels, tf.float32), logits=logits))
    train_op = tf.train.GradientDescentOptimizer(0.5).minimize(
        loss, global_step=tf.train.get_global_step())
    predictions = tf.cast(logits > 0, tf.int64)
    return tf.estimator.EstimatorSpec(
        mode, predictions=predictions, loss=loss, train_op=train_op,
        eval_metric_ops={"accuracy": tf.metrics.accuracy(labels, predictions)})


def test_core_estimator(tmp_path):
    est = tf.estimator.Estimator(_core_model_fn, model_dir=str(tmp_path / "exp"))
    exp = learn.Experiment(est, _input_fn, _input_fn, train_steps=15, eval_steps=1)
    result, exports = exp.train_and_evaluate()
    direct = tf.estimator.Estimator(_core_model_fn, model_dir=str(tmp_path / "direct"))
    direct.train(_input_fn, max_steps=15)
    expected = direct.evaluate(_input_fn, steps=1)
    assert result["global_step"] == 15 and exports == []
    assert result["loss"] == expected["loss"] and result["accuracy"] == expected["accuracy"]
    with pytest.raises(ValueError, match="`eval_metrics` must be `None`"):
        learn.Experiment(est, _input_fn, _input_fn, eval_metrics={"a": tf.metrics.mean})


def test_argument_errors(tmp_path):
    est = _classifier(str(tmp_path))
    with pytest.raises(ValueError, match="must implement `tf.contrib.learn.Evaluable`"):
        learn.Experiment(learn.SKCompat(est), _input_fn, _input_fn)
    with pytest.raises(ValueError, match="`saving_listeners` must be `None`"):
        learn.Experiment(est, _input_fn, _input_fn, saving_listeners=[])
    with pytest.raises(ValueError, match="must be an integer"):
        learn.Experiment(est, _input_fn, _input_fn, train_steps_per_iteration=2.5)
    with pytest.raises(NotImplementedError, match="Horovod"):
        learn.Experiment(est, _input_fn, _input_fn).run_std_server()


def test_learn_runner_output_dir(tmp_path):
    def experiment_fn(output_dir):
        return learn.Experiment(_classifier(output_dir), _input_fn, _input_fn,
                                train_steps=5, eval_steps=1)

    result, exports = learn_runner.run(experiment_fn, output_dir=str(tmp_path))
    assert result["global_step"] == 5 and exports == []  # default: train_and_evaluate
    est = learn_runner.run(experiment_fn, output_dir=str(tmp_path / "t"), schedule="train")
    assert est.get_variable_value("global_step") == 5
    with pytest.raises(ValueError, match="Schedule references non-existent task bogus"):
        learn_runner.run(experiment_fn, output_dir=str(tmp_path), schedule="bogus")
    with pytest.raises(TypeError, match="non-callable member train_steps"):
        learn_runner.run(experiment_fn, output_dir=str(tmp_path), schedule="train_steps")
    with pytest.raises(ValueError, match="Must set `hparams` as None"):
        learn_runner.run(experiment_fn, output_dir=str(tmp_path),
                         hparams=tf.contrib.training.HParams(a=1))


def test_learn_runner_run_config(tmp_path):
    seen = {}

    def experiment_fn(run_config, hparams):
        seen["hparams"] = hparams
        run_config = run_config.replace(save_checkpoints_steps=2)  # allowed: not in the uid
        return learn.Experiment(_classifier(None, run_config), _input_fn, _input_fn,
                                train_steps=hparams.steps, eval_steps=1)

    config = learn.RunConfig(model_dir=str(tmp_path))
    hparams = tf.contrib.training.HParams(steps=6)
    result, _ = learn_runner.run(experiment_fn, run_config=config, hparams=hparams)
    assert seen["hparams"] is hparams and result["global_step"] == 6
    with pytest.raises(ValueError, match="Cannot provide both"):
        learn_runner.run(experiment_fn, output_dir="x", run_config=config)
    with pytest.raises(ValueError, match="Must set value for `output_dir` or `run_config`"):
        learn_runner.run(experiment_fn)
    with pytest.raises(ValueError, match="Must specify a model directory"):
        learn_runner.run(experiment_fn, run_config=learn.RunConfig())

    def other_config_fn(run_config, hparams):
        other = learn.RunConfig(model_dir=str(tmp_path / "elsewhere"))
        return learn.Experiment(_classifier(None, other), _input_fn, _input_fn)

    with pytest.raises(RuntimeError, match="expected to be used by the `Estimator`"):
        learn_runner.run(other_config_fn, run_config=config)


def test_module_paths():
    from tensorweave.contrib.learn.python.learn import experiment, learn_runner as runner
    from tensorweave.contrib.learn.python.learn.estimators import run_config
    assert experiment.Experiment is learn.Experiment
    assert runner.run is learn_runner.run is tf.contrib.learn.learn_runner.run
    assert run_config.RunConfig is learn.RunConfig
