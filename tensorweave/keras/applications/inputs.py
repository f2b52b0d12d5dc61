"""The input end of an application model: an Input of the checked shape, or the user's
`input_tensor`; and the model's inputs (the sources `input_tensor` was computed from).

    image = inputs.image_input(input_tensor, input_shape)
    ...
    model = training.Model(inputs.model_inputs(input_tensor, image), x, name="vgg16")
"""
from tensorweave.keras import backend
from tensorweave.keras.engine import input_layer
from tensorweave.keras.utils import layer_utils


def image_input(input_tensor, input_shape):
    """`input_tensor` when it is a Keras tensor, else a new Input (wrapping `input_tensor` when
    given) of `input_shape`."""
    if input_tensor is None:
        return input_layer.Input(shape=input_shape)
    if not backend.is_keras_tensor(input_tensor):
        return input_layer.Input(tensor=input_tensor, shape=input_shape)
    return input_tensor


def model_inputs(input_tensor, image):
    """The Model's inputs: the Input layers behind `input_tensor`, else `image`."""
    if input_tensor is not None:
        return layer_utils.get_source_inputs(input_tensor)
    return image


def source_input(input_tensor, input_shape):
    """The model's one input, where ConvNeXt and RegNet start their layers (as in Keras): a new
    Input of `input_shape`, or the first source Input behind `input_tensor`."""
    image = image_input(input_tensor, input_shape)
    return image if input_tensor is None else layer_utils.get_source_inputs(input_tensor)[0]
