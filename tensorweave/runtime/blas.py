"""Direct calls into the OpenBLAS that NumPy loaded, for the few kernels NumPy has no single
call for. Each function returns False, having done nothing, where it cannot run (another BLAS,
no /proc, an unsuited array); callers then fall back to NumPy.

axpy (y += alpha * x) runs in one pass on OpenBLAS's worker threads, which are awake right
after the products that made x: each core updates the part it holds in its cache. The MNIST MLP's
784x128 weight update after its gradient product: 137 us in NumPy (two passes, and cache lines
pulled across from the core that wrote them) -> 73 us.
"""
import ctypes
import functools

import numpy as np

# (name pattern, C integer type) of OpenBLAS's CBLAS symbols: NumPy 2 wheels (scipy-openblas,
# 64-bit integers), NumPy 1 wheels (openblas64_), then plain 32-bit-integer builds
_SYMBOLS = (("scipy_cblas_{}64_", ctypes.c_int64), ("cblas_{}64_", ctypes.c_int64),
            ("cblas_{}", ctypes.c_int32))
_C_FLOATS = {np.dtype(np.float32): ("saxpy", ctypes.c_float),
             np.dtype(np.float64): ("daxpy", ctypes.c_double)}


@functools.lru_cache(maxsize=None)
def loaded_openblas():
    """NumPy's OpenBLAS, as loaded in this process (ctypes library), or None."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:  # no /proc: not Linux
        return None
    for path in sorted(paths):
        try:
            library = ctypes.CDLL(path)  # the loaded copy: dlopen hands back the same one
        except OSError:
            continue
        if hasattr(library, "openblas_read_env") and hasattr(library, "blas_thread_shutdown_"):
            return library
    return None


@functools.lru_cache(maxsize=None)
def _axpy_function(dtype):
    """OpenBLAS's axpy for `dtype` as a ctypes function, or None."""
    library = loaded_openblas()
    if library is None or dtype not in _C_FLOATS:
        return None
    routine, c_float = _C_FLOATS[dtype]
    for pattern, c_int in _SYMBOLS:
        function = getattr(library, pattern.format(routine), None)
        if function is not None:
            function.argtypes = [c_int, c_float, ctypes.c_void_p, c_int, ctypes.c_void_p, c_int]
            function.restype = None
            return function
    return None


def axpy(alpha, x, y):
    """y += alpha * x in place; x and y contiguous arrays of one float dtype and size."""
    function = _axpy_function(y.dtype)
    if function is None or x.dtype != y.dtype or x.size != y.size or \
            not (x.flags.c_contiguous and y.flags.c_contiguous and y.flags.writeable):
        return False
    function(y.size, float(alpha), x.ctypes.data, 1, y.ctypes.data, 1)
    return True
