"""tf.load_op_library, tf.load_library, tf.load_file_system_library.

These load TensorFlow C++ kernels and file systems from shared libraries. tensorweave runs
no TensorFlow C++ code: a missing file raises NotFoundError as in TF, an existing one a
clear UnimplementedError.
"""
import os

from tensorweave.core import errors

__all__ = ["load_file_system_library", "load_library", "load_op_library"]


def _refuse(path, what):
    if not os.path.exists(path):
        raise errors.NotFoundError(None, None, f"{path}: cannot open shared object file: No "
                                               f"such file or directory")
    raise errors.UnimplementedError(
        None, None, f"{path}: tensorweave cannot load TensorFlow C++ {what}; write the op in "
                    f"Python (tf.py_func, or a registered NumPy kernel) instead.")


def load_op_library(library_filename):
    """Would load the ops and kernels of a TF shared library; see the module doc."""
    _refuse(library_filename, "op kernels")


def load_library(library_location):
    """Would load a TF plugin library (or every library in a directory)."""
    if os.path.isdir(library_location):
        files = sorted(f for f in os.listdir(library_location) if f.endswith((".so", ".dll")))
        for name in files:
            _refuse(os.path.join(library_location, name), "kernel libraries")
        return
    _refuse(library_location, "kernel libraries")


def load_file_system_library(library_filename):
    """Would load a TF file system plugin."""
    _refuse(library_filename, "file systems")
