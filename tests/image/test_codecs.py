"""tf.image codecs against TensorFlow's numbers: JPEG (Pillow's libjpeg-turbo), PNG (8 and 16
bits, channel conversions), GIF frames, BMP, decode_image's format dispatch, encoders by round
trip; TF's errors for corrupt data."""
import numpy as np
import pytest

import tensorweave as tf

import tf_reference

pytest.importorskip("PIL")

# TF decodes with libjpeg-turbo's fast IDCT by default; Pillow always uses the accurate one.
# Over these files the largest difference is this many levels (0 with INTEGER_ACCURATE).
JPEG_DEFAULT_MAX_DIFF = 4
# TF's DecodeAndCropJpeg upsamples chroma at the crop's edges from the cropped rows only.
JPEG_CROP_MAX_DIFF = 6


@pytest.mark.parametrize("name", tf_reference.names("codec_"))
def test_codecs_against_tensorflow(name):
    tf_reference.check(name)


_DEFAULT_IDCT = ("jpeg_rgb", "jpeg_rgb_fast", "jpeg_decode_image", "jpeg_via_png",
                 "jpeg_adjust_quality", "jpeg_adjust_quality_float")


@pytest.mark.parametrize("name", tf_reference.names("jpeg_"))
def test_jpeg_against_tensorflow(name):
    if name not in _DEFAULT_IDCT + ("jpeg_crop",):
        tf_reference.check(name)
        return
    limit = JPEG_CROP_MAX_DIFF if name == "jpeg_crop" else JPEG_DEFAULT_MAX_DIFF
    got, want = tf_reference.run(name)[0], tf_reference.expected(name)[0]
    assert got.dtype == want.dtype and got.shape == want.shape
    scale = 255 if want.dtype.kind == "f" else 1
    diff = np.abs(got.astype(np.float64) - want.astype(np.float64)) * scale
    assert diff.max() <= limit + 1e-3, f"{name}: max difference {diff.max()}"


def _run(t):
    with tf.Session() as sess:
        return sess.run(t)


def _file(name):
    return tf_reference.image_cases.files()[name]


def test_corrupt_jpeg_is_invalid_argument_naming_the_data_size():
    data = _file("rgb.jpg")
    corrupt = data[:4] + b"garbage" * 20
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=f"Invalid JPEG data or crop window, data size {len(corrupt)}"):
        _run(tf.image.decode_jpeg(corrupt))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid JPEG data or crop window"):
        _run(tf.image.decode_jpeg(data[:300]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid JPEG data or crop window"):
        _run(tf.image.decode_and_crop_jpeg(data, [5, 5, 20, 3]))


def test_bad_inputs_raise_tensorflows_errors():
    png, bmp = _file("rgb.png"), _file("rgb.bmp")
    cases = [
        (lambda: tf.image.decode_jpeg(b"hello world"), "unknown format starting with 'hello"),
        (lambda: tf.image.decode_png(bmp), "Trying to decode BMP format using a wrong op"),
        (lambda: tf.image.decode_bmp(png), "Trying to decode PNG format using DecodeBmp op"),
        (lambda: tf.image.decode_png(png[:30]), "Invalid PNG"),
        (lambda: tf.image.decode_gif(b"GIF89a" + b"\0" * 10), r"Invalid GIF data \(size 16\)"),
        (lambda: tf.image.extract_jpeg_shape(png), "Invalid JPEG data, size 115"),
        (lambda: tf.image.decode_jpeg(_file("rgb.jpg"), channels=4), "channels"),
        (lambda: tf.image.encode_jpeg(np.zeros((2, 2, 2), np.uint8)),
         r"image must have 1 or 3 channels, got \[2, 2, 2\]"),
        (lambda: tf.image.encode_png(np.zeros((2, 2, 5), np.uint8)),
         "image must have 1, 2, 3, or 4 channels, got 5"),
        (lambda: tf.image.decode_image(b"hello world"),
         "Unable to decode bytes as JPEG, PNG, GIF, or BMP"),
    ]
    for build, message in cases:
        with tf.Graph().as_default():
            with pytest.raises(tf.errors.InvalidArgumentError, match=message):
                _run(build())


def test_static_shapes_as_tensorflow():
    jpg = _file("rgb.jpg")
    assert tf.image.decode_jpeg(jpg).shape.as_list() == [None, None, None]
    assert tf.image.decode_jpeg(jpg, channels=3).shape.as_list() == [None, None, 3]
    assert tf.image.decode_gif(jpg).shape.as_list() == [None, None, None, 3]
    assert tf.image.decode_and_crop_jpeg(jpg, [0, 0, 2, 2]).shape.as_list() == [2, 2, None]
    assert tf.image.encode_png(np.zeros((2, 2, 1), np.uint8)).shape.as_list() == []
    assert tf.image.decode_image(jpg).shape.ndims is None
    with pytest.raises(ValueError, match="channels must be in"):
        tf.image.decode_image(jpg, channels=2)


def test_encoders_write_what_they_are_asked():
    image = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 14
    jpeg = _run(tf.image.encode_jpeg(image, density_unit="cm", x_density=72, y_density=96,
                                     progressive=True))
    assert jpeg[:3] == b"\xff\xd8\xff" and jpeg[13] == 2
    assert int.from_bytes(jpeg[14:16], "big") == 72 and int.from_bytes(jpeg[16:18], "big") == 96
    assert b"\xff\xc2" in jpeg  # a progressive frame
    assert list(_run(tf.image.extract_jpeg_shape(jpeg))) == [2, 3, 3]
    for compression in (-1, 0, 9):
        png = _run(tf.image.encode_png(image, compression=compression))
        np.testing.assert_array_equal(_run(tf.image.decode_png(png)), image)


def test_random_jpeg_quality_is_seeded():
    image = tf.image.decode_png(_file("rgb.png"))
    first = _run(tf.image.random_jpeg_quality(image, 10, 90, seed=3))
    with tf.Graph().as_default():
        again = _run(tf.image.random_jpeg_quality(tf.image.decode_png(_file("rgb.png")), 10,
                                                  90, seed=3))
    np.testing.assert_array_equal(first, again)
    with pytest.raises(ValueError, match="must be less than"):
        tf.image.random_jpeg_quality(image, 50, 50)


def test_without_pillow_jpeg_names_the_extra_to_install(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "PIL", None)
    with pytest.raises(tf.errors.UnknownError, match=r"pip install tensorweave\[image\]"):
        _run(tf.image.decode_jpeg(_file("rgb.jpg")))
    # BMP, PNG encoding and 16-bit PNG files need no Pillow
    np.testing.assert_array_equal(_run(tf.image.decode_bmp(_file("rgb.bmp"))),
                                  tf_reference.expected("codec_bmp")[0])
    image = np.arange(18, dtype=np.uint16).reshape(2, 3, 3) * 3000
    np.testing.assert_array_equal(
        _run(tf.image.decode_png(tf.image.encode_png(image), dtype=tf.uint16)), image)
