"""Operation and Tensor: the nodes of a Graph and the values they output (TF's tf.Operation
and tf.Tensor). Graphs make them; see core/graph.py."""
from tensorweave.core import context
from tensorweave.core.tensor_shape import as_shape


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
        # TF 1.x leaves the shape out when even the rank is unknown.
        shape = "" if self._shape.ndims is None else f", shape={self._shape}"
        return (f'Tensor("{self.name}"{shape}, dtype={self.dtype.name}'
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

    __slots__ = ("name", "op", "device", "attr", "input", "operation")

    def __init__(self, op):
        self.operation = op
        self.name = op.name
        self.op = op.type
        self.device = op.device
        self.attr = {**op.attrs, **op.internal_attrs}
        self.input = [t.name for t in op.inputs] + ["^" + c.name for c in op.control_inputs]

    def __repr__(self):
        return f"NodeDef(name={self.name!r}, op={self.op!r})"

    def __str__(self):
        return str(self.operation)  # TF's protobuf text (Operation.__str__)


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

    def __str__(self):
        """TF's: the op's NodeDef, in TensorFlow's op form, as protobuf text (`print(op)`).
        The protobuf classes come from the optional tensorboard package; without it, the
        repr. Only this op and those made after it are converted."""
        try:
            graph_def = self.graph.as_graph_def(from_version=self.creation_index - 1)
        except ImportError:
            return repr(self)
        node = next((n for n in graph_def.node if n.name == self.name), None)
        return repr(self) if node is None else str(node)

    def _as_graph_element(self):
        return self


def as_operation(x):
    """The Operation `x` is or makes (a Tensor's op, a Variable's op)."""
    if isinstance(x, Operation):
        return x
    if isinstance(x, Tensor):
        return x.op
    op = getattr(x, "op", None)
    if isinstance(op, Operation):
        return op
    raise TypeError(f"Can not convert a {type(x).__name__} into an Operation.")
