"""Complex numbers: complex, real, imag, angle, conj and complex abs."""

__all__ = []  # the names `tf.` takes from here
