"""Graph, Operation and Tensor: the dataflow graph users build (TF's tf.Graph and friends)."""
import contextlib
import os
import re
import sys
import threading

import numpy as np

from tensorweave.framework import context
from tensorweave.framework import dtypes as _dtypes
from tensorweave.framework import registry
from tensorweave.framework.tensor_shape import TensorShape, as_shape, shape_text

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\-/>]*$")
DEFAULT_GRAPH_SEED = 87654321

# Attrs named "_..." are TF's reserved bookkeeping: an Operation keeps them in `internal_attrs`
# (written to its NodeDef), apart from the attrs its shape rule and kernel take.
GRADIENT_OP_TYPE_ATTR = "_gradient_op_type"  # set by Graph.gradient_override_map
KEPT_INTERNAL_ATTRS = frozenset({GRADIENT_OP_TYPE_ATTR})  # the ones tf.import_graph_def keeps


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


class TensorLike:
    """Base of Tensor and Variable; math operators are installed on it by the ops package."""

    __slots__ = ()
    __array_priority__ = 100
    __array_ufunc__ = None  # `ndarray + tensor` defers to Tensor.__radd__

    def __bool__(self):
        raise TypeError(
            "Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not None:` "
            "instead of `if t:` to test if a tensor is defined, and use TensorFlow ops such as "
            "tf.cond to execute subgraphs conditioned on the value of a tensor.")

    def __iter__(self):
        raise TypeError(
            "Tensor objects are only iterable when eager execution is enabled. To iterate over "
            "this tensor use tf.unstack, or fetch its value with Session.run first.")

    __nonzero__ = __bool__


class Tensor(TensorLike):
    """The symbolic output `value_index` of Operation `op`; its value exists only in a Session."""

    __slots__ = ("op", "value_index", "dtype", "_shape", "__weakref__")

    def __init__(self, op, value_index, dtype, shape):
        self.op = op
        self.value_index = value_index
        self.dtype = dtype
        self._shape = shape

    @property
    def name(self):
        return f"{self.op.name}:{self.value_index}"

    @property
    def graph(self):
        return self.op.graph

    @property
    def device(self):
        return self.op.device

    @property
    def shape(self):
        return self._shape

    def get_shape(self):
        return self._shape

    def set_shape(self, shape):
        """Refines the static shape; raises ValueError when incompatible."""
        self._shape = self._shape.merge_with(as_shape(shape))

    def consumers(self):
        return [op for op in self.op.graph._ops if any(t is self for t in op.inputs)]

    def eval(self, feed_dict=None, session=None):
        """The value of this tensor in `session` (default: the default session)."""
        return context.session_for(self.graph, session).run(self, feed_dict)

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self.dtype.name}>"

    def __str__(self):
        return (f'Tensor("{self.name}", shape={self._shape}, dtype={self.dtype.name}'
                + (f', device={self.device}' if self.device else "") + ")")

    # == and hash are identity (object's defaults), as in TF1.

    def __len__(self):
        raise TypeError(f"len is not well defined for symbolic Tensors. ({self.name}) "
                        "Please call `x.shape` rather than `len(x)` for shape information.")

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"Cannot convert a symbolic Tensor ({self.name}) to a numpy array; "
                        "run it in a Session to get its value.")

    def _as_graph_element(self):
        return self


class NodeDef:
    """A light description of an op for error messages (name, op type, device, attrs)."""

    __slots__ = ("name", "op", "device", "attr", "input")

    def __init__(self, op):
        self.name = op.name
        self.op = op.type
        self.device = op.device
        self.attr = {**op.attrs, **op.internal_attrs}
        self.input = [t.name for t in op.inputs] + ["^" + c.name for c in op.control_inputs]

    def __repr__(self):
        return f"NodeDef(name={self.name!r}, op={self.op!r})"


class Operation:
    """A node of the graph: `type`, `inputs`, `outputs`, `attrs`, and where user code made it.

    `attrs` go to the op's shape rule and kernel; `internal_attrs` (names starting with "_",
    such as GRADIENT_OP_TYPE_ATTR) only describe the node.
    """

    __slots__ = ("graph", "name", "type", "inputs", "outputs", "attrs", "internal_attrs",
                 "_control_inputs", "device", "traceback", "creation_index", "op_def",
                 "__weakref__")

    def __init__(self, graph, name, op_def, inputs, attrs, control_inputs, device, traceback,
                 internal_attrs=None):
        self.graph = graph
        self.name = name
        self.type = op_def.name
        self.op_def = op_def
        self.inputs = tuple(inputs)
        self.attrs = attrs
        self.internal_attrs = dict(internal_attrs or {})
        self._control_inputs = list(control_inputs)
        self.device = device
        self.traceback = traceback
        self.outputs = ()
        self.creation_index = None  # set when the graph adds it: creation order sorts ops

    @property
    def control_inputs(self):
        return list(self._control_inputs)

    def keep_control_inputs(self, keep):
        """Drops the control inputs for which `keep(op)` is false (a loop body's op waits on
        the While op, not on ops outside the loop)."""
        kept = [c for c in self._control_inputs if keep(c)]
        if len(kept) < len(self._control_inputs):
            self._control_inputs = kept
            self.graph.mark_changed()

    def add_control_input(self, op):
        """Makes this op run after `op` too (TF's Operation._add_control_input)."""
        if op not in self._control_inputs:
            self._control_inputs.append(op)
            self.graph.mark_changed()

    _add_control_input = add_control_input  # TF's private name, which TF1 programs call

    @property
    def node_def(self):
        return NodeDef(self)

    def get_attr(self, name):
        try:
            return self.attrs[name] if name in self.attrs else self.internal_attrs[name]
        except KeyError:
            raise ValueError(f"Operation '{self.name}' has no attr named '{name}'.") from None

    def values(self):
        return tuple(self.outputs)

    def run(self, feed_dict=None, session=None):
        """Runs this op in `session` (default: the default session)."""
        context.session_for(self.graph, session).run(self, feed_dict)

    @property
    def location(self):
        """'file:line' of the user code that created this op."""
        return f"{self.traceback[0]}:{self.traceback[1]}"

    def __repr__(self):
        return f"<tf.Operation '{self.name}' type={self.type}>"

    def _as_graph_element(self):
        return self


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
        if op_def.name in self._gradient_override:
            internal_attrs[GRADIENT_OP_TYPE_ATTR] = self._gradient_override[op_def.name]
        gradient_name = internal_attrs.get(GRADIENT_OP_TYPE_ATTR)
        if gradient_name is not None:  # bytes, as TF's get_attr gives it
            internal_attrs[GRADIENT_OP_TYPE_ATTR] = _as_bytes(gradient_name)
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
            c = _as_operation(c)
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

    # --- exporting -------------------------------------------------------------------------
    def as_graph_def(self, from_version=None, add_shapes=False):
        """This graph as a `GraphDef` protocol buffer (needs the `tensorboard` extra)."""
        from tensorweave.framework import graph_def  # protobuf loads only when asked for
        return graph_def.graph_to_graph_def(self, from_version, add_shapes)

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


def _as_operation(x):
    if isinstance(x, Operation):
        return x
    if isinstance(x, Tensor):
        return x.op
    op = getattr(x, "op", None)
    if isinstance(op, Operation):
        return op
    raise TypeError(f"Can not convert a {type(x).__name__} into an Operation.")


# --- devices -------------------------------------------------------------------------------
_DEVICE_FIELD = re.compile(r"/(job|replica|task|device|cpu|gpu):?([^/]*)", re.IGNORECASE)


def parse_device(spec):
    """Parses '/job:w/task:0/device:GPU:1' or '/cpu:0' into a dict of the given fields."""
    fields = {}
    for key, value in _DEVICE_FIELD.findall(spec or ""):
        key = key.lower()
        if key in ("cpu", "gpu"):
            fields["device_type"], fields["device_index"] = key.upper(), value or "*"
        elif key == "device":
            kind, _, index = value.partition(":")
            fields["device_type"], fields["device_index"] = kind.upper(), index or "*"
        else:
            fields[key] = value
    return fields


def device_string(fields):
    parts = [f"/{k}:{fields[k]}" for k in ("job", "replica", "task") if k in fields]
    if "device_type" in fields:
        parts.append(f"/device:{fields['device_type']}:{fields['device_index']}")
    return "".join(parts)


def merge_device(outer, inner):
    fields = parse_device(outer)
    fields.update(parse_device(inner))
    return device_string(fields)


# --- default graph -------------------------------------------------------------------------
def get_default_graph():
    """The innermost graph this thread made default with `as_default()`, else the thread's
    global default graph (see framework/context.py)."""
    graph = context.innermost_graph()
    return graph if graph is not None else context.global_default_graph(Graph)


def reset_default_graph():
    """Clears this thread's global default graph (not allowed inside `with g.as_default()`)."""
    if context.has_nested_graphs():
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If "
                             "you need a cleared graph, exit the nesting and create a new graph.")
    context.clear_global_default_graph()


# --- tensors from values -------------------------------------------------------------------
_conversion_hooks = []  # (type, fn(value, dtype, name) -> Tensor)


def register_tensor_conversion_function(base_type, fn):
    _conversion_hooks.append((base_type, fn))


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None):
    """A Tensor for `value`: Tensors pass through (dtype checked), values become constants."""
    if dtype is not None:
        dtype = _dtypes.as_dtype(dtype)
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype is not dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with "
                             f"dtype {value.dtype.name}: {value!r}")
        return value
    for base_type, fn in _conversion_hooks:
        if isinstance(value, base_type):
            return fn(value, dtype, name)
    if isinstance(value, Operation):
        raise TypeError(f"Can't convert Operation '{value.name}' to Tensor (target dtype="
                        f"{dtype}, name={name!r}, as_ref=False)")
    if dtype is None and preferred_dtype is not None:
        try:
            return constant(value, dtype=preferred_dtype, name=name)
        except (TypeError, ValueError):
            pass
    return constant(value, dtype=dtype, name=name)


def constant_array(value, dtype=None):
    """`value` as a NumPy array with TF's dtype inference (Python floats -> float32)."""
    if dtype is None:
        dtype = _dtypes.dtype_of_value(value)
    if dtype is _dtypes.string:
        array = np.asarray(value, dtype=object)
        return np.vectorize(_as_bytes, otypes=[object])(array) if array.size else array
    if isinstance(value, (list, tuple)) and _contains_non_numbers(value):
        raise TypeError(f"Expected {dtype.name}, got {value!r} of type "
                        f"'{type(value).__name__}' instead.")
    array = np.asarray(value)
    if dtype.is_integer and array.dtype.kind == "f" and np.any(array != np.floor(array)):
        raise TypeError(f"Expected {dtype.name}, got {value!r} of type "
                        f"'{type(value).__name__}' instead.")
    return np.asarray(array, dtype=dtype.as_numpy_dtype)


def _contains_non_numbers(value):
    for v in value:
        if isinstance(v, (list, tuple)):
            if _contains_non_numbers(v):
                return True
        elif isinstance(v, (str, bytes, TensorLike)) or v is None:
            return True
    return False


def _as_bytes(x):
    return x.encode("utf-8") if isinstance(x, str) else x


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """A Const op holding `value` (TF's tf.constant), broadcast to `shape` when given."""
    if isinstance(value, (list, tuple)) and any(isinstance(v, TensorLike) for v in value):
        raise TypeError("tf.constant cannot hold Tensors; use tf.stack to combine them.")
    if dtype is not None:
        dtype = _dtypes.as_dtype(dtype)
    array = constant_array(value, dtype)
    if dtype is None:
        dtype = _dtypes.as_dtype(array.dtype) if array.dtype != object else _dtypes.string
    if shape is not None:
        shape = tuple(int(d) for d in (shape if isinstance(shape, (list, tuple)) else [shape]))
        if array.shape != shape:
            if verify_shape:
                raise TypeError(f"Expected Tensor's shape: {shape}, got {array.shape}.")
            if array.size == 1:
                array = np.full(shape, array.reshape(()), dtype=array.dtype)
            elif array.size == int(np.prod(shape)):
                array = array.reshape(shape)
            else:
                raise TypeError(f"Eager execution of tf.constant with unsupported shape (value "
                                f"has {array.size} elements, shape is {shape} with "
                                f"{int(np.prod(shape))} elements).")
    if isinstance(value, np.ndarray) and np.may_share_memory(array, value):
        array = array.copy()  # the graph keeps its own value; the caller's array stays writable
    array.setflags(write=False)
    return get_default_graph().create_op("Const", [], {"value": array, "dtype": dtype},
                                         name=name).outputs[0]


def constant_value(tensor):
    """The value of `tensor` if it is known while building the graph, else None (each op type
    says through its registry facet `value`)."""
    if not isinstance(tensor, Tensor) or tensor.value_index != 0:
        return None
    rule = registry.lookup(tensor.op.type).value
    return None if rule is None else rule(tensor.op)


def partial_shape_from_tensor(tensor):
    """A TensorShape from a 1-D shape tensor; entries not known while building are None."""
    value = constant_value(tensor)
    if value is not None:
        return TensorShape([None if d < 0 else int(d) for d in np.asarray(value).reshape(-1)])
    if tensor.op.type == "Pack":
        return TensorShape([_scalar_or_none(t) for t in tensor.op.inputs])
    n = tensor.shape[0].value if tensor.shape.ndims == 1 else None
    return TensorShape(None if n is None else [None] * n)


def _scalar_or_none(t):
    value = constant_value(t)
    return None if value is None or int(value) < 0 else int(value)


def create_op(op_type, inputs=(), name=None, **attrs):
    """Adds an op to the graph of its inputs (or the default graph) and returns the Operation.

    While a function graph is being built (a tf.data map function, say), ops go there and the
    function graph captures the outer tensors they use.
    """
    default = get_default_graph()
    graph = default if default.building_function or not inputs else inputs[0].graph
    return graph.create_op(op_type, list(inputs), attrs, name)


def _const_shape(*, value, dtype):
    return [(dtype, TensorShape(value.shape))]


def _const_kernel(*, value, dtype):
    return value


def _const_value(op):
    return op.attrs["value"]


registry.register_op("Const", shape=_const_shape, kernel=_const_kernel,
                     grad=registry.NOT_DIFFERENTIABLE, shares_memory=True, value=_const_value)


@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """Opens a name scope in the graph of `values` (or the default graph); yields 'scope/'."""
    graph = next((v.graph for v in (values or ()) if isinstance(v, (Tensor, Operation))),
                 None) or get_default_graph()
    name = default_name if name is None else name
    with graph.as_default(), graph.name_scope(name) as scope:
        yield scope


def get_seed(op_seed):
    """(graph seed, op seed) for a random op, following TF's rules; (None, None) = random."""
    graph = get_default_graph()
    if graph.seed is not None:
        seeds = (graph.seed, graph.last_op_id if op_seed is None else op_seed)
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, op_seed)
    else:
        return None, None
    if seeds == (0, 0):  # kernels read (0, 0) as "unseeded"; TF maps it to a fixed stream
        return 0, 2 ** 31 - 1
    return seeds
