"""runtime/accel/small_products.py: small matrix products run on the thread count that measured
faster for their shape, with the same values as on OpenBLAS's own count."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.runtime.accel import blas_threads, openblas, small_products


def matmul(a, b, *, transpose_a, transpose_b):
    return np.matmul(a.swapaxes(-1, -2) if transpose_a else a,
                     b.swapaxes(-1, -2) if transpose_b else b)


class FakeThreads:
    """OpenBLAS's (get, set) thread count, recording every setting."""

    def __init__(self, count=2):
        self.count, self.settings = count, []

    def get(self):
        return self.count

    def set(self, count):
        self.settings.append(count)
        self.count = count


def _reference_timed(durations):
    """A reference MatMul kernel whose calls 'take' the next of `durations` seconds."""
    clock = {"now": 0.0}
    calls = iter(durations)

    def reference(a, b, *, transpose_a, transpose_b):
        clock["now"] += next(calls)
        return matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
    return reference, clock


@pytest.mark.parametrize("one, many, chosen", [(1.0, 4.0, True), (4.0, 1.0, False),
                                               (1.0, 1.05, False)])
def test_the_faster_count_is_kept_after_the_trials(monkeypatch, one, many, chosen):
    trials = small_products.TRIALS
    reference, clock = _reference_timed([one, many] * trials + [9.0] * 4)
    monkeypatch.setattr(small_products.time, "perf_counter", lambda: clock["now"])
    threads = FakeThreads()
    kernel = small_products.product_kernel(reference, threads.get, threads.set)
    a, b = np.ones((4, 3), np.float32), np.ones((5, 3), np.float32)
    for _ in range(2 * trials + 4):
        np.testing.assert_array_equal(kernel(a, b, transpose_a=False, transpose_b=True),
                                      a @ b.T)
    measured = [1, 2] * trials
    assert threads.settings == measured + ([1, 2] * 4 if chosen else [])
    assert threads.count == 2


def test_large_and_batched_products_keep_openblas_count():
    threads = FakeThreads()
    kernel = small_products.product_kernel(matmul, threads.get, threads.set)
    big = np.ones((256, 256), np.float32)
    kernel(big, big, transpose_a=False, transpose_b=False)
    batched = np.ones((2, 3, 3), np.float32)
    kernel(batched, batched, transpose_a=True, transpose_b=False)
    assert threads.settings == []


def test_the_variant_runs_only_where_one_and_several_threads_give_the_same_bits():
    """Some OpenBLAS kernels give other bits on one thread than on several (seen on a Zen 2/3
    EPYC): the probe must say so there, and the products must agree where it says they do."""
    functions = blas_threads.thread_functions(openblas.loaded_openblas())
    if functions is None:
        pytest.skip("NumPy's BLAS is not OpenBLAS")
    get_threads, set_threads = functions
    before = get_threads()
    rng = np.random.RandomState(0)
    try:
        set_threads(max(before, 2))
        agree = small_products.threads_agree(get_threads, set_threads)
        for m, k, n in small_products.PROBE_SHAPES:
            a, b = rng.randn(m, k).astype(np.float32), rng.randn(n, k).astype(np.float32)
            set_threads(max(before, 2))
            many = a @ b.T
            set_threads(1)
            if agree:
                np.testing.assert_array_equal(a @ b.T, many)
            elif not np.array_equal(a @ b.T, many):
                break
        else:
            assert agree, "the probe saw a difference the products do not show"
    finally:
        set_threads(before)


def test_sessions_with_and_without_variants_agree():
    def run(accel):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [128, 10])
            w = tf.constant(np.random.RandomState(1).randn(512, 10).astype(np.float32))
            y = tf.matmul(x, w, transpose_b=True)
            feed = {x: np.random.RandomState(2).randn(128, 10).astype(np.float32)}
            with tf.Session(config=tf.ConfigProto(accel=accel)) as sess:
                return [sess.run(y, feed) for _ in range(2 * small_products.TRIALS + 2)]
    for got, want in zip(run(None), run(False)):
        np.testing.assert_array_equal(got, want)
