"""Random ops. Each op draws from its own stream in the Session, seeded by (graph seed, op seed)."""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor, partial_shape_from_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.seeds import seed_attrs, set_random_seed  # noqa: F401
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array, math_ops


def _sample_shape(shape, *, dtype, seed, seed2):
    return [(dtype, partial_shape_from_tensor(shape))]


def _float_draw(draw):
    """Wraps draw(rng, shape, np_dtype) so float16 is drawn in float32 and cast."""
    def kernel(state, name, shape, *, dtype, seed, seed2):
        rng = state.random_generator(name, seed, seed2)
        wanted = np.dtype(dtype)
        work = np.float32 if wanted == np.float16 else wanted
        return draw(rng, tuple(shape), work).astype(wanted, copy=False)
    return kernel


def _truncated(rng, shape, dtype):
    out = rng.standard_normal(shape, dtype=dtype)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()), dtype=dtype)
        bad = np.abs(out) > 2
    return out


register_op("RandomStandardNormal", shape=_sample_shape, stateful=True, grad=NOT_DIFFERENTIABLE,
            kernel=_float_draw(lambda rng, shape, dtype: rng.standard_normal(shape, dtype=dtype)))
register_op("TruncatedNormal", shape=_sample_shape, stateful=True, grad=NOT_DIFFERENTIABLE,
            kernel=_float_draw(_truncated))
register_op("RandomUniform", shape=_sample_shape, stateful=True, grad=NOT_DIFFERENTIABLE,
            kernel=_float_draw(lambda rng, shape, dtype: rng.random(shape, dtype=dtype)))


def _uniform_int_shape(shape, minval, maxval, *, seed, seed2):
    return [(minval.dtype, partial_shape_from_tensor(shape))]


def _uniform_int_kernel(state, name, shape, minval, maxval, *, seed, seed2):
    if minval >= maxval:
        raise ValueError(f"Need minval < maxval, got {minval} >= {maxval}")
    rng = state.random_generator(name, seed, seed2)
    return rng.integers(minval, maxval, tuple(shape), dtype=minval.dtype)


register_op("RandomUniformInt", shape=_uniform_int_shape, kernel=_uniform_int_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)


def _shuffle_shape(value, *, seed, seed2):
    return [(value.dtype, value.shape)]


def _shuffle_kernel(state, name, value, *, seed, seed2):
    if value.ndim == 0:
        return value
    return state.random_generator(name, seed, seed2).permutation(value)


register_op("RandomShuffle", shape=_shuffle_shape, kernel=_shuffle_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


def _multinomial_shape(logits, num_samples, *, seed, seed2, output_dtype):
    from tensorweave.core.constants import constant_value
    n = constant_value(num_samples)
    batch = logits.shape[0].value if logits.shape.ndims else None
    return [(output_dtype, TensorShape([batch, None if n is None else int(n)]))]


def _multinomial_kernel(state, name, logits, num_samples, *, seed, seed2, output_dtype):
    rng = state.random_generator(name, seed, seed2)
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    cdf = np.cumsum(np.exp(shifted), axis=1)
    draws = rng.random((logits.shape[0], int(num_samples))) * cdf[:, -1:]
    out = np.stack([np.searchsorted(row, d, side="right") for row, d in zip(cdf, draws)])
    return np.minimum(out, logits.shape[1] - 1).astype(output_dtype).reshape(
        logits.shape[0], int(num_samples))


register_op("Multinomial", shape=_multinomial_shape, kernel=_multinomial_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


def _draw(op_type, shape, dtype, seed, name):
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"{op_type} requires a floating point dtype, got {dtype.name}")
    shape = array.as_shape_tensor(shape)
    return create_op(op_type, [shape], name=name, dtype=dtype, **seed_attrs(seed)).outputs[0]


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples from a normal distribution."""
    with name_scope(name, "random_normal") as scope:
        sample = _draw("RandomStandardNormal", shape, dtype, seed, "RandomStandardNormal")
        return math_ops.add(sample * stddev, mean, name=scope[:-1] + "/")


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples from a normal distribution, redrawing values beyond two standard deviations."""
    with name_scope(name, "truncated_normal") as scope:
        sample = _draw("TruncatedNormal", shape, dtype, seed, "TruncatedNormal")
        return math_ops.add(sample * stddev, mean, name=scope[:-1] + "/")


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Samples uniformly from [minval, maxval)."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "random_uniform") as scope:
        if dtype.is_integer:
            if maxval is None:
                raise ValueError(f"Must specify maxval for integer dtype {dtype.name}")
            bounds = [convert_to_tensor(v, dtype=dtype) for v in (minval, maxval)]
            return create_op("RandomUniformInt", [array.as_shape_tensor(shape), *bounds],
                             name=scope[:-1] + "/", **seed_attrs(seed)).outputs[0]
        maxval = 1.0 if maxval is None else maxval
        sample = _draw("RandomUniform", shape, dtype, seed, "RandomUniform")
        return math_ops.add(sample * (maxval - minval) if not _is_zero(minval) or maxval != 1.0
                            else sample, minval, name=scope[:-1] + "/")


def _is_zero(v):
    return isinstance(v, (int, float)) and v == 0


def random_shuffle(value, seed=None, name=None):
    """`value` with its first dimension randomly permuted."""
    return create_op("RandomShuffle", [convert_to_tensor(value)], name=name or "RandomShuffle",
                     **seed_attrs(seed)).outputs[0]


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=dtypes.int64):
    """Draws `num_samples` class ids per row from the categorical distribution `logits`."""
    logits = convert_to_tensor(logits)
    num = convert_to_tensor(num_samples, dtype=dtypes.int32)
    return create_op("Multinomial", [logits, num], name=name or "Multinomial",
                     output_dtype=dtypes.as_dtype(output_dtype), **seed_attrs(seed)).outputs[0]


categorical = multinomial
