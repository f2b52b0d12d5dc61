"""Where control-flow ops are being built: the context of a cond branch or a loop body, and DEAD
(the value of a tensor of a branch that was not taken)."""
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import as_shape
from tensorweave.ops.tensor_array_ops import TensorArray


class _Dead:
    """The value of a tensor of a tf.cond branch that was not taken."""

    __slots__ = ()

    def __repr__(self):
        return "DEAD"


DEAD = _Dead()


class Context:
    """The ops built for one cond branch or loop body. The graph calls `enter_inputs` before
    and `add_op` after creating an op while this context is innermost."""

    def __init__(self, graph, name):
        self.graph = graph
        self.name = name
        self.outer = graph.control_flow_context
        self.loop = self.outer.loop if self.outer is not None else None  # innermost loop
        self._contexts = graph.extension(Context, dict)  # op -> the context it was made in
        self._entered = {}  # outer tensor -> the tensor standing for it in here
        self._inside = set()  # tensors made outside that count as inside (entries, pivot)

    def __enter__(self):
        self.graph.control_flow_context = self
        return self

    def __exit__(self, *exc):
        self.graph.control_flow_context = self.outer

    def contains_op(self, op):
        context = self._contexts.get(op)
        while context is not None:
            if context is self:
                return True
            context = context.outer
        return False

    def contains(self, t):
        return t in self._inside or self.contains_op(t.op)

    def enter_inputs(self, op_def, inputs):
        refs = op_def.ref_count(inputs)
        if all(self.contains(t) for t in inputs[refs:]):
            return inputs
        return list(inputs[:refs]) + [t if self.contains(t) else self.enter(t)
                                      for t in inputs[refs:]]

    def enter(self, t):
        """The tensor standing for outer tensor `t` inside this context."""
        inner = self._entered.get(t)
        if inner is None:
            inner = self._entered[t] = self._make_entry(t)
            self._inside.add(inner)
        return inner

    def inside(self, value):
        """`value` (a tensor, TensorArray or Python value) as a tensor of this context."""
        if isinstance(value, TensorArray):
            value = value.flow
        t = convert_to_tensor(value)
        return t if self.contains(t) else self.enter(t)

    def add_op(self, op):
        self._contexts[op] = self
        loop = self.loop
        if loop is not None:  # the While op waits on outer ops instead
            op.keep_control_inputs(loop.contains_op)


class CondContext(Context):
    """One branch of a tf.cond: `pred` decides, `branch` is 1 (true) or 0 (false)."""

    def __init__(self, graph, name, pred, pivot, branch):
        super().__init__(graph, name)
        self.pred = pred
        self.pivot = pivot
        self.branch = branch
        self._inside.add(pivot)

    def _make_entry(self, t):
        graph = self.graph
        graph.control_flow_context = self.outer  # the Switch belongs to the outer context
        try:
            with graph.control_dependencies(None):
                switch = create_op("Switch", [t, self.pred], name="Switch")
        finally:
            graph.control_flow_context = self
        return switch.outputs[self.branch]

    def add_op(self, op):
        super().add_op(op)
        refs = op.op_def.ref_count(op.inputs)
        if len(op.inputs) == refs and not any(self.contains_op(c) for c in op.control_inputs):
            op.add_control_input(self.pivot.op)  # it runs only when the branch is taken


class WhileContext(Context):
    """A tf.while_loop's cond and body: outer tensors are captured as LoopInputs."""

    def __init__(self, graph, name):
        super().__init__(graph, name)
        self.loop = self
        self.captured = []  # the outer tensors the loop uses
        self.capture_inputs = []  # the LoopInputs standing for them

    def _make_entry(self, t):
        with self.graph.control_dependencies(None):
            inner = loop_input(t.dtype, t.shape, "Enter")
        self.captured.append(t)
        self.capture_inputs.append(inner)
        return inner


def loop_of(op):
    """(the innermost WhileContext around `op` or None, whether a cond branch lies between)."""
    context = op.graph.extension(Context, dict).get(op)
    in_cond = False
    while context is not None and not isinstance(context, WhileContext):
        in_cond = True
        context = context.outer
    return context, in_cond


def _loop_input_shape(*, dtype, shape):
    return [(dtype, shape)]


def _loop_input_kernel(*, dtype, shape):
    raise ValueError("This tensor stands for a value inside a tf.while_loop body; it has a "
                     "value only while the loop runs. Fetch the loop's outputs instead.")


register_op("LoopInput", shape=_loop_input_shape, kernel=_loop_input_kernel,
            grad=NOT_DIFFERENTIABLE)


def loop_input(dtype, shape, name):
    return create_op("LoopInput", [], name=name, dtype=dtype, shape=as_shape(shape)).outputs[0]
