"""tf.keras.applications.densenet: DenseNet121/169/201 (Huang et al., "Densely Connected
Convolutional Networks", 2017), with TF 2.15's layer and weight names.

    model = DenseNet121(weights=None, include_top=False, input_shape=(32, 32, 3))
"""
from tensorweave.keras import backend
from tensorweave.keras import layers
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import model_ends
from tensorweave.keras.applications import weights as weights_module

__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "preprocess_input",
           "decode_predictions"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
DENSENET121_WEIGHT_PATH = (BASE_WEIGHTS_PATH +
                           "densenet121_weights_tf_dim_ordering_tf_kernels.h5")
DENSENET121_WEIGHT_PATH_NO_TOP = (BASE_WEIGHTS_PATH +
                                  "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5")
DENSENET169_WEIGHT_PATH = (BASE_WEIGHTS_PATH +
                           "densenet169_weights_tf_dim_ordering_tf_kernels.h5")
DENSENET169_WEIGHT_PATH_NO_TOP = (BASE_WEIGHTS_PATH +
                                  "densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5")
DENSENET201_WEIGHT_PATH = (BASE_WEIGHTS_PATH +
                           "densenet201_weights_tf_dim_ordering_tf_kernels.h5")
DENSENET201_WEIGHT_PATH_NO_TOP = (BASE_WEIGHTS_PATH +
                                  "densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5")

# blocks per stage -> (model name, {include_top: published weights file hash})
_VARIANTS = {
    (6, 12, 24, 16): ("densenet121", {True: "9d60b8095a5708f2dcce2bca79d332c7",
                                      False: "30ee3e1110167f948a6b9946edeeb738"}),
    (6, 12, 32, 32): ("densenet169", {True: "d699b8f76981ab1b30698df4c175e90b",
                                      False: "b8c4d4c20dd625c148057b9ff1c1176b"}),
    (6, 12, 48, 32): ("densenet201", {True: "1ceb130c1ea1b78c3bf6114dbdfd8807",
                                      False: "c13680b51ded0fb44dff2d8f86ac8bb1"}),
}
_EPSILON = 1.001e-5


def _bn_relu(x, name):
    x = layers.BatchNormalization(axis=model_ends.channel_axis(), epsilon=_EPSILON,
                                  name=name + "_bn")(x)
    return layers.Activation("relu", name=name + "_relu")(x)


def dense_block(x, blocks, name):
    """`blocks` conv_blocks of growth rate 32, named `name_block1`, `name_block2`, ..."""
    for index in range(1, blocks + 1):
        x = conv_block(x, 32, name=f"{name}_block{index}")
    return x


def transition_block(x, reduction, name):
    """BN-ReLU, a 1x1 convolution to `reduction` times the channels, 2x2 average pooling."""
    axis = model_ends.channel_axis()
    x = _bn_relu(x, name)
    x = layers.Conv2D(int(backend.int_shape(x)[axis] * reduction), 1, use_bias=False,
                      name=name + "_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=name + "_pool")(x)


def conv_block(x, growth_rate, name):
    """BN-ReLU-1x1 conv (4 * growth_rate), BN-ReLU-3x3 conv (growth_rate), concatenated to the
    input."""
    y = _bn_relu(x, name + "_0")
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=name + "_1_conv")(y)
    y = _bn_relu(y, name + "_1")
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=name + "_2_conv")(y)
    return layers.Concatenate(axis=model_ends.channel_axis(), name=name + "_concat")([x, y])


def DenseNet(blocks, include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax"):
    """A DenseNet with `blocks` conv_blocks in each of its four dense blocks (default input
    224x224x3, at least 32x32); `weights`: None, "imagenet" (for the three published
    variants) or a weights file path."""
    weights_module.check_weights(weights)
    weights_module.check_classes(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    img_input = model_ends.image_input(input_tensor, input_shape)
    axis = model_ends.channel_axis()

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1/conv")(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPSILON, name="conv1/bn")(x)
    x = layers.Activation("relu", name="conv1/relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks, start=2):
        x = dense_block(x, count, name=f"conv{stage}")
        if stage < 5:
            x = transition_block(x, 0.5, name=f"pool{stage}")
    x = layers.BatchNormalization(axis=axis, epsilon=_EPSILON, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)

    x = model_ends.top(x, include_top, pooling, classes, classifier_activation, weights,
                       pool_names=("avg_pool", "max_pool"))
    name, hashes = _VARIANTS.get(tuple(blocks), ("densenet", None))
    model = model_ends.make_model(input_tensor, img_input, x, name)
    if weights == "imagenet" and hashes is None:
        raise ValueError("ImageNet weights are published only for DenseNet121, DenseNet169 "
                         "and DenseNet201.")
    if hashes is None:
        return weights_module.load_weights(model, weights)
    suffix = "" if include_top else "_notop"
    file_name = f"{name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    return weights_module.load_weights(model, weights, file_name, BASE_WEIGHTS_PATH + file_name,
                                       hashes[bool(include_top)])


def DenseNet121(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):
    """DenseNet-121 (dense blocks of 6, 12, 24 and 16 conv_blocks)."""
    return DenseNet([6, 12, 24, 16], include_top, weights, input_tensor, input_shape, pooling,
                    classes, classifier_activation)


def DenseNet169(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):
    """DenseNet-169 (dense blocks of 6, 12, 32 and 32 conv_blocks)."""
    return DenseNet([6, 12, 32, 32], include_top, weights, input_tensor, input_shape, pooling,
                    classes, classifier_activation)


def DenseNet201(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):
    """DenseNet-201 (dense blocks of 6, 12, 48 and 32 conv_blocks)."""
    return DenseNet([6, 12, 48, 32], include_top, weights, input_tensor, input_shape, pooling,
                    classes, classifier_activation)


def preprocess_input(x, data_format=None):
    """Scales images with values in [0, 255] to [0, 1], then normalizes each channel by
    ImageNet's mean and standard deviation (Keras's "torch" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


def decode_predictions(preds, top=5):
    """The `top` (class id, name, score) triples of each row of ImageNet predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
