"""Categorical(logits=, probs=): one of K classes (int32 samples by default)."""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.distributions.distribution import NOT_REPARAMETERIZED, Distribution
from tensorweave.ops import array, math_ops, nn_ops, random_ops

__all__ = ["Categorical"]


class Categorical(Distribution):
    """A batch of categorical distributions over the last axis of logits/probs."""

    def __init__(self, logits=None, probs=None, dtype=dtypes.int32, validate_args=False,
                 allow_nan_stats=True, name="Categorical"):
        parameters = dict(locals())
        if (logits is None) == (probs is None):
            raise ValueError("Must pass probs or logits, but not both.")
        with name_scope(name, values=[logits, probs]) as scope:
            if probs is None:
                self._logits = convert_to_tensor(logits, name="logits")
                self._probs = nn_ops.softmax(self._logits, name="probs")
            else:
                self._probs = convert_to_tensor(probs, name="probs")
                self._logits = math_ops.log(self._probs, name="logits")
            self._event_size = array.shape(self._logits)[-1]
        super().__init__(dtypes.as_dtype(dtype), NOT_REPARAMETERIZED, validate_args,
                         allow_nan_stats, parameters, [self._logits, self._probs], scope)

    logits = property(lambda self: self._logits)
    probs = property(lambda self: self._probs)
    event_size = property(lambda self: self._event_size)

    def _batch_shape(self):
        return self._logits.shape[:-1] if self._logits.shape.ndims is not None else None

    def _batch_shape_tensor(self):
        return array.shape(self._logits)[:-1]

    def _sample_n(self, n, seed=None):
        logits_2d = array.reshape(self._logits, [-1, self._event_size])
        draws = random_ops.multinomial(logits_2d, n, seed=seed, output_dtype=self.dtype)
        draws = array.transpose(draws)  # [n, batch]
        draws = array.reshape(draws, array.concat([array.reshape(n, [1]),
                                                   self.batch_shape_tensor()], 0))
        draws.set_shape(TensorShape([None]).concatenate(self.batch_shape))
        return draws

    def log_prob(self, value, name="log_prob"):
        with name_scope(self._name), name_scope(name):
            return self._log_prob(convert_to_tensor(value, name="value"))

    def prob(self, value, name="prob"):
        with name_scope(self._name), name_scope(name):
            return math_ops.exp(self._log_prob(convert_to_tensor(value, name="value")))

    def _log_prob(self, k):
        k = array.cast(k, dtypes.int32)
        logits = self._logits
        if k.shape.is_fully_defined() and logits.shape.is_fully_defined() and \
                k.shape != logits.shape[:-1]:
            logits = array.ones_like(array.expand_dims(array.cast(k, logits.dtype), -1)) * logits
            k = array.ones_like(logits[..., 0], dtype=dtypes.int32) * k
        return -nn_ops.sparse_softmax_cross_entropy_with_logits(labels=k, logits=logits)

    def _entropy(self):
        return -math_ops.reduce_sum(nn_ops.log_softmax(self._logits) * self._probs, axis=-1)

    def _mode(self):
        return array.cast(math_ops.argmax(self._logits, axis=-1), self.dtype)
