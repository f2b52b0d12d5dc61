"""Diagonals and bands: Diag, DiagPart, MatrixDiag, MatrixDiagPart, MatrixSetDiag,
MatrixBandPart; tf.eye, tf.trace and tf.matrix_transpose composed of them; LinSpace."""
import numbers

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor, known_values
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import math_ops
from tensorweave.ops._common import one
from tensorweave.ops.array.construct import ones, stacked_ints, zeros, zeros_like
from tensorweave.ops.array.join import concat
from tensorweave.ops.array.shapes import rank, transpose
from tensorweave.ops.array.index import range_


def _at_least(op_type, x, n, what="input"):
    if x.shape.ndims is not None and x.shape.ndims < n:
        raise ValueError(f"{op_type} requires {what} of rank >= {n}, got shape {x.shape}")


def _equal_dims(op_type, a, b, shape):
    if a is not None and b is not None and a != b:
        raise ValueError(f"{op_type}: Dimensions must be equal, but are {a} and {b} for input "
                         f"shape {shape}")


# --- Diag and DiagPart ------------------------------------------------------------------------
def _diag_shape(diagonal):
    _at_least("Diag", diagonal, 1, "diagonal")
    if diagonal.shape.ndims is None:
        return [(diagonal.dtype, unknown_shape())]
    return [(diagonal.dtype, diagonal.shape.concatenate(diagonal.shape))]


def _diag_kernel(diagonal):
    if diagonal.ndim < 1:
        raise ValueError(f"Input must be at least rank 1, got {diagonal.ndim}")
    return np.diag(diagonal.reshape(-1)).reshape(diagonal.shape * 2)


def _diag_grad(op, dy):
    return [diag_part(dy)]


register_op("Diag", shape=_diag_shape, kernel=_diag_kernel, grad=_diag_grad)


def _diag_part_shape(x):
    ndims = x.shape.ndims
    if ndims is None:
        return [(x.dtype, unknown_shape())]
    if ndims == 0 or ndims % 2:
        raise ValueError(f"DiagPart requires an input of even, non-zero rank, got shape "
                         f"{x.shape}")
    dims = x.shape.as_tuple()
    half = ndims // 2
    out = []
    for a, b in zip(dims[:half], dims[half:]):
        _equal_dims("DiagPart", a, b, x.shape)
        out.append(a if a is not None else b)
    return [(x.dtype, TensorShape(out))]


def _diag_part_kernel(x):
    half = x.ndim // 2
    if x.ndim == 0 or x.ndim % 2 or x.shape[:half] != x.shape[half:]:
        raise ValueError(f"DiagPart requires an input of shape [D1, .., Dk, D1, .., Dk], got "
                         f"{list(x.shape)}")
    n = int(np.prod(x.shape[:half]))
    return np.diagonal(x.reshape(n, n)).reshape(x.shape[:half]).copy()


def _diag_part_grad(op, dy):
    return [diag(dy)]


register_op("DiagPart", shape=_diag_part_shape, kernel=_diag_part_kernel, grad=_diag_part_grad)


def diag(diagonal, name=None):
    """A tensor of shape [D1..Dk, D1..Dk] with `diagonal` [D1..Dk] on its diagonal.

    >>> tf.diag([1, 2])  # [[1, 0], [0, 2]]
    """
    return one(create_op("Diag", [convert_to_tensor(diagonal)], name=name or "Diag"))


def diag_part(input, name=None):  # noqa: A002 - TF's argument name
    """The diagonal of a tensor of shape [D1..Dk, D1..Dk] (the inverse of tf.diag)."""
    return one(create_op("DiagPart", [convert_to_tensor(input)], name=name or "DiagPart"))


# --- MatrixDiag, MatrixDiagPart, MatrixSetDiag --------------------------------------------------
def _matrix_diag_shape(diagonal):
    _at_least("MatrixDiag", diagonal, 1, "diagonal")
    if diagonal.shape.ndims is None:
        return [(diagonal.dtype, unknown_shape())]
    return [(diagonal.dtype, diagonal.shape.concatenate([diagonal.shape[-1].value]))]


def _matrix_diag_kernel(diagonal):
    if diagonal.ndim < 1:
        raise ValueError(f"diagonal must be at least 1-dim, got shape {list(diagonal.shape)}")
    n = diagonal.shape[-1]
    out = np.zeros(diagonal.shape + (n,), dtype=diagonal.dtype)
    out[..., np.arange(n), np.arange(n)] = diagonal
    return out


def _matrix_diag_grad(op, dy):
    return [matrix_diag_part(dy)]


register_op("MatrixDiag", shape=_matrix_diag_shape, kernel=_matrix_diag_kernel,
            grad=_matrix_diag_grad)


def _diagonal_length(rows, cols):
    if rows is not None and cols is not None:
        return min(rows, cols)
    return 0 if 0 in (rows, cols) else None


def _matrix_diag_part_shape(x):
    _at_least("MatrixDiagPart", x, 2)
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape())]
    dims = x.shape.as_tuple()
    return [(x.dtype, TensorShape(dims[:-2] + (_diagonal_length(*dims[-2:]),)))]


def _matrix_diag_part_kernel(x):
    if x.ndim < 2:
        raise ValueError(f"input must be at least 2-dim, got shape {list(x.shape)}")
    return np.diagonal(x, axis1=-2, axis2=-1).copy()


def _matrix_diag_part_grad(op, dy):
    return [matrix_set_diag(zeros_like(op.inputs[0]), dy)]


register_op("MatrixDiagPart", shape=_matrix_diag_part_shape, kernel=_matrix_diag_part_kernel,
            grad=_matrix_diag_part_grad)


def _matrix_set_diag_shape(x, diagonal):
    if x.dtype is not diagonal.dtype:
        raise TypeError(f"MatrixSetDiag requires input and diagonal of one dtype, got "
                        f"{x.dtype.name} and {diagonal.dtype.name}")
    _at_least("MatrixSetDiag", x, 2)
    _at_least("MatrixSetDiag", diagonal, 1, "diagonal")
    if x.shape.ndims is None or diagonal.shape.ndims is None:
        return [(x.dtype, x.shape)]
    if diagonal.shape.ndims != x.shape.ndims - 1:
        raise ValueError(f"MatrixSetDiag requires a diagonal of rank {x.shape.ndims - 1} for "
                         f"input shape {x.shape}, got shape {diagonal.shape}")
    dims = x.shape.as_tuple()
    expected = TensorShape(dims[:-2] + (_diagonal_length(*dims[-2:]),))
    if not expected.is_compatible_with(diagonal.shape):
        raise ValueError(f"MatrixSetDiag requires a diagonal of shape {expected} for input "
                         f"shape {x.shape}, got {diagonal.shape}")
    batch = TensorShape(dims[:-2]).merge_with(diagonal.shape[:-1])
    return [(x.dtype, batch.concatenate(dims[-2:]))]


def _matrix_set_diag_kernel(x, diagonal):
    n = min(x.shape[-2:]) if x.ndim >= 2 else None
    if x.ndim < 2 or diagonal.shape != x.shape[:-2] + (n,):
        raise ValueError(f"Either first dimensions of diagonal don't match input.shape[:-1], "
                         f"or diagonal.shape[:-1] is not equal to the diagonal's length: input "
                         f"shape {list(x.shape)}, diagonal shape {list(diagonal.shape)}")
    out = x.copy()
    out[..., np.arange(n), np.arange(n)] = diagonal
    return out


def _matrix_set_diag_grad(op, dy):
    return [matrix_set_diag(dy, zeros_like(op.inputs[1])), matrix_diag_part(dy)]


register_op("MatrixSetDiag", shape=_matrix_set_diag_shape, kernel=_matrix_set_diag_kernel,
            grad=_matrix_set_diag_grad)


def _v1_only(k, extra):
    """TF 1.15 builds the first versions of the matrix diagonal ops, which know only the main
    diagonal."""
    if isinstance(k, Tensor) or np.any(np.asarray(k) != 0) or any(extra):
        raise ValueError("tensorweave's matrix diagonal ops take the main diagonal only (k=0, "
                         "num_rows=-1, num_cols=-1, padding_value=0), as TF 1.15's MatrixDiag, "
                         "MatrixDiagPart and MatrixSetDiag do")


def matrix_diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0):
    """Batched diagonal matrices [..., N, N] with `diagonal` [..., N] on their diagonals."""
    _v1_only(k, [num_rows != -1, num_cols != -1, padding_value != 0])
    return one(create_op("MatrixDiag", [convert_to_tensor(diagonal)], name=name))


def matrix_diag_part(input, name="diag_part", k=0, padding_value=0):  # noqa: A002
    """The main diagonals [..., min(M, N)] of batched matrices [..., M, N]."""
    _v1_only(k, [padding_value != 0])
    return one(create_op("MatrixDiagPart", [convert_to_tensor(input)], name=name))


def matrix_set_diag(input, diagonal, name="set_diag", k=0):  # noqa: A002
    """Batched matrices `input` with their main diagonals replaced by `diagonal`."""
    _v1_only(k, [])
    x = convert_to_tensor(input)
    return one(create_op("MatrixSetDiag", [x, convert_to_tensor(diagonal, dtype=x.dtype)],
                          name=name))


# --- MatrixBandPart -----------------------------------------------------------------------------
def _scalar_entry(t):
    values = known_values(t)
    return None if values is None or isinstance(values, list) else int(values)


def _band_shape(x, num_lower, num_upper):
    _at_least("MatrixBandPart", x, 2)
    for what, t in (("num_lower", num_lower), ("num_upper", num_upper)):
        if not t.dtype.is_integer or t.shape.ndims not in (None, 0):
            raise ValueError(f"MatrixBandPart requires {what} to be an int scalar, got "
                             f"{t.dtype.name} of shape {t.shape}")
    if x.shape.ndims is not None:
        rows, cols = x.shape.as_tuple()[-2:]
        for what, t, size, side in (("num_lower", num_lower, rows, "rows"),
                                    ("num_upper", num_upper, cols, "columns")):
            value = _scalar_entry(t)
            if value is not None and size is not None and value > size:
                raise ValueError(f"MatrixBandPart: {what} must be negative or less or equal "
                                 f"to number of {side} ({size}) got: {value}")
    return [(x.dtype, x.shape)]


def _band_kernel(x, num_lower, num_upper):
    if x.ndim < 2:
        raise ValueError(f"input must be at least 2-dim, received shape: {list(x.shape)}")
    rows, cols = x.shape[-2:]
    lower, upper = int(num_lower), int(num_upper)
    if lower > rows:
        raise ValueError(f"num_lower must be negative or less or equal to number of rows "
                         f"({rows}) got: {lower}")
    if upper > cols:
        raise ValueError(f"num_upper must be negative or less or equal to number of columns "
                         f"({cols}) got: {upper}")
    offset = np.arange(cols)[None, :] - np.arange(rows)[:, None]  # j - i
    keep = ((lower < 0) | (-offset <= lower)) & ((upper < 0) | (offset <= upper))
    return np.where(keep, x, np.zeros((), x.dtype))


def _band_grad(op, dy):
    return [matrix_band_part(dy, op.inputs[1], op.inputs[2]), None, None]


register_op("MatrixBandPart", shape=_band_shape, kernel=_band_kernel, grad=_band_grad)


def matrix_band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    """Batched matrices with everything outside a band zeroed: `num_lower` subdiagonals and
    `num_upper` superdiagonals are kept (negative: all of them).

    >>> tf.matrix_band_part(x, -1, 0)  # the lower triangle
    """
    x = convert_to_tensor(input)
    bounds = [b if isinstance(b, Tensor) else convert_to_tensor(b, dtype=dtypes.int64)
              for b in (num_lower, num_upper)]
    return one(create_op("MatrixBandPart", [x] + bounds, name=name or "MatrixBandPart"))


# --- composites: eye, trace, matrix_transpose ---------------------------------------------------
def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32, name=None):
    """Identity matrices [*batch_shape, num_rows, num_columns] (square by default)."""
    with name_scope(name, "eye"):
        square = num_columns is None
        num_columns = num_rows if num_columns is None else num_columns
        batch_shape = [] if batch_shape is None else batch_shape
        run_time = [v for v in (num_rows, num_columns) if isinstance(v, Tensor)]
        if run_time:
            size = math_ops.minimum(num_rows, num_columns)
        else:
            if not isinstance(num_rows, numbers.Integral) or \
                    not isinstance(num_columns, numbers.Integral):
                raise TypeError("num_rows and num_columns must be positive integer values.")
            square = num_rows == num_columns
            size = int(min(num_rows, num_columns))
        if isinstance(batch_shape, Tensor) or run_time:
            batch = convert_to_tensor(batch_shape, dtype=dtypes.int32)
            diag_shape = concat([batch, stacked_ints([size])], 0)
            full_shape = None if square else concat(
                [batch, stacked_ints([num_rows, num_columns])], 0)
        else:
            batch = [int(d) for d in batch_shape]
            diag_shape = batch + [size]
            full_shape = None if square else batch + [int(num_rows), int(num_columns)]
        ones_ = ones(diag_shape, dtype=dtype)
        if square:
            return matrix_diag(ones_)
        return matrix_set_diag(zeros(full_shape, dtype=dtype), ones_)


def trace(x, name=None):
    """The sums of the main diagonals of batched matrices x [..., M, N]."""
    with name_scope(name, "Trace") as scope:
        x = convert_to_tensor(x)
        return math_ops.reduce_sum(matrix_diag_part(x), axis=[-1], name=scope)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Batched matrices a [..., M, N] transposed to [..., N, M] (conjugated if asked)."""
    with name_scope(name, "matrix_transpose"):
        a = convert_to_tensor(a)
        if conjugate and a.dtype.is_complex:
            a = one(create_op("Conj", [a]))
        ndims = a.shape.ndims
        if ndims is not None:
            if ndims < 2:
                raise ValueError(f"Argument 'a' should be a (batch) matrix, with rank >= 2.  "
                                 f"Found: {a.shape}")
            return transpose(a, list(range(ndims - 2)) + [ndims - 1, ndims - 2])
        r = rank(a)
        perm = concat([range_(math_ops.subtract(r, 2)),
                       math_ops.subtract(r, 1)[None], math_ops.subtract(r, 2)[None]], 0)
        return transpose(a, perm)


# --- LinSpace -----------------------------------------------------------------------------------
_LINSPACE_TYPES = (dtypes.float32, dtypes.float64)


def _lin_space_shape(start, stop, num):
    for what, t in (("start", start), ("stop", stop)):
        if t.dtype not in _LINSPACE_TYPES:
            raise TypeError(f"LinSpace requires float32 or float64 {what}, got {t.dtype.name}")
        if t.shape.ndims not in (None, 0):
            raise ValueError(f"LinSpace requires a scalar {what}, got shape {t.shape}")
    if start.dtype is not stop.dtype:
        raise TypeError(f"LinSpace requires start and stop of one dtype, got "
                        f"{start.dtype.name} and {stop.dtype.name}")
    if num.dtype not in (dtypes.int32, dtypes.int64) or num.shape.ndims not in (None, 0):
        raise ValueError(f"LinSpace requires num to be an int32 or int64 scalar, got "
                         f"{num.dtype.name} of shape {num.shape}")
    count = _scalar_entry(num)
    if count is not None and count <= 0:
        raise ValueError(f"LinSpace requires num > 0, got {count}")
    return [(start.dtype, TensorShape([count]))]


def _lin_space_kernel(start, stop, num):
    count = int(num)
    if count <= 0:
        raise ValueError(f"Requires num > 0: {count}")
    if count == 1:
        return np.array([start], dtype=start.dtype)
    step = (stop - start) / (count - 1)
    out = start + step * np.arange(count, dtype=start.dtype)
    out[-1] = stop
    return out.astype(start.dtype)


register_op("LinSpace", shape=_lin_space_shape, kernel=_lin_space_kernel,
            grad=NOT_DIFFERENTIABLE)


def lin_space(start, stop, num, name=None):
    """`num` evenly spaced values from `start` to `stop`, both included (float32/float64)."""
    start = convert_to_tensor(start)
    stop = convert_to_tensor(stop, dtype=start.dtype if isinstance(stop, (int, float)) and
                             start.dtype.is_floating else None)
    num = num if isinstance(num, Tensor) else convert_to_tensor(num, dtype=dtypes.int32)
    return one(create_op("LinSpace", [start, stop, num], name=name or "LinSpace"))


linspace = lin_space
