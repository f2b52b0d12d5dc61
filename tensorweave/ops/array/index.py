"""Indexing: strided slicing (getitem), gathering, segment sums, one-hot, Where/Select, Range and
ReverseSequence."""
import numbers
import warnings

import numpy as np

from tensorweave.core import dtypes, errors, tf_form
from tensorweave.core.constants import (constant, constant_value, convert_to_tensor,
                                        known_values,
                                        partial_shape_from_tensor,
                                        register_tensor_conversion_function)
from tensorweave.core.graph import create_op
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.core.operation import Tensor
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op, register_tf_form
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops._common import axis_after_rows, normalize_axis, one
from tensorweave.ops.array.convert import cast
from tensorweave.ops.array.construct import ones, ones_like, stack, stacked_ints, zeros_like
from tensorweave.ops.array.shapes import (expand_dims, rank, reshape, shape, shape_argument,
                                          shape_tensor, transpose)
from tensorweave.ops.array.shapes import size as array_size
from tensorweave.ops.array.broadcast import broadcast_shapes, sum_to_shape
from tensorweave.ops.array.join import concat


newaxis = None


def _slice_dim(item, d):
    if d is None:
        return None
    start, stop, step = item.indices(d)
    return len(range(start, stop, step))


def _strided_slice_shape(x, *, spec):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape())]
    dims = list(x.shape.as_tuple())
    consumed = sum(1 for s in spec if s is not None and s is not Ellipsis)
    if consumed > len(dims):
        raise ValueError(f"StridedSlice requires at most {len(dims)} indices for shape "
                         f"{x.shape}, got {consumed}")
    out, i = [], 0
    for item in spec:
        if item is None:
            out.append(1)
        elif item is Ellipsis:
            keep = len(dims) - consumed
            out.extend(dims[i:i + keep])
            i += keep
        elif isinstance(item, slice):
            out.append(_slice_dim(item, dims[i]))
            i += 1
        else:
            if dims[i] is not None and not -dims[i] <= item < dims[i]:
                raise ValueError(f"StridedSlice index {item} of dimension {i} is out of "
                                 f"bounds for shape {x.shape}")
            i += 1
    out.extend(dims[i:])
    return [(x.dtype, TensorShape(out))]


def _strided_slice_kernel(x, *, spec):
    return x[spec]


def _strided_slice_grad(op, dy):
    x = op.inputs[0]
    return [one(create_op("StridedSliceGrad", [shape_tensor(x), dy], spec=op.attrs["spec"]))]


def _strided_slice_partial_value(op):
    """The slice of what is known of the input (a shape's entries, None where unknown)."""
    x = op.inputs[0]
    if not x.shape.is_fully_defined() or x.shape.num_elements() > 1024:
        return None
    values = known_values(x)
    if values is None:
        return None
    entries = np.array(values, dtype=object).reshape(x.shape.as_tuple())
    picked = entries[op.attrs["spec"]]
    return picked.tolist() if isinstance(picked, np.ndarray) else picked


register_op("StridedSlice", shape=_strided_slice_shape, kernel=_strided_slice_kernel,
            grad=_strided_slice_grad, shares_memory=True,
            partial_value=_strided_slice_partial_value)


def _strided_slice_grad_shape(x_shape, dy, *, spec):
    return [(dy.dtype, partial_shape_from_tensor(x_shape))]


def _strided_slice_grad_kernel(x_shape, dy, *, spec):
    out = np.zeros(tuple(x_shape), dtype=dy.dtype)
    out[spec] = dy
    return out


def _strided_slice_grad_grad(op, ddx):
    return [None, one(create_op("StridedSlice", [ddx], spec=op.attrs["spec"]))]


register_op("StridedSliceGrad", shape=_strided_slice_grad_shape,
            kernel=_strided_slice_grad_kernel, grad=_strided_slice_grad_grad)


def _static_index(item):
    if isinstance(item, Tensor):
        value = constant_value(item)
        if value is None:
            raise TypeError("Slice bounds computed at run time are not supported (scalar "
                            "indices are); use tf.gather for rows, or static slice bounds.")
        return int(value)
    if item is None or isinstance(item, numbers.Integral):
        return item
    raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                    f"scalar int32/int64 tensors are valid indices, got {item!r}")


def _canonical_spec(key):
    items = key if isinstance(key, tuple) else (key,)
    spec = []
    for item in items:
        if isinstance(item, slice):
            spec.append(slice(_static_index(item.start), _static_index(item.stop),
                              _static_index(item.step)))
        elif item is Ellipsis or item is None:
            spec.append(item)
        else:
            spec.append(_static_index(item))
    return tuple(spec)


def _is_run_time(item):
    return isinstance(item, Tensor) and constant_value(item) is None


def _has_run_time_bound(item):
    return isinstance(item, slice) and any(_is_run_time(b) for b in (item.start, item.stop,
                                                                       item.step))


def getitem(tensor, key):
    """`tensor[key]` with ints, slices, strides, `...` and tf.newaxis (TF's strided slicing);
    indices and slice bounds and steps may be scalar tensors computed at run time (`x[i]` in a
    loop body, `x[:n]`), which builds TF's StridedSlice form with begin, end and strides as
    inputs."""
    tensor = convert_to_tensor(tensor)
    items = key if isinstance(key, tuple) else (key,)
    if any(_is_run_time(item) or _has_run_time_bound(item) for item in items):
        return _getitem_run_time(tensor, items)
    return one(create_op("StridedSlice", [tensor], name="strided_slice",
                          spec=_canonical_spec(key)))


def _getitem_run_time(tensor, items):
    for item in items:
        for value in (item.start, item.stop, item.step) if isinstance(item, slice) else (item,):
            if _is_run_time(value) and (value.shape.ndims not in (None, 0) or
                                        not value.dtype.is_integer):
                raise TypeError(f"Only scalar int32/int64 tensors are valid indices, got "
                                f"{value.dtype.name} tensor of shape {value.shape}")
    begin, end, strides, masks = [], [], [], dict.fromkeys(STRIDED_SLICE_MASKS, 0)
    for i, item in enumerate(items):
        bit = 1 << i
        if item is Ellipsis or item is None:
            masks["ellipsis_mask" if item is Ellipsis else "new_axis_mask"] |= bit
            item = (0, 0, 1)
        elif isinstance(item, slice):
            masks["begin_mask"] |= bit if item.start is None else 0
            masks["end_mask"] |= bit if item.stop is None else 0
            item = (0 if item.start is None else item.start, 0 if item.stop is None
                    else item.stop, 1 if item.step is None else item.step)
        else:
            masks["shrink_axis_mask"] |= bit
            item = (item, item if isinstance(item, Tensor) else _static_index(item) + 1, 1)
        for part, value in zip((begin, end, strides), item):
            part.append(value)
    return one(create_op("DynamicStridedSlice", [tensor] + [stacked_ints(p) for p in
                                                            (begin, end, strides)],
                          name="strided_slice", **masks))


STRIDED_SLICE_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                       "shrink_axis_mask")


def strided_slice_key(shape, begin, end, strides, *, begin_mask=0, end_mask=0,
                      ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0):
    """The NumPy index (slices, ints, None for new axes, Ellipsis) that TF's StridedSlice
    takes from begin, end, strides and its masks, for an input of `shape` (None: unchecked).

    >>> strided_slice_key((4, 6), [1, 2], [0, 0], [2, 1], end_mask=1, shrink_axis_mask=2)
    (slice(1, None, 2), 2)
    """
    begin, end, strides = (np.reshape(v, -1) for v in (begin, end, strides))
    if not len(begin) == len(end) == len(strides):
        raise ValueError(f"StridedSlice requires begin, end and strides of one length, got "
                         f"{begin.tolist()}, {end.tolist()} and {strides.tolist()}")
    if not strides.all():
        raise ValueError(f"StridedSlice requires non-zero strides, got {strides.tolist()}")
    special = ellipsis_mask | new_axis_mask
    consumed = sum(1 for i in range(len(begin)) if not special >> i & 1)
    key, at = [], 0  # `at`: the dimension of `shape` the next item indexes
    for i, (b, e, step) in enumerate(zip(begin.tolist(), end.tolist(), strides.tolist())):
        bit = 1 << i
        if ellipsis_mask & bit:
            key.append(Ellipsis)
            at += len(shape) - consumed if shape is not None else 0
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_axis_mask & bit:
            if shape is not None and (at >= len(shape) or not -shape[at] <= b < shape[at]):
                raise IndexError(f"slice index {b} of dimension {at} out of bounds.")
            key.append(int(b))
            at += 1
        else:
            key.append(slice(None if begin_mask & bit else int(b),
                             None if end_mask & bit else int(e), int(step)))
            at += 1
    return tuple(key)


def slice_(input_, begin, size, name=None):
    """The block of `input_` starting at `begin` with extent `size` (-1: to the end)."""
    x = convert_to_tensor(input_)
    begin, size = shape_argument(begin), shape_argument(size)
    if isinstance(begin, Tensor) or isinstance(size, Tensor):
        kind = (begin if isinstance(begin, Tensor) else size).dtype
        begin, size = (cast(b, kind) if isinstance(b, Tensor) else
                       constant(b.astype(kind.as_numpy_dtype).reshape(-1)) for b in (begin, size))
        return one(create_op("Slice", [x, begin, size], name=name or "Slice"))
    spec = tuple(slice(int(b), None if s == -1 else int(b + s)) for b, s in zip(begin, size))
    return one(create_op("StridedSlice", [x], name=name or "Slice", spec=spec))


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """`input_[begin:end:strides]` dimension by dimension, with TF's masks; begin, end and
    strides may be computed at run time."""
    x = convert_to_tensor(input_)
    masks = dict(begin_mask=int(begin_mask), end_mask=int(end_mask),
                 ellipsis_mask=int(ellipsis_mask), new_axis_mask=int(new_axis_mask),
                 shrink_axis_mask=int(shrink_axis_mask))
    parts = [shape_argument(begin), shape_argument(end)]
    if strides is None:
        strides = ones_like(parts[0]) if isinstance(parts[0], Tensor) else \
            np.ones_like(parts[0])
    parts.append(shape_argument(strides))
    tensors = [p for p in parts if isinstance(p, Tensor)]
    if tensors:
        kind = tensors[0].dtype
        parts = [cast(p, kind) if isinstance(p, Tensor) else
                 constant(p.astype(kind.as_numpy_dtype).reshape(-1)) for p in parts]
        return one(create_op("DynamicStridedSlice", [x] + parts,
                              name=name or "StridedSlice", **masks))
    key = strided_slice_key(None, *parts, **masks)
    return one(create_op("StridedSlice", [x], name=name or "StridedSlice",
                          spec=_canonical_spec(key)))


def _gather_shape(params, indices, *, axis):
    if params.shape.ndims is None or indices.shape.ndims is None:
        return [(params.dtype, unknown_shape())]
    if not indices.dtype.is_integer:
        raise TypeError(f"GatherV2 requires integer indices, got {indices.dtype.name}")
    dims = params.shape.as_tuple()
    a = normalize_axis(axis, len(dims), "GatherV2")
    return [(params.dtype, TensorShape(dims[:a] + indices.shape.as_tuple() + dims[a + 1:]))]


def _gather_kernel(params, indices, *, axis):
    if indices.size and (indices.min() < -0 or indices.max() >= params.shape[axis]):
        bad = indices[(indices < 0) | (indices >= params.shape[axis])].reshape(-1)[0]
        raise IndexError(f"indices = {bad} is not in [0, {params.shape[axis]})")
    return np.take(params, indices, axis=axis)


def _gather_grad(op, dy):
    params, indices = op.inputs
    axis = op.attrs["axis"]
    if axis != 0:
        if params.shape.ndims is None or indices.shape.ndims is None:
            raise ValueError(f"The gradient of GatherV2 along axis {axis} needs params and "
                             f"indices of known rank, got shapes {params.shape} and "
                             f"{indices.shape}")
        axis %= params.shape.ndims
    if axis != 0:
        moved = transpose(params, _move_to_front(params.shape.ndims, axis))
        inner = gather(moved, indices)
        back = _gather_grad(inner.op, transpose(dy, _move_to_front(dy.shape.ndims, axis,
                                                                   indices.shape.ndims)))[0]
        return [transpose(back, tuple(np.argsort(_move_to_front(params.shape.ndims, axis)))),
                None]
    return [_rows_gradient(params, indices, dy), None]


def _rows_gradient(params, indices, dy):
    """The gradient of gathering rows `indices` of `params`, as TF builds it: IndexedSlices of
    dy's rows (one per index) at the flattened indices, dense_shape the shape of params."""
    params_shape = shape_tensor(params)
    known = constant_value(params_shape)
    if known is not None and indices.shape.is_fully_defined():
        count = int(np.prod(indices.shape.as_tuple(), dtype=np.int64))
        values = reshape(dy, [count] + [int(d) for d in known[1:]])
        flat = reshape(indices, [count])
    else:
        size = expand_dims(array_size(indices), 0)
        values = reshape(dy, concat([size, getitem(params_shape, slice(1, None))], 0))
        flat = reshape(indices, size)
    return IndexedSlices(values, flat, params_shape)


def _move_to_front(ndims, axis, width=1):
    order = list(range(ndims))
    front = order[axis:axis + width]
    return tuple(front + order[:axis] + order[axis + width:])


register_op("GatherV2", shape=_gather_shape, kernel=_gather_kernel, grad=_gather_grad)


def gather(params, indices, validate_indices=None, name=None, axis=0):
    """Rows (or slices along `axis`) of `params` picked by `indices`."""
    params = convert_to_tensor(params)
    indices = convert_to_tensor(indices)
    axis = shape_argument(axis)
    if isinstance(axis, Tensor):  # TF's GatherV2 form: the axis an input
        return one(create_op("DynamicGatherV2", [params, indices, axis],
                              name=name or "GatherV2"))
    return one(create_op("GatherV2", [params, indices], name=name or "GatherV2",
                          axis=int(axis)))


def _segment_sum_shape(data, segment_ids, num_segments):
    if num_segments.shape.ndims not in (None, 0):
        raise ValueError(f"UnsortedSegmentSum requires a scalar num_segments, got shape "
                         f"{num_segments.shape}")
    rows = constant_value(num_segments)
    lead = segment_ids.shape.ndims
    if lead is None or data.shape.ndims is None:
        return [(data.dtype, unknown_shape())]
    if not data.shape[:lead].is_compatible_with(segment_ids.shape):
        raise ValueError(f"UnsortedSegmentSum requires segment_ids shape to be a prefix of "
                         f"data's, got {segment_ids.shape} and {data.shape}")
    rows = None if rows is None else int(rows)
    return [(data.dtype, TensorShape([rows] + data.shape.as_list()[lead:]))]


def _segment_sum_kernel(data, segment_ids, num_segments):
    rows = int(num_segments)
    out = np.zeros((rows,) + data.shape[segment_ids.ndim:], dtype=data.dtype)
    outside = segment_ids >= rows
    if outside.any():
        i = int(np.flatnonzero(outside.reshape(-1))[0])
        raise errors.InvalidArgumentError(
            None, None, f"segment_ids[{i}] = {segment_ids.reshape(-1)[i]} is out of range "
                        f"[0, {rows})")
    kept = segment_ids >= 0  # TF drops the slices of negative ids
    np.add.at(out, segment_ids[kept], data[kept])
    return out


def _segment_sum_grad(op, dy):
    """The rows of dy picked by the segment ids; slices with negative ids get zeros."""
    ids = op.inputs[1]
    kept = ids >= 0
    rows = gather(dy, select(kept, ids, zeros_like(ids)))
    trailing = ones(stack([rank(rows) - rank(ids)]), dtypes.int32)
    kept = reshape(kept, concat([shape(ids), trailing], 0))
    return [select(kept, rows, zeros_like(rows)), None, None]


register_op("UnsortedSegmentSum", shape=_segment_sum_shape, kernel=_segment_sum_kernel,
            grad=_segment_sum_grad)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Sums slices of `data` into `num_segments` rows chosen by `segment_ids` (negative ids
    drop their slice)."""
    data = convert_to_tensor(data)
    segment_ids = convert_to_tensor(segment_ids)
    rows = shape_argument(num_segments)
    rows = reshape(rows, []) if isinstance(rows, Tensor) else constant(
        np.asarray(rows).reshape(()).astype(segment_ids.dtype.as_numpy_dtype
                                            if segment_ids.dtype.is_integer else np.int32))
    return one(create_op("UnsortedSegmentSum", [data, segment_ids, rows],
                         name=name or "UnsortedSegmentSum"))


LARGE_SPARSE_NUM_ELEMENTS = 100000000  # TF warns when densifying IndexedSlices this large


def indexed_slices_to_dense(value, dtype=None, name=None):
    """The dense tensor an IndexedSlices stands for (repeated rows add up)."""
    if value.dense_shape is None:
        raise ValueError(f"Tensor conversion requested for IndexedSlices without "
                         f"dense_shape: {value!r}")
    if dtype is not None and dtypes.as_dtype(dtype) != value.dtype:
        raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} "
                         f"for IndexedSlices with dtype {value.dtype.name}: {value!r}")
    known = constant_value(value.dense_shape)
    if known is None:
        warnings.warn("Converting sparse IndexedSlices to a dense Tensor of unknown shape. "
                      "This may consume a large amount of memory.", stacklevel=3)
    elif np.prod(known, dtype=np.int64) >= LARGE_SPARSE_NUM_ELEMENTS:
        warnings.warn(f"Converting sparse IndexedSlices to a dense Tensor with "
                      f"{np.prod(known, dtype=np.int64)} elements. This may consume a large "
                      f"amount of memory.", stacklevel=3)
    rows = getitem(value.dense_shape, 0) if known is None else int(known[0])
    return unsorted_segment_sum(value.values, value.indices, rows, name=name)


register_tensor_conversion_function(IndexedSlices, indexed_slices_to_dense)


def _one_hot_shape(indices, on_value, off_value, *, depth, axis):
    if indices.shape.ndims is None:
        return [(on_value.dtype, unknown_shape())]
    dims = list(indices.shape.as_tuple())
    dims.insert(len(dims) if axis == -1 else axis, depth)
    return [(on_value.dtype, TensorShape(dims))]


def _one_hot_kernel(indices, on_value, off_value, *, depth, axis):
    hot = indices[..., None] == np.arange(depth)
    out = np.where(hot, on_value, off_value).astype(on_value.dtype)
    return out if axis == -1 else np.moveaxis(out, -1, axis)


register_op("OneHot", shape=_one_hot_shape, kernel=_one_hot_kernel, grad=NOT_DIFFERENTIABLE,
            row_wise=axis_after_rows)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors of length `depth` for integer `indices` (-1 and out of range: all off)."""
    indices = convert_to_tensor(indices)
    dtype = dtypes.as_dtype(dtype) if dtype is not None else (
        on_value.dtype if isinstance(on_value, Tensor) else dtypes.float32)
    on = convert_to_tensor(1 if on_value is None else on_value, dtype=dtype)
    off = convert_to_tensor(0 if off_value is None else off_value, dtype=dtype)
    axis = -1 if axis is None else int(axis)
    depth = shape_argument(depth)
    if isinstance(depth, Tensor):
        return _one_hot_run_time(indices, depth, on, off, axis, name or "one_hot")
    return one(create_op("OneHot", [indices, on, off], name=name or "one_hot",
                          depth=int(depth), axis=axis))


def _one_hot_run_time(indices, depth, on, off, axis, name):
    """One-hot vectors whose length `depth` is computed at run time: indices compared with
    range(depth), then on or off."""
    positions = range_(0, reshape(depth, []), dtype=indices.dtype)
    hot = one(create_op("Equal", [expand_dims(indices, -1), positions]))
    if axis != -1:
        rank_ = indices.shape.ndims
        if rank_ is None:
            raise ValueError(f"one_hot with a depth computed at run time and axis {axis} needs "
                             f"indices of known rank, got {indices.shape}")
        order = list(range(rank_))
        order.insert(normalize_axis(axis, rank_ + 1, "OneHot"), rank_)
        hot = transpose(hot, order)
    return select(hot, on, off, name=name)


def _where_shape(condition):
    return [(dtypes.int64, TensorShape([None, condition.shape.ndims]))]


def _where_kernel(condition):
    return np.argwhere(condition).astype(np.int64)


register_op("Where", shape=_where_shape, kernel=_where_kernel, grad=NOT_DIFFERENTIABLE)


def _select_shape(condition, x, y):
    if x.dtype is not y.dtype:
        raise TypeError(f"Select requires x and y of one dtype, got {x.dtype.name} and "
                        f"{y.dtype.name}")
    cond_shape = condition.shape
    if cond_shape.ndims == 1 and x.shape.ndims not in (None, 1):  # TF1: a per-row selector
        cond_shape = TensorShape([cond_shape[0].value] + [1] * (x.shape.ndims - 1))
    return [(x.dtype, broadcast_shapes(broadcast_shapes(cond_shape, x.shape), y.shape))]


def _select_kernel(condition, x, y):
    if condition.ndim == 1 and x.ndim > 1:
        condition = condition.reshape((-1,) + (1,) * (x.ndim - 1))
    return np.where(condition, x, y)


def _select_grad(op, dy):
    condition, x, y = op.inputs
    zero = zeros_like(dy)
    return [None, sum_to_shape(select(condition, dy, zero), x),
            sum_to_shape(select(condition, zero, dy), y)]


def _select_forwards(op, constants):
    """A condition known while planning that picks x (or y) whole: the output is that input,
    where its static shape is already the output's."""
    condition = constants.get(0)
    if not isinstance(condition, (np.ndarray, np.generic)) or condition.size == 0:
        return None
    picked = 1 if condition.all() else 2 if not condition.any() else None
    if picked is None:
        return None
    shape, out = op.inputs[picked].shape, op.outputs[0].shape
    if shape.is_fully_defined() and out.is_fully_defined() and \
            shape.as_tuple() == out.as_tuple():
        return picked
    return None


register_op("Select", shape=_select_shape, kernel=_select_kernel, grad=_select_grad,
            forwards=_select_forwards)


def select(condition, x, y, name=None):
    return one(create_op("Select", [convert_to_tensor(condition), x, y], name=name or "Select"))


def where(condition, x=None, y=None, name=None):
    """Indices of true elements (one argument), or elementwise `condition ? x : y`."""
    condition = convert_to_tensor(condition)
    if x is None and y is None:
        return one(create_op("Where", [condition], name=name or "Where"))
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    x = convert_to_tensor(x, dtype=y.dtype if isinstance(y, Tensor) else None)
    y = convert_to_tensor(y, dtype=x.dtype)
    return select(condition, x, y, name=name)


def _range_shape(start, limit, delta):
    values = [known_values(t) for t in (start, limit, delta)]
    if all(v is not None for v in values):
        if values[2] == 0:
            raise ValueError("Range requires delta != 0")
        n = int(max(0, np.ceil((float(values[1]) - float(values[0])) / float(values[2]))))
        return [(start.dtype, TensorShape([n]))]
    return [(start.dtype, TensorShape([None]))]


def _range_kernel(start, limit, delta):
    if delta == 0:
        raise ValueError("Requires delta != 0")
    return np.arange(start, limit, delta, dtype=start.dtype)


register_op("Range", shape=_range_shape, kernel=_range_kernel, grad=NOT_DIFFERENTIABLE)


def range_(start, limit=None, delta=1, dtype=None, name="range"):
    """The sequence start, start + delta, ... up to (not including) limit."""
    if limit is None:
        start, limit = 0, start
    values = [start, limit, delta]
    if dtype is None:
        inferred = [v.dtype if isinstance(v, Tensor) else dtypes.dtype_of_value(v)
                    for v in values]
        order = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]
        dtype = max(inferred, key=lambda d: order.index(d) if d in order else 0)
    dtype = dtypes.as_dtype(dtype)
    tensors = [cast(convert_to_tensor(v), dtype) if isinstance(v, Tensor)
               else convert_to_tensor(v, dtype=dtype) for v in values]
    return one(create_op("Range", tensors, name=name))


def _reverse_sequence_shape(x, lengths, *, seq_dim, batch_dim):
    if lengths.shape.ndims not in (None, 1):
        raise ValueError(f"ReverseSequence requires 1-D seq_lengths, got shape {lengths.shape}")
    if seq_dim == batch_dim:
        raise ValueError(f"ReverseSequence requires seq_dim != batch_dim, got both {seq_dim}")
    ndims = x.shape.ndims
    if ndims is not None:
        for attr, axis in (("seq_dim", seq_dim), ("batch_dim", batch_dim)):
            if not 0 <= axis < ndims:
                raise ValueError(f"ReverseSequence requires {attr} < input rank {ndims}, got "
                                 f"{axis}")
        batch, count = x.shape[batch_dim].value, lengths.shape.as_tuple()
        if batch is not None and count and count[0] is not None and count[0] != batch:
            raise ValueError(f"ReverseSequence requires len(seq_lengths) == input.dims("
                             f"{batch_dim}), got {count[0]} vs {batch}")
    return [(x.dtype, x.shape)]


def _reverse_sequence_kernel(x, lengths, *, seq_dim, batch_dim):
    steps = x.shape[seq_dim]
    if lengths.shape != (x.shape[batch_dim],):
        raise ValueError(f"len(seq_lengths) != input.dims({batch_dim}): {lengths.shape[0]} vs "
                         f"{x.shape[batch_dim]}")
    if lengths.size and (lengths.min() < 0 or lengths.max() > steps):
        raise ValueError(f"seq_lengths must be in [0, input.dims({seq_dim})] = [0, {steps}], "
                         f"got {lengths.tolist()}")
    t = np.arange(steps)[None, :]
    n = lengths.astype(np.int64)[:, None]
    source = np.where(t < n, n - 1 - t, t)  # [batch, steps]: the step each output step reads
    if batch_dim > seq_dim:
        source = source.T
    shape = [1] * x.ndim
    shape[batch_dim], shape[seq_dim] = lengths.size, steps
    return np.take_along_axis(x, source.reshape(shape), axis=seq_dim)


def _reverse_sequence_grad(op, dy):
    return [reverse_sequence(dy, op.inputs[1], op.attrs["seq_dim"], op.attrs["batch_dim"]),
            None]


register_op("ReverseSequence", shape=_reverse_sequence_shape, kernel=_reverse_sequence_kernel,
            grad=_reverse_sequence_grad)


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None,  # noqa: A002
                     seq_dim=None, batch_dim=None):
    """Reverses the first seq_lengths[b] entries along `seq_axis` of each slice b along
    `batch_axis` (TF's tf.reverse_sequence); entries past the length stay in place.

    >>> tf.reverse_sequence([[1, 2, 3], [4, 5, 6]], [2, 3], seq_axis=1)  # [[2, 1, 3], [6, 5, 4]]
    """
    seq_axis = _deprecated_alias(seq_axis, seq_dim, "seq_axis", "seq_dim")
    batch_axis = _deprecated_alias(batch_axis, batch_dim, "batch_axis", "batch_dim")
    if seq_axis is None:
        raise ValueError("reverse_sequence requires seq_axis")
    x = convert_to_tensor(input)
    lengths = convert_to_tensor(seq_lengths, dtype=dtypes.int64 if isinstance(
        seq_lengths, Tensor) and seq_lengths.dtype is dtypes.int64 else dtypes.int32)
    if lengths.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"seq_lengths must be int32 or int64, got {lengths.dtype.name}")
    batch_axis = 0 if batch_axis is None else int(batch_axis)
    seq_axis = int(seq_axis)
    ndims = x.shape.ndims
    if ndims is not None:
        seq_axis, batch_axis = seq_axis % ndims if seq_axis < 0 else seq_axis, \
            batch_axis % ndims if batch_axis < 0 else batch_axis
    return one(create_op("ReverseSequence", [x, lengths], name=name or "ReverseSequence",
                          seq_dim=seq_axis, batch_dim=batch_axis))


def _deprecated_alias(value, old, new_name, old_name):
    if old is None:
        return value
    if value is not None and value != old:
        raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}'")
    return old


# --- TensorFlow's forms (core/tf_form.py) -----------------------------------------------------
_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _read_gather_v2(node, reader):
    if "batch_dims" in node.attr:
        if node.attr["batch_dims"].i:
            raise ValueError("GatherV2 with batch_dims is not supported")
        del node.attr["batch_dims"]
    tf_form.attr_from_input("axis", 2, tf_form.scalar, inputs=3, run_time_form=True)(node, reader)


def _read_strided_slice(node, reader, at=1):
    """TF's begin, end and strides inputs and masks as tensorweave's spec attr (constants), or
    DynamicStridedSlice(Grad), which is TF's op."""
    if tf_form.data_inputs(node) < at + 3:
        return
    begin, end, strides = (reader.constant(node.input[at + k]) for k in range(3))
    if begin is None or end is None or strides is None:
        node.op = "Dynamic" + node.op  # TF's masks are its attrs too
        return
    del node.input[at:at + 3]
    masks = {k: node.attr[k].i if k in node.attr else 0 for k in _MASKS}
    spec = []
    for i, (b, e, step) in enumerate(zip(begin.tolist(), end.tolist(), strides.tolist())):
        bit = 1 << i
        if masks["ellipsis_mask"] & bit:
            spec.append(Ellipsis)
        elif masks["new_axis_mask"] & bit:
            spec.append(None)
        elif masks["shrink_axis_mask"] & bit:
            spec.append(int(b))
        else:
            spec.append(slice(None if masks["begin_mask"] & bit else int(b),
                              None if masks["end_mask"] & bit else int(e), int(step)))
    for key in _MASKS:
        if key in node.attr:
            del node.attr[key]
    reader.set(node, "spec", tuple(spec))


def _slice_parts(spec):
    """begin, end, strides and the masks of TensorFlow's StridedSlice for a tensorweave
    spec (a tuple of slices, ints, None and Ellipsis)."""
    begin, end, strides, masks = [], [], [], dict.fromkeys(_MASKS, 0)
    for i, item in enumerate(spec):
        bit = 1 << i
        if item is Ellipsis:
            masks["ellipsis_mask"] |= bit
            item = (0, 0, 1)
        elif item is None:
            masks["new_axis_mask"] |= bit
            item = (0, 0, 1)
        elif isinstance(item, slice):
            if item.start is None:
                masks["begin_mask"] |= bit
            if item.stop is None:
                masks["end_mask"] |= bit
            item = (item.start or 0, item.stop or 0, 1 if item.step is None else item.step)
        else:
            masks["shrink_axis_mask"] |= bit
            item = (item, item + 1, 1)
        for part, value in zip((begin, end, strides), item):
            part.append(value)
    return begin, end, strides, masks


def _to_strided_slice(t, at=1):
    begin, end, strides, masks = _slice_parts(t.pop("spec"))
    for offset, (suffix, values) in enumerate((("stack", begin), ("stack_1", end),
                                              ("stack_2", strides))):
        t.insert_const(at + offset, suffix, values)
    for key, value in masks.items():
        t.set(key, value)


register_tf_form("GatherV2", marker="axis", from_tf=_read_gather_v2,
                 to_tf=tf_form.attr_to_input("axis", 2, "axis"))
register_tf_form("OneHot", marker="depth",
                 from_tf=tf_form.attr_from_input("depth", 1, tf_form.scalar, inputs=4),
                 to_tf=tf_form.attr_to_input("depth", 1, "depth"))
register_tf_form("StridedSlice", marker="spec", from_tf=_read_strided_slice,
                 to_tf=_to_strided_slice)
register_tf_form("StridedSliceGrad", marker="spec", from_tf=_read_strided_slice,
                 to_tf=_to_strided_slice)
