"""tf.keras.applications.resnet_rs: ResNet-RS50..420 (Bello et al., 2021: ResNet-D stem,
squeeze-and-excitation, stochastic depth) with TF 2.15's layer and weight names; the models
rescale [0, 255] inputs themselves unless `include_preprocessing=False`.

    model = tf.keras.applications.ResNetRS50(weights=None, include_top=False,
                                             input_shape=(64, 64, 3), pooling="avg")
"""
import sys

from tensorweave.keras import backend
from tensorweave.keras import layers
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import inputs
from tensorweave.keras.applications import model_ends
from tensorweave.keras.applications import weights as weights_module
from tensorweave.keras.engine import training

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet_rs/"
WEIGHT_HASHES = {
    "resnet-rs-101-i160.h5": "544b3434d00efc199d66e9058c7f3379",
    "resnet-rs-101-i160_notop.h5": "82d5b90c5ce9d710da639d6216d0f979",
    "resnet-rs-101-i192.h5": "eb285be29ab42cf4835ff20a5e3b5d23",
    "resnet-rs-101-i192_notop.h5": "f9a0f6b85faa9c3db2b6e233c4eebb5b",
    "resnet-rs-152-i192.h5": "8d72a301ed8a6f11a47c4ced4396e338",
    "resnet-rs-152-i192_notop.h5": "5fbf7ac2155cb4d5a6180ee9e3aa8704",
    "resnet-rs-152-i224.h5": "31a46a92ab21b84193d0d71dd8c3d03b",
    "resnet-rs-152-i224_notop.h5": "dc8b2cba2005552eafa3167f00dc2133",
    "resnet-rs-152-i256.h5": "ba6271b99bdeb4e7a9b15c05964ef4ad",
    "resnet-rs-152-i256_notop.h5": "fa79794252dbe47c89130f65349d654a",
    "resnet-rs-200-i256.h5": "a76930b741884e09ce90fa7450747d5f",
    "resnet-rs-200-i256_notop.h5": "bbdb3994718dfc0d1cd45d7eff3f3d9c",
    "resnet-rs-270-i256.h5": "20d575825ba26176b03cb51012a367a8",
    "resnet-rs-270-i256_notop.h5": "2c42ecb22e35f3e23d2f70babce0a2aa",
    "resnet-rs-350-i256.h5": "f4a039dc3c421321b7fc240494574a68",
    "resnet-rs-350-i256_notop.h5": "6e44b55025bbdff8f51692a023143d66",
    "resnet-rs-350-i320.h5": "7ccb858cc738305e8ceb3c0140bee393",
    "resnet-rs-350-i320_notop.h5": "ab0c1f9079d2f85a9facbd2c88aa6079",
    "resnet-rs-420-i320.h5": "ae0eb9bed39e64fc8d7e0db4018dc7e8",
    "resnet-rs-420-i320_notop.h5": "fe6217c32be8305b1889657172b98884",
    "resnet-rs-50-i160.h5": "69d9d925319f00a8bdd4af23c04e4102",
    "resnet-rs-50-i160_notop.h5": "90daa68cd26c95aa6c5d25451e095529",
}
# depth -> the input sizes ImageNet weights were published for ("imagenet-i<size>")
DEPTH_TO_WEIGHT_VARIANTS = {50: [160], 101: [160, 192], 152: [192, 224, 256], 200: [256],
                            270: [256], 350: [256, 320], 420: [320]}
# depth -> bottleneck blocks in each of the four groups (64, 128, 256, 512 filters)
_REPEATS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3), 200: (3, 24, 36, 3),
            270: (4, 29, 53, 4), 350: (4, 36, 72, 4), 420: (4, 44, 87, 4)}
BLOCK_ARGS = {depth: [{"input_filters": filters, "num_repeats": repeats}
                      for filters, repeats in zip((64, 128, 256, 512), counts)]
              for depth, counts in _REPEATS.items()}
CONV_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"},
}


def _bn_axis():
    return 3 if backend.image_data_format() == "channels_last" else 1


def _batch_norm(momentum, epsilon, name):
    return layers.BatchNormalization(axis=_bn_axis(), momentum=momentum, epsilon=epsilon,
                                     name=name)


def fixed_padding(inputs, kernel_size):
    """Zero-pads the spatial axes by kernel_size - 1 in all (the extra pixel at the end),
    whatever the input size."""
    total = kernel_size - 1
    before = total // 2
    return layers.ZeroPadding2D(padding=((before, total - before),
                                         (before, total - before)))(inputs)


def Conv2DFixedPadding(filters, kernel_size, strides, name=None):
    """A bias-free convolution: 'same' at stride 1, else fixed padding then 'valid'."""
    if name is None:
        name = f"conv_{backend.get_uid('conv_')}"

    def apply(x):
        if strides > 1:
            x = fixed_padding(x, kernel_size)
        return layers.Conv2D(filters=filters, kernel_size=kernel_size, strides=strides,
                             padding="same" if strides == 1 else "valid", use_bias=False,
                             kernel_initializer=CONV_KERNEL_INITIALIZER, name=name)(x)
    return apply


def STEM(bn_momentum=0.0, bn_epsilon=1e-5, activation="relu", name=None):
    """The ResNet-D stem: four 3x3 convolutions (32, 32, 64, 64 filters; strides 2, 1, 1, 2),
    each with batch norm and the activation."""
    if name is None:
        name = f"stem_{backend.get_uid('stem_')}"

    def apply(x):
        for index, (filters, strides) in enumerate(((32, 2), (32, 1), (64, 1), (64, 2)),
                                                   start=1):
            x = Conv2DFixedPadding(filters=filters, kernel_size=3, strides=strides,
                                   name=f"{name}_stem_conv_{index}")(x)
            x = _batch_norm(bn_momentum, bn_epsilon, f"{name}_stem_batch_norm_{index}")(x)
            x = layers.Activation(activation, name=f"{name}_stem_act_{index}")(x)
        return x
    return apply


def SE(in_filters, se_ratio=0.25, expand_ratio=1, name=None):
    """Squeeze and excitation: the input times a per-channel sigmoid gate computed from its
    spatial mean through two 1x1 convolutions."""
    channels_first = _bn_axis() == 1
    if name is None:
        name = f"se_{backend.get_uid('se_')}"

    def apply(x):
        gate = layers.GlobalAveragePooling2D(name=name + "_se_squeeze")(x)
        channels = backend.int_shape(gate)[-1]
        shape = (channels, 1, 1) if channels_first else (1, 1, channels)
        gate = layers.Reshape(shape, name=name + "_se_reshape")(gate)
        reduced = max(1, int(in_filters * 4 * se_ratio))
        gate = layers.Conv2D(filters=reduced, kernel_size=[1, 1], strides=[1, 1],
                             kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                             use_bias=True, activation="relu", name=name + "_se_reduce")(gate)
        gate = layers.Conv2D(filters=4 * in_filters * expand_ratio, kernel_size=[1, 1],
                             strides=[1, 1], kernel_initializer=CONV_KERNEL_INITIALIZER,
                             padding="same", use_bias=True, activation="sigmoid",
                             name=name + "_se_expand")(gate)
        return layers.multiply([x, gate], name=name + "_se_excite")
    return apply


def BottleneckBlock(filters, strides, use_projection, bn_momentum=0.0, bn_epsilon=1e-5,
                    activation="relu", se_ratio=0.25, survival_probability=0.8, name=None):
    """1x1, 3x3 (strided), 1x1 (4*filters) convolutions with batch norm, squeeze and excitation
    and per-example dropout, added to the shortcut (average-pooled and projected when asked)."""
    if name is None:
        name = f"block_0_{backend.get_uid('block_0_')}"

    def apply(x):
        shortcut = x
        if use_projection:
            if strides == 2:
                shortcut = layers.AveragePooling2D(pool_size=(2, 2), strides=(2, 2),
                                                   padding="same",
                                                   name=name + "_projection_pooling")(x)
                shortcut = Conv2DFixedPadding(filters=filters * 4, kernel_size=1, strides=1,
                                              name=name + "_projection_conv")(shortcut)
            else:
                shortcut = Conv2DFixedPadding(filters=filters * 4, kernel_size=1,
                                              strides=strides,
                                              name=name + "_projection_conv")(x)
            shortcut = _batch_norm(bn_momentum, bn_epsilon,
                                   name + "_projection_batch_norm")(shortcut)
        # Keras names the first batch norm without the separating underscore.
        y = Conv2DFixedPadding(filters=filters, kernel_size=1, strides=1,
                               name=name + "_conv_1")(x)
        y = _batch_norm(bn_momentum, bn_epsilon, name + "batch_norm_1")(y)
        y = layers.Activation(activation, name=name + "_act_1")(y)
        y = Conv2DFixedPadding(filters=filters, kernel_size=3, strides=strides,
                               name=name + "_conv_2")(y)
        y = _batch_norm(bn_momentum, bn_epsilon, name + "_batch_norm_2")(y)
        y = layers.Activation(activation, name=name + "_act_2")(y)
        y = Conv2DFixedPadding(filters=filters * 4, kernel_size=1, strides=1,
                               name=name + "_conv_3")(y)
        y = _batch_norm(bn_momentum, bn_epsilon, name + "_batch_norm_3")(y)
        if 0 < se_ratio < 1:
            y = SE(filters, se_ratio=se_ratio, name=name + "_se")(y)
        if survival_probability:
            # As Keras: the rate given to Dropout is the "survival probability".
            y = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1),
                               name=name + "_drop")(y)
        y = layers.Add()([y, shortcut])
        return layers.Activation(activation, name=name + "_output_act")(y)
    return apply


def BlockGroup(filters, strides, num_repeats, se_ratio=0.25, bn_epsilon=1e-5, bn_momentum=0.0,
               activation="relu", survival_probability=0.8, name=None):
    """`num_repeats` bottleneck blocks, the first projecting the shortcut with `strides`."""
    if name is None:
        name = f"block_group_{backend.get_uid('block_group_')}"

    def apply(x):
        for i in range(num_repeats):
            x = BottleneckBlock(filters=filters, strides=strides if i == 0 else 1,
                                use_projection=i == 0, se_ratio=se_ratio,
                                bn_epsilon=bn_epsilon, bn_momentum=bn_momentum,
                                activation=activation,
                                survival_probability=survival_probability,
                                name=f"{name}_block_{i}_")(x)
        return x
    return apply


def get_survival_probability(init_rate, block_num, total_blocks):
    """The stochastic-depth rate of block group `block_num`: linear in the depth."""
    return init_rate * float(block_num) / total_blocks


def allow_bigger_recursion(target_limit):
    """Raises Python's recursion limit to `target_limit` (the deepest models need it)."""
    if sys.getrecursionlimit() < target_limit:
        sys.setrecursionlimit(target_limit)


def _weights_error(depth, allowed, weights):
    return ValueError("The `weights` argument should be either `None` (random "
                      "initialization), `'imagenet'` (pre-training on ImageNet, with highest "
                      "available input shape), or the path to the weights file to be loaded. "
                      f"For ResNetRS{depth} the following weight variants are available "
                      f"{allowed} (default=highest). Received weights={weights}")


def ResNetRS(depth, input_shape=None, bn_momentum=0.0, bn_epsilon=1e-5, activation="relu",
             se_ratio=0.25, dropout_rate=0.25, drop_connect_rate=0.2, include_top=True,
             block_args=None, model_name="resnet-rs", pooling=None, weights="imagenet",
             input_tensor=None, classes=1000, classifier_activation="softmax",
             include_preprocessing=True):
    """A ResNet-RS of `depth`; `weights` may be "imagenet" (the largest published input size)
    or "imagenet-i<size>" for one of DEPTH_TO_WEIGHT_VARIANTS[depth]."""
    variants = DEPTH_TO_WEIGHT_VARIANTS[depth]
    if weights == "imagenet":
        weights = f"imagenet-i{max(variants)}"
    allowed = [f"imagenet-i{size}" for size in variants]
    try:
        weights_module.check_weights(weights, allowed=tuple(allowed))
    except ValueError:
        raise _weights_error(depth, allowed, weights) from None
    weights_module.check_classes(
        weights if weights not in allowed else "imagenet", include_top, classes,
        message=f"If using `weights` as `'imagenet'` or any of {allowed} with `include_top` "
                f"as true, `classes` should be 1000. Received classes={classes}")
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    image = inputs.image_input(input_tensor, input_shape)
    axis = _bn_axis()

    x = image
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 255)(x)
        if input_shape[axis - 1] == 3:
            x = layers.Normalization(mean=[0.485, 0.456, 0.406],
                                     variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2],
                                     axis=axis)(x)
    x = STEM(bn_momentum=bn_momentum, bn_epsilon=bn_epsilon, activation=activation)(x)
    if block_args is None:
        block_args = BLOCK_ARGS[depth]
    for i, args in enumerate(block_args):
        survival = get_survival_probability(init_rate=drop_connect_rate, block_num=i + 2,
                                            total_blocks=len(block_args) + 1)
        x = BlockGroup(filters=args["input_filters"], activation=activation,
                       strides=1 if i == 0 else 2, num_repeats=args["num_repeats"],
                       se_ratio=se_ratio, bn_momentum=bn_momentum, bn_epsilon=bn_epsilon,
                       survival_probability=survival, name=f"BlockGroup{i + 2}_")(x)

    x = model_ends.top(x, include_top, pooling, classes, classifier_activation, weights,
                       pool_names=("avg_pool", "max_pool"), dropout_rate=dropout_rate)
    model = training.Model(inputs.model_inputs(input_tensor, image), x, name=model_name)

    if weights in allowed:
        size = weights.split("-")[-1]
        file_name = f"{model_name}-{size}{'' if include_top else '_notop'}.h5"
        model.load_weights(weights_module.fetch(file_name, BASE_WEIGHTS_URL + file_name,
                                                WEIGHT_HASHES[file_name]))
    elif weights is not None:
        model.load_weights(weights)
    return model


def _variant(depth, dropout_rate, drop_connect_rate, recursion=None):
    """The public constructor ResNetRS<depth>."""
    def build(include_top=True, weights="imagenet", classes=1000, input_shape=None,
              input_tensor=None, pooling=None, classifier_activation="softmax",
              include_preprocessing=True):
        if recursion:
            allow_bigger_recursion(recursion)
        return ResNetRS(depth=depth, include_top=include_top,
                        drop_connect_rate=drop_connect_rate, dropout_rate=dropout_rate,
                        weights=weights, classes=classes, input_shape=input_shape,
                        input_tensor=input_tensor, pooling=pooling,
                        classifier_activation=classifier_activation,
                        model_name=f"resnet-rs-{depth}",
                        include_preprocessing=include_preprocessing)
    build.__name__ = build.__qualname__ = f"ResNetRS{depth}"
    build.__doc__ = (f"The ResNet-RS{depth} model; takes images with values in [0, 255] "
                     f"(rescaled inside unless include_preprocessing=False, when it expects "
                     f"[-1, 1]).")
    return build


ResNetRS50 = _variant(50, 0.25, 0.0)
ResNetRS101 = _variant(101, 0.25, 0.0)
ResNetRS152 = _variant(152, 0.25, 0.0)
ResNetRS200 = _variant(200, 0.25, 0.1)
ResNetRS270 = _variant(270, 0.25, 0.1, recursion=1300)
ResNetRS350 = _variant(350, 0.4, 0.1, recursion=1500)
ResNetRS420 = _variant(420, 0.4, 0.1, recursion=1800)


def preprocess_input(x, data_format=None):  # noqa: ARG001 (Keras' signature)
    """A pass-through: ResNet-RS models scale their inputs themselves."""
    return x


def decode_predictions(preds, top=5):
    """imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
