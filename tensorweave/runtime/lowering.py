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
            deps = list(op.control_inputs)
            deps += [t.op for t in data_inputs(op) if t not in fed]
            for dep in reversed(deps):
                if dep not in state:
                    stack.append((dep, False))
    return order


def forwarded_input(op, data, folded, fed):
    """Index of the input an op outputs unchanged given the inputs known while planning (its
    `forwards` rule), or None."""
    rule = op.op_def.forwards
    if rule is None or op.control_inputs or op.outputs[0] in fed or len(op.outputs) != 1:
        return None
    constants = {i: folded[t] for i, t in enumerate(data) if t in folded}
    if not constants or len(constants) == len(data):  # nothing known, or all: folded
        return None
    return rule(op, constants)


FOLDED_FROM_SHAPES_MAX_BYTES = 10 << 20  # TF's constant folding keeps to 10 MB as well


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
    try:
        with np.errstate(all="ignore"):
            result = bind(op)(*args)
    except Exception:  # noqa: BLE001 - left as a step, so the error surfaces when it runs
        return False
    results = result if len(op.outputs) > 1 else [result]
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
