"""Graph: the dataflow graph users build (TF's tf.Graph), its name and device scopes,
collections and the default graph; its nodes are in core/operation.py."""
import contextlib
import os
import re
import sys
import threading

from tensorweave.core import context
from tensorweave.core import registry
from tensorweave.core.devices import merge_device
from tensorweave.core.dtypes import as_bytes
from tensorweave.core.operation import (NodeDef, Operation, Tensor, TensorLike,  # noqa: F401
                                        as_operation)
from tensorweave.core.tensor_shape import as_shape, shape_text

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\-/>]*$")

# Attrs named "_..." are TF's reserved bookkeeping: an Operation keeps them in `internal_attrs`
# (written to its NodeDef), apart from the attrs its shape rule and kernel take.
GRADIENT_OP_TYPE_ATTR = "_gradient_op_type"  # set by Graph.gradient_override_map
# the ones tf.import_graph_def keeps: the gradient override, and tf.contrib.compiler's XLA marks
KEPT_INTERNAL_ATTRS = frozenset({GRADIENT_OP_TYPE_ATTR, "_XlaCompile", "_XlaScope",
                                 "_XlaSeparateCompiledGradients", "_xla_compile_id"})


def user_frame():
    """(filename, lineno, function) of the innermost caller outside the tensorweave package."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return ("<unknown>", 0, "<unknown>")
    return (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)


class GraphKeys:
    """Standard collection names (TF's tf.GraphKeys)."""

    GLOBAL_VARIABLES = "variables"
    VARIABLES = GLOBAL_VARIABLES
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"


class Graph:
    """A dataflow graph of Operations. Build it under `with g.as_default():`."""

    def __init__(self):
        self._ops = []
        self._ops_by_name = {}
        self._names_in_use = {}
        self._name_stack = ""
        self._collections = {}
        self._control_dependencies_stack = []
        self._device_stack = []
        self._version = 0
        self._finalized = False
        self._seed = None
        self.last_op_id = 0  # the creation index of the newest op (TF's _last_id; op seeds)
        self._lock = threading.RLock()
        self._gradient_override = {}  # op type -> gradient name, see gradient_override_map
        self._attr_scope = {}  # internal attr name -> value or fn(node_def), see attr_scope
        self._extensions = {}  # per-graph state of libraries, see extension()
        # The innermost tf.cond branch / tf.while_loop body being built (set by their builders)
        self.control_flow_context = None

    def extension(self, key, factory):
        """The state library `key` keeps in this graph, made by `factory()` on first use.

            state = graph.extension(ScopeState, ScopeState)   # one ScopeState per graph
        """
        try:
            return self._extensions[key]
        except KeyError:
            state = self._extensions[key] = factory()
            return state

    # --- building ---------------------------------------------------------------------------
    def as_default(self):
        """Makes this the current thread's default graph inside the `with` block."""
        return context.default_graph(self)

    def finalize(self):
        """Makes the graph read-only: creating an op afterwards raises RuntimeError."""
        self._finalized = True

    @property
    def finalized(self):
        return self._finalized

    def _check_not_finalized(self):
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    def unsafe_unfinalize(self):
        """Makes a finalized graph writable again (MonitoredSession's hooks may add ops)."""
        self._finalized = False

    _unsafe_unfinalize = unsafe_unfinalize  # TF's private name, which TF1 programs call

    @property
    def version(self):
        """Grows whenever the graph changes: Sessions plan again for a new version."""
        return self._version

    def mark_changed(self):
        """Records a change made to existing ops (a control input added or dropped)."""
        self._version += 1

    @property
    def seed(self):
        return self._seed

    @seed.setter
    def seed(self, value):
        self._seed = value

    def create_op(self, op_type, inputs, attrs=None, name=None):
        """Adds an op of registered type `op_type`; infers its outputs' dtypes and shapes."""
        self._check_not_finalized()
        op_def = registry.lookup(op_type)
        attrs = dict(attrs or {})
        internal_attrs = {k: attrs.pop(k) for k in [k for k in attrs if k.startswith("_")]}
        for key, value in internal_attrs.items():  # strings as TF's get_attr gives them
            if isinstance(value, str):
                internal_attrs[key] = as_bytes(value)
        if op_def.name in self._gradient_override:
            internal_attrs[GRADIENT_OP_TYPE_ATTR] = self._gradient_override[op_def.name]
        gradient_name = internal_attrs.get(GRADIENT_OP_TYPE_ATTR)
        if gradient_name is not None:  # bytes, as TF's get_attr gives it
            internal_attrs[GRADIENT_OP_TYPE_ATTR] = as_bytes(gradient_name)
        for t in inputs:
            if t.graph is not self:
                raise ValueError(f"Tensor {t!r} must be from the same graph as the op being "
                                 f"created ({op_type}).")
        context = self.control_flow_context
        if context is not None:  # outer tensors enter a cond branch or loop body first
            inputs = context.enter_inputs(op_def, inputs)
        if name and name.endswith("/"):  # an absolute name, used exactly (TF's convention)
            name = name[:-1]
            self._names_in_use.setdefault(name.lower(), 1)  # the name scope marked it already
        else:
            name = self.unique_name(name or op_type)
        if not _VALID_OP_NAME.match(name):
            raise ValueError(f"'{name}' is not a valid node name")
        if name in self._ops_by_name:
            raise ValueError(f"Duplicate node name in graph: '{name}'")
        try:
            specs = op_def.shape(*inputs, **attrs)
        except (ValueError, TypeError) as e:
            shapes = ", ".join(shape_text(t.shape) for t in inputs)
            where = user_frame()
            raise type(e)(f"{e} for '{name}' (op: '{op_type}') with input shapes: {shapes}. "
                          f"(created at {where[0]}:{where[1]})") from None
        controls = []
        for deps in self._control_dependencies_stack:
            for c in deps:
                if c not in controls:
                    controls.append(c)
        op = Operation(self, name, op_def, inputs, attrs, controls, "", user_frame(),
                       internal_attrs)
        for key, value in self._attr_scope.items():
            if key not in op.internal_attrs:
                value = value(op.node_def) if callable(value) else value
                if value is not None:
                    op.internal_attrs[key] = value
        op.device = self._device_for(op)
        op.outputs = tuple(Tensor(op, i, dtype, as_shape(shape))
                           for i, (dtype, shape) in enumerate(specs))
        with self._lock:
            self.last_op_id += 1
            op.creation_index = self.last_op_id
            self._ops.append(op)
            self._ops_by_name[name] = op
            self._version += 1
        if context is not None:
            context.add_op(op)
        return op

    def unique_name(self, name, mark_as_used=True):
        """`name` inside the current name scope, with `_1`, `_2`, ... added when taken."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        key = name.lower()
        count = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = count + 1
        if count > 0:
            base = key
            while f"{base}_{count}" in self._names_in_use:
                count += 1
            if mark_as_used:
                self._names_in_use[f"{base}_{count}"] = 1
            name = f"{name}_{count}"
        return name

    def get_name_scope(self):
        return self._name_stack

    @contextlib.contextmanager
    def name_scope(self, name):
        """Opens name scope `name` (uniquified); a name ending in '/' is reused as is."""
        old = self._name_stack
        if not name:
            new = ""
        elif name.endswith("/"):
            new = name[:-1]
        else:
            if not _VALID_SCOPE_NAME.match(name):
                raise ValueError(f"'{name}' is not a valid scope name")
            new = self.unique_name(name)
        self._name_stack = new
        try:
            yield (new + "/") if new else ""
        finally:
            self._name_stack = old

    @contextlib.contextmanager
    def outside_control_flow(self):
        """Ops created inside are built outside any tf.cond / tf.while_loop (as TF's
        init_scope does for variables)."""
        saved = self.control_flow_context
        self.control_flow_context = None
        try:
            yield
        finally:
            self.control_flow_context = saved

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing=False):
        """Ops created inside are placed with `op`; on tensorweave's one CPU device every op
        already is, so this only checks its argument (TF's Graph.colocate_with)."""
        if op is not None and not isinstance(op, (Operation, Tensor)) and not hasattr(
                op, "_as_graph_element"):
            raise TypeError(f"colocate_with takes an Operation or Tensor, got {op!r}")
        yield

    @contextlib.contextmanager
    def container(self, container_name):
        """Stateful ops created inside belong to resource container `container_name`
        (TF's Graph.container); tensorweave keeps all state in the Session, so containers
        group nothing."""
        if not isinstance(container_name, str):
            raise TypeError(f"container_name must be a string, got {container_name!r}")
        yield

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created inside run only after `control_inputs` (None clears the outer ones)."""
        if control_inputs is None:
            saved = self._control_dependencies_stack
            self._control_dependencies_stack = []
            try:
                yield
            finally:
                self._control_dependencies_stack = saved
            return
        ops = []
        for c in control_inputs:
            c = as_operation(c)
            if c.graph is not self:
                raise ValueError(f"Control input {c.name} must be from the same graph.")
            ops.append(c)
        self._control_dependencies_stack.append(ops)
        try:
            yield
        finally:
            self._control_dependencies_stack.pop()

    @contextlib.contextmanager
    def device(self, device_name_or_function):
        """Ops created inside record this device (merged with outer device scopes)."""
        self._device_stack.append(device_name_or_function)
        try:
            yield
        finally:
            self._device_stack.pop()

    def _device_for(self, op):
        """The canonical device of new `op`: device scopes merged outward-in; a device
        function is called with the op."""
        device = ""
        for spec in self._device_stack:
            if spec is None:
                device = ""
            else:
                device = merge_device(device, (spec(op) if callable(spec) else spec) or "")
        return device

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map):
        """Ops of type `t` created inside differentiate with the gradient named
        `op_type_map[t]` (tf.RegisterGradient, or another op type's rule): they get the attr
        `_gradient_op_type`, which tf.gradients reads.

            @tf.RegisterGradient("IdentityGrad")
            def _identity_grad(op, grad):
                return grad
            with g.gradient_override_map({"Square": "IdentityGrad"}):
                y = tf.square(x)  # tf.gradients(y, x) is 1
        """
        if not isinstance(op_type_map, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in op_type_map.items()):
            raise TypeError("op_type_map must be a dictionary mapping strings to strings")
        saved = dict(self._gradient_override)
        self._gradient_override.update(op_type_map)
        try:
            yield
        finally:
            self._gradient_override = saved

    @contextlib.contextmanager
    def attr_scope(self, attrs):
        """Ops created inside get the internal attrs `attrs` (names starting with "_"; a value
        may be fn(node_def) -> value; None leaves the attr unset) unless they set them
        themselves; inner scopes override outer ones (TF's Graph._attr_scope, which
        tf.contrib.compiler's jit scope uses for `_XlaCompile`)."""
        if not isinstance(attrs, dict) or not all(
                isinstance(k, str) and k.startswith("_") for k in attrs):
            raise TypeError("attr_scope needs a dict of internal attr names (starting with "
                            "'_') to values")
        saved = self._attr_scope
        self._attr_scope = {**saved, **attrs}
        try:
            yield
        finally:
            self._attr_scope = saved

    # --- exporting -------------------------------------------------------------------------
    def as_graph_def(self, from_version=None, add_shapes=False):
        """This graph as a `GraphDef` protocol buffer in TensorFlow's op forms, so TensorFlow
        reads it (needs the `tensorboard` extra); with `from_version`, only the ops after the
        first `from_version` ones (TF numbers ops from 1 and keeps ids above it)."""
        from tensorweave.core import tensorflow_forms  # protobuf loads only when asked for
        ops = self.get_operations()
        if from_version is not None:
            ops = ops[max(int(from_version), 0):]
        return tensorflow_forms.to_tensorflow(self, add_shapes, ops)

    # --- looking up ------------------------------------------------------------------------
    def get_operations(self):
        return list(self._ops)

    def get_operation_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Resolves a Tensor, Operation, Variable or name ('op:0' / 'op') in this graph."""
        if isinstance(obj, str):
            if ":" in obj:
                op_name, _, index = obj.rpartition(":")
                if not allow_tensor:
                    raise ValueError(f"Name {obj!r} appears to refer to a Tensor, not an "
                                     "Operation.")
                try:
                    op = self._ops_by_name[op_name]
                except KeyError:
                    raise KeyError(f"The name {obj!r} refers to a Tensor which does not exist. "
                                   f"The operation, {op_name!r}, does not exist in the graph.") \
                        from None
                try:
                    return op.outputs[int(index)]
                except (IndexError, ValueError):
                    raise KeyError(f"The name {obj!r} refers to a Tensor which does not exist. "
                                   f"The operation, {op_name!r}, exists but only has "
                                   f"{len(op.outputs)} outputs.") from None
            if not allow_operation:
                raise ValueError(f"The name {obj!r} looks like an (invalid) Operation name, not "
                                 "a Tensor. Tensor names must be of the form "
                                 "\"<op_name>:<output_index>\".")
            try:
                return self._ops_by_name[obj]
            except KeyError:
                raise KeyError(f"The name {obj!r} refers to an Operation not in the graph.") \
                    from None
        element = obj._as_graph_element() if hasattr(obj, "_as_graph_element") else None
        if element is None:
            raise TypeError(f"Can not convert a {type(obj).__name__} into a Tensor or Operation.")
        if element.graph is not self:
            raise ValueError(f"{obj!r} is not an element of this graph.")
        if isinstance(element, Tensor) and not allow_tensor:
            raise TypeError(f"Can not convert a Tensor into an Operation: {obj!r}")
        if isinstance(element, Operation) and not allow_operation:
            raise TypeError(f"Can not convert an Operation into a Tensor: {obj!r}")
        return element

    # --- collections -----------------------------------------------------------------------
    def add_to_collection(self, name, value):
        self._check_not_finalized()
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        for name in ([names] if isinstance(names, str) else set(names)):
            self.add_to_collection(name, value)

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None):
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        pattern = re.compile(scope)
        return [i for i in items if getattr(i, "name", None) is not None
                and pattern.match(i.name)]

    def get_all_collection_keys(self):
        return [k for k in self._collections if isinstance(k, str)]

    def clear_collection(self, name):
        self._collections.pop(name, None)

    @property
    def collections(self):
        return self.get_all_collection_keys()

    @property
    def building_function(self):
        return False

    def is_fetchable(self, tensor_or_op):
        return True

    def is_feedable(self, tensor):
        return True


# --- default graph -------------------------------------------------------------------------
def strip_name_scope(name, export_scope):
    """`name` with a leading `export_scope/` removed, also after a control input's '^' or a
    colocation's 'loc:@' (TF's ops.strip_name_scope); unchanged when it has none."""
    if not export_scope:
        return name
    scope = re.escape(export_scope.rstrip("/"))
    return re.sub(r"([\^]|loc:@|^)" + scope + r"[\/]+(.*)", r"\1\2", name, count=1)


def prepend_name_scope(name, import_scope):
    """`name` under `import_scope/`, after a leading '^' or 'loc:@' (TF's
    ops.prepend_name_scope)."""
    if not import_scope:
        return name
    return re.sub(r"([\^]|loc:@|^)(.*)", lambda m: f"{m[1]}{import_scope.rstrip('/')}/{m[2]}",
                  name, count=1)


def name_within_scope(name, scope):
    """`name` relative to `scope` ('^' kept), or None when it lies outside the scope."""
    if not scope:
        return name
    bare = name[1:] if name.startswith("^") else name
    if not bare.startswith(scope.rstrip("/") + "/"):
        return None
    return strip_name_scope(name, scope)


def get_default_graph():
    """The innermost graph this thread made default with `as_default()`, else the thread's
    global default graph (see core/context.py)."""
    graph = context.innermost_graph()
    return graph if graph is not None else context.global_default_graph(Graph)


def reset_default_graph():
    """Clears this thread's global default graph (not allowed inside `with g.as_default()`)."""
    if context.has_nested_graphs():
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If "
                             "you need a cleared graph, exit the nesting and create a new graph.")
    context.clear_global_default_graph()


def create_op(op_type, inputs=(), name=None, **attrs):
    """Adds an op to the graph of its inputs (or the default graph) and returns the Operation.

    While a function graph is being built (a tf.data map function, say), ops go there and the
    function graph captures the outer tensors they use.
    """
    default = get_default_graph()
    graph = default if default.building_function or not inputs else inputs[0].graph
    return graph.create_op(op_type, list(inputs), attrs, name)


@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """Opens a name scope in the graph of `values` (or the default graph); yields 'scope/'.
    While a function graph is being built it stays there (its ops capture outer values)."""
    default = get_default_graph()
    graph = default if default.building_function else next(
        (v.graph for v in (values or ()) if isinstance(v, (Tensor, Operation))), None) or default
    name = default_name if name is None else name
    with graph.as_default(), graph.name_scope(name) as scope:
        yield scope


def op_scope(values, name, default_name=None):
    """TF 0.x's name_scope with the values first (deprecated in TF 1.x)."""
    return name_scope(name, default_name, values)


@contextlib.contextmanager
def init_scope():
    """Ops created inside run without the surrounding control dependencies, as initializers
    of state must (TF's tf.init_scope in graph mode; the name scope is kept)."""
    with get_default_graph().control_dependencies(None):
        yield


# --- the default graph's scopes and collections (TF's tf.control_dependencies, ...) --------
def control_dependencies(control_inputs):
    """Ops created inside the `with` block run after `control_inputs`."""
    return get_default_graph().control_dependencies(control_inputs)


def colocate_with(op, ignore_existing=False):
    """Ops created inside the `with` block are placed with `op` (see Graph.colocate_with)."""
    return get_default_graph().colocate_with(op, ignore_existing)


def container(container_name):
    """Stateful ops created inside the `with` block belong to `container_name`."""
    return get_default_graph().container(container_name)


def device(device_name_or_function):
    """Ops created inside the `with` block record this device (see ConfigProto placement)."""
    return get_default_graph().device(device_name_or_function)


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None):
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)
