"""tf.contrib.mixed_precision: loss scaling as TF 1.15 has it. LossScaleOptimizer multiplies the
loss by a scale before differentiating, divides the gradients by it, and applies them only when
all are finite; a loss scale manager picks the scale (fixed, or grown after a run of finite
steps and shrunk after non-finite ones).

    manager = tf.contrib.mixed_precision.ExponentialUpdateLossScaleManager(2 ** 15, 2000)
    opt = tf.contrib.mixed_precision.LossScaleOptimizer(tf.train.AdamOptimizer(1e-3), manager)
    train_op = opt.minimize(loss)
"""
import abc

from tensorweave import variables
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.ops import array, control, math_ops, state_ops
from tensorweave.train import optimizer

__all__ = ["LossScaleManager", "FixedLossScaleManager", "ExponentialUpdateLossScaleManager",
           "LossScaleOptimizer"]


class LossScaleManager(abc.ABC):
    """Decides the loss scale: `get_loss_scale()` (a float32 scalar tensor) and
    `update_loss_scale(finite_grads)` (an op run with every step)."""

    @abc.abstractmethod
    def get_loss_scale(self):
        """The loss scale, a float32 scalar tensor."""

    @abc.abstractmethod
    def update_loss_scale(self, finite_grads):
        """An op updating the scale given a bool scalar tensor: were all gradients finite?"""


class FixedLossScaleManager(LossScaleManager):
    """One loss scale (a Python float >= 1) for the whole training."""

    def __init__(self, loss_scale):
        if loss_scale < 1:
            raise ValueError("loss scale must be at least 1.")
        self._loss_scale = convert_to_tensor(loss_scale, dtype=dtypes.float32)

    def get_loss_scale(self):
        return self._loss_scale

    def update_loss_scale(self, finite_grads):
        del finite_grads
        return control.no_op()


class ExponentialUpdateLossScaleManager(LossScaleManager):
    """A loss scale multiplied by `incr_ratio` after `incr_every_n_steps` consecutive steps
    with finite gradients (unless that overflows float32) and by `decr_ratio` (not below 1)
    after `decr_every_n_nan_or_inf` steps, not necessarily consecutive, with non-finite ones.
    A non-finite step resets the finite count; a scale change resets both counts. Its state is
    three non-trainable variables: loss_scale, good_steps and bad_steps."""

    def __init__(self, init_loss_scale, incr_every_n_steps, decr_every_n_nan_or_inf=2,
                 incr_ratio=2, decr_ratio=0.8):
        self._incr_every_n_steps = incr_every_n_steps
        self._decr_every_n_nan_or_inf = decr_every_n_nan_or_inf
        self._incr_ratio = incr_ratio
        self._decr_ratio = decr_ratio
        self._loss_scale = variables.Variable(
            convert_to_tensor(init_loss_scale, dtypes.float32), name="loss_scale",
            dtype=dtypes.float32, trainable=False)
        self._num_good_steps = variables.Variable(0, name="good_steps", dtype=dtypes.int32,
                                                  trainable=False)
        self._num_bad_steps = variables.Variable(0, name="bad_steps", dtype=dtypes.int32,
                                                 trainable=False)

    def get_loss_scale(self):
        return self._loss_scale

    def _reset_stats(self):
        return control.group(state_ops.assign(self._num_good_steps, 0),
                             state_ops.assign(self._num_bad_steps, 0))

    def _after_finite_step(self):
        def increase():
            grown = self._loss_scale * self._incr_ratio
            new_scale = control.cond(math_ops.is_finite(grown), lambda: grown,
                                     lambda: array.identity(self._loss_scale))
            return control.group(state_ops.assign(self._loss_scale, new_scale),
                                 self._reset_stats())

        return control.cond(self._num_good_steps + 1 >= self._incr_every_n_steps, increase,
                            lambda: state_ops.assign_add(self._num_good_steps, 1).op)

    def _after_non_finite_step(self):
        def decrease():
            shrunk = math_ops.maximum(1.0, self._loss_scale * self._decr_ratio)
            return control.group(state_ops.assign(self._loss_scale, shrunk),
                                 self._reset_stats())

        def count():
            return control.group(state_ops.assign_add(self._num_bad_steps, 1),
                                 state_ops.assign(self._num_good_steps, 0))

        return control.cond(self._num_bad_steps + 1 >= self._decr_every_n_nan_or_inf, decrease,
                            count)

    def update_loss_scale(self, finite_grads):
        return control.cond(finite_grads, self._after_finite_step,
                            self._after_non_finite_step)


class LossScaleOptimizer(optimizer.Optimizer):
    """Wraps `opt` (a tf.train.Optimizer) with loss scaling by `loss_scale_manager`.

    compute_gradients differentiates loss * scale and returns the gradients divided by the
    scale; apply_gradients applies them (and increments global_step) only if every gradient
    is finite, and always updates the manager. Use its compute_gradients, not tf.gradients.
    """

    def __init__(self, opt, loss_scale_manager):
        super().__init__(False, "LossScaleOptimizer")
        self._opt = opt
        self._loss_scale_manager = loss_scale_manager

    def compute_gradients(self, loss, var_list=None, gate_gradients=optimizer.Optimizer.GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops=False,
                          grad_loss=None):
        loss_scale = self._loss_scale_manager.get_loss_scale()
        loss_value = loss() if callable(loss) else convert_to_tensor(loss)
        scaled_loss = loss_value * array.cast(loss_scale, loss_value.dtype.base_dtype)
        grads_and_vars = self._opt.compute_gradients(
            scaled_loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        return self._down_scale(grads_and_vars, loss_scale)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        grads_and_vars = list(grads_and_vars)
        all_finite = math_ops.reduce_all(array.stack(
            [math_ops.reduce_all(math_ops.is_finite(_values(g))) for g, _ in grads_and_vars]))

        def apply():
            return self._opt.apply_gradients(grads_and_vars, global_step, name)

        update_vars = control.cond(all_finite, apply, control.no_op)
        return control.group(update_vars,
                             self._loss_scale_manager.update_loss_scale(all_finite))

    @staticmethod
    def _down_scale(grads_and_vars, loss_scale):
        inverse = math_ops.reciprocal(loss_scale)
        return [(_scaled(g, inverse), v) for g, v in grads_and_vars]


def _values(gradient):
    return gradient.values if isinstance(gradient, IndexedSlices) else gradient


def _scaled(gradient, factor):
    """`gradient` (a tensor, an IndexedSlices or None) times the scalar `factor`."""
    if gradient is None:
        return None
    if isinstance(gradient, IndexedSlices):
        return IndexedSlices(_scaled(gradient.values, factor), gradient.indices,
                             gradient.dense_shape)
    return gradient * array.cast(factor, gradient.dtype.base_dtype)
