"""gather_nd, scatter_nd and the tensor_scatter / variable scatter updates."""

__all__ = []  # the names `tf.` takes from here
