"""tf.train's SessionRunHooks, each run inside a MonitoredSession on a small known model."""
import re

import pytest

import tensorweave as tf

pytest.importorskip("tensorboard", reason="checkpoint/summary hooks need the protobuf extras")

from hook_helpers import captured_log, counter_model, events, scalars  # noqa: E402


def _run(hooks, steps=None, **session_kwargs):
    """Runs the train op until a hook stops (or `steps` runs); returns the number of runs."""
    train_op = tf.get_collection("train_op_for_test")[0]
    runs = 0
    with tf.train.MonitoredSession(hooks=hooks, **session_kwargs) as sess:
        while not sess.should_stop() and (steps is None or runs < steps):
            sess.run(train_op)
            runs += 1
    return runs


@pytest.fixture
def model():
    step, x, loss, train_op = counter_model()
    tf.add_to_collection("train_op_for_test", train_op)
    return step, x, loss, train_op


def test_second_or_step_timer_triggers_every_n_steps():
    timer = tf.train.SecondOrStepTimer(every_steps=3)
    assert timer.should_trigger_for_step(0)
    assert timer.update_last_triggered_step(0) == (None, None)
    assert [s for s in range(1, 10) if timer.should_trigger_for_step(s)] == list(range(3, 10))
    elapsed, steps = timer.update_last_triggered_step(3)
    assert steps == 3 and elapsed >= 0
    assert not timer.should_trigger_for_step(3) and not timer.should_trigger_for_step(5)
    assert timer.should_trigger_for_step(6) and timer.last_triggered_step() == 3
    with pytest.raises(ValueError, match="Either every_secs or every_steps"):
        tf.train.SecondOrStepTimer(every_secs=1, every_steps=1)


def test_logging_tensor_hook_logs_named_tensors_every_n_iter(model):
    step, x, loss, _ = model
    tf.add(x, 0.0, name="x_now")  # a computed tensor: read before the update in the run
    hook = tf.train.LoggingTensorHook({"x": "x_now:0", "loss": loss}, every_n_iter=2)
    with captured_log() as log:
        _run([hook], steps=5)
    lines = [m for m in log if m.startswith("loss = ")]
    assert len(lines) == 3  # iterations 0, 2, 4
    # sorted tags; values before each update: x = 3, 2.6, 2.28 ...
    assert lines[0] == "loss = 4.0, x = 3.0"
    assert re.fullmatch(r"loss = 1\.6384\d*, x = 2\.28\d* \(\d+\.\d{3} sec\)", lines[1])


def test_logging_tensor_hook_list_of_names_keeps_order_and_formatter(model):
    tf.add(model[1], 0.0, name="x_now")
    hook = tf.train.LoggingTensorHook(["x_now", "loss"], every_n_iter=10,
                                      formatter=lambda v: "custom %.1f %.1f" % (v["x_now"],
                                                                                v["loss"]))
    with captured_log() as log:
        _run([hook], steps=1)
    assert "custom 3.0 4.0" in log


def test_logging_tensor_hook_at_end_only(model):
    hook = tf.train.LoggingTensorHook({"x": "x"}, at_end=True)
    with captured_log() as log:
        _run([hook], steps=3)
    assert [m for m in log if m.startswith("x = ")] == ["x = 2.024"]


def test_logging_tensor_hook_argument_errors(model):
    with pytest.raises(ValueError, match="exactly one of every_n_iter and every_n_secs"):
        tf.train.LoggingTensorHook({"x": "x"})
    with pytest.raises(ValueError, match="invalid every_n_iter"):
        tf.train.LoggingTensorHook({"x": "x"}, every_n_iter=0)
    hook = tf.train.LoggingTensorHook({"x": "no_such_op"}, every_n_iter=1)
    with pytest.raises((KeyError, ValueError)):
        hook.begin()


def test_stop_at_step_hook_num_steps_and_last_step(model):
    step = model[0]
    assert _run([tf.train.StopAtStepHook(num_steps=4)]) == 4
    assert _run([tf.train.StopAtStepHook(last_step=7)]) == 7
    with pytest.raises(ValueError, match="One of num_steps or last_step"):
        tf.train.StopAtStepHook()
    with pytest.raises(ValueError, match="Only one of num_steps or last_step"):
        tf.train.StopAtStepHook(num_steps=1, last_step=2)
    del step


def test_stop_at_step_hook_counts_from_the_restored_step(model, tmp_path):
    step = model[0]
    hooks = [tf.train.StopAtStepHook(num_steps=3),
             tf.train.CheckpointSaverHook(str(tmp_path), save_steps=100)]
    _run(hooks)
    hooks = [tf.train.StopAtStepHook(num_steps=3)]
    with tf.train.MonitoredSession(tf.train.ChiefSessionCreator(checkpoint_dir=str(tmp_path)),
                                   hooks=hooks) as sess:
        values = []
        while not sess.should_stop():
            values.append(sess.run([model[3], step])[1])
    assert values == [4, 5, 6]


def test_stop_at_step_hook_needs_a_global_step():
    x = tf.Variable(1.0)
    with pytest.raises(RuntimeError, match="Global step should be created to use "
                                           "StopAtStepHook"):
        tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(num_steps=1)])
    del x


class _Listener(tf.train.CheckpointSaverListener):
    def __init__(self, stop_at=None):
        self.calls = []
        self.stop_at = stop_at

    def begin(self):
        self.calls.append("begin")

    def before_save(self, session, global_step_value):
        self.calls.append(("before", global_step_value))

    def after_save(self, session, global_step_value):
        self.calls.append(("after", global_step_value))
        return global_step_value == self.stop_at

    def end(self, session, global_step_value):
        self.calls.append(("end", global_step_value))


def test_checkpoint_saver_hook_saves_at_start_every_n_steps_and_end(model, tmp_path):
    listener = _Listener()
    hook = tf.train.CheckpointSaverHook(str(tmp_path), save_steps=3, listeners=[listener])
    with captured_log() as log:
        _run([hook, tf.train.StopAtStepHook(last_step=7)])
    state = tf.train.get_checkpoint_state(str(tmp_path))
    saved = [int(p.rsplit("-", 1)[1]) for p in state.all_model_checkpoint_paths]
    assert saved == [0, 3, 6, 7]
    assert f"Saving checkpoints for 3 into {tmp_path}/model.ckpt." in log
    assert listener.calls == ["begin", ("before", 0), ("after", 0), ("before", 3), ("after", 3),
                              ("before", 6), ("after", 6), ("before", 7), ("after", 7),
                              ("end", 7)]
    assert (tmp_path / "graph.pbtxt").read_text().startswith("node {")
    assert tf.train.load_variable(str(tmp_path), "x") == pytest.approx(
        1 + 2 * 0.8 ** 7, rel=1e-5)
    kinds = [e.WhichOneof("what") for e in events(str(tmp_path))]
    assert "graph_def" in kinds and kinds.count("session_log") == 4


def test_checkpoint_saver_listener_can_stop_training(model, tmp_path):
    hook = tf.train.CheckpointSaverHook(str(tmp_path), save_steps=2,
                                        listeners=[_Listener(stop_at=4)])
    assert _run([hook], steps=100) == 4


def test_checkpoint_saver_hook_argument_errors(model, tmp_path):
    with pytest.raises(ValueError, match="Either every_secs or every_steps"):
        tf.train.CheckpointSaverHook(str(tmp_path))
    with pytest.raises(ValueError, match="cannot provide both saver and scaffold"):
        tf.train.CheckpointSaverHook(str(tmp_path), save_steps=1, saver=tf.train.Saver(),
                                     scaffold=tf.train.Scaffold())


def test_summary_saver_hook_writes_every_n_steps(model, tmp_path):
    loss = model[2]
    summary = tf.summary.scalar("loss_summary", loss)
    hook = tf.train.SummarySaverHook(save_steps=2, output_dir=str(tmp_path), summary_op=summary)
    _run([hook], steps=5)
    got = scalars(str(tmp_path))["loss_summary"]
    assert [s for s, _ in got] == [1, 3, 5]  # written under the step after the update
    assert got[0][1] == pytest.approx(4.0) and got[1][1] == pytest.approx(0.4096 * 4, rel=1e-5)
    starts = [e for e in events(str(tmp_path)) if e.HasField("session_log")]
    assert len(starts) == 1 and starts[0].session_log.status == tf.summary.SessionLog.START
    with pytest.raises(ValueError, match="Exactly one of scaffold or summary_op"):
        tf.train.SummarySaverHook(save_steps=1, output_dir=str(tmp_path))


def test_step_counter_hook_logs_and_records_steps_per_second(model, tmp_path):
    hook = tf.train.StepCounterHook(every_n_steps=2, output_dir=str(tmp_path))
    with captured_log() as log:
        _run([hook], steps=5)
    rates = [m for m in log if m.startswith("global_step/sec: ")]
    assert len(rates) == 2 and float(rates[0].split(": ")[1]) > 0
    recorded = scalars(str(tmp_path))["global_step/sec"]
    assert [s for s, _ in recorded] == [3, 5]


def test_nan_tensor_hook_raises_or_stops():
    step = tf.train.get_or_create_global_step()
    x = tf.Variable(1.0)
    loss = tf.log(x - 2.0)  # log(-1) = NaN
    train_op = tf.assign_add(step, 1)
    with pytest.raises(tf.train.NanLossDuringTrainingError, match="NaN loss during training"):
        with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(loss)]) as sess:
            sess.run(train_op)
    with captured_log(level=tf.logging.WARN) as log:
        with tf.train.MonitoredSession(
                hooks=[tf.train.NanTensorHook(loss, fail_on_nan_loss=False)]) as sess:
            sess.run(train_op)
            assert sess.should_stop()
    assert "Model diverged with loss = NaN." in log
    del x


def test_final_ops_and_feed_fn_hooks(model):
    step, x, _, _ = model
    fed = tf.placeholder(tf.float32, [], name="fed")
    total = tf.Variable(0.0, name="total")
    add = tf.assign_add(total, fed)
    final = tf.train.FinalOpsHook({"total": total, "x": x})
    values = iter([1.0, 2.0, 4.0])
    feed = tf.train.FeedFnHook(lambda: {fed: next(values)})
    with tf.train.MonitoredSession(hooks=[final, feed]) as sess:
        for _ in range(3):
            sess.run(add)
    assert final.final_ops_values == {"total": 7.0, "x": 3.0}
    del step


def test_hooks_are_exported_under_tf_estimator_too():
    assert tf.estimator.LoggingTensorHook is tf.train.LoggingTensorHook
    assert tf.estimator.SessionRunHook is tf.train.SessionRunHook
    assert tf.estimator.NanLossDuringTrainingError is tf.train.NanLossDuringTrainingError


def test_final_ops_hook_warns_when_its_ops_read_the_exhausted_input():
    value = tf.data.Dataset.range(1).make_one_shot_iterator().get_next()
    final = tf.train.FinalOpsHook(value)
    with captured_log(level=tf.logging.WARN) as log:
        with pytest.raises(tf.errors.OutOfRangeError):
            sess = tf.train.MonitoredSession(hooks=[final])
            sess.run(value)
            sess.close()
    assert any("An OutOfRangeError or StopIteration exception is raised" in m for m in log)
