"""tf.contrib.image: rotate / translate / transform and the transform helpers against real
TensorFlow's ImageProjectiveTransformV2 values and gradients
(tests/fixtures/make_image_transform_reference.py), and TF 1.15's errors."""
import pathlib

import numpy as np
import pytest

import tensorweave as tf

REF = np.load(pathlib.Path(__file__).resolve().parents[1] / "fixtures" /
              "image_transform_reference.npz")
MODES = ("NEAREST", "BILINEAR")


def _run(fetch):
    with tf.Session() as sess:
        return sess.run(fetch)


@pytest.mark.parametrize("mode", MODES)
def test_transform_gives_tensorflows_values(mode):
    key = mode.lower()
    with tf.Graph().as_default():
        images = tf.constant(REF["images"])
        out = _run({
            "rotate": tf.contrib.image.transform(images, REF["rotations"], mode),
            "translate": tf.contrib.image.translate(images, REF["translations"], mode),
            "projective": tf.contrib.image.transform(images, REF["projective"][0], mode,
                                                     output_shape=[4, 7]),
            "float64": tf.contrib.image.transform(REF["images"].astype(np.float64) * 3.7,
                                                  REF["rotations"], interpolation=mode),
            "uint8": tf.contrib.image.transform(REF["uint8"], REF["rotations"], mode)})
    np.testing.assert_array_equal(out["rotate"], REF[f"rotate_{key}"])
    np.testing.assert_array_equal(out["translate"], REF[f"translate_{key}"])
    np.testing.assert_array_equal(out["projective"], REF[f"projective_{key}"])
    np.testing.assert_array_equal(out["float64"], REF[f"float64_{key}"])
    assert out["uint8"].dtype == np.uint8
    np.testing.assert_array_equal(out["uint8"], REF[f"uint8_{key}"])


@pytest.mark.parametrize("mode", MODES)
def test_rotate_matches_tensorflow_to_its_sine_and_cosine(mode):
    # TF's float32 sin / cos (Eigen's) and NumPy's may differ in the last place
    with tf.Graph().as_default():
        matrices = tf.contrib.image.angles_to_projective_transforms(REF["angles"], 5.0, 6.0)
        rotated = tf.contrib.image.rotate(REF["images"], REF["angles"], interpolation=mode)
        single = tf.contrib.image.rotate(REF["images"][0, :, :, 0], REF["angles"][0], mode)
        matrices, rotated, single = _run([matrices, rotated, single])
    np.testing.assert_allclose(matrices, REF["rotations"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(rotated, REF[f"rotate_{mode.lower()}"], rtol=0, atol=1e-5)
    assert single.shape == (5, 6)
    np.testing.assert_allclose(single, REF[f"rotate_{mode.lower()}"][0, :, :, 0], atol=1e-5)


@pytest.mark.parametrize("mode", MODES)
def test_gradient_is_tensorflows(mode):
    key = mode.lower()
    with tf.Graph().as_default():
        images = tf.constant(REF["images"])
        weights = tf.constant(REF["weights"])

        def grad(transforms):
            out = tf.contrib.image.transform(images, transforms, mode)
            return tf.gradients(tf.reduce_sum(out * weights), images)[0]
        rotated, projected = _run([grad(REF["rotations"]), grad(REF["projective"])])
    np.testing.assert_allclose(rotated, REF[f"rotate_{key}_grad"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(projected, REF[f"projective_{key}_grad"], rtol=1e-5, atol=1e-6)


def test_composed_and_converted_transforms():
    with tf.Graph().as_default():
        shift = tf.contrib.image.translations_to_projective_transforms([2.0, -1.0])
        matrices = tf.contrib.image.flat_transforms_to_matrices(REF["projective"])
        back = tf.contrib.image.matrices_to_flat_transforms(matrices * 2.0)
        composed = tf.contrib.image.compose_transforms(shift, shift)
        shift, matrices, back, composed = _run([shift, matrices, back, composed])
    np.testing.assert_array_equal(shift, [[1, 0, -2, 0, 1, 1, 0, 0]])
    assert matrices.shape == (1, 3, 3) and matrices[0, 2, 2] == 1.0
    np.testing.assert_allclose(back, REF["projective"], rtol=1e-6)
    np.testing.assert_allclose(composed, [[1, 0, -4, 0, 1, 2, 0, 0]], atol=1e-6)


def test_tensorflows_errors():
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="rank between 2 and 4"):
            tf.contrib.image.rotate(np.zeros((1, 2, 3, 4, 5), np.float32), 0.5)
        with pytest.raises(TypeError, match="Invalid dtype"):
            tf.contrib.image.transform(np.zeros((3, 3), np.int16), [1, 0, 0, 0, 1, 0, 0, 0])
        with pytest.raises(TypeError, match="Transforms should have rank 1 or 2"):
            tf.contrib.image.transform(np.zeros((3, 3), np.float32), np.zeros((1, 1, 8)))
        with pytest.raises(TypeError, match="Angles should have rank 0 or 1"):
            tf.contrib.image.angles_to_projective_transforms(np.zeros((2, 2)), 3.0, 3.0)
        with pytest.raises(ValueError, match="output_shape must be a 1-D Tensor"):
            tf.contrib.image.transform(np.zeros((3, 3), np.float32), [1, 0, 0, 0, 1, 0, 0, 0],
                                       output_shape=[1, 2, 3])
        bad = tf.contrib.image.transform(np.zeros((2, 3, 3, 1), np.float32), np.zeros((3, 8)))
        with pytest.raises(tf.errors.InvalidArgumentError, match="num_images x 8 or 1 x 8"):
            _run(bad)
        with pytest.raises(NotImplementedError, match="sparse_image_warp"):
            tf.contrib.image.sparse_image_warp  # noqa: B018


WARP = np.load(pathlib.Path(__file__).resolve().parents[1] / "fixtures" /
               "dense_image_warp_reference.npz")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dense_image_warp_values_gradients_and_shape_are_tfs(dtype):
    with tf.Graph().as_default():
        image = tf.constant(WARP["image"].astype(dtype))
        flow = tf.constant(WARP["flow"])
        warped = tf.contrib.image.dense_image_warp(image, flow)
        assert warped.shape.as_list() == WARP[f"{dtype}/shape"].tolist()
        loss = tf.reduce_sum(warped * WARP["weights"].astype(dtype))
        with tf.Session() as sess:
            got = sess.run([warped] + tf.gradients(loss, [image, flow]))
    tolerance = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-6)
    for key, value in zip(("warped", "d_image", "d_flow"), got):
        assert value.dtype == WARP[f"{dtype}/{key}"].dtype, key
        np.testing.assert_allclose(value, WARP[f"{dtype}/{key}"], err_msg=key, **tolerance)


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_bilinear_interpolation_is_tfs(indexing):
    from tensorweave.contrib.image import interpolate_bilinear
    with tf.Graph().as_default(), tf.Session() as sess:
        got = sess.run(interpolate_bilinear(WARP["grid"], WARP["points"], indexing=indexing))
    np.testing.assert_allclose(got, WARP[f"interpolate/{indexing}"], rtol=1e-6)
    with pytest.raises(ValueError, match="'ij' or 'xy'"):
        interpolate_bilinear(WARP["grid"], WARP["points"], indexing="yx")
    with pytest.raises(ValueError, match="Grid must be 4 dimensional"):
        interpolate_bilinear(WARP["grid"][0], WARP["points"])
