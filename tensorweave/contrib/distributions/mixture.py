"""tf.contrib.distributions' Mixture and MixtureSameFamily (TF 1.15's arguments and formulas).

    tfd = tf.contrib.distributions
    gmm = tfd.Mixture(cat=tfd.Categorical(logits=pi_logits),
                      components=[tfd.Normal(mu[:, k], sigma[:, k]) for k in range(3)])
    loss = -tf.reduce_mean(gmm.log_prob(y))                       # a mixture density network
    same = tfd.MixtureSameFamily(tfd.Categorical(logits=pi_logits),
                                 tfd.Normal(loc=mu, scale=sigma))  # batch [..., k] components

Both weigh their components with softmax(cat.logits): log_prob and log_cdf are log-sum-exps
over the components, the mean their weighted mean and the variance follows the law of total
variance. Samples draw a component for each draw, then take that component's sample.
"""
from tensorweave.core.graph import control_dependencies
from tensorweave.distributions.categorical import Categorical
from tensorweave.distributions.distribution import NOT_REPARAMETERIZED, Distribution
from tensorweave.ops import array, check_ops, math_ops, nn_ops

__all__ = ["Mixture", "MixtureSameFamily"]


def _expand_right(x, times):
    for _ in range(times):
        x = array.expand_dims(x, -1)
    return x


class Mixture(Distribution):
    """A mixture of `components` (a list of distributions of one dtype, batch and event
    shape) weighted by the Categorical `cat` (num_classes == len(components))."""

    def __init__(self, cat, components, validate_args=False, allow_nan_stats=True,
                 use_static_graph=False, name="Mixture"):
        parameters = dict(locals())
        if not isinstance(cat, Categorical):
            raise TypeError(f"cat must be a Categorical distribution, but saw: {cat}")
        if not components:
            raise ValueError("components must be a non-empty list or tuple")
        if not isinstance(components, (list, tuple)):
            raise TypeError(f"components must be a list or tuple, but saw: {components}")
        if not all(isinstance(c, Distribution) for c in components):
            raise TypeError(f"all entries in components must be Distribution instances but "
                            f"saw: {components}")
        dtype = components[0].dtype
        if not all(c.dtype == dtype for c in components):
            raise TypeError(f"All components must have the same dtype, but saw dtypes: "
                            f"{[(c.name, c.dtype) for c in components]}")
        event_shape = components[0].event_shape
        batch_shape = cat.batch_shape
        for c in components:
            event_shape = event_shape.merge_with(c.event_shape)
            batch_shape = batch_shape.merge_with(c.batch_shape)
        if event_shape.ndims is None:
            raise ValueError("Expected to know rank(event_shape) from components, but none of "
                             "the components provide a static number of ndims")
        num_components = cat.logits.shape.with_rank_at_least(1)[-1].value
        if num_components is None:
            raise ValueError("Could not infer number of classes from cat and unable to compare "
                             "this value to the number of components passed in.")
        if num_components != len(components):
            raise ValueError(f"cat.num_classes != len(components): {num_components} vs. "
                             f"{len(components)}")
        self._assertions = []
        if validate_args:
            cat_batch = cat.batch_shape_tensor()
            message = "components[{}] batch shape must match cat batch shape"
            self._assertions = [check_ops.assert_equal(cat_batch, c.batch_shape_tensor(),
                                                       message=message.format(i))
                                for i, c in enumerate(components)]
        self._cat, self._components = cat, list(components)
        self._num_components = num_components
        self._static_event_shape, self._static_batch_shape = event_shape, batch_shape
        self._use_static_graph = use_static_graph
        graph_parents = list(cat._graph_parents)
        for c in components:
            graph_parents += c._graph_parents
        super().__init__(dtype, NOT_REPARAMETERIZED, validate_args, allow_nan_stats,
                         parameters, graph_parents, name)

    cat = property(lambda self: self._cat)
    components = property(lambda self: self._components)
    num_components = property(lambda self: self._num_components)

    def _batch_shape(self):
        return self._static_batch_shape

    def _batch_shape_tensor(self):
        return self._cat.batch_shape_tensor()

    def _event_shape(self):
        return self._static_event_shape

    def _cat_probs(self, log_probs):
        """The components' weights (or their logs), one [batch] tensor each."""
        softmax = nn_ops.log_softmax if log_probs else nn_ops.softmax
        return array.unstack(softmax(self._cat.logits), num=self._num_components, axis=-1)

    def _weights(self):
        rank = self._static_event_shape.ndims
        return [_expand_right(p, rank) for p in self._cat_probs(log_probs=False)]

    def _mean(self):
        with control_dependencies(self._assertions):
            return math_ops.add_n([p * c.mean() for p, c in zip(self._weights(),
                                                                self._components)])

    def _stddev(self):
        """sqrt(E[var] + E[mean^2] - E[mean]^2) over the components' weights."""
        with control_dependencies(self._assertions):
            weights = self._weights()
            means = [c.mean() for c in self._components]
            mean = math_ops.add_n([p * m for p, m in zip(weights, means)])
            second = math_ops.add_n([p * (math_ops.square(c.stddev()) + math_ops.square(m))
                                     for p, c, m in zip(weights, self._components, means)])
            return math_ops.sqrt(second - math_ops.square(mean))

    def _log_over_components(self, per_component):
        with control_dependencies(self._assertions):
            terms = [w + v for w, v in zip(self._cat_probs(log_probs=True), per_component)]
            return math_ops.reduce_logsumexp(array.stack(terms, 0), [0])

    def _log_prob(self, x):
        return self._log_over_components([c.log_prob(x) for c in self._components])

    def _log_cdf(self, x):
        return self._log_over_components([c.log_cdf(x) for c in self._components])

    def _sample_n(self, n, seed=None):
        with control_dependencies(self._assertions):
            choice = self._cat.sample(n, seed=seed)  # [n] + batch
            samples = array.stack([c.sample(n, seed=seed) for c in self._components], -1)
            rank = self._static_event_shape.ndims  # samples: [n] + batch + event + [k]
            mask = array.one_hot(choice, self._num_components, dtype=self.dtype)
            for _ in range(rank):  # [n] + batch + [1] * rank + [k]
                mask = array.expand_dims(mask, -2)
            return math_ops.reduce_sum(samples * mask, axis=-1)

    def entropy_lower_bound(self, name="entropy_lower_bound"):
        """sum_i c_i H[component_i], a lower bound of the mixture's entropy (the entropy is
        concave)."""
        return self._call(lambda: math_ops.add_n([
            p * c.entropy() for p, c in zip(self._cat_probs(log_probs=False),
                                            self._components)]), name)


class MixtureSameFamily(Distribution):
    """A mixture whose components are the last batch dimension of `components_distribution`
    ([batch..., k] batch shape), weighted by the Categorical `mixture_distribution` (batch
    shape [batch...], k classes)."""

    def __init__(self, mixture_distribution, components_distribution, validate_args=False,
                 allow_nan_stats=True, name="MixtureSameFamily"):
        parameters = dict(locals())
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError("`mixture_distribution` must be a Categorical.")
        if not mixture_distribution.dtype.is_integer:
            raise ValueError("`mixture_distribution.dtype` must be integer")
        self._mixture = mixture_distribution
        self._components = components_distribution
        classes = mixture_distribution.logits.shape.with_rank_at_least(1)[-1].value
        components = components_distribution.batch_shape.with_rank_at_least(1)[-1].value
        if classes is not None and components is not None and classes != components:
            raise ValueError(f"`mixture_distribution components` ({classes}) does not equal "
                             f"`components_distribution.batch_shape[-1]` ({components})")
        self._num_components = classes if classes is not None else components
        self._assertions = []
        if validate_args and self._num_components is None:
            self._assertions = [check_ops.assert_equal(
                array.shape(mixture_distribution.logits)[-1],
                components_distribution.batch_shape_tensor()[-1],
                message="`mixture_distribution components` does not equal "
                        "`components_distribution.batch_shape[-1:]`")]
        self._event_ndims = components_distribution.event_shape.ndims
        if self._event_ndims is None:
            raise ValueError("components_distribution must have a known event rank")
        super().__init__(components_distribution.dtype, NOT_REPARAMETERIZED, validate_args,
                         allow_nan_stats, parameters,
                         mixture_distribution._graph_parents
                         + components_distribution._graph_parents, name)

    mixture_distribution = property(lambda self: self._mixture)
    components_distribution = property(lambda self: self._components)

    def _batch_shape(self):
        return self._components.batch_shape.with_rank_at_least(1)[:-1]

    def _batch_shape_tensor(self):
        return self._components.batch_shape_tensor()[:-1]

    def _event_shape(self):
        return self._components.event_shape

    def _pad(self, x):
        """x with a components axis before its event dimensions."""
        return array.expand_dims(x, -1 - self._event_ndims)

    def _probs(self):
        """softmax(mixture logits), [batch..., k] + one 1 per event dimension."""
        return _expand_right(nn_ops.softmax(self._mixture.logits), self._event_ndims)

    def _log_prob(self, x):
        with control_dependencies(self._assertions):
            return math_ops.reduce_logsumexp(
                self._components.log_prob(self._pad(x))
                + nn_ops.log_softmax(self._mixture.logits), axis=-1)

    def _log_cdf(self, x):
        with control_dependencies(self._assertions):
            return math_ops.reduce_logsumexp(
                self._components.log_cdf(self._pad(x))
                + nn_ops.log_softmax(self._mixture.logits), axis=-1)

    def _mean(self):
        with control_dependencies(self._assertions):
            return math_ops.reduce_sum(self._probs() * self._components.mean(),
                                       axis=-1 - self._event_ndims)

    def _variance(self):
        """E[Var[X | component]] + Var[E[X | component]]."""
        with control_dependencies(self._assertions):
            probs = self._probs()
            axis = -1 - self._event_ndims
            mean_of_variances = math_ops.reduce_sum(probs * self._components.variance(),
                                                    axis=axis)
            variance_of_means = math_ops.reduce_sum(
                probs * math_ops.squared_difference(self._components.mean(),
                                                    self._pad(self._mean())), axis=axis)
            return mean_of_variances + variance_of_means

    def _covariance(self):
        if self._event_ndims != 1:
            raise NotImplementedError("covariance is not implemented for event rank != 1")
        with control_dependencies(self._assertions):
            probs = _expand_right(nn_ops.softmax(self._mixture.logits), 2)
            mean_of_covariances = math_ops.reduce_sum(
                probs * self._components.covariance(), axis=-3)
            deviations = self._components.mean() - self._pad(self._mean())
            outer = array.expand_dims(deviations, -1) * array.expand_dims(deviations, -2)
            return mean_of_covariances + math_ops.reduce_sum(probs * outer, axis=-3)

    def _sample_n(self, n, seed=None):
        with control_dependencies(self._assertions):
            samples = self._components.sample(n, seed=seed)  # [n, batch..., k, event...]
            choice = self._mixture.sample(n, seed=seed)     # [n, batch...]
            k = self._num_components or array.shape(self._mixture.logits)[-1]
            mask = _expand_right(array.one_hot(choice, k, dtype=self.dtype), self._event_ndims)
            return math_ops.reduce_sum(samples * mask, axis=-1 - self._event_ndims)

