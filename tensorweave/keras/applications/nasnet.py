"""tf.keras.applications.nasnet: NASNet-A Mobile and Large (Zoph et al., "Learning
Transferable Architectures for Scalable Image Recognition", 2018), with TF 2.15's layer and
weight names (the cells' name scopes are part of the weight names).

    model = NASNetMobile(weights=None, include_top=False, input_shape=(32, 32, 3))
"""
import logging

from tensorweave.keras import backend
from tensorweave.keras import layers
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import model_ends
from tensorweave.keras.applications import weights as weights_module

__all__ = ["NASNetMobile", "NASNetLarge", "preprocess_input", "decode_predictions"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
NASNET_MOBILE_WEIGHT_PATH = BASE_WEIGHTS_PATH + "NASNet-mobile.h5"
NASNET_MOBILE_WEIGHT_PATH_NO_TOP = BASE_WEIGHTS_PATH + "NASNet-mobile-no-top.h5"
NASNET_LARGE_WEIGHT_PATH = BASE_WEIGHTS_PATH + "NASNet-large.h5"
NASNET_LARGE_WEIGHT_PATH_NO_TOP = BASE_WEIGHTS_PATH + "NASNet-large-no-top.h5"

# default size -> {include_top: (local file name, URL, hash)}
_FILES = {
    224: {True: ("nasnet_mobile.h5", NASNET_MOBILE_WEIGHT_PATH,
                 "020fb642bf7360b370c678b08e0adf61"),
          False: ("nasnet_mobile_no_top.h5", NASNET_MOBILE_WEIGHT_PATH_NO_TOP,
                  "1ed92395b5b598bdda52abe5c0dbfd63")},
    331: {True: ("nasnet_large.h5", NASNET_LARGE_WEIGHT_PATH,
                 "11577c9a518f0070763c2b964a382f17"),
          False: ("nasnet_large_no_top.h5", NASNET_LARGE_WEIGHT_PATH_NO_TOP,
                  "d81d89dc07e6e56530c4e77faddd61b5")},
}


def _bn(x, name):
    return layers.BatchNormalization(axis=model_ends.channel_axis(-1), momentum=0.9997,
                                     epsilon=1e-3, name=name)(x)


def _conv1x1(x, filters, name):
    return layers.Conv2D(filters, (1, 1), strides=(1, 1), padding="same", use_bias=False,
                         name=name, kernel_initializer="he_normal")(x)


def _separable_conv_block(ip, filters, kernel_size=(3, 3), strides=(1, 1), block_id=None):
    """Twice ReLU -> separable convolution -> batch normalization; the first convolution
    carries the stride (after padding as 'same' would)."""
    with backend.name_scope(f"separable_conv_block_{block_id}"):
        x = layers.Activation("relu")(ip)
        padding = "same"
        if strides == (2, 2):
            x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                     name=f"separable_conv_1_pad_{block_id}")(x)
            padding = "valid"
        for index, stride in ((1, strides), (2, (1, 1))):
            if index == 2:
                x = layers.Activation("relu")(x)
            x = layers.SeparableConv2D(filters, kernel_size, strides=stride,
                                       name=f"separable_conv_{index}_{block_id}",
                                       padding=padding if index == 1 else "same",
                                       use_bias=False, kernel_initializer="he_normal")(x)
            x = _bn(x, f"separable_conv_{index}_bn_{block_id}")
    return x


def _adjust_block(p, ip, filters, block_id=None):
    """The previous cell's output `p` brought to the spatial size and channels of `ip`."""
    axis = model_ends.channel_axis(-1)
    spatial = 2 if backend.image_data_format() == "channels_first" else -2
    ip_shape = backend.int_shape(ip)
    with backend.name_scope("adjust_block"):
        if p is None:
            return ip
        p_shape = backend.int_shape(p)
        if p_shape[spatial] != ip_shape[spatial]:
            with backend.name_scope(f"adjust_reduction_block_{block_id}"):
                p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
                p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                             name=f"adjust_avg_pool_1_{block_id}")(p)
                p1 = _conv1x1(p1, filters // 2, f"adjust_conv_1_{block_id}")
                # the second path samples the other pixel of each 2x2 square
                p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
                p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
                p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                             name=f"adjust_avg_pool_2_{block_id}")(p2)
                p2 = _conv1x1(p2, filters // 2, f"adjust_conv_2_{block_id}")
                p = layers.concatenate([p1, p2], axis=axis)
                p = _bn(p, f"adjust_bn_{block_id}")
        elif p_shape[axis] != filters:
            with backend.name_scope(f"adjust_projection_block_{block_id}"):
                p = layers.Activation("relu")(p)
                p = _conv1x1(p, filters, f"adjust_conv_projection_{block_id}")
                p = _bn(p, f"adjust_bn_{block_id}")
    return p


def _cell_input(ip, p, filters, kind, block_id):
    """The adjusted previous output and the ReLU-1x1 conv-BN squeeze of the input `ip`."""
    p = _adjust_block(p, ip, filters, block_id)
    h = layers.Activation("relu")(ip)
    h = _conv1x1(h, filters, f"{kind}_conv_1_{block_id}")
    return p, _bn(h, f"{kind}_bn_1_{block_id}")


def _avg3(x, strides, padding, name):
    return layers.AveragePooling2D((3, 3), strides=strides, padding=padding, name=name)(x)


def _normal_a_cell(ip, p, filters, block_id=None):
    """The NASNet-A normal cell: five pairwise-combined operations concatenated with the
    adjusted previous output; returns (output, ip)."""
    axis = model_ends.channel_axis(-1)
    with backend.name_scope(f"normal_A_block_{block_id}"):
        p, h = _cell_input(ip, p, filters, "normal", block_id)
        with backend.name_scope("block_1"):
            a = _separable_conv_block(h, filters, kernel_size=(5, 5),
                                      block_id=f"normal_left1_{block_id}")
            b = _separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}")
            x1 = layers.add([a, b], name=f"normal_add_1_{block_id}")
        with backend.name_scope("block_2"):
            a = _separable_conv_block(p, filters, (5, 5), block_id=f"normal_left2_{block_id}")
            b = _separable_conv_block(p, filters, (3, 3), block_id=f"normal_right2_{block_id}")
            x2 = layers.add([a, b], name=f"normal_add_2_{block_id}")
        with backend.name_scope("block_3"):
            a = _avg3(h, (1, 1), "same", f"normal_left3_{block_id}")
            x3 = layers.add([a, p], name=f"normal_add_3_{block_id}")
        with backend.name_scope("block_4"):
            a = _avg3(p, (1, 1), "same", f"normal_left4_{block_id}")
            b = _avg3(p, (1, 1), "same", f"normal_right4_{block_id}")
            x4 = layers.add([a, b], name=f"normal_add_4_{block_id}")
        with backend.name_scope("block_5"):
            a = _separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}")
            x5 = layers.add([a, h], name=f"normal_add_5_{block_id}")
        x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=axis,
                               name=f"normal_concat_{block_id}")
    return x, ip


def _reduction_a_cell(ip, p, filters, block_id=None):
    """The NASNet-A reduction cell (halves the spatial size); returns (output, ip)."""
    axis = model_ends.channel_axis(-1)
    with backend.name_scope(f"reduction_A_block_{block_id}"):
        p, h = _cell_input(ip, p, filters, "reduction", block_id)
        h3 = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(h, 3),
                                  name=f"reduction_pad_1_{block_id}")(h)
        with backend.name_scope("block_1"):
            a = _separable_conv_block(h, filters, (5, 5), strides=(2, 2),
                                      block_id=f"reduction_left1_{block_id}")
            b = _separable_conv_block(p, filters, (7, 7), strides=(2, 2),
                                      block_id=f"reduction_right1_{block_id}")
            x1 = layers.add([a, b], name=f"reduction_add_1_{block_id}")
        with backend.name_scope("block_2"):
            a = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid",
                                    name=f"reduction_left2_{block_id}")(h3)
            b = _separable_conv_block(p, filters, (7, 7), strides=(2, 2),
                                      block_id=f"reduction_right2_{block_id}")
            x2 = layers.add([a, b], name=f"reduction_add_2_{block_id}")
        with backend.name_scope("block_3"):
            a = _avg3(h3, (2, 2), "valid", f"reduction_left3_{block_id}")
            b = _separable_conv_block(p, filters, (5, 5), strides=(2, 2),
                                      block_id=f"reduction_right3_{block_id}")
            x3 = layers.add([a, b], name=f"reduction_add3_{block_id}")
        with backend.name_scope("block_4"):
            a = _avg3(x1, (1, 1), "same", f"reduction_left4_{block_id}")
            x4 = layers.add([x2, a])
        with backend.name_scope("block_5"):
            a = _separable_conv_block(x1, filters, (3, 3),
                                      block_id=f"reduction_left4_{block_id}")
            b = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid",
                                    name=f"reduction_right5_{block_id}")(h3)
            x5 = layers.add([a, b], name=f"reduction_add4_{block_id}")
        x = layers.concatenate([x2, x3, x4, x5], axis=axis, name=f"reduction_concat_{block_id}")
    return x, ip


def NASNet(input_shape=None, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
           skip_reduction=True, filter_multiplier=2, include_top=True, weights="imagenet",
           input_tensor=None, pooling=None, classes=1000, default_size=None,
           classifier_activation="softmax"):
    """A NASNet-A model named "NASNet": a stem, then three stacks of `num_blocks` normal cells
    separated by reduction cells; the last cell has `penultimate_filters` // 24 filters per
    branch. "imagenet" weights exist for default_size 224 (Mobile) and 331 (Large)."""
    weights_module.check_weights(weights)
    weights_module.check_classes(
        weights, include_top, classes,
        message='If using `weights` as `"imagenet"` with `include_top` as true, `classes` '
                "should be 1000")
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError("When specifying the input shape of a NASNet and loading `ImageNet` "
                         "weights, the input_shape argument must be static (no None "
                         f"entries). Got: `input_shape={input_shape}`.")
    if default_size is None:
        default_size = 331
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    old_data_format = None
    if backend.image_data_format() != "channels_last":
        logging.warning(
            'The NASNet family of models is only available for the input data format '
            '"channels_last" (width, height, channels). However your settings specify the '
            'default data format "channels_first" (channels, width, height). You should set '
            '`image_data_format="channels_last"` in your Keras config located at '
            '~/.keras/keras.json. The model being returned right now will expect inputs to '
            'follow the "channels_last" data format.')
        backend.set_image_data_format("channels_last")
        old_data_format = "channels_first"
    try:
        img_input = model_ends.image_input(input_tensor, input_shape)
        if penultimate_filters % (24 * (filter_multiplier ** 2)) != 0:
            raise ValueError("For NASNet-A models, the `penultimate_filters` must be a "
                             "multiple of 24 * (`filter_multiplier` ** 2). Current value: "
                             f"{penultimate_filters}")
        x = _body(img_input, penultimate_filters // 24, num_blocks, stem_block_filters,
                  skip_reduction, filter_multiplier)
        x = layers.Activation("relu")(x)
        x = model_ends.top(x, include_top, pooling, classes, classifier_activation, weights,
                           avg_name=None)
        model = model_ends.make_model(input_tensor, img_input, x, "NASNet")
        if weights == "imagenet":
            if default_size not in _FILES:
                raise ValueError("ImageNet weights can only be loaded with NASNetLarge or "
                                 "NASNetMobile")
            file_name, url, file_hash = _FILES[default_size][bool(include_top)]
            weights_module.load_weights(model, weights, file_name, url, file_hash)
        else:
            weights_module.load_weights(model, weights)
    finally:
        if old_data_format:
            backend.set_image_data_format(old_data_format)
    return model


def _body(img_input, filters, num_blocks, stem_block_filters, skip_reduction, multiplier):
    x = layers.Conv2D(stem_block_filters, (3, 3), strides=(2, 2), padding="valid",
                      use_bias=False, name="stem_conv1", kernel_initializer="he_normal")(
        img_input)
    x = _bn(x, "stem_bn1")
    x, p = _reduction_a_cell(x, None, filters // multiplier ** 2, block_id="stem_1")
    x, p = _reduction_a_cell(x, p, filters // multiplier, block_id="stem_2")
    for stack in range(3):
        width = filters * multiplier ** stack
        if stack:
            x, p0 = _reduction_a_cell(x, p, width, block_id=f"reduce_{stack * num_blocks}")
            p = p if skip_reduction else p0
        for i in range(num_blocks):
            # normal cells are numbered 0.., with one number skipped after each reduction
            x, p = _normal_a_cell(x, p, width, block_id=str(stack * num_blocks + i + (stack > 0)))
    return x


def NASNetMobile(input_shape=None, include_top=True, weights="imagenet", input_tensor=None,
                 pooling=None, classes=1000, classifier_activation="softmax"):
    """NASNet-A Mobile (4 @ 1056; default input 224x224x3, at least 32x32)."""
    return NASNet(input_shape, penultimate_filters=1056, num_blocks=4, stem_block_filters=32,
                  skip_reduction=False, filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor, pooling=pooling, classes=classes,
                  default_size=224, classifier_activation=classifier_activation)


def NASNetLarge(input_shape=None, include_top=True, weights="imagenet", input_tensor=None,
                pooling=None, classes=1000, classifier_activation="softmax"):
    """NASNet-A Large (6 @ 4032; default input 331x331x3, at least 32x32)."""
    return NASNet(input_shape, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
                  skip_reduction=True, filter_multiplier=2, include_top=include_top,
                  weights=weights, input_tensor=input_tensor, pooling=pooling, classes=classes,
                  default_size=331, classifier_activation=classifier_activation)


def preprocess_input(x, data_format=None):
    """Scales images with values in [0, 255] to [-1, 1] (Keras's "tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """The `top` (class id, name, score) triples of each row of ImageNet predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
