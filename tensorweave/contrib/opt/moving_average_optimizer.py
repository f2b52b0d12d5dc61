"""MovingAverageOptimizer: wraps an optimizer and keeps an exponential moving average of the
variables it trains; `swapping_saver()` saves the averages under the variables' names (and
the variables under the averages' names), so evaluation restores the averaged model.

    opt = tf.contrib.opt.MovingAverageOptimizer(tf.train.MomentumOptimizer(0.1, 0.9))
    train_op = opt.minimize(loss)
    saver = opt.swapping_saver()
"""
from tensorweave import variables
from tensorweave.core.graph import get_default_graph
from tensorweave.ops import control
from tensorweave.train import moving_averages, optimizer, saver


class MovingAverageOptimizer(optimizer.Optimizer):
    """Optimizer wrapper that maintains a moving average of the parameters it updates."""

    def __init__(self, opt, average_decay=0.9999, num_updates=None, sequential_update=True):
        self._optimizer = opt
        self._ema = moving_averages.ExponentialMovingAverage(average_decay,
                                                             num_updates=num_updates)
        self._variable_map = None
        self._sequential_update = sequential_update

    def compute_gradients(self, *args, **kwargs):
        return self._optimizer.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """The wrapped optimizer's update, then (sequential_update) the averages' update."""
        grads_and_vars = list(grads_and_vars)
        train_op = self._optimizer.apply_gradients(grads_and_vars, global_step=global_step,
                                                   name=name)
        var_list = [v for g, v in grads_and_vars if g is not None]
        self._variable_map = {}
        if self._sequential_update:
            with get_default_graph().control_dependencies([train_op]):
                ma_op = self._ema.apply(var_list)
        else:
            ma_op = self._ema.apply(var_list)
        for v in var_list:
            v_avg = self._ema.average(v)
            self._variable_map[v.op.name] = v_avg
            self._variable_map[v_avg.op.name] = v
        return control.group(train_op, ma_op, name="train_with_avg")

    def get_slot(self, var, name):
        return self._optimizer.get_slot(var, name)

    def get_slot_names(self):
        return self._optimizer.get_slot_names()

    def variables(self):
        return self._optimizer.variables()

    def swapping_saver(self, var_list=None, name="swapping_saver", **kwargs):
        """A Saver that writes each trained variable's moving average under the variable's
        name and the variable under its average's name (call after minimize)."""
        if self._variable_map is None:
            raise RuntimeError("Must call apply_gradients or minimize before creating the "
                               "swapping_saver")
        if var_list is None:
            var_list = variables.global_variables()
        if not isinstance(var_list, dict):
            var_list = {v.op.name: v for v in var_list}
        swapped = {key: self._variable_map.get(v.op.name, v) for key, v in var_list.items()}
        return saver.Saver(swapped, name=name, **kwargs)
