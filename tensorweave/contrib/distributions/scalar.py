"""tf.contrib.distributions' Logistic(loc, scale) and Poisson(rate= or log_rate=) (TF 1.15's
arguments and formulas).

    tf.contrib.distributions.Logistic(0., 1.).cdf(0.)          # 0.5
    tf.contrib.distributions.Poisson(rate=3.).log_prob(2.)     # log(3^2 e^-3 / 2!)
"""
import math

import numpy as np

from tensorweave.core.graph import control_dependencies, name_scope
from tensorweave.distributions.distribution import (Distribution, FULLY_REPARAMETERIZED,
                                                    NOT_REPARAMETERIZED, float_tensor)
from tensorweave.ops import array, check_ops, math_ops, nn_ops, random_distributions, \
    random_ops, special_math
from tensorweave.ops.array import structural

__all__ = ["Logistic", "Poisson"]




def _positive(tensor, validate_args):
    if not validate_args:
        return tensor
    with control_dependencies([check_ops.assert_positive(tensor)]):
        return array.identity(tensor)


class Logistic(Distribution):
    """Logistic(loc, scale): cdf sigmoid((x - loc) / scale)."""

    def __init__(self, loc, scale, validate_args=False, allow_nan_stats=True,
                 name="Logistic"):
        parameters = dict(locals())
        with name_scope(name, values=[loc, scale]) as scope:
            self._loc = float_tensor(loc, "loc")
            self._scale = _positive(float_tensor(scale, "scale", self._loc.dtype),
                                    validate_args)
        super().__init__(self._loc.dtype, FULLY_REPARAMETERIZED, validate_args,
                         allow_nan_stats, parameters, [self._loc, self._scale], scope)

    loc = property(lambda self: self._loc)
    scale = property(lambda self: self._scale)

    def _batch_shape(self):
        return structural.broadcast_static_shape(self._loc.shape, self._scale.shape)

    def _batch_shape_tensor(self):
        return structural.broadcast_dynamic_shape(array.shape(self._loc),
                                                  array.shape(self._scale))

    def _sample_n(self, n, seed=None):
        # uniform on the open interval (0, 1): tiny, the smallest normal number, is the floor
        uniform = random_ops.random_uniform(
            array.concat([array.reshape(n, [1]), self.batch_shape_tensor()], 0),
            minval=np.finfo(self.dtype.as_numpy_dtype).tiny, maxval=1., dtype=self.dtype,
            seed=seed)
        sampled = math_ops.log(uniform) - math_ops.log1p(-1. * uniform)
        return sampled * self._scale + self._loc

    def _z(self, x):
        with name_scope("standardize", values=[x]):
            return (x - self._loc) / self._scale

    def _log_prob(self, x):
        z = self._z(x)
        return (-z - 2. * nn_ops.softplus(-z)) - math_ops.log(self._scale)

    def _log_cdf(self, x):
        return -nn_ops.softplus(-self._z(x))

    def _cdf(self, x):
        return math_ops.sigmoid(self._z(x))

    def _log_survival_function(self, x):
        return -nn_ops.softplus(self._z(x))

    def _survival_function(self, x):
        return math_ops.sigmoid(-self._z(x))

    def _entropy(self):
        return 2. + math_ops.log(self._scale * array.ones_like(self._loc))

    def _mean(self):
        return self._loc * array.ones_like(self._scale)

    def _stddev(self):
        return self._scale * array.ones_like(self._loc) * (math.pi / math.sqrt(3.))

    _mode = _mean


class Poisson(Distribution):
    """Poisson(rate= or log_rate=): P(k) = rate^k exp(-rate) / k! (float counts; x is
    floored, as TF does, unless validate_args, which requires non-negative integers)."""

    def __init__(self, rate=None, log_rate=None, validate_args=False, allow_nan_stats=True,
                 name="Poisson"):
        parameters = dict(locals())
        with name_scope(name, values=[rate, log_rate]) as scope:
            if (rate is None) == (log_rate is None):
                raise ValueError("Must specify exactly one of `rate`, `log_rate`.")
            if log_rate is None:
                rate = _positive(float_tensor(rate, "rate"), validate_args)
                log_rate = math_ops.log(rate, name="log_rate")
            else:
                log_rate = float_tensor(log_rate, "log_rate")
                rate = math_ops.exp(log_rate, name="rate")
            if not rate.dtype.is_floating:
                raise TypeError(f"rate.dtype ({rate.dtype.name}) is not a supported float "
                                "type.")
        self._rate, self._log_rate = rate, log_rate
        super().__init__(rate.dtype, NOT_REPARAMETERIZED, validate_args, allow_nan_stats,
                         parameters, [rate, log_rate], scope)

    rate = property(lambda self: self._rate)
    log_rate = property(lambda self: self._log_rate)

    def _batch_shape(self):
        return self._rate.shape

    def _batch_shape_tensor(self):
        return array.shape(self._rate)

    def _counts(self, x):
        if not self._validate_args:
            return math_ops.floor(x)  # as scipy, whatever x is
        with control_dependencies([
                check_ops.assert_non_negative(x, message="x has negative components."),
                check_ops.assert_equal(x, math_ops.round(x),
                                       message="x has non-integer components.")]):
            return array.identity(x)

    def _log_prob(self, x):
        x = self._counts(x)
        return x * self._log_rate - special_math.lgamma(1. + x) - self._rate

    def _cdf(self, x):
        return special_math.igammac(1. + self._counts(x), self._rate)

    def _log_cdf(self, x):
        return math_ops.log(self._cdf(x))

    def _mean(self):
        return array.identity(self._rate)

    def _variance(self):
        return array.identity(self._rate)

    def _mode(self):
        return math_ops.floor(self._rate)

    def _sample_n(self, n, seed=None):
        return random_distributions.random_poisson(self._rate, array.reshape(n, [1]),
                                                   dtype=self.dtype, seed=seed)
