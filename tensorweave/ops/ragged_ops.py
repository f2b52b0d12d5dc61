"""Ragged op types: RaggedRange (tf.ragged.range's rows of ranges).

    RaggedRange(starts=[0, 5], limits=[3, 5], deltas=[1, 1])
    # rt_nested_splits [0, 3, 3], rt_dense_values [0, 1, 2]
"""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape

_RANGE_DTYPES = (dtypes.bfloat16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64)


def _range_shape(starts, limits, deltas, *, T=None, Tsplits=dtypes.int64):
    dtype = starts.dtype
    for t, what in ((starts, "starts"), (limits, "limits"), (deltas, "deltas")):
        if t.dtype is not dtype:
            raise TypeError(f"RaggedRange requires starts, limits and deltas of one dtype, got "
                            f"{dtype.name} and {t.dtype.name} for {what}")
        if t.shape.ndims is not None and t.shape.ndims > 1:
            raise ValueError(f"Shape must be at most rank 1 but is rank {t.shape.ndims} for "
                             f"'RaggedRange' ({what})")
    if dtype not in _RANGE_DTYPES:
        raise TypeError(f"RaggedRange requires int32, int64 or floating inputs, got "
                        f"{dtype.name}")
    rows = None
    for t in (starts, limits, deltas):
        if t.shape.ndims == 1 and t.shape.as_tuple()[0] is not None:
            rows = t.shape.as_tuple()[0]
    return [(Tsplits, TensorShape([None if rows is None else rows + 1])),
            (dtype, TensorShape([None]))]


def _range_kernel(starts, limits, deltas, *, T=None, Tsplits=dtypes.int64):
    starts, limits, deltas = (np.asarray(v) for v in (starts, limits, deltas))
    sizes = [v.shape[0] for v in (starts, limits, deltas) if v.ndim == 1]
    if len(set(sizes)) > 1:
        raise errors.InvalidArgumentError(None, None,
                                          "starts, limits, and deltas must have the same shape")
    nrows = sizes[0] if sizes else 1
    starts, limits, deltas = (np.broadcast_to(v, (nrows,)) for v in (starts, limits, deltas))
    integral = starts.dtype.kind in "iu"
    counts = []
    for start, limit, delta in zip(starts.tolist(), limits.tolist(), deltas.tolist()):
        if delta == 0:
            raise errors.InvalidArgumentError(None, None, "Requires delta != 0")
        if (delta > 0 and limit < start) or (delta < 0 and limit > start):
            counts.append(0)
        elif integral:
            counts.append((abs(limit - start) + abs(delta) - 1) // abs(delta))
        else:
            counts.append(int(np.ceil(abs((limit - start) / delta))))
    splits = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)]).astype(
        np.dtype(getattr(Tsplits, "as_numpy_dtype", Tsplits)))
    values = []  # start, start + delta, ... added up one step at a time, as TF's kernel
    for start, delta, count in zip(starts, deltas, counts):
        steps = np.full(count, delta, starts.dtype)
        if count:
            steps[0] = start
        values.append(np.add.accumulate(steps, dtype=starts.dtype))
    values = np.concatenate(values).astype(starts.dtype) if values else \
        np.zeros(0, starts.dtype)
    return splits, values


register_op("RaggedRange", shape=_range_shape, kernel=_range_kernel, grad=NOT_DIFFERENTIABLE)
