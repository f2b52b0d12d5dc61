"""SessionManager, session creators, MonitoredTrainingSession options, Supervisor, the
LooperThread, checkpoints_iterator, the new hooks, warm_start and the cluster helpers."""
import glob
import json
import os
import threading
import time

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.train import session_manager as session_manager_lib


def _model():
    gs = tf.train.get_or_create_global_step()
    w = tf.Variable(3.0, name="w")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.square(w), global_step=gs)
    return gs, w, train


# --- SessionManager ------------------------------------------------------------------------
def test_prepare_session_initializes_then_restores(tmp_path):
    with tf.Graph().as_default():
        gs, w, train = _model()
        saver = tf.train.Saver()
        init = tf.global_variables_initializer()
        sm = tf.train.SessionManager(ready_op=tf.report_uninitialized_variables())
        sess = sm.prepare_session("", init_op=init, saver=saver, checkpoint_dir=str(tmp_path))
        sess.run(train)
        saver.save(sess, str(tmp_path / "model.ckpt"), global_step=gs)
        sess.run(tf.assign(w, 100.0))
        sess.close()
        again = sm.prepare_session("", init_op=init, saver=saver, checkpoint_dir=str(tmp_path))
        assert again.run(w) == pytest.approx(3.0 - 0.6) and again.run(gs) == 1
        recovered, ok = sm.recover_session("", saver=saver, checkpoint_dir=str(tmp_path))
        assert ok and recovered.run(w) == pytest.approx(2.4)
        empty, ok = sm.recover_session("", saver=saver, checkpoint_dir=str(tmp_path / "no"))
        assert not ok


def test_prepare_session_init_fn_and_local_init():
    with tf.Graph().as_default():
        w = tf.Variable(1.0, name="w")
        local = tf.Variable(0.0, name="local", collections=[tf.GraphKeys.LOCAL_VARIABLES])
        sm = tf.train.SessionManager(
            local_init_op=tf.local_variables_initializer(),
            ready_op=tf.report_uninitialized_variables(),
            ready_for_local_init_op=tf.report_uninitialized_variables(tf.global_variables()))
        calls = []
        sess = sm.prepare_session("", init_fn=lambda s: (calls.append(s),
                                                         s.run(w.initializer)))
        assert calls == [sess] and sess.run([w, local]) == [1.0, 0.0]
        with pytest.raises(RuntimeError, match="no init_op or init_fn or local_init_op"):
            tf.train.SessionManager().prepare_session("")
        with pytest.raises(RuntimeError, match="did not make model ready for local_init"):
            sm.prepare_session("", init_op=tf.no_op())
        with pytest.raises(ValueError, match="you must also pass a local_init_op"):
            tf.train.SessionManager(ready_for_local_init_op=tf.no_op())


def test_prepare_session_reports_uninitialized_variables():
    with tf.Graph().as_default():
        tf.Variable(1.0, name="forgotten")
        sm = tf.train.SessionManager(ready_op=tf.report_uninitialized_variables())
        with pytest.raises(RuntimeError, match="Variables not initialized: forgotten"):
            sm.prepare_session("", init_op=tf.no_op())


def test_wait_for_session_ready_and_deadline():
    with tf.Graph().as_default():
        local = tf.Variable(5.0, name="local", collections=[tf.GraphKeys.LOCAL_VARIABLES])
        sm = tf.train.SessionManager(local_init_op=tf.local_variables_initializer(),
                                     ready_op=tf.report_uninitialized_variables())
        assert sm.wait_for_session("").run(local) == 5.0
        tf.Variable(1.0, name="only_a_chief_initializes")
        waiting = tf.train.SessionManager(ready_op=tf.report_uninitialized_variables(),
                                          recovery_wait_secs=0.05)
        start = time.time()
        with pytest.raises(tf.errors.DeadlineExceededError, match="not ready after waiting"):
            waiting.wait_for_session("", max_wait_secs=0.2)
        assert time.time() - start < 5


def test_worker_session_creator_and_monitored_training_session_worker():
    with tf.Graph().as_default():
        gs, w, train = _model()
        with pytest.raises(tf.errors.DeadlineExceededError):
            tf.train.WorkerSessionCreator(max_wait_secs=1).create_session()
    with tf.Graph().as_default():
        local = tf.Variable(2.0, name="local", collections=[tf.GraphKeys.LOCAL_VARIABLES])
        seen = []

        class Hook(tf.train.SessionRunHook):
            def after_run(self, run_context, run_values):
                seen.append(run_values.results)

            def before_run(self, run_context):
                return tf.train.SessionRunArgs(local)

        with tf.train.MonitoredTrainingSession(is_chief=False, hooks=[Hook()],
                                               chief_only_hooks=[tf.train.StopAtStepHook(1)],
                                               max_wait_secs=5) as sess:
            assert sess.run(local) == 2.0
        assert seen == [2.0]
    assert issubclass(tf.train.ChiefSessionCreator, tf.train.SessionCreator)
    with pytest.raises(NotImplementedError):
        tf.train.SessionCreator().create_session()


def test_monitored_training_session_options(tmp_path):
    with tf.Graph().as_default():
        gs, w, train = _model()
        tf.summary.scalar("loss", w)
        with tf.train.MonitoredTrainingSession(
                checkpoint_dir=str(tmp_path / "ckpt"), summary_dir=str(tmp_path / "sum"),
                save_checkpoint_steps=2, save_summaries_steps=1, log_step_count_steps=1,
                hooks=[tf.train.StopAtStepHook(last_step=4)], stop_grace_period_secs=1,
                config=tf.ConfigProto()) as sess:
            while not sess.should_stop():
                sess.run(train)
        assert tf.train.latest_checkpoint(str(tmp_path / "ckpt")).endswith("model.ckpt-4")
        assert glob.glob(str(tmp_path / "sum" / "events.out.tfevents.*"))
        tags = {v.tag for path in glob.glob(str(tmp_path / "sum" / "events.out.tfevents.*"))
                for e in tf.train.summary_iterator(path) for v in e.summary.value}
        assert {"loss", "global_step/sec"} <= tags


# --- hooks ---------------------------------------------------------------------------------
def test_profiler_hook_writes_chrome_traces(tmp_path):
    with tf.Graph().as_default():
        gs, w, train = _model()
        hook = tf.train.ProfilerHook(save_steps=2, output_dir=str(tmp_path))
        with tf.train.MonitoredSession(hooks=[hook, tf.train.StopAtStepHook(5)]) as sess:
            while not sess.should_stop():
                sess.run(train)
    files = sorted(os.path.basename(p) for p in glob.glob(str(tmp_path / "timeline-*.json")))
    assert files == ["timeline-2.json", "timeline-4.json"]
    trace = json.loads((tmp_path / "timeline-2.json").read_text())
    names = {e.get("args", {}).get("name") for e in trace["traceEvents"]}
    assert any(n and "GradientDescent" in n for n in names)


def test_global_step_waiter_hook():
    with tf.Graph().as_default():
        gs, w, train = _model()
        with tf.train.MonitoredSession(hooks=[tf.train.GlobalStepWaiterHook(0)]) as sess:
            sess.run(train)
    with tf.Graph().as_default():
        gs, w, train = _model()
        increment = tf.assign_add(gs, 1)
        hook = tf.train.GlobalStepWaiterHook(3)
        with tf.train.SingularMonitoredSession(hooks=[hook]) as sess:
            raw = sess.raw_session()
            thread = threading.Thread(target=lambda: [raw.run(increment) for _ in range(3)])
            thread.start()
            start = time.time()
            sess.run(w)  # waits until the other thread has made global_step 3
            thread.join()
            assert raw.run(gs) >= 3 and time.time() - start < 10


# --- Supervisor ----------------------------------------------------------------------------
def test_supervisor_managed_session_saves_and_restores(tmp_path):
    logdir = str(tmp_path)
    with tf.Graph().as_default():
        gs, w, train = _model()
        tf.summary.scalar("loss", w)
        sv = tf.train.Supervisor(logdir=logdir, save_model_secs=0, save_summaries_secs=0.05)
        assert tf.get_default_graph().finalized
        with sv.managed_session() as sess:
            for _ in range(3):
                sess.run(train)
            time.sleep(0.3)
            sv.saver.save(sess, sv.save_path, global_step=sv.global_step)
        assert sv.should_stop()
        assert os.path.exists(os.path.join(logdir, "graph.pbtxt"))
    with tf.Graph().as_default():
        gs, w, train = _model()
        sv = tf.train.Supervisor(logdir=logdir, save_model_secs=0, save_summaries_secs=0)
        with sv.managed_session() as sess:
            assert sess.run(gs) == 3 and sess.run(w) == pytest.approx(3.0 * 0.8 ** 3)
    tags = {v.tag for path in glob.glob(os.path.join(logdir, "events.*"))
            for e in tf.train.summary_iterator(path) for v in e.summary.value}
    assert {"loss", "global_step/sec"} <= tags


def test_supervisor_checkpoint_thread_and_loop(tmp_path):
    with tf.Graph().as_default():
        gs, w, train = _model()
        sv = tf.train.Supervisor(logdir=str(tmp_path), save_model_secs=0.1,
                                 save_summaries_secs=0)
        calls = []
        with sv.managed_session() as sess:
            sess.run(train)
            looper = sv.loop(0.02, lambda: calls.append(1))
            time.sleep(0.4)
            sv.request_stop()
        assert not looper.is_alive() and len(calls) >= 3
        assert tf.train.latest_checkpoint(str(tmp_path)) is not None


def test_supervisor_stops_cleanly_on_out_of_range_and_reraises_others(tmp_path):
    with tf.Graph().as_default():
        _model()
        sv = tf.train.Supervisor(logdir=None)
        with sv.managed_session() as sess:
            raise tf.errors.OutOfRangeError(None, None, "done")
        assert sv.should_stop()
        with pytest.raises(ZeroDivisionError):
            with sv.managed_session() as sess:
                1 / 0
        assert sess is not None


def test_basic_train_loop():
    with tf.Graph().as_default():
        gs, w, train = _model()
        sv = tf.train.Supervisor(logdir=None)
        steps = []

        def step(sess, limit):
            steps.append(sess.run(train))
            if len(steps) >= limit:
                sv.request_stop()
        tf.train.basic_train_loop(sv, step, args=(4,))
        assert len(steps) == 4


def test_looper_thread_checks():
    coord = tf.train.Coordinator()
    with pytest.raises(ValueError, match="must be a Coordinator"):
        tf.train.LooperThread(object(), 1)
    with pytest.raises(ValueError, match="require that you also pass 'target'"):
        tf.train.LooperThread(coord, 1, args=(1,))

    def fail():
        raise RuntimeError("boom")
    tf.train.LooperThread.loop(coord, None, fail)
    with pytest.raises(RuntimeError, match="boom"):
        coord.join(stop_grace_period_secs=5)


# --- checkpoints_iterator, assert_global_step -----------------------------------------------
def test_checkpoints_iterator(tmp_path):
    with tf.Graph().as_default():
        gs, w, train = _model()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = saver.save(sess, str(tmp_path / "m"), global_step=1)

            def later():
                time.sleep(0.5)
                saver.save(sess, str(tmp_path / "m"), global_step=2)
            thread = threading.Thread(target=later)
            thread.start()
            found = list(tf.train.checkpoints_iterator(str(tmp_path), timeout=2.5))
            thread.join()
    assert found == [first, str(tmp_path / "m-2")]
    timeouts = []
    assert list(tf.train.checkpoints_iterator(str(tmp_path / "none"), timeout=0.1,
                                              timeout_fn=lambda: timeouts.append(1) or
                                              len(timeouts) == 2)) == []
    assert len(timeouts) == 2


def test_assert_global_step():
    with tf.Graph().as_default():
        tf.train.assert_global_step(tf.train.get_or_create_global_step())
        with pytest.raises(TypeError, match="does not have integer type"):
            tf.train.assert_global_step(tf.Variable(1.0))
        with pytest.raises(TypeError, match="must be a Variable or Tensor"):
            tf.train.assert_global_step(3)


# --- warm_start ----------------------------------------------------------------------------
def test_warm_start_renames_and_remaps_vocabulary(tmp_path):
    (tmp_path / "old.txt").write_text("apple\nbanana\ncherry\n")
    (tmp_path / "new.txt").write_text("cherry\ndate\napple\n")
    old_emb = np.arange(6, dtype=np.float32).reshape(3, 2)
    with tf.Graph().as_default():
        tf.Variable(old_emb, name="emb")
        tf.Variable([1.0, 2.0], name="old_bias")
        tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="out")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = saver.save(sess, str(tmp_path / "ckpt" / "model"))
    with tf.Graph().as_default():
        emb = tf.get_variable("emb", [4, 2], initializer=tf.ones_initializer())
        bias = tf.get_variable("bias", [2], initializer=tf.zeros_initializer())
        out = tf.get_variable("out", [2, 4], initializer=tf.zeros_initializer())
        keep = tf.get_variable("keep", [1], initializer=tf.constant_initializer(7.0))
        tf.train.warm_start(
            str(tmp_path / "ckpt"), vars_to_warm_start=["emb", "bias", "out"],
            var_name_to_vocab_info={
                "emb": tf.train.VocabInfo(str(tmp_path / "new.txt"), 3, 1,
                                          str(tmp_path / "old.txt"),
                                          backup_initializer=tf.constant_initializer(-1.0)),
                "out": tf.train.VocabInfo(str(tmp_path / "new.txt"), 3, 1,
                                          str(tmp_path / "old.txt"), axis=1)},
            var_name_to_prev_var_name={"bias": "old_bias"})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(emb), [[4, 5], [-1, -1], [0, 1], [-1, -1]])
            np.testing.assert_array_equal(sess.run(bias), [1.0, 2.0])
            np.testing.assert_array_equal(sess.run(out), [[2, 0, 0, 0], [5, 0, 3, 0]])
            assert sess.run(keep) == [7.0]
        with pytest.raises(ValueError, match="var_name_to_prev_var_name that were not used"):
            tf.train.warm_start(path, ["bias"], var_name_to_prev_var_name={"bias": "old_bias",
                                                                          "nope": "x"})
        with pytest.raises(ValueError, match="only supported values for the axis"):
            tf.train.VocabInfo("a", 1, 0, "b", axis=2)


def test_warm_start_default_regex_is_trainable_only(tmp_path):
    with tf.Graph().as_default():
        tf.Variable(5.0, name="a")
        tf.Variable(6.0, name="counter", trainable=False)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = saver.save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default():
        a = tf.Variable(0.0, name="a")
        counter = tf.Variable(0.0, name="counter", trainable=False)
        tf.train.warm_start(path)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run([a, counter]) == [5.0, 0.0]


# --- cluster and devices --------------------------------------------------------------------
def test_cluster_spec():
    spec = tf.train.ClusterSpec({"ps": ["ps0:2222", "ps1:2222"],
                                 "worker": {0: "w0:2222", 3: "w3:2222"}})
    assert spec.jobs == ["ps", "worker"] and bool(spec)
    assert spec.num_tasks("worker") == 2 and spec.task_indices("worker") == [0, 3]
    assert spec.task_address("ps", 1) == "ps1:2222"
    assert spec.job_tasks("worker") == ["w0:2222", None, None, "w3:2222"]
    assert spec.as_dict() == {"ps": ["ps0:2222", "ps1:2222"],
                              "worker": {0: "w0:2222", 3: "w3:2222"}}
    assert tf.train.ClusterSpec(spec) == spec and not tf.train.ClusterSpec({})
    with pytest.raises(ValueError, match="No such job in cluster: 'chief'"):
        spec.num_tasks("chief")
    with pytest.raises(ValueError, match="No task with index 2 in job 'worker'"):
        spec.task_address("worker", 2)
    cluster_def = spec.as_cluster_def()
    assert isinstance(cluster_def, tf.train.ClusterDef)
    assert tf.train.ClusterSpec(cluster_def) == spec
    assert cluster_def.job[1].tasks[3] == "w3:2222"
    assert str(spec).startswith("ClusterSpec({'ps': ['ps0:2222', 'ps1:2222']")


def test_replica_device_setter_round_robin():
    cluster = tf.train.ClusterSpec({"ps": ["p0", "p1"], "worker": ["w0"]})
    with tf.Graph().as_default():
        with tf.device(tf.train.replica_device_setter(cluster=cluster)):
            a = tf.Variable(1.0, name="a")
            b = tf.Variable(2.0, name="b")
            c = tf.Variable(3.0, name="c")
            total = a + b + c
        assert [v.op.device for v in (a, b, c)] == ["/job:ps/task:0", "/job:ps/task:1",
                                                   "/job:ps/task:0"]
        assert total.op.device == "/job:worker"
        with tf.device(tf.train.replica_device_setter(
                ps_tasks=3, worker_device="/job:worker/task:1", ps_ops=["VariableV2"])):
            d = tf.Variable(4.0, name="d")
            doubled = d * 2
        assert d.op.device == "/job:ps/task:0" and doubled.op.device == "/job:worker/task:1"
        with tf.Session() as sess:  # devices are recorded; everything runs here
            sess.run(tf.global_variables_initializer())
            assert sess.run(total) == 6.0 and sess.run(doubled) == 8.0
    assert tf.train.replica_device_setter(ps_tasks=0) is None
    assert tf.train.replica_device_setter(cluster={"worker": ["w0"]}) is None
    with pytest.raises(TypeError, match="ps_strategy must be callable"):
        tf.train.replica_device_setter(ps_tasks=1, ps_strategy=3)


def test_owned_checkpoints_are_in_session_manager():
    assert session_manager_lib.owned_checkpoints(["/a/x", "/b/y"], "/a") == ["/a/x"]
