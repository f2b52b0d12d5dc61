"""Quantization: fake quantization for quantization-aware training (FakeQuantWithMinMax*),
and QuantizeV2 / Dequantize / QuantizedConcat between float32 and TF's quantized dtypes.

Kernels compute in float32 the way TensorFlow's CPU kernels do, so the numbers agree bit for bit.
"""
import collections

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.errors import InvalidArgumentError, NotFoundError
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops._common import elementwise_rows, one

__all__ = ["fake_quant_with_min_max_args", "fake_quant_with_min_max_args_gradient",
           "fake_quant_with_min_max_vars", "fake_quant_with_min_max_vars_gradient",
           "fake_quant_with_min_max_vars_per_channel",
           "fake_quant_with_min_max_vars_per_channel_gradient",
           "quantize", "quantize_v2", "dequantize", "quantized_concat"]

_F32 = np.float32
FakeQuantWithMinMaxVarsGradient = collections.namedtuple(
    "FakeQuantWithMinMaxVarsGradient", ["backprops_wrt_input", "backprop_wrt_min",
                                        "backprop_wrt_max"])
FakeQuantWithMinMaxVarsPerChannelGradient = collections.namedtuple(
    "FakeQuantWithMinMaxVarsPerChannelGradient", ["backprops_wrt_input", "backprop_wrt_min",
                                                  "backprop_wrt_max"])
QuantizeV2 = collections.namedtuple("QuantizeV2", ["output", "output_min", "output_max"])
QuantizedConcat = collections.namedtuple("QuantizedConcat",
                                         ["output", "output_min", "output_max"])


# --- the arithmetic ---------------------------------------------------------------------------
def _round_half_away(x):
    """std::round: halves go away from zero (np.round goes to even)."""
    whole = np.trunc(x)
    return whole + np.where(np.abs(x - whole) >= 0.5, np.sign(x), 0).astype(x.dtype)


def _round_half_even(x):
    return np.rint(x)


def _nudge(lo, hi, num_bits, narrow_range):
    """TF's nudged range: [lo, hi] moved so that real 0 falls on a quantization step.
    Returns (nudged_min, nudged_max, scale, inverse scale), float32, shaped like lo."""
    qmin = _F32(1 if narrow_range else 0)
    qmax = _F32((1 << num_bits) - 1)
    lo, hi = np.asarray(lo, _F32), np.asarray(hi, _F32)
    with np.errstate(all="ignore"):
        scale = (hi - lo) / (qmax - qmin)
        inverse = (qmax - qmin) / (hi - lo)
        from_min = qmin - lo / scale
        zero_point = np.where(from_min < qmin, qmin,
                              np.where(from_min > qmax, qmax,
                                       np.nan_to_num(_round_half_away(from_min))))
        zero_point = zero_point.astype(_F32)
        return (qmin - zero_point) * scale, (qmax - zero_point) * scale, scale, inverse


def _check_num_bits(op_type, num_bits):
    if not 2 <= num_bits <= 16:
        raise InvalidArgumentError(
            None, None, f"{op_type}: num_bits must be between 2 and 16, inclusive")


def _fake_quant(x, lo, hi, num_bits, narrow_range):
    """x fake-quantized in the nudged range of lo, hi (broadcast along the last axis);
    all zero where lo == hi == 0, as TF's kernels."""
    nudged_min, nudged_max, scale, inverse = _nudge(lo, hi, num_bits, narrow_range)
    with np.errstate(all="ignore"):
        quant_zero = np.floor(-nudged_min * inverse + _F32(0.5))
        shifted = np.maximum(np.minimum(x, nudged_max), nudged_min) - nudged_min
        out = np.floor(shifted * inverse - quant_zero + _F32(0.5)) * scale
    zero = (np.asarray(lo) == 0) & (np.asarray(hi) == 0)
    return np.where(zero, _F32(0), out).astype(_F32)


def _fake_quant_backprops(dy, x, lo, hi, num_bits, narrow_range):
    """(dy where x is inside the nudged range, dy where below it, dy where above it)."""
    nudged_min, nudged_max, _, _ = _nudge(lo, hi, num_bits, narrow_range)
    zero = (np.asarray(lo) == 0) & (np.asarray(hi) == 0)
    inside = ((x >= nudged_min) & (x <= nudged_max)) | zero
    below = (x < nudged_min) & ~zero
    above = (x > nudged_max) & ~zero
    return (np.where(inside, dy, _F32(0)).astype(_F32), np.where(below, dy, _F32(0)),
            np.where(above, dy, _F32(0)))


# --- shape rules --------------------------------------------------------------------------------
def _check_float32(op_type, arg, t):
    if t.dtype is not dtypes.float32:
        raise TypeError(f"Input '{arg}' of '{op_type}' Op has type {t.dtype.name} that does not "
                        f"match expected type of float32.")


def _check_rank(op_type, t, rank):
    if t.shape.ndims is not None and t.shape.ndims != rank:
        raise ValueError(f"{op_type}: Shape must be rank {rank} but is rank {t.shape.ndims}")


def _same_shape(op_type, a, b):
    if not a.shape.is_compatible_with(b.shape):
        raise ValueError(f"{op_type} requires gradients and inputs of one shape, got {a.shape} "
                         f"and {b.shape}")
    return a.shape.merge_with(b.shape)


def _channels(op_type, x, lo, hi):
    """The channel count of a per-channel op: the last dimension of x, the length of min/max."""
    if x.shape.ndims is not None and x.shape.ndims < 1:
        raise ValueError(f"{op_type}: Shape must be at least rank 1 but is rank 0")
    depth = TensorShape([None]) if x.shape.ndims is None else x.shape[-1:]
    for t in (lo, hi):
        _check_rank(op_type, t, 1)
        if t.shape.ndims is not None:
            if not depth.is_compatible_with(t.shape):
                raise ValueError(f"{op_type}: Dimensions must be equal, but are "
                                 f"{depth[0].value} and {t.shape[0].value}")
            depth = depth.merge_with(t.shape)
    return depth


def _args_shape(inputs, *, min, max, num_bits, narrow_range):  # noqa: A002
    _check_float32("FakeQuantWithMinMaxArgs", "inputs", inputs)
    return [(dtypes.float32, inputs.shape)]


def _args_gradient_shape(gradients, inputs, *, min, max, num_bits, narrow_range):  # noqa: A002
    op_type = "FakeQuantWithMinMaxArgsGradient"
    _check_float32(op_type, "gradients", gradients)
    _check_float32(op_type, "inputs", inputs)
    return [(dtypes.float32, _same_shape(op_type, gradients, inputs))]


def _vars_shape(inputs, lo, hi, *, num_bits, narrow_range):
    for arg, t in (("inputs", inputs), ("min", lo), ("max", hi)):
        _check_float32("FakeQuantWithMinMaxVars", arg, t)
    _check_rank("FakeQuantWithMinMaxVars", lo, 0)
    _check_rank("FakeQuantWithMinMaxVars", hi, 0)
    return [(dtypes.float32, inputs.shape)]


def _vars_gradient_shape(gradients, inputs, lo, hi, *, num_bits, narrow_range):
    op_type = "FakeQuantWithMinMaxVarsGradient"
    for arg, t in (("gradients", gradients), ("inputs", inputs), ("min", lo), ("max", hi)):
        _check_float32(op_type, arg, t)
    _check_rank(op_type, lo, 0)
    _check_rank(op_type, hi, 0)
    scalar = (dtypes.float32, TensorShape([]))
    return [(dtypes.float32, _same_shape(op_type, gradients, inputs)), scalar, scalar]


def _per_channel_shape(inputs, lo, hi, *, num_bits, narrow_range):
    op_type = "FakeQuantWithMinMaxVarsPerChannel"
    for arg, t in (("inputs", inputs), ("min", lo), ("max", hi)):
        _check_float32(op_type, arg, t)
    _channels(op_type, inputs, lo, hi)
    return [(dtypes.float32, inputs.shape)]


def _per_channel_gradient_shape(gradients, inputs, lo, hi, *, num_bits, narrow_range):
    op_type = "FakeQuantWithMinMaxVarsPerChannelGradient"
    for arg, t in (("gradients", gradients), ("inputs", inputs), ("min", lo), ("max", hi)):
        _check_float32(op_type, arg, t)
    shape = _same_shape(op_type, gradients, inputs)
    depth = _channels(op_type, inputs, lo, hi)
    return [(dtypes.float32, shape), (dtypes.float32, depth), (dtypes.float32, depth)]


# --- kernels ------------------------------------------------------------------------------------
def _check_args_range(op_type, lo, hi):
    if not lo < hi:
        raise InvalidArgumentError(
            None, None, f"{op_type}: min has to be smaller than max, was: {lo:g} >= {hi:g}")


def _args_kernel(inputs, *, min, max, num_bits, narrow_range):  # noqa: A002
    _check_num_bits("FakeQuantWithMinMaxArgs", num_bits)
    _check_args_range("FakeQuantWithMinMaxArgs", min, max)
    return _fake_quant(inputs, min, max, num_bits, narrow_range)


def _args_gradient_kernel(gradients, inputs, *, min, max, num_bits, narrow_range):  # noqa: A002
    _check_num_bits("FakeQuantWithMinMaxArgsGradient", num_bits)
    _check_args_range("FakeQuantWithMinMaxArgsGradient", min, max)
    return _fake_quant_backprops(gradients, inputs, min, max, num_bits, narrow_range)[0]


def _vars_kernel(inputs, lo, hi, *, num_bits, narrow_range):
    _check_num_bits("FakeQuantWithMinMaxVars", num_bits)
    return _fake_quant(inputs, lo, hi, num_bits, narrow_range)


def _vars_gradient_kernel(gradients, inputs, lo, hi, *, num_bits, narrow_range):
    _check_num_bits("FakeQuantWithMinMaxVarsGradient", num_bits)
    dx, below, above = _fake_quant_backprops(gradients, inputs, lo, hi, num_bits, narrow_range)
    return dx, _F32(below.sum(dtype=_F32)), _F32(above.sum(dtype=_F32))


def _check_channels(op_type, inputs, lo, hi):
    depth = inputs.shape[-1] if inputs.ndim else None
    if inputs.ndim < 1 or lo.shape != (depth,) or hi.shape != (depth,):
        raise InvalidArgumentError(None, None, f"{op_type}: min and max must be vectors of the "
                                   f"last dimension of inputs ({depth}), got {lo.shape} and "
                                   f"{hi.shape}")


def _per_channel_kernel(inputs, lo, hi, *, num_bits, narrow_range):
    _check_num_bits("FakeQuantWithMinMaxVarsPerChannel", num_bits)
    _check_channels("FakeQuantWithMinMaxVarsPerChannel", inputs, lo, hi)
    return _fake_quant(inputs, lo, hi, num_bits, narrow_range)


def _per_channel_gradient_kernel(gradients, inputs, lo, hi, *, num_bits, narrow_range):
    op_type = "FakeQuantWithMinMaxVarsPerChannelGradient"
    _check_num_bits(op_type, num_bits)
    _check_channels(op_type, inputs, lo, hi)
    dx, below, above = _fake_quant_backprops(gradients, inputs, lo, hi, num_bits, narrow_range)
    axes = tuple(range(inputs.ndim - 1))
    return dx, below.sum(axis=axes, dtype=_F32), above.sum(axis=axes, dtype=_F32)


# --- gradients ------------------------------------------------------------------------------------
def _args_grad(op, dy):
    return [fake_quant_with_min_max_args_gradient(dy, op.inputs[0], **op.attrs)]


def _vars_grad(op, dy):
    return list(fake_quant_with_min_max_vars_gradient(dy, *op.inputs, **op.attrs))


def _per_channel_grad(op, dy):
    return list(fake_quant_with_min_max_vars_per_channel_gradient(dy, *op.inputs, **op.attrs))


register_op("FakeQuantWithMinMaxArgs", shape=_args_shape, kernel=_args_kernel, grad=_args_grad,
            row_wise=elementwise_rows)
register_op("FakeQuantWithMinMaxArgsGradient", shape=_args_gradient_shape,
            kernel=_args_gradient_kernel, grad=NOT_DIFFERENTIABLE)
register_op("FakeQuantWithMinMaxVars", shape=_vars_shape, kernel=_vars_kernel, grad=_vars_grad)
register_op("FakeQuantWithMinMaxVarsGradient", shape=_vars_gradient_shape,
            kernel=_vars_gradient_kernel, grad=NOT_DIFFERENTIABLE)
register_op("FakeQuantWithMinMaxVarsPerChannel", shape=_per_channel_shape,
            kernel=_per_channel_kernel, grad=_per_channel_grad)
register_op("FakeQuantWithMinMaxVarsPerChannelGradient", shape=_per_channel_gradient_shape,
            kernel=_per_channel_gradient_kernel, grad=NOT_DIFFERENTIABLE)


# --- the public functions -------------------------------------------------------------------------
def _float32(value, name):
    return convert_to_tensor(value, dtype=dtypes.float32, name=name)


def fake_quant_with_min_max_args(inputs, min=-6.0, max=6.0, num_bits=8,  # noqa: A002
                                 narrow_range=False, name=None):
    """`inputs` quantized to `num_bits` in the nudged range [min, max] and back to float32."""
    return one(create_op("FakeQuantWithMinMaxArgs", [convert_to_tensor(inputs)],
                         name=name or "FakeQuantWithMinMaxArgs", min=float(min),
                         max=float(max), num_bits=int(num_bits),
                         narrow_range=bool(narrow_range)))


def fake_quant_with_min_max_args_gradient(gradients, inputs, min=-6.0, max=6.0,  # noqa: A002
                                          num_bits=8, narrow_range=False, name=None):
    """`gradients` where `inputs` lies in the nudged range, else 0 (a straight-through
    estimator)."""
    return one(create_op("FakeQuantWithMinMaxArgsGradient",
                         [convert_to_tensor(gradients), convert_to_tensor(inputs)],
                         name=name or "FakeQuantWithMinMaxArgsGradient", min=float(min),
                         max=float(max), num_bits=int(num_bits),
                         narrow_range=bool(narrow_range)))


def fake_quant_with_min_max_vars(inputs, min, max, num_bits=8,  # noqa: A002
                                 narrow_range=False, name=None):
    """`inputs` fake-quantized in the range given by the float32 scalars `min` and `max`."""
    return one(create_op("FakeQuantWithMinMaxVars",
                         [convert_to_tensor(inputs), _float32(min, "min"), _float32(max, "max")],
                         name=name or "FakeQuantWithMinMaxVars", num_bits=int(num_bits),
                         narrow_range=bool(narrow_range)))


def fake_quant_with_min_max_vars_gradient(gradients, inputs, min, max, num_bits=8,  # noqa: A002
                                          narrow_range=False, name=None):
    """(gradient w.r.t. inputs, w.r.t. min, w.r.t. max) of fake_quant_with_min_max_vars."""
    op = create_op("FakeQuantWithMinMaxVarsGradient",
                   [convert_to_tensor(gradients), convert_to_tensor(inputs),
                    _float32(min, "min"), _float32(max, "max")],
                   name=name or "FakeQuantWithMinMaxVarsGradient", num_bits=int(num_bits),
                   narrow_range=bool(narrow_range))
    return FakeQuantWithMinMaxVarsGradient(*op.outputs)


def fake_quant_with_min_max_vars_per_channel(inputs, min, max, num_bits=8,  # noqa: A002
                                             narrow_range=False, name=None):
    """`inputs` fake-quantized per channel (its last axis) in the ranges `min[c]`, `max[c]`."""
    return one(create_op("FakeQuantWithMinMaxVarsPerChannel",
                         [convert_to_tensor(inputs), _float32(min, "min"), _float32(max, "max")],
                         name=name or "FakeQuantWithMinMaxVarsPerChannel",
                         num_bits=int(num_bits), narrow_range=bool(narrow_range)))


def fake_quant_with_min_max_vars_per_channel_gradient(gradients, inputs, min, max,  # noqa: A002
                                                      num_bits=8, narrow_range=False,
                                                      name=None):
    """(gradient w.r.t. inputs, w.r.t. min, w.r.t. max) of the per-channel fake quantization."""
    op = create_op("FakeQuantWithMinMaxVarsPerChannelGradient",
                   [convert_to_tensor(gradients), convert_to_tensor(inputs),
                    _float32(min, "min"), _float32(max, "max")],
                   name=name or "FakeQuantWithMinMaxVarsPerChannelGradient",
                   num_bits=int(num_bits), narrow_range=bool(narrow_range))
    return FakeQuantWithMinMaxVarsPerChannelGradient(*op.outputs)


# --- QuantizeV2, Dequantize, QuantizedConcat --------------------------------------------------
_MODES = ("MIN_COMBINED", "MIN_FIRST", "SCALED")
_ROUND_MODES = ("HALF_AWAY_FROM_ZERO", "HALF_TO_EVEN")


def _integer_type(dtype):
    """The NumPy integer type inside a quantized dtype (a DType or its structured NumPy type)."""
    structured = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    return structured.fields[structured.names[0]][0], structured


def _limits(dtype):
    """(lowest, highest, bits) of quantized `dtype`'s integers."""
    info = np.iinfo(_integer_type(dtype)[0])
    return info.min, info.max, info.bits


def _as_quantized(values, dtype):
    integer, structured = _integer_type(dtype)
    return np.ascontiguousarray(values.astype(integer)).view(structured)


def _quantized_values(array):
    """The plain integers of a quantized array (a one-field structured NumPy array)."""
    return array[array.dtype.names[0]] if array.dtype.names else array


def _check_quantized(op_type, arg, dtype):
    if not dtype.is_quantized:
        names = ", ".join(sorted(d.name for d in dtypes.QUANTIZED_DTYPES))
        raise TypeError(f"Value for attr '{arg}' of {dtype.name} is not in the list of allowed "
                        f"values for {op_type}: {names}")


def _check_mode(op_type, mode, round_mode=None):
    if mode not in _MODES:
        raise ValueError(f"{op_type}: mode must be one of {', '.join(_MODES)}, got {mode!r}")
    if round_mode is not None and round_mode not in _ROUND_MODES:
        raise ValueError(f"{op_type}: round_mode must be one of {', '.join(_ROUND_MODES)}, got "
                         f"{round_mode!r}")


def _range_shape(op_type, x, lo, hi, axis):
    """Scalars for a whole-tensor range; vectors of x's `axis` dimension when axis >= 0."""
    for arg, t in (("min_range", lo), ("max_range", hi)):
        _check_float32(op_type, arg, t)
        _check_rank(op_type, t, 0 if axis < 0 else 1)
    if axis >= 0 and x.shape.ndims is not None and axis >= x.shape.ndims:
        raise ValueError(f"{op_type}: axis {axis} is out of range for an input of rank "
                         f"{x.shape.ndims}")
    return TensorShape([]) if axis < 0 else x.shape[axis:axis + 1] if x.shape.ndims else \
        TensorShape([None])


def _quantize_shape(x, lo, hi, *, T, mode, round_mode, narrow_range, axis, ensure_minimum_range):
    _check_float32("QuantizeV2", "input", x)
    _check_quantized("QuantizeV2", "T", T)
    _check_mode("QuantizeV2", mode, round_mode)
    ranges = _range_shape("QuantizeV2", x, lo, hi, axis)
    return [(T, x.shape), (dtypes.float32, ranges), (dtypes.float32, ranges)]


def _slices(values, x, axis):
    """A per-slice range as an array broadcasting along `axis` of x (the scalar when axis < 0)."""
    values = np.asarray(values, _F32)
    return values if axis < 0 else values.reshape((-1,) + (1,) * (x.ndim - axis - 1))


def _min_first_scale(lo, hi, bits):
    """TF's MIN_FIRST step: the range widened by steps/(steps - 1) over 2**bits steps."""
    steps = float(1 << bits)
    return (hi.astype(np.float64) - lo) * (steps / (steps - 1.0)) / steps


def _quantize_kernel(x, lo, hi, *, T, mode, round_mode, narrow_range, axis,
                     ensure_minimum_range):
    if round_mode == "HALF_TO_EVEN" and mode != "SCALED":
        raise InvalidArgumentError(None, None, f"Round mode 'HALF_TO_EVEN' only supported for "
                                   f"mode 'SCALED', but mode is '{mode}'.")
    if axis >= 0 and mode == "MIN_FIRST":
        raise InvalidArgumentError(None, None, "QuantizeV2: MIN_FIRST mode is not implemented "
                                   "for Quantize with axis != -1.")
    lo, hi = np.asarray(lo, _F32), np.asarray(hi, _F32)
    if np.any(hi < lo):
        raise InvalidArgumentError(None, None,
                                   "input_max_range must be larger than input_min_range.")
    lowest, highest, bits = _limits(T)
    epsilon = np.maximum(_F32(1), np.maximum(np.abs(lo), np.abs(hi))) * _F32(ensure_minimum_range)
    lo = np.minimum(_F32(0), lo)
    hi = np.maximum(_F32(0), np.maximum(hi, lo + epsilon))
    x = np.asarray(x, _F32)
    if mode == "MIN_COMBINED":
        low, high = _slices(lo, x, axis), _slices(hi, x, axis)
        scale = (np.float64(highest) - lowest) / (high - low).astype(np.float64)
        scale = scale.astype(_F32)
        shifted = (np.maximum(np.minimum(x, high), low) - low) * scale
        if lowest < 0:
            q = _round_half_away(shifted - _F32((highest - lowest + 1) / 2.0))
        else:
            q = np.trunc(shifted + _F32(0.5))
    elif mode == "MIN_FIRST":
        q = _float_to_quantized(x, lo, hi, lowest, highest, bits)
    else:
        low_out = lowest + (1 if narrow_range else 0)
        with np.errstate(all="ignore"):
            from_min = np.where(low_out * lo > 0, _F32(low_out) / lo, np.finfo(_F32).max)
            from_max = np.where(highest * hi > 0, _F32(highest) / hi, np.finfo(_F32).max)
        scale = np.minimum(from_min, from_max).astype(_F32)
        lo, hi = _flush_denormal(_F32(low_out) / scale), _flush_denormal(_F32(highest) / scale)
        low, high, s = _slices(lo, x, axis), _slices(hi, x, axis), _slices(scale, x, axis)
        scaled = np.maximum(np.minimum(x, high), low) * s
        q = np.rint(scaled) if round_mode == "HALF_TO_EVEN" else _round_half_away(scaled)
    return _as_quantized(np.clip(q, lowest, highest), T), lo, hi


def _float_to_quantized(x, lo, hi, lowest, highest, bits):
    """MIN_FIRST quantization as TF's Eigen path: float32 steps counted from round(min)."""
    if lo == hi:
        return np.full(x.shape, lowest, np.float64)
    scale = _F32(1.0 / _min_first_scale(lo, hi, bits))
    q = _round_half_away(x * scale) - _round_half_away(_F32(lo) * scale) + _F32(lowest)
    return np.clip(q.astype(np.float64), lowest, highest)


def _dequantize_shape(x, lo, hi, *, mode, narrow_range, axis, dtype):
    _check_quantized("Dequantize", "T", x.dtype)
    _check_mode("Dequantize", mode)
    if dtype is not dtypes.float32:
        raise TypeError(f"Dequantize: dtype must be float32 here, got {dtype.name} (bfloat16 "
                        f"has no arithmetic type)")
    _range_shape("Dequantize", x, lo, hi, axis)
    return [(dtypes.float32, x.shape)]


def _dequantize_kernel(x, lo, hi, *, mode, narrow_range, axis, dtype):
    lowest, highest, bits = _limits(x.dtype)
    values = _quantized_values(x)
    lo, hi = np.asarray(lo, _F32), np.asarray(hi, _F32)
    if axis >= 0 and mode == "MIN_FIRST":
        raise InvalidArgumentError(None, None, "Dequantize: MIN_FIRST mode is not implemented "
                                   "for Dequantize with axis != -1.")
    low, high = _slices(lo, values, axis), _slices(hi, values, axis)
    floats = values.astype(_F32)
    if mode == "MIN_COMBINED":
        scale = ((high - low) / (_F32(highest) - _F32(lowest))).astype(_F32)
        half = _F32((highest - lowest + 1) / 2.0) if lowest < 0 else _F32(0)
        return ((floats + half) * scale + low).astype(_F32)
    if mode == "MIN_FIRST":
        return _quantized_to_float(values, lo, hi, lowest, bits)
    low_out = lowest + (1 if narrow_range else 0)
    if lowest == 0:
        scale = high / _F32(highest)
    else:
        scale = np.maximum(low / _F32(low_out), high / _F32(highest))
    return (floats * _flush_denormal(scale)).astype(_F32)


def _min_first_start(lo, step):
    """TF's MIN_FIRST origin: the range's minimum rounded to a whole (float32) step."""
    return _round_half_away(np.float64(lo) / _F32(step)) * np.float64(_F32(step))


def _quantized_to_float(codes, lo, hi, lowest, bits):
    """MIN_FIRST codes back to float32 as TF's Eigen path (float32 arithmetic)."""
    if lo == hi:
        return np.full(codes.shape, lo, _F32)
    step = _min_first_scale(lo, hi, bits)
    floats = codes.astype(_F32)
    return (floats - _F32(lowest)) * _F32(step) + _F32(_min_first_start(lo, step))


def _flush_denormal(value):
    """0 for float32 values below the normal range: TF's CPU threads flush denormals to zero."""
    value = np.asarray(value, _F32)
    return np.where(np.abs(value) < np.finfo(_F32).tiny, _F32(0), value)


def _concat_shape(concat_dim, *tensors, N, T):
    values, mins, maxes = tensors[:N], tensors[N:2 * N], tensors[2 * N:]
    if concat_dim.dtype is not dtypes.int32:
        raise TypeError("QuantizedConcat requires an int32 concat_dim")
    _check_quantized("QuantizedConcat", "T", T)
    for t in values:
        if t.dtype is not T:
            raise TypeError(f"QuantizedConcat requires values of one dtype, got {T.name} and "
                            f"{t.dtype.name}")
    for t in mins + maxes:
        _check_float32("QuantizedConcat", "input_mins", t)
        _check_rank("QuantizedConcat", t, 0)
    dim = constant_value(concat_dim)
    shape = TensorShape(None)
    if dim is not None and int(dim) >= 0 and all(t.shape.ndims is not None for t in values):
        rank = values[0].shape.ndims
        axis = int(dim)
        if axis >= rank:
            raise ValueError(f"QuantizedConcat: concat_dim {axis} is out of range for rank "
                             f"{rank}")
        dims = list(values[0].shape.as_list())
        total = 0
        for t in values:
            if t.shape.ndims != rank:
                raise ValueError(f"QuantizedConcat requires values of one rank, got {rank} and "
                                 f"{t.shape.ndims}")
            other = t.shape.as_list()
            for i in range(rank):
                if i != axis and dims[i] is None:
                    dims[i] = other[i]
                elif i != axis and other[i] is not None and other[i] != dims[i]:
                    raise ValueError(f"QuantizedConcat: dimension {i} of the values differ: "
                                     f"{dims[i]} and {other[i]}")
            total = None if total is None or other[axis] is None else total + other[axis]
        dims[axis] = total
        shape = TensorShape(dims)
    scalar = (dtypes.float32, TensorShape([]))
    return [(T, shape), scalar, scalar]


def _concat_kernel(concat_dim, *arrays, N, T):
    values, mins, maxes = arrays[:N], arrays[N:2 * N], arrays[2 * N:]
    lowest, highest, bits = _limits(T)
    if (lowest, highest) not in ((0, 255), (-2 ** 31, 2 ** 31 - 1)):
        raise NotFoundError(None, None, "No registered 'QuantizedConcat' kernel for this T "
                            "(TF's CPU kernels take quint8 and qint32)")
    out_min = min(_F32(0), min(_F32(m) for m in mins))
    out_max = max(_F32(m) for m in maxes)
    parts = []
    for v, lo, hi in zip(values, mins, maxes):
        ints = _quantized_values(v)
        if lo == out_min and hi == out_max:
            parts.append(ints)
            continue
        parts.append(_requantize(ints, _F32(lo), _F32(hi), out_min, out_max, lowest, highest,
                                 bits).astype(ints.dtype))
    rank = values[0].ndim
    axis = int(concat_dim)
    if not 0 <= axis < rank:
        raise InvalidArgumentError(None, None, f"ConcatOp : Expected concatenating dimensions "
                                   f"in the range [0, {rank}), but got {axis}")
    try:
        joined = np.concatenate(parts, axis=axis)
    except ValueError as e:
        raise InvalidArgumentError(None, None, f"QuantizedConcat: {e}") from None
    return _as_quantized(joined, T), _F32(out_min), _F32(out_max)


def _requantize(ints, lo, hi, out_lo, out_hi, lowest, highest, bits):
    """Codes of range [lo, hi] as codes of [out_lo, out_hi], through float as TF's scalar path."""
    if lo == hi:
        floats = np.full(ints.shape, lo, _F32)
    else:  # TF's scalar path: double arithmetic
        step = _min_first_scale(lo, hi, bits)
        floats = (_min_first_start(lo, step)
                  + (ints.astype(np.float64) - lowest) * step).astype(_F32)
    if out_lo == out_hi:
        return np.full(ints.shape, lowest)
    scale = 1.0 / _min_first_scale(out_lo, out_hi, bits)
    q = (_round_half_away(floats.astype(np.float64) * scale)
         - _round_half_away(np.float64(out_lo) * scale) + lowest)
    return np.clip(q, lowest, highest)


register_op("QuantizeV2", shape=_quantize_shape, kernel=_quantize_kernel, grad=None)
register_op("Dequantize", shape=_dequantize_shape, kernel=_dequantize_kernel, grad=None)
register_op("QuantizedConcat", shape=_concat_shape, kernel=_concat_kernel, grad=None)


def quantize_v2(input, min_range, max_range, T, mode="MIN_COMBINED",  # noqa: A002,N803
                name=None, round_mode="HALF_AWAY_FROM_ZERO", narrow_range=False, axis=None,
                ensure_minimum_range=0.01):
    """`input` (float32) quantized to dtype `T` in [min_range, max_range]:
    (output, output_min, output_max), the range as the kernel adjusted it."""
    op = create_op("QuantizeV2", [convert_to_tensor(input), _float32(min_range, "min_range"),
                                  _float32(max_range, "max_range")],
                   name=name or "QuantizeV2", T=dtypes.as_dtype(T), mode=mode,
                   round_mode=round_mode, narrow_range=bool(narrow_range),
                   axis=-1 if axis is None else int(axis),
                   ensure_minimum_range=float(ensure_minimum_range))
    return QuantizeV2(*op.outputs)


def quantize(input, min_range, max_range, T, mode="MIN_COMBINED",  # noqa: A002,N803
             round_mode="HALF_AWAY_FROM_ZERO", name=None, narrow_range=False, axis=None,
             ensure_minimum_range=0.01):
    """tf.quantize: quantize_v2 with round_mode before name (TF's argument order)."""
    return quantize_v2(input, min_range, max_range, T, mode=mode, name=name,
                       round_mode=round_mode, narrow_range=narrow_range, axis=axis,
                       ensure_minimum_range=ensure_minimum_range)


def dequantize(input, min_range, max_range, mode="MIN_COMBINED", name=None,  # noqa: A002
               axis=None, narrow_range=False, dtype=dtypes.float32):
    """Quantized `input` in [min_range, max_range] back to float32."""
    return one(create_op("Dequantize", [convert_to_tensor(input),
                                        _float32(min_range, "min_range"),
                                        _float32(max_range, "max_range")],
                         name=name or "Dequantize", mode=mode, narrow_range=bool(narrow_range),
                         axis=-1 if axis is None else int(axis), dtype=dtypes.as_dtype(dtype)))


def quantized_concat(concat_dim, values, input_mins, input_maxes, name=None):
    """Quantized `values` (each with its range) joined along `concat_dim` in one common range:
    (output, output_min, output_max)."""
    values = [convert_to_tensor(v) for v in values]
    if len(input_mins) != len(values) or len(input_maxes) != len(values):
        raise ValueError(f"QuantizedConcat needs one min and one max per value, got "
                         f"{len(values)} values, {len(input_mins)} mins and "
                         f"{len(input_maxes)} maxes")
    inputs = ([convert_to_tensor(concat_dim, dtype=dtypes.int32)] + values
              + [_float32(m, "input_mins") for m in input_mins]
              + [_float32(m, "input_maxes") for m in input_maxes])
    op = create_op("QuantizedConcat", inputs, name=name or "QuantizedConcat", N=len(values),
                   T=values[0].dtype)
    return QuantizedConcat(*op.outputs)
