"""tf.contrib.distributions.TransformedDistribution (TF 1.15's): the distribution of
Y = bijector.forward(X) for X from a base distribution, by the change of variables
log p(y) = log p_X(g^-1(y)) + log |det d g^-1(y) / dy|.

    log_normal = tf.contrib.distributions.TransformedDistribution(
        distribution=tf.distributions.Normal(loc=0., scale=1.),
        bijector=tf.contrib.distributions.bijectors.Exp())
    log_normal.log_prob(2.)

`batch_shape` / `event_shape` turn a scalar base into a batch / an event of independent
copies (TF's overrides; the base must then be scalar in that respect).
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.contrib.distributions.bijectors.scalar import Identity
from tensorweave.distributions.distribution import Distribution
from tensorweave.ops import array, math_ops

__all__ = ["TransformedDistribution"]


def _override(shape, base_shape, what):
    """The static override shape as a list (None when not overridden)."""
    if shape is None:
        return None
    override = TensorShape(shape)
    if not override.is_fully_defined():
        raise ValueError(f"{what} override must be fully defined.")
    if base_shape.ndims is None or base_shape.ndims != 0:
        raise ValueError(f"Base distribution is not scalar: its {what} is {base_shape}, and "
                         f"a {what} override needs [].")
    return override.as_list()


class TransformedDistribution(Distribution):
    """TransformedDistribution(distribution, bijector=None, batch_shape=None,
    event_shape=None): Y = bijector.forward(X), X ~ distribution (Identity when None).
    `parameters` (TFP's argument) names a subclass's own constructor arguments."""

    def __init__(self, distribution, bijector=None, batch_shape=None, event_shape=None,
                 validate_args=False, name=None, parameters=None):
        parameters = dict(locals()) if parameters is None else parameters
        parameters.pop("parameters", None)
        name = name or (("" if bijector is None else bijector.name) + distribution.name)
        with name_scope(name, values=[event_shape, batch_shape]) as scope:
            if bijector is None:
                bijector = Identity(validate_args=validate_args)
            if bijector.dtype is not None and bijector.dtype != distribution.dtype:
                raise TypeError(f"Base distribution dtype ({distribution.dtype.name}) "
                                f"doesn't match bijector dtype ({bijector.dtype.name}).")
            self._override_batch = _override(batch_shape, distribution.batch_shape,
                                             "batch_shape")
            self._override_event = _override(event_shape, distribution.event_shape,
                                             "event_shape")
        self._distribution = distribution
        self._bijector = bijector
        super().__init__(distribution.dtype, distribution.reparameterization_type,
                         validate_args, distribution.allow_nan_stats, parameters,
                         list(bijector.graph_parents), scope)

    distribution = property(lambda self: self._distribution)
    bijector = property(lambda self: self._bijector)

    # --- shapes --------------------------------------------------------------------------------
    def _batch_shape(self):
        if self._override_batch is not None:
            return TensorShape(self._override_batch)
        return self._distribution.batch_shape

    def _batch_shape_tensor(self):
        if self._override_batch is not None:
            return convert_to_tensor(self._override_batch, dtypes.int32)
        return self._distribution.batch_shape_tensor()

    def _base_event_shape(self):
        if self._override_event is not None:
            return TensorShape(self._override_event)
        return self._distribution.event_shape

    def _event_shape(self):
        return self._bijector.forward_event_shape(self._base_event_shape())

    def _event_ndims(self):
        return self._base_event_shape().ndims

    # --- sampling and densities -----------------------------------------------------------
    def _sample_n(self, n, seed=None):
        shape = array.concat([array.reshape(n, [1]),
                              convert_to_tensor(self._override_batch or [], dtypes.int32),
                              convert_to_tensor(self._override_event or [], dtypes.int32)], 0)
        y = self._bijector.forward(self._distribution.sample(shape, seed=seed))
        y.set_shape(TensorShape([None]).concatenate(self.batch_shape)
                    .concatenate(self.event_shape))
        return y

    def _log_prob(self, y):
        x = self._bijector.inverse(y)
        ildj = self._bijector.inverse_log_det_jacobian(y, event_ndims=self._event_ndims())
        log_prob = self._distribution.log_prob(x)
        if self._override_event:
            log_prob = math_ops.reduce_sum(log_prob,
                                           list(range(-len(self._override_event), 0)))
        log_prob = log_prob + array.cast(ildj, log_prob.dtype)
        if self._override_batch:
            log_prob = log_prob + array.zeros(self._override_batch, dtype=log_prob.dtype)
        return log_prob

    def _prob(self, y):
        return math_ops.exp(self._log_prob(y))

    def _no_event_override(self, what):
        if self._override_event:
            raise NotImplementedError(f"{what} is not implemented when overriding "
                                      "event_shape")

    # the cdfs assume an increasing bijector, as TF 1.15's do
    def _cdf(self, y):
        self._no_event_override("cdf")
        return self._distribution.cdf(self._bijector.inverse(y))

    def _log_cdf(self, y):
        self._no_event_override("log_cdf")
        return self._distribution.log_cdf(self._bijector.inverse(y))

    def _survival_function(self, y):
        self._no_event_override("survival_function")
        return self._distribution.survival_function(self._bijector.inverse(y))

    def _log_survival_function(self, y):
        self._no_event_override("log_survival_function")
        return self._distribution.log_survival_function(self._bijector.inverse(y))

    def _quantile(self, p):
        self._no_event_override("quantile")
        return self._bijector.forward(self._distribution.quantile(p))

    # --- moments of affine transformations ----------------------------------------------------
    def _full_shape_tensor(self):
        static = self.batch_shape.concatenate(self.event_shape)
        if static.is_fully_defined():
            return static.as_list()
        return array.concat([self.batch_shape_tensor(), self.event_shape_tensor()], 0)

    def _broadcast_base(self, value):
        """A base statistic tiled over the overridden batch and event shapes."""
        if self._override_batch is None and self._override_event is None:
            return value
        return value + array.zeros(self._full_shape_tensor(), dtype=value.dtype)

    def _mean(self):
        if not self._bijector.is_constant_jacobian:
            raise NotImplementedError("mean is not implemented for non-affine bijectors")
        return self._bijector.forward(self._broadcast_base(self._distribution.mean()))

    def _entropy(self):
        # H[Y] = H[X] + E[log |det J(g)(X)|], a constant for an affine g
        if not self._bijector.is_constant_jacobian:
            raise NotImplementedError("entropy is not implemented")
        entropy = self._distribution.entropy()
        if self._override_event:
            size = 1
            for d in self._override_event:
                size *= d
            entropy = entropy * float(size)
        if self._override_batch is not None:
            entropy = entropy + array.zeros(self.batch_shape_tensor(), dtype=entropy.dtype)
        dummy = array.zeros(self._full_shape_tensor(), dtype=self.dtype)
        ildj = self._bijector.inverse_log_det_jacobian(dummy, event_ndims=self._event_ndims())
        entropy = entropy - array.cast(ildj, entropy.dtype)
        entropy.set_shape(self.batch_shape)
        return entropy
