"""tf.contrib.integrate: ODE solvers built from graph ops, as TF 1.15 has them.

`odeint` is Dormand-Prince 5(4) with adaptive steps (Shampine 1986; scipy's and MATLAB's
ode45 family) and 4th-order dense output at the requested times; `odeint_fixed` takes fixed
midpoint or RK4 steps. Both run as while loops in the graph, so `t` and `y0` may be fed.

    y = tf.contrib.integrate.odeint(lambda y, t: -y, 1.0, [0.0, 1.0, 2.0])
    # [1, exp(-1), exp(-2)]
"""
import collections

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import control_dependencies, name_scope
from tensorweave.ops import array, check_ops, complex_ops, control, math_ops
from tensorweave.ops.tensor_array_ops import TensorArray

__all__ = ["odeint", "odeint_fixed"]

# --- Dormand-Prince coefficients (Shampine 1986, section 4) ----------------------------------
# Stage times (fractions of the step), the stage weights, the 5th-order solution (equal to the
# last stage's weights, so the last stage is the solution), the midpoint for dense output and
# the difference of the 4th- and 5th-order solutions (the error estimate).
STAGE_TIMES = (1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0)
STAGE_WEIGHTS = (
    (1 / 5,),
    (3 / 40, 9 / 40),
    (44 / 45, -56 / 15, 32 / 9),
    (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
    (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
    (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84),
)
MIDPOINT_WEIGHTS = (6025192743 / 30085553152 / 2, 0.0, 51252292925 / 65400821598 / 2,
                    -2691868925 / 45128329728 / 2, 187940372067 / 1594534317056 / 2,
                    -1776094331 / 19743644256 / 2, 11237099 / 235043384 / 2)
ERROR_WEIGHTS = (1951 / 21600 - 35 / 384, 0.0, 22642 / 50085 - 500 / 1113,
                 451 / 720 - 125 / 192, -12231 / 42400 + 2187 / 6784, 649 / 6300 - 11 / 84,
                 1 / 60)

# The solver's state after a step: the state y and its derivative at the end of the last
# accepted step, that step's interval [t0, t1], the next step size and the coefficients of
# the interpolating quartic on [t0, t1].
_StepState = collections.namedtuple("_StepState", "y f t0 t1 dt coefficients")
_History = collections.namedtuple("_History", "integrate_points error_ratio")


def _weighted_sum(scale, weights, ks):
    """sum_i (scale * weights[i]) * ks[i]."""
    return math_ops.add_n([(scale * w) * k for w, k in zip(weights, ks)])


def _dormand_prince_step(func, y0, f0, t0, dt):
    """(y1, f1, error estimate of y1, stage derivatives) for one step of size dt."""
    dt_y = array.cast(dt, y0.dtype)
    ks = [f0]
    for fraction, weights in zip(STAGE_TIMES, STAGE_WEIGHTS):
        y_stage = y0 + _weighted_sum(dt_y, weights, ks)
        ks.append(func(y_stage, t0 + fraction * dt))
    # the last stage is evaluated at the 5th-order solution itself
    return y_stage, ks[-1], _weighted_sum(dt_y, ERROR_WEIGHTS, ks), ks


def _quartic_through(y0, y1, y_mid, f0, f1, dt):
    """Coefficients [a, b, c, d, e] of p(x) = a x^4 + b x^3 + c x^2 + d x + e on x in [0, 1]
    with p(0) = y0, p(1/2) = y_mid, p(1) = y1, p'(0) = dt f0 and p'(1) = dt f1."""
    a = -2 * dt * f0 + 2 * dt * f1 - 8 * y0 - 8 * y1 + 16 * y_mid
    b = 5 * dt * f0 - 3 * dt * f1 + 18 * y0 + 14 * y1 - 32 * y_mid
    c = -4 * dt * f0 + dt * f1 - 11 * y0 - 5 * y1 + 16 * y_mid
    return [a, b, c, dt * f0, y0]


def _dense_output(y0, y1, ks, dt):
    dt_y = array.cast(dt, y0.dtype)
    y_mid = y0 + _weighted_sum(dt_y, MIDPOINT_WEIGHTS, ks)
    return _quartic_through(y0, y1, y_mid, ks[0], ks[-1], dt_y)


def _evaluate_quartic(coefficients, t0, t1, t):
    inside = check_ops.Assert((t0 <= t) & (t <= t1),
                              ["invalid interpolation, fails `t0 <= t <= t1`:", t0, t, t1])
    with control_dependencies([inside]):
        x = array.cast((t - t0) / (t1 - t0), coefficients[0].dtype)
    powers = [array.ones_like(x), x]
    while len(powers) < len(coefficients):
        powers.append(powers[-1] * x)
    return math_ops.add_n([c * p for c, p in zip(coefficients, reversed(powers))])


def _next_step_size(dt, error_ratio, safety, ifactor, dfactor, order=5):
    """dt divided by error_ratio^(1/order) / safety, the factor kept in [1/ifactor,
    1/dfactor] (so a zero error grows the step by ifactor)."""
    error_ratio = array.cast(error_ratio, dt.dtype)
    factor = math_ops.maximum(1 / ifactor, math_ops.minimum(
        error_ratio ** array.cast(1 / order, dt.dtype) / safety, 1 / dfactor))
    return dt / factor


def _squared_magnitude(x):
    if x.dtype.is_complex:
        return math_ops.square(complex_ops.real(x)) + math_ops.square(complex_ops.imag(x))
    return math_ops.square(x)


def _dopri5(func, y0, t, rtol, atol, full_output=False, first_step=None, safety=0.9,
            ifactor=10.0, dfactor=0.2, max_num_steps=1000, name=None):
    with name_scope(name, "dopri5", [y0, t, rtol, atol]):
        first_step = convert_to_tensor(1.0 if first_step is None else first_step,
                                       dtype=t.dtype, name="first_step")
        safety = convert_to_tensor(safety, dtype=t.dtype, name="safety")
        ifactor = convert_to_tensor(ifactor, dtype=t.dtype, name="ifactor")
        dfactor = convert_to_tensor(dfactor, dtype=t.dtype, name="dfactor")
        max_num_steps = convert_to_tensor(max_num_steps, dtype=dtypes.int32,
                                          name="max_num_steps")

        def adaptive_step(state, history, n_steps):
            y_start, f_start, t_start, dt = state.y, state.f, state.t1, state.dt
            with name_scope("assertions"):
                checks = [
                    check_ops.Assert(t_start + dt > t_start, ["underflow in dt", dt]),
                    check_ops.Assert(n_steps < max_num_steps, ["max_num_steps exceeded"]),
                    check_ops.Assert(math_ops.reduce_all(math_ops.is_finite(
                        math_ops.abs(y_start))), ["non-finite values in state `y`", y_start])]
            with control_dependencies(checks):
                y_end, f_end, y_error, ks = _dormand_prince_step(func, y_start, f_start,
                                                                 t_start, dt)
            with name_scope("error_ratio"):
                tolerance = atol + rtol * math_ops.maximum(math_ops.abs(y_start),
                                                           math_ops.abs(y_end))
                error_ratio = math_ops.sqrt(math_ops.reduce_mean(
                    _squared_magnitude(y_error) / _squared_magnitude(tolerance)))
                accepted = error_ratio <= 1
            with name_scope("update/rk_state"):
                # a rejected step leaves an empty interval [t_start, t_start]; the loop then
                # tries again with a smaller step
                coefficients = control.cond(
                    accepted, lambda: _dense_output(y_start, y_end, ks, dt),
                    lambda: [array.identity(c) for c in state.coefficients])
                state = _StepState(
                    control.cond(accepted, lambda: y_end, lambda: y_start),
                    control.cond(accepted, lambda: f_end, lambda: f_start),
                    t_start,
                    control.cond(accepted, lambda: t_start + dt, lambda: t_start),
                    _next_step_size(dt, error_ratio, safety, ifactor, dfactor),
                    coefficients)
            with name_scope("update/history"):
                history = _History(
                    history.integrate_points.write(history.integrate_points.size(),
                                                   t_start + dt),
                    history.error_ratio.write(history.error_ratio.size(), error_ratio))
            return state, history, n_steps + 1

        def interpolate(solution, history, state, i):
            with name_scope("interpolate"):
                state, history, _ = control.while_loop(
                    lambda state, *_: t[i] > state.t1, adaptive_step, (state, history, 0),
                    name="integrate_loop")
                y = _evaluate_quartic(state.coefficients, state.t0, state.t1, t[i])
                return solution.write(i, y), history, state, i + 1

        increasing = check_ops.Assert(math_ops.reduce_all(t[1:] > t[:-1]),
                                      ["`t` must be monotonic increasing"])
        with control_dependencies([increasing]):
            num_times = array.size(t)
        solution = TensorArray(y0.dtype, size=num_times).write(0, y0)
        history = _History(TensorArray(t.dtype, size=0, dynamic_size=True),
                           TensorArray(rtol.dtype, size=0, dynamic_size=True))
        state = _StepState(y0, func(y0, t[0]), t[0], t[0], first_step, [y0] * 5)
        solution, history, _, _ = control.while_loop(
            lambda _, __, ___, i: i < num_times, interpolate, (solution, history, state, 1),
            name="interpolate_loop")
        y = solution.stack()
        y.set_shape(t.shape.concatenate(y0.shape))
        if not full_output:
            return y
        integrate_points = history.integrate_points.stack()
        info = {"num_func_evals": 6 * array.size(integrate_points) + 1,
                "integrate_points": integrate_points,
                "error_ratio": history.error_ratio.stack()}
        return y, info


def odeint(func, y0, t, rtol=1e-6, atol=1e-12, method=None, options=None, full_output=False,
           name=None):
    """Solves dy/dt = func(y, t), y(t[0]) = y0 at the increasing times `t` with adaptive
    Dormand-Prince steps ('dopri5', the only method). Returns y, shaped [len(t)] + y0's
    shape, and with `full_output` also a dict: num_func_evals, integrate_points (the end of
    every step tried) and error_ratio (of every step; above 1 means rejected).

    options (only with method='dopri5'): first_step (default 1.0), safety (0.9), ifactor
    (10.0: largest growth of a step), dfactor (0.2: largest shrink), max_num_steps (1000
    between two times of `t`). `t` defaults to float64; rtol and atol are per element of y.
    """
    if method is not None and method != "dopri5":
        raise ValueError(f"invalid method: {method!r}")
    if options is None:
        options = {}
    elif method is None:
        raise ValueError("cannot supply `options` without specifying `method`")
    with name_scope(name, "odeint", [y0, t, rtol, atol]) as scope:
        y0 = convert_to_tensor(y0, name="y0")
        if not (y0.dtype.is_floating or y0.dtype.is_complex):
            raise TypeError("`y0` must have a floating point or complex floating point dtype")
        t = convert_to_tensor(t, preferred_dtype=dtypes.float64, name="t")
        if not t.dtype.is_floating:
            raise TypeError("`t` must have a floating point dtype")
        error_dtype = math_ops.abs(y0).dtype
        rtol = convert_to_tensor(rtol, dtype=error_dtype, name="rtol")
        atol = convert_to_tensor(atol, dtype=error_dtype, name="atol")
        return _dopri5(func, y0, t, rtol=rtol, atol=atol, full_output=full_output,
                       name=scope, **options)


# --- fixed grids -----------------------------------------------------------------------------
def _midpoint_increment(func, y, t, dt):
    dt_y = array.cast(dt, y.dtype)
    return dt_y * func(y + func(y, t) * dt_y / 2, t + dt / 2)


def _rk4_increment(func, y, t, dt):
    dt_y = array.cast(dt, y.dtype)
    half_time = t + dt / 2
    k1 = func(y, t)
    k2 = func(y + dt_y * k1 / 2, half_time)
    k3 = func(y + dt_y * k2 / 2, half_time)
    k4 = func(y + dt_y * k3, t + dt)
    return math_ops.add_n([k1, 2 * k2, 2 * k3, k4]) * (dt_y / 6)


FIXED_GRID_METHODS = {"midpoint": _midpoint_increment, "rk4": _rk4_increment}


def _integrate_on_grid(increment, func, y0, t, steps_dt, steps_per_interval):
    def one_step(y, time, step, interval):
        dt = steps_dt[interval - 1]
        return (y + array.cast(increment(func, y, time, dt), y.dtype), time + dt, step + 1,
                interval)

    def one_interval(solution, y, time, interval):
        y, time, _, _ = control.while_loop(
            lambda _y, _t, step, interval: step < steps_per_interval[interval - 1],
            one_step, (y, time, 0, interval))
        return solution.write(interval, y), y, time, interval + 1

    num_times = array.size(t)
    solution = TensorArray(y0.dtype, num_times).write(0, y0)
    solution, _, _, _ = control.while_loop(lambda _s, _y, _t, i: i < num_times, one_interval,
                                           (solution, y0, t[0], 1))
    y = solution.stack()
    y.set_shape(t.shape.concatenate(y0.shape))
    return y


def odeint_fixed(func, y0, t, dt=None, method="rk4", name=None):
    """Solves dy/dt = func(y, t), y(t[0]) = y0 at the increasing times `t` with fixed steps of
    `method` ('midpoint' or 'rk4'). `dt` (a scalar, or one per interval of `t`) suggests the
    step; each interval takes ceil(interval / dt) equal steps (default: one). `t` is float64.
    """
    with name_scope(name, "odeint_fixed", [y0, t, dt]):
        t = convert_to_tensor(t, preferred_dtype=dtypes.float64, name="t")
        y0 = convert_to_tensor(y0, name="y0")
        intervals = t[1:] - t[:-1]
        dt = intervals if dt is None else convert_to_tensor(
            dt, preferred_dtype=dtypes.float64, name="dt")
        steps = math_ops.ceil(intervals / dt)
        steps_dt = intervals / steps
        steps = array.cast(steps, dtypes.int32)
        if not (y0.dtype.is_floating or y0.dtype.is_complex):
            raise TypeError("`y0` must have a floating point or complex floating point dtype")
        if not t.dtype.is_floating:
            raise TypeError("`t` must have a floating point dtype")
        if not steps_dt.dtype.is_floating:
            raise TypeError("`dt` must have a floating point dtype")
        if t.shape.ndims is not None and t.shape.ndims > 1:
            raise ValueError("`t` must be a 1D tensor")
        if steps_dt.shape.ndims is not None and steps_dt.shape.ndims > 1:
            raise ValueError("`dt` must be a 1D tensor")
        increasing = check_ops.Assert(math_ops.reduce_all(t[1:] > t[:-1]),
                                      ["`t` must be monotonic increasing"])
        with control_dependencies([increasing]), name_scope(method):
            if method not in FIXED_GRID_METHODS:
                raise ValueError(f"method not supported: {method}")
            return _integrate_on_grid(FIXED_GRID_METHODS[method], func, y0, t, steps_dt,
                                      steps)
