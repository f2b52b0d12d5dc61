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
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.ops import array, check_ops, control, math_ops
from tensorweave.platform import tf_logging as logging
from tensorweave.summary import summary_ops
from tensorweave.train import optimizer as optimizer_lib
from tensorweave.train import saver as saver_lib
from tensorweave.train import supervisor, training_util

_USE_DEFAULT = 0
_USE_GLOBAL_STEP = 0

__all__ = ["add_gradients_summaries", "clip_gradient_norms", "create_train_op",
           "multiply_gradients", "train", "train_step"]


def clip_gradient_norms(gradients_to_variables, max_norm):
    """Each gradient clipped to L2 norm `max_norm` (tf.clip_by_norm)."""
    clipped = []
    for grad, var in gradients_to_variables:
        if grad is not None:
            if isinstance(grad, IndexedSlices):
                grad = IndexedSlices(math_ops.clip_by_norm(grad.values, max_norm),
                                     grad.indices, grad.dense_shape)
            else:
                grad = math_ops.clip_by_norm(grad, max_norm)
        clipped.append((grad, var))
    return clipped


def multiply_gradients(grads_and_vars, gradient_multipliers):
    """Gradients times the multiplier given for their variable (or its name)."""
    if not isinstance(grads_and_vars, list):
        raise ValueError("`grads_and_vars` must be a list.")
    if not gradient_multipliers:
        raise ValueError("`gradient_multipliers` is empty.")
    if not isinstance(gradient_multipliers, dict):
        raise ValueError("`gradient_multipliers` must be a dict.")
    result = []
    for grad, var in grads_and_vars:
        key = var if any(var is k for k in gradient_multipliers) else var.op.name
        if key in gradient_multipliers:
            if grad is None:
                raise ValueError("Requested multiple of `None` gradient.")
            multiplier = gradient_multipliers[key]
            if isinstance(grad, IndexedSlices):
                grad = IndexedSlices(grad.values * multiplier, grad.indices, grad.dense_shape)
            else:
                grad = grad * constant(multiplier, dtype=grad.dtype)
        result.append((grad, var))
    return result


def add_gradients_summaries(grads_and_vars):
    """A histogram '<var>/gradient' and a scalar '<var>/gradient_norm' per gradient."""
    summaries = []
    for grad, var in grads_and_vars:
        if grad is None:
            logging.info("Var %s has no gradient", var.op.name)
            continue
        values = grad.values if isinstance(grad, IndexedSlices) else grad
        summaries.append(summary_ops.histogram(var.op.name + "/gradient", values))
        summaries.append(summary_ops.scalar(var.op.name + "/gradient_norm",
                                            math_ops.global_norm([values])))
    return summaries


def _with_dependencies(dependencies, output):
    graph = get_default_graph()
    with graph.name_scope("control_dependency"), graph.control_dependencies(dependencies):
        return array.identity(output)


def create_train_op(total_loss, optimizer, global_step=_USE_GLOBAL_STEP, update_ops=None,
                    variables_to_train=None, clip_gradient_norm=0, summarize_gradients=False,
                    gate_gradients=optimizer_lib.Optimizer.GATE_OP, aggregation_method=None,
                    colocate_gradients_with_ops=False, gradient_multipliers=None,
                    check_numerics=True):
    """A tensor that computes the gradients, applies them and returns the total loss: the
    UPDATE_OPS run first; gradients may be multiplied and clipped (per gradient)."""
    graph = get_default_graph()
    if global_step is _USE_GLOBAL_STEP:
        global_step = training_util.get_or_create_global_step()
    global_update_ops = list(dict.fromkeys(graph.get_collection(GraphKeys.UPDATE_OPS)))
    update_ops = global_update_ops if update_ops is None else list(dict.fromkeys(update_ops))
    if not all(any(op is u for u in update_ops) for op in global_update_ops):
        logging.warning("update_ops in create_train_op does not contain all the update_ops "
                        "in GraphKeys.UPDATE_OPS")
    if update_ops:
        with graph.control_dependencies(update_ops):
            barrier = control.no_op(name="update_barrier")
        total_loss = _with_dependencies([barrier], total_loss)
    if variables_to_train is None:
        variables_to_train = variables.trainable_variables()
    if not variables_to_train:
        raise ValueError("No variables to train.")
    grads = optimizer.compute_gradients(total_loss, variables_to_train,
                                        gate_gradients=gate_gradients,
                                        aggregation_method=aggregation_method,
                                        colocate_gradients_with_ops=colocate_gradients_with_ops)
    if gradient_multipliers:
        with graph.name_scope("multiply_grads"):
            grads = multiply_gradients(grads, gradient_multipliers)
    if clip_gradient_norm > 0:
        with graph.name_scope("clip_grads"):
            grads = clip_gradient_norms(grads, clip_gradient_norm)
    if summarize_gradients:
        with graph.name_scope("summarize_grads"):
            add_gradients_summaries(grads)
    grad_updates = optimizer.apply_gradients(grads, global_step=global_step)
    with graph.name_scope("train_op"):
        if check_numerics:
            total_loss = check_ops.check_numerics(total_loss, "LossTensor is inf or nan")
        train_op = _with_dependencies([grad_updates], total_loss)
    train_ops = graph.get_collection_ref(GraphKeys.TRAIN_OP)
    if not any(train_op is t for t in train_ops):
        train_ops.append(train_op)
    return train_op


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
