"""What a While or WhileGrad op runs: a LoopProgram (the body's inputs, outputs and the values
it records), LoopBody, the LoopInput op and LoopTrace (the recorded iterations)."""
from tensorweave.core import dtypes
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops.control.contexts import loop_of


TRACE = (dtypes.float32, TensorShape([]))


class LoopProgram:
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


class LoopBody(LoopProgram):
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
        loop, in_cond = loop_of(t.op)
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


def differentiable(dtype):
    return dtype.is_floating or dtype.is_complex
