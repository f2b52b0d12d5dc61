"""tf.contrib.training's training loop: create_train_op (a tensor that updates the model and
returns the loss) and train (a MonitoredTrainingSession that runs it until a hook stops it).

    train_op = tf.contrib.training.create_train_op(loss, tf.train.AdamOptimizer(1e-3))
    tf.contrib.training.train(train_op, logdir,
                              hooks=[tf.train.StopAtStepHook(last_step=1000)])
"""
from tensorweave import variables
from tensorweave.core.constants import constant
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.ops import array, check_ops, control, math_ops
from tensorweave.platform import tf_logging as logging
from tensorweave.summary import summary_ops
from tensorweave.train import optimizer as optimizer_lib
from tensorweave.train import monitored_session, training_util

__all__ = ["create_train_op", "train", "clip_gradient_norms_fn"]

USE_GLOBAL_STEP = _USE_GLOBAL_STEP = 0  # create_train_op's default: the global step


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
                    variables_to_train=None, transform_grads_fn=None,
                    summarize_gradients=False, gate_gradients=optimizer_lib.Optimizer.GATE_OP,
                    aggregation_method=None, colocate_gradients_with_ops=False,
                    check_numerics=True):
    """The total loss, computed after the UPDATE_OPS (or `update_ops`) and after applying the
    gradients (through `transform_grads_fn(grads_and_vars)` if given); added to TRAIN_OP."""
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
    if transform_grads_fn:
        grads = transform_grads_fn(grads)
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


def clip_gradient_norms_fn(max_norm):
    """A transform_grads_fn clipping each gradient to L2 norm `max_norm`."""
    def clip_norms(gradients_to_variables):
        return clip_gradient_norms(gradients_to_variables, max_norm)
    return clip_norms


def train(train_op, logdir, master="", is_chief=True, scaffold=None, hooks=None,
          chief_only_hooks=None, save_checkpoint_secs=600, save_summaries_steps=100,
          config=None, max_wait_secs=7200, run_metadata=None):
    """Runs `train_op` in a MonitoredTrainingSession (checkpoints and summaries in `logdir`)
    until a hook asks to stop; returns the last loss."""
    if logdir is None and is_chief:
        if save_summaries_steps:
            raise ValueError("logdir cannot be None when save_summaries_steps is not None")
        if save_checkpoint_secs:
            raise ValueError("logdir cannot be None when save_checkpoint_secs is not None")
    with monitored_session.MonitoredTrainingSession(
            master=master, is_chief=is_chief, checkpoint_dir=logdir, scaffold=scaffold,
            hooks=hooks, chief_only_hooks=chief_only_hooks,
            save_checkpoint_secs=save_checkpoint_secs,
            save_summaries_steps=save_summaries_steps, config=config,
            max_wait_secs=max_wait_secs) as session:
        loss = None
        while not session.should_stop():
            loss = session.run(train_op, run_metadata=run_metadata)
    return loss
