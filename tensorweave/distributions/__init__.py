"""tf.distributions (TF 1.15, also tf.contrib.distributions' core): probability distributions
as graph composites, and the KL divergences TF registers between them.

    dist = tf.distributions.Normal(loc=0., scale=[1., 2.])
    x = dist.sample(5, seed=1)          # [5, 2]
    lp = dist.log_prob(x)               # [5, 2]
    kl = tf.distributions.kl_divergence(dist, tf.distributions.Normal(1., 1.))
"""
from tensorweave.distributions.distribution import (  # noqa: F401
    FULLY_REPARAMETERIZED, NOT_REPARAMETERIZED, Distribution, ReparameterizationType)
from tensorweave.distributions.kullback_leibler import RegisterKL, kl_divergence  # noqa: F401
from tensorweave.distributions.univariate import (  # noqa: F401
    Bernoulli, Beta, Exponential, Gamma, Laplace, Normal, StudentT, Uniform)
from tensorweave.distributions.categorical import Categorical  # noqa: F401
from tensorweave.distributions.multivariate import (  # noqa: F401 - registers their KL pair
    Dirichlet, DirichletMultinomial, Multinomial)
from tensorweave.distributions import kl_pairs  # noqa: F401 - registers TF's KL pairs

__all__ = ["Distribution", "ReparameterizationType", "FULLY_REPARAMETERIZED",
           "NOT_REPARAMETERIZED", "kl_divergence", "RegisterKL", "Normal", "Bernoulli",
           "Categorical", "Uniform", "Beta", "Gamma", "Exponential", "Laplace", "StudentT",
           "Dirichlet", "Multinomial", "DirichletMultinomial"]
