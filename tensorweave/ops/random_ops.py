"""Random ops. Each op draws from its own stream in the Session, seeded by (graph seed, op seed)."""
import math

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor, partial_shape_from_tensor
from tensorweave.core.errors import InvalidArgumentError
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.seeds import seed_attrs, set_random_seed  # noqa: F401
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array, math_ops, philox


def _sample_shape(shape, *, dtype, seed, seed2):
    return [(dtype, partial_shape_from_tensor(shape))]


def _dims(op_type, shape):
    """The run-time shape argument as a tuple, with TF's errors."""
    if shape.ndim != 1:
        raise InvalidArgumentError(None, None, f"shape must be a vector of {{int32,int64}}, got "
                                   f"shape [{','.join(str(d) for d in shape.shape)}]")
    if (shape < 0).any():
        raise InvalidArgumentError(None, None, f"{op_type}: dimensions must be >= 0, got "
                                   f"{shape.tolist()}")
    return tuple(int(d) for d in shape)


def _fill(op_type, draw):
    """A kernel drawing `draw(stream, shape, dtype)` from the op's stream, after reserving 256
    calls per output as TF's PhiloxRandomOp does."""
    def kernel(state, name, shape, *, dtype, seed, seed2):
        dims = _dims(op_type, shape)
        count = int(np.prod(dims, dtype=np.int64))
        stream = state.random_stream(name, seed, seed2).reserve_outputs(count)
        return draw(stream, dims, np.dtype(dtype))
    return kernel


register_op("RandomStandardNormal", shape=_sample_shape, stateful=True, grad=NOT_DIFFERENTIABLE,
            kernel=_fill("RandomStandardNormal", philox.normal_from))
register_op("TruncatedNormal", shape=_sample_shape, stateful=True, grad=NOT_DIFFERENTIABLE,
            kernel=_fill("TruncatedNormal", philox.truncated_normal_from))
register_op("RandomUniform", shape=_sample_shape, stateful=True, grad=NOT_DIFFERENTIABLE,
            kernel=_fill("RandomUniform", philox.uniform_from))


def _uniform_int_shape(shape, minval, maxval, *, seed, seed2):
    return [(minval.dtype, partial_shape_from_tensor(shape))]


def _uniform_int_kernel(state, name, shape, minval, maxval, *, seed, seed2):
    for what, bound in (("minval", minval), ("maxval", maxval)):
        if np.ndim(bound) != 0:
            raise InvalidArgumentError(None, None, f"{what} must be 0-D, got shape "
                                       f"[{','.join(str(d) for d in np.shape(bound))}]")
    dims = _dims("RandomUniformInt", shape)
    count = int(np.prod(dims, dtype=np.int64))
    if count == 0:
        return np.zeros(dims, minval.dtype)
    if minval >= maxval:
        raise InvalidArgumentError(None, None, f"Need minval < maxval, got {minval} >= {maxval}")
    stream = state.random_stream(name, seed, seed2).reserve_outputs(count)
    return philox.uniform_int_from(stream, dims, int(minval), int(maxval), minval.dtype)


register_op("RandomUniformInt", shape=_uniform_int_shape, kernel=_uniform_int_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)


def _shuffle_shape(value, *, seed, seed2):
    return [(value.dtype, value.shape)]


def _shuffle_kernel(state, name, value, *, seed, seed2):
    """TF's RandomShuffle: a Fisher-Yates pass swapping row i with row i + word_i % (n - i),
    one 32-bit word per step from n - 1 reserved words."""
    if value.ndim == 0 or value.size <= 1 or value.shape[0] <= 1:
        return value
    n = value.shape[0]
    words = state.random_stream(name, seed, seed2).reserve_words(n - 1).words(n - 1)
    targets = (np.arange(n - 1) + words.astype(np.int64) % np.arange(n, 1, -1)).tolist()
    order = list(range(n))
    for i, j in enumerate(targets):
        order[i], order[j] = order[j], order[i]
    return value[np.asarray(order)]


register_op("RandomShuffle", shape=_shuffle_shape, kernel=_shuffle_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


def _multinomial_shape(logits, num_samples, *, seed, seed2, output_dtype):
    from tensorweave.core.constants import constant_value
    n = constant_value(num_samples)
    batch = logits.shape[0].value if logits.shape.ndims else None
    return [(output_dtype, TensorShape([batch, None if n is None else int(n)]))]


def parallel_blocks(total, cost, threads):
    """The [start, limit) blocks TF's Shard (Eigen's parallelFor and its cost model) splits
    `total` units of `cost` cycles into on `threads` threads."""
    if total <= 1 or threads <= 1:
        return [(0, total)]
    wanted = (total * cost - 100000) / 100000 + 0.9
    if min(threads, max(1, int(min(wanted, 2 ** 31 - 1)))) == 1:
        return [(0, total)]
    size = min(total, max(-(-total // (4 * threads)), int(40000 / cost)))
    largest = min(total, 2 * size)
    count = -(-total // size)
    best = count / (-(-count // threads) * threads)
    previous = count
    while best < 1.0 and previous > 1:
        coarser = -(-total // (previous - 1))
        if coarser > largest:
            break
        coarser_count = -(-total // coarser)
        previous = coarser_count
        efficiency = coarser_count / (-(-coarser_count // threads) * threads)
        if efficiency + 0.01 >= best:
            size, count = coarser, coarser_count
            best = max(best, efficiency)
    return [(i * size, min(total, (i + 1) * size)) for i in range(count)]


def _multinomial_kernel(state, name, logits, num_samples, *, seed, seed2, output_dtype):
    """TF's CPU kernel: per row, cdf = running sums of exp(logit - max) over finite logits
    (float64); sample j is the first class whose cdf exceeds RandDouble() * total. A shard of
    rows starting at row s reads the stream from call s * (num_samples + 3) // 4 on, two words
    per sample, so the numbers depend on TF's sharding (its intra-op thread count)."""
    if logits.ndim != 2:
        raise InvalidArgumentError(None, None, f"logits should be a matrix, got shape "
                                   f"[{','.join(str(d) for d in logits.shape)}]")
    count = int(num_samples)
    if count < 0:
        raise InvalidArgumentError(None, None, f"num_samples should be non-negative, got "
                                   f"{count}")
    batch, classes = logits.shape
    if classes == 0:
        raise InvalidArgumentError(None, None, "num_classes should be positive, got 0")
    if batch * count == 0:
        return np.zeros((batch, count), output_dtype)
    stream = state.random_stream(name, seed, seed2).reserve_outputs(
        batch * (-(-count // 4) * 4 * 2))
    return multinomial_draws(stream, logits, count, output_dtype, state.intra_op_threads)


def multinomial_draws(stream, logits, count, output_dtype, threads):
    """TF's CPU multinomial sampling of `count` classes per row of `logits` on `stream`."""
    batch, classes = logits.shape
    out = np.zeros((batch, count), output_dtype)
    finite = np.isfinite(logits)
    top = np.where(finite, logits, -np.inf).max(axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, np.finfo(logits.dtype).min).astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        weights = np.where(finite, np.exp(logits.astype(np.float64) - top), 0.0)
    cdf = np.cumsum(weights, axis=1)
    cost = int(50 * (count * math.log(classes) / math.log(2) + classes))
    word_at = np.empty((batch, count), np.int64)
    for start, limit in parallel_blocks(batch, cost, threads):
        first = 4 * (start * (count + 3) // 4)
        rows = np.arange(limit - start)[:, None]
        word_at[start:limit] = first + 2 * (rows * count + np.arange(count))
    calls = stream.calls(int(word_at.max()) // 4 + 1).reshape(-1)
    targets = philox.uniform_doubles(calls[word_at], calls[word_at + 1]) * cdf[:, -1:]
    for b in range(batch):
        out[b] = np.searchsorted(cdf[b], targets[b], side="right")
    return out


register_op("Multinomial", shape=_multinomial_shape, kernel=_multinomial_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


def _check_float(op_type, dtype):
    if not dtype.is_floating:
        raise ValueError(f"{op_type} requires a floating point dtype, got {dtype.name}")


def _scaled(op_type, default_name, shape, mean, stddev, dtype, seed, name):
    """TF's order: shape, mean and stddev tensors, then the seeds (a graph-seeded op takes the
    graph's op count at that point), the draw, draw * stddev + mean."""
    dtype = dtypes.as_dtype(dtype)
    _check_float(op_type, dtype)
    with name_scope(name, default_name) as scope:
        shape = array.as_shape_tensor(shape)
        mean = convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        sample = create_op(op_type, [shape], name=op_type, dtype=dtype,
                           **seed_attrs(seed)).outputs[0]
        return math_ops.add(sample * stddev, mean, name=scope[:-1] + "/")


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples from a normal distribution."""
    return _scaled("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype, seed,
                   name)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples from a normal distribution, redrawing values beyond two standard deviations."""
    return _scaled("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype, seed, name)


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """Samples uniformly from [minval, maxval): floats as draw * (maxval - minval) + minval."""
    dtype = dtypes.as_dtype(dtype)
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype.name}")
        maxval = 1
    with name_scope(name, "random_uniform") as scope:
        shape = array.as_shape_tensor(shape)
        minval = convert_to_tensor(minval, dtype=dtype, name="min")
        maxval = convert_to_tensor(maxval, dtype=dtype, name="max")
        seeds = seed_attrs(seed)
        if dtype.is_integer:
            return create_op("RandomUniformInt", [shape, minval, maxval],
                             name=scope[:-1] + "/", **seeds).outputs[0]
        _check_float("RandomUniform", dtype)
        sample = create_op("RandomUniform", [shape], name="RandomUniform", dtype=dtype,
                           **seeds).outputs[0]
        return math_ops.add(sample * (maxval - minval), minval, name=scope[:-1] + "/")


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
