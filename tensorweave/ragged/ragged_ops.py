"""tf.ragged's functions: constants, placeholders, ranges, masks and row-partition helpers.

    rt = tf.ragged.constant([[1, 2], [], [3]])
    doubled = tf.ragged.map_flat_values(tf.multiply, rt, 2)       # [[2, 4], [], [6]]
    tf.ragged.row_splits_to_segment_ids([0, 2, 2, 3])             # [0, 0, 2]
"""
import builtins

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.ops import array, counting_ops, math_ops, segment_ops, sort_ops
from tensorweave.ops import ragged_ops as ragged_op_types  # noqa: F401 - registers RaggedRange
from tensorweave.ops import sparse_cross_ops
from tensorweave.ops.array import structural
from tensorweave.ragged.ragged_tensor import (RaggedTensor, RaggedTensorValue, is_ragged,
                                              segment_ids_from_splits)

__all__ = ["constant", "constant_value", "placeholder", "map_flat_values",
           "row_splits_to_segment_ids", "segment_ids_to_row_splits", "range", "boolean_mask",
           "stack_dynamic_partitions", "stack", "cross", "cross_hashed"]

_MINUS_ONE = np.array([-1], np.int64)  # the leading entry of int64 shape vectors


# --- constants -------------------------------------------------------------------------------
def _depth(value):
    """The nesting depth of the scalars of `value` (lists hold scalars at depth 1), counting an
    empty list as deep as its neighbours; ValueError when scalars sit at different depths."""
    def scalar_depths(v):
        if isinstance(v, np.ndarray):
            return {v.ndim}
        if not isinstance(v, (list, tuple)):
            return {0}
        depths = set()
        for item in v:
            depths |= {d + 1 for d in scalar_depths(item)}
        return depths
    depths = scalar_depths(value)
    if len(depths) > 1:
        raise ValueError("all scalar values must have the same nesting depth")
    if depths:
        return depths.pop()
    lists = 0  # no scalars at all: the depth of the deepest (empty) list
    while isinstance(value, (list, tuple)):
        lists += 1
        value = next((v for v in value if isinstance(v, (list, tuple))), None)
    return lists


def _partition(pylist, ragged_rank, inner_shape, dtype):
    """(flat values array, [row splits per ragged dimension]) of a nested list."""
    nested_splits = []
    level = [pylist]
    for _ in builtins.range(ragged_rank + 1):
        splits, items = [0], []
        for row in level:
            if not isinstance(row, (list, tuple, np.ndarray)):
                raise ValueError("pylist has scalar values at depth "
                                 f"{len(nested_splits)}, but ragged_rank={ragged_rank} "
                                 "requires depth > ragged_rank")
            items.extend(row)
            splits.append(len(items))
        nested_splits.append(np.array(splits, np.int64))
        level = items
    flat = np.array(level, dtype=dtype) if level else np.zeros((0,) + tuple(inner_shape), dtype)
    if flat.dtype.kind in "SU" or (flat.dtype == object and dtype is None):
        flat = np.array([v.encode() if isinstance(v, str) else v
                         for v in flat.reshape(-1)], object).reshape(flat.shape)
    if tuple(flat.shape[1:]) != tuple(inner_shape) and level:
        raise ValueError(f"Inner values have shape {list(flat.shape[1:])}, expected "
                         f"inner_shape {list(inner_shape)}")
    return flat, nested_splits[1:]


def _constant_parts(pylist, dtype, ragged_rank, inner_shape):
    depth = _depth(pylist)
    if inner_shape is None:
        if ragged_rank is None:
            ragged_rank = max(1, depth - 1)
        inner_shape = ()
        if depth - 1 > ragged_rank:  # the dimensions below the ragged ones are uniform
            probe = pylist
            for _ in builtins.range(ragged_rank + 1):
                probe = next((p for p in probe if len(p)), probe[0] if probe else [])
            inner_shape = np.shape(probe)
    else:
        inner_shape = tuple(inner_shape)
        if ragged_rank is None:
            ragged_rank = max(1, depth - 1 - len(inner_shape))
    if depth and ragged_rank >= depth:
        raise ValueError(f"Invalid pylist={pylist!r}: incompatible with ragged_rank="
                         f"{ragged_rank}")
    np_dtype = None
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
        np_dtype = object if dtype is dtypes.string else dtype.as_numpy_dtype
    flat, splits = _partition(pylist, ragged_rank, inner_shape, np_dtype)
    if dtype is None and flat.dtype == np.float64 and flat.size == 0:
        flat = flat.astype(np.float32)
    return flat, splits


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype=dtypes.int64):
    """A RaggedTensor of the nested Python list `pylist` (a Tensor when it is not nested)."""
    with name_scope(name, "RaggedConstant"):
        if _depth(pylist) <= 1 and ragged_rank in (None, 0) and not inner_shape:
            return convert_to_tensor(pylist, dtype=dtype)
        flat, splits = _constant_parts(pylist, dtype, ragged_rank, inner_shape)
        values = convert_to_tensor(flat, dtype=dtype) if dtype is not None or \
            flat.dtype != np.int64 else convert_to_tensor(flat.astype(np.int32))
        return RaggedTensor.from_nested_row_splits(
            values, [convert_to_tensor(s, dtype=dtypes.int64) for s in splits],
            validate=False)


def constant_value(pylist, dtype=None, ragged_rank=None, inner_shape=None,
                   row_splits_dtype="int64"):
    """A RaggedTensorValue (NumPy arrays) of the nested Python list `pylist`."""
    if _depth(pylist) <= 1 and ragged_rank in (None, 0) and not inner_shape:
        return np.array(pylist, dtype=dtype)
    flat, splits = _constant_parts(pylist, dtype, ragged_rank, inner_shape)
    if dtype is None and flat.dtype == np.int64 and not any(
            abs(int(v)) >= 2 ** 31 for v in flat.reshape(-1)):
        flat = flat.astype(np.int32)
    value = flat
    for s in reversed(splits):
        value = RaggedTensorValue(value, s.astype(row_splits_dtype))
    return value


def placeholder(dtype, ragged_rank, value_shape=None, name=None):
    """A RaggedTensor of placeholders, fed with a RaggedTensorValue."""
    if ragged_rank == 0:
        return array.placeholder(dtype, value_shape, name=name)
    with name_scope(name, "RaggedPlaceholder"):
        flat = array.placeholder(dtype, [None] + list(value_shape or []), name="flat_values")
        splits = [array.placeholder(dtypes.int64, [None], name="row_splits_" + str(i))
                  for i in builtins.range(ragged_rank)]
        return RaggedTensor.from_nested_row_splits(flat, splits, validate=False)


# --- flat values and row partitions ----------------------------------------------------------
def map_flat_values(op, *args, **kwargs):
    """op(*args, **kwargs) with every RaggedTensor replaced by its flat values, as a
    RaggedTensor with their (shared) row partition; plain op(...) when none is ragged."""
    partitions = []

    def replace(value):
        if isinstance(value, RaggedTensor):
            partitions.append(value)
            return value.flat_values
        if isinstance(value, (list, tuple)):
            return type(value)(replace(v) for v in value)
        if isinstance(value, dict):
            return {k: replace(v) for k, v in value.items()}
        return value

    args = replace(list(args))
    kwargs = replace(kwargs)
    if not partitions:
        return op(*args, **kwargs)
    first = partitions[0]
    for other in partitions[1:]:
        if other.ragged_rank != first.ragged_rank:
            raise ValueError("Inputs must have identical ragged splits")
    result = op(*args, **kwargs)
    return first.with_flat_values(result)


def _prefer_int64(value, name):
    """A tensor, or Python integers as int64 (TF's preferred dtype here)."""
    if isinstance(value, Tensor):
        return value
    array_ = np.asarray(value)
    if array_.dtype.kind in "iu" or array_.size == 0:
        return convert_to_tensor(array_.astype(np.int64), name=name)
    return convert_to_tensor(value, name=name)


def row_splits_to_segment_ids(splits, name=None, out_type=None):
    """The row of each value: row_splits [0, 2, 2, 3] -> segment ids [0, 0, 2]."""
    with name_scope(name, "RaggedSplitsToSegmentIds", [splits]):
        splits = _prefer_int64(splits, "splits")
        if splits.dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError(f"splits must have dtype int32 or int64, got {splits.dtype}")
        splits.shape.with_rank(1)
        out_type = splits.dtype if out_type is None else dtypes.as_dtype(out_type)
        ids = segment_ids_from_splits(array.cast(splits, dtypes.int64))
        return ids if out_type is dtypes.int64 else array.cast(ids, out_type)


def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None, name=None):
    """Row splits of sorted segment ids: [0, 0, 2] -> [0, 2, 2, 3]."""
    with name_scope(name, "SegmentIdsToRaggedSplits", [segment_ids]):
        segment_ids = _prefer_int64(segment_ids, "segment_ids")
        if segment_ids.dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError(f"segment_ids must have dtype int32 or int64, got "
                             f"{segment_ids.dtype}")
        segment_ids.shape.with_rank(1)
        out_type = segment_ids.dtype if out_type is None else dtypes.as_dtype(out_type)
        ids = array.cast(segment_ids, dtypes.int32)  # bincount counts int32 values
        if num_segments is None:
            num_segments = math_ops.reduce_max(array.concat(
                [ids + 1, array.zeros([1], dtypes.int32)], 0))
        else:
            num_segments = array.cast(convert_to_tensor(num_segments), dtypes.int32)
        lengths = counting_ops.bincount(ids, minlength=num_segments, maxlength=num_segments,
                                        dtype=dtypes.int64)
        splits = array.concat([array.zeros([1], dtypes.int64), counting_ops.cumsum(lengths)], 0)
        return splits if out_type is dtypes.int64 else array.cast(splits, out_type)


def range(starts, limits=None, deltas=1, dtype=None, name=None,  # noqa: A001 - TF's name
          row_splits_dtype=dtypes.int64):
    """Row i is range(starts[i], limits[i], deltas[i]) (starts default to 0, as range(n))."""
    if limits is None:
        starts, limits = 0, starts
    with name_scope(name, "RaggedRange", [starts, limits, deltas]):
        starts = convert_to_tensor(starts, dtype=dtype, name="starts")
        limits = convert_to_tensor(limits, dtype=dtype, name="limits")
        deltas = convert_to_tensor(deltas, dtype=dtype, name="deltas")
        common = max((starts.dtype, limits.dtype, deltas.dtype),
                     key=(dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64).index)
        starts, limits, deltas = (t if t.dtype is common else array.cast(t, common)
                                  for t in (starts, limits, deltas))
        splits, values = create_op("RaggedRange", [starts, limits, deltas], T=common,
                                   Tsplits=dtypes.as_dtype(row_splits_dtype)).outputs
        return RaggedTensor.from_row_splits(values, splits, validate=False)


def boolean_mask(data, mask, name=None):
    """The values of `data` where `mask` is true, keeping the dimensions of `mask` except its
    last as rows: a RaggedTensor for a mask of rank >= 2 (a Tensor for rank 1)."""
    with name_scope(name, "RaggedMask", [data, mask]):
        if is_ragged(mask):
            if not is_ragged(data):
                data = RaggedTensor.from_tensor(data, ragged_rank=mask.ragged_rank)
            if mask.dtype is not dtypes.bool:
                raise TypeError("mask must have dtype bool")
            if isinstance(mask.values, RaggedTensor):
                return data.with_values(boolean_mask(data.values, mask.values))
            keep = mask.values
            kept = array.cast(keep, dtypes.int64)
            lengths = segment_ops.unsorted_segment_sum(kept, mask.value_rowids(), mask.nrows())
            values = structural.boolean_mask(data.values, keep) if not isinstance(
                data.values, RaggedTensor) else _mask_rows(data.values, keep)
            return RaggedTensor.from_row_lengths(values, lengths, validate=False)
        data = data if isinstance(data, RaggedTensor) else convert_to_tensor(data, name="data")
        mask = convert_to_tensor(mask, name="mask")
        if mask.dtype is not dtypes.bool:
            raise TypeError("mask must have dtype bool")
        rank = mask.shape.ndims
        if rank is None:
            raise ValueError("mask.shape.ndims must be known statically")
        if rank == 0:
            raise ValueError("mask cannot be scalar")
        if isinstance(data, RaggedTensor):
            if rank != 1:
                raise ValueError("a dense mask of rank > 1 needs dense data")
            return _mask_rows(data, mask)
        if rank == 1:
            return structural.boolean_mask(data, mask)
        shape = array.shape(mask, out_type=dtypes.int64)
        rows = array.reshape(mask, array.concat([_MINUS_ONE, shape[rank - 1:]], 0))
        flat_data = array.reshape(data, array.concat(
            [_MINUS_ONE, array.shape(data, out_type=dtypes.int64)[rank - 1:]], 0))
        lengths = math_ops.reduce_sum(array.cast(rows, dtypes.int64), axis=1)
        result = RaggedTensor.from_row_lengths(structural.boolean_mask(flat_data, rows), lengths,
                                               validate=False)
        for axis in builtins.range(rank - 2, 0, -1):  # uniform rows for the outer dimensions
            width = shape[axis]
            total = math_ops.reduce_prod(shape[:axis + 1])
            result = RaggedTensor.from_row_splits(
                result, array.range_(0, total + 1, width, dtype=dtypes.int64), validate=False)
        return result


def _mask_rows(rt, keep):
    """The rows of RaggedTensor `rt` where `keep` (bool vector) is true."""
    lengths = structural.boolean_mask(rt.row_lengths(), keep)
    starts = structural.boolean_mask(rt.row_starts(), keep)
    value_rows = segment_ids_from_splits(array.concat(
        [array.zeros([1], dtypes.int64), counting_ops.cumsum(lengths)], 0))
    offsets = array.range_(array.size(value_rows, out_type=dtypes.int64), dtype=dtypes.int64)
    new_starts = array.concat([array.zeros([1], dtypes.int64), counting_ops.cumsum(lengths)],
                              0)
    positions = array.gather(starts, value_rows) + offsets - array.gather(new_starts,
                                                                          value_rows)
    values = array.gather(rt.values, positions) if not isinstance(rt.values, RaggedTensor) \
        else _take_rows(rt.values, positions)
    return RaggedTensor.from_row_lengths(values, lengths, validate=False)


def _take_rows(rt, positions):
    keep_lengths = array.gather(rt.row_lengths(), positions)
    splits = array.concat([array.zeros([1], dtypes.int64), counting_ops.cumsum(keep_lengths)],
                          0)
    value_rows = segment_ids_from_splits(splits)
    offsets = array.range_(array.size(value_rows, out_type=dtypes.int64), dtype=dtypes.int64)
    source = array.gather(array.gather(rt.row_starts(), positions), value_rows) + offsets - \
        array.gather(splits, value_rows)
    values = array.gather(rt.values, source) if not isinstance(rt.values, RaggedTensor) \
        else _take_rows(rt.values, source)
    return RaggedTensor.from_row_splits(values, splits, validate=False)


def stack_dynamic_partitions(data, partitions, num_partitions, name=None):
    """Row i holds the items of `data` whose partition is i, in their order."""
    with name_scope(name, "RaggedStackDynamicPartitions", [data, partitions]):
        data = data if isinstance(data, RaggedTensor) else convert_to_tensor(data, name="data")
        partitions = convert_to_tensor(partitions, name="partitions")
        if partitions.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError("partitions must be int32 or int64")
        if not isinstance(num_partitions, Tensor) and num_partitions < 1:
            raise ValueError("num_partitions must be at least 1.")
        flat_partitions = array.cast(array.reshape(partitions, [-1]), dtypes.int64)
        order = sort_ops.argsort(flat_partitions, stable=True)
        sorted_partitions = array.gather(flat_partitions, order)
        splits = segment_ids_to_row_splits(sorted_partitions, num_partitions)
        if isinstance(data, RaggedTensor):
            values = _take_rows(data, order) if data.shape.ndims else data
        else:
            inner = array.shape(data, out_type=dtypes.int64)[partitions.shape.ndims or 1:]
            flat_data = array.reshape(data, array.concat([_MINUS_ONE, inner], 0))
            values = array.gather(flat_data, order)
        return RaggedTensor.from_row_splits(values, splits, validate=False)


def stack(values, axis=0, name=None):
    """Row i of the result holds the rows of values[i] (RaggedTensors and Tensors of one
    rank; axis=0 only)."""
    if axis != 0:
        raise NotImplementedError("tensorweave's tf.ragged.stack supports axis=0 only")
    if not values:
        raise ValueError("values must not be empty")
    with name_scope(name, "RaggedConcat", [v for v in values if isinstance(v, Tensor)]):
        ragged = [v for v in values if isinstance(v, RaggedTensor)]
        ragged_rank = ragged[0].ragged_rank if ragged else None
        if any(v.ragged_rank != ragged_rank for v in ragged):
            raise ValueError("tensorweave's tf.ragged.stack needs inputs of one ragged_rank")
        parts = []
        for value in values:
            if not isinstance(value, RaggedTensor):
                value = convert_to_tensor(value)
                if ragged_rank is not None:
                    value = RaggedTensor.from_tensor(value, ragged_rank=ragged_rank)
            parts.append(value)
        return _stack_rows(parts)


def _stack_rows(parts):
    """A RaggedTensor whose row i holds the rows of parts[i]."""
    nrows = [p.nrows() if isinstance(p, RaggedTensor)
             else array.shape(p, out_type=dtypes.int64)[0] for p in parts]
    outer = array.concat([array.zeros([1], dtypes.int64),
                          counting_ops.cumsum(array.stack(nrows))], 0)
    return RaggedTensor.from_row_splits(_concat_rows(parts), outer, validate=False)


def _concat_rows(parts):
    """The rows of every RaggedTensor of `parts`, one after the other."""
    if not isinstance(parts[0], RaggedTensor):
        return array.concat(parts, 0)
    offsets, splits = np.int64(0), []
    for i, p in enumerate(parts):
        s = p.row_splits if i == 0 else p.row_splits[1:]
        splits.append(s + offsets)
        offsets = offsets + p.row_splits[-1]
    values = _concat_rows([p.values for p in parts])
    return RaggedTensor.from_row_splits(values, array.concat(splits, 0), validate=False)


# --- crosses ---------------------------------------------------------------------------------
def _cross_inputs(inputs):
    converted = []
    for value in inputs:
        if isinstance(value, RaggedTensor):
            if value.ragged_rank != 1:
                raise ValueError("tf.ragged.cross inputs must have ragged_rank 1")
            converted.append(value.to_sparse())
        elif isinstance(value, SparseTensor):
            converted.append(value)
        else:
            converted.append(convert_to_tensor(value))
    return converted


def cross(inputs, name=None):
    """Feature crosses of 2-D ragged, sparse or dense inputs (strings joined by "_X_"), as a
    RaggedTensor (tf.sparse.cross row by row)."""
    with name_scope(name, "RaggedCross"):
        return RaggedTensor.from_sparse(sparse_cross_ops.sparse_cross(_cross_inputs(inputs)))


def cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """Hashed feature crosses (FingerprintCat64, modulo `num_buckets` when > 0) as a
    RaggedTensor."""
    with name_scope(name, "RaggedCross"):
        return RaggedTensor.from_sparse(sparse_cross_ops.sparse_cross_hashed(
            _cross_inputs(inputs), num_buckets=num_buckets, hash_key=hash_key))
