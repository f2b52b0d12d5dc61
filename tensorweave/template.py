"""make_template: a function whose variables are created once and shared after."""

__all__ = []  # the names `tf.` takes from here
