"""What the sparse op families share: checking a SparseTensor's three components while building
the graph and while running it, and the row-wise index bookkeeping their kernels do."""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.sparse_tensor import SparseTensor, SparseTensorValue
from tensorweave.ops import array


def as_sparse_tensor(value):
    """`value` as a SparseTensor (a SparseTensorValue becomes one); TypeError otherwise."""
    if isinstance(value, (SparseTensor, SparseTensorValue)):
        return SparseTensor.from_value(value)
    raise TypeError("Input must be a SparseTensor.")


def check_rank(op_type, t, rank, what):
    """ValueError in TF's words unless tensor `t` has rank `rank` (or an unknown one)."""
    n = t.shape.ndims
    if n is not None and n != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {n} for '{op_type}' "
                         f"({what})")


def check_components(op_type, indices, values, shape, names=("indices", "values", "shape")):
    """Checks one SparseTensor's inputs while building: int64 indices matrix, values vector,
    int64 shape vector. Returns the rank when it is known statically, else None."""
    check_rank(op_type, indices, 2, names[0])
    check_rank(op_type, values, 1, names[1])
    check_rank(op_type, shape, 1, names[2])
    for t, what in ((indices, names[0]), (shape, names[2])):
        if t.dtype is not dtypes.int64:
            raise TypeError(f"{op_type} requires int64 {what}, got {t.dtype.name}")
    rank = indices.shape.as_tuple()
    rank = rank[1] if rank is not None else None
    if rank is None and shape.shape.ndims == 1:
        rank = shape.shape.as_tuple()[0]
    return rank


def known_shape(shape):
    """The int list a shape tensor holds when it is known while building, else None."""
    value = constant_value(shape)
    return None if value is None else [int(d) for d in np.asarray(value).reshape(-1)]


def int64(value, name):
    """`value` as an int64 tensor (casting an integer tensor of another width)."""
    t = convert_to_tensor(value, name=name) if hasattr(value, "dtype") else \
        convert_to_tensor(value, dtype=dtypes.int64, name=name)
    return t if t.dtype is dtypes.int64 else array.cast(t, dtypes.int64)


# --- kernel side ---------------------------------------------------------------------------
def dims_text(dims):
    """A shape as TF's kernels print it: [2,3]."""
    return "[" + ",".join(str(int(d)) for d in dims) + "]"


def invalid(message):
    """The run-time error sparse kernels raise for bad indices or shapes."""
    return errors.InvalidArgumentError(None, None, message)


def validate(indices, values, shape, what="input"):
    """Run-time checks of one SparseTensor: indices [N, R], values [N], shape [R]."""
    if indices.ndim != 2:
        raise invalid(f"Input indices should be a matrix but received shape "
                      f"{list(indices.shape)}")
    if values.ndim != 1:
        raise invalid(f"Input values should be a vector but received shape "
                      f"{list(values.shape)}")
    if shape.ndim != 1:
        raise invalid(f"Input shape should be a vector but received shape {list(shape.shape)}")
    if indices.shape[0] != values.shape[0]:
        raise invalid(f"Number of elements in {what} indices ({indices.shape[0]}) and values "
                      f"({values.shape[0]}) do not match")
    if indices.shape[1] != shape.shape[0]:
        raise invalid(f"Number of dimensions in {what} indices ({indices.shape[1]}) and shape "
                      f"({shape.shape[0]}) do not match")


def check_indices(indices, shape, ordered=True):
    """TF's IndicesValid: the first entry out of `shape` (or, with `ordered`, out of row-major
    order or repeated) raises InvalidArgumentError in TF's words."""
    n = len(indices)
    if not n:
        return
    shape = np.asarray(shape, np.int64)
    bad = np.any((indices < 0) | (indices >= shape), axis=1)
    first_bad = int(np.argmax(bad)) if bad.any() else n
    first_unordered, kind = n, None
    if ordered and n > 1 and indices.shape[1]:
        previous, current = indices[:-1], indices[1:]
        differs = previous != current
        column = np.argmax(differs, axis=1)
        rows = np.arange(n - 1)
        same = ~differs.any(axis=1)
        decreasing = ~same & (current[rows, column] < previous[rows, column])
        wrong = same | decreasing
        if wrong.any():
            first_unordered = int(np.argmax(wrong)) + 1
            kind = "repeated" if same[first_unordered - 1] else "out of order"
    if first_bad <= first_unordered and first_bad < n:
        raise invalid(f"indices[{first_bad}] = {dims_text(indices[first_bad])} is out of "
                      f"bounds: need 0 <= index < {dims_text(shape)}")
    if first_unordered < n:
        i = first_unordered
        raise invalid(f"indices[{i}] = {dims_text(indices[i])} is {kind}. Many sparse ops "
                      f"require sorted indices.\n    Use `tf.sparse.reorder` to create a "
                      f"correctly ordered copy.\n\n")


def check_tuple_bounds(indices, shape):
    """The out-of-bounds error of TF's SparseTensor::Create users (SparseSplit, sparse
    maximum/minimum): "Sparse index tuple indices[i, :] = [5, 0] is out of bounds"."""
    if not len(indices):
        return
    bad = np.any((indices < 0) | (indices >= np.asarray(shape, np.int64)), axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(f"Sparse index tuple indices[{i}, :] = "
                      f"[{', '.join(str(int(d)) for d in indices[i])}] is out of bounds")


def lex_order(indices):
    """The stable permutation that sorts index rows in row-major (lexicographic) order."""
    if indices.shape[1] == 0:
        return np.arange(indices.shape[0])
    return np.lexsort(indices.T[::-1])


def group_rows(keys):
    """(unique rows in lexicographic order, the group of each row of `keys` [N, K])."""
    n, k = keys.shape
    if k == 0:
        return np.zeros((1 if n else 0, 0), np.int64), np.zeros(n, np.int64)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    return unique, inverse.reshape(-1)


def positions(table, queries):
    """For each row of `queries`, the position of the same row in `table` (last one wins when
    `table` repeats a row), or -1."""
    where = {tuple(row): i for i, row in enumerate(table.tolist())}
    return np.array([where.get(tuple(row), -1) for row in queries.tolist()], np.int64)


def merge_order(a, b):
    """The two-pointer merge of index lists `a` and `b` (each assumed sorted), as TF's kernels
    walk them: a list of (position in a or -1, position in b or -1), equal rows paired."""
    a, b = a.tolist(), b.tolist()
    i = j = 0
    out = []
    while i < len(a) and j < len(b):
        if a[i] < b[j]:
            out.append((i, -1))
            i += 1
        elif a[i] > b[j]:
            out.append((-1, j))
            j += 1
        else:
            out.append((i, j))
            i += 1
            j += 1
    out.extend((k, -1) for k in range(i, len(a)))
    out.extend((-1, k) for k in range(j, len(b)))
    return out
