"""Array ops: placeholders, shapes, reshaping, slicing, joining, gathering, casting."""
import numbers

import numpy as np

from tensorweave.framework import dtypes
from tensorweave.framework.graph import (Tensor, constant, constant_value, convert_to_tensor,
                                         create_op, get_default_graph, partial_shape_from_tensor)
from tensorweave.framework.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.framework.tensor_shape import TensorShape, as_shape, unknown_shape

newaxis = None


def _one(op):
    return op.outputs[0]


def _same_as_input(x, **_):
    return [(x.dtype, x.shape)]


def _passthrough_grad(op, dy):
    return [dy]


def _outputs(parts):
    """A kernel's result for a variable number of outputs: a tuple, or the array if just one."""
    parts = tuple(parts)
    return parts if len(parts) != 1 else parts[0]


def shape_tensor(x):
    """A constant for x's shape when fully known while building, else a Shape op."""
    if x.shape.is_fully_defined():
        return constant(np.array(x.shape.as_list(), dtype=np.int32), name="Shape")
    return shape(x)


def shape_argument(value):
    """A shape argument (multiples, paddings, bounds, axes, a permutation, a depth) as a NumPy
    array when it is known while building, else as an int tensor: ops take the first as an
    attr and the second as the input of their tensor-input form (ops/tf_graph_ops.py). Lists
    that hold tensors are stacked, so their known entries still inform static shapes.

    >>> shape_argument([2, 3])                              # array([2, 3])
    >>> shape_argument([2, tf.placeholder(tf.int32, [])])   # a Pack tensor, entries [2, None]
    """
    tensor = _stacked(value) if _holds_tensor(value) else value
    if not isinstance(tensor, Tensor):
        return np.asarray(value)
    known = constant_value(tensor)
    return tensor if known is None else np.asarray(known)


def _holds_tensor(value):
    return isinstance(value, Tensor) or (isinstance(value, (list, tuple))
                                         and any(_holds_tensor(v) for v in value))


def _stacked(value):
    """Nested lists holding tensors as one int32 tensor (int scalars of other types are cast)."""
    if isinstance(value, Tensor):
        return value
    parts = [_stacked(v) if _holds_tensor(v) else v for v in value]
    return stack([cast(p, dtypes.int32) if isinstance(p, Tensor) else p for p in parts])


# --- placeholders ----------------------------------------------------------------------------
def _placeholder_shape(*, dtype, shape):
    return [(dtype, shape)]


def _placeholder_kernel(*, dtype, shape):
    raise AssertionError("Placeholder kernels never run: the Plan requires a feed.")


register_op("Placeholder", shape=_placeholder_shape, kernel=_placeholder_kernel,
            grad=NOT_DIFFERENTIABLE, must_feed=True)


def placeholder(dtype, shape=None, name=None):
    """A tensor whose value must be fed to Session.run (TF's tf.placeholder)."""
    shape = unknown_shape() if shape is None else as_shape(shape)
    return _one(create_op("Placeholder", [], name=name or "Placeholder",
                          dtype=dtypes.as_dtype(dtype), shape=shape))


def _placeholder_with_default_shape(x, *, shape):
    if not shape.is_compatible_with(x.shape):
        raise ValueError(f"PlaceholderWithDefault requires a default compatible with shape "
                         f"{shape}, got {x.shape}")
    return [(x.dtype, shape)]


def _identity_kernel(x, **_):
    return x


register_op("PlaceholderWithDefault", shape=_placeholder_with_default_shape,
            kernel=_identity_kernel, grad=_passthrough_grad, shares_memory=True, is_alias=True)


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF's argument name
    """`input` unless a value is fed (TF's tf.placeholder_with_default)."""
    x = convert_to_tensor(input)
    return _one(create_op("PlaceholderWithDefault", [x], name=name or "PlaceholderWithDefault",
                          shape=as_shape(shape)))


# --- identity --------------------------------------------------------------------------------
def _converted_input_value(op):
    """The op's input value known while building, in the output's dtype (Identity, Cast)."""
    inner = constant_value(op.inputs[0])
    return None if inner is None else np.asarray(inner, dtype=op.outputs[0].dtype.as_numpy_dtype)


register_op("Identity", shape=_same_as_input, kernel=_identity_kernel, grad=_passthrough_grad,
            shares_memory=True, is_alias=True, value=_converted_input_value)
register_op("StopGradient", shape=_same_as_input, kernel=_identity_kernel,
            grad=NOT_DIFFERENTIABLE, shares_memory=True, is_alias=True)


def identity(input, name=None):  # noqa: A002
    """The same value as `input`, as a new tensor."""
    return _one(create_op("Identity", [convert_to_tensor(input)], name=name or "Identity"))


def stop_gradient(input, name=None):  # noqa: A002
    """`input`, but gradients do not flow back through it."""
    return _one(create_op("StopGradient", [convert_to_tensor(input)],
                          name=name or "StopGradient"))


def _no_op_shape():
    return []


def _no_op_kernel():
    return ()


register_op("NoOp", shape=_no_op_shape, kernel=_no_op_kernel, grad=NOT_DIFFERENTIABLE)


def no_op(name=None):
    """An op that does nothing; useful as a control-dependency anchor."""
    return create_op("NoOp", [], name=name or "NoOp")


def group(*inputs, name=None):
    """An op that runs after all `inputs` (TF's tf.group)."""
    ops = []
    for x in inputs:
        for item in (x if isinstance(x, (list, tuple)) else [x]):
            if item is not None:
                ops.append(item.op if not hasattr(item, "type") else item)
    graph = ops[0].graph if ops else get_default_graph()
    with graph.as_default(), graph.control_dependencies(ops):
        return no_op(name=name or "group_deps")


def tuple_(tensors, name=None, control_inputs=None):
    """The tensors, each available only after all of them are computed (TF's tf.tuple)."""
    gate = group(*[t for t in tensors if t is not None], *(control_inputs or []))
    with gate.graph.control_dependencies([gate]):
        return [None if t is None else identity(t) for t in tensors]


# --- filling ---------------------------------------------------------------------------------
def _fill_shape(dims, value):
    if value.shape.ndims not in (None, 0):
        raise ValueError(f"Fill requires a scalar value, got shape {value.shape}")
    return [(value.dtype, partial_shape_from_tensor(dims))]


def _fill_kernel(dims, value):
    return np.full(tuple(dims), value, dtype=value.dtype)


def _fill_grad(op, dy):
    return [None, _reduce_all(dy)]


def _fill_value(op):
    dims, value = (constant_value(t) for t in op.inputs)
    return None if dims is None or value is None else _fill_kernel(dims, value)


register_op("Fill", shape=_fill_shape, kernel=_fill_kernel, grad=_fill_grad, value=_fill_value)


def _reduce_all(x):
    return _one(create_op("Sum", [x], axis=None, keepdims=False))


def fill(dims, value, name=None):
    """A tensor of shape `dims` filled with scalar `value`."""
    value = convert_to_tensor(value)
    dims = convert_to_tensor(dims, dtype=dtypes.int32) if not isinstance(dims, Tensor) else dims
    return _one(create_op("Fill", [dims, value], name=name or "Fill"))


# From this many elements up zeros and ones are Fill ops, as in TF, so GraphDefs stay small.
_FILL_FROM_ELEMENTS = 1000


def _filled(shape, dtype, number, name):
    dtype = dtypes.as_dtype(dtype)
    if isinstance(shape, Tensor) or (isinstance(shape, (list, tuple))
                                     and any(isinstance(d, Tensor) for d in shape)):
        return fill(stack(shape) if isinstance(shape, (list, tuple)) else shape,
                    constant(number, dtype=dtype), name=name)
    shape = as_shape(shape).as_list() if isinstance(shape, TensorShape) else shape
    dims = [int(d) for d in (shape if isinstance(shape, (list, tuple, np.ndarray)) else [shape])]
    if int(np.prod(dims)) < _FILL_FROM_ELEMENTS:
        return constant(number, dtype=dtype, shape=dims, name=name)
    with get_default_graph().name_scope(name) as scope:  # TF's form: Fill(shape, value)
        return fill(constant(np.array(dims, np.int32), name="shape_as_tensor"),
                    constant(number, dtype=dtype), name=scope)


def zeros(shape, dtype=dtypes.float32, name=None):
    """A tensor of zeros."""
    return _filled(shape, dtype, 0, name or "zeros")


def ones(shape, dtype=dtypes.float32, name=None):
    """A tensor of ones."""
    return _filled(shape, dtype, 1, name or "ones")


def _like_kernel(number):
    def kernel(x):
        return np.full(x.shape, number, dtype=x.dtype)
    return kernel


def _zero_grad(op, dy):
    return [None]


register_op("ZerosLike", shape=_same_as_input, kernel=_like_kernel(0), grad=_zero_grad,
            shape_only_inputs=[0])
register_op("OnesLike", shape=_same_as_input, kernel=_like_kernel(1), grad=_zero_grad,
            shape_only_inputs=[0])


def _like(op_type, tensor, dtype, name):
    tensor = convert_to_tensor(tensor)
    if dtype is not None and dtypes.as_dtype(dtype) is not tensor.dtype:
        tensor = cast(tensor, dtype)
    if tensor.shape.is_fully_defined():
        return _filled(tensor.shape.as_list(), tensor.dtype, 0 if op_type == "ZerosLike" else 1,
                       name)
    return _one(create_op(op_type, [tensor], name=name))


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """Zeros with the shape (and dtype) of `tensor`."""
    return _like("ZerosLike", tensor, dtype, name or "zeros_like")


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """Ones with the shape (and dtype) of `tensor`."""
    return _like("OnesLike", tensor, dtype, name or "ones_like")


# --- cast ------------------------------------------------------------------------------------
def _cast_shape(x, *, DstT):
    return [(DstT, x.shape)]


def _cast_kernel(x, *, DstT):
    return x.astype(DstT)


def _cast_grad(op, dy):
    src = op.inputs[0].dtype
    if not (src.is_floating or src.is_complex) or not (dy.dtype.is_floating or
                                                       dy.dtype.is_complex):
        return [None]
    return [cast(dy, src)]


register_op("Cast", shape=_cast_shape, kernel=_cast_kernel, grad=_cast_grad,
            value=_converted_input_value)


def cast(x, dtype, name=None):
    """`x` converted to `dtype` (truncating floats toward zero for integer types)."""
    dtype = dtypes.as_dtype(dtype)
    x = convert_to_tensor(x)
    if x.dtype is dtype:
        return x
    return _one(create_op("Cast", [x], name=name or "Cast", DstT=dtype))


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble"):
    return cast(x, dtypes.float64, name=name)


def to_int32(x, name="ToInt32"):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    return cast(x, dtypes.int64, name=name)


def saturate_cast(value, dtype, name=None):
    return cast(value, dtype, name=name)


# --- shape, size, rank -----------------------------------------------------------------------
def _shape_shape(x, *, out_type):
    return [(out_type, TensorShape([x.shape.ndims]))]


def _shape_kernel(x, *, out_type):
    return np.array(x.shape, dtype=out_type)


def _scalar_int(x, *, out_type):
    return [(out_type, TensorShape([]))]


def _size_kernel(x, *, out_type):
    return np.array(x.size, dtype=out_type)


def _rank_kernel(x, *, out_type):
    return np.array(x.ndim, dtype=out_type)


def _shape_value(op):
    shape = op.inputs[0].shape
    if not shape.is_fully_defined():
        return None
    return np.array(shape.as_list(), dtype=op.outputs[0].dtype.as_numpy_dtype)


register_op("Shape", shape=_shape_shape, kernel=_shape_kernel, grad=NOT_DIFFERENTIABLE,
            shape_only_inputs=[0], value=_shape_value)
register_op("Size", shape=_scalar_int, kernel=_size_kernel, grad=NOT_DIFFERENTIABLE,
            shape_only_inputs=[0])
register_op("Rank", shape=_scalar_int, kernel=_rank_kernel, grad=NOT_DIFFERENTIABLE,
            shape_only_inputs=[0])


def shape(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """The dynamic shape of `input` as a 1-D int tensor."""
    return _one(create_op("Shape", [convert_to_tensor(input)], name=name or "Shape",
                          out_type=dtypes.as_dtype(out_type)))


def size(input, name=None, out_type=dtypes.int32):  # noqa: A002
    """The number of elements of `input`."""
    return _one(create_op("Size", [convert_to_tensor(input)], name=name or "Size",
                          out_type=dtypes.as_dtype(out_type)))


def rank(input, name=None):  # noqa: A002
    """The number of dimensions of `input`."""
    return _one(create_op("Rank", [convert_to_tensor(input)], name=name or "Rank",
                          out_type=dtypes.int32))


# --- reshape ---------------------------------------------------------------------------------
def _reshape_shape(x, new_shape):
    target = partial_shape_from_tensor(new_shape)
    if target.ndims is None:
        return [(x.dtype, target)]
    dims = list(target.as_tuple())
    value = constant_value(new_shape)
    minus_one = [i for i, d in enumerate(np.asarray(value).reshape(-1))
                 if d == -1] if value is not None else []
    if len(minus_one) > 1:
        raise ValueError("Reshape requires at most one -1 in the new shape, got "
                         f"{list(np.asarray(value).reshape(-1))}")
    n = x.shape.num_elements()
    known = [d for i, d in enumerate(dims) if d is not None]
    if value is not None and n is not None:
        product = int(np.prod(known)) if known else 1
        if minus_one:
            if product == 0 or n % product:
                raise ValueError(f"Reshape requires the input's {n} elements to divide into "
                                 f"{list(np.asarray(value).reshape(-1))}")
            dims[minus_one[0]] = n // product
        elif product != n:
            raise ValueError(f"Reshape requires the same number of elements, got input with {n} "
                             f"elements and requested shape "
                             f"{list(np.asarray(value).reshape(-1))}")
    elif n is not None and dims.count(None) == 1:  # as TF: the one unknown entry is implied
        product = int(np.prod(known)) if known else 1
        if product and n % product == 0:
            dims[dims.index(None)] = n // product
    return [(x.dtype, TensorShape(dims))]


def _reshape_kernel(x, new_shape):
    return x.reshape(new_shape)


def _reshape_grad(op, dy):
    return [reshape(dy, shape_tensor(op.inputs[0])), None]


register_op("Reshape", shape=_reshape_shape, kernel=_reshape_kernel, grad=_reshape_grad,
            shares_memory=True)


def _as_shape_tensor(new_shape):
    if isinstance(new_shape, Tensor):
        return new_shape
    if isinstance(new_shape, (list, tuple)) and any(isinstance(d, Tensor) for d in new_shape):
        return stack([cast(d, dtypes.int32) if isinstance(d, Tensor) else d for d in new_shape])
    if isinstance(new_shape, TensorShape):
        new_shape = [-1 if d is None else d for d in new_shape.as_list()]
    return constant(np.asarray(new_shape, dtype=np.int32).reshape(-1), name="shape")


def reshape(tensor, shape, name=None):  # noqa: F811 - TF's argument name
    """`tensor` with a new shape; one dimension may be -1 (inferred)."""
    tensor = convert_to_tensor(tensor)
    with tensor.graph.as_default():
        return _one(create_op("Reshape", [tensor, _as_shape_tensor(shape)],
                              name=name or "Reshape"))


# --- transpose, expand_dims, squeeze ---------------------------------------------------------
def _transpose_shape(x, *, perm):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape(len(perm)) if perm is not None else unknown_shape())]
    order = perm if perm is not None else tuple(reversed(range(x.shape.ndims)))
    if sorted(order) != list(range(x.shape.ndims)):
        raise ValueError(f"Transpose requires a permutation of 0..{x.shape.ndims - 1}, "
                         f"got {list(order)}")
    dims = x.shape.as_tuple()
    return [(x.dtype, TensorShape([dims[i] for i in order]))]


def _transpose_kernel(x, *, perm):
    return np.transpose(x, perm)


def _transpose_grad(op, dy):
    perm = op.attrs["perm"]
    if perm is None:
        return [transpose(dy)]
    return [transpose(dy, tuple(int(i) for i in np.argsort(perm)))]


register_op("Transpose", shape=_transpose_shape, kernel=_transpose_kernel,
            grad=_transpose_grad, shares_memory=True)


def transpose(a, perm=None, name="transpose", conjugate=False):
    """`a` with its dimensions permuted (reversed when perm is None)."""
    a = convert_to_tensor(a)
    if perm is not None:
        perm = shape_argument(perm)
        if isinstance(perm, Tensor):
            return _one(create_op("DynamicTranspose", [a, perm], name=name))
        perm = tuple(int(i) for i in perm.reshape(-1))
    return _one(create_op("Transpose", [a], name=name, perm=perm))


def _normalize_axis(axis, ndims, op_type):
    if ndims is None:
        return axis
    if not -ndims <= axis < ndims:
        raise ValueError(f"{op_type} requires axis in [{-ndims}, {ndims}), got {axis}")
    return axis % ndims


def _expand_dims_shape(x, *, axis):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape())]
    n = x.shape.ndims + 1
    axis = _normalize_axis(axis, n, "ExpandDims")
    dims = list(x.shape.as_tuple())
    dims.insert(axis, 1)
    return [(x.dtype, TensorShape(dims))]


def _expand_dims_kernel(x, *, axis):
    axis %= x.ndim + 1
    return x.reshape(x.shape[:axis] + (1,) + x.shape[axis:])


def _reshape_back_grad(op, dy):
    return [reshape(dy, shape_tensor(op.inputs[0]))]


register_op("ExpandDims", shape=_expand_dims_shape, kernel=_expand_dims_kernel,
            grad=_reshape_back_grad, shares_memory=True)


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    """`input` with a size-1 dimension inserted at `axis`."""
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    x = convert_to_tensor(input)
    axis = shape_argument(axis)
    if isinstance(axis, Tensor):
        return _one(create_op("DynamicExpandDims", [x, axis], name=name or "ExpandDims"))
    return _one(create_op("ExpandDims", [x], name=name or "ExpandDims", axis=int(axis)))


def _squeeze_shape(x, *, axis):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape())]
    dims = x.shape.as_tuple()
    if axis:
        axes = {_normalize_axis(a, len(dims), "Squeeze") for a in axis}
        for a in axes:
            if dims[a] not in (1, None):
                raise ValueError(f"Squeeze requires dimension {a} to be 1, got {dims[a]}")
        return [(x.dtype, TensorShape([d for i, d in enumerate(dims) if i not in axes]))]
    if any(d is None for d in dims):
        return [(x.dtype, unknown_shape())]
    return [(x.dtype, TensorShape([d for d in dims if d != 1]))]


def _squeeze_kernel(x, *, axis):
    return np.squeeze(x, axis=axis if axis else None)


register_op("Squeeze", shape=_squeeze_shape, kernel=_squeeze_kernel, grad=_reshape_back_grad,
            shares_memory=True)


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """`input` without its size-1 dimensions (or only those in `axis`)."""
    axis = squeeze_dims if axis is None else axis
    if isinstance(axis, Tensor):
        known = constant_value(axis)
        if known is None:  # an attr in TF as well
            raise TypeError(f"Expected list for 'axis' argument to 'squeeze' Op, not {axis}.")
        axis = np.reshape(known, -1).tolist()
    if isinstance(axis, numbers.Integral):
        axis = [axis]
    return _one(create_op("Squeeze", [convert_to_tensor(input)], name=name or "Squeeze",
                          axis=tuple(int(a) for a in axis) if axis else ()))


# --- broadcasting and its reverse --------------------------------------------------------------
def broadcast_shapes(a, b):
    """The static broadcast of TensorShapes a and b; ValueError when incompatible."""
    if a.ndims is None or b.ndims is None:
        return unknown_shape()
    da, db = a.as_tuple(), b.as_tuple()
    n = max(len(da), len(db))
    da = (1,) * (n - len(da)) + da
    db = (1,) * (n - len(db)) + db
    out = []
    for x, y in zip(da, db):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        elif x == y:
            out.append(x)
        else:
            raise ValueError(f"Dimensions must be equal, but are {x} and {y}")
    return TensorShape(out)


def _broadcast_to_shape(x, new_shape):
    target = partial_shape_from_tensor(new_shape)
    merged = broadcast_shapes(x.shape, target)
    if target.ndims is None or merged.ndims != target.ndims:
        return [(x.dtype, target)]
    # as TF: an entry not known while building is the input's where that is not 1
    return [(x.dtype, TensorShape([m if t is None else t for t, m in zip(target.as_tuple(),
                                                                          merged.as_tuple())]))]


def _broadcast_to_kernel(x, new_shape):
    return np.broadcast_to(x, tuple(new_shape))


def _broadcast_to_grad(op, dy):
    return [sum_to_shape(dy, op.inputs[0]), None]


register_op("BroadcastTo", shape=_broadcast_to_shape, kernel=_broadcast_to_kernel,
            grad=_broadcast_to_grad, shares_memory=True)


def broadcast_to(input, shape, name=None):  # noqa: A002, F811
    """`input` broadcast to `shape`."""
    input = convert_to_tensor(input)
    return _one(create_op("BroadcastTo", [input, _as_shape_tensor(shape)],
                          name=name or "BroadcastTo"))


def _sum_to_shape_shape(x, target):
    return [(x.dtype, partial_shape_from_tensor(target))]


def _sum_to_shape_kernel(x, target):
    target = tuple(target)
    if x.shape == target:
        return x
    lead = x.ndim - len(target)
    axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(target)
                                      if d == 1 and x.shape[lead + i] != 1)
    return x.sum(axis=axes, keepdims=True).reshape(target) if axes else x.reshape(target)


def _sum_to_shape_grad(op, dy):
    return [broadcast_to(dy, shape_tensor(op.inputs[0])), None]


register_op("SumToShape", shape=_sum_to_shape_shape, kernel=_sum_to_shape_kernel,
            grad=_sum_to_shape_grad, shares_memory=True)


def sum_to_shape(grad, like):
    """Sums `grad` over the axes along which `like` was broadcast (the gradient's reverse).

    When the shapes tell the axes while building, this is a plain Sum; else a SumToShape op
    finds them at run time.
    """
    axes = _static_broadcast_axes(grad.shape, like.shape)
    if axes is None:
        return _one(create_op("SumToShape", [grad, shape_tensor(like)], name="SumToShape"))
    if not axes:
        return grad
    keep = grad.shape.ndims == like.shape.ndims
    summed = _one(create_op("Sum", [grad], name="Sum", axis=axes, keepdims=keep))
    if keep or summed.shape.as_tuple() == like.shape.as_tuple():
        return summed
    return reshape(summed, like.shape.as_list())


def _static_broadcast_axes(grad_shape, like_shape):
    """The axes of grad_shape that broadcasting from like_shape added, or None if unknown."""
    g, x = grad_shape.as_tuple(), like_shape.as_tuple()
    if g is None or x is None or not like_shape.is_fully_defined():
        return None
    lead = len(g) - len(x)
    if lead < 0:
        return None
    axes = list(range(lead))
    for i, d in enumerate(x):
        if d == 1 and g[lead + i] != 1:
            if g[lead + i] is None:
                return None
            axes.append(lead + i)
    return tuple(axes)


# --- joining and splitting -------------------------------------------------------------------
def _concat_shape(*values, axis):
    dtype = values[0].dtype
    known = [v.shape for v in values if v.shape.ndims is not None]
    for v in values:
        if v.dtype is not dtype:
            raise TypeError(f"ConcatV2 requires inputs of one dtype, got {dtype.name} and "
                            f"{v.dtype.name}")
    if not known:
        return [(dtype, unknown_shape())]
    n = known[0].ndims
    a = _normalize_axis(axis, n, "ConcatV2")
    out = [None] * n
    total = 0
    for s in known:
        if s.ndims != n:
            raise ValueError(f"ConcatV2 requires inputs of equal rank, got {n} and {s.ndims}")
        for i, d in enumerate(s.as_tuple()):
            if i == a:
                continue
            if out[i] is not None and d is not None and out[i] != d:
                raise ValueError(f"ConcatV2 requires equal dimensions except along axis {a}, "
                                 f"got {out[i]} and {d} in dimension {i}")
            out[i] = out[i] if d is None else d
    for s in known:
        d = s.as_tuple()[a]
        total = None if (total is None or d is None) else total + d
    out[a] = total if len(known) == len(values) else None
    return [(dtype, TensorShape(out))]


def _concat_kernel(*values, axis):
    return np.concatenate(values, axis=axis)


def _concat_grad(op, dy):
    return list(create_op("ConcatGrad", [dy, *op.inputs], axis=op.attrs["axis"]).outputs)


register_op("ConcatV2", shape=_concat_shape, kernel=_concat_kernel, grad=_concat_grad)


def _concat_grad_shape(dy, *values, axis):
    return [(dy.dtype, v.shape) for v in values]


def _concat_grad_kernel(dy, *values, axis):
    return split_pieces(dy, [v.shape[axis] for v in values], axis, "ConcatGrad")


def _concat_grad_grad(op, *dys):
    pieces = [zeros_like(v) if d is None else d for d, v in zip(dys, op.inputs[1:])]
    return [concat(pieces, op.attrs["axis"])] + [None] * (len(op.inputs) - 1)


register_op("ConcatGrad", shape=_concat_grad_shape, kernel=_concat_grad_kernel,
            grad=_concat_grad_grad, shares_memory=True)


def concat(values, axis, name="concat"):
    """Joins `values` along `axis`."""
    values = [convert_to_tensor(v) for v in values]
    if len(values) == 1:
        return identity(values[0], name=name)
    axis = shape_argument(axis)
    if isinstance(axis, Tensor):  # TF's ConcatV2 form: the axis an input
        return _one(create_op("DynamicConcatV2", values + [axis], name=name))
    return _one(create_op("ConcatV2", values, name=name, axis=int(axis)))


def _pack_shape(*values, axis):
    merged = values[0].shape
    for v in values[1:]:
        if v.dtype is not values[0].dtype:
            raise TypeError(f"Pack requires inputs of one dtype, got {values[0].dtype.name} and "
                            f"{v.dtype.name}")
        if not merged.is_compatible_with(v.shape):
            raise ValueError(f"Pack requires shapes of all inputs to match: {merged} != {v.shape}")
        merged = merged.merge_with(v.shape)
    if merged.ndims is None:
        return [(values[0].dtype, unknown_shape())]
    dims = list(merged.as_tuple())
    dims.insert(_normalize_axis(axis, len(dims) + 1, "Pack"), len(values))
    return [(values[0].dtype, TensorShape(dims))]


def _pack_kernel(*values, axis):
    return np.stack(values, axis=axis)


def _pack_grad(op, dy):
    return unstack(dy, num=len(op.inputs), axis=op.attrs["axis"])


def _pack_value(op):
    parts = [constant_value(t) for t in op.inputs]
    return None if any(p is None for p in parts) else np.stack(parts, axis=op.attrs["axis"])


register_op("Pack", shape=_pack_shape, kernel=_pack_kernel, grad=_pack_grad, value=_pack_value)


def stack(values, axis=0, name="stack"):
    """Stacks rank-R tensors into one rank-(R+1) tensor along a new `axis`."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    tensors = [v for v in values if isinstance(v, Tensor)]
    graph = tensors[0].graph if tensors else get_default_graph()
    with graph.as_default():
        dtype = tensors[0].dtype if tensors else None
        values = [convert_to_tensor(v, dtype=dtype) for v in values]
        return _one(create_op("Pack", values, name=name, axis=int(axis)))


def _unpack_shape(x, *, num, axis):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape())] * num
    dims = list(x.shape.as_tuple())
    a = _normalize_axis(axis, len(dims), "Unpack")
    if dims[a] is not None and dims[a] != num:
        raise ValueError(f"Unpack requires num to match dimension {a}, got num={num} and "
                         f"shape {x.shape}")
    del dims[a]
    return [(x.dtype, TensorShape(dims))] * num


def _unpack_kernel(x, *, num, axis):
    return _outputs(np.moveaxis(x, axis, 0))


def _unpack_grad(op, *dys):
    pieces = [zeros_like(t) if d is None else d for d, t in zip(dys, op.outputs)]
    return [stack(pieces, axis=op.attrs["axis"])]


register_op("Unpack", shape=_unpack_shape, kernel=_unpack_kernel, grad=_unpack_grad,
            shares_memory=True)


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits `value` along `axis` into a list of tensors of one rank less."""
    value = convert_to_tensor(value)
    if num is None:
        if value.shape.ndims is None or value.shape[axis].value is None:
            raise ValueError(f"Cannot infer num from shape {value.shape}")
        num = value.shape[axis].value
    return list(create_op("Unpack", [value], name=name, num=int(num), axis=int(axis)).outputs)


def _split_shape(x, *, sizes, axis):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape())] * len(sizes)
    dims = list(x.shape.as_tuple())
    a = _normalize_axis(axis, len(dims), "Split")
    if dims[a] is not None and sum(sizes) != dims[a]:
        raise ValueError(f"Split requires sizes summing to dimension {a} ({dims[a]}), "
                         f"got {list(sizes)}")
    out = []
    for s in sizes:
        piece = list(dims)
        piece[a] = s
        out.append((x.dtype, TensorShape(piece)))
    return out


def _split_kernel(x, *, sizes, axis):
    return split_pieces(x, sizes, axis, "Split")


def split_pieces(x, sizes, axis, op_type):
    """Views of `x` cut along `axis` into consecutive parts of `sizes` (which must cover it)."""
    if sum(sizes) != x.shape[axis]:
        raise ValueError(f"{op_type} requires sizes summing to dimension {axis} "
                         f"({x.shape[axis]}), got {list(sizes)}")
    index = [slice(None)] * x.ndim
    parts, start = [], 0
    for size in sizes:
        index[axis] = slice(start, start + size)
        parts.append(x[tuple(index)])
        start += size
    return _outputs(parts)


def _split_grad(op, *dys):
    pieces = [zeros_like(t) if d is None else d for d, t in zip(dys, op.outputs)]
    return [concat(pieces, op.attrs["axis"])]


register_op("Split", shape=_split_shape, kernel=_split_kernel, grad=_split_grad,
            shares_memory=True)


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits `value` along `axis` into equal parts or parts of the given sizes."""
    value = convert_to_tensor(value)
    axis = shape_argument(axis)
    if not isinstance(num_or_size_splits, numbers.Integral):
        num_or_size_splits = shape_argument(num_or_size_splits)
        if not isinstance(num_or_size_splits, Tensor) and num_or_size_splits.ndim == 0:
            num_or_size_splits = int(num_or_size_splits)
    if isinstance(axis, Tensor) or isinstance(num_or_size_splits, Tensor):
        return _split_run_time(value, num_or_size_splits, axis, num, name)
    axis = int(axis)
    dim = value.shape[axis].value if value.shape.ndims is not None else None
    if isinstance(num_or_size_splits, numbers.Integral):
        if dim is None:  # as TF: pieces of unknown size
            return _split_run_time(value, num_or_size_splits, axis, num, name)
        if dim % num_or_size_splits:
            raise ValueError(f"Split requires dimension {axis} ({dim}) to be divisible by "
                             f"num_split ({num_or_size_splits})")
        sizes = (dim // num_or_size_splits,) * int(num_or_size_splits)
    else:
        sizes = [int(s) for s in num_or_size_splits]
        if -1 in sizes:
            i = sizes.index(-1)
            sizes[i] = dim - (sum(sizes) + 1)
        sizes = tuple(sizes)
    return list(create_op("Split", [value], name=name, sizes=sizes, axis=int(axis)).outputs)


def _split_run_time(value, num_or_size_splits, axis, num, name):
    """TF's Split (a count) or SplitV (sizes) with the axis and sizes as inputs."""
    axis = cast(axis, dtypes.int32) if isinstance(axis, Tensor) else constant(np.int32(axis))
    if isinstance(num_or_size_splits, numbers.Integral):
        return list(create_op("DynamicSplit", [axis, value], name=name,
                              num_split=int(num_or_size_splits)).outputs)
    sizes = num_or_size_splits
    if not isinstance(sizes, Tensor):
        sizes = constant(sizes.astype(np.int32).reshape(-1))
    if sizes.shape.ndims == 0:
        raise ValueError("Rank-0 tensors are not supported as the num_or_size_splits argument "
                         "to split. Argument provided: " + str(sizes))
    if num is None:
        num = sizes.shape[0].value if sizes.shape.ndims == 1 else None
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {sizes.shape}")
    return list(create_op("DynamicSplitV", [value, sizes, axis], name=name,
                          num_split=int(num)).outputs)


# --- slicing ---------------------------------------------------------------------------------
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
    return [_one(create_op("StridedSliceGrad", [shape_tensor(x), dy], spec=op.attrs["spec"]))]


register_op("StridedSlice", shape=_strided_slice_shape, kernel=_strided_slice_kernel,
            grad=_strided_slice_grad, shares_memory=True)


def _strided_slice_grad_shape(x_shape, dy, *, spec):
    return [(dy.dtype, partial_shape_from_tensor(x_shape))]


def _strided_slice_grad_kernel(x_shape, dy, *, spec):
    out = np.zeros(tuple(x_shape), dtype=dy.dtype)
    out[spec] = dy
    return out


def _strided_slice_grad_grad(op, ddx):
    return [None, _one(create_op("StridedSlice", [ddx], spec=op.attrs["spec"]))]


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
    return _one(create_op("StridedSlice", [tensor], name="strided_slice",
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
    return _one(create_op("DynamicStridedSlice", [tensor] + [_stacked(p) for p in
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
        return _one(create_op("Slice", [x, begin, size], name=name or "Slice"))
    spec = tuple(slice(int(b), None if s == -1 else int(b + s)) for b, s in zip(begin, size))
    return _one(create_op("StridedSlice", [x], name=name or "Slice", spec=spec))


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
        return _one(create_op("DynamicStridedSlice", [x] + parts,
                              name=name or "StridedSlice", **masks))
    key = strided_slice_key(None, *parts, **masks)
    return _one(create_op("StridedSlice", [x], name=name or "StridedSlice",
                          spec=_canonical_spec(key)))


# --- gathering -------------------------------------------------------------------------------
def _gather_shape(params, indices, *, axis):
    if params.shape.ndims is None or indices.shape.ndims is None:
        return [(params.dtype, unknown_shape())]
    if not indices.dtype.is_integer:
        raise TypeError(f"GatherV2 requires integer indices, got {indices.dtype.name}")
    dims = params.shape.as_tuple()
    a = _normalize_axis(axis, len(dims), "GatherV2")
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
    return [_one(create_op("UnsortedSegmentSum", [dy, indices, shape_tensor(params)])), None]


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
        return _one(create_op("DynamicGatherV2", [params, indices, axis],
                              name=name or "GatherV2"))
    return _one(create_op("GatherV2", [params, indices], name=name or "GatherV2",
                          axis=int(axis)))


def _segment_sum_shape(data, segment_ids, out_shape):
    return [(data.dtype, partial_shape_from_tensor(out_shape))]


def _segment_sum_kernel(data, segment_ids, out_shape):
    out = np.zeros(tuple(out_shape), dtype=data.dtype)
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
    """Sums slices of `data` into `num_segments` rows chosen by `segment_ids`."""
    data = convert_to_tensor(data)
    segment_ids = convert_to_tensor(segment_ids)
    rows = shape_argument(num_segments)
    rows = reshape(rows, []) if isinstance(rows, Tensor) else int(rows)
    lead = segment_ids.shape.ndims
    if lead is None:
        raise ValueError(f"unsorted_segment_sum needs segment_ids of known rank, got "
                         f"{segment_ids.shape}")
    if data.shape[lead:].is_fully_defined():
        out_shape = shape_argument([rows] + data.shape.as_list()[lead:])
        out_shape = out_shape if isinstance(out_shape, Tensor) else constant(
            out_shape.astype(np.int32))
    else:
        out_shape = concat([_stacked([rows]) if isinstance(rows, Tensor) else
                            constant(np.array([rows], np.int32)), shape(data)[lead:]], 0)
    return _one(create_op("UnsortedSegmentSum", [data, segment_ids, out_shape],
                          name=name or "UnsortedSegmentSum"))


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


register_op("OneHot", shape=_one_hot_shape, kernel=_one_hot_kernel, grad=NOT_DIFFERENTIABLE)


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
    return _one(create_op("OneHot", [indices, on, off], name=name or "one_hot",
                          depth=int(depth), axis=axis))


def _one_hot_run_time(indices, depth, on, off, axis, name):
    """One-hot vectors whose length `depth` is computed at run time: indices compared with
    range(depth), then on or off."""
    positions = range_(0, reshape(depth, []), dtype=indices.dtype)
    hot = _one(create_op("Equal", [expand_dims(indices, -1), positions]))
    if axis != -1:
        rank_ = indices.shape.ndims
        if rank_ is None:
            raise ValueError(f"one_hot with a depth computed at run time and axis {axis} needs "
                             f"indices of known rank, got {indices.shape}")
        order = list(range(rank_))
        order.insert(_normalize_axis(axis, rank_ + 1, "OneHot"), rank_)
        hot = transpose(hot, order)
    return select(hot, on, off, name=name)


# --- tile and pad ----------------------------------------------------------------------------
def _tile_shape(x, *, multiples):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape(len(multiples)))]
    if len(multiples) != x.shape.ndims:
        raise ValueError(f"Tile requires one multiple per dimension ({x.shape.ndims}), got "
                         f"{list(multiples)}")
    return [(x.dtype, TensorShape([None if d is None else d * m
                                   for d, m in zip(x.shape.as_tuple(), multiples)]))]


def _tile_kernel(x, *, multiples):
    return np.tile(x, multiples)


def _tile_grad(op, dy):
    return [_one(create_op("TileGrad", [dy], multiples=op.attrs["multiples"]))]


register_op("Tile", shape=_tile_shape, kernel=_tile_kernel, grad=_tile_grad)


def _tile_grad_shape(dy, *, multiples):
    if dy.shape.ndims is None:
        return [(dy.dtype, unknown_shape(len(multiples)))]
    return [(dy.dtype, TensorShape([None if d is None else d // m
                                    for d, m in zip(dy.shape.as_tuple(), multiples)]))]


def _tile_grad_kernel(dy, *, multiples):
    split = []
    for d, m in zip(dy.shape, multiples):
        split.extend([m, d // m])
    return dy.reshape(split).sum(axis=tuple(range(0, len(split), 2)))


def _tile_grad_grad(op, ddx):
    return [tile(ddx, op.attrs["multiples"])]


register_op("TileGrad", shape=_tile_grad_shape, kernel=_tile_grad_kernel, grad=_tile_grad_grad)


def tile(input, multiples, name=None):  # noqa: A002
    """`input` repeated `multiples[i]` times along dimension i."""
    x = convert_to_tensor(input)
    multiples = shape_argument(multiples)
    if isinstance(multiples, Tensor):
        return _one(create_op("DynamicTile", [x, multiples], name=name or "Tile"))
    return _one(create_op("Tile", [x], name=name or "Tile",
                          multiples=tuple(int(m) for m in multiples.reshape(-1))))


def _pad_shape(x, *, paddings, mode, constant_values):
    if x.shape.ndims is None:
        return [(x.dtype, unknown_shape(len(paddings)))]
    if len(paddings) != x.shape.ndims:
        raise ValueError(f"Pad requires one (before, after) pair per dimension "
                         f"({x.shape.ndims}), got {len(paddings)}")
    return [(x.dtype, TensorShape([None if d is None else d + b + a
                                   for d, (b, a) in zip(x.shape.as_tuple(), paddings)]))]


def pad_kernel(x, *, paddings, mode, constant_values):
    """Pad's NumPy kernel (also DynamicPad's, in ops/tf_graph_ops.py)."""
    if mode == "CONSTANT":
        return np.pad(x, paddings, mode="constant", constant_values=constant_values)
    return np.pad(x, paddings, mode="reflect" if mode == "REFLECT" else "symmetric")


def _pad_grad(op, dy):
    if op.attrs["mode"] != "CONSTANT":
        return [_one(create_op("MirrorPadGrad", [dy], paddings=op.attrs["paddings"],
                               mode=op.attrs["mode"]))]
    spec = tuple(slice(b, -a if a else None) for b, a in op.attrs["paddings"])
    return [_one(create_op("StridedSlice", [dy], spec=spec))]


register_op("Pad", shape=_pad_shape, kernel=pad_kernel, grad=_pad_grad)


def _mirror_pad_grad_shape(dy, *, paddings, mode):
    if dy.shape.ndims is None:
        return [(dy.dtype, unknown_shape(len(paddings)))]
    return [(dy.dtype, TensorShape([None if d is None else d - b - a
                                    for d, (b, a) in zip(dy.shape.as_tuple(), paddings)]))]


def mirror_pad_grad_kernel(dy, *, paddings, mode):
    """Folds the mirrored borders of `dy` back onto the positions they were copied from
    (MirrorPadGrad's and DynamicMirrorPadGrad's kernel)."""
    shift = 1 if mode == "REFLECT" else 0
    out = dy
    for axis, (before, after) in enumerate(paddings):
        g = np.moveaxis(out, axis, 0)
        n = g.shape[0] - before - after
        core = g[before:before + n].copy()
        for k in range(before):  # padded position k mirrors source index before - k - 1 + shift
            core[before - 1 - k + shift] += g[k]
        for k in range(after):  # padded position n + before + k mirrors n - 1 - k - shift
            core[n - 1 - k - shift] += g[before + n + k]
        out = np.moveaxis(core, 0, axis)
    return out


def _mirror_pad_grad_grad(op, ddx):
    return [_one(create_op("Pad", [ddx], paddings=op.attrs["paddings"], mode=op.attrs["mode"],
                           constant_values=0))]


register_op("MirrorPadGrad", shape=_mirror_pad_grad_shape, kernel=mirror_pad_grad_kernel,
            grad=_mirror_pad_grad_grad)


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """`tensor` padded by `paddings[i] = (before, after)` in each dimension."""
    paddings = shape_argument(paddings)
    mode = mode.upper()
    if mode not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(f"Unknown padding mode: {mode}")
    if isinstance(paddings, Tensor):
        return _one(create_op("DynamicPad", [convert_to_tensor(tensor), paddings],
                              name=name or "Pad", mode=mode, constant_values=constant_values))
    return _one(create_op("Pad", [convert_to_tensor(tensor)], name=name or "Pad",
                          paddings=tuple((int(b), int(a)) for b, a in paddings), mode=mode,
                          constant_values=constant_values))


# --- where / select / range --------------------------------------------------------------------
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
    return _one(create_op("Select", [convert_to_tensor(condition), x, y], name=name or "Select"))


def where(condition, x=None, y=None, name=None):
    """Indices of true elements (one argument), or elementwise `condition ? x : y`."""
    condition = convert_to_tensor(condition)
    if x is None and y is None:
        return _one(create_op("Where", [condition], name=name or "Where"))
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    x = convert_to_tensor(x, dtype=y.dtype if isinstance(y, Tensor) else None)
    y = convert_to_tensor(y, dtype=x.dtype)
    return select(condition, x, y, name=name)


def _range_shape(start, limit, delta):
    values = [constant_value(t) for t in (start, limit, delta)]
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
    return _one(create_op("Range", tensors, name=name))


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
    return _one(create_op("ReverseSequence", [x, lengths], name=name or "ReverseSequence",
                          seq_dim=seq_axis, batch_dim=batch_axis))


def _deprecated_alias(value, old, new_name, old_name):
    if old is None:
        return value
    if value is not None and value != old:
        raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}'")
    return old
