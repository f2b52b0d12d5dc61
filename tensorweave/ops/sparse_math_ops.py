"""Arithmetic on SparseTensors (TF 1.15): SparseAdd (+SparseAddGrad), SparseTensorDenseAdd,
SparseReduceSum/Max (+Sparse forms), SparseSoftmax, SparseTensorDenseMatMul,
SparseSparseMaximum/Minimum, SparseDenseCwiseMul/Div/Add, and sparse_matmul (MatMul with
sparsity hints).

    a = tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [2, 3])
    tf.sparse.reduce_sum(a, 1)                      # [1.0, 2.0]
    tf.sparse.matmul(a, tf.ones([3, 4]))            # a dense [2, 4] product
"""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.sparse_tensor import SparseTensor, SparseTensorValue
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import array, complex_ops, math_ops, scatter_ops
from tensorweave.ops._common import one
from tensorweave.ops.sparse_common import (as_sparse_tensor, check_components, check_rank,
                                           check_tuple_bounds,
                                           dims_text, group_rows, invalid, known_shape, merge_order,
                                           positions, validate)

__all__ = ["sparse_add", "sparse_maximum", "sparse_minimum", "sparse_reduce_max",
           "sparse_reduce_max_sparse", "sparse_reduce_sum", "sparse_reduce_sum_sparse",
           "sparse_softmax", "sparse_tensor_dense_matmul", "sparse_matmul"]


def _check_same_dtype(op_type, *tensors):
    for t in tensors[1:]:
        if t.dtype is not tensors[0].dtype:
            raise TypeError(f"{op_type} requires values of one dtype, got "
                            f"{tensors[0].dtype.name} and {t.dtype.name}")


def _check_same_shapes(a_shape, b_shape):
    if a_shape.shape[0] != b_shape.shape[0]:
        raise invalid(f"Operands do not have the same ranks; got shapes: "
                      f"{dims_text(a_shape)} and {dims_text(b_shape)}")
    for d, (x, y) in enumerate(zip(a_shape, b_shape)):
        if x != y:
            raise invalid(f"Operands' shapes do not match: got {x} and {y} for dimension {d}")


def _sparse_pair_shape(op_type, outputs):
    def shape(a_indices, a_values, a_shape, b_indices, b_values, b_shape, *rest):
        rank = check_components(op_type, a_indices, a_values, a_shape,
                                ("a_indices", "a_values", "a_shape"))
        b_rank = check_components(op_type, b_indices, b_values, b_shape,
                                  ("b_indices", "b_values", "b_shape"))
        _check_same_dtype(op_type, a_values, b_values)
        rank = rank if rank is not None else b_rank
        specs = [(dtypes.int64, TensorShape([None, rank])),
                 (a_values.dtype, TensorShape([None]))]
        if rest:
            check_rank(op_type, rest[0], 0, "thresh")
        return specs + [(dtypes.int64, a_shape.shape.merge_with(b_shape.shape))][:outputs - 2]
    return shape


# --- SparseAdd -----------------------------------------------------------------------------
def _sparse_add_kernel(a_indices, a_values, a_shape, b_indices, b_values, b_shape, thresh):
    validate(a_indices, a_values, a_shape, "a")
    validate(b_indices, b_values, b_shape, "b")
    _check_same_shapes(a_shape, b_shape)
    pairs = np.array(merge_order(a_indices, b_indices), np.int64).reshape(-1, 2)
    a_pos, b_pos = pairs[:, 0], pairs[:, 1]
    values = np.zeros(len(pairs), a_values.dtype)
    values[a_pos >= 0] += a_values[a_pos[a_pos >= 0]]
    values[b_pos >= 0] += b_values[b_pos[b_pos >= 0]]
    keep = (a_pos < 0) | (b_pos < 0) | (np.abs(values) >= thresh)  # only sums are thresholded
    a_pos, b_pos, values = a_pos[keep], b_pos[keep], values[keep]
    indices = np.where((a_pos >= 0)[:, None], a_indices[np.maximum(a_pos, 0)]
                       if len(a_indices) else 0,
                       b_indices[np.maximum(b_pos, 0)] if len(b_indices) else 0)
    return (indices.reshape(-1, a_shape.shape[0]).astype(np.int64), values,
            np.array(a_shape, np.int64))


def _sparse_add_grad(op, *grads):
    val_grad = grads[1]
    a_grad, b_grad = create_op("SparseAddGrad",
                               [val_grad, op.inputs[0], op.inputs[3], op.outputs[0]]).outputs
    return [None, a_grad, None, None, b_grad, None, None]


register_op("SparseAdd", shape=_sparse_pair_shape("SparseAdd", 3), kernel=_sparse_add_kernel,
            grad=_sparse_add_grad)


def _sparse_add_grad_shape(grad, a_indices, b_indices, sum_indices):
    for t, what in ((a_indices, "a_indices"), (b_indices, "b_indices"),
                    (sum_indices, "sum_indices")):
        check_rank("SparseAddGrad", t, 2, what)
    check_rank("SparseAddGrad", grad, 1, "backprop_val_grad")
    rows = [TensorShape([t.shape.as_tuple()[0] if t.shape.ndims else None])
            for t in (a_indices, b_indices)]
    return [(grad.dtype, rows[0]), (grad.dtype, rows[1])]


def _sparse_add_grad_kernel(grad, a_indices, b_indices, sum_indices):
    if grad.shape[0] != sum_indices.shape[0]:
        raise invalid(f"backprop_val_grad has {grad.shape[0]} values but sum_indices has "
                      f"{sum_indices.shape[0]} rows")
    out = []
    for indices in (a_indices, b_indices):
        where = positions(sum_indices, indices)
        g = np.zeros(indices.shape[0], grad.dtype)
        g[where >= 0] = grad[where[where >= 0]]
        out.append(g)
    return tuple(out)


register_op("SparseAddGrad", shape=_sparse_add_grad_shape, kernel=_sparse_add_grad_kernel,
            grad=NOT_DIFFERENTIABLE)


# --- SparseTensorDenseAdd ------------------------------------------------------------------
def _dense_add_shape(a_indices, a_values, a_shape, b):
    check_components("SparseTensorDenseAdd", a_indices, a_values, a_shape,
                     ("a_indices", "a_values", "a_shape"))
    _check_same_dtype("SparseTensorDenseAdd", a_values, b)
    return [(b.dtype, b.shape)]


def _dense_add_kernel(a_indices, a_values, a_shape, b):
    validate(a_indices, a_values, a_shape, "a")
    if list(a_shape) != list(b.shape):
        raise invalid(f"Dimension mismatch: a_shape {list(a_shape)} vs. b.shape "
                      f"{list(b.shape)}")
    out = np.array(b, copy=True)
    if a_indices.size:
        bad = (a_indices < 0) | (a_indices >= np.asarray(b.shape))
        if bad.any():
            i, d = (int(k) for k in np.argwhere(bad)[0])
            raise invalid(f"Sparse tensor has an invalid index on dimension {d}: "
                          f"a_indices({i},{d}) = {a_indices[i, d]}, dense tensor shape: "
                          f"{' '.join(str(n) for n in b.shape)}")
        np.add.at(out, tuple(a_indices.T), a_values)
    elif not a_shape.size:
        out = out + a_values.sum()  # a scalar SparseTensor
    return out


def _dense_add_grad(op, dy):
    return [None, scatter_ops.gather_nd(dy, op.inputs[0]), None, dy]


register_op("SparseTensorDenseAdd", shape=_dense_add_shape, kernel=_dense_add_kernel,
            grad=_dense_add_grad)


def sparse_add(a, b, threshold=None, thresh=None):
    """a + b where one or both are SparseTensors: a SparseTensor for two sparse operands (sums
    with magnitude below `threshold` dropped), a dense Tensor otherwise (TF's tf.sparse.add)."""
    if threshold is not None and thresh is not None:
        raise ValueError("Cannot specify both 'threshold' and 'thresh'")
    threshold = thresh if threshold is None else threshold
    threshold = 0 if threshold is None else threshold
    sparse_classes = (SparseTensor, SparseTensorValue)
    if not any(isinstance(x, sparse_classes) for x in (a, b)):
        raise TypeError("At least one input should be SparseTensor; do you mean to use "
                        "tf.add()?")
    if all(isinstance(x, sparse_classes) for x in (a, b)):
        a, b = as_sparse_tensor(a), as_sparse_tensor(b)
        threshold = convert_to_tensor(threshold, dtype=complex_ops.real_dtype(a.values.dtype),
                                      name="threshold")
        indices, values, shape = create_op(
            "SparseAdd", [a.indices, a.values, a.dense_shape, b.indices, b.values,
                          b.dense_shape, threshold]).outputs
        static = a.shape.merge_with(b.shape) if a.shape.is_compatible_with(b.shape) else None
        if static is None:
            raise ValueError(f"Shapes {a.shape} and {b.shape} are incompatible")
        if static.is_fully_defined():
            shape = static.as_list()
        return SparseTensor(indices, values, shape)
    if isinstance(b, sparse_classes):
        a, b = b, a
    a = as_sparse_tensor(a)
    b = convert_to_tensor(b, dtype=a.dtype)
    return one(create_op("SparseTensorDenseAdd", [a.indices, a.values, a.dense_shape, b]))


# --- SparseReduceSum / SparseReduceMax (+Sparse) -------------------------------------------
def _reduction_axes(axes, rank):
    axes = [int(a) for a in np.asarray(axes).reshape(-1)]
    for a in axes:
        if not -rank <= a < rank:
            raise invalid(f"Invalid reduction dimension {a}, for input with {rank} "
                          f"dimensions.")
    return sorted({a % rank for a in axes})


def _reduce_shape(op_type, sparse_output):
    def shape(indices, values, dense_shape, axes, *, keep_dims):
        rank = check_components(op_type, indices, values, dense_shape,
                                ("input_indices", "input_values", "input_shape"))
        if not axes.dtype.is_integer or axes.shape.ndims not in (None, 0, 1):
            raise ValueError(f"{op_type} requires int32 reduction_axes of rank 0 or 1, got "
                             f"{axes.dtype.name} of shape {axes.shape}")
        if sparse_output:
            return [(dtypes.int64, TensorShape([None, None])),
                    (values.dtype, TensorShape([None])), (dtypes.int64, TensorShape([None]))]
        full, reduce_over = known_shape(dense_shape), constant_value(axes)
        if full is None or reduce_over is None:
            return [(values.dtype, unknown_shape())]
        kept = set(range(len(full))) - set(_reduction_axes(reduce_over, len(full)))
        out = [d if i in kept else 1 for i, d in enumerate(full)
               if keep_dims or i in kept]
        return [(values.dtype, TensorShape(out))]
    return shape


def _grouped(kind, indices, values, dense_shape, axes, keep_dims):
    """The reduction's groups: (kept index rows, values reduced per group, output shape)."""
    validate(indices, values, dense_shape)
    rank = dense_shape.shape[0]
    reduce_over = _reduction_axes(axes, rank)
    kept = [i for i in range(rank) if i not in reduce_over]
    keys, group = group_rows(indices[:, kept])
    kept_dims = dense_shape[kept].astype(np.int64)
    if len(keys) and kept:
        strides = np.concatenate([np.cumprod(kept_dims[::-1])[::-1][1:], [1]])
        written = keys @ strides
        bad = (written < 0) | (written >= int(np.prod(kept_dims)))
        if bad.any():
            raise errors.InternalError(
                None, None, f"Obtained a write index of {written[np.argmax(bad)]} which is "
                            f"outside of bounds of [0, {int(np.prod(kept_dims))})")
    ufunc = np.add if kind == "sum" else np.maximum
    reduced = np.zeros(len(keys), values.dtype)
    if kind == "max" and len(values):
        reduced = np.full(len(keys), values.min(), values.dtype)
    ufunc.at(reduced, group, values)
    out_shape = [int(d) if i in kept else 1 for i, d in enumerate(dense_shape)
                 if keep_dims or i in kept]
    if keep_dims:
        full_keys = np.zeros((len(keys), rank), np.int64)
        full_keys[:, kept] = keys
        keys = full_keys
    return keys.astype(np.int64), reduced, out_shape


def _reduce_kernel(kind):
    def kernel(indices, values, dense_shape, axes, *, keep_dims):
        keys, reduced, out_shape = _grouped(kind, indices, values, dense_shape, axes,
                                            keep_dims)
        out = np.zeros(out_shape, values.dtype)
        if len(keys) and out.ndim:
            out[tuple(keys.T)] = reduced
        elif len(keys):
            out[()] = reduced[0]
        return out
    return kernel


def _reduce_sparse_kernel(kind):
    def kernel(indices, values, dense_shape, axes, *, keep_dims):
        keys, reduced, out_shape = _grouped(kind, indices, values, dense_shape, axes,
                                            keep_dims)
        return keys.reshape(len(keys), len(out_shape)), reduced, np.array(out_shape, np.int64)
    return kernel


def _reduce_sum_grad(op, dy):
    indices, dense_shape, axes = op.inputs[0], op.inputs[2], op.inputs[3]
    kept = one(create_op("ReducedShape", [dense_shape, array.reshape(
        array.cast(axes, dtypes.int64), [-1])]))
    scale = math_ops.floordiv(dense_shape, kept)
    dy = array.reshape(dy, kept)
    return [None, scatter_ops.gather_nd(dy, math_ops.floordiv(indices, scale)), None, None]


for _kind, _grad in (("Sum", _reduce_sum_grad), ("Max", None)):
    register_op(f"SparseReduce{_kind}", shape=_reduce_shape(f"SparseReduce{_kind}", False),
                kernel=_reduce_kernel(_kind.lower()), grad=_grad or NOT_DIFFERENTIABLE)
    register_op(f"SparseReduce{_kind}Sparse",
                shape=_reduce_shape(f"SparseReduce{_kind}Sparse", True),
                kernel=_reduce_sparse_kernel(_kind.lower()), grad=NOT_DIFFERENTIABLE)


def _reduction_dims(sp_input, axis):
    if axis is not None:
        return convert_to_tensor(axis, dtype=dtypes.int32, name="reduction_axes") \
            if not hasattr(axis, "dtype") else axis
    rank = sp_input.dense_shape.shape.as_tuple()
    if rank is not None and rank[0] is not None:
        return convert_to_tensor(np.arange(rank[0], dtype=np.int32), name="reduction_axes")
    return array.range_(0, array.size(sp_input.dense_shape))


def _sparse_reduction(op_type, sparse_output):
    def reduce(sp_input, axis=None, keepdims=None, reduction_axes=None, keep_dims=None):
        if axis is not None and reduction_axes is not None:
            raise ValueError("Cannot specify both 'axis' and 'reduction_axes'")
        if keepdims is not None and keep_dims is not None:
            raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'")
        axis = reduction_axes if axis is None else axis
        keepdims = keep_dims if keepdims is None else keepdims
        sp_input = as_sparse_tensor(sp_input)
        op = create_op(op_type, [sp_input.indices, sp_input.values, sp_input.dense_shape,
                                 _reduction_dims(sp_input, axis)],
                       keep_dims=bool(keepdims))
        return SparseTensor(*op.outputs) if sparse_output else op.outputs[0]
    kind = "sum" if "Sum" in op_type else "max"
    reduce.__name__ = f"sparse_reduce_{kind}" + ("_sparse" if sparse_output else "")
    rule = "missing entries count as 0" if kind == "sum" else \
        "only present values take part, a group with none gives 0"
    reduce.__doc__ = (f"The {kind} of a SparseTensor's values along `axis` (all axes by "
                      f"default){' as a SparseTensor' if sparse_output else ''}; {rule}.")
    return reduce


sparse_reduce_sum = _sparse_reduction("SparseReduceSum", False)
sparse_reduce_sum_sparse = _sparse_reduction("SparseReduceSumSparse", True)
sparse_reduce_max = _sparse_reduction("SparseReduceMax", False)
sparse_reduce_max_sparse = _sparse_reduction("SparseReduceMaxSparse", True)


# --- SparseSoftmax -------------------------------------------------------------------------
def _softmax_shape(indices, values, dense_shape):
    rank = check_components("SparseSoftmax", indices, values, dense_shape,
                            ("sp_indices", "sp_values", "sp_shape"))
    if rank is not None and rank < 2:
        raise ValueError(f"SparseSoftmax requires a SparseTensor of rank >= 2, got rank {rank}")
    return [(values.dtype, values.shape)]


def _softmax_kernel(indices, values, dense_shape):
    validate(indices, values, dense_shape)
    if dense_shape.shape[0] < 2:
        raise invalid(f"Input should have rank >= 2, but received shape: "
                      f"{list(dense_shape)}")
    _, group = group_rows(indices[:, :-1])
    n = group.max() + 1 if group.size else 0
    top = np.full(n, -np.inf, values.dtype)
    np.maximum.at(top, group, values)
    e = np.exp(values - top[group])
    total = np.zeros(n, values.dtype)
    np.add.at(total, group, e)
    return (e / total[group]).astype(values.dtype)


def _softmax_grad(op, dy):
    """(dy - sum over the row of dy * y) * y, the row sums gathered back to the entries."""
    indices, dense_shape, y = op.inputs[0], op.inputs[2], op.outputs[0]
    product = SparseTensor(indices, dy * y, dense_shape)
    row_sums = sparse_reduce_sum(product, [-1])
    return [None, (dy - scatter_ops.gather_nd(row_sums, indices[:, :-1])) * y, None]


register_op("SparseSoftmax", shape=_softmax_shape, kernel=_softmax_kernel, grad=_softmax_grad)


def sparse_softmax(sp_input, name=None):
    """Softmax over the last dimension of a SparseTensor, among its present entries only."""
    sp_input = as_sparse_tensor(sp_input)
    with name_scope(name, "SparseSoftmax", [sp_input.indices, sp_input.values]) as scope:
        values = one(create_op("SparseSoftmax", [sp_input.indices, sp_input.values,
                                                 sp_input.dense_shape], name=scope))
        return SparseTensor(sp_input.indices, values, sp_input.dense_shape)


# --- SparseTensorDenseMatMul ---------------------------------------------------------------
def _matmul_shape(a_indices, a_values, a_shape, b, *, adjoint_a, adjoint_b):
    check_components("SparseTensorDenseMatMul", a_indices, a_values, a_shape,
                     ("a_indices", "a_values", "a_shape"))
    check_rank("SparseTensorDenseMatMul", b, 2, "b")
    _check_same_dtype("SparseTensorDenseMatMul", a_values, b)
    shape = known_shape(a_shape)
    if shape is not None and len(shape) != 2:
        raise ValueError(f"SparseTensorDenseMatMul requires a rank-2 SparseTensor, got shape "
                         f"{shape}")
    b_dims = b.shape.as_tuple() or (None, None)
    inner_b, n = (b_dims[::-1] if adjoint_b else b_dims)
    m, inner_a = (None, None) if shape is None else (shape[::-1] if adjoint_a else shape)
    if inner_a is not None and inner_b is not None and inner_a != inner_b:
        raise ValueError(f"Dimensions must be equal, but are {inner_a} and {inner_b} for "
                         f"'SparseTensorDenseMatMul' with a_shape {shape} and b shape "
                         f"{b.shape}")
    return [(b.dtype, TensorShape([m, n]))]


def _matmul_kernel(a_indices, a_values, a_shape, b, *, adjoint_a, adjoint_b):
    validate(a_indices, a_values, a_shape, "a")
    if a_shape.shape[0] != 2:
        raise invalid(f"Tensor 'a_shape' is not a vector of size 2, got {list(a_shape)}")
    rows, cols, values = a_indices[:, 0], a_indices[:, 1], a_values
    m, k = int(a_shape[0]), int(a_shape[1])
    if adjoint_a:
        rows, cols, values, m, k = cols, rows, np.conj(a_values), k, m
    dense = np.conj(b).T if adjoint_b else b
    if dense.shape[0] != k:
        raise invalid(f"Cannot multiply A and B because inner dimension does not match: "
                      f"{k} vs. {dense.shape[0]}.  Did you forget a transpose?  Dimensions "
                      f"of A: [{m}, {k}).  Dimensions of B: {list(b.shape)}")
    row_col, col_col = (1, 0) if adjoint_a else (0, 1)
    bad_m, bad_k = (rows < 0) | (rows >= m), (cols < 0) | (cols >= k)
    if (bad_m | bad_k).any():  # TF checks entry by entry, m before k
        i = int(np.argmax(bad_m | bad_k))
        what, value, limit, column = ("m", rows[i], m, row_col) if bad_m[i] else \
            ("k", cols[i], k, col_col)
        raise invalid(f"{what} ({value}) from index[{i},{column}] out of bounds (>={limit})")
    out = np.zeros((m, dense.shape[1]), b.dtype)
    np.add.at(out, rows, values[:, None] * dense[cols])
    return out


def _matmul_grad(op, dy):
    a_indices, a_values, a_shape, b = op.inputs
    adj_a, adj_b = op.attrs["adjoint_a"], op.attrs["adjoint_b"]
    b_grad = one(create_op("SparseTensorDenseMatMul", [a_indices, a_values, a_shape, dy],
                           adjoint_a=not adj_a, adjoint_b=False))
    if adj_b:
        b_grad = array.transpose(complex_ops.conj(b_grad) if b.dtype.is_complex else b_grad)
    rows, cols = a_indices[:, 0], a_indices[:, 1]
    parts_a = array.gather(dy, cols if adj_a else rows)
    dense = array.transpose(b) if adj_b else b
    if adj_b and b.dtype.is_complex:
        dense = complex_ops.conj(dense)
    parts_b = array.gather(dense, rows if adj_a else cols)
    values_grad = math_ops.reduce_sum(parts_a * (complex_ops.conj(parts_b) if b.dtype.is_complex
                                                 else parts_b), 1)
    if adj_a and b.dtype.is_complex:
        values_grad = complex_ops.conj(values_grad)
    return [None, values_grad, None, b_grad]


register_op("SparseTensorDenseMatMul", shape=_matmul_shape, kernel=_matmul_kernel,
            grad=_matmul_grad)


def sparse_tensor_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """The dense product of SparseTensor `sp_a` (rank 2) and dense matrix `b`; `b` may be the
    sparse one instead, then the product is computed transposed (TF's tf.sparse.matmul)."""
    if isinstance(b, (SparseTensor, SparseTensorValue)):
        if adjoint_a != adjoint_b:
            return array.transpose(sparse_tensor_dense_matmul(b, sp_a, adjoint_a, adjoint_b))
        return array.transpose(sparse_tensor_dense_matmul(
            b, sp_a, adjoint_a=not adjoint_a, adjoint_b=not adjoint_b))
    sp_a = as_sparse_tensor(sp_a)
    with name_scope(name, "SparseTensorDenseMatMul", [sp_a.indices, sp_a.values, b]) as scope:
        b = convert_to_tensor(b, name="b")
        return one(create_op("SparseTensorDenseMatMul",
                             [sp_a.indices, sp_a.values, sp_a.dense_shape, b], name=scope,
                             adjoint_a=bool(adjoint_a), adjoint_b=bool(adjoint_b)))


def sparse_matmul(a, b, transpose_a=False, transpose_b=False, a_is_sparse=False,
                  b_is_sparse=False, name=None):
    """The float32 product of dense matrices `a` and `b` (TF's SparseMatMul: the sparsity
    hints only choose TF's kernel, so this is MatMul of float32 operands)."""
    a, b = convert_to_tensor(a, name="a"), convert_to_tensor(b, name="b")
    for t, what in ((a, "Ta"), (b, "Tb")):
        if t.dtype not in (dtypes.float32, dtypes.bfloat16):  # TF's SparseMatMul types
            raise TypeError(f"Value passed to parameter '{what[1]}' has DataType "
                            f"{t.dtype.name} not in list of allowed values: float32, bfloat16")
    with name_scope(name, "SparseMatMul", [a, b]) as scope:
        return math_ops.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b,
                               a_is_sparse=a_is_sparse, b_is_sparse=b_is_sparse,
                               name=scope.rstrip("/") + "/MatMul")


# --- SparseSparseMaximum / SparseSparseMinimum ---------------------------------------------
def _extreme_kernel(combine):
    def kernel(a_indices, a_values, a_shape, b_indices, b_values, b_shape):
        validate(a_indices, a_values, a_shape, "a")
        validate(b_indices, b_values, b_shape, "b")
        _check_same_shapes(a_shape, b_shape)
        check_tuple_bounds(a_indices, a_shape)
        check_tuple_bounds(b_indices, b_shape)
        pairs = np.array(merge_order(a_indices, b_indices), np.int64).reshape(-1, 2)
        a_pos, b_pos = pairs[:, 0], pairs[:, 1]
        zero = np.zeros(1, a_values.dtype)
        left = np.concatenate([a_values, zero])[a_pos]  # position -1 reads the 0 appended
        right = np.concatenate([b_values, zero])[b_pos]
        rank = a_shape.shape[0]
        indices = np.where((a_pos >= 0)[:, None],
                           np.concatenate([a_indices, np.zeros((1, rank), np.int64)])[a_pos],
                           np.concatenate([b_indices, np.zeros((1, rank), np.int64)])[b_pos])
        return indices.reshape(-1, rank).astype(np.int64), combine(left, right)
    return kernel


def _not_implemented(op_type):
    def grad(op, *grads):
        raise NotImplementedError(f"Gradient for {op_type} is not implemented.")
    return grad


for _op_type, _combine in (("SparseSparseMaximum", np.maximum),
                           ("SparseSparseMinimum", np.minimum)):
    register_op(_op_type, shape=_sparse_pair_shape(_op_type, 2),
                kernel=_extreme_kernel(_combine), grad=_not_implemented(_op_type))


def _sparse_extreme(op_type, kind):
    def extreme(sp_a, sp_b, name=None):
        sp_a, sp_b = as_sparse_tensor(sp_a), as_sparse_tensor(sp_b)
        with name_scope(name, op_type, [sp_a.indices, sp_a.values, sp_b.indices,
                                        sp_b.values]) as scope:
            indices, values = create_op(op_type, [sp_a.indices, sp_a.values, sp_a.dense_shape,
                                                  sp_b.indices, sp_b.values, sp_b.dense_shape],
                                        name=scope).outputs
        return SparseTensor(indices, values, sp_a.dense_shape)
    extreme.__name__ = f"sparse_{kind}imum"
    extreme.__doc__ = (f"The element-wise {kind}imum of two SparseTensors of one shape "
                       f"(missing entries count as 0; both assumed in row-major order).")
    return extreme


sparse_maximum = _sparse_extreme("SparseSparseMaximum", "max")
sparse_minimum = _sparse_extreme("SparseSparseMinimum", "min")


# --- SparseDenseCwiseMul / Div / Add -------------------------------------------------------
def _cwise_shape(op_type):
    def shape(indices, values, dense_shape, dense):
        check_components(op_type, indices, values, dense_shape,
                         ("sp_indices", "sp_values", "sp_shape"))
        _check_same_dtype(op_type, values, dense)
        return [(values.dtype, values.shape)]
    return shape


def _dense_at(indices, dense_shape, dense):
    """dense broadcast to dense_shape, read at `indices` (dense may only broadcast)."""
    rank, dims = len(dense_shape), dense.shape
    offset = rank - len(dims)
    if offset < 0 or any(d not in (1, int(dense_shape[offset + i])) for i, d in
                         enumerate(dims)):
        raise invalid(f"SparseDenseBinaryOpShared broadcasts dense to sparse only; got "
                      f"incompatible shapes: [{','.join(str(int(d)) for d in dense_shape)}] "
                      f"vs. [{','.join(str(d) for d in dims)}]")
    if len(indices) and np.any((indices < 0) | (indices >= np.asarray(dense_shape))):
        raise invalid("Provided indices are out-of-bounds w.r.t. dense side with broadcasted "
                      "shape")
    where = tuple(indices[:, offset + i] if d != 1 else np.zeros(len(indices), np.int64)
                  for i, d in enumerate(dims))
    return dense[where]


def _cwise_kernel(combine):
    def kernel(indices, values, dense_shape, dense):
        validate(indices, values, dense_shape)
        return np.asarray(combine(values, _dense_at(indices, dense_shape, dense)),
                          values.dtype)
    return kernel


def _divide(x, y):
    if x.dtype.kind in "iu":
        return np.trunc(x / y).astype(x.dtype)  # TF's integer division truncates
    return x / y


def _cwise_mul_or_div_grad(is_mul):
    def grad(op, dz):
        x_indices, x_values, x_shape, y = op.inputs
        y_shape = array.shape(y, out_type=dtypes.int64)
        x_rank = x_shape.shape.as_tuple()[0] if x_shape.shape.ndims == 1 else None
        if x_rank is not None and y.shape.ndims is not None:  # static ranks: a static slice
            added = x_rank - y.shape.ndims
            augmented = array.concat([array.ones([added], dtypes.int64), y_shape], 0)
            scaled = math_ops.floordiv(x_indices, math_ops.floordiv(x_shape, augmented))
            scaled = scaled[:, added:]
        else:
            added = array.expand_dims(array.size(x_shape) - array.size(y_shape), 0)
            augmented = array.concat([array.ones(added, dtypes.int64), y_shape], 0)
            scaled = math_ops.floordiv(x_indices, math_ops.floordiv(x_shape, augmented))
            scaled = array.slice_(scaled, array.concat([[0], added], 0), [-1, -1])
        dense_values = scatter_ops.gather_nd(y, scaled)
        if is_mul:
            dx, dy_values = dz * dense_values, dz * x_values
        else:
            dx = dz / dense_values
            dy_values = dz * (-x_values / math_ops.square(dense_values))
        dy = one(create_op("SparseTensorDenseAdd",
                           [scaled, dy_values, y_shape, array.zeros_like(y)]))
        return [None, dx, None, dy]
    return grad


register_op("SparseDenseCwiseMul", shape=_cwise_shape("SparseDenseCwiseMul"),
            kernel=_cwise_kernel(np.multiply), grad=_cwise_mul_or_div_grad(True))
register_op("SparseDenseCwiseDiv", shape=_cwise_shape("SparseDenseCwiseDiv"),
            kernel=_cwise_kernel(_divide), grad=_cwise_mul_or_div_grad(False))
register_op("SparseDenseCwiseAdd", shape=_cwise_shape("SparseDenseCwiseAdd"),
            kernel=_cwise_kernel(np.add), grad=_not_implemented("SparseDenseCwiseAdd"))


def sparse_dense_cwise(op_type, sp_t, dense_t, name=None):
    """SparseTensor `sp_t` combined entry-wise with dense `dense_t` broadcast to its shape
    (op_type SparseDenseCwiseMul, SparseDenseCwiseDiv or SparseDenseCwiseAdd); a SparseTensor
    with sp_t's indices."""
    sp_t = as_sparse_tensor(sp_t)
    dense_t = convert_to_tensor(dense_t, dtype=sp_t.dtype, name="dense")
    values = one(create_op(op_type, [sp_t.indices, sp_t.values, sp_t.dense_shape, dense_t],
                           name=name or op_type))
    return SparseTensor(sp_t.indices, values, sp_t.dense_shape)


# --- SparseTensor operators: sp * dense, sp / dense (TF's overloads on SparseTensor) --------
_TRUEDIV_FLOAT = {dtypes.int8: dtypes.float32, dtypes.int16: dtypes.float32,
                  dtypes.uint8: dtypes.float32, dtypes.int32: dtypes.float64,
                  dtypes.int64: dtypes.float64}


def _sparse_operator(op_type, op_name, true_division=False):
    def operator(sp_x, y):
        with name_scope(None, op_name, [sp_x.values, y]) as scope:
            values, dtype = sp_x.values, sp_x.dtype
            if true_division and dtype in _TRUEDIV_FLOAT:
                dtype = _TRUEDIV_FLOAT[dtype]
                values = array.cast(values, dtype)
                y = array.cast(convert_to_tensor(y, name="y"), dtype)
            y = convert_to_tensor(y, dtype=dtype, name="y")
            out = one(create_op(op_type, [sp_x.indices, values, sp_x.dense_shape, y],
                                name=scope))
            return SparseTensor(sp_x.indices, out, sp_x.dense_shape)
    operator.__name__ = f"__{op_name}__"
    return operator


SparseTensor.__mul__ = _sparse_operator("SparseDenseCwiseMul", "mul")
SparseTensor.__div__ = _sparse_operator("SparseDenseCwiseDiv", "div")
SparseTensor.__truediv__ = _sparse_operator("SparseDenseCwiseDiv", "truediv", True)
