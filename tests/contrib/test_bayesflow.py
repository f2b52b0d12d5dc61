"""tf.contrib.bayesflow.monte_carlo against real TensorFlow 2.15 on fixed samples
(tests/fixtures/make_bayesflow_reference.py): expectation's value and both of its gradients
(reparameterized and score-function), and the two importance samplers."""
import pathlib

import numpy as np
import pytest

import tensorweave as tf

REF = np.load(pathlib.Path(__file__).resolve().parents[1] / "fixtures" /
              "bayesflow_reference.npz")
mc = tf.contrib.bayesflow.monte_carlo
ds = tf.contrib.distributions


def _normal(loc, scale):
    return ds.Normal(loc=tf.constant(loc, tf.float64), scale=tf.constant(scale, tf.float64))


@pytest.mark.parametrize("reparameterized", [True, False])
def test_expectation_and_its_gradients_are_tfs(reparameterized):
    with tf.Graph().as_default(), tf.Session() as sess:
        loc, scale = tf.constant(0.5, tf.float64), tf.constant(1.5, tf.float64)
        p, q = ds.Normal(loc=loc, scale=scale), _normal(1.0, 2.0)
        samples = loc + scale * tf.constant(REF["eps"])
        value = mc.expectation(lambda x: p.log_prob(x) - q.log_prob(x), samples,
                               log_prob=p.log_prob, use_reparametrization=reparameterized)
        got = sess.run([value] + tf.gradients(value, [loc, scale]))
    np.testing.assert_allclose(got, REF[f"expectation/{int(reparameterized)}"], rtol=1e-10)


def test_importance_samplers_are_tfs():
    with tf.Graph().as_default(), tf.Session() as sess:
        q, target = _normal(1.0, 2.0), _normal(0.0, 1.0)
        z = tf.constant(REF["z"]) * 2.0 + 1.0
        estimate = mc.expectation_importance_sampler(lambda v: v * v - 0.5, target.log_prob, q,
                                                     z=z)
        log_estimate = mc.expectation_importance_sampler_logspace(
            lambda v: -v * v / 4.0, target.log_prob, q, z=z)
        got, got_log = sess.run([estimate, log_estimate])
    np.testing.assert_allclose(got, REF["importance"], rtol=1e-10)
    np.testing.assert_allclose(got_log, REF["importance_logspace"], rtol=1e-10)


def test_sampling_and_argument_errors():
    with tf.Graph().as_default(), tf.Session() as sess:
        p, q = _normal(0.0, 1.0), _normal(0.0, 1.5)
        drawn = mc.expectation_importance_sampler(lambda v: v * v, p.log_prob, q, n=100000,
                                                  seed=1)
        assert abs(sess.run(drawn) - 1.0) < 0.05  # E_p[Z^2] of a standard normal
        with pytest.raises(ValueError, match='exactly one of arguments "n" and "z"'):
            mc.expectation_importance_sampler_logspace(p.log_prob, p.log_prob, q)
        with pytest.raises(ValueError, match="`f` must be a callable"):
            mc.expectation(1.0, tf.zeros([3]))
        with pytest.raises(ValueError, match="`log_prob` must be a callable"):
            mc.expectation(tf.identity, tf.zeros([3]), use_reparametrization=False)
