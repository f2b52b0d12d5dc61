"""Learning-rate schedules as functions of the global step (graph ops, evaluated per run).

Each follows the arithmetic of TF's schedules op for op, so float32 results match TF's.
"""
import math

from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.ops import array, control, math_ops, random_ops


def _start(learning_rate, global_step, schedule):
    """(learning rate tensor, global step cast to its dtype)."""
    if global_step is None:
        raise ValueError(f"global_step is required for {schedule}.")
    lr = convert_to_tensor(learning_rate, name="learning_rate")
    return lr, array.cast(global_step, lr.dtype)


def _decay_fraction(step, decay_steps, staircase):
    """step / decay_steps, floored when `staircase`."""
    p = step / array.cast(decay_steps, step.dtype)
    return math_ops.floor(p) if staircase else p


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """learning_rate * decay_rate ** (global_step / decay_steps).

    >>> lr = tw.train.exponential_decay(0.1, tw.train.get_or_create_global_step(), 1000, 0.96)
    """
    with name_scope(name, "ExponentialDecay", [learning_rate, global_step]) as scope:
        lr, step = _start(learning_rate, global_step, "exponential_decay")
        p = _decay_fraction(step, decay_steps, staircase)
        rate = array.cast(decay_rate, lr.dtype)
        return math_ops.multiply(lr, math_ops.pow(rate, p), name=scope)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """learning_rate * exp(-decay_rate) ** (global_step / decay_steps)."""
    with name_scope(name, "ExponentialDecay", [learning_rate, global_step]) as scope:
        lr, step = _start(learning_rate, global_step, "natural_exp_decay")
        p = _decay_fraction(step, decay_steps, staircase)
        rate = math_ops.exp(math_ops.negative(array.cast(decay_rate, lr.dtype)))
        return math_ops.multiply(lr, math_ops.pow(rate, p), name=scope)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                       name=None):
    """learning_rate / (1 + decay_rate * global_step / decay_steps)."""
    with name_scope(name, "InverseTimeDecay", [learning_rate, global_step]) as scope:
        lr, step = _start(learning_rate, global_step, "inverse_time_decay")
        p = _decay_fraction(step, decay_steps, staircase)
        rate = array.cast(decay_rate, lr.dtype)
        denominator = math_ops.add(array.cast(1, lr.dtype), math_ops.multiply(rate, p))
        return math_ops.divide(lr, denominator, name=scope)


def piecewise_constant(x, boundaries, values, name=None):
    """values[0] while x <= boundaries[0], values[1] while x <= boundaries[1], ..."""
    if len(values) != len(boundaries) + 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with name_scope(name, "PiecewiseConstant", [x]) as scope:
        x = convert_to_tensor(x)
        vals = [convert_to_tensor(v) for v in values]
        if any(v.dtype is not vals[0].dtype for v in vals):
            raise ValueError(f"Values must have elements all with the same dtype "
                             f"({[v.dtype.name for v in vals]}).")
        result = vals[-1]
        for boundary, value in zip(reversed(boundaries), reversed(vals[:-1])):
            result = array.where(x <= array.cast(boundary, x.dtype), value, result)
        return array.identity(result, name=scope)


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001,
                     power=1.0, cycle=False, name=None):
    """Decays from learning_rate to end_learning_rate as (1 - step / decay_steps) ** power;
    with `cycle`, decay_steps grows to the first multiple of itself past the step."""
    with name_scope(name, "PolynomialDecay", [learning_rate, global_step]) as scope:
        lr, step = _start(learning_rate, global_step, "polynomial_decay")
        steps = array.cast(decay_steps, lr.dtype)
        end = array.cast(end_learning_rate, lr.dtype)
        if cycle:
            multiplier = array.where(math_ops.equal(step, 0), array.cast(1, lr.dtype),
                                         math_ops.ceil(step / steps))
            steps = math_ops.multiply(steps, multiplier)
        else:
            step = math_ops.minimum(step, steps)
        p = math_ops.divide(step, steps)
        decayed = math_ops.multiply(lr - end, math_ops.pow(1 - p, array.cast(power,
                                                                                  lr.dtype)))
        return math_ops.add(decayed, end, name=scope)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha), with
    the step capped at decay_steps."""
    with name_scope(name, "CosineDecay", [learning_rate, global_step]) as scope:
        lr, step = _start(learning_rate, global_step, "cosine_decay")
        steps = array.cast(decay_steps, lr.dtype)
        fraction = math_ops.minimum(step, steps) / steps
        pi = convert_to_tensor(math.pi, dtype=lr.dtype)
        cosine = 0.5 * (1.0 + math_ops.cos(pi * fraction))
        return math_ops.multiply(lr, (1 - alpha) * cosine + alpha, name=scope)


piecewise_constant_decay = piecewise_constant


def cosine_decay_restarts(learning_rate, global_step, first_decay_steps, t_mul=2.0, m_mul=1.0,
                          alpha=0.0, name=None):
    """Cosine decay with warm restarts (SGDR): period i lasts first_decay_steps * t_mul ** i
    steps and starts from learning_rate * m_mul ** i."""
    with name_scope(name, "SGDRDecay", [learning_rate, global_step]) as scope:
        lr, step = _start(learning_rate, global_step, "cosine_decay_restarts")
        dtype = lr.dtype
        first = array.cast(first_decay_steps, dtype)
        alpha = array.cast(alpha, dtype)
        t_mul = array.cast(t_mul, dtype)
        m_mul = array.cast(m_mul, dtype)
        fraction = step / first

        def geometric():
            i = math_ops.floor(math_ops.log(1.0 - fraction * (1.0 - t_mul))
                               / math_ops.log(t_mul))
            done = (1.0 - math_ops.pow(t_mul, i)) / (1.0 - t_mul)
            return i, (fraction - done) / math_ops.pow(t_mul, i)

        def uniform():
            i = math_ops.floor(fraction)
            return i, fraction - i

        i_restart, fraction = control.cond(math_ops.equal(t_mul, 1.0), uniform, geometric)
        cosine = 0.5 * math_ops.pow(m_mul, i_restart) * (
            1.0 + math_ops.cos(convert_to_tensor(math.pi, dtype=dtype) * fraction))
        return math_ops.multiply(lr, (1 - alpha) * cosine + alpha, name=scope)


def _linear_cosine_parts(dtype, step, decay_steps, num_periods):
    """(linear decay, cosine decay) of the step capped at decay_steps."""
    steps = array.cast(decay_steps, dtype)
    step = math_ops.minimum(step, steps)
    linear = (steps - step) / steps
    fraction = 2.0 * array.cast(num_periods, dtype) * (step / steps)
    cosine = 0.5 * (1.0 + math_ops.cos(convert_to_tensor(math.pi, dtype=dtype) * fraction))
    return step, linear, cosine


def linear_cosine_decay(learning_rate, global_step, decay_steps, num_periods=0.5, alpha=0.0,
                        beta=0.001, name=None):
    """learning_rate * ((alpha + linear) * cosine + beta), where linear falls from 1 to 0 over
    decay_steps and cosine makes num_periods periods (Bello et al., 2017)."""
    with name_scope(name, "LinearCosineDecay", [learning_rate, global_step]) as scope:
        lr, step = _start(learning_rate, global_step, "linear_cosine_decay")
        _, linear, cosine = _linear_cosine_parts(lr.dtype, step, decay_steps, num_periods)
        decayed = (array.cast(alpha, lr.dtype) + linear) * cosine + array.cast(beta, lr.dtype)
        return math_ops.multiply(lr, decayed, name=scope)


def noisy_linear_cosine_decay(learning_rate, global_step, decay_steps, initial_variance=1.0,
                              variance_decay=0.55, num_periods=0.5, alpha=0.0, beta=0.001,
                              name=None):
    """linear_cosine_decay with Gaussian noise of variance initial_variance / (1 + step) **
    variance_decay added to the linear part (a new draw at every run)."""
    with name_scope(name, "NoisyLinearCosineDecay", [learning_rate, global_step]) as scope:
        lr, step = _start(learning_rate, global_step, "noisy_linear_cosine_decay")
        dtype = lr.dtype
        step, linear, cosine = _linear_cosine_parts(dtype, step, decay_steps, num_periods)
        variance = array.cast(initial_variance, dtype) / math_ops.pow(
            1.0 + step, array.cast(variance_decay, dtype))
        noisy = linear + random_ops.random_normal(linear.shape.as_list(), dtype=dtype,
                                                  stddev=math_ops.sqrt(variance))
        decayed = (array.cast(alpha, dtype) + noisy) * cosine + array.cast(beta, dtype)
        return math_ops.multiply(lr, decayed, name=scope)
