"""tf.contrib.integrate: odeint against TF 1.15's dopri5 algorithm re-computed step by step in
NumPy (the same accepted and rejected steps, error ratios and dense output), against the
exact solutions and scipy.integrate.odeint to TF's tolerances, and within tolerance of
TensorFlow Probability's Dormand-Prince (tests/fixtures/make_contrib_integrate_reference.py);
odeint_fixed against NumPy re-computations of the midpoint and RK4 steps; TF's errors."""
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
from contrib_integrate_cases import PROBLEMS  # noqa: E402

REF = np.load(FIXTURES / "contrib_integrate_reference.npz")

# --- TF 1.15's dopri5, in NumPy -----------------------------------------------------------------
A = [1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0]
B = [[1 / 5], [3 / 40, 9 / 40], [44 / 45, -56 / 15, 32 / 9],
     [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
     [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
     [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]]
C_MID = np.array([6025192743 / 30085553152, 0, 51252292925 / 65400821598,
                  -2691868925 / 45128329728, 187940372067 / 1594534317056,
                  -1776094331 / 19743644256, 11237099 / 235043384]) / 2
C_ERR = np.array([1951 / 21600 - 35 / 384, 0, 22642 / 50085 - 500 / 1113, 451 / 720 - 125 / 192,
                  -12231 / 42400 + 2187 / 6784, 649 / 6300 - 11 / 84, 1 / 60])
# TF casts the Python float 1 / order to the step's dtype through a float32 tensor
FIFTH = float(np.float32(1 / 5))


def numpy_dopri5(f, y0, times, rtol, atol, first_step=1.0, safety=0.9, ifactor=10.0,
                 dfactor=0.2):
    y, fy, t1, dt = np.asarray(y0, np.float64), f(y0, times[0]), times[0], first_step
    t0, coeffs = t1, [y] * 5
    out, points, ratios = [y], [], []
    for target in times[1:]:
        while target > t1:
            ks = [fy]
            for a, b in zip(A, B):
                stage = y + sum(dt * bi * k for bi, k in zip(b, ks))
                ks.append(f(stage, t1 + a * dt))
            y_new, f_new = stage, ks[-1]
            err = sum(dt * c * k for c, k in zip(C_ERR, ks))
            tol = atol + rtol * np.maximum(np.abs(y), np.abs(y_new))
            ratio = np.sqrt(np.mean(err ** 2 / tol ** 2))
            points.append(t1 + dt)
            ratios.append(ratio)
            t0 = t1
            if ratio <= 1:
                mid = y + sum(dt * c * k for c, k in zip(C_MID, ks))
                coeffs = [-2 * dt * fy + 2 * dt * f_new - 8 * y - 8 * y_new + 16 * mid,
                          5 * dt * fy - 3 * dt * f_new + 18 * y + 14 * y_new - 32 * mid,
                          -4 * dt * fy + dt * f_new - 11 * y - 5 * y_new + 16 * mid,
                          dt * fy, y]
                y, fy, t1 = y_new, f_new, t1 + dt
            dt = dt / max(1 / ifactor, min(ratio ** FIFTH / safety, 1 / dfactor))
        x = (target - t0) / (t1 - t0)
        out.append(sum(c * x ** p for c, p in zip(coeffs, (4, 3, 2, 1, 0))))
    return np.array(out), np.array(points), np.array(ratios)


def _odeint(name, dtype=np.float64, **kwargs):
    func, y0, times, _ = PROBLEMS[name]
    with tf.Graph().as_default():
        result = tf.contrib.integrate.odeint(func(tf), np.asarray(y0, dtype), times,
                                             full_output=True, **kwargs)
        with tf.Session() as sess:
            return sess.run(result)


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_odeint_takes_tensorflows_steps(name):
    y, info = _odeint(name, rtol=1e-6, atol=1e-9)
    func, y0, times, _ = PROBLEMS[name]
    want_y, points, ratios = numpy_dopri5(func(np), y0, times, 1e-6, 1e-9)
    # the same steps tried, accepted and rejected (sums in another order: last bits differ)
    np.testing.assert_array_equal(info["error_ratio"] > 1, ratios > 1)
    np.testing.assert_allclose(info["integrate_points"], points, rtol=1e-9)
    np.testing.assert_allclose(info["error_ratio"], ratios, rtol=1e-7, atol=1e-12)
    assert info["num_func_evals"] == 6 * len(points) + 1
    assert (ratios > 1).any()  # the first step of 1.0 is rejected
    np.testing.assert_allclose(y, want_y, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_odeint_is_accurate_to_its_tolerances(name):
    y, _ = _odeint(name, rtol=1e-8, atol=1e-10)
    func, y0, times, exact = PROBLEMS[name]
    np.testing.assert_allclose(y, REF[f"{name}/scipy"], rtol=1e-6, atol=1e-7)
    if exact is not None:
        np.testing.assert_allclose(y, exact(times).reshape(y.shape), rtol=1e-6, atol=1e-7)
    y_default, _ = _odeint(name)  # TF's defaults, rtol 1e-6 and atol 1e-12
    np.testing.assert_allclose(y_default, REF[f"{name}/tfp"], rtol=1e-4, atol=1e-6)


def test_odeint_float32_state_options_and_fed_times():
    func, y0, times, exact = PROBLEMS["oscillator"]
    with tf.Graph().as_default():
        t = tf.placeholder(tf.float64, [None])
        y = tf.contrib.integrate.odeint(func(tf), y0.astype(np.float32), t, method="dopri5",
                                        options={"first_step": 0.1, "safety": 0.8})
        assert y.dtype == tf.float32 and y.shape.as_list() == [None, 2]
        with tf.Session() as sess:
            value = sess.run(y, {t: times})
    np.testing.assert_allclose(value, exact(times), atol=2e-5)


def test_odeint_complex_state():
    with tf.Graph().as_default():
        y = tf.contrib.integrate.odeint(lambda y, t: 1j * y, np.complex128(1.0),
                                        [0.0, 1.0, np.pi])
        with tf.Session() as sess:
            value = sess.run(y)
    np.testing.assert_allclose(value, np.exp(1j * np.array([0.0, 1.0, np.pi])), atol=1e-6)


def test_odeint_errors():
    f = PROBLEMS["decay"][0](tf)
    with pytest.raises(ValueError, match="invalid method: 'rk4'"):
        tf.contrib.integrate.odeint(f, 1.0, [0.0, 1.0], method="rk4")
    with pytest.raises(ValueError, match="without specifying `method`"):
        tf.contrib.integrate.odeint(f, 1.0, [0.0, 1.0], options={"safety": 0.5})
    with pytest.raises(TypeError, match="`y0` must have a floating point"):
        tf.contrib.integrate.odeint(f, 1, [0.0, 1.0])
    with tf.Graph().as_default():
        too_few = tf.contrib.integrate.odeint(f, 1.0, [0.0, 10.0], method="dopri5",
                                              options={"max_num_steps": 3})
        backwards = tf.contrib.integrate.odeint(f, 1.0, [0.0, 2.0, 1.0])
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="max_num_steps exceeded"):
                sess.run(too_few)
            with pytest.raises(tf.errors.InvalidArgumentError, match="monotonic increasing"):
                sess.run(backwards)


# --- odeint_fixed -------------------------------------------------------------------------------
def numpy_fixed(f, y0, times, dt, method):
    intervals = np.diff(times)
    steps = np.ceil(intervals / dt)
    steps_dt = intervals / steps
    y, t, out = np.asarray(y0, np.float64), times[0], [np.asarray(y0, np.float64)]
    for n, h in zip(steps.astype(int), steps_dt):
        for _ in range(n):
            if method == "midpoint":
                dy = h * f(y + f(y, t) * h / 2, t + h / 2)
            else:
                k1 = f(y, t)
                k2 = f(y + h * k1 / 2, t + h / 2)
                k3 = f(y + h * k2 / 2, t + h / 2)
                k4 = f(y + h * k3, t + h)
                dy = (k1 + 2 * k2 + 2 * k3 + k4) * (h / 6)
            y, t = y + dy, t + h
        out.append(y)
    return np.array(out)


@pytest.mark.parametrize("method", ["midpoint", "rk4"])
@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_odeint_fixed_is_the_fixed_step_method(name, method):
    func, y0, times, exact = PROBLEMS[name]
    dt = np.full(len(times) - 1, 0.07)
    dt[0] = 0.5  # one interval takes a single step
    with tf.Graph().as_default():
        y = tf.contrib.integrate.odeint_fixed(func(tf), y0, times, dt=dt, method=method)
        with tf.Session() as sess:
            value = sess.run(y)
    np.testing.assert_allclose(value, numpy_fixed(func(np), y0, times, dt, method),
                               rtol=1e-13, atol=1e-14)
    if method == "rk4" and exact is not None:
        np.testing.assert_allclose(value, exact(times).reshape(value.shape), atol=2e-3)


def test_odeint_fixed_scalar_dt_default_dt_and_errors():
    f = PROBLEMS["decay"][0]
    times = np.array([0.0, 0.25, 1.0])
    with tf.Graph().as_default():
        y_scalar = tf.contrib.integrate.odeint_fixed(f(tf), np.float64(1.0), times, dt=0.1)
        y_default = tf.contrib.integrate.odeint_fixed(f(tf), np.float64(1.0), times,
                                                      method="midpoint")
        assert tf.contrib.integrate.odeint_fixed(f(tf), 1.0, times).dtype == tf.float32
        with tf.Session() as sess:
            scalar, default = sess.run([y_scalar, y_default])
        with pytest.raises(ValueError, match="method not supported: euler"):
            tf.contrib.integrate.odeint_fixed(f(tf), 1.0, times, method="euler")
        with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
            tf.contrib.integrate.odeint_fixed(f(tf), 1.0, times, dt=[0.1, 0.1, 0.1])
    np.testing.assert_allclose(scalar, numpy_fixed(f(np), 1.0, times, 0.1, "rk4"), rtol=1e-14)
    np.testing.assert_allclose(default, numpy_fixed(f(np), 1.0, times, np.diff(times),
                                                    "midpoint"), rtol=1e-14)


def test_gradients_flow_through_the_solvers():
    with tf.Graph().as_default():
        rate = tf.constant(0.7, tf.float64)
        y0 = tf.constant(2.0, tf.float64)
        times = np.array([0.0, 1.0, 2.0])
        fixed = tf.contrib.integrate.odeint_fixed(lambda y, t: -rate * y, y0, times, dt=0.01)
        adaptive = tf.contrib.integrate.odeint(lambda y, t: -rate * y, y0, times)
        grads = [tf.gradients(y[-1], [y0, rate]) for y in (fixed, adaptive)]
        with tf.Session() as sess:
            fixed_grads, adaptive_grads = sess.run(grads)
    exact = [np.exp(-1.4), -2.0 * 2.0 * np.exp(-1.4)]  # d/dy0 and d/drate of y0 exp(-2 rate)
    np.testing.assert_allclose(fixed_grads, exact, rtol=1e-9)
    np.testing.assert_allclose(adaptive_grads, exact, rtol=1e-5)
