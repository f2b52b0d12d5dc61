"""Rearranging SparseTensors (TF 1.15): SparseConcat, SparseFillEmptyRows (+Grad),
SparseReorder, SparseReshape, SparseSlice (+Grad), SparseSplit, and the composites built on
them (sparse_retain, sparse_reset_shape, sparse_merge, sparse_to_indicator, sparse_transpose,
from_dense, expand_dims, eye).

    st = tf.SparseTensor([[1, 0], [0, 2]], [1.0, 2.0], [2, 3])
    tf.sparse.reorder(st)                     # indices [[0, 2], [1, 0]], values [2.0, 1.0]
    tf.sparse.slice(st, [0, 1], [2, 2])       # the entry at [0, 2] as [0, 1] of a [2, 2]
"""
import numbers

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import control_dependencies, create_op, name_scope
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.core.operation import Tensor
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.sparse_tensor import SparseTensor, SparseTensorValue
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array, check_ops, math_ops, scatter_ops, sort_ops
from tensorweave.ops._common import one
from tensorweave.ops.array import structural
from tensorweave.ops.sparse_common import (as_sparse_tensor, check_components, check_rank,
                                           check_tuple_bounds,
                                           dims_text, int64, invalid, known_shape, lex_order,
                                           positions, validate)

__all__ = ["sparse_concat", "sparse_fill_empty_rows", "sparse_reorder", "sparse_reshape",
           "sparse_slice", "sparse_split", "sparse_retain", "sparse_reset_shape",
           "sparse_merge", "sparse_to_indicator", "sparse_transpose", "sparse_mask"]


def _sparse_specs(dtype, rank):
    return [(dtypes.int64, TensorShape([None, rank])), (dtype, TensorShape([None])),
            (dtypes.int64, TensorShape([rank]))]


# --- SparseConcat --------------------------------------------------------------------------
def _concat_shape(*inputs, concat_dim, N):
    if len(inputs) != 3 * N or N < 2:
        raise ValueError(f"SparseConcat requires 3 * N inputs with N >= 2, got {len(inputs)} "
                         f"inputs and N={N}")
    rank, dtype = None, inputs[N].dtype
    for i in range(N):
        r = check_components("SparseConcat", inputs[i], inputs[N + i], inputs[2 * N + i])
        if inputs[N + i].dtype is not dtype:
            raise TypeError(f"SparseConcat requires values of one dtype, got {dtype.name} and "
                            f"{inputs[N + i].dtype.name}")
        rank = r if rank is None else rank
        if r is not None and r != rank:
            raise ValueError(f"SparseConcat requires inputs of one rank, got {rank} and {r}")
    if rank is not None and not -rank <= concat_dim < rank:
        raise ValueError(f"Concat dimension must be in range [{-rank}, {rank}), got "
                         f"{concat_dim}")
    return _sparse_specs(dtype, rank)


def _concat_kernel(*inputs, concat_dim, N):
    parts = [(inputs[i], inputs[N + i], inputs[2 * N + i]) for i in range(N)]
    for indices, values, shape in parts:
        validate(indices, values, shape)
    rank = parts[0][2].shape[0]
    if not -rank <= concat_dim < rank:
        raise invalid(f"Concat dimension must be in range [{-rank}, {rank}), got "
                      f"{concat_dim}")
    dim = concat_dim % rank
    first = parts[0][2]
    offset, all_indices = 0, []
    for i, (indices, values, shape) in enumerate(parts):
        if shape.shape[0] != rank:
            raise invalid(f"Ranks of all input tensors must match: expected {rank} but got "
                          f"{shape.shape[0]} at position {i}")
        other = [d for d in range(rank) if d != dim]
        if not np.array_equal(shape[other], first[other]):
            raise invalid(f"Input shapes must match: expected {list(first)} for dimension "
                          f"{other} but got {list(shape)} at position {i}")
        moved = np.array(indices, np.int64, copy=True)
        moved[:, dim] += offset
        offset += int(shape[dim])
        all_indices.append(moved)
    indices = np.concatenate(all_indices).reshape(-1, rank)
    values = np.concatenate([p[1] for p in parts])
    order = lex_order(indices)
    out_shape = np.array(first, np.int64, copy=True)
    out_shape[dim] = offset
    return indices[order], values[order], out_shape


register_op("SparseConcat", shape=_concat_shape, kernel=_concat_kernel, grad=NOT_DIFFERENTIABLE)


def _dims(sp):
    return sp.shape.as_tuple()


def sparse_concat(axis, sp_inputs, name=None, expand_nonconcat_dim=False, concat_dim=None,
                  expand_nonconcat_dims=None):
    """SparseTensors joined along `axis` (indices end in row-major order); with
    `expand_nonconcat_dim` the other dimensions grow to the largest input's."""
    if expand_nonconcat_dims is not None:
        expand_nonconcat_dim = expand_nonconcat_dims
    if concat_dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'concat_dim'")
        axis = concat_dim
    if not isinstance(sp_inputs, (list, tuple)):
        raise TypeError("Inputs must be a list or tuple.")
    sp_inputs = [as_sparse_tensor(s) for s in sp_inputs]
    if len(sp_inputs) == 1:
        return sp_inputs[0]
    shapes = [s.dense_shape for s in sp_inputs]
    if expand_nonconcat_dim:
        largest = math_ops.reduce_max(array.concat([array.reshape(s, [1, -1])
                                                    for s in shapes], 0), 0)
        shapes = [array.concat([largest[:axis], s[-1:] if axis == -1 else s[axis:axis + 1],
                                [] if axis == -1 else largest[axis + 1:]], 0)
                  for s in shapes]
    outputs = create_op("SparseConcat", [s.indices for s in sp_inputs] +
                        [s.values for s in sp_inputs] + shapes, name=name or "SparseConcat",
                        concat_dim=int(axis), N=len(sp_inputs)).outputs
    static = [s.shape for s in sp_inputs]
    if all(s.is_fully_defined() for s in static):
        dims = [list(d) for d in zip(*[s.as_list() for s in static])]
        out = [max(d) if expand_nonconcat_dim else d[0] for d in dims]
        out[axis] = sum(dims[axis])
        return SparseTensor(outputs[0], outputs[1], out)
    return SparseTensor(*outputs)


# --- SparseFillEmptyRows (+Grad) -----------------------------------------------------------
def _fill_shape(indices, values, dense_shape, default_value):
    rank = check_components("SparseFillEmptyRows", indices, values, dense_shape,
                            ("indices", "values", "dense_shape"))
    check_rank("SparseFillEmptyRows", default_value, 0, "default_value")
    if default_value.dtype is not values.dtype:
        raise TypeError(f"SparseFillEmptyRows requires default_value of the values' dtype "
                        f"{values.dtype.name}, got {default_value.dtype.name}")
    shape = known_shape(dense_shape)
    rows = shape[0] if shape else None
    n = values.shape.as_tuple()[0] if values.shape.ndims == 1 else None
    return [(dtypes.int64, TensorShape([None, rank])), (values.dtype, TensorShape([None])),
            (dtypes.bool, TensorShape([rows])), (dtypes.int64, TensorShape([n]))]


def _fill_kernel(indices, values, dense_shape, default_value):
    validate(indices, values, dense_shape)
    if dense_shape.shape[0] == 0:
        raise invalid("dense_shape must be a vector of length > 0")
    rows = int(dense_shape[0])
    first = indices[:, 0]
    bad = (first < 0) | (first >= rows)
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(f"indices({i}, 0) is invalid: {first[i]} >= {rows}")  # TF's words
    counts = np.bincount(first, minlength=rows)[:rows]
    empty = counts == 0
    per_row = np.maximum(counts, 1)  # an empty row gets one default entry
    start = np.concatenate([[0], np.cumsum(per_row)[:-1]]).astype(np.int64)
    order = np.argsort(first, kind="stable")  # within a row, entries keep their input order
    count_start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    rank_in_row = np.empty(len(first), np.int64)
    rank_in_row[order] = np.arange(len(first)) - count_start[first[order]]
    reverse = start[first] + rank_in_row
    total = int(per_row.sum()) if rows else 0
    out_indices = np.zeros((total, indices.shape[1]), np.int64)
    out_values = np.empty(total, values.dtype)
    out_indices[reverse] = indices
    out_values[reverse] = values
    out_indices[start[empty], 0] = np.nonzero(empty)[0]
    out_values[start[empty]] = default_value
    return out_indices, out_values, empty, reverse.astype(np.int64)


def _fill_grad(op, *grads):
    d_values, d_default = create_op("SparseFillEmptyRowsGrad",
                                    [op.outputs[3], grads[1]]).outputs
    return [None, d_values, None, d_default]


register_op("SparseFillEmptyRows", shape=_fill_shape, kernel=_fill_kernel, grad=_fill_grad)


def _fill_grad_shape(reverse_index_map, grad_values):
    check_rank("SparseFillEmptyRowsGrad", reverse_index_map, 1, "reverse_index_map")
    check_rank("SparseFillEmptyRowsGrad", grad_values, 1, "grad_values")
    return [(grad_values.dtype, reverse_index_map.shape), (grad_values.dtype, TensorShape([]))]


def _fill_grad_kernel(reverse_index_map, grad_values):
    bad = (reverse_index_map < 0) | (reverse_index_map >= len(grad_values))
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(f"Elements in reverse index must be in [0, {len(grad_values)}) but got "
                      f"{reverse_index_map[i]}")
    d_values = grad_values[reverse_index_map]
    unused = np.ones(len(grad_values), bool)
    unused[reverse_index_map] = False
    return d_values, np.asarray(grad_values[unused].sum(), grad_values.dtype)


register_op("SparseFillEmptyRowsGrad", shape=_fill_grad_shape, kernel=_fill_grad_kernel,
            grad=NOT_DIFFERENTIABLE)


def sparse_fill_empty_rows(sp_input, default_value, name=None):
    """(`sp_input` with one `default_value` entry at column 0 of each empty row, the bool
    vector of which rows were empty)."""
    sp_input = as_sparse_tensor(sp_input)
    with name_scope(name, "SparseFillEmptyRows", [sp_input]):
        default_value = convert_to_tensor(default_value, dtype=sp_input.values.dtype)
        indices, values, empty, _ = create_op(
            "SparseFillEmptyRows", [sp_input.indices, sp_input.values, sp_input.dense_shape,
                                    default_value]).outputs
        return SparseTensor(indices, values, sp_input.dense_shape), empty


# --- SparseReorder -------------------------------------------------------------------------
def _reorder_shape(indices, values, dense_shape):
    rank = check_components("SparseReorder", indices, values, dense_shape,
                            ("input_indices", "input_values", "input_shape"))
    return [(dtypes.int64, indices.shape.merge_with(TensorShape([None, rank]))),
            (values.dtype, values.shape)]


def _reorder_kernel(indices, values, dense_shape):
    validate(indices, values, dense_shape)
    order = lex_order(indices)
    return indices[order], values[order]


def _reorder_grad(op, *grads):
    indices, dense_shape = op.inputs[0], op.inputs[2]
    entries = array.range_(array.shape(indices, out_type=dtypes.int64)[0])
    ordered = create_op("SparseReorder", [indices, entries, dense_shape]).outputs[1]
    values_grad = array.gather(grads[1], structural.invert_permutation(ordered))
    values_grad.set_shape(op.inputs[1].shape)
    return [None, values_grad, None]


register_op("SparseReorder", shape=_reorder_shape, kernel=_reorder_kernel, grad=_reorder_grad)


def sparse_reorder(sp_input, name=None):
    """`sp_input` with its entries in row-major (lexicographic) index order."""
    sp_input = as_sparse_tensor(sp_input)
    indices, values = create_op("SparseReorder", [sp_input.indices, sp_input.values,
                                                  sp_input.dense_shape],
                                name=name or "SparseReorder").outputs
    if sp_input.shape.is_fully_defined():
        return SparseTensor(indices, values, sp_input.shape.as_list())
    return SparseTensor(indices, values, array.identity(sp_input.dense_shape))


# --- SparseReshape -------------------------------------------------------------------------
def _reshape_shape(indices, dense_shape, new_shape):
    check_rank("SparseReshape", indices, 2, "input_indices")
    check_rank("SparseReshape", dense_shape, 1, "input_shape")
    check_rank("SparseReshape", new_shape, 1, "new_shape")
    for t, what in ((indices, "input_indices"), (dense_shape, "input_shape"),
                    (new_shape, "new_shape")):
        if t.dtype is not dtypes.int64:
            raise TypeError(f"SparseReshape requires int64 {what}, got {t.dtype.name}")
    rank = new_shape.shape.as_tuple()[0] if new_shape.shape.ndims == 1 else None
    rows = indices.shape.as_tuple()[0] if indices.shape.ndims == 2 else None
    return [(dtypes.int64, TensorShape([rows, rank])), (dtypes.int64, TensorShape([rank]))]


def _reshape_kernel(indices, dense_shape, new_shape):
    if indices.ndim != 2 or dense_shape.ndim != 1 or new_shape.ndim != 1:
        raise invalid(f"Input indices should be a matrix, input_shape and new_shape vectors, "
                      f"got shapes {list(indices.shape)}, {list(dense_shape.shape)} and "
                      f"{list(new_shape.shape)}")
    if indices.shape[1] != dense_shape.shape[0]:
        raise invalid(f"Input tensor rank must match input indices: input_shape has "
                      f"{dense_shape.shape[0]} dimensions, indices {indices.shape[1]}")
    dense_size = int(np.prod(dense_shape))
    out = np.array(new_shape, np.int64, copy=True)
    unknown = np.nonzero(out == -1)[0]
    if len(unknown) > 1:
        raise invalid(f"only one output dimension may be -1, not both {unknown[0]} and "
                      f"{unknown[1]}")
    bad = np.nonzero(out < -1)[0]
    if len(bad):
        raise invalid(f"size {bad[0]} must be non-negative, not {out[bad[0]]}")
    product = int(np.prod(out[out != -1]))
    if len(unknown):
        if product == 0 or dense_size % product:
            shown = np.where(out == -1, dense_size // max(product, 1), out)
            raise invalid(f"Input to reshape is a SparseTensor with {dense_size} dense values, "
                          f"but the requested shape requires a multiple of {product}. "
                          f"input_shape={dims_text(dense_shape)} "
                          f"output_shape={dims_text(shown)}")
        out[unknown[0]] = dense_size // product
    elif product != dense_size:
        raise invalid(f"Input to reshape is a tensor with {dense_size} dense values, but the "
                      f"requested shape has {product}. input_shape={dims_text(dense_shape)} "
                      f"output_shape={dims_text(new_shape)}")
    if not len(indices):
        return np.zeros((0, len(out)), np.int64), out
    flat = np.zeros(len(indices), np.int64)
    for d, size in enumerate(dense_shape):
        flat = flat * int(size) + indices[:, d]
    new_indices = np.zeros((len(indices), len(out)), np.int64)
    strides = np.concatenate([np.cumprod(out[::-1])[::-1][1:], [1]]).astype(np.int64)
    for d, stride in enumerate(strides):  # C division, as TF's kernel (also for bad indices)
        if stride:
            quotient = np.where(flat < 0, -(-flat // stride), flat // stride)
            new_indices[:, d] = quotient
            flat = flat - quotient * stride
    return new_indices, out


register_op("SparseReshape", shape=_reshape_shape, kernel=_reshape_kernel,
            grad=NOT_DIFFERENTIABLE)


def sparse_reshape(sp_input, shape, name=None):
    """`sp_input` reshaped to `shape` (one dimension may be -1), as tf.reshape its dense
    form; the values keep their order."""
    sp_input = as_sparse_tensor(sp_input)
    shape = array.cast(shape, dtypes.int64) if isinstance(shape, Tensor) else \
        convert_to_tensor(shape, dtype=dtypes.int64)
    with name_scope(name, "SparseReshape", [sp_input]) as scope:
        indices, out_shape = create_op("SparseReshape", [sp_input.indices,
                                                         sp_input.dense_shape, shape],
                                       name=scope).outputs
        requested = known_shape(shape)
        if requested is not None and sp_input.shape.is_fully_defined():
            if sum(d == -1 for d in requested) > 1:
                raise ValueError(f"At most one dimension can be inferred (-1). Found: "
                                 f"{np.array(requested)}")
            size = int(np.prod(sp_input.shape.as_list()))
            static = list(requested)
            if -1 in static and 0 not in static:
                rest = int(np.prod([d for d in static if d != -1]))
                static[static.index(-1)] = size // rest
            if -1 not in static:
                if int(np.prod(static)) != size:
                    raise ValueError(f"Cannot reshape a tensor with {size} elements to shape "
                                     f"{requested} ({int(np.prod(static))} elements).")
                out_shape = convert_to_tensor(static, dtype=dtypes.int64)
        return SparseTensor(indices, array.identity(sp_input.values), out_shape)


# --- SparseSlice (+Grad) -------------------------------------------------------------------
def _slice_shape(indices, values, dense_shape, start, size):
    rank = check_components("SparseSlice", indices, values, dense_shape)
    check_rank("SparseSlice", start, 1, "start")
    check_rank("SparseSlice", size, 1, "size")
    return _sparse_specs(values.dtype, rank)


def _slice_kernel(indices, values, dense_shape, start, size):
    validate(indices, values, dense_shape)
    rank = dense_shape.shape[0]
    if start.shape != (rank,) or size.shape != (rank,):
        raise invalid(f"Expected start and size to have {rank} elements each, got "
                      f"{start.size} and {size.size}")
    end = np.minimum(start + size, dense_shape)
    out_shape = np.maximum(end - start, 0).astype(np.int64)
    kept = np.all((indices >= start) & (indices < end), axis=1) if rank else \
        np.ones(len(indices), bool)
    return (indices[kept] - start).astype(np.int64), values[kept], out_shape


def _slice_grad(op, *grads):
    val_grad = one(create_op("SparseSliceGrad", [grads[1], op.inputs[0], op.inputs[3],
                                                 op.outputs[0]]))
    val_grad.set_shape(op.inputs[1].shape)
    return [None, val_grad, None, None, None]


register_op("SparseSlice", shape=_slice_shape, kernel=_slice_kernel, grad=_slice_grad)


def _slice_grad_shape(grad, input_indices, input_start, output_indices):
    check_rank("SparseSliceGrad", grad, 1, "backprop_val_grad")
    check_rank("SparseSliceGrad", input_indices, 2, "input_indices")
    rows = input_indices.shape.as_tuple()[0] if input_indices.shape.ndims else None
    return [(grad.dtype, TensorShape([rows]))]


def _slice_grad_kernel(grad, input_indices, input_start, output_indices):
    if grad.shape[0] != output_indices.shape[0]:
        raise invalid(f"backprop_val_grad has {grad.shape[0]} values but output_indices has "
                      f"{output_indices.shape[0]} rows")
    where = positions(output_indices + input_start, input_indices)
    out = np.zeros(len(input_indices), grad.dtype)
    out[where >= 0] = grad[where[where >= 0]]
    return out


register_op("SparseSliceGrad", shape=_slice_grad_shape, kernel=_slice_grad_kernel,
            grad=NOT_DIFFERENTIABLE)


def sparse_slice(sp_input, start, size, name=None):
    """The entries of `sp_input` inside the box [start, start + size), shifted to start at 0;
    the box is clipped to the input's shape."""
    sp_input = as_sparse_tensor(sp_input)
    start, size = int64(start, "start"), int64(size, "size")
    with name_scope(name, "SparseSlice", [sp_input]) as scope:
        return SparseTensor(*create_op("SparseSlice", [sp_input.indices, sp_input.values,
                                                       sp_input.dense_shape, start, size],
                                       name=scope).outputs)


# --- SparseSplit ---------------------------------------------------------------------------
def _split_shape(split_dim, indices, values, dense_shape, *, num_split):
    check_rank("SparseSplit", split_dim, 0, "split_dim")
    rank = check_components("SparseSplit", indices, values, dense_shape)
    specs = _sparse_specs(values.dtype, rank)
    return [specs[0]] * num_split + [specs[1]] * num_split + [specs[2]] * num_split


def _split_kernel(split_dim, indices, values, dense_shape, *, num_split):
    validate(indices, values, dense_shape)
    check_tuple_bounds(indices, dense_shape)
    rank = dense_shape.shape[0]
    dim = int(split_dim)
    if not -rank <= dim < rank:
        raise invalid(f"Input split_dim should be between {-rank} and {rank}, got {dim}")
    dim %= rank
    total = int(dense_shape[dim])
    if not 0 < num_split <= max(total, 1) or num_split > total:
        raise invalid(f"Input num_split should be between 1 and {total}, got {num_split}")
    base, extra = divmod(total, num_split)
    sizes = [base + (i < extra) for i in range(num_split)]
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    parts = []
    for i in range(num_split):
        kept = (indices[:, dim] >= bounds[i]) & (indices[:, dim] < bounds[i + 1])
        moved = np.array(indices[kept], np.int64, copy=True)
        moved[:, dim] -= bounds[i]
        shape = np.array(dense_shape, np.int64, copy=True)
        shape[dim] = sizes[i]
        parts.append((moved, values[kept], shape))
    return tuple(p[0] for p in parts) + tuple(p[1] for p in parts) + tuple(p[2] for p in parts)


register_op("SparseSplit", shape=_split_shape, kernel=_split_kernel, grad=NOT_DIFFERENTIABLE)


class KeywordRequired:
    """The default of sparse_split's first argument: its arguments must be given by keyword."""

    def __repr__(self):
        return "KeywordRequired()"


def sparse_split(keyword_required=KeywordRequired(), sp_input=None, num_split=None, axis=None,
                 name=None, split_dim=None):
    """`sp_input` split along `axis` into `num_split` SparseTensors (the first ones one larger
    when the size does not divide)."""
    if not isinstance(keyword_required, KeywordRequired):
        raise ValueError("Keyword arguments are required for this function.")
    if sp_input is None:
        raise ValueError("sp_input is required")
    if num_split is None:
        raise ValueError("num_split is required")
    if axis is None and split_dim is None:
        raise ValueError("axis is required")
    if axis is not None and split_dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'split_dim'")
    axis = split_dim if axis is None else axis
    sp_input = as_sparse_tensor(sp_input)
    outputs = create_op("SparseSplit", [convert_to_tensor(axis, dtype=dtypes.int64),
                                        sp_input.indices, sp_input.values,
                                        sp_input.dense_shape],
                        name=name or "SparseSplit", num_split=int(num_split)).outputs
    n = int(num_split)
    return [SparseTensor(outputs[i], outputs[n + i], outputs[2 * n + i]) for i in range(n)]


# --- composites ----------------------------------------------------------------------------
def sparse_retain(sp_input, to_retain):
    """The entries of `sp_input` whose `to_retain` flag (a bool vector, one per value) is
    True."""
    sp_input = as_sparse_tensor(sp_input)
    to_retain = convert_to_tensor(to_retain)
    to_retain.shape.with_rank(1)
    n = sp_input.values.shape.as_tuple()
    if n is not None and n[0] is not None and to_retain.shape.as_tuple()[0] is not None \
            and n[0] != to_retain.shape.as_tuple()[0]:
        raise ValueError(f"Dimensions {n[0]} and {to_retain.shape.as_tuple()[0]} are not "
                         f"compatible")
    where_true = array.reshape(structural.where_v2(to_retain), [-1])
    return SparseTensor(array.gather(sp_input.indices, where_true),
                        array.gather(sp_input.values, where_true),
                        array.identity(sp_input.dense_shape))


def sparse_reset_shape(sp_input, new_shape=None):
    """`sp_input` with dense shape `new_shape` (no smaller than the old one), or by default the
    tightest shape that holds its indices."""
    sp_input = as_sparse_tensor(sp_input)
    indices = array.identity(sp_input.indices)
    values = array.identity(sp_input.values)
    in_shape = array.identity(sp_input.dense_shape)
    if new_shape is None:
        low = math_ops.reduce_max(indices, 0)
        out = math_ops.maximum(convert_to_tensor(0, dtype=dtypes.int64),
                               low + array.ones_like(in_shape))
        return SparseTensor(indices, values, out)
    out = convert_to_tensor(new_shape)
    out.shape.with_rank(1)
    out = array.cast(out, dtypes.int64) if out.dtype is not dtypes.int64 else out
    if out.shape.as_tuple()[0] is not None and in_shape.shape.as_tuple()[0] is not None \
            and out.shape.as_tuple()[0] != in_shape.shape.as_tuple()[0]:
        raise ValueError(f"Dimensions {out.shape.as_tuple()[0]} and "
                         f"{in_shape.shape.as_tuple()[0]} are not compatible")
    requested = constant_value(out)
    if requested is not None and sp_input.shape.is_fully_defined():
        old = np.array(sp_input.shape.as_list())
        if not np.all(old <= requested):
            raise ValueError(f"Requested new_shape should have dimension sizes >= "
                             f"sp_input.shape.  Found new_shape ({old}), sp_input.shape "
                             f"({requested}).")
        return SparseTensor(indices, values, requested)
    with control_dependencies([check_ops.assert_equal(array.shape(in_shape),
                                                      array.shape(out))]):
        out = array.identity(out)
    with control_dependencies([check_ops.assert_less_equal(in_shape, out)]):
        out = array.identity(out)
    return SparseTensor(indices, values, out)


def sparse_merge(sp_ids, sp_values, vocab_size, name=None, already_sorted=False):
    """A SparseTensor whose last index is the id in `sp_ids` (or one per id tensor for a
    list) and whose values are sp_values.values, with dense shape
    sp_ids.dense_shape[:-1] + vocab_size."""
    if isinstance(sp_ids, (SparseTensor, SparseTensorValue)):
        sp_ids = [sp_ids]
        if not isinstance(vocab_size, (Tensor, numbers.Integral)):
            raise TypeError(f"vocab_size has to be a Tensor or Python int. Found "
                            f"{type(vocab_size)}")
        vocab_size = [vocab_size]
    else:
        if not isinstance(sp_ids, (list, tuple)):
            raise TypeError(f"sp_ids has to be a SparseTensor or list thereof. Found "
                            f"{type(sp_ids)}")
        if not isinstance(vocab_size, (list, tuple)):
            raise TypeError(f"vocab_size has to be a list of Tensors or Python ints. Found "
                            f"{type(vocab_size)}")
        for dim in vocab_size:
            if not isinstance(dim, (Tensor, numbers.Integral)):
                raise TypeError(f"vocab_size has to be a list of Tensors or Python ints. "
                                f"Found {type(dim)}")
    if len(sp_ids) != len(vocab_size):
        raise ValueError("sp_ids and vocab_size have to have equal lengths.")
    with name_scope(name, "SparseMerge", [v for s in sp_ids for v in
                                         as_sparse_tensor(s).components()]):
        sp_ids = [as_sparse_tensor(s) for s in sp_ids]
        sp_values = as_sparse_tensor(sp_values)
        ids = [array.expand_dims(int64(s.values, "ids"), 1) for s in sp_ids]
        vocab = [int64(v, "vocab_size") for v in vocab_size]
        sizes = [constant_value(v) for v in vocab]
        vocab = [array.reshape(v, [1]) for v in vocab]
        indices = array.concat([sp_ids[0].indices[:, :-1]] + ids, 1)
        outer = sp_ids[0].shape
        if outer.is_fully_defined() and all(s is not None for s in sizes):
            shape = convert_to_tensor(outer.as_list()[:-1] + [int(s) for s in sizes],
                                      dtype=dtypes.int64)
        else:
            shape = array.concat([sp_ids[0].dense_shape[:-1]] + vocab, 0)
        result = SparseTensor(indices, sp_values.values, shape)
        if already_sorted:
            return result
        ordered = sparse_reorder(result)
        return SparseTensor(ordered.indices, ordered.values, shape)


def sparse_to_indicator(sp_input, vocab_size, name=None):
    """A dense bool tensor [..., vocab_size]: True at [..., id] for each id in the last
    dimension of `sp_input` (an int SparseTensor of ids)."""
    sp_input = as_sparse_tensor(sp_input)
    with name_scope(name, "SparseToIndicator", [sp_input]) as scope:
        entries = array.shape(sp_input.indices)[0]
        flags = array.fill(array.expand_dims(entries, 0), True)
        merged = sparse_merge(sp_input, SparseTensor(sp_input.indices, flags,
                                                     sp_input.dense_shape), vocab_size)
        return one(create_op("SparseToDense", [merged.indices, merged.dense_shape,
                                               merged.values,
                                               convert_to_tensor(False, name="default_value")],
                             name=scope, validate_indices=False))


def sparse_transpose(sp_input, perm=None, name=None):
    """`sp_input` with its dimensions permuted by `perm` (reversed by default), reordered."""
    sp_input = as_sparse_tensor(sp_input)
    with name_scope(name, "SparseTranspose", [sp_input]):
        if perm is None:
            rank = sp_input.shape.ndims
            perm = np.arange(rank - 1, -1, -1) if rank is not None else \
                array.range_(array.size(sp_input.dense_shape) - 1, -1, -1)
        moved = array.transpose(array.gather(array.transpose(sp_input.indices), perm))
        known = constant_value(convert_to_tensor(perm))
        if known is not None and sp_input.shape.is_fully_defined():
            old = sp_input.shape.as_list()
            shape = [old[p] for p in np.asarray(known).reshape(-1)]
        else:
            shape = array.gather(sp_input.dense_shape, perm)
        return sparse_reorder(SparseTensor(moved, sp_input.values, shape))


def from_dense(tensor, name=None):
    """The SparseTensor of the non-zero entries of dense `tensor`."""
    with name_scope(name, "dense_to_sparse"):
        tensor = convert_to_tensor(tensor)
        indices = structural.where_v2(math_ops.not_equal(tensor, array.zeros_like(tensor)))
        values = scatter_ops.gather_nd(tensor, indices)
        return SparseTensor(indices, values, array.shape(tensor, out_type=dtypes.int64))


def sparse_expand_dims(sp_input, axis=None, name=None):
    """`sp_input` with a dimension of size 1 inserted at `axis` (default -1, the end)."""
    sp_input = as_sparse_tensor(sp_input)
    rank = sp_input.dense_shape.shape.as_tuple()[0] if sp_input.dense_shape.shape.ndims else None
    if rank is None:
        rank = array.shape(sp_input.dense_shape)[0]
    axis = -1 if axis is None else axis
    with name_scope(name, "expand_dims", [sp_input]):
        if isinstance(axis, numbers.Integral):
            if isinstance(rank, int):
                if not -rank - 1 <= axis <= rank:
                    raise ValueError(f"axis must be in range [-rank(sp_input) - 1, "
                                     f"rank(sp_input)], got {axis}")
                axis = axis if axis >= 0 else axis + rank + 1
            axis = convert_to_tensor(axis, dtype=dtypes.int32, name="axis")
        elif not isinstance(axis, Tensor):
            raise TypeError("axis must be an integer value in range [-rank(sp_input) - 1, "
                            "rank(sp_input)]")
        known = constant_value(axis)
        if isinstance(rank, int) and known is not None:  # static slices: the rank is known
            axis = int(known)
            rows = array.shape(sp_input.indices)[0]
            column = array.zeros(array.stack([rows, 1]), dtype=dtypes.int64)
            indices = array.concat([sp_input.indices[:, :axis], column,
                                    sp_input.indices[:, axis:]], 1)
            one_dim = convert_to_tensor([1], dtype=dtypes.int64, name="new_shape")
            shape = array.concat([sp_input.dense_shape[:axis], one_dim,
                                  sp_input.dense_shape[axis:]], 0)
            return SparseTensor(indices, sp_input.values, shape)
        axis = structural.where_v2(axis >= 0, axis, axis + rank + 1)
        rows = array.shape(sp_input.indices)[0]
        new_column = array.zeros(array.stack([rows, 1]), dtype=dtypes.int64)
        before = array.slice_(sp_input.indices, [0, 0], array.stack([-1, axis]))
        after = array.slice_(sp_input.indices, array.stack([0, axis]), [-1, -1])
        indices = array.concat([before, new_column, after], 1)
        shape = array.concat([array.slice_(sp_input.dense_shape, [0], array.stack([axis])),
                              convert_to_tensor([1], dtype=dtypes.int64, name="new_shape"),
                              array.slice_(sp_input.dense_shape, array.stack([axis]), [-1])], 0)
        return SparseTensor(indices, sp_input.values, shape)


def sparse_eye(num_rows, num_columns=None, dtype=dtypes.float32, name=None):
    """A SparseTensor [num_rows, num_columns] with ones on the diagonal."""
    with name_scope(name, "eye", [v for v in (num_rows, num_columns) if isinstance(v, Tensor)]):
        num_rows = _int64_scalar(num_rows, "num_rows")
        num_columns = num_rows if num_columns is None else _int64_scalar(num_columns,
                                                                         "num_columns")
        size = math_ops.minimum(num_rows, num_columns)
        diagonal = array.range_(convert_to_tensor(0, dtype=dtypes.int64), size)
        return SparseTensor(array.stack([diagonal, diagonal], axis=1),
                            array.ones(array.reshape(size, [1]), dtype=dtype),
                            array.stack([num_rows, num_columns]))


def _int64_scalar(value, name):
    if isinstance(value, numbers.Integral):
        return convert_to_tensor(value, dtype=dtypes.int64, name=name)
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be an integer value")
    return value if value.dtype is dtypes.int64 else array.cast(value, dtypes.int64)


def sparse_mask(a, mask_indices, name=None):
    """IndexedSlices `a` without the slices whose index is in `mask_indices`."""
    with name_scope(name, "sparse_mask", [a.values, a.indices, mask_indices]) as scope:
        mask_indices = convert_to_tensor(mask_indices, dtype=a.indices.dtype)
        out_indices, to_gather = sort_ops.setdiff1d(a.indices, mask_indices)
        out_values = array.gather(a.values, to_gather, name=scope.rstrip("/") + "/")
        return IndexedSlices(out_values, out_indices, a.dense_shape)
