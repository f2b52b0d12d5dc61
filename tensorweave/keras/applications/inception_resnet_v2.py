"""tf.keras.applications.inception_resnet_v2: Inception-ResNet v2 (Szegedy et al., "Inception-v4,
Inception-ResNet and the Impact of Residual Connections on Learning", 2017), with TF 2.15's
layer and weight names.

The scaled residual sum `x + scale * r` is the layer class CustomScaleLayer (as in TF 2.15), so
models holding it save to HDF5 as configuration and load without running code from the file.

    model = InceptionResNetV2(weights=None, include_top=False, input_shape=(75, 75, 3))
"""
from tensorweave.keras import backend
from tensorweave.keras import layers as keras_layers
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import model_ends
from tensorweave.keras.applications import weights as weights_module
from tensorweave.keras.engine.base_layer import Layer
from tensorweave.keras.utils import generic_utils

__all__ = ["InceptionResNetV2", "preprocess_input", "decode_predictions"]

BASE_WEIGHT_URL = ("https://storage.googleapis.com/tensorflow/"
                   "keras-applications/inception_resnet_v2/")
_FILES = {
    True: ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5",
           "e693bd0210a403b3192acc6073ad2e96"),
    False: ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "d19885ff4a710c122648d3b5c3b684e4"),
}

# The layer namespace the blocks are built from (Keras's backwards-compatible `layers=`
# argument of InceptionResNetV2 replaces it while that model is built).
layers = keras_layers


@generic_utils.register_keras_serializable(package="Custom")
class CustomScaleLayer(Layer):
    """`inputs[0] + inputs[1] * scale`: the shortcut plus the scaled residual branch."""

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def conv2d_bn(x, filters, kernel_size, strides=1, padding="same", activation="relu",
              use_bias=False, name=None):
    """Conv2D, then BatchNormalization (no scale) unless `use_bias`, then `activation`; with
    `name`, the layers are `name`, `name_bn` and `name_ac`."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                      use_bias=use_bias, name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(axis=model_ends.channel_axis(), scale=False,
                                      name=None if name is None else name + "_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else name + "_ac")(x)
    return x


def _chain(x, specs):
    for filters, kernel_size in specs:
        x = conv2d_bn(x, filters, kernel_size)
    return x


# The residual branches of the three block types: lists of conv2d_bn chains on the input.
_BLOCK_BRANCHES = {
    "block35": [[(32, 1)], [(32, 1), (32, 3)], [(32, 1), (48, 3), (64, 3)]],
    "block17": [[(192, 1)], [(128, 1), (160, [1, 7]), (192, [7, 1])]],
    "block8": [[(192, 1)], [(192, 1), (224, [1, 3]), (256, [3, 1])]],
}


def inception_resnet_block(x, scale, block_type, block_idx, activation="relu"):
    """One Inception-ResNet block (`block_type` "block35", "block17" or "block8", the
    TF-slim names of blocks A, B, C): `x + scale * r` with `r` the block's branches
    concatenated and projected back by a 1x1 convolution, then `activation`. Layers are named
    `<block_type>_<block_idx>_mixed/_conv/_ac`."""
    if block_type not in _BLOCK_BRANCHES:
        raise ValueError('Unknown Inception-ResNet block type. Expects "block35", "block17" '
                         f'or "block8", but got: {block_type}')
    branches = [_chain(x, specs) for specs in _BLOCK_BRANCHES[block_type]]
    block_name = f"{block_type}_{block_idx}"
    axis = model_ends.channel_axis()
    mixed = layers.Concatenate(axis=axis, name=block_name + "_mixed")(branches)
    up = conv2d_bn(mixed, backend.int_shape(x)[axis], 1, activation=None, use_bias=True,
                   name=block_name + "_conv")
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=block_name + "_ac")(x)
    return x


def InceptionResNetV2(include_top=True, weights="imagenet", input_tensor=None,
                      input_shape=None, pooling=None, classes=1000,
                      classifier_activation="softmax", **kwargs):
    """Inception-ResNet v2 as a functional Model named "inception_resnet_v2" (default input
    299x299x3, at least 75x75); `weights`: None, "imagenet" or a weights file path."""
    global layers
    namespace = kwargs.pop("layers", keras_layers)
    if kwargs:
        raise ValueError(f"Unknown argument(s): {kwargs}")
    weights_module.check_weights(weights)
    weights_module.check_classes(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=299, min_size=75,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    previous, layers = layers, namespace
    try:
        img_input = model_ends.image_input(input_tensor, input_shape)
        x = _body(img_input)
        x = model_ends.top(x, include_top, pooling, classes, classifier_activation, weights)
    finally:
        layers = previous
    model = model_ends.make_model(input_tensor, img_input, x, "inception_resnet_v2")
    file_name, file_hash = _FILES[bool(include_top)]
    return weights_module.load_weights(model, weights, file_name, BASE_WEIGHT_URL + file_name,
                                       file_hash)


def _body(x):
    axis = model_ends.channel_axis()
    # stem: 35 x 35 x 192
    x = conv2d_bn(x, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)

    # mixed_5b (Inception-A): 35 x 35 x 320
    branches = [conv2d_bn(x, 96, 1), _chain(x, [(48, 1), (64, 5)]),
                _chain(x, [(64, 1), (96, 3), (96, 3)])]
    pooled = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    branches.append(conv2d_bn(pooled, 64, 1))
    x = layers.Concatenate(axis=axis, name="mixed_5b")(branches)
    for index in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=index)

    # mixed_6a (Reduction-A): 17 x 17 x 1088
    branches = [conv2d_bn(x, 384, 3, strides=2, padding="valid"),
                conv2d_bn(_chain(x, [(256, 1), (256, 3)]), 384, 3, strides=2,
                          padding="valid"),
                layers.MaxPooling2D(3, strides=2, padding="valid")(x)]
    x = layers.Concatenate(axis=axis, name="mixed_6a")(branches)
    for index in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type="block17", block_idx=index)

    # mixed_7a (Reduction-B): 8 x 8 x 2080
    branches = [conv2d_bn(conv2d_bn(x, 256, 1), 384, 3, strides=2, padding="valid"),
                conv2d_bn(conv2d_bn(x, 256, 1), 288, 3, strides=2, padding="valid"),
                conv2d_bn(_chain(x, [(256, 1), (288, 3)]), 320, 3, strides=2,
                          padding="valid"),
                layers.MaxPooling2D(3, strides=2, padding="valid")(x)]
    x = layers.Concatenate(axis=axis, name="mixed_7a")(branches)
    for index in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type="block8", block_idx=index)
    x = inception_resnet_block(x, scale=1.0, activation=None, block_type="block8",
                               block_idx=10)
    # final 1x1 convolution: 8 x 8 x 1536
    return conv2d_bn(x, 1536, 1, name="conv_7b")


def preprocess_input(x, data_format=None):
    """Scales images with values in [0, 255] to [-1, 1] (Keras's "tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The `top` (class id, name, score) triples of each row of ImageNet predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
