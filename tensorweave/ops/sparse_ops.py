"""Sparse tensors as graph values: sparse_placeholder, and SparseToDense (scattering a
SparseTensor's values into a dense tensor). The sparse op families (sparse_math_ops,
sparse_array_ops, sparse_serialize_ops) hand their public names on through this module."""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import convert_to_tensor, partial_shape_from_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.registry import register_op
from tensorweave.core.sparse_tensor import SparseTensor, SparseTensorValue
from tensorweave.core.tensor_shape import as_shape
from tensorweave.ops import array, math_ops, scatter_ops
from tensorweave.ops import (sparse_array_ops, sparse_common, sparse_math_ops,
                             sparse_serialize_ops)
from tensorweave.ops import sparse_count_ops, sparse_cross_ops  # noqa: F401 - op types
from tensorweave.ops._common import one
from tensorweave.ops.sparse_array_ops import (  # noqa: F401 - tf. names
    from_dense, sparse_concat, sparse_expand_dims, sparse_eye, sparse_fill_empty_rows,
    sparse_mask, sparse_merge, sparse_reorder, sparse_reset_shape, sparse_reshape, sparse_retain,
    sparse_slice, sparse_split, sparse_to_indicator, sparse_transpose)
from tensorweave.ops.sparse_math_ops import (  # noqa: F401 - tf. names
    sparse_add, sparse_dense_cwise, sparse_matmul, sparse_maximum, sparse_minimum,
    sparse_reduce_max, sparse_reduce_max_sparse, sparse_reduce_sum, sparse_reduce_sum_sparse,
    sparse_softmax, sparse_tensor_dense_matmul)
from tensorweave.ops.sparse_serialize_ops import (  # noqa: F401 - tf. names
    deserialize_many_sparse, edit_distance, serialize_many_sparse, serialize_sparse)

__all__ = (["SparseTensor", "SparseTensorValue", "sparse_placeholder", "sparse_to_dense",
            "sparse_tensor_to_dense"] + sparse_math_ops.__all__ + sparse_array_ops.__all__ +
           sparse_serialize_ops.__all__)


# --- SparseToDense -------------------------------------------------------------------------
def _sparse_to_dense_shape(indices, output_shape, values, default_value, *, validate_indices):
    if indices.shape.ndims is not None and indices.shape.ndims > 2:
        raise ValueError(f"SparseToDense requires sparse_indices of rank 0, 1 or 2, got shape "
                         f"{indices.shape}")
    if default_value.shape.ndims not in (None, 0):
        raise ValueError(f"SparseToDense requires a scalar default_value, got shape "
                         f"{default_value.shape}")
    if values.dtype is not default_value.dtype:
        raise TypeError(f"SparseToDense requires sparse_values and default_value of one dtype, "
                        f"got {values.dtype.name} and {default_value.dtype.name}")
    return [(values.dtype, partial_shape_from_tensor(output_shape))]


def _sparse_to_dense_kernel(indices, output_shape, values, default_value, *,
                            validate_indices):
    shape = tuple(int(d) for d in np.asarray(output_shape).reshape(-1))
    indices = np.asarray(indices).reshape(-1, len(shape)) if indices.ndim < 2 or not shape \
        else np.asarray(indices)
    n = indices.shape[0]
    values = np.broadcast_to(values, (n,)) if np.ndim(values) == 0 else values
    if values.shape[0] != n:
        raise errors.InvalidArgumentError(
            None, None, f"sparse_values has incorrect shape {list(values.shape)}, should be "
                        f"[] or [{n}]")
    out = np.full(shape, default_value, dtype=values.dtype)
    if n == 0:
        return out
    sparse_common.check_indices(indices, shape, ordered=validate_indices)
    out[tuple(indices.T)] = values
    return out


def _sparse_to_dense_grad(op, dy):
    indices, output_shape = op.inputs[:2]
    if indices.shape.ndims != 2:  # a scalar or a vector names one row each of a 1-D output
        indices = array.reshape(indices, array.stack([-1, array.size(output_shape)]))
    values_grad = scatter_ops.gather_nd(dy, indices)
    default_grad = math_ops.reduce_sum(dy) - math_ops.reduce_sum(values_grad)
    return [None, None, values_grad, default_grad]


register_op("SparseToDense", shape=_sparse_to_dense_shape, kernel=_sparse_to_dense_kernel,
            grad=_sparse_to_dense_grad)


def sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0,
                    validate_indices=True, name=None):
    """A dense tensor of `output_shape` holding `sparse_values` at `sparse_indices` and
    `default_value` elsewhere (TF's tf.sparse_to_dense)."""
    with name_scope(name, "SparseToDense",
                    [sparse_indices, output_shape, sparse_values, default_value]) as scope:
        values = convert_to_tensor(sparse_values, name="sparse_values")
        indices = convert_to_tensor(sparse_indices, name="sparse_indices")
        if not indices.dtype.is_integer:
            raise TypeError(f"SparseToDense requires integer sparse_indices, got "
                            f"{indices.dtype.name}")
        shape = convert_to_tensor(output_shape, dtype=indices.dtype, name="output_shape") \
            if not hasattr(output_shape, "dtype") else output_shape
        if shape.dtype is not indices.dtype:
            shape = array.cast(shape, indices.dtype)
        default = convert_to_tensor(default_value, dtype=values.dtype, name="default_value")
        return one(create_op("SparseToDense", [indices, shape, values, default], name=scope,
                             validate_indices=bool(validate_indices)))


def sparse_tensor_to_dense(sp_input, default_value=0, validate_indices=True, name=None):
    """The dense tensor a SparseTensor stands for (TF's tf.sparse.to_dense)."""
    sp_input = _as_sparse(sp_input)
    return sparse_to_dense(sp_input.indices, sp_input.dense_shape, sp_input.values,
                           default_value=default_value, validate_indices=validate_indices,
                           name=name or "SparseToDense")


def _as_sparse(value):
    if isinstance(value, (SparseTensor, SparseTensorValue)):
        return SparseTensor.from_value(value)
    raise TypeError(f"Input must be a SparseTensor, got {type(value).__name__}")


# --- sparse_placeholder --------------------------------------------------------------------
def sparse_placeholder(dtype, shape=None, name=None):
    """A SparseTensor of placeholders, fed with a SparseTensorValue or an (indices, values,
    dense_shape) tuple (TF's tf.sparse_placeholder)."""
    def part(suffix):
        return f"{name}/{suffix}" if name is not None else None

    rank = None
    if shape is None:
        dense_shape = array.placeholder(dtypes.int64, [None], name=part("shape"))
    else:
        static = as_shape(shape)
        rank = static.ndims
        if static.is_fully_defined():
            dense_shape = convert_to_tensor(static.as_list(), dtype=dtypes.int64,
                                            name=part("shape"))
        else:
            dense_shape = array.placeholder(dtypes.int64, [rank], name=part("shape"))
    values = array.placeholder(dtype, [None], name=part("values"))
    indices = array.placeholder(dtypes.int64, [None, rank], name=part("indices"))
    return SparseTensor(indices, values, dense_shape)
