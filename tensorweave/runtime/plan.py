"""The Plan: a pruned, ordered, kernel-bound program for one (fetches, feeds) signature.

A Plan is built once per signature and then run as a flat loop over steps
`(kernel, input slots, output slot(s), slots to free, op)`; running never walks the graph.

Control flow: a `Switch` step writes DEAD to its untaken output. Only steps downstream of a
Switch (found while planning) get a kernel wrapper that passes DEAD on instead of running, so
graphs without tf.cond pay nothing. Loop ops (`While`) bind sub-Plans for their body once,
when the Plan that runs them is built.
"""
import functools
import operator
import sys

import numpy as np

from tensorweave.framework import errors
from tensorweave.framework.dtypes import DType
from tensorweave.framework.graph import Operation, Tensor, TensorLike, parse_device
from tensorweave.framework.tensor_shape import TensorShape
from tensorweave.ops.control_flow_ops import DEAD
from tensorweave.ops.state_ops import variable_key

CPU_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class FetchMapper:
    """Flattens a nested fetch structure to unique graph elements and rebuilds the results."""

    def __init__(self, graph, fetches):
        self.elements = []
        self._index = {}
        self._template = self._flatten(graph, fetches)

    def _flatten(self, graph, fetch):
        if fetch is None:
            raise TypeError(f"Fetch argument None has invalid type {type(None)}")
        if isinstance(fetch, (list, tuple)):
            parts = [self._flatten(graph, f) for f in fetch]
            if hasattr(fetch, "_fields"):
                return ("namedtuple", type(fetch), parts)
            return (type(fetch), parts)
        if isinstance(fetch, dict):
            return ("dict", type(fetch), list(fetch.keys()),
                    [self._flatten(graph, v) for v in fetch.values()])
        try:
            element = graph.as_graph_element(fetch)
        except TypeError as e:
            raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must be a "
                            f"string or Tensor. ({e})") from None
        except ValueError as e:
            raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. "
                             f"({e})") from None
        except KeyError as e:
            raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. "
                             f"({e.args[0]})") from None
        if element not in self._index:
            self._index[element] = len(self.elements)
            self.elements.append(element)
        return self._index[element]

    def build(self, values):
        return self._build(self._template, values)

    def _build(self, template, values):
        if isinstance(template, int):
            return values[template]
        if template[0] == "namedtuple":
            return template[1](*[self._build(t, values) for t in template[2]])
        if template[0] == "dict":
            _, kind, keys, parts = template
            built = kind() if kind is not dict else {}
            for key, part in zip(keys, parts):
                built[key] = self._build(part, values)
            return built
        kind, parts = template
        return kind(self._build(t, values) for t in parts)


def fetch_key(fetches):
    """A hashable key describing a fetch structure (identity of the elements it names)."""
    if isinstance(fetches, (Tensor, Operation, str)):
        return fetches
    if isinstance(fetches, (list, tuple)):
        return (type(fetches), tuple(fetch_key(f) for f in fetches))
    if isinstance(fetches, dict):
        return (type(fetches), tuple((k, fetch_key(v)) for k, v in fetches.items()))
    return fetches


def _kernel_attr(value):
    if isinstance(value, DType):
        return np.dtype(value.as_numpy_dtype)
    if isinstance(value, TensorShape):
        return value.as_tuple()
    return value


def bind_kernel(op, state, is_used=None):
    """The op's kernel with its attrs (and, if stateful, state, name and ref keys) bound.

    A kernel with a `plan_binder` attribute (loops) is bound by calling
    `plan_binder(op, make_plan, is_used)`: make_plan(fetches, feeds, dead_feeds=()) builds a
    sub-Plan of the same graph and session state, and is_used(tensor) tells whether the Plan
    reads that output of the op.
    """
    op_def = op.op_def
    binder = getattr(op_def.kernel, "plan_binder", None)
    if binder is not None:
        def make_plan(fetches, feeds, dead_feeds=()):
            return Plan(op.graph, fetches, feeds, state, None, None, dead_feeds)
        return binder(op, make_plan, is_used or (lambda t: True))
    attrs = {k: _kernel_attr(v) for k, v in op.attrs.items()}
    if op_def.stateful:
        keys = [variable_key(t) for t in op.inputs[:ref_input_count(op)]]
        return functools.partial(op_def.kernel, state, op.name, *keys, **attrs)
    return functools.partial(op_def.kernel, **attrs) if attrs else op_def.kernel


def ref_input_count(op):
    refs = op.op_def.ref_inputs
    return len(op.inputs) if refs == "all" else refs


class FeedSlot:
    """How one fed tensor's value is converted and checked before it fills its slot."""

    __slots__ = ("tensor", "slot", "np_dtype", "rank", "known_dims", "is_string")

    def __init__(self, tensor, slot):
        self.tensor = tensor
        self.slot = slot
        self.is_string = tensor.dtype.name == "string"
        self.np_dtype = np.dtype(tensor.dtype.as_numpy_dtype)
        dims = tensor.shape.as_tuple()
        self.rank = None if dims is None else len(dims)
        self.known_dims = () if dims is None else tuple(
            (i, d) for i, d in enumerate(dims) if d is not None)

    def convert(self, value):
        if isinstance(value, TensorLike):
            raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed "
                            "values include Python scalars, strings, lists, numpy ndarrays, or "
                            "TensorHandles. For reference, the tensor object was "
                            f"{value!r} which was passed to the feed with key "
                            f"{self.tensor!r}.")
        if self.is_string:
            array = np.asarray(value, dtype=object)
            array = np.vectorize(lambda s: s.encode() if isinstance(s, str) else s,
                                 otypes=[object])(array) if array.size else array
        else:
            if isinstance(value, int) and self.np_dtype.kind in "iu" and not (
                    np.iinfo(self.np_dtype).min <= value <= np.iinfo(self.np_dtype).max):
                raise TypeError(f"Type of feed value {value} with type {type(value)} is not "
                                f"compatible with Tensor type {self.np_dtype.type}. Try "
                                f"explicitly setting the type of the feed tensor to a larger "
                                f"type (e.g. int64).")
            array = np.asarray(value, dtype=self.np_dtype)
        if self.rank is not None:
            shape = array.shape
            if len(shape) != self.rank or any(shape[i] != d for i, d in self.known_dims):
                raise ValueError(f"Cannot feed value of shape {shape!r} for Tensor "
                                 f"{self.tensor.name!r}, which has shape "
                                 f"{str(self.tensor.shape)!r}")
        return array


class Plan:
    """The steps that compute the fetched tensors and run the fetched ops given the fed tensors.

    Lowering: ops without inputs or with only constant inputs that are not stateful are
    evaluated once here (constant folding); alias ops (Identity) share their input's slot; every
    other op becomes a step. Slots of intermediates are freed after their last use.

    A sub-Plan (placement_log None) skips device checks; `dead_feeds` are fed tensors whose
    value may be DEAD (a loop gradient's saved values from inside a tf.cond).
    """

    def __init__(self, graph, fetch_elements, fed_tensors, state, config, placement_log,
                 dead_feeds=()):
        fetch_tensors = [e for e in fetch_elements if isinstance(e, Tensor)]
        targets = [e for e in fetch_elements if isinstance(e, Operation)]
        fed = set(fed_tensors)
        order = _schedule(fetch_tensors, targets, fed)
        if placement_log is not None:
            _place(order, config, placement_log)
        _require_feeds(order)
        self._wrapped, self._tokens = _dead_region(order, dead_feeds)

        root = {t: t for t in fed_tensors}  # tensor -> the tensor whose slot holds its value
        folded = {}  # root tensor -> value computed while planning
        runs = []
        for op in order:
            data = [root.get(t, t) for t in op.inputs[ref_input_count(op):]]
            plain = op not in self._wrapped  # outside tf.cond: no DEAD value can reach it
            if op.op_def.is_alias and op.outputs[0] not in fed:
                root[op.outputs[0]] = data[0]
            elif plain and (forwarded := _forwarded_input(op, data, folded, fed)) is not None:
                root[op.outputs[0]] = data[forwarded]
            elif not _fold(op, data, folded, state, fed, plain):
                if op in self._wrapped:  # it also waits for the liveness of its control inputs
                    data += [_token(c, root) for c in op.control_inputs if c in self._tokens]
                runs.append((op, data))
        self._assign_slots(fetch_tensors, fed_tensors, root, folded, runs, state)
        self.fetch_slots = []
        for element in fetch_elements:
            if isinstance(element, Tensor):
                source = root.get(element, element)
                copy = source in fed or source in folded or source.op.op_def.shares_memory
                self.fetch_slots.append((self._slots[source], copy))
            else:
                self.fetch_slots.append((None, False))

    def _assign_slots(self, fetch_tensors, fed_tensors, root, folded, runs, state):
        slots = self._slots = {}

        def slot_of(t):
            if t not in slots:
                slots[t] = len(slots)
            return slots[t]

        self.feeds = [FeedSlot(t, slot_of(t)) for t in fed_tensors]
        for t in folded:
            slot_of(t)
        last_use = {}
        for step, (op, data) in enumerate(runs):
            for t in data:
                last_use[t] = step
        keep = {root.get(t, t) for t in fetch_tensors} | set(fed_tensors) | set(folded)
        steps = []
        for step, (op, data) in enumerate(runs):
            ins = tuple(slot_of(t) for t in data)
            outs = tuple(slot_of(t) for t in op.outputs)
            kernel = bind_kernel(op, state, lambda t: t in last_use or t in keep)
            if op in self._wrapped:
                token = not op.outputs and op in self._tokens
                if token:
                    outs = (slot_of(op),)  # the op's liveness, for ops that wait on it
                kernel = _dead_aware(kernel, len(op.inputs) - ref_input_count(op), len(outs),
                                     len(data), token)
            frees = tuple(sorted({slots[t] for t in data
                                  if last_use[t] == step and t not in keep}))
            steps.append((kernel, _getter(ins), outs[0] if len(outs) == 1 else outs, frees, op))
        self.steps = steps
        self.template = [None] * len(slots)
        for t, value in folded.items():
            self.template[slots[t]] = value

    def run(self, feed_values):
        values = self.template.copy()
        for feed, value in zip(self.feeds, feed_values):
            values[feed.slot] = feed.convert(value)
        with np.errstate(all="ignore"):
            self._run_steps(values)
        return self.fetched(values)

    def fetched(self, values):
        """The fetched values out of the slots a run filled (copies where a slot is shared)."""
        try:
            return [_fetched(values[slot], copy) if slot is not None else None
                    for slot, copy in self.fetch_slots]
        except _DeadFetch:
            raise self._dead_fetch_error(values) from None

    def run_raw(self, feed_values):
        """Runs with values fed as they are and returns the fetched values uncopied: a loop
        body's sub-Plan, run once per iteration inside the Plan that runs the loop."""
        values = self.template.copy()
        for feed, value in zip(self.feeds, feed_values):
            values[feed.slot] = value
        self._run_steps(values)
        return [values[slot] for slot, _ in self.fetch_slots]

    def _run_steps(self, values):
        op = None
        try:
            for kernel, inputs, out, frees, op in self.steps:
                result = kernel(*inputs(values))
                if out.__class__ is int:
                    values[out] = result
                else:
                    for slot, value in zip(out, result):
                        values[slot] = value
                for slot in frees:
                    values[slot] = None
        except Exception as e:  # noqa: BLE001 - every failure is re-raised naming the op
            raise op_error(e, op, self._inputs_of(op, values)) from e

    def _dead_fetch_error(self, values):
        by_slot = {slot: t for t, slot in self._slots.items() if isinstance(t, Tensor)}
        name = next(by_slot[slot].name for slot, _ in self.fetch_slots
                    if slot is not None and values[slot] is DEAD)
        return errors.InvalidArgumentError(
            None, None, f"Retval of {name!r} does not have value: it is computed in a branch "
            "of tf.cond that was not taken in this run.")

    def _inputs_of(self, op, values):
        for step in self.steps:
            if step[4] is op:
                return step[1](values)
        return []


def _getter(slots):
    """A function values -> the values at `slots`, as a sequence (itemgetter is fastest)."""
    if len(slots) == 1:
        return operator.itemgetter(slice(slots[0], slots[0] + 1))
    if not slots:
        return lambda values: ()
    return operator.itemgetter(*slots)


def _forwarded_input(op, data, folded, fed):
    """Index of the input an op outputs unchanged given the inputs known while planning (its
    `forwards` rule), or None."""
    rule = op.op_def.forwards
    if rule is None or op.control_inputs or op.outputs[0] in fed or len(op.outputs) != 1:
        return None
    constants = {i: folded[t] for i, t in enumerate(data) if t in folded}
    if not constants or len(constants) == len(data):  # nothing known, or all: folded
        return None
    return rule(op, constants)


_FOLDED_FROM_SHAPES_MAX_BYTES = 10 << 20  # TF's constant folding keeps to 10 MB as well


def _fold(op, data, folded, state, fed, shapes_final):
    """Evaluates a pure op whose inputs are all known while planning; True if it did. With
    `shapes_final` (not inside tf.cond), inputs read only for their shape count as known when
    their static shape is fully defined."""
    op_def = op.op_def
    if op_def.stateful or op.control_inputs or any(t in fed for t in op.outputs):
        return False
    args, from_shapes = [], False
    for index, t in enumerate(data):
        if t in folded:
            args.append(folded[t])
        elif shapes_final and index in op_def.shape_only_inputs and \
                t.shape.is_fully_defined():
            args.append(np.broadcast_to(np.zeros((), t.dtype.as_numpy_dtype), t.shape.as_tuple()))
            from_shapes = True
        else:
            return False
    if op.type not in _DEAD_AWARE and any(a is DEAD for a in args):
        for t in op.outputs:  # a constant branch of tf.cond that is not taken
            folded[t] = DEAD
        return True
    try:
        with np.errstate(all="ignore"):
            result = bind_kernel(op, state)(*args)
    except Exception:  # noqa: BLE001 - left as a step, so the error surfaces when it runs
        return False
    results = result if len(op.outputs) > 1 else [result]
    if from_shapes and sum(np.asarray(r).nbytes for r in results) > _FOLDED_FROM_SHAPES_MAX_BYTES:
        return False
    for t, value in zip(op.outputs, results):
        folded[t] = value
    return True


class _DeadFetch(Exception):
    pass


def _fetched(value, copy):
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return value[()]
        return value.copy() if copy else value
    if value is DEAD:
        raise _DeadFetch
    return value


# --- control flow: DEAD values ---------------------------------------------------------------
_DEAD_AWARE = frozenset({"Switch", "Merge"})  # their kernels take DEAD inputs themselves


def _dead_region(order, dead_feeds):
    """(ops whose kernels need the DEAD wrapper, ops whose liveness other ops wait on).

    A tensor may be DEAD when it is a Switch output, a dead feed, an output of a wrapped op,
    or the output of a Merge whose guard (first input) may be DEAD.
    """
    if not dead_feeds and not any(op.type == "Switch" for op in order):
        return frozenset(), frozenset()
    maybe_dead = set(dead_feeds)
    wrapped, dead_ops = set(), set()
    for op in order:
        if op.type == "Switch":
            dead = True
        elif op.type == "Merge":
            dead = op.inputs[0] in maybe_dead
        else:
            dead = any(t in maybe_dead for t in op.inputs) or \
                any(c in dead_ops for c in op.control_inputs)
            if dead:
                wrapped.add(op)
        if dead:
            dead_ops.add(op)
            maybe_dead.update(op.outputs)
    tokens = {c for op in wrapped for c in op.control_inputs if c in dead_ops}
    return frozenset(wrapped), frozenset(tokens)


def _token(op, root):
    """The slot key holding whether control input `op` ran: its first output, or the op."""
    if op.outputs:
        return root.get(op.outputs[0], op.outputs[0])
    return op


_LIVE = True


def _dead_aware(kernel, n_data, n_outputs, n_args, token):
    """`kernel` that outputs DEAD without running when an input (or awaited op) is DEAD; a
    `token` step has no outputs of its own and records that it ran."""
    dead = DEAD if n_outputs == 1 else (DEAD,) * n_outputs

    def run(*args):
        for a in args:
            if a is DEAD:
                return dead
        result = kernel(*args[:n_data]) if n_args != n_data else kernel(*args)
        return _LIVE if token else result
    return run


def _schedule(fetch_tensors, targets, fed):
    """Ops needed for the fetches and targets in dependency order (data fetches first)."""
    order, state = [], {}
    roots = [t.op for t in fetch_tensors if t not in fed] + list(targets)
    for root in roots:
        if root in state:
            continue
        stack = [(root, False)]
        while stack:
            op, expanded = stack.pop()
            if expanded:
                if state[op] != 2:
                    state[op] = 2
                    order.append(op)
                continue
            if op in state:
                continue
            state[op] = 1
            stack.append((op, True))
            deps = list(op.control_inputs)
            deps += [t.op for t in op.inputs[ref_input_count(op):] if t not in fed]
            for dep in reversed(deps):
                if dep not in state:
                    stack.append((dep, False))
    return order


def _place(order, config, placement_log):
    soft = bool(config and config.allow_soft_placement)
    log = bool(config and config.log_device_placement)
    for op in order:
        if op.device:
            kind = parse_device(op.device).get("device_type", "CPU")
            if kind != "CPU" and not soft:
                raise errors.InvalidArgumentError(
                    op.node_def, op,
                    f"Cannot assign a device for operation {op.name}: Operation was explicitly "
                    f"assigned to {op.device} but available devices are [ {CPU_DEVICE} ]. Make "
                    f"sure the device specification refers to a valid device. (Set "
                    f"allow_soft_placement=True in the ConfigProto to fall back to the CPU.)"
                    f"{_where(op)}")
        if log and op not in placement_log:
            placement_log.add(op)
            print(f"{op.name}: ({op.type}): {CPU_DEVICE}", file=sys.stderr)


def _require_feeds(order):
    for op in order:
        if op.type == "Placeholder":
            shape = op.outputs[0].shape
            shape_text = "<unknown>" if shape.ndims is None else "[" + ",".join(
                "?" if d is None else str(d) for d in shape.as_tuple()) + "]"
            raise errors.InvalidArgumentError(
                op.node_def, op,
                f"You must feed a value for placeholder tensor '{op.name}' with dtype "
                f"{_dtype_word(op.outputs[0].dtype)} and shape {shape_text}{_where(op)}")


def _dtype_word(dtype):
    return {"float32": "float", "float64": "double"}.get(dtype.name, dtype.name)


def _where(op):
    return f"\n\t [[node {op.name} (defined at {op.location}) ]]"


def op_error(error, op, inputs):
    """`error` raised by op's kernel as a tw.errors class naming the op and the user's line."""
    shapes = ", ".join(str(list(np.shape(v))) for v in inputs)
    detail = f"{_where(op)}\n\t (op type {op.type}, input shapes: {shapes})"
    if isinstance(error, errors.OpError):
        return type(error)(op.node_def, op, f"{error.message}{detail}")
    if isinstance(error, MemoryError):
        cls = errors.ResourceExhaustedError
    elif isinstance(error, (ValueError, IndexError, TypeError, ZeroDivisionError)):
        cls = errors.InvalidArgumentError
    else:
        cls = errors.UnknownError
    return cls(op.node_def, op, f"{type(error).__name__}: {error}{detail}")
