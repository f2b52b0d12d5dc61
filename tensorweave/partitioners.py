"""Variable partitioners (TF's tf.fixed_size_partitioner and friends): functions that say how
many pieces to cut a variable into along one axis.

    partitioner = tf.fixed_size_partitioner(num_shards=4)
    partitioner(tf.TensorShape([1000, 64]), tf.float32)   # [4, 1]

tensorweave's get_variable creates one unpartitioned variable whatever its partitioner says
(see docs/compatibility.md); the partitioners themselves compute what TF's do.
"""
import math

from tensorweave.core import dtypes
from tensorweave.core.tensor_shape import as_shape

__all__ = ["fixed_size_partitioner", "min_max_variable_partitioner",
           "variable_axis_size_partitioner"]


def _check_axis(shape, axis):
    if axis >= shape.ndims:
        raise ValueError(f"Cannot partition variable along axis: {axis} when shape is: "
                         f"{shape}")


def fixed_size_partitioner(num_shards, axis=0):
    """Cuts along `axis` into `num_shards` pieces."""
    def partitioner(shape, dtype=None, **unused):
        shape = as_shape(shape)
        _check_axis(shape, axis)
        partitions = [1] * shape.ndims
        partitions[axis] = min(num_shards, shape.dims[axis].value)
        return partitions
    return partitioner


def _element_bytes(dtype, bytes_per_string_element):
    dtype = dtypes.as_dtype(dtype)
    return bytes_per_string_element if dtype is dtypes.string else dtype.size


def variable_axis_size_partitioner(max_shard_bytes, axis=0, bytes_per_string_element=16,
                                   max_shards=None):
    """Cuts along `axis` so each piece holds at most `max_shard_bytes` (at most
    `max_shards` pieces)."""
    if axis < 0:
        raise ValueError(f"axis must be non-negative, got {axis}")
    if max_shard_bytes < 1 or bytes_per_string_element < 1:
        raise ValueError("Both max_shard_bytes and bytes_per_string_element must be positive. "
                         f"Currently, max_shard_bytes is {max_shard_bytes} and "
                         f"bytes_per_string_element is {bytes_per_string_element}")
    if max_shards is not None and max_shards < 1:
        raise ValueError(f"max_shards must be positive, got {max_shards}")

    def partitioner(shape, dtype, **unused):
        shape = as_shape(shape)
        if not shape.is_fully_defined():
            raise ValueError(f"shape is not fully defined: {shape}")
        _check_axis(shape, axis)
        dims = shape.as_list()
        slice_elements = math.prod(d for i, d in enumerate(dims) if i != axis)
        slice_bytes = slice_elements * _element_bytes(dtype, bytes_per_string_element)
        slices_per_shard = max(1, max_shard_bytes // max(slice_bytes, 1))
        shards = int(math.ceil(dims[axis] / slices_per_shard))
        if max_shards is not None:
            shards = min(max_shards, shards)
        partitions = [1] * len(dims)
        partitions[axis] = max(1, shards)
        return partitions
    return partitioner


def min_max_variable_partitioner(max_partitions=1, axis=0, min_slice_size=256 << 10,
                                 bytes_per_string_element=16):
    """Cuts along `axis` into as many pieces as keep each at least `min_slice_size` bytes,
    at most `max_partitions`."""
    def partitioner(shape, dtype, **unused):
        shape = as_shape(shape)
        if not shape.is_fully_defined():
            raise ValueError(f"shape is not fully defined: {shape}")
        _check_axis(shape, axis)
        dims = shape.as_list()
        total = math.prod(dims) * _element_bytes(dtype, bytes_per_string_element)
        wanted = max(1, min(max_partitions, dims[axis], int(total // min_slice_size)))
        partitions = [1] * len(dims)
        partitions[axis] = wanted
        return partitions
    return partitioner
