"""tf.image's measures (total_variation, psnr, ssim, ssim_multiscale, image_gradients,
sobel_edges) against TensorFlow's numbers (tests/fixtures/make_image_color_reference.py)."""
import sys
import pathlib

import numpy as np
import pytest

import tensorweave as tf

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from image_reference import INPUTS, REF, cases, expected, run  # noqa: E402

_METRIC_CASES = [t for t in cases() if t.startswith(("ssim", "psnr", "total_", "image_grad",
                                                      "sobel"))]
# SSIM's variance terms are differences of nearly equal local means: at the coarsest scale of
# the 176x180 MS-SSIM case (an 11x11 window on an 11x11 image) float32 summation order moves
# the result in the fifth digit, in TensorFlow's own kernels as well.
_TOLERANCE = {"ssim_ms_default": 5e-5}


@pytest.mark.parametrize("tag", _METRIC_CASES)
def test_matches_tensorflow(tag):
    got, want = run(str(REF[f"expr/{tag}"])), expected(tag)
    pairs = zip(got, want) if isinstance(want, tuple) else [(got, want)]
    for g, w in pairs:
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=_TOLERANCE.get(tag, 3e-7))


def test_psnr_and_ssim_of_identical_images():
    a = tf.constant(INPUTS["img_a"])
    with tf.Session() as sess:
        s, p = sess.run([tf.image.ssim(a, a, 1.0), tf.image.psnr(a, a * 0.5, 1.0)])
    np.testing.assert_allclose(s, [1.0, 1.0], rtol=1e-6)
    mse = np.mean((INPUTS["img_a"] * 0.5) ** 2, axis=(1, 2, 3))
    np.testing.assert_allclose(p, -10 * np.log10(mse), rtol=1e-5)


def test_shape_errors():
    with pytest.raises(ValueError):
        tf.image.ssim(tf.zeros([1, 16, 16, 3]), tf.zeros([1, 16, 15, 3]), 1.0)
    with pytest.raises(ValueError, match="must be either 3 or 4-dimensional"):
        tf.image.total_variation(tf.zeros([3, 3]))
    with pytest.raises(ValueError, match="image_gradients expects a 4D tensor"):
        tf.image.image_gradients(tf.zeros([3, 3, 1]))
    # an image smaller than the 11x11 filter: TF's shape inference knows the tiled filter's
    # shape and refuses the depthwise convolution while building (ValueError), as here
    with pytest.raises(ValueError, match="window"):
        tf.image.ssim(tf.zeros([1, 8, 8, 1]), tf.zeros([1, 8, 8, 1]), 1.0)
    fed = tf.placeholder(tf.float32, [1, None, None, 1])
    small = tf.image.ssim(fed, fed, 1.0)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError):
        sess.run(small, {fed: np.zeros([1, 8, 8, 1])})


def test_metrics_are_differentiable():
    x = tf.constant(INPUTS["img_a"])
    y = tf.constant(INPUTS["img_b"])
    loss = (tf.reduce_sum(tf.image.total_variation(x)) - tf.reduce_sum(tf.image.ssim(x, y, 1.0))
            + tf.reduce_sum(tf.image.sobel_edges(x)))
    g = tf.gradients(loss, x)[0]
    value = tf.Session().run(g)
    assert value.shape == INPUTS["img_a"].shape and np.all(np.isfinite(value))
    # total variation's gradient on an interior pixel: the signs of its four differences.
    tv_g = tf.Session().run(tf.gradients(tf.image.total_variation(x[0]), x)[0])[0]
    a = INPUTS["img_a"][0]
    i, j, c = 5, 7, 1
    want = (np.sign(a[i, j, c] - a[i - 1, j, c]) - np.sign(a[i + 1, j, c] - a[i, j, c])
            + np.sign(a[i, j, c] - a[i, j - 1, c]) - np.sign(a[i, j + 1, c] - a[i, j, c]))
    assert tv_g[i, j, c] == want
