"""MatrixTriangularSolve: substitution with (batches of) triangular matrices."""
import numpy as np

from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import register_op
from tensorweave.ops import math_ops
from tensorweave.ops._common import one
from tensorweave.ops.linalg import checks, matrix


def _triangular_solve_shape(matrix_, rhs, *, lower, adjoint):
    checks.check_dtype("MatrixTriangularSolve", matrix_)
    return [(matrix_.dtype, checks.solve_shape("MatrixTriangularSolve", matrix_, rhs))]


def triangular_solve_kernel(a, b, *, lower, adjoint):
    """Forward (or back) substitution row by row, every matrix of the batch at once. Only the
    triangle named by `lower` is read; a zero on the diagonal gives inf or nan, as in TF."""
    if adjoint:
        a = np.conj(np.swapaxes(a, -1, -2))
        lower = not lower
    n = a.shape[-1]
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    x = np.array(np.broadcast_to(b, batch + b.shape[-2:]), dtype=np.result_type(a, b))
    rows = range(n) if lower else range(n - 1, -1, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in rows:
            done = slice(0, i) if lower else slice(i + 1, n)
            if (i > 0) if lower else (i < n - 1):
                x[..., i, :] -= np.einsum("...j,...jk->...k", a[..., i, done], x[..., done, :])
            x[..., i, :] /= a[..., i, i, None]
    return x


def _triangular_solve_grad(op, dx):
    """TF's rule: rhs's gradient solves the adjoint system; matrix's keeps its triangle."""
    a = op.inputs[0]
    x = op.outputs[0]
    lower, adjoint = op.attrs["lower"], op.attrs["adjoint"]
    db = matrix_triangular_solve(a, dx, lower=lower, adjoint=not adjoint)
    if adjoint:
        da = -math_ops.matmul(x, db, transpose_b=True)
    else:
        da = -math_ops.matmul(db, x, transpose_b=True)
    return [matrix.lower_part(da) if lower else matrix.upper_part(da), db]


register_op("MatrixTriangularSolve", shape=_triangular_solve_shape,
            kernel=triangular_solve_kernel, grad=_triangular_solve_grad)


def matrix_triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):  # noqa: F811
    """x with matrix @ x = rhs (or adjoint(matrix) @ x = rhs), matrix lower or upper
    triangular."""
    matrix = convert_to_tensor(matrix)
    rhs = convert_to_tensor(rhs, dtype=matrix.dtype)
    return one(create_op("MatrixTriangularSolve", [matrix, rhs],
                         name=name or "MatrixTriangularSolve", lower=bool(lower),
                         adjoint=bool(adjoint)))
