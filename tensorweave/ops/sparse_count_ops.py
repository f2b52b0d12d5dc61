"""tf.sparse.bincount: counts of int values as a SparseTensor (TF's DenseCountSparseOutput and
SparseCountSparseOutput), over all values (axis=0) or per row of a matrix (axis=-1).

    tf.sparse.bincount([1, 3, 3])          # indices [[1], [3]], values [1, 2], shape [4]
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import control_dependencies, create_op, name_scope
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.sparse_tensor import SparseTensor, SparseTensorValue
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array, check_ops
from tensorweave.ops.sparse_common import as_sparse_tensor, check_components, invalid

__all__ = []  # tf.sparse.bincount only (tensorweave/sparse.py)


def _count_shape(op_type, sparse):
    def shape(*inputs, minlength, maxlength, binary_output, output_type):
        if sparse:
            check_components(op_type, *inputs[:3])
        values, weights = inputs[-3 if sparse else 0], inputs[-1]
        rank = 2 if sparse else values.shape.ndims
        if not sparse and rank not in (None, 1, 2):
            raise ValueError(f"{op_type} requires values of rank 1 or 2, got shape "
                             f"{values.shape}")
        if values.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"{op_type} requires int32 or int64 values, got "
                            f"{values.dtype.name}")
        if weights.dtype is not output_type:
            raise TypeError(f"{op_type} requires weights of output_type {output_type.name}, "
                            f"got {weights.dtype.name}")
        if sparse:
            rank = inputs[2].shape.as_tuple()[0] if inputs[2].shape.ndims == 1 else None
        return [(dtypes.int64, TensorShape([None, rank])), (output_type, TensorShape([None])),
                (dtypes.int64, TensorShape([rank]))]
    return shape


def _count(rows, values, weights, batch, minlength, maxlength, binary_output, output_type,
           rank):
    if values.size and values.min() < 0:
        raise invalid("Input values must all be non-negative")
    if weights.size and weights.shape != values.shape:
        raise invalid(f"Weights and values must have the same shape. Weight shape: "
                      f"{list(weights.shape)}; values shape: {list(values.shape)}")
    kept = values < maxlength if maxlength > 0 else np.ones(values.shape, bool)
    rows, values = rows[kept], values[kept].astype(np.int64)
    size = maxlength if maxlength > 0 else max(int(values.max()) + 1 if values.size else 0,
                                               minlength)
    keys, group = np.unique(np.stack([rows, values], 1), axis=0, return_inverse=True)
    group = group.reshape(-1)
    dtype = np.dtype(getattr(output_type, "as_numpy_dtype", output_type))
    counts = np.zeros(len(keys), dtype)
    if binary_output:
        counts[:] = 1
    elif weights.size:
        np.add.at(counts, group, weights[kept].astype(dtype))
    else:
        np.add.at(counts, group, 1)
    if rank == 1:
        return keys[:, 1:].astype(np.int64), counts, np.array([size], np.int64)
    return keys.astype(np.int64), counts, np.array([batch, size], np.int64)


def _dense_kernel(values, weights, *, minlength, maxlength, binary_output, output_type):
    if values.ndim not in (1, 2):
        raise invalid(f"Input must be a 1 or 2-dimensional tensor. Got: {values.ndim}")
    rows = np.zeros(values.shape, np.int64) if values.ndim == 1 else \
        np.repeat(np.arange(values.shape[0]), values.shape[1]).reshape(values.shape)
    return _count(rows.reshape(-1), values.reshape(-1), weights.reshape(-1)
                  if weights.size else weights, values.shape[0] if values.ndim == 2 else 1,
                  minlength, maxlength, binary_output, output_type, values.ndim)


def _sparse_kernel(indices, values, dense_shape, weights, *, minlength, maxlength,
                   binary_output, output_type):
    rank = dense_shape.shape[0]
    if rank not in (1, 2):
        raise invalid(f"Input must be a 1 or 2-dimensional tensor. Got: {rank}")
    rows = indices[:, 0] if rank == 2 else np.zeros(len(values), np.int64)
    return _count(rows, values, weights, int(dense_shape[0]) if rank == 2 else 1, minlength,
                  maxlength, binary_output, output_type, rank)


register_op("DenseCountSparseOutput", shape=_count_shape("DenseCountSparseOutput", False),
            kernel=_dense_kernel, grad=NOT_DIFFERENTIABLE)
register_op("SparseCountSparseOutput", shape=_count_shape("SparseCountSparseOutput", True),
            kernel=_sparse_kernel, grad=NOT_DIFFERENTIABLE)


def _sparse_weights(values, weights):
    if not isinstance(weights, (SparseTensor, SparseTensorValue)):
        raise ValueError(f"Argument `weights` must be a SparseTensor if `values` is a "
                         f"SparseTensor. Received weights={weights} of type: "
                         f"{type(weights).__name__}")
    weights = as_sparse_tensor(weights)
    checks = [check_ops.assert_equal(weights.dense_shape, values.dense_shape,
                                     message="'weights' and 'values' must have the same "
                                             "dense shape."),
              check_ops.assert_equal(weights.indices, values.indices,
                                     message="'weights' and 'values' must have the same "
                                             "indices.")]
    with control_dependencies(checks):
        return array.identity(weights.values)


def sparse_bincount(values, weights=None, axis=0, minlength=None, maxlength=None,
                    binary_output=False, name=None):
    """Counts of each value of `values` (a Tensor or SparseTensor of ints) as a SparseTensor:
    over all values (axis=0) or per row (axis=-1); summed `weights` instead of counts, or 1
    with `binary_output`; values >= maxlength are dropped."""
    with name_scope(name, "count"):
        sparse = isinstance(values, (SparseTensor, SparseTensorValue))
        values = as_sparse_tensor(values) if sparse else convert_to_tensor(values,
                                                                          name="values")
        if weights is not None and not isinstance(weights, (SparseTensor, SparseTensorValue)):
            weights = convert_to_tensor(weights, name="weights")
        if weights is not None and binary_output:
            raise ValueError("Arguments `binary_output` and `weights` are mutually exclusive. "
                             "Please specify only one.")
        axis = 0 if axis is None else axis
        if axis not in (0, -1):
            raise ValueError(f"Unsupported value for argument axis={axis}. Only 0 and -1 are "
                             f"currently supported.")
        attrs = {"minlength": -1 if minlength is None else int(minlength),
                 "maxlength": -1 if maxlength is None else int(maxlength),
                 "binary_output": bool(binary_output)}
        if axis == 0:
            if sparse:
                weights = None if weights is None else _sparse_weights(values, weights)
                values, sparse = values.values, False
            else:
                weights = None if weights is None else array.reshape(weights, [-1])
                values = array.reshape(values, [-1])
        if sparse:
            weights = convert_to_tensor([], dtype=values.dtype) if weights is None else \
                _sparse_weights(values, weights)
            outputs = create_op("SparseCountSparseOutput",
                                [values.indices, values.values, values.dense_shape, weights],
                                output_type=weights.dtype, **attrs).outputs
        else:
            if weights is None:
                weights = convert_to_tensor([], dtype=values.dtype)
            else:
                weights.shape.assert_is_compatible_with(values.shape)
            outputs = create_op("DenseCountSparseOutput", [values, weights],
                                output_type=weights.dtype, **attrs).outputs
        return SparseTensor(*outputs)
