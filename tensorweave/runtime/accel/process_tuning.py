"""Tuning of the host process for NumPy kernels: done once, and only when asked for
(`tf.ConfigProto(accel=True)`, TENSORWEAVE_ACCEL=1, or `tune_process()`), because it changes
the process, not just tensorweave.

- A warm-up GEMM: OpenBLAS (0.3.x, as NumPy wheels ship it) runs mid-sized single-precision
  products such as [100, 784] x [784, 128] slower until the process has done one product of a
  few hundred rows and columns, which a loop of only such products never does.
- glibc malloc thresholds raised: freed arrays of a few MB then stay in the process for reuse
  instead of being page-faulted in again every step, as TensorFlow's own allocator does.
  Skipped where libc is not glibc.
- OpenBLAS's idle worker threads sleep after 2^20 cycles instead of busy-waiting 2^28 after
  each product, which would hold the cores the update helper threads (sliced_updates.py) run
  on. Skipped where the user set OPENBLAS_THREAD_TIMEOUT, where NumPy's BLAS is not OpenBLAS,
  and while other Python threads run (one of them could be inside a product).

`benchmarks/` ask for it, and print what it changes.
"""
import ctypes
import os
import threading

import numpy as np

from tensorweave.runtime.accel import openblas

WARM_SIZE = 384
MMAP_THRESHOLD = 64 << 20  # arrays up to 64 MB come from the heap, not fresh mappings
TRIM_THRESHOLD = 256 << 20  # up to 256 MB of freed heap stays in the process
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)
BLAS_TIMEOUT_VARIABLE, BLAS_TIMEOUT = "OPENBLAS_THREAD_TIMEOUT", "20"  # log2 of the cycles
_done = False


def tune_process():
    """Runs the tuning above the first time it is called in the process."""
    global _done
    if _done:
        return
    _done = True
    square = np.ones((WARM_SIZE, WARM_SIZE), np.float32)
    np.matmul(square, square)
    keep_freed_memory()
    shorten_blas_spin()


def keep_freed_memory():
    """Raises glibc malloc's mmap and trim thresholds (nothing elsewhere)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError, TypeError):  # no mallopt there (macOS, Windows)
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)


def shorten_blas_spin():
    """Makes OpenBLAS's idle threads sleep after 2^20 cycles: it reads the variable again and
    restarts its threads (as it does around every fork); the environment is left as it was."""
    if BLAS_TIMEOUT_VARIABLE in os.environ or threading.active_count() > 1:
        return
    library = openblas.loaded_openblas()
    if library is None:
        return
    os.environ[BLAS_TIMEOUT_VARIABLE] = BLAS_TIMEOUT
    try:
        library.openblas_read_env()
        library.blas_thread_shutdown_()
    finally:
        del os.environ[BLAS_TIMEOUT_VARIABLE]
