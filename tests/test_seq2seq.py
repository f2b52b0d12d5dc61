"""tf.contrib.seq2seq.sequence_loss against a NumPy computation of TF's reductions."""
import numpy as np
import pytest

import tensorweave as tf

_rng = np.random.RandomState(7)
LOGITS = _rng.randn(3, 4, 5)
TARGETS = _rng.randint(0, 5, size=(3, 4)).astype(np.int32)
WEIGHTS = np.array([[1, 1, 1, 0], [1, 1, 0, 0], [0.5, 2, 1, 1]], dtype=np.float64)


def _crossent():
    shifted = LOGITS - LOGITS.max(axis=2, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    picked = np.take_along_axis(log_probs, TARGETS[..., None], axis=2)[..., 0]
    return -picked * WEIGHTS


def _expected(avg_t, avg_b, sum_t, sum_b):
    ce, nonzero = _crossent(), (WEIGHTS != 0).astype(np.float64)
    if avg_t and avg_b:
        return ce.sum() / WEIGHTS.sum()
    if sum_t and sum_b:
        return ce.sum() / nonzero.sum()
    if avg_t or avg_b:
        axis = 0 if avg_b else 1
        return ce.sum(axis) / WEIGHTS.sum(axis)
    if sum_t or sum_b:
        axis = 0 if sum_b else 1
        return ce.sum(axis) / nonzero.sum(axis)
    return ce


FLAGS = [(True, True, False, False), (True, False, False, False), (False, True, False, False),
         (False, False, True, True), (False, False, True, False), (False, False, False, True),
         (False, False, False, False), (True, False, False, True), (False, True, True, False)]


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: "".join(str(int(v)) for v in f))
def test_reductions_match_numpy(flags):
    avg_t, avg_b, sum_t, sum_b = flags
    loss = tf.contrib.seq2seq.sequence_loss(
        tf.constant(LOGITS), tf.constant(TARGETS), tf.constant(WEIGHTS),
        average_across_timesteps=avg_t, average_across_batch=avg_b, sum_over_timesteps=sum_t,
        sum_over_batch=sum_b)
    expected = _expected(*flags)
    assert loss.shape.ndims == np.ndim(expected)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(loss), expected, rtol=1e-12)


def test_zero_weights_give_zero_not_nan_and_finite_gradients():
    logits = tf.constant(LOGITS)
    loss = tf.contrib.seq2seq.sequence_loss(logits, TARGETS, np.zeros((3, 4)),
                                            average_across_timesteps=True,
                                            average_across_batch=False)
    grad = tf.gradients(tf.reduce_sum(loss), logits)[0]
    with tf.Session() as sess:
        value, g = sess.run([loss, grad])
    np.testing.assert_array_equal(value, np.zeros(3))
    np.testing.assert_array_equal(g, np.zeros_like(LOGITS))


def test_gradient_matches_finite_differences():
    x = tf.placeholder(tf.float64, LOGITS.shape)
    loss = tf.contrib.seq2seq.sequence_loss(x, TARGETS, WEIGHTS)
    grad = tf.gradients(loss, x)[0]
    eps = 1e-6
    with tf.Session() as sess:
        g = sess.run(grad, {x: LOGITS})
        for index in [(0, 0, 0), (1, 1, 3), (2, 3, 4), (0, 3, 2)]:
            bump = np.zeros_like(LOGITS)
            bump[index] = eps
            fd = (sess.run(loss, {x: LOGITS + bump}) - sess.run(loss, {x: LOGITS - bump})) / 2
            np.testing.assert_allclose(g[index], fd / eps, rtol=1e-6, atol=1e-9)


def test_softmax_loss_function_is_called_with_named_arguments():
    seen = {}

    def loss_fn(labels, logits):
        seen["shapes"] = (labels.shape.as_list(), logits.shape.ndims)
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits) * 2

    loss = tf.contrib.seq2seq.sequence_loss(LOGITS, TARGETS, WEIGHTS,
                                            softmax_loss_function=loss_fn)
    assert seen["shapes"] == ([12], 2)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(loss), 2 * _expected(True, True, False, False))


@pytest.mark.parametrize("args, kwargs, message", [
    ((LOGITS[0], TARGETS, WEIGHTS), {}, "Logits must be a"),
    ((LOGITS, TARGETS[0], WEIGHTS), {}, "Targets must be a"),
    ((LOGITS, TARGETS, WEIGHTS[0]), {}, "Weights must be a"),
    ((LOGITS, TARGETS, WEIGHTS), {"sum_over_timesteps": True},
     "average_across_timesteps and sum_over_timesteps"),
    ((LOGITS, TARGETS, WEIGHTS), {"sum_over_batch": True},
     "average_across_batch and sum_over_batch"),
])
def test_validation_errors(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        tf.contrib.seq2seq.sequence_loss(*args, **kwargs)


def test_unknown_batch_and_time_dimensions():
    logits = tf.placeholder(tf.float64, [None, None, 5])
    targets = tf.placeholder(tf.int32, [None, None])
    weights = tf.placeholder(tf.float64, [None, None])
    loss = tf.contrib.seq2seq.sequence_loss(logits, targets, weights,
                                            average_across_batch=False)
    with tf.Session() as sess:
        got = sess.run(loss, {logits: LOGITS, targets: TARGETS, weights: WEIGHTS})
    np.testing.assert_allclose(got, _expected(True, False, False, False), rtol=1e-12)
