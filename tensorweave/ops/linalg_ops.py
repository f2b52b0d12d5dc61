"""Linear algebra: decompositions, solvers, determinants, band/diag matrices, einsum."""

__all__ = []  # the names `tf.` takes from here
