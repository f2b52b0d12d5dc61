"""NumPy kernels of the gamma-family and error functions (no SciPy).

Every function takes and returns float64 arrays, elementwise, with TensorFlow's values at poles
and outside the domain (nan or inf as TF gives them). Methods: Stirling's series with upward
shifts (lgamma, digamma), Euler-Maclaurin summation (Hurwitz zeta), power series and continued
fractions (igamma, betainc, erf), Halley's iteration on the normal distribution (ndtri).
"""
import numpy as np

EULER = 0.57721566490153286061
LOG_SQRT_2PI = 0.91893853320467274178
SQRT_PI = 1.77245385090551602730
EPS = np.finfo(np.float64).eps

# Bernoulli numbers B2, B4, ..., B24.
_BERNOULLI = np.array([1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
                       43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730])


def _f64(x):
    return np.asarray(x, np.float64)


def on(mask, fn, *arrays):
    """fn(*arrays[mask]) scattered into a nan array of the broadcast shape."""
    arrays = np.broadcast_arrays(*[_f64(a) for a in arrays])
    out = np.full(arrays[0].shape, np.nan)
    mask = np.broadcast_to(mask, out.shape)
    if mask.any():
        out[mask] = fn(*[a[mask] for a in arrays])
    return out


def sin_pi(x):
    """sin(pi * x) with the argument reduced exactly (x finite)."""
    r = x - 2.0 * np.round(x / 2.0)  # in [-1, 1]
    r = np.where(r > 0.5, 1.0 - r, np.where(r < -0.5, -1.0 - r, r))
    return np.sin(np.pi * r)


def cot_pi(x):
    """cos(pi x) / sin(pi x) with the argument reduced exactly (x finite, not an integer)."""
    r = x - np.floor(x)  # in [0, 1)
    return 1.0 / np.tan(np.pi * r)


# --- lgamma, digamma -------------------------------------------------------------------------
def _stirling_lgamma(y):
    """lgamma(y) for y >= 12 by Stirling's series."""
    inv = 1.0 / y
    inv2 = inv * inv
    series = inv * (1 / 12 + inv2 * (-1 / 360 + inv2 * (1 / 1260 + inv2 * (
        -1 / 1680 + inv2 * (1 / 1188 + inv2 * (-691 / 360360 + inv2 / 156))))))
    with np.errstate(over="ignore", invalid="ignore"):
        return (y - 0.5) * np.log(y) - y + LOG_SQRT_2PI + series


def _lgamma_positive(x):
    shift = np.where(x < 12.0, np.ceil(12.0 - x), 0.0)
    product = np.ones_like(x)
    for k in range(int(shift.max(initial=0))):
        product = np.where(k < shift, product * (x + k), product)
    return _stirling_lgamma(x + shift) - np.log(product)


def lgamma(x):
    """log|Gamma(x)|: +inf at the poles (0, -1, -2, ...) and at +-inf."""
    x = _f64(x)
    pole = (x <= 0) & (x == np.floor(x))
    out = on(x > 0, _lgamma_positive, x)
    negative = (x < 0) & ~pole
    out = np.where(negative, on(negative, lambda v: np.log(np.pi / np.abs(sin_pi(v)))
                                - _lgamma_positive(1.0 - v), x), out)
    return np.where(pole | (x == np.inf), np.inf, out)


def _digamma_positive(x):
    shift = np.where(x < 10.0, np.ceil(10.0 - x), 0.0)
    total = np.zeros_like(x)
    for k in range(int(shift.max(initial=0))):
        total = np.where(k < shift, total + 1.0 / (x + k), total)
    y = x + shift
    inv2 = 1.0 / (y * y)
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (
        1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760 - inv2 / 12))))))
    with np.errstate(invalid="ignore"):
        return np.log(y) - 0.5 / y - series - total


def digamma(x):
    """The logarithmic derivative of Gamma: nan at the poles and at -inf."""
    x = _f64(x)
    pole = (x <= 0) & (x == np.floor(x))
    out = on(x > 0, _digamma_positive, x)
    negative = (x < 0) & ~pole
    out = np.where(negative, on(negative, lambda v: _digamma_positive(1.0 - v)
                                - np.pi * cot_pi(v), x), out)
    return np.where(pole, np.nan, out)


# --- Hurwitz zeta and polygamma --------------------------------------------------------------
def _zeta_sum(x, q):
    """Euler-Maclaurin summation of sum_k (q + k)^-x for finite x > 1."""
    start = np.maximum(10.0, x / 4.0)
    terms = np.clip(np.ceil(start - q), 1, 4000)
    total = np.zeros_like(x)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for k in range(int(terms.max(initial=0))):
            total = np.where(k < terms, total + np.power(q + k, -x), total)
        w = q + terms
        tail_power = np.power(w, -x)
        total = total + w * tail_power / (x - 1.0) + 0.5 * tail_power
        rising, w_power = np.ones_like(x), tail_power / w
        factorial = 1.0
        for j, bernoulli in enumerate(_BERNOULLI):
            n = 2 * j + 2
            factorial *= (n - 1) * n
            rising = rising * (x + n - 2) * (x + n - 3) if j else x.copy()
            total = total + bernoulli / factorial * rising * w_power
            w_power = w_power / (w * w)
    return np.where(np.isnan(total) & (q > 0), 0.0, total)


def zeta(x, q):
    """The Hurwitz zeta function sum_k (q + k)^-x, with TF's domain (x > 1)."""
    x, q = np.broadcast_arrays(_f64(x), _f64(q))
    out = on(np.isfinite(x) & (x > 1) & np.isfinite(q), _zeta_sum, x, q)
    q_pole = (q <= 0) & (q == np.floor(q))
    x_even = (x == np.floor(x)) & (np.fmod(x, 2.0) == 0)
    out = np.where(q_pole, np.where(x_even, np.inf, np.nan), out)
    out = np.where((q < 0) & ~q_pole & (x != np.floor(x)), np.nan, out)
    out = np.where(q == np.inf, np.where(x > 1, 0.0, np.nan), out)
    out = np.where(x == np.inf, np.where(q < 1, np.inf, np.where(q == 1, 1.0, 0.0)), out)
    out = np.where(np.isnan(q), np.nan, out)
    out = np.where(x == 1, np.inf, out)
    return np.where((x < 1) | np.isnan(x), np.nan, out)


def polygamma(n, x):
    """The n-th derivative of digamma; nan unless n is a non-negative integer."""
    n, x = np.broadcast_arrays(_f64(n), _f64(x))
    valid = (n >= 0) & (n == np.floor(n)) & np.isfinite(n)
    with np.errstate(invalid="ignore", over="ignore"):
        sign = np.where(np.fmod(n, 2.0) == 0, -1.0, 1.0)
        factorial = np.exp(lgamma(n + 1.0))
        higher = sign * factorial * zeta(n + 1.0, x)
    out = np.where(n == 0, digamma(x), higher)
    return np.where(valid, out, np.nan)


# --- incomplete gamma ------------------------------------------------------------------------
def _igamma_series(a, x):
    """(P(a, x), dP/da) by the power series, for x <= max(1, a)."""
    term, dlog = np.ones_like(a), np.zeros_like(a)
    total, dtotal = np.ones_like(a), np.zeros_like(a)
    active = np.ones(a.shape, bool)
    n = 0
    while active.any() and n < 20000:
        n += 1
        r = x / (a + n)
        term = np.where(active, term * r, term)
        dlog = np.where(active, dlog - 1.0 / (a + n), dlog)
        total = np.where(active, total + term, total)
        dtotal = np.where(active, dtotal + term * dlog, dtotal)
        active &= term > EPS * total / 4
    pre = np.exp(a * np.log(x) - x - lgamma(a + 1.0))
    dlog_pre = np.log(x) - digamma(a + 1.0)
    return pre * total, pre * (dlog_pre * total + dtotal)


def _igammac_fraction(a, x):
    """(Q(a, x), dQ/da) by the continued fraction, for x > max(1, a)."""
    # Q = pre * 1 / (b0 + a1 / (b1 + a2 / (b2 + ...))), b_k = x + 2k + 1 - a, a_k = k (a - k):
    # convergents A/B and their derivatives by the forward recurrence, rescaled each step.
    zeros, ones = np.zeros_like(a), np.ones_like(a)
    a_prev, a_cur, b_prev, b_cur = ones, zeros, zeros, ones  # A_{-1}, A_0, B_{-1}, B_0
    da_prev, da_cur, db_prev, db_cur = zeros, zeros, zeros, zeros
    value, dvalue = zeros, zeros
    active = np.ones(a.shape, bool)
    for k in range(2000):
        coef = ones if k == 0 else k * (a - k)
        dcoef = zeros if k == 0 else k * ones
        base = x + 2 * k + 1 - a
        a_new = base * a_cur + coef * a_prev
        b_new = base * b_cur + coef * b_prev
        da_new = -a_cur + base * da_cur + dcoef * a_prev + coef * da_prev
        db_new = -b_cur + base * db_cur + dcoef * b_prev + coef * db_prev
        scale = np.where(b_new != 0, 1.0 / np.abs(b_new), 1.0)
        a_prev, a_cur = a_cur * scale, a_new * scale
        b_prev, b_cur = b_cur * scale, b_new * scale
        da_prev, da_cur = da_cur * scale, da_new * scale
        db_prev, db_cur = db_cur * scale, db_new * scale
        new = a_cur / b_cur
        dnew = (da_cur * b_cur - a_cur * db_cur) / (b_cur * b_cur)
        done = (np.abs(new - value) <= EPS * np.abs(new)) & (
            np.abs(dnew - dvalue) <= 1e-15 * np.abs(dnew) + 1e-300)
        value = np.where(active, new, value)
        dvalue = np.where(active, dnew, dvalue)
        active &= ~done
        if not active.any():
            break
    pre = np.exp(a * np.log(x) - x - lgamma(a))
    dlog_pre = np.log(x) - digamma(a)
    return pre * value, pre * (dlog_pre * value + dvalue)


def _igamma_parts(a, x):
    """(P, Q, dP/da) for a > 0, x > 0 finite."""
    use_fraction = (x > 1) & (x > a)
    series = ~use_fraction
    p_s = np.full(a.shape, np.nan)
    dp_s = np.full(a.shape, np.nan)
    q_f = np.full(a.shape, np.nan)
    dq_f = np.full(a.shape, np.nan)
    if series.any():
        p_s[series], dp_s[series] = _igamma_series(a[series], x[series])
    if use_fraction.any():
        q_f[use_fraction], dq_f[use_fraction] = _igammac_fraction(a[use_fraction],
                                                                  x[use_fraction])
    p = np.where(use_fraction, 1.0 - q_f, p_s)
    q = np.where(use_fraction, q_f, 1.0 - p_s)
    dp = np.where(use_fraction, -dq_f, dp_s)
    return p, q, dp


def _igamma_all(a, x):
    a, x = np.broadcast_arrays(_f64(a), _f64(x))
    inner = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    p, q, dp = (np.full(a.shape, np.nan) for _ in range(3))
    if inner.any():
        with np.errstate(all="ignore"):
            p[inner], q[inner], dp[inner] = _igamma_parts(a[inner], x[inner])
    return a, x, p, q, dp


def igamma(a, x):
    """The regularized lower incomplete gamma function P(a, x)."""
    a, x, p, _, _ = _igamma_all(a, x)
    p = np.where((a > 0) & (x == np.inf), np.where(a == np.inf, 0.0, 1.0), p)
    p = np.where((a == np.inf) & (x >= 0) & np.isfinite(x), 0.0, p)
    p = np.where((x < 0) | (a <= 0) | np.isnan(a), np.nan, p)
    return np.where(x == 0, 0.0, p)


def igammac(a, x):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    a, x, _, q, _ = _igamma_all(a, x)
    q = np.where((a > 0) & (x == 0), 1.0, q)
    q = np.where((a > 0) & (x == np.inf), 0.0, q)
    q = np.where((a == np.inf) & (x >= 0) & np.isfinite(x), 1.0, q)
    return np.where((x < 0) | (a <= 0) | np.isnan(a) | np.isnan(x), np.nan, q)


def igamma_grad_a(a, x):
    """dP(a, x)/da."""
    a, x, _, _, dp = _igamma_all(a, x)
    dp = np.where((a > 0) & ((x == np.inf) | (a == np.inf)) & (x >= 0), 0.0, dp)
    dp = np.where((x < 0) | (a <= 0) | np.isnan(a), np.nan, dp)
    return np.where(x == 0, 0.0, dp)


# --- incomplete beta -------------------------------------------------------------------------
def _betainc_fraction(a, b, x):
    """I_x(a, b) by its continued fraction (modified Lentz), for x < (a + 1) / (a + b + 2)."""
    tiny = 1e-300
    c = np.ones_like(x)
    d = 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
    h = d.copy()
    active = np.ones(x.shape, bool)
    for m in range(1, 5000):
        for odd in (False, True):
            if odd:
                coef = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            else:
                coef = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1.0 + coef * d
            d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
            c = 1.0 + coef / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            step = c * d
            h = np.where(active, h * step, h)
        active &= np.abs(step - 1.0) > EPS
        if not active.any():
            break
    log_pre = a * np.log(x) + b * np.log1p(-x) - lbeta_pair(a, b)
    return np.exp(log_pre) * h / a


def lbeta_pair(a, b):
    """log Beta(a, b) for positive a, b."""
    return lgamma(a) + lgamma(b) - lgamma(a + b)


def _betainc_inner(a, b, x):
    flip = x > (a + 1.0) / (a + b + 2.0)
    direct = on(~flip, _betainc_fraction, a, b, x)
    flipped = on(flip, _betainc_fraction, b, a, 1.0 - x)
    return np.where(flip, 1.0 - flipped, direct)


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b)."""
    a, b, x = np.broadcast_arrays(_f64(a), _f64(b), _f64(x))
    inner = (a > 0) & (b > 0) & (x > 0) & (x < 1) & np.isfinite(a) & np.isfinite(b)
    with np.errstate(all="ignore"):
        out = on(inner, _betainc_inner, a, b, x)
    ok = (a > 0) & (b > 0)
    out = np.where(ok & (x == 0), 0.0, out)
    return np.where(ok & (x == 1), 1.0, out)


# --- error functions -------------------------------------------------------------------------
def _erf_series(x):
    """erf(x) for |x| < 3: 2/sqrt(pi) x exp(-x^2) sum (2x^2)^n / (1 * 3 * ... * (2n + 1))."""
    x2 = x * x
    term = np.ones_like(x)
    total = np.ones_like(x)
    for n in range(1, 90):
        term = term * 2.0 * x2 / (2 * n + 1)
        total = total + term
    return 2.0 / SQRT_PI * x * np.exp(-x2) * total


def _erfc_fraction(x):
    """erfc(x) for x >= 2 by the even contraction of its continued fraction, from the tail."""
    x2 = 2.0 * x * x
    depth = 80
    f = x2 + 4 * depth + 1.0
    for k in range(depth, 0, -1):
        f = x2 + 4 * k - 3.0 - (2 * k - 1) * (2 * k) / f
    with np.errstate(under="ignore"):
        return np.exp(-x * x) / SQRT_PI * 2.0 * x / f


def erf(x):
    x = _f64(x)
    ax = np.abs(x)
    small = ax < 3.0
    out = on(small, _erf_series, x)
    large = ~small & np.isfinite(ax)
    tail = on(large, _erfc_fraction, ax)
    out = np.where(large, np.sign(x) * (1.0 - tail), out)
    return np.where(np.isinf(x), np.sign(x), out)


def erfc(x):
    x = _f64(x)
    fraction = (x >= 2.0) & np.isfinite(x)
    out = on(fraction, _erfc_fraction, x)
    out = np.where(fraction, out, 1.0 - erf(x))
    out = np.where(x <= -2.0, 2.0 - on(x <= -2.0, _erfc_fraction, -x), out)
    return np.where(x == np.inf, 0.0, np.where(x == -np.inf, 2.0, out))


def ndtr(z):
    """The standard normal distribution function."""
    return 0.5 * erfc(-_f64(z) / np.sqrt(2.0))


def _ndtri_lower(p):
    """ndtri for 0 < p <= 0.5: a rational first guess refined by three Halley steps."""
    t = np.sqrt(-2.0 * np.log(p))
    z = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) /
          (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))))
    for _ in range(3):
        with np.errstate(all="ignore"):
            u = (ndtr(z) / p - 1.0) * np.exp(np.log(p) + 0.5 * z * z) * np.sqrt(2 * np.pi)
        z = z - u / (1.0 + 0.5 * z * u)
    return z


def ndtri(p):
    """The inverse of the standard normal distribution function."""
    p = _f64(p)
    lower = (p > 0) & (p <= 0.5)
    upper = (p > 0.5) & (p < 1)
    out = on(lower, _ndtri_lower, p)
    out = np.where(upper, -on(upper, _ndtri_lower, 1.0 - p), out)
    out = np.where(p == 0, -np.inf, np.where(p == 1, np.inf, out))
    return np.where((p < 0) | (p > 1), np.nan, out)


def _erfinv_small(y):
    x = ndtri(0.5 * (1.0 + y)) / np.sqrt(2.0)
    for _ in range(2):
        x = x - (erf(x) - y) / (2.0 / SQRT_PI * np.exp(-x * x))
    return x


def erfinv(y):
    y = _f64(y)
    small = np.abs(y) <= 0.5
    out = on(small, _erfinv_small, y)
    large = ~small & (np.abs(y) < 1)
    out = np.where(large, -np.sign(y) * on(large, ndtri, 0.5 * (1.0 - np.abs(y)))
                   / np.sqrt(2.0), out)
    out = np.where(np.abs(y) == 1, np.sign(y) * np.inf, out)
    return np.where(np.abs(y) > 1, np.nan, out)


def erfcinv(z):
    z = _f64(z)
    out = -ndtri(0.5 * z) / np.sqrt(2.0)
    return np.where((z < 0) | (z > 2), np.nan, out)
