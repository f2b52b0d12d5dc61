"""tf.contrib.distributions: tf.distributions' classes (the same ones) and contrib's own:

- MultivariateNormalDiag, MultivariateNormalTriL, MultivariateNormalFullCovariance and
  MultivariateNormalLinearOperator, with their KL divergence;
- OneHotCategorical, RelaxedOneHotCategorical and ExpRelaxedOneHotCategorical;
- Logistic and Poisson;
- TransformedDistribution, with the bijectors Identity, Exp, AffineScalar, Softplus, Sigmoid,
  Chain and Invert (tf.contrib.distributions.bijectors);
- Mixture (a list of components) and MixtureSameFamily (components along the last batch
  dimension), weighted by a Categorical.

    tfd = tf.contrib.distributions
    q = tfd.MultivariateNormalDiag(loc=mu, scale_diag=tf.exp(log_sigma))    # a VAE posterior
    kl = tfd.kl_divergence(q, tfd.MultivariateNormalDiag(loc=tf.zeros_like(mu)))

contrib's other distributions and bijectors are not provided.
"""
from tensorweave.distributions import *  # noqa: F401,F403
from tensorweave.distributions import __all__ as _CORE
from tensorweave.contrib.distributions.mvn import (  # noqa: F401 - registers their KL
    MultivariateNormalDiag, MultivariateNormalFullCovariance, MultivariateNormalLinearOperator,
    MultivariateNormalTriL)
from tensorweave.contrib.distributions.onehot import (  # noqa: F401 - registers their KL
    ExpRelaxedOneHotCategorical, OneHotCategorical, RelaxedOneHotCategorical)
from tensorweave.contrib.distributions.mixture import Mixture, MixtureSameFamily  # noqa: F401
from tensorweave.contrib.distributions.scalar import Logistic, Poisson  # noqa: F401
from tensorweave.contrib.distributions.transformed import TransformedDistribution  # noqa: F401
from tensorweave.contrib.distributions import bijectors  # noqa: F401

__all__ = list(_CORE) + [
    "MultivariateNormalLinearOperator", "MultivariateNormalDiag", "MultivariateNormalTriL",
    "MultivariateNormalFullCovariance", "OneHotCategorical", "ExpRelaxedOneHotCategorical",
    "RelaxedOneHotCategorical", "Logistic", "Poisson", "TransformedDistribution", "bijectors",
    "Mixture", "MixtureSameFamily"]
