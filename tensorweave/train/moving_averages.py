"""Exponential moving averages of variables (TF's moving_averages module).

    ema = tf.train.ExponentialMovingAverage(decay=0.999)
    with tf.control_dependencies([train_op]):
        train_op = ema.apply(tf.trainable_variables())   # shadow 'w/ExponentialMovingAverage'
    saver = tf.train.Saver(ema.variables_to_restore())  # evaluation reads the averages
"""
from tensorweave import init_ops, variables
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph, name_scope
from tensorweave.ops import array, control, math_ops, state_ops
from tensorweave.train import optimizer
from tensorweave.variable_scope import get_variable, get_variable_scope, variable_scope


def _ref(variable):
    return variable._ref() if isinstance(variable, variables.Variable) else variable


def _unique_in_scope(name):
    """`name`, or `name_<i>` when the current variable scope already holds a variable so named
    (TF's naming of the debiasing variables)."""
    scope = get_variable_scope()
    if scope.reuse:
        return name
    taken = {v.op.name for v in variables.global_variables()}
    full = f"{scope.name}/{name}"
    if full not in taken:
        return name
    i = 1
    while f"{full}_{i}" in taken:
        i += 1
    return f"{name}_{i}"


def _zero_debias(unbiased, value, decay):
    """Updates a biased running average kept beside `unbiased` ('<name>/biased', with a step
    count '<name>/local_step') and writes it, divided by 1 - (1 - decay) ** steps, there."""
    with variable_scope(unbiased.op.name):
        with get_default_graph().control_dependencies(None):
            biased = get_variable(
                _unique_in_scope("biased"), shape=unbiased.shape, dtype=unbiased.dtype,
                initializer=init_ops.zeros_initializer(), trainable=False)
            local_step = get_variable(
                _unique_in_scope("local_step"), shape=[], dtype=unbiased.dtype,
                initializer=init_ops.zeros_initializer(), trainable=False)
    update_biased = state_ops.assign_sub(_ref(biased), (biased.value() - value) * decay)
    update_step = state_ops.assign_add(_ref(local_step), convert_to_tensor(
        1, dtype=local_step.dtype))
    bias_factor = 1 - math_ops.pow(1.0 - decay, update_step)
    scope = get_default_graph().get_name_scope()
    return state_ops.assign(_ref(unbiased), update_biased / bias_factor, name=scope + "/")


def assign_moving_average(variable, value, decay, zero_debias=True, name=None):
    """variable -= (1 - decay) * (variable - value); with `zero_debias`, the average is kept
    unbiased toward its zero start (Kingma & Ba, section 3). Returns the updated value."""
    with name_scope(name, "AssignMovingAvg", [variable, value, decay]) as scope:
        decay = convert_to_tensor(1.0 - convert_to_tensor(decay), name="decay")
        if decay.dtype is not variable.dtype:
            decay = array.cast(decay, variable.dtype)
        if zero_debias:
            return _zero_debias(variable, value, decay)
        current = variable.value() if isinstance(variable, variables.Variable) else variable
        return state_ops.assign_sub(_ref(variable), (current - value) * decay, name=scope)


class ExponentialMovingAverage:
    """Shadow variables holding decay-weighted averages of variables (or tensors).

    `apply(var_list)` makes a shadow '<var>/<name>' per variable, starting at its initial
    value (a tensor's starts at zero), and returns the op that moves each shadow toward its
    variable: shadow -= (1 - decay) * (shadow - var), with decay min(decay, (1 + n) / (10 +
    n)) when `num_updates` n is given.
    """

    def __init__(self, decay, num_updates=None, zero_debias=False,
                 name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages = {}

    @property
    def name(self):
        return self._name

    def apply(self, var_list=None):
        """Creates missing shadows for `var_list` (default: trainable variables) and returns an
        op updating them all."""
        if var_list is None:
            var_list = variables.trainable_variables()
        var_list = list(var_list)
        debiased = set()
        for var in var_list:
            if not var.dtype.is_floating:
                raise TypeError(f"The variables must be half, float, or double: {var.name}")
            if var in self._averages:
                continue
            graph = var.graph
            with graph.as_default(), graph.control_dependencies(None):
                if isinstance(var, variables.Variable):
                    average = optimizer.slot_variable(var, var.initialized_value(), self._name)
                    graph.add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
                else:
                    average = optimizer.slot_variable(
                        var, array.zeros(var.shape.as_list(), var.dtype), self._name)
                    if self._zero_debias:
                        debiased.add(average)
            self._averages[var] = average
        with name_scope(self._name) as scope:
            decay = convert_to_tensor(self._decay, dtype=dtypes.float32, name="decay")
            if self._num_updates is not None:
                n = array.cast(self._num_updates, dtypes.float32, name="num_updates")
                decay = math_ops.minimum(decay, (1.0 + n) / (10.0 + n))
            updates = [assign_moving_average(self._averages[var], var, decay,
                                             zero_debias=self._averages[var] in debiased)
                       for var in var_list]
            return control.group(*updates, name=scope)

    def average(self, var):
        """The shadow variable of `var`, or None."""
        return self._averages.get(var)

    def average_name(self, var):
        """The name of `var`'s shadow variable, whether or not apply() made it yet."""
        if var in self._averages:
            return self._averages[var].op.name
        return get_default_graph().unique_name(f"{var.op.name}/{self._name}",
                                               mark_as_used=False)

    def variables_to_restore(self, moving_avg_variables=None):
        """{checkpoint name: variable} for a Saver that restores averages into the variables:
        the shadow's name for `moving_avg_variables` (default: trainable and moving-average
        variables), the variable's own name for every other global variable."""
        if moving_avg_variables is None:
            moving_avg_variables = (variables.trainable_variables()
                                    + variables.moving_average_variables())
        name_map = {}
        averaged = []
        for v in moving_avg_variables:
            if v not in averaged:
                averaged.append(v)
                name_map[self.average_name(v)] = v
        averaged_names = {v.name for v in averaged}
        for v in variables.global_variables():
            if v.name not in averaged_names and v.op.name not in name_map:
                name_map[v.op.name] = v
        return name_map
