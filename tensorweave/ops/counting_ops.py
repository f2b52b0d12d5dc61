"""Cumulative sums, products and log-sum-exps; counting (bincount, histograms, confusion
matrices); dynamic_partition and dynamic_stitch. segment_ops.py exports them to `tf.`."""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import array, math_ops, scatter_ops
from tensorweave.ops._common import one
from tensorweave.ops.scatter_indices import shape_text


# --- Cumsum, Cumprod, CumulativeLogsumexp ----------------------------------------------------
def _scan_shape(op_type, floating_only=False):
    def shape(x, axis, *, exclusive, reverse):
        if floating_only and not x.dtype.is_floating:
            raise TypeError(f"{op_type} requires a floating point input, got {x.dtype.name}")
        if axis.dtype not in (dtypes.int32, dtypes.int64) or axis.shape.ndims not in (None, 0):
            raise ValueError(f"{op_type} requires a scalar int32 or int64 axis, got "
                             f"{axis.dtype.name} of shape {axis.shape}")
        value = constant_value(axis)
        ndims = x.shape.ndims
        if value is not None and ndims is not None and not -ndims <= int(value) < max(ndims, 1):
            raise ValueError(f"{op_type} requires axis in [{-ndims}, {ndims}), got {int(value)}")
        return [(x.dtype, x.shape)]
    return shape


def _scan_kernel(accumulate, identity):
    def kernel(x, axis, *, exclusive, reverse):
        axis = int(axis)
        if not -x.ndim <= axis < max(x.ndim, 1) or x.ndim == 0:
            raise errors.InvalidArgumentError(
                None, None, f"ScanOp: Expected scan axis in the range [{-x.ndim}, {x.ndim}), "
                f"but got {axis}")
        axis %= x.ndim
        if reverse:
            x = np.flip(x, axis)
        out = accumulate(x, axis)
        if exclusive:
            first = np.full_like(np.take(out, [0], axis=axis), identity)
            out = np.concatenate([first, np.take(out, range(x.shape[axis] - 1), axis=axis)],
                                 axis=axis)
        if reverse:
            out = np.flip(out, axis)
        return np.ascontiguousarray(out, dtype=x.dtype)
    return kernel


def _cumsum_grad(op, dy):
    return [cumsum(dy, op.inputs[1], exclusive=op.attrs["exclusive"],
                   reverse=not op.attrs["reverse"]), None]


def _cumprod_grad(op, dy):
    """As TF (through division by x, so undefined where x is 0)."""
    x, axis = op.inputs
    exclusive, reverse = op.attrs["exclusive"], op.attrs["reverse"]
    prod = cumprod(x, axis, exclusive=exclusive, reverse=reverse)
    return [cumsum(prod * dy, axis, exclusive=exclusive, reverse=not reverse) / x, None]


def _cumulative_logsumexp_grad(op, dy):
    """As TF: the positive and negative parts of dy through log-space cumulative sums."""
    x, axis = op.inputs
    out = op.outputs[0]
    exclusive, reverse = op.attrs["exclusive"], op.attrs["reverse"]
    lowest = convert_to_tensor(dy.dtype.min, dtype=dy.dtype)
    zeros = array.zeros_like(dy)
    safe = array.where(math_ops.equal(dy, zeros), array.ones_like(dy), math_ops.abs(dy))
    parts = []
    for keep in (math_ops.greater(dy, zeros), math_ops.less(dy, zeros)):
        log_part = array.where(keep, math_ops.log(safe), array.fill(array.shape(dy), lowest))
        parts.append(math_ops.exp(cumulative_logsumexp(
            log_part - out, axis, exclusive=exclusive, reverse=not reverse) + x))
    return [parts[0] - parts[1], None]


register_op("Cumsum", shape=_scan_shape("Cumsum"),
            kernel=_scan_kernel(lambda x, a: np.cumsum(x, a, dtype=x.dtype), 0),
            grad=_cumsum_grad)
register_op("Cumprod", shape=_scan_shape("Cumprod"),
            kernel=_scan_kernel(lambda x, a: np.cumprod(x, a, dtype=x.dtype), 1),
            grad=_cumprod_grad)
register_op("CumulativeLogsumexp", shape=_scan_shape("CumulativeLogsumexp", True),
            kernel=_scan_kernel(lambda x, a: np.logaddexp.accumulate(x, a), -np.inf),
            grad=_cumulative_logsumexp_grad)


def _scan_builder(op_type, doc):
    def builder(x, axis=0, exclusive=False, reverse=False, name=None):
        x = convert_to_tensor(x, name="x")
        axis = convert_to_tensor(axis, name="axis")
        return one(create_op(op_type, [x, axis], name=name or op_type,
                             exclusive=bool(exclusive), reverse=bool(reverse)))
    builder.__doc__ = doc + " along `axis`; `exclusive` leaves each entry out of its own " \
                            "result, `reverse` runs from the end."
    return builder


cumsum = _scan_builder("Cumsum", "Running sums")
cumsum.__name__ = "cumsum"
cumprod = _scan_builder("Cumprod", "Running products")
cumprod.__name__ = "cumprod"
cumulative_logsumexp = _scan_builder("CumulativeLogsumexp", "Running log(sum(exp(x)))")
cumulative_logsumexp.__name__ = "cumulative_logsumexp"


# --- Bincount, HistogramFixedWidth -----------------------------------------------------------
def _bincount_shape(arr, size, weights):
    if arr.dtype is not dtypes.int32 or size.dtype is not dtypes.int32:
        raise TypeError(f"Bincount requires int32 arr and size, got {arr.dtype.name} and "
                        f"{size.dtype.name}")
    rows = constant_value(size)
    return [(weights.dtype, TensorShape([None if rows is None else int(rows)]))]


def _bincount_kernel(arr, size, weights):
    size = int(size)
    if size < 0:
        raise errors.InvalidArgumentError(None, None, f"size ({size}) must be non-negative")
    if arr.size and arr.min() < 0:
        raise errors.InvalidArgumentError(None, None, "Input arr must be non-negative!")
    if weights.size and weights.shape != arr.shape:
        raise errors.InvalidArgumentError(
            None, None, f"Weights and arr must have the same shape, got "
            f"{shape_text(weights.shape)} and {shape_text(arr.shape)}")
    kept = arr < size  # values past the size are not counted
    flat = arr[kept].reshape(-1)
    counts = np.bincount(flat, weights=weights[kept].reshape(-1) if weights.size else None,
                         minlength=size)[:size]
    return counts.astype(weights.dtype)


register_op("Bincount", shape=_bincount_shape, kernel=_bincount_kernel, grad=NOT_DIFFERENTIABLE)


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32, name=None):
    """How often each value 0..max(arr) occurs in the int32 array `arr` (or the sum of its
    `weights`); the length is at least `minlength` and at most `maxlength`.

    >>> tf.bincount([1, 1, 3])  # [0, 2, 0, 1]
    """
    with name_scope(name, "bincount", [arr, weights, minlength, maxlength]):
        arr = convert_to_tensor(arr, name="arr", dtype=dtypes.int32)
        size = math_ops.reduce_max(array.concat([array.reshape(arr, [-1]), [-1]], 0)) + 1
        if minlength is not None:
            size = math_ops.maximum(convert_to_tensor(minlength, dtype=dtypes.int32), size)
        if maxlength is not None:
            size = math_ops.minimum(convert_to_tensor(maxlength, dtype=dtypes.int32), size)
        if weights is not None:
            weights = convert_to_tensor(weights, name="weights")
        else:
            weights = convert_to_tensor(np.zeros([0], dtypes.as_dtype(dtype).as_numpy_dtype))
        return one(create_op("Bincount", [arr, size, weights], name="Bincount"))


def _histogram_shape(values, value_range, nbins, *, dtype):
    if values.dtype is not value_range.dtype:
        raise TypeError(f"HistogramFixedWidth requires value_range of the values' dtype "
                        f"{values.dtype.name}, got {value_range.dtype.name}")
    bins = constant_value(nbins)
    return [(dtype, TensorShape([None if bins is None else int(bins)]))]


def _histogram_bins(values, value_range, bins):
    lo, hi = value_range.astype(np.float64)
    if not lo < hi:
        raise errors.InvalidArgumentError(
            None, None, f"value_range should satisfy value_range[0] < value_range[1], but got "
            f"[{lo}, {hi}]")
    scaled = np.floor((values.astype(np.float64) - lo) / (hi - lo) * bins)
    return np.clip(scaled, 0, bins - 1).astype(np.int64)


def _histogram_kernel(values, value_range, nbins, *, dtype):
    bins = int(nbins)
    if bins <= 0:
        raise errors.InvalidArgumentError(None, None, f"nbins should be a positive number, "
                                                      f"but got '{bins}'")
    which = _histogram_bins(values, value_range, bins)
    return np.bincount(which.reshape(-1), minlength=bins).astype(dtype)  # a NumPy dtype in kernels


register_op("HistogramFixedWidth", shape=_histogram_shape, kernel=_histogram_kernel,
            grad=NOT_DIFFERENTIABLE)


def histogram_fixed_width(values, value_range, nbins=100, dtype=dtypes.int32, name=None):
    """Counts of `values` in `nbins` equal bins over [value_range[0], value_range[1]]; values
    outside go to the first or last bin."""
    with name_scope(name, "histogram_fixed_width", [values, value_range, nbins]):
        values = convert_to_tensor(values, name="values")
        value_range = convert_to_tensor(value_range, dtype=values.dtype, name="value_range")
        nbins = convert_to_tensor(nbins, dtype=dtypes.int32, name="nbins")
        return one(create_op("HistogramFixedWidth", [values, value_range, nbins],
                             name="HistogramFixedWidth", dtype=dtypes.as_dtype(dtype)))


def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=dtypes.int32, name=None):
    """The bin (as histogram_fixed_width counts them) of each value, shaped like `values`."""
    with name_scope(name, "histogram_fixed_width_bins", [values, value_range, nbins]):
        values = convert_to_tensor(values, name="values")
        shape = array.shape(values)
        values = array.reshape(values, [-1])
        value_range = convert_to_tensor(value_range, dtype=values.dtype, name="value_range")
        nbins = convert_to_tensor(nbins, dtype=dtypes.int32, name="nbins")
        nbins_float = array.cast(nbins, values.dtype)
        scaled = (values - value_range[0]) / (value_range[1] - value_range[0])
        indices = math_ops.floor(nbins_float * scaled)
        indices = math_ops.clip_by_value(indices, 0, nbins_float - 1)
        return array.reshape(array.cast(indices, dtype), shape)


def confusion_matrix(labels, predictions, num_classes=None, dtype=dtypes.int32, name=None,
                     weights=None):
    """counts[i, j]: how often label i was predicted as j (or the sum of `weights`), for
    classes 0..num_classes-1 (default: the largest label or prediction + 1).

    >>> tf.confusion_matrix([1, 2, 4], [2, 2, 4])  # 5 x 5, ones at (1, 2), (2, 2), (4, 4)
    """
    with name_scope(name, "confusion_matrix",
                    (predictions, labels, num_classes, weights)) as scope:
        labels = array.cast(convert_to_tensor(labels, name="labels"), dtypes.int64)
        predictions = array.cast(convert_to_tensor(predictions, name="predictions"),
                                 dtypes.int64)
        if num_classes is None:
            both = array.concat([array.reshape(labels, [-1]), array.reshape(predictions, [-1]),
                                 np.array([-1], np.int64)], 0)
            num_classes = math_ops.reduce_max(both) + 1
        else:
            num_classes = array.cast(convert_to_tensor(num_classes, name="num_classes"),
                                     dtypes.int64)
        indices = array.stack([labels, predictions], axis=1)
        if weights is None:
            values = array.ones_like(predictions, dtype=dtype)
        else:
            values = array.cast(convert_to_tensor(weights, name="weights"), dtype)
        shape = array.stack([num_classes, num_classes])
        return scatter_ops.scatter_nd(indices, values, shape, name=scope[:-1] + "/")


# --- DynamicPartition, DynamicStitch, ParallelDynamicStitch ----------------------------------
def _partition_shape(data, partitions, *, num_partitions):
    if partitions.dtype is not dtypes.int32:
        raise TypeError(f"DynamicPartition requires int32 partitions, got "
                        f"{partitions.dtype.name}")
    if num_partitions < 1:
        raise ValueError(f"DynamicPartition requires num_partitions >= 1, got {num_partitions}")
    if data.shape.ndims is None or partitions.shape.ndims is None:
        return [(data.dtype, unknown_shape())] * num_partitions
    lead = partitions.shape.ndims
    if lead > data.shape.ndims or not data.shape[:lead].is_compatible_with(partitions.shape):
        raise ValueError(f"DynamicPartition requires data.shape = {data.shape} to start with "
                         f"partitions.shape = {partitions.shape}")
    return [(data.dtype, TensorShape([None]).concatenate(data.shape[lead:]))] * num_partitions


def _partition_kernel(data, partitions, *, num_partitions):
    if data.shape[:partitions.ndim] != partitions.shape:
        raise errors.InvalidArgumentError(
            None, None, f"data.shape must start with partitions.shape, got data.shape = "
            f"{shape_text(data.shape)}, partitions.shape = {shape_text(partitions.shape)}")
    flat = partitions.reshape(-1)
    bad = np.nonzero((flat < 0) | (flat >= num_partitions))[0]
    if bad.size:
        i = int(bad[0])
        raise errors.InvalidArgumentError(
            None, None, f"partitions[{i}] = {flat[i]} is not in [0, {num_partitions})")
    rows = data.reshape((-1,) + data.shape[partitions.ndim:])
    return tuple(rows[flat == k] for k in range(num_partitions))


def _partition_grad(op, *dys):
    data, partitions = op.inputs
    positions = array.reshape(array.range_(0, array.size(partitions)), array.shape(partitions))
    pieces = dynamic_partition(positions, partitions, op.attrs["num_partitions"])
    dys = [array.zeros_like(t) if g is None else g for t, g in zip(op.outputs, dys)]
    return [array.reshape(dynamic_stitch(pieces, dys), array.shape(data)), None]


register_op("DynamicPartition", shape=_partition_shape, kernel=_partition_kernel,
            grad=_partition_grad)


def dynamic_partition(data, partitions, num_partitions, name=None):
    """`num_partitions` tensors: the slices of `data` whose `partitions` entry is 0, 1, ...

    >>> tf.dynamic_partition([10, 20, 30], [1, 0, 1], 2)  # [[20], [10, 30]]
    """
    data = convert_to_tensor(data, name="data")
    partitions = convert_to_tensor(partitions, name="partitions")
    return create_op("DynamicPartition", [data, partitions], name=name or "DynamicPartition",
                     num_partitions=int(num_partitions)).outputs


def _stitch_shape(op_type):
    def shape(*tensors, N):
        indices, data = tensors[:N], tensors[N:]
        for t in indices:
            if t.dtype is not dtypes.int32:
                raise TypeError(f"{op_type} requires int32 indices, got {t.dtype.name}")
        for t in data[1:]:
            if t.dtype is not data[0].dtype:
                raise TypeError(f"{op_type} requires data of one dtype, got "
                                f"{data[0].dtype.name} and {t.dtype.name}")
        values = [constant_value(t) for t in indices]
        rows = None
        if all(v is not None for v in values):
            rows = max([int(np.max(v)) + 1 for v in values if np.size(v)], default=0)
        inner = None
        for i, d in zip(indices, data):
            if i.shape.ndims is None or d.shape.ndims is None:
                continue
            if i.shape.ndims > d.shape.ndims or \
                    not d.shape[:i.shape.ndims].is_compatible_with(i.shape):
                raise ValueError(f"{op_type} requires data.shape to start with indices.shape, "
                                 f"got {d.shape} and {i.shape}")
            rest = d.shape[i.shape.ndims:]
            if inner is not None and not inner.is_compatible_with(rest):
                raise ValueError(f"{op_type} requires data of one inner shape, got {inner} and "
                                 f"{rest}")
            inner = rest if inner is None else inner.merge_with(rest)
        out = unknown_shape() if inner is None else TensorShape([rows]).concatenate(inner)
        return [(data[0].dtype, out)]
    return shape


def _stitch_kernel(*arrays, N):
    indices, data = arrays[:N], arrays[N:]
    inner = None
    for k, (i, d) in enumerate(zip(indices, data)):
        if d.shape[:i.ndim] != i.shape:
            raise errors.InvalidArgumentError(
                None, None, f"data[{k}].shape = {shape_text(d.shape)} does not start with "
                f"indices[{k}].shape = {shape_text(i.shape)}")
        inner = d.shape[i.ndim:] if inner is None else inner
        if d.shape[i.ndim:] != inner:
            raise errors.InvalidArgumentError(
                None, None, f"Need data[{k}].shape[{i.ndim}:] = {shape_text(inner)}, got "
                f"data[{k}].shape = {shape_text(d.shape)}")
    rows = max([int(i.max()) + 1 for i in indices if i.size], default=0)
    out = np.zeros((rows,) + inner, dtype=data[0].dtype)
    filled = np.zeros(rows, bool)
    for k, (i, d) in enumerate(zip(indices, data)):
        flat = i.reshape(-1)
        if flat.size and flat.min() < 0:
            bad = int(np.nonzero(flat < 0)[0][0])
            raise errors.InvalidArgumentError(
                None, None, f"indices[{k}][{bad}] = {flat[bad]} is out of range")
        out[flat] = d.reshape((-1,) + inner)
        filled[flat] = True
    if not filled.all():
        raise errors.InvalidArgumentError(
            None, None, f"Missing indices: {np.nonzero(~filled)[0].tolist()} are not in any "
            f"input's indices")
    return out


def _stitch_grad(op, dy):
    n = op.attrs["N"]
    return [None] * n + [array.gather(dy, array.cast(i, dtypes.int32))
                         for i in op.inputs[:n]]


for _op_type in ("DynamicStitch", "ParallelDynamicStitch"):
    register_op(_op_type, shape=_stitch_shape(_op_type), kernel=_stitch_kernel,
                grad=_stitch_grad)


def _stitch(op_type, indices, data, name):
    indices = [convert_to_tensor(i, name="indices") for i in indices]
    data = [convert_to_tensor(d, name="data") for d in data]
    if len(indices) != len(data) or not indices:
        raise ValueError(f"{op_type} requires as many data tensors as indices tensors (at least "
                         f"one), got {len(indices)} and {len(data)}")
    return one(create_op(op_type, indices + data, name=name or op_type, N=len(indices)))


def dynamic_stitch(indices, data, name=None):
    """One tensor from `data` pieces: out[indices[k][j]] = data[k][j] (later pieces win).

    >>> tf.dynamic_stitch([[0, 2], [1]], [[10, 30], [20]])  # [10, 20, 30]
    """
    return _stitch("DynamicStitch", indices, data, name)


def parallel_dynamic_stitch(indices, data, name=None):
    """dynamic_stitch as TF's ParallelDynamicStitch op (duplicate indices: any piece wins)."""
    return _stitch("ParallelDynamicStitch", indices, data, name)
