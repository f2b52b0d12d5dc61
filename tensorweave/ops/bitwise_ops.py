"""Bitwise ops on integers."""

__all__ = []  # the names `tf.` takes from here
