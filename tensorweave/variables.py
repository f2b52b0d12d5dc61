"""tf.Variable and the helpers that list, initialize and check variables."""
import numpy as np

from tensorweave.core import context, dtypes
from tensorweave.core.constants import (constant, convert_to_tensor,
                                        register_tensor_conversion_function)
from tensorweave.core.graph import GraphKeys, get_default_graph, name_scope
from tensorweave.core.operation import Tensor, TensorLike
from tensorweave.core.tensor_shape import as_shape
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.ops import array, control, scatter_ops, state_ops


class Variable(TensorLike):
    """A tensor whose value persists across Session.run calls and can be assigned.

    >>> w = tw.Variable(tw.zeros([784, 10]), name="weights")
    """

    def __init__(self, initial_value=None, trainable=True, collections=None,
                 validate_shape=True, caching_device=None, name=None, variable_def=None,
                 dtype=None, expected_shape=None, import_scope=None, constraint=None,
                 use_resource=None, synchronization=None, aggregation=None, shape=None):
        if variable_def is not None:
            self._init_from_graph(variable_def)
            return
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        from_fn = callable(initial_value)
        graph = get_default_graph()
        with graph.outside_control_flow(), name_scope(  # variables live outside cond/while
                name, "Variable", [] if from_fn else
                [initial_value] if isinstance(initial_value, Tensor) else []) as scope:
            if from_fn:
                with graph.name_scope("Initializer"), graph.device(None):
                    value = convert_to_tensor(initial_value(), dtype=dtype,
                                              name="initial_value")
            else:
                value = convert_to_tensor(initial_value, dtype=dtype, name="initial_value")
            if shape is not None:
                var_shape = as_shape(shape)
            elif validate_shape:
                var_shape = value.shape
                if not var_shape.is_fully_defined():
                    raise ValueError(f"initial_value must have a shape specified: {value}")
            else:
                var_shape = as_shape(None)
            self._variable = state_ops.variable_op_v2(var_shape, value.dtype, name=scope)
            self._initial_value = value
            self._initializer_op = state_ops.assign(self._variable, value,
                                                    validate_shape=validate_shape).op
            self._snapshot = array.identity(self._variable, name="read")
        self._trainable = trainable
        self._constraint = constraint
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections = list(collections) + [GraphKeys.TRAINABLE_VARIABLES]
        graph.add_to_collections(collections, self)

    def _init_from_graph(self, parts):
        """Rebuilds a Variable around existing ops: parts = (variable, initializer, snapshot,
        initial_value, trainable)."""
        self._variable, self._initializer_op, self._snapshot, self._initial_value, \
            self._trainable = parts
        self._constraint = None

    # --- identity ---------------------------------------------------------------------------
    @property
    def name(self):
        return self._variable.name

    @property
    def op(self):
        return self._variable.op

    @property
    def graph(self):
        return self._variable.graph

    @property
    def dtype(self):
        return self._variable.dtype

    @property
    def shape(self):
        return self._variable.shape

    def get_shape(self):
        return self._variable.shape

    @property
    def device(self):
        return self._variable.device

    @property
    def trainable(self):
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def initializer(self):
        return self._initializer_op

    @property
    def initial_value(self):
        return self._initial_value

    def _as_graph_element(self):
        return self._variable

    def _ref(self):
        return self._variable

    def __repr__(self):
        return (f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}_ref>")

    # --- values ------------------------------------------------------------------------------
    def value(self):
        """The variable's value as a tensor (its `<name>/read` snapshot)."""
        return self._snapshot

    def read_value(self):
        """A fresh read of the variable's value."""
        return array.identity(self._variable, name="read")

    def initialized_value(self):
        """The variable's value once it is initialized, else its initial value: for
        initializing other variables from this one (TF's cond(is_variable_initialized(v),
        v.read_value, lambda: v.initial_value))."""
        with self.graph.as_default(), self.graph.outside_control_flow():
            return control.cond(
                is_variable_initialized(self),
                lambda: state_ops.ref_identity(self._variable, name="read"),
                lambda: self._initial_value)

    def eval(self, session=None):
        return self._variable.eval(session=session)

    def load(self, value, session=None):
        """Writes `value` into the variable in `session` (by feeding its initial value)."""
        context.session_for(self.graph, session).run(self._initializer_op,
                                                     {self._initializer_op.inputs[1]: value})

    # --- updates -----------------------------------------------------------------------------
    def assign(self, value, use_locking=False, name=None, read_value=True):
        return state_ops.assign(self._variable, value, name=name)

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        return state_ops.assign_add(self._variable, delta, name=name)

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        return state_ops.assign_sub(self._variable, delta, name=name)

    # --- sparse updates: `sparse_delta` is an IndexedSlices of rows -----------------------------
    def _scatter(self, update, sparse_delta, use_locking, name):
        if not isinstance(sparse_delta, IndexedSlices):
            raise TypeError(f"sparse_delta is not IndexedSlices: {sparse_delta}")
        return update(self._variable, sparse_delta.indices, sparse_delta.values,
                      use_locking=use_locking, name=name)

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(state_ops.scatter_add, sparse_delta, use_locking, name)

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(state_ops.scatter_sub, sparse_delta, use_locking, name)

    def scatter_mul(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(state_ops.scatter_mul, sparse_delta, use_locking, name)

    def scatter_div(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(state_ops.scatter_div, sparse_delta, use_locking, name)

    def scatter_min(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(state_ops.scatter_min, sparse_delta, use_locking, name)

    def scatter_max(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(state_ops.scatter_max, sparse_delta, use_locking, name)

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(state_ops.scatter_update, sparse_delta, use_locking, name)

    def batch_scatter_update(self, sparse_delta, use_locking=False, name=None):
        return self._scatter(scatter_ops.batch_scatter_update, sparse_delta, use_locking, name)

    def scatter_nd_add(self, indices, updates, name=None):
        return state_ops.scatter_nd_add(self._variable, indices, updates, name=name)

    def scatter_nd_sub(self, indices, updates, name=None):
        return state_ops.scatter_nd_sub(self._variable, indices, updates, name=name)

    def scatter_nd_update(self, indices, updates, name=None):
        return state_ops.scatter_nd_update(self._variable, indices, updates, name=name)

    def count_up_to(self, limit):
        return state_ops.count_up_to(self._variable, limit)

    def set_shape(self, shape):
        self._variable.set_shape(shape)
        self._snapshot.set_shape(shape)

    def count_params(self):
        return int(np.prod(self.shape.as_list()))


def _variable_to_tensor(var, dtype, name):
    value = var.value()
    if dtype is not None and value.dtype is not dtype:
        raise ValueError(f"Incompatible type conversion requested to type '{dtype.name}' for "
                         f"variable of type '{value.dtype.name}'")
    return value


register_tensor_conversion_function(Variable, _variable_to_tensor)
RefVariable = Variable


# --- listing -----------------------------------------------------------------------------------
def global_variables(scope=None):
    """Variables shared across sessions/machines (the GLOBAL_VARIABLES collection)."""
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


all_variables = global_variables


def trainable_variables(scope=None):
    """Variables the optimizers update by default (the TRAINABLE_VARIABLES collection)."""
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None):
    """Per-process variables such as metric counters (the LOCAL_VARIABLES collection)."""
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope=None):
    return get_default_graph().get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


# --- initializing ------------------------------------------------------------------------------
def variables_initializer(var_list, name="init"):
    """An op that runs the initializers of `var_list`."""
    if var_list:
        return control.group(*[v.initializer for v in var_list], name=name)
    return control.no_op(name=name)


def global_variables_initializer():
    """An op that initializes every global variable."""
    return variables_initializer(global_variables())


initialize_all_variables = global_variables_initializer


def local_variables_initializer():
    """An op that initializes every local variable."""
    return variables_initializer(local_variables(), name="init")


initialize_local_variables = local_variables_initializer
initialize_variables = variables_initializer


def tables_initializer(name="init_all_tables"):
    """An op that initializes every lookup table of the graph (TABLE_INITIALIZERS)."""
    initializers = get_default_graph().get_collection(GraphKeys.TABLE_INITIALIZERS)
    if initializers:
        return control.group(*initializers, name=name)
    return control.no_op(name=name)


initialize_all_tables = tables_initializer


def is_variable_initialized(variable):
    """A bool scalar tensor: whether `variable` has a value in the session."""
    return state_ops.is_variable_initialized(variable._ref())


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A 1-D string tensor naming the variables in `var_list` (default: all) without values."""
    if var_list is None:
        var_list = global_variables() + local_variables()
    if not var_list:
        return constant(np.array([], dtype=object), dtype=dtypes.string, name=name)
    return state_ops.report_uninitialized([v._ref() for v in var_list], name=name)


def assert_variables_initialized(var_list=None):
    """An op that fails with FailedPreconditionError if any variable lacks a value."""
    var_list = global_variables() if var_list is None else var_list
    reads = [array.identity(v._ref()) for v in var_list]
    return control.group(*reads, name="assert_variables_initialized")
