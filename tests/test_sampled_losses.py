"""Candidate samplers (distribution, expected counts, seeds) and the sampled losses against a
NumPy computation with the same sampled candidates, with finite-difference gradients."""
import numpy as np
import pytest

import tensorweave as tf

NUM_CLASSES, DIM, BATCH = 12, 4, 3
_rng = np.random.RandomState(11)
W = _rng.randn(NUM_CLASSES, DIM)
B = _rng.randn(NUM_CLASSES)
X = _rng.randn(BATCH, DIM)
LABELS = np.array([[2, 7], [0, 5], [11, 3]], dtype=np.int64)
SAMPLED = np.array([5, 1, 9, 3, 8], dtype=np.int64)  # 5 hits row 1, 3 hits row 2
TRUE_COUNT = _rng.uniform(0.2, 1.5, size=(BATCH, 2)).astype(np.float32)
SAMPLED_COUNT = _rng.uniform(0.2, 1.5, size=5).astype(np.float32)


def _log_uniform(k, range_max):
    return (np.log(k + 2.0) - np.log(k + 1.0)) / np.log(range_max + 1.0)


# --- samplers --------------------------------------------------------------------------------
def test_log_uniform_frequencies_and_expected_counts():
    sampled, true_count, sampled_count = tf.random.log_uniform_candidate_sampler(
        LABELS, 2, 20000, False, 12, seed=5)
    assert sampled.dtype is tf.int64 and true_count.dtype is tf.float32
    assert true_count.shape.as_list() == [3, 2] and sampled_count.shape.as_list() == [20000]
    with tf.Session() as sess:
        ids, t, s = sess.run([sampled, true_count, sampled_count])
    p = _log_uniform(np.arange(12), 12)
    np.testing.assert_allclose(np.bincount(ids, minlength=12) / ids.size, p, atol=0.01)
    np.testing.assert_allclose(t, _log_uniform(LABELS, 12) * 20000, rtol=1e-6)
    np.testing.assert_allclose(s, _log_uniform(ids, 12) * 20000, rtol=1e-6)


@pytest.mark.parametrize("sampler, probability", [
    (tf.nn.log_uniform_candidate_sampler, lambda k: _log_uniform(k, 40)),
    (tf.nn.uniform_candidate_sampler, lambda k: np.full(np.shape(k), 1 / 40)),
])
def test_unique_sampling_and_its_expected_counts(sampler, probability):
    """Distinct ids; every expected count is 1 - (1 - p)^tries for one number of tries."""
    sampled, true_count, sampled_count = sampler(LABELS, 2, 25, True, 40, seed=2)
    with tf.Session() as sess:
        for _ in range(3):
            ids, t, s = sess.run([sampled, true_count, sampled_count])
            assert len(set(ids.tolist())) == 25 and ids.min() >= 0 and ids.max() < 40
            p = probability(ids)
            tries = np.round(np.median(np.log1p(-s.astype(np.float64)) / np.log1p(-p)))
            assert tries >= 25

            def expected(k):
                if tries == 25:  # no repeat drawn: TF's p * num_sampled
                    return probability(k) * 25
                return -np.expm1(tries * np.log1p(-probability(k)))
            np.testing.assert_allclose(s, expected(ids), rtol=1e-5)
            expected = expected(LABELS)
            np.testing.assert_allclose(t, expected, rtol=1e-5)


def test_unique_sample_larger_than_range_fails_at_run_time():
    sampled = tf.nn.uniform_candidate_sampler(LABELS, 2, 8, True, 5)[0]
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="range is too small"):
        sess.run(sampled)


def test_true_classes_out_of_range_fail_at_run_time():
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match=r"out of range \[0, 10\), received 11"):
        sess.run(tf.nn.log_uniform_candidate_sampler(LABELS, 2, 4, True, 10)[0])


def test_sampler_checks_true_classes_shape():
    with pytest.raises(ValueError, match="num_true=1"):
        tf.nn.log_uniform_candidate_sampler(LABELS, 1, 4, True, 10)
    with pytest.raises(TypeError, match="int64"):
        tf.nn.log_uniform_candidate_sampler(tf.constant([[1]], tf.int32), 1, 4, True, 10)


def test_samplers_follow_graph_and_op_seeds():
    def draw(graph_seed, op_seed):
        with tf.Graph().as_default():
            if graph_seed is not None:
                tf.set_random_seed(graph_seed)
            sampled = tf.nn.log_uniform_candidate_sampler(LABELS, 2, 6, True, 1000,
                                                          seed=op_seed)[0]
            with tf.Session() as sess:
                return sess.run(sampled), sess.run(sampled)
    first, second = draw(1, None)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(draw(1, None)[0], first)
    assert not np.array_equal(draw(2, None)[0], first)
    np.testing.assert_array_equal(draw(None, 4)[0], draw(None, 4)[0])


def test_learned_unigram_sampler_learns_from_true_classes():
    """Weights start at 1 per class and grow by one per true occurrence, after each draw."""
    labels = np.array([[2, 2], [0, 2]], dtype=np.int64)
    sampled, true_count, sampled_count = tf.nn.learned_unigram_candidate_sampler(
        labels, 2, 4000, False, 4, seed=1)
    with tf.Session() as sess:
        ids, t, _ = sess.run([sampled, true_count, sampled_count])
        np.testing.assert_allclose(t, np.full((2, 2), 1000.0))  # uniform: 4000 / 4
        for _ in range(2):  # two more updates: class 2 seen 3 times per run, class 0 once
            ids, t, s = sess.run([sampled, true_count, sampled_count])
    weights = np.array([1 + 2, 1, 1 + 6, 1])  # after the first two runs
    p = weights / weights.sum()
    np.testing.assert_allclose(t, 4000 * p[labels], rtol=1e-6)
    np.testing.assert_allclose(s, 4000 * p[ids], rtol=1e-6)
    np.testing.assert_allclose(np.bincount(ids, minlength=4) / 4000, p, atol=0.03)


def test_compute_accidental_hits():
    rows, positions, weights = tf.nn.compute_accidental_hits(LABELS, SAMPLED, num_true=2)
    with tf.Session() as sess:
        r, p, w = sess.run([rows, positions, weights])
    np.testing.assert_array_equal(r, [1, 2])
    np.testing.assert_array_equal(p, [0, 3])
    assert w.dtype == np.float32 and np.all(w == -np.finfo(np.float32).max)


# --- losses against NumPy ----------------------------------------------------------------------
def _numpy_logits(w, b, x, remove_hits):
    true_logits = np.einsum("bd,btd->bt", x, w[LABELS]) + b[LABELS]
    sampled_logits = x @ w[SAMPLED].T + b[SAMPLED]
    if remove_hits:
        hit = (LABELS[:, :, None] == SAMPLED[None, None, :]).any(axis=1)
        sampled_logits = np.where(hit, sampled_logits - np.finfo(np.float32).max,
                                  sampled_logits)
    true_logits = true_logits - np.log(TRUE_COUNT.astype(np.float64))
    sampled_logits = sampled_logits - np.log(SAMPLED_COUNT.astype(np.float64))
    return np.concatenate([true_logits, sampled_logits], 1)


def _numpy_sampled_softmax(w, b, x, remove_hits=True):
    logits = _numpy_logits(w, b, x, remove_hits)
    targets = np.concatenate([np.full((BATCH, 2), 0.5), np.zeros((BATCH, 5))], 1)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -(targets * log_softmax).sum(axis=1)


def _numpy_nce(w, b, x, remove_hits=False):
    logits = _numpy_logits(w, b, x, remove_hits)
    targets = np.concatenate([np.full((BATCH, 2), 0.5), np.zeros((BATCH, 5))], 1)
    losses = np.maximum(logits, 0) - logits * targets + np.log1p(np.exp(-np.abs(logits)))
    return losses.sum(axis=1)


LOSSES = {
    "sampled_softmax": (tf.nn.sampled_softmax_loss, _numpy_sampled_softmax),
    "nce": (tf.nn.nce_loss, _numpy_nce),
}


def _build(loss_fn, w, b, x, **kwargs):
    return loss_fn(w, b, LABELS, x, num_sampled=5, num_classes=NUM_CLASSES, num_true=2,
                   sampled_values=(SAMPLED, TRUE_COUNT, SAMPLED_COUNT), **kwargs)


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("remove_hits", [True, False])
def test_loss_matches_numpy(name, remove_hits):
    loss_fn, reference = LOSSES[name]
    loss = _build(loss_fn, tf.constant(W), tf.constant(B), tf.constant(X),
                  remove_accidental_hits=remove_hits)
    assert loss.shape.as_list() == [BATCH]
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(loss), reference(W, B, X, remove_hits), rtol=1e-10)


@pytest.mark.parametrize("strategy", ["mod", "div"])
def test_sharded_weights_give_the_same_loss(strategy):
    if strategy == "mod":
        shards = [W[0::3], W[1::3], W[2::3]]
    else:
        shards = [W[0:4], W[4:8], W[8:12]]
    loss = _build(tf.nn.sampled_softmax_loss, [tf.constant(s) for s in shards], tf.constant(B),
                  tf.constant(X), partition_strategy=strategy)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(loss), _numpy_sampled_softmax(W, B, X), rtol=1e-10)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_gradients_match_finite_differences(name):
    loss_fn, _ = LOSSES[name]
    w, b, x = (tf.placeholder(tf.float64, v.shape) for v in (W, B, X))
    loss = tf.reduce_sum(_build(loss_fn, w, b, x, remove_accidental_hits=True))
    grads = [tf.convert_to_tensor(g) for g in  # w and b get IndexedSlices, as in TF
             tf.gradients(loss, [w, b, x])]
    values = {w: W, b: B, x: X}
    eps = 1e-6
    with tf.Session() as sess:
        analytic = sess.run(grads, values)
        for t, g in zip((w, b, x), analytic):
            for index in np.ndindex(values[t].shape):
                bump = np.zeros_like(values[t])
                bump[index] = eps
                up = sess.run(loss, {**values, t: values[t] + bump})
                down = sess.run(loss, {**values, t: values[t] - bump})
                np.testing.assert_allclose(g[index], (up - down) / (2 * eps), rtol=1e-5,
                                           atol=1e-8)


def test_default_sampler_trains_a_softmax_toward_the_true_class():
    """With the built-in log-uniform sampler, minimizing the sampled loss raises the full
    softmax probability of each example's class."""
    tf.set_random_seed(0)
    x = tf.constant(np.eye(6)[:, :4] + 0.1)
    labels = tf.constant([[1], [3], [0], [2], [5], [4]], tf.int64)
    w = tf.Variable(tf.zeros([20, 4], tf.float64))
    b = tf.Variable(tf.zeros([20], tf.float64))
    loss = tf.reduce_mean(tf.nn.sampled_softmax_loss(w, b, labels, x, 5, 20))
    full = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.reshape(labels, [-1]), logits=tf.matmul(x, w, transpose_b=True) + b))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(full)
        for _ in range(150):
            sess.run(train)
        after = sess.run(full)
    assert before == pytest.approx(np.log(20))
    assert after < 0.6 * before
