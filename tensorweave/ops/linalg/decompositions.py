"""Decompositions: Cholesky, Qr, Svd, SelfAdjointEigV2 and Lu, with TF's gradients."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import array, math_ops
from tensorweave.ops._common import one
from tensorweave.ops.linalg import checks, matrix
from tensorweave.ops.linalg.checks import invalid_argument
from tensorweave.ops.linalg.triangular import matrix_triangular_solve

matmul = math_ops.matmul
_EMPTY = TensorShape([0])


def _zeros_if_none(grad, like):
    return array.zeros_like(like) if grad is None else grad


def _batch_and_dims(op_type, x):
    dims = checks.matrices(op_type, x)
    if dims is None:
        return None, None, None
    return list(dims[:-2]), dims[-2], dims[-1]


def _smaller(m, n):
    return None if m is None or n is None else min(m, n)


# --- Cholesky --------------------------------------------------------------------------------
def _cholesky_shape(x):
    checks.check_dtype("Cholesky", x)
    return [(x.dtype, checks.square_shape("Cholesky", x))]


def _cholesky_kernel(x):
    try:
        return np.linalg.cholesky(x)  # reads the lower triangle, as TF's does
    except np.linalg.LinAlgError:
        raise invalid_argument("Cholesky decomposition was not successful. The input might "
                               "not be valid.") from None


def _cholesky_grad(op, dl):
    """TF's rule: A's gradient as a symmetric matrix (the op reads only A's lower half)."""
    l = op.outputs[0]
    l_inverse = matrix_triangular_solve(l, matrix.eye_like(l) + array.zeros_like(l),
                                        lower=True)
    middle = matrix.scale_diag(matrix.lower_part(matmul(l, dl, transpose_a=True)), 0.5)
    grad = matmul(matmul(l_inverse, middle, transpose_a=True), l_inverse)
    return [0.5 * matrix.symmetrize(grad)]


register_op("Cholesky", shape=_cholesky_shape, kernel=_cholesky_kernel, grad=_cholesky_grad)


def cholesky(input, name=None):  # noqa: A002
    """The lower Cholesky factors of (batches of) positive definite matrices."""
    return one(create_op("Cholesky", [convert_to_tensor(input)], name=name or "Cholesky"))


# --- Qr --------------------------------------------------------------------------------------
def _qr_shape(x, *, full_matrices):
    checks.check_dtype("Qr", x)
    batch, m, n = _batch_and_dims("Qr", x)
    if batch is None:
        return [(x.dtype, unknown_shape())] * 2
    k = m if full_matrices else _smaller(m, n)
    return [(x.dtype, TensorShape(batch + [m, k])), (x.dtype, TensorShape(batch + [k, n]))]


def _qr_kernel(x, *, full_matrices):
    q, r = np.linalg.qr(x, mode="complete" if full_matrices else "reduced")
    return q.astype(x.dtype, copy=False), r.astype(x.dtype, copy=False)


def _qr_triangular_solve(x, r):
    """x @ adjoint(inverse(r)) for upper triangular r (TF's helper)."""
    return matrix.swap_last(matrix_triangular_solve(r, matrix.swap_last(x), lower=False))


def _qr_grad_square_and_deep(q, r, dq, dr):
    qdq = matmul(q, dq, transpose_a=True)
    qdq_ = qdq - matrix.swap_last(qdq)
    rdr = matmul(r, dr, transpose_b=True)
    rdr_ = rdr - matrix.swap_last(rdr)
    tril = matrix.lower_part(qdq_ + rdr_)
    grad_a = matmul(q, dr + _qr_triangular_solve(tril, r))
    grad_b = _qr_triangular_solve(dq - matmul(q, qdq), r)
    return grad_a + grad_b


def _qr_grad(op, dq, dr):
    """TF's rule, which needs static matrix dims (NotImplementedError otherwise, as TF)."""
    a = op.inputs[0]
    q, r = op.outputs
    dq, dr = _zeros_if_none(dq, q), _zeros_if_none(dr, r)
    q_dims, r_dims = q.shape.as_tuple(), r.shape.as_tuple()
    if r_dims is None or None in r_dims[-2:] or None in q_dims[-2:]:
        raise NotImplementedError("QrGrad not implemented with dynamic shapes.")
    m, n = q_dims[-2], r_dims[-1]
    if r_dims[-2] > n and q_dims[-2] == q_dims[-1]:
        raise NotImplementedError("QrGrad not implemented when nrows > ncols and "
                                  "full_matrices is true.")
    if m >= n:
        return [_qr_grad_square_and_deep(q, r, dq, dr)]
    y = a[..., :, m:]  # wide matrices: a = [x, y], r = [u, v]
    u = r[..., :, :m]
    dv, du = dr[..., :, m:], dr[..., :, :m]
    dy = matmul(q, dv)
    dx = _qr_grad_square_and_deep(q, u, dq + matmul(y, dv, transpose_b=True), du)
    return [array.concat([dx, dy], axis=-1)]


register_op("Qr", shape=_qr_shape, kernel=_qr_kernel, grad=_qr_grad)


def qr(input, full_matrices=False, name=None):  # noqa: A002
    """(q, r) with q orthonormal columns and r upper triangular, q @ r = input."""
    return tuple(create_op("Qr", [convert_to_tensor(input)], name=name or "Qr",
                           full_matrices=bool(full_matrices)).outputs)


# --- Svd -------------------------------------------------------------------------------------
def _svd_shape(x, *, compute_uv, full_matrices):
    checks.check_dtype("Svd", x)
    batch, m, n = _batch_and_dims("Svd", x)
    real = x.dtype.real_dtype
    if batch is None:
        vectors = unknown_shape() if compute_uv else _EMPTY
        return [(real, unknown_shape()), (x.dtype, vectors), (x.dtype, vectors)]
    k = _smaller(m, n)
    s = TensorShape(batch + [k])
    if not compute_uv:
        return [(real, s), (x.dtype, _EMPTY), (x.dtype, _EMPTY)]
    u = TensorShape(batch + [m, m if full_matrices else k])
    v = TensorShape(batch + [n, n if full_matrices else k])
    return [(real, s), (x.dtype, u), (x.dtype, v)]


def _svd_kernel(x, *, compute_uv, full_matrices):
    real = np.finfo(x.dtype).dtype
    empty = np.zeros((0,), x.dtype)
    m, n = x.shape[-2:]
    k = min(m, n)
    if not np.all(np.isfinite(x)):  # TF gives NaNs where LAPACK would not converge
        s = np.full(x.shape[:-2] + (k,), np.nan, real)
        if not compute_uv:
            return s, empty, empty
        return (s, np.full(x.shape[:-2] + (m, m if full_matrices else k), np.nan, x.dtype),
                np.full(x.shape[:-2] + (n, n if full_matrices else k), np.nan, x.dtype))
    if not compute_uv:
        return np.linalg.svd(x, compute_uv=False).astype(real, copy=False), empty, empty
    u, s, vh = np.linalg.svd(x, full_matrices=full_matrices)
    v = np.conj(np.swapaxes(vh, -1, -2))
    return (s.astype(real, copy=False), u.astype(x.dtype, copy=False),
            np.ascontiguousarray(v, dtype=x.dtype))


def _safe_reciprocal(x, epsilon=1e-20):
    return x * math_ops.reciprocal(x * x + epsilon)


def _svd_grad(op, ds, du, dv):
    """TF's rule (real matrices)."""
    a = op.inputs[0]
    s_out = op.outputs[0]
    ds = _zeros_if_none(ds, s_out)
    ds_mat = matrix.diag_matrix(ds)
    if not op.attrs["compute_uv"]:
        _, u, v = svd(a, compute_uv=True)
        return [matmul(u, matmul(ds_mat, v, transpose_b=True))]
    full_matrices = op.attrs["full_matrices"]
    dims = a.shape.as_tuple()
    m, n = (None, None) if dims is None else dims[-2:]
    u, v = op.outputs[1], op.outputs[2]
    if m is None:
        m = u.shape.as_tuple()[-2] if u.shape.ndims is not None else None
    if n is None:
        n = v.shape.as_tuple()[-2] if v.shape.ndims is not None else None
    if m is None or n is None:
        raise NotImplementedError("SVD gradient has not been implemented for input with "
                                  "unknown inner matrix shape.")
    du, dv = _zeros_if_none(du, u), _zeros_if_none(dv, v)
    use_adjoint = m > n
    if use_adjoint:
        m, n, u, v, du, dv = n, m, v, u, dv, du
    if full_matrices and abs(m - n) > 1:
        raise NotImplementedError("svd gradient is not implemented for abs(m - n) > 1 when "
                                  "full_matrices is True")
    s = s_out
    s_mat = matrix.diag_matrix(s)
    s_2 = math_ops.square(s)
    eye = matrix.eye_like(s)
    gap = array.expand_dims(s_2, -2) - array.expand_dims(s_2, -1)
    f = (1 - eye) / (gap + eye)  # 1 / (s_j^2 - s_i^2) off the diagonal, 0 on it
    s_inv_mat = matrix.diag_matrix(_safe_reciprocal(s))
    v1, dv1 = v[..., :, :m], dv[..., :, :m]
    u_gu = matmul(u, du, transpose_a=True)
    v_gv = matmul(v1, dv1, transpose_a=True)
    f_u, f_v = f * u_gu, f * v_gv
    term1_nouv = (ds_mat + matmul(matrix.symmetrize(f_u), s_mat) +
                  matmul(s_mat, matrix.symmetrize(f_v)))
    grad = matmul(u, matmul(term1_nouv, v1, transpose_b=True))
    if m != n:
        gv1t = matrix.swap_last(dv1)
        term2_nous = gv1t - matmul(matmul(gv1t, v1), v1, transpose_b=True)
        if full_matrices:
            v2, dv2 = v[..., :, m:n], dv[..., :, m:n]
            term2_nous -= matmul(matmul(v1, dv2, transpose_a=True), v2, transpose_b=True)
        grad = grad + matmul(matmul(u, s_inv_mat), term2_nous)
    return [matrix.swap_last(grad) if use_adjoint else grad]


register_op("Svd", shape=_svd_shape, kernel=_svd_kernel, grad=_svd_grad)


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """Singular values s (descending), and with compute_uv (s, u, v): tensor = u diag(s) v^H."""
    op = create_op("Svd", [convert_to_tensor(tensor)], name=name or "Svd",
                   compute_uv=bool(compute_uv), full_matrices=bool(full_matrices))
    return tuple(op.outputs) if compute_uv else op.outputs[0]


# --- SelfAdjointEigV2 ------------------------------------------------------------------------
def _eig_shape(x, *, compute_v):
    checks.check_dtype("SelfAdjointEigV2", x)
    shape = checks.square_shape("SelfAdjointEigV2", x)
    e = unknown_shape() if shape.ndims is None else TensorShape(shape.as_list()[:-1])
    return [(x.dtype.real_dtype, e), (x.dtype, shape if compute_v else _EMPTY)]


def _eig_kernel(x, *, compute_v):
    if not np.all(np.isfinite(x)):
        raise invalid_argument("Self-adjoint eigen decomposition was not successful. The "
                               "input might not be valid.")
    real = np.finfo(x.dtype).dtype
    if not compute_v:
        return np.linalg.eigvalsh(x, UPLO="L").astype(real), np.zeros((0,), x.dtype)
    e, v = np.linalg.eigh(x, UPLO="L")
    return e.astype(real, copy=False), v.astype(x.dtype, copy=False)


def _eig_grad(op, de, dv):
    """TF's rule: the gradient of the lower triangle the op reads (real matrices)."""
    e = op.outputs[0]
    de = _zeros_if_none(de, e)
    if op.attrs["compute_v"]:
        v = op.outputs[1]
        dv = _zeros_if_none(dv, v)
        eye = matrix.eye_like(e)
        gap = array.expand_dims(e, -2) - array.expand_dims(e, -1)
        f = (1 - eye) / (gap + eye)
        inner = matrix.diag_matrix(de) + f * matmul(v, dv, transpose_a=True)
        grad = matmul(v, matmul(inner, v, transpose_b=True))
    else:
        _, v = self_adjoint_eig(op.inputs[0])
        grad = matmul(v, matmul(matrix.diag_matrix(de), v, transpose_b=True))
    return [matrix.scale_diag(matrix.lower_part(matrix.symmetrize(grad)), 0.5)]


register_op("SelfAdjointEigV2", shape=_eig_shape, kernel=_eig_kernel, grad=_eig_grad)


def self_adjoint_eig(tensor, name=None):
    """(e, v): eigenvalues ascending and eigenvectors (columns) of self-adjoint matrices."""
    return tuple(create_op("SelfAdjointEigV2", [convert_to_tensor(tensor)],
                           name=name or "SelfAdjointEigV2", compute_v=True).outputs)


def self_adjoint_eigvals(tensor, name=None):
    """The eigenvalues (ascending) of self-adjoint matrices."""
    return create_op("SelfAdjointEigV2", [convert_to_tensor(tensor)],
                     name=name or "SelfAdjointEigV2", compute_v=False).outputs[0]


# --- Lu --------------------------------------------------------------------------------------
def _lu_shape(x, *, output_idx_type):
    checks.check_dtype("Lu", x)
    shape = checks.square_shape("Lu", x)
    p = unknown_shape() if shape.ndims is None else TensorShape(shape.as_list()[:-1])
    return [(x.dtype, shape), (output_idx_type, p)]


def _lu_kernel(x, *, output_idx_type):
    """Partial pivoting (the largest magnitude in each column), over the whole batch at once:
    lu holds L (unit diagonal, not stored) and U, and x[..., p, :] = L @ U."""
    n = x.shape[-1]
    a = np.array(x).reshape((-1, n, n))
    batch = np.arange(a.shape[0])
    perm = np.tile(np.arange(n), (a.shape[0], 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(n):
            pivot = k + np.argmax(np.abs(a[:, k:, k]), axis=1)
            a[batch, k], a[batch, pivot] = a[batch, pivot], a[batch, k].copy()
            perm[batch, k], perm[batch, pivot] = perm[batch, pivot], perm[batch, k].copy()
            if np.any(a[:, k, k] == 0):
                raise invalid_argument("Input is not invertible.")
            a[:, k + 1:, k] /= a[:, k, k][:, None]
            a[:, k + 1:, k + 1:] -= a[:, k + 1:, k, None] * a[:, k, None, k + 1:]
    return (a.reshape(x.shape),
            perm.reshape(x.shape[:-1]).astype(output_idx_type))


register_op("Lu", shape=_lu_shape, kernel=_lu_kernel, grad=None)  # TF 1.15 has no gradient


def lu(input, output_idx_type=dtypes.int32, name=None):  # noqa: A002
    """(lu, p): L (unit lower, below the diagonal) and U packed in lu, with
    input[..., p, :] = L @ U."""
    return tuple(create_op("Lu", [convert_to_tensor(input)], name=name or "Lu",
                           output_idx_type=dtypes.as_dtype(output_idx_type)).outputs)

