"""Sums over an array's leading axes as one matrix-vector product.

The rule: a bias gradient sums a [batch, height, width, channels] array over all but its last
axis. NumPy reduces leading axes row by row (0.86 ms for 50x28x28x32 float32 on one core);
the same sum is `ones @ x.reshape(rows, channels)`, which BLAS's gemv runs at memory speed
(0.07 ms). The sums then differ from NumPy's by the order of their additions only.
Chosen when a Plan binds the op: Sum (axes an attr) when its axes are the leading ones of an
input of known rank, and BiasAddGrad with channels last; each call then takes the product for a
C-contiguous float32 or float64 array with many rows.
"""
import functools
import math

import numpy as np

from tensorweave.runtime.accel import variants

MIN_ROWS = 256  # below, NumPy's own reduction costs no more than the product's call


@functools.lru_cache(maxsize=16)
def _ones(length, dtype):
    """A vector of ones, the last 16 asked for kept to be reused."""
    return np.ones(length, dtype)


def _leading_sum(x, lead):
    """x summed over its first `lead` axes, or None when the product does not apply."""
    if x.__class__ is not np.ndarray or x.dtype not in (np.float32, np.float64) or \
            not x.flags.c_contiguous or lead < 1 or lead >= x.ndim:
        return None
    rows = math.prod(x.shape[:lead])
    if rows < MIN_ROWS or x.size == 0:
        return None
    columns = x.size // rows
    return (_ones(rows, x.dtype) @ x.reshape(rows, columns)).reshape(x.shape[lead:])


def _leading_count(axis, ndim):
    """k when `axis` names exactly the first k axes of an ndim-array, else 0."""
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    if not isinstance(axis, (tuple, list)) or not axis or not ndim:
        return 0
    try:
        named = sorted({int(a) % ndim for a in axis})
    except (TypeError, ValueError):
        return 0
    return len(named) if named == list(range(len(named))) else 0


def sum_kernel(reference, lead):
    """Sum's kernel taking the product over the `lead` leading axes its attrs name."""
    def kernel(x, *, axis, keepdims):
        result = _leading_sum(x, lead)
        if result is None:
            return reference(x, axis=axis, keepdims=keepdims)
        return result.reshape((1,) * lead + result.shape) if keepdims else result
    return kernel


def bias_grad_kernel(reference, lead):
    """BiasAddGrad's kernel taking the product where the channels are the last axis."""
    def kernel(dy, *, data_format):
        result = _leading_sum(dy, lead)
        return reference(dy, data_format=data_format) if result is None else result
    return kernel


def _choose_sum(op):
    """Sum of floats over the leading axes of an input whose rank is known when planning."""
    lead = _leading_count(op.attrs.get("axis"), op.inputs[0].shape.ndims)
    if not lead or op.outputs[0].dtype.base_dtype.name not in ("float32", "float64"):
        return None
    return sum_kernel(op.op_def.kernel, lead)


def _choose_bias_grad(op):
    """BiasAddGrad of floats with the channels last (NHWC, or any format of a matrix)."""
    ndims = op.inputs[0].shape.ndims
    data_format = op.attrs.get("data_format")
    channels_first = data_format and str(data_format).startswith("NC") and (ndims or 3) > 2
    if channels_first or not ndims or ndims < 2 or \
            op.outputs[0].dtype.base_dtype.name not in ("float32", "float64"):
        return None
    return bias_grad_kernel(op.op_def.kernel, ndims - 1)


variants.register_variant("Sum", _choose_sum)
variants.register_variant("BiasAddGrad", _choose_bias_grad)
