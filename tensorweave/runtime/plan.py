"""The Plan: a pruned, ordered, kernel-bound program for one (fetches, feeds) signature.

A Plan is built once per signature and then run as a flat loop over steps
`(kernel, input slots, output slot(s), slots to free, op)`; running never walks the graph.
Lowering (which ops need a step) is in lowering.py; the Session's checks of the ops a Plan
runs are in checks.py; fetch mapping and feed conversion in fetch.py. A Plan binds each op's
kernel once: the op type's `bind` rule, else a speed variant (runtime/accel) unless variants
are off, else the reference kernel.

Sub-Plans (a While's body, a tf.data function) are Plans over the same state, run by a kernel
of the Plan that runs them, through `run_raw`.
"""
import functools
import operator

import numpy as np

from tensorweave.core import errors
from tensorweave.core.constants import kernel_attrs
from tensorweave.core.operation import Operation, Tensor
from tensorweave.ops.control.contexts import DEAD
from tensorweave.ops.state_ops import variable_key
from tensorweave.runtime import checks, lowering
from tensorweave.runtime.fetch import DeadFetch, FeedSlot, fetched_value


def _variable_keys(op):
    """The keys of the variables a stateful op's reference inputs name."""
    return [variable_key(t) for t in op.inputs[:op.op_def.ref_count(op.inputs)]]


def chosen_kernel(op, variants=True):
    """The op type's reference kernel, or with `variants` the speed variant (runtime/accel)
    that chooses to replace it for `op`, unbound."""
    kernel = op.op_def.kernel
    if variants:
        from tensorweave.runtime import accel  # loaded by the first binding, not by the import
        kernel = accel.variant_for(op) or kernel
    return kernel


def bind_kernel(op, state, is_used=None, *, variants=True, kernel=None):
    """The op's kernel with its attrs (and, if stateful, state, name and ref keys) bound.

    An op type with a `bind` rule (loops) is bound by calling `bind(op, make_plan, is_used)`:
    make_plan(fetches, feeds, dead_feeds=()) builds a sub-Plan of the same graph and session
    state, and is_used(tensor) tells whether the Plan reads that output of the op. Otherwise
    `kernel` (default: `chosen_kernel(op, variants)`) is bound.
    """
    op_def = op.op_def
    if op_def.bind is not None:
        def make_plan(fetches, feeds, dead_feeds=()):
            return Plan(op.graph, fetches, feeds, state, variants=variants,
                        dead_feeds=dead_feeds)
        return op_def.bind(op, make_plan, is_used or (lambda t: True))
    kernel = kernel or chosen_kernel(op, variants)
    attrs = kernel_attrs(op)
    if op_def.stateful:
        return functools.partial(kernel, state, op.name, *_variable_keys(op), **attrs)
    return functools.partial(kernel, **attrs) if attrs else kernel


class Plan:
    """The steps that compute the fetched tensors and run the fetched ops given the fed tensors.

    Lowering: foldable ops whose inputs are all known are evaluated once here (constant
    folding); alias ops (Identity) and ops forwarding an input share that input's slot; every
    other op becomes a step. Slots of intermediates are freed after their last use.

        Plan(graph, fetches, feeds, state)                    # a sub-Plan: no checks
        Plan(graph, fetches, feeds, state, check_ops=policy)  # a Session's Plan

    fetches: Tensors and Operations; feeds: the fed Tensors, in the order `run` takes their
    values. check_ops(ops) sees the ops to run before anything else happens (the Session's
    placement and feed checks). variants: whether speed variants may replace reference
    kernels. dead_feeds: fed tensors whose value may be DEAD (a loop gradient's saved values
    from inside a tf.cond).
    """

    def __init__(self, graph, fetches, feeds, state, *, variants=True, check_ops=None,
                 dead_feeds=()):
        fetch_tensors = [e for e in fetches if isinstance(e, Tensor)]
        targets = [e for e in fetches if isinstance(e, Operation)]
        fed = set(feeds)
        self.variants = variants
        self.ops = lowering.schedule(fetch_tensors, targets, fed)
        if check_ops is not None:
            check_ops(self.ops)
        self._wrapped, self._tokens = lowering.dead_region(self.ops, dead_feeds)

        def bind(op):
            return bind_kernel(op, state, variants=variants)

        root = {t: t for t in feeds}  # tensor -> the tensor whose slot holds its value
        folded = {}  # root tensor -> value computed while planning
        branch = lowering.BranchValues(dead_feeds) if self._wrapped else None
        runs = []
        for op in self.ops:
            data = [root.get(t, t) for t in lowering.data_inputs(op)]
            plain = op not in self._wrapped  # outside tf.cond: no DEAD value can reach it
            if op.op_def.is_alias and op.outputs[0] not in fed:
                root[op.outputs[0]] = data[0]
            elif (forwarded := lowering.forwarded_input(
                    op, data, folded, fed, None if plain else branch)) is not None:
                root[op.outputs[0]] = data[forwarded]
            elif not lowering.fold(op, data, folded, fed, plain, bind):
                if not plain:  # it also waits for the liveness of its control inputs
                    branch.learn(op, data, folded, fed, bind)
                    data += [lowering.liveness_key(c, root) for c in op.control_inputs
                             if c in self._tokens]
                if branch is not None:
                    branch.record(op, data, not plain)
                runs.append((op, data))
            elif branch is not None:
                branch.record_folded(op, folded)
        self._assign_slots(fetch_tensors, feeds, root, folded, runs, state)
        self.fetch_slots = []
        for element in fetches:
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
            chosen = None if op.op_def.bind else chosen_kernel(op, self.variants)
            kernel = bind_kernel(op, state, lambda t: t in last_use or t in keep,
                                 variants=self.variants, kernel=chosen)
            if op in self._wrapped:
                records_liveness = not op.outputs and op in self._tokens
                if records_liveness:
                    outs = (slot_of(op),)  # the op's liveness, for ops that wait on it
                kernel = lowering.passing_dead(kernel, len(lowering.data_inputs(op)), len(outs),
                                               len(data), records_liveness)
            dying = {t for t in data if last_use[t] == step and t not in keep}
            getter = _getter(ins)
            if self.variants and chosen is not None and op not in self._wrapped and dying:
                kernel, getter, dying = _in_place(op, chosen, data, ins, dying, kernel, getter,
                                                  state)
            frees = tuple(sorted({slots[t] for t in dying}))
            steps.append((kernel, getter, outs[0] if len(outs) == 1 else outs, frees, op))
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
            return [fetched_value(values[slot], copy) if slot is not None else None
                    for slot, copy in self.fetch_slots]
        except DeadFetch:
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
        op = args = None
        try:
            for kernel, inputs, out, frees, op in self.steps:
                args = inputs(values)  # kept for the error message: a step may empty slots
                # no local name keeps a step's result: the next step may write into it if
                # nothing reads it afterwards (runtime/accel/in_place.py counts references)
                if out.__class__ is int:
                    values[out] = kernel(*args)
                else:
                    for slot, value in zip(out, kernel(*args)):
                        values[slot] = value
                    value = None
                for slot in frees:
                    values[slot] = None
        except Exception as e:  # noqa: BLE001 - every failure is re-raised naming the op
            error = self.error_for(e, op, values, args)
            self.run_independent_of(op, values)
            raise error from e

    def run_independent_of(self, failed, values):
        """After the step of op `failed` raised: runs the later steps that neither read what
        it made nor wait for it, directly or through others. TF's executor runs each op as soon
        as its inputs are ready, so by the time a failure ends the step such ops have run (an
        assign_add of the global step beside an iterator's OutOfRange); their own failures
        are dropped, as TF reports the first."""
        if failed not in self.ops:  # no op's step failed (an error before the first step)
            return
        stopped = {failed}
        for op in self.ops[self.ops.index(failed) + 1:]:  # every op, those run as no step too
            if any(t.op in stopped for t in op.inputs) or any(
                    c in stopped for c in op.control_inputs):
                stopped.add(op)
        index = next(i for i, step in enumerate(self.steps) if step[4] is failed)
        for kernel, inputs, out, frees, op in self.steps[index + 1:]:
            if op in stopped:
                continue
            try:
                result = kernel(*inputs(values))
            except Exception:  # noqa: BLE001 - the first failure is the one raised
                stopped.add(op)
                continue
            if out.__class__ is int:
                values[out] = result
            else:
                for slot, value in zip(out, result):
                    values[slot] = value
            for slot in frees:
                values[slot] = None

    def error_for(self, error, op, values, inputs=None):
        """`error` raised by op's step while running with slot `values` (its `inputs` when
        known), as a tw.errors class naming the op, its input shapes and the user's line."""
        if inputs is None:
            inputs = next((step[1](values) for step in self.steps if step[4] is op), [])
        return op_error(error, op, inputs)

    def _dead_fetch_error(self, values):
        by_slot = {slot: t for t, slot in self._slots.items() if isinstance(t, Tensor)}
        name = next(by_slot[slot].name for slot, _ in self.fetch_slots
                    if slot is not None and values[slot] is DEAD)
        return errors.InvalidArgumentError(
            None, None, f"Retval of {name!r} does not have value: it is computed in a branch "
            "of tf.cond that was not taken in this run.")


def _in_place(op, chosen, data, ins, dying, kernel, getter, state):
    """(kernel, getter, dying) for a step that writes into an input it is the last to read,
    where runtime/accel has such a form of the op's `chosen` kernel (the getter empties those
    inputs' slots, so they are not freed again); else as they were."""
    from tensorweave.runtime import accel
    positions = [i for i, t in enumerate(data) if t in dying and data.count(t) == 1]
    bound = (state, op.name, *_variable_keys(op)) if op.op_def.stateful else ()
    in_place = accel.in_place_kernel(op, chosen, positions, kernel_attrs(op), bound) \
        if positions else None
    if in_place is None:
        return kernel, getter, dying
    taken = {data[i] for i in positions}
    return in_place, accel.taking(ins, positions), dying - taken


def _getter(slots):
    """A function values -> the values at `slots`, as a sequence (itemgetter is fastest)."""
    if len(slots) == 1:
        return operator.itemgetter(slice(slots[0], slots[0] + 1))
    if not slots:
        return lambda values: ()
    return operator.itemgetter(*slots)


def op_error(error, op, inputs):
    """`error` raised by op's kernel as a tw.errors class naming the op and the user's line."""
    shapes = ", ".join(str(list(np.shape(v))) for v in inputs)
    detail = f"{checks.node_reference(op)}\n\t (op type {op.type}, input shapes: {shapes})"
    if isinstance(error, errors.OpError):
        return type(error)(op.node_def, op, f"{error.message}{detail}")
    if isinstance(error, MemoryError):
        cls = errors.ResourceExhaustedError
    elif isinstance(error, (ValueError, IndexError, TypeError, ZeroDivisionError)):
        cls = errors.InvalidArgumentError
    else:
        cls = errors.UnknownError
    return cls(op.node_def, op, f"{type(error).__name__}: {error}{detail}")
