"""Small matrix products on one OpenBLAS thread where that is faster, chosen per shape by time.

OpenBLAS splits a product between its threads once M*N*K passes 2**18; for thin products waking
the other thread costs more than it saves, and some shapes fall off a cliff (on a 2-core Zen 4:
a Keras layer's [128, 10] x [10, 512]^T gradient 23 us on one thread, 92 on two; [512, 10] x
[10, 512] 104 us against 410). For each shape, layout and transposition with fewer than
CHOOSE_BELOW multiply-adds, the first 2 * TRIALS calls alternate between one thread and
OpenBLAS's own count, and later calls run with whichever had the fastest call (by more than
MARGIN). The values are the same either way where OpenBLAS's threads only split the output
between them; some OpenBLAS kernels (seen on a Zen 2/3 EPYC with AVX2) compute the rows a split
leaves over in another order, so before its first use the variant compares one thread and
OpenBLAS's count bit for bit on a few such products (`threads_agree`) and stays off where they
differ. Where OpenBLAS is not NumPy's BLAS, or runs one thread anyway, nothing changes.
"""
import time

import numpy as np

from tensorweave.runtime.accel import blas_threads, openblas, variants

CHOOSE_BELOW = 1 << 22
TRIALS = 3
MARGIN = 0.9  # one thread must take under 90% of the other's time to be chosen


class _Choice:
    """The fastest call seen on one thread and on OpenBLAS's count, and how many of each."""
    __slots__ = ("one", "many", "calls", "use_one")

    def __init__(self):
        self.one = self.many = float("inf")
        self.calls = 0
        self.use_one = None  # decided after 2 * TRIALS calls


def product_kernel(reference, get_threads, set_threads):
    """MatMul's kernel choosing the thread count of small 2-D products (others: `reference`)."""
    choices = {}

    def kernel(a, b, *, transpose_a, transpose_b):
        if a.ndim != 2 or b.ndim != 2:
            return reference(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
        m, k = (a.shape[1], a.shape[0]) if transpose_a else a.shape
        n = b.shape[0] if transpose_b else b.shape[1]
        threads = get_threads()
        if m * n * k >= CHOOSE_BELOW or threads < 2:
            return reference(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
        key = (a.shape, a.strides, b.shape, b.strides, transpose_a, transpose_b, a.dtype)
        choice = choices.get(key)
        if choice is None:
            choice = choices[key] = _Choice()
        if choice.use_one is False:
            return reference(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
        on_one = choice.use_one or choice.calls % 2 == 0
        if on_one:
            set_threads(1)
        start = time.perf_counter()
        try:
            return reference(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
        finally:
            elapsed = time.perf_counter() - start
            if on_one:
                set_threads(threads)
            if choice.use_one is None:
                _record(choice, on_one, elapsed)
    return kernel


def _record(choice, on_one, elapsed):
    if on_one:
        choice.one = min(choice.one, elapsed)
    else:
        choice.many = min(choice.many, elapsed)
    choice.calls += 1
    if choice.calls == 2 * TRIALS:
        choice.use_one = choice.one < MARGIN * choice.many


# (m, k, n) of thin products the variant runs on one thread: Keras gradients, odd sizes
PROBE_SHAPES = [(128, 10, 512), (512, 10, 512), (33, 100, 129), (777, 32, 10)]


_agreement = {}  # id(get_threads) -> whether the thread counts agree, probed once


def threads_agree(get_threads, set_threads):
    """Whether one OpenBLAS thread and OpenBLAS's own count give the same bits on
    PROBE_SHAPES' products (float32 and float64); probed once per process."""
    key = id(get_threads)
    if key not in _agreement:
        _agreement[key] = _probe(get_threads, set_threads)
    return _agreement[key]


def _probe(get_threads, set_threads):
    before = get_threads()
    several = max(before, 2)
    rng = np.random.RandomState(0)
    try:
        for dtype in (np.float32, np.float64):
            for m, k, n in PROBE_SHAPES:
                a, b = rng.randn(m, k).astype(dtype), rng.randn(n, k).astype(dtype)
                set_threads(several)
                many = a @ b.T
                set_threads(1)
                if not np.array_equal(a @ b.T, many):
                    return False
    finally:
        set_threads(before)
    return True


def _choose(op):
    functions = blas_threads.thread_functions(openblas.loaded_openblas())
    if functions is None or not (op.inputs[0].dtype.is_floating or op.inputs[0].dtype.is_complex):
        return None
    if not threads_agree(*functions):
        return None
    return product_kernel(op.op_def.kernel, *functions)


variants.register_variant("MatMul", _choose)
