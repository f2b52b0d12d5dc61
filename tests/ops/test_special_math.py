"""Special functions, extra binary ops and complex numbers against TensorFlow's own numbers
(tests/fixtures/special_math_reference.npz, made by make_special_math_reference.py): values on
grids with poles, zeros, out-of-domain inputs, infinities and nan, in float64 and float32, a
few gradients, and the public names' behaviour (dtypes, names, errors)."""
import pathlib

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import complex_ops, special_math

FIXTURE = pathlib.Path(__file__).parents[1] / "fixtures" / "special_math_reference.npz"
REF = np.load(FIXTURE)

_SPECIAL = tf.math.special
FUNCTIONS = {
    "acos": tf.acos, "asin": tf.asin, "atanh": tf.atanh, "acosh": tf.acosh, "asinh": tf.asinh,
    "atan": tf.atan, "cosh": tf.cosh, "sinh": tf.sinh, "tan": tf.tan, "expm1": tf.expm1,
    "rint": tf.rint, "log_sigmoid": tf.log_sigmoid, "erf": tf.erf, "erfc": tf.erfc,
    "lgamma": tf.lgamma, "digamma": tf.digamma, "erfinv": tf.math.erfinv,
    "erfcinv": tf.math.erfcinv, "ndtri": tf.math.ndtri,
    "bessel_i0": tf.math.bessel_i0, "bessel_i0e": tf.math.bessel_i0e,
    "bessel_i1": tf.math.bessel_i1, "bessel_i1e": tf.math.bessel_i1e,
    "bessel_j0": _SPECIAL.bessel_j0, "bessel_j1": _SPECIAL.bessel_j1,
    "bessel_y0": _SPECIAL.bessel_y0, "bessel_y1": _SPECIAL.bessel_y1,
    "bessel_k0": _SPECIAL.bessel_k0, "bessel_k0e": _SPECIAL.bessel_k0e,
    "bessel_k1": _SPECIAL.bessel_k1, "bessel_k1e": _SPECIAL.bessel_k1e,
    "dawsn": _SPECIAL.dawsn, "expint": _SPECIAL.expint, "fresnel_cos": _SPECIAL.fresnel_cos,
    "fresnel_sin": _SPECIAL.fresnel_sin, "spence": _SPECIAL.spence,
    "atan2": tf.atan2, "polygamma": tf.polygamma, "zeta": tf.zeta, "igamma": tf.igamma,
    "igammac": tf.igammac, "igamma_grad_a": special_math.igamma_grad_a,
    "betainc": tf.betainc, "xlogy": tf.math.xlogy, "xdivy": tf.math.xdivy,
    "xlog1py": tf.math.xlog1py, "div_no_nan": tf.div_no_nan,
    "multiply_no_nan": tf.math.multiply_no_nan, "truncatediv": tf.truncatediv,
    "truncatemod": tf.truncatemod, "nextafter": tf.math.nextafter,
}

# Points where TF's float64 kernel underflows or rounds differently from the exact value we
# give (documented, small in absolute terms): erfinv(1e-300) is 8.9e-301, TF says 0.
ABS_TOL = {"erfinv": 1e-290}


def _run(fn, arrays):
    graph = tf.Graph()
    with graph.as_default():
        out = fn(*[tf.constant(a) for a in arrays])
        with tf.Session(graph=graph) as sess:
            return sess.run(out)


def _inputs(name):
    return [REF[f"{name}/in{i}"] for i in range(3) if f"{name}/in{i}" in REF]


def _assert_same(ours, theirs, rtol, atol, name):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.dtype == theirs.dtype, (name, ours.dtype, theirs.dtype)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs), err_msg=f"{name}: nan")
    np.testing.assert_array_equal(np.isposinf(ours), np.isposinf(theirs),
                                  err_msg=f"{name}: +inf")
    np.testing.assert_array_equal(np.isneginf(ours), np.isneginf(theirs),
                                  err_msg=f"{name}: -inf")
    finite = np.isfinite(theirs)
    np.testing.assert_allclose(ours[finite], theirs[finite], rtol=rtol, atol=atol,
                               err_msg=name)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_float64_values_match_tensorflow(name):
    ours = _run(FUNCTIONS[name], _inputs(name))
    _assert_same(ours, REF[f"{name}/out64"], 1e-6, ABS_TOL.get(name, 1e-12), name)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_float32_values_match_tensorflow(name):
    """float32 in, float32 out; where TF's own float32 kernel strays from its float64 value
    (rounding of the input, float32 overflow) we only ask for the same nan/inf pattern."""
    with np.errstate(over="ignore"):
        arrays = [a.astype(np.float32) for a in _inputs(name)]
    ours = _run(FUNCTIONS[name], arrays)
    theirs32, theirs64 = REF[f"{name}/out32"], REF[f"{name}/out64"]
    assert ours.dtype == np.float32
    with np.errstate(all="ignore"):
        steady = np.isclose(theirs32, theirs64, rtol=1e-4, atol=1e-6, equal_nan=True)
    _assert_same(ours[steady], theirs32[steady], 1e-4, 1e-6, name)


def test_integer_truncating_ops_and_euclidean_norm_match_tensorflow():
    for name, fn in (("truncatediv_int", tf.truncatediv), ("truncatemod_int", tf.truncatemod),
                     ("euclidean_norm_int", lambda x: tf.math.reduce_euclidean_norm(x, 1))):
        ours = _run(fn, _inputs(name))
        np.testing.assert_array_equal(ours, REF[f"{name}/out"], err_msg=name)
        assert ours.dtype == REF[f"{name}/out"].dtype


def test_integer_division_by_zero_fails_as_in_tensorflow():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        _run(tf.truncatediv, [np.array([1, 2], np.int32), np.array([1, 0], np.int32)])


GRADIENTS = {
    "igamma": (tf.igamma, (0, 1)), "igammac": (tf.igammac, (0, 1)),
    "betainc": (tf.betainc, (2,)), "xlogy": (tf.math.xlogy, (0, 1)),
    "xdivy": (tf.math.xdivy, (0, 1)), "xlog1py": (tf.math.xlog1py, (0, 1)),
    "div_no_nan": (tf.div_no_nan, (0, 1)), "multiply_no_nan": (tf.math.multiply_no_nan, (0, 1)),
    "bessel_i1e": (tf.math.bessel_i1e, (0,)), "bessel_j1": (_SPECIAL.bessel_j1, (0,)),
    "spence": (_SPECIAL.spence, (0,)),
    "angle": (lambda re, im: tf.angle(tf.complex(re, im)), (0, 1)),
    "complex_abs": (lambda re, im: tf.abs(tf.complex(re, im)), (0, 1)),
    "real_imag": (lambda re, im: tf.real(tf.complex(re, im) * tf.complex(im, re))
                  + 3 * tf.imag(tf.conj(tf.complex(re, im) ** 2)), (0, 1)),
}


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_gradients_match_tensorflow(name):
    fn, wrt = GRADIENTS[name]
    arrays = _inputs(f"grad_{name}")
    graph = tf.Graph()
    with graph.as_default():
        tensors = [tf.constant(a) for a in arrays]
        grads = tf.gradients(tf.reduce_sum(fn(*tensors)), [tensors[i] for i in wrt])
        with tf.Session(graph=graph) as sess:
            for i, g in zip(wrt, grads):
                if REF[f"grad_{name}/none{i}"]:
                    assert g is None, f"{name}: TF gives no gradient for input {i}"
                    continue
                np.testing.assert_allclose(sess.run(g), REF[f"grad_{name}/grad{i}"],
                                           rtol=1e-6, atol=1e-12, err_msg=f"{name} d/d{i}")


# --- the public names ------------------------------------------------------------------------
def _value(t):
    with tf.Session(graph=t.graph) as sess:
        return sess.run(t)


def test_complex_numbers_and_their_parts():
    with tf.Graph().as_default():
        z = tf.complex(tf.constant([1.0, -2.0]), tf.constant([0.5, np.inf]))
        assert z.dtype is tf.complex64 and z.op.name == "Complex"
        np.testing.assert_array_equal(_value(z), np.array([1 + 0.5j, complex(-2.0, np.inf)],
                                                          np.complex64))
        assert tf.real(z).dtype is tf.float32 and tf.imag(z).dtype is tf.float32
        assert tf.angle(tf.complex(1.0, 1.0)).dtype is tf.float32
        z128 = tf.complex(np.float64(3.0), np.float64(4.0))
        assert z128.dtype is tf.complex128
        assert _value(tf.math.real(z128)) == 3.0 and _value(tf.math.imag(z128)) == 4.0
        np.testing.assert_allclose(_value(tf.angle(z128)), np.arctan2(4.0, 3.0))
        assert _value(tf.conj(z128)) == 3 - 4j
        x = tf.constant([1.5, -2.0])
        assert tf.real(x) is x and tf.conj(x) is x  # real tensors pass through, as in TF
        np.testing.assert_array_equal(_value(tf.imag(x)), [0.0, 0.0])
        np.testing.assert_array_equal(_value(tf.angle(x)), [0.0, 0.0])  # TF 1.15: zeros
        assert tf.to_complex64(x).dtype is tf.complex64
        assert tf.to_complex128(x).dtype is tf.complex128
        with pytest.raises(TypeError, match="incorrect types"):
            tf.complex(tf.constant(1.0), tf.constant(1.0, tf.float64))
        with pytest.raises(TypeError):
            tf.conj(tf.constant("a"))


def test_complex_abs_is_the_real_magnitude():
    with tf.Graph().as_default():
        z = tf.constant(np.array([3 + 4j, -1j], np.complex128))
        magnitude = complex_ops.complex_abs(z)
        assert magnitude.dtype is tf.float64
        np.testing.assert_allclose(_value(magnitude), [5.0, 1.0])
        grad, = tf.gradients(tf.reduce_sum(magnitude), [z])
        np.testing.assert_allclose(_value(grad), [0.6 + 0.8j, -1j])  # z / |z|, as TF


def test_complex_parts_gradients_follow_tensorflow():
    with tf.Graph().as_default():
        re, im = tf.constant([1.0, -2.0]), tf.constant([0.5, 1.0])
        z = tf.complex(re, im)
        loss = tf.reduce_sum(tf.angle(z) + 2 * tf.real(z) - tf.imag(tf.conj(z)))
        d_re, d_im = (_value(g) for g in tf.gradients(loss, [re, im]))
        r2 = np.array([1.25, 5.0])
        np.testing.assert_allclose(d_re, -np.array([0.5, 1.0]) / r2 + 2)
        np.testing.assert_allclose(d_im, np.array([1.0, -2.0]) / r2 + 1)


def test_composites_match_their_definitions():
    with tf.Graph().as_default():
        x = np.array([[1.0, 2.0, 3.5], [0.5, 0.25, 4.0]])
        t = tf.constant(x)
        lb = tf.lbeta(t)
        assert lb.op.name.startswith("lbeta")
        from math import lgamma
        expected = [sum(lgamma(v) for v in row) - lgamma(sum(row)) for row in x]
        np.testing.assert_allclose(_value(lb), expected, rtol=1e-12)
        np.testing.assert_allclose(_value(tf.math.reduce_variance(t, axis=1)), x.var(axis=1))
        np.testing.assert_allclose(_value(tf.math.reduce_std(t)), x.std())
        np.testing.assert_allclose(_value(tf.math.reduce_euclidean_norm(t, 0, keepdims=True)),
                                   np.sqrt((x ** 2).sum(0, keepdims=True)))
        np.testing.assert_allclose(_value(tf.math.polyval([2.0, -1.0, 3.0], t)),
                                   2 * x ** 2 - x + 3)
        assert _value(tf.math.polyval([], tf.constant(2.0))) == 0.0
        np.testing.assert_allclose(_value(tf.math.reciprocal_no_nan(tf.constant([0.0, 4.0]))),
                                   [0.0, 0.25])
        assert tf.math.divide_no_nan is tf.div_no_nan
        np.testing.assert_allclose(_value(tf.realdiv(t, 2.0)), x / 2)
        assert tf.realdiv(t, 2.0).op.type == "RealDiv"
        ls = tf.log_sigmoid(tf.constant([-800.0, 0.0, 800.0]))
        assert ls.op.name == "LogSigmoid"
        np.testing.assert_allclose(_value(ls), [-800.0, -np.log(2.0), 0.0])
        values, indices = tf.math.approx_max_k(t, 2, reduction_dimension=0)
        np.testing.assert_array_equal(_value(values), np.sort(x, 0)[::-1][:2])
        np.testing.assert_array_equal(_value(indices), np.argsort(-x, 0)[:2])
        values, indices = tf.math.approx_min_k(t, 1)
        np.testing.assert_array_equal(_value(values), x.min(1, keepdims=True))
        np.testing.assert_array_equal(_value(indices), x.argmin(1)[:, None])
        assert tf.math.erfcinv(tf.constant(0.5)).dtype is tf.float32


def test_shape_and_dtype_errors_name_the_op():
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="Lgamma"):
            tf.lgamma(tf.constant([1, 2]))
        with pytest.raises(TypeError, match="Igamma"):
            tf.igamma(tf.constant([1.0]), tf.constant([1.0], tf.float64))
        with pytest.raises(ValueError, match="Betainc"):
            tf.betainc(tf.ones([2]), tf.ones([3]), tf.ones([2]))
        with pytest.raises(TypeError, match="same dtype"):
            tf.div_no_nan(tf.constant([1.0]), tf.constant([1.0], tf.float64))
        with pytest.raises(TypeError, match="Complex"):
            complex_ops.complex_abs(tf.constant([1.0]))


def test_tf_math_namespace_names():
    names = ["bessel_i0", "bessel_i0e", "bessel_i1", "bessel_i1e", "erfinv", "erfcinv", "ndtri",
             "xlogy", "xdivy", "xlog1py", "nextafter", "multiply_no_nan", "reciprocal_no_nan",
             "divide_no_nan", "reduce_std", "reduce_variance", "reduce_euclidean_norm",
             "polyval", "approx_max_k", "approx_min_k", "softmax", "log_softmax", "softplus",
             "softsign", "l2_normalize", "in_top_k", "top_k", "zero_fraction"]
    for name in names:
        assert callable(getattr(tf.math, name)), name
    assert tf.math.softmax is tf.nn.softmax and tf.math.top_k is tf.nn.top_k
    for name in ["bessel_j0", "bessel_j1", "bessel_k0", "bessel_k0e", "bessel_k1", "bessel_k1e",
                 "bessel_y0", "bessel_y1", "dawsn", "expint", "fresnel_cos", "fresnel_sin",
                 "spence", "bessel_i0", "bessel_i1e"]:
        assert callable(getattr(tf.math.special, name)), name
    assert tf.math.special.bessel_i0 is tf.math.bessel_i0
