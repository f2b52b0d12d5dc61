"""Pieces the MobileNet and EfficientNet families share: the image input, the model's source
inputs, channel rounding, and the constant-arithmetic layers TF's graph-mode Keras inserts for
`x + 3.0` / `x * (1 / 6)` on Keras tensors (named tf_op_layer_add, tf_op_layer_mul, ...)."""
from tensorweave.keras import backend
from tensorweave.keras import layers
from tensorweave.keras.engine import session
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import Layer
from tensorweave.keras.utils import layer_utils


def channel_axis():
    """-1 for channels_last images, 1 for channels_first."""
    return 1 if backend.image_data_format() == "channels_first" else -1


def image_input(input_tensor, input_shape):
    """A new Input of `input_shape`; or `input_tensor` (wrapped in an Input when it is not the
    output of a Keras layer)."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not backend.is_keras_tensor(input_tensor):
        return layers.Input(tensor=input_tensor, shape=input_shape)
    return input_tensor


def model_inputs(input_tensor, image):
    """The Model's inputs: the Input layers behind `input_tensor`, else `image`."""
    if input_tensor is not None:
        return layer_utils.get_source_inputs(input_tensor)
    return image


def make_divisible(value, divisor=8, min_value=None):
    """`value` rounded to the nearest multiple of `divisor` (at least `min_value`), never more
    than 10% below `value`."""
    if min_value is None:
        min_value = divisor
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


class ScalarArithmetic(Layer):
    """inputs + value ("add") or inputs * value ("mul"): the op layer TF's graph-mode Keras
    makes when a model applies Python arithmetic to a Keras tensor."""

    def __init__(self, operation, value, **kwargs):
        if operation not in ("add", "mul"):
            raise ValueError(f"operation must be 'add' or 'mul', got {operation!r}")
        if not kwargs.get("name"):
            kwargs["name"] = session.unique_object_name(f"tf_op_layer_{operation}")
        super().__init__(**kwargs)
        self.operation = operation
        self.value = value

    def call(self, inputs):
        value = T.cast(self.value, inputs.dtype.base_dtype)
        if self.operation == "add":
            return T.add(inputs, value)
        return T.multiply(inputs, value)

    def get_config(self):
        return {**super().get_config(), "operation": self.operation, "value": self.value}
