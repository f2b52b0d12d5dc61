"""tf.contrib.distributions' MultivariateNormal{Diag,TriL,FullCovariance}, OneHotCategorical,
(Exp)RelaxedOneHotCategorical, Logistic and Poisson against TensorFlow Probability 0.23 on
TF 2.15 (tests/fixtures/contrib_distributions_reference.npz, TF 1.15 contrib's formulas):
values and shapes in float32 and float64, the KL pairs, the moments of seeded samples,
argument errors and validate_args, name scopes, and the names under the runner."""
import json
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.core import errors

FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
import contrib_distributions_cases as cases  # noqa: E402

REFERENCE = np.load(FIXTURES / "contrib_distributions_reference.npz")
SHAPES = json.loads(str(REFERENCE["shapes"]))
TOLERANCE = {"float32": dict(rtol=2e-5, atol=1e-6), "float64": dict(rtol=1e-10, atol=1e-12)}
tfd = tf.contrib.distributions


@pytest.mark.parametrize("dtype", cases.DTYPES)
@pytest.mark.parametrize("case", sorted(cases.CASES))
def test_methods_match_tensorflow(case, dtype):
    with tf.Graph().as_default():
        tensors, shapes = cases.evaluate(tfd, case, dtype)
        assert shapes == SHAPES[f"{dtype}/{case}"]
        with tf.Session() as sess:
            values = sess.run(tensors)
    for key, value in values.items():
        expected = REFERENCE[f"{dtype}/{case}/{key}"]
        assert value.dtype == (np.dtype(dtype) if expected.dtype.kind == "f"
                               else expected.dtype), key
        np.testing.assert_allclose(value, expected, err_msg=f"{case}/{key}",
                                   **_tolerance(expected))


def _tolerance(expected):
    # TFP computes OneHotCategorical's values in float32 whatever the logits' dtype; ours keep
    # the logits' dtype, as TF 1.15 contrib's do, and are compared at float32's tolerance there
    return TOLERANCE.get(expected.dtype.name, dict(rtol=0, atol=0))


@pytest.mark.parametrize("dtype", cases.DTYPES)
@pytest.mark.parametrize("pair", sorted(cases.KL))
def test_kl_divergence_matches_tensorflow(pair, dtype):
    with tf.Graph().as_default(), tf.Session() as sess:
        kl = cases.kl(tfd, pair, dtype)
        assert kl.shape.as_list() == SHAPES[f"{dtype}/kl/{pair}"]
        assert kl.name.startswith("KullbackLeibler/")
        expected = REFERENCE[f"{dtype}/kl/{pair}"]
        value = sess.run(kl)
        assert value.dtype == np.dtype(dtype)
        np.testing.assert_allclose(value, expected, **_tolerance(expected))


@pytest.mark.parametrize("dtype", cases.DTYPES)
@pytest.mark.parametrize("case", sorted(cases.MIXTURES))
def test_mixtures_match_tensorflow(case, dtype):
    with tf.Graph().as_default():
        tensors, shapes = cases.evaluate_mixture(tfd, case, dtype)
        assert shapes == SHAPES[f"{dtype}/mixture/{case}"]
        with tf.Session() as sess:
            values = sess.run(tensors)
    for key, value in values.items():
        assert value.dtype == np.dtype(dtype), key
        np.testing.assert_allclose(value, REFERENCE[f"{dtype}/mixture/{case}/{key}"],
                                   err_msg=f"{case}/{key}", **TOLERANCE[dtype])


@pytest.mark.parametrize("case", ["mixture_normal", "same_family_normal",
                                  "same_family_mvn_diag"])
def test_mixture_samples_have_the_mean_and_variance(case):
    with tf.Graph().as_default():
        dist = cases.build_mixture(tfd, case, "float64")
        samples = dist.sample(200000, seed=3)
        assert samples.shape.as_list() == [200000] + dist.batch_shape.as_list() + \
            dist.event_shape.as_list()
        with tf.Session() as sess:
            drawn, mean, variance = sess.run([samples, dist.mean(), dist.variance()])
    np.testing.assert_allclose(drawn.mean(0), mean, atol=0.02)
    np.testing.assert_allclose(drawn.var(0), variance, rtol=0.03)


def test_mixture_argument_errors():
    cat = tfd.Categorical(logits=[0.0, 1.0])
    normal = tfd.Normal(0.0, 1.0)
    with pytest.raises(TypeError, match="cat must be a Categorical"):
        tfd.Mixture(cat=normal, components=[normal, normal])
    with pytest.raises(ValueError, match="components must be a non-empty"):
        tfd.Mixture(cat=cat, components=[])
    with pytest.raises(ValueError, match=r"cat.num_classes != len\(components\): 2 vs. 3"):
        tfd.Mixture(cat=cat, components=[normal] * 3)
    with pytest.raises(TypeError, match="same dtype"):
        tfd.Mixture(cat=cat, components=[normal, tfd.Normal(np.float64(0.0), np.float64(1.0))])
    with pytest.raises(ValueError, match="must be a Categorical"):
        tfd.MixtureSameFamily(normal, normal)
    with pytest.raises(ValueError, match=r"\(2\) does not equal"):
        tfd.MixtureSameFamily(cat, tfd.Normal([0.0, 1.0, 2.0], 1.0))


def test_kl_of_a_distribution_with_itself_is_zero():
    with tf.Graph().as_default(), tf.Session() as sess:
        full = tfd.MultivariateNormalFullCovariance([1., 2., 3.], cases.COV3)
        np.testing.assert_allclose(sess.run(tfd.kl_divergence(full, full)), 0., atol=1e-5)
        assert sess.run(full.kl_divergence(tfd.MultivariateNormalTriL(
            scale_tril=np.eye(3, dtype=np.float32)))).shape == (2,)


# --- seeded samples -----------------------------------------------------------------------
def _draw(sample):
    with tf.Session() as sess:
        return sess.run(sample)


def _assert_mean_within(draws, mean, variance, sigmas=4.5):
    """Each component's sample mean within `sigmas` standard errors of `mean`."""
    stderr = np.sqrt(np.asarray(variance) / draws.shape[0])
    np.testing.assert_array_less(np.abs(draws.mean(0) - mean), sigmas * stderr + 1e-12)


def test_multivariate_normal_samples_have_the_mean_and_covariance():
    n = 20000
    scale_tril = np.tril(np.array(cases.TRIL, np.float64))
    covariance = scale_tril @ np.swapaxes(scale_tril, -1, -2)
    loc = np.array([1., -1., 0.5])
    with tf.Graph().as_default():
        tril = tfd.MultivariateNormalTriL(loc, cases.TRIL)
        full = tfd.MultivariateNormalFullCovariance(loc, covariance)
        diag = tfd.MultivariateNormalDiag([[1., 2.]], [3., 0.5], 0.5)
        samples = [tril.sample(n, seed=1), full.sample([n // 4, 4], seed=2),
                   diag.sample(n, seed=3)]
        assert samples[0].shape.as_list() == [n, 2, 3]
        assert samples[1].shape.as_list() == [n // 4, 4, 2, 3]
        assert samples[2].shape.as_list() == [n, 1, 2]
        x_tril, x_full, x_diag = _draw(samples)
    x_full = x_full.reshape(n, 2, 3)
    for x in (x_tril, x_full):
        _assert_mean_within(x, loc, np.diagonal(covariance, axis1=-2, axis2=-1))
        for b in range(2):
            # the sample covariance's standard error: sqrt((s_ii s_jj + s_ij^2) / n)
            s = covariance[b]
            stderr = np.sqrt((np.outer(np.diag(s), np.diag(s)) + s ** 2) / n)
            np.testing.assert_array_less(np.abs(np.cov(x[:, b].T) - s), 4.5 * stderr)
    _assert_mean_within(x_diag, [[1., 2.]], [[3.5 ** 2, 1.]])
    np.testing.assert_allclose(x_diag.std(0), [[3.5, 1.]], rtol=0.03)


def test_samples_are_reproducible_with_a_graph_seed():
    def draw():
        with tf.Graph().as_default():
            tf.set_random_seed(7)
            mvn = tfd.MultivariateNormalDiag([0., 1.], [1., 2.])
            relaxed = tfd.RelaxedOneHotCategorical(0.5, logits=[0., 1., 2.])
            with tf.Session() as sess:
                return sess.run([mvn.sample(3), relaxed.sample(3)])
    first, second = draw(), draw()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_one_hot_and_relaxed_samples():
    n = 20000
    probs = np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]])
    with tf.Graph().as_default():
        onehot = tfd.OneHotCategorical(probs=probs).sample(n, seed=4)
        relaxed = tfd.RelaxedOneHotCategorical([0.3, 2.0], probs=probs).sample(n, seed=5)
        exp_relaxed = tfd.ExpRelaxedOneHotCategorical(0.7, logits=np.log(probs)).sample(
            [2, 3], seed=6)
        assert onehot.dtype == tf.int32 and onehot.shape.as_list() == [n, 2, 3]
        assert relaxed.dtype == tf.float64 and relaxed.shape.as_list() == [n, 2, 3]
        assert exp_relaxed.shape.as_list() == [2, 3, 2, 3]
        x_onehot, x_relaxed, x_exp = _draw([onehot, relaxed, exp_relaxed])
    np.testing.assert_array_equal(x_onehot.sum(-1), 1)
    _assert_mean_within(x_onehot, probs, probs * (1 - probs))
    # relaxed samples lie on the simplex, and their argmax is Categorical(probs) at any
    # temperature (the Gumbel-max trick)
    np.testing.assert_allclose(x_relaxed.sum(-1), 1., rtol=1e-12)
    assert (x_relaxed > 0).all()
    argmax = np.eye(3)[x_relaxed.argmax(-1)]
    _assert_mean_within(argmax, probs, probs * (1 - probs))
    np.testing.assert_allclose(np.log(np.exp(x_exp).sum(-1)), 0., atol=1e-12)


def test_logistic_and_poisson_samples():
    n = 20000
    with tf.Graph().as_default():
        logistic = tfd.Logistic([0., 3.], [1., 0.5])
        poisson = tfd.Poisson(rate=[0.5, 4.0, 30.0])
        samples = [logistic.sample(n, seed=8), poisson.sample(n, seed=9)]
        assert [s.shape.as_list() for s in samples] == [[n, 2], [n, 3]]
        x_logistic, x_poisson = _draw(samples)
    _assert_mean_within(x_logistic, [0., 3.], (np.pi ** 2 / 3) * np.array([1., 0.25]))
    np.testing.assert_allclose(x_logistic.var(0), (np.pi ** 2 / 3) * np.array([1., 0.25]),
                               rtol=0.05)
    np.testing.assert_array_equal(x_poisson, np.round(x_poisson))
    _assert_mean_within(x_poisson, [0.5, 4., 30.], [0.5, 4., 30.])
    np.testing.assert_allclose(x_poisson.var(0), [0.5, 4., 30.], rtol=0.05)


def test_reparameterized_samples_carry_gradients():
    with tf.Graph().as_default():
        loc = tf.constant([1., 2.])
        log_scale = tf.constant([0., 1.])
        mvn = tfd.MultivariateNormalDiag(loc, tf.exp(log_scale))
        assert mvn.reparameterization_type is tfd.FULLY_REPARAMETERIZED
        x = mvn.sample(5, seed=1)
        d_loc, d_log_scale = tf.gradients(tf.reduce_sum(x), [loc, log_scale])
        logits = tf.constant([0., 1., 2.])
        relaxed = tfd.RelaxedOneHotCategorical(0.5, logits=logits)
        d_logits, = tf.gradients(relaxed.sample(seed=2)[0], logits)
        assert tfd.OneHotCategorical(logits=logits).reparameterization_type is \
            tfd.NOT_REPARAMETERIZED
        with tf.Session() as sess:
            x_v, g_loc, g_scale, g_logits = sess.run([x, d_loc, d_log_scale, d_logits])
    np.testing.assert_allclose(g_loc, [5., 5.])
    np.testing.assert_allclose(g_scale, ((x_v - [1., 2.])).sum(0), rtol=1e-5)
    assert np.abs(g_logits).sum() > 0


# --- shapes, names, arguments -------------------------------------------------------------
def test_unknown_batch_sizes_work_from_placeholders():
    with tf.Graph().as_default():
        loc = tf.placeholder(tf.float32, [None, 2])
        scale = tf.placeholder(tf.float32, [None, 2])
        mvn = tfd.MultivariateNormalDiag(loc, scale)
        assert mvn.batch_shape.as_list() == [None] and mvn.event_shape.as_list() == [2]
        lp = mvn.log_prob(tf.zeros([2]))
        feed = {loc: [[0., 0.], [1., 1.], [2., 0.]], scale: np.ones([3, 2])}
        with tf.Session() as sess:
            value, batch, cov = sess.run([lp, mvn.batch_shape_tensor(), mvn.covariance()],
                                         feed)
    assert batch.tolist() == [3] and cov.shape == (3, 2, 2)
    np.testing.assert_allclose(value, -np.log(2 * np.pi) - 0.5 * np.array([0., 2., 4.]),
                               rtol=1e-6)


def test_names_and_properties():
    with tf.Graph().as_default():
        mvn = tfd.MultivariateNormalDiag([0., 1.], [1., 2.])
        assert mvn.name == "MultivariateNormalDiag/"
        assert mvn.log_prob([0., 0.]).name.startswith("MultivariateNormalDiag/log_prob/")
        assert mvn.sample(seed=1).name.startswith("MultivariateNormalDiag/sample/")
        assert mvn.entropy().name.startswith("MultivariateNormalDiag/entropy/")
        assert mvn.mean().name.startswith("MultivariateNormalDiag/mean/")
        assert mvn.stddev().name.startswith("MultivariateNormalDiag/stddev/")
        assert isinstance(mvn.scale, tf.linalg.LinearOperatorDiag)
        assert mvn.parameters["scale_identity_multiplier"] is None
        named = tfd.MultivariateNormalTriL([0., 1.], np.eye(2, dtype=np.float32), name="q")
        assert named.covariance().name.startswith("q/covariance/")
        assert isinstance(named.scale, tf.linalg.LinearOperatorLowerTriangular)
        assert tfd.MultivariateNormalFullCovariance([0., 1.]).name == \
            "MultivariateNormalFullCovariance/"
        assert issubclass(tfd.MultivariateNormalFullCovariance, tfd.MultivariateNormalTriL)
        for cls, kwargs in [(tfd.OneHotCategorical, dict(logits=[0., 1.])),
                            (tfd.RelaxedOneHotCategorical, dict(temperature=1.,
                                                                logits=[0., 1.])),
                            (tfd.Logistic, dict(loc=0., scale=1.)),
                            (tfd.Poisson, dict(rate=1.))]:
            dist = cls(**kwargs)
            assert dist.name == cls.__name__ + "/"
            value = [0.5, 0.5] if "OneHot" in cls.__name__ else 1.
            assert dist.prob(value).name.startswith(f"{cls.__name__}/prob/")
        poisson = tfd.Poisson(log_rate=[0., 1.])
        assert poisson.dtype == tf.float32 and poisson.batch_shape.as_list() == [2]
        with pytest.raises(NotImplementedError):
            poisson.entropy()
        with pytest.raises(NotImplementedError):
            tfd.RelaxedOneHotCategorical(1., logits=[0., 1.]).mean()
        relaxed = tfd.RelaxedOneHotCategorical(0.5, logits=[0., 1.])
        assert isinstance(relaxed, tfd.TransformedDistribution)
        assert isinstance(relaxed.bijector, tfd.bijectors.Exp)
        assert isinstance(relaxed.distribution, tfd.ExpRelaxedOneHotCategorical)
        # copy() builds the same class from `parameters` (core classes too)
        hotter = relaxed.copy(temperature=2.)
        assert type(hotter) is tfd.RelaxedOneHotCategorical
        wider = mvn.copy(scale_diag=[3., 3.])
        assert tfd.Normal(0., 1.).copy(scale=2.).parameters["scale"] == 2.
        with tf.Session() as sess:
            assert sess.run(poisson.rate).tolist() == pytest.approx([1., np.e])
            assert sess.run(hotter.temperature) == 2.
            assert sess.run(wider.stddev()).tolist() == [3., 3.]


def test_argument_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Cannot infer `event_shape`"):
            tfd.MultivariateNormalDiag()
        with pytest.raises(ValueError, match="Cannot infer `event_shape`"):
            tfd.MultivariateNormalDiag(scale_identity_multiplier=2.)
        with pytest.raises(ValueError, match="one or both of `loc`, `scale_tril`"):
            tfd.MultivariateNormalTriL()
        with pytest.raises(ValueError, match="one or both of `loc`, `covariance_matrix`"):
            tfd.MultivariateNormalFullCovariance()
        with pytest.raises(ValueError, match="Missing required `scale` parameter"):
            tfd.MultivariateNormalLinearOperator([0., 1.])
        with pytest.raises(ValueError, match="Must pass probs or logits, but not both"):
            tfd.OneHotCategorical(logits=[0., 1.], probs=[0.5, 0.5])
        with pytest.raises(ValueError, match="Must pass probs or logits, but not both"):
            tfd.RelaxedOneHotCategorical(0.5)
        with pytest.raises(ValueError, match="exactly one of `rate`, `log_rate`"):
            tfd.Poisson()
        with pytest.raises(ValueError, match="exactly one of `rate`, `log_rate`"):
            tfd.Poisson(rate=1., log_rate=0.)
        with pytest.raises((TypeError, ValueError)):
            tfd.MultivariateNormalDiag(tf.zeros([2]), tf.ones([2], tf.float64))


def _fails_when_run(make, match=None):
    """make() raises InvalidArgumentError, when built or when its value is computed."""
    with tf.Graph().as_default():
        with pytest.raises(errors.InvalidArgumentError, match=match):
            with tf.Session() as sess:
                sess.run(make())


def test_validate_args():
    _fails_when_run(lambda: tfd.MultivariateNormalDiag([0., 0.], [1., 0.], validate_args=True)
                    .log_prob([0., 0.]), "Singular operator")
    _fails_when_run(lambda: tfd.MultivariateNormalDiag(
        [0., 0.], scale_identity_multiplier=0., validate_args=True).sample(), "Singular")
    _fails_when_run(lambda: tfd.MultivariateNormalFullCovariance(
        covariance_matrix=[[1., 0.5], [0., 1.]], validate_args=True).log_prob([0., 0.]),
        "not symmetric")
    _fails_when_run(lambda: tfd.MultivariateNormalFullCovariance(   # not positive definite
        covariance_matrix=[[1., 2.], [2., 1.]]).log_prob([0., 0.]), "Cholesky")
    _fails_when_run(lambda: tfd.Logistic(0., -1., validate_args=True).mean())
    _fails_when_run(lambda: tfd.Poisson(rate=[1., -1.], validate_args=True).mean())
    _fails_when_run(lambda: tfd.OneHotCategorical(probs=[0.5, 0.6], validate_args=True).mean(),
                    "does not sum to 1")
    _fails_when_run(lambda: tfd.RelaxedOneHotCategorical(0., logits=[0., 1.],
                                                         validate_args=True).sample())
    _fails_when_run(lambda: tfd.ExpRelaxedOneHotCategorical(
        1., logits=[0., 1.], validate_args=True).log_prob([0.5, 0.5]))
    with tf.Graph().as_default():
        scale_diag = tf.placeholder(tf.float32, [2])
        lp = tfd.MultivariateNormalDiag([0., 0.], scale_diag, validate_args=True).log_prob(
            [1., 1.])
        tril = tf.placeholder(tf.float32, [2, 2])
        tril_lp = tfd.MultivariateNormalTriL(scale_tril=tril, validate_args=True).log_prob(
            [1., 1.])
        x = tf.placeholder(tf.float32, [])
        poisson_lp = tfd.Poisson(rate=2., validate_args=True).log_prob(x)
        lax_lp = tfd.Poisson(rate=2.).log_prob(x)
        with tf.Session() as sess:
            assert np.isfinite(sess.run(lp, {scale_diag: [1., 2.]}))
            with pytest.raises(errors.InvalidArgumentError, match="Singular operator"):
                sess.run(lp, {scale_diag: [0., 2.]})
            with pytest.raises(errors.InvalidArgumentError, match="Singular operator"):
                sess.run(tril_lp, {tril: [[1., 0.], [1., 0.]]})
            with pytest.raises(errors.InvalidArgumentError, match="non-integer"):
                sess.run(poisson_lp, {x: 1.5})
            # without validate_args x is floored, as TF does
            assert sess.run(lax_lp, {x: 1.5}) == pytest.approx(sess.run(lax_lp, {x: 1.}))
            assert sess.run(poisson_lp, {x: 1.}) == pytest.approx(np.log(2.) - 2.)


def test_contrib_names_and_core_classes():
    assert tfd.Normal is tf.distributions.Normal
    for name in ["MultivariateNormalDiag", "MultivariateNormalTriL", "Logistic", "Poisson",
                 "MultivariateNormalFullCovariance", "OneHotCategorical",
                 "RelaxedOneHotCategorical", "ExpRelaxedOneHotCategorical",
                 "MultivariateNormalLinearOperator", "Normal", "kl_divergence"]:
        assert name in tfd.__all__ and hasattr(tfd, name)
    assert not hasattr(tf.distributions, "MultivariateNormalDiag")  # contrib only, as in TF


PROGRAM = """
    import numpy as np
    import tensorflow as tf
    from tensorflow.contrib.distributions import MultivariateNormalDiag, Poisson
    from tensorflow.contrib import distributions as ds
    from tensorflow.contrib.distributions import bijectors as tfb

    tfd = tf.contrib.distributions
    mu = tf.constant([[0.5, -0.5]])
    q = MultivariateNormalDiag(loc=mu, scale_diag=tf.exp([[0.1, -0.2]]))
    prior = tfd.MultivariateNormalDiag(loc=tf.zeros_like(mu))
    kl = tfd.kl_divergence(q, prior)
    z = q.sample(seed=1)
    policy = ds.MultivariateNormalTriL(loc=[0., 0.], scale_tril=[[1., 0.], [0.5, 1.]])
    counts = Poisson(rate=3.).log_prob(2.)
    onehot = tfd.OneHotCategorical(logits=[0., 1.]).sample(4, seed=2)
    logistic = tfd.Logistic(0., 1.).cdf(0.)
    relaxed = tfd.RelaxedOneHotCategorical(0.5, probs=[0.3, 0.7]).sample(seed=3)
    log_normal = tfd.TransformedDistribution(tf.distributions.Normal(0., 1.),
                                             tfb.Chain([tfb.Exp(), tfb.Identity()]))
    with tf.Session() as sess:
        kl_v, z_v, lp, c, oh, lg, r, ln = sess.run(
            [kl, z, policy.log_prob([1., 1.]), counts, onehot, logistic, relaxed,
             log_normal.log_prob(1.)])
    print("kl %.6f" % kl_v[0])
    print("z", z_v.shape, "onehot", oh.shape, "relaxed", r.shape)
    print("lp %.6f counts %.6f cdf %.3f" % (lp, c, lg))
    print("log-normal %.6f" % ln)
"""


def test_programs_reach_the_names_under_the_runner(tmp_path):
    (tmp_path / "prog.py").write_text(textwrap.dedent(PROGRAM))
    done = subprocess.run([sys.executable, "-m", "tensorweave", "prog.py"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    sigma2 = np.exp(2 * np.array([0.1, -0.2]))
    kl = 0.5 * np.sum(sigma2 + np.array([0.5, -0.5]) ** 2 - 1 - np.log(sigma2))
    assert lines[0] == "kl %.6f" % kl
    assert lines[1] == "z (1, 2) onehot (4, 2) relaxed (2,)"
    # x = L z: z = [1, 0.5], log|det L| = 0
    lp = -np.log(2 * np.pi) - 0.5 * (1 + 0.25)
    counts = 2 * np.log(3.) - 3. - np.log(2.)
    assert lines[2] == "lp %.6f counts %.6f cdf 0.500" % (lp, counts)
    assert lines[3] == "log-normal %.6f" % (-0.5 * np.log(2 * np.pi))


def test_log_prob_and_kl_gradients_equal_central_differences():
    """A VAE's loss: d/d(mu, log sigma, L) of a TriL log_prob and a Diag-Diag KL (float64)."""
    rng = np.random.RandomState(0)
    mu0, log_sigma0 = rng.randn(2, 3), 0.3 * rng.randn(2, 3)
    tril0 = np.tril(rng.randn(3, 3)) + 2. * np.eye(3)
    with tf.Graph().as_default():
        mu = tf.placeholder(tf.float64, [2, 3])
        log_sigma = tf.placeholder(tf.float64, [2, 3])
        tril = tf.placeholder(tf.float64, [3, 3])
        q = tfd.MultivariateNormalDiag(mu, tf.exp(log_sigma))
        prior = tfd.MultivariateNormalTriL(tf.zeros([3], tf.float64), tril)
        loss = tf.reduce_sum(tfd.kl_divergence(q, prior)) + tf.reduce_sum(
            prior.log_prob(mu)) + tf.reduce_sum(q.log_prob(tf.ones([3], tf.float64)))
        grads = tf.gradients(loss, [mu, log_sigma, tril])
        feed = {mu: mu0, log_sigma: log_sigma0, tril: tril0}
        with tf.Session() as sess:
            analytic = sess.run(grads, feed)
            for placeholder, grad in zip([mu, log_sigma, tril], analytic):
                point = feed[placeholder]
                numeric = np.zeros_like(point)
                for index in np.ndindex(point.shape):
                    step = np.zeros_like(point)
                    step[index] = 1e-6
                    up = sess.run(loss, {**feed, placeholder: point + step})
                    down = sess.run(loss, {**feed, placeholder: point - step})
                    numeric[index] = (up - down) / 2e-6
                if placeholder is tril:
                    numeric = np.tril(numeric)  # the upper part is ignored
                np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)
