"""Vector-event distributions of tf.distributions: Dirichlet, Multinomial, DirichletMultinomial
(TF 1.15's formulas and parameter names; the event is the last axis of the parameters).

    d = tf.distributions.Dirichlet([1., 2., 3.])
    d.sample(4, seed=1)                  # [4, 3], rows on the simplex
    m = tf.distributions.Multinomial(total_count=5., probs=[0.2, 0.3, 0.5])
    m.log_prob([1., 1., 3.])

Samples: Dirichlet and DirichletMultinomial draw gammas (tf.random_gamma, whose numbers are
not TensorFlow's), so their samples follow the distribution without being TF's values;
Multinomial draws with tf.multinomial, TensorFlow's stream, as TF does.
"""
import hashlib

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.distributions.distribution import (Distribution, FULLY_REPARAMETERIZED,
                                                    NOT_REPARAMETERIZED, float_tensor)
from tensorweave.distributions.kullback_leibler import RegisterKL
from tensorweave.nn.functional import map_fn
from tensorweave.ops import array, math_ops, nn_ops, random_distributions, random_ops, \
    special_math
from tensorweave.ops.array.diagonal import matrix_set_diag

__all__ = ["Dirichlet", "Multinomial", "DirichletMultinomial"]




def _log_combinations(n, counts):
    """log(n! / prod(counts!)) over the last axis: the multinomial coefficient."""
    with name_scope("log_combinations"):
        return (special_math.lgamma(n + 1.)
                - math_ops.reduce_sum(special_math.lgamma(counts + 1.), axis=[-1]))


def new_seed(seed, salt):
    """TF's distribution_util.gen_new_seed: a second op seed derived from `seed`."""
    if seed is None:
        return None
    digest = hashlib.md5((str(seed) + salt).encode("utf-8")).hexdigest()
    return int(digest[:8], 16) & 0x7FFFFFFF


def _outer_minus(x, y, diagonal):
    """-x y^T (per batch) with `diagonal` on the diagonal: a covariance from its parts."""
    return matrix_set_diag(-math_ops.matmul(array.expand_dims(x, -1),
                                            array.expand_dims(y, -2)), diagonal)


class _VectorEvent(Distribution):
    """Batch shape: all axes but the last of `_shape_source`; event shape: the last one."""

    def _batch_shape(self):
        shape = self._shape_source.shape
        return None if shape.ndims is None else shape[:-1]

    def _batch_shape_tensor(self):
        return array.shape(self._shape_source)[:-1]

    def _event_shape(self):
        shape = self._shape_source.shape
        return None if shape.ndims is None else shape[-1:]

    def event_shape_tensor(self, name="event_shape_tensor"):
        with name_scope(self._name), name_scope(name):
            if self.event_shape.is_fully_defined():
                return convert_to_tensor(self.event_shape.as_list(), dtypes.int32)
            return array.shape(self._shape_source)[-1:]

    def _event_size(self):
        return self.event_shape_tensor()[0]

    def _with_static_shape(self, samples):
        """samples ([n] + batch + event, computed shapes) with the static shape known."""
        samples.set_shape(TensorShape([None]).concatenate(self.batch_shape)
                          .concatenate(self.event_shape))
        return samples


class Dirichlet(_VectorEvent):
    """Dirichlet(concentration): densities on the simplex, prod(x_j^(c_j - 1)) / B(c)."""

    def __init__(self, concentration, validate_args=False, allow_nan_stats=True,
                 name="Dirichlet"):
        parameters = dict(locals())
        with name_scope(name, values=[concentration]) as scope:
            self._concentration = float_tensor(concentration, "concentration")
            self._total_concentration = math_ops.reduce_sum(self._concentration, -1)
        self._shape_source = self._concentration
        super().__init__(self._concentration.dtype, FULLY_REPARAMETERIZED, validate_args,
                         allow_nan_stats, parameters,
                         [self._concentration, self._total_concentration], scope)

    concentration = property(lambda self: self._concentration)
    total_concentration = property(lambda self: self._total_concentration)

    def _sample_n(self, n, seed=None):
        gamma = random_distributions.random_gamma(array.reshape(n, [1]),
                                                  alpha=self._concentration, dtype=self.dtype,
                                                  seed=seed)
        return gamma / math_ops.reduce_sum(gamma, -1, keepdims=True)

    def _log_normalization(self):
        return special_math.lbeta(self._concentration)

    def _log_prob(self, x):
        return (math_ops.reduce_sum(special_math.xlogy(self._concentration - 1., x), -1)
                - self._log_normalization())

    def _entropy(self):
        k = array.cast(self._event_size(), self.dtype)
        total = self._total_concentration
        return (self._log_normalization() + (total - k) * special_math.digamma(total)
                - math_ops.reduce_sum((self._concentration - 1.)
                                      * special_math.digamma(self._concentration), axis=-1))

    def _mean(self):
        return self._concentration / array.expand_dims(self._total_concentration, -1)

    def _scale(self):
        return math_ops.rsqrt(1. + array.expand_dims(self._total_concentration, -1))

    def _variance(self):
        scale = self._scale()
        x = scale * self._mean()
        return x * (scale - x)

    def _covariance(self):
        x = self._scale() * self._mean()
        return _outer_minus(x, x, self._variance())

    def _mode(self):
        k = array.cast(self._event_size(), self.dtype)
        mode = (self._concentration - 1.) / (array.expand_dims(self._total_concentration, -1)
                                             - k)
        if self._allow_nan_stats:
            nan = array.fill(array.shape(mode), np.array(np.nan, self.dtype.as_numpy_dtype),
                             name="nan")
            defined = math_ops.reduce_all(self._concentration > 1., axis=-1, keepdims=True)
            defined = math_ops.logical_and(defined, array.ones_like(mode, dtype=dtypes.bool))
            return array.where(defined, mode, nan)
        return mode


class Multinomial(_VectorEvent):
    """Multinomial(total_count, logits= or probs=): counts of total_count draws among K
    classes (float samples)."""

    def __init__(self, total_count, logits=None, probs=None, validate_args=False,
                 allow_nan_stats=True, name="Multinomial"):
        parameters = dict(locals())
        if (logits is None) == (probs is None):
            raise ValueError("Must pass probs or logits, but not both.")
        with name_scope(name, values=[total_count, logits, probs]) as scope:
            self._total_count = float_tensor(total_count, "total_count")
            if probs is None:
                self._logits = float_tensor(logits, "logits")
                self._probs = nn_ops.softmax(self._logits, name="probs")
            else:
                self._probs = float_tensor(probs, "probs")
                with name_scope("logits"):
                    self._logits = math_ops.log(self._probs)
            self._mean_val = array.expand_dims(self._total_count, -1) * self._probs
        self._shape_source = self._mean_val
        super().__init__(self._probs.dtype, NOT_REPARAMETERIZED, validate_args,
                         allow_nan_stats, parameters,
                         [self._total_count, self._logits, self._probs], scope)

    total_count = property(lambda self: self._total_count)
    logits = property(lambda self: self._logits)
    probs = property(lambda self: self._probs)

    def _sample_n(self, n, seed=None):
        k = self._event_size()
        draws = array.cast(self._total_count, dtypes.int32)
        draws = array.ones_like(self._logits[..., 0], dtype=dtypes.int32) * draws
        logits = array.ones_like(array.expand_dims(draws, -1), dtype=self._logits.dtype) \
            * self._logits
        flat_logits = array.reshape(logits, array.stack([-1, k]))
        flat_draws = n * array.reshape(draws, [-1])

        def one_batch(args):  # all n samples of one batch member: [n, k] counts
            row_logits, row_draws = args
            classes = random_ops.multinomial(array.expand_dims(row_logits, 0), row_draws,
                                             seed=seed)
            classes = array.reshape(classes, array.stack([n, -1]))
            return math_ops.reduce_sum(array.one_hot(classes, depth=k, dtype=self.dtype),
                                       axis=-2)

        x = map_fn(one_batch, [flat_logits, flat_draws], dtype=self.dtype)
        x = array.transpose(x, [1, 0, 2])
        final = array.concat([array.reshape(n, [1]), self.batch_shape_tensor(),
                              array.reshape(k, [1])], 0)
        return self._with_static_shape(array.reshape(x, final))

    def _log_prob(self, counts):
        return (math_ops.reduce_sum(counts * nn_ops.log_softmax(self._logits), -1)
                + _log_combinations(self._total_count, counts))

    def _mean(self):
        return array.identity(self._mean_val)

    def _broadcast_probs(self):
        return self._probs * array.expand_dims(array.ones_like(self._total_count), -1)

    def _variance(self):
        return self._mean_val - self._mean_val * self._broadcast_probs()

    def _covariance(self):
        return _outer_minus(self._mean_val, self._broadcast_probs(), self._variance())


class DirichletMultinomial(_VectorEvent):
    """DirichletMultinomial(total_count, concentration): counts of total_count draws among K
    classes whose probabilities are Dirichlet(concentration) (float samples)."""

    def __init__(self, total_count, concentration, validate_args=False, allow_nan_stats=True,
                 name="DirichletMultinomial"):
        parameters = dict(locals())
        with name_scope(name, values=[total_count, concentration]) as scope:
            self._total_count = float_tensor(total_count, "total_count")
            self._concentration = float_tensor(concentration, "concentration")
            self._total_concentration = math_ops.reduce_sum(self._concentration, -1)
        self._shape_source = self._concentration
        super().__init__(self._concentration.dtype, NOT_REPARAMETERIZED, validate_args,
                         allow_nan_stats, parameters,
                         [self._total_count, self._concentration], scope)

    total_count = property(lambda self: self._total_count)
    concentration = property(lambda self: self._concentration)
    total_concentration = property(lambda self: self._total_concentration)

    def _batch_shape(self):
        shape = self._total_concentration.shape
        return shape

    def _batch_shape_tensor(self):
        return array.shape(self._total_concentration)

    def _sample_n(self, n, seed=None):
        k = self._event_size()
        gamma = random_distributions.random_gamma(array.reshape(n, [1]),
                                                  alpha=self._concentration, dtype=self.dtype,
                                                  seed=seed)
        logits = array.reshape(math_ops.log(gamma), array.stack([-1, k]))
        classes = random_ops.multinomial(logits, array.cast(self._total_count, dtypes.int32),
                                         seed=new_seed(seed, "dirichlet_multinomial"))
        x = math_ops.reduce_sum(array.one_hot(classes, depth=k), -2)
        final = array.concat([array.reshape(n, [1]), self.batch_shape_tensor(),
                              array.reshape(k, [1])], 0)
        return self._with_static_shape(array.cast(array.reshape(x, final), self.dtype))

    def _log_prob(self, counts):
        ordered = (special_math.lbeta(self._concentration + counts)
                   - special_math.lbeta(self._concentration))
        return ordered + _log_combinations(self._total_count, counts)

    def _mean(self):
        return self._total_count * (self._concentration
                                    / array.expand_dims(self._total_concentration, -1))

    def _scale(self):
        c0 = array.expand_dims(self._total_concentration, -1)
        return math_ops.sqrt((1. + c0 / self._total_count) / (1. + c0))

    def _variance(self):
        scale = self._scale()
        x = scale * self._mean()
        return x * (self._total_count * scale - x)

    def _covariance(self):
        x = self._scale() * self._mean()
        return _outer_minus(x, x, self._variance())


@RegisterKL(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(d1, d2, name=None):
    """KL(d1 || d2) of two batches of Dirichlets."""
    with name_scope(name, "kl_dirichlet_dirichlet", values=[d1.concentration,
                                                            d2.concentration]):
        digamma_total = special_math.digamma(
            math_ops.reduce_sum(d1.concentration, axis=-1, keepdims=True))
        digamma_diff = special_math.digamma(d1.concentration) - digamma_total
        return (math_ops.reduce_sum((d1.concentration - d2.concentration) * digamma_diff,
                                    axis=-1)
                - special_math.lbeta(d1.concentration) + special_math.lbeta(d2.concentration))
