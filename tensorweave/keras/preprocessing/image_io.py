"""Images as arrays and files through Pillow (imported on first use): load_img, img_to_array,
array_to_img, save_img."""
import warnings

import numpy as np

from tensorweave.keras import backend as K

INTERPOLATION_NAMES = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def pil_image():
    """PIL.Image, or ImportError saying what needs it."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Could not import PIL.Image. The use of `load_img`, `array_to_img` "
                          "and `save_img` requires Pillow (pip install Pillow).") from None
    return Image


def interpolation_method(name):
    image = pil_image()
    if name not in INTERPOLATION_NAMES:
        raise ValueError(f"Invalid interpolation method {name} specified. Supported methods "
                         f"are {', '.join(INTERPOLATION_NAMES)}")
    return getattr(image.Resampling, name.upper())


def load_img(path, grayscale=False, color_mode="rgb", target_size=None,
             interpolation="nearest"):
    """A PIL image of the file at `path` in `color_mode` ('grayscale', 'rgb', 'rgba'), resized
    to `target_size` (height, width) with `interpolation` when given."""
    if grayscale:
        warnings.warn("grayscale is deprecated. Please use color_mode = \"grayscale\"")
        color_mode = "grayscale"
    image = pil_image()
    modes = {"grayscale": "L", "rgba": "RGBA", "rgb": "RGB"}
    if color_mode not in modes:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    with open(path, "rb") as f:
        img = image.open(f)
        img.load()
    if img.mode != modes[color_mode]:
        img = img.convert(modes[color_mode])
    if target_size is not None:
        width_height = (target_size[1], target_size[0])
        if img.size != width_height:
            img = img.resize(width_height, interpolation_method(interpolation))
    return img


def img_to_array(img, data_format=None, dtype=None):
    """The image as a float array (H, W, C) (or (C, H, W) for channels_first)."""
    data_format = data_format or K.image_data_format()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(f"Unknown data_format: {data_format}")
    x = np.asarray(img, dtype=dtype or K.floatx())
    if x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        x = x.reshape((1,) + x.shape if data_format == "channels_first" else x.shape + (1,))
    else:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A PIL image of the rank-3 array `x` (1, 3 or 4 channels); with `scale` its values are
    shifted to be non-negative and stretched to [0, 255]."""
    image = pil_image()
    data_format = data_format or K.image_data_format()
    x = np.asarray(x, dtype=dtype or K.floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with "
                         f"shape: {x.shape}")
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(f"Invalid data_format: {data_format}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x + max(-np.min(x), 0)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    if x.shape[2] in (3, 4):
        return image.fromarray(x.astype("uint8"))
    if x.shape[2] == 1:
        if np.max(x) > 255:  # 32-bit signed integer grayscale image ('I')
            return image.fromarray(x[:, :, 0].astype("int32"))
        return image.fromarray(x[:, :, 0].astype("uint8"))
    raise ValueError(f"Unsupported channel number: {x.shape[2]}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Writes the array `x` as an image file (format from `file_format` or the name)."""
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format in ("jpg", "jpeg"):
        warnings.warn("The JPG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)
