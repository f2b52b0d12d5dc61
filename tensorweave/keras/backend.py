"""tf.keras.backend: Keras' backend functions on TF 1.x graphs and the Keras session.

    from tensorweave.keras import backend as K
    x = K.placeholder(shape=(None, 3))
    f = K.function([x], [K.sum(x, axis=1)])
    f([np.ones((2, 3))])        # [array([3., 3.], dtype=float32)]

The session is the default session when there is one, else one Keras makes for the default
graph; `get_session()` initializes, once, the graph's variables nobody has initialized yet (as
Keras' `_initialize_variables` does).
"""
import contextlib

import numpy as np

from tensorweave import variables as variables_module
from tensorweave.core import dtypes as dtypes_module
from tensorweave.core import graph as graph_module
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.constants import constant as constant_op
from tensorweave.core.operation import Tensor
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.gradients import gradients as gradients_fn
from tensorweave.init_ops import random_normal_initializer, random_uniform_initializer
from tensorweave.ops import array, control, math_ops, random_ops, state_ops
from tensorweave.runtime import session as session_module
from tensorweave.util import nest

from tensorweave.keras.backend_config import (epsilon, floatx, image_data_format,  # noqa: F401
                                              set_epsilon, set_floatx,
                                              set_image_data_format)
from tensorweave.keras.backend_math import *  # noqa: F401,F403
from tensorweave.keras.backend_math import int_shape, ndim
from tensorweave.keras.backend_nn import *  # noqa: F401,F403

name_scope = graph_module.name_scope

# --- the session and per-graph state (kept by the engine: keras/engine/session.py) -------
from tensorweave.keras.engine.session import (batch_get_value, batch_set_value,  # noqa: E402
                                              clear_session, get_uid, graph_state,
                                              learning_phase, reset_uids, set_learning_phase,
                                              set_session)
from tensorweave.keras.engine import session as engine_session  # noqa: E402

_MANUAL_VAR_INIT = {"value": False}


def backend():
    """The name of the backend: 'tensorflow'."""
    return "tensorflow"


def get_graph():
    """The default graph."""
    return graph_module.get_default_graph()


def manual_variable_initialization(value):
    """With True, get_session() leaves variables to the user to initialize."""
    _MANUAL_VAR_INIT["value"] = bool(value)


def get_session(op_input_list=()):
    """The TF session Keras uses: the default session if there is one, else Keras' own one on
    the default graph (made on first use). Variables not yet initialized get initialized
    unless manual_variable_initialization(True) was called."""
    if not _MANUAL_VAR_INIT["value"]:
        return engine_session.get_session()
    session = session_module.get_default_session()
    if session is None:
        state = graph_state()
        if state.session is None:
            state.session = session_module.Session(graph=get_graph())
        session = state.session
    return session


def symbolic_learning_phase():
    """The learning phase placeholder of the default graph, even after set_learning_phase."""
    state = graph_state()
    fixed = state.learning_phase_value
    state.learning_phase_value = None
    try:
        return learning_phase()
    finally:
        state.learning_phase_value = fixed


@contextlib.contextmanager
def learning_phase_scope(value):
    """Within the block the learning phase is `value` (0 or 1)."""
    if value not in {0, 1}:
        raise ValueError("Expected learning phase to be 0 or 1.")
    state = graph_state()
    previous = state.learning_phase_value
    state.learning_phase_value = int(value)
    try:
        yield
    finally:
        state.learning_phase_value = previous


def in_train_phase(x, alt, training=None):
    """`x` in the training phase, `alt` otherwise (either may be a callable)."""
    if training is None:
        training = learning_phase()
    if isinstance(training, (bool, int, np.integer)):
        if training:
            return x() if callable(x) else x
        return alt() if callable(alt) else alt
    return switch(training, x, alt)


def in_test_phase(x, alt, training=None):
    """`x` in the test phase, `alt` otherwise."""
    return in_train_phase(alt, x, training=training)


def switch(condition, then_expression, else_expression):
    """tf.cond for a scalar condition; element-wise selection for a condition of rank >= 1."""
    condition = convert_to_tensor(condition)
    if condition.dtype != dtypes_module.bool:
        condition = array.cast(condition, "bool")
    cond_ndim = ndim(condition)
    if not cond_ndim:
        then_fn = then_expression if callable(then_expression) else (lambda: then_expression)
        else_fn = else_expression if callable(else_expression) else (lambda: else_expression)
        return control.cond(condition, then_fn, else_fn)
    if callable(then_expression):
        then_expression = then_expression()
    if callable(else_expression):
        else_expression = else_expression()
    expr_ndim = ndim(then_expression)
    if cond_ndim > expr_ndim:
        raise ValueError("Rank of `condition` should be less than or equal to rank of "
                         "`then_expression` and `else_expression`. ndim(condition)="
                         f"{cond_ndim}, ndim(then_expression)={expr_ndim}")
    if cond_ndim > 1:
        ndim_diff = expr_ndim - cond_ndim
        cond_shape = array.concat([array.shape(condition), [1] * ndim_diff], axis=0)
        condition = array.reshape(condition, cond_shape)
        expr_shape = array.shape(then_expression)
        shape_diff = expr_shape - cond_shape
        tile_shape = array.where(shape_diff > 0, expr_shape, array.ones_like(expr_shape))
        condition = array.tile(condition, tile_shape)
    return array.where(condition, then_expression, else_expression)


# --- variables, placeholders and values ----------------------------------------------------
def _dtype_or_floatx(dtype):
    return dtypes_module.as_dtype(floatx() if dtype is None else dtype)


def variable(value, dtype=None, name=None, constraint=None):
    """A variable holding `value` (dtype floatx() by default)."""
    if isinstance(value, SparseTensor):
        raise NotImplementedError("K.variable of a SparseTensor is not supported")
    v = variables_module.Variable(value, dtype=_dtype_or_floatx(dtype), name=name,
                                  constraint=constraint)
    if isinstance(value, np.ndarray):
        v._keras_shape = value.shape
    elif hasattr(value, "shape"):
        v._keras_shape = int_shape(value)
    return v


def constant(value, dtype=None, shape=None, name=None):
    """A constant tensor (dtype floatx() by default)."""
    return constant_op(value, dtype=_dtype_or_floatx(dtype), shape=shape, name=name)


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """A placeholder; `ndim` gives a shape of that many unknown dimensions."""
    dtype = _dtype_or_floatx(dtype)
    if not shape and ndim:
        shape = tuple(None for _ in range(ndim))
    if sparse:
        from tensorweave.ops import sparse_ops
        return sparse_ops.sparse_placeholder(dtype, shape=shape, name=name)
    return array.placeholder(dtype, shape=shape, name=name)


def is_placeholder(x):
    """True when x is a placeholder."""
    try:
        return bool(x.op.op_def.must_feed) if hasattr(x.op, "op_def") else False
    except AttributeError:
        return False


def is_keras_tensor(x):
    """True when x is the output of a Keras layer or Input."""
    if not isinstance(x, (Tensor, variables_module.Variable, SparseTensor)):
        raise ValueError(f"Unexpectedly found an instance of type `{type(x)}`. "
                         f"Expected a symbolic tensor instance.")
    return engine_session.is_keras_tensor(x)


def is_sparse(tensor):
    """True for a SparseTensor."""
    return isinstance(tensor, SparseTensor)


def to_dense(tensor):
    """A SparseTensor made dense; other tensors unchanged."""
    if is_sparse(tensor):
        from tensorweave.ops import sparse_ops
        return sparse_ops.sparse_tensor_to_dense(tensor)
    return tensor


def eval(x):  # noqa: A001 (Keras' name)
    """The value of a tensor or variable, as a NumPy array."""
    return get_value(to_dense(x))


def get_value(x):
    """The value of a variable or tensor (run in the Keras session)."""
    if isinstance(x, np.ndarray) or np.isscalar(x):
        return x
    return get_session((x,)).run(x)


def set_value(x, value):
    """Set a variable's value from a NumPy array."""
    batch_set_value([(x, value)])


def print_tensor(x, message=""):
    """x, printing `message` and its value when evaluated (tf.Print)."""
    from tensorweave.ops import check_ops
    return check_ops.Print(x, [x], message)


# --- variables made from values ------------------------------------------------------------
def _fully_defined(t):
    return t.shape.is_fully_defined()


def zeros(shape, dtype=None, name=None):
    """A variable of zeros (a tensor when the shape is not fully known)."""
    dtype = _dtype_or_floatx(dtype)
    with graph_module.init_scope():
        v = array.zeros(shape=shape, dtype=dtype, name=name)
        if _fully_defined(v):
            return variable(v, dtype=dtype, name=name)
        return v


def ones(shape, dtype=None, name=None):
    """A variable of ones (a tensor when the shape is not fully known)."""
    dtype = _dtype_or_floatx(dtype)
    with graph_module.init_scope():
        v = array.ones(shape=shape, dtype=dtype, name=name)
        if _fully_defined(v):
            return variable(v, dtype=dtype, name=name)
        return v


def eye(size, dtype=None, name=None):
    """A variable holding the identity matrix (size or (rows, columns))."""
    if isinstance(size, (list, tuple)):
        n, m = size
    else:
        n, m = size, size
    dtype = _dtype_or_floatx(dtype)
    return variable(np.eye(n, m, dtype=dtype.as_numpy_dtype), dtype, name)


def zeros_like(x, dtype=None, name=None):
    """Zeros of x's shape."""
    return array.zeros_like(x, dtype=dtype, name=name)


def ones_like(x, dtype=None, name=None):
    """Ones of x's shape."""
    return array.ones_like(x, dtype=dtype, name=name)


def identity(x, name=None):
    """tf.identity."""
    return array.identity(x, name=name)


def _seed_or_random(seed, high=10e8):
    return np.random.randint(high) if seed is None else seed


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """A variable drawn uniformly from [low, high)."""
    dtype = _dtype_or_floatx(dtype)
    value = random_uniform_initializer(low, high, dtype=dtype,
                                       seed=_seed_or_random(seed))(shape)
    return variable(value, dtype=dtype, name=name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """A variable drawn from a normal distribution."""
    dtype = _dtype_or_floatx(dtype)
    value = random_normal_initializer(mean, scale, dtype=dtype,
                                      seed=_seed_or_random(seed))(shape)
    return variable(value, dtype=dtype, name=name)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """A tensor of normal draws."""
    return random_ops.random_normal(shape, mean=mean, stddev=stddev,
                                    dtype=_dtype_or_floatx(dtype),
                                    seed=_seed_or_random(seed, 10e6))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """A tensor of uniform draws in [minval, maxval)."""
    return random_ops.random_uniform(shape, minval=minval, maxval=maxval,
                                     dtype=_dtype_or_floatx(dtype),
                                     seed=_seed_or_random(seed, 10e6))


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """A tensor of 0/1 draws, 1 with probability p."""
    dtype = _dtype_or_floatx(dtype)
    draws = random_ops.random_uniform(shape, dtype=dtype, seed=_seed_or_random(seed, 10e6))
    return array.where(math_ops.less_equal(draws, p), array.ones(shape, dtype=dtype),
                       array.zeros(shape, dtype=dtype))


random_bernoulli = random_binomial


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """A tensor of normal draws truncated at two standard deviations."""
    return random_ops.truncated_normal(shape, mean, stddev, dtype=_dtype_or_floatx(dtype),
                                       seed=_seed_or_random(seed, 10e6))


# --- updates and gradients -----------------------------------------------------------------
def update(x, new_x):
    """x.assign(new_x)."""
    return state_ops.assign(x, new_x)


def update_add(x, increment):
    """x.assign_add(increment)."""
    return state_ops.assign_add(x, increment)


def update_sub(x, decrement):
    """x.assign_sub(decrement)."""
    return state_ops.assign_sub(x, decrement)


def moving_average_update(x, value, momentum):
    """x = x * momentum + value * (1 - momentum), with TF1's zero debiasing."""
    from tensorweave.train import moving_averages
    return moving_averages.assign_moving_average(x, value, momentum, zero_debias=True)


def gradients(loss, variables):
    """The gradients of loss with respect to variables."""
    return gradients_fn(loss, variables, colocate_gradients_with_ops=True)


def stop_gradient(variables):
    """tf.stop_gradient of a tensor or of each tensor of a list."""
    if isinstance(variables, (list, tuple)):
        return [array.stop_gradient(v) for v in variables]
    return array.stop_gradient(variables)


# --- K.function ----------------------------------------------------------------------------
class GraphExecutionFunction:
    """A callable that feeds `inputs` with the values it is given, runs `updates` and returns
    the values of `outputs`."""

    def __init__(self, inputs, outputs, updates=None, name=None, **session_kwargs):
        updates = updates or []
        if not isinstance(updates, (list, tuple)):
            raise TypeError("`updates` in a Keras backend function should be a list or tuple.")
        self.inputs = nest.flatten(inputs)
        self._outputs_structure = outputs
        self.outputs = [x for x in nest.flatten(outputs)]
        self.name = name
        self.feed_dict = session_kwargs.pop("feed_dict", None)
        self.fetches = session_kwargs.pop("fetches", [])
        if not isinstance(self.fetches, list):
            self.fetches = [self.fetches]
        self.run_options = session_kwargs.pop("options", None)
        self.run_metadata = session_kwargs.pop("run_metadata", None)
        if session_kwargs:
            raise ValueError(f"Some keys in session_kwargs are not supported at this time: "
                             f"{sorted(session_kwargs)}")
        with graph_module.control_dependencies([x for x in self.outputs
                                                if hasattr(x, "op")]):
            ops = []
            for update_item in updates:
                if isinstance(update_item, tuple):
                    p, new_p = update_item
                    ops.append(state_ops.assign(p, new_p))
                else:
                    ops.append(update_item)
            self.updates_op = control.group(*ops) if ops else None

    def __call__(self, inputs):
        inputs = nest.flatten(inputs)
        if len(inputs) != len(self.inputs):
            raise ValueError(f"Keras backend function expected {len(self.inputs)} inputs, "
                             f"got {len(inputs)}")
        feed = dict(self.feed_dict or {})
        for tensor, value in zip(self.inputs, inputs):
            if value is None:
                continue
            if is_sparse(tensor):
                feed[tensor] = value
                continue
            feed[tensor] = np.asarray(value, dtype=tensor.dtype.base_dtype.as_numpy_dtype)
        fetches = list(self.outputs) + ([self.updates_op] if self.updates_op is not None
                                        else []) + list(self.fetches)
        session = get_session(self.inputs)
        kwargs = {}
        if self.run_options is not None:
            kwargs["options"] = self.run_options
        if self.run_metadata is not None:
            kwargs["run_metadata"] = self.run_metadata
        values = session.run(fetches, feed_dict=feed, **kwargs)
        return nest.pack_sequence_as(self._outputs_structure, values[:len(self.outputs)])


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """A Keras function: `f(list_of_input_values) -> list_of_output_values`."""
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("`inputs` to a Keras backend function should be a list or tuple.")
    return GraphExecutionFunction(inputs, outputs, updates=updates, name=name, **kwargs)

