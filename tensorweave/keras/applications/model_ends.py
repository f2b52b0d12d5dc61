"""The two ends the application models share: the image input (a new Input, or the tensor the
user gave) and the classifier or pooling at the top; and the Model over them.

    img_input = model_ends.image_input(input_tensor, input_shape)
    ...
    x = model_ends.top(x, include_top, pooling, classes, classifier_activation, weights)
    model = model_ends.make_model(input_tensor, img_input, x, "xception")
"""
from tensorweave.keras import backend
from tensorweave.keras import layers
from tensorweave.keras import models  # noqa: F401 - installs the HDF5 saving load_weights uses
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications.inputs import image_input, model_inputs  # noqa: F401
from tensorweave.keras.engine import training


def channel_axis(last=3):
    """1 for channels_first, else `last` (3 or -1, as each Keras model writes it)."""
    return 1 if backend.image_data_format() == "channels_first" else last


def top(x, include_top, pooling, classes, classifier_activation, weights,
        avg_name="avg_pool", pool_names=(None, None), dropout_rate=0.0, **dense_kwargs):
    """The classifier (global average pooling named `avg_name`, Dropout "top_dropout" when
    `dropout_rate` > 0, then Dense "predictions" with `dense_kwargs`), or the feature pooling
    `pooling` ("avg", "max" or None) with the layer names `pool_names`."""
    if include_top:
        x = layers.GlobalAveragePooling2D(name=avg_name)(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        return layers.Dense(classes, activation=classifier_activation, name="predictions",
                            **dense_kwargs)(x)
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=pool_names[0])(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=pool_names[1])(x)
    return x


def make_model(input_tensor, img_input, outputs, name):
    """The functional Model from the model's sources (those of `input_tensor` if given)."""
    return training.Model(model_inputs(input_tensor, img_input), outputs, name=name)
