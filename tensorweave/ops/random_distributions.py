"""Random draws beyond uniform and normal: gamma, poisson, random_crop, and the stateless ops.

RandomGamma and RandomPoissonV2 draw from the op's stream in the Session (seeded by graph and
op seed, as random_ops' ops). Stateless ops take their seed as an input and give the same
numbers for the same seed on every run: uniform (float and int) and normal draws are
TensorFlow's own Philox numbers (ops/philox.py; float32 normals to within 2 ulp), the others
come from a NumPy generator on the same Philox stream (deterministic, not TensorFlow's values).
"""
import math

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.constants import partial_shape_from_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.seeds import seed_attrs
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import array, math_ops, philox, random_ops
from tensorweave.ops._common import one

__all__ = ["random_gamma", "random_poisson", "random_crop"]


def _sample_then_param_shape(shape, param):
    """shape + param.shape: a draw per parameter per sample."""
    head = partial_shape_from_tensor(shape)
    if head.ndims is None or param.shape.ndims is None:
        return unknown_shape()
    return head.concatenate(param.shape)


def _check_float(op_type, dtype, what):
    if dtype not in (dtypes.float16, dtypes.float32, dtypes.float64):
        raise TypeError(f"{op_type} requires {what} of type half, float or double, got "
                        f"{dtype.name}")


# --- the incomplete gamma function and RandomGammaGrad ----------------------------------------
_lgamma = np.frompyfunc(math.lgamma, 1, 1)


def _lower_regularized_gamma(a, x):
    """P(a, x) in float64: its series below x = a + 1, 1 - the continued fraction of Q above."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.zeros(a.shape)
    log_front = a * np.log(np.where(x > 0, x, 1.0)) - x - _lgamma(a).astype(np.float64)
    series = (x > 0) & (x < a + 1)
    if series.any():
        aa, xx = a[series], x[series]
        term = 1.0 / aa
        total = term.copy()
        n = aa.copy()
        for _ in range(1000):
            n += 1
            term = term * xx / n
            total += term
            if np.all(np.abs(term) < np.abs(total) * 1e-17):
                break
        out[series] = total * np.exp(log_front[series])
    fraction = x >= a + 1
    if fraction.any():  # Lentz's method for Q's continued fraction
        aa, xx = a[fraction], x[fraction]
        tiny = 1e-300
        b = xx + 1.0 - aa
        c = np.full(aa.shape, 1.0 / tiny)
        d = 1.0 / b
        h = d.copy()
        for i in range(1, 1000):
            an = -i * (i - aa)
            b = b + 2.0
            d = an * d + b
            d = np.where(np.abs(d) < tiny, tiny, d)
            c = b + an / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            d = 1.0 / d
            delta = d * c
            h = h * delta
            if np.all(np.abs(delta - 1.0) < 1e-16):
                break
        out[fraction] = 1.0 - np.exp(log_front[fraction]) * h
    return out


def gamma_sample_derivative(alpha, sample):
    """d sample / d alpha of Gamma(alpha, 1) samples at a fixed CDF value (implicit
    reparameterization): -dP(alpha, x)/dalpha / density(x), the CDF's derivative by central
    differences in float64 (accurate to ~1e-8 relative)."""
    a, x = np.broadcast_arrays(np.asarray(alpha, np.float64), np.asarray(sample, np.float64))
    step = 1e-4 * np.maximum(a, 1e-3)
    dcdf = (_lower_regularized_gamma(a + step, x) - _lower_regularized_gamma(a - step, x)) / \
        (2 * step)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_density = (a - 1) * np.log(x) - x - _lgamma(a).astype(np.float64)
        return -dcdf / np.exp(log_density)


def _gamma_grad_shape(alpha, sample):
    _check_float("RandomGammaGrad", alpha.dtype, "alpha")
    if alpha.dtype is not sample.dtype:
        raise TypeError(f"RandomGammaGrad requires inputs of one dtype, got {alpha.dtype.name} "
                        f"and {sample.dtype.name}")
    return [(alpha.dtype, array.broadcast_shapes(alpha.shape, sample.shape))]


def _gamma_grad_kernel(alpha, sample):
    return gamma_sample_derivative(alpha, sample).astype(alpha.dtype)


register_op("RandomGammaGrad", shape=_gamma_grad_shape, kernel=_gamma_grad_kernel, grad=None)


def _gamma_alpha_grad(grad, alpha, sample, leading):
    """sum over the sample dimensions of grad * d sample / d alpha (TensorFlow's rule)."""
    if leading is None:
        leading = array.size(array.shape(sample)) - array.rank(alpha)
    elif isinstance(leading, int) and leading == 0:
        return grad * create_op("RandomGammaGrad", [alpha, sample]).outputs[0]
    ones = array.fill(array.expand_dims(leading, 0) if not isinstance(leading, int)
                      else [leading], 1)
    broadcastable = array.reshape(alpha, array.concat([ones, array.shape(alpha)], 0))
    partial = create_op("RandomGammaGrad", [broadcastable, sample]).outputs[0]
    summed = math_ops.reduce_sum(grad * partial, axis=array.range_(0, leading))
    return array.reshape(summed, array.shape(alpha))


# --- RandomGamma, RandomPoissonV2 -------------------------------------------------------------
def _gamma_shape(shape, alpha, *, seed, seed2):
    _check_float("RandomGamma", alpha.dtype, "alpha")
    return [(alpha.dtype, _sample_then_param_shape(shape, alpha))]


class _Draws:
    """Per-output Philox readers: output o reads calls 256 * o + 0, 1, ... of `stream`,
    normals (two doubles per call) and uniforms (two doubles per call) each taken from the
    end of their last call, as TF's gamma and poisson kernels read them."""

    def __init__(self, stream, count):
        self.stream = stream
        self.next_call = np.arange(count, dtype=np.uint64) * np.uint64(256)
        self.normals = np.zeros((count, 2))
        self.normals_left = np.zeros(count, np.int64)
        self.uniforms = np.zeros((count, 2))
        self.uniforms_left = np.zeros(count, np.int64)

    def _calls(self, rows):
        words = self.stream.calls_at(self.next_call[rows])
        self.next_call[rows] += np.uint64(1)
        return words

    def normal(self, rows):
        empty = rows[self.normals_left[rows] == 0]
        if empty.size:
            self.normals[empty] = np.stack(philox.box_muller64(self._calls(empty)), axis=1)
            self.normals_left[empty] = 2
        self.normals_left[rows] -= 1
        return self.normals[rows, self.normals_left[rows]]

    def uniform(self, rows):
        empty = rows[self.uniforms_left[rows] == 0]
        if empty.size:
            words = self._calls(empty)
            self.uniforms[empty] = philox.uniform_doubles(words[:, 0::2], words[:, 1::2])
            self.uniforms_left[empty] = 2
        self.uniforms_left[rows] -= 1
        return self.uniforms[rows, self.uniforms_left[rows]]


_exact_log1p = np.frompyfunc(math.log1p, 1, 1)
_exact_pow = np.frompyfunc(math.pow, 2, 1)


def gamma_draws(stream, alpha, samples):
    """TF's RandomGamma kernel in float64: [samples, alpha.size] Gamma(alpha) draws, output
    o = alpha index * samples + sample index reading calls 256 * o on. alpha == 1 takes
    -log1p(-u); otherwise Marsaglia and Tsang's transformation-rejection on (normal, uniform)
    pairs, with alpha < 1 drawn at alpha + 1 and scaled by uniform ** (1 / alpha)."""
    alphas = np.repeat(np.asarray(alpha, np.float64).reshape(-1), samples)
    out = np.zeros(alphas.size)
    draws = _Draws(stream, alphas.size)
    exponential = np.nonzero(alphas == 1.0)[0]
    if exponential.size:
        u = draws.uniform(exponential)
        out[exponential] = -_exact_log1p(-u).astype(np.float64)
    small = alphas < 1
    d = alphas + np.where(small, 2.0 / 3, -1.0 / 3)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = 1.0 / 3 / np.sqrt(d)
    active = np.nonzero(alphas != 1.0)[0]
    while active.size:
        x = draws.normal(active)
        v = 1 + c[active] * x
        positive = ~(v <= 0)  # NaN goes on, as in TF
        rows, x, v = active[positive], x[positive], v[positive]
        v = v * v * v
        u = draws.uniform(rows)
        with np.errstate(divide="ignore", invalid="ignore"):
            accept = (u < 1 - 0.0331 * (x * x) * (x * x)) | \
                (np.log(u) < 0.5 * x * x + d[rows] * (1 - v + np.log(v)))
        done, v = rows[accept], v[accept]
        result = d[done] * v
        scaled = small[done]
        if scaled.any():
            b = draws.uniform(done[scaled])
            result[scaled] *= _exact_pow(b, 1 / alphas[done[scaled]]).astype(np.float64)
        out[done] = result
        finished = np.zeros(alphas.size, bool)
        finished[done] = True
        active = active[~finished[active]]
    return out.reshape(-1, samples).T


def _gamma_kernel(state, name, shape, alpha, *, seed, seed2):
    samples = int(np.prod(shape, dtype=np.int64))
    size = tuple(int(d) for d in shape) + alpha.shape
    if samples * alpha.size == 0:
        return np.zeros(size, alpha.dtype)
    stream = state.random_stream(name, seed, seed2).reserve_outputs(samples * alpha.size)
    with np.errstate(invalid="ignore"):
        return gamma_draws(stream, alpha, samples).astype(alpha.dtype).reshape(size)


def _gamma_grad(op, dy):
    shape = op.inputs[0]
    leading = shape.shape.as_list()[0] if shape.shape.ndims == 1 else None
    if leading is None:
        leading = array.shape(shape)[0]
    return [None, _gamma_alpha_grad(dy, op.inputs[1], op.outputs[0], leading)]


register_op("RandomGamma", shape=_gamma_shape, kernel=_gamma_kernel, stateful=True,
            grad=_gamma_grad)


def random_gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None, name=None):
    """Draws `shape` samples from each Gamma(alpha, beta) (beta: the inverse scale, default 1):
    shape + broadcast(alpha, beta).shape. Differentiable with respect to alpha and beta."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "random_gamma"):
        shape = array.as_shape_tensor(shape)
        alpha = convert_to_tensor(alpha, dtype=dtype, name="alpha")
        beta = convert_to_tensor(beta if beta is not None else 1, dtype=dtype, name="beta")
        alpha_broadcast = alpha + array.zeros_like(beta)
        sample = one(create_op("RandomGamma", [shape, alpha_broadcast], name="RandomGamma",
                               **seed_attrs(seed)))
        return math_ops.maximum(np.finfo(dtype.as_numpy_dtype).tiny, sample / beta)


def _poisson_shape(shape, rate, *, seed, seed2, dtype):
    if not (rate.dtype.is_floating or rate.dtype in (dtypes.int32, dtypes.int64)):
        raise TypeError(f"RandomPoissonV2 requires a rate of type half, float, double, int32 "
                        f"or int64, got {rate.dtype.name}")
    return [(dtype, _sample_then_param_shape(shape, rate))]


_lgamma_exact = np.frompyfunc(math.lgamma, 1, 1)


def poisson_draws(stream, rate, samples, highest):
    """TF's RandomPoissonV2 kernel in float64: [samples, rate.size] Poisson(rate) draws,
    output o reading calls 256 * o on. Rates under 10 count uniforms until their product
    falls to exp(-rate) (Knuth); larger rates use Hormann's transformed rejection on (u, v)
    pairs; `highest` is the output type's largest value (larger draws are redrawn)."""
    rates = np.repeat(np.asarray(rate, np.float64).reshape(-1), samples)
    out = np.zeros(rates.size)
    draws = _Draws(stream, rates.size)
    with np.errstate(over="ignore", invalid="ignore"):
        knuth = np.nonzero(rates < 10)[0]
        limit = np.exp(-rates[knuth])
        product = np.ones(knuth.size)
        count = np.zeros(knuth.size)
        while knuth.size:
            product *= draws.uniform(knuth)
            stop = (product <= limit) & (count <= highest)
            out[knuth[stop]] = count[stop]
            keep = ~stop
            knuth, limit, product, count = knuth[keep], limit[keep], product[keep], \
                count[keep] + 1
        out[np.isinf(rates) & (rates > 0)] = np.inf
        active = np.nonzero(~(rates < 10) & ~(np.isinf(rates) & (rates > 0)))[0]
        lam = rates[active]
        log_rate = np.log(lam)
        b = 0.931 + 2.53 * np.sqrt(lam)
        a = -0.059 + 0.02483 * b
        inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
        box = 0.9277 - 3.6224 / (b - 2)
        while active.size:
            u = draws.uniform(active) - 0.5
            v = draws.uniform(active)
            shifted = 0.5 - np.abs(u)
            k = np.floor((2 * a / shifted + b) * u + lam + 0.43)
            fits = ~(k > highest)
            quick = fits & (shifted >= 0.07) & (v <= box)
            test = fits & ~quick & ~((k < 0) | ((shifted < 0.013) & (v > shifted)))
            s = np.log(v[test] * inv_alpha[test] / (a[test] / (shifted[test] * shifted[test]) +
                                                     b[test]))
            t = -lam[test] + k[test] * log_rate[test] - \
                _lgamma_exact(k[test] + 1).astype(np.float64)
            accept = quick.copy()
            accept[np.nonzero(test)[0][s <= t]] = True
            out[active[accept]] = k[accept]
            keep = ~accept
            active, lam, log_rate, a, b, inv_alpha, box = (
                x[keep] for x in (active, lam, log_rate, a, b, inv_alpha, box))
    return out.reshape(-1, samples).T


def _poisson_kernel(state, name, shape, rate, *, seed, seed2, dtype):
    samples = int(np.prod(shape, dtype=np.int64))
    size = tuple(int(d) for d in shape) + rate.shape
    if samples * rate.size == 0:
        return np.zeros(size, dtype)
    out = np.dtype(dtype)
    highest = float(np.iinfo(out).max if out.kind == "i" else np.finfo(out).max)
    stream = state.random_stream(name, seed, seed2).reserve_outputs(samples * rate.size)
    values = poisson_draws(stream, rate, samples, highest)
    with np.errstate(invalid="ignore"):
        return values.astype(out).reshape(size)


register_op("RandomPoissonV2", shape=_poisson_shape, kernel=_poisson_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


def random_poisson(lam, shape, dtype=dtypes.float32, seed=None, name=None):
    """Draws `shape` samples from each Poisson(lam): shape + lam.shape, of `dtype`."""
    with name_scope(name, "random_poisson"):
        shape = array.as_shape_tensor(shape)
        lam = convert_to_tensor(lam, dtype=None if hasattr(lam, "dtype") else dtypes.float32,
                                name="lam")
        return one(create_op("RandomPoissonV2", [shape, lam], name="RandomPoissonV2",
                             dtype=dtypes.as_dtype(dtype), **seed_attrs(seed)))


def random_crop(value, size, seed=None, name=None):
    """A random `size` block of `value` (every dimension of `value` at least `size`'s)."""
    with name_scope(name, "random_crop") as scope:
        value = convert_to_tensor(value, name="value")
        size = convert_to_tensor(size, dtype=dtypes.int32, name="size")
        known, wanted = value.shape.as_list() if value.shape.ndims is not None else None, \
            constant_value(size)
        if known is not None and wanted is not None:
            if len(known) != len(wanted):
                raise ValueError(f"Need value.shape >= size, got {known} and {list(wanted)}")
            if any(k is not None and k < w for k, w in zip(known, wanted)):
                raise ValueError(f"Need value.shape >= size, got {known} and {list(wanted)}")
        limit = array.shape(value) - size + 1
        offset = random_ops.random_uniform(array.shape(limit), dtype=dtypes.int32,
                                           maxval=dtypes.int32.max, seed=seed) % limit
        return array.slice_(value, offset, size, name=scope[:-1] + "/")


# --- stateless ops ----------------------------------------------------------------------------
def _check_seed(op_type, seed):
    if seed.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"{op_type} requires an int32 or int64 seed, got {seed.dtype.name}")
    if not seed.shape.is_compatible_with([2]):
        raise ValueError(f"{op_type} requires a seed of shape [2], got {seed.shape}")


def _run_time_seed(op_type, seed):
    if seed.shape != (2,):
        raise errors.InvalidArgumentError(None, None, f"{op_type}: seed must have shape [2], "
                                                      f"not {list(seed.shape)}")
    return seed


def _register_stateless_float(op_type, draw, default_dtype=dtypes.float32):
    def shape(shape_tensor, seed, *, dtype=default_dtype):
        _check_seed(op_type, seed)
        _check_float(op_type, dtype, "dtype")
        return [(dtype, partial_shape_from_tensor(shape_tensor))]

    def kernel(shape_array, seed, *, dtype=default_dtype):
        dims = tuple(int(d) for d in shape_array)
        return draw(_run_time_seed(op_type, seed), dims, np.dtype(dtype))

    register_op(op_type, shape=shape, kernel=kernel, grad=NOT_DIFFERENTIABLE)


_register_stateless_float("StatelessRandomUniform", philox.uniform)
_register_stateless_float("StatelessRandomNormal", philox.normal)
_register_stateless_float("StatelessTruncatedNormal", philox.truncated_normal)


def _uniform_int_shape(shape, seed, minval, maxval, *, dtype):
    _check_seed("StatelessRandomUniformInt", seed)
    if dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"StatelessRandomUniformInt requires dtype int32 or int64, got "
                        f"{dtype.name}")
    for bound in (minval, maxval):
        if bound.dtype is not dtype:
            raise TypeError(f"StatelessRandomUniformInt requires {dtype.name} bounds, got "
                            f"{bound.dtype.name}")
        if not bound.shape.is_compatible_with([]):
            raise ValueError(f"StatelessRandomUniformInt requires scalar bounds, got shape "
                             f"{bound.shape}")
    return [(dtype, partial_shape_from_tensor(shape))]


def _uniform_int_kernel(shape, seed, minval, maxval, *, dtype):
    if minval >= maxval:
        raise errors.InvalidArgumentError(None, None, f"Need minval < maxval, got {minval} >= "
                                                      f"{maxval}")
    dims = tuple(int(d) for d in shape)
    return philox.uniform_int(_run_time_seed("StatelessRandomUniformInt", seed), dims, minval,
                              maxval, np.dtype(dtype))


register_op("StatelessRandomUniformInt", shape=_uniform_int_shape, kernel=_uniform_int_kernel,
            grad=NOT_DIFFERENTIABLE)


def _multinomial_shape(logits, num_samples, seed, *, output_dtype):
    _check_seed("StatelessMultinomial", seed)
    if logits.shape.ndims is not None and logits.shape.ndims != 2:
        raise ValueError(f"StatelessMultinomial requires 2-D logits, got shape {logits.shape}")
    n = constant_value(num_samples)
    batch = logits.shape.as_list()[0] if logits.shape.ndims else None
    return [(output_dtype, TensorShape([batch, None if n is None else int(n)]))]


def _multinomial_kernel(logits, num_samples, seed, *, output_dtype):
    """TF's multinomial kernel on the seed's stream (rows sampled as one shard: TF shards
    large batches over its threads, which moves where each shard's rows read)."""
    if logits.ndim != 2:
        raise errors.InvalidArgumentError(None, None, f"logits should be a matrix, got shape "
                                          f"{list(logits.shape)}")
    count = int(num_samples)
    if count < 0:
        raise errors.InvalidArgumentError(None, None, f"num_samples should be non-negative, "
                                          f"got {count}")
    if logits.shape[1] == 0:
        raise errors.InvalidArgumentError(None, None, "num_classes should be positive, got 0")
    if logits.shape[0] * count == 0:
        return np.zeros((logits.shape[0], count), output_dtype)
    stream = philox.stateless_stream(_run_time_seed("StatelessMultinomial", seed))
    return random_ops.multinomial_draws(stream, logits, count, output_dtype, 1)


register_op("StatelessMultinomial", shape=_multinomial_shape, kernel=_multinomial_kernel,
            grad=NOT_DIFFERENTIABLE)


def _param_draw_shape(op_type, n_params, out_dtype=None):
    def shape(shape_tensor, seed, *params, **attrs):
        _check_seed(op_type, seed)
        if len(params) != n_params:
            raise ValueError(f"{op_type} takes {n_params} parameters, got {len(params)}")
        out = partial_shape_from_tensor(shape_tensor)
        for p in params:
            if out.ndims is not None and p.shape.ndims is not None and p.shape.ndims > out.ndims:
                raise ValueError(f"{op_type} requires parameters that broadcast to the shape "
                                 f"{out}, got {p.shape}")
        dtype = attrs.get("dtype") or params[0].dtype
        return [(dtype, out)]
    return shape


def _gamma_v2_kernel(shape, seed, alpha):
    dims = tuple(int(d) for d in shape)
    rng = philox.generator(_run_time_seed("StatelessRandomGammaV2", seed))
    return rng.standard_gamma(np.broadcast_to(alpha.astype(np.float64), dims)).astype(
        alpha.dtype).reshape(dims)


def _gamma_v2_grad(op, dy):
    alpha, sample = op.inputs[2], op.outputs[0]
    rank = sample.shape.ndims
    leading = None if rank is None or alpha.shape.ndims is None else rank - alpha.shape.ndims
    return [None, None, _gamma_alpha_grad(dy, alpha, sample, leading)]


register_op("StatelessRandomGammaV2", shape=_param_draw_shape("StatelessRandomGammaV2", 1),
            kernel=_gamma_v2_kernel, grad=_gamma_v2_grad)


def _poisson_v_kernel(shape, seed, lam, *, dtype):
    dims = tuple(int(d) for d in shape)
    rng = philox.generator(_run_time_seed("StatelessRandomPoisson", seed))
    rate = np.broadcast_to(np.maximum(lam.astype(np.float64), 0), dims)
    return rng.poisson(rate).astype(dtype).reshape(dims)


register_op("StatelessRandomPoisson", shape=_param_draw_shape("StatelessRandomPoisson", 1),
            kernel=_poisson_v_kernel, grad=NOT_DIFFERENTIABLE)


def _binomial_kernel(shape, seed, counts, probs, *, dtype):
    dims = tuple(int(d) for d in shape)
    rng = philox.generator(_run_time_seed("StatelessRandomBinomial", seed))
    n = np.broadcast_to(counts.astype(np.float64), dims)
    p = np.broadcast_to(probs.astype(np.float64), dims)
    return rng.binomial(n.astype(np.int64), np.clip(p, 0, 1)).astype(dtype).reshape(dims)


register_op("StatelessRandomBinomial", shape=_param_draw_shape("StatelessRandomBinomial", 2),
            kernel=_binomial_kernel, grad=NOT_DIFFERENTIABLE)


def _truncated_between(rng, mean, std, low, high):
    """Normal(mean, std) draws restricted to [low, high] by inverting the normal CDF between
    the bounds' CDF values (by bisection on the standard normal CDF, in float64)."""
    a, b = (low - mean) / std, (high - mean) / std
    cdf = _standard_normal_cdf
    lo, hi = cdf(a), cdf(b)
    u = lo + rng.random(mean.shape) * (hi - lo)
    left, right = np.clip(a, -40.0, 40.0), np.clip(b, -40.0, 40.0)
    for _ in range(80):
        middle = 0.5 * (left + right)
        below = cdf(middle) < u
        left, right = np.where(below, middle, left), np.where(below, right, middle)
    return mean + std * 0.5 * (left + right)


_erf = np.frompyfunc(math.erf, 1, 1)


def _standard_normal_cdf(z):
    return 0.5 * (1.0 + _erf(np.asarray(z, np.float64) / math.sqrt(2.0)).astype(np.float64))


def _parameterized_truncated_kernel(shape, seed, means, stddevs, minvals, maxvals):
    dims = tuple(int(d) for d in shape)
    rng = philox.generator(_run_time_seed("StatelessParameterizedTruncatedNormal", seed))
    params = [np.broadcast_to(p.astype(np.float64), dims) for p in
              (means, stddevs, minvals, maxvals)]
    if np.any(params[2] >= params[3]):
        raise errors.InvalidArgumentError(None, None, "Invalid parameters: minval must be "
                                                      "smaller than maxval")
    return _truncated_between(rng, *params).astype(means.dtype).reshape(dims)


register_op("StatelessParameterizedTruncatedNormal",
            shape=_param_draw_shape("StatelessParameterizedTruncatedNormal", 4),
            kernel=_parameterized_truncated_kernel, grad=NOT_DIFFERENTIABLE)


def _full_int_shape(shape, seed, *, dtype):
    _check_seed("StatelessRandomUniformFullInt", seed)
    if dtype not in (dtypes.int32, dtypes.int64, dtypes.uint32, dtypes.uint64):
        raise TypeError(f"StatelessRandomUniformFullInt requires an int32, int64, uint32 or "
                        f"uint64 dtype, got {dtype.name}")
    return [(dtype, partial_shape_from_tensor(shape))]


def _full_int_kernel(shape, seed, *, dtype):
    dims = tuple(int(d) for d in shape)
    return philox.full_int(_run_time_seed("StatelessRandomUniformFullInt", seed), dims,
                           np.dtype(dtype))


register_op("StatelessRandomUniformFullInt", shape=_full_int_shape, kernel=_full_int_kernel,
            grad=NOT_DIFFERENTIABLE)


# --- tf.random.stateless_* --------------------------------------------------------------------
def _seed_tensor(seed):
    seed = convert_to_tensor(seed, dtype=None if hasattr(seed, "dtype") else dtypes.int64,
                             name="seed")
    return seed


def stateless_random_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32,
                             name=None, alg="auto_select"):
    """Uniform draws in [minval, maxval) fixed by `seed` (shape [2]): TensorFlow's numbers."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "stateless_random_uniform") as scope:
        shape = array.as_shape_tensor(shape)
        seed = _seed_tensor(seed)
        if dtype.is_integer:
            if minval is None and maxval is None:
                return one(create_op("StatelessRandomUniformFullInt", [shape, seed],
                                     name=scope[:-1] + "/", dtype=dtype))
            if minval is None or maxval is None:
                raise ValueError(f"For integer dtype {dtype.name}, minval and maxval must be "
                                 f"both `None` or both non-`None`.")
            bounds = [convert_to_tensor(v, dtype=dtype) for v in (minval, maxval)]
            return one(create_op("StatelessRandomUniformInt", [shape, seed, *bounds],
                                 name=scope[:-1] + "/", dtype=dtype))
        maxval = 1.0 if maxval is None else maxval
        sample = one(create_op("StatelessRandomUniform", [shape, seed], dtype=dtype,
                               name="StatelessRandomUniform"))
        low = convert_to_tensor(minval, dtype=dtype, name="min")
        high = convert_to_tensor(maxval, dtype=dtype, name="max")
        return math_ops.add(sample * (high - low), low, name=scope[:-1] + "/")


def stateless_random_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None,
                            alg="auto_select"):
    """Normal draws fixed by `seed`: TensorFlow's numbers (float32 to within 2 ulp)."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "stateless_random_normal") as scope:
        shape = array.as_shape_tensor(shape)
        mean = convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        sample = one(create_op("StatelessRandomNormal", [shape, _seed_tensor(seed)],
                               dtype=dtype, name="StatelessRandomNormal"))
        return math_ops.add(sample * stddev, mean, name=scope[:-1] + "/")


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32,
                               name=None, alg="auto_select"):
    """Normal draws within two standard deviations of the mean, fixed by `seed`."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "stateless_truncated_normal") as scope:
        shape = array.as_shape_tensor(shape)
        mean = convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        sample = one(create_op("StatelessTruncatedNormal", [shape, _seed_tensor(seed)],
                               dtype=dtype, name="StatelessTruncatedNormal"))
        return math_ops.add(sample * stddev, mean, name=scope[:-1] + "/")


def stateless_multinomial(logits, num_samples, seed, output_dtype=dtypes.int64, name=None):
    """`num_samples` class ids per row of `logits` [batch, classes], fixed by `seed`."""
    with name_scope(name, "stateless_multinomial"):
        return _stateless_categorical(logits, num_samples, seed, output_dtype)


def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None):
    """`num_samples` class ids per row of `logits` [batch, classes], fixed by `seed`."""
    with name_scope(name, "stateless_categorical"):
        return _stateless_categorical(logits, num_samples, seed, dtype)


def _stateless_categorical(logits, num_samples, seed, dtype):
    logits = convert_to_tensor(logits, name="logits")
    num = convert_to_tensor(num_samples, dtype=dtypes.int32, name="num_samples")
    return one(create_op("StatelessMultinomial", [logits, num, _seed_tensor(seed)],
                         output_dtype=dtypes.as_dtype(dtype), name="StatelessMultinomial"))


def stateless_random_gamma(shape, seed, alpha, beta=None, dtype=dtypes.float32, name=None):
    """Gamma(alpha, beta) draws of `shape` (alpha and beta broadcast to its trailing
    dimensions), fixed by `seed`; differentiable with respect to alpha and beta."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "stateless_random_gamma"):
        shape = array.as_shape_tensor(shape)
        alpha = convert_to_tensor(alpha, dtype=dtype, name="alpha")
        beta = convert_to_tensor(beta if beta is not None else 1, dtype=dtype, name="beta")
        alpha_broadcast = alpha + array.zeros_like(beta)
        sample = one(create_op("StatelessRandomGammaV2", [shape, _seed_tensor(seed),
                                                          alpha_broadcast],
                               name="StatelessRandomGammaV2"))
        return math_ops.maximum(np.finfo(dtype.as_numpy_dtype).tiny, sample / beta)


def stateless_random_poisson(shape, seed, lam, dtype=dtypes.int32, name=None):
    """Poisson(lam) draws of `shape` (lam broadcast to it), fixed by `seed`."""
    with name_scope(name, "stateless_random_poisson"):
        shape = array.as_shape_tensor(shape)
        lam = convert_to_tensor(lam, dtype=None if hasattr(lam, "dtype") else dtypes.float32,
                                name="lam")
        return one(create_op("StatelessRandomPoisson", [shape, _seed_tensor(seed), lam],
                             dtype=dtypes.as_dtype(dtype), name="StatelessRandomPoisson"))


def stateless_random_binomial(shape, seed, counts, probs, output_dtype=dtypes.int32, name=None):
    """Binomial(counts, probs) draws of `shape`, fixed by `seed`."""
    with name_scope(name, "stateless_random_binomial"):
        shape = array.as_shape_tensor(shape)
        probs = convert_to_tensor(probs, dtype=None if hasattr(probs, "dtype")
                                  else dtypes.float32, name="probs")
        counts = convert_to_tensor(counts, dtype=None if hasattr(counts, "dtype")
                                   else probs.dtype, name="counts")
        return one(create_op("StatelessRandomBinomial", [shape, _seed_tensor(seed), counts,
                                                         probs],
                             dtype=dtypes.as_dtype(output_dtype), name="StatelessRandomBinomial"))


def stateless_parameterized_truncated_normal(shape, seed, means=0.0, stddevs=1.0, minvals=-2.0,
                                             maxvals=2.0, name=None):
    """Normal(means, stddevs) draws restricted to [minvals, maxvals], fixed by `seed`."""
    with name_scope(name, "stateless_parameterized_truncated_normal"):
        shape = array.as_shape_tensor(shape)
        means = convert_to_tensor(means, dtype=None if hasattr(means, "dtype")
                                  else dtypes.float32, name="means")
        params = [convert_to_tensor(p, dtype=means.dtype) for p in (stddevs, minvals, maxvals)]
        return one(create_op("StatelessParameterizedTruncatedNormal",
                             [shape, _seed_tensor(seed), means, *params],
                             name="StatelessParameterizedTruncatedNormal"))


def split(seed, num=2, alg="auto_select"):
    """`num` new seeds [num, 2] from `seed` (tf.random.split)."""
    seed = _seed_tensor(seed)
    return stateless_random_uniform([num, 2], seed, minval=None, maxval=None, dtype=seed.dtype)


def fold_in(seed, data, alg="auto_select"):
    """A new seed from `seed` and integer `data` (tf.random.fold_in)."""
    data = convert_to_tensor(data)
    first = stateless_random_uniform([], seed, minval=None, maxval=None, dtype=data.dtype)
    return array.stack([first, data])

