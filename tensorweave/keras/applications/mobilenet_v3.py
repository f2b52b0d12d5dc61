"""tf.keras.applications.mobilenet_v3: MobileNetV3Large and MobileNetV3Small (Howard et al.,
2019): inverted residuals with squeeze-and-excite and hard-swish, optional "minimalistic"
form; TF 2.15's layer and weight names. The models rescale [0, 255] inputs themselves
(include_preprocessing=True), so `preprocess_input` is the identity.

    model = tf.keras.applications.MobileNetV3Small(weights=None, input_shape=(64, 64, 3))
"""
import logging

from tensorweave.keras import backend
from tensorweave.keras import layers
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import inputs
from tensorweave.keras.applications import mobile_blocks
from tensorweave.keras.applications import tensor_arithmetic
from tensorweave.keras.applications import weights as weights_module
from tensorweave.keras.engine import training

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
# model key -> (hash with the top, hash without)
WEIGHTS_HASHES = {
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb",
                             "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7",
                            "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c",
                                         "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7",
                             "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862",
                            "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37",
                                         "cde8136e733e811080d9fcd8a252f7e4"),
}

# (expansion, filters, kernel ("k": 5, or 3 when minimalistic), stride, squeeze-excite,
#  activation ("relu", or "act": hard-swish unless minimalistic)) per block
SMALL_BLOCKS = ((1, 16, 3, 2, True, "relu"), (72.0 / 16, 24, 3, 2, False, "relu"),
                (88.0 / 24, 24, 3, 1, False, "relu"), (4, 40, "k", 2, True, "act"),
                (6, 40, "k", 1, True, "act"), (6, 40, "k", 1, True, "act"),
                (3, 48, "k", 1, True, "act"), (3, 48, "k", 1, True, "act"),
                (6, 96, "k", 2, True, "act"), (6, 96, "k", 1, True, "act"),
                (6, 96, "k", 1, True, "act"))
LARGE_BLOCKS = ((1, 16, 3, 1, False, "relu"), (4, 24, 3, 2, False, "relu"),
                (3, 24, 3, 1, False, "relu"), (3, 40, "k", 2, True, "relu"),
                (3, 40, "k", 1, True, "relu"), (3, 40, "k", 1, True, "relu"),
                (6, 80, 3, 2, False, "act"), (2.5, 80, 3, 1, False, "act"),
                (2.3, 80, 3, 1, False, "act"), (2.3, 80, 3, 1, False, "act"),
                (6, 112, 3, 1, True, "act"), (6, 112, 3, 1, True, "act"),
                (6, 160, "k", 2, True, "act"), (6, 160, "k", 1, True, "act"),
                (6, 160, "k", 1, True, "act"))

_depth = mobile_blocks.make_divisible


def relu(x):
    return layers.ReLU()(x)


def hard_sigmoid(x):
    """relu6(x + 3) / 6, built as TF's graph-mode Keras builds it (two op layers around a
    ReLU layer)."""
    x = tensor_arithmetic.TensorArithmetic("add", 3.0)(x)
    x = layers.ReLU(6.0)(x)
    return tensor_arithmetic.TensorArithmetic("mul", 1.0 / 6.0)(x)


def hard_swish(x):
    return layers.Multiply()([x, hard_sigmoid(x)])


def _bn(x, name):
    return layers.BatchNormalization(axis=mobile_blocks.channel_axis(), epsilon=1e-3,
                                     momentum=0.999, name=name)(x)


def se_block(inputs, filters, se_ratio, prefix):
    """Squeeze-and-excite: pooled, reduced by `se_ratio`, gated by a hard sigmoid."""
    x = layers.GlobalAveragePooling2D(keepdims=True, name=prefix + "squeeze_excite/AvgPool")(
        inputs)
    x = layers.Conv2D(_depth(filters * se_ratio), kernel_size=1, padding="same",
                      name=prefix + "squeeze_excite/Conv")(x)
    x = layers.ReLU(name=prefix + "squeeze_excite/Relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same",
                      name=prefix + "squeeze_excite/Conv_1")(x)
    x = hard_sigmoid(x)
    return layers.Multiply(name=prefix + "squeeze_excite/Mul")([inputs, x])


def inverted_res_block(x, expansion, filters, kernel_size, stride, se_ratio, activation,
                       block_id):
    """Expand (not in block 0), depthwise, optional squeeze-excite, linear projection, and a
    residual Add when shapes allow."""
    axis = mobile_blocks.channel_axis()
    shortcut = x
    prefix = "expanded_conv/"
    infilters = backend.int_shape(x)[axis]
    if block_id:
        prefix = f"expanded_conv_{block_id}/"
        x = layers.Conv2D(_depth(infilters * expansion), kernel_size=1, padding="same",
                          use_bias=False, name=prefix + "expand")(x)
        x = _bn(x, prefix + "expand/BatchNorm")
        x = activation(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                 name=prefix + "depthwise/pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=stride,
                               padding="same" if stride == 1 else "valid", use_bias=False,
                               name=prefix + "depthwise")(x)
    x = _bn(x, prefix + "depthwise/BatchNorm")
    x = activation(x)
    if se_ratio:
        x = se_block(x, _depth(infilters * expansion), se_ratio, prefix)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False,
                      name=prefix + "project")(x)
    x = _bn(x, prefix + "project/BatchNorm")
    if stride == 1 and infilters == filters:
        x = layers.Add(name=prefix + "Add")([shortcut, x])
    return x


def _check_input(input_shape, input_tensor):
    """The input shape from `input_tensor` when not given; Keras's errors when they
    disagree."""
    channels_first = backend.image_data_format() == "channels_first"
    if input_shape is not None and input_tensor is not None:
        if not backend.is_keras_tensor(input_tensor):
            raise ValueError("input_tensor specified: ", input_tensor, "is not a keras tensor")
        shape = backend.int_shape(input_tensor)
        if shape[1 if channels_first else 2] != input_shape[1]:
            if channels_first:
                raise ValueError("When backend.image_data_format()=channels_first, "
                                 "input_shape[1] must equal backend.int_shape(input_tensor)[1]."
                                 f"  Received input_shape={input_shape}, "
                                 f"backend.int_shape(input_tensor)={shape}")
            raise ValueError("input_shape[1] must equal backend.int_shape(input_tensor)[2].  "
                             f"Received input_shape={input_shape}, "
                             f"backend.int_shape(input_tensor)={shape}")
    if input_shape is None and input_tensor is not None and \
            backend.is_keras_tensor(input_tensor):
        shape = backend.int_shape(input_tensor)
        # TF 2.15 writes (cols, rows, channels) here.
        input_shape = (3, shape[3], shape[2]) if channels_first else (shape[2], shape[1], 3)
    if input_shape is None and input_tensor is None:
        input_shape = (None, None, 3)
    return input_shape


def MobileNetV3(stack, last_point_ch, input_shape=None, alpha=1.0, model_type="large",
                minimalistic=False, include_top=True, weights="imagenet", input_tensor=None,
                classes=1000, pooling=None, dropout_rate=0.2, classifier_activation="softmax",
                include_preprocessing=True):
    """The MobileNetV3 body over the block table `stack`."""
    weights_module.check_weights(weights, suffix=f"  Received weights={weights}")
    weights_module.check_classes(
        weights, include_top, classes,
        message='If using `weights` as `"imagenet"` with `include_top` as true, `classes` '
                f"should be 1000.  Received classes={classes}")
    input_shape = _check_input(input_shape, input_tensor)
    if backend.image_data_format() == "channels_last":
        rows, cols = input_shape[0], input_shape[1]
    else:
        rows, cols = input_shape[1], input_shape[2]
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(f"Input size must be at least 32x32; Received `input_shape="
                         f"{input_shape}`")
    if weights == "imagenet":
        if (not minimalistic and alpha not in (0.75, 1.0)) or (minimalistic and alpha != 1.0):
            raise ValueError("If imagenet weights are being loaded, alpha can be one of `0.75`, "
                             "`1.0` for non minimalistic or `1.0` for minimalistic only.")
        if rows != cols or rows != 224:
            logging.getLogger("tensorweave").warning(
                "`input_shape` is undefined or non-square, or `rows` is not 224. Weights for "
                "input shape (224, 224) will be loaded as the default.")
    image = inputs.image_input(input_tensor, input_shape)
    axis = mobile_blocks.channel_axis()
    if minimalistic:
        kernel, activation, se_ratio = 3, relu, None
    else:
        kernel, activation, se_ratio = 5, hard_swish, 0.25
    x = image
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False,
                      name="Conv")(x)
    x = _bn(x, "Conv/BatchNorm")
    x = activation(x)
    for block_id, (expansion, filters, size, stride, se, act) in enumerate(stack):
        x = inverted_res_block(x, expansion, _depth(filters * alpha),
                               kernel if size == "k" else size, stride,
                               se_ratio if se else None,
                               activation if act == "act" else relu, block_id)
    last_conv_ch = _depth(backend.int_shape(x)[axis] * 6)
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha)
    x = layers.Conv2D(last_conv_ch, kernel_size=1, padding="same", use_bias=False,
                      name="Conv_1")(x)
    x = _bn(x, "Conv_1/BatchNorm")
    x = activation(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True,
                          name="Conv_2")(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, kernel_size=1, padding="same", name="Logits")(x)
        x = layers.Flatten()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="Predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = training.Model(inputs.model_inputs(input_tensor, image), x,
                           name="MobilenetV3" + model_type)
    if weights == "imagenet":
        key = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
        if include_top:
            file_name, file_hash = f"weights_mobilenet_v3_{key}.h5", WEIGHTS_HASHES[key][0]
        else:
            file_name = f"weights_mobilenet_v3_{key}_no_top_v2.h5"
            file_hash = WEIGHTS_HASHES[key][1]
        return weights_module.load_weights(model, weights, file_name,
                                           BASE_WEIGHT_PATH + file_name, file_hash)
    return weights_module.load_weights(model, weights)


def MobileNetV3Small(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,
                     weights="imagenet", input_tensor=None, classes=1000, pooling=None,
                     dropout_rate=0.2, classifier_activation="softmax",
                     include_preprocessing=True):
    """MobileNetV3Small (ImageNet weights for alpha 0.75/1.0, or 1.0 minimalistic)."""
    return MobileNetV3(SMALL_BLOCKS, 1024, input_shape, alpha, "small", minimalistic,
                       include_top, weights, input_tensor, classes, pooling, dropout_rate,
                       classifier_activation, include_preprocessing)


def MobileNetV3Large(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,
                     weights="imagenet", input_tensor=None, classes=1000, pooling=None,
                     dropout_rate=0.2, classifier_activation="softmax",
                     include_preprocessing=True):
    """MobileNetV3Large (ImageNet weights for alpha 0.75/1.0, or 1.0 minimalistic)."""
    return MobileNetV3(LARGE_BLOCKS, 1280, input_shape, alpha, "large", minimalistic,
                       include_top, weights, input_tensor, classes, pooling, dropout_rate,
                       classifier_activation, include_preprocessing)


def preprocess_input(x, data_format=None):  # noqa: ARG001 - TF's signature
    """The identity: the models rescale their inputs themselves."""
    return x


def decode_predictions(preds, top=5):
    """imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
