"""NadamOptimizer: Adam with Nesterov momentum (Dozat, 2015), as tf.contrib.opt has it: the
dense update is ApplyAdam with use_nesterov; the sparse one decays m and v on every row, as
Adam's does. Its default name is "Adam" (slots '<var>/Adam', '<var>/Adam_1'), as in TF."""
from tensorweave.core.graph import get_default_graph
from tensorweave.ops import array, control, math_ops, state_ops, training_ops
from tensorweave.train import optimizer


class NadamOptimizer(optimizer.AdamOptimizer):
    """Nesterov-accelerated Adam."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08,
                 use_locking=False, name="Adam"):
        super().__init__(learning_rate=learning_rate, beta1=beta1, beta2=beta2,
                         epsilon=epsilon, use_locking=use_locking, name=name)

    def _apply_dense(self, grad, var):
        b1p, b2p = (optimizer.cast_to(self._get_non_slot(k).value(), var.dtype)
                    for k in ("beta1_power", "beta2_power"))
        return training_ops.apply_adam(
            var._ref(), self.get_slot(var, "m")._ref(), self.get_slot(var, "v")._ref(),
            b1p, b2p, *[self._hyper_for(k, var) for k in ("learning_rate", "beta1", "beta2",
                                                          "epsilon")],
            grad, use_nesterov=True).op

    def _apply_sparse_shared(self, grad, var, indices, scatter_add):
        b1p, b2p = (optimizer.cast_to(self._get_non_slot(k).value(), var.dtype)
                    for k in ("beta1_power", "beta2_power"))
        lr_t, beta1_t, beta2_t, epsilon_t = (self._hyper_for(k, var) for k in (
            "learning_rate", "beta1", "beta2", "epsilon"))
        lr = lr_t * math_ops.sqrt(1 - b2p) / (1 - b1p)
        graph = get_default_graph()
        m = self.get_slot(var, "m")
        m_scaled = grad * (1 - beta1_t)
        m_t = state_ops.assign(m._ref(), m.value() * beta1_t)
        with graph.control_dependencies([m_t]):
            m_t = scatter_add(m._ref(), indices, m_scaled, use_locking=self._use_locking)
            m_bar = m_scaled + beta1_t * array.gather(m_t, indices)
        v = self.get_slot(var, "v")
        v_scaled = (grad * grad) * (1 - beta2_t)
        v_t = state_ops.assign(v._ref(), v.value() * beta2_t)
        with graph.control_dependencies([v_t]):
            v_t = scatter_add(v._ref(), indices, v_scaled, use_locking=self._use_locking)
        v_sqrt = math_ops.sqrt(array.gather(v_t, indices))
        var_update = scatter_add(var._ref(), indices, -lr * m_bar / (v_sqrt + epsilon_t),
                                 use_locking=self._use_locking)
        return control.group(var_update, m_bar, v_t)
