"""The gradient of a loop: LoopGradient (the body's gradient graph) and the WhileGrad op that
runs it over the recorded iterations in reverse; itself differentiable (second order)."""
import numpy as np

from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import register_attr_codec, register_op
from tensorweave.ops.control.contexts import DEAD, loop_input
from tensorweave.ops.control.switch import zeros_like_value, zeros_value
from tensorweave.ops.control.loop_program import LoopProgram, LoopTrace, TRACE, differentiable


def program_of(op):
    return op.attrs["body"] if op.type == "While" else op.attrs["grad"]


def loop_grad(op, *grads):
    """The gradient of a While or WhileGrad op: a WhileGrad op running the gradient of its
    program over the recorded iterations in reverse."""
    program = program_of(op)
    result = [None] * len(op.inputs)
    if not program.back_prop:
        return result
    nt, nc, na = program.n_traces, len(program.carried_out), len(program.acc_out)
    d_carried, d_acc, d_trace = grads[:nc], grads[nc:nc + na], grads[nc + na]
    if any(g is not None for g in grads[nc + na + 1:]):
        raise LookupError(f"No gradient of order three or more through a tf.while_loop: "
                          f"'{op.name}' (op type: {op.type})")
    if d_trace is None:
        gradient = program.gradient or build_gradient(program)
    else:
        gradient = build_gradient(program, saved_grads=True)
    if gradient is None:
        return result
    traces = [op.outputs[nc + na]] + ([d_trace] if gradient.n_traces == 2 else [])
    carried = [d_carried[k] if d_carried[k] is not None else zeros_like_value(op.outputs[k])
               for k in gradient.var_index]
    captured = list(op.inputs[nt + nc:nt + nc + len(program.captured_in)])
    sums = [d_acc[a] if d_acc[a] is not None else zeros_like_value(op.outputs[nc + a])
            for a in gradient.acc_index]
    grad_op = create_op("WhileGrad", traces + carried + captured + sums, name="WhileGrad",
                        grad=gradient)
    outputs = iter(grad_op.outputs)
    for k in gradient.var_index:
        result[nt + k] = next(outputs)
    for j in gradient.cap_index:
        result[nt + nc + j] = next(outputs)
    next(outputs)  # its own trace
    slots = {slot for slot, _, _ in gradient.step_out}
    for slot, t in enumerate(outputs):
        result[slot] = t if slot in slots else None
    return result


def _encode_gradient(gradient):
    return {"var_index": list(gradient.var_index), "cap_index": list(gradient.cap_index),
            "acc_index": list(gradient.acc_index), "carried_in": list(gradient.carried_in),
            "carried_out": list(gradient.carried_out),
            "captured_in": list(gradient.captured_in), "acc_out": list(gradient.acc_out),
            "step_in": [list(entry) for entry in gradient.step_in],
            "step_out": [list(entry) for entry in gradient.step_out],
            "dead_feeds": list(gradient.dead_feeds), "saved": list(gradient.saved)}


def _decode_gradient(data, inputs):
    """The LoopGradient of an imported WhileGrad; its first input is its source's trace."""
    source = program_of(inputs[0].op)
    gradient = LoopGradient(source, list(data["var_index"]), list(data["cap_index"]),
                            list(data["acc_index"]), list(data["carried_in"]),
                            list(data["carried_out"]), list(data["captured_in"]),
                            list(data["acc_out"]), [tuple(e) for e in data["step_in"]],
                            [tuple(e) for e in data["step_out"]], list(data["dead_feeds"]))
    for t in data["saved"]:
        gradient.save(t)
    if gradient.n_traces == 1:  # the first-order gradient, kept for later tf.gradients calls
        source.gradient = gradient
    return gradient


class LoopGradient(LoopProgram):
    """The gradient program of a loop `source` (a LoopBody or itself a LoopGradient), run by
    a WhileGrad op over the source's iterations in reverse.

    Carried: the gradients of the source's carried values `var_index`. Captured: the source's
    captured values, then the gradients of its sums `acc_index`. Summed: the gradients of its
    captured values `cap_index`. Fed each iteration: the source's recorded values (trace slot
    0) and, for a second-order gradient, the gradients of those values (slot 1). Returned each
    iteration (`step_out`): the gradients of the source's own per-iteration inputs.
    """

    def __init__(self, source, var_index, cap_index, acc_index, carried_in, carried_out,
                 captured_in, acc_out, step_in, step_out, dead_feeds):
        super().__init__()
        self.source = source
        self.var_index, self.cap_index, self.acc_index = var_index, cap_index, acc_index
        self.carried_in, self.carried_out = carried_in, carried_out
        self.captured_in, self.acc_out = captured_in, acc_out
        self.step_in, self.step_out = step_in, step_out
        self.n_traces = 1 + any(slot == 1 for slot, _, _ in step_in)
        self.dead_feeds = dead_feeds
        self.may_be_dead = bool(dead_feeds)
        self._step_tensors = None

    def is_step(self, t):
        """(whether `t` is computed anew each iteration, whether it may be DEAD)."""
        if self._step_tensors is None:
            self._step_tensors = self._find_step_tensors()
        if t not in self._step_tensors:
            return False, False
        return True, self.may_be_dead or t.op.type == "Switch"

    def _find_step_tensors(self):
        """The tensors of an iteration that depend on its carried or per-iteration inputs."""
        fed = set(self.inputs)
        outputs = self.carried_out + self.acc_out + [t for _, _, t in self.step_out]
        ops, pending = set(), [t.op for t in outputs if t not in fed]
        while pending:
            op = pending.pop()
            if op not in ops:
                ops.add(op)
                pending.extend(t.op for t in op.inputs if t not in fed)
        step = set(self.carried_in) | {t for _, _, t in self.step_in}
        for op in sorted(ops, key=lambda o: o.creation_index):  # a topological order
            if any(t in step for t in op.inputs):
                step.update(op.outputs)
        return step

    def __repr__(self):
        return f"<loop gradient of {self.source!r}>"


def build_gradient(program, saved_grads=False):
    """The gradient program of `program`, from the gradients of its carried values and sums
    (and with `saved_grads`, of its recorded values); None when nothing is differentiable.
    Without `saved_grads` it is kept as `program.gradient` for later tf.gradients calls."""
    from tensorweave.gradients import gradients  # a floor-2 sibling that imports ops
    var_index = [k for k, t in enumerate(program.carried_in) if differentiable(t.dtype)]
    if not var_index:
        return None
    cap_index = [j for j, t in enumerate(program.captured_in) if differentiable(t.dtype)]
    acc_index = [a for a, t in enumerate(program.acc_out) if differentiable(t.dtype)]
    rec = [k for k, t in enumerate(program.saved) if saved_grads and differentiable(t.dtype)]
    step_xs = [t for _, _, t in program.step_in]
    graph = program.carried_in[0].graph
    with graph.outside_control_flow(), graph.control_dependencies(None):
        d_carried = [loop_input(program.carried_out[k].dtype, program.carried_in[k].shape,
                                 "grad_ys") for k in var_index]
        d_acc = [loop_input(program.acc_out[a].dtype, program.acc_out[a].shape, "grad_sum")
                 for a in acc_index]
        d_saved = [loop_input(program.saved[k].dtype, program.saved[k].shape, "grad_saved")
                   for k in rec]
        var_xs = [program.carried_in[k] for k in var_index]
        xs = var_xs + [program.captured_in[j] for j in cap_index] + step_xs
        ys = ([program.carried_out[k] for k in var_index] +
              [program.acc_out[a] for a in acc_index] + [program.saved[k] for k in rec])
        # partial derivatives: an iteration's inputs are fed independently of each other
        grads = gradients(ys, xs, grad_ys=d_carried + d_acc + d_saved, stop_gradients=xs,
                          name="body")
        # the loop carries dense tensors: tf.gather's IndexedSlices gradients become dense
        grads = [g if g is None else convert_to_tensor(g) for g in grads]
        d_vars = [g if g is not None else zeros_like_value(x)
                  for g, x in zip(grads, var_xs)]
    n_var, n_cap = len(var_index), len(cap_index)
    caps = [(j, g) for j, g in zip(cap_index, grads[n_var:n_var + n_cap]) if g is not None]
    step_out = [(slot, key, g) for (slot, key, _), g in zip(program.step_in,
                                                           grads[n_var + n_cap:])
                if g is not None]
    outputs = d_vars + [g for _, g in caps] + [g for _, _, g in step_out]
    fed = set(d_carried) | set(program.captured_in) | set(d_acc) | set(d_saved)
    keys, dead = _saved_values(program, outputs, fed)
    step_in = [(0, key, program.saved[key]) for key in keys] + \
        [(1, key, d) for key, d in zip(rec, d_saved)]
    gradient = LoopGradient(program, var_index, [j for j, _ in caps], acc_index, d_carried,
                            d_vars, program.captured_in + d_acc, [g for _, g in caps],
                            step_in, step_out, [t for _, _, t in step_in] if dead else [])
    if not saved_grads:
        program.gradient = gradient
    return gradient


def _saved_values(program, outputs, fed):
    """Keys of the per-iteration tensors of `program` a gradient graph reads (recording them),
    and whether they may be DEAD (all of them when the program has a tf.cond)."""
    keys, visited, dead = [], set(), False
    pending = list(reversed(outputs))
    while pending:
        t = pending.pop()
        if t in fed or t in visited:
            continue
        visited.add(t)
        step, maybe_dead = program.is_step(t)
        if step:
            keys.append(program.save(t))
            dead = dead or maybe_dead
            continue
        refs = t.op.op_def.ref_count(t.op.inputs)
        pending.extend(reversed(t.op.inputs[refs:]))
    return keys, dead


def _while_grad_shape(*inputs, grad):
    source = grad.source
    return ([(source.carried_in[k].dtype, source.carried_in[k].shape) for k in grad.var_index]
            + [(source.captured_in[j].dtype, source.captured_in[j].shape)
               for j in grad.cap_index]
            + [TRACE] * (1 + source.n_traces))


def _bind_while_grad(op, make_plan, is_used):
    """The WhileGrad kernel: the gradient program's sub-Plan run backwards over the source's
    trace, recording its own trace and gradient traces only where the Plan reads them, and
    summing only the captured values' gradients the Plan reads (the others come out None)."""
    grad = op.attrs["grad"]
    nt, nv, na = grad.n_traces, len(grad.carried_in), len(grad.acc_out)
    record = grad.gradient is not None and is_used(op.outputs[nv + na])
    summed = [j for j in range(na) if is_used(op.outputs[nv + j])]
    wanted = [is_used(t) for t in op.outputs[nv + na + 1:]]
    step_out = [(slot, key) for slot, key, _ in grad.step_out if wanted[slot]]
    fetches = (grad.carried_out + [grad.acc_out[j] for j in summed] +
               (grad.saved if record else []) +
               [t for slot, _, t in grad.step_out if wanted[slot]])
    plan = make_plan(fetches, grad.inputs, grad.dead_feeds)
    keys = [key for slot, key, _ in grad.step_in if slot == 0]
    whole = keys == list(range(len(grad.source.saved)))
    grad_keys = [key for slot, key, _ in grad.step_in if slot == 1]
    cap_index, n_saved = grad.cap_index, len(grad.saved) if record else 0
    ns = len(summed)

    def run(*inputs):
        traces, d = inputs[:nt], list(inputs[nt:nt + nv])
        captured = list(inputs[nt + nv:])
        totals, own, outs = [None] * ns, [], [[] for _ in wanted]
        for k in reversed(range(len(traces[0].steps))):
            saved = traces[0].steps[k]
            values = saved if whole else [saved[key] for key in keys]
            if nt == 2:
                values = values + _gradients_of(traces[1].steps[k], grad_keys, saved)
            out = plan.run_raw(d + captured + values)
            d = out[:nv]
            for i in range(ns):
                totals[i] = _accumulate(totals[i], out[nv + i])
            if record:
                own.append(out[nv + ns:nv + ns + n_saved])
            if step_out:
                _collect(outs, step_out, out[nv + ns + n_saved:])
        sums = [None] * na
        for j, total in zip(summed, totals):
            sums[j] = zeros_value(captured[cap_index[j]]) if total is None else total
        return (*d, *sums, LoopTrace(own), *(LoopTrace(steps) for steps in outs))
    return run


def _gradients_of(step, keys, saved):
    """An iteration's gradients of the recorded values `saved` (keyed as they are), zeros for
    those without one."""
    return [step[key] if key in step else _zeros_or_dead(saved[key]) for key in keys]


def _zeros_or_dead(value):
    return DEAD if value is DEAD else zeros_value(value)


def _collect(outs, step_out, values):
    steps = {}
    for (slot, key), value in zip(step_out, values):
        steps.setdefault(slot, {})[key] = value
    for slot, step in steps.items():
        outs[slot].append(step)


def _accumulate(total, value):
    if total is None:
        return value.copy() if isinstance(value, np.ndarray) else value
    if isinstance(total, np.ndarray) and isinstance(value, np.ndarray) and \
            total.shape == value.shape and total.dtype == value.dtype:
        total += value
        return total
    return total + value


register_op("WhileGrad", shape=_while_grad_shape, kernel=None, bind=_bind_while_grad,
            grad=loop_grad, foldable=False, shares_memory=True)


register_attr_codec("WhileGrad", "grad", encode=_encode_gradient, decode=_decode_gradient)
