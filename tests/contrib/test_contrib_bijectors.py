"""tf.contrib.distributions.bijectors (Identity, Exp, AffineScalar, Softplus, Sigmoid, Chain,
Invert) and TransformedDistribution against TensorFlow Probability 0.23 on TF 2.15
(tests/fixtures/contrib_distributions_reference.npz; TFP's Shift and Scale stand for
AffineScalar, and an Independent base for TF 1.15's batch/event overrides): forward, inverse
and log det Jacobians over 0-2 event dimensions, log_prob/cdf/entropy/mean, shapes, samples,
names and argument errors."""
import json
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
import contrib_distributions_cases as cases  # noqa: E402

REFERENCE = np.load(FIXTURES / "contrib_distributions_reference.npz")
SHAPES = json.loads(str(REFERENCE["shapes"]))
TOLERANCE = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-10, atol=1e-12)}
tfd = tf.contrib.distributions
tfb = tf.contrib.distributions.bijectors


@pytest.mark.parametrize("dtype", cases.DTYPES)
@pytest.mark.parametrize("case", sorted(cases.BIJECTORS))
def test_bijectors_match_tensorflow(case, dtype):
    with tf.Graph().as_default(), tf.Session() as sess:
        values = sess.run(cases.evaluate_bijector(tfb, case, dtype))
    for key, value in values.items():
        expected = REFERENCE[f"{dtype}/bijector/{case}/{key}"]
        assert value.dtype == expected.dtype, key
        # a constant Jacobian over no event dimensions may stay unbroadcast, as TF 1.15's
        np.testing.assert_allclose(np.broadcast_to(value, expected.shape), expected,
                                   err_msg=f"{case}/{key}", **TOLERANCE[dtype])
        if not key.endswith("/0"):
            assert value.shape == expected.shape, key


@pytest.mark.parametrize("dtype", cases.DTYPES)
@pytest.mark.parametrize("case", sorted(cases.TRANSFORMED))
def test_transformed_distributions_match_tensorflow(case, dtype):
    with tf.Graph().as_default():
        tensors, shapes = cases.evaluate_transformed(tfd, tfb, case, dtype)
        assert shapes == SHAPES[f"{dtype}/transformed/{case}"]
        with tf.Session() as sess:
            values = sess.run(tensors)
    for key, value in values.items():
        expected = REFERENCE[f"{dtype}/transformed/{case}/{key}"]
        assert value.dtype == expected.dtype, key
        np.testing.assert_allclose(value, expected, err_msg=f"{case}/{key}",
                                   **TOLERANCE[dtype])


def test_round_trips_and_jacobians_agree():
    x = np.array([[-1.0, 0.5, 2.0], [0.3, -0.2, 1.0]])
    with tf.Graph().as_default(), tf.Session() as sess:
        for bijector in [tfb.Exp(), tfb.Softplus(hinge_softness=2.), tfb.Sigmoid(),
                         tfb.AffineScalar(shift=-1., scale=0.25),
                         tfb.Chain([tfb.Invert(tfb.Sigmoid()), tfb.Sigmoid(), tfb.Exp()])]:
            y = bijector.forward(x)
            back, fldj, ildj = sess.run([bijector.inverse(y),
                                         bijector.forward_log_det_jacobian(x, 1),
                                         bijector.inverse_log_det_jacobian(y, 1)])
            np.testing.assert_allclose(back, x, rtol=1e-5, atol=1e-6, err_msg=bijector.name)
            np.testing.assert_allclose(fldj, -ildj, rtol=1e-5, err_msg=bijector.name)


def test_transformed_samples():
    n = 20000
    with tf.Graph().as_default():
        log_normal = tfd.TransformedDistribution(tf.distributions.Normal([0., 0.5], 0.5),
                                                 tfb.Exp())
        iid = tfd.TransformedDistribution(tf.distributions.Normal(0., 1.),
                                          tfb.AffineScalar(shift=[1., 2., 3.], scale=2.),
                                          batch_shape=[2], event_shape=[3])
        samples = [log_normal.sample(n, seed=1), iid.sample([n, 1], seed=2)]
        assert samples[0].shape.as_list() == [n, 2]
        assert samples[1].shape.as_list() == [n, 1, 2, 3]
        with tf.Session() as sess:
            x_ln, x_iid = sess.run(samples)
    mean = np.exp(np.array([0., 0.5]) + 0.125)
    np.testing.assert_allclose(x_ln.mean(0), mean, rtol=0.02)
    assert (x_ln > 0).all()
    np.testing.assert_allclose(x_iid.mean((0, 1)), [[1., 2., 3.]] * 2, atol=0.05)
    np.testing.assert_allclose(x_iid.std((0, 1)), 2., rtol=0.03)


def test_names_shapes_and_properties():
    with tf.Graph().as_default():
        exp = tfb.Exp()
        assert exp.name == "exp" and exp.forward_min_event_ndims == 0
        assert exp.forward(1.).name.startswith("exp/forward/")
        # each call opens the bijector's name scope anew, as TF 1.15's do
        assert exp.inverse_log_det_jacobian(1., 0).name.startswith(
            "exp_1/inverse_log_det_jacobian/")
        assert tfb.Identity().name == "identity" and tfb.Sigmoid().name == "sigmoid"
        assert tfb.Softplus().name == "softplus"
        affine = tfb.AffineScalar(shift=1., scale=2.)
        assert affine.name == "affine_scalar" and affine.is_constant_jacobian
        assert not exp.is_constant_jacobian
        chain = tfb.Chain([exp, affine])
        assert chain.name == "chain_of_exp_of_affine_scalar"
        assert chain.bijectors == [exp, affine]
        assert tfb.Chain().name == "identity"
        assert tfb.Invert(exp).name == "invert_exp" and tfb.Invert(exp).bijector is exp
        log_normal = tfd.TransformedDistribution(tf.distributions.Normal(0., 1.), exp)
        assert log_normal.name == "expNormal/"
        assert log_normal.distribution.name == "Normal/" and log_normal.bijector is exp
        assert log_normal.log_prob(1.).name.startswith("expNormal/log_prob/")
        assert log_normal.reparameterization_type is tfd.FULLY_REPARAMETERIZED
        named = tfd.TransformedDistribution(tf.distributions.Normal(0., 1.), name="Shifted")
        assert named.name == "Shifted/" and named.bijector.name == "identity"
        iid = tfd.TransformedDistribution(tf.distributions.Normal(0., 1.), exp,
                                          batch_shape=[4], event_shape=[2, 3])
        assert iid.batch_shape.as_list() == [4] and iid.event_shape.as_list() == [2, 3]
        with pytest.raises(NotImplementedError):
            iid.cdf(np.ones([4, 2, 3], np.float32))
        with pytest.raises(NotImplementedError):
            log_normal.entropy()
        with pytest.raises(NotImplementedError):
            log_normal.mean()
        with tf.Session() as sess:
            assert sess.run(iid.log_prob(np.ones([4, 2, 3], np.float32))).shape == (4,)
            assert sess.run(log_normal.quantile(0.5)) == pytest.approx(1.)


def test_argument_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="must be larger than or equal to"):
            tfb.Exp().forward_log_det_jacobian(1., event_ndims=-1)
        with pytest.raises(ValueError, match="Base distribution is not scalar"):
            tfd.TransformedDistribution(tf.distributions.Normal([0., 1.], 1.), tfb.Exp(),
                                        batch_shape=[3])
        with pytest.raises(ValueError, match="Base distribution is not scalar"):
            tfd.TransformedDistribution(tfd.MultivariateNormalDiag([0., 1.]), tfb.Exp(),
                                        event_shape=[3])
        with pytest.raises(TypeError, match="doesn't match bijector dtype"):
            tfd.TransformedDistribution(tf.distributions.Normal(0., 1.),
                                        tfb.AffineScalar(shift=np.float64(1.)))
        with pytest.raises(ValueError, match="same bijector twice"):
            exp = tfb.Exp()
            tfb.Chain([exp, exp])
        with pytest.raises(tf.errors.InvalidArgumentError, match="scale must be non-zero"):
            tfb.AffineScalar(scale=0., validate_args=True)
