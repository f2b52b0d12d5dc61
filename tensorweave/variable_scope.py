"""tf.variable_scope and tf.get_variable: named, shareable variables."""
import contextlib
import enum

from tensorweave import init_ops
from tensorweave.core import dtypes
from tensorweave.core.graph import GraphKeys, get_default_graph, user_frame
from tensorweave.core.operation import Tensor
from tensorweave.core.tensor_shape import as_shape
from tensorweave.variables import Variable


class _AutoReuse:
    def __repr__(self):
        return "tf.AUTO_REUSE"


AUTO_REUSE = _AutoReuse()


class VariableScope:
    """The defaults new variables in a scope get: name prefix, reuse, initializer, dtype."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None, dtype=dtypes.float32,
                 name_scope="", custom_getter=None, caching_device=None, use_resource=None):
        self.name = name
        self.reuse = reuse
        self.initializer = initializer
        self.regularizer = regularizer
        self.dtype = dtypes.as_dtype(dtype)
        self.original_name_scope = name_scope
        self.custom_getter = custom_getter
        # recorded and inherited as TF does; one process on one device has nowhere else to
        # cache variable reads, and every variable here behaves as a resource variable would
        self.caching_device = caching_device
        self.use_resource = use_resource

    def reuse_variables(self):
        self.reuse = True

    def set_initializer(self, initializer):
        self.initializer = initializer

    def set_regularizer(self, regularizer):
        self.regularizer = regularizer

    def set_dtype(self, dtype):
        self.dtype = dtypes.as_dtype(dtype)

    def set_caching_device(self, caching_device):
        self.caching_device = caching_device

    def set_use_resource(self, use_resource):
        self.use_resource = use_resource

    def set_custom_getter(self, custom_getter):
        self.custom_getter = custom_getter

    def get_collection(self, name):
        """The items of collection `name` whose names start with this scope's "<name>/"."""
        prefix = self.name + "/" if self.name else ""
        return get_default_graph().get_collection(name, prefix)

    def trainable_variables(self):
        return self.get_collection(GraphKeys.TRAINABLE_VARIABLES)

    def global_variables(self):
        return self.get_collection(GraphKeys.GLOBAL_VARIABLES)

    def local_variables(self):
        return self.get_collection(GraphKeys.LOCAL_VARIABLES)

    def get_variable(self, name, *args, **kwargs):
        with _entered(self):
            return get_variable(name, *args, **kwargs)


class ScopeState:
    """What variable scopes keep per graph."""

    def __init__(self):
        self.variables = {}  # full name -> the Variable get_variable made
        self.locations = {}  # full name -> where user code made it
        self.scope = VariableScope(False)  # the current variable scope
        self.scope_counts = {}  # how often each scope name is open (TF's variable_scopes_count)


def _state(graph):
    return graph.extension(ScopeState, ScopeState)


def variable_store(graph):
    """The variables made by get_variable in `graph`, by full name."""
    return _state(graph).variables


def _where_created(graph):
    return _state(graph).locations


def get_variable_scope():
    """The current VariableScope."""
    return _state(get_default_graph()).scope


@contextlib.contextmanager
def _entered(scope):
    state = _state(get_default_graph())
    old = state.scope
    state.scope = scope
    try:
        yield scope
    finally:
        state.scope = old


def _scope_counts(graph):
    """How often each variable scope name is open (TF's variable_scopes_count)."""
    return _state(graph).scope_counts


def _unique_scope_name(graph, parent, prefix):
    """`prefix`, or `prefix_N` when a scope of that name was already opened in `parent`."""
    counts = _scope_counts(graph)
    full = f"{parent.name}/{prefix}" if parent.name else prefix
    if not counts.get(full):
        return prefix
    n = 1
    while counts.get(f"{full}_{n}"):
        n += 1
    return f"{prefix}_{n}"


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name=None, values=None, initializer=None,
                   regularizer=None, caching_device=None, partitioner=None, custom_getter=None,
                   reuse=None, dtype=None, use_resource=None, constraint=None,
                   auxiliary_name_scope=True):
    """Opens a variable scope (and a name scope): `with tf.variable_scope("layer1"):`.

    Reuse is inherited by sub-scopes; a name scope of the same name is opened too (uniquified
    like any name scope, so re-entering "foo" puts new ops under "foo_1/").
    """
    if name_or_scope is None and default_name is None:
        raise TypeError("If default_name is None then name_or_scope is required")
    if not (reuse is None or reuse is False or reuse is True or reuse is AUTO_REUSE):
        raise ValueError("The reuse parameter must be True or False or None.")
    if name_or_scope is None and reuse is True:
        raise ValueError("reuse=True cannot be used without a name_or_scope")
    graph = next((v.graph for v in (values or ()) if isinstance(v, Tensor)), None) \
        or get_default_graph()
    with graph.as_default(), contextlib.ExitStack() as stack:
        parent = get_variable_scope()
        counts = _scope_counts(graph)
        if isinstance(name_or_scope, VariableScope):
            base, full_name = name_or_scope, name_or_scope.name
            name_scope_name = full_name.split("/")[-1]
            new_reuse = reuse or name_or_scope.reuse
        else:
            base = parent
            short = name_or_scope if name_or_scope is not None else default_name
            name_scope_name = short
            if name_or_scope is None:
                short = _unique_scope_name(graph, parent, default_name)
            full_name = f"{parent.name}/{short}" if parent.name else short
            new_reuse = reuse or parent.reuse
        if not auxiliary_name_scope:
            current = graph.get_name_scope()
            scope_str = stack.enter_context(graph.name_scope(current + "/" if current else ""))
        elif name_scope_name:
            scope_str = stack.enter_context(graph.name_scope(name_scope_name))
        else:
            scope_str = ""
        if isinstance(name_or_scope, VariableScope):
            scope_str = name_or_scope.original_name_scope
        new_scope = VariableScope(
            new_reuse, full_name,
            initializer=initializer if initializer is not None else base.initializer,
            regularizer=regularizer if regularizer is not None else base.regularizer,
            dtype=dtype if dtype is not None else base.dtype,
            name_scope=scope_str,
            custom_getter=custom_getter if custom_getter is not None else base.custom_getter,
            caching_device=caching_device if caching_device is not None
            else base.caching_device,
            use_resource=use_resource if use_resource is not None else base.use_resource)
        counts[full_name] = counts.get(full_name, 0) + 1
        saved_counts = dict(counts) if isinstance(name_or_scope, VariableScope) else None
        try:
            with _entered(new_scope):
                yield new_scope
        finally:
            if saved_counts is not None:  # leaving a re-entered scope restores the counts
                _state(graph).scope_counts = saved_counts
            else:  # default names inside a closed scope start again from the first
                current_counts = _scope_counts(graph)  # not `counts`: may have been replaced
                for key in current_counts:
                    if key.startswith(full_name + "/"):
                        current_counts[key] = 0


variable_op_scope = variable_scope


def _default_initializer(dtype):
    if dtype.is_floating:
        return init_ops.glorot_uniform_initializer()
    return init_ops.zeros_initializer()


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                 trainable=None, collections=None, caching_device=None, partitioner=None,
                 validate_shape=True, use_resource=None, custom_getter=None, constraint=None,
                 synchronization=None, aggregation=None):
    """Gets the variable `scope/name`, creating it unless the scope reuses variables."""
    scope = get_variable_scope()
    graph = get_default_graph()
    full_name = f"{scope.name}/{name}" if scope.name else name
    store = variable_store(graph)
    explicit_dtype = dtype is not None
    dtype = dtypes.as_dtype(dtype) if explicit_dtype else scope.dtype
    if regularizer is None:
        regularizer = scope.regularizer
    if scope.custom_getter is not None or custom_getter is not None:
        getter = custom_getter or scope.custom_getter

        def true_getter(name, *args, **kwargs):
            return _get_or_create(graph, store, scope, name, *args, **kwargs)
        return getter(true_getter, full_name, shape=shape, dtype=dtype,
                      initializer=initializer, regularizer=regularizer, trainable=trainable,
                      collections=collections, validate_shape=validate_shape,
                      constraint=constraint)
    return _get_or_create(graph, store, scope, full_name, shape=shape, dtype=dtype,
                          initializer=initializer, regularizer=regularizer,
                          trainable=trainable, collections=collections,
                          validate_shape=validate_shape, constraint=constraint,
                          explicit_dtype=explicit_dtype)


def get_local_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                       trainable=False, collections=None, caching_device=None,
                       partitioner=None, validate_shape=True, use_resource=None,
                       custom_getter=None, constraint=None, synchronization=None,
                       aggregation=None):
    """get_variable for a local variable: in LOCAL_VARIABLES (plus `collections`), not
    trainable, initialized by tf.local_variables_initializer."""
    collections = [GraphKeys.LOCAL_VARIABLES] + list(collections or [])
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                        regularizer=regularizer, trainable=trainable, collections=collections,
                        caching_device=caching_device, partitioner=partitioner,
                        validate_shape=validate_shape, use_resource=use_resource,
                        custom_getter=custom_getter, constraint=constraint)


def no_regularizer(_):
    """A regularizer that regularizes nothing (turns off a scope's default regularizer)."""
    return None


class VariableSynchronization(enum.Enum):
    """When a distributed variable is synchronized (recorded; one process has one copy)."""
    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation(enum.Enum):
    """How a distributed variable's updates combine (recorded; one process has one copy)."""
    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3
    ONLY_FIRST_TOWER = 3


def _get_or_create(graph, store, scope, full_name, shape=None, dtype=dtypes.float32,
                   initializer=None, regularizer=None, trainable=None, collections=None,
                   validate_shape=True, constraint=None, explicit_dtype=True, **_):
    dtype = dtypes.as_dtype(dtype)
    if full_name in store:
        if scope.reuse is False or scope.reuse is None:
            where = _where_created(graph).get(full_name)
            origin = f" Originally defined at:\n\n  File \"{where[0]}\", line {where[1]}" \
                if where else ""
            raise ValueError(f"Variable {full_name} already exists, disallowed. Did you mean "
                             f"to set reuse=True or reuse=tf.AUTO_REUSE in VarScope?{origin}")
        found = store[full_name]
        if shape is not None and not as_shape(shape).is_compatible_with(found.shape):
            raise ValueError(f"Trying to share variable {full_name}, but specified shape "
                             f"{as_shape(shape)} and found shape {found.shape}.")
        if explicit_dtype and dtype is not found.dtype:
            raise ValueError(f"Trying to share variable {full_name}, but specified dtype "
                             f"{dtype.name} and found dtype {found.dtype.name}.")
        return found
    if scope.reuse is True:
        raise ValueError(f"Variable {full_name} does not exist, or was not created with "
                         "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in "
                         "VarScope?")
    if initializer is None:
        initializer = scope.initializer or _default_initializer(dtype)
    if isinstance(initializer, type):
        initializer = initializer(dtype=dtype)
    if isinstance(initializer, Tensor) or not callable(initializer):
        if shape is not None and validate_shape:
            raise ValueError("If initializer is a constant, do not specify shape.")
        init_value = initializer
    else:
        if shape is None or not as_shape(shape).is_fully_defined():
            raise ValueError(f"Shape of a new variable ({full_name}) must be fully defined, but "
                             f"instead was {as_shape(shape) if shape is not None else shape}.")
        dims = as_shape(shape).as_list()

        def init_value():
            return initializer(dims, dtype=dtype)
    with graph.name_scope(None):
        variable = Variable(init_value, trainable=True if trainable is None else trainable,
                            collections=collections, validate_shape=validate_shape,
                            name=full_name,
                            dtype=dtype if callable(init_value) or explicit_dtype else None,
                            constraint=constraint)
    store[full_name] = variable
    _where_created(graph)[full_name] = user_frame()
    if regularizer is not None:
        with graph.name_scope(full_name + "/Regularizer/"):
            loss = regularizer(variable)
        if loss is not None:
            graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
    return variable
