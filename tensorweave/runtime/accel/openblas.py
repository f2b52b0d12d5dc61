"""The OpenBLAS NumPy loaded, as a ctypes library, for the modules here that set its threads."""
import ctypes
import functools


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
