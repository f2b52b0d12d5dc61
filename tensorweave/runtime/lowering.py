"""Lowering a pruned graph to Plan steps: the ops to run in order, and the ops that need no
step (folded to constants, forwarding an input, aliasing one) or a DEAD-passing wrapper.

Everything here reads the registry's facets (`ref_count`, `foldable`, `forwards`,
`shape_only_inputs`, `dead_aware`, `makes_dead`); no op type is known by name.

Control flow: an op that makes DEAD (Switch) writes DEAD to its untaken output. Only steps
downstream of one (found while planning) get a kernel wrapper that passes DEAD on instead of
running, so graphs without tf.cond pay nothing.
"""
import numpy as np

from tensorweave.ops.control.contexts import DEAD


def data_inputs(op):
    """The op's inputs that carry values (after its variable references)."""
    return op.inputs[op.op_def.ref_count(op.inputs):]


def schedule(fetch_tensors, targets, fed):
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
            # a fed placeholder satisfies the ops waiting on it: TF moves their control edges
            # to the feed
            deps = [c for c in op.control_inputs
                    if not (c.op_def.must_feed and all(t in fed for t in c.outputs))]
            deps += [t.op for t in data_inputs(op) if t not in fed]
            for dep in reversed(deps):
                if dep not in state:
                    stack.append((dep, False))
    return order


def forwarded_input(op, data, folded, fed, branch=None):
    """Index of the input an op outputs unchanged given the inputs known while planning (its
    `forwards` rule), or None. Inside tf.cond (`branch`, the Plan's BranchValues) the known
    inputs may also be a branch's constants, where their DEAD implies the forwarded input's:
    then the op's output is DEAD exactly when that input is."""
    rule = op.op_def.forwards
    if rule is None or op.control_inputs or op.outputs[0] in fed or len(op.outputs) != 1:
        return None
    constants = {i: folded[t] for i, t in enumerate(data) if t in folded}
    if branch is not None:
        constants.update((i, branch.known[t]) for i, t in enumerate(data) if t in branch.known)
    if not constants or len(constants) == len(data):  # nothing known, or all: folded
        return None
    index = rule(op, constants)
    if index is None or may_hold_state(data[index], fed):
        return None  # a variable's value may change later in the run: the op takes a copy
    if branch is None or all(branch.dead_implies(data[i], data[index]) for i in constants):
        return index
    return None


def may_hold_state(tensor, fed):
    """Whether the tensor's array may be stored state (a variable's value, which an update
    can change in place later in the run): it comes from a stateful op that shares memory,
    directly or through ops passing an input on (Identity, Switch, Merge, views)."""
    stack, seen = [tensor], set()
    while stack:
        t = stack.pop()
        if t in seen or t in fed or not t.op.op_def.shares_memory:
            continue
        if t.op.op_def.stateful:
            return True
        seen.add(t)
        stack.extend(t.op.inputs)
    return False


FOLDED_FROM_SHAPES_MAX_BYTES = 10 << 20  # TF's constant folding keeps to 10 MB as well


def evaluated(op, args, bind):
    """The op's outputs (a list) from its kernel `bind(op)` run on `args` while planning, or
    None when it raises: the op stays a step, so the error surfaces when it runs."""
    try:
        with np.errstate(all="ignore"):
            result = bind(op)(*args)
    except Exception:  # noqa: BLE001 - see above
        return None
    return result if len(op.outputs) > 1 else [result]


def fold(op, data, folded, fed, shapes_final, bind):
    """Evaluates a foldable op whose inputs are all known while planning, with the kernel
    `bind(op)` gives; True if it did (its outputs are then in `folded`). With `shapes_final`
    (not inside tf.cond), inputs read only for their shape count as known when their static
    shape is fully defined."""
    op_def = op.op_def
    if not op_def.foldable or op.control_inputs or any(t in fed for t in op.outputs):
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
    if not op_def.dead_aware and any(a is DEAD for a in args):
        for t in op.outputs:  # a constant branch of tf.cond that is not taken
            folded[t] = DEAD
        return True
    results = evaluated(op, args, bind)
    if results is None:
        return False
    if from_shapes and sum(np.asarray(r).nbytes for r in results) > FOLDED_FROM_SHAPES_MAX_BYTES:
        return False
    for t, value in zip(op.outputs, results):
        folded[t] = value
    return True


# --- control flow: DEAD values ---------------------------------------------------------------
def dead_region(order, dead_feeds):
    """(ops whose kernels need the DEAD wrapper, ops whose liveness other ops wait on).

    A tensor may be DEAD when it is a dead feed, an output of an op that `makes_dead`
    (Switch), an output of a wrapped op, or the output of another dead-aware op whose first
    input (a Merge's guard) may be DEAD.
    """
    if not dead_feeds and not any(op.op_def.makes_dead for op in order):
        return frozenset(), frozenset()
    maybe_dead = set(dead_feeds)
    wrapped, dead_ops = set(), set()
    for op in order:
        op_def = op.op_def
        if op_def.makes_dead:
            dead = True
        elif op_def.dead_aware:
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


BRANCH_VALUE_MAX_ELEMENTS = 16  # a branch's constants kept while planning: small ones only


class BranchValues:
    """What a Plan knows while planning about tensors inside tf.cond.

    `known`: values of the branches' constants (foldable ops whose data inputs are known, run
    as steps all the same because their liveness follows their control inputs).
    `events`: for each tensor that may be DEAD, the events any one of which makes it DEAD. A
    Switch's output k is DEAD when an input is or its predicate (the inputs after the first)
    selects the other output: one event per (predicate, k) however many Switches share it;
    a wrapped op's outputs when any input or awaited op is; other dead-aware outputs (Merge)
    and dead feeds are events of their own. A tensor's events among another's: DEAD implies
    DEAD.
    """

    def __init__(self, dead_feeds):
        self.known = {}
        self.events = {t: frozenset([t]) for t in dead_feeds}

    def dead_implies(self, a, b):
        """Whether `b` is DEAD in every run where `a` is (value keys: tensors, ops)."""
        return self.events.get(a, frozenset()) <= self.events.get(b, frozenset())

    def record(self, op, data, wrapped):
        """Notes the events of the outputs of `op`, lowered to a step reading `data` (its
        inputs' slot roots, then the liveness keys of the ops it awaits)."""
        op_def = op.op_def
        if op_def.makes_dead:
            inputs = frozenset().union(*(self.events.get(t, frozenset()) for t in data))
            selector = tuple(data[1:])
            for k, t in enumerate(op.outputs):
                self.events[t] = inputs | {(op_def, selector, k)}
        elif op_def.dead_aware:
            for t in op.outputs:
                self.events[t] = frozenset([t])
        elif wrapped:
            events = frozenset().union(*(self.events.get(t, frozenset()) for t in data))
            for key in op.outputs or [op]:
                self.events[key] = events

    def record_folded(self, op, folded):
        """Notes an event of its own for each output of `op` folded to DEAD (a branch never
        taken): its DEAD implies no other tensor's."""
        for t in op.outputs:
            if folded.get(t) is DEAD:
                self.events[t] = frozenset([t])

    def learn(self, op, data, folded, fed, bind):
        """Evaluates a wrapped foldable op whose data inputs are all known, when its outputs
        are small, into `known`."""
        op_def = op.op_def
        if not op_def.foldable or op_def.dead_aware or any(t in fed for t in op.outputs):
            return
        if not all(t.shape.is_fully_defined() and
                   t.shape.num_elements() <= BRANCH_VALUE_MAX_ELEMENTS for t in op.outputs):
            return
        args = []
        for t in data:
            value = folded[t] if t in folded else self.known.get(t, DEAD)
            if value is DEAD:
                return
            args.append(value)
        self.known.update(zip(op.outputs, evaluated(op, args, bind) or ()))


def liveness_key(op, root):
    """The slot key holding whether control input `op` ran: its first output, or the op."""
    if op.outputs:
        return root.get(op.outputs[0], op.outputs[0])
    return op


LIVE = True  # what a step with no outputs of its own records once it ran


def passing_dead(kernel, n_data, n_outputs, n_args, records_liveness):
    """`kernel` that outputs DEAD without running when an input (or awaited op) is DEAD; a
    step that `records_liveness` has no outputs of its own and records that it ran."""
    dead = DEAD if n_outputs == 1 else (DEAD,) * n_outputs

    def run(*args):
        for a in args:
            if a is DEAD:
                return dead
        result = kernel(*args[:n_data]) if n_args != n_data else kernel(*args)
        return LIVE if records_liveness else result
    return run
