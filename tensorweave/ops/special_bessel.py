"""NumPy kernels of Bessel functions, Dawson's integral, the exponential integral, Fresnel
integrals and Spence's function (no SciPy).

float64 arrays in and out, elementwise, with TensorFlow's values outside the domain. Methods:
the trapezoidal rule on Bessel's integrals (exponentially accurate for periodic or rapidly
decaying analytic integrands), power series near 0, Hankel's asymptotic expansions for large
arguments, Rybicki's sum (Dawson), continued fractions (E1, Fresnel) and the dilogarithm's
functional equations (Spence).
"""
import numpy as np

from tensorweave.ops.special_functions import EULER, SQRT_PI, on

_CHUNK = 2048  # elements per block of the quadratures (bounds their temporary arrays)


def _blocks(fn, x):
    """fn over `x` in blocks of _CHUNK elements (x one-dimensional)."""
    if x.size <= _CHUNK:
        return fn(x)
    parts = [fn(x[i:i + _CHUNK]) for i in range(0, x.size, _CHUNK)]
    if isinstance(parts[0], tuple):
        return tuple(np.concatenate(p) for p in zip(*parts))
    return np.concatenate(parts)


def _hankel_terms(nu, x, count=30):
    """(P, Q) of Hankel's expansions of order nu at large x."""
    u = np.ones_like(x)
    p, q = u.copy(), np.zeros_like(x)
    mu = 4.0 * nu * nu
    for k in range(1, count):
        u = u * (mu - (2 * k - 1) ** 2) / (8.0 * k * x)
        if k % 4 == 0:
            p = p + u
        elif k % 4 == 1:
            q = q + u
        elif k % 4 == 2:
            p = p - u
        else:
            q = q - u
    return p, q


# --- modified Bessel functions of the first kind ---------------------------------------------
def _i_scaled_quadrature(x):
    """(I0(x) e^-x, I1(x) e^-x) for 0 <= x <= 50: the mean of e^{x (cos t - 1)} cos(n t)."""
    nodes = 128
    t = 2.0 * np.pi * np.arange(nodes) / nodes
    values = np.exp(x[:, None] * (np.cos(t) - 1.0))
    return values.mean(axis=1), (values * np.cos(t)).mean(axis=1)


def _i_scaled_asymptotic(x, nu):
    """I_nu(x) e^-x for x > 50 (all terms of the expansion alternate with positive a_k)."""
    u = np.ones_like(x)
    total = u.copy()
    mu = 4.0 * nu * nu
    for k in range(1, 40):
        u = -u * (mu - (2 * k - 1) ** 2) / (8.0 * k * x)
        total = total + u
    return total / np.sqrt(2.0 * np.pi * x)


def _i_scaled(x, order):
    ax = np.abs(x)
    near = ax <= 50
    out = on(near, lambda v: _blocks(_i_scaled_quadrature, v)[order], ax)
    far = ~near & np.isfinite(ax)
    out = np.where(far, on(far, _i_scaled_asymptotic, ax, float(order)), out)
    out = np.where(np.isinf(ax), 0.0, out)
    return out * np.sign(x) if order else out


def bessel_i0e(x):
    return _i_scaled(np.asarray(x, np.float64), 0)


def bessel_i1e(x):
    return _i_scaled(np.asarray(x, np.float64), 1)


def bessel_i0(x):
    x = np.asarray(x, np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(np.abs(x)) * bessel_i0e(x)


def bessel_i1(x):
    x = np.asarray(x, np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(np.abs(x)) * bessel_i1e(x)


# --- modified Bessel functions of the second kind --------------------------------------------
def _k_scaled_quadrature(x):
    """(K0(x) e^x, K1(x) e^x) for x >= 1e-30: trapezoidal rule on
    int_0^inf e^{-x (cosh t - 1)} cosh(n t) dt, cut where the integrand is below e^-60."""
    nodes = 400
    end = np.arccosh(1.0 + 60.0 / x)
    h = end / nodes
    t = h[:, None] * np.arange(nodes + 1)
    values = np.exp(-x[:, None] * (np.cosh(t) - 1.0))
    values[:, 0] *= 0.5
    return h * values.sum(axis=1), h * (values * np.cosh(t)).sum(axis=1)


def _k_scaled(x, order):
    x = np.asarray(x, np.float64)
    middle = (x >= 1e-30) & np.isfinite(x)
    out = on(middle, lambda v: _blocks(_k_scaled_quadrature, v)[order], x)
    tiny = (x > 0) & (x < 1e-30)
    with np.errstate(divide="ignore"):
        small = on(tiny, lambda v: 1.0 / v if order else -np.log(0.5 * v) - EULER, x)
    out = np.where(tiny, small, out)
    out = np.where(x == np.inf, 0.0, out)
    return np.where(x <= 0, np.inf, out)


def bessel_k0e(x):
    return _k_scaled(x, 0)


def bessel_k1e(x):
    return _k_scaled(x, 1)


def bessel_k0(x):
    x = np.asarray(x, np.float64)
    with np.errstate(under="ignore", invalid="ignore"):
        return np.where(x > 0, bessel_k0e(x) * np.exp(-x), np.where(x <= 0, np.inf, np.nan))


def bessel_k1(x):
    x = np.asarray(x, np.float64)
    with np.errstate(under="ignore", invalid="ignore"):
        return np.where(x > 0, bessel_k1e(x) * np.exp(-x), np.where(x <= 0, np.inf, np.nan))


# --- Bessel functions of the first and second kind -------------------------------------------
def _j_y_series(x):
    """(J0, J1, Y0, Y1) for 0 < x <= 1 by their power series."""
    z = 0.25 * x * x
    term0 = np.ones_like(x)  # (-z)^k / (k!)^2
    term1 = 0.5 * x  # (x/2) (-z)^k / (k! (k+1)!)
    j0, j1 = term0.copy(), term1.copy()
    harmonic = 0.0
    y0_sum = np.zeros_like(x)
    y1_sum = term1 * (-2.0 * EULER + 1.0)  # psi(1) + psi(2) = -2 gamma + 1
    for k in range(1, 14):
        term0 = -term0 * z / (k * k)
        term1 = -term1 * z / (k * (k + 1))
        harmonic += 1.0 / k
        j0, j1 = j0 + term0, j1 + term1
        y0_sum = y0_sum - harmonic * term0
        y1_sum = y1_sum + term1 * (2.0 * (harmonic - EULER) + 1.0 / (k + 1))
    log_term = np.log(0.5 * x) + EULER
    y0 = 2.0 / np.pi * (log_term * j0 + y0_sum)
    y1 = -2.0 / (np.pi * x) + 2.0 / np.pi * np.log(0.5 * x) * j1 - y1_sum / np.pi
    return j0, j1, y0, y1


def _j_y_quadrature(x):
    """(J0, J1, Y0, Y1) for 1 < x <= 25: J_n for n < 64 as the trapezoidal rule on
    (1/2pi) int cos(n t - x sin t) dt (one FFT), Y0 and Y1 by Neumann's series in them."""
    nodes = 128
    t = 2.0 * np.pi * np.arange(nodes) / nodes
    jn = np.fft.ifft(np.exp(-1j * x[:, None] * np.sin(t)), axis=1).real[:, :64]
    k = np.arange(1, 31)
    signs = (-1.0) ** k
    log_term = np.log(0.5 * x) + EULER
    y0 = 2.0 / np.pi * (log_term * jn[:, 0] - 2.0 * (jn[:, 2 * k] * signs / k).sum(axis=1))
    steps = (jn[:, 2 * k - 1] - jn[:, 2 * k + 1]) * signs / k
    y1 = -2.0 / np.pi * (jn[:, 0] / x - log_term * jn[:, 1] - steps.sum(axis=1))
    return jn[:, 0], jn[:, 1], y0, y1


def _j_y_asymptotic(x):
    """(J0, J1, Y0, Y1) for x > 25 by Hankel's expansions."""
    scale = np.sqrt(2.0 / (np.pi * x))
    out = []
    for nu in (0.0, 1.0):
        p, q = _hankel_terms(nu, x)
        chi = x - (0.5 * nu + 0.25) * np.pi
        out.append((scale * (p * np.cos(chi) - q * np.sin(chi)),
                    scale * (p * np.sin(chi) + q * np.cos(chi))))
    (j0, y0), (j1, y1) = out
    return j0, j1, y0, y1


def _j_y(x, which):
    """J0, J1, Y0 or Y1 (which = 0..3) of |x|."""
    ax = np.abs(np.asarray(x, np.float64))
    out = np.full(ax.shape, np.nan)
    for mask, fn in (((ax > 0) & (ax <= 1), _j_y_series),
                     ((ax > 1) & (ax <= 25), lambda v: _blocks(_j_y_quadrature, v)),
                     ((ax > 25) & np.isfinite(ax), _j_y_asymptotic)):
        if mask.any():
            out[mask] = fn(ax[mask])[which]
    return out


def bessel_j0(x):
    x = np.asarray(x, np.float64)
    return np.where(x == 0, 1.0, _j_y(x, 0))


def bessel_j1(x):
    x = np.asarray(x, np.float64)
    return np.where(x == 0, 0.0, np.sign(x) * _j_y(x, 1))


def bessel_y0(x):
    x = np.asarray(x, np.float64)
    return np.where(x <= 0, -np.inf, _j_y(x, 2))


def bessel_y1(x):
    x = np.asarray(x, np.float64)
    return np.where(x <= 0, -np.inf, _j_y(x, 3))


# --- Dawson's integral -----------------------------------------------------------------------
def _dawsn_series(x):
    """sum (-1)^k 2^k x^(2k+1) / (2k+1)!! for |x| < 0.2."""
    x2 = x * x
    term, total = x.copy(), x.copy()
    for k in range(1, 12):
        term = -term * 2.0 * x2 / (2 * k + 1)
        total = total + term
    return total


def _dawsn_rybicki(x):
    """Rybicki's sum (1/sqrt(pi)) sum_{n odd} e^{-(x - n h)^2} / n with h = 0.2, 0.2 <= |x|."""
    h = 0.2
    centre = 2.0 * np.round(0.5 * x / h)
    delta = x - centre * h
    k = np.arange(-39, 40, 2)
    terms = np.exp(-(delta[:, None] - k * h) ** 2) / (centre[:, None] + k)
    return terms.sum(axis=1) / SQRT_PI


def _dawsn_asymptotic(x):
    """1/(2x) sum (2k-1)!! / (2x^2)^k for |x| > 50."""
    inv = 1.0 / (2.0 * x * x)
    term, total = np.ones_like(x), np.ones_like(x)
    for k in range(1, 12):
        term = term * (2 * k - 1) * inv
        total = total + term
    return total / (2.0 * x)


def dawsn(x):
    x = np.asarray(x, np.float64)
    ax = np.abs(x)
    out = on(ax < 0.2, _dawsn_series, x)
    middle = (ax >= 0.2) & (ax <= 50)
    out = np.where(middle, on(middle, lambda v: _blocks(_dawsn_rybicki, v), x), out)
    far = (ax > 50) & np.isfinite(ax)
    out = np.where(far, on(far, _dawsn_asymptotic, x), out)
    return np.where(np.isinf(x), 0.0, out)


# --- exponential integral --------------------------------------------------------------------
def _ei_series(x):
    """Ei(x) = gamma + log x + sum x^k / (k k!) for 0 < x <= 50."""
    term, total = np.ones_like(x), np.zeros_like(x)
    for k in range(1, 160):
        term = term * x / k
        total = total + term / k
    return EULER + np.log(x) + total


def _ei_asymptotic(x):
    """Ei(x) = e^x / x sum k! / x^k for x > 50."""
    term, total = np.ones_like(x), np.ones_like(x)
    for k in range(1, 45):
        term = term * k / x
        total = total + term
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(x) / x * total


def expint(x):
    """The exponential integral Ei(x) (nan for x < 0 and at inf, as TensorFlow gives)."""
    x = np.asarray(x, np.float64)
    out = on((x > 0) & (x <= 50), _ei_series, x)
    far = (x > 50) & np.isfinite(x)
    out = np.where(far, on(far, _ei_asymptotic, x), out)
    return np.where(x == 0, -np.inf, out)


# --- Fresnel integrals -----------------------------------------------------------------------
def _fresnel_series(x):
    """(C, S) for |x| <= 2 by their power series in (pi/2) x^2."""
    z = 0.5 * np.pi * x * x
    c_term, s_term = x.copy(), x * z
    c, s = c_term / 1.0, s_term / 3.0
    for k in range(1, 30):
        c_term = -c_term * z * z / ((2 * k - 1) * (2 * k))
        s_term = -s_term * z * z / ((2 * k) * (2 * k + 1))
        c = c + c_term / (4 * k + 1)
        s = s + s_term / (4 * k + 3)
    return c, s


def _fresnel_fraction(x):
    """(C, S) for 2 < x < 1e8 from erfc of (1 - i) sqrt(pi) x / 2 by its continued fraction,
    evaluated from the tail: C + iS = (1 + i)/2 (1 - e^{i pi x^2 / 2} (1 - i) x F)."""
    base = 1.0 - 1j * np.pi * x * x
    depth = 120
    f = base + 4.0 * depth
    for k in range(depth, 0, -1):
        f = base + 4.0 * (k - 1) - (2 * k - 1) * (2 * k) / f
    phase = np.exp(0.5j * np.pi * np.fmod(x * x, 4.0))
    cs = (0.5 + 0.5j) * (1.0 - phase * (1.0 - 1j) * x / f)
    return cs.real, cs.imag


def _fresnel(x, which):
    x = np.asarray(x, np.float64)
    ax = np.abs(x)
    out = on(ax <= 2, lambda v: _fresnel_series(v)[which], ax)
    middle = (ax > 2) & (ax < 1e8)
    out = np.where(middle, on(middle, lambda v: _blocks(_fresnel_fraction, v)[which], ax), out)
    out = np.where(ax >= 1e8, 0.5, out)
    return np.sign(x) * out


def fresnel_cos(x):
    return _fresnel(x, 0)


def fresnel_sin(x):
    return _fresnel(x, 1)


# --- Spence's function -----------------------------------------------------------------------
_PI2_6 = np.pi * np.pi / 6.0


def _dilog_series(z):
    """Li2(z) = sum z^k / k^2 for |z| <= 0.5."""
    term, total = z.copy(), z.copy()
    for k in range(2, 60):
        term = term * z
        total = total + term / (k * k)
    return total


def _spence_positive(x):
    """spence(x) = Li2(1 - x) for x > 0 finite."""
    out = np.empty_like(x)
    near = (x >= 0.5) & (x <= 2.0)  # Li2(1 - x) by its series, or through w = (x - 1) / x
    low = x < 0.5
    high = x > 2.0
    z = 1.0 - x[near]
    w_near = np.abs(z) <= 0.5
    zn = np.where(w_near, z, 0.0)
    w = (x[near] - 1.0) / x[near]  # Li2(z) = -log(x)^2 / 2 - Li2(w) for z < 1
    out[near] = np.where(w_near, _dilog_series(zn),
                         -0.5 * np.log(x[near]) ** 2 - _dilog_series(np.where(w_near, 0.0, w)))
    xl = x[low]  # Li2(1 - x) = pi^2/6 - log(x) log(1 - x) - Li2(x)
    out[low] = _PI2_6 - np.log(xl) * np.log1p(-xl) - _dilog_series(xl)
    xh = x[high]  # Li2(1 - x) = -log(x)^2/2 - Li2(w), Li2(w) = pi^2/6 - log w log(1/x) - Li2(1/x)
    wh = (xh - 1.0) / xh
    li_w = _PI2_6 - np.log(wh) * np.log(1.0 / xh) - _dilog_series(1.0 / xh)
    out[high] = -0.5 * np.log(xh) ** 2 - li_w
    return out


def spence(x):
    """Spence's function int_1^x log(t) / (1 - t) dt (nan for x < 0 and at inf)."""
    x = np.asarray(x, np.float64)
    out = on((x > 0) & np.isfinite(x), _spence_positive, x)
    out = np.where(x == 1, 0.0, out)
    return np.where(x == 0, _PI2_6, out)
