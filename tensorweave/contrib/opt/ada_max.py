"""AdaMaxOptimizer: Adam with the infinity norm (Kingma & Ba, section 7.1), as tf.contrib.opt
has it: the dense update is ApplyAdaMax; only beta1's power is kept ("beta1_power"); the
sparse update gathers and scatters the gradient's rows. Slots '<var>/AdaMax',
'<var>/AdaMax_1'."""
from tensorweave.core.graph import get_default_graph
from tensorweave.ops import array, control, math_ops, state_ops, training_ops
from tensorweave.train import optimizer


class AdaMaxOptimizer(optimizer.AdamOptimizer):
    """m = beta1 m + (1 - beta1) g; v = max(beta2 v, |g|); var -= lr / (1 - beta1^t) m / v."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 use_locking=False, name="AdaMax"):
        super().__init__(learning_rate=learning_rate, beta1=beta1, beta2=beta2,
                         epsilon=epsilon, use_locking=use_locking, name=name)

    def _create_slots(self, var_list):
        self._non_slot("beta1_power", self._betas[0])
        for v in var_list:
            self._zeros_slot(v, "m")
            self._zeros_slot(v, "v")

    def _beta1_power(self, var):
        return optimizer.cast_to(self._get_non_slot("beta1_power").value(), var.dtype)

    def _apply_dense(self, grad, var):
        return training_ops.apply_ada_max(
            var._ref(), self.get_slot(var, "m")._ref(), self.get_slot(var, "v")._ref(),
            self._beta1_power(var), *[self._hyper_for(k, var) for k in (
                "learning_rate", "beta1", "beta2", "epsilon")], grad).op

    def _apply_sparse(self, grad, var):
        return self._apply_sparse_shared(grad.values, var, grad.indices,
                                         state_ops.scatter_add)

    def _apply_sparse_shared(self, grad, var, indices, scatter_add):
        beta1_power = self._beta1_power(var)
        lr_t, beta1_t, beta2_t, epsilon_t = (self._hyper_for(k, var) for k in (
            "learning_rate", "beta1", "beta2", "epsilon"))
        graph = get_default_graph()
        m = self.get_slot(var, "m")
        m_t_slice = array.gather(m.value(), indices) * beta1_t + grad * (1 - beta1_t)
        with graph.control_dependencies([m_t_slice]):
            m_t = state_ops.scatter_update(m._ref(), indices, m_t_slice,
                                           use_locking=self._use_locking)
        v = self.get_slot(var, "v")
        v_t_slice = math_ops.maximum(array.gather(v.value(), indices) * beta2_t,
                                     math_ops.abs(grad))
        with graph.control_dependencies([v_t_slice]):
            v_t = state_ops.scatter_update(v._ref(), indices, v_t_slice,
                                           use_locking=self._use_locking)
        var_slice = -lr_t / (1 - beta1_power) * (m_t_slice / (v_t_slice + epsilon_t))
        with graph.control_dependencies([var_slice]):
            var_update = scatter_add(var._ref(), indices, var_slice,
                                     use_locking=self._use_locking)
        return control.group(var_update, m_t, v_t)

    def _finish(self, update_ops, name):
        with get_default_graph().control_dependencies(update_ops):
            power = self._get_non_slot("beta1_power")
            update = power.assign(power.value() * optimizer.cast_to(
                self._hyper_tensors["beta1"], power.dtype))
        return control.group(*update_ops, update, name=name)
