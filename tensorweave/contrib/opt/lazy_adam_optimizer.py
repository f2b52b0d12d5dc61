"""LazyAdamOptimizer: Adam whose sparse updates (tf.gather's IndexedSlices gradients) touch
only the rows in the batch: m, v and the variable change on those rows, so a step costs what
the batch costs, not what the table costs (tf.train.AdamOptimizer decays m and v everywhere).
Dense gradients get Adam's usual update."""
from tensorweave.ops import array, control, math_ops, state_ops
from tensorweave.train import optimizer


class LazyAdamOptimizer(optimizer.AdamOptimizer):
    """Adam with lazy sparse updates: the moments of rows not in the batch stay as they were.
    """

    def _apply_sparse(self, grad, var):
        b1p, b2p = (optimizer.cast_to(self._get_non_slot(k).value(), var.dtype)
                    for k in ("beta1_power", "beta2_power"))
        lr_t, beta1_t, beta2_t, epsilon_t = (self._hyper_for(k, var) for k in (
            "learning_rate", "beta1", "beta2", "epsilon"))
        lr = lr_t * math_ops.sqrt(1 - b2p) / (1 - b1p)
        m = self.get_slot(var, "m")
        m_t = state_ops.scatter_update(
            m._ref(), grad.indices,
            beta1_t * array.gather(m.value(), grad.indices) + (1 - beta1_t) * grad.values,
            use_locking=self._use_locking)
        v = self.get_slot(var, "v")
        v_t = state_ops.scatter_update(
            v._ref(), grad.indices,
            beta2_t * array.gather(v.value(), grad.indices) +
            (1 - beta2_t) * math_ops.square(grad.values),
            use_locking=self._use_locking)
        m_t_slice = array.gather(m_t, grad.indices)
        v_t_slice = array.gather(v_t, grad.indices)
        denominator_slice = math_ops.sqrt(v_t_slice) + epsilon_t
        var_update = state_ops.scatter_sub(var._ref(), grad.indices,
                                           lr * m_t_slice / denominator_slice,
                                           use_locking=self._use_locking)
        return control.group(var_update, m_t, v_t)
