"""One-time tuning of the process for NumPy kernels, done by the first Session.

- OpenBLAS (0.3.x, as NumPy wheels ship it) runs mid-sized single-precision GEMMs such as
  [100, 784] x [784, 128] about 2x slower until the process has done one GEMM of a few hundred
  rows and columns; a training loop of only such products (the MNIST tutorials) never does one.
  One 384^3 product fixes that (about 2 ms).
- glibc's malloc hands arrays of more than a few MB back to the system when they are freed, so
  each training step pays page faults to get them again (the layers CNN at batch 100: 300K
  faults and ~15% of its step time). Raising the mmap and trim thresholds keeps that memory in
  the process for reuse, as TensorFlow's own allocator does. Skipped where libc is not glibc.
- OpenBLAS's worker threads busy-wait 2^28 cycles (~0.1 s) after each product before they
  sleep, holding the other cores while the next kernels run in NumPy; large optimizer updates
  share their slices with helper threads on those cores (ops/training_ops.py), which the
  spinning threads would slow down. They now wait 2^20 cycles (~0.5 ms; products in a step
  follow each other sooner). Skipped where the user set OPENBLAS_THREAD_TIMEOUT, where NumPy's
  BLAS is not OpenBLAS, and while other Python threads run.
"""
import ctypes
import os
import threading

import numpy as np

from tensorweave.runtime import blas

_WARM_SIZE = 384
_MMAP_THRESHOLD = 64 << 20  # arrays up to 64 MB come from the heap, not fresh mappings
_TRIM_THRESHOLD = 256 << 20  # up to 256 MB of freed heap stays in the process
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)
_BLAS_TIMEOUT_VARIABLE, _BLAS_TIMEOUT = "OPENBLAS_THREAD_TIMEOUT", "20"  # log2 of the cycles
_done = False


def prepare_process():
    """Runs the tuning above the first time it is called in the process."""
    global _done
    if _done:
        return
    _done = True
    square = np.ones((_WARM_SIZE, _WARM_SIZE), np.float32)
    np.matmul(square, square)
    _keep_freed_memory()
    _shorten_blas_spin()


def _keep_freed_memory():
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError, TypeError):  # no mallopt there (macOS, Windows)
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
    mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)


def _shorten_blas_spin():
    """Makes OpenBLAS's idle threads sleep after 2^20 cycles: it reads the variable again and
    restarts its threads (as it does around every fork); the environment is left as it was.
    Not while other Python threads run: one of them could be inside a product."""
    if _BLAS_TIMEOUT_VARIABLE in os.environ or threading.active_count() > 1:
        return
    library = blas.loaded_openblas()
    if library is None:
        return
    os.environ[_BLAS_TIMEOUT_VARIABLE] = _BLAS_TIMEOUT
    try:
        library.openblas_read_env()
        library.blas_thread_shutdown_()
    finally:
        del os.environ[_BLAS_TIMEOUT_VARIABLE]
