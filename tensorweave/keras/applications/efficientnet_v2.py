"""tf.keras.applications.efficientnet_v2: EfficientNetV2B0..B3, S, M, L (Tan & Le, 2021):
fused and depthwise inverted bottlenecks; TF 2.15's layer and weight names. The models rescale
[0, 255] inputs themselves (include_preprocessing=True), so `preprocess_input` is the identity.

    model = tf.keras.applications.EfficientNetV2B0(weights=None, include_top=False,
                                                   input_shape=(32, 32, 3), pooling="avg")
"""
import copy
import math

from tensorweave.init_ops import constant_initializer
from tensorweave.keras import backend
from tensorweave.keras import layers
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import inputs
from tensorweave.keras.applications import weights as weights_module
from tensorweave.keras.applications.efficientnet import (  # noqa: F401 - TF's module names
    CONV_KERNEL_INITIALIZER, DENSE_KERNEL_INITIALIZER, batch_norm, bn_activation, conv,
    residual, squeeze_excite)
from tensorweave.keras.applications.efficientnet import top as efficientnet_top
from tensorweave.keras.engine import session
from tensorweave.keras.engine import training

BASE_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                     "efficientnet_v2/")
# the model name's last two characters -> (hash with the top, hash without)
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}

_KEYS = ("kernel_size", "num_repeat", "input_filters", "output_filters", "expand_ratio",
         "se_ratio", "strides", "conv_type")


def _stages(*rows):
    """Block arguments from rows (kernel, repeats, in, out, expand, se_ratio, strides,
    conv_type: 1 fused, 0 depthwise)."""
    return [dict(zip(_KEYS, row)) for row in rows]


_B_STAGES = ((3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1), (3, 2, 32, 48, 4, 0, 2, 1),
             (3, 3, 48, 96, 4, 0.25, 2, 0), (3, 5, 96, 112, 6, 0.25, 1, 0),
             (3, 8, 112, 192, 6, 0.25, 2, 0))
DEFAULT_BLOCKS_ARGS = {
    "efficientnetv2-s": _stages(
        (3, 2, 24, 24, 1, 0.0, 1, 1), (3, 4, 24, 48, 4, 0.0, 2, 1), (3, 4, 48, 64, 4, 0, 2, 1),
        (3, 6, 64, 128, 4, 0.25, 2, 0), (3, 9, 128, 160, 6, 0.25, 1, 0),
        (3, 15, 160, 256, 6, 0.25, 2, 0)),
    "efficientnetv2-m": _stages(
        (3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1), (3, 5, 48, 80, 4, 0, 2, 1),
        (3, 7, 80, 160, 4, 0.25, 2, 0), (3, 14, 160, 176, 6, 0.25, 1, 0),
        (3, 18, 176, 304, 6, 0.25, 2, 0), (3, 5, 304, 512, 6, 0.25, 1, 0)),
    "efficientnetv2-l": _stages(
        (3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1), (3, 7, 64, 96, 4, 0, 2, 1),
        (3, 10, 96, 192, 4, 0.25, 2, 0), (3, 19, 192, 224, 6, 0.25, 1, 0),
        (3, 25, 224, 384, 6, 0.25, 2, 0), (3, 7, 384, 640, 6, 0.25, 1, 0)),
    "efficientnetv2-b0": _stages(*_B_STAGES),
    "efficientnetv2-b1": _stages(*_B_STAGES),
    "efficientnetv2-b2": _stages(*_B_STAGES),
    "efficientnetv2-b3": _stages(*_B_STAGES),
}

def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    """filters * width_coefficient, rounded to a multiple of depth_divisor (at least
    min_depth)."""
    filters *= width_coefficient
    minimum = min_depth or depth_divisor
    return int(max(minimum, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def round_repeats(repeats, depth_coefficient):
    return int(math.ceil(depth_coefficient * repeats))


def MBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1,
                se_ratio=0.0, bn_momentum=0.9, activation="swish", survival_probability=0.8,
                name=None):
    """Inverted bottleneck with a depthwise convolution; returns a function of the input."""
    if name is None:
        name = session.get_uid("block0")

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = conv(filters, 1, name + "expand_conv", data_format="channels_last")(x)
            x = bn_activation(x, name + "expand_", activation, bn_momentum)
        x = layers.DepthwiseConv2D(kernel_size=kernel_size, strides=strides,
                                   depthwise_initializer=CONV_KERNEL_INITIALIZER,
                                   padding="same", data_format="channels_last",
                                   use_bias=False, name=name + "dwconv2")(x)
        x = bn_activation(x, name, activation, bn_momentum)
        if 0 < se_ratio <= 1:
            x = squeeze_excite(x, filters, input_filters, se_ratio, activation, name)
        x = conv(output_filters, 1, name + "project_conv", data_format="channels_last")(x)
        x = batch_norm(x, name + "project_bn", bn_momentum)
        if strides == 1 and input_filters == output_filters:
            x = residual(x, inputs, survival_probability, name)
        return x
    return apply


def FusedMBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1,
                     se_ratio=0.0, bn_momentum=0.9, activation="swish",
                     survival_probability=0.8, name=None):
    """Inverted bottleneck whose expansion is a full convolution; returns a function of the
    input."""
    if name is None:
        name = session.get_uid("block0")

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = conv(filters, kernel_size, name + "expand_conv", strides=strides,
                     data_format="channels_last")(x)
            x = bn_activation(x, name + "expand_", activation, bn_momentum)
        if 0 < se_ratio <= 1:
            x = squeeze_excite(x, filters, input_filters, se_ratio, activation, name)
        expanded = expand_ratio != 1
        x = conv(output_filters, 1 if expanded else kernel_size, name + "project_conv",
                 strides=1 if expanded else strides)(x)
        if expanded:
            x = batch_norm(x, name + "project_bn", bn_momentum)
        else:
            x = bn_activation(x, name + "project_", activation, bn_momentum)
        if strides == 1 and input_filters == output_filters:
            x = residual(x, inputs, survival_probability, name)
        return x
    return apply


def EfficientNetV2(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,
                   drop_connect_rate=0.2, depth_divisor=8, min_depth=8, bn_momentum=0.9,
                   activation="swish", blocks_args="default", model_name="efficientnetv2",
                   include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                   pooling=None, classes=1000, classifier_activation="softmax",
                   include_preprocessing=True):
    """The EfficientNetV2 body over `blocks_args`, scaled by width/depth coefficients."""
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS[model_name]
    weights_module.check_weights(weights, suffix=f"Received: weights={weights}")
    weights_module.check_classes(
        weights, include_top, classes,
        message="If using `weights` as `'imagenet'` with `include_top` as true, `classes` "
                f"should be 1000Received: classes={classes}")
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    image = inputs.image_input(input_tensor, input_shape)
    bn_axis = 3 if backend.image_data_format() == "channels_last" else 1
    x = image
    if include_preprocessing:
        channels = input_shape[bn_axis - 1]
        if model_name.split("-")[-1].startswith("b") and channels == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406],
                                     variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2],
                                     axis=bn_axis)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)

    def rounded(filters):
        return round_filters(filters, width_coefficient, min_depth, depth_divisor)

    x = conv(rounded(blocks_args[0]["input_filters"]), 3, "stem_conv", strides=2)(x)
    x = bn_activation(x, "stem_", activation, bn_momentum)

    blocks_args = copy.deepcopy(blocks_args)
    done = 0
    total = float(sum(args["num_repeat"] for args in blocks_args))
    for i, args in enumerate(blocks_args):
        args["input_filters"] = rounded(args["input_filters"])
        args["output_filters"] = rounded(args["output_filters"])
        make = FusedMBConvBlock if args.pop("conv_type") == 1 else MBConvBlock
        for j in range(round_repeats(args.pop("num_repeat"), depth_coefficient)):
            if j > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            # TF 2.15 uses the "survival probability" as the dropout rate.
            x = make(activation=activation, bn_momentum=bn_momentum,
                     survival_probability=drop_connect_rate * done / total,
                     name=f"block{i + 1}{chr(j + 97)}_", **args)(x)
            done += 1

    x = efficientnet_top(x, rounded(1280), activation, bn_momentum, include_top, pooling,
                         dropout_rate, classes, classifier_activation, weights,
                         conv_kwargs={"data_format": "channels_last"},
                         bias_initializer=constant_initializer(0))
    model = training.Model(inputs.model_inputs(input_tensor, image), x, name=model_name)
    if weights == "imagenet":
        return weights_module.load_imagenet(model, include_top, BASE_WEIGHTS_PATH,
                                            WEIGHTS_HASHES[model_name[-2:]])
    return weights_module.load_weights(model, weights)


# suffix -> (width coefficient, depth coefficient, default size)
VARIANTS = {"b0": (1.0, 1.0, 224), "b1": (1.0, 1.1, 240), "b2": (1.1, 1.2, 260),
            "b3": (1.2, 1.4, 300), "s": (1.0, 1.0, 384), "m": (1.0, 1.0, 480),
            "l": (1.0, 1.0, 480)}


def _variant(key):
    """The public constructor EfficientNetV2<KEY>."""
    width, depth, size = VARIANTS[key]

    def build(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax",
              include_preprocessing=True):
        return EfficientNetV2(width_coefficient=width, depth_coefficient=depth,
                              default_size=size, model_name=f"efficientnetv2-{key}",
                              include_top=include_top, weights=weights,
                              input_tensor=input_tensor, input_shape=input_shape,
                              pooling=pooling, classes=classes,
                              classifier_activation=classifier_activation,
                              include_preprocessing=include_preprocessing)

    build.__name__ = build.__qualname__ = "EfficientNetV2" + key.upper()
    build.__doc__ = f"EfficientNetV2{key.upper()} ({size}x{size} by default)."
    return build


EfficientNetV2B0 = _variant("b0")
EfficientNetV2B1 = _variant("b1")
EfficientNetV2B2 = _variant("b2")
EfficientNetV2B3 = _variant("b3")
EfficientNetV2S = _variant("s")
EfficientNetV2M = _variant("m")
EfficientNetV2L = _variant("l")


def preprocess_input(x, data_format=None):  # noqa: ARG001 - TF's signature
    """The identity: the models rescale their inputs themselves."""
    return x


def decode_predictions(preds, top=5):
    """imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
