"""slim.learning: create_train_op and the Supervisor-based training loop of TF-slim.

    train_op = slim.learning.create_train_op(total_loss, tf.train.AdamOptimizer(1e-3))
    slim.learning.train(train_op, "/tmp/train", number_of_steps=1000,
                        save_summaries_secs=60, save_interval_secs=600)
"""
import sys
import time

from tensorweave import variables
from tensorweave.core import errors
from tensorweave.core.constants import constant
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.ops import control, math_ops
from tensorweave.platform import tf_logging as logging
from tensorweave.summary import summary_ops
from tensorweave.train import optimizer as optimizer_lib
from tensorweave.train import saver as saver_lib
from tensorweave.train import supervisor, training_util
from tensorweave.contrib.training import training
from tensorweave.contrib.training.training import (add_gradients_summaries,  # noqa: F401
                                                   clip_gradient_norms, multiply_gradients)

_USE_DEFAULT = 0
_USE_GLOBAL_STEP = 0

__all__ = ["add_gradients_summaries", "clip_gradient_norms", "create_train_op",
           "multiply_gradients", "train", "train_step"]


def create_train_op(total_loss, optimizer, global_step=_USE_GLOBAL_STEP, update_ops=None,
                    variables_to_train=None, clip_gradient_norm=0, summarize_gradients=False,
                    gate_gradients=optimizer_lib.Optimizer.GATE_OP, aggregation_method=None,
                    colocate_gradients_with_ops=False, gradient_multipliers=None,
                    check_numerics=True):
    """A tensor that computes the gradients, applies them and returns the total loss: the
    UPDATE_OPS run first; gradients may be multiplied and clipped (per gradient). As TF-slim
    does, this is contrib.training's create_train_op with those two as its gradient transform."""
    def transform_grads_fn(grads):
        graph = get_default_graph()
        if gradient_multipliers:
            with graph.name_scope("multiply_grads"):
                grads = multiply_gradients(grads, gradient_multipliers)
        if clip_gradient_norm > 0:
            with graph.name_scope("clip_grads"):
                grads = clip_gradient_norms(grads, clip_gradient_norm)
        return grads

    return training.create_train_op(
        total_loss, optimizer,
        global_step=training.USE_GLOBAL_STEP if global_step is _USE_GLOBAL_STEP else global_step,
        update_ops=update_ops, variables_to_train=variables_to_train,
        transform_grads_fn=transform_grads_fn, summarize_gradients=summarize_gradients,
        gate_gradients=gate_gradients, aggregation_method=aggregation_method,
        colocate_gradients_with_ops=colocate_gradients_with_ops, check_numerics=check_numerics)


def train_step(sess, train_op, global_step, train_step_kwargs):
    """Runs `train_op` once: (total_loss, should_stop), logging the loss when asked."""
    start = time.time()
    total_loss, np_global_step = sess.run([train_op, global_step])
    elapsed = time.time() - start
    if "should_log" in train_step_kwargs and sess.run(train_step_kwargs["should_log"]):
        logging.info("global step %d: loss = %.4f (%.3f sec/step)", np_global_step, total_loss,
                     elapsed)
    should_stop = False
    if "should_stop" in train_step_kwargs:
        should_stop = bool(sess.run(train_step_kwargs["should_stop"]))
    return total_loss, should_stop


def _default_step_kwargs(global_step, number_of_steps, log_every_n_steps):
    with get_default_graph().name_scope("train_step"):
        kwargs = {}
        if number_of_steps:
            kwargs["should_stop"] = math_ops.greater_equal(global_step, number_of_steps)
        else:
            kwargs["should_stop"] = constant(False)
        if log_every_n_steps > 0:
            kwargs["should_log"] = math_ops.equal(math_ops.mod(global_step, log_every_n_steps),
                                                  0)
    return kwargs


def train(train_op, logdir, train_step_fn=train_step, train_step_kwargs=_USE_DEFAULT,
          log_every_n_steps=1, graph=None, master="", is_chief=True, global_step=None,
          number_of_steps=None, init_op=_USE_DEFAULT, init_feed_dict=None,
          local_init_op=_USE_DEFAULT, init_fn=None, ready_op=_USE_DEFAULT,
          summary_op=_USE_DEFAULT, save_summaries_secs=600, summary_writer=_USE_DEFAULT,
          startup_delay_steps=0, saver=None, save_interval_secs=600, sync_optimizer=None,
          session_config=None, session_wrapper=None, trace_every_n_steps=None,
          ignore_live_threads=False):
    """Runs `train_op` under a Supervisor until `number_of_steps` global steps (or until
    stopped), writing summaries and checkpoints to `logdir`; returns the last total loss.

    The chief restores the newest checkpoint of `logdir` if there is one (then `init_fn` is
    not called), and saves a final checkpoint at the end.
    """
    if train_op is None:
        raise ValueError("train_op cannot be None.")
    if logdir is None:
        if summary_op != _USE_DEFAULT:
            raise ValueError("Cannot provide summary_op because logdir=None")
        if saver is not None:
            raise ValueError("Cannot provide saver because logdir=None")
        if trace_every_n_steps is not None:
            raise ValueError("Cannot provide trace_every_n_steps because logdir=None")
    if sync_optimizer is not None:
        raise NotImplementedError("slim.learning.train: sync_optimizer (SyncReplicasOptimizer) "
                                  "is not supported by tensorweave")
    if trace_every_n_steps is not None:
        raise NotImplementedError("slim.learning.train: trace_every_n_steps (timeline files) "
                                  "is not supported by tensorweave")
    if number_of_steps is not None and number_of_steps <= 0:
        raise ValueError("`number_of_steps` must be either None or a positive number.")
    graph = graph or get_default_graph()
    with graph.as_default():
        if global_step is None:
            global_step = training_util.get_or_create_global_step()
        saver = saver or saver_lib.Saver()
        with graph.name_scope("init_ops"):
            if init_op == _USE_DEFAULT:
                init_op = variables.global_variables_initializer()
            if ready_op == _USE_DEFAULT:
                ready_op = variables.report_uninitialized_variables()
            if local_init_op == _USE_DEFAULT:
                local_init_op = control.group(variables.local_variables_initializer(),
                                              variables.tables_initializer())
        if summary_op == _USE_DEFAULT:
            summary_op = summary_ops.merge_all()
        if summary_writer == _USE_DEFAULT:
            summary_writer = supervisor.Supervisor.USE_DEFAULT
        if train_step_kwargs == _USE_DEFAULT:
            train_step_kwargs = _default_step_kwargs(global_step, number_of_steps,
                                                     log_every_n_steps)
    sv = supervisor.Supervisor(
        graph=graph, is_chief=is_chief, logdir=logdir, init_op=init_op,
        init_feed_dict=init_feed_dict, local_init_op=local_init_op,
        ready_for_local_init_op=None, ready_op=ready_op, summary_op=summary_op,
        summary_writer=summary_writer, global_step=global_step, saver=saver,
        save_summaries_secs=save_summaries_secs, save_model_secs=save_interval_secs,
        init_fn=init_fn)
    if summary_writer is not None:
        train_step_kwargs["summary_writer"] = sv.summary_writer
    total_loss = None
    should_retry = True
    while should_retry:
        try:
            should_retry = False
            with sv.managed_session(master, start_standard_services=False,
                                    config=session_config) as sess:
                logging.info("Starting Session.")
                if session_wrapper is not None:
                    sess = session_wrapper(sess)
                if is_chief:
                    if logdir:
                        sv.start_standard_services(sess)
                elif startup_delay_steps > 0:
                    _wait_for_step(sess, global_step,
                                   min(startup_delay_steps, number_of_steps or sys.maxsize))
                threads = sv.start_queue_runners(sess)
                logging.info("Starting Queues.")
                try:
                    while not sv.should_stop():
                        total_loss, should_stop = train_step_fn(sess, train_op, global_step,
                                                                train_step_kwargs)
                        if should_stop:
                            logging.info("Stopping Training.")
                            sv.request_stop()
                            break
                except errors.OutOfRangeError as e:
                    logging.info("Caught OutOfRangeError. Stopping Training. %s", e)
                if logdir and sv.is_chief:
                    logging.info("Finished training! Saving model to disk.")
                    sv.saver.save(sess, sv.save_path, global_step=sv.global_step)
                    sv.stop(threads, close_summary_writer=True,
                            ignore_live_threads=ignore_live_threads)
        except errors.AbortedError:
            logging.info("Retrying training!")
            should_retry = True
    return total_loss


def _wait_for_step(sess, global_step, step):
    """Sleeps until the global step reaches `step` (a non-chief's startup delay)."""
    while True:
        if training_util.global_step(sess, global_step) >= step:
            break
        logging.info("Waiting for step %d, current step is %d", step,
                     training_util.global_step(sess, global_step))
        time.sleep(1)
