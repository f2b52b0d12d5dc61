"""tf.estimator.train_and_evaluate (local), TrainSpec and EvalSpec."""
import os

import pytest

import tensorweave as tf

pytest.importorskip("tensorboard", reason="Estimator checkpoints/summaries need the extras")

from hook_helpers import captured_log, scalars  # noqa: E402
from test_estimator import eval_fn, make, train_fn  # noqa: E402


def test_train_and_evaluate_evaluates_each_new_checkpoint(tmp_path):
    est = make(tmp_path, save_checkpoints_steps=40)
    train_spec = tf.estimator.TrainSpec(train_fn(), max_steps=100)
    eval_spec = tf.estimator.EvalSpec(eval_fn(), steps=None, throttle_secs=0)
    with captured_log() as log:
        metrics, exports = tf.estimator.train_and_evaluate(est, train_spec, eval_spec)
    assert exports == []
    assert metrics["global_step"] == 100 and metrics["loss"] < 1e-3
    evaluated = [m.split(":")[0] for m in log if m.startswith("Saving dict for global step")]
    assert evaluated == ["Saving dict for global step 40", "Saving dict for global step 80",
                         "Saving dict for global step 100"]
    steps = [s for s, _ in scalars(os.path.join(str(tmp_path), "eval"))["loss"]]
    assert steps == [40, 80, 100]
    assert "Running training and evaluation locally (non-distributed)." in log


def test_throttle_secs_skips_evaluations_but_not_the_last(tmp_path):
    est = make(tmp_path, save_checkpoints_steps=10)
    train_spec = tf.estimator.TrainSpec(train_fn(), max_steps=30)
    eval_spec = tf.estimator.EvalSpec(eval_fn(), steps=1, name="quick", throttle_secs=3600)
    with captured_log() as log:
        metrics, _ = tf.estimator.train_and_evaluate(est, train_spec, eval_spec)
    assert metrics["global_step"] == 30
    assert len([m for m in log if m.startswith("Saving dict for global step")]) == 2  # 10, 30
    assert any(m.startswith("Skip the current checkpoint eval due to throttle secs") for m in log)
    assert os.path.isdir(est.eval_dir("quick"))


def test_spec_validation():
    with pytest.raises(TypeError, match="`input_fn` must be callable, given: 3"):
        tf.estimator.TrainSpec(3)
    with pytest.raises(ValueError, match="Must specify max_steps > 0, given: 0"):
        tf.estimator.TrainSpec(train_fn(), max_steps=0)
    with pytest.raises(TypeError, match="All hooks must be SessionRunHook instances"):
        tf.estimator.TrainSpec(train_fn(), hooks=[1])
    with pytest.raises(ValueError, match="Must specify steps > 0, given: -1"):
        tf.estimator.EvalSpec(eval_fn(), steps=-1)
    with pytest.raises(TypeError, match="`name` must be string, given: 3"):
        tf.estimator.EvalSpec(eval_fn(), name=3)
    with pytest.raises(ValueError, match="Must specify throttle_secs >= 0"):
        tf.estimator.EvalSpec(eval_fn(), throttle_secs=-1)
    spec = tf.estimator.EvalSpec(eval_fn())
    assert (spec.steps, spec.start_delay_secs, spec.throttle_secs) == (100, 120, 600)
    with pytest.raises(TypeError, match="`estimator` must have type `tf.estimator.Estimator`"):
        tf.estimator.train_and_evaluate(object(), tf.estimator.TrainSpec(train_fn()), spec)
