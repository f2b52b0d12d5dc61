"""Pieces the MobileNet and EfficientNet families share: the channel axis and channel
rounding."""
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


# The class name MobileNetV3 files saved before TensorArithmetic served both forms carry.
ScalarArithmetic = tensor_arithmetic.TensorArithmetic
