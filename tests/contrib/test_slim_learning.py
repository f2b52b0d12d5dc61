"""slim.learning.train (on Supervisor) and slim.evaluation: steps, checkpoints, restarts,
init_fn, metrics over a checkpoint."""
import os

import numpy as np

import tensorweave as tf

slim = tf.contrib.slim
X = np.random.RandomState(0).rand(16, 4).astype(np.float32)
Y = (X.sum(1) > 2).astype(np.int64)


def _model():
    x, y = tf.constant(X), tf.constant(Y)
    logits = slim.fully_connected(x, 2, activation_fn=None, scope="fc")
    slim.losses.sparse_softmax_cross_entropy(logits, y)
    return logits, slim.losses.get_total_loss()


def test_train_runs_number_of_steps_and_saves_a_final_checkpoint(tmp_path):
    logdir = str(tmp_path)
    with tf.Graph().as_default():
        _, total = _model()
        train_op = slim.learning.create_train_op(total, tf.train.GradientDescentOptimizer(0.5))
        # the optimizer's apply op, then the train tensor (as in TF)
        assert tf.get_collection(tf.GraphKeys.TRAIN_OP)[-1] is train_op
        first = slim.learning.train(train_op, logdir, number_of_steps=5,
                                    save_summaries_secs=0, save_interval_secs=0)
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-5")
    assert dict(tf.train.list_variables(logdir))["global_step"] == []
    assert np.isfinite(first)
    with tf.Graph().as_default():  # a second run continues from the checkpoint
        _, total = _model()
        train_op = slim.learning.create_train_op(total, tf.train.GradientDescentOptimizer(0.5))
        called = []
        second = slim.learning.train(train_op, logdir, number_of_steps=8,
                                     init_fn=lambda sess: called.append(1),
                                     save_summaries_secs=0, save_interval_secs=0)
    assert tf.train.latest_checkpoint(logdir).endswith("model.ckpt-8")
    assert called == []  # restored, so not initialized
    assert second < first
    assert any(name.startswith("events.out.tfevents") for name in os.listdir(logdir))


def test_train_without_logdir_calls_init_fn_and_train_step_fn():
    with tf.Graph().as_default():
        _, total = _model()
        train_op = slim.learning.create_train_op(total, tf.train.AdamOptimizer(0.1),
                                                 clip_gradient_norm=1.0,
                                                 summarize_gradients=True)
        w = tf.get_default_graph().get_tensor_by_name("fc/weights:0")
        init_fn = slim.assign_from_values_fn({"fc/weights": np.zeros([4, 2], np.float32)})
        losses = []

        def step_fn(sess, op, global_step, kwargs):
            loss, stop = slim.learning.train_step(sess, op, global_step, kwargs)
            losses.append(loss)
            return loss, stop
        slim.learning.train(train_op, None, number_of_steps=3, init_fn=init_fn,
                            train_step_fn=step_fn, log_every_n_steps=0)
        assert len(losses) == 3
        assert losses[0] == np.float32(np.log(2.0))  # zero weights and biases: uniform
        assert w.shape.as_list() == [4, 2]


def test_evaluate_once_runs_num_evals_and_returns_final_op(tmp_path):
    ckpt_dir = str(tmp_path / "train")
    with tf.Graph().as_default():
        _, total = _model()
        train_op = slim.learning.create_train_op(total, tf.train.GradientDescentOptimizer(0.5))
        slim.learning.train(train_op, ckpt_dir, number_of_steps=4, save_summaries_secs=0,
                            save_interval_secs=0)
    with tf.Graph().as_default():
        logits, _ = _model()
        predictions = tf.argmax(logits, 1)
        names_to_values, names_to_updates = slim.metrics.aggregate_metric_map({
            "accuracy": slim.metrics.streaming_accuracy(predictions, tf.constant(Y)),
            "count": slim.metrics.streaming_mean(tf.ones([3]))})
        tf.summary.scalar("accuracy", names_to_values["accuracy"])
        final = slim.evaluation.evaluate_once(
            "", tf.train.latest_checkpoint(ckpt_dir), str(tmp_path / "eval"), num_evals=3,
            eval_op=list(names_to_updates.values()), final_op=names_to_values)
        weights = tf.train.load_variable(ckpt_dir, "fc/weights")
        biases = tf.train.load_variable(ckpt_dir, "fc/biases")
        expected = np.mean(np.argmax(X @ weights + biases, 1) == Y)
        assert final["accuracy"] == np.float32(expected)
        assert final["count"] == 1.0
        assert os.listdir(str(tmp_path / "eval"))
        again = slim.evaluation.evaluation_loop(
            "", ckpt_dir, str(tmp_path / "eval"), num_evals=1,
            eval_op=list(names_to_updates.values()), final_op=names_to_values["accuracy"],
            max_number_of_evaluations=1, eval_interval_secs=0)
        assert again == np.float32(expected)
