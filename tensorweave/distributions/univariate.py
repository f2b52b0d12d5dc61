"""Scalar-event distributions of tf.distributions: Normal, Uniform, Bernoulli, Exponential,
Laplace, Gamma, Beta, StudentT (TF 1.15's formulas and parameter names)."""
import math

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.distributions.distribution import (FULLY_REPARAMETERIZED,
                                                    NOT_REPARAMETERIZED, Distribution)
from tensorweave.ops import array, math_ops, nn_ops, random_distributions, random_ops, \
    special_math
from tensorweave.ops.array import structural

__all__ = ["Normal", "Uniform", "Bernoulli", "Exponential", "Laplace", "Gamma", "Beta",
           "StudentT"]


def _params(names_values, dtype=None):
    """The parameters as tensors of one float dtype (the first's when dtype is None)."""
    out = []
    for name, value in names_values:
        own_dtype = isinstance(value, np.ndarray) or hasattr(value, "dtype")
        t = convert_to_tensor(value, dtype=dtype, name=name,
                              preferred_dtype=None if own_dtype else dtypes.float32)
        dtype = dtype or t.dtype
        out.append(t)
    return out


def _broadcast_shape(*tensors):
    shape = tensors[0].shape
    for t in tensors[1:]:
        shape = structural.broadcast_static_shape(shape, t.shape)
    return shape


def _broadcast_shape_tensor(*tensors):
    shape = array.shape(tensors[0])
    for t in tensors[1:]:
        shape = structural.broadcast_dynamic_shape(shape, array.shape(t))
    return shape


def _sample_shape(dist, n):
    return array.concat([array.reshape(n, [1]), dist.batch_shape_tensor()], 0)


def _seed(seed, salt):
    """Derives a second op seed from `seed` for a second draw (TF's seed_stream in spirit)."""
    return None if seed is None else (int(seed) * 7919 + salt) % (2 ** 31 - 1)


class _Scalar(Distribution):
    """Parameters broadcast together; batch shape is their broadcast shape."""

    _param_names = ()

    def __init__(self, params, reparameterization_type, validate_args, allow_nan_stats, name,
                 parameters):
        self._tensors = params
        for pname, tensor in zip(self._param_names, params):
            setattr(self, "_" + pname, tensor)
        super().__init__(params[0].dtype, reparameterization_type, validate_args,
                         allow_nan_stats, parameters, params, name)

    def _batch_shape(self):
        return _broadcast_shape(*self._tensors)

    def _batch_shape_tensor(self):
        return _broadcast_shape_tensor(*self._tensors)

    def _ones(self):
        return array.ones(self.batch_shape_tensor(), dtype=self.dtype)


def _scope(name, values):
    return name_scope(name, values=values)


class Normal(_Scalar):
    """Normal(loc, scale): density exp(-((x - loc) / scale)^2 / 2) / (scale sqrt(2 pi))."""

    _param_names = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=False, allow_nan_stats=True, name="Normal"):
        parameters = dict(locals())
        with _scope(name, [loc, scale]) as scope:
            params = _params([("loc", loc), ("scale", scale)])
        super().__init__(params, FULLY_REPARAMETERIZED, validate_args, allow_nan_stats, scope,
                         parameters)

    loc = property(lambda self: self._loc)
    scale = property(lambda self: self._scale)

    def _sample_n(self, n, seed=None):
        z = random_ops.random_normal(_sample_shape(self, n), dtype=self.dtype, seed=seed)
        return z * self._scale + self._loc

    def _z(self, x):
        return (x - self._loc) / self._scale

    def _log_prob(self, x):
        return -0.5 * math_ops.square(self._z(x)) - (0.5 * math.log(2. * math.pi)
                                                     + math_ops.log(self._scale))

    def _cdf(self, x):
        return 0.5 * special_math.erfc(-self._z(x) / math.sqrt(2.))

    def _log_cdf(self, x):
        return math_ops.log(self._cdf(x))

    def _survival_function(self, x):
        return 0.5 * special_math.erfc(self._z(x) / math.sqrt(2.))

    def _entropy(self):
        return (0.5 * math.log(2. * math.pi * math.e) + math_ops.log(self._scale)) * self._ones()

    def _mean(self):
        return self._loc * self._ones()

    def _quantile(self, p):
        return self._loc + self._scale * math.sqrt(2.) * special_math.erfinv(2. * p - 1.)

    def _stddev(self):
        return self._scale * self._ones()

    _mode = _mean


class Uniform(_Scalar):
    """Uniform(low, high) on [low, high)."""

    _param_names = ("low", "high")

    def __init__(self, low=0., high=1., validate_args=False, allow_nan_stats=True,
                 name="Uniform"):
        parameters = dict(locals())
        with _scope(name, [low, high]) as scope:
            params = _params([("low", low), ("high", high)])
        super().__init__(params, FULLY_REPARAMETERIZED, validate_args, allow_nan_stats, scope,
                         parameters)

    low = property(lambda self: self._low)
    high = property(lambda self: self._high)

    def range(self, name="range"):
        with name_scope(self._name), name_scope(name):
            return self._high - self._low

    def _sample_n(self, n, seed=None):
        u = random_ops.random_uniform(_sample_shape(self, n), dtype=self.dtype, seed=seed)
        return self._low + (self._high - self._low) * u

    def _prob(self, x):
        inside = math_ops.logical_and(x >= self._low, x < self._high)
        zeros = array.zeros_like(x + self._low)
        return array.where(inside, zeros + 1. / (self._high - self._low), zeros)

    def _log_prob(self, x):
        return math_ops.log(self._prob(x))

    def _cdf(self, x):
        zeros = array.zeros_like(x + self._low)
        ones = zeros + 1.
        result = array.where(x < self._low, zeros, (x - self._low) / (self._high - self._low))
        return array.where(x >= self._high, ones, result)

    def _entropy(self):
        return math_ops.log(self._high - self._low)

    def _mean(self):
        return (self._low + self._high) / 2.

    def _variance(self):
        return math_ops.square(self._high - self._low) / 12.

    def _stddev(self):
        return (self._high - self._low) / math.sqrt(12.)


class Bernoulli(Distribution):
    """Bernoulli(logits=, probs=): 1 with probability probs (int32 samples by default)."""

    def __init__(self, logits=None, probs=None, dtype=dtypes.int32, validate_args=False,
                 allow_nan_stats=True, name="Bernoulli"):
        parameters = dict(locals())
        if (logits is None) == (probs is None):
            raise ValueError("Must pass probs or logits, but not both.")
        with _scope(name, [logits, probs]) as scope:
            if probs is None:
                self._logits, = _params([("logits", logits)])
                self._probs = math_ops.sigmoid(self._logits)
            else:
                self._probs, = _params([("probs", probs)])
                self._logits = math_ops.log(self._probs) - math_ops.log1p(-self._probs)
        super().__init__(dtypes.as_dtype(dtype), NOT_REPARAMETERIZED, validate_args,
                         allow_nan_stats, parameters, [self._logits, self._probs], scope)

    logits = property(lambda self: self._logits)
    probs = property(lambda self: self._probs)

    def _batch_shape(self):
        return self._logits.shape

    def _batch_shape_tensor(self):
        return array.shape(self._logits)

    def _sample_n(self, n, seed=None):
        u = random_ops.random_uniform(_sample_shape(self, n), dtype=self._probs.dtype,
                                      seed=seed)
        return array.cast(math_ops.less(u, self._probs), self.dtype)

    def log_prob(self, value, name="log_prob"):
        with name_scope(self._name), name_scope(name):
            return self._log_prob(convert_to_tensor(value, name="value"))

    def prob(self, value, name="prob"):
        with name_scope(self._name), name_scope(name):
            return math_ops.exp(self._log_prob(convert_to_tensor(value, name="value")))

    def _log_prob(self, event):
        event = array.cast(event, self._logits.dtype)
        logits = self._logits
        if event.shape.is_fully_defined() and logits.shape.is_fully_defined() and \
                event.shape != logits.shape:
            logits = array.ones_like(event) * logits
            event = array.ones_like(logits) * event
        return -nn_ops.sigmoid_cross_entropy_with_logits(labels=event, logits=logits)

    def _entropy(self):
        return (-self._logits * (math_ops.sigmoid(self._logits) - 1.)
                + nn_ops.softplus(-self._logits))

    def _mean(self):
        return array.identity(self._probs)

    def _variance(self):
        return self._probs * (1. - self._probs)

    def _mode(self):
        return array.cast(self._probs > 0.5, self.dtype)


class Exponential(_Scalar):
    """Exponential(rate): density rate exp(-rate x) for x >= 0."""

    _param_names = ("rate",)

    def __init__(self, rate, validate_args=False, allow_nan_stats=True, name="Exponential"):
        parameters = dict(locals())
        with _scope(name, [rate]) as scope:
            params = _params([("rate", rate)])
        super().__init__(params, FULLY_REPARAMETERIZED, validate_args, allow_nan_stats, scope,
                         parameters)

    rate = property(lambda self: self._rate)
    concentration = property(lambda self: array.ones_like(self._rate))

    def _sample_n(self, n, seed=None):
        tiny = np.finfo(self.dtype.as_numpy_dtype).tiny
        u = random_ops.random_uniform(_sample_shape(self, n), minval=tiny, maxval=1.,
                                      dtype=self.dtype, seed=seed)
        return -math_ops.log(u) / self._rate

    def _log_prob(self, x):
        return math_ops.log(self._rate) - self._rate * x

    def _cdf(self, x):
        return -special_math.expm1(-self._rate * x)

    def _entropy(self):
        return 1. - math_ops.log(self._rate)

    def _mean(self):
        return 1. / self._rate

    def _variance(self):
        return 1. / math_ops.square(self._rate)

    def _mode(self):
        # TF's Exponential is a Gamma with concentration 1, whose mode is NaN there
        zeros = array.zeros_like(self._rate)
        if self._allow_nan_stats:
            return zeros + np.array(np.nan, dtype=self.dtype.as_numpy_dtype)
        return zeros


class Laplace(_Scalar):
    """Laplace(loc, scale): density exp(-|x - loc| / scale) / (2 scale)."""

    _param_names = ("loc", "scale")

    def __init__(self, loc, scale, validate_args=False, allow_nan_stats=True, name="Laplace"):
        parameters = dict(locals())
        with _scope(name, [loc, scale]) as scope:
            params = _params([("loc", loc), ("scale", scale)])
        super().__init__(params, FULLY_REPARAMETERIZED, validate_args, allow_nan_stats, scope,
                         parameters)

    loc = property(lambda self: self._loc)
    scale = property(lambda self: self._scale)

    def _sample_n(self, n, seed=None):
        eps = np.finfo(self.dtype.as_numpy_dtype).eps
        u = random_ops.random_uniform(_sample_shape(self, n), minval=-1. + eps, maxval=1.,
                                      dtype=self.dtype, seed=seed)
        return self._loc - self._scale * math_ops.sign(u) * math_ops.log1p(-math_ops.abs(u))

    def _log_prob(self, x):
        return (-math.log(2.) - math_ops.log(self._scale)
                - math_ops.abs(x - self._loc) / self._scale)

    def _cdf(self, x):
        z = (x - self._loc) / self._scale
        half_exp = 0.5 * math_ops.exp(-math_ops.abs(z))
        return array.where(z < 0., half_exp, 1. - half_exp)

    def _entropy(self):
        return (math.log(2.) + 1. + math_ops.log(self._scale)) * self._ones()

    def _mean(self):
        return self._loc * self._ones()

    def _stddev(self):
        return math.sqrt(2.) * self._scale * self._ones()

    _mode = _mean


class Gamma(_Scalar):
    """Gamma(concentration, rate): density x^(a-1) exp(-rate x) rate^a / Gamma(a)."""

    _param_names = ("concentration", "rate")

    def __init__(self, concentration, rate, validate_args=False, allow_nan_stats=True,
                 name="Gamma"):
        parameters = dict(locals())
        with _scope(name, [concentration, rate]) as scope:
            params = _params([("concentration", concentration), ("rate", rate)])
        super().__init__(params, NOT_REPARAMETERIZED, validate_args, allow_nan_stats, scope,
                         parameters)

    concentration = property(lambda self: self._concentration)
    rate = property(lambda self: self._rate)

    def _sample_n(self, n, seed=None):
        return random_distributions.random_gamma(
            array.reshape(n, [1]), alpha=self._concentration * self._ones(), beta=self._rate,
            dtype=self.dtype, seed=seed)

    def _log_prob(self, x):
        a, b = self._concentration, self._rate
        return (special_math.xlogy(a - 1., x) - b * x + a * math_ops.log(b)
                - special_math.lgamma(a))

    def _cdf(self, x):
        return special_math.igamma(self._concentration, self._rate * x)

    def _entropy(self):
        a = self._concentration
        return (a - math_ops.log(self._rate) + special_math.lgamma(a)
                + (1. - a) * special_math.digamma(a))

    def _mean(self):
        return self._concentration / self._rate

    def _variance(self):
        return self._concentration / math_ops.square(self._rate)

    def _stddev(self):
        return math_ops.sqrt(self._concentration) / self._rate

    def _mode(self):
        mode = (self._concentration - 1.) / self._rate
        if self._allow_nan_stats:
            nan = np.array(np.nan, dtype=self.dtype.as_numpy_dtype)
            return array.where(self._concentration > 1., mode, array.zeros_like(mode) + nan)
        return mode


class Beta(_Scalar):
    """Beta(concentration1, concentration0): density x^(a-1) (1-x)^(b-1) / B(a, b)."""

    _param_names = ("concentration1", "concentration0")

    def __init__(self, concentration1=None, concentration0=None, validate_args=False,
                 allow_nan_stats=True, name="Beta"):
        parameters = dict(locals())
        with _scope(name, [concentration1, concentration0]) as scope:
            params = _params([("concentration1", concentration1),
                              ("concentration0", concentration0)])
        super().__init__(params, NOT_REPARAMETERIZED, validate_args, allow_nan_stats, scope,
                         parameters)
        self._total_concentration = self._concentration1 + self._concentration0

    concentration1 = property(lambda self: self._concentration1)
    concentration0 = property(lambda self: self._concentration0)
    total_concentration = property(lambda self: self._total_concentration)

    def _sample_n(self, n, seed=None):
        shape = array.reshape(n, [1])
        g1 = random_distributions.random_gamma(shape, self._concentration1 * self._ones(),
                                               dtype=self.dtype, seed=seed)
        g0 = random_distributions.random_gamma(shape, self._concentration0 * self._ones(),
                                               dtype=self.dtype, seed=_seed(seed, 1))
        return g1 / (g1 + g0)

    def _log_normalization(self):
        a, b = self._concentration1, self._concentration0
        return special_math.lgamma(a) + special_math.lgamma(b) - special_math.lgamma(a + b)

    def _log_prob(self, x):
        a, b = self._concentration1, self._concentration0
        return (special_math.xlogy(a - 1., x) + (b - 1.) * math_ops.log1p(-x)
                - self._log_normalization())

    def _cdf(self, x):
        return special_math.betainc(self._concentration1, self._concentration0, x)

    def _entropy(self):
        a, b, t = self._concentration1, self._concentration0, self._total_concentration
        return (self._log_normalization() - (a - 1.) * special_math.digamma(a)
                - (b - 1.) * special_math.digamma(b) + (t - 2.) * special_math.digamma(t))

    def _mean(self):
        return self._concentration1 / self._total_concentration

    def _variance(self):
        t = self._total_concentration
        return self._mean() * (1. - self._mean()) / (1. + t)

    def _mode(self):
        mode = (self._concentration1 - 1.) / (self._total_concentration - 2.)
        if self._allow_nan_stats:
            nan = np.array(np.nan, dtype=self.dtype.as_numpy_dtype)
            ok = math_ops.logical_and(self._concentration1 > 1., self._concentration0 > 1.)
            return array.where(ok, mode, array.zeros_like(mode) + nan)
        return mode


class StudentT(_Scalar):
    """StudentT(df, loc, scale)."""

    _param_names = ("df", "loc", "scale")

    def __init__(self, df, loc, scale, validate_args=False, allow_nan_stats=True,
                 name="StudentT"):
        parameters = dict(locals())
        with _scope(name, [df, loc, scale]) as scope:
            params = _params([("df", df), ("loc", loc), ("scale", scale)])
        super().__init__(params, NOT_REPARAMETERIZED, validate_args, allow_nan_stats, scope,
                         parameters)

    df = property(lambda self: self._df)
    loc = property(lambda self: self._loc)
    scale = property(lambda self: self._scale)

    def _sample_n(self, n, seed=None):
        shape = _sample_shape(self, n)
        z = random_ops.random_normal(shape, dtype=self.dtype, seed=seed)
        gamma = random_distributions.random_gamma(
            array.reshape(n, [1]), 0.5 * self._df * self._ones(), beta=0.5, dtype=self.dtype,
            seed=_seed(seed, 2))
        return self._loc + self._scale * z * math_ops.rsqrt(gamma / self._df)

    def _log_prob(self, x):
        y = (x - self._loc) / self._scale
        df = self._df
        log_unnormalized = -0.5 * (df + 1.) * math_ops.log1p(math_ops.square(y) / df)
        log_normalization = (math_ops.log(math_ops.abs(self._scale)) + 0.5 * math_ops.log(df)
                             + 0.5 * math.log(math.pi) + special_math.lgamma(0.5 * df)
                             - special_math.lgamma(0.5 * (df + 1.)))
        return log_unnormalized - log_normalization

    def _cdf(self, x):
        y = (x - self._loc) / self._scale
        t = self._df / (math_ops.square(y) + self._df)
        neg_cdf = 0.5 * special_math.betainc(0.5 * self._df, 0.5 * self._ones(), t)
        return array.where(y < 0., neg_cdf, 1. - neg_cdf)

    def _entropy(self):
        df = self._df * self._ones()
        half = 0.5 * (df + 1.)
        return (half * (special_math.digamma(half) - special_math.digamma(0.5 * df))
                + 0.5 * math_ops.log(df) + special_math.lgamma(0.5 * df)
                + 0.5 * math.log(math.pi) - special_math.lgamma(half)
                + math_ops.log(math_ops.abs(self._scale)))

    def _mean(self):
        mean = self._loc * self._ones()
        if self._allow_nan_stats:
            nan = np.array(np.nan, dtype=self.dtype.as_numpy_dtype)
            return array.where(self._df * self._ones() > 1., mean,
                               array.zeros_like(mean) + nan)
        return mean

    def _variance(self):
        df = self._df * self._ones()
        var = math_ops.square(self._scale) * df / (df - 2.)
        inf = np.array(np.inf, dtype=self.dtype.as_numpy_dtype)
        var = array.where(df > 2., var, array.zeros_like(var) + inf)
        if self._allow_nan_stats:
            nan = np.array(np.nan, dtype=self.dtype.as_numpy_dtype)
            return array.where(df > 1., var, array.zeros_like(var) + nan)
        return var

    def _mode(self):
        return self._loc * self._ones()
