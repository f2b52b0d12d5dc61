"""Dataset functions: a user function traced once into its own graph, then run by a Plan.

`map`, `filter`, `flat_map` and `interleave` call the user's function once, on placeholders
shaped like one element, inside a `FunctionGraph`. Tensors of outer graphs the function uses
are *captured*: they become placeholders of the function graph, and their values are computed
when the iterator is initialized. At run time a Plan evaluates the function per element, or,
when every op between inputs and outputs works row by row (the registry facet `row_wise`), once
per chunk of stacked elements through a batched copy of the function graph.
"""
import collections

import numpy as np

from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import Graph, get_default_graph
from tensorweave.core.operation import TensorLike
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.data import structure
from tensorweave.ops import array
from tensorweave.runtime.plan import Plan


class FunctionGraph(Graph):
    """A graph for one traced function; tensors of other graphs used in it are captured."""

    def __init__(self, outer, name):
        super().__init__()
        self.outer = outer
        self.name = name
        self.seed = outer.seed
        self.last_op_id = outer.last_op_id  # op seeds differ from the outer graph's
        self.captures = {}  # outer tensor -> its placeholder here

    @property
    def building_function(self):
        return True

    def capture(self, tensor):
        """The tensor standing for `tensor` inside this graph."""
        if tensor.graph is self:
            return tensor
        inner = self.captures.get(tensor)
        if inner is None:
            saved = self._control_dependencies_stack
            self._control_dependencies_stack = []
            try:
                inner = Graph.create_op(self, "Placeholder", [],
                                        {"dtype": tensor.dtype, "shape": tensor.shape},
                                        name="capture").outputs[0]
            finally:
                self._control_dependencies_stack = saved
            self.captures[tensor] = inner
        return inner

    def create_op(self, op_type, inputs, attrs=None, name=None):
        return super().create_op(op_type, [self.capture(t) for t in inputs], attrs, name)


def holds_tensor(value):
    """True if the (nested) list or tuple `value` contains a tensor."""
    return any(isinstance(v, TensorLike) or (isinstance(v, (list, tuple)) and holds_tensor(v))
               for v in value)


def as_tensor(value):
    """`value` as a Tensor; lists holding tensors are stacked (TF packs them automatically)."""
    if isinstance(value, (list, tuple)) and holds_tensor(value):
        return array.stack([as_tensor(v) for v in value])
    return convert_to_tensor(value)


def _placeholders(graph, specs):
    """The function's inputs (a window component's: its elements stacked), packed as `specs`."""
    flat = [Graph.create_op(graph, "Placeholder", [], {"dtype": s.dtype, "shape": _input_shape(s)},
                            name="arg").outputs[0] for s in structure.flatten(specs)]
    return flat, structure.pack_as(specs, flat)


def _input_shape(spec):
    if isinstance(spec, structure.DatasetSpec):
        return TensorShape([None]).concatenate(spec.shape)
    return spec.shape


def _call(func, args):
    """Calls `func` on an element as TF does: a plain tuple is spread into arguments."""
    return func(*args) if type(args) is tuple else func(args)


class TracedFunction:
    """`func` traced on elements of structure `specs`.

    kind "tensors": the function returns a structure of tensors (map, filter); kind "dataset":
    it returns a Dataset (flat_map, interleave), whose captured tensors are the outputs.
    """

    def __init__(self, func, specs, kind, what):
        outer = get_default_graph()
        self.graph = FunctionGraph(outer, outer.unique_name(what, mark_as_used=True))
        self.kind = kind
        with self.graph.as_default(), self.graph.name_scope(self.graph.name + "/"):
            self.inputs, args = _placeholders(self.graph, specs)
            result = _call(func, args)
            if kind == "dataset":
                if not hasattr(result, "_captures"):
                    raise TypeError(f"`map_func` must return a Dataset, got "
                                    f"{type(result).__name__}")
                self.dataset = result
                flat = list(result._captures())
            else:
                if isinstance(result, list):
                    result = tuple(result)  # a returned list is a tuple of components
                flat = [as_tensor(v) for v in structure.flatten(result)]
                self.output_specs = structure.pack_as(
                    result, [structure.Spec(t.dtype, t.shape) for t in flat])
            self.outputs = [self.graph.capture(t) for t in flat]
        self.captures = list(self.graph.captures)
        self._batched = False  # not analysed yet

    def instantiate(self, ctx):
        """A RunningFunction bound to the session state and captured values of `ctx`."""
        return RunningFunction(self, ctx)

    # --- running per chunk ----------------------------------------------------------------
    def batched(self):
        """The row-wise copy of the function (a _Batched), or None if there is none."""
        if self._batched is False:
            try:
                self._batched = _batch_graph(self)
            except (ValueError, TypeError):  # a shape rule refused a batched input
                self._batched = None
        return self._batched


class RunningFunction:
    """A traced function in one pipeline: Plans over its graph, fed element and captures."""

    def __init__(self, traced, ctx):
        self.traced = traced
        self.ctx = ctx
        graph = traced.graph
        self.capture_values = [ctx.value(t) for t in traced.captures]
        fed = traced.inputs + [graph.captures[t] for t in traced.captures]
        self._plan = Plan(graph, traced.outputs, fed, ctx.state, variants=ctx.state.variants)
        self._batch_plan = None
        self._np_dtypes = [np.dtype(t.dtype.as_numpy_dtype) for t in traced.outputs]

    def __call__(self, element):
        """The function's flat outputs for one element (a flat sequence of arrays)."""
        values = self._plan.run_raw(list(element) + self.capture_values)
        return tuple(_as_array(v, d) for v, d in zip(values, self._np_dtypes))

    def can_batch(self):
        return self.traced.batched() is not None

    def call_batch(self, chunk):
        """The outputs for `chunk` (arrays with one row per element), computed at once."""
        batched = self.traced.batched()
        if self._batch_plan is None:
            self._batch_plan = Plan(batched.graph, batched.outputs,
                                    batched.inputs + batched.captures, self.ctx.state,
                                    variants=self.ctx.state.variants)
        rows = len(chunk[0])
        values = self._batch_plan.run_raw(list(chunk) + self.capture_values)
        out = []
        for v, d, row_wise in zip(values, self._np_dtypes, batched.row_wise):
            v = _as_array(v, d)
            out.append(v if row_wise else np.repeat(v[None], rows, axis=0))
        return tuple(out)


def _as_array(value, np_dtype):
    if isinstance(value, np.ndarray) and value.dtype == np_dtype:
        return value
    return np.asarray(value, dtype=np_dtype)


def ancestors(outputs):
    """The ops `outputs` depend on, in creation (so dependency) order."""
    seen, stack = set(), [t.op for t in outputs]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return sorted(seen, key=lambda op: op.creation_index)


_Batched = collections.namedtuple("_Batched", "graph inputs captures outputs row_wise")


def _batch_graph(traced):
    """A copy of the function graph whose element inputs carry a leading row dimension, as
    a _Batched (row_wise: which outputs have the row dimension; the others are the same for
    every row). None when an op between inputs and outputs is stateful, has control inputs or
    has no row-wise rule."""
    graph = Graph()
    mapped, row_wise = {}, {}

    def placeholder(like, shape, name, rows):
        t = graph.create_op("Placeholder", [], {"dtype": like.dtype, "shape": shape},
                            name=name).outputs[0]
        mapped[like], row_wise[like] = t, rows
        return t

    inputs = [placeholder(ph, TensorShape([None]).concatenate(ph.shape), "arg", True)
              for ph in traced.inputs]
    captures = [placeholder(traced.graph.captures[t], t.shape, "capture", False)
                for t in traced.captures]
    for op in ancestors(traced.outputs):
        if op.outputs and op.outputs[0] in mapped:
            continue
        if not op.op_def.foldable or op.control_inputs:  # stateful, or a loop
            return None
        flags = [row_wise[t] for t in op.inputs]
        new_inputs = [mapped[t] for t in op.inputs]
        attrs = dict(op.attrs)
        if any(flags):
            rule = op.op_def.row_wise  # how the op runs on stacked elements, if it can
            change = rule(op, flags) if rule else None
            if change is None:
                return None
            attrs.update(change.get("attrs", {}))
            for i, value in change.get("inputs", {}).items():
                dtype = op.inputs[i].dtype
                new_inputs[i] = graph.create_op("Const", [], {
                    "value": value.astype(dtype.as_numpy_dtype), "dtype": dtype}).outputs[0]
        new = graph.create_op(op.type, new_inputs, attrs, name=op.name)
        for old, t in zip(op.outputs, new.outputs):
            mapped[old], row_wise[old] = t, any(flags)
    return _Batched(graph, inputs, captures, [mapped[t] for t in traced.outputs],
                    [row_wise[t] for t in traced.outputs])


def check_predicate(traced):
    """A filter predicate must return one scalar boolean tensor."""
    specs = structure.flatten(traced.output_specs)
    if (len(specs) != 1 or specs[0].dtype.name != "bool"
            or not specs[0].shape.is_compatible_with(TensorShape([]))):
        raise ValueError(f"`predicate` return type must be convertible to a scalar boolean "
                         f"tensor. Was {traced.output_specs!r}.")


