"""Fast Fourier transforms (through NumPy) and their gradients."""

__all__ = []  # the names `tf.` takes from here
