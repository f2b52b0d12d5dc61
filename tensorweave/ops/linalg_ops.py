"""Linear algebra: decompositions, solvers, determinants, matrix functions, einsum, norms.

The op types live in `ops/linalg/` (one module per family); this module hands on the names
`tf.` takes (its `__all__`). tf.linalg's other names are in `ops/linalg/composites.py`.
"""
from tensorweave.ops.linalg import composites, decompositions, einsum as einsum_ops
from tensorweave.ops.linalg import functions, solvers, triangular

cholesky = decompositions.cholesky
qr = decompositions.qr
svd = decompositions.svd
self_adjoint_eig = decompositions.self_adjoint_eig
self_adjoint_eigvals = decompositions.self_adjoint_eigvals
lu = decompositions.lu
matrix_triangular_solve = triangular.matrix_triangular_solve
matrix_inverse = solvers.matrix_inverse
matrix_determinant = solvers.matrix_determinant
log_matrix_determinant = solvers.slogdet
matrix_solve = solvers.matrix_solve
matrix_solve_ls = solvers.matrix_solve_ls
cholesky_solve = solvers.cholesky_solve
matrix_square_root = functions.matrix_square_root
matrix_exponential = functions.matrix_exponential
matrix_logarithm = functions.matrix_logarithm
einsum = einsum_ops.einsum
cross = einsum_ops.cross
norm = composites.norm
tensordot = composites.tensordot

__all__ = [  # the names `tf.` takes from here
    "cholesky", "cholesky_solve", "qr", "svd", "self_adjoint_eig", "self_adjoint_eigvals",
    "matrix_inverse", "matrix_determinant", "matrix_solve", "matrix_solve_ls",
    "matrix_triangular_solve", "matrix_square_root", "einsum", "tensordot", "cross", "norm",
]
