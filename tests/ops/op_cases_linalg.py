"""Op table rows for the linear algebra op types (tensorweave/ops/linalg/)."""
import numpy as np

import tensorweave as tf
from tensorweave.ops.linalg import solvers

from op_case import Case, rand

_STATIC = dict.fromkeys(["dims", "rank"], "the gradient needs the static matrix dims (as TF)")


def _spd(*shape):
    """Random symmetric positive definite matrices."""
    a = rand(*shape)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


def _well_conditioned(*shape):
    return rand(*shape) + 3 * np.eye(shape[-1])


def _to_spd(a):
    """a a^T + 3 I as ops, so Cholesky's gradient sees a symmetric input."""
    return tf.matmul(a, a, transpose_b=True) + 3.0 * tf.eye(3, dtype=a.dtype)


def _svd_ref(full_matrices=False):
    def ref(x):
        u, s, vh = np.linalg.svd(x, full_matrices=full_matrices)
        return s, u, np.swapaxes(vh, -1, -2)
    return ref


def _lu_ref(x):
    """LU with partial pivoting by plain loops, one matrix at a time."""
    n = x.shape[-1]
    lus, perms = [], []
    for a in x.reshape(-1, n, n):
        a, perm = a.copy(), list(range(n))
        for k in range(n):
            p = k + int(np.argmax(np.abs(a[k:, k])))
            a[[k, p]] = a[[p, k]]
            perm[k], perm[p] = perm[p], perm[k]
            for i in range(k + 1, n):
                a[i, k] /= a[k, k]
                a[i, k + 1:] -= a[i, k] * a[k, k + 1:]
        lus.append(a)
        perms.append(perm)
    return (np.array(lus).reshape(x.shape),
            np.array(perms, np.int32).reshape(x.shape[:-1]))


def _tri_ref(a, b, lower, adjoint):
    t = np.tril(a) if lower else np.triu(a)
    return np.linalg.solve(np.swapaxes(t, -1, -2) if adjoint else t, b)


def _expm_ref(a, terms=40):
    """exp(a) by its Taylor series after halving a 8 times."""
    a = a / 256.0
    out = term = np.broadcast_to(np.eye(a.shape[-1]), a.shape).copy()
    for k in range(1, terms):
        term = term @ a / k
        out = out + term
    for _ in range(8):
        out = out @ out
    return out


def _sqrtm_input():
    return np.array([[4.0, 1.0, 0.3], [0.5, 3.0, 0.2], [0.1, 0.4, 5.0]])


def _tridiagonal_input(batch=()):
    d = rand(*batch, 3, 4)
    d[..., 1, :] += 4.0
    return d


def _tridiagonal_dense(d):
    return solvers.dense_tridiagonal(d[..., 0, :], d[..., 1, :], d[..., 2, :])


CASES = [
    # decompositions
    Case("Cholesky", [rand(3, 3)], lambda a: np.linalg.cholesky(a @ a.T + 3 * np.eye(3)),
         build=lambda a: [tf.cholesky(_to_spd(a))], tag="via_spd"),
    Case("Cholesky", [rand(2, 3, 3)],
         lambda a: np.linalg.cholesky(a @ np.swapaxes(a, -1, -2) + 3 * np.eye(3)),
         build=lambda a: [tf.cholesky(_to_spd(a))], tag="batch"),
    Case("Qr", [rand(4, 3)], lambda x: np.linalg.qr(x), attrs={"full_matrices": False},
         static_grad=_STATIC),
    Case("Qr", [rand(2, 3, 3)], lambda x: np.linalg.qr(x), attrs={"full_matrices": False},
         tag="square", static_grad=_STATIC),
    Case("Qr", [rand(3, 5)], lambda x: np.linalg.qr(x), attrs={"full_matrices": False},
         tag="wide", static_grad=_STATIC),
    Case("Qr", [rand(4, 3)], lambda x: np.linalg.qr(x, mode="complete"),
         attrs={"full_matrices": True}, tag="full", wrt=()),
    Case("Svd", [rand(3, 4)], _svd_ref(), attrs={"compute_uv": True, "full_matrices": False},
         static_grad=_STATIC),
    Case("Svd", [rand(2, 4, 3)], _svd_ref(), tag="deep",
         attrs={"compute_uv": True, "full_matrices": False}, static_grad=_STATIC),
    Case("Svd", [rand(3, 4)], _svd_ref(True), tag="full",
         attrs={"compute_uv": True, "full_matrices": True}, static_grad=_STATIC),
    Case("Svd", [rand(3, 3)], lambda x: (np.linalg.svd(x, compute_uv=False), np.zeros(0),
                                         np.zeros(0)),
         attrs={"compute_uv": False, "full_matrices": False}, tag="values"),
    Case("SelfAdjointEigV2", [rand(3, 3)], lambda x: np.linalg.eigh(x), tag="vectors",
         attrs={"compute_v": True}),
    Case("SelfAdjointEigV2", [rand(2, 3, 3)], lambda x: (np.linalg.eigvalsh(x), np.zeros(0)),
         attrs={"compute_v": False}, tag="values"),
    Case("Lu", [rand(2, 4, 4)], _lu_ref, attrs={"output_idx_type": tf.int32}),
    Case("Lu", [rand(3, 3)], lambda x: (_lu_ref(x)[0], _lu_ref(x)[1].astype(np.int64)),
         attrs={"output_idx_type": tf.int64}, tag="int64"),
    # solvers and determinants
    Case("MatrixTriangularSolve", [_well_conditioned(3, 3), rand(3, 2)],
         lambda a, b: _tri_ref(a, b, True, False), attrs={"lower": True, "adjoint": False}),
    Case("MatrixTriangularSolve", [_well_conditioned(2, 3, 3), rand(2, 3, 2)],
         lambda a, b: _tri_ref(a, b, False, True), attrs={"lower": False, "adjoint": True},
         tag="upper_adjoint"),
    Case("MatrixTriangularSolve", [_well_conditioned(3, 3), rand(3, 1)],
         lambda a, b: _tri_ref(a, b, True, True), attrs={"lower": True, "adjoint": True},
         tag="lower_adjoint"),
    Case("MatrixInverse", [_well_conditioned(2, 3, 3)], np.linalg.inv,
         attrs={"adjoint": False}),
    Case("MatrixInverse", [_well_conditioned(3, 3)], lambda a: np.linalg.inv(a.T),
         attrs={"adjoint": True}, tag="adjoint"),
    Case("MatrixDeterminant", [rand(2, 3, 3)], np.linalg.det),
    Case("LogMatrixDeterminant", [rand(3, 3, 3)], lambda a: tuple(np.linalg.slogdet(a))),
    Case("MatrixSolve", [_well_conditioned(3, 3), rand(3, 2)], np.linalg.solve,
         attrs={"adjoint": False}),
    Case("MatrixSolve", [_well_conditioned(2, 3, 3), rand(2, 3, 2)],
         lambda a, b: np.linalg.solve(np.swapaxes(a, -1, -2), b), attrs={"adjoint": True},
         tag="adjoint"),
    Case("MatrixSolveLs", [rand(5, 3), rand(5, 2)],
         lambda a, b: np.linalg.solve(a.T @ a + 0.1 * np.eye(3), a.T @ b),
         build=lambda a, b: [tf.matrix_solve_ls(a, b, l2_regularizer=0.1)], tag="deep",
         static_grad=_STATIC),
    Case("MatrixSolveLs", [rand(2, 5), rand(2, 1)],
         lambda a, b: a.T @ np.linalg.solve(a @ a.T + 0.1 * np.eye(2), b),
         build=lambda a, b: [tf.matrix_solve_ls(a, b, l2_regularizer=0.1)], tag="wide",
         static_grad=_STATIC),
    Case("MatrixSolveLs", [rand(5, 3), rand(5, 2)], lambda a, b: np.linalg.lstsq(a, b)[0],
         build=lambda a, b: [tf.matrix_solve_ls(a, b, fast=False)], tag="exact", wrt=()),
    Case("TridiagonalSolve", [_tridiagonal_input(), rand(4, 2)],
         lambda d, b: np.linalg.solve(_tridiagonal_dense(d), b),
         attrs={"partial_pivoting": True}),
    Case("TridiagonalSolve", [_tridiagonal_input((2,)), rand(2, 4, 3)],
         lambda d, b: np.linalg.solve(_tridiagonal_dense(d), b),
         attrs={"partial_pivoting": False}, tag="batch"),
    Case("TridiagonalMatMul", [rand(1, 4), rand(1, 4), rand(1, 4), rand(4, 2)],
         lambda s, m, u, b: _tridiagonal_dense(np.concatenate([s, m, u])) @ b),
    Case("TridiagonalMatMul", [rand(2, 1, 3), rand(2, 1, 3), rand(2, 1, 3), rand(2, 3, 2)],
         lambda s, m, u, b: _tridiagonal_dense(np.concatenate([s, m, u], -2)) @ b,
         tag="batch"),
    # matrix functions
    Case("MatrixSquareRoot", [_sqrtm_input()], lambda a: a, tag="square_of_root",
         build=lambda a: [tf.matrix_square_root(tf.matmul(a, a))]),
    Case("MatrixSquareRoot", [np.stack([_spd(3, 3), _sqrtm_input()])],
         lambda a: _sqrtm_check(a), tag="batch", ref_tol=(1e-8, 1e-10)),
    Case("MatrixExponential", [rand(3, 3) * 0.5], _expm_ref, ref_tol=(1e-9, 1e-11)),
    Case("MatrixExponential", [rand(2, 3, 3) * 4], _expm_ref, tag="scaled",
         ref_tol=(1e-9, 1e-9), tol=1e-4),
    # complex outputs are compared exactly: a diagonal input (full matrices: test_linalg.py)
    Case("MatrixLogarithm", [np.diag([1.5 + 0.5j, 2.0 - 1.0j, 0.5 + 0j])],
         lambda a: np.diag(np.log(np.diag(a)))),
    # einsum and cross
    Case("Einsum", [rand(2, 3), rand(3, 4)], lambda a, b: a @ b,
         attrs={"equation": "ij,jk->ik"}),
    Case("Einsum", [rand(2, 1, 3, 4), rand(5, 4, 2)], lambda a, b: a @ b, tag="broadcast",
         attrs={"equation": "...ij,...jk->...ik"}),
    Case("Einsum", [rand(3, 3)], lambda a: np.diag(a).copy(), attrs={"equation": "ii->i"},
         tag="diagonal"),
    Case("Einsum", [rand(2, 3)], lambda a: a.T.copy(), attrs={"equation": "ij->ji"},
         tag="transpose"),
    Case("Einsum", [rand(2, 3, 4)], lambda a: a.sum((0, 2)), attrs={"equation": "ijk->j"},
         tag="reduce"),
    Case("Einsum", [rand(2, 3, 4), rand(4, 5)], lambda a, b: np.einsum("ijk,kl->l", a, b),
         attrs={"equation": "ijk,kl->l"}, tag="summed_only_in_one"),
    Case("Einsum", [rand(3), rand(3)], lambda a, b: a @ b, attrs={"equation": "i,i->"},
         tag="dot"),
    Case("Einsum", [rand(3), rand(2)], np.outer, attrs={"equation": "i,j"}, tag="implicit"),
    Case("Einsum", [rand(2, 3, 3), rand(3)], lambda a, b: np.einsum("bii,i->b", a, b),
         attrs={"equation": "bii,i->b"}, tag="diagonal_product"),
    Case("Einsum", [rand(3, 2, 4), rand(4)], lambda a, b: np.einsum("i...j,j->...i", a, b),
         attrs={"equation": "i...j,j->...i"}, tag="inner_ellipsis"),
    Case("Einsum", [rand(3, 4), rand(2, 4)], lambda a, b: np.einsum("i...,...->i...", a, b),
         attrs={"equation": "i...,...->i..."}, tag="broadcast_inner_ellipsis",
         unknown_rank="an ellipsis between labels needs the operand's rank"),
    Case("Cross", [rand(2, 3), rand(2, 3)], np.cross),
]


def _sqrtm_check(a):
    """The principal square roots of the batch: of the SPD matrix through eigh, of the other
    through its known square (see the square_of_root row)."""
    e, v = np.linalg.eigh(a[0])
    first = (v * np.sqrt(e)) @ v.T
    w, vecs = np.linalg.eig(a[1])
    second = ((vecs * np.sqrt(w.astype(complex))) @ np.linalg.inv(vecs)).real
    return np.stack([first, second])

