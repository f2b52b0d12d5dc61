"""tf.nn composites (TF's nn_impl): activations built from others, moments from sufficient
statistics, layers of one matmul, losses, and the per-replica loss scaling helpers.

    mean, variance = tf.nn.weighted_moments(x, axes=[0], frequency_weights=w)
"""
import math

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.ops import array, math_ops, nn_ops, norm_ops


def _scope_name(scope):
    """The name that gives an op exactly the name of `scope` (TF names results so)."""
    return scope[:-1] + "/"


# --- activations -----------------------------------------------------------------------------
def crelu(features, name=None, axis=-1):
    """Concatenated ReLU: relu(concat([features, -features], axis)); twice the depth."""
    with name_scope(name, "CRelu", [features]) as scope:
        features = convert_to_tensor(features, name="features")
        both = array.concat([features, math_ops.negative(features)], axis)
        return nn_ops.relu(both, name=_scope_name(scope))


def swish(features, beta=1.0):
    """features * sigmoid(beta * features) (Ramachandran et al., 2017)."""
    with name_scope(None, "swish", [features]):
        features = convert_to_tensor(features, name="features")
        beta = convert_to_tensor(beta, dtype=features.dtype, name="beta")
        return features * math_ops.sigmoid(beta * features)


silu = swish


# --- layers ----------------------------------------------------------------------------------
def xw_plus_b(x, weights, biases, name=None):
    """matmul(x, weights) + biases."""
    with name_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases")
        product = math_ops.matmul(x, weights)
        return nn_ops.bias_add(product, biases, name=_scope_name(scope))


def relu_layer(x, weights, biases, name=None):
    """relu(matmul(x, weights) + biases)."""
    with name_scope(name, "relu_layer", [x, weights, biases]) as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases")
        pre = nn_ops.bias_add(math_ops.matmul(x, weights), biases)
        return nn_ops.relu(pre, name=_scope_name(scope))


# --- losses ----------------------------------------------------------------------------------
def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """exp(log_input) - log_input * targets, the negative log-likelihood of `targets` under a
    Poisson of log-rate `log_input` without the constant log(targets!); with
    compute_full_loss, Stirling's approximation of it added where targets > 1."""
    with name_scope(name, "log_poisson_loss", [targets, log_input]) as scope:
        log_input = convert_to_tensor(log_input, name="log_input")
        targets = convert_to_tensor(targets, name="targets")
        if not log_input.shape.is_compatible_with(targets.shape):
            raise ValueError(f"log_input and targets must have the same shape "
                             f"({log_input.shape} vs {targets.shape})")
        result = math_ops.exp(log_input) - log_input * targets
        if not compute_full_loss:
            return array.identity(result, name=_scope_name(scope))
        zeros = array.zeros_like(targets, dtype=targets.dtype)
        ones = array.ones_like(targets, dtype=targets.dtype)
        stirling = (targets * math_ops.log(targets) - targets
                    + 0.5 * math_ops.log(2 * math.pi * targets))
        small = math_ops.logical_and(targets >= zeros, targets <= ones)
        return math_ops.add(result, array.where(small, zeros, stirling),
                            name=_scope_name(scope))


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """The sum of the (weighted) per-example losses over the global batch size (the batch
    size times the replicas, one replica here)."""
    per_example_loss = convert_to_tensor(per_example_loss)
    dtype = per_example_loss.dtype
    if per_example_loss.shape.ndims == 0:
        raise ValueError("Invalid value passed for `per_example_loss`. Expected a tensor with "
                         "at least rank 1.")
    with name_scope(None, "average_loss", [per_example_loss]):
        if sample_weight is not None:  # TF scales the losses in float32
            weight = array.cast(convert_to_tensor(sample_weight), dtypes.float32)
            scaled = array.cast(per_example_loss, dtypes.float32) * weight
            per_example_loss = array.cast(scaled, dtype)
        if global_batch_size is None:
            global_batch_size = array.shape(per_example_loss)[0]
        global_batch_size = array.cast(convert_to_tensor(global_batch_size), dtype)
        return math_ops.reduce_sum(per_example_loss) / global_batch_size


def scale_regularization_loss(regularization_loss):
    """The regularization loss summed and divided by the number of replicas (one here)."""
    regularization_loss = convert_to_tensor(regularization_loss)
    return math_ops.reduce_sum(regularization_loss) / 1


# --- moments -----------------------------------------------------------------------------------
def _keep(keepdims, keep_dims):
    return bool(keepdims if keepdims is not None else keep_dims)


def sufficient_statistics(x, axes, shift=None, keep_dims=None, name=None, keepdims=None):
    """(count, sum of x - shift, sum of (x - shift)^2, shift) over `axes`: what
    normalize_moments turns into a mean and variance."""
    keep = _keep(keepdims, keep_dims)
    axes = [int(a) for a in np.atleast_1d(axes)]
    with name_scope(name, "sufficient_statistics", [x, shift]):
        x = convert_to_tensor(x, name="x")
        dims = x.shape.as_list() if x.shape.ndims is not None else None
        if dims is not None and all(dims[a] is not None for a in axes):
            count = float(np.prod([dims[a] for a in axes]))
            counts = constant(count, dtype=x.dtype, name="count")
        else:
            sizes = array.gather(array.cast(array.shape(x), x.dtype), axes)
            counts = math_ops.reduce_prod(sizes, name="count")
        if shift is not None:
            shift = convert_to_tensor(shift, name="shift")
            m_ss = math_ops.subtract(x, shift)
            v_ss = math_ops.squared_difference(x, shift)
        else:
            m_ss, v_ss = x, math_ops.square(x)
        m_ss = math_ops.reduce_sum(m_ss, axes, keepdims=keep, name="mean_ss")
        v_ss = math_ops.reduce_sum(v_ss, axes, keepdims=keep, name="var_ss")
    return counts, m_ss, v_ss, shift


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """(mean, variance) from sufficient statistics."""
    with name_scope(name, "normalize", [counts, mean_ss, variance_ss, shift]):
        divisor = math_ops.reciprocal(convert_to_tensor(counts), name="divisor")
        shifted_mean = math_ops.multiply(mean_ss, divisor, name="shifted_mean")
        if shift is not None:
            mean = math_ops.add(shifted_mean, shift, name="mean")
        else:
            mean = array.identity(shifted_mean, name="mean")
        variance = math_ops.subtract(math_ops.multiply(variance_ss, divisor),
                                     math_ops.square(shifted_mean), name="variance")
    return mean, variance


def weighted_moments(x, axes, frequency_weights, name=None, keep_dims=None, keepdims=None):
    """(mean, variance) of `x` over `axes`, each element counted `frequency_weights` times
    (weights broadcast against x)."""
    keep = _keep(keepdims, keep_dims)
    with name_scope(name, "weighted_moments", [x, frequency_weights, axes]):
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(frequency_weights, name="frequency_weights")
        half = x.dtype is dtypes.float16
        if half:
            x = array.cast(x, dtypes.float32)
        if weights.dtype is not x.dtype:
            weights = array.cast(weights, x.dtype)
        weighted_sum = math_ops.reduce_sum(weights * x, axes, keepdims=True)
        broadcast_weights = math_ops.add(weights, array.zeros_like(x))
        divisor = math_ops.reciprocal(math_ops.reduce_sum(broadcast_weights, axes,
                                                          keepdims=True))
        mean = math_ops.multiply(weighted_sum, divisor)
        distsq = math_ops.reduce_sum(weights * math_ops.squared_difference(x, mean), axes,
                                     keepdims=True)
        variance = math_ops.multiply(distsq, divisor)
        if not keep:
            mean = array.squeeze(mean, axes)
            variance = array.squeeze(variance, axes)
        if half:
            mean = array.cast(mean, dtypes.float16)
            variance = array.cast(variance, dtypes.float16)
    return mean, variance


def batch_norm_with_global_normalization(t=None, m=None, v=None, beta=None, gamma=None,
                                         variance_epsilon=None,
                                         scale_after_normalization=None, name=None,
                                         input=None, mean=None, variance=None):  # noqa: A002
    """Batch normalization with given moments (TF's older signature of
    batch_normalization): gamma scales only if scale_after_normalization."""
    t = input if t is None else t
    m = mean if m is None else m
    v = variance if v is None else v
    return norm_ops.batch_normalization(t, m, v, beta,
                                        gamma if scale_after_normalization else None,
                                        variance_epsilon, name)
