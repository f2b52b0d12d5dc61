"""tf.keras.applications.mobilenet: MobileNet (Howard et al., 2017) with width multiplier
`alpha` and `depth_multiplier`, TF 2.15's layer and weight names.

    model = tf.keras.applications.MobileNet(weights=None, alpha=0.25, input_shape=(32, 32, 3),
                                            include_top=False, pooling="avg")
"""
from tensorweave.keras import backend
from tensorweave.keras import layers
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import inputs
from tensorweave.keras.applications import mobile_blocks
from tensorweave.keras.applications import weights as weights_module
from tensorweave.keras.engine import training

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
IMAGENET_SIZES = (128, 160, 192, 224)
IMAGENET_ALPHAS = {1.0: "1_0", 0.75: "7_5", 0.50: "5_0", 0.25: "2_5"}

# (pointwise filters, strides) of the 13 depthwise-separable blocks
BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
          (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def _spatial(input_shape):
    if backend.image_data_format() == "channels_first":
        return input_shape[1], input_shape[2]
    return input_shape[0], input_shape[1]


def conv_block(inputs, filters, alpha, kernel=(3, 3), strides=(1, 1)):
    """The stem: Conv2D "conv1" (no bias), BatchNormalization, ReLU6."""
    x = layers.Conv2D(int(filters * alpha), kernel, padding="same", use_bias=False,
                      strides=strides, name="conv1")(inputs)
    x = layers.BatchNormalization(axis=mobile_blocks.channel_axis(), name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def depthwise_conv_block(inputs, pointwise_conv_filters, alpha, depth_multiplier=1,
                         strides=(1, 1), block_id=1):
    """Depthwise 3x3 (padded on the bottom/right when strided), BN, ReLU6, then pointwise
    1x1, BN, ReLU6; layers named conv_dw_<id>, conv_pw_<id>, ..."""
    axis = mobile_blocks.channel_axis()
    x = inputs
    if strides != (1, 1):
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == (1, 1) else "valid",
                               depth_multiplier=depth_multiplier, strides=strides,
                               use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(pointwise_conv_filters * alpha), (1, 1), padding="same",
                      use_bias=False, strides=(1, 1), name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True,
              weights="imagenet", input_tensor=None, pooling=None, classes=1000,
              classifier_activation="softmax", **kwargs):
    """MobileNet v1 (224x224 by default; ImageNet weights for 128/160/192/224 squares and
    alpha in 0.25/0.5/0.75/1.0). Inputs are scaled by `mobilenet.preprocess_input`."""
    kwargs.pop("layers", None)
    if kwargs:
        raise ValueError(f"Unknown argument(s): {(kwargs,)}")
    weights_module.check_weights(weights, suffix=f"  Received weights={weights}")
    weights_module.check_classes(
        weights, include_top, classes,
        message='If using `weights` as `"imagenet"` with `include_top` as true, `classes` '
                f"should be 1000.  Received classes={classes}")
    default_size = 224
    if input_shape is not None:
        rows, cols = _spatial(input_shape)
        if rows == cols and rows in IMAGENET_SIZES:
            default_size = rows
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    rows, cols = _spatial(input_shape)
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError("If imagenet weights are being loaded, depth multiplier must be "
                             f"1.  Received depth_multiplier={depth_multiplier}")
        if alpha not in IMAGENET_ALPHAS:
            raise ValueError("If imagenet weights are being loaded, alpha can be one of"
                             f"`0.25`, `0.50`, `0.75` or `1.0` only.  Received alpha={alpha}")
        rows = mobile_blocks.imagenet_rows(rows, cols, IMAGENET_SIZES)
    image = inputs.image_input(input_tensor, input_shape)
    x = conv_block(image, 32, alpha, strides=(2, 2))
    for block_id, (filters, stride) in enumerate(BLOCKS, start=1):
        x = depthwise_conv_block(x, filters, alpha, depth_multiplier,
                                 strides=(stride, stride), block_id=block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = training.Model(inputs.model_inputs(input_tensor, image), x,
                           name=f"mobilenet_{alpha:0.2f}_{rows}")
    if weights == "imagenet":
        suffix = "" if include_top else "_no_top"
        file_name = f"mobilenet_{IMAGENET_ALPHAS[alpha]}_{rows}_tf{suffix}.h5"
        return weights_module.load_weights(model, weights, file_name,
                                           BASE_WEIGHT_PATH + file_name, None)
    return weights_module.load_weights(model, weights)


def preprocess_input(x, data_format=None):
    """Scales pixels from [0, 255] to [-1, 1] (imagenet_utils "tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
