"""Set op types (TF's set_ops): SetSize, DenseToDenseSetOperation, DenseToSparseSetOperation,
SparseToSparseSetOperation, and tf.sets (set_size, set_intersection, set_union,
set_difference).

The last dimension of a dense tensor or SparseTensor holds sets; the dimensions before it
index groups. A set operation works group by group and returns a SparseTensor whose rows list
each group's result in ascending order (its last dimension: the largest result set).

    tf.sets.intersection([[1, 2, 2], [3, 4, 5]], [[2, 9], [5, 3]])
    # SparseTensor: indices [[0, 0], [1, 0], [1, 1]], values [2, 3, 5], dense_shape [2, 2]
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.sparse_tensor import SparseTensor, SparseTensorValue
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import sparse_common as common

__all__ = ["set_size", "set_intersection", "set_union", "set_difference"]

_VALID_DTYPES = (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint8,
                 dtypes.uint16, dtypes.string)
_OPERATIONS = ("a-b", "b-a", "intersection", "union")


# --- kernels ---------------------------------------------------------------------------------
def _dense_groups(x):
    """(group shape, the set of each group in row-major order) of a dense input."""
    x = np.asarray(x)
    if x.ndim < 2:
        raise common.invalid(f"Invalid input rank {x.ndim}")
    rows = x.reshape(-1, x.shape[-1]) if x.size or not x.shape[-1] else \
        np.zeros((int(np.prod(x.shape[:-1])), 0), x.dtype)
    return tuple(x.shape[:-1]), [set(row.tolist()) for row in rows]


def _sparse_groups(indices, values, shape, validate_indices):
    """(group shape, the set of each group in row-major order) of a sparse input."""
    indices, values, shape = (np.asarray(indices, np.int64), np.asarray(values),
                              np.asarray(shape, np.int64))
    common.validate(indices, values, shape)
    if shape.shape[0] < 2:
        raise common.invalid(f"Invalid input rank {shape.shape[0]}")
    if validate_indices:
        common.check_indices(indices, shape)
    group_shape = tuple(int(d) for d in shape[:-1])
    sets = [set() for _ in range(int(np.prod(group_shape)))]
    if len(indices):
        flat = np.ravel_multi_index(tuple(indices[:, :-1].T), group_shape, mode="clip")
        for group, value in zip(flat.tolist(), values.tolist()):
            sets[group].add(value)
    return group_shape, sets


def _check_group_shapes(shape1, shape2):
    if shape1 != shape2:
        raise common.invalid(f"Mismatched shapes {common.dims_text(shape1)} vs "
                             f"{common.dims_text(shape2)}")


def _combine(group_shape, sets1, sets2, set_operation, dtype):
    """The SparseTensor components of `set_operation` applied group by group."""
    if set_operation == "intersection":
        results = [a & b for a, b in zip(sets1, sets2)]
    elif set_operation == "union":
        results = [a | b for a, b in zip(sets1, sets2)]
    elif set_operation == "a-b":
        results = [a - b for a, b in zip(sets1, sets2)]
    else:
        results = [b - a for a, b in zip(sets1, sets2)]
    return _sparse_result(group_shape, results, dtype)


def _sparse_result(group_shape, results, dtype):
    width = max((len(r) for r in results), default=0)
    indices, values = [], []
    for group, result in enumerate(results):
        if not result:
            continue
        where = list(np.unravel_index(group, group_shape)) if group_shape else []
        for j, value in enumerate(sorted(result)):
            indices.append([int(w) for w in where] + [j])
            values.append(value)
    rank = len(group_shape) + 1
    out_indices = np.array(indices, np.int64).reshape(len(indices), rank)
    out_values = np.array(values, dtype=dtype).reshape(len(values))
    return out_indices, out_values, np.array(list(group_shape) + [width], np.int64)


def _dense_dense_kernel(set1, set2, *, set_operation, validate_indices=True, T=None):
    shape1, sets1 = _dense_groups(set1)
    shape2, sets2 = _dense_groups(set2)
    _check_group_shapes(shape1, shape2)
    return _combine(shape1, sets1, sets2, set_operation, np.asarray(set1).dtype)


def _dense_sparse_kernel(set1, indices2, values2, shape2, *, set_operation,
                         validate_indices=True, T=None):
    group_shape1, sets1 = _dense_groups(set1)
    group_shape2, sets2 = _sparse_groups(indices2, values2, shape2, validate_indices)
    _check_group_shapes(group_shape1, group_shape2)
    return _combine(group_shape1, sets1, sets2, set_operation, np.asarray(set1).dtype)


def _sparse_sparse_kernel(indices1, values1, shape1, indices2, values2, shape2, *,
                          set_operation, validate_indices=True, T=None):
    group_shape1, sets1 = _sparse_groups(indices1, values1, shape1, validate_indices)
    group_shape2, sets2 = _sparse_groups(indices2, values2, shape2, validate_indices)
    _check_group_shapes(group_shape1, group_shape2)
    return _combine(group_shape1, sets1, sets2, set_operation, np.asarray(values1).dtype)


def _set_size_kernel(indices, values, shape, *, validate_indices=True, T=None):
    group_shape, sets = _sparse_groups(indices, values, shape, validate_indices)
    return np.array([len(s) for s in sets], np.int32).reshape(group_shape)


# --- shape rules -----------------------------------------------------------------------------
def _check_dtype(op_type, t):
    if t.dtype not in _VALID_DTYPES:
        raise TypeError(f"{op_type} requires set elements of an integer type or string, got "
                        f"{t.dtype.name}")


def _check_operation(op_type, set_operation):
    if set_operation not in _OPERATIONS:
        raise ValueError(f"{op_type} requires set_operation in {list(_OPERATIONS)}, got "
                         f"{set_operation!r}")


def _check_dense(op_type, t):
    rank = t.shape.ndims
    if rank is not None and rank < 2:
        raise ValueError(f"Shape must be at least rank 2 but is rank {rank} for '{op_type}'")
    return rank


def _outputs(op_type, dtype, rank):
    return [(dtypes.int64, TensorShape([None, rank])), (dtype, TensorShape([None])),
            (dtypes.int64, TensorShape([rank]))]


def _dense_dense_shape(set1, set2, *, set_operation, validate_indices=True, T=None):
    op_type = "DenseToDenseSetOperation"
    _check_operation(op_type, set_operation)
    _check_dtype(op_type, set1)
    if set2.dtype is not set1.dtype:
        raise TypeError(f"{op_type} requires sets of one dtype, got {set1.dtype.name} and "
                        f"{set2.dtype.name}")
    rank1, rank2 = _check_dense(op_type, set1), _check_dense(op_type, set2)
    if rank1 is not None and rank2 is not None:
        if rank1 != rank2:
            raise ValueError(f"Shape must be rank {rank1} but is rank {rank2} for '{op_type}'")
        group1, group2 = set1.shape[:-1], set2.shape[:-1]
        if not group1.is_compatible_with(group2):
            raise ValueError(f"{op_type} requires the dimensions before the last to be equal, "
                             f"got {group1} and {group2}")
    return _outputs(op_type, set1.dtype, rank1 if rank1 is not None else rank2)


def _sparse_rank(op_type, indices, values, shape):
    rank = common.check_components(op_type, indices, values, shape)
    if rank is not None and rank < 2:
        raise ValueError(f"{op_type} requires sparse sets of rank >= 2, got rank {rank}")
    return rank


def _dense_sparse_shape(set1, indices2, values2, shape2, *, set_operation,
                        validate_indices=True, T=None):
    op_type = "DenseToSparseSetOperation"
    _check_operation(op_type, set_operation)
    _check_dtype(op_type, set1)
    if values2.dtype is not set1.dtype:
        raise TypeError(f"{op_type} requires sets of one dtype, got {set1.dtype.name} and "
                        f"{values2.dtype.name}")
    rank1 = _check_dense(op_type, set1)
    rank2 = _sparse_rank(op_type, indices2, values2, shape2)
    if rank1 is not None and rank2 is not None and rank1 != rank2:
        raise ValueError(f"{op_type} requires inputs of one rank, got {rank1} and {rank2}")
    return _outputs(op_type, set1.dtype, rank1 if rank1 is not None else rank2)


def _sparse_sparse_shape(indices1, values1, shape1, indices2, values2, shape2, *,
                         set_operation, validate_indices=True, T=None):
    op_type = "SparseToSparseSetOperation"
    _check_operation(op_type, set_operation)
    _check_dtype(op_type, values1)
    if values2.dtype is not values1.dtype:
        raise TypeError(f"{op_type} requires sets of one dtype, got {values1.dtype.name} and "
                        f"{values2.dtype.name}")
    rank1 = _sparse_rank(op_type, indices1, values1, shape1)
    rank2 = _sparse_rank(op_type, indices2, values2, shape2)
    if rank1 is not None and rank2 is not None and rank1 != rank2:
        raise ValueError(f"{op_type} requires inputs of one rank, got {rank1} and {rank2}")
    return _outputs(op_type, values1.dtype, rank1 if rank1 is not None else rank2)


def _set_size_shape(indices, values, shape, *, validate_indices=True, T=None):
    _check_dtype("SetSize", values)
    _sparse_rank("SetSize", indices, values, shape)
    return [(dtypes.int32, unknown_shape())]


register_op("DenseToDenseSetOperation", shape=_dense_dense_shape, kernel=_dense_dense_kernel,
            grad=NOT_DIFFERENTIABLE)
register_op("DenseToSparseSetOperation", shape=_dense_sparse_shape,
            kernel=_dense_sparse_kernel, grad=NOT_DIFFERENTIABLE)
register_op("SparseToSparseSetOperation", shape=_sparse_sparse_shape,
            kernel=_sparse_sparse_kernel, grad=NOT_DIFFERENTIABLE)
register_op("SetSize", shape=_set_size_shape, kernel=_set_size_kernel, grad=NOT_DIFFERENTIABLE)


# --- tf.sets ---------------------------------------------------------------------------------
def _tensor_or_sparse(value, name):
    if isinstance(value, SparseTensorValue):
        return SparseTensor.from_value(value)
    if isinstance(value, SparseTensor):
        return value
    return convert_to_tensor(value, name=name)


def _convert(a, b):
    """a and b as tensors or SparseTensors of one valid dtype, dense first; and whether they
    were swapped."""
    a = _tensor_or_sparse(a, "a")
    if a.dtype.base_dtype not in _VALID_DTYPES:
        raise TypeError(f"'a' has invalid dtype `{a.dtype}` not in supported dtypes: "
                        f"`{frozenset(_VALID_DTYPES)}`.")
    b = _tensor_or_sparse(b, "b")
    if b.dtype.base_dtype != a.dtype.base_dtype:
        raise TypeError(f"Types don't match, {a.dtype} vs {b.dtype}.")
    if isinstance(a, SparseTensor) and not isinstance(b, SparseTensor):
        return b, a, True
    return a, b, False


def _set_operation(a, b, set_operation, validate_indices):
    attrs = dict(set_operation=set_operation, validate_indices=bool(validate_indices),
                 T=a.dtype)
    if isinstance(a, SparseTensor):
        if not isinstance(b, SparseTensor):
            raise ValueError("Sparse,Dense is not supported, but Dense,Sparse is. Please flip "
                             "the order of your inputs.")
        op = create_op("SparseToSparseSetOperation", list(a.components()) +
                       list(b.components()), **attrs)
    elif isinstance(b, SparseTensor):
        op = create_op("DenseToSparseSetOperation", [a] + list(b.components()), **attrs)
    else:
        op = create_op("DenseToDenseSetOperation", [a, b], **attrs)
    return SparseTensor(*op.outputs)


def set_size(a, validate_indices=True):
    """The number of unique elements of each set in the last dimension of SparseTensor `a`
    (int32, shape dense_shape[:-1])."""
    if isinstance(a, SparseTensorValue):
        a = SparseTensor.from_value(a)
    if not isinstance(a, SparseTensor):
        a = convert_to_tensor(a)
        raise TypeError(f"Expected `SparseTensor`, got {a}.")
    if a.values.dtype.base_dtype not in _VALID_DTYPES:
        raise TypeError(f"Invalid dtype `{a.values.dtype}` not in supported dtypes: "
                        f"`{frozenset(_VALID_DTYPES)}`.")
    return create_op("SetSize", list(a.components()), validate_indices=bool(validate_indices),
                     T=a.dtype).outputs[0]


def set_intersection(a, b, validate_indices=True):
    """The elements of each set of `a` also in the matching set of `b` (a SparseTensor)."""
    a, b, _ = _convert(a, b)
    return _set_operation(a, b, "intersection", validate_indices)


def set_union(a, b, validate_indices=True):
    """The elements in the matching sets of `a` or `b` (a SparseTensor)."""
    a, b, _ = _convert(a, b)
    return _set_operation(a, b, "union", validate_indices)


def set_difference(a, b, aminusb=True, validate_indices=True):
    """The elements of each set of `a` not in the matching set of `b` (`b - a` when not
    `aminusb`), as a SparseTensor."""
    a, b, flipped = _convert(a, b)
    if flipped:
        aminusb = not aminusb
    return _set_operation(a, b, "a-b" if aminusb else "b-a", validate_indices)

