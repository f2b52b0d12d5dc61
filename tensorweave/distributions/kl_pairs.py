"""The KL divergences TF registers between tf.distributions' classes."""
from tensorweave.core.graph import name_scope
from tensorweave.distributions import categorical, univariate
from tensorweave.distributions.kullback_leibler import RegisterKL
from tensorweave.ops import math_ops, nn_ops, special_math


@RegisterKL(univariate.Normal, univariate.Normal)
def _kl_normal_normal(a, b, name=None):
    with name_scope(name, "kl_normal_normal"):
        ratio = math_ops.square(a.scale / b.scale)
        return (math_ops.square(a.loc - b.loc) / (2. * math_ops.square(b.scale))
                + 0.5 * (ratio - 1. - math_ops.log(ratio)))


@RegisterKL(univariate.Bernoulli, univariate.Bernoulli)
def _kl_bernoulli_bernoulli(a, b, name=None):
    with name_scope(name, "kl_bernoulli_bernoulli"):
        delta_probs0 = nn_ops.softplus(-b.logits) - nn_ops.softplus(-a.logits)
        delta_probs1 = nn_ops.softplus(b.logits) - nn_ops.softplus(a.logits)
        return (math_ops.sigmoid(a.logits) * delta_probs0
                + math_ops.sigmoid(-a.logits) * delta_probs1)


@RegisterKL(categorical.Categorical, categorical.Categorical)
def _kl_categorical_categorical(a, b, name=None):
    with name_scope(name, "kl_categorical_categorical"):
        return math_ops.reduce_sum(nn_ops.softmax(a.logits) * (
            nn_ops.log_softmax(a.logits) - nn_ops.log_softmax(b.logits)), axis=-1)


@RegisterKL(univariate.Beta, univariate.Beta)
def _kl_beta_beta(a, b, name=None):
    with name_scope(name, "kl_beta_beta"):
        def delta(fn, attr):
            return fn(getattr(a, attr)) - fn(getattr(b, attr))
        lbeta_a = (special_math.lgamma(a.concentration1) + special_math.lgamma(a.concentration0)
                   - special_math.lgamma(a.total_concentration))
        lbeta_b = (special_math.lgamma(b.concentration1) + special_math.lgamma(b.concentration0)
                   - special_math.lgamma(b.total_concentration))
        return (lbeta_b - lbeta_a
                + delta(lambda c: c, "concentration1") * special_math.digamma(a.concentration1)
                + delta(lambda c: c, "concentration0") * special_math.digamma(a.concentration0)
                - delta(lambda c: c, "total_concentration")
                * special_math.digamma(a.total_concentration))


@RegisterKL(univariate.Gamma, univariate.Gamma)
def _kl_gamma_gamma(a, b, name=None):
    with name_scope(name, "kl_gamma_gamma"):
        return ((a.concentration - b.concentration) * special_math.digamma(a.concentration)
                + special_math.lgamma(b.concentration) - special_math.lgamma(a.concentration)
                + b.concentration * math_ops.log(a.rate) - b.concentration * math_ops.log(b.rate)
                + a.concentration * (b.rate / a.rate - 1.))


