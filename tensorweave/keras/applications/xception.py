"""tf.keras.applications.xception: Xception (Chollet, "Xception: Deep Learning with Depthwise
Separable Convolutions", 2017), with TF 2.15's layer and weight names.

    model = Xception(weights=None, include_top=False, input_shape=(71, 71, 3))
"""
from tensorweave.keras import backend
from tensorweave.keras import layers
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import model_ends
from tensorweave.keras.applications import weights as weights_module

__all__ = ["Xception", "preprocess_input", "decode_predictions"]

TF_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                   "xception/xception_weights_tf_dim_ordering_tf_kernels.h5")
TF_WEIGHTS_PATH_NO_TOP = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                          "xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5")
# include_top -> (the weights file's URL, its hash)
_FILES = {True: (TF_WEIGHTS_PATH, "0a58e3b7378bc2990ea3b43d5981f1f6"),
          False: (TF_WEIGHTS_PATH_NO_TOP, "b0042744bf5b25fce3cb969f33bebb97")}


def _sepconv_bn(x, filters, name):
    """SeparableConv2D 3x3 'same' without bias named `name`, then BatchNormalization
    `name_bn`."""
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=model_ends.channel_axis(-1), name=name + "_bn")(x)


def _shortcut(x, filters):
    """The strided 1x1 projection of a downsampling block (unnamed layers, as in Keras)."""
    r = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    return layers.BatchNormalization(axis=model_ends.channel_axis(-1))(r)


def _downsampling_block(x, block, filters, relu_first=True):
    """Two separable convolutions (the second with `filters[1]`), 3x3/2 max pooling, plus the
    projected shortcut."""
    residual = _shortcut(x, filters[1])
    prefix = f"block{block}"
    if relu_first:
        x = layers.Activation("relu", name=prefix + "_sepconv1_act")(x)
    x = _sepconv_bn(x, filters[0], prefix + "_sepconv1")
    x = layers.Activation("relu", name=prefix + "_sepconv2_act")(x)
    x = _sepconv_bn(x, filters[1], prefix + "_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=prefix + "_pool")(x)
    return layers.add([x, residual])


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax"):
    """Xception as a functional Model named "xception" (default input 299x299x3, at least
    71x71); `weights`: None, "imagenet" or a weights file path."""
    weights_module.check_weights(weights)
    weights_module.check_classes(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=299, min_size=71,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    img_input = model_ends.image_input(input_tensor, input_shape)
    axis = model_ends.channel_axis(-1)

    # entry flow
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(
        img_input)
    x = layers.BatchNormalization(axis=axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    x = _downsampling_block(x, 2, (128, 128), relu_first=False)
    x = _downsampling_block(x, 3, (256, 256))
    x = _downsampling_block(x, 4, (728, 728))

    # middle flow: eight residual blocks of three separable convolutions
    for block in range(5, 13):
        residual = x
        for conv in range(1, 4):
            name = f"block{block}_sepconv{conv}"
            x = layers.Activation("relu", name=name + "_act")(x)
            x = _sepconv_bn(x, 728, name)
        x = layers.add([x, residual])

    # exit flow
    x = _downsampling_block(x, 13, (728, 1024))
    for conv, filters in ((1, 1536), (2, 2048)):
        name = f"block14_sepconv{conv}"
        x = _sepconv_bn(x, filters, name)
        x = layers.Activation("relu", name=name + "_act")(x)

    x = model_ends.top(x, include_top, pooling, classes, classifier_activation, weights)
    model = model_ends.make_model(input_tensor, img_input, x, "xception")
    return weights_module.load_from_url(model, weights, *_FILES[bool(include_top)])


def preprocess_input(x, data_format=None):
    """Scales images with values in [0, 255] to [-1, 1] (Keras's "tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The `top` (class id, name, score) triples of each row of ImageNet predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
