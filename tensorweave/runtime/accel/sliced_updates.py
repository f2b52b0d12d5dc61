"""Optimizer updates of large variables over cache-sized slices, shared with helper threads.

The rule: an update of a variable with more than SLICED_ABOVE elements runs slice by slice,
SLICE elements at a time, so that its temporaries stay in the CPU cache instead of streaming
whole-variable arrays through memory once per NumPy pass; smaller variables would only pay
for the per-slice calls. Each slice costs a dozen NumPy calls, so slices are as large as the
caches allow: on a core with 1 MB of L2 and 32 MB of L3, Adam on deep MNIST's 3136x1024
weight took 4.6 ms in 32K-element slices and 3.5 ms in 128K ones (the whole step: 35.8 ->
33.8 ms). Above SHARED_ABOVE elements the slices are shared out between the running thread
and HELPERS helper threads (NumPy releases the GIL inside each pass). The updates are
elementwise, so slicing does not change a single bit of the result.
`benchmarks/conv.py` times ApplyAdam on a large variable.

SLICE, SLICED_ABOVE, SHARED_ABOVE and HELPERS are the knobs (read when a Plan binds an update
and while it runs).
"""
import functools
import os

import numpy as np

import tensorweave.ops  # noqa: F401 - registers every op type, the in-place updates among them
from tensorweave.core import registry
from tensorweave.runtime.accel import variants
from tensorweave.runtime.state import schedulable_cpus

SLICE = 1 << 17
SLICED_ABOVE = 1 << 19
SHARED_ABOVE = 1 << 20
HELPERS = min(schedulable_cpus(), 4) - 1  # one per further core this process may run on


_pool = None  # (executor, its number of threads), made on first use


def helper_pool():
    """(thread pool, its number of threads) for HELPERS threads, or None for none."""
    global _pool
    if HELPERS < 1:
        return None
    if _pool is None or _pool[1] != HELPERS:
        if _pool is not None:  # HELPERS changed
            _pool[0].shutdown(wait=False)
        from concurrent.futures import ThreadPoolExecutor  # first use, not at import
        _pool = (ThreadPoolExecutor(HELPERS, "tensorweave-update"), HELPERS)
    return _pool


def _forget_pool():
    """In a forked child the pool's threads do not exist: the child makes its own."""
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


class SlicedState:
    """The session state as an update kernel sees it while it runs on one slice: each variable
    it reads is that slice of the variable's buffer."""

    def __init__(self, slices):
        self._slices = slices

    def read_variable(self, key):
        return self._slices[key]


def in_slices(kernel, refs, grad_index):
    """`kernel` (an update op's reference kernel) applied slice by slice to large variables."""
    @functools.wraps(kernel)  # keeps the kernel's signature: the attrs it takes
    def run(state, name, *inputs, **attrs):
        if state.read_variable(inputs[0]).size <= SLICED_ABOVE:
            return kernel(state, name, *inputs, **attrs)
        buffers = [state.read_variable(key) for key in inputs[:refs]]
        grad_at = grad_index % len(inputs)
        grad = inputs[grad_at]
        if not all(b.flags.c_contiguous for b in buffers) or np.shape(grad) != buffers[0].shape:
            return kernel(state, name, *inputs, **attrs)
        flat = [b.reshape(-1) for b in buffers]
        flat_grad = np.ravel(grad)
        size = SLICE

        def apply(starts):
            args = list(inputs)
            for start in starts:
                stop = start + size
                args[grad_at] = flat_grad[start:stop]
                sliced = SlicedState({key: f[start:stop] for key, f in zip(inputs[:refs], flat)})
                kernel(sliced, name, *args, **attrs)

        starts = range(0, flat_grad.size, size)
        helpers = helper_pool() if flat_grad.size > SHARED_ABOVE else None
        if helpers is None:
            apply(starts)
            return buffers[0]
        pool, count = helpers
        bounds = [len(starts) * i // (count + 1) for i in range(count + 2)]
        shares = [starts[lo:hi] for lo, hi in zip(bounds, bounds[1:])]
        pending = [pool.submit(apply, share) for share in shares[1:]]
        apply(shares[0])
        for done in pending:
            done.result()
        return buffers[0]
    return run


def may_be_large(op, elements):
    """Whether op's variable may have more than `elements` elements (unknown shape: yes)."""
    shape = op.inputs[0].shape
    if not shape.is_fully_defined():
        return True
    return int(np.prod(shape.as_tuple(), dtype=np.int64)) > elements


def sliced_kernel(op):
    """The sliced update for `op`, or None where its variable is known to be small."""
    if not may_be_large(op, SLICED_ABOVE):
        return None
    op_def = op.op_def
    return in_slices(op_def.kernel, op_def.ref_count(op.inputs), op_def.gradient_input)


for _op_type, _op_def in sorted(registry.registered_op_types().items()):
    if _op_def.gradient_input is None:  # not an optimizer's in-place update
        continue
    variants.register_variant(_op_type, sliced_kernel)
