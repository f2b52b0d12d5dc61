"""tf.image's color functions as TensorFlow 1.15 defines them: dtype conversion, color spaces,
brightness/contrast/gamma/hue/saturation adjustments and their seeded random forms, and
per-image standardization.

    >>> img = tf.image.convert_image_dtype(uint8_image, tf.float32)   # [0, 255] -> [0, 1)
    >>> tf.image.random_brightness(img, 0.2, seed=1)
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import control_dependencies, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.ops import array, check_ops, image_color_ops, math_ops, random_ops, special_math
from tensorweave.ops.linalg import composites

_FLOAT_WORKING = (dtypes.float16, dtypes.float32)

__all__ = ["adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue",
           "adjust_saturation", "convert_image_dtype", "grayscale_to_rgb", "hsv_to_rgb",
           "rgb_to_grayscale", "rgb_to_hsv", "rgb_to_yiq", "rgb_to_yuv", "yiq_to_rgb",
           "yuv_to_rgb", "per_image_standardization", "random_brightness", "random_contrast",
           "random_hue", "random_saturation"]


# --- dtype conversion --------------------------------------------------------------------------
def convert_image_dtype(image, dtype, saturate=False, name=None):
    """`image` converted to `dtype`, scaling values: integer images span [0, dtype.max], float
    images [0, 1). Float to integer multiplies by max + 0.5 and truncates; integer to integer
    scales by a power of two; `saturate` clips before a cast that could overflow."""
    image = convert_to_tensor(image, name="image")
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating and not dtype.is_integer:
        raise AttributeError("dtype must be either floating point or integer")
    if dtype == image.dtype:
        return array.identity(image, name=name)
    with name_scope(name, "convert_image", [image]) as name:
        if image.dtype.is_integer and dtype.is_integer:
            scale_in, scale_out = image.dtype.max, dtype.max
            if scale_in > scale_out:
                scale = (scale_in + 1) // (scale_out + 1)
                scaled = math_ops.floordiv(image, scale)
                if saturate:
                    return math_ops.saturate_cast(scaled, dtype, name=name)
                return array.cast(scaled, dtype, name=name)
            cast = math_ops.saturate_cast(image, dtype) if saturate else array.cast(image, dtype)
            scale = (scale_out + 1) // (scale_in + 1)
            return math_ops.multiply(cast, scale, name=name)
        if image.dtype.is_floating and dtype.is_floating:
            return array.cast(image, dtype, name=name)
        if image.dtype.is_integer:
            cast = array.cast(image, dtype)
            return math_ops.multiply(cast, 1.0 / image.dtype.max, name=name)
        scaled = math_ops.multiply(image, dtype.max + 0.5)
        if saturate:
            return math_ops.saturate_cast(scaled, dtype, name=name)
        return array.cast(scaled, dtype, name=name)


def _working_float(image):
    """float16/float32 images as they are, others converted to float32 (TF's adjust_*)."""
    if image.dtype in _FLOAT_WORKING:
        return image
    return convert_image_dtype(image, dtypes.float32)


# --- color spaces ------------------------------------------------------------------------------
rgb_to_hsv = image_color_ops.rgb_to_hsv
hsv_to_rgb = image_color_ops.hsv_to_rgb

_GRAY_WEIGHTS = [0.2989, 0.5870, 0.1140]
_RGB_TO_YIQ = [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617],
               [0.114, -0.32134392, 0.31119955]]
_YIQ_TO_RGB = [[1, 1, 1], [0.95598634, -0.27201283, -1.10674021],
               [0.6208248, -0.64720424, 1.70423049]]
_RGB_TO_YUV = [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512],
               [0.114, 0.43601035, -0.10001026]]
_YUV_TO_RGB = [[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]]


def rgb_to_grayscale(images, name=None):
    """Luma 0.2989 R + 0.5870 G + 0.1140 B, with a last dimension of 1, in images' dtype."""
    with name_scope(name, "rgb_to_grayscale", [images]) as name:
        images = convert_to_tensor(images, name="images")
        orig_dtype = images.dtype
        flt_image = convert_image_dtype(images, dtypes.float32)
        gray = composites.tensordot(flt_image, _GRAY_WEIGHTS, [-1, -1])
        gray = array.expand_dims(gray, -1)
        return convert_image_dtype(gray, orig_dtype, name=name)


def grayscale_to_rgb(images, name=None):
    """Repeats the single channel of grayscale images three times."""
    with name_scope(name, "grayscale_to_rgb", [images]) as name:
        images = convert_to_tensor(images, name="images")
        shape = images.shape
        if shape.ndims is not None:
            if shape.ndims < 2:
                raise ValueError(f"A grayscale image (shape {shape}) must be at least "
                                 f"two-dimensional.")
            if shape.as_list()[-1] not in (None, 1):
                raise ValueError("Last dimension of a grayscale image should be size 1.")
        rank_1 = array.expand_dims(array.rank(images) - 1, 0)
        multiples = array.concat([array.ones(rank_1, dtype=dtypes.int32),
                                  array.expand_dims(3, 0)], 0)
        rgb = array.tile(images, multiples, name=name)
        rgb.set_shape(images.shape[:-1].concatenate([3]))
        return rgb


def _color_matrix(images, matrix):
    images = convert_to_tensor(images, name="images")
    kernel = convert_to_tensor(matrix, dtype=images.dtype, name="kernel")
    ndims = images.shape.ndims
    if ndims is None:
        raise ValueError("Color conversion needs images of known rank.")
    return composites.tensordot(images, kernel, axes=[[ndims - 1], [0]])


def rgb_to_yiq(images):
    """RGB to YIQ (values well defined for RGB in [0, 1])."""
    return _color_matrix(images, _RGB_TO_YIQ)


def yiq_to_rgb(images):
    """YIQ to RGB."""
    return _color_matrix(images, _YIQ_TO_RGB)


def rgb_to_yuv(images):
    """RGB to YUV (values well defined for RGB in [0, 1])."""
    return _color_matrix(images, _RGB_TO_YUV)


def yuv_to_rgb(images):
    """YUV to RGB."""
    return _color_matrix(images, _YUV_TO_RGB)


# --- adjustments -------------------------------------------------------------------------------
def adjust_brightness(image, delta):
    """`delta` added to every component of `image` (in float; back in image's dtype,
    saturating)."""
    with name_scope(None, "adjust_brightness", [image, delta]) as name:
        image = convert_to_tensor(image, name="image")
        orig_dtype = image.dtype
        flt_image = _working_float(image)
        adjusted = math_ops.add(flt_image, array.cast(delta, flt_image.dtype), name=name)
        return convert_image_dtype(adjusted, orig_dtype, saturate=True)


def adjust_contrast(images, contrast_factor):
    """(x - mean) * contrast_factor + mean, the mean per image and channel (AdjustContrastv2)."""
    with name_scope(None, "adjust_contrast", [images, contrast_factor]) as name:
        images = convert_to_tensor(images, name="images")
        orig_dtype = images.dtype
        flt_images = _working_float(images)
        adjusted = image_color_ops.adjust_contrastv2(flt_images, contrast_factor, name=name)
        return convert_image_dtype(adjusted, orig_dtype, saturate=True)


def _static_check(condition, error, message):
    """TF's image_ops _assert: a Python condition raises now, a tensor one becomes Assert ops."""
    if isinstance(condition, Tensor):
        return [check_ops.Assert(condition, [message])]
    if not condition:
        raise error(message)
    return []


def adjust_gamma(image, gamma=1, gain=1):
    """gain * image ** gamma in float, converted back to image's dtype (saturating)."""
    with name_scope(None, "adjust_gamma", [image, gamma, gain]):
        image = convert_to_tensor(image, name="image")
        orig_dtype = image.dtype
        flt_image = _working_float(image)
        checks = _static_check(gamma >= 0, ValueError,
                               "Gamma should be a non-negative real number.")
        if checks:
            with control_dependencies(checks):
                gamma = array.identity(gamma)
        adjusted = gain * flt_image ** gamma
        return convert_image_dtype(adjusted, orig_dtype, saturate=True)


def adjust_hue(image, delta, name=None):
    """Rotates the hue of RGB images by `delta` (in [-1, 1], a fraction of a turn)."""
    with name_scope(name, "adjust_hue", [image]):
        image = convert_to_tensor(image, name="image")
        orig_dtype = image.dtype
        rgb_altered = image_color_ops.adjust_hue_op(_working_float(image), delta)
        return convert_image_dtype(rgb_altered, orig_dtype)


def adjust_saturation(image, saturation_factor, name=None):
    """Multiplies the saturation of RGB images by `saturation_factor` (clipped to [0, 1])."""
    with name_scope(name, "adjust_saturation", [image]):
        image = convert_to_tensor(image, name="image")
        orig_dtype = image.dtype
        adjusted = image_color_ops.adjust_saturation_op(_working_float(image),
                                                        saturation_factor)
        return convert_image_dtype(adjusted, orig_dtype)


def per_image_standardization(image):
    """(x - mean) / max(stddev, 1 / sqrt(N)) over the last three dimensions of each image.

    As in TF 1.15 the result has image's dtype: other than float16/float32 images are
    converted to float32 with convert_image_dtype and the result converted back (saturating).
    """
    with name_scope(None, "per_image_standardization", [image]) as scope:
        image = convert_to_tensor(image, name="image")
        ndims = image.shape.ndims
        if ndims is not None and ndims < 3:
            raise ValueError(f"'image' (shape {image.shape}) must be at least "
                             f"three-dimensional.")
        orig_dtype = image.dtype
        image = _working_float(image)
        num_pixels = math_ops.reduce_prod(array.shape(image)[-3:])
        image_mean = math_ops.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
        stddev = special_math.reduce_std(image, axis=[-1, -2, -3], keepdims=True)
        min_stddev = math_ops.rsqrt(array.cast(num_pixels, image.dtype))
        adjusted_stddev = math_ops.maximum(stddev, min_stddev)
        image = image - image_mean
        image = math_ops.div(image, adjusted_stddev, name=scope)
        return convert_image_dtype(image, orig_dtype, saturate=True)


# --- random adjustments ------------------------------------------------------------------------
def random_brightness(image, max_delta, seed=None):
    """adjust_brightness by a delta drawn uniformly from [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_ops.random_uniform([], -max_delta, max_delta, seed=seed)
    return adjust_brightness(image, delta)


def random_contrast(image, lower, upper, seed=None):
    """adjust_contrast by a factor drawn uniformly from [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    contrast_factor = random_ops.random_uniform([], lower, upper, seed=seed)
    return adjust_contrast(image, contrast_factor)


def random_hue(image, max_delta, seed=None):
    """adjust_hue by a delta drawn uniformly from [-max_delta, max_delta), max_delta <= 0.5."""
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_ops.random_uniform([], -max_delta, max_delta, seed=seed)
    return adjust_hue(image, delta)


def random_saturation(image, lower, upper, seed=None):
    """adjust_saturation by a factor drawn uniformly from [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    saturation_factor = random_ops.random_uniform([], lower, upper, seed=seed)
    return adjust_saturation(image, saturation_factor)
