"""tf.contrib.bayesflow.monte_carlo: Monte Carlo estimates of expectations (TF 1.15).

    kl = tf.contrib.bayesflow.monte_carlo.expectation(
        f=lambda x: p.log_prob(x) - q.log_prob(x), samples=p.sample(10000, seed=42))

`expectation` averages f over samples; with use_reparametrization=False its gradient is the
score-function estimate (f's own gradient plus f times the gradient of log_prob, as TF builds
it with stop_gradient). The importance samplers estimate E_p[f] from samples of q, averaging
in log space around the samples' maximum.
"""
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.ops import array, math_ops, nn_ops

__all__ = ["expectation", "expectation_importance_sampler",
           "expectation_importance_sampler_logspace"]


def expectation(f, samples, log_prob=None, use_reparametrization=True, axis=0,
                keep_dims=False, name=None):
    """mean(f(samples)) over `axis`; without reparametrization its gradient is the score
    function's (log_prob is then required)."""
    with name_scope(name, "expectation", [samples]):
        if not callable(f):
            raise ValueError("`f` must be a callable function.")
        if use_reparametrization:
            return math_ops.reduce_mean(f(samples), axis=axis, keepdims=keep_dims)
        if not callable(log_prob):
            raise ValueError("`log_prob` must be a callable function.")
        stop = array.stop_gradient
        x = stop(samples)
        log_px = log_prob(x)
        fx = f(x)  # once: f may have side effects
        # adds zeros whose gradient is f(x) * grad log p(x) (x - x == 0 exactly in IEEE 754)
        fx += stop(fx) * (log_px - stop(log_px))
        return math_ops.reduce_mean(fx, axis=axis, keepdims=keep_dims)


def _samples(dist, z, n, seed):
    with name_scope("get_samples", values=[z, n]):
        if (n is None) == (z is None):
            raise ValueError(f'Must specify exactly one of arguments "n" and "z".  Found: '
                             f"n = {n}, z = {z}")
        if n is not None:
            return dist.sample(n, seed=seed)
        return convert_to_tensor(z, name="z")


def _logspace_mean(log_values):
    """log(mean(exp(log_values))) over the samples (axis 0), around their maximum."""
    center = array.stop_gradient(math_ops.reduce_max(log_values, axis=[0]))
    centered = math_ops.exp(log_values - center)
    return math_ops.log(math_ops.reduce_mean(centered, axis=[0])) + center


def expectation_importance_sampler_logspace(log_f, log_p, sampling_dist_q, z=None, n=None,
                                            seed=None,
                                            name="expectation_importance_sampler_logspace"):
    """log E_p[exp(log_f(Z))] estimated from samples of q (given as z, or n drawn)."""
    q = sampling_dist_q
    with name_scope(name, values=[z, n]):
        z = _samples(q, z, n, seed)
        return _logspace_mean(log_f(z) + log_p(z) - q.log_prob(z))


def expectation_importance_sampler(f, log_p, sampling_dist_q, z=None, n=None, seed=None,
                                   name="expectation_importance_sampler"):
    """E_p[f(Z)] estimated from samples of q: E_p[max(f, 0) + 1] - E_p[max(-f, 0) + 1], each in
    log space (the 1s keep the logarithms finite and cancel)."""
    q = sampling_dist_q
    with name_scope(name, values=[z, n]):
        z = _samples(q, z, n, seed)
        log_ratio = log_p(z) - q.log_prob(z)
        f_z = f(z)
        plus = _logspace_mean(math_ops.log(nn_ops.relu(f_z) + 1.) + log_ratio)
        minus = _logspace_mean(math_ops.log(nn_ops.relu(-1. * f_z) + 1.) + log_ratio)
    return math_ops.exp(plus) - math_ops.exp(minus)
