"""Gradient descent as one BLAS axpy (w += -alpha * delta) on the OpenBLAS NumPy loaded.

The rule: from AXPY_FROM elements on, ApplyGradientDescent is one call into OpenBLAS, which
runs it in one pass on its worker threads, each updating the part of the gradient its core
just computed; smaller variables (and any update axpy cannot take) run NumPy's two passes,
over slices where sliced_updates.py says so. `benchmarks/mlp_step.py` times the MNIST MLP's
step, whose first weight update this is. Where NumPy's BLAS is not OpenBLAS (or there is no
/proc to find it), `axpy` declines and nothing changes.
"""
import ctypes
import functools

import numpy as np

from tensorweave.runtime.accel import sliced_updates, variants

AXPY_FROM = 1 << 15

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
    """y += alpha * x in place; x and y contiguous arrays of one float dtype and size. False,
    having done nothing, where it cannot run (another BLAS, an unsuited array)."""
    function = _axpy_function(y.dtype)
    if function is None or x.dtype != y.dtype or x.size != y.size or \
            not (x.flags.c_contiguous and y.flags.c_contiguous and y.flags.writeable):
        return False
    function(y.size, float(alpha), x.ctypes.data, 1, y.ctypes.data, 1)
    return True


def gradient_descent_kernel(op):
    """ApplyGradientDescent's variant: one axpy for large variables, else the reference
    kernel (over slices where the variable is large enough); None where it is known small."""
    small = min(AXPY_FROM - 1, sliced_updates.SLICED_ABOVE)
    if not sliced_updates.may_be_large(op, small):
        return None
    reference = op.op_def.kernel
    numpy_update = sliced_updates.sliced_kernel(op) or reference

    def run(state, name, var, alpha, delta):
        w = state.read_variable(var)
        if w.size >= AXPY_FROM and axpy(-alpha, delta, w):
            return w
        return numpy_update(state, name, var, alpha, delta)
    return run


variants.register_variant("ApplyGradientDescent", gradient_descent_kernel)
