"""tf.linalg: matrix functions, decompositions, solvers and linear operators.

Names load on first use from where they are defined; most are the top-level `tf.` names.
"""
from tensorweave.util import lazy

_COMPOSITES = "tensorweave.ops.linalg.composites"
_OPS = "tensorweave.ops.linalg_ops"
_OPERATORS = "tensorweave.linear_operator"
_STRUCTURED = "tensorweave.linear_operator_structured"

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
    "l2_normalize": "tensorweave.ops.nn_ops:l2_normalize",
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
    "tensor_diag_part": "tensorweave:diag_part",
    "tensordot": "tensorweave:tensordot",
    "trace": "tensorweave:trace",
    "transpose": "tensorweave:matrix_transpose",
    "triangular_solve": "tensorweave:matrix_triangular_solve",
    "expm": f"{_OPS}:matrix_exponential",
    "logm": f"{_OPS}:matrix_logarithm",
    "lu": f"{_OPS}:lu",
    "slogdet": f"{_OPS}:log_matrix_determinant",
    **lazy.names_from(_COMPOSITES, "adjoint", "eigh_tridiagonal", "logdet", "lu_matrix_inverse",
                      "lu_reconstruct", "lu_solve", "matrix_rank", "matvec", "normalize",
                      "pinv", "tridiagonal_matmul", "tridiagonal_solve"),
    **lazy.names_from(_OPERATORS, "LinearOperator", "LinearOperatorAdjoint",
                      "LinearOperatorComposition", "LinearOperatorDiag",
                      "LinearOperatorFullMatrix", "LinearOperatorIdentity",
                      "LinearOperatorInversion", "LinearOperatorLowerTriangular",
                      "LinearOperatorScaledIdentity", "LinearOperatorZeros"),
    **lazy.names_from(_STRUCTURED, "LinearOperatorBlockDiag", "LinearOperatorCirculant",
                      "LinearOperatorCirculant2D", "LinearOperatorCirculant3D",
                      "LinearOperatorBlockLowerTriangular", "LinearOperatorHouseholder",
                      "LinearOperatorKronecker", "LinearOperatorLowRankUpdate",
                      "LinearOperatorPermutation", "LinearOperatorToeplitz",
                      "LinearOperatorTridiag"),
})
