"""tf.image geometry against TensorFlow's numbers: resizing (TF 1.x pixel mapping),
cropping and padding, crop_and_resize, glimpses, patches, flips, rotations, gradients."""
import subprocess
import sys

import numpy as np
import pytest

import tensorweave as tf

import tf_reference

_PREFIXES = ("resize", "crop", "central", "pad", "glimpse", "flip", "transpose", "rot90",
             "extract", "grad", "dynamic")


@pytest.mark.parametrize("name", [n for p in _PREFIXES for n in tf_reference.names(p)])
def test_against_tensorflow(name):
    tf_reference.check(name)


def _run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


def test_rot90_and_transpose_of_unknown_rank_match_the_static_results():
    image = tf_reference.image_cases.I["img3"]
    unknown = tf.placeholder(tf.float32)
    for k in range(-1, 5):
        np.testing.assert_array_equal(_run(tf.image.rot90(unknown, k), {unknown: image}),
                                      np.rot90(image, k))
    np.testing.assert_array_equal(_run(tf.image.transpose(unknown), {unknown: image}),
                                  image.transpose(1, 0, 2))
    batch = tf_reference.image_cases.I["img"]
    np.testing.assert_array_equal(_run(tf.image.rot90(unknown, 1), {unknown: batch}),
                                  np.rot90(batch, 1, axes=(1, 2)))


def test_static_mistakes_raise_value_errors_as_tensorflow():
    image = np.zeros((4, 5, 3), np.float32)
    cases = [
        (lambda: tf.image.central_crop(image, 0.0), "central_fraction must be within"),
        (lambda: tf.image.crop_to_bounding_box(image, 1, 1, 4, 2),
         "height must be >= target \\+ offset."),
        (lambda: tf.image.pad_to_bounding_box(image, 0, 0, 3, 9),
         "height must be <= target - offset"),
        (lambda: tf.image.resize_images(np.zeros((4, 5)), [2, 2]),
         "'images' must have either 3 or 4 dimensions."),
        (lambda: tf.image.resize_images(image, [2, 2], method=7),
         "Resize method is not implemented: 7"),
        (lambda: tf.image.resize_images(image, [2, 2, 2]), "'size' must be a 1-D Tensor of 2"),
        (lambda: tf.image.flip_left_right(np.zeros((4, 5))), "must be at least three"),
        (lambda: tf.image.resize_bilinear(image, [2, 2]), "ResizeBilinear requires images of "
                                                          "rank 4"),
        (lambda: tf.image.crop_and_resize(image[None], [[0, 0, 1]], [0], [2, 2]),
         "boxes of shape \\[num_boxes, 4\\]"),
    ]
    for build, message in cases:
        with pytest.raises(ValueError, match=message):
            build()


def test_run_time_errors_name_tensorflows_conditions():
    image = np.zeros((1, 4, 5, 1), np.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="box_index has values outside"):
        _run(tf.image.crop_and_resize(image, [[0, 0, 1, 1]], [3], [2, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="align_corners must be False"):
        _run(tf.image.resize_bilinear(image, [2, 2], align_corners=True,
                                      half_pixel_centers=True))
    size = tf.placeholder(tf.int32, [2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="output dimensions must be positive"):
        _run(tf.image.resize_area(image, size), {size: [0, 3]})


def test_random_flips_of_a_batch_flip_images_independently():
    batch = np.tile(tf_reference.image_cases.I["img3"][None], [64, 1, 1, 1])
    flipped = _run(tf.image.random_flip_left_right(batch, seed=1))
    mirrored = np.array([np.array_equal(f, b[:, ::-1]) for f, b in zip(flipped, batch)])
    same = np.array([np.array_equal(f, b) for f, b in zip(flipped, batch)])
    assert np.all(mirrored ^ same) and 10 < mirrored.sum() < 54


def test_import_tensorweave_registers_the_image_op_types():
    """Needs tensorweave/ops/__init__.py to import image_ops, image_codec_ops, image_box_ops."""
    code = ("import tensorweave\nfrom tensorweave.core.registry import registered_op_types\n"
            "print(sorted({'ResizeBilinear', 'DecodeJpeg', 'NonMaxSuppressionV3'} - "
            "set(registered_op_types())))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]", f"not registered by import tensorweave: {out.strip()}"


def test_a_tensorflow_graph_of_image_ops_imports_and_runs():
    for name in ("decode_jpeg", "resize_bilinear", "non_max_suppression"):
        getattr(tf.image, name)  # loads the tf.image modules, which register their op types
    graph_def = tf.GraphDef()
    graph_def.ParseFromString((tf_reference.image_cases.IMAGE_DIR / "graph.pb").read_bytes())
    tf.import_graph_def(graph_def, name="")
    fetches = ["crop:0", "nms:0", "draw:0", "begin:0", "grad:0"]
    with tf.Session() as sess:
        values = sess.run(fetches, {"data:0": tf_reference.image_cases.files()["rgb.jpg"]})
    for i, value in enumerate(values):
        np.testing.assert_allclose(value, tf_reference.REFERENCE[f"graph_def/{i}"], rtol=1e-5,
                                   atol=1e-4)
