"""AddSignOptimizer and PowerSignOptimizer (Bello et al. 2017, "Neural Optimizer Search with
Reinforcement Learning") and their sign-decay schedules, as tf.contrib.opt has them: the dense
updates are ApplyAddSign / ApplyPowerSign with one slot "m"; a sign_decay_fn(global_step)
scales the sign term (1.0 without one)."""
import math

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import get_default_graph
from tensorweave.ops import array, control, math_ops, state_ops, training_ops
from tensorweave.train import optimizer


class _SignOptimizer(optimizer.Optimizer):
    """The shared part: a momentum slot "m" and the sign decay of the step."""

    def __init__(self, learning_rate, beta, sign_decay_fn, use_locking, name):
        super().__init__(use_locking, name)
        self._hyper = {"learning_rate": learning_rate, "beta": beta,
                       "sign_decay": lambda: self._sign_decay()}
        self._sign_decay_fn = sign_decay_fn
        self._global_step = None

    def _sign_decay(self):
        if self._sign_decay_fn is None:
            return 1.0
        return self._sign_decay_fn(self._global_step)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        self._global_step = global_step
        return super().apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "m")

    def _sparse_sign_gm(self, grad, var):
        """(m updated on the gradient's rows, sign(g) * sign(m) on those rows)."""
        beta_t = self._hyper_for("beta", var)
        m = self.get_slot(var, "m")
        m_t = state_ops.assign(m._ref(), m.value() * beta_t, use_locking=self._use_locking)
        with get_default_graph().control_dependencies([m_t]):
            m_t = state_ops.scatter_add(m._ref(), grad.indices, grad.values * (1 - beta_t),
                                        use_locking=self._use_locking)
        sign_gm = array.gather(math_ops.sign(m_t), grad.indices) * math_ops.sign(grad.values)
        return m_t, sign_gm


class AddSignOptimizer(_SignOptimizer):
    """var -= lr * (alpha + sign_decay * sign(g) * sign(m)) * g."""

    def __init__(self, learning_rate=0.1, alpha=1.0, beta=0.9, sign_decay_fn=None,
                 use_locking=False, name="AddSignOptimizer"):
        super().__init__(learning_rate, beta, sign_decay_fn, use_locking, name)
        self._hyper["alpha"] = alpha

    def _apply_dense(self, grad, var):
        return training_ops.apply_add_sign(
            var._ref(), self.get_slot(var, "m")._ref(), *[self._hyper_for(k, var) for k in (
                "learning_rate", "alpha", "sign_decay", "beta")], grad).op

    def _apply_sparse(self, grad, var):
        m_t, sign_gm = self._sparse_sign_gm(grad, var)
        multiplier = self._hyper_for("alpha", var) + \
            self._hyper_for("sign_decay", var) * sign_gm
        update = self._hyper_for("learning_rate", var) * multiplier * grad.values
        var_update = state_ops.scatter_sub(var._ref(), grad.indices, update,
                                           use_locking=self._use_locking)
        return control.group(var_update, m_t)


class PowerSignOptimizer(_SignOptimizer):
    """var -= lr * base ** (sign_decay * sign(g) * sign(m)) * g."""

    def __init__(self, learning_rate=0.1, base=math.e, beta=0.9, sign_decay_fn=None,
                 use_locking=False, name="PowerSignOptimizer"):
        super().__init__(learning_rate, beta, sign_decay_fn, use_locking, name)
        self._hyper["logbase"] = math.log(base)

    def _apply_dense(self, grad, var):
        return training_ops.apply_power_sign(
            var._ref(), self.get_slot(var, "m")._ref(), *[self._hyper_for(k, var) for k in (
                "learning_rate", "logbase", "sign_decay", "beta")], grad).op

    def _apply_sparse(self, grad, var):
        m_t, sign_gm = self._sparse_sign_gm(grad, var)
        multiplier = math_ops.exp(self._hyper_for("logbase", var) *
                                  self._hyper_for("sign_decay", var) * sign_gm)
        update = self._hyper_for("learning_rate", var) * multiplier * grad.values
        var_update = state_ops.scatter_sub(var._ref(), grad.indices, update,
                                           use_locking=self._use_locking)
        return control.group(var_update, m_t)


def get_linear_decay_fn(decay_steps):
    """sign_decay_fn: max(0, (decay_steps - min(step, decay_steps)) / decay_steps)."""
    def linear_decay_fn(global_step):
        if global_step is None:
            raise ValueError("global_step is required for linear_decay.")
        step = math_ops.minimum(global_step, decay_steps)
        remaining = array.cast(decay_steps, dtypes.int32) - array.cast(step, dtypes.int32)
        decayed = array.cast(remaining, dtypes.float32) / array.cast(decay_steps,
                                                                             dtypes.float32)
        return math_ops.maximum(0.0, decayed)
    return linear_decay_fn


def get_cosine_decay_fn(decay_steps, num_periods=0.5, zero_after=None):
    """sign_decay_fn: 0.5 (1 + cos(2 pi num_periods min(step, decay_steps) / decay_steps)),
    0 once that angle's fraction reaches 2 zero_after."""
    def cosine_decay_fn(global_step):
        if global_step is None:
            raise ValueError("global_step is required for cosine_decay.")
        step = math_ops.minimum(global_step, decay_steps)
        done = array.cast(step, dtypes.float32) / array.cast(decay_steps, dtypes.float32)
        fraction = 2.0 * num_periods * done
        decayed = 0.5 * (1.0 + math_ops.cos(convert_to_tensor(math.pi) * fraction))
        if zero_after is not None:
            decayed = array.where(math_ops.greater_equal(fraction, 2 * zero_after), 0.0,
                                  decayed)
        return decayed
    return cosine_decay_fn


def get_restart_decay_fn(decay_steps, num_periods=1, zero_after=None):
    """sign_decay_fn: 0.5 (1 + cos(pi ((num_periods min(step, decay_steps)) mod decay_steps)
    / decay_steps)), a cosine that restarts (SGDR-like); 0 once num_periods step /
    decay_steps reaches zero_after."""
    def restart_decay_fn(global_step):
        if global_step is None:
            raise ValueError("global_step is required for cosine_decay.")
        step = math_ops.minimum(global_step, decay_steps)
        count = math_ops.mod(num_periods * array.cast(step, dtypes.float32), decay_steps)
        fraction = count / array.cast(decay_steps, dtypes.float32)
        decayed = 0.5 * (1.0 + math_ops.cos(convert_to_tensor(math.pi) * fraction))
        if zero_after is not None:
            periods = array.cast(num_periods * step, dtypes.float32) / array.cast(
                decay_steps, dtypes.float32)
            decayed = array.where(math_ops.greater_equal(periods, zero_after), 0.0, decayed)
        return decayed
    return restart_decay_fn
