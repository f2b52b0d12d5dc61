"""Optimizers: compute gradients of a loss and apply one update rule to the variables.

Variables are named as TensorFlow names them, so checkpoints move between the two: a slot is
'<variable>/<optimizer name>' ('w/Adam', 'w/Adam_1', ...), made in the current variable scope;
an optimizer-wide variable such as Adam's 'beta1_power' is made in the current name scope
('train/beta1_power' under `tf.name_scope("train")`).
"""
import contextlib
import contextvars

from tensorweave.gradients import gradients as symbolic_gradients
from tensorweave.variable_scope import variable_scope
from tensorweave import variables
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph, name_scope
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.ops import array, control, math_ops, sort_ops, state_ops, training_ops
from tensorweave.platform import tf_logging as logging

_warned_once = set()
_one_part_slot_names = contextvars.ContextVar("one_part_slot_names", default=False)


def _warn_once(key, message):
    """Logs `message` the first time `key` is seen in this process."""
    if key not in _warned_once:
        _warned_once.add(key)
        logging.warning(message)


@contextlib.contextmanager
def slot_names_of_one_part_partitions():
    """Slots made inside get the checkpoint names TF gives slots of a variable it split into
    one partition ('<var>/part_0'): '<var>/' + the slot variable's name less its first
    len('<var>/part_0/') characters. TF's canned estimators partition every variable so and
    minimize inside variable scope 'dnn', so their slots are 'dnn/hiddenlayer_0/kernel/t_0/
    Adagrad' (from 'dnn/dnn/hiddenlayer_0/kernel/part_0/Adagrad'); at the root scope the
    name is the unpartitioned one, 'w/Adagrad'.
    """
    token = _one_part_slot_names.set(True)
    try:
        yield
    finally:
        _one_part_slot_names.reset(token)


def slot_variable(primary, initial_value, slot_name):
    """A new slot variable of `primary`, named as TF's slot_creator names it."""
    one_part = _one_part_slot_names.get()
    prefix = primary.op.name + ("/part_0" if one_part else "")
    with variable_scope(None, default_name=f"{prefix}/{slot_name}",
                                           auxiliary_name_scope=False) as scope:
        name = scope.name
    if one_part:
        name = f"{primary.op.name}/{name[len(prefix) + 1:]}"
    with primary.graph.name_scope(None):
        return variables.Variable(initial_value, trainable=False, name=name)


class Optimizer:
    """Base class. Subclasses declare slots (`_create_slots`) and the update ops: `_apply_dense`
    for a dense gradient, `_apply_sparse` for an IndexedSlices one (tf.gather's), which
    `_apply_sparse_duplicate_indices` hands on with repeated indices summed, as TF does."""

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        if use_locking:
            _warn_once("use_locking", "use_locking=True has no effect in tensorweave: variable "
                       "updates are not locked against Session.run calls in other threads.")
        self._use_locking = use_locking
        self._name = name
        self._slots = {}
        self._non_slot_variables = {}
        self._hyper = {}

    def get_name(self):
        return self._name

    # --- the public workflow ------------------------------------------------------------------
    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None,
                 grad_loss=None):
        """Adds ops that update `var_list` to reduce `loss` (and increment global_step)."""
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        if not any(g is not None for g, _ in grads_and_vars):
            names = [v.name for _, v in grads_and_vars]
            raise ValueError(f"No gradients provided for any variable, check your graph for ops "
                             f"that do not support gradients, between variables {names} and "
                             f"loss {loss}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops=False,
                          grad_loss=None):
        """[(gradient or None, variable)] for `var_list` (default: trainable variables).

        Every gate_gradients value gives GATE_GRAPH's result here: a run computes all
        gradients from the variables' values before it applies any update.
        """
        if gate_gradients not in (self.GATE_NONE, self.GATE_OP, self.GATE_GRAPH):
            raise ValueError("gate_gradients must be one of: Optimizer.GATE_NONE, "
                             f"Optimizer.GATE_OP, Optimizer.GATE_GRAPH.  Not {gate_gradients}")
        if callable(loss):
            raise NotImplementedError("A callable loss needs eager execution; pass a tensor.")
        if var_list is None:
            var_list = variables.trainable_variables()
        var_list = list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        loss = convert_to_tensor(loss)
        if not loss.dtype.is_floating:
            raise ValueError(f"Invalid type {loss.dtype.name} for {loss.name}, expected: "
                             "[float32, float64, float16].")
        grads = symbolic_gradients(
            loss, [v._ref() for v in var_list], grad_ys=grad_loss,
            gate_gradients=gate_gradients == self.GATE_OP, aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """Adds the update ops for (gradient, variable) pairs; returns the train op."""
        grads_and_vars = [(g, v) for g, v in grads_and_vars]
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        updated = [(g, v) for g, v in grads_and_vars if g is not None]
        if not updated:
            raise ValueError(f"No gradients provided for any variable: "
                             f"{[v.name for _, v in grads_and_vars]}.")
        graph = updated[0][1].graph
        with graph.as_default():
            with graph.control_dependencies(None):  # as TF's init_scope: name scope kept
                self._create_slots([v for _, v in updated])
            with name_scope(name, self._name) as scope:
                self._prepare()
                update_ops = []
                for grad, var in updated:
                    with graph.name_scope("update_" + var.op.name):
                        update_ops.append(self._apply_one(grad, var))
                if global_step is None:
                    train_op = self._finish(update_ops, scope)
                else:
                    with graph.control_dependencies([self._finish(update_ops, "update")]):
                        ref = global_step._ref() if hasattr(global_step, "_ref") else \
                            global_step
                        train_op = state_ops.assign_add(ref, convert_to_tensor(
                            1, dtype=ref.dtype), name=scope).op
            collection = graph.get_collection_ref(GraphKeys.TRAIN_OP)
            if train_op not in collection:
                collection.append(train_op)
        return train_op

    # --- slots ----------------------------------------------------------------------------------
    def get_slot(self, var, name):
        """The slot variable `name` (e.g. 'm') kept for `var`, or None."""
        return self._slots.get(name, {}).get(var)

    def get_slot_names(self):
        return sorted(self._slots)

    def variables(self):
        """The optimizer's own variables (non-slot and slot) in the default graph, by name."""
        graph = get_default_graph()
        found = list(self._non_slot_variables.values())
        for slots in self._slots.values():
            found.extend(slots.values())
        return sorted((v for v in found if v.graph is graph), key=lambda v: v.name)

    def _zeros_slot(self, var, slot_name, variable_name=None):
        return self._slot(var, slot_name, variable_name, lambda: array.zeros(
            var.shape.as_list(), var.dtype))

    def _constant_slot(self, var, slot_name, value, variable_name=None):
        return self._slot(var, slot_name, variable_name, lambda: array.fill(
            var.shape.as_list(), convert_to_tensor(value, dtype=var.dtype)))

    def _slot(self, var, slot_name, variable_name, initial_value):
        """The slot `slot_name` of `var`, made as variable '<var>/<variable_name or the
        optimizer's name>' on first use."""
        slots = self._slots.setdefault(slot_name, {})
        if var not in slots:
            slots[var] = slot_variable(var, initial_value, variable_name or self._name)
        return slots[var]

    def _non_slot(self, name, initial_value):
        """The optimizer-wide variable `name` of the default graph, created on first use."""
        key = (name, get_default_graph())
        if key not in self._non_slot_variables:
            self._non_slot_variables[key] = variables.Variable(initial_value, trainable=False,
                                                               name=name)
        return self._non_slot_variables[key]

    def _get_non_slot(self, name):
        return self._non_slot_variables.get((name, get_default_graph()))

    # --- hooks for subclasses -------------------------------------------------------------------
    def _create_slots(self, var_list):
        pass

    def _prepare(self):
        """Converts hyperparameters (numbers, tensors or callables) to tensors once."""
        self._hyper_tensors = {}
        for key, value in self._hyper.items():
            value = value() if callable(value) else value
            self._hyper_tensors[key] = convert_to_tensor(value, name=key)

    def _hyper_for(self, key, var):
        """Hyperparameter `key` in the dtype of `var`."""
        return cast_to(self._hyper_tensors[key], var.dtype)

    def _apply_one(self, grad, var):
        """The update op of `var` for a dense or an IndexedSlices gradient."""
        if not isinstance(grad, IndexedSlices):
            try:
                grad = convert_to_tensor(grad)
            except (TypeError, ValueError):
                raise TypeError(f"Gradient must be convertible to a Tensor or IndexedSlices, "
                                f"or None: {grad}") from None
            return self._apply_dense(grad, var)
        if getattr(var, "constraint", None) is not None:
            raise RuntimeError("Cannot use a constraint function on a sparse variable.")
        return self._apply_sparse_duplicate_indices(grad, var)

    def _apply_dense(self, grad, var):
        raise NotImplementedError

    def _apply_sparse_duplicate_indices(self, grad, var):
        """`_apply_sparse` of `grad` with the values of repeated indices summed."""
        values, indices = deduplicate_indexed_slices(grad.values, grad.indices)
        return self._apply_sparse(IndexedSlices(values, indices, grad.dense_shape), var)

    def _apply_sparse(self, grad, var):
        raise NotImplementedError(f"{type(self).__name__} does not apply IndexedSlices "
                                  "gradients")

    def _finish(self, update_ops, name):
        return control.group(*update_ops, name=name)


def cast_to(tensor, dtype):
    """`tensor` in `dtype` (a Cast only when the dtypes differ)."""
    return array.cast(tensor, dtype) if tensor.dtype is not dtype else tensor


def deduplicate_indexed_slices(values, indices):
    """(summed values, unique indices): the values of each repeated index added up."""
    unique_indices, positions = sort_ops.unique(indices)
    summed = array.unsorted_segment_sum(values, positions,
                                        array.getitem(array.shape(unique_indices), 0))
    return summed, unique_indices


class GradientDescentOptimizer(Optimizer):
    """var -= learning_rate * grad."""

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._hyper = {"learning_rate": learning_rate}

    def _apply_dense(self, grad, var):
        return training_ops.apply_gradient_descent(
            var._ref(), self._hyper_for("learning_rate", var), grad).op

    def _apply_sparse_duplicate_indices(self, grad, var):
        """ScatterSub of lr * values: repeated indices subtract each of their rows."""
        delta = IndexedSlices(grad.values * self._hyper_for("learning_rate", var),
                              grad.indices, grad.dense_shape)
        return var.scatter_sub(delta, use_locking=self._use_locking)


class MomentumOptimizer(Optimizer):
    """accum = momentum * accum + grad; var -= lr * accum (or the Nesterov form)."""

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum",
                 use_nesterov=False):
        super().__init__(use_locking, name)
        self._hyper = {"learning_rate": learning_rate, "momentum": momentum}
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum")

    def _apply_dense(self, grad, var):
        return training_ops.apply_momentum(
            var._ref(), self.get_slot(var, "momentum")._ref(),
            self._hyper_for("learning_rate", var), grad, self._hyper_for("momentum", var),
            use_nesterov=self._use_nesterov).op

    def _apply_sparse(self, grad, var):
        return training_ops.sparse_apply_momentum(
            var._ref(), self.get_slot(var, "momentum")._ref(),
            self._hyper_for("learning_rate", var), grad.values, grad.indices,
            self._hyper_for("momentum", var), use_nesterov=self._use_nesterov).op


class AdamOptimizer(Optimizer):
    """Adam (Kingma & Ba) with TF's bias-corrected step size and epsilon placement."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._hyper = {"learning_rate": learning_rate, "beta1": beta1, "beta2": beta2,
                       "epsilon": epsilon}
        self._betas = (beta1, beta2)

    def _create_slots(self, var_list):
        self._non_slot("beta1_power", self._betas[0])
        self._non_slot("beta2_power", self._betas[1])
        for v in var_list:
            self._zeros_slot(v, "m")
            self._zeros_slot(v, "v")

    def _apply_dense(self, grad, var):
        b1p, b2p = (cast_to(self._get_non_slot(k).value(), var.dtype)
                    for k in ("beta1_power", "beta2_power"))
        return training_ops.apply_adam(
            var._ref(), self.get_slot(var, "m")._ref(), self.get_slot(var, "v")._ref(),
            b1p, b2p, self._hyper_for("learning_rate", var), self._hyper_for("beta1", var),
            self._hyper_for("beta2", var), self._hyper_for("epsilon", var), grad,
            use_nesterov=False).op

    def _apply_sparse(self, grad, var):
        """TF's sparse Adam: m and v decay on every row, then the rows of the gradient are
        added (not lazy: tf.contrib.opt.LazyAdamOptimizer touches only those rows)."""
        return self._apply_sparse_shared(grad.values, var, grad.indices, state_ops.scatter_add)

    def _apply_sparse_shared(self, grad, var, indices, scatter_add):
        b1p, b2p = (cast_to(self._get_non_slot(k).value(), var.dtype)
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
        v = self.get_slot(var, "v")
        v_scaled = (grad * grad) * (1 - beta2_t)
        v_t = state_ops.assign(v._ref(), v.value() * beta2_t)
        with graph.control_dependencies([v_t]):
            v_t = scatter_add(v._ref(), indices, v_scaled, use_locking=self._use_locking)
        v_sqrt = math_ops.sqrt(v_t)
        var_update = state_ops.assign_sub(var._ref(), lr * m_t / (v_sqrt + epsilon_t))
        return control.group(var_update, m_t, v_t)

    def _finish(self, update_ops, name):
        graph = get_default_graph()
        with graph.control_dependencies(update_ops):
            updates = []
            for key, beta in (("beta1_power", "beta1"), ("beta2_power", "beta2")):
                power = self._get_non_slot(key)
                updates.append(power.assign(power.value() * cast_to(
                    self._hyper_tensors[beta], power.dtype)))
        return control.group(*update_ops, *updates, name=name)


class AdagradOptimizer(Optimizer):
    """accum += grad ** 2; var -= lr * grad / sqrt(accum)."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False,
                 name="Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._hyper = {"learning_rate": learning_rate}
        self._initial = initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            self._constant_slot(v, "accumulator", self._initial)

    def _apply_dense(self, grad, var):
        return training_ops.apply_adagrad(
            var._ref(), self.get_slot(var, "accumulator")._ref(),
            self._hyper_for("learning_rate", var), grad).op

    def _apply_sparse(self, grad, var):
        return training_ops.sparse_apply_adagrad(
            var._ref(), self.get_slot(var, "accumulator")._ref(),
            self._hyper_for("learning_rate", var), grad.values, grad.indices).op


class RMSPropOptimizer(Optimizer):
    """ms = decay * ms + (1 - decay) * grad ** 2; mom = momentum * mom + lr * grad / sqrt(ms +
    epsilon); var -= mom (centered: ms - mg ** 2 in the root)."""

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10,
                 use_locking=False, centered=False, name="RMSProp"):
        super().__init__(use_locking, name)
        self._hyper = {"learning_rate": learning_rate, "decay": decay, "momentum": momentum,
                       "epsilon": epsilon}
        self._centered = centered

    def _create_slots(self, var_list):
        for v in var_list:
            self._constant_slot(v, "rms", 1.0)
            if self._centered:
                self._zeros_slot(v, "mg")
            self._zeros_slot(v, "momentum")

    def _apply_dense(self, grad, var):
        refs = [self.get_slot(var, "rms")._ref(), self.get_slot(var, "momentum")._ref()]
        hyper = [self._hyper_for(k, var) for k in ("learning_rate", "decay", "momentum",
                                                   "epsilon")]
        if self._centered:
            return training_ops.apply_centered_rms_prop(
                var._ref(), self.get_slot(var, "mg")._ref(), *refs, *hyper, grad).op
        return training_ops.apply_rms_prop(var._ref(), *refs, *hyper, grad).op

    def _apply_sparse(self, grad, var):
        refs = [self.get_slot(var, "rms")._ref(), self.get_slot(var, "momentum")._ref()]
        hyper = [self._hyper_for(k, var) for k in ("learning_rate", "decay", "momentum",
                                                   "epsilon")]
        if self._centered:
            return training_ops.sparse_apply_centered_rms_prop(
                var._ref(), self.get_slot(var, "mg")._ref(), *refs, *hyper, grad.values,
                grad.indices).op
        return training_ops.sparse_apply_rms_prop(var._ref(), *refs, *hyper, grad.values,
                                                  grad.indices).op


class AdadeltaOptimizer(Optimizer):
    """Adadelta (Zeiler): step sizes from running averages of squared gradients and updates."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-8, use_locking=False,
                 name="Adadelta"):
        super().__init__(use_locking, name)
        self._hyper = {"learning_rate": learning_rate, "rho": rho, "epsilon": epsilon}

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum")
            self._zeros_slot(v, "accum_update")

    def _apply_dense(self, grad, var):
        return training_ops.apply_adadelta(
            var._ref(), self.get_slot(var, "accum")._ref(),
            self.get_slot(var, "accum_update")._ref(),
            *[self._hyper_for(k, var) for k in ("learning_rate", "rho", "epsilon")], grad).op

    def _apply_sparse(self, grad, var):
        return training_ops.sparse_apply_adadelta(
            var._ref(), self.get_slot(var, "accum")._ref(),
            self.get_slot(var, "accum_update")._ref(),
            *[self._hyper_for(k, var) for k in ("learning_rate", "rho", "epsilon")],
            grad.values, grad.indices).op


class FtrlOptimizer(Optimizer):
    """FTRL-Proximal (McMahan et al.) with L1 and L2 regularization."""

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="Ftrl", accum_name=None, linear_name=None,
                 l2_shrinkage_regularization_strength=0.0):
        if initial_accumulator_value < 0.0:
            raise ValueError(f"initial_accumulator_value {initial_accumulator_value} needs to "
                             "be positive or zero")
        if learning_rate_power > 0.0:
            raise ValueError(f"learning_rate_power {learning_rate_power} needs to be negative "
                             "or zero")
        if l2_shrinkage_regularization_strength < 0.0:
            raise ValueError(f"l2_shrinkage_regularization_strength "
                             f"{l2_shrinkage_regularization_strength} needs to be positive or "
                             "zero")
        super().__init__(use_locking, name)
        self._hyper = {"learning_rate": learning_rate, "l1": l1_regularization_strength,
                       "l2": l2_regularization_strength, "lr_power": learning_rate_power}
        self._shrinkage = l2_shrinkage_regularization_strength > 0.0
        if self._shrinkage:
            self._hyper["l2_shrinkage"] = l2_shrinkage_regularization_strength
        self._initial = initial_accumulator_value
        self._accum_name = accum_name
        self._linear_name = linear_name

    def _create_slots(self, var_list):
        for v in var_list:
            self._constant_slot(v, "accum", self._initial, self._accum_name)
            self._zeros_slot(v, "linear", self._linear_name)

    def _ftrl_hyper(self, var):
        keys = ("learning_rate", "l1", "l2") + (("l2_shrinkage",) if self._shrinkage else ())
        return [self._hyper_for(k, var) for k in keys + ("lr_power",)]

    def _apply_dense(self, grad, var):
        apply = training_ops.apply_ftrl_v2 if self._shrinkage else training_ops.apply_ftrl
        return apply(var._ref(), self.get_slot(var, "accum")._ref(),
                     self.get_slot(var, "linear")._ref(), grad, *self._ftrl_hyper(var)).op

    def _apply_sparse(self, grad, var):
        apply = training_ops.sparse_apply_ftrl_v2 if self._shrinkage else \
            training_ops.sparse_apply_ftrl
        return apply(var._ref(), self.get_slot(var, "accum")._ref(),
                     self.get_slot(var, "linear")._ref(), grad.values, grad.indices,
                     *self._ftrl_hyper(var)).op



class ProximalGradientDescentOptimizer(Optimizer):
    """Gradient descent followed by the proximal step of l1 (soft threshold) and l2."""

    def __init__(self, learning_rate, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, use_locking=False,
                 name="ProximalGradientDescent"):
        super().__init__(use_locking, name)
        self._hyper = {"learning_rate": learning_rate, "l1": l1_regularization_strength,
                       "l2": l2_regularization_strength}

    def _apply_dense(self, grad, var):
        return training_ops.apply_proximal_gradient_descent(
            var._ref(), *[self._hyper_for(k, var) for k in ("learning_rate", "l1", "l2")],
            grad).op

    def _apply_sparse(self, grad, var):
        return training_ops.sparse_apply_proximal_gradient_descent(
            var._ref(), *[self._hyper_for(k, var) for k in ("learning_rate", "l1", "l2")],
            grad.values, grad.indices).op


class ProximalAdagradOptimizer(Optimizer):
    """Adagrad's step size lr / sqrt(accum), then the proximal step of l1 and l2."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="ProximalAdagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._hyper = {"learning_rate": learning_rate, "l1": l1_regularization_strength,
                       "l2": l2_regularization_strength}
        self._initial = initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            self._constant_slot(v, "accumulator", self._initial)

    def _apply_dense(self, grad, var):
        return training_ops.apply_proximal_adagrad(
            var._ref(), self.get_slot(var, "accumulator")._ref(),
            *[self._hyper_for(k, var) for k in ("learning_rate", "l1", "l2")], grad).op

    def _apply_sparse(self, grad, var):
        return training_ops.sparse_apply_proximal_adagrad(
            var._ref(), self.get_slot(var, "accumulator")._ref(),
            *[self._hyper_for(k, var) for k in ("learning_rate", "l1", "l2")], grad.values,
            grad.indices).op


class AdagradDAOptimizer(Optimizer):
    """Adagrad dual averaging: each step recomputes the variable from the sums of gradients
    and of squared gradients and from `global_step` (which minimize(global_step=) advances)."""

    def __init__(self, learning_rate, global_step,
                 initial_gradient_squared_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="AdagradDA"):
        if initial_gradient_squared_accumulator_value <= 0.0:
            raise ValueError(f"initial_gradient_squared_accumulator_value must be positive: "
                             f"{initial_gradient_squared_accumulator_value}")
        super().__init__(use_locking, name)
        self._hyper = {"learning_rate": learning_rate, "l1": l1_regularization_strength,
                       "l2": l2_regularization_strength}
        self._initial = initial_gradient_squared_accumulator_value
        self._global_step = global_step

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "gradient_accumulator")
            self._constant_slot(v, "gradient_squared_accumulator", self._initial)

    def _prepare(self):
        super()._prepare()
        step = self._global_step
        step = step.value() if isinstance(step, variables.Variable) else convert_to_tensor(step)
        self._step_on_worker = cast_to(array.identity(step) + 1, dtypes.int64)  # as TF: T + 1

    def _apply_dense(self, grad, var):
        return training_ops.apply_adagrad_da(
            var._ref(), self.get_slot(var, "gradient_accumulator")._ref(),
            self.get_slot(var, "gradient_squared_accumulator")._ref(), grad,
            *[self._hyper_for(k, var) for k in ("learning_rate", "l1", "l2")],
            array.identity(self._step_on_worker)).op

    def _apply_sparse(self, grad, var):
        return training_ops.sparse_apply_adagrad_da(
            var._ref(), self.get_slot(var, "gradient_accumulator")._ref(),
            self.get_slot(var, "gradient_squared_accumulator")._ref(), grad.values,
            grad.indices, *[self._hyper_for(k, var) for k in ("learning_rate", "l1", "l2")],
            array.identity(self._step_on_worker)).op
