"""Checks that run in the step: Assert, the assert_* family, check_numerics, Print."""

__all__ = []  # the names `tf.` takes from here
