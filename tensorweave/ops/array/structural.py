"""Structural ops: ShapeN, IdentityN, ParallelConcat, UnravelIndex, BroadcastArgs, EnsureShape,
SelectV2, Bitcast, GuaranteeConst; tf.invert_permutation over InvertPermutation (in
dynamic.py); tf.boolean_mask, tf.repeat, tf.meshgrid and tf.broadcast_static_shape composed of
other ops."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op, register_tf_form
from tensorweave.core.tensor_shape import TensorShape, as_shape, unknown_shape
from tensorweave.ops import math_ops
from tensorweave.ops._common import (elementwise_rows, identity_kernel, one, outputs,
                                     passthrough_grad, same_as_input)
from tensorweave.ops.array.broadcast import broadcast_shapes, broadcast_to, sum_to_shape
from tensorweave.ops.array.construct import ones, zeros_like
from tensorweave.ops.array.convert import cast
from tensorweave.ops.array.index import gather, getitem, range_, where
from tensorweave.ops.array.join import concat, tile
from tensorweave.ops.array.shapes import expand_dims, reshape, shape, size, squeeze


# --- ShapeN and IdentityN -----------------------------------------------------------------------
def _shape_n_shape(*inputs, out_type):
    if out_type not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"ShapeN requires out_type int32 or int64, got {out_type.name}")
    return [(out_type, TensorShape([t.shape.ndims])) for t in inputs]


def _shape_n_kernel(*inputs, out_type):
    return outputs(np.array(x.shape, dtype=out_type) for x in inputs)


register_op("ShapeN", shape=_shape_n_shape, kernel=_shape_n_kernel, grad=NOT_DIFFERENTIABLE,
            shape_only_inputs=range(64))


def _to_n_inputs(t):
    """TensorFlow's OpDef counts the inputs of one type (ShapeN, ParallelConcat)."""
    t.set("N", len(t.dtypes))
    t.set("T", t.dtypes[0])


register_tf_form("ShapeN", to_tf=_to_n_inputs)


def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002 - TF's argument name
    """The shapes of a list of tensors, one 1-D tensor each."""
    tensors = [convert_to_tensor(t) for t in input]
    if not tensors:
        raise ValueError("shape_n requires at least one tensor")
    return list(create_op("ShapeN", tensors, name=name or "ShapeN",
                          out_type=dtypes.as_dtype(out_type)).outputs)


def _identity_n_shape(*inputs):
    return [(t.dtype, t.shape) for t in inputs]


def _identity_n_kernel(*inputs):
    return outputs(inputs)


def _identity_n_grad(op, *dys):
    return list(dys)


register_op("IdentityN", shape=_identity_n_shape, kernel=_identity_n_kernel,
            grad=_identity_n_grad, shares_memory=True)
register_tf_form("IdentityN", to_tf=lambda t: t.set("T", list(t.dtypes)))  # a list of types


def identity_n(input, name=None):  # noqa: A002
    """The tensors of a list passed on together, as one op with one output each."""
    tensors = [convert_to_tensor(t) for t in input]
    if not tensors:
        raise ValueError("identity_n requires at least one tensor")
    return list(create_op("IdentityN", tensors, name=name or "IdentityN").outputs)


# --- ParallelConcat -------------------------------------------------------------------------------
def _parallel_concat_shape(*values, shape):
    dtype = values[0].dtype
    for t in values:
        if t.dtype is not dtype:
            raise TypeError(f"ParallelConcat requires inputs of one dtype, got {dtype.name} and "
                            f"{t.dtype.name}")
        if t.shape.ndims is not None and (t.shape.ndims < 1 or t.shape[0].value not in
                                          (None, 1)):
            raise ValueError(f"ParallelConcat requires inputs of shape [1, ...], got "
                             f"{t.shape}")
    if shape.ndims is not None and shape[0].value not in (None, len(values)):
        raise ValueError(f"ParallelConcat requires a shape of first dimension {len(values)}, "
                         f"got {shape}")
    merged = shape
    for t in values:
        if t.shape.ndims is not None and merged.ndims is not None:
            if not merged[1:].is_compatible_with(t.shape[1:]):
                raise ValueError(f"ParallelConcat: input shape {t.shape} does not fit shape "
                                 f"{shape}")
            merged = merged[:1].concatenate(merged[1:].merge_with(t.shape[1:]))
    return [(dtype, merged)]


def _parallel_concat_kernel(*values, shape):
    out = np.concatenate(values, axis=0)
    if not as_shape(shape).is_compatible_with(out.shape):
        raise ValueError(f"ParallelConcat: the inputs make shape {list(out.shape)}, not {shape}")
    return out


register_op("ParallelConcat", shape=_parallel_concat_shape, kernel=_parallel_concat_kernel,
            grad=None)
register_tf_form("ParallelConcat", to_tf=_to_n_inputs)


def parallel_stack(values, name="parallel_stack"):
    """Stacks tensors of one (fully known) shape along a new first axis, as one ParallelConcat
    (TF: no gradient)."""
    with name_scope(name, "parallel_stack") as scope:
        first = convert_to_tensor(values[0])
        tensors = [convert_to_tensor(v, dtype=first.dtype) for v in values]
        out_shape = TensorShape([len(tensors)]).concatenate(first.shape)
        return one(create_op("ParallelConcat", [expand_dims(t, 0) for t in tensors],
                              name=scope, shape=out_shape))


# --- UnravelIndex -------------------------------------------------------------------------------
def _unravel_shape(indices, dims):
    for what, t, ranks in (("indices", indices, (0, 1)), ("dims", dims, (1,))):
        if t.dtype not in (dtypes.int32, dtypes.int64) or t.shape.ndims not in (None, *ranks):
            raise ValueError(f"UnravelIndex requires {what} to be an int32 or int64 tensor of "
                             f"rank {' or '.join(map(str, ranks))}, got {t.dtype.name} of "
                             f"shape {t.shape}")
    if indices.dtype is not dims.dtype:
        raise TypeError(f"UnravelIndex requires indices and dims of one dtype, got "
                        f"{indices.dtype.name} and {dims.dtype.name}")
    n = dims.shape[0].value if dims.shape.ndims == 1 else None
    if indices.shape.ndims is None:
        return [(indices.dtype, unknown_shape())]
    return [(indices.dtype, TensorShape([n] + indices.shape.as_list()))]


def _unravel_kernel(indices, dims):
    if (dims <= 0).any():
        raise ValueError(f"All dimensions must be positive, got {dims.tolist()}")
    total = int(np.prod(dims))
    if indices.size and (indices.min() < 0 or indices.max() >= total):
        raise ValueError(f"index is out of bound as with dims {dims.tolist()}")
    return np.array(np.unravel_index(indices, tuple(int(d) for d in dims)),
                    dtype=indices.dtype)


register_op("UnravelIndex", shape=_unravel_shape, kernel=_unravel_kernel, grad=None)


def unravel_index(indices, dims, name=None):
    """The coordinates in an array of shape `dims` of flat `indices` ([len(dims)] or
    [len(dims), n])."""
    indices = convert_to_tensor(indices)
    dims = convert_to_tensor(dims, dtype=indices.dtype if indices.dtype.is_integer else None)
    return one(create_op("UnravelIndex", [indices, dims], name=name or "UnravelIndex"))


def invert_permutation(x, name=None):
    """The inverse of permutation `x`: y[x[i]] = i."""
    x = convert_to_tensor(x)
    return one(create_op("InvertPermutation", [x], name=name or "InvertPermutation"))


# --- BroadcastArgs and broadcast_static_shape ---------------------------------------------------
def _broadcast_args_shape(s0, s1):
    for t in (s0, s1):
        if t.dtype not in (dtypes.int32, dtypes.int64) or t.shape.ndims not in (None, 1):
            raise ValueError(f"BroadcastArgs requires int32 or int64 vectors, got "
                             f"{t.dtype.name} of shape {t.shape}")
    if s0.dtype is not s1.dtype:
        raise TypeError(f"BroadcastArgs requires shapes of one dtype, got {s0.dtype.name} and "
                        f"{s1.dtype.name}")
    lengths = [t.shape[0].value if t.shape.ndims == 1 else None for t in (s0, s1)]
    return [(s0.dtype, TensorShape([None if None in lengths else max(lengths)]))]


def _broadcast_args_kernel(s0, s1):
    n = max(len(s0), len(s1))
    a = [1] * (n - len(s0)) + s0.tolist()
    b = [1] * (n - len(s1)) + s1.tolist()
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            raise ValueError(f"Incompatible shapes: [{','.join(map(str, s0.tolist()))}] vs. "
                             f"[{','.join(map(str, s1.tolist()))}]")
        out.append(y if x == 1 else x)
    return np.array(out, dtype=s0.dtype)


register_op("BroadcastArgs", shape=_broadcast_args_shape, kernel=_broadcast_args_kernel,
            grad=None)


def broadcast_dynamic_shape(shape_x, shape_y):
    """The broadcast of two shapes given as 1-D int tensors, computed at run time."""
    x = convert_to_tensor(shape_x)
    y = convert_to_tensor(shape_y, dtype=x.dtype if x.dtype.is_integer else None)
    return one(create_op("BroadcastArgs", [x, y], name="BroadcastArgs"))


def broadcast_static_shape(shape_x, shape_y):
    """The broadcast of two TensorShapes; ValueError when they do not broadcast."""
    shape_x, shape_y = as_shape(shape_x), as_shape(shape_y)
    try:
        return broadcast_shapes(shape_x, shape_y)
    except ValueError:
        raise ValueError(f"Incompatible shapes for broadcasting: {shape_x} and "
                         f"{shape_y}") from None


# --- EnsureShape ----------------------------------------------------------------------------------
def _ensure_shape_shape(x, *, shape):
    if not x.shape.is_compatible_with(shape):
        raise ValueError(f"EnsureShape: shapes {x.shape} and {shape} are incompatible")
    return [(x.dtype, x.shape.merge_with(shape))]


def _shape_text(dims):
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def _ensure_shape_kernel(x, *, shape):
    shape = as_shape(shape)
    if not shape.is_compatible_with(x.shape):
        expected = "<unknown>" if shape.ndims is None else _shape_text(shape.as_tuple())
        raise ValueError(f"Shape of tensor {_shape_text(x.shape)} is not compatible with "
                         f"expected shape {expected}.")
    return x


register_op("EnsureShape", shape=_ensure_shape_shape, kernel=_ensure_shape_kernel,
            grad=passthrough_grad, shares_memory=True)


def ensure_shape(x, shape, name=None):
    """`x`, checked at run time to have a shape compatible with `shape` (InvalidArgumentError
    if not); its static shape becomes the merge of both."""
    x = convert_to_tensor(x)
    return one(create_op("EnsureShape", [x], name=name or "EnsureShape", shape=as_shape(shape)))


# --- SelectV2 and where_v2 ------------------------------------------------------------------------
def _select_v2_shape(condition, x, y):
    if condition.dtype is not dtypes.bool:
        raise TypeError(f"SelectV2 requires a bool condition, got {condition.dtype.name}")
    if x.dtype is not y.dtype:
        raise TypeError(f"SelectV2 requires x and y of one dtype, got {x.dtype.name} and "
                        f"{y.dtype.name}")
    return [(x.dtype, broadcast_shapes(broadcast_shapes(condition.shape, x.shape), y.shape))]


def _select_v2_kernel(condition, x, y):
    return np.where(condition, x, y)


def _select_v2_grad(op, dy):
    condition, x, y = op.inputs
    zero = zeros_like(dy)
    return [None, sum_to_shape(_select_v2(condition, dy, zero), x),
            sum_to_shape(_select_v2(condition, zero, dy), y)]


register_op("SelectV2", shape=_select_v2_shape, kernel=_select_v2_kernel, grad=_select_v2_grad,
            row_wise=elementwise_rows)
register_tf_form("SelectV2", to_tf=lambda t: t.set("T", t.dtypes[1]))  # x's dtype, not cond's


def _select_v2(condition, x, y, name=None):
    return one(create_op("SelectV2", [condition, x, y], name=name or "SelectV2"))


def where_v2(condition, x=None, y=None, name=None):
    """Indices of true elements (one argument), or `condition ? x : y` with the three
    broadcast together (TF's SelectV2)."""
    condition = convert_to_tensor(condition)
    if x is None and y is None:
        return where(condition, name=name)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    x = convert_to_tensor(x, dtype=y.dtype if isinstance(y, Tensor) else None)
    y = convert_to_tensor(y, dtype=x.dtype)
    return _select_v2(condition, x, y, name=name)


# --- Bitcast and GuaranteeConst -------------------------------------------------------------------
_BITCAST_TYPES = {"float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                  "uint16", "uint32", "uint64", "complex64", "complex128", "bfloat16"}


def _itemsize(dtype):
    return np.dtype(dtype.as_numpy_dtype).itemsize


def _bitcast_shape(x, *, type):  # noqa: A002 - TF's attr name
    for dtype in (x.dtype, type):
        if dtype.name not in _BITCAST_TYPES:
            raise TypeError(f"Bitcast does not support dtype {dtype.name}")
    a, b = _itemsize(x.dtype), _itemsize(type)
    if x.shape.ndims is None or a == b:
        return [(type, x.shape)]
    if a > b:
        return [(type, x.shape.concatenate([a // b]))]
    if x.shape.ndims == 0 or x.shape[-1].value not in (None, b // a):
        raise ValueError(f"Cannot bitcast from {x.dtype.name} to {type.name} due to shape. "
                         f"{x.shape[-1].value if x.shape.ndims else 'a scalar'} does not match "
                         f"{b // a}")
    return [(type, x.shape[:-1])]


def _bitcast_kernel(x, *, type):  # noqa: A002
    out = np.dtype(type)
    a, b = x.dtype.itemsize, out.itemsize
    x = np.ascontiguousarray(x)
    if a == b:
        return x.view(out).copy()
    if a > b:
        return x.reshape(x.shape + (1,)).view(out).copy()
    if x.ndim == 0 or x.shape[-1] != b // a:
        raise ValueError(f"Cannot bitcast from {x.dtype} to {out} due to shape: last dimension "
                         f"{x.shape[-1] if x.ndim else 'of a scalar'} is not {b // a}")
    return x.view(out).reshape(x.shape[:-1]).copy()


register_op("Bitcast", shape=_bitcast_shape, kernel=_bitcast_kernel, grad=None)


def bitcast(input, type, name=None):  # noqa: A002
    """The bytes of `input` read as dtype `type` (a last dimension is added or removed when
    the item sizes differ), without copying in TF."""
    return one(create_op("Bitcast", [convert_to_tensor(input)], name=name or "Bitcast",
                          type=dtypes.as_dtype(type)))


register_op("GuaranteeConst", shape=same_as_input, kernel=identity_kernel, grad=None,
            shares_memory=True, is_alias=True)


def guarantee_const(input, name=None):  # noqa: A002
    """`input`, promised constant during the session (TF: no gradient)."""
    return one(create_op("GuaranteeConst", [convert_to_tensor(input)],
                          name=name or "GuaranteeConst"))


# --- composites: boolean_mask, repeat, meshgrid ---------------------------------------------------
def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """The entries (slices) of `tensor` where bool `mask` is true: mask's dimensions match
    tensor's from `axis` on and are flattened into one in the result."""
    with name_scope(name, "boolean_mask"):
        tensor = convert_to_tensor(tensor)
        mask = convert_to_tensor(mask)
        mask_ndims = mask.shape.ndims
        if mask_ndims == 0:
            raise ValueError("mask cannot be scalar.")
        if mask_ndims is None:
            raise ValueError("Number of mask dimensions must be specified, even if some "
                             "dimensions are None.  E.g. shape=[None] is ok, but shape=None is "
                             "not.")
        axis = 0 if axis is None else int(axis)
        known = tensor.shape
        if known.ndims is not None:
            part = known[axis:axis + mask_ndims]
            if not part.is_compatible_with(mask.shape):
                raise ValueError(f"Shapes {part} and {mask.shape} are incompatible")
        dims = shape(tensor)
        leading = math_ops.reduce_prod(getitem(dims, slice(axis, axis + mask_ndims)), [0])
        flat = reshape(tensor, concat([getitem(dims, slice(None, axis)), leading[None],
                                       getitem(dims, slice(axis + mask_ndims, None))], 0))
        if known.ndims is not None:
            flat.set_shape(known[:axis].concatenate(
                [known[axis:axis + mask_ndims].num_elements()]).concatenate(
                known[axis + mask_ndims:]))
        indices = squeeze(where(reshape(mask, [-1])), axis=[1])
        return gather(flat, indices, axis=axis)


def repeat(input, repeats, axis=None, name=None):  # noqa: A002
    """`input` with each entry (slice along `axis`) repeated `repeats` times; `repeats` is a
    scalar or one count per slice; axis None flattens `input` first.

    >>> tf.repeat([[1, 2], [3, 4]], [1, 2], axis=0)  # [[1, 2], [3, 4], [3, 4]]
    """
    with name_scope(name, "Repeat"):
        x = convert_to_tensor(input)
        repeats = cast(convert_to_tensor(repeats), dtypes.int32)
        if axis is None:
            x = reshape(x, [-1])
            axis = 0
        ndims = x.shape.ndims
        if ndims is None:
            raise ValueError("repeat needs an input of known rank")
        axis = int(axis)
        if not -ndims <= axis < ndims:
            raise ValueError(f"axis {axis} is out of range for input of rank {ndims}")
        axis %= ndims
        if repeats.shape.ndims is None or repeats.shape.ndims > 1:
            raise ValueError(f"repeats must be a scalar or a vector, got shape {repeats.shape}")
        dims = shape(x)
        if repeats.shape.num_elements() == 1:
            times = reshape(repeats, [])
            expanded = expand_dims(x, axis + 1)
            multiples = [1] * (ndims + 1)
            multiples[axis + 1] = times
            tiled = tile(expanded, multiples)
            new_size = math_ops.multiply(getitem(dims, axis), times)
            return reshape(tiled, concat([getitem(dims, slice(None, axis)), new_size[None],
                                          getitem(dims, slice(axis + 1, None))], 0))
        count = getitem(dims, axis)
        per_slice = broadcast_to(repeats, count[None])
        longest = math_ops.maximum(0, math_ops.reduce_max(per_slice))
        steps = range_(longest)
        keep = math_ops.less(steps[None, :], per_slice[:, None])
        sources = tile(range_(count)[:, None], [1, longest])
        picked = boolean_mask(sources, keep)
        return gather(x, picked, axis=axis)


def meshgrid(*args, **kwargs):
    """N-D coordinate arrays from N 1-D arrays; indexing 'xy' (default: the first two
    dimensions swapped, as matplotlib) or 'ij'."""
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        raise TypeError(f"Invalid keyword argument {next(iter(kwargs))!r}")
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing parameter must be either 'xy' or 'ij'")
    with name_scope(name, "meshgrid"):
        ndim = len(args)
        start = (1,) * ndim
        outputs_ = []
        for i, value in enumerate(args):
            outputs_.append(reshape(convert_to_tensor(value), start[:i] + (-1,) + start[i + 1:]))
        sizes = [size(convert_to_tensor(t)) for t in args]
        dtype = outputs_[0].dtype if outputs_ else dtypes.float32
        if indexing == "xy" and ndim > 1:
            outputs_[0] = reshape(outputs_[0], (1, -1) + (1,) * (ndim - 2))
            outputs_[1] = reshape(outputs_[1], (-1, 1) + (1,) * (ndim - 2))
            sizes[0], sizes[1] = sizes[1], sizes[0]
        factor = ones(sizes, dtype)
        return [math_ops.multiply(t, factor) for t in outputs_]

