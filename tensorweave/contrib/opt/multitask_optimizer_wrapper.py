"""MultitaskOptimizerWrapper: an optimizer whose all-zero gradients leave the variable and the
optimizer's state alone (a masked-out task's loss contributes no "zero" step to running
averages), and clip_gradients_by_global_norm, which ignores all-zero gradients in the norm.

    opt = tf.contrib.opt.MultitaskOptimizerWrapper(tf.train.MomentumOptimizer(0.1, 0.9))
    grads_and_vars, norm = tf.contrib.opt.clip_gradients_by_global_norm(
        opt.compute_gradients(loss), 15.0)
    train_op = opt.apply_gradients(grads_and_vars)
"""
import types

from tensorweave.core import dtypes
from tensorweave.ops import array, control, math_ops
from tensorweave.train import optimizer

__all__ = ["MultitaskOptimizerWrapper", "clip_gradients_by_global_norm"]


def _is_all_zeros(grad):
    return math_ops.equal(math_ops.count_nonzero(grad), 0)


def _get_wrapper(fn, opt):
    def wrapper(self, grad, *args, **kwargs):
        return control.cond(_is_all_zeros(grad), control.no_op,
                            lambda: fn(grad, *args, **kwargs))
    return types.MethodType(wrapper, opt)


class MultitaskOptimizerWrapper:
    """Wraps `opt` (a tf.train.Optimizer) so that an all-zero gradient skips its update."""

    def __init__(self, opt):
        if not isinstance(opt, optimizer.Optimizer):
            raise TypeError("Supplied optimizer must be an instance of tf.train.Optimizer")
        self._opt = opt
        for name in ("_apply_dense", "_apply_sparse"):
            setattr(self._opt, name, _get_wrapper(getattr(self._opt, name), self._opt))

    def __getattr__(self, name):
        return getattr(self._opt, name)


def clip_gradients_by_global_norm(gradients_variables, clip_norm=20.0):
    """(clipped [(gradient, variable)], the global norm of the gradients that are not all
    zeros)."""
    gradients, variables = zip(*gradients_variables)

    def replace_nonexisting_grad(grad):
        if grad is None:
            return grad
        return control.cond(_is_all_zeros(grad),
                            lambda: array.zeros([], dtype=dtypes.as_dtype(grad.dtype)),
                            lambda: grad)
    nonzero_gradients = [replace_nonexisting_grad(g) for g in gradients]
    fixed_global_norm = math_ops.global_norm(nonzero_gradients)
    gradients, _ = math_ops.clip_by_global_norm(list(gradients), clip_norm,
                                                use_norm=fixed_global_norm)
    return list(zip(gradients, variables)), fixed_global_norm
