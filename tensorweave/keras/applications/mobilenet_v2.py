"""tf.keras.applications.mobilenet_v2: MobileNetV2 (Sandler et al., 2018), inverted residual
blocks with linear bottlenecks; TF 2.15's layer and weight names.

    model = tf.keras.applications.MobileNetV2(weights=None, input_shape=(96, 96, 3))
"""
from tensorweave.keras import backend
from tensorweave.keras import layers
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import inputs
from tensorweave.keras.applications import mobile_blocks
from tensorweave.keras.applications import model_ends
from tensorweave.keras.applications import weights as weights_module
from tensorweave.keras.engine import training

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
IMAGENET_SIZES = (96, 128, 160, 192, 224)
IMAGENET_ALPHAS = (0.35, 0.50, 0.75, 1.0, 1.3, 1.4)

# (filters, stride, expansion) of blocks 0..16
BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6),
          (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6),
          (160, 1, 6), (160, 1, 6), (320, 1, 6))

_make_divisible = mobile_blocks.make_divisible


def _bn(x, name):
    return layers.BatchNormalization(axis=mobile_blocks.channel_axis(), epsilon=1e-3,
                                     momentum=0.999, name=name)(x)


def inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    """Expand 1x1 (not in block 0), depthwise 3x3, project 1x1 (linear), with a residual Add
    when shapes allow."""
    in_channels = backend.int_shape(inputs)[mobile_blocks.channel_axis()]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same",
                          use_bias=False, activation=None, name=prefix + "expand")(x)
        x = _bn(x, prefix + "expand_BN")
        x = layers.ReLU(6.0, name=prefix + "expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3),
                                 name=prefix + "pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=prefix + "depthwise")(x)
    x = _bn(x, prefix + "depthwise_BN")
    x = layers.ReLU(6.0, name=prefix + "depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False,
                      activation=None, name=prefix + "project")(x)
    x = _bn(x, prefix + "project_BN")
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=prefix + "add")([inputs, x])
    return x


def _rows_cols(shape):
    if backend.image_data_format() == "channels_first":
        return shape[1], shape[2]
    return shape[0], shape[1]


def _default_size(input_shape, input_tensor):
    """224, or the square input size when it is one ImageNet weights exist for."""
    if input_shape is None and input_tensor is not None:
        if not backend.is_keras_tensor(input_tensor):
            return 224
        full = backend.int_shape(input_tensor)
        rows, cols = _rows_cols(full[1:])
    elif input_shape is None:
        return 224
    else:
        rows, cols = _rows_cols(input_shape)
    return rows if rows == cols and rows in IMAGENET_SIZES else 224


def _check_input_tensor(input_shape, input_tensor):
    if input_shape is None or input_tensor is None:
        return
    if not backend.is_keras_tensor(input_tensor):
        raise ValueError(f"input_tensor is not a Keras tensor; Received "
                         f"`input_tensor={input_tensor}`")
    shape = backend.int_shape(input_tensor)
    if backend.image_data_format() == "channels_first":
        if shape[1] != input_shape[1]:
            raise ValueError("input_shape[1] must equal shape(input_tensor)[1] when "
                             "`image_data_format` is `channels_first`; Received "
                             f"`input_tensor.shape={input_tensor.shape}`, "
                             f"`input_shape={input_shape}`")
    elif shape[2] != input_shape[1]:
        raise ValueError("input_tensor.shape[2] must equal input_shape[1]; Received "
                         f"`input_tensor.shape={input_tensor.shape}`, "
                         f"`input_shape={input_shape}`")


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights="imagenet",
                input_tensor=None, pooling=None, classes=1000,
                classifier_activation="softmax", **kwargs):
    """MobileNetV2 (224x224 by default; ImageNet weights for 96..224 squares and alpha in
    0.35/0.5/0.75/1.0/1.3/1.4). Inputs are scaled by `mobilenet_v2.preprocess_input`."""
    kwargs.pop("layers", None)
    if kwargs:
        raise ValueError(f"Unknown argument(s): {kwargs}")
    weights_module.check_weights(weights, suffix=f"  Received `weights={weights}`")
    weights_module.check_classes(
        weights, include_top, classes,
        message='If using `weights` as `"imagenet"` with `include_top` as true, `classes` '
                f"should be 1000. Received `classes={classes}`")
    _check_input_tensor(input_shape, input_tensor)
    default_size = _default_size(input_shape, input_tensor)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    rows, cols = _rows_cols(input_shape)
    if weights == "imagenet":
        if alpha not in IMAGENET_ALPHAS:
            raise ValueError("If imagenet weights are being loaded, alpha must be one of "
                             "`0.35`, `0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; Received "
                             f"`alpha={alpha}`")
        rows = mobile_blocks.imagenet_rows(rows, cols, IMAGENET_SIZES)
    image = inputs.image_input(input_tensor, input_shape)
    x = layers.Conv2D(_make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2),
                      padding="same", use_bias=False, name="Conv1")(image)
    x = _bn(x, "bn_Conv1")
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(BLOCKS):
        x = inverted_res_block(x, filters=filters, alpha=alpha, stride=stride,
                               expansion=expansion, block_id=block_id)
    last_block_filters = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_block_filters, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = _bn(x, "Conv_1_bn")
    x = layers.ReLU(6.0, name="out_relu")(x)
    x = model_ends.top(x, include_top, pooling, classes, classifier_activation, weights,
                       avg_name=None)
    model = training.Model(inputs.model_inputs(input_tensor, image), x,
                           name=f"mobilenetv2_{alpha:0.2f}_{rows}")
    if weights == "imagenet":
        suffix = "" if include_top else "_no_top"
        file_name = (f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
                     f"{suffix}.h5")
        return weights_module.load_weights(model, weights, file_name,
                                           BASE_WEIGHT_PATH + file_name, None)
    return weights_module.load_weights(model, weights)


def preprocess_input(x, data_format=None):
    """Scales pixels from [0, 255] to [-1, 1] (imagenet_utils "tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
