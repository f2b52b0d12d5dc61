"""Decoupled weight decay (Loshchilov & Hutter, "Fixing Weight Decay Regularization in Adam"):
each step first shrinks the variable by `weight_decay * var`, then applies the optimizer's own
update, as tf.contrib.opt's AdamWOptimizer and MomentumWOptimizer do.

    opt = tf.contrib.opt.AdamWOptimizer(weight_decay=1e-4, learning_rate=1e-3)
    train_op = opt.apply_gradients(opt.compute_gradients(loss), decay_var_list=[w])  # only w
"""
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import get_default_graph
from tensorweave.ops import array, control, state_ops
from tensorweave.train import optimizer


class DecoupledWeightDecayExtension:
    """Mixin that adds decoupled weight decay to an Optimizer class; it must come first among
    the bases: `class AdamW(DecoupledWeightDecayExtension, tf.train.AdamOptimizer)`. The decay
    happens before the update, so it suits optimizers whose update does not read the variable.
    """

    def __init__(self, weight_decay, *args, **kwargs):
        self._decay_var_list = None  # set by minimize / apply_gradients
        self._weight_decay = weight_decay
        self._weight_decay_tensor = None  # made by _prepare
        super().__init__(*args, **kwargs)

    def minimize(self, loss, global_step=None, var_list=None,
                 gate_gradients=optimizer.Optimizer.GATE_OP, aggregation_method=None,
                 colocate_gradients_with_ops=False, name=None, grad_loss=None,
                 decay_var_list=None):
        """Optimizer.minimize. As in TF 1.15, `decay_var_list` has no effect here (minimize
        calls apply_gradients, which resets it): every variable decays. Pass decay_var_list
        to apply_gradients to choose."""
        self._decay_var_list = set(decay_var_list) if decay_var_list else False
        return super().minimize(
            loss, global_step=global_step, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, name=name,
            grad_loss=grad_loss)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None,
                        decay_var_list=None):
        """Optimizer.apply_gradients, decaying the variables of `decay_var_list` (default:
        all)."""
        self._decay_var_list = set(decay_var_list) if decay_var_list else False
        return super().apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def _prepare(self):
        weight_decay = self._weight_decay
        if callable(weight_decay):
            weight_decay = weight_decay()
        self._weight_decay_tensor = convert_to_tensor(weight_decay, name="weight_decay")
        super()._prepare()

    def _decay_factor(self, var):
        decay = self._weight_decay_tensor if callable(self._weight_decay) else \
            self._weight_decay
        if hasattr(decay, "dtype") and decay.dtype is not var.dtype:
            decay = array.cast(decay, var.dtype)
        return decay

    def _decays(self, var):
        return not self._decay_var_list or var in self._decay_var_list

    def _decay_weights_op(self, var):
        if self._decays(var):
            return var.assign_sub(self._decay_factor(var) * var.value(), self._use_locking)
        return control.no_op()

    def _decay_weights_sparse_op(self, var, indices, scatter_add):
        if self._decays(var):
            update = -self._decay_factor(var) * array.gather(var.value(), indices)
            return scatter_add(var._ref(), indices, update, self._use_locking)
        return control.no_op()

    def _apply_dense(self, grad, var):
        with get_default_graph().control_dependencies([self._decay_weights_op(var)]):
            return super()._apply_dense(grad, var)

    def _apply_sparse(self, grad, var):
        decay = self._decay_weights_sparse_op(var, grad.indices, state_ops.scatter_add)
        with get_default_graph().control_dependencies([decay]):
            return super()._apply_sparse(grad, var)


def extend_with_decoupled_weight_decay(base_optimizer):
    """An Optimizer class: `base_optimizer` with decoupled weight decay, whose constructor
    takes `weight_decay` first and whose minimize/apply_gradients take `decay_var_list`.
    `extend_with_decoupled_weight_decay(tf.train.AdamOptimizer)` is AdamWOptimizer."""

    class OptimizerWithDecoupledWeightDecay(DecoupledWeightDecayExtension, base_optimizer):
        """`base_optimizer` with decoupled weight decay."""

        def __init__(self, weight_decay, *args, **kwargs):
            super().__init__(weight_decay, *args, **kwargs)

    return OptimizerWithDecoupledWeightDecay


class MomentumWOptimizer(DecoupledWeightDecayExtension, optimizer.MomentumOptimizer):
    """MomentumOptimizer with decoupled weight decay (SGDW)."""

    def __init__(self, weight_decay, learning_rate, momentum, use_locking=False,
                 name="MomentumW", use_nesterov=False):
        super().__init__(weight_decay, learning_rate=learning_rate, momentum=momentum,
                         use_locking=use_locking, name=name, use_nesterov=use_nesterov)


class AdamWOptimizer(DecoupledWeightDecayExtension, optimizer.AdamOptimizer):
    """AdamOptimizer with decoupled weight decay (AdamW)."""

    def __init__(self, weight_decay, learning_rate=0.001, beta1=0.9, beta2=0.999,
                 epsilon=1e-8, use_locking=False, name="AdamW"):
        super().__init__(weight_decay, learning_rate=learning_rate, beta1=beta1, beta2=beta2,
                         epsilon=epsilon, use_locking=use_locking, name=name)
