"""Matrix functions: MatrixSquareRoot, MatrixExponential, MatrixLogarithm."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import register_op
from tensorweave.ops import array
from tensorweave.ops._common import one
from tensorweave.ops.linalg import checks, matrix
from tensorweave.ops.linalg.einsum import einsum
from tensorweave.ops.linalg.solvers import matrix_solve

_WELL_CONDITIONED = 1e10


def _each_matrix(x, fn, dtype):
    """fn applied to every matrix of the batch x [..., n, n], computed in double precision."""
    flat = x.reshape((-1,) + x.shape[-2:]).astype(np.result_type(x.dtype, np.float64))
    out = np.empty(flat.shape, np.result_type(flat.dtype, dtype))
    for i, a in enumerate(flat):
        out[i] = fn(a)
    return out.reshape(x.shape)


def _by_eigenvectors(a, fn):
    """V fn(w) V^-1 when a = V diag(w) V^-1 with well conditioned V, else None."""
    w, v = np.linalg.eig(a)
    if not np.all(np.isfinite(v)) or np.linalg.cond(v) > _WELL_CONDITIONED:
        return None
    return (v * fn(w.astype(complex))) @ np.linalg.inv(v)


# --- MatrixSquareRoot ------------------------------------------------------------------------
def _denman_beavers(a, steps=100):
    """The principal square root by Denman-Beavers iteration (NaN where it fails)."""
    y, z = a.astype(complex), np.eye(a.shape[-1], dtype=complex)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            try:
                y_inverse, z_inverse = np.linalg.inv(y), np.linalg.inv(z)
            except np.linalg.LinAlgError:
                return np.full(a.shape, np.nan, complex)
            y_next, z = 0.5 * (y + z_inverse), 0.5 * (z + y_inverse)
            if np.allclose(y_next, y, rtol=1e-15, atol=1e-300):
                return y_next
            y = y_next
    return y


def _sqrtm_one(a):
    root = _by_eigenvectors(a, np.sqrt)
    if root is None:
        root = _denman_beavers(a)
    if not np.iscomplexobj(a):  # a real matrix with a negative eigenvalue: NaN, as TF
        if np.max(np.abs(root.imag), initial=0) > 1e-8 * max(1.0, np.max(np.abs(root))):
            return np.full(a.shape, np.nan)
        return root.real
    return root


def _sqrtm_shape(x):
    checks.check_dtype("MatrixSquareRoot", x)
    return [(x.dtype, checks.square_shape("MatrixSquareRoot", x))]


def _sqrtm_kernel(x):
    return _each_matrix(x, _sqrtm_one, x.dtype).astype(x.dtype, copy=False)


def _flat_matrices(x, rows, cols):
    """x reshaped to [-1, rows, cols] (rows and cols ints or scalar tensors)."""
    if isinstance(rows, int) and isinstance(cols, int):
        return array.reshape(x, [-1, rows, cols])
    return array.reshape(x, array.stack([-1, rows, cols]))


def _sqrtm_grad(op, dy):
    """a's gradient X solves b^T X + X b^T = dy for b = sqrtm(a): a linear system in the n*n
    entries of X (Kronecker sums), as TF solves it."""
    b = op.outputs[0]
    eye = matrix.eye_like(b)
    kron = einsum("...ki,jl->...ijkl", b, eye) + einsum("ik,...jl->...ijkl", eye, b)
    n = matrix.last_dim(b)
    nn = n * n
    x = matrix_solve(_flat_matrices(kron, nn, nn), _flat_matrices(dy, nn, 1))
    return [array.reshape(x, array.shape(dy))]


register_op("MatrixSquareRoot", shape=_sqrtm_shape, kernel=_sqrtm_kernel, grad=_sqrtm_grad)


def matrix_square_root(input, name=None):  # noqa: A002
    """The principal square roots of (batches of) square matrices."""
    return one(create_op("MatrixSquareRoot", [convert_to_tensor(input)],
                         name=name or "MatrixSquareRoot"))


# --- MatrixExponential -----------------------------------------------------------------------
_PADE_13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
            1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
            33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA_13 = 5.371920351148152


def _expm_one(a):
    """Scaling and squaring with the degree 13 Pade approximant (Higham 2005)."""
    norm = np.linalg.norm(a, 1)
    if not np.isfinite(norm):
        return np.full(a.shape, np.nan, a.dtype)
    squarings = max(0, int(np.ceil(np.log2(norm / _THETA_13)))) if norm > 0 else 0
    a = a / 2.0 ** squarings
    b = _PADE_13
    eye = np.eye(a.shape[-1], dtype=a.dtype)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 +
             b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + \
        b[0] * eye
    result = np.linalg.solve(v - u, v + u)
    for _ in range(squarings):
        result = result @ result
    return result


def _expm_shape(x):
    checks.check_dtype("MatrixExponential", x)
    return [(x.dtype, checks.square_shape("MatrixExponential", x))]


def _expm_kernel(x):
    return _each_matrix(x, _expm_one, x.dtype).astype(x.dtype, copy=False)


def _expm_grad(op, dy):
    """The upper right block of expm([[a^T, dy], [0, a^T]])."""
    a = op.inputs[0]
    at = matrix.swap_last(a)
    top = array.concat([at, dy], axis=-1)
    bottom = array.concat([array.zeros_like(at), at], axis=-1)
    big = matrix_exponential(array.concat([top, bottom], axis=-2))
    n = matrix.last_dim(a)
    return [big[..., :n, n:]]


register_op("MatrixExponential", shape=_expm_shape, kernel=_expm_kernel, grad=_expm_grad)


def matrix_exponential(input, name=None):  # noqa: A002
    """exp of (batches of) square matrices (tf.linalg.expm)."""
    return one(create_op("MatrixExponential", [convert_to_tensor(input)],
                         name=name or "MatrixExponential"))


# --- MatrixLogarithm -------------------------------------------------------------------------
def _logm_shape(x):
    checks.check_dtype("MatrixLogarithm", x, (dtypes.complex64, dtypes.complex128))
    return [(x.dtype, checks.square_shape("MatrixLogarithm", x))]


def _logm_one(a):
    out = _by_eigenvectors(a, np.log)
    if out is None:  # defective: log of the square root, doubled, until near identity
        root, doublings = a, 0
        while np.linalg.norm(root - np.eye(a.shape[-1]), 1) > 0.25 and doublings < 60:
            root, doublings = _denman_beavers(root), doublings + 1
        out = _log_near_identity(root) * 2.0 ** doublings
    return out


def _log_near_identity(a, terms=60):
    """log(a) for a near the identity: the series of log(1 + x)."""
    x = a - np.eye(a.shape[-1])
    total, power = np.zeros_like(x), np.eye(a.shape[-1], dtype=x.dtype)
    for k in range(1, terms + 1):
        power = power @ x
        total += ((-1) ** (k + 1) / k) * power
    return total


def _logm_kernel(x):
    return _each_matrix(x, _logm_one, x.dtype).astype(x.dtype, copy=False)


register_op("MatrixLogarithm", shape=_logm_shape, kernel=_logm_kernel, grad=None)


def matrix_logarithm(input, name=None):  # noqa: A002
    """The principal logarithms of (batches of) complex square matrices (tf.linalg.logm)."""
    return one(create_op("MatrixLogarithm", [convert_to_tensor(input)],
                         name=name or "MatrixLogarithm"))
