"""tf.linalg: matrix functions, decompositions, solvers and linear operators.

Names load on first use from where they are defined; most are the top-level `tf.` names.
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "band_part": "tensorweave:matrix_band_part",
    "cholesky": "tensorweave:cholesky",
    "cholesky_solve": "tensorweave:cholesky_solve",
    "cross": "tensorweave:cross",
    "det": "tensorweave:matrix_determinant",
    "diag": "tensorweave:matrix_diag",
    "diag_part": "tensorweave:matrix_diag_part",
    "eigh": "tensorweave:self_adjoint_eig",
    "eigvalsh": "tensorweave:self_adjoint_eigvals",
    "einsum": "tensorweave:einsum",
    "eye": "tensorweave:eye",
    "global_norm": "tensorweave:global_norm",
    "inv": "tensorweave:matrix_inverse",
    "lstsq": "tensorweave:matrix_solve_ls",
    "matmul": "tensorweave:matmul",
    "matrix_transpose": "tensorweave:matrix_transpose",
    "norm": "tensorweave:norm",
    "qr": "tensorweave:qr",
    "set_diag": "tensorweave:matrix_set_diag",
    "solve": "tensorweave:matrix_solve",
    "sqrtm": "tensorweave:matrix_square_root",
    "svd": "tensorweave:svd",
    "tensor_diag": "tensorweave:diag",
    "tensordot": "tensorweave:tensordot",
    "trace": "tensorweave:trace",
    "transpose": "tensorweave:matrix_transpose",
    "triangular_solve": "tensorweave:matrix_triangular_solve",
})
