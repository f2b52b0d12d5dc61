"""tf.distributions.Dirichlet, Multinomial and DirichletMultinomial against TF 2.15
(tests/fixtures/distributions_extra_reference.npz): shapes, every method TF has, the
Dirichlet-Dirichlet KL, and seeded samples (Multinomial's are TensorFlow's numbers; the
gamma-based ones are checked for their support and moments)."""
import json
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.distributions import multivariate

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
import distributions_extra_cases as cases  # noqa: E402

REFERENCE = np.load(FIXTURES / "distributions_extra_reference.npz")
SHAPES = json.loads(str(REFERENCE["shapes"]))


_TF = tf


@pytest.mark.parametrize("case", sorted(cases.CASES))
def test_methods_match_tensorflow(case):
    with tf.Graph().as_default():
        tensors, shapes = cases.evaluate(_TF, case)
        assert shapes == SHAPES[case]
        with tf.Session() as sess:
            values = sess.run(tensors)
    for key, value in values.items():
        np.testing.assert_allclose(value, REFERENCE[f"{case}/{key}"], rtol=1e-6, atol=1e-12,
                                   err_msg=f"{case}/{key}")


def test_dirichlet_kl_matches_tensorflow():
    with tf.Graph().as_default(), tf.Session() as sess:
        np.testing.assert_allclose(sess.run(cases.kl(_TF)), REFERENCE["kl"], rtol=1e-6)


@pytest.mark.parametrize("case", ["multinomial", "multinomial_scalar"])
def test_multinomial_samples_are_tensorflows(case):
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        sample = cases.samples(_TF, case)
        with tf.Session() as sess:
            value = sess.run(sample)
    # TF's outcomes (a batched Multinomial's vary with the order its map_fn iterations ran)
    assert any(np.array_equal(value, tf_value) for tf_value in REFERENCE[f"sample/{case}"])


def test_gamma_based_samples_have_the_shape_support_and_moments():
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        dirichlet = cases.samples(_TF, "dirichlet")
        dm = cases.samples(_TF, "dirichlet_multinomial")
        concentration = np.array([[1.5, 2.0, 3.0], [0.7, 1.2, 4.0]])
        many = multivariate.Dirichlet(concentration).sample(4000, seed=2)
        mix = multivariate.DirichletMultinomial(4.0, concentration).sample(4000, seed=2)
        assert dirichlet.shape.as_list() == [5, 2, 3] and dm.shape.as_list() == [3, 2, 3]
        with tf.Session() as sess:
            d, counts, d_many, mix_many = sess.run([dirichlet, dm, many, mix])
            again = sess.run(dirichlet)
    assert d.shape == REFERENCE["sample/dirichlet"].shape[1:]
    assert counts.shape == REFERENCE["sample/dirichlet_multinomial"].shape[1:]
    assert not np.array_equal(d, again)  # a new draw each run
    np.testing.assert_allclose(d.sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(counts.sum(-1), 4.0)
    mean = concentration / concentration.sum(-1, keepdims=True)
    np.testing.assert_allclose(d_many.mean(0), mean, atol=0.02)
    np.testing.assert_allclose(mix_many.mean(0), 4.0 * mean, atol=0.1)


def test_argument_errors_and_properties():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Must pass probs or logits, but not both."):
            multivariate.Multinomial(3., logits=[0., 1.], probs=[0.5, 0.5])
        m = multivariate.Multinomial(3., logits=[0., 1.])
        assert m.reparameterization_type is tf.distributions.NOT_REPARAMETERIZED
        assert multivariate.Dirichlet([1., 2.]).reparameterization_type is \
            tf.distributions.FULLY_REPARAMETERIZED
        with pytest.raises(NotImplementedError):
            m.entropy()
        d = multivariate.DirichletMultinomial(2., [1., 1., 1.])
        assert d.total_concentration.shape.as_list() == []
        assert d.event_shape.as_list() == [3] and d.batch_shape.as_list() == []
        with tf.Session() as sess:
            assert sess.run(m.probs).tolist() == pytest.approx([0.26894142, 0.73105858])
            assert sess.run(d.event_shape_tensor()).tolist() == [3]


def test_dirichlet_log_prob_has_gradients():
    """The gradient in the concentration equals central differences of log_prob (whose values
    are TF's, above)."""
    with tf.Graph().as_default():
        c = tf.placeholder(tf.float64, [3])
        lp = multivariate.Dirichlet(c).log_prob(tf.constant([0.2, 0.3, 0.5], tf.float64))
        grad, = tf.gradients(lp, c)
        point = np.array([1.5, 2.0, 3.0])
        with tf.Session() as sess:
            g = sess.run(grad, {c: point})
            h = 1e-6
            numeric = [(sess.run(lp, {c: point + h * e}) - sess.run(lp, {c: point - h * e}))
                       / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(g, numeric, rtol=1e-6)
