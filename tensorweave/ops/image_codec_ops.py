"""Image codec op types: DecodeJpeg, DecodeAndCropJpeg, DecodePng, DecodeGif, DecodeBmp,
EncodeJpeg, EncodeJpegVariableQuality, EncodePng, ExtractJpegShape.

As in TensorFlow 1.15, DecodeJpeg, DecodePng and DecodeGif read any of JPEG, PNG and GIF (the
format is sniffed from the first bytes). JPEG and GIF go through Pillow (the optional extra
`pip install tensorweave[image]`), imported when a kernel first runs; PNG files of 16 bits per
sample, BMP files, PNG encoding and JPEG headers are read and written here with NumPy and zlib.
Pillow's JPEG decoder is libjpeg-turbo's with the accurate integer IDCT and smooth chroma
upsampling, always: TensorFlow's default (`dct_method=""`, the fast IDCT) differs by up to 4
levels per pixel on our test files ("INTEGER_ACCURATE" matches exactly); `fancy_upscaling=False`
is not honoured (sharp chroma edges then differ by tens of levels), nor is
`try_recover_truncated` (a truncated file is an InvalidArgumentError, TF's default behaviour).
DecodeAndCropJpeg decodes the whole image and crops it: chroma at the crop's edges can differ
from TF's partial decode by a few levels.
"""
import io
import struct
import zlib

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import partial_shape_from_tensor
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape


def pillow():
    """PIL.Image, or ImportError naming the extra that installs it."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("tf.image's JPEG and GIF codecs need Pillow: "
                          "pip install tensorweave[image]") from None
    return Image


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


# --- formats -------------------------------------------------------------------------------
def image_format(data):
    """"jpeg", "png", "gif", "bmp" or None, from the first bytes of `data`."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:3] == b"GIF":
        return "gif"
    if data[:2] == b"BM":
        return "bmp"
    return None


def _unknown_format(data):
    start = "".join(chr(b) if 32 <= b < 127 and b not in (39, 92) else f"\\{b:03o}"
                    for b in data[:16])
    return _invalid(f"Expected image (JPEG, PNG, or GIF), got unknown format starting with "
                    f"'{start}'")


def _check_channels(channels, allowed, what):
    if channels not in allowed:
        raise _invalid(f"channels must be {', '.join(map(str, allowed[:-1]))} or "
                       f"{allowed[-1]} for {what}, got {channels}")


def _gray(rgb, bits):
    """libpng's RGB to gray as TF asks for it (0.299, 0.587 in 15-bit fixed point: 9797,
    19234, 3737), truncated for 8 bits, rounded for 16."""
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    out = (9797 * r + 19234 * g + 3737 * b + (16384 if bits == 16 else 0)) >> 15
    return out.astype(np.uint16 if bits == 16 else np.uint8)


def _with_channels(image, channels, bits=8):
    """[h, w, c] image converted to `channels` (0: unchanged) as libpng converts."""
    have = image.shape[-1]
    if channels in (0, have):
        return image
    opaque = np.full(image.shape[:-1] + (1,), 65535 if bits == 16 else 255, image.dtype)
    color = image[..., :3] if have >= 3 else np.repeat(image[..., :1], 3, axis=-1)
    alpha = image[..., -1:] if have in (2, 4) else opaque
    gray = _gray(color, bits)[..., None] if have >= 3 else image[..., :1]
    return np.ascontiguousarray({1: gray, 2: np.concatenate([gray, alpha], -1), 3: color,
                                 4: np.concatenate([color, alpha], -1)}[channels])


# --- PNG -----------------------------------------------------------------------------------
def _png_chunks(data):
    at = 8
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        yield kind, data[at + 8:at + 8 + size]
        at += 12 + size


def _unfilter(raw, height, row_bytes, bpp):
    rows = np.frombuffer(raw, np.uint8)[:height * (row_bytes + 1)].reshape(height, -1)
    out = np.zeros((height, row_bytes), np.uint8)
    prior = np.zeros(row_bytes, np.int64)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:].astype(np.int64)
        if kind == 1 or kind == 3 or kind == 4:
            cur = line.copy()
            for x in range(row_bytes):
                left = cur[x - bpp] if x >= bpp else 0
                if kind == 1:
                    cur[x] = (line[x] + left) & 255
                elif kind == 3:
                    cur[x] = (line[x] + ((left + prior[x]) >> 1)) & 255
                else:
                    up_left = prior[x - bpp] if x >= bpp else 0
                    p = left + prior[x] - up_left
                    pa, pb, pc = abs(p - left), abs(p - prior[x]), abs(p - up_left)
                    pred = left if pa <= pb and pa <= pc else (prior[x] if pb <= pc else up_left)
                    cur[x] = (line[x] + pred) & 255
            line = cur
        elif kind == 2:
            line = (line + prior) & 255
        elif kind != 0:
            raise _invalid(f"Invalid PNG data, unknown filter type {kind}")
        out[y] = line
        prior = line
    return out


def _decode_png16(data):
    """A 16-bit PNG (non-interlaced) as uint16 [h, w, c]."""
    header, parts = None, []
    for kind, body in _png_chunks(data):
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body[:13])
        elif kind == b"IDAT":
            parts.append(body)
    width, height, _, color, _, _, interlace = header
    if interlace:
        raise _invalid("Interlaced 16-bit PNG images are not supported")
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    rows = _unfilter(zlib.decompress(b"".join(parts)), height, width * channels * 2,
                     channels * 2)
    return rows.view(">u2").reshape(height, width, channels).astype(np.uint16)


def _png_info(data):
    for kind, body in _png_chunks(data):
        if kind == b"IHDR" and len(body) >= 13:
            return struct.unpack(">IIBBBBB", body[:13])
    raise _invalid(f"Invalid PNG header, data size {len(data)}")


def _decode_png(data, channels, dtype):
    try:
        _, _, bits, color, _, _, _ = _png_info(data)
        if bits == 16 and color != 0:
            image, bits = _decode_png16(data), 16
        else:
            picture = pillow().open(io.BytesIO(data))
            picture.load()
            if picture.mode in ("P", "1", "PA", "L;1"):
                picture = picture.convert(
                    "RGBA" if "transparency" in picture.info or picture.mode == "PA"
                    else ("L" if picture.mode == "1" else "RGB"))
            image = np.asarray(picture)
            if image.dtype != np.uint8:
                image, bits = image.astype(np.uint16), 16
            if image.ndim == 2:
                image = image[..., None]
    except (OSError, ValueError, zlib.error, struct.error, KeyError, TypeError) as e:
        raise _invalid(f"Invalid PNG data, size {len(data)}: {e}") from None
    image = _with_channels(image, channels, bits)
    if dtype == dtypes.uint16 and bits == 8:
        return image.astype(np.uint16) * 257
    if dtype == dtypes.uint8 and bits == 16:
        return (image >> 8).astype(np.uint8)
    return image


def _png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def encode_png_bytes(image, compression=-1):
    """PNG bytes of uint8 or uint16 [h, w, c] `image` (c in 1..4), rows unfiltered."""
    height, width, channels = image.shape
    bits = 16 if image.dtype == np.uint16 else 8
    color = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    rows = image.astype(">u2" if bits == 16 else np.uint8).reshape(height, -1).view(np.uint8)
    raw = np.concatenate([np.zeros((height, 1), np.uint8), rows], axis=1).tobytes()
    level = 6 if compression == -1 else compression
    return (b"\x89PNG\r\n\x1a\n"
            + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bits, color, 0, 0, 0))
            + _png_chunk(b"IDAT", zlib.compress(raw, level)) + _png_chunk(b"IEND", b""))


# --- BMP -----------------------------------------------------------------------------------
def _decode_bmp(data, channels):
    if len(data) < 54:
        raise _invalid(f"Incomplete bmp content, requires at least 54 bytes to find the header "
                       f"size, width, height, and bpp, got {len(data)} bytes")
    offset, = struct.unpack("<I", data[10:14])
    width, height = struct.unpack("<ii", data[18:26])
    bpp, = struct.unpack("<H", data[28:30])
    if bpp not in (8, 24, 32):
        raise _invalid(f"Bits per pixel must be 8, 24 or 32, got {bpp}")
    have = bpp // 8
    if channels not in (0, have):
        raise _invalid(f"channels attribute {channels} does not match bits per pixel from "
                       f"file {have}")
    row = (width * have + 3) // 4 * 4
    rows = abs(height)
    if offset + row * rows > len(data) or width <= 0:
        raise _invalid(f"Invalid BMP data, size {len(data)}")
    pixels = np.frombuffer(data, np.uint8, row * rows, offset).reshape(rows, row)
    pixels = pixels[:, :width * have].reshape(rows, width, have)
    if height > 0:
        pixels = pixels[::-1]
    if have >= 3:
        pixels = np.concatenate([pixels[..., 2::-1], pixels[..., 3:]], axis=-1)
    return np.ascontiguousarray(pixels)


# --- JPEG ----------------------------------------------------------------------------------
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def jpeg_shape(data):
    """(height, width, components) from a JPEG's frame header, or None."""
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        size, = struct.unpack(">H", data[at + 2:at + 4])
        if marker in _SOF and at + 10 <= len(data):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return height, width, data[at + 9]
        if marker in (0xD9, 0xDA):
            return None
        at += 2 + size
    return None


def _jpeg_error(data):
    return _invalid(f"Invalid JPEG data or crop window, data size {len(data)}")


def _decode_jpeg(data, channels, ratio, crop=None):
    _check_channels(channels, (0, 1, 3), "JPEG")
    if ratio not in (1, 2, 4, 8):
        raise _invalid(f"ratio must be 1, 2, 4, or 8, got {ratio}")
    image_module = pillow()
    try:
        picture = image_module.open(io.BytesIO(data))
        if picture.format != "JPEG":
            raise OSError("not a JPEG")
        mode = {0: picture.mode if picture.mode in ("L", "RGB") else "RGB", 1: "L",
                3: "RGB"}[channels]
        if ratio > 1:
            w, h = picture.size
            picture.draft(mode, (-(-w // ratio), -(-h // ratio)))
        elif mode == "L":
            picture.draft("L", picture.size)
        picture = picture.convert(mode)
        image = np.asarray(picture)
    except (OSError, ValueError, SyntaxError, struct.error):
        raise _jpeg_error(data) from None
    if image.ndim == 2:
        image = image[..., None]
    if crop is not None:
        y, x, h, w = (int(v) for v in crop)
        if y < 0 or x < 0 or h <= 0 or w <= 0 or y + h > image.shape[0] \
                or x + w > image.shape[1]:
            raise _jpeg_error(data)
        image = image[y:y + h, x:x + w]
    return np.ascontiguousarray(image)


def encode_jpeg_bytes(image, *, format="", quality=95, progressive=False,  # noqa: A002
                      optimize_size=False, chroma_downsampling=True, density_unit="in",
                      x_density=300, y_density=300, xmp_metadata=""):
    """JPEG bytes of uint8 [h, w, 1 or 3] `image` through Pillow (libjpeg-turbo)."""
    if image.ndim != 3:
        raise _invalid(f"image must be 3-dimensional{list(image.shape)}")
    channels = image.shape[2]
    wanted = {"": channels, "grayscale": 1, "rgb": 3}.get(format)
    if wanted is None:
        raise _invalid(f"format must be '', 'grayscale' or 'rgb', got {format!r}")
    if channels not in (1, 3) or channels != wanted:
        raise _invalid(f"image must have 1 or 3 channels, got {list(image.shape)}")
    if not 0 <= quality <= 100:
        raise _invalid(f"quality must be in [0,100], got {quality}")
    if density_unit not in ("in", "cm"):
        raise _invalid(f"density_unit must be 'in' or 'cm', got {density_unit!r}")
    picture = pillow().fromarray(image[..., 0] if channels == 1 else image,
                                 "L" if channels == 1 else "RGB")
    out = io.BytesIO()
    options = {"quality": int(quality), "progressive": bool(progressive),
               "optimize": bool(optimize_size), "subsampling": 2 if chroma_downsampling else 0,
               "dpi": (int(x_density), int(y_density))}
    if xmp_metadata:
        options["xmp"] = xmp_metadata.encode() if isinstance(xmp_metadata, str) \
            else xmp_metadata
    picture.save(out, "JPEG", **options)
    data = bytearray(out.getvalue())
    if data[6:11] == b"JFIF\x00":  # density unit and densities as TF writes them
        data[13] = 1 if density_unit == "in" else 2
        data[14:18] = struct.pack(">HH", int(x_density), int(y_density))
    return bytes(data)


# --- GIF -----------------------------------------------------------------------------------
def _decode_gif(data):
    image_module = pillow()
    try:
        picture = image_module.open(io.BytesIO(data))
        frames = []
        for index in range(getattr(picture, "n_frames", 1)):
            picture.seek(index)
            frames.append(np.asarray(picture.convert("RGB")))
    except (OSError, ValueError, EOFError, SyntaxError) as e:
        raise _invalid(f"Invalid GIF data (size {len(data)}), {e}") from None
    return np.stack(frames)


# --- the decode kernels --------------------------------------------------------------------
def _contents(value):
    data = value.item() if isinstance(value, np.ndarray) else value
    if np.ndim(value) != 0:
        raise _invalid(f"contents must be scalar, got shape {list(np.shape(value))}")
    return data if isinstance(data, bytes) else str(data).encode()


def _decode_any(data, op_type, channels, dtype=dtypes.uint8, ratio=1):
    """TF 1.15's shared kernel: any of JPEG, PNG, GIF, by the first bytes."""
    kind = image_format(data)
    if kind == "jpeg":
        image = _decode_jpeg(data, channels, ratio)
        return image.astype(np.uint16) * 257 if dtype == dtypes.uint16 else image
    if kind == "png":
        if channels not in (0, 1, 3, 4):
            raise _invalid(f"`channels` must be 0, 1, 3 or 4 but got {channels}")
        return _decode_png(data, channels, dtype)
    if kind == "gif":
        _check_channels(channels, (0, 3), "GIF")
        frames = _decode_gif(data)
        if len(frames) != 1:
            raise _invalid(f"Got {len(frames)} frames, but animated gifs can only be decoded "
                           f"by tf.image.decode_gif or tf.image.decode_image")
        return frames[0]
    if kind == "bmp":
        raise _invalid(f"Trying to decode BMP format using a wrong op. Use `decode_bmp` or "
                       f"`decode_image` instead. Op used: {op_type}")
    raise _unknown_format(data)


def _scalar_contents(op_type, contents):
    if contents.dtype is not dtypes.string:
        raise TypeError(f"{op_type} requires string contents, got {contents.dtype.name}")
    if contents.shape.ndims not in (None, 0):
        raise ValueError(f"{op_type} requires scalar contents, got shape {contents.shape}")


def _channel_dim(channels):
    return channels if channels else None


def _decode_jpeg_shape(contents, *, channels=0, ratio=1, fancy_upscaling=True,
                       try_recover_truncated=False, acceptable_fraction=1.0, dct_method=""):
    _scalar_contents("DecodeJpeg", contents)
    return [(dtypes.uint8, TensorShape([None, None, _channel_dim(channels)]))]


def _check_dct(dct_method):
    if dct_method not in ("", "INTEGER_FAST", "INTEGER_ACCURATE"):
        raise _invalid("dct_method must be one of {'', 'INTEGER_FAST', 'INTEGER_ACCURATE'}")


def _decode_jpeg_kernel(contents, *, channels=0, ratio=1, fancy_upscaling=True,
                        try_recover_truncated=False, acceptable_fraction=1.0, dct_method=""):
    _check_dct(dct_method)
    return _decode_any(_contents(contents), "DecodeJpeg", channels, ratio=ratio)


def _crop_shape(contents, crop_window, *, channels=0, ratio=1, fancy_upscaling=True,
                try_recover_truncated=False, acceptable_fraction=1.0, dct_method=""):
    _scalar_contents("DecodeAndCropJpeg", contents)
    window = partial_shape_from_tensor(crop_window)
    h, w = (None, None) if window.ndims != 4 else window.as_list()[2:]
    return [(dtypes.uint8, TensorShape([h, w, _channel_dim(channels)]))]


def _crop_kernel(contents, crop_window, *, channels=0, ratio=1, fancy_upscaling=True,
                 try_recover_truncated=False, acceptable_fraction=1.0, dct_method=""):
    _check_dct(dct_method)
    if np.shape(crop_window) != (4,):
        raise _invalid(f"crop_window must be shape [4], got {list(np.shape(crop_window))}")
    data = _contents(contents)
    if image_format(data) != "jpeg":
        raise _jpeg_error(data)
    return _decode_jpeg(data, channels, ratio, crop=crop_window)


def _decode_png_shape(contents, *, channels=0, dtype=dtypes.uint8):
    _scalar_contents("DecodePng", contents)
    dtype = dtypes.as_dtype(dtype)
    if dtype not in (dtypes.uint8, dtypes.uint16):
        raise TypeError(f"DecodePng requires dtype uint8 or uint16, got {dtype.name}")
    return [(dtype, TensorShape([None, None, _channel_dim(channels)]))]


def _decode_png_kernel(contents, *, channels=0, dtype=dtypes.uint8):
    return _decode_any(_contents(contents), "DecodePng", channels, dtypes.as_dtype(dtype))


def _decode_gif_shape(contents):
    _scalar_contents("DecodeGif", contents)
    return [(dtypes.uint8, TensorShape([None, None, None, 3]))]


def _decode_gif_kernel(contents):
    data = _contents(contents)
    kind = image_format(data)
    if kind == "gif":
        return _decode_gif(data)
    if kind in ("jpeg", "png"):
        return _decode_any(data, "DecodeGif", 0)[None]
    if kind == "bmp":
        raise _invalid("Trying to decode BMP format using a wrong op. Use `decode_bmp` or "
                       "`decode_image` instead. Op used: DecodeGif")
    raise _unknown_format(data)


def _decode_bmp_shape(contents, *, channels=0):
    _scalar_contents("DecodeBmp", contents)
    return [(dtypes.uint8, TensorShape([None, None, _channel_dim(channels)]))]


def _decode_bmp_kernel(contents, *, channels=0):
    data = _contents(contents)
    kind = image_format(data)
    if kind not in ("bmp", None):
        raise _invalid(f"Trying to decode {kind.upper()} format using DecodeBmp op. Use "
                       f"`decode_{kind}` or `decode_image` instead.")
    if kind is None:
        raise _invalid("Invalid BMP data: it does not start with 'BM'")
    return _decode_bmp(data, channels)


def _extract_shape_shape(contents, *, output_type=dtypes.int32):
    _scalar_contents("ExtractJpegShape", contents)
    return [(dtypes.as_dtype(output_type), TensorShape([3]))]


def _extract_shape_kernel(contents, *, output_type=dtypes.int32):
    data = _contents(contents)
    shape = jpeg_shape(data) if image_format(data) == "jpeg" else None
    if shape is None:
        raise _invalid(f"Invalid JPEG data, size {len(data)}")
    return np.array(shape, dtypes.as_dtype(output_type).as_numpy_dtype)


# --- the encode kernels --------------------------------------------------------------------
def _image_rank3(op_type, image, allowed):
    if image.dtype not in allowed:
        raise TypeError(f"{op_type} does not support images of type {image.dtype.name}")
    if image.shape.ndims not in (None, 3):
        raise ValueError(f"{op_type} requires a 3-D image, got shape {image.shape}")


_JPEG_ATTRS = ("format", "quality", "progressive", "optimize_size", "chroma_downsampling",
               "density_unit", "x_density", "y_density", "xmp_metadata")


def _encode_jpeg_shape(image, **attrs):
    _image_rank3("EncodeJpeg", image, (dtypes.uint8,))
    return [(dtypes.string, TensorShape([]))]


def _encode_jpeg_kernel(image, **attrs):
    """Encodes with EncodeJpeg's attrs (others a GraphDef carries, such as T, are not its)."""
    jpeg_attrs = {k: v for k, v in attrs.items() if k in _JPEG_ATTRS}
    return np.array(encode_jpeg_bytes(image, **jpeg_attrs), dtype=object)


def _variable_quality_shape(images, quality):
    _image_rank3("EncodeJpegVariableQuality", images, (dtypes.uint8,))
    if quality.shape.ndims not in (None, 0):
        raise ValueError(f"EncodeJpegVariableQuality requires a scalar quality, got shape "
                         f"{quality.shape}")
    return [(dtypes.string, TensorShape([]))]


def _variable_quality_kernel(images, quality):
    return np.array(encode_jpeg_bytes(images, quality=int(quality)), dtype=object)


def _encode_png_shape(image, *, compression=-1):
    _image_rank3("EncodePng", image, (dtypes.uint8, dtypes.uint16))
    return [(dtypes.string, TensorShape([]))]


def _encode_png_kernel(image, *, compression=-1):
    if image.ndim != 3:
        raise _invalid(f"image must be 3-dimensional{list(image.shape)}")
    if image.shape[2] not in (1, 2, 3, 4):
        raise _invalid(f"image must have 1, 2, 3, or 4 channels, got {image.shape[2]}")
    if not -1 <= compression <= 9:
        raise _invalid(f"compression should be in [-1,9], got {compression}")
    return np.array(encode_png_bytes(image, compression), dtype=object)


register_op("DecodeJpeg", shape=_decode_jpeg_shape, kernel=_decode_jpeg_kernel,
            grad=NOT_DIFFERENTIABLE)
register_op("DecodeAndCropJpeg", shape=_crop_shape, kernel=_crop_kernel, grad=NOT_DIFFERENTIABLE)
register_op("DecodePng", shape=_decode_png_shape, kernel=_decode_png_kernel,
            grad=NOT_DIFFERENTIABLE)
register_op("DecodeGif", shape=_decode_gif_shape, kernel=_decode_gif_kernel,
            grad=NOT_DIFFERENTIABLE)
register_op("DecodeBmp", shape=_decode_bmp_shape, kernel=_decode_bmp_kernel,
            grad=NOT_DIFFERENTIABLE)
register_op("ExtractJpegShape", shape=_extract_shape_shape, kernel=_extract_shape_kernel,
            grad=NOT_DIFFERENTIABLE)
register_op("EncodeJpeg", shape=_encode_jpeg_shape, kernel=_encode_jpeg_kernel,
            grad=NOT_DIFFERENTIABLE)
register_op("EncodeJpegVariableQuality", shape=_variable_quality_shape,
            kernel=_variable_quality_kernel, grad=NOT_DIFFERENTIABLE)
register_op("EncodePng", shape=_encode_png_shape, kernel=_encode_png_kernel,
            grad=NOT_DIFFERENTIABLE)
