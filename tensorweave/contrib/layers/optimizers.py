"""tf.contrib.layers.optimize_loss: one call from a loss to a training tensor, with learning
rate decay, gradient noise, multipliers, clipping and summaries (TF 1.15's behaviour).

    train_op = tf.contrib.layers.optimize_loss(loss, tf.train.get_or_create_global_step(),
                                               learning_rate=0.1, optimizer="Adam",
                                               clip_gradients=5.0)
"""
from tensorweave import init_ops
from tensorweave import variables as variables_lib
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.core.operation import Tensor
from tensorweave.ops import array, check_ops, math_ops, random_ops
from tensorweave.summary import summary_ops
from tensorweave.train import optimizer as optimizer_lib
from tensorweave.train import training_util
from tensorweave.variable_scope import get_variable, variable_scope

OPTIMIZER_CLS_NAMES = {
    "Adagrad": optimizer_lib.AdagradOptimizer,
    "Adam": optimizer_lib.AdamOptimizer,
    "Ftrl": optimizer_lib.FtrlOptimizer,
    "Momentum": lambda learning_rate: optimizer_lib.MomentumOptimizer(learning_rate,
                                                                      momentum=0.9),
    "RMSProp": optimizer_lib.RMSPropOptimizer,
    "SGD": optimizer_lib.GradientDescentOptimizer,
}

OPTIMIZER_SUMMARIES = ["learning_rate", "loss", "gradients", "gradient_norm",
                       "global_gradient_norm"]

__all__ = ["optimize_loss", "OPTIMIZER_CLS_NAMES", "OPTIMIZER_SUMMARIES"]


def _with_dependencies(dependencies, output):
    graph = get_default_graph()
    with graph.name_scope("control_dependency"), graph.control_dependencies(dependencies):
        return array.identity(output)


def _learning_rate(learning_rate):
    if learning_rate is None:
        return None
    if isinstance(learning_rate, Tensor) and learning_rate.shape.ndims == 0:
        return learning_rate
    if isinstance(learning_rate, float):
        if learning_rate < 0.0:
            raise ValueError(f"Invalid learning_rate {learning_rate}.")
        return get_variable("learning_rate", [], trainable=False,
                            initializer=init_ops.constant_initializer(learning_rate))
    raise ValueError(f"Learning rate should be 0d Tensor or float. Got {learning_rate} of type "
                     f"{type(learning_rate)}")


def _make_optimizer(optimizer, lr, learning_rate):
    if isinstance(optimizer, str):
        if lr is None:
            raise ValueError(f"Learning rate is None, but should be specified if optimizer is "
                             f"string ({optimizer}).")
        if optimizer not in OPTIMIZER_CLS_NAMES:
            raise ValueError(f"Optimizer name should be one of "
                             f"[{', '.join(OPTIMIZER_CLS_NAMES)}], you provided {optimizer}.")
        return OPTIMIZER_CLS_NAMES[optimizer](learning_rate=lr)
    if isinstance(optimizer, type) and issubclass(optimizer, optimizer_lib.Optimizer):
        if lr is None:
            raise ValueError(f"Learning rate is None, but should be specified if optimizer is "
                             f"class ({optimizer}).")
        return optimizer(learning_rate=lr)
    if isinstance(optimizer, optimizer_lib.Optimizer):
        return optimizer
    if callable(optimizer):
        opt = optimizer(lr) if learning_rate is not None else optimizer()
        if not isinstance(opt, optimizer_lib.Optimizer):
            raise ValueError(f"Unrecognized optimizer: function should return subclass of "
                             f"Optimizer. Got {opt}.")
        return opt
    raise ValueError(f"Unrecognized optimizer: should be string, subclass of Optimizer, "
                     f"instance of subclass of Optimizer or function with one argument. Got "
                     f"{optimizer}.")


def _values(gradient):
    return gradient.values if isinstance(gradient, IndexedSlices) else gradient


def _add_scaled_noise(grads_and_vars, scale):
    noisy = []
    for gradient, var in grads_and_vars:
        if gradient is None:
            noisy.append((None, var))
            continue
        shape = gradient.dense_shape if isinstance(gradient, IndexedSlices) else \
            gradient.shape.as_list()
        noise = random_ops.truncated_normal(shape) * scale
        noisy.append((gradient + noise, var))
    return noisy


def _multiply_gradients(grads_and_vars, multipliers):
    result = []
    for grad, var in grads_and_vars:
        key = var if any(var is k for k in multipliers) else var.name
        if grad is not None and key in multipliers:
            multiplier = multipliers[key]
            if isinstance(grad, IndexedSlices):
                grad = IndexedSlices(grad.values * multiplier, grad.indices, grad.dense_shape)
            else:
                grad = grad * array.cast(multiplier, grad.dtype)
        result.append((grad, var))
    return result


def _global_norm(grads_and_vars):
    return math_ops.global_norm([g for g, _ in grads_and_vars])


def optimize_loss(loss, global_step, learning_rate, optimizer, gradient_noise_scale=None,
                  gradient_multipliers=None, clip_gradients=None, learning_rate_decay_fn=None,
                  update_ops=None, variables=None, name=None, summaries=None,
                  colocate_gradients_with_ops=False, increment_global_step=True):
    """The training tensor for `loss` (the loss, after one update step when run).

    `optimizer` is a name (Adagrad, Adam, Ftrl, Momentum, RMSProp, SGD), an Optimizer class
    or instance, or a function of the learning rate; a float learning rate becomes the
    variable `OptimizeLoss/learning_rate`. UPDATE_OPS run before the loss.
    """
    loss = convert_to_tensor(loss)
    check_ops.assert_scalar(loss)
    if global_step is None:
        global_step = training_util.get_global_step()
    else:
        training_util.assert_global_step(global_step)
    graph = get_default_graph()
    with variable_scope(name, "OptimizeLoss", [loss, global_step]):
        if update_ops is None:
            update_ops = list(dict.fromkeys(graph.get_collection(GraphKeys.UPDATE_OPS)))
        if update_ops:
            loss = _with_dependencies(list(update_ops), loss)
        lr = _learning_rate(learning_rate)
        if summaries is None:
            summaries = ["loss", "learning_rate", "global_gradient_norm"]
        else:
            for summ in summaries:
                if summ not in OPTIMIZER_SUMMARIES:
                    raise ValueError(f"Summaries should be one of "
                                     f"[{', '.join(OPTIMIZER_SUMMARIES)}], you provided "
                                     f"{summ}.")
        if learning_rate is not None and learning_rate_decay_fn is not None:
            if global_step is None:
                raise ValueError("global_step is required for learning_rate_decay_fn.")
            lr = learning_rate_decay_fn(lr, global_step)
            if "learning_rate" in summaries:
                summary_ops.scalar("learning_rate", lr)
        opt = _make_optimizer(optimizer, lr, learning_rate)
        if variables is None:
            variables = variables_lib.trainable_variables()
        gradients = opt.compute_gradients(
            loss, variables, colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gradient_noise_scale is not None:
            gradients = _add_scaled_noise(gradients, gradient_noise_scale)
        if gradient_multipliers is not None:
            gradients = _multiply_gradients(gradients, gradient_multipliers)
            if not gradients:
                raise ValueError("Empty list of (gradient, var) pairs encountered. This is "
                                 "most likely to be caused by an improper value of "
                                 "gradient_multipliers.")
        norm_summaries = "global_gradient_norm" in summaries or "gradient_norm" in summaries
        if norm_summaries:
            summary_ops.scalar("global_norm/gradient_norm", _global_norm(gradients))
        if isinstance(clip_gradients, float):
            clipped, _ = math_ops.clip_by_global_norm([g for g, _ in gradients],
                                                      clip_gradients)
            gradients = list(zip(clipped, [v for _, v in gradients]))
        elif callable(clip_gradients):
            gradients = clip_gradients(gradients)
        elif clip_gradients is not None:
            raise ValueError(f"Unknown type {type(clip_gradients)} for clip_gradients")
        if "loss" in summaries:
            summary_ops.scalar("loss", loss)
        for gradient, var in gradients:
            values = _values(gradient)
            if values is None:
                continue
            var_name = var.name.replace(":", "_")
            if "gradients" in summaries:
                summary_ops.histogram(f"gradients/{var_name}", values)
            if "gradient_norm" in summaries:
                summary_ops.scalar(f"gradient_norm/{var_name}", math_ops.global_norm([values]))
        if clip_gradients is not None and norm_summaries:
            summary_ops.scalar("global_norm/clipped_gradient_norm", _global_norm(gradients))
        grad_updates = opt.apply_gradients(
            gradients, global_step=global_step if increment_global_step else None,
            name="train")
        return _with_dependencies([grad_updates], loss)
