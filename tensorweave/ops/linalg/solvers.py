"""Inverses, determinants and solvers: MatrixInverse, MatrixDeterminant, LogMatrixDeterminant,
MatrixSolve, MatrixSolveLs, TridiagonalSolve, TridiagonalMatMul; cholesky_solve."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.registry import register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import array, math_ops
from tensorweave.ops._common import one
from tensorweave.ops.linalg import checks, matrix
from tensorweave.ops.linalg.checks import invalid_argument
from tensorweave.ops.linalg.decompositions import cholesky
from tensorweave.ops.linalg.triangular import matrix_triangular_solve

matmul = math_ops.matmul


def _adjoint(x):
    return np.conj(np.swapaxes(x, -1, -2))


def _batch_shape(op_type, x):
    shape = checks.square_shape(op_type, x)
    return unknown_shape() if shape.ndims is None else TensorShape(shape.as_list()[:-2])


def _as_matrix_scalars(t):
    """t[..., None, None]: one value per matrix, to scale matrices by."""
    return array.expand_dims(array.expand_dims(t, -1), -1)


# --- MatrixInverse ---------------------------------------------------------------------------
def _inverse_shape(x, *, adjoint):
    checks.check_dtype("MatrixInverse", x)
    return [(x.dtype, checks.square_shape("MatrixInverse", x))]


def _inverse_kernel(x, *, adjoint):
    try:
        return np.linalg.inv(_adjoint(x) if adjoint else x)
    except np.linalg.LinAlgError:
        raise invalid_argument("Input is not invertible.") from None


def _inverse_grad(op, dc):
    c = op.outputs[0]
    if op.attrs["adjoint"]:  # c = inverse(a^T)
        return [-matmul(c, matmul(dc, c, transpose_a=True))]
    return [-matmul(c, matmul(dc, c, transpose_b=True), transpose_a=True)]


register_op("MatrixInverse", shape=_inverse_shape, kernel=_inverse_kernel, grad=_inverse_grad)


def matrix_inverse(input, adjoint=False, name=None):  # noqa: A002
    """The inverses of (batches of) square matrices (of their adjoints with adjoint=True)."""
    return one(create_op("MatrixInverse", [convert_to_tensor(input)],
                         name=name or "MatrixInverse", adjoint=bool(adjoint)))


# --- determinants ----------------------------------------------------------------------------
def _det_shape(x):
    checks.check_dtype("MatrixDeterminant", x)
    return [(x.dtype, _batch_shape("MatrixDeterminant", x))]


def _det_grad(op, dc):
    a_inverse = matrix_inverse(op.inputs[0], adjoint=True)
    return [_as_matrix_scalars(dc * op.outputs[0]) * a_inverse]


register_op("MatrixDeterminant", shape=_det_shape,
            kernel=lambda x: np.asarray(np.linalg.det(x), x.dtype), grad=_det_grad)


def matrix_determinant(input, name=None):  # noqa: A002
    """The determinants of (batches of) square matrices."""
    return one(create_op("MatrixDeterminant", [convert_to_tensor(input)],
                         name=name or "MatrixDeterminant"))


def _slogdet_shape(x):
    checks.check_dtype("LogMatrixDeterminant", x)
    batch = _batch_shape("LogMatrixDeterminant", x)
    return [(x.dtype, batch), (x.dtype, batch)]


def _slogdet_kernel(x):
    sign, logdet = np.linalg.slogdet(x)
    return np.asarray(sign, x.dtype), np.asarray(logdet, x.dtype)


def _slogdet_grad(op, dsign, dlog):
    if dlog is None:
        return [None]
    return [_as_matrix_scalars(dlog) * matrix_inverse(op.inputs[0], adjoint=True)]


register_op("LogMatrixDeterminant", shape=_slogdet_shape, kernel=_slogdet_kernel,
            grad=_slogdet_grad)


def slogdet(input, name=None):  # noqa: A002
    """(sign, log_abs_determinant) of (batches of) square matrices."""
    return tuple(create_op("LogMatrixDeterminant", [convert_to_tensor(input)],
                           name=name or "LogMatrixDeterminant").outputs)


# --- MatrixSolve -----------------------------------------------------------------------------
def _solve_shape(a, b, *, adjoint):
    checks.check_dtype("MatrixSolve", a)
    return [(a.dtype, checks.solve_shape("MatrixSolve", a, b))]


def _solve_kernel(a, b, *, adjoint):
    try:
        return np.linalg.solve(_adjoint(a) if adjoint else a, b)
    except np.linalg.LinAlgError:
        raise invalid_argument("Input matrix is not invertible.") from None


def _solve_grad(op, dx):
    a, x = op.inputs[0], op.outputs[0]
    adjoint = op.attrs["adjoint"]
    db = matrix_solve(a, dx, adjoint=not adjoint)
    if adjoint:
        return [-matmul(x, db, transpose_b=True), db]
    return [-matmul(db, x, transpose_b=True), db]


register_op("MatrixSolve", shape=_solve_shape, kernel=_solve_kernel, grad=_solve_grad)


def matrix_solve(matrix, rhs, adjoint=False, name=None):  # noqa: F811 - TF's argument name
    """x with matrix @ x = rhs (adjoint(matrix) @ x = rhs with adjoint=True)."""
    matrix = convert_to_tensor(matrix)
    rhs = convert_to_tensor(rhs, dtype=matrix.dtype)
    return one(create_op("MatrixSolve", [matrix, rhs], name=name or "MatrixSolve",
                         adjoint=bool(adjoint)))


def cholesky_solve(chol, rhs, name=None):
    """x with A @ x = rhs, given chol = cholesky(A): two triangular solves."""
    with name_scope(name, "cholesky_solve", [chol, rhs]):
        y = matrix_triangular_solve(chol, rhs, lower=True, adjoint=False)
        return matrix_triangular_solve(chol, y, lower=True, adjoint=True)


# --- MatrixSolveLs ---------------------------------------------------------------------------
def _solve_ls_shape(a, b, l2, *, fast):
    checks.check_dtype("MatrixSolveLs", a)
    checks.same_dtype("MatrixSolveLs", a, b)
    if l2.dtype is not dtypes.float64 or l2.shape.ndims not in (None, 0):
        raise ValueError(f"MatrixSolveLs requires a float64 scalar l2_regularizer, got "
                         f"{l2.dtype.name} of shape {l2.shape}")
    da, db = checks.matrices("MatrixSolveLs", a), checks.matrices("MatrixSolveLs", b)
    if da is None or db is None:
        return [(a.dtype, unknown_shape())]
    if da[-2] is not None and db[-2] is not None and da[-2] != db[-2]:
        raise ValueError(f"Dimensions must be equal, but are {da[-2]} and {db[-2]} for "
                         f"'MatrixSolveLs' with input shapes: {a.shape}, {b.shape}, "
                         f"{l2.shape}.")
    batch = TensorShape(list(da[:-2])).merge_with(TensorShape(list(db[:-2])))
    return [(a.dtype, batch.concatenate([da[-1], db[-1]]))]


def _solve_ls_kernel(a, b, l2, *, fast):
    m, n = a.shape[-2:]
    if not fast:  # the minimum norm least squares solution; TF ignores l2 here
        pinv = np.linalg.pinv(a)
        return np.matmul(pinv, b).astype(a.dtype, copy=False)
    ah = _adjoint(a)
    try:
        if m >= n:
            gram = np.matmul(ah, a) + l2 * np.eye(n, dtype=a.dtype)
            chol = np.linalg.cholesky(gram)
            return _chol_solve(chol, np.matmul(ah, b)).astype(a.dtype, copy=False)
        gram = np.matmul(a, ah) + l2 * np.eye(m, dtype=a.dtype)
        chol = np.linalg.cholesky(gram)
        return np.matmul(ah, _chol_solve(chol, b)).astype(a.dtype, copy=False)
    except np.linalg.LinAlgError:
        raise invalid_argument("Cholesky decomposition was not successful. The input might "
                               "not be valid.") from None


def _chol_solve(chol, rhs):
    return np.linalg.solve(_adjoint(chol), np.linalg.solve(chol, rhs))


def _gram_cholesky(a, l2, first_kind):
    """cholesky(a^H a + l2 I) (first kind) or cholesky(a a^H + l2 I)."""
    gram = matmul(a, a, transpose_a=first_kind, transpose_b=not first_kind)
    eye = matrix.eye_like(gram)
    return cholesky(gram + array.cast(l2, a.dtype) * eye)


def _solve_ls_grad(op, dx):
    """TF's rule (fast=True only, as in TF)."""
    if not op.attrs["fast"]:
        raise ValueError("Gradient not defined for fast=False")
    a, b, l2 = op.inputs
    x = op.outputs[0]
    dims = a.shape.as_tuple()
    if dims is None or None in dims[-2:]:
        raise NotImplementedError("MatrixSolveLs gradient needs the matrix's inner dims")
    if dims[-2] >= dims[-1]:
        chol = _gram_cholesky(a, l2, True)
        z = cholesky_solve(chol, dx)
        xzt = matmul(x, z, transpose_b=True)
        da = -matmul(a, matrix.symmetrize(xzt)) + matmul(b, z, transpose_b=True)
        return [da, matmul(a, z), None]
    chol = _gram_cholesky(a, l2, False)
    db = cholesky_solve(chol, matmul(a, dx))
    tmp = cholesky_solve(chol, b)
    a1 = -matmul(db, matmul(tmp, a, transpose_a=True))
    a2 = matmul(tmp, dx - matmul(a, db, transpose_a=True), transpose_b=True)
    return [a1 + a2, db, None]


register_op("MatrixSolveLs", shape=_solve_ls_shape, kernel=_solve_ls_kernel,
            grad=_solve_ls_grad)


def matrix_solve_ls(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):  # noqa: F811
    """The least squares solutions x of matrix @ x = rhs (with a ridge term l2_regularizer).
    fast=True solves the regularized normal equations (a MatrixSolveLs op, differentiable);
    fast=False gives the minimum norm solution and ignores l2_regularizer (not
    differentiable, as in TF)."""
    matrix = convert_to_tensor(matrix)
    rhs = convert_to_tensor(rhs, dtype=matrix.dtype)
    l2 = convert_to_tensor(l2_regularizer, dtype=dtypes.float64)
    return one(create_op("MatrixSolveLs", [matrix, rhs, l2], name=name or "MatrixSolveLs",
                         fast=bool(fast)))


# --- tridiagonal matrices --------------------------------------------------------------------
def dense_tridiagonal(superdiag, maindiag, subdiag):
    """[..., M, M] matrices from the three diagonals [..., M] (super's last and sub's first
    entries unused), in NumPy."""
    m = maindiag.shape[-1]
    out = np.zeros(maindiag.shape + (m,), np.result_type(superdiag, maindiag, subdiag))
    i = np.arange(m)
    out[..., i, i] = maindiag
    out[..., i[:-1], i[1:]] = superdiag[..., :-1]
    out[..., i[1:], i[:-1]] = subdiag[..., 1:]
    return out


def _tridiagonal_solve_shape(diagonals, rhs, *, partial_pivoting):
    checks.check_dtype("TridiagonalSolve", diagonals)
    checks.same_dtype("TridiagonalSolve", diagonals, rhs)
    d, r = checks.matrices("TridiagonalSolve", diagonals), checks.matrices(
        "TridiagonalSolve", rhs)
    if d is not None and d[-2] not in (None, 3):
        raise ValueError(f"TridiagonalSolve requires diagonals of shape [..., 3, M], got "
                         f"{diagonals.shape}")
    if d is not None and r is not None:
        if d[-1] is not None and r[-2] is not None and d[-1] != r[-2]:
            raise ValueError(f"Dimensions must be equal, but are {d[-1]} and {r[-2]} for "
                             f"'TridiagonalSolve' with input shapes: {diagonals.shape}, "
                             f"{rhs.shape}.")
        batch = TensorShape(list(d[:-2])).merge_with(TensorShape(list(r[:-2])))
        return [(rhs.dtype, batch.concatenate([r[-2] if r[-2] is not None else d[-1],
                                               r[-1]]))]
    return [(rhs.dtype, rhs.shape)]


def _tridiagonal_solve_kernel(diagonals, rhs, *, partial_pivoting):
    a = dense_tridiagonal(diagonals[..., 0, :], diagonals[..., 1, :], diagonals[..., 2, :])
    try:
        return np.linalg.solve(a, rhs).astype(rhs.dtype, copy=False)
    except np.linalg.LinAlgError:
        raise invalid_argument("The matrix is not invertible.") from None


def _shift(x, up):
    """x [..., M, K] moved one row up (row i holds x[i + 1]) or down, the gap zero."""
    if up:
        return array.concat([x[..., 1:, :], array.zeros_like(x[..., :1, :])], axis=-2)
    return array.concat([array.zeros_like(x[..., :1, :]), x[..., :-1, :]], axis=-2)


def _shift_vector(v, up):
    """v [..., M] moved one place left (up) or right, the gap zero."""
    if up:
        return array.concat([v[..., 1:], array.zeros_like(v[..., :1])], axis=-1)
    return array.concat([array.zeros_like(v[..., :1]), v[..., :-1]], axis=-1)


def _tridiagonal_solve_grad(op, dx):
    """TF's rule: rhs's gradient solves the transposed system, the diagonals' are the three
    diagonals of -grad_rhs @ x^T."""
    diagonals, x = op.inputs[0], op.outputs[0]
    superdiag, maindiag, subdiag = (diagonals[..., 0, :], diagonals[..., 1, :],
                                    diagonals[..., 2, :])
    transposed = array.stack([_shift_vector(subdiag, True), maindiag,
                              _shift_vector(superdiag, False)], axis=-2)
    db = one(create_op("TridiagonalSolve", [transposed, dx], name="TridiagonalSolve",
                       partial_pivoting=op.attrs["partial_pivoting"]))
    d_super = -math_ops.reduce_sum(db * _shift(x, True), axis=-1)
    d_main = -math_ops.reduce_sum(db * x, axis=-1)
    d_sub = -math_ops.reduce_sum(db * _shift(x, False), axis=-1)
    return [array.stack([d_super, d_main, d_sub], axis=-2), db]


register_op("TridiagonalSolve", shape=_tridiagonal_solve_shape,
            kernel=_tridiagonal_solve_kernel, grad=_tridiagonal_solve_grad)


def _tridiagonal_matmul_shape(superdiag, maindiag, subdiag, rhs):
    checks.check_dtype("TridiagonalMatMul", rhs)
    checks.same_dtype("TridiagonalMatMul", superdiag, maindiag, subdiag, rhs)
    diag = superdiag.shape.merge_with(maindiag.shape).merge_with(subdiag.shape)
    dims, r = diag.as_tuple(), checks.matrices("TridiagonalMatMul", rhs)
    if dims is not None and (len(dims) < 2 or dims[-2] not in (None, 1)):
        raise ValueError(f"TridiagonalMatMul requires diagonals of shape [..., 1, M], got "
                         f"{diag}")
    if dims is not None and r is not None and None not in (dims[-1], r[-2]) and \
            dims[-1] != r[-2]:
        raise ValueError(f"Dimensions must be equal, but are {dims[-1]} and {r[-2]} for "
                         f"'TridiagonalMatMul' with input shapes: {diag}, {rhs.shape}.")
    return [(rhs.dtype, rhs.shape)]


def _tridiagonal_matmul_kernel(superdiag, maindiag, subdiag, rhs):
    super_, main, sub = (d[..., 0, :, None] for d in (superdiag, maindiag, subdiag))
    out = main * rhs
    out[..., :-1, :] += super_[..., :-1, :] * rhs[..., 1:, :]
    out[..., 1:, :] += sub[..., 1:, :] * rhs[..., :-1, :]
    return out


def _tridiagonal_matmul_grad(op, dy):
    superdiag, maindiag, subdiag, rhs = op.inputs
    d_super = math_ops.reduce_sum(dy * _shift(rhs, True), axis=-1, keepdims=True)
    d_main = math_ops.reduce_sum(dy * rhs, axis=-1, keepdims=True)
    d_sub = math_ops.reduce_sum(dy * _shift(rhs, False), axis=-1, keepdims=True)
    transposed = [_shift_vector(subdiag, True), maindiag, _shift_vector(superdiag, False)]
    d_rhs = one(create_op("TridiagonalMatMul", transposed + [dy], name="TridiagonalMatMul"))
    return [_row(d_super), _row(d_main), _row(d_sub), d_rhs]


def _row(column_sums):
    """[..., M, 1] -> [..., 1, M]."""
    return matrix.swap_last(column_sums)


register_op("TridiagonalMatMul", shape=_tridiagonal_matmul_shape,
            kernel=_tridiagonal_matmul_kernel, grad=_tridiagonal_matmul_grad)
