"""Pieces the MobileNet and EfficientNet families share: the channel axis, channel rounding
and the input size whose ImageNet weights load."""
import logging

from tensorweave.keras import backend
from tensorweave.keras.applications import tensor_arithmetic


def channel_axis():
    """-1 for channels_last images, 1 for channels_first."""
    return 1 if backend.image_data_format() == "channels_first" else -1


def make_divisible(value, divisor=8, min_value=None):
    """`value` rounded to the nearest multiple of `divisor` (at least `min_value`), never more
    than 10% below `value`."""
    if min_value is None:
        min_value = divisor
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


def imagenet_rows(rows, cols, sizes):
    """`rows` when the input is a square of one of the `sizes` ImageNet weights exist for, else
    224 (with Keras's warning)."""
    if rows == cols and rows in sizes:
        return rows
    logging.getLogger("tensorweave").warning(
        "`input_shape` is undefined or non-square, or `rows` is not in "
        f"{list(sizes)}. Weights for input shape (224, 224) will be loaded as the default.")
    return 224


# The class name MobileNetV3 files saved before TensorArithmetic served both forms carry.
ScalarArithmetic = tensor_arithmetic.TensorArithmetic
