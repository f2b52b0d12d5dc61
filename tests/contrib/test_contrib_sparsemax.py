"""tf.contrib.sparsemax: values and gradients of sparsemax and sparsemax_loss in float32 against
TF 1.15's algorithm run with real TensorFlow's ops, and in float64 against the paper's definition
(the projection onto the simplex, its Jacobian, the loss gradient p - q), computed by
tests/fixtures/make_contrib_nn_reference.py; TF 1.15's handling of inf and nan rows."""
import pathlib
import sys

import numpy as np

import tensorweave as tf

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
import contrib_nn_cases  # noqa: E402

REF = np.load(FIXTURES / "contrib_nn_reference.npz")
CASES = contrib_nn_cases.inputs()


def _evaluate(dtype):
    with tf.Graph().as_default():
        z = tf.constant(CASES["sparse_logits"].astype(dtype))
        q = tf.constant(CASES["sparse_labels"].astype(dtype))
        p = tf.contrib.sparsemax.sparsemax(z)
        loss = tf.contrib.sparsemax.sparsemax_loss(z, p, q)
        fetches = {"sparsemax": p, "sparsemax_loss": loss,
                   "sparsemax_grad": tf.gradients(tf.reduce_sum(p * q), z)[0],
                   "sparsemax_loss_grad": tf.gradients(tf.reduce_sum(loss), z)[0]}
        with tf.Session() as sess:
            return sess.run(fetches)


def test_float32_equals_tensorflows_algorithm():
    got = _evaluate(np.float32)
    for key, value in got.items():
        assert value.dtype == np.float32
        np.testing.assert_allclose(value, REF[key + "_tf"], rtol=1e-6, atol=1e-6, err_msg=key)


def test_float64_equals_the_papers_definition():
    got = _evaluate(np.float64)
    for key, value in got.items():
        np.testing.assert_allclose(value, REF[key + "_paper"], rtol=1e-12, atol=1e-12,
                                   err_msg=key)
    assert np.allclose(got["sparsemax"].sum(axis=1), 1) and (got["sparsemax"] == 0).any()


def test_invalid_rows_give_nan_and_minus_infinity_is_left_out():
    z = np.array([[np.nan, 1.0, 2.0], [np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf],
                  [-np.inf, 1.0, 1.5]], np.float32)
    q = np.array([[0, 1, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]], np.float32)
    with tf.Graph().as_default():
        p = tf.contrib.sparsemax.sparsemax(z)
        loss = tf.contrib.sparsemax.sparsemax_loss(z, p, q)
        with tf.Session() as sess:
            p, loss = sess.run([p, loss])
    assert np.isnan(p[:3]).all()
    np.testing.assert_allclose(p[3], [0, 0.25, 0.75])
    # 0.25 * (1 - 0.125) + 0.75 * (1.5 - 0.375) + (0.5 - 1.5), the -inf entry adding nothing
    np.testing.assert_allclose(loss[3], 0.21875 + 0.84375 - 1.0, rtol=1e-6)
