"""Special and trigonometric functions, and the extra elementwise binary ops (xlogy, div_no_nan, ...)."""

__all__ = []  # the names `tf.` takes from here
