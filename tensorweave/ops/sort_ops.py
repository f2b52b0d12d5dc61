"""Sorting and set-like ops: sort, argsort (through TopKV2, as TF), unique, setdiff1d,
searchsorted."""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array, math_ops, nn_ops
from tensorweave.ops._common import one
from tensorweave.ops.scatter_indices import shape_text

__all__ = ["sort", "argsort", "unique", "unique_with_counts", "setdiff1d", "searchsorted"]


# --- sort, argsort ---------------------------------------------------------------------------
_DIRECTIONS = ("ASCENDING", "DESCENDING")


def _sort_or_argsort(values, axis, direction, return_argsort):
    if direction not in _DIRECTIONS:
        raise ValueError(f"{direction} should be one of {', '.join(_DIRECTIONS)}")
    axis = convert_to_tensor(axis, name="axis")
    static_axis = constant_value(axis)
    if axis.shape.ndims not in (None, 0) or static_axis is None:
        raise ValueError("axis must be a constant scalar")
    values = convert_to_tensor(values, name="values")
    if direction == "ASCENDING":  # the descending order of the negated values (ties keep order)
        out = _descending(-values, int(static_axis), return_argsort)
        return out if return_argsort else -out
    return _descending(values, int(static_axis), return_argsort)


def _descending(values, axis, return_argsort):
    ndims = values.shape.ndims
    if ndims is None:
        if axis != -1:
            raise ValueError(f"sort along axis {axis} needs values of known rank")
        order = None
    else:
        if not -ndims <= axis < ndims:
            raise ValueError(f"axis {axis} is out of range for values of rank {ndims}")
        axis %= ndims
        order = None if axis == ndims - 1 else \
            list(range(axis)) + [ndims - 1] + list(range(axis + 1, ndims - 1)) + [axis]
    top_input = values if order is None else array.transpose(values, order)
    k = top_input.shape[-1].value if top_input.shape.ndims is not None else None
    if k is None:
        k = array.shape(top_input)[-1]
    sorted_values, indices = nn_ops.top_k(top_input, k)
    out = indices if return_argsort else sorted_values
    return out if order is None else array.transpose(out, order)


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """`values` sorted along `axis`.

    >>> tf.sort([3, 1, 2], direction="DESCENDING")  # [3, 2, 1]
    """
    with name_scope(name, "sort"):
        return _sort_or_argsort(values, axis, direction, return_argsort=False)


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """The int32 indices that sort `values` along `axis` (ties keep their order, so the sort
    is always stable).

    >>> tf.argsort([3.0, 1.0, 3.0, 2.0])  # [1, 3, 0, 2]
    """
    with name_scope(name, "argsort"):
        return _sort_or_argsort(values, axis, direction, return_argsort=True)


# --- NthElement ------------------------------------------------------------------------------
def _nth_element_shape(x, n, *, reverse):
    if not n.dtype.is_integer or n.shape.ndims not in (None, 0):
        raise ValueError(f"NthElement requires a scalar int32 n, got {n.dtype.name} of shape "
                         f"{n.shape}")
    known_n = constant_value(n)
    if known_n is not None and int(known_n) < 0:
        raise ValueError(f"NthElement requires n >= 0, got {int(known_n)}")
    if x.shape.ndims is None:
        return [(x.dtype, TensorShape(None))]
    if x.shape.ndims == 0:
        raise ValueError("NthElement requires an input of rank at least 1, got a scalar")
    last = x.shape[-1].value
    if known_n is not None and last is not None and last <= int(known_n):
        raise ValueError(f"NthElement requires an input with more than n={int(known_n)} "
                         f"entries in its last dimension, got shape {x.shape}")
    return [(x.dtype, TensorShape(x.shape.as_list()[:-1]))]


def _nth_element_kernel(x, n, *, reverse):
    n = int(n)
    if n < 0:
        raise errors.InvalidArgumentError(None, None, f"Need n >= 0, got {n}")
    if x.ndim == 0 or x.shape[-1] <= n:
        raise errors.InvalidArgumentError(
            None, None, f"Input must have at least n+1 columns, got shape {shape_text(x.shape)} "
                        f"and n = {n}")
    position = x.shape[-1] - 1 - n if reverse else n
    return np.partition(x, position, axis=-1)[..., position]


def _nth_element_grad(op, dy):
    """dy shared equally among the entries of each row that equal the row's result."""
    x, y = op.inputs[0], op.outputs[0]
    chosen = array.cast(math_ops.equal(array.expand_dims(y, -1), x), dy.dtype)
    count = math_ops.reduce_sum(chosen, -1, keepdims=True)
    return [chosen / count * array.expand_dims(dy, -1), None]


register_op("NthElement", shape=_nth_element_shape, kernel=_nth_element_kernel,
            grad=_nth_element_grad)


def nth_element(input, n, reverse=False, name=None):  # noqa: A002 - TF's argument name
    """The n-th smallest entry (n-th largest when `reverse`) of each last-axis row, n counting
    from 0.

    >>> tf.contrib.nn.nth_element([[3.0, 1.0, 2.0]], 1)  # [2.0]
    """
    x = convert_to_tensor(input, name="input")
    n = convert_to_tensor(n, dtype=dtypes.int32, name="n")
    return one(create_op("NthElement", [x, n], name=name or "NthElement", reverse=bool(reverse)))


# --- Unique, UniqueWithCounts ----------------------------------------------------------------
def _check_index_dtype(op_type, dtype):
    if dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"{op_type} requires out_idx int32 or int64, got {dtype.name}")


def _unique_shape(op_type, counts):
    def shape(x, *, out_idx):
        _check_index_dtype(op_type, out_idx)
        if x.shape.ndims not in (None, 1):
            raise ValueError(f"Shape must be rank 1 but is rank {x.shape.ndims} for {op_type} "
                             f"with input shape {x.shape}")
        out = [(x.dtype, TensorShape([None])), (out_idx, x.shape if x.shape.ndims else
                                                 TensorShape([None]))]
        return out + [(out_idx, TensorShape([None]))] if counts else out
    return shape


def _unique_kernel(counts):
    def kernel(x, *, out_idx):
        if x.ndim != 1:
            raise errors.InvalidArgumentError(None, None, f"unique expects a 1D vector, got "
                                                          f"shape {shape_text(x.shape)}")
        values, first, inverse, count = np.unique(x, return_index=True, return_inverse=True,
                                                  return_counts=True)
        order = np.argsort(first, kind="stable")  # TF keeps the order of first occurrence
        position = np.empty_like(order)
        position[order] = np.arange(order.size)
        kind = out_idx  # a NumPy dtype in kernels
        out = (values[order].astype(x.dtype), position[inverse.reshape(-1)].astype(kind))
        return out + (count[order].astype(kind),) if counts else out
    return kernel


register_op("Unique", shape=_unique_shape("Unique", False), kernel=_unique_kernel(False),
            grad=NOT_DIFFERENTIABLE)
register_op("UniqueWithCounts", shape=_unique_shape("UniqueWithCounts", True),
            kernel=_unique_kernel(True), grad=NOT_DIFFERENTIABLE)


def unique(x, out_idx=dtypes.int32, name=None):
    """(y, idx): the distinct values of 1-D `x` in order of first occurrence, and for each
    entry of x its position in y."""
    x = convert_to_tensor(x, name="x")
    return tuple(create_op("Unique", [x], name=name or "Unique",
                           out_idx=dtypes.as_dtype(out_idx)).outputs)


def unique_with_counts(x, out_idx=dtypes.int32, name=None):
    """(y, idx, count): as unique, with how often each value of y occurs in x."""
    x = convert_to_tensor(x, name="x")
    return tuple(create_op("UniqueWithCounts", [x], name=name or "UniqueWithCounts",
                           out_idx=dtypes.as_dtype(out_idx)).outputs)


# --- ListDiff (setdiff1d) --------------------------------------------------------------------
def _list_diff_shape(x, y, *, out_idx):
    _check_index_dtype("ListDiff", out_idx)
    if x.dtype is not y.dtype:
        raise TypeError(f"ListDiff requires x and y of one dtype, got {x.dtype.name} and "
                        f"{y.dtype.name}")
    for what, t in (("x", x), ("y", y)):
        if t.shape.ndims not in (None, 1):
            raise ValueError(f"ListDiff requires 1-D {what}, got shape {t.shape}")
    return [(x.dtype, TensorShape([None])), (out_idx, TensorShape([None]))]


def _list_diff_kernel(x, y, *, out_idx):
    if x.ndim != 1 or y.ndim != 1:
        raise errors.InvalidArgumentError(None, None, f"x should be a 1D vector, got shapes "
                                                      f"{shape_text(x.shape)} and "
                                                      f"{shape_text(y.shape)}")
    kept = ~np.isin(x, y)
    return x[kept], np.nonzero(kept)[0].astype(out_idx)


register_op("ListDiff", shape=_list_diff_shape, kernel=_list_diff_kernel, grad=NOT_DIFFERENTIABLE)


def setdiff1d(x, y, index_dtype=dtypes.int32, name=None):
    """(out, idx): the entries of 1-D `x` not in `y`, in order, and their positions in x."""
    x = convert_to_tensor(x, name="x")
    y = convert_to_tensor(y, dtype=x.dtype, name="y")
    return tuple(create_op("ListDiff", [x, y], name=name or "ListDiff",
                           out_idx=dtypes.as_dtype(index_dtype)).outputs)


# --- LowerBound, UpperBound (searchsorted) ---------------------------------------------------
def _bound_shape(op_type):
    def shape(sorted_inputs, values, *, out_type):
        _check_index_dtype(op_type, out_type)
        if sorted_inputs.dtype is not values.dtype:
            raise TypeError(f"{op_type} requires sorted_inputs and values of one dtype, got "
                            f"{sorted_inputs.dtype.name} and {values.dtype.name}")
        for what, t in (("sorted_inputs", sorted_inputs), ("values", values)):
            if t.shape.ndims not in (None, 2):
                raise ValueError(f"{op_type} requires 2-D {what}, got shape {t.shape}")
        return [(out_type, values.shape)]
    return shape


def _bound_kernel(side):
    def kernel(sorted_inputs, values, *, out_type):
        if sorted_inputs.shape[0] != values.shape[0]:
            raise errors.InvalidArgumentError(
                None, None, "Leading dim_size of both tensors must match.")
        out = np.empty(values.shape, dtype=out_type)
        for row, (s, v) in enumerate(zip(sorted_inputs, values)):
            out[row] = np.searchsorted(s, v, side=side)
        return out
    return kernel


register_op("LowerBound", shape=_bound_shape("LowerBound"), kernel=_bound_kernel("left"),
            grad=NOT_DIFFERENTIABLE)
register_op("UpperBound", shape=_bound_shape("UpperBound"), kernel=_bound_kernel("right"),
            grad=NOT_DIFFERENTIABLE)


def searchsorted(sorted_sequence, values, side="left", out_type=dtypes.int32, name=None):
    """For each of `values`, the position in the last-axis rows of `sorted_sequence` where it
    would be inserted to keep the row sorted (`side` "left": before equal entries).

    >>> tf.searchsorted([1.0, 2.0, 3.0], [2.5, 2.0])  # [2, 1]
    """
    if side not in ("left", "right"):
        raise ValueError(f"side must be either 'right' or 'left'.  Saw: {side}.")
    with name_scope(name, "searchsorted", [sorted_sequence, values]):
        sorted_sequence = convert_to_tensor(sorted_sequence, name="sorted_sequence")
        values = convert_to_tensor(values, dtype=sorted_sequence.dtype, name="values")
        width = array.shape(sorted_sequence)[-1]
        count = array.shape(values)[-1]
        flat_sorted = array.reshape(sorted_sequence, array.stack([-1, width]))
        flat_values = array.reshape(values, array.stack([-1, count]))
        out = one(create_op("LowerBound" if side == "left" else "UpperBound",
                            [flat_sorted, flat_values], out_type=dtypes.as_dtype(out_type)))
        out = array.reshape(out, array.shape(values))
        out.set_shape(values.shape)
        return out
