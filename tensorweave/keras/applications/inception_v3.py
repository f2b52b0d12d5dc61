"""tf.keras.applications.inception_v3: Inception V3 (Szegedy et al., "Rethinking the Inception
Architecture for Computer Vision", 2016), with TF 2.15's layer and weight names.

    model = InceptionV3(weights=None, include_top=False, input_shape=(75, 75, 3))
"""
from tensorweave.keras import backend
from tensorweave.keras import layers
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import model_ends
from tensorweave.keras.applications import weights as weights_module

__all__ = ["InceptionV3", "preprocess_input", "decode_predictions"]

WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5")
WEIGHTS_PATH_NO_TOP = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                       "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")
# include_top -> (the weights file's URL, its hash)
_FILES = {True: (WEIGHTS_PATH, "9a0d58056eeedaa3f26cb7ebd46da564"),
          False: (WEIGHTS_PATH_NO_TOP, "bcbd6486424b2319ff4ef7d526e38f63")}


def conv2d_bn(x, filters, num_row, num_col, padding="same", strides=(1, 1), name=None):
    """Conv2D (no bias) -> BatchNormalization (no scale) -> ReLU; with `name`, the layers are
    `name_conv`, `name_bn` and `name`."""
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides, padding=padding,
                      use_bias=False, name=None if name is None else name + "_conv")(x)
    x = layers.BatchNormalization(axis=model_ends.channel_axis(), scale=False,
                                  name=None if name is None else name + "_bn")(x)
    return layers.Activation("relu", name=name)(x)


def _chain(x, specs):
    """conv2d_bn applied in turn for each (filters, rows, cols[, strides, padding])."""
    for spec in specs:
        filters, rows, cols = spec[:3]
        strides, padding = (spec[3], spec[4]) if len(spec) > 3 else ((1, 1), "same")
        x = conv2d_bn(x, filters, rows, cols, padding=padding, strides=strides)
    return x


def _avg_branch(x, filters):
    pooled = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(pooled, filters, 1, 1)


def _block_35(x, pool_filters, name):
    """The 35x35 module: 1x1, 1x1->5x5, 1x1->3x3->3x3 and pooled branches."""
    b1 = conv2d_bn(x, 64, 1, 1)
    b5 = _chain(x, [(48, 1, 1), (64, 5, 5)])
    b3 = _chain(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3)])
    bp = _avg_branch(x, pool_filters)
    return layers.concatenate([b1, b5, b3, bp], axis=model_ends.channel_axis(), name=name)


def _block_17(x, width, name):
    """The 17x17 module with factorized 7x7 convolutions of `width` inner filters."""
    b1 = conv2d_bn(x, 192, 1, 1)
    b7 = _chain(x, [(width, 1, 1), (width, 1, 7), (192, 7, 1)])
    b7d = _chain(x, [(width, 1, 1), (width, 7, 1), (width, 1, 7), (width, 7, 1), (192, 1, 7)])
    bp = _avg_branch(x, 192)
    return layers.concatenate([b1, b7, b7d, bp], axis=model_ends.channel_axis(), name=name)


def _block_8(x, index):
    """The 8x8 module with expanded (1x3 and 3x1 side by side) filter banks."""
    axis = model_ends.channel_axis()
    b1 = conv2d_bn(x, 320, 1, 1)
    b3 = conv2d_bn(x, 384, 1, 1)
    b3 = layers.concatenate([conv2d_bn(b3, 384, 1, 3), conv2d_bn(b3, 384, 3, 1)], axis=axis,
                            name=f"mixed9_{index}")
    b3d = _chain(x, [(448, 1, 1), (384, 3, 3)])
    b3d = layers.concatenate([conv2d_bn(b3d, 384, 1, 3), conv2d_bn(b3d, 384, 3, 1)],
                             axis=axis)
    bp = _avg_branch(x, 192)
    return layers.concatenate([b1, b3, b3d, bp], axis=axis, name=f"mixed{9 + index}")


def InceptionV3(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):
    """Inception V3 as a functional Model named "inception_v3" (default input 299x299x3,
    at least 75x75); `weights`: None, "imagenet" or a weights file path."""
    weights_module.check_weights(
        weights, message=weights_module.WEIGHTS_MESSAGE[:-1] + f"; Received: weights={weights}")
    weights_module.check_classes(
        weights, include_top, classes,
        message='If using `weights` as `"imagenet"` with `include_top` as true, `classes` '
                f"should be 1000; Received classes={classes}")
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=299, min_size=75,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    img_input = model_ends.image_input(input_tensor, input_shape)
    axis = model_ends.channel_axis()

    x = _chain(img_input, [(32, 3, 3, (2, 2), "valid"), (32, 3, 3, (1, 1), "valid"),
                           (64, 3, 3)])
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _chain(x, [(80, 1, 1, (1, 1), "valid"), (192, 3, 3, (1, 1), "valid")])
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)

    x = _block_35(x, 32, "mixed0")
    x = _block_35(x, 64, "mixed1")
    x = _block_35(x, 64, "mixed2")

    # mixed3: reduction to 17x17
    b3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    b3d = _chain(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3, (2, 2), "valid")])
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, b3d, bp], axis=axis, name="mixed3")

    x = _block_17(x, 128, "mixed4")
    x = _block_17(x, 160, "mixed5")
    x = _block_17(x, 160, "mixed6")
    x = _block_17(x, 192, "mixed7")

    # mixed8: reduction to 8x8
    b3 = _chain(x, [(192, 1, 1), (320, 3, 3, (2, 2), "valid")])
    b7 = _chain(x, [(192, 1, 1), (192, 1, 7), (192, 7, 1), (192, 3, 3, (2, 2), "valid")])
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, b7, bp], axis=axis, name="mixed8")

    x = _block_8(x, 0)
    x = _block_8(x, 1)

    x = model_ends.top(x, include_top, pooling, classes, classifier_activation, weights)
    model = model_ends.make_model(input_tensor, img_input, x, "inception_v3")
    return weights_module.load_from_url(model, weights, *_FILES[bool(include_top)])


def preprocess_input(x, data_format=None):
    """Scales images with values in [0, 255] to [-1, 1] (Keras's "tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The `top` (class id, name, score) triples of each row of ImageNet predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
