"""tf.image codecs (TF 1.15): decode and encode JPEG, PNG, GIF and BMP, decode_image (TF 1.15's
composite: the format from the first bytes picks the decoder under tf.cond), is_jpeg, and the
JPEG quality augmentations.

JPEG and GIF need Pillow (`pip install tensorweave[image]`), loaded when a graph first runs
such an op.

    image = tf.image.decode_jpeg(tf.read_file(path), channels=3)
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import control_dependencies, create_op, name_scope
from tensorweave.ops import array, check_ops, control, math_ops, random_ops
from tensorweave.ops import image_codec_ops, string_ops  # noqa: F401 - registers codec ops
from tensorweave.ops._common import one

__all__ = ["decode_and_crop_jpeg", "decode_bmp", "decode_gif", "decode_image", "decode_jpeg",
           "decode_png", "encode_jpeg", "encode_png", "extract_jpeg_shape", "is_jpeg",
           "adjust_jpeg_quality", "random_jpeg_quality"]


def _contents(contents):
    return convert_to_tensor(contents, dtype=dtypes.string, name="contents")


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True,
                try_recover_truncated=False, acceptable_fraction=1, dct_method="", name=None):
    """A uint8 [height, width, channels] image from JPEG (or PNG, one-frame GIF) bytes."""
    return one(create_op("DecodeJpeg", [_contents(contents)], name=name or "DecodeJpeg",
                         channels=int(channels), ratio=int(ratio),
                         fancy_upscaling=bool(fancy_upscaling),
                         try_recover_truncated=bool(try_recover_truncated),
                         acceptable_fraction=float(acceptable_fraction), dct_method=dct_method))


def decode_and_crop_jpeg(contents, crop_window, channels=0, ratio=1, fancy_upscaling=True,
                         try_recover_truncated=False, acceptable_fraction=1, dct_method="",
                         name=None):
    """The `crop_window` [y, x, height, width] of a JPEG image, as uint8."""
    window = convert_to_tensor(crop_window, dtype=dtypes.int32, name="crop_window")
    return one(create_op("DecodeAndCropJpeg", [_contents(contents), window],
                         name=name or "DecodeAndCropJpeg", channels=int(channels),
                         ratio=int(ratio), fancy_upscaling=bool(fancy_upscaling),
                         try_recover_truncated=bool(try_recover_truncated),
                         acceptable_fraction=float(acceptable_fraction), dct_method=dct_method))


def decode_png(contents, channels=0, dtype=dtypes.uint8, name=None):
    """A uint8 or uint16 [height, width, channels] image from PNG (or JPEG, GIF) bytes."""
    return one(create_op("DecodePng", [_contents(contents)], name=name or "DecodePng",
                         channels=int(channels), dtype=dtypes.as_dtype(dtype)))


def decode_gif(contents, name=None):
    """Every frame of a GIF as uint8 [frames, height, width, 3]."""
    return one(create_op("DecodeGif", [_contents(contents)], name=name or "DecodeGif"))


def decode_bmp(contents, channels=0, name=None):
    """A uint8 [height, width, channels] image from BMP bytes."""
    return one(create_op("DecodeBmp", [_contents(contents)], name=name or "DecodeBmp",
                         channels=int(channels)))


def extract_jpeg_shape(contents, output_type=dtypes.int32, name=None):
    """[height, width, channels] of a JPEG image, read from its header only."""
    return one(create_op("ExtractJpegShape", [_contents(contents)],
                         name=name or "ExtractJpegShape",
                         output_type=dtypes.as_dtype(output_type)))


def encode_jpeg(image, format="", quality=95, progressive=False,  # noqa: A002 - TF's name
                optimize_size=False, chroma_downsampling=True, density_unit="in",
                x_density=300, y_density=300, xmp_metadata="", name=None):
    """JPEG bytes of a uint8 [height, width, 1 or 3] image."""
    image = convert_to_tensor(image, name="image")
    return one(create_op("EncodeJpeg", [image], name=name or "EncodeJpeg", format=format,
                         quality=int(quality), progressive=bool(progressive),
                         optimize_size=bool(optimize_size),
                         chroma_downsampling=bool(chroma_downsampling),
                         density_unit=density_unit, x_density=int(x_density),
                         y_density=int(y_density), xmp_metadata=xmp_metadata))


def encode_png(image, compression=-1, name=None):
    """PNG bytes of a uint8 or uint16 [height, width, 1..4] image."""
    image = convert_to_tensor(image, name="image")
    return one(create_op("EncodePng", [image], name=name or "EncodePng",
                         compression=int(compression)))


def is_jpeg(contents, name=None):
    """Whether `contents` starts as a JPEG file does."""
    with name_scope(name, "is_jpeg"):
        head = string_ops.substr(contents, 0, 3)
        return math_ops.equal(head, b"\xff\xd8\xff", name=name)


def _is_png(contents, name=None):
    with name_scope(name, "is_png"):
        head = string_ops.substr(contents, 0, 3)
        return math_ops.equal(head, b"\x89PN", name=name)


def _convert(image, dtype):
    from tensorweave.image import color
    return color.convert_image_dtype(image, dtype)


def decode_image(contents, channels=None, dtype=dtypes.uint8, name=None,
                 expand_animations=True):
    """A JPEG, PNG, GIF or BMP image (GIFs as [frames, h, w, 3] when `expand_animations`),
    converted to `dtype`."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "decode_image"):
        if channels not in (None, 0, 1, 3, 4):
            raise ValueError("channels must be in (None, 0, 1, 3, 4)")
        wanted = 0 if channels is None else channels
        head = string_ops.substr(contents, 0, 3)

        def bmp():
            is_bmp = math_ops.equal(string_ops.substr(contents, 0, 2), "BM", name="is_bmp")
            decode_check = check_ops.Assert(
                is_bmp, ["Unable to decode bytes as JPEG, PNG, GIF, or BMP"])
            channel_check = check_ops.Assert(
                math_ops.not_equal(wanted, 1, name="check_channels"),
                ["Channels must be in (None, 0, 3) when decoding BMP images"])
            with control_dependencies([decode_check, channel_check]):
                return _convert(decode_bmp(contents), dtype)

        def gif():
            good = math_ops.logical_and(
                math_ops.not_equal(wanted, 1, name="check_gif_channels"),
                math_ops.not_equal(wanted, 4, name="check_gif_channels"))
            channel_check = check_ops.Assert(
                good, ["Channels must be in (None, 0, 3) when decoding GIF images"])
            with control_dependencies([channel_check]):
                result = _convert(decode_gif(contents), dtype)
                return result if expand_animations else array.gather(result, 0)

        def check_gif():
            is_gif = math_ops.equal(head, b"GIF", name="is_gif")
            return control.cond(is_gif, gif, bmp, name="cond_gif")

        def png():
            return _convert(decode_png(contents, wanted, dtype=dtypes.uint8
                                       if dtype == dtypes.uint8 else dtypes.uint16), dtype)

        def check_png():
            return control.cond(_is_png(contents), png, check_gif, name="cond_png")

        def jpeg():
            channel_check = check_ops.Assert(
                math_ops.not_equal(wanted, 4, name="check_jpeg_channels"),
                ["Channels must be in (None, 0, 1, 3) when decoding JPEG images"])
            with control_dependencies([channel_check]):
                return _convert(decode_jpeg(contents, wanted), dtype)

        return control.cond(is_jpeg(contents), jpeg, check_png, name="cond_jpeg")


def adjust_jpeg_quality(image, jpeg_quality, name=None):
    """`image` after a JPEG round trip at `jpeg_quality` (0-100), in its own dtype."""
    with name_scope(name, "adjust_jpeg_quality", [image]):
        image = convert_to_tensor(image, name="image")
        original = image.dtype
        image = _convert(image, dtypes.uint8)
        quality = convert_to_tensor(jpeg_quality, dtype=dtypes.int32)
        encoded = one(create_op("EncodeJpegVariableQuality", [image, quality],
                                name="EncodeJpegVariableQuality"))
        return _convert(decode_jpeg(encoded), original)


def random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed=None):
    """`image` after a JPEG round trip at a quality drawn from [min, max)."""
    if (min_jpeg_quality < 0 or max_jpeg_quality < 0 or min_jpeg_quality > 100
            or max_jpeg_quality > 100):
        raise ValueError("jpeg encoding range must be between 0 and 100.")
    if min_jpeg_quality >= max_jpeg_quality:
        raise ValueError("`min_jpeg_quality` must be less than `max_jpeg_quality`.")
    quality = random_ops.random_uniform([], min_jpeg_quality, max_jpeg_quality, seed=seed,
                                        dtype=dtypes.int32)
    return adjust_jpeg_quality(image, quality)
