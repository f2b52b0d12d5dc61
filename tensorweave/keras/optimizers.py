"""tf.keras.optimizers as TF 1.15 has them (the OptimizerV2 family) on TF1 graphs.

    opt = tf.keras.optimizers.Adam(learning_rate=0.001)     # or lr=0.001, or "adam"
    train_op = opt.get_updates(loss, params)[0]

Variables are named as TensorFlow names them: hyperparameters `<name>/learning_rate`,
`<name>/beta_1`, ..., the step counter `<name>/iter` (int64) and slots
`<name>/<variable>/<slot>` (Adam: m, v, vhat; SGD: momentum; RMSprop: rms, momentum, mg;
Adagrad: accumulator; Adadelta: accum_grad, accum_var; Ftrl: accumulator, linear).
A `tf.train` optimizer is accepted through TFOptimizer.
"""
import contextlib
import types

import numpy as np

from tensorweave import variables as variables_module
from tensorweave.core import dtypes
from tensorweave.core import graph as graph_module
from tensorweave.core.constants import convert_to_tensor
from tensorweave.gradients import gradients as gradients_fn
from tensorweave.keras.optimizer_schedules import LearningRateSchedule
from tensorweave.keras.optimizer_schedules import deserialize as deserialize_schedule
from tensorweave.keras.optimizer_schedules import serialize as serialize_schedule
from tensorweave.keras.utils import generic_utils
from tensorweave.ops import array, math_ops, state_ops, training_ops


class Optimizer:
    """The base class: hyperparameters, slots, gradients with clipping and the update op."""

    _HYPER_ORDER = ()

    def __init__(self, name, **kwargs):
        allowed = {"clipnorm", "clipvalue", "lr", "decay"}
        for k in kwargs:
            if k not in allowed:
                raise TypeError("Unexpected keyword argument passed to optimizer: " + str(k))
            if k in ("clipnorm", "clipvalue") and kwargs[k] < 0:
                raise ValueError(f"Expected {k} >= 0, received: {kwargs[k]}")
        self._name = name
        self._hyper = {}
        self._hyper_variables = {}
        self._slots = {}
        self._slot_names = []
        self._weights = []
        self._iterations = None
        self._scope = None
        decay = kwargs.pop("decay", 0.0)
        if decay < 0.0:
            raise ValueError(f"decay cannot be less than 0: {decay}")
        self._initial_decay = decay
        self.clipnorm = kwargs.pop("clipnorm", None)
        self.clipvalue = kwargs.pop("clipvalue", None)

    # -- hyperparameters ------------------------------------------------------------------
    def _set_hyper(self, name, value):
        self._hyper[name] = value

    def _get_hyper(self, name, dtype=None):
        """The hyperparameter as a tensor (its variable once the optimizer has variables)."""
        value = self._hyper[name]
        if isinstance(value, LearningRateSchedule):
            return value
        variable = self._hyper_variables.get(name)
        value = variable.value() if variable is not None else convert_to_tensor(value)
        if dtype is not None and value.dtype.base_dtype != dtypes.as_dtype(dtype):
            value = array.cast(value, dtype)
        return value

    def __getattr__(self, name):
        hyper = self.__dict__.get("_hyper", {})
        if name in hyper:
            return self._get_hyper(name)
        if name == "lr" and "learning_rate" in hyper:
            return self._get_hyper("learning_rate")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        if name == "lr":
            name = "learning_rate"
        hyper = self.__dict__.get("_hyper")
        if hyper is not None and name in hyper:
            variable = self._hyper_variables.get(name)
            if variable is not None:
                from tensorweave.keras import backend
                backend.set_value(variable, value)
            else:
                hyper[name] = value
            return
        super().__setattr__(name, value)

    def _serialize_hyperparameter(self, name):
        value = self._hyper[name]
        if isinstance(value, LearningRateSchedule):
            return serialize_schedule(value)
        if name in self._hyper_variables:
            from tensorweave.keras import backend
            return float(backend.get_value(self._hyper_variables[name]))
        if callable(value):
            return value()
        return value

    # -- variables ------------------------------------------------------------------------
    def _name_scope(self):
        """The optimizer's root name scope ('Adam/'), fixed when it makes its first variable."""
        graph = graph_module.get_default_graph()
        if self._scope is None:
            with graph.name_scope(None):
                with graph_module.name_scope(self._name) as scope:
                    self._scope = scope
        return self._scope

    @contextlib.contextmanager
    def _scoped(self):
        """Inside the optimizer's root name scope, whatever scope the caller is in."""
        graph = graph_module.get_default_graph()
        scope = self._name_scope()
        with graph_module.init_scope():  # no control dependencies on the variables
            with graph.name_scope(None):
                with graph_module.name_scope(scope):
                    yield scope

    @property
    def iterations(self):
        """The number of update steps taken (an int64 variable named <name>/iter)."""
        if self._iterations is None:
            with self._scoped():
                self._iterations = variables_module.Variable(
                    np.int64(0), name="iter", trainable=False, dtype=dtypes.int64)
            self._weights.insert(0, self._iterations)
        return self._iterations

    @iterations.setter
    def iterations(self, variable):
        if self._iterations is not None:
            raise RuntimeError("Cannot set `iterations` to a new Variable after the Optimizer "
                               "weights have been created")
        self._iterations = variable
        self._weights.insert(0, variable)

    def _create_hypers(self):
        if self._hyper_variables:
            return
        with self._scoped():
            for name in sorted(self._hyper):
                value = self._hyper[name]
                if isinstance(value, LearningRateSchedule) or callable(value):
                    continue
                self._hyper_variables[name] = variables_module.Variable(
                    np.float32(value), name=name, trainable=False, dtype=dtypes.float32)

    def add_slot(self, var, slot_name, initializer="zeros"):
        """The slot variable `<name>/<var>/<slot_name>` of var, made on first use."""
        if slot_name not in self._slot_names:
            self._slot_names.append(slot_name)
        key = _var_key(var)
        slots = self._slots.setdefault(key, {})
        if slot_name not in slots:
            shape = var.shape.as_list()
            dtype = var.dtype.base_dtype
            if isinstance(initializer, str) and initializer == "zeros":
                value = np.zeros(shape, dtype.as_numpy_dtype)
            else:
                value = np.full(shape, initializer, dtype.as_numpy_dtype)
            with self._scoped():
                slots[slot_name] = variables_module.Variable(
                    value, name=f"{var.op.name}/{slot_name}", trainable=False, dtype=dtype)
            self._weights.append(slots[slot_name])
        return slots[slot_name]

    def get_slot(self, var, slot_name):
        return self._slots[_var_key(var)][slot_name]

    def get_slot_names(self):
        return list(self._slot_names)

    def _create_slots(self, var_list):
        pass

    @property
    def weights(self):
        return list(self._weights)

    def variables(self):
        return list(self._weights)

    def get_weights(self):
        from tensorweave.keras import backend
        return backend.batch_get_value(self._weights)

    def set_weights(self, weights):
        """Set the optimizer's weights (iterations first, then the slots)."""
        params = self._weights
        if len(params) != len(weights):
            raise ValueError(f"Length of the specified weight list ({len(weights)}) does not "
                             f"match the number of weights of the optimizer ({len(params)})")
        pairs = []
        for p, w in zip(params, weights):
            if tuple(p.shape.as_list()) != tuple(np.shape(w)):
                raise ValueError(f"Optimizer weight shape {tuple(p.shape.as_list())} not "
                                 f"compatible with provided weight shape {np.shape(w)}")
            pairs.append((p, w))
        from tensorweave.keras import backend
        backend.batch_set_value(pairs)

    # -- gradients and updates ------------------------------------------------------------
    def _clip(self, grads):
        if self.clipnorm is not None:
            grads = [None if g is None else math_ops.clip_by_norm(g, self.clipnorm)
                     for g in grads]
        if self.clipvalue is not None:
            grads = [None if g is None else math_ops.clip_by_value(g, -self.clipvalue,
                                                                   self.clipvalue)
                     for g in grads]
        return grads

    def get_gradients(self, loss, params):
        """The gradients of loss for params, clipped; a missing gradient is an error."""
        grads = gradients_fn(loss, params)
        if any(g is None for g in grads):
            raise ValueError("An operation has `None` for gradient. Please make sure that all "
                             "of your ops have a gradient defined (i.e. are differentiable). "
                             "Common ops without gradient: K.argmax, K.round, K.eval.")
        return self._clip(grads)

    def get_updates(self, loss, params):
        """[the update op] for one step on `loss` over `params`."""
        grads = self.get_gradients(loss, params)
        return [self.apply_gradients(list(zip(grads, params)))]

    def minimize(self, loss, var_list, grad_loss=None, name=None):
        """One update op for loss (a tensor or a callable) over var_list."""
        if callable(loss):
            loss = loss()
        if callable(var_list):
            var_list = var_list()
        grads = self._clip(gradients_fn(loss, list(var_list), grad_ys=grad_loss))
        return self.apply_gradients([(g, v) for g, v in zip(grads, var_list)
                                     if g is not None], name=name)

    def apply_gradients(self, grads_and_vars, name=None):
        """The op applying the gradients and adding 1 to iterations."""
        grads_and_vars = [(g, v) for g, v in grads_and_vars if g is not None]
        if not grads_and_vars:
            raise ValueError("No gradients provided for any variable.")
        var_list = [v for _, v in grads_and_vars]
        iterations = self.iterations
        self._create_hypers()
        self._create_slots(var_list)
        with graph_module.name_scope(name or self._name):
            self._prepare()
            updates = []
            for grad, var in grads_and_vars:
                grad = _densify(grad) if hasattr(grad, "indices") else convert_to_tensor(grad)
                updates.append(self._resource_apply_dense(grad, var))
            updates += self._finish()
            with graph_module.control_dependencies(updates):
                return state_ops.assign_add(iterations, np.int64(1)).op

    def _prepare(self):
        pass

    def _finish(self):
        return []

    def _decayed_lr(self, dtype):
        """learning_rate (or the schedule's value) / (1 + decay * iterations)."""
        lr = self._hyper["learning_rate"]
        step = array.cast(self.iterations.value(), dtype)
        if isinstance(lr, LearningRateSchedule):
            lr = array.cast(lr(self.iterations.value()), dtype)
        else:
            lr = self._get_hyper("learning_rate", dtype)
        if self._initial_decay > 0.0:
            lr = lr / (1.0 + self._get_hyper("decay", dtype) * step)
        return lr

    def _resource_apply_dense(self, grad, var):
        raise NotImplementedError("Must be implemented in subclasses.")

    # -- config ---------------------------------------------------------------------------
    def get_config(self):
        config = {"name": self._name}
        if self.clipnorm is not None:
            config["clipnorm"] = self.clipnorm
        if self.clipvalue is not None:
            config["clipvalue"] = self.clipvalue
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if "lr" in config:
            config["learning_rate"] = config.pop("lr")
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = deserialize_schedule(config["learning_rate"],
                                                           custom_objects=custom_objects)
        return cls(**config)


def _var_key(var):
    return var.name


def _densify(grad):
    from tensorweave.ops import scatter_ops
    return scatter_ops.scatter_nd(array.expand_dims(grad.indices, -1), grad.values,
                                  grad.dense_shape)


def _ref(var):
    return var._ref()  # the variable's reference, which the Apply* ops update in place


def _learning_rate(kwargs, learning_rate):
    return kwargs.pop("lr", learning_rate)


class SGD(Optimizer):
    """var -= lr * grad; with momentum m: accum = m * accum - lr * grad, var += accum (or,
    with nesterov, var += m * accum - lr * grad)."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD",
                 **kwargs):
        learning_rate = _learning_rate(kwargs, learning_rate)
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", learning_rate)
        self._set_hyper("decay", self._initial_decay)
        self._momentum = False
        if isinstance(momentum, (int, float)) and momentum > 0:
            self._momentum = True
        if isinstance(momentum, (int, float)) and (momentum < 0 or momentum > 1):
            raise ValueError("`momentum` must be between [0, 1].")
        self._set_hyper("momentum", momentum)
        self.nesterov = nesterov

    def _create_slots(self, var_list):
        if self._momentum:
            for var in var_list:
                self.add_slot(var, "momentum")

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        lr = self._decayed_lr(dtype)
        if not self._momentum:
            return training_ops.apply_gradient_descent(_ref(var), lr, grad).op
        accum = self.get_slot(var, "momentum")
        momentum = self._get_hyper("momentum", dtype)
        accum_t = state_ops.assign(accum, momentum * accum.value() - lr * grad)
        step = momentum * accum_t - lr * grad if self.nesterov else accum_t
        return state_ops.assign_add(var, step).op

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter("learning_rate"),
                       "decay": self._serialize_hyperparameter("decay"),
                       "momentum": self._serialize_hyperparameter("momentum"),
                       "nesterov": self.nesterov})
        return config


class RMSprop(Optimizer):
    """rms = rho * rms + (1 - rho) * grad ** 2; var -= lr * grad / (sqrt(rms) + epsilon);
    with momentum or centered, TF's ApplyRMSProp / ApplyCenteredRMSProp forms."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, name="RMSprop", **kwargs):
        learning_rate = _learning_rate(kwargs, learning_rate)
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", learning_rate)
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("rho", rho)
        self._momentum = isinstance(momentum, (int, float)) and momentum > 0
        if isinstance(momentum, (int, float)) and (momentum < 0 or momentum > 1):
            raise ValueError("`momentum` must be between [0, 1].")
        self._set_hyper("momentum", momentum)
        self.epsilon = 1e-7 if epsilon is None else epsilon
        self.centered = centered

    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, "rms")
        if self._momentum:
            for var in var_list:
                self.add_slot(var, "momentum")
        if self.centered:
            for var in var_list:
                self.add_slot(var, "mg")

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        lr = self._decayed_lr(dtype)
        rho = self._get_hyper("rho", dtype)
        epsilon = convert_to_tensor(self.epsilon, dtype=dtype)
        rms = self.get_slot(var, "rms")
        if self._momentum:
            mom = self.get_slot(var, "momentum")
            momentum = self._get_hyper("momentum", dtype)
            if self.centered:
                mg = self.get_slot(var, "mg")
                return training_ops.apply_centered_rms_prop(
                    _ref(var), _ref(mg), _ref(rms), _ref(mom), lr, rho, momentum, epsilon,
                    grad).op
            return training_ops.apply_rms_prop(_ref(var), _ref(rms), _ref(mom), lr, rho,
                                               momentum, epsilon, grad).op
        rms_t = state_ops.assign(rms, rho * rms.value() + (1.0 - rho) * math_ops.square(grad))
        denominator = rms_t
        if self.centered:
            mg = self.get_slot(var, "mg")
            mg_t = state_ops.assign(mg, rho * mg.value() + (1.0 - rho) * grad)
            denominator = rms_t - math_ops.square(mg_t)
        return state_ops.assign_sub(var, lr * grad / (math_ops.sqrt(denominator)
                                                      + epsilon)).op

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter("learning_rate"),
                       "decay": self._serialize_hyperparameter("decay"),
                       "rho": self._serialize_hyperparameter("rho"),
                       "momentum": self._serialize_hyperparameter("momentum"),
                       "epsilon": self.epsilon, "centered": self.centered})
        return config


class Adagrad(Optimizer):
    """accum += grad ** 2; var -= lr * grad / (sqrt(accum) + epsilon)."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 name="Adagrad", **kwargs):
        if initial_accumulator_value < 0.0:
            raise ValueError("initial_accumulator_value must be non-negative: %s"
                             % initial_accumulator_value)
        learning_rate = _learning_rate(kwargs, learning_rate)
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", learning_rate)
        self._set_hyper("decay", self._initial_decay)
        self._initial_accumulator_value = initial_accumulator_value
        self.epsilon = 1e-7 if epsilon is None else epsilon

    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, "accumulator", self._initial_accumulator_value)

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        lr = self._decayed_lr(dtype)
        accum = self.get_slot(var, "accumulator")
        accum_t = state_ops.assign_add(accum, math_ops.square(grad))
        return state_ops.assign_sub(var, lr * grad / (math_ops.sqrt(accum_t)
                                                      + self.epsilon)).op

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter("learning_rate"),
                       "decay": self._serialize_hyperparameter("decay"),
                       "initial_accumulator_value": self._initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config


class Adadelta(Optimizer):
    """TF's ApplyAdadelta: running averages of squared gradients and squared updates."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name="Adadelta",
                 **kwargs):
        learning_rate = _learning_rate(kwargs, learning_rate)
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", learning_rate)
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("rho", rho)
        self.epsilon = 1e-7 if epsilon is None else epsilon

    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, "accum_grad")
        for var in var_list:
            self.add_slot(var, "accum_var")

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        return training_ops.apply_adadelta(
            _ref(var), _ref(self.get_slot(var, "accum_grad")),
            _ref(self.get_slot(var, "accum_var")), self._decayed_lr(dtype),
            self._get_hyper("rho", dtype), convert_to_tensor(self.epsilon, dtype=dtype),
            grad).op

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter("learning_rate"),
                       "decay": self._serialize_hyperparameter("decay"),
                       "rho": self._serialize_hyperparameter("rho"), "epsilon": self.epsilon})
        return config


class Adam(Optimizer):
    """Adam (TF's ApplyAdam): lr_t = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t);
    var -= lr_t * m / (sqrt(v) + epsilon); amsgrad uses the running maximum of v."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, name="Adam", **kwargs):
        learning_rate = _learning_rate(kwargs, learning_rate)
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", learning_rate)
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self.epsilon = 1e-7 if epsilon is None else epsilon
        self.amsgrad = amsgrad

    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, "m")
        for var in var_list:
            self.add_slot(var, "v")
        if self.amsgrad:
            for var in var_list:
                self.add_slot(var, "vhat")

    def _powers(self, dtype):
        step = array.cast(self.iterations.value() + 1, dtype)
        beta_1 = self._get_hyper("beta_1", dtype)
        beta_2 = self._get_hyper("beta_2", dtype)
        return beta_1, beta_2, math_ops.pow(beta_1, step), math_ops.pow(beta_2, step)

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        lr = self._decayed_lr(dtype)
        beta_1, beta_2, beta_1_power, beta_2_power = self._powers(dtype)
        epsilon = convert_to_tensor(self.epsilon, dtype=dtype)
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        if not self.amsgrad:
            return training_ops.apply_adam(_ref(var), _ref(m), _ref(v), beta_1_power,
                                           beta_2_power, lr, beta_1, beta_2, epsilon, grad,
                                           use_nesterov=False).op
        vhat = self.get_slot(var, "vhat")
        lr_t = lr * math_ops.sqrt(1.0 - beta_2_power) / (1.0 - beta_1_power)
        m_t = state_ops.assign(m, beta_1 * m.value() + (1.0 - beta_1) * grad)
        v_t = state_ops.assign(v, beta_2 * v.value() + (1.0 - beta_2) * math_ops.square(grad))
        vhat_t = state_ops.assign(vhat, math_ops.maximum(vhat.value(), v_t))
        return state_ops.assign_sub(var, lr_t * m_t / (math_ops.sqrt(vhat_t) + epsilon)).op

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter("learning_rate"),
                       "decay": self._serialize_hyperparameter("decay"),
                       "beta_1": self._serialize_hyperparameter("beta_1"),
                       "beta_2": self._serialize_hyperparameter("beta_2"),
                       "epsilon": self.epsilon, "amsgrad": self.amsgrad})
        return config


class Adamax(Adam):
    """Adam with the infinity norm: v = max(beta_2 * v, |grad|);
    var -= lr / (1 - beta_1^t) * m / (v + epsilon)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="Adamax", **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, name=name, **kwargs)

    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, "m")
        for var in var_list:
            self.add_slot(var, "v")

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        lr = self._decayed_lr(dtype)
        beta_1, beta_2, beta_1_power, _ = self._powers(dtype)
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m_t = state_ops.assign(m, beta_1 * m.value() + (1.0 - beta_1) * grad)
        v_t = state_ops.assign(v, math_ops.maximum(beta_2 * v.value(), math_ops.abs(grad)))
        return state_ops.assign_sub(
            var, lr / (1.0 - beta_1_power) * m_t / (v_t + self.epsilon)).op

    def get_config(self):
        config = super().get_config()
        config.pop("amsgrad")
        return config


class Nadam(Adam):
    """Adam with Nesterov momentum and Dozat's momentum schedule (`momentum_cache`)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="Nadam", **kwargs):
        kwargs["decay"] = kwargs.pop("schedule_decay", kwargs.get("decay", 0.004))
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, name=name, **kwargs)
        self._m_cache = None

    def _create_slots(self, var_list):
        if self._m_cache is None:
            with self._scoped():
                self._m_cache = variables_module.Variable(
                    np.float32(1.0), name="momentum_cache", trainable=False)
            self._weights.append(self._m_cache)
        for var in var_list:
            self.add_slot(var, "m")
        for var in var_list:
            self.add_slot(var, "v")

    def _prepare(self):
        dtype = dtypes.float32
        step = array.cast(self.iterations.value() + 1, dtype)
        beta_1 = self._get_hyper("beta_1", dtype)
        decay_base = convert_to_tensor(0.96, dtype=dtype)
        self._cache_t = beta_1 * (1.0 - 0.5 * math_ops.pow(decay_base, 0.004 * step))
        self._cache_t_1 = beta_1 * (1.0 - 0.5 * math_ops.pow(decay_base, 0.004 * (step + 1)))
        self._schedule_new = self._m_cache.value() * self._cache_t
        self._schedule_next = self._schedule_new * self._cache_t_1
        self._step = step

    def _finish(self):
        return [state_ops.assign(self._m_cache, self._schedule_new).op]

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        lr = self._get_hyper("learning_rate", dtype)  # Nadam's decay is its momentum schedule
        beta_1 = self._get_hyper("beta_1", dtype)
        beta_2 = self._get_hyper("beta_2", dtype)
        cache_t, cache_t_1 = array.cast(self._cache_t, dtype), array.cast(self._cache_t_1,
                                                                            dtype)
        schedule_new = array.cast(self._schedule_new, dtype)
        schedule_next = array.cast(self._schedule_next, dtype)
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        g_prime = grad / (1.0 - schedule_new)
        m_t = state_ops.assign(m, beta_1 * m.value() + (1.0 - beta_1) * grad)
        m_t_prime = m_t / (1.0 - schedule_next)
        v_t = state_ops.assign(v, beta_2 * v.value() + (1.0 - beta_2) * math_ops.square(grad))
        v_t_prime = v_t / (1.0 - math_ops.pow(beta_2, array.cast(self._step, dtype)))
        m_t_bar = (1.0 - cache_t) * g_prime + cache_t_1 * m_t_prime
        return state_ops.assign_sub(var, lr * m_t_bar / (math_ops.sqrt(v_t_prime)
                                                         + self.epsilon)).op

    def get_config(self):
        config = super().get_config()
        config.pop("amsgrad")
        return config


class Ftrl(Optimizer):
    """Follow-the-regularized-leader (TF's ApplyFtrl / ApplyFtrlV2)."""

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, name="Ftrl",
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, **kwargs):
        learning_rate = _learning_rate(kwargs, learning_rate)
        super().__init__(name, **kwargs)
        if initial_accumulator_value < 0.0:
            raise ValueError("initial_accumulator_value %f needs to be positive or zero"
                             % initial_accumulator_value)
        if learning_rate_power > 0.0:
            raise ValueError("learning_rate_power %f needs to be negative or zero"
                             % learning_rate_power)
        self._set_hyper("learning_rate", learning_rate)
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("learning_rate_power", learning_rate_power)
        self._set_hyper("l1_regularization_strength", l1_regularization_strength)
        self._set_hyper("l2_regularization_strength", l2_regularization_strength)
        self._set_hyper("beta", beta)
        self._initial_accumulator_value = initial_accumulator_value
        self._l2_shrinkage = l2_shrinkage_regularization_strength

    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, "accumulator", self._initial_accumulator_value)
            self.add_slot(var, "linear")

    def _resource_apply_dense(self, grad, var):
        dtype = var.dtype.base_dtype
        lr = self._decayed_lr(dtype)
        l2 = (self._get_hyper("l2_regularization_strength", dtype)
              + self._get_hyper("beta", dtype) / (2.0 * lr))  # TF 2's beta joins l2
        args = (lr, self._get_hyper("l1_regularization_strength", dtype), l2)
        refs = (_ref(var), _ref(self.get_slot(var, "accumulator")),
                _ref(self.get_slot(var, "linear")), grad)
        power = self._get_hyper("learning_rate_power", dtype)
        if self._l2_shrinkage <= 0.0:
            return training_ops.apply_ftrl(*refs, *args, power).op
        return training_ops.apply_ftrl_v2(*refs, *args,
                                          convert_to_tensor(self._l2_shrinkage, dtype=dtype),
                                          power).op

    def get_config(self):
        config = super().get_config()
        config.update({
            "learning_rate": self._serialize_hyperparameter("learning_rate"),
            "decay": self._serialize_hyperparameter("decay"),
            "initial_accumulator_value": self._initial_accumulator_value,
            "learning_rate_power": self._serialize_hyperparameter("learning_rate_power"),
            "l1_regularization_strength":
                self._serialize_hyperparameter("l1_regularization_strength"),
            "l2_regularization_strength":
                self._serialize_hyperparameter("l2_regularization_strength"),
            "l2_shrinkage_regularization_strength": self._l2_shrinkage,
            "beta": self._serialize_hyperparameter("beta")})
        return config


class TFOptimizer(Optimizer):
    """A `tf.train` optimizer used by Keras: its compute/apply_gradients, stepping
    `iterations`."""

    def __init__(self, optimizer, iterations=None):
        super().__init__("TFOptimizer")
        self.optimizer = optimizer
        if iterations is not None:
            self.iterations = iterations

    def apply_gradients(self, grads_and_vars, name=None):
        return self.optimizer.apply_gradients(grads_and_vars, global_step=self.iterations,
                                              name=name)

    def get_updates(self, loss, params):
        grads = self.optimizer.compute_gradients(loss, params)
        return [self.optimizer.apply_gradients(grads, global_step=self.iterations)]

    def get_gradients(self, loss, params):
        return [g for g, _ in self.optimizer.compute_gradients(loss, params)]

    @property
    def weights(self):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError

    def from_config(self, config):
        raise NotImplementedError


_NAMES = {"adadelta": Adadelta, "adagrad": Adagrad, "adam": Adam, "adamax": Adamax,
          "nadam": Nadam, "rmsprop": RMSprop, "sgd": SGD, "ftrl": Ftrl}


# tf.keras.optimizers.legacy: the same classes under their legacy names
legacy = types.SimpleNamespace(SGD=SGD, Adadelta=Adadelta, Adagrad=Adagrad, Adam=Adam,
                               Adamax=Adamax, Ftrl=Ftrl, Nadam=Nadam, Optimizer=Optimizer,
                               RMSprop=RMSprop)


def __getattr__(name):
    """tf.keras.optimizers.schedules, loaded on first use."""
    import importlib
    if name == "schedules":
        return importlib.import_module("tensorweave.keras.optimizer_schedules")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def serialize(optimizer):
    return generic_utils.serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """The optimizer a {'class_name', 'config'} dict describes (names are case-blind)."""
    all_classes = dict(_NAMES)
    if config["class_name"].lower() in all_classes:
        config = dict(config, class_name=config["class_name"].lower())
    return generic_utils.deserialize_keras_object(
        config, module_objects=all_classes, custom_objects=custom_objects,
        printable_module_name="optimizer")


def get(identifier):
    """An optimizer from a name ('adam'), a config, an optimizer, or a tf.train optimizer."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": str(identifier), "config": {}})
    from tensorweave.train import optimizer as train_optimizer
    if isinstance(identifier, train_optimizer.Optimizer):
        opt = TFOptimizer(identifier)
        return opt
    raise ValueError("Could not interpret optimizer identifier: " + str(identifier))

