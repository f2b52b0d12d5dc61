"""Matrix helpers the linear algebra gradients and composites build with: the last two axes
swapped, identities, triangles and diagonals of (batches of) matrices of any rank."""
import numpy as np

from tensorweave.core.constants import convert_to_tensor
from tensorweave.ops import array, complex_ops, math_ops
from tensorweave.ops.linalg.einsum import einsum, eye_of_size


def last_dim(x, axis=-1):
    """The size of x's `axis` as an int when static, else a scalar int32 tensor."""
    dims = x.shape.as_tuple()
    if dims is not None and len(dims) >= -axis and dims[axis] is not None:
        return dims[axis]
    return array.shape(x)[axis]


def swap_last(x):
    """x with its last two axes swapped (TF's matrix_transpose)."""
    x = convert_to_tensor(x)
    rank = x.shape.ndims
    if rank is None:
        return einsum("...ij->...ji", x)
    perm = list(range(rank - 2)) + [rank - 1, rank - 2]
    return array.transpose(x, perm)


def adjoint_of(x):
    """The conjugate transposes of x's matrices (the transposes for real x)."""
    x = swap_last(x)
    return complex_ops.conj(x) if x.dtype.is_complex else x


def eye_like(x, axis=-1):
    """The identity whose size is x's `axis`, in x's dtype."""
    return eye_of_size(last_dim(x, axis), x.dtype)


def triangle_mask(x, lower):
    """Ones on and below (lower) or above the diagonal of x's matrices, zeros elsewhere."""
    rows, cols = last_dim(x, -2), last_dim(x, -1)
    if isinstance(rows, int) and isinstance(cols, int):
        ones = np.ones((rows, cols), x.dtype.as_numpy_dtype)
        return convert_to_tensor(np.tril(ones) if lower else np.triu(ones))
    i = array.expand_dims(array.range_(rows), 1)
    j = array.expand_dims(array.range_(cols), 0)
    keep = (i >= j) if lower else (i <= j)
    return array.cast(keep, x.dtype)


def lower_part(x):
    return x * triangle_mask(x, True)


def upper_part(x):
    return x * triangle_mask(x, False)


def diag_part(x):
    """The main diagonals of x's square matrices."""
    return einsum("...ii->...i", x)


def diag_matrix(d):
    """Square matrices with the vectors `d` on their diagonals."""
    d = convert_to_tensor(d)
    return einsum("...i,ij->...ij", d, eye_like(d))


def scale_diag(x, factor):
    """x with its diagonal multiplied by `factor` (a Python number)."""
    return x - (1.0 - factor) * x * eye_like(x)


def symmetrize(x):
    return x + swap_last(x)


def shift_matrix(like, offset):
    """Ones on the diagonal `offset` (1: just above the main one) of a matrix the size of
    `like`'s last axis, zeros elsewhere: diag_matrix(d) @ shift_matrix(d, 1) puts d[i] at
    [i, i + 1]."""
    n = last_dim(like)
    if isinstance(n, int):
        return convert_to_tensor(np.eye(n, k=offset, dtype=like.dtype.as_numpy_dtype))
    i = array.expand_dims(array.range_(n), 1)
    j = array.expand_dims(array.range_(n), 0)
    return array.cast(math_ops.equal(j - i, offset), like.dtype)


def tridiagonal_matrix(superdiag, maindiag, subdiag):
    """Tridiagonal matrices from three diagonals [..., N] (superdiag's last and subdiag's
    first entries unused)."""
    return (diag_matrix(maindiag) + math_ops.matmul(diag_matrix(superdiag),
                                                    shift_matrix(superdiag, 1)) +
            math_ops.matmul(diag_matrix(subdiag), shift_matrix(subdiag, -1)))
