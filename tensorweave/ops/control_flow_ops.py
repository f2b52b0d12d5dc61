"""Control flow: tf.cond and tf.case (Switch and Merge) and tf.while_loop (a While op that runs
sub-Plans of its body), with gradients.

tf.cond builds both branches into the graph, each under a `CondContext`. Every outer tensor a
branch uses enters it through `Switch(value, pred)`, whose untaken output is DEAD when the
graph runs; ops without inputs in a branch wait on the branch's pivot. So nothing of the
untaken branch runs, and `Merge` passes on the one live input. Gradients follow TensorFlow:
the gradient of a Merge is a Switch of the gradient, that of a Switch is a Merge.

tf.while_loop builds cond and body once, under a `WhileContext`, reading `LoopInput` tensors
that stand for the loop variables and for the outer tensors the body uses (captured). A
`While` op takes the initial values and the captured tensors; its kernel runs a sub-Plan of
the cond and one of the body per iteration. Its gradient is a `WhileGrad` op that runs the
body's gradient graph once per iteration in reverse, fed with the values the forward loop
recorded each iteration (its trace). A WhileGrad is a loop of the same kind (a
`_LoopProgram`), so it has a gradient too: a WhileGrad running forwards over the first one's
trace, whose gradients of the recorded forward values flow back into the While's gradient as
a gradient trace. That gives second-order gradients (tf.hessians) through loops.

    r = tf.cond(x < y, lambda: x * 2, lambda: y)
    i, total = tf.while_loop(lambda i, s: i < 10, lambda i, s: (i + 1, s + x), [0, 0.0])
"""
import numpy as np

from tensorweave.framework import dtypes
from tensorweave.framework.graph import (Operation, Tensor, convert_to_tensor, create_op,
                                         get_default_graph, name_scope)
from tensorweave.framework.registry import (NOT_DIFFERENTIABLE, register_attr_codec,
                                            register_op)
from tensorweave.framework.tensor_shape import TensorShape, as_shape, unknown_shape
from tensorweave.ops import array_ops, math_ops, nest
from tensorweave.ops.tensor_array_ops import TensorArray, TensorList


class _Dead:
    """The value of a tensor of a tf.cond branch that was not taken."""

    __slots__ = ()

    def __repr__(self):
        return "DEAD"


DEAD = _Dead()


# --- contexts: where ops are being built ------------------------------------------------------
class _Context:
    """The ops built for one cond branch or loop body. The graph calls `enter_inputs` before
    and `add_op` after creating an op while this context is innermost."""

    def __init__(self, graph, name):
        self.graph = graph
        self.name = name
        self.outer = graph.control_flow_context
        self.loop = self.outer.loop if self.outer is not None else None  # innermost loop
        self._contexts = graph.extension(_Context, dict)  # op -> the context it was made in
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


class CondContext(_Context):
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


class WhileContext(_Context):
    """A tf.while_loop's cond and body: outer tensors are captured as LoopInputs."""

    def __init__(self, graph, name):
        super().__init__(graph, name)
        self.loop = self
        self.captured = []  # the outer tensors the loop uses
        self.capture_inputs = []  # the LoopInputs standing for them

    def _make_entry(self, t):
        with self.graph.control_dependencies(None):
            inner = _loop_input(t.dtype, t.shape, "Enter")
        self.captured.append(t)
        self.capture_inputs.append(inner)
        return inner


def _loop_of(op):
    """(the innermost WhileContext around `op` or None, whether a cond branch lies between)."""
    context = op.graph.extension(_Context, dict).get(op)
    in_cond = False
    while context is not None and not isinstance(context, WhileContext):
        in_cond = True
        context = context.outer
    return context, in_cond


# --- Switch, Merge and zeros of any value ---------------------------------------------------
def _switch_shape(data, pred):
    if pred.dtype is not dtypes.bool or pred.shape.ndims not in (None, 0):
        raise ValueError(f"Switch requires a scalar bool predicate, got {pred.dtype.name} of "
                         f"shape {pred.shape}")
    return [(data.dtype, data.shape)] * 2


def _switch_kernel(data, pred):
    if data is DEAD or pred is DEAD:
        return DEAD, DEAD
    return (DEAD, data) if pred else (data, DEAD)


def _switch_grad(op, d_false, d_true):
    """A Merge of the branch gradients; a branch without one gets zeros live only there."""
    if d_false is None:
        d_false = zeros_like_value(op.outputs[0])
    if d_true is None:
        d_true = zeros_like_value(op.outputs[1])
    return [_merge(op.inputs[1], [d_false, d_true], "cond_grad"), None]


register_op("Switch", shape=_switch_shape, kernel=_switch_kernel, grad=_switch_grad,
            shares_memory=True, dead_aware=True, makes_dead=True)


def _merged_shape(a, b):
    if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
        return unknown_shape()
    return TensorShape([x if x == y else None for x, y in zip(a.as_tuple(), b.as_tuple())])


def _merge_shape(guard, *values):
    shape = values[0].shape
    for v in values[1:]:
        if v.dtype is not values[0].dtype:
            raise TypeError(f"Merge requires inputs of one dtype, got {values[0].dtype.name} "
                            f"and {v.dtype.name}")
        shape = _merged_shape(shape, v.shape)
    return [(values[0].dtype, shape), (dtypes.int32, TensorShape([]))]


def _merge_kernel(guard, *values):
    for k, value in enumerate(values):
        if value is not DEAD:
            return value, np.array(k, dtype=np.int32)
    return DEAD, DEAD


def _merge_grad(op, dy, d_index):
    guard, values = op.inputs[0], op.inputs[1:]
    if len(values) == 2 and guard.dtype is dtypes.bool:  # a tf.cond: the guard is its pred
        switch = create_op("Switch", [dy, guard], name="cond_grad")
        return [None] + list(switch.outputs)
    index = op.outputs[1]
    return [None] + [create_op("Switch", [dy, math_ops.equal(index, k)]).outputs[1]
                     for k in range(len(values))]


register_op("Merge", shape=_merge_shape, kernel=_merge_kernel, grad=_merge_grad,
            shares_memory=True, dead_aware=True)


def _merge(guard, values, name="Merge"):
    """The live one of `values`; DEAD only when `guard` is (Merge's first input)."""
    return create_op("Merge", [guard] + list(values), name=name).outputs[0]


def _zeros_value(value):
    return value.zeros_like() if isinstance(value, TensorList) else np.zeros_like(value)


register_op("ZerosLikeValue", shape=lambda x: [(x.dtype, x.shape)],
            kernel=_zeros_value, grad=lambda op, dy: [None])


def zeros_like_value(t, name="zeros_like"):
    """Zeros like `t` at run time; for a TensorArray flow, a gradient with no elements."""
    return create_op("ZerosLikeValue", [t], name=name).outputs[0]


# --- tf.cond and tf.case ----------------------------------------------------------------------
def _flow_or_tensor(value):
    return value.flow if isinstance(value, TensorArray) else convert_to_tensor(value)


def _pack(structure, flat):
    """`flat` tensors in the nesting of `structure`; TensorArray leaves get the new flows."""
    leaves = nest.flatten(structure)
    values = [leaf._with_flow(t) if isinstance(leaf, TensorArray) else t
              for leaf, t in zip(leaves, flat)]
    return nest.pack_sequence_as(structure, values)


def _unpack_singleton(value):
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return value[0]
    return value


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """`true_fn()` if `pred` else `false_fn()`; only the taken branch runs.

    Both functions return the same nesting of tensors (or TensorArrays, or ops). Singleton
    lists are unpacked unless `strict`.

    >>> tf.cond(x < y, lambda: tf.add(x, z), lambda: tf.square(y))
    """
    true_fn = fn1 if true_fn is None else true_fn
    false_fn = fn2 if false_fn is None else false_fn
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    if isinstance(pred, (bool, np.bool_)):
        raise TypeError("pred must not be a Python bool")
    with name_scope(name, "cond", [pred]) as scope:
        pred = convert_to_tensor(pred)
        if pred.dtype is not dtypes.bool or pred.shape.ndims not in (None, 0):
            raise ValueError(f"tf.cond requires a scalar bool pred, got {pred.dtype.name} of "
                             f"shape {pred.shape}")
        graph = pred.graph
        switch = create_op("Switch", [pred, pred], name="Switch")
        guard = switch.inputs[1]  # pred as seen here: entered when this cond is nested
        pivots = (array_ops.identity(switch.outputs[0], name="switch_f"),
                  array_ops.identity(switch.outputs[1], name="switch_t"))
        built = {}
        for branch, fn in ((1, true_fn), (0, false_fn)):
            with CondContext(graph, scope, guard, pivots[branch], branch) as context:
                structure = fn()
                if structure is None:
                    raise ValueError("true_fn and false_fn must have a return value.")
                flat = [context.inside(_as_output(v, context)) for v in nest.flatten(structure)]
            built[branch] = structure, flat
        (t_structure, t_flat), (f_structure, f_flat) = built[1], built[0]
        try:
            nest.assert_same_structure(t_structure, f_structure)
        except (TypeError, ValueError) as e:
            raise ValueError(f"true_fn and false_fn must return the same nested structure: "
                             f"{e}") from None
        merged = []
        for t, f in zip(t_flat, f_flat):
            if t.dtype is not f.dtype:
                raise ValueError(f"Outputs of true_fn and false_fn must have the same type: "
                                 f"{t.dtype.name}, {f.dtype.name}")
            merged.append(_merge(guard, [f, t]))
        result = _pack(t_structure, merged)
        return result if strict else _unpack_singleton(result)


def _as_output(value, context):
    """A branch's result as a value: an op becomes the pivot, after the op has run."""
    if isinstance(value, Operation):
        with context.graph.control_dependencies([value]):
            return array_ops.identity(context.pivot)
    return value


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The result of the first fn whose pred holds, else of `default` (TF's tf.case).

    Without `default`, the last pair's fn runs when no earlier pred holds. Built as nested
    tf.cond, so only one fn runs. (`exclusive` is accepted; it is not checked.)
    """
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) \
        else list(pred_fn_pairs)
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in pred_fn_pairs must be a 2-tuple, got {pair!r}")
        pred, fn = pair
        if not isinstance(pred, Tensor) or pred.dtype is not dtypes.bool:
            raise TypeError(f"pred must be a Tensor of type bool: {pred!r}")
        if not callable(fn):
            raise TypeError(f"fn for pred {pred.name} must be callable.")
    if default is None:
        if not pairs:
            raise ValueError("tf.case needs at least one (pred, fn) pair or a default")
        pairs, default = pairs[:-1], pairs[-1][1]
    elif not callable(default):
        raise TypeError("default must be callable.")
    with name_scope(name, "case", [p for p, _ in pairs]):
        if not pairs:
            result = default()
            return result if strict else _unpack_singleton(result)
        chained = default
        for pred, fn in reversed(pairs[1:]):
            chained = _chain(pred, fn, chained)
        return cond(pairs[0][0], pairs[0][1], chained, strict=strict)


def _chain(pred, fn, otherwise):
    return lambda: cond(pred, fn, otherwise, strict=True)


# --- tf.while_loop ----------------------------------------------------------------------------
_TRACE = (dtypes.float32, TensorShape([]))


def _loop_input_shape(*, dtype, shape):
    return [(dtype, shape)]


def _loop_input_kernel(*, dtype, shape):
    raise ValueError("This tensor stands for a value inside a tf.while_loop body; it has a "
                     "value only while the loop runs. Fetch the loop's outputs instead.")


register_op("LoopInput", shape=_loop_input_shape, kernel=_loop_input_kernel,
            grad=NOT_DIFFERENTIABLE)


def _loop_input(dtype, shape, name):
    return create_op("LoopInput", [], name=name, dtype=dtype, shape=as_shape(shape)).outputs[0]


class _LoopProgram:
    """What a loop op runs each iteration, in the terms its gradient needs.

    `carried_in`/`carried_out` stand for the values one iteration passes to the next,
    `captured_in` for values fixed for the whole loop, `acc_out` for values summed over the
    iterations. `step_in` are (slot, key, tensor) fed each iteration from the op's input trace
    `slot`; `step_out` (slot, key, tensor) are per-iteration values returned as the gradient of
    input trace `slot`. `saved` are tensors of an iteration the op records in its own trace
    for its gradient (append-only: a key is an index into it).

    A loop op's inputs are its `n_traces` traces, the carried initial values, the captured
    values (and a While's iteration limit); its outputs the carried final values, the sums,
    its own trace and one gradient trace per input trace.
    """

    n_traces = 0
    back_prop = True

    def __init__(self):
        self.saved = []
        self._saved_keys = {}
        self.gradient = None  # the LoopGradient from the outputs alone, once built
        self.may_be_dead = False  # whether values of an iteration may be DEAD (a tf.cond)

    @property
    def inputs(self):
        """The tensors an iteration's sub-Plan is fed, in the order the kernel feeds them."""
        return self.carried_in + self.captured_in + [t for _, _, t in self.step_in]

    def save(self, t):
        """The key of `t` in the recorded values, recording it from now on if new."""
        key = self._saved_keys.get(t)
        if key is None:
            key = self._saved_keys[t] = len(self.saved)
            self.saved.append(t)
        return key


class LoopBody(_LoopProgram):
    """What a While op runs: the cond and body tensors, read from LoopInputs
    (`var_inputs` for the loop variables, then `capture_inputs` for captured tensors)."""

    acc_out = step_in = step_out = property(lambda self: [])

    def __init__(self, context, var_inputs, pred, outputs, back_prop, has_limit):
        super().__init__()
        self.context = context
        self.var_inputs = var_inputs
        self.capture_inputs = context.capture_inputs
        self.pred = pred
        self.outputs = outputs
        self.back_prop = back_prop
        self.has_limit = has_limit

    carried_in = property(lambda self: self.var_inputs)
    carried_out = property(lambda self: self.outputs)
    captured_in = property(lambda self: self.capture_inputs)

    def is_step(self, t):
        """(whether `t` is computed anew each iteration, whether it may be DEAD)."""
        loop, in_cond = _loop_of(t.op)
        if loop is not self.context or (t.op.type == "Const" and not t.op.control_inputs):
            return False, False
        return True, in_cond or t.op.type == "Switch"

    def __repr__(self):
        return f"<loop body '{self.context.name}'>"


class LoopTrace:
    """Values a loop op recorded for its gradient, one entry per iteration: a list indexed by
    the keys of the program's `saved`, or for a gradient trace a dict of key -> gradient."""

    __slots__ = ("steps",)

    def __init__(self, steps):
        self.steps = steps

    def __add__(self, other):
        """Two gradient traces summed key by key (tf.gradients aggregates with AddN)."""
        if not isinstance(other, LoopTrace):
            return NotImplemented
        if not other.steps or not self.steps:
            return self if other.steps == [] else other
        steps = []
        for mine, theirs in zip(self.steps, other.steps):
            merged = dict(mine)
            for key, value in theirs.items():
                merged[key] = merged[key] + value if key in merged else value
            steps.append(merged)
        return LoopTrace(steps)

    def __repr__(self):
        return f"<LoopTrace of {len(self.steps)} iterations>"


def _program(op):
    return op.attrs["body"] if op.type == "While" else op.attrs["grad"]


def _while_shape(*inputs, body):
    return [(t.dtype, t.shape) for t in body.var_inputs] + [_TRACE]


def _bind_while(op, make_plan, is_used):
    """The While kernel with sub-Plans of its cond and body, built once per Plan; it records
    values for the gradient only when the Plan runs the gradient."""
    body = op.attrs["body"]
    n, m, has_limit = len(body.var_inputs), len(body.capture_inputs), body.has_limit
    record = body.gradient is not None and is_used(op.outputs[n])
    cond_plan = make_plan([body.pred], body.inputs)
    body_plan = make_plan(body.outputs + (body.saved if record else []), body.inputs)

    def run(*inputs):
        values, captured = list(inputs[:n]), list(inputs[n:n + m])
        limit = int(inputs[n + m]) if has_limit else None
        steps = []
        while limit is None or len(steps) < limit:
            if not cond_plan.run_raw(values + captured)[0]:
                break
            out = body_plan.run_raw(values + captured)
            values = out[:n]
            steps.append(out[n:] if record else None)
        return (*values, LoopTrace(steps if record else []))
    return run


def _loop_grad(op, *grads):
    """The gradient of a While or WhileGrad op: a WhileGrad op running the gradient of its
    program over the recorded iterations in reverse."""
    program = _program(op)
    result = [None] * len(op.inputs)
    if not program.back_prop:
        return result
    nt, nc, na = program.n_traces, len(program.carried_out), len(program.acc_out)
    d_carried, d_acc, d_trace = grads[:nc], grads[nc:nc + na], grads[nc + na]
    if any(g is not None for g in grads[nc + na + 1:]):
        raise LookupError(f"No gradient of order three or more through a tf.while_loop: "
                          f"'{op.name}' (op type: {op.type})")
    if d_trace is None:
        gradient = program.gradient or _build_gradient(program)
    else:
        gradient = _build_gradient(program, saved_grads=True)
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


register_op("While", shape=_while_shape, kernel=None, bind=_bind_while, grad=_loop_grad,
            foldable=False, shares_memory=True)


# --- While and WhileGrad in a GraphDef: the body as the names of its tensors -----------------
def _encode_body(body):
    context = body.context
    return {"name": context.name, "var_inputs": list(body.var_inputs), "pred": body.pred,
            "outputs": list(body.outputs), "captured": list(context.captured),
            "capture_inputs": list(context.capture_inputs), "saved": list(body.saved),
            "back_prop": body.back_prop, "has_limit": body.has_limit}


def _decode_body(data, inputs):
    """The LoopBody of an imported While; the ops between its LoopInputs and its pred and
    outputs join a new WhileContext, so tf.gradients can go through the loop again."""
    graph = data["pred"].graph
    context = WhileContext(graph, data["name"])
    context.captured = list(data["captured"])
    context.capture_inputs = list(data["capture_inputs"])
    body = LoopBody(context, list(data["var_inputs"]), data["pred"], list(data["outputs"]),
                    data["back_prop"], data["has_limit"])
    for t in data["saved"]:
        body.save(t)
    stop = set(body.inputs)
    pending = [t.op for t in [body.pred] + body.outputs if t not in stop]
    while pending:
        op = pending.pop()
        if op in context._contexts:
            continue
        context._contexts[op] = context
        pending.extend(t.op for t in op.inputs if t not in stop)
        pending.extend(op.control_inputs)
    return body


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
    source = _program(inputs[0].op)
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


register_attr_codec("While", "body", encode=_encode_body, decode=_decode_body)


def _differentiable(dtype):
    return dtype.is_floating or dtype.is_complex


class LoopGradient(_LoopProgram):
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


def _build_gradient(program, saved_grads=False):
    """The gradient program of `program`, from the gradients of its carried values and sums
    (and with `saved_grads`, of its recorded values); None when nothing is differentiable.
    Without `saved_grads` it is kept as `program.gradient` for later tf.gradients calls."""
    from tensorweave.gradients import gradients  # a floor-2 sibling that imports ops
    var_index = [k for k, t in enumerate(program.carried_in) if _differentiable(t.dtype)]
    if not var_index:
        return None
    cap_index = [j for j, t in enumerate(program.captured_in) if _differentiable(t.dtype)]
    acc_index = [a for a, t in enumerate(program.acc_out) if _differentiable(t.dtype)]
    rec = [k for k, t in enumerate(program.saved) if saved_grads and _differentiable(t.dtype)]
    step_xs = [t for _, _, t in program.step_in]
    graph = program.carried_in[0].graph
    with graph.outside_control_flow(), graph.control_dependencies(None):
        d_carried = [_loop_input(program.carried_out[k].dtype, program.carried_in[k].shape,
                                 "grad_ys") for k in var_index]
        d_acc = [_loop_input(program.acc_out[a].dtype, program.acc_out[a].shape, "grad_sum")
                 for a in acc_index]
        d_saved = [_loop_input(program.saved[k].dtype, program.saved[k].shape, "grad_saved")
                   for k in rec]
        var_xs = [program.carried_in[k] for k in var_index]
        xs = var_xs + [program.captured_in[j] for j in cap_index] + step_xs
        ys = ([program.carried_out[k] for k in var_index] +
              [program.acc_out[a] for a in acc_index] + [program.saved[k] for k in rec])
        # partial derivatives: an iteration's inputs are fed independently of each other
        grads = gradients(ys, xs, grad_ys=d_carried + d_acc + d_saved, stop_gradients=xs,
                          name="body")
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
            + [_TRACE] * (1 + source.n_traces))


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
            sums[j] = _zeros_value(captured[cap_index[j]]) if total is None else total
        return (*d, *sums, LoopTrace(own), *(LoopTrace(steps) for steps in outs))
    return run


def _gradients_of(step, keys, saved):
    """An iteration's gradients of the recorded values `saved` (keyed as they are), zeros for
    those without one."""
    return [step[key] if key in step else _zeros_or_dead(saved[key]) for key in keys]


def _zeros_or_dead(value):
    return DEAD if value is DEAD else _zeros_value(value)


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
            grad=_loop_grad, foldable=False, shares_memory=True)


register_attr_codec("WhileGrad", "grad", encode=_encode_gradient, decode=_decode_gradient)


def _shape_at_most(shape, invariant):
    """True if `shape` is as specific as `invariant` or more (TF's shape invariant rule)."""
    if invariant.ndims is None:
        return True
    if shape.ndims != invariant.ndims:
        return False
    return all(b is None or a == b for a, b in zip(shape.as_tuple(), invariant.as_tuple()))


def _invariants(shape_invariants, structure, inits):
    if shape_invariants is None:
        return [t.shape for t in inits]
    leaves = nest.flatten(shape_invariants)
    if len(leaves) != len(inits):
        raise ValueError(f"shape_invariants has {len(leaves)} entries for {len(inits)} loop "
                         "variables")
    shapes = []
    for leaf, init, var in zip(leaves, inits, nest.flatten(structure)):
        if isinstance(var, TensorArray) or leaf is None:
            shapes.append(init.shape)
            continue
        shape = as_shape(leaf)
        if not _shape_at_most(init.shape, shape):
            raise ValueError(f"The shape invariant specified for {init.name} is not compatible "
                             f"with the initial shape of the loop variable. It enters the loop "
                             f"with shape {init.shape}, but the specified shape invariant is "
                             f"{shape}.")
        shapes.append(shape)
    return shapes


def _iteration_limit(maximum_iterations):
    limit = maximum_iterations
    if isinstance(limit, Tensor):
        if limit.dtype is not dtypes.int32:
            limit = array_ops.cast(limit, dtypes.int32)
    else:
        limit = convert_to_tensor(limit, dtype=dtypes.int32, name="maximum_iterations")
    if limit.shape.ndims not in (None, 0):
        raise ValueError(f"maximum_iterations must be a scalar, saw shape: {limit.shape}")
    return limit


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, name=None, maximum_iterations=None,
               return_same_structure=False):
    """Repeats `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` (TF's tf.while_loop).

    `loop_vars` is a (nested) list, tuple, namedtuple or dict of tensors and TensorArrays.
    The result has the structure of what `body` returns; a single loop variable comes back
    bare unless `return_same_structure`. Gradients flow through the loop unless
    `back_prop=False`.

    >>> i, s = tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s * 2.0), [0, 1.0])
    """
    if not callable(cond):
        raise TypeError("cond must be callable.")
    if not callable(body):
        raise TypeError("body must be callable.")
    if parallel_iterations < 1:
        raise TypeError("parallel_iterations must be a positive integer.")
    structure = loop_vars if nest.is_sequence(loop_vars) else [loop_vars]
    leaves = nest.flatten(structure)
    if not leaves:
        raise ValueError("No loop variables provided")
    tensors = [v if isinstance(v, Tensor) else v.flow for v in leaves
               if isinstance(v, (Tensor, TensorArray))]
    with name_scope(name, "while", tensors) as scope:
        graph = get_default_graph()
        inits = [_flow_or_tensor(v) for v in leaves]
        invariants = _invariants(shape_invariants, structure, inits)
        limit = None if maximum_iterations is None else _iteration_limit(maximum_iterations)
        with WhileContext(graph, scope[:-1]) as context, graph.control_dependencies(None):
            var_inputs = [_loop_input(t.dtype, shape, "Identity")
                          for t, shape in zip(inits, invariants)]
            packed = _pack(structure, var_inputs)
            pred = context.inside(cond(*packed))
            if pred.dtype is not dtypes.bool or pred.shape.ndims not in (None, 0):
                raise ValueError(f"The loop condition must be a scalar bool tensor, got "
                                 f"{pred.dtype.name} of shape {pred.shape}")
            result = body(*packed)
            if not nest.is_sequence(result):
                result = [result]
            try:
                nest.assert_same_structure(list(structure), list(result))
            except (TypeError, ValueError) as e:
                raise ValueError(f"body must return the structure of loop_vars: {e}") from None
            outputs = [context.inside(v) for v in nest.flatten(result)]
        _check_loop_outputs(inits, invariants, outputs)
        loop = LoopBody(context, var_inputs, pred, outputs, back_prop, limit is not None)
        op = create_op("While", inits + context.captured + ([] if limit is None else [limit]),
                       name=scope[:-1] + "/", body=loop)
        packed = _pack(result, op.outputs[:len(inits)])
        if return_same_structure or len(inits) != 1 or not isinstance(packed, (list, tuple)):
            return packed
        return packed[0]


def _check_loop_outputs(inits, invariants, outputs):
    for init, shape, out in zip(inits, invariants, outputs):
        if out.dtype is not init.dtype:
            raise TypeError(f"Loop variable {init.name} enters the loop with dtype "
                            f"{init.dtype.name}, but has dtype {out.dtype.name} after one "
                            "iteration.")
        if not _shape_at_most(out.shape, shape):
            raise ValueError(f"Input tensor '{init.name}' enters the loop with shape {shape}, "
                             f"but has shape {out.shape} after one iteration. To allow the "
                             f"shape to vary across iterations, use the `shape_invariants` "
                             f"argument of tf.while_loop to specify a less-specific shape.")
