"""tf.random_gamma, tf.random_poisson, tf.random_crop and tf.random.stateless_*: shapes, dtypes,
statistics, seeds, gradients; stateless draws against TensorFlow's numbers where they are its
(tests/fixtures/signal_reference.npz)."""
import pathlib

import numpy as np
import pytest

import tensorweave as tf

REF = np.load(pathlib.Path(__file__).resolve().parent / "fixtures" / "signal_reference.npz")


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def test_random_gamma_shapes_statistics_and_gradients():
    alpha = tf.constant([[1.0], [3.0]])  # [2, 1]
    beta = tf.constant([2.0, 0.5, 1.0])  # broadcasts with alpha to [2, 3]
    x = tf.random_gamma([4000], alpha, beta, seed=5)
    assert x.shape.as_list() == [4000, 2, 3] and x.dtype is tf.float32
    assert tf.random.gamma is tf.random_gamma
    mean = tf.reduce_mean(x, 0)
    d_alpha, d_beta = tf.gradients(mean, [alpha, beta])
    value, m, da, db = run([x, mean, d_alpha, d_beta])
    a, b = np.array([[1.0], [3.0]]), np.array([2.0, 0.5, 1.0])
    assert np.all(value > 0)
    np.testing.assert_allclose(m, a / b, rtol=0.08)
    # d E[x] / d alpha = 1 / beta, summed over beta's broadcast; d / d beta = -alpha / beta^2
    np.testing.assert_allclose(da, np.full((2, 1), (1 / b).sum()), rtol=0.05)
    np.testing.assert_allclose(db, (-a / b ** 2).sum(0), rtol=0.08)


def test_random_gamma_seeds():
    def draw(graph_seed):
        with tf.Graph().as_default() as g:
            tf.set_random_seed(graph_seed)
            x = tf.random_gamma([5], 2.0, dtype=tf.float64)
            with tf.Session(graph=g) as sess:
                return sess.run(x), sess.run(x)
    (first, second), (again, _) = draw(1), draw(1)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)


def test_random_gamma_grad_matches_tensorflow():
    from tensorweave.ops.random_distributions import gamma_sample_derivative
    np.testing.assert_allclose(gamma_sample_derivative(REF["alpha"], REF["sample"]),
                               REF["gamma_grad"], rtol=1e-7)


def test_random_poisson():
    lam = tf.constant([0.5, 7.0])
    x = tf.random_poisson(lam, [5000, 1], seed=2)
    ints = tf.random.poisson(3.0, [4], dtype=tf.int32)
    assert x.shape.as_list() == [5000, 1, 2] and x.dtype is tf.float32
    assert ints.dtype is tf.int32 and ints.op.type == "RandomPoissonV2"
    value = run(x)
    np.testing.assert_array_equal(value, np.round(value))
    np.testing.assert_allclose(value.mean((0, 1)), [0.5, 7.0], rtol=0.06)
    assert tf.gradients(x, lam) == [None]


def test_random_crop():
    image = np.arange(60).reshape(5, 4, 3)
    crop = tf.random_crop(image, [2, 3, 3], seed=4)
    assert crop.shape.as_list() == [2, 3, 3]
    with tf.Session() as sess:
        seen = set()
        for _ in range(20):
            block = sess.run(crop)
            i, j = np.argwhere(image == block[0, 0, 0])[0][:2]
            np.testing.assert_array_equal(block, image[i:i + 2, j:j + 3])
            seen.add((i, j))
    assert len(seen) > 1
    with pytest.raises(ValueError, match="Need value.shape >= size"):
        tf.random_crop(image, [6, 1, 1])


def test_stateless_uniform_and_normal_are_tensorflows():
    seed = tf.constant([7, 11], tf.int64)
    fetches = {
        "stateless_uniform": tf.random.stateless_uniform([3, 5], seed=seed),
        "stateless_uniform64": tf.random.stateless_uniform([7], seed=seed, dtype=tf.float64),
        "stateless_uniform_big_seed": tf.random.stateless_uniform(
            [6], seed=tf.constant([-5, 2 ** 40 + 3], tf.int64)),
        "stateless_normal64": tf.random.stateless_normal([5], seed=[1, 2], dtype=tf.float64),
        "stateless_uniform_int": tf.random.stateless_uniform([9], seed=seed, minval=-3,
                                                             maxval=10, dtype=tf.int32),
        "split": tf.random.split(seed),
        "fold_in": tf.random.fold_in(seed, 5),
    }
    for key, value in run(fetches).items():
        np.testing.assert_array_equal(value, REF[key], err_msg=key)
    normal = run(tf.random.stateless_normal([3, 5], seed=[7, 11]))
    np.testing.assert_allclose(normal, REF["stateless_normal"], rtol=1e-6, atol=1e-6)
    scaled = run(tf.random.stateless_uniform([3, 5], seed=[7, 11], minval=2.0, maxval=4.0))
    np.testing.assert_allclose(scaled, 2 + 2 * REF["stateless_uniform"], rtol=1e-6)
    shifted = run(tf.random.stateless_normal([3, 5], seed=[7, 11], mean=1.0, stddev=3.0))
    np.testing.assert_allclose(shifted, 1 + 3 * REF["stateless_normal"], rtol=1e-5, atol=1e-5)


def test_stateless_draws_repeat_for_a_seed():
    seed = tf.placeholder(tf.int32, [2])
    draws = [tf.random.stateless_truncated_normal([2000], seed),
             tf.random.stateless_categorical(tf.log([[0.25, 0.75]]), 2000, seed),
             tf.random.stateless_multinomial(tf.log([[0.25, 0.75]]), 10, seed),
             tf.random.stateless_gamma([2000], seed, alpha=3.0),
             tf.random.stateless_poisson([2000], seed, lam=4.0),
             tf.random.stateless_binomial([2000], seed, counts=10.0, probs=0.3),
             tf.random.stateless_parameterized_truncated_normal([500], seed, 1.0, 2.0, 0.0, 3.0)]
    first = run(draws, {seed: [1, 2]})
    again = run(draws, {seed: [1, 2]})
    other = run(draws, {seed: [1, 3]})
    for a, b, c in zip(first, again, other):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)
    truncated, categorical, _, gamma, poisson, binomial, bounded = first
    assert np.all(np.abs(truncated) <= 2) and abs(truncated.std() - 0.8796) < 0.05
    assert categorical.dtype == np.int64 and abs(categorical.mean() - 0.75) < 0.04
    assert abs(gamma.mean() - 3.0) < 0.15 and gamma.dtype == np.float32
    assert poisson.dtype == np.int32 and abs(poisson.mean() - 4.0) < 0.2
    assert binomial.dtype == np.int32 and abs(binomial.mean() - 3.0) < 0.15
    assert np.all((bounded >= 0) & (bounded <= 3)) and bounded.dtype == np.float32


def test_stateless_gamma_gradient():
    alpha = tf.constant([0.7, 4.0])
    x = tf.random.stateless_gamma([3000, 2], [5, 6], alpha=alpha, beta=2.0)
    assert x.shape.as_list() == [3000, 2]
    grad = tf.gradients(tf.reduce_mean(x, 0), alpha)[0]
    np.testing.assert_allclose(run(grad), [0.5, 0.5], rtol=0.05)


def test_stateless_errors():
    with pytest.raises(ValueError, match="seed of shape \\[2\\]"):
        tf.random.stateless_uniform([2], seed=[1, 2, 3])
    with pytest.raises(TypeError, match="int32 or int64 seed"):
        tf.random.stateless_normal([2], seed=tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="both"):
        tf.random.stateless_uniform([2], seed=[1, 2], dtype=tf.int32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="minval < maxval"):
        run(tf.random.stateless_uniform([2], seed=[1, 2], minval=3, maxval=3, dtype=tf.int32))
