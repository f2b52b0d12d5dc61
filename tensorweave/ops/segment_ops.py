"""Segment reductions (sorted, unsorted and sparse); cumulative sums, products and log-sum-exps,
counting, partitioning and stitching are in counting_ops.py and exported from here.

A segment reduction combines the slices data[i] whose segment_ids[i] are equal into one row of
the output: tf.segment_sum([1, 2, 3], [0, 0, 1]) is [3, 3].
"""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.registry import register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import array, math_ops
from tensorweave.ops._common import one
from tensorweave.ops.counting_ops import (bincount, confusion_matrix, cumprod, cumsum,
                                          dynamic_partition, dynamic_stitch,
                                          histogram_fixed_width, histogram_fixed_width_bins)
from tensorweave.ops.scatter_indices import shape_text, truncating_divide

__all__ = [  # the names `tf.` takes from here
    "segment_sum", "segment_mean", "segment_max", "segment_min", "segment_prod",
    "unsorted_segment_max", "unsorted_segment_min", "unsorted_segment_mean",
    "unsorted_segment_prod", "unsorted_segment_sqrt_n", "sparse_segment_sum",
    "sparse_segment_mean", "sparse_segment_sqrt_n", "cumsum", "cumprod", "bincount",
    "histogram_fixed_width", "histogram_fixed_width_bins", "confusion_matrix",
    "dynamic_partition", "dynamic_stitch",
]
# tf.math.cumulative_logsumexp is counting_ops.cumulative_logsumexp (not a top-level name).


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """tf.unsorted_segment_sum (ops/array/index.py)."""
    return array.unsorted_segment_sum(data, segment_ids, num_segments, name=name)


def _check_ids(op_type, ids, what="segment_ids"):
    if ids.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"{op_type} requires int32 or int64 {what}, got {ids.dtype.name}")


def _empty_value(kind, dtype, sorted_ids):
    """What an empty segment holds: 0 for sorted max/min (TF's rule), else the identity."""
    if kind in ("sum", "mean", "sqrt_n") or sorted_ids and kind in ("max", "min"):
        return 0
    if kind == "prod":
        return 1
    info = np.finfo(dtype) if np.issubdtype(dtype, np.floating) else np.iinfo(dtype)
    return info.min if kind == "max" else info.max


_UFUNCS = {"sum": np.add, "mean": np.add, "sqrt_n": np.add, "max": np.maximum,
           "min": np.minimum, "prod": np.multiply}


def _reduce_segments(kind, data, ids, rows, sorted_ids):
    """Rows of data (flattened over ids' dimensions) combined by segment; ids < 0 dropped."""
    data = data.reshape((-1,) + data.shape[ids.ndim:])
    ids = ids.reshape(-1)
    kept = ids >= 0
    if not kept.all():
        data, ids = data[kept], ids[kept]
    identity = {"max": -np.inf, "min": np.inf}.get(kind, 0 if kind != "prod" else 1)
    if data.dtype.kind in "iu" and kind in ("max", "min"):
        info = np.iinfo(data.dtype)
        identity = info.min if kind == "max" else info.max
    out = np.full((rows,) + data.shape[1:], identity, dtype=data.dtype)
    _UFUNCS[kind].at(out, ids, data)
    counts = np.bincount(ids, minlength=rows)[:rows]
    empty = counts == 0
    if empty.any():
        out[empty] = _empty_value(kind, data.dtype, sorted_ids)
    if kind in ("mean", "sqrt_n"):
        scale = np.maximum(counts, 1).reshape((rows,) + (1,) * (data.ndim - 1))
        if kind == "sqrt_n":
            scale = np.sqrt(scale)
        out = truncating_divide(out, scale.astype(out.dtype)) if out.dtype.kind in "iu" \
            else (out / scale).astype(out.dtype)
    return out


# --- sorted segments: SegmentSum, SegmentMean, SegmentMax, SegmentMin, SegmentProd -----------
def _sorted_rows(ids, first_dim):
    """The number of segments of sorted ids, checked as TensorFlow checks them."""
    if ids.ndim != 1:
        raise errors.InvalidArgumentError(None, None, "segment_ids should be a vector.")
    if ids.shape[0] != first_dim:
        raise errors.InvalidArgumentError(
            None, None, "segment_ids should be the same size as dimension 0 of input.")
    if not ids.size:
        return 0
    rows = int(ids[-1]) + 1
    if (np.diff(ids) < 0).any():
        raise errors.InvalidArgumentError(None, None, "segment ids are not increasing")
    if ids[0] < 0:
        raise errors.InvalidArgumentError(
            None, None, f"Segment id {ids[0]} out of range [0, {rows}), possibly because "
            f"'segment_ids' input is not sorted.")
    return rows


def _segment_shape(op_type):
    def shape(data, segment_ids):
        _check_ids(op_type, segment_ids)
        if segment_ids.shape.ndims not in (None, 1):
            raise ValueError(f"{op_type} requires 1-D segment_ids, got shape "
                             f"{segment_ids.shape}")
        if data.shape.ndims == 0:
            raise ValueError(f"{op_type} requires data of rank >= 1, got a scalar")
        if data.shape.ndims is None:
            return [(data.dtype, unknown_shape())]
        return [(data.dtype, TensorShape([None]).concatenate(data.shape[1:]))]
    return shape


def _segment_kernel(kind):
    def kernel(data, segment_ids):
        if data.ndim == 0:
            raise errors.InvalidArgumentError(None, None, "input must be at least rank 1")
        rows = _sorted_rows(segment_ids, data.shape[0])
        return _reduce_segments(kind, data, segment_ids, rows, sorted_ids=True)
    return kernel


def _ones_per_row(data, ids):
    """Ones shaped like ids then 1s for data's other dimensions, in data's dtype."""
    dims = array.concat([array.shape(ids), array.fill(
        array.expand_dims(array.rank(data) - array.rank(ids), 0), 1)], 0)
    return array.fill(dims, convert_to_tensor(1, dtype=data.dtype))


def _segment_sum_grad(op, dy):
    return [array.gather(dy, op.inputs[1]), None]


def _segment_mean_grad(op, dy):
    data, ids = op.inputs
    counts = segment_sum(_ones_per_row(data, ids), ids)
    return [array.gather(dy / counts, ids), None]


def _selected_grad(data, ids, out, dy, gather, count):
    """The gradient of a max or min: shared among the entries that equal their segment's
    result, as TF does (`gather` picks per-row values, `count` sums per segment)."""
    is_selected = math_ops.equal(data, gather(out))
    chosen = count(array.cast(is_selected, dy.dtype))
    shared = gather(dy / chosen)
    return array.where(is_selected, shared, array.zeros_like(shared))


def _segment_extreme_grad(op, dy):
    data, ids = op.inputs
    return [_selected_grad(data, ids, op.outputs[0], dy, lambda t: array.gather(t, ids),
                           lambda t: segment_sum(t, ids)), None]


def _product_grad(data, out, dy, gather, count, prod):
    """d(prod)/d(x) without dividing by zero entries, as TF's segment product gradients."""
    is_zero = math_ops.equal(data, array.zeros_like(data))
    zeros_per_segment = count(array.cast(is_zero, dtypes.int32))
    dy = array.where(math_ops.greater(zeros_per_segment, 1), array.zeros_like(dy), dy)
    non_zero = array.where(is_zero, array.ones_like(data), data)
    non_zero_prod = prod(non_zero)
    partial = array.where(is_zero, gather(non_zero_prod), gather(out) / data)
    return gather(dy) * partial


def _segment_prod_grad(op, dy):
    data, ids = op.inputs
    return [_product_grad(data, op.outputs[0], dy, lambda t: array.gather(t, ids),
                          lambda t: segment_sum(t, ids), lambda t: segment_prod(t, ids)),
            None]


for _kind, _grad in (("Sum", _segment_sum_grad), ("Mean", _segment_mean_grad),
                     ("Max", _segment_extreme_grad), ("Min", _segment_extreme_grad),
                     ("Prod", _segment_prod_grad)):
    register_op("Segment" + _kind, shape=_segment_shape("Segment" + _kind),
                kernel=_segment_kernel(_kind.lower()), grad=_grad)


def _segment_builder(op_type, doc):
    def builder(data, segment_ids, name=None):
        data = convert_to_tensor(data, name="data")
        segment_ids = convert_to_tensor(segment_ids, name="segment_ids")
        return one(create_op(op_type, [data, segment_ids], name=name or op_type))
    builder.__name__ = "segment_" + op_type[len("Segment"):].lower()
    builder.__doc__ = doc + " segment_ids: sorted, one per row of data; empty segments give 0."
    return builder


segment_sum = _segment_builder("SegmentSum", "Sums of the rows of each segment.")
segment_mean = _segment_builder("SegmentMean", "Means of the rows of each segment.")
segment_max = _segment_builder("SegmentMax", "Maxima of the rows of each segment.")
segment_min = _segment_builder("SegmentMin", "Minima of the rows of each segment.")
segment_prod = _segment_builder("SegmentProd", "Products of the rows of each segment "
                                "(empty: 1).")


# --- unsorted segments: UnsortedSegmentMax, Min, Prod (Sum is in ops/array/index.py) ---------
def _unsorted_shape(op_type):
    def shape(data, segment_ids, num_segments):
        _check_ids(op_type, segment_ids)
        if data.shape.ndims is None or segment_ids.shape.ndims is None:
            return [(data.dtype, unknown_shape())]
        lead = segment_ids.shape.ndims
        if lead > data.shape.ndims or not data.shape[:lead].is_compatible_with(
                segment_ids.shape):
            raise ValueError(f"{op_type} requires data.shape = {data.shape} to start with "
                             f"segment_ids.shape = {segment_ids.shape}")
        rows = constant_value(num_segments)
        rows = None if rows is None else int(rows)
        return [(data.dtype, TensorShape([rows]).concatenate(data.shape[lead:]))]
    return shape


def _unsorted_kernel(kind):
    def kernel(data, segment_ids, num_segments):
        rows = int(num_segments)
        if data.shape[:segment_ids.ndim] != segment_ids.shape:
            raise errors.InvalidArgumentError(
                None, None, f"data.shape = {shape_text(data.shape)} does not start with "
                f"segment_ids.shape = {shape_text(segment_ids.shape)}")
        flat = segment_ids.reshape(-1)
        bad = np.nonzero(flat >= rows)[0]
        if bad.size:
            raise errors.InvalidArgumentError(
                None, None, f"segment_ids[{int(bad[0])}] = {flat[bad[0]]} is out of range "
                f"[0, {rows})")
        return _reduce_segments(kind, data, segment_ids, rows, sorted_ids=False)
    return kernel


def _gather_drop_negatives(params, ids):
    """params[ids], with zeros where ids < 0 (TF's _GatherDropNegatives)."""
    clipped = math_ops.maximum(ids, array.zeros_like(ids))
    gathered = array.gather(params, clipped)
    keep = math_ops.greater_equal(ids, array.zeros_like(ids))
    keep = array.reshape(keep, array.concat([array.shape(ids), array.fill(
        array.expand_dims(array.rank(gathered) - array.rank(ids), 0), 1)], 0))
    keep = math_ops.logical_and(keep, array.ones_like(gathered, dtype=dtypes.bool))
    return array.where(keep, gathered, array.zeros_like(gathered))


def _unsorted_extreme_grad(op, dy):
    data, ids, rows = op.inputs
    return [_selected_grad(data, ids, op.outputs[0], dy,
                           lambda t: _gather_drop_negatives(t, ids),
                           lambda t: unsorted_segment_sum(t, ids, rows)), None, None]


def _unsorted_prod_grad(op, dy):
    data, ids, rows = op.inputs
    return [_product_grad(data, op.outputs[0], dy, lambda t: _gather_drop_negatives(t, ids),
                          lambda t: unsorted_segment_sum(t, ids, rows),
                          lambda t: unsorted_segment_prod(t, ids, rows)), None, None]


for _kind, _grad in (("Max", _unsorted_extreme_grad), ("Min", _unsorted_extreme_grad),
                     ("Prod", _unsorted_prod_grad)):
    register_op("UnsortedSegment" + _kind, shape=_unsorted_shape("UnsortedSegment" + _kind),
                kernel=_unsorted_kernel(_kind.lower()), grad=_grad)


def _unsorted_builder(op_type, doc):
    def builder(data, segment_ids, num_segments, name=None):
        data = convert_to_tensor(data, name="data")
        segment_ids = convert_to_tensor(segment_ids, name="segment_ids")
        num_segments = convert_to_tensor(num_segments, name="num_segments")
        return one(create_op(op_type, [data, segment_ids, num_segments], name=name or op_type))
    builder.__name__ = "unsorted_segment_" + op_type[len("UnsortedSegment"):].lower()
    builder.__doc__ = doc + " segment_ids: any order, shaped like data's first dimensions; " \
                            "negative ids are dropped."
    return builder


unsorted_segment_max = _unsorted_builder(
    "UnsortedSegmentMax", "Maxima per segment (empty: the dtype's lowest value).")
unsorted_segment_min = _unsorted_builder(
    "UnsortedSegmentMin", "Minima per segment (empty: the dtype's highest value).")
unsorted_segment_prod = _unsorted_builder(
    "UnsortedSegmentProd", "Products per segment (empty: 1).")


def _segment_counts(data, segment_ids, num_segments):
    """max(1, the number of rows in each segment), shaped to broadcast against the sums."""
    counts = unsorted_segment_sum(array.ones(array.shape(segment_ids), data.dtype), segment_ids,
                                  num_segments)
    trailing = array.rank(data) - array.rank(segment_ids)
    counts = array.reshape(counts, array.concat(
        [array.expand_dims(array.reshape(num_segments, []), 0),
         array.fill(array.expand_dims(trailing, 0), 1)], 0))
    return math_ops.maximum(counts, array.ones_like(counts))


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """Means per segment (empty segments: 0), as sums over counts."""
    with name_scope(name, "UnsortedSegmentMean", [data, segment_ids]):
        data = convert_to_tensor(data, name="data")
        segment_ids = convert_to_tensor(segment_ids, name="segment_ids")
        num_segments = convert_to_tensor(num_segments, name="num_segments")
        if not data.dtype.is_floating:  # TF computes in float64 for integer data
            data = array.cast(data, dtypes.float64)
        summed = unsorted_segment_sum(data, segment_ids, num_segments)
        out = summed / _segment_counts(data, segment_ids, num_segments)
        out.set_shape(summed.shape)
        return out


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """Sums per segment divided by the square root of the segment's size (empty: 0)."""
    with name_scope(name, "UnsortedSegmentSqrtN", [data, segment_ids]):
        data = convert_to_tensor(data, name="data")
        segment_ids = convert_to_tensor(segment_ids, name="segment_ids")
        num_segments = convert_to_tensor(num_segments, name="num_segments")
        if not data.dtype.is_floating:
            data = array.cast(data, dtypes.float64)
        summed = unsorted_segment_sum(data, segment_ids, num_segments)
        out = summed / math_ops.sqrt(_segment_counts(data, segment_ids, num_segments))
        out.set_shape(summed.shape)
        return out


# --- sparse segments: SparseSegmentSum / Mean / SqrtN (and WithNumSegments) ------------------
def _sparse_segment_shape(op_type):
    def shape(data, indices, segment_ids, *num_segments):
        _check_ids(op_type, indices, "indices")
        _check_ids(op_type, segment_ids)
        for what, t in (("indices", indices), ("segment_ids", segment_ids)):
            if t.shape.ndims not in (None, 1):
                raise ValueError(f"{op_type} requires 1-D {what}, got shape {t.shape}")
        if data.shape.ndims == 0:
            raise ValueError(f"{op_type} requires data of rank >= 1, got a scalar")
        rows = constant_value(num_segments[0]) if num_segments else None
        rows = None if rows is None else int(rows)
        if data.shape.ndims is None:
            return [(data.dtype, unknown_shape())]
        return [(data.dtype, TensorShape([rows]).concatenate(data.shape[1:]))]
    return shape


def _sparse_segment_kernel(kind):
    def kernel(data, indices, segment_ids, *num_segments):
        if indices.shape != segment_ids.shape:
            raise errors.InvalidArgumentError(
                None, None, f"segment_ids and indices should have same size. segment_ids "
                f"shape: {shape_text(segment_ids.shape)}, indices shape: "
                f"{shape_text(indices.shape)}")
        bad = np.nonzero((indices < 0) | (indices >= data.shape[0]))[0]
        if bad.size:
            i = int(bad[0])
            raise errors.InvalidArgumentError(
                None, None, f"Bad: indices[{i}] == {indices[i]} out of range [0, "
                f"{data.shape[0]})")
        if num_segments:
            rows = int(num_segments[0])
            if segment_ids.size and (segment_ids.max() >= rows or segment_ids.min() < 0):
                raise errors.InvalidArgumentError(
                    None, None, f"segment ids must be >= 0 and < num_segments = {rows}")
        else:
            rows = _sorted_rows(segment_ids, segment_ids.shape[0])
        return _reduce_segments(kind, data[indices], segment_ids, rows, sorted_ids=True)
    return kernel


def _sparse_segment_grad(kind):
    def grad(op, dy):
        data, indices, ids = op.inputs[:3]
        rows = array.gather(dy, ids)
        if kind != "sum":
            counts = unsorted_segment_sum(array.ones_like(ids, dtype=dy.dtype), ids,
                                          array.shape(dy)[0])
            counts = math_ops.maximum(counts, array.ones_like(counts))
            scale = 1.0 / (counts if kind == "mean" else math_ops.sqrt(counts))
            rows = rows * array.reshape(array.gather(scale, ids), array.concat(
                [array.shape(ids), array.fill(array.expand_dims(array.rank(dy) - 1, 0), 1)],
                0))
        dx = unsorted_segment_sum(rows, indices, array.shape(data)[0])
        return [dx] + [None] * (len(op.inputs) - 1)
    return grad


SPARSE_SEGMENT_OP_TYPES = {"sum": "SparseSegmentSum", "mean": "SparseSegmentMean",
                           "sqrt_n": "SparseSegmentSqrtN"}
for _kind, _op_type in SPARSE_SEGMENT_OP_TYPES.items():
    for _form in (_op_type, _op_type + "WithNumSegments"):
        register_op(_form, shape=_sparse_segment_shape(_form),
                    kernel=_sparse_segment_kernel(_kind), grad=_sparse_segment_grad(_kind))


def _sparse_builder(kind, doc):
    op_type = SPARSE_SEGMENT_OP_TYPES[kind]

    def builder(data, indices, segment_ids, name=None, num_segments=None):
        data = convert_to_tensor(data, name="data")
        indices = convert_to_tensor(indices, name="indices")
        segment_ids = convert_to_tensor(segment_ids, name="segment_ids")
        inputs = [data, indices, segment_ids]
        if num_segments is None:
            return one(create_op(op_type, inputs, name=name or op_type))
        inputs.append(convert_to_tensor(num_segments, name="num_segments"))
        return one(create_op(op_type + "WithNumSegments", inputs,
                             name=name or op_type + "WithNumSegments"))
    builder.__name__ = "sparse_segment_" + kind
    builder.__doc__ = doc + " over the rows data[indices], grouped by sorted segment_ids."
    return builder


sparse_segment_sum = _sparse_builder("sum", "Sums")
sparse_segment_mean = _sparse_builder("mean", "Means")
sparse_segment_sqrt_n = _sparse_builder("sqrt_n", "Sums divided by sqrt(segment size)")
