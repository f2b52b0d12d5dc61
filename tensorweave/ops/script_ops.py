"""Python functions as graph ops: py_func, numpy_function, py_function."""

__all__ = []  # the names `tf.` takes from here
