"""tf.train.SyncReplicasOptimizer (one replica) against TF 2.15: a MonitoredTrainingSession
program with the optimizer's hook trains with TensorFlow's numbers (its second step's
gradient is dropped as stale, as there), builds TF's ops and variables
(tests/fixtures/accumulators_reference.json)."""
import json
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
import accumulators_cases as cases  # noqa: E402

REFERENCE = json.loads((FIXTURES / "accumulators_reference.json").read_text())["sync"]


def test_training_matches_tensorflow():
    ours = cases.sync_program(tf)
    assert ours["ops"] == REFERENCE["ops"]
    assert ours["variables"] == REFERENCE["variables"]
    for a, b in zip(ours["steps"], REFERENCE["steps"]):
        assert a[1:] == b[1:]
        assert a[0] == pytest.approx(b[0], rel=1e-5)
    for a, b in zip(ours["final"], REFERENCE["final"]):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def _model():
    w = tf.Variable([1.0, 2.0], name="w")
    loss = tf.reduce_sum(tf.square(w))
    return w, loss, tf.train.get_or_create_global_step()


def test_more_replicas_raise_naming_the_horovod_path():
    with tf.Graph().as_default():
        with pytest.raises(NotImplementedError, match="Horovod"):
            tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.1),
                                           replicas_to_aggregate=2)
        with pytest.raises(NotImplementedError, match="total_num_replicas=3"):
            tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.1), 1, 3)


def test_argument_errors_and_delegation():
    with tf.Graph().as_default():
        w, loss, step = _model()
        opt = tf.train.SyncReplicasOptimizer(tf.train.MomentumOptimizer(0.1, 0.9), 1)
        with pytest.raises(ValueError, match="after apply_gradients"):
            opt.get_chief_queue_runner()
        with pytest.raises(ValueError, match="should be called after apply_gradients"):
            opt.get_init_tokens_op()
        grads = opt.compute_gradients(loss)
        with pytest.raises(ValueError, match="Global step is required"):
            opt.apply_gradients(grads)
        with pytest.raises(ValueError, match="Must supply at least one variable"):
            opt.apply_gradients([], global_step=step)
        train = opt.apply_gradients(grads, global_step=step)
        assert train.op.type == "Assign" and train.op.name == "Assign_1"
        assert opt.get_slot(w, "momentum") is not None
        assert opt.get_slot_names() == ["momentum"]
        assert opt.get_chief_queue_runner().queue.name == "sync_token_q"
        assert opt.get_init_tokens_op(0).type == "NoOp"
        assert opt.chief_init_op.type == "NoOp"


def test_plain_session_with_the_chief_queue_runner():
    """The same machinery without MonitoredTrainingSession: init ops, tokens, queue runner."""
    with tf.Graph().as_default():
        w, loss, step = _model()
        opt = tf.train.SyncReplicasOptimizer(tf.train.GradientDescentOptimizer(0.25), 1, 1)
        train = opt.minimize(loss, global_step=step)
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
            sess.run(opt.chief_init_op)
            sess.run(opt.get_init_tokens_op())
            coord = tf.train.Coordinator()
            threads = opt.get_chief_queue_runner().create_threads(sess, coord, start=True)
            sess.run(train)  # the token the chief put in for step 0
            sess.run(train)  # waits for the chief's token of step 1
            np.testing.assert_allclose(sess.run(w), [0.5, 1.0])
            assert sess.run(step) == 1
            coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5, ignore_live_threads=True)
