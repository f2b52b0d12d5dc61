"""tf.contrib.factorization.gmm / GmmAlgorithm against a NumPy EM written from TF 1.15's
gmm_ops.py: covariances start at the data's sample covariance + 1e-3 I, log densities use
Sigma_k + 1e-3 I (diag: s_k + 1e-3), the M step gives alpha_k = N_k / N, mu_k = sum w x / N_k,
Sigma_k = sum w x x^T / N_k - mu_k mu_k^T + 1e-3 I; loss = log sum_i p(x_i), scores log p(x_i).
(GMM is not in TensorFlow 2.15, so there is no TF fixture.)"""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.contrib import factorization

MIN_VAR = 1e-3


# --- the NumPy reference ---------------------------------------------------------------------
def _logsumexp(a, axis=None):
    m = np.max(a, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))
    return out if axis is not None else out.item()


def np_init(x, means, covariance_type):
    k, d = means.shape
    cov = np.cov(x.T, ddof=1) + MIN_VAR * np.eye(d)
    covs = np.tile(cov, (k, 1, 1))
    if covariance_type == "diag":
        covs = np.array([np.diag(c) for c in covs])
    return means.astype(np.float64), covs, np.full(k, 1.0 / k)


def np_log_probs(x, means, covs, alpha, covariance_type):
    """log alpha_k + log N(x_i | mu_k, Sigma_k + 1e-3 I), [n, K]."""
    n, d = x.shape
    out = np.empty((n, len(means)))
    for k, mu in enumerate(means):
        diff = x - mu
        if covariance_type == "full":
            sigma = covs[k] + MIN_VAR * np.eye(d)
            maha = np.einsum("ij,ij->i", diff @ np.linalg.inv(sigma), diff)
            logdet = np.linalg.slogdet(sigma)[1]
        else:
            s = covs[k] + MIN_VAR
            maha = np.sum(diff ** 2 / s, axis=1)
            logdet = np.sum(np.log(s))
        out[:, k] = -0.5 * (d * np.log(2 * np.pi) + logdet + maha) + np.log(alpha[k])
    return out


def np_em_step(x, means, covs, alpha, covariance_type, params="wmc"):
    log_probs = np_log_probs(x, means, covs, alpha, covariance_type)
    w = np.exp(log_probs - _logsumexp(log_probs, axis=1))
    nk = w.sum(0)
    d = x.shape[1]
    if "w" in params:
        alpha = nk / nk.sum()
    if "m" in params:
        means = (w.T @ x) / nk[:, None]
    if "c" in params:
        new = []
        for k in range(len(means)):
            second = (x.T * w[:, k]) @ x / nk[k]
            cov = second - np.outer(means[k], means[k]) + MIN_VAR * np.eye(d)
            new.append(cov if covariance_type == "full" else np.diag(cov))
        covs = np.array(new)
    return means, covs, alpha


def np_loss_and_scores(x, means, covs, alpha, covariance_type):
    prior = _logsumexp(np_log_probs(x, means, covs, alpha, covariance_type), axis=1)
    return _logsumexp(prior), prior[:, 0]


# --- data ------------------------------------------------------------------------------------
TRUE_MEANS = np.array([[6.0, 0.0], [-6.0, 0.0], [0.0, 8.0]])
TRUE_COVS = np.array([[[1.0, 0.3], [0.3, 0.5]], [[0.4, 0.0], [0.0, 1.5]],
                      [[0.8, -0.2], [-0.2, 0.6]]])
SIZES = [60, 40, 50]


def blobs(seed=0):
    rng = np.random.RandomState(seed)
    parts = [rng.multivariate_normal(m, c, size=n)
             for m, c, n in zip(TRUE_MEANS, TRUE_COVS, SIZES)]
    labels = np.concatenate([np.full(n, i) for i, n in enumerate(SIZES)])
    return np.concatenate(parts).astype(np.float32), labels


def small_data(seed=1):
    rng = np.random.RandomState(seed)
    return (rng.randn(12, 3) * [1.0, 2.0, 0.5] + rng.randint(0, 2, size=(12, 1)) * 3.0).astype(
        np.float32)


def _run_gmm(x, initial, k, covariance_type, steps, params="wmc", shards=1):
    with tf.Graph().as_default():
        inp = (tf.constant(x) if shards == 1
               else [tf.constant(p) for p in np.array_split(x, shards)])
        loss, scores, assignments, train_op, init_op, initialized = factorization.gmm(
            inp, initial, k, 0, covariance_type=covariance_type, params=params)
        variables = {v.op.name: v for v in tf.global_variables()}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert not sess.run(initialized)
            sess.run(init_op)
            assert sess.run(initialized)
            for _ in range(steps):
                sess.run(train_op)
            out = dict(zip(["loss", "scores", "assignments", "means", "covs", "alphas"],
                           sess.run([loss, scores, assignments, variables["clusters"],
                                     variables["clusters_covs"], variables["alphas"]])))
    return out


# --- tests -----------------------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", ["full", "diag"])
@pytest.mark.parametrize("steps", [0, 1, 3])
def test_em_iterations_match_the_formulas(covariance_type, steps):
    x = small_data()
    initial = x[[0, 5]]
    out = _run_gmm(x, initial, 2, covariance_type, steps)
    means, covs, alpha = np_init(x.astype(np.float64), initial, covariance_type)
    for _ in range(steps):
        means, covs, alpha = np_em_step(x.astype(np.float64), means, covs, alpha,
                                        covariance_type)
    assert out["means"].shape == (2, 1, 3)
    assert out["covs"].shape == ((2, 3, 3) if covariance_type == "full" else (2, 3))
    np.testing.assert_allclose(out["means"][:, 0], means, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(out["covs"], covs, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(out["alphas"], alpha, rtol=1e-4, atol=1e-5)
    loss, prior = np_loss_and_scores(x.astype(np.float64), means, covs, alpha, covariance_type)
    np.testing.assert_allclose(out["loss"], loss, rtol=1e-4, atol=1e-4)
    assert out["scores"].shape == (12, 1)
    np.testing.assert_allclose(out["scores"][:, 0], prior, rtol=1e-4, atol=1e-4)
    w = np_log_probs(x.astype(np.float64), means, covs, alpha, covariance_type)
    np.testing.assert_array_equal(out["assignments"][0][0], np.argmax(w, 1))


@pytest.mark.parametrize("params", ["m", "wm", "mc"])
def test_params_choose_what_is_updated(params):
    x = small_data()
    initial = x[[2, 7]]
    out = _run_gmm(x, initial, 2, "full", 2, params=params)
    means, covs, alpha = np_init(x.astype(np.float64), initial, "full")
    for _ in range(2):
        means, covs, alpha = np_em_step(x.astype(np.float64), means, covs, alpha, "full",
                                        params)
    np.testing.assert_allclose(out["means"][:, 0], means, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(out["covs"], covs, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(out["alphas"], alpha, rtol=1e-4, atol=1e-5)
    if "w" not in params:
        np.testing.assert_allclose(out["alphas"], [0.5, 0.5])
    if "m" not in params:
        np.testing.assert_allclose(out["means"][:, 0], initial)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_shards_give_the_same_model(covariance_type):
    x = small_data()
    one = _run_gmm(x, x[[0, 5]], 2, covariance_type, 2)
    two = _run_gmm(x, x[[0, 5]], 2, covariance_type, 2, shards=2)
    # covariances start from the first shard's covariance, as in TF
    first = np.array_split(x, 2)[0].astype(np.float64)
    means, covs, alpha = np_init(first, x[[0, 5]], covariance_type)
    for _ in range(2):
        means, covs, alpha = np_em_step(x.astype(np.float64), means, covs, alpha,
                                        covariance_type)
    np.testing.assert_allclose(two["means"][:, 0], means, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(two["covs"], covs, rtol=1e-4, atol=1e-4)
    assert len(two["assignments"][0]) == 2
    assert two["scores"].shape == one["scores"].shape


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_well_separated_clusters_are_recovered(covariance_type):
    x, labels = blobs()
    initial = x[[5, 70, 120]] + 0.5  # one point near each cluster
    out = _run_gmm(x, initial, 3, covariance_type, 15)
    np.testing.assert_allclose(out["means"][:, 0], TRUE_MEANS, atol=0.35)
    np.testing.assert_allclose(out["alphas"], np.array(SIZES) / sum(SIZES), atol=1e-3)
    np.testing.assert_array_equal(out["assignments"][0][0], labels)
    if covariance_type == "full":
        np.testing.assert_allclose(out["covs"], TRUE_COVS, atol=0.4)
    else:
        np.testing.assert_allclose(out["covs"], [np.diag(c) for c in TRUE_COVS], atol=0.4)
    # the EM fixed point: one more NumPy step changes nothing
    means, covs, alpha = np_em_step(x.astype(np.float64), out["means"][:, 0].astype(np.float64),
                                    out["covs"].astype(np.float64),
                                    out["alphas"].astype(np.float64), covariance_type)
    np.testing.assert_allclose(means, out["means"][:, 0], atol=1e-3)


def test_log_likelihood_grows_under_em():
    x, _ = blobs(3)
    with tf.Graph().as_default():
        _, scores, _, train_op, init_op, _ = factorization.gmm(tf.constant(x), x[[0, 1, 2]], 3,
                                                               0)
        total = tf.reduce_sum(scores)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(init_op)
            totals = []
            for _ in range(12):
                totals.append(sess.run(total))
                sess.run(train_op)
    assert all(b >= a - 1e-2 for a, b in zip(totals, totals[1:]))
    assert totals[-1] > totals[0] + 100.0


def test_random_init_draws_rows_of_the_data():
    x = small_data()
    with tf.Graph().as_default():
        _, _, _, _, init_op, initialized = factorization.gmm(tf.constant(x), "random", 3, 7)
        algorithm_vars = {v.op.name: v for v in tf.global_variables()}
        assert sorted(algorithm_vars) == ["alphas", "clusters", "clusters_covs", "initialized"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(init_op)
            means = sess.run(algorithm_vars["clusters"])
            # as TF's gmm_ops, whose assigns are made outside the init op's conds: a second
            # run draws again (the conds only wait for the assigns)
            sess.run(init_op)
            again = sess.run(algorithm_vars["clusters"])
            assert sess.run(initialized)
    assert means.shape == again.shape == (3, 1, 3)
    for row in np.concatenate([means[:, 0], again[:, 0]]):
        assert np.any(np.all(x == row, axis=1))


def test_initial_clusters_as_tensor_or_function():
    x = small_data()
    out_array = _run_gmm(x, x[[1, 4]], 2, "full", 1)
    out_tensor = _run_gmm(x, tf_constant_lazy(x[[1, 4]]), 2, "full", 1)
    np.testing.assert_allclose(out_tensor["means"], out_array["means"], rtol=1e-6)
    out_fn = _run_gmm(x, lambda inputs, k: x[[1, 4]][:k], 2, "full", 1)
    np.testing.assert_allclose(out_fn["means"], out_array["means"], rtol=1e-6)


class tf_constant_lazy:  # noqa: N801 - builds the tensor inside the test's graph
    """A callable standing for a tensor made in the graph under construction."""

    def __init__(self, value):
        self.value = value

    def __call__(self, inputs, k):
        return tf.constant(self.value)


def test_gmm_algorithm_accessors_and_errors():
    x = small_data()
    with tf.Graph().as_default():
        algorithm = factorization.GmmAlgorithm([tf.constant(x)], 2, tf.constant(x[[0, 1]]),
                                               covariance_type="diag")
        assert algorithm.alphas().op.name == "alphas"
        assert algorithm.clusters().op.name == "clusters"
        assert algorithm.covariances().op.name == "clusters_covs"
        assert algorithm.is_initialized().op.name == "initialized"
        assert len(algorithm.assignments()) == 1
        assert algorithm.scores().dtype == tf.float32
        assert factorization.GmmAlgorithm.CLUSTERS_COVS_VARIABLE == "clusters_covs"
        with pytest.raises(Exception, match="Invalid covariance type: spherical"):
            factorization.GmmAlgorithm([tf.constant(x)], 2, None, covariance_type="spherical")


def test_contrib_learn_estimators_say_they_are_not_provided():
    for name in ("GMM", "WALSMatrixFactorization"):
        with pytest.raises(NotImplementedError, match=f"tf.contrib.factorization.{name}"):
            getattr(tf.contrib.factorization, name)
    assert tf.contrib.factorization.gmm is factorization.gmm
