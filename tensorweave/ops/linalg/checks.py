"""Shape and dtype checks shared by the linear algebra op types (TF's wording)."""
from tensorweave.core import dtypes, errors
from tensorweave.core.tensor_shape import TensorShape, unknown_shape

MATRIX_DTYPES = (dtypes.float64, dtypes.float32, dtypes.float16, dtypes.complex64,
                 dtypes.complex128)


def check_dtype(op_type, x, allowed=MATRIX_DTYPES, parameter="input"):
    if x.dtype not in allowed:
        names = ", ".join(d.name for d in allowed)
        raise TypeError(f"Value passed to parameter '{parameter}' has DataType {x.dtype.name} "
                        f"not in list of allowed values: {names} (op {op_type})")


def same_dtype(op_type, *tensors):
    for t in tensors[1:]:
        if t.dtype is not tensors[0].dtype:
            raise TypeError(f"{op_type} requires inputs of one dtype, got "
                            f"{tensors[0].dtype.name} and {t.dtype.name}")


def matrices(op_type, x):
    """x's static dims, checked to be of rank >= 2 (None when the rank is unknown)."""
    dims = x.shape.as_tuple()
    if dims is not None and len(dims) < 2:
        raise ValueError(f"Shape must be at least rank 2 but is rank {len(dims)} for "
                         f"'{op_type}' with input shapes: {x.shape}.")
    return dims


def square_matrices(op_type, x):
    """x's static dims, checked to be (batches of) square matrices."""
    dims = matrices(op_type, x)
    if dims is not None and None not in dims[-2:] and dims[-2] != dims[-1]:
        raise ValueError(f"Dimensions must be equal, but are {dims[-2]} and {dims[-1]} for "
                         f"'{op_type}' with input shapes: {x.shape}.")
    return dims


def square_shape(op_type, x):
    """The shape of square matrices x, the last two dims merged."""
    dims = square_matrices(op_type, x)
    if dims is None:
        return unknown_shape()
    n = dims[-1] if dims[-1] is not None else dims[-2]
    return TensorShape(list(dims[:-2]) + [n, n])


def solve_shape(op_type, matrix, rhs):
    """The shape of the solution of square `matrix` times X = `rhs` (batches must match)."""
    same_dtype(op_type, matrix, rhs)
    a = square_matrices(op_type, matrix)
    b = matrices(op_type, rhs)
    if a is None or b is None:
        return unknown_shape() if b is None else TensorShape([None] * (len(b) - 2) + [
            b[-2] if a is None or b[-2] is not None else a[-1], b[-1]])
    n = a[-1] if a[-1] is not None else a[-2]
    if n is not None and b[-2] is not None and n != b[-2]:
        raise ValueError(f"Dimensions must be equal, but are {n} and {b[-2]} for '{op_type}' "
                         f"with input shapes: {matrix.shape}, {rhs.shape}.")
    batch_a, batch_b = TensorShape(list(a[:-2])), TensorShape(list(b[:-2]))
    if not batch_a.is_compatible_with(batch_b):
        raise ValueError(f"{op_type} requires matching batch dimensions, got input shapes: "
                         f"{matrix.shape}, {rhs.shape}")
    batch = batch_a.merge_with(batch_b)
    return batch.concatenate([n if n is not None else b[-2], b[-1]])


def invalid_argument(message):
    return errors.InvalidArgumentError(None, None, message)
