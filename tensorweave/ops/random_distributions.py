"""Random draws beyond uniform and normal: gamma, poisson, stateless draws."""

__all__ = []  # the names `tf.` takes from here
