"""The Distribution base class of tf.distributions: shapes, sampling and the public methods,
each a name scope around the subclass's `_method`."""
from tensorweave.core import dtypes
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.tensor_shape import TensorShape, as_shape
from tensorweave.distributions import kullback_leibler
from tensorweave.ops import array, math_ops

__all__ = ["Distribution", "ReparameterizationType", "FULLY_REPARAMETERIZED",
           "NOT_REPARAMETERIZED"]


def float_tensor(value, name, dtype=None):
    """A distribution parameter as a tensor: in `dtype` when given, else in the value's own
    (an array's, a tensor's), else float32 (Python numbers, lists); None stays None."""
    if value is None:
        return None
    own_dtype = hasattr(value, "dtype")
    return convert_to_tensor(value, dtype=dtype, name=name,
                             preferred_dtype=None if own_dtype else dtypes.float32)


class ReparameterizationType:
    """Whether samples are differentiable functions of the parameters."""

    def __init__(self, rep_type):
        self._rep_type = rep_type

    def __repr__(self):
        return f"<Reparameteriation Type: {self._rep_type}>"

    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__


FULLY_REPARAMETERIZED = ReparameterizationType("FULLY_REPARAMETERIZED")
NOT_REPARAMETERIZED = ReparameterizationType("NOT_REPARAMETERIZED")


class Distribution:
    """A batch of distributions: `sample`, `log_prob`, `prob`, `cdf`, `entropy`, `mean`, ...

    Subclasses define `_batch_shape` (static), `_batch_shape_tensor`, `_event_shape`,
    `_sample_n(n, seed)` and the `_method`s they support."""

    def __init__(self, dtype, reparameterization_type, validate_args, allow_nan_stats,
                 parameters=None, graph_parents=None, name=None):
        self._dtype = dtype
        self._reparameterization_type = reparameterization_type
        self._validate_args = validate_args
        self._allow_nan_stats = allow_nan_stats
        self._parameters = dict(parameters or {})
        self._parameters.pop("self", None)
        self._parameters.pop("__class__", None)  # in the locals() of an __init__ using super()
        self._graph_parents = list(graph_parents or [])
        self._name = name

    # --- properties ----------------------------------------------------------------------------
    name = property(lambda self: self._name)
    dtype = property(lambda self: self._dtype)
    parameters = property(lambda self: dict(self._parameters))
    reparameterization_type = property(lambda self: self._reparameterization_type)
    allow_nan_stats = property(lambda self: self._allow_nan_stats)
    validate_args = property(lambda self: self._validate_args)

    @property
    def batch_shape(self):
        return as_shape(self._batch_shape())

    def batch_shape_tensor(self, name="batch_shape_tensor"):
        with name_scope(self._name), name_scope(name):
            static = self.batch_shape
            if static.is_fully_defined():
                return convert_to_tensor(static.as_list(), dtypes.int32)
            return self._batch_shape_tensor()

    @property
    def event_shape(self):
        return as_shape(self._event_shape())

    def event_shape_tensor(self, name="event_shape_tensor"):
        with name_scope(self._name), name_scope(name):
            return convert_to_tensor(self.event_shape.as_list(), dtypes.int32)

    def _event_shape(self):
        return TensorShape([])

    def is_scalar_batch(self, name="is_scalar_batch"):
        return convert_to_tensor(self.batch_shape.ndims == 0)

    def is_scalar_event(self, name="is_scalar_event"):
        return convert_to_tensor(self.event_shape.ndims == 0)

    # --- sampling ------------------------------------------------------------------------------
    def sample(self, sample_shape=(), seed=None, name="sample"):
        """Samples of shape sample_shape + batch_shape + event_shape."""
        with name_scope(self._name), name_scope(name):
            sample_shape = convert_to_tensor(sample_shape, dtypes.int32, name="sample_shape")
            static = constant_value(sample_shape)
            flat = array.reshape(sample_shape, [-1])
            n = math_ops.reduce_prod(flat)
            samples = self._sample_n(n, seed)
            final = array.concat([flat, array.shape(samples)[1:]], 0)
            out = array.reshape(samples, final)
            tail = samples.shape[1:] if samples.shape.ndims is not None else None
            if tail is not None and static is not None:
                out.set_shape(TensorShape([int(d) for d in static.reshape(-1)])
                              .concatenate(tail))
            elif tail is not None and sample_shape.shape.num_elements() is not None:
                # a sample shape known only when run: its rank is known, and the rest
                out.set_shape(TensorShape([None] * sample_shape.shape.num_elements())
                              .concatenate(tail))
            return out

    # --- methods ------------------------------------------------------------------------------
    def _call(self, method, name, *args):
        with name_scope(self._name), name_scope(name):
            args = [convert_to_tensor(a, dtype=self._dtype, name="value") for a in args]
            return method(*args)

    def log_prob(self, value, name="log_prob"):
        if _overrides(self, "_log_prob"):
            return self._call(self._log_prob, name, value)
        return self._call(lambda v: math_ops.log(self._prob(v)), name, value)

    def prob(self, value, name="prob"):
        if _overrides(self, "_prob"):
            return self._call(self._prob, name, value)
        return self._call(lambda v: math_ops.exp(self._log_prob(v)), name, value)

    def log_cdf(self, value, name="log_cdf"):
        if _overrides(self, "_log_cdf"):
            return self._call(self._log_cdf, name, value)
        return self._call(lambda v: math_ops.log(self._cdf(v)), name, value)

    def cdf(self, value, name="cdf"):
        if _overrides(self, "_cdf"):
            return self._call(self._cdf, name, value)
        return self._call(lambda v: math_ops.exp(self._log_cdf(v)), name, value)

    def log_survival_function(self, value, name="log_survival_function"):
        if _overrides(self, "_log_survival_function"):
            return self._call(self._log_survival_function, name, value)
        return self._call(lambda v: math_ops.log1p(-self.cdf(v)), name, value)

    def survival_function(self, value, name="survival_function"):
        if _overrides(self, "_survival_function"):
            return self._call(self._survival_function, name, value)
        return self._call(lambda v: 1. - self.cdf(v), name, value)

    def entropy(self, name="entropy"):
        return self._call(self._entropy, name)

    def mean(self, name="mean"):
        return self._call(self._mean, name)

    def quantile(self, value, name="quantile"):
        return self._call(self._quantile, name, value)

    def variance(self, name="variance"):
        if _overrides(self, "_variance"):
            return self._call(self._variance, name)
        return self._call(lambda: math_ops.square(self._stddev()), name)

    def stddev(self, name="stddev"):
        if _overrides(self, "_stddev"):
            return self._call(self._stddev, name)
        return self._call(lambda: math_ops.sqrt(self._variance()), name)

    def covariance(self, name="covariance"):
        return self._call(self._covariance, name)

    def mode(self, name="mode"):
        return self._call(self._mode, name)

    def cross_entropy(self, other, name="cross_entropy"):
        """H[self, other] = entropy(self) + KL(self || other)."""
        with name_scope(self._name), name_scope(name):
            return self._entropy() + kullback_leibler.kl_divergence(self, other)

    def kl_divergence(self, other, name="kl_divergence"):
        with name_scope(self._name), name_scope(name):
            return kullback_leibler.kl_divergence(self, other)

    def copy(self, **override_parameters_kwargs):
        parameters = dict(self.parameters, **override_parameters_kwargs)
        return type(self)(**parameters)

    def _not_implemented(self, what):
        raise NotImplementedError(f"{what} is not implemented: {type(self).__name__}")

    def _entropy(self):
        self._not_implemented("entropy")

    def _mean(self):
        self._not_implemented("mean")

    def _mode(self):
        self._not_implemented("mode")

    def _quantile(self, value):
        self._not_implemented("quantile")

    def _covariance(self):
        self._not_implemented("covariance")

    def _cdf(self, value):
        self._not_implemented("cdf")

    def __repr__(self):
        return (f"<tf.distributions.{type(self).__name__} '{self._name}' "
                f"batch_shape={self.batch_shape} event_shape={self.event_shape} "
                f"dtype={self._dtype.name}>")


def _overrides(dist, method):
    return getattr(type(dist), method, None) is not getattr(Distribution, method, None)
