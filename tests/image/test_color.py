"""tf.image color functions against TensorFlow's numbers (fixture made by
tests/fixtures/make_image_color_reference.py), and their errors and names."""
import sys
import pathlib

import numpy as np
import pytest

import tensorweave as tf

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from image_reference import INPUTS, REF, cases, expected, run  # noqa: E402

# Kernels that follow TF's CPU kernels step by step: equal to the bit.
_EXACT = ("rgb_to_hsv", "hsv_to_rgb", "hue_", "sat_", "contrast", "brightness", "yiq", "yuv",
          "gray_to_rgb", "std_uint8", "std_flat")
_COLOR_CASES = [t for t in cases() if not t.startswith(("convert", "ssim", "psnr", "total_",
                                                         "image_gradients", "sobel"))]


@pytest.mark.parametrize("tag", _COLOR_CASES)
def test_matches_tensorflow(tag):
    got, want = run(str(REF[f"expr/{tag}"])), expected(tag)
    assert got.dtype == want.dtype and got.shape == want.shape
    if tag.startswith(_EXACT) or want.dtype.kind in "iu":
        np.testing.assert_array_equal(got, want)
    else:  # reductions and pow: summation order and libm differ by an ulp or two
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=3e-7)


def _defined(tag, src_values, dst):
    """Entries whose float-to-integer cast is defined: TF 1.15 (C++) leaves a cast of a value
    outside the target range, infinity or NaN undefined, so only the others are compared."""
    src = src_values.dtype
    with np.errstate(all="ignore"):
        scaled = src_values * np.asarray(np.iinfo(dst).max + 0.5).astype(src)
    if tag.endswith(("_sat", "_sat_wide")):
        # TF compares its clamp limit with the int64 maximum in float64, where 2**63 - 1
        # rounds to 2**63: its limit stays 2**63 and the cast of it is undefined.
        top = np.iinfo(dst).max if dst.itemsize < 8 else 2.0 ** 63 - 2.0 ** 40
        with np.errstate(all="ignore"):
            return ~np.isnan(scaled) & (scaled < top)
    with np.errstate(all="ignore"):
        return np.isfinite(scaled) & (scaled >= np.iinfo(dst).min) & (scaled < np.iinfo(dst).max)


_CONVERT = cases("convert")


@pytest.mark.parametrize("tag", _CONVERT)
def test_convert_image_dtype_matches_tensorflow(tag):
    expr = str(REF[f"expr/{tag}"])
    src_name = expr.split("(", 1)[1].split(",")[0]
    src_values, dst = INPUTS[src_name], tag.split("_")[2]
    with np.errstate(all="ignore"):
        got = run(expr)
    want = expected(tag)
    assert got.dtype == want.dtype and got.shape == want.shape
    if src_values.dtype.kind == "f" and np.dtype(dst).kind in "iu":
        keep = _defined(tag, src_values, np.dtype(dst))
        np.testing.assert_array_equal(got[keep], want[keep])
    else:
        np.testing.assert_array_equal(got, want)


def test_every_dtype_pair_was_checked():
    assert len(_CONVERT) >= 200


_RANDOM = sorted(k.split("/")[1] for k in REF
                 if k.startswith("rexpr/") and k != "rexpr/uniform_probe")


def _follows_tensorflows_stream():
    probe = run(str(REF["rexpr/uniform_probe"]), seed=7, runs=2)
    return all(np.array_equal(p, REF[f"random/uniform_probe/{i}"]) for i, p in enumerate(probe))


@pytest.mark.parametrize("tag", _RANDOM)
def test_seeded_random_adjustments_match_tensorflow(tag):
    if not _follows_tensorflows_stream():
        pytest.skip("tf.random_uniform does not reproduce TensorFlow's Philox stream yet")
    expr = str(REF[f"rexpr/{tag}"])
    first, second = run(expr, seed=7, runs=2)
    for got, i in ((first, 0), (second, 1)):
        want = REF[f"random/{tag}/{i}"]
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name, args, adjust, draw", [
    ("random_brightness", (0.3,), "adjust_brightness", (-0.3, 0.3)),
    ("random_contrast", (0.2, 1.8), "adjust_contrast", (0.2, 1.8)),
    ("random_hue", (0.4,), "adjust_hue", (-0.4, 0.4)),
    ("random_saturation", (0.5, 1.5), "adjust_saturation", (0.5, 1.5)),
])
def test_random_adjustment_is_the_adjustment_of_a_seeded_uniform_draw(name, args, adjust, draw):
    img = tf.constant(INPUTS["rgb"])
    tf.set_random_seed(7)
    randomized = getattr(tf.image, name)(img, *args, seed=5)
    factor = tf.random_uniform([], *draw, seed=5)
    with tf.Session() as sess:
        got, f = sess.run([randomized, factor])
        got2 = sess.run(randomized)
        want = sess.run(getattr(tf.image, adjust)(img, f))
    np.testing.assert_array_equal(got, want)
    assert not np.array_equal(got, got2)  # a new draw on each run


def test_saturate_cast_stays_in_range():
    x = tf.constant([-1.0, 0.5, 1.0, 3e9], tf.float32)
    got = tf.Session().run(tf.image.convert_image_dtype(x, tf.int32, saturate=True))
    assert got.tolist() == [-2147483648, 1073741824, 2147483520, 2147483520]


def test_per_image_standardization_keeps_dtype_as_tf_1_15():
    img = tf.constant(INPUTS["u8"][0])
    out = tf.image.per_image_standardization(img)
    assert out.dtype == tf.uint8 and out.shape.as_list() == [4, 5, 3]
    f = tf.image.per_image_standardization(tf.cast(img, tf.float32))
    assert f.dtype == tf.float32
    with pytest.raises(ValueError, match="three-dimensional"):
        tf.image.per_image_standardization(tf.zeros([4, 4]))


def test_argument_errors_are_tensorflows():
    img = tf.constant(INPUTS["rgb"])
    with pytest.raises(ValueError, match="max_delta must be non-negative"):
        tf.image.random_brightness(img, -0.1)
    with pytest.raises(ValueError, match="max_delta must be <= 0.5"):
        tf.image.random_hue(img, 0.6)
    with pytest.raises(ValueError, match="upper must be > lower"):
        tf.image.random_contrast(img, 0.5, 0.5)
    with pytest.raises(ValueError, match="lower must be non-negative"):
        tf.image.random_saturation(img, -0.5, 0.5)
    with pytest.raises(ValueError, match="Gamma should be a non-negative"):
        tf.image.adjust_gamma(img, -1.0)
    with pytest.raises(AttributeError, match="dtype must be either floating point or integer"):
        tf.image.convert_image_dtype(img, tf.bool)
    with pytest.raises(ValueError, match="Dimension must be 3"):
        tf.image.adjust_hue(tf.zeros([2, 2, 4]), 0.1)
    with pytest.raises(ValueError, match="at least rank 3"):
        tf.image.adjust_contrast(tf.zeros([2, 3]), 2.0)
    with pytest.raises(ValueError, match="Last dimension of a grayscale image"):
        tf.image.grayscale_to_rgb(tf.zeros([2, 2, 3]))


def test_run_time_channel_error():
    x = tf.placeholder(tf.float32, [None, None, None])
    y = tf.image.adjust_saturation(x, 2.0)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="3 channels"):
        sess.run(y, {x: np.zeros((2, 2, 4), np.float32)})


def test_gamma_with_tensor_checks_at_run_time():
    gamma = tf.placeholder(tf.float32, [])
    y = tf.image.adjust_gamma(tf.constant(INPUTS["rgb"]), gamma)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {gamma: 2.0}), INPUTS["rgb"] ** 2, rtol=1e-6)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Gamma should be"):
            sess.run(y, {gamma: -1.0})


def test_gradients_as_tensorflow_1_15():
    x = tf.constant(INPUTS["rgb"])
    # Composites differentiate; the color op types have no gradient in TF 1.15.
    g = tf.gradients(tf.reduce_sum(tf.image.adjust_brightness(x, 0.1)
                                   + tf.image.adjust_gamma(x, 2.0)), x)[0]
    np.testing.assert_allclose(tf.Session().run(g), 1 + 2 * INPUTS["rgb"], rtol=1e-6)
    for fn in (lambda t: tf.image.adjust_hue(t, 0.1), tf.image.rgb_to_hsv,
               lambda t: tf.image.adjust_contrast(t, 2.0)):
        with pytest.raises(LookupError, match="No gradient defined"):
            tf.gradients(tf.reduce_sum(fn(x)), x)


def test_names_as_tensorflow():
    x = tf.constant(INPUTS["rgb"])
    assert tf.image.adjust_contrast(x, 2.0).op.inputs[0].op.type == "AdjustContrastv2"
    assert tf.image.adjust_hue(x, 0.1).op.inputs[0].op.type == "AdjustHue"
    assert tf.image.rgb_to_hsv(x).op.type == "RGBToHSV"
    assert tf.image.convert_image_dtype(tf.constant(INPUTS["u8"]), tf.float32).op.name == \
        "convert_image"
