"""tf.contrib.factorization against TensorFlow's numbers (tests/fixtures/factorization_reference.npz,
made by tests/fixtures/make_factorization_reference.py): the clustering kernels' draws and the
KMeans graph builder's centers, scores and assignments."""
import itertools
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.contrib import factorization
from tensorweave.ops import clustering_ops

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
import factorization_cases as cases  # noqa: E402

REF = np.load(FIXTURES / "factorization_reference.npz")
RAW = cases.raw_op_inputs()


def _run(*fetches):
    with tf.Session() as sess:
        return sess.run(list(fetches))


@pytest.mark.parametrize("num,seed,retries", cases.KMEANS_PP_ARGS)
def test_kmeans_plus_plus_draws_as_tensorflow(num, seed, retries):
    out, = _run(clustering_ops.kmeans_plus_plus_initialization(RAW["points"], num, seed,
                                                                retries))
    np.testing.assert_array_equal(out, REF[f"kmeans_pp/{num}/{seed}/{retries}"])


@pytest.mark.parametrize("seed", cases.KMC2_SEEDS)
def test_kmc2_chain_as_tensorflow(seed):
    out, = _run(clustering_ops.kmc2_chain_initialization(RAW["distances"], seed))
    assert out == REF[f"kmc2/{seed}"]


@pytest.mark.parametrize("k", cases.NEAREST_K)
def test_nearest_neighbors_as_tensorflow(k):
    idx, dist = clustering_ops.nearest_neighbors(RAW["points"], RAW["centers"], k)
    assert idx.shape.as_list() == [40, min(k, 6)]
    idx, dist = _run(idx, dist)
    np.testing.assert_array_equal(idx, REF[f"nearest/{k}/indices"])
    np.testing.assert_allclose(dist, REF[f"nearest/{k}/distances"], rtol=1e-5, atol=1e-5)


def test_kernel_errors_as_tensorflow():
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_to_sample <= points.rows"):
        _run(clustering_ops.kmeans_plus_plus_initialization(RAW["points"][:3], 5, 0, 2))
    with pytest.raises(ValueError, match="NearestNeighbors"):
        clustering_ops.nearest_neighbors(np.zeros((2, 3)), np.zeros((2, 4)), 1)


@pytest.mark.parametrize("name", [n for n in cases.PROGRAMS if n != "given_cosine_minibatch3"])
def test_kmeans_program_as_tensorflow(name):
    out = cases.run_program(tf, factorization.KMeans, name, cases.blobs())
    for key in ("initial", "centers", "scores", "all_scores"):
        np.testing.assert_allclose(out[key], REF[f"{name}/{key}"], rtol=1e-4, atol=1e-4,
                                   err_msg=key)
    np.testing.assert_array_equal(out["idx"], REF[f"{name}/idx"])
    assert out["initialized"] == REF[f"{name}/initialized"] == True  # noqa: E712


def test_cosine_minibatch_close_to_tensorflow():
    # In TF the step's reads of `clusters` and the sync's assignment to it (every third step)
    # have no order between them; the centers agree to a few hundredths, not exactly
    name = "given_cosine_minibatch3"
    out = cases.run_program(tf, factorization.KMeans, name, cases.blobs())
    np.testing.assert_allclose(out["initial"], REF[f"{name}/initial"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["centers"], REF[f"{name}/centers"], atol=0.08)
    np.testing.assert_allclose(np.linalg.norm(out["centers"], axis=1), 1, rtol=1e-5)


def test_random_init_converges_to_the_blobs():
    data = cases.blobs(400, seed=1)
    x = tf.placeholder(tf.float32, [None, 2])
    km = factorization.KMeans(x, 4, initial_clusters=factorization.RANDOM_INIT, random_seed=1)
    _, idx, scores, initialized, init_op, train_op = km.training_graph()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert not sess.run(initialized)
        sess.run(init_op, {x: data})
        assert sess.run(initialized)
        sess.run(init_op, {x: data})  # once initialized, init_op only checks the flag
        for _ in range(10):
            sess.run(train_op, {x: data})
        centers = sess.run(tf.get_default_graph().get_tensor_by_name("clusters:0"))
        mean_score = sess.run(tf.reduce_mean(scores), {x: data})
    order = [int(np.argmin(((centers - c) ** 2).sum(1))) for c in cases.TRUE_CENTERS]
    assert sorted(order) == [0, 1, 2, 3]
    np.testing.assert_allclose(centers[order], cases.TRUE_CENTERS, atol=0.35)
    assert 1.0 < mean_score < 3.0  # about 2 (two unit-variance dimensions)


def test_random_init_takes_the_whole_small_batch():
    x = tf.placeholder(tf.float32, [None, 2])
    km = factorization.KMeans(x, 4)
    _, _, _, initialized, init_op, _ = km.training_graph()
    clusters = tf.get_default_graph().get_tensor_by_name("clusters:0")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(init_op, {x: cases.GIVEN[:3]})
        assert not sess.run(initialized)
        sess.run(init_op, {x: cases.GIVEN[3:]})
        assert sess.run(initialized)
        np.testing.assert_array_equal(sess.run(clusters), cases.GIVEN)


def test_bad_arguments():
    x = tf.placeholder(tf.float32, [None, 2])
    with pytest.raises(ValueError, match="Unsupported initialization algorithm 'nope'"):
        factorization.KMeans(x, 2, initial_clusters="nope")
    with pytest.raises(ValueError, match="Unsupported distance metric 'l1'"):
        factorization.KMeans(x, 2, distance_metric="l1")


# --- KMeansClustering, the canned Estimator ---------------------------------------------------

BLOBS = np.concatenate([np.random.RandomState(3).normal(c, 0.1, size=(20, 2))
                        for c in ((0., 0.), (5., 5.), (0., 5.))]).astype(np.float32)


def _repeating_input_fn():
    return tf.data.Dataset.from_tensor_slices(BLOBS).batch(60).repeat().make_one_shot_iterator(
        ).get_next()


def test_kmeans_clustering_estimator_finds_three_blobs(tmp_path):
    kmeans = tf.contrib.factorization.KMeansClustering(
        3, model_dir=str(tmp_path), use_mini_batch=False, random_seed=1)
    kmeans.train(_repeating_input_fn, steps=10)
    centers = kmeans.cluster_centers()
    assert centers.shape == (3, 2)
    assert sorted(map(tuple, np.round(centers))) == [(0., 0.), (0., 5.), (5., 5.)]
    nearest = np.argmin(((BLOBS[:, None, :] - centers[None]) ** 2).sum(-1), axis=1)
    indices = list(itertools.islice(kmeans.predict_cluster_index(_repeating_input_fn), 60))
    assert indices == nearest.tolist()
    expected = ((BLOBS - centers[nearest]) ** 2).sum()
    assert kmeans.score(_repeating_input_fn) == pytest.approx(expected, rel=1e-4)
    distances = next(kmeans.transform(_repeating_input_fn))
    assert distances.shape == (3,)


def test_kmeans_clustering_checks_its_arguments_as_tensorflow():
    with pytest.raises(ValueError, match="Unsupported initialization algorithm 'kmc2'"):
        tf.contrib.factorization.KMeansClustering(3, initial_clusters="kmc2")
    with pytest.raises(ValueError, match="Unsupported distance metric 'l1'"):
        tf.contrib.factorization.KMeansClustering(3, distance_metric="l1")


def test_a_false_model_dir_leaves_it_to_a_temporary_folder():
    # KMeansClustering(num_clusters, use_mini_batch) passes the flag as model_dir; TF's
    # Estimator only takes a true model_dir
    kmeans = tf.contrib.factorization.KMeansClustering(3, False)
    assert kmeans.model_dir and kmeans.config.model_dir == kmeans.model_dir
