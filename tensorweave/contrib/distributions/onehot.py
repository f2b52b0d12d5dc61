"""tf.contrib.distributions' one-hot categoricals: OneHotCategorical, and the Gumbel-softmax
(Concrete) relaxations ExpRelaxedOneHotCategorical and RelaxedOneHotCategorical (TF 1.15's
arguments and formulas; the event is the last axis of logits/probs).

    d = tf.contrib.distributions.RelaxedOneHotCategorical(0.5, logits=[0., 1., 2.])
    y = d.sample(4, seed=1)          # [4, 3], rows on the simplex, differentiable in logits
    d.log_prob(y)                    # [4]
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import control_dependencies, name_scope
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.contrib.distributions.bijectors import scalar as scalar_bijectors
from tensorweave.contrib.distributions.transformed import TransformedDistribution
from tensorweave.distributions.distribution import (Distribution, FULLY_REPARAMETERIZED,
                                                    NOT_REPARAMETERIZED, float_tensor)
from tensorweave.distributions.kullback_leibler import RegisterKL
from tensorweave.ops import array, check_ops, math_ops, nn_ops, random_ops, special_math
from tensorweave.ops.array.diagonal import matrix_set_diag

__all__ = ["OneHotCategorical", "ExpRelaxedOneHotCategorical", "RelaxedOneHotCategorical"]




def logits_and_probs(logits, probs, validate_args, dtype=None):
    """TF's get_logits_and_probs(multidimensional=True): both, from the one given."""
    if (logits is None) == (probs is None):
        raise ValueError("Must pass probs or logits, but not both.")
    if probs is None:
        logits = float_tensor(logits, "logits", dtype)
        return logits, nn_ops.softmax(logits, name="probs")
    probs = float_tensor(probs, "probs", dtype)
    if validate_args:
        one = array.ones([], probs.dtype)
        checks = [check_ops.assert_non_negative(probs),
                  check_ops.assert_near(math_ops.reduce_sum(probs, -1), one,
                                        message="probs does not sum to 1."),
                  check_ops.assert_less_equal(probs, one,
                                              message="probs has components greater than 1.")]
        with control_dependencies(checks):
            probs = array.identity(probs)
    with name_scope("logits"):
        return math_ops.log(probs), probs


class _OneHotEvent(Distribution):
    """Batch shape: logits' axes but the last; event shape: the last one."""

    def _batch_shape(self):
        shape = self._logits.shape
        return TensorShape(None) if shape.ndims is None else shape[:-1]

    def _batch_shape_tensor(self):
        return array.shape(self._logits)[:-1]

    def _event_shape(self):
        shape = self._logits.shape
        return TensorShape(None) if shape.ndims is None else shape[-1:]

    def event_shape_tensor(self, name="event_shape_tensor"):
        with name_scope(self._name), name_scope(name):
            return array.shape(self._logits)[-1:]

    logits = property(lambda self: self._logits)
    probs = property(lambda self: self._probs)
    event_size = property(lambda self: self._event_size)

    def _depth(self):
        """The number of classes: an int when known statically, else a scalar tensor."""
        size = self.event_shape
        return size[0].value if size.ndims == 1 and size[0].value is not None \
            else self._event_size

    def _with_static_shape(self, samples):
        samples.set_shape(TensorShape([None]).concatenate(self.batch_shape)
                          .concatenate(self.event_shape))
        return samples

    def _broadcast_with_logits(self, x):
        """x and logits broadcast to one shape, flattened to [-1, K], and that shape's batch."""
        logits = self._logits
        if not (x.shape.is_fully_defined() and logits.shape.is_fully_defined()
                and x.shape == logits.shape):
            logits = array.ones_like(x, dtype=logits.dtype) * logits
            x = array.ones_like(logits, dtype=x.dtype) * x
        logits_shape = array.shape(math_ops.reduce_sum(logits, -1))
        return (array.reshape(x, [-1, self._event_size]),
                array.reshape(logits, [-1, self._event_size]), logits_shape)


class OneHotCategorical(_OneHotEvent):
    """OneHotCategorical(logits=, probs=): one of K classes as a one-hot vector (int32 by
    default)."""

    def __init__(self, logits=None, probs=None, dtype=dtypes.int32, validate_args=False,
                 allow_nan_stats=True, name="OneHotCategorical"):
        parameters = dict(locals())
        with name_scope(name, values=[logits, probs]) as scope:
            self._logits, self._probs = logits_and_probs(logits, probs, validate_args)
            self._event_size = array.shape(self._logits)[-1]
        super().__init__(dtypes.as_dtype(dtype), NOT_REPARAMETERIZED, validate_args,
                         allow_nan_stats, parameters, [self._logits, self._probs], scope)

    def log_prob(self, value, name="log_prob"):
        with name_scope(self._name), name_scope(name):
            return self._log_prob(convert_to_tensor(value, name="value",
                                                    preferred_dtype=self.dtype))

    def prob(self, value, name="prob"):
        with name_scope(self._name), name_scope(name):
            return math_ops.exp(self._log_prob(convert_to_tensor(value, name="value",
                                                                 preferred_dtype=self.dtype)))

    def _sample_n(self, n, seed=None):
        logits_2d = array.reshape(self._logits, [-1, self._event_size])
        sample_dtype = dtypes.int64 if self.dtype.size > 4 else dtypes.int32
        draws = random_ops.multinomial(logits_2d, n, seed=seed, output_dtype=sample_dtype)
        draws = array.reshape(array.transpose(draws),
                              array.concat([array.reshape(n, [1]), self.batch_shape_tensor()],
                                           0))
        return self._with_static_shape(array.one_hot(draws, self._depth(), dtype=self.dtype))

    def _log_prob(self, x):
        x = array.cast(x, self._logits.dtype)
        x_2d, logits_2d, batch = self._broadcast_with_logits(x)
        ret = -nn_ops.softmax_cross_entropy_with_logits_v2(labels=x_2d, logits=logits_2d)
        return array.reshape(ret, batch)

    def _entropy(self):
        return -math_ops.reduce_sum(nn_ops.log_softmax(self._logits) * self._probs, axis=-1)

    def _mean(self):
        return array.identity(self._probs)

    def _variance(self):
        return self._probs * (1. - self._probs)

    def _covariance(self):
        p = self._probs
        outer = -array.expand_dims(p, -1) * array.expand_dims(p, -2)
        return matrix_set_diag(outer, self._variance())

    def _mode(self):
        return array.one_hot(math_ops.argmax(self._logits, axis=-1), self._depth(),
                             dtype=self.dtype)


class ExpRelaxedOneHotCategorical(_OneHotEvent):
    """ExpRelaxedOneHotCategorical(temperature, logits=, probs=): the logarithm of a
    RelaxedOneHotCategorical sample (log-probability vectors: logsumexp 0)."""

    def __init__(self, temperature, logits=None, probs=None, dtype=None, validate_args=False,
                 allow_nan_stats=True, name="ExpRelaxedOneHotCategorical"):
        parameters = dict(locals())
        with name_scope(name, values=[logits, probs, temperature]) as scope:
            self._logits, self._probs = logits_and_probs(logits, probs, validate_args, dtype)
            dtype = self._logits.dtype
            temperature = convert_to_tensor(temperature, name="temperature", dtype=dtype)
            checks = [check_ops.assert_positive(temperature)] if validate_args else []
            with control_dependencies(checks):
                self._temperature = array.identity(temperature, name="temperature")
            self._event_size = array.shape(self._logits)[-1]
        super().__init__(dtype, FULLY_REPARAMETERIZED, validate_args, allow_nan_stats,
                         parameters, [self._logits, self._probs, self._temperature], scope)

    temperature = property(lambda self: self._temperature)

    def _temperature_per_event(self):
        """temperature with a trailing axis, to broadcast against [..., batch, K]."""
        return array.expand_dims(self._temperature, -1)

    def _sample_n(self, n, seed=None):
        sample_shape = array.concat([array.reshape(n, [1]), array.shape(self._logits)], 0)
        # uniform on the open interval (0, 1): tiny, the smallest normal number, is the floor
        uniform = random_ops.random_uniform(sample_shape,
                                            minval=np.finfo(self.dtype.as_numpy_dtype).tiny,
                                            maxval=1., dtype=self.dtype, seed=seed)
        gumbel = -math_ops.log(-math_ops.log(uniform))
        noisy_logits = (gumbel + self._logits) / self._temperature_per_event()
        return self._with_static_shape(nn_ops.log_softmax(noisy_logits))

    def _log_prob(self, x):
        if self._validate_args:
            zero = array.zeros([], dtype=self.dtype)
            with control_dependencies([
                    check_ops.assert_non_positive(x),
                    check_ops.assert_near(zero, math_ops.reduce_logsumexp(x, axis=[-1]))]):
                x = array.identity(x)
        k = array.cast(self._event_size, x.dtype)
        log_norm_const = special_math.lgamma(k) + (k - 1.) * math_ops.log(self._temperature)
        log_softmax = nn_ops.log_softmax(self._logits - x * self._temperature_per_event())
        return log_norm_const + math_ops.reduce_sum(log_softmax, [-1])


class RelaxedOneHotCategorical(TransformedDistribution):
    """RelaxedOneHotCategorical(temperature, logits=, probs=): the Concrete / Gumbel-softmax
    distribution on the simplex, the Exp of an ExpRelaxedOneHotCategorical (as in TF, a
    TransformedDistribution); reparameterized samples approach one-hot vectors as the
    temperature goes to 0."""

    def __init__(self, temperature, logits=None, probs=None, dtype=None, validate_args=False,
                 allow_nan_stats=True, name="RelaxedOneHotCategorical"):
        parameters = dict(locals())
        distribution = ExpRelaxedOneHotCategorical(
            temperature, logits=logits, probs=probs, dtype=dtype, validate_args=validate_args,
            allow_nan_stats=allow_nan_stats)
        super().__init__(distribution, scalar_bijectors.Exp(validate_args=validate_args),
                         validate_args=validate_args, name=name, parameters=parameters)

    temperature = property(lambda self: self.distribution.temperature)
    logits = property(lambda self: self.distribution.logits)
    probs = property(lambda self: self.distribution.probs)


@RegisterKL(OneHotCategorical, OneHotCategorical)
def _kl_onehot_onehot(a, b, name=None):
    """KL(a || b) of two OneHotCategoricals."""
    with name_scope(name, "kl_categorical_categorical", values=[a.logits, b.logits]):
        return math_ops.reduce_sum(nn_ops.softmax(a.logits) * (
            nn_ops.log_softmax(a.logits) - nn_ops.log_softmax(b.logits)), axis=-1)
