"""MonitoredSession, MonitoredTrainingSession, SingularMonitoredSession, Scaffold and
ChiefSessionCreator: initialization, restoring, hooks, and the end of input."""
import pytest

import tensorweave as tf

pytest.importorskip("tensorboard", reason="checkpoints and summaries need the protobuf extras")

from hook_helpers import counter_model, events, scalars  # noqa: E402


class _Recorder(tf.train.SessionRunHook):
    """Records the calls it gets and fetches `fetches` in every run."""

    def __init__(self, fetches=None, feeds=None, stop_after=None):
        self.calls = []
        self.results = []
        self.fetches = fetches
        self.feeds = feeds
        self.stop_after = stop_after

    def begin(self):
        self.calls.append(("begin", tf.get_default_graph().finalized))

    def after_create_session(self, session, coord):
        self.calls.append(("after_create_session", isinstance(session, tf.Session)))

    def before_run(self, run_context):
        self.calls.append("before_run")
        if self.fetches is None and self.feeds is None:
            return None
        return tf.train.SessionRunArgs(self.fetches, feed_dict=self.feeds)

    def after_run(self, run_context, run_values):
        self.calls.append("after_run")
        self.results.append(run_values.results)
        if self.stop_after is not None and len(self.results) >= self.stop_after:
            run_context.request_stop()

    def end(self, session):
        self.calls.append("end")


def test_initializes_variables_runs_hooks_in_order_and_unfinalizes():
    step, x, loss, train_op = counter_model()
    hook = _Recorder(fetches={"loss": loss}, stop_after=2)
    graph = tf.get_default_graph()
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        assert graph.finalized
        while not sess.should_stop():
            assert sess.run(train_op) is None
    assert sess.should_stop() and not graph.finalized
    assert hook.calls == [("begin", False), ("after_create_session", True), "before_run",
                          "after_run", "before_run", "after_run", "end"]
    assert [r["loss"] for r in hook.results] == [pytest.approx(4.0), pytest.approx(2.56)]
    with pytest.raises(RuntimeError, match="Run called even after should_stop requested"):
        sess.run(train_op)
    for key in ("init_op", "ready_op", "local_init_op", "savers"):
        assert len(tf.get_collection(key)) == 1


def test_out_of_range_ends_the_loop_quietly_and_still_calls_end():
    dataset = tf.data.Dataset.range(5)
    value = dataset.make_one_shot_iterator().get_next()
    hook = _Recorder()
    seen = []
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        while not sess.should_stop():
            seen.append(sess.run(value))
    assert seen == [0, 1, 2, 3, 4]
    assert sess.should_stop() and hook.calls[-1] == "end"


def test_other_errors_propagate_and_skip_end():
    x = tf.placeholder(tf.float32, [])
    doubled = x * 2
    hook = _Recorder()
    with pytest.raises(tf.errors.InvalidArgumentError):
        with tf.train.MonitoredSession(hooks=[hook]) as sess:
            sess.run(doubled)  # unfed placeholder
    assert "end" not in hook.calls


def test_hook_feeds_merge_and_conflicts_are_errors():
    a = tf.placeholder(tf.float32, [], name="a")
    b = tf.placeholder(tf.float32, [], name="b")
    total = a + b
    with tf.train.MonitoredSession(hooks=[_Recorder(feeds={b: 2.0})]) as sess:
        assert sess.run(total, feed_dict={a: 1.0}) == 3.0
        with pytest.raises(RuntimeError, match="Same tensor is fed by a SessionRunHook and "
                                               "user"):
            sess.run(total, feed_dict={a: 1.0, b: 5.0})
    hooks = [_Recorder(feeds={a: 1.0}), _Recorder(feeds={a: 2.0})]
    with tf.train.MonitoredSession(hooks=hooks) as sess:
        with pytest.raises(RuntimeError, match="Same tensor is fed by two hooks"):
            sess.run(total, feed_dict={b: 0.0})


def test_chief_session_creator_restores_from_checkpoint_dir(tmp_path):
    step, x, loss, train_op = counter_model()
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path),
                                           hooks=[tf.train.StopAtStepHook(last_step=3)]) as s:
        while not s.should_stop():
            s.run(train_op)
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-3")
    with tf.Graph().as_default():
        step, x, loss, train_op = counter_model()
        with tf.train.SingularMonitoredSession(checkpoint_dir=str(tmp_path)) as sess:
            assert sess.run(step) == 3
            assert sess.run(x) == pytest.approx(1 + 2 * 0.8 ** 3)
            assert isinstance(sess.raw_session(), tf.Session)
        path = tf.train.latest_checkpoint(str(tmp_path))[:-len("3")] + "0"  # model.ckpt-0
        creator = tf.train.ChiefSessionCreator(checkpoint_filename_with_path=path)
        with tf.train.MonitoredSession(session_creator=creator) as sess:
            assert sess.run(step) == 0 and sess.run(x) == 3.0
    with pytest.raises(ValueError, match="Can not provide both checkpoint_dir and "
                                         "checkpoint_filename_with_path"):
        tf.train.ChiefSessionCreator(checkpoint_dir="a", checkpoint_filename_with_path="b")


def test_monitored_training_session_writes_checkpoints_summaries_and_rates(tmp_path):
    step, x, loss, train_op = counter_model()
    tf.summary.scalar("training_loss", loss)
    with tf.train.MonitoredTrainingSession(
            checkpoint_dir=str(tmp_path), save_checkpoint_steps=4, save_summaries_steps=2,
            log_step_count_steps=3, hooks=[tf.train.StopAtStepHook(last_step=8)]) as sess:
        while not sess.should_stop():
            sess.run(train_op)
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert [p.rsplit("-", 1)[1] for p in state.all_model_checkpoint_paths] == ["0", "4", "8"]
    found = scalars(str(tmp_path))
    assert [s for s, _ in found["training_loss"]] == [1, 3, 5, 7]
    assert [s for s, _ in found["global_step/sec"]] == [4, 7]
    assert any(e.HasField("graph_def") for e in events(str(tmp_path)))


def test_scaffold_init_fn_local_init_and_ready_checks():
    step = tf.train.get_or_create_global_step()
    v = tf.Variable(1.0, name="v")
    local = tf.Variable(5.0, name="local", collections=[tf.GraphKeys.LOCAL_VARIABLES])
    seen = []

    def init_fn(scaffold, session):
        seen.append(isinstance(scaffold, tf.train.Scaffold))
        session.run(tf.get_collection("assign_v")[0])

    tf.add_to_collection("assign_v", tf.assign(v, 7.0))
    scaffold = tf.train.Scaffold(init_fn=init_fn)
    with tf.train.MonitoredSession(tf.train.ChiefSessionCreator(scaffold=scaffold)) as sess:
        assert sess.run([v, local]) == [7.0, 5.0]
    assert seen == [True]
    # an init op that leaves a variable without a value fails the readiness check
    with tf.Graph().as_default():
        a = tf.Variable(1.0, name="a")
        b = tf.Variable(2.0, name="b")
        scaffold = tf.train.Scaffold(init_op=a.initializer)
        with pytest.raises(RuntimeError, match="Init operations did not make model ready.*"
                                               "Variables not initialized: b"):
            tf.train.MonitoredSession(tf.train.ChiefSessionCreator(scaffold=scaffold))
    del step


def test_scaffold_copy_and_collection_defaults():
    counter_model()
    saver = tf.train.Saver()
    first = tf.train.Scaffold(saver=saver)
    copied = tf.train.Scaffold(copy_from_scaffold=first)
    assert copied.saver is saver
    with pytest.raises(TypeError, match="copy_from_scaffold is not a Scaffold instance"):
        tf.train.Scaffold(copy_from_scaffold=object())
    tf.add_to_collection(tf.GraphKeys.INIT_OP, tf.no_op(name="a"))
    tf.add_to_collection(tf.GraphKeys.INIT_OP, tf.no_op(name="b"))
    with pytest.raises(RuntimeError, match="More than one item in the collection"):
        tf.train.Scaffold().finalize()


def test_run_step_fn_gives_the_raw_session_and_hooked_runs():
    step, x, loss, train_op = counter_model()
    hook = _Recorder()

    def step_fn(step_context):
        raw = step_context.session.run(x)
        step_context.run_with_hooks(train_op)
        step_context.request_stop()
        return raw

    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        assert sess.run_step_fn(step_fn) == 3.0
        assert sess.should_stop()
    assert hook.calls.count("before_run") == 1
    with tf.train.MonitoredSession() as sess:
        with pytest.raises(ValueError, match="`step_fn` may either have one `step_context`"):
            sess.run_step_fn(lambda a, b: None)


def test_coordinator_records_the_first_error():
    coord = tf.train.Coordinator()
    with coord.stop_on_exception():
        raise ValueError("boom")
    assert coord.should_stop()
    with pytest.raises(ValueError, match="boom"):
        coord.join([])
    clean = tf.train.Coordinator()
    clean.request_stop(tf.errors.OutOfRangeError(None, None, "done"))
    clean.join([])  # OutOfRangeError is a clean stop: nothing raised
    assert clean.should_stop()


def test_a_state_file_naming_checkpoints_elsewhere_never_gets_them_deleted(tmp_path):
    """The state file is data: checkpoints it lists outside checkpoint_dir are not taken over,
    so max_to_keep never deletes them (TF's SessionManager would)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victims = [elsewhere / f"victim-{i}{suffix}" for i in range(2)
               for suffix in (".index", ".meta", ".data-00000-of-00001")]
    for victim in victims:
        victim.write_text("keep me")
    model_dir = tmp_path / "model"

    def train_to(last_step):
        with tf.Graph().as_default():
            step, x, loss, train_op = counter_model()
            with tf.train.MonitoredTrainingSession(
                    checkpoint_dir=str(model_dir), save_checkpoint_steps=1,
                    scaffold=tf.train.Scaffold(saver=tf.train.Saver(max_to_keep=1)),
                    hooks=[tf.train.StopAtStepHook(last_step=last_step)]) as s:
                while not s.should_stop():
                    s.run(train_op)

    train_to(1)
    state = tf.train.get_checkpoint_state(str(model_dir))
    planted = [str(elsewhere / "victim-0"), str(elsewhere / "victim-1")]
    tf.train.update_checkpoint_state(str(model_dir), state.model_checkpoint_path,
                                     all_model_checkpoint_paths=planted
                                     + [state.model_checkpoint_path])
    train_to(4)
    assert all(v.exists() for v in victims)
    assert tf.train.latest_checkpoint(str(model_dir)).endswith("model.ckpt-4")
