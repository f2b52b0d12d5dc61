"""One-time tuning of the process for NumPy kernels, done by the first Session.

- OpenBLAS (0.3.x, as NumPy wheels ship it) runs mid-sized single-precision GEMMs such as
  [100, 784] x [784, 128] about 2x slower until the process has done one GEMM of a few hundred
  rows and columns; a training loop of only such products (the MNIST tutorials) never does one.
  One 384^3 product fixes that (about 2 ms).
- glibc's malloc hands arrays of more than a few MB back to the system when they are freed, so
  each training step pays page faults to get them again (the layers CNN at batch 100: 300K
  faults and ~15% of its step time). Raising the mmap and trim thresholds keeps that memory in
  the process for reuse, as TensorFlow's own allocator does. Skipped where libc is not glibc.
"""
import ctypes

import numpy as np

_WARM_SIZE = 384
_MMAP_THRESHOLD = 64 << 20  # arrays up to 64 MB come from the heap, not fresh mappings
_TRIM_THRESHOLD = 256 << 20  # up to 256 MB of freed heap stays in the process
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)
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


def _keep_freed_memory():
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError, TypeError):  # no mallopt there (macOS, Windows)
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
    mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
