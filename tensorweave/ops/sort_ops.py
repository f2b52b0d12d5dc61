"""Sorting and set-like ops: sort, argsort, unique, setdiff1d, searchsorted."""

__all__ = []  # the names `tf.` takes from here
