"""tf.contrib.nn against real TensorFlow's values (tests/fixtures/make_contrib_nn_reference.py):
nth_element (TF's NthElement op and gradient, ties shared), scaled_softplus and its gradients
in x, alpha and clip, the flipped cross-entropies, conv1d_transpose, the sampled sparse and
rank-resampled softmax losses; alpha dropout's mask, affine map and moments."""
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
import contrib_nn_cases  # noqa: E402

REF = np.load(FIXTURES / "contrib_nn_reference.npz")


@pytest.fixture(scope="module")
def a():
    return contrib_nn_cases.inputs()


def _run(fetches):
    with tf.Session() as sess:
        return sess.run(fetches)


def test_nth_element_and_its_gradient_are_tensorflows(a):
    with tf.Graph().as_default():
        x, ties = tf.constant(a["x"]), tf.constant(a["nth_ties"])
        w = tf.constant(np.arange(3, dtype=np.float32) + 1.0)
        nth = tf.contrib.nn.nth_element(x, 2)
        nth_ties = tf.contrib.nn.nth_element(ties, 1, reverse=True)
        got = _run({"nth": nth, "nth_reverse": tf.contrib.nn.nth_element(x, 1, reverse=True),
                    "nth_ties": nth_ties,
                    "nth_grad": tf.gradients(nth * w, x)[0],
                    "nth_ties_grad": tf.gradients(nth_ties * w[:2], ties)[0]})
    for key, value in got.items():
        np.testing.assert_array_equal(value, REF[key], err_msg=key)


def test_nth_element_checks_n_against_the_row_length():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="more than n=4"):
            tf.contrib.nn.nth_element(tf.zeros([2, 4]), 4)
        n = tf.placeholder(tf.int32, [])
        y = tf.contrib.nn.nth_element(tf.zeros([2, 4]), n)
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                                 match="at least n\\+1 columns"):
            sess.run(y, {n: 4})


def test_scaled_softplus_and_gradients_are_tensorflows(a):
    with tf.Graph().as_default():
        x, alpha, clip, t = (tf.constant(a[k]) for k in ("x", "alpha", "clip", "targets"))
        y = tf.contrib.nn.scaled_softplus(x, alpha)
        y_clip = tf.contrib.nn.scaled_softplus(x, alpha, clip)
        dx, dalpha = tf.gradients(tf.reduce_sum(y * t), [x, alpha])
        cdx, cdalpha, cdclip = tf.gradients(tf.reduce_sum(y_clip * t), [x, alpha, clip])
        got = _run({"softplus": y, "softplus_dx": dx, "softplus_dalpha": dalpha,
                    "softplus_clip": y_clip, "softplus_clip_dx": cdx,
                    "softplus_clip_dalpha": cdalpha, "softplus_clip_dclip": cdclip})
    for key, value in got.items():
        np.testing.assert_allclose(value, REF[key], rtol=2e-6, atol=1e-6, err_msg=key)


def test_scaled_softplus_tends_to_relu6():
    with tf.Graph().as_default():
        x = np.linspace(-3, 9, 25).astype(np.float32)
        y = _run(tf.contrib.nn.scaled_softplus(x, 1e-3, clip=6.0))
    np.testing.assert_allclose(y, np.clip(x, 0, 6), atol=1e-3)


def test_flipped_cross_entropies_take_logits_first(a):
    with tf.Graph().as_default():
        x = tf.constant(a["x"])
        nn = tf.contrib.nn
        got = _run({
            "flipped_softmax": nn.deprecated_flipped_softmax_cross_entropy_with_logits(
                x, a["labels_dense"]),
            "flipped_sparse": nn.deprecated_flipped_sparse_softmax_cross_entropy_with_logits(
                x, a["labels_sparse"]),
            "flipped_sigmoid": nn.deprecated_flipped_sigmoid_cross_entropy_with_logits(
                x, targets=a["targets"])})
    for key, value in got.items():
        np.testing.assert_allclose(value, REF[key], rtol=1e-6, atol=1e-6, err_msg=key)


def test_conv1d_transpose_is_tensorflows(a):
    with tf.Graph().as_default():
        w = tf.constant(a["conv_w"])
        y = tf.contrib.nn.conv1d_transpose(a["conv_x"], w, [2, 10, 4], 2, "SAME")
        got = _run([y, tf.gradients(tf.reduce_sum(y ** 2), w)[0]])
    np.testing.assert_allclose(got[0], REF["conv1d_transpose"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got[1], REF["conv1d_transpose_dw"], rtol=1e-5, atol=1e-4)


def _sampled(a):
    return (tf.constant(a["sampled"]), tf.constant(a["true_count"]),
            tf.constant(a["sampled_count"]))


def test_sampled_sparse_softmax_loss_is_tensorflows(a):
    with tf.Graph().as_default():
        inputs = tf.constant(a["inputs"])
        loss = tf.contrib.nn.sampled_sparse_softmax_loss(
            a["weights"], a["biases"], a["class_labels"], inputs, num_sampled=6,
            num_classes=10, sampled_values=_sampled(a))
        got = _run([loss, tf.gradients(tf.reduce_sum(loss), inputs)[0]])
    np.testing.assert_allclose(got[0], REF["sampled_sparse"], rtol=1e-5)
    np.testing.assert_allclose(got[1], REF["sampled_sparse_dinputs"], rtol=1e-5, atol=1e-6)


def test_rank_sampled_softmax_loss_is_tensorflows(a):
    with tf.Graph().as_default():
        weights = tf.constant(a["weights"])
        loss = tf.contrib.nn.rank_sampled_softmax_loss(
            weights, a["biases"], a["class_labels"], a["inputs"], num_sampled=6,
            num_resampled=3, num_classes=10, num_true=1, sampled_values=_sampled(a),
            resampling_temperature=0.5, remove_accidental_hits=True,
            partition_strategy="mod")
        got = _run([loss, tf.convert_to_tensor(tf.gradients(tf.reduce_sum(loss), weights)[0])])
    np.testing.assert_allclose(got[0], REF["rank_sampled"], rtol=1e-5)
    np.testing.assert_allclose(got[1], REF["rank_sampled_dweights"], rtol=1e-5, atol=1e-6)


def test_rank_sampled_softmax_loss_checks_its_counts():
    with pytest.raises(ValueError, match="must be less than num_sampled"):
        tf.contrib.nn.rank_sampled_softmax_loss(
            None, None, None, None, num_sampled=3, num_resampled=3, num_classes=10,
            num_true=1, sampled_values=None, resampling_temperature=1.0,
            remove_accidental_hits=True, partition_strategy="mod")


def test_rank_sampled_softmax_loss_draws_its_own_sample(a):
    with tf.Graph().as_default():
        loss = tf.contrib.nn.rank_sampled_softmax_loss(
            a["weights"], a["biases"], a["class_labels"], a["inputs"], num_sampled=6,
            num_resampled=3, num_classes=10, num_true=1, sampled_values=None,
            resampling_temperature=1.0, remove_accidental_hits=True, partition_strategy="div")
        value = _run(loss)
    assert value.shape == (3,) and np.all(np.isfinite(value)) and np.all(value >= 0)


def test_alpha_dropout_mask_affine_map_and_moments():
    keep = 0.8
    alpha = tf.contrib.nn.ALPHA_DROPOUT_VALUE
    scale = (keep + keep * (1 - keep) * alpha ** 2) ** -0.5
    shift = -scale * alpha * (1 - keep)
    x = np.random.RandomState(0).randn(400, 250).astype(np.float32)
    with tf.Graph().as_default():
        tf.set_random_seed(3)
        y = _run(tf.contrib.nn.alpha_dropout(x, keep, seed=1))
    kept = np.isclose(y, scale * x + shift, rtol=1e-6, atol=1e-6)
    dropped = np.isclose(y, scale * alpha + shift, rtol=1e-6, atol=1e-6)
    assert np.all(kept | dropped)
    assert abs(kept.mean() - keep) < 0.01
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02  # SELU's fixed point kept


def test_alpha_dropout_keeps_everything_at_keep_prob_one_and_checks_the_range():
    with tf.Graph().as_default():
        x = tf.constant([1.0, -2.0])
        assert tf.contrib.nn.alpha_dropout(x, 1.0) is x
        with pytest.raises(ValueError, match="range \\(0, 1\\]"):
            tf.contrib.nn.alpha_dropout(x, 1.5)
        keep = tf.placeholder(tf.float32, [])
        y = tf.contrib.nn.alpha_dropout(tf.ones([50, 50]), keep, noise_shape=[50, 1], seed=2)
        value = _run_feed(y, {keep: 0.5})
    assert all(len(set(np.round(row, 5))) == 1 for row in value)  # one flag per row


def _run_feed(fetches, feed):
    with tf.Session() as sess:
        return sess.run(fetches, feed)
