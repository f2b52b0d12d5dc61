"""One row of the op table (`Case`) and the input helpers rows are written with.

The op table's rows live in `op_cases.py` and in one module per op family,
`op_cases_<family>.py`, each defining any of:
  CASES: a list of `Case` rows for stateless op types;
  RANDOM_CASES: {op_type: (build, check)} for random ops (see test_op_table.test_random_op);
  SESSION_CASES: {op_type: check} for stateful op types exercised through a Session, where
      check() builds a graph, runs it and asserts (raising on a wrong value).
"""
import numpy as np

from tensorweave.core.graph import create_op
from tensorweave.core.registry import lookup

rng = np.random.RandomState(20240611)


class Case:
    """One row of the op table.

    inputs: NumPy arrays; the harness turns each into a tensor (a constant, or a placeholder
        of unknown shape) and calls build(*tensors).
    build: returns the Operation under test or a list of its outputs (default: create_op).
    ref: NumPy reference, ref(*inputs) -> array, or tuple of arrays for several outputs.
    wrt: indices of inputs to differentiate (default: every float input of a differentiable
        op). A gradient of None counts as zero.
    second: True to check the Hessian-vector product, or the reason it is excluded.
    feed: feed(outputs) -> extra feed_dict (e.g. a Placeholder's value).
    static_grad: {mode: reason} for input shape modes ("dims": known rank only, "rank":
        unknown rank) in which the gradient rule legitimately needs static shapes.
    partial_shape: the static shape is partial by design even for constant inputs (else it
        must equal the kernel's output shape exactly).
    unknown_rank: why the op cannot be built from inputs of unknown rank, if it cannot.
    ref_tol: (rtol, atol) against the reference, for references that are approximations.
    """

    def __init__(self, op_type, inputs, ref, *, tag=None, attrs=None, build=None, wrt=None,
                 second=True, feed=None, float32=True, static_grad=None, partial_shape=False,
                 unknown_rank=None, ref_tol=(1e-10, 1e-12), eps=1e-6, tol=1e-5):
        self.op_type = op_type
        self.inputs = [np.asarray(a) for a in inputs]
        self.ref = ref
        self.attrs = dict(attrs or {})
        self._build = build
        differentiable = lookup(op_type).differentiable
        if wrt is None:
            wrt = tuple(i for i, a in enumerate(self.inputs)
                        if a.dtype.kind == "f") if differentiable else ()
        self.wrt = tuple(wrt)
        self.second = second
        self.feed = feed
        self.float32 = float32 and any(a.dtype == np.float64 for a in self.inputs)
        self.static_grad = dict(static_grad or {})
        self.partial_shape = partial_shape
        if unknown_rank:
            self.static_grad["rank"] = unknown_rank
        self.unknown_rank = unknown_rank
        self.ref_tol = ref_tol
        self.eps = eps
        self.tol = tol
        self.id = op_type if tag is None else f"{op_type}-{tag}"

    def build(self, *tensors):
        if self._build is not None:
            return self._build(*tensors)
        return create_op(self.op_type, list(tensors), **self.attrs)

    def __repr__(self):
        return f"Case({self.id})"


# --- input helpers ---------------------------------------------------------------------------
def rand(*shape, lo=-2.0, hi=2.0):
    """Uniform float64 values in [lo, hi)."""
    return rng.uniform(lo, hi, size=shape)


def pos(*shape):
    """Positive float64 values in [0.5, 2)."""
    return rand(*shape, lo=0.5, hi=2.0)


def away(*shape, gap=0.3):
    """Float64 values of magnitude in [gap, 2) with random signs (away from 0)."""
    return rand(*shape, lo=gap, hi=2.0) * rng.choice([-1.0, 1.0], size=shape)


def off_grid(*shape):
    """Float64 values whose fractional part is in [0.15, 0.35] or [0.65, 0.85]."""
    frac = rand(*shape, lo=0.15, hi=0.35) + rng.choice([0.0, 0.5], size=shape)
    return rng.randint(-3, 3, size=shape) + frac


def ints(*values, dtype=np.int32):
    return np.array(values, dtype=dtype)


def bools(*shape):
    return rng.rand(*shape) > 0.5
