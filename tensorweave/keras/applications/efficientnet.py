"""tf.keras.applications.efficientnet: EfficientNetB0..B7 (Tan & Le, 2019), TF 2.15's layer
and weight names. The models rescale and normalize [0, 255] inputs themselves (Rescaling and
Normalization layers), so `preprocess_input` is the identity.

    model = tf.keras.applications.EfficientNetB0(weights=None, include_top=False,
                                                 input_shape=(32, 32, 3), pooling="avg")
"""
import copy
import math

from tensorweave.keras import backend
from tensorweave.keras import layers
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import inputs
from tensorweave.keras.applications import mobile_blocks
from tensorweave.keras.applications import model_ends
from tensorweave.keras.applications import weights as weights_module
from tensorweave.keras.engine import training

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/"
# variant -> (hash with the top, hash without)
WEIGHTS_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}


def _stage(kernel_size, repeats, filters_in, filters_out, expand_ratio, strides):
    return {"kernel_size": kernel_size, "repeats": repeats, "filters_in": filters_in,
            "filters_out": filters_out, "expand_ratio": expand_ratio, "id_skip": True,
            "strides": strides, "se_ratio": 0.25}


DEFAULT_BLOCKS_ARGS = [_stage(3, 1, 32, 16, 1, 1), _stage(3, 2, 16, 24, 6, 2),
                       _stage(5, 2, 24, 40, 6, 2), _stage(3, 3, 40, 80, 6, 2),
                       _stage(5, 3, 80, 112, 6, 1), _stage(5, 4, 112, 192, 6, 2),
                       _stage(3, 1, 192, 320, 6, 1)]

CONV_KERNEL_INITIALIZER = {"class_name": "VarianceScaling",
                           "config": {"scale": 2.0, "mode": "fan_out",
                                      "distribution": "truncated_normal"}}
DENSE_KERNEL_INITIALIZER = {"class_name": "VarianceScaling",
                            "config": {"scale": 1.0 / 3.0, "mode": "fan_out",
                                       "distribution": "uniform"}}
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]


def _bn_axis():
    return 3 if backend.image_data_format() == "channels_last" else 1


def conv(filters, kernel_size, name, strides=1, padding="same", **kwargs):
    """The bias-free Conv2D of EfficientNet (V1 and V2), He-initialized for fan out."""
    return layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=False,
                         kernel_initializer=CONV_KERNEL_INITIALIZER, name=name, **kwargs)


def batch_norm(x, name, momentum=0.99):
    return layers.BatchNormalization(axis=_bn_axis(), momentum=momentum, name=name)(x)


def bn_activation(x, prefix, activation, momentum=0.99):
    """BatchNormalization `prefix`bn, then the Activation `prefix`activation."""
    x = batch_norm(x, prefix + "bn", momentum)
    return layers.Activation(activation, name=prefix + "activation")(x)


def squeeze_excite(x, filters, filters_in, se_ratio, activation, name):
    """Global pooling, a reducing and an expanding 1x1 convolution, sigmoid gate."""
    filters_se = max(1, int(filters_in * se_ratio))
    se = layers.GlobalAveragePooling2D(name=name + "se_squeeze")(x)
    se_shape = (filters, 1, 1) if _bn_axis() == 1 else (1, 1, filters)
    se = layers.Reshape(se_shape, name=name + "se_reshape")(se)
    se = layers.Conv2D(filters_se, 1, padding="same", activation=activation,
                       kernel_initializer=CONV_KERNEL_INITIALIZER, name=name + "se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       kernel_initializer=CONV_KERNEL_INITIALIZER, name=name + "se_expand")(se)
    return layers.multiply([x, se], name=name + "se_excite")


def residual(x, inputs, drop_rate, name):
    """inputs + x, x first dropped per sample at `drop_rate` (when above 0)."""
    if drop_rate > 0:
        x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=name + "drop")(x)
    return layers.add([x, inputs], name=name + "add")


def block(inputs, activation="swish", drop_rate=0.0, name="", filters_in=32, filters_out=16,
          kernel_size=3, strides=1, expand_ratio=1, se_ratio=0.0, id_skip=True):
    """A mobile inverted bottleneck: expand, depthwise, squeeze-excite, project, residual."""
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = conv(filters, 1, name + "expand_conv")(x)
        x = bn_activation(x, name + "expand_", activation)
    if strides == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                 name=name + "dwconv_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=strides,
                               padding="valid" if strides == 2 else "same", use_bias=False,
                               depthwise_initializer=CONV_KERNEL_INITIALIZER,
                               name=name + "dwconv")(x)
    x = bn_activation(x, name, activation)
    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, filters, filters_in, se_ratio, activation, name)
    x = conv(filters_out, 1, name + "project_conv")(x)
    x = batch_norm(x, name + "project_bn")
    if id_skip and strides == 1 and filters_in == filters_out:
        x = residual(x, inputs, drop_rate, name)
    return x


def top(x, filters, activation, momentum, include_top, pooling, dropout_rate, classes,
        classifier_activation, weights, conv_kwargs=None, **dense_kwargs):
    """The 1x1 convolution "top_conv" to `filters`, its batch norm and activation, then the
    classifier (dropout "top_dropout", Dense "predictions") or the feature pooling."""
    x = conv(filters, 1, "top_conv", **(conv_kwargs or {}))(x)
    x = bn_activation(x, "top_", activation, momentum)
    return model_ends.top(x, include_top, pooling, classes, classifier_activation, weights,
                          pool_names=("avg_pool", "max_pool"), dropout_rate=dropout_rate,
                          kernel_initializer=DENSE_KERNEL_INITIALIZER, **dense_kwargs)


def EfficientNet(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,
                 drop_connect_rate=0.2, depth_divisor=8, activation="swish",
                 blocks_args="default", model_name="efficientnet", include_top=True,
                 weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                 classes=1000, classifier_activation="softmax"):
    """The EfficientNet body scaled by width/depth coefficients."""
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS
    weights_module.check_weights(weights)
    weights_module.check_classes(
        weights, include_top, classes,
        message='If using `weights` as `"imagenet"` with `include_top` as true, `classes` '
                "should be 1000")
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    image = inputs.image_input(input_tensor, input_shape)
    bn_axis = _bn_axis()

    def round_filters(filters, divisor=depth_divisor):
        return int(mobile_blocks.make_divisible(filters * width_coefficient, divisor))

    def round_repeats(repeats):
        return int(math.ceil(depth_coefficient * repeats))

    x = layers.Rescaling(1.0 / 255.0)(image)
    x = layers.Normalization(axis=bn_axis)(x)
    if weights == "imagenet":
        # TF 2.15 divides by sqrt(stddev) (not by stddev) after the adapted Normalization.
        x = layers.Rescaling([1.0 / math.sqrt(s) for s in IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name="stem_conv_pad")(x)
    x = conv(round_filters(32), 3, "stem_conv", strides=2, padding="valid")(x)
    x = bn_activation(x, "stem_", activation)

    blocks_args = copy.deepcopy(blocks_args)
    done = 0
    total = float(sum(round_repeats(args["repeats"]) for args in blocks_args))
    for i, args in enumerate(blocks_args):
        args["filters_in"] = round_filters(args["filters_in"])
        args["filters_out"] = round_filters(args["filters_out"])
        for j in range(round_repeats(args.pop("repeats"))):
            if j > 0:
                args["strides"] = 1
                args["filters_in"] = args["filters_out"]
            x = block(x, activation, drop_connect_rate * done / total,
                      name=f"block{i + 1}{chr(j + 97)}_", **args)
            done += 1

    x = top(x, round_filters(1280), activation, 0.99, include_top, pooling, dropout_rate, classes,
            classifier_activation, weights)
    model = training.Model(inputs.model_inputs(input_tensor, image), x, name=model_name)
    if weights == "imagenet":
        return weights_module.load_imagenet(model, include_top, BASE_WEIGHTS_PATH,
                                            WEIGHTS_HASHES[model_name[-2:]])
    return weights_module.load_weights(model, weights)


# name -> (width coefficient, depth coefficient, default size, dropout rate)
VARIANTS = {"b0": (1.0, 1.0, 224, 0.2), "b1": (1.0, 1.1, 240, 0.2), "b2": (1.1, 1.2, 260, 0.3),
            "b3": (1.2, 1.4, 300, 0.3), "b4": (1.4, 1.8, 380, 0.4), "b5": (1.6, 2.2, 456, 0.4),
            "b6": (1.8, 2.6, 528, 0.5), "b7": (2.0, 3.1, 600, 0.5)}


def _variant(key):
    """The public constructor EfficientNet<KEY>."""
    width, depth, size, dropout = VARIANTS[key]

    def build(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax", **kwargs):
        return EfficientNet(width, depth, size, dropout, model_name=f"efficientnet{key}",
                            include_top=include_top, weights=weights, input_tensor=input_tensor,
                            input_shape=input_shape, pooling=pooling, classes=classes,
                            classifier_activation=classifier_activation, **kwargs)

    build.__name__ = build.__qualname__ = "EfficientNet" + key.upper()
    build.__doc__ = f"EfficientNet{key.upper()} ({size}x{size} by default)."
    return build


EfficientNetB0 = _variant("b0")
EfficientNetB1 = _variant("b1")
EfficientNetB2 = _variant("b2")
EfficientNetB3 = _variant("b3")
EfficientNetB4 = _variant("b4")
EfficientNetB5 = _variant("b5")
EfficientNetB6 = _variant("b6")
EfficientNetB7 = _variant("b7")


def preprocess_input(x, data_format=None):  # noqa: ARG001 - TF's signature
    """The identity: the models rescale and normalize their inputs themselves."""
    return x


def decode_predictions(preds, top=5):
    """imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
