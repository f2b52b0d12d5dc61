"""tf.distributions against TF 2.15's compat.v1 tf.distributions
(tests/fixtures/distributions_reference.npz, made by
tests/fixtures/make_distributions_reference.py), and seeded sampling's shapes and moments."""
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf
import tensorweave.distributions as tfd

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
import distributions_cases as cases  # noqa: E402

REF = np.load(FIXTURES / "distributions_reference.npz")


class _Face:
    distributions = tfd


@pytest.mark.parametrize("case", sorted(cases.CASES))
def test_methods_as_tensorflow(case):
    tensors = cases.evaluate(_Face, case)
    with tf.Session() as sess:
        values = sess.run(tensors)
    for key, value in values.items():
        np.testing.assert_allclose(value, REF[f"{case}/{key}"], rtol=1e-6, atol=1e-10,
                                   err_msg=f"{case}/{key}")


def test_every_name_of_tf_distributions():
    names = ["Bernoulli", "Beta", "Categorical", "Distribution", "Exponential",
             "FULLY_REPARAMETERIZED", "Gamma", "Laplace", "NOT_REPARAMETERIZED", "Normal",
             "RegisterKL", "ReparameterizationType", "StudentT", "Uniform", "kl_divergence"]
    assert all(hasattr(tfd, n) for n in names)
    assert tfd.Normal(0., 1.).reparameterization_type is tfd.FULLY_REPARAMETERIZED
    assert tfd.Gamma(1., 1.).reparameterization_type is tfd.NOT_REPARAMETERIZED


@pytest.mark.parametrize("make,mean,var", [
    (lambda: tfd.Normal(1.0, 2.0), 1.0, 4.0),
    (lambda: tfd.Uniform(-1.0, 3.0), 1.0, 16 / 12),
    (lambda: tfd.Exponential(2.0), 0.5, 0.25),
    (lambda: tfd.Laplace(0.5, 1.0), 0.5, 2.0),
    (lambda: tfd.Gamma(3.0, 2.0), 1.5, 0.75),
    (lambda: tfd.Beta(2.0, 3.0), 0.4, 0.04),
    (lambda: tfd.StudentT(5.0, 0.0, 1.0), 0.0, 5 / 3),
    (lambda: tfd.Bernoulli(probs=0.3, dtype=tf.float32), 0.3, 0.21),
])
def test_seeded_samples_have_the_moments(make, mean, var):
    tf.set_random_seed(7)
    samples = make().sample([200, 100], seed=3)
    assert samples.shape.as_list() == [200, 100]
    with tf.Session() as sess:
        first = sess.run(samples)
    with tf.Session() as sess:
        again = sess.run(samples)
    np.testing.assert_array_equal(first, again)  # seeded: the same draws in a new session
    assert abs(first.mean() - mean) < 5 * np.sqrt(var / first.size) + 1e-3
    assert abs(first.var() - var) < 0.1 * var


def test_categorical_samples_and_batch_shape():
    dist = tfd.Categorical(probs=[[0.2, 0.8], [1.0, 0.0]])
    assert dist.batch_shape.as_list() == [2] and dist.event_shape.as_list() == []
    samples = dist.sample(1000, seed=1)
    assert samples.dtype == tf.int32
    with tf.Session() as sess:
        draws = sess.run(samples)
    assert draws.shape == (1000, 2)
    assert abs(draws[:, 0].mean() - 0.8) < 0.05 and (draws[:, 1] == 0).all()


def test_reparameterized_sample_has_gradients():
    loc = tf.Variable(0.5)
    loss = tf.reduce_mean(tfd.Normal(loc, 1.0).sample(10, seed=1))
    grad, = tf.gradients(loss, [loc])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(grad) == pytest.approx(1.0)


def test_register_kl_and_unregistered_pairs():
    class MyNormal(tfd.Normal):
        pass

    kl = tfd.kl_divergence(MyNormal(0., 1.), tfd.Normal(0., 1.))  # the base pair is used
    with tf.Session() as sess:
        assert sess.run(kl) == pytest.approx(0.0)
    with pytest.raises(NotImplementedError, match="No KL"):
        tfd.kl_divergence(tfd.Normal(0., 1.), tfd.Gamma(1., 1.))
    with pytest.raises(ValueError, match="already been registered"):
        tfd.RegisterKL(tfd.Normal, tfd.Normal)(lambda a, b, name=None: None)
    with pytest.raises(ValueError, match="Must pass probs or logits, but not both"):
        tfd.Bernoulli()


def test_contrib_distributions_are_the_same_classes():
    assert tf.contrib.distributions.Normal is tfd.Normal
    assert tf.contrib.distributions.kl_divergence is tfd.kl_divergence
