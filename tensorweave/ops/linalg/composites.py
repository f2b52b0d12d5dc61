"""tf.linalg's functions TF itself composes from other ops: norm, tensordot, adjoint, logdet,
matvec, normalize, pinv, matrix_rank, the lu_* helpers, tridiagonal wrappers and
eigh_tridiagonal."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.ops import array, complex_ops, math_ops
from tensorweave.ops._common import one
from tensorweave.ops.linalg import matrix
from tensorweave.ops.linalg.decompositions import (cholesky, self_adjoint_eig,
                                                   self_adjoint_eigvals, svd)
from tensorweave.ops.linalg.einsum import einsum, fresh_labels
from tensorweave.ops.linalg.triangular import matrix_triangular_solve

_VECTOR_NORMS = ["euclidean", 1, 2, np.inf]
_MATRIX_NORMS = ["euclidean", "fro", 1, 2, np.inf]


# --- norm ------------------------------------------------------------------------------------
def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_norm_args(ord, axis):  # noqa: A002
    is_matrix_norm = isinstance(axis, (tuple, list)) and len(axis) == 2
    if is_matrix_norm:
        axis = tuple(axis)
        if not _is_int(axis[0]) or not _is_int(axis[1]) or axis[0] == axis[1]:
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique "
                             f"integers, got {axis}")
        if not any(ord == o and type(ord) is not bool for o in _MATRIX_NORMS):
            raise ValueError(f"'ord' must be a supported matrix norm in "
                             f"['euclidean', 'fro', 1, 2, inf], got {ord}")
        return True, axis
    if not (_is_int(axis) or axis is None):
        raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, "
                         f"got {axis}")
    numeric = isinstance(ord, (int, float, np.integer, np.floating)) and not isinstance(
        ord, bool)
    if (not numeric or ord <= 0) and ord not in _VECTOR_NORMS:
        raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
    return False, None if axis is None else (int(axis),)


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None,  # noqa: A002
         keep_dims=None):
    """Vector norms (axis None or an int; ord 'euclidean', 1, 2, np.inf or any p > 0) and
    matrix norms (axis a pair; ord 'euclidean'/'fro', 1, 2, np.inf), as TF's tf.norm."""
    if keepdims is not None and keep_dims is not None:
        raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'")
    keepdims = bool(keepdims if keepdims is not None else keep_dims)
    is_matrix_norm, axis = _check_norm_args(ord, axis)
    with name_scope(name, "norm", [tensor]):
        tensor = convert_to_tensor(tensor)
        if ord in ("fro", "euclidean", 2, 2.0) and not (is_matrix_norm and ord == 2):
            conjugate = complex_ops.conj(tensor) if tensor.dtype.is_complex else tensor
            result = math_ops.sqrt(math_ops.reduce_sum(tensor * conjugate, axis, keepdims=True))
        elif ord == 2:
            result = _matrix_two_norm(tensor, axis)
        else:
            result = math_ops.abs(tensor)
            if ord == 1:
                result = math_ops.reduce_sum(result, None if axis is None else axis[0],
                                             keepdims=True)
                if is_matrix_norm:
                    result = math_ops.reduce_max(result, axis[-1], keepdims=True)
            elif ord == np.inf:
                if is_matrix_norm:
                    result = math_ops.reduce_sum(result, axis[1], keepdims=True)
                result = math_ops.reduce_max(result, None if axis is None else axis[0],
                                             keepdims=True)
            else:
                power = convert_to_tensor(ord, dtype=tensor.dtype)
                result = math_ops.pow(math_ops.reduce_sum(math_ops.pow(result, power), axis,
                                                          keepdims=True), 1.0 / power)
        if not keepdims:
            result = array.squeeze(result, axis)
        return result


def _matrix_two_norm(tensor, axis):
    """The largest singular value over the axis pair, kept as two axes of size 1."""
    rank = tensor.shape.ndims
    if rank is None:
        raise ValueError("The matrix 2-norm needs a tensor of known rank")
    pair = [a % rank for a in axis]
    rest = [i for i in range(rank) if i not in pair]
    perm = rest + pair
    s = svd(array.transpose(tensor, perm), compute_uv=False)
    largest = array.expand_dims(math_ops.reduce_max(math_ops.abs(s), -1, keepdims=True), -1)
    return array.transpose(largest, [int(i) for i in np.argsort(perm)])


# --- tensordot -------------------------------------------------------------------------------
def _tensordot_axes(axes, rank_a, rank_b):
    if _is_int(axes) or (hasattr(axes, "ndim") and np.ndim(axes) == 0):
        n = int(axes)
        if n < 0:
            raise ValueError(f"'axes' must be at least 0, got {n}")
        if rank_a is not None and n > rank_a:
            raise ValueError(f"'axes' must not be larger than the number of dimensions of "
                             f"tensor a: {n} > {rank_a}")
        return n, None
    if len(axes) != 2:
        raise ValueError(f"'axes' must be an integer or have length 2, got {axes}")
    a_axes, b_axes = axes
    a_axes = [int(a_axes)] if _is_int(a_axes) else [int(i) for i in a_axes]
    b_axes = [int(b_axes)] if _is_int(b_axes) else [int(i) for i in b_axes]
    if len(a_axes) != len(b_axes):
        raise ValueError(f"Different number of contraction axes 'a' and 'b', "
                         f"{len(a_axes)} != {len(b_axes)}.")
    return a_axes, b_axes


def tensordot(a, b, axes, name=None):
    """Sums the products of a's and b's elements over the given axes (TF's tf.tensordot):
    axes an int N (a's last N with b's first N) or a pair of axis lists."""
    with name_scope(name, "Tensordot", [a, b, axes]) as scope:
        a = convert_to_tensor(a)
        b = convert_to_tensor(b, dtype=a.dtype)
        rank_a, rank_b = a.shape.ndims, b.shape.ndims
        a_axes, b_axes = _tensordot_axes(axes, rank_a, rank_b)
        if rank_a is None or rank_b is None:
            if b_axes is not None:
                raise ValueError("tensordot with axis lists needs inputs of known rank")
            return _tensordot_flat(a, b, a_axes, scope)
        if b_axes is None:
            a_axes, b_axes = list(range(rank_a - a_axes, rank_a)), list(range(a_axes))
        a_axes = [i % rank_a if rank_a else i for i in a_axes]
        b_axes = [i % rank_b if rank_b else i for i in b_axes]
        labels = fresh_labels(set(), rank_a + rank_b)
        a_labels, b_labels = labels[:rank_a], labels[rank_a:]
        for i, j in zip(a_axes, b_axes):
            b_labels[j] = a_labels[i]
        out = [c for k, c in enumerate(a_labels) if k not in a_axes] + [
            c for k, c in enumerate(b_labels) if k not in b_axes]
        return einsum("".join(a_labels) + "," + "".join(b_labels) + "->" + "".join(out), a, b,
                      name=scope)


def _tensordot_flat(a, b, n, scope):
    """a's last n axes with b's first n, for inputs of unknown rank: reshape and matmul."""
    shape_a, shape_b = array.shape(a), array.shape(b)
    rank_a = array.rank(a)
    free_a, inner = shape_a[:rank_a - n], shape_a[rank_a - n:]
    free_b = shape_b[n:]
    size = math_ops.reduce_prod(inner)
    flat_a = array.reshape(a, array.stack([-1, size]))
    flat_b = array.reshape(b, array.stack([size, -1]))
    product = math_ops.matmul(flat_a, flat_b)
    return array.reshape(product, array.concat([free_a, free_b], 0), name=scope)


# --- small matrix functions ------------------------------------------------------------------
def adjoint(matrix_, name=None):
    """The (conjugate) transposes of the last two axes."""
    with name_scope(name, "adjoint", [matrix_]):
        return matrix.adjoint_of(convert_to_tensor(matrix_))


def logdet(matrix_, name=None):
    """log(det(matrix)) of Hermitian positive definite matrices, through Cholesky."""
    with name_scope(name, "logdet", [matrix_]):
        chol = cholesky(matrix_)
        return 2.0 * math_ops.reduce_sum(math_ops.log(matrix.diag_part(chol)), axis=[-1])


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None):
    """a @ b for matrices a and vectors b (batched)."""
    with name_scope(name, "MatVec", [a, b]):
        a = convert_to_tensor(a)
        b = convert_to_tensor(b, dtype=a.dtype)
        product = math_ops.matmul(a, array.expand_dims(b, -1),
                                  transpose_a=transpose_a or adjoint_a)
        return array.squeeze(product, [-1])


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002
    """(tensor / its norm, the norm), the norm with keepdims."""
    with name_scope(name, "normalize", [tensor]):
        tensor = convert_to_tensor(tensor)
        size = norm(tensor, ord=ord, axis=axis, keepdims=True)
        size = array.cast(size, tensor.dtype)
        return math_ops.truediv(tensor, size), size


def pinv(a, rcond=None, validate_args=False, name=None):
    """The Moore-Penrose pseudo-inverses, through the SVD; singular values at or below
    rcond * the largest count as zero (rcond: 10 * max(rows, cols) * eps by default)."""
    with name_scope(name, "pinv", [a, rcond]):
        a = convert_to_tensor(a)
        numpy_dtype = a.dtype.as_numpy_dtype
        if rcond is None:
            rows, cols = matrix.last_dim(a, -2), matrix.last_dim(a, -1)
            eps = float(np.finfo(numpy_dtype).eps)
            if isinstance(rows, int) and isinstance(cols, int):
                rcond = 10.0 * max(rows, cols) * eps
            else:
                rcond = 10.0 * eps * array.cast(math_ops.maximum(rows, cols), a.dtype)
        rcond = convert_to_tensor(rcond, dtype=a.dtype)
        s, u, v = svd(a, full_matrices=False, compute_uv=True)
        cutoff = rcond * math_ops.reduce_max(s, axis=-1)
        s = array.where(s > array.expand_dims(cutoff, -1), s,
                        array.fill(array.shape(s), np.array(np.inf, numpy_dtype)))
        result = math_ops.matmul(v / array.expand_dims(s, -2), u, transpose_b=True)
        if a.shape.ndims is not None:
            dims = a.shape.as_list()
            result.set_shape(dims[:-2] + [dims[-1], dims[-2]])
        return result


def matrix_rank(a, tol=None, validate_args=False, name=None):
    """The number of singular values above tol (eps * max(rows, cols) * the largest by
    default), as int32."""
    with name_scope(name, "matrix_rank", [a, tol]):
        a = convert_to_tensor(a)
        s = svd(a, compute_uv=False)
        if tol is None:
            rows, cols = matrix.last_dim(a, -2), matrix.last_dim(a, -1)
            size = max(rows, cols) if isinstance(rows, int) and isinstance(cols, int) else \
                math_ops.maximum(rows, cols)
            eps = float(np.finfo(a.dtype.as_numpy_dtype).eps)
            tol = eps * array.cast(size, a.dtype) * math_ops.reduce_max(s, axis=-1,
                                                                        keepdims=True)
        else:
            tol = convert_to_tensor(tol, dtype=a.dtype)
        return math_ops.reduce_sum(array.cast(s > tol, dtypes.int32), axis=-1)


# --- LU helpers ------------------------------------------------------------------------------
def _lu_factors(lower_upper):
    eye = matrix.eye_like(lower_upper)
    lower = matrix.lower_part(lower_upper) * (1 - eye) + eye
    return lower, matrix.upper_part(lower_upper)


def _permutation_matrix(perm, n, dtype):
    """P with P @ x = x[..., perm, :]."""
    return array.one_hot(perm, n, dtype=dtype)


def lu_reconstruct(lower_upper, perm, validate_args=False, name=None):
    """The matrices whose tf.linalg.lu is (lower_upper, perm)."""
    with name_scope(name, "lu_reconstruct", [lower_upper, perm]):
        lower_upper = convert_to_tensor(lower_upper)
        lower, upper = _lu_factors(lower_upper)
        p = _permutation_matrix(perm, matrix.last_dim(lower_upper), lower_upper.dtype)
        return math_ops.matmul(p, math_ops.matmul(lower, upper), transpose_a=True)


def lu_solve(lower_upper, perm, rhs, validate_args=False, name=None):
    """x with A @ x = rhs, given (lower_upper, perm) = tf.linalg.lu(A)."""
    with name_scope(name, "lu_solve", [lower_upper, perm, rhs]):
        lower_upper = convert_to_tensor(lower_upper)
        rhs = convert_to_tensor(rhs, dtype=lower_upper.dtype)
        lower, upper = _lu_factors(lower_upper)
        p = _permutation_matrix(perm, matrix.last_dim(lower_upper), lower_upper.dtype)
        y = matrix_triangular_solve(lower, math_ops.matmul(p, rhs), lower=True)
        return matrix_triangular_solve(upper, y, lower=False)


def lu_matrix_inverse(lower_upper, perm, validate_args=False, name=None):
    """The inverses of the matrices whose tf.linalg.lu is (lower_upper, perm)."""
    with name_scope(name, "lu_matrix_inverse", [lower_upper, perm]):
        lower_upper = convert_to_tensor(lower_upper)
        lower, upper = _lu_factors(lower_upper)
        p = _permutation_matrix(perm, matrix.last_dim(lower_upper), lower_upper.dtype)
        y = matrix_triangular_solve(lower, p, lower=True)
        return matrix_triangular_solve(upper, y, lower=False)


# --- tridiagonal matrices --------------------------------------------------------------------
def _diagonals_of(x):
    """(superdiag, maindiag, subdiag) [..., M] of matrices x [..., M, M], padded as TF's
    compact form (super's last and sub's first entries zero)."""
    zero = array.zeros_like(x[..., :1, 0])
    superdiag = array.concat([matrix.diag_part(x[..., :-1, 1:]), zero], axis=-1)
    subdiag = array.concat([zero, matrix.diag_part(x[..., 1:, :-1])], axis=-1)
    return superdiag, matrix.diag_part(x), subdiag


def _three_diagonals(diagonals, diagonals_format):
    if diagonals_format == "compact":
        diagonals = convert_to_tensor(diagonals)
        return diagonals[..., 0, :], diagonals[..., 1, :], diagonals[..., 2, :]
    if diagonals_format == "sequence":
        if not isinstance(diagonals, (list, tuple)) or len(diagonals) != 3:
            raise ValueError("Expected diagonals to be a sequence of length 3.")
        first = convert_to_tensor(diagonals[0])
        return tuple([first] + [convert_to_tensor(d, dtype=first.dtype)
                                for d in diagonals[1:]])
    if diagonals_format == "matrix":
        return _diagonals_of(convert_to_tensor(diagonals))
    raise ValueError(f"Unrecognized diagonals_format: {diagonals_format}")


def tridiagonal_solve(diagonals, rhs, diagonals_format="compact", transpose_rhs=False,
                      conjugate_rhs=False, name=None, partial_pivoting=True):
    """x with A @ x = rhs for tridiagonal A given by its diagonals: 'compact' [..., 3, M]
    (super, main, sub), 'sequence' (three [..., M]) or 'matrix' [..., M, M]."""
    with name_scope(name, "tridiagonal_solve", [diagonals, rhs]):
        superdiag, maindiag, subdiag = _three_diagonals(diagonals, diagonals_format)
        compact = array.stack([superdiag, maindiag, subdiag], axis=-2)
        rhs = convert_to_tensor(rhs, dtype=compact.dtype)
        vector = rhs.shape.ndims is not None and compact.shape.ndims is not None and \
            rhs.shape.ndims == compact.shape.ndims - 1
        if transpose_rhs and not vector:
            rhs = matrix.swap_last(rhs)
        if vector:
            rhs = array.expand_dims(rhs, -1)
        x = one(create_op("TridiagonalSolve", [compact, rhs], name="TridiagonalSolve",
                          partial_pivoting=bool(partial_pivoting)))
        return array.squeeze(x, [-1]) if vector else x


def tridiagonal_matmul(diagonals, rhs, diagonals_format="compact", name=None):
    """A @ rhs for tridiagonal A given by its diagonals (formats as tridiagonal_solve)."""
    with name_scope(name, "tridiagonal_matmul", [diagonals, rhs]):
        parts = _three_diagonals(diagonals, diagonals_format)
        rhs = convert_to_tensor(rhs, dtype=parts[0].dtype)
        rows = [array.expand_dims(d, -2) for d in parts]
        return one(create_op("TridiagonalMatMul", rows + [rhs], name="TridiagonalMatMul"))


def eigh_tridiagonal(alpha, beta, eigvals_only=True, select="a", select_range=None, tol=None,
                     name=None):
    """Eigenvalues (ascending; and eigenvectors with eigvals_only=False) of the real
    symmetric tridiagonal matrix with diagonal alpha [n] and off-diagonal beta [n - 1].
    select 'a' (all), 'i' (indices select_range[0]..select_range[1]) or 'v' (values in
    (select_range[0], select_range[1]])."""
    with name_scope(name, "eigh_tridiagonal", [alpha, beta]):
        alpha = convert_to_tensor(alpha)
        beta = convert_to_tensor(beta, dtype=alpha.dtype)
        if alpha.shape.ndims not in (None, 1) or beta.shape.ndims not in (None, 1):
            raise ValueError("eigh_tridiagonal requires vectors alpha and beta")
        off = matrix.diag_matrix(beta)
        dense = (matrix.diag_matrix(alpha) + array.pad(off, [[0, 1], [1, 0]]) +
                 array.pad(off, [[1, 0], [0, 1]]))
        if eigvals_only:
            values, vectors = self_adjoint_eigvals(dense), None
        else:
            values, vectors = self_adjoint_eig(dense)
        if select == "a":
            pass
        elif select == "i":
            lo, hi = select_range
            values = values[lo:hi + 1]
            vectors = None if vectors is None else vectors[:, lo:hi + 1]
        elif select == "v":
            lo, hi = (convert_to_tensor(v, dtype=alpha.dtype) for v in select_range)
            keep = math_ops.logical_and(values > lo, values <= hi)
            index = array.reshape(array.where(keep), [-1])
            values = array.gather(values, index)
            vectors = None if vectors is None else array.gather(vectors, index, axis=1)
        else:
            raise ValueError(f"select must be one of 'a', 'v' or 'i', got {select!r}")
        return values if eigvals_only else (values, vectors)
