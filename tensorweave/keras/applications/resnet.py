"""tf.keras.applications.resnet: ResNet50/101/152 (He et al., 2015) with TF 2.15's layer and
weight names, plus the residual stacks ResNetV2 shares; `weights="imagenet"` loads Keras's
published weights.

    model = tf.keras.applications.ResNet50(weights=None, include_top=False, pooling="avg",
                                           input_shape=(64, 64, 3))
"""
from tensorweave.keras import backend
from tensorweave.keras import layers as default_layers
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import inputs
from tensorweave.keras.applications import weights as weights_module
from tensorweave.keras.engine import training

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
# model name -> (hash with the top, hash without it)
WEIGHTS_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}

_EPSILON = 1.001e-5


def _bn_axis():
    return 3 if backend.image_data_format() == "channels_last" else 1


def _batch_norm(layers, name):
    return layers.BatchNormalization(axis=_bn_axis(), epsilon=_EPSILON, name=name)


def ResNet(stack_fn, preact, use_bias, model_name="resnet", include_top=True,
           weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
           classifier_activation="softmax", **kwargs):
    """A ResNet (preact=False) or ResNetV2 (preact=True) whose residual stages are
    `stack_fn(x)`; `layers=` (a module of layer classes) may replace tf.keras.layers."""
    layers = kwargs.pop("layers", default_layers)
    if kwargs:
        raise ValueError(f"Unknown argument(s): {kwargs}")
    weights_module.check_weights(weights)
    weights_module.check_classes(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    image = inputs.image_input(input_tensor, input_shape)

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(image)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = _batch_norm(layers, "conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = _with_layers(stack_fn, layers)(x)
    if preact:
        x = _batch_norm(layers, "post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = training.Model(inputs.model_inputs(input_tensor, image), x, name=model_name)

    if weights == "imagenet" and model_name in WEIGHTS_HASHES:
        suffix = "" if include_top else "_notop"
        file_name = f"{model_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
        file_hash = WEIGHTS_HASHES[model_name][0 if include_top else 1]
        return weights_module.load_weights(model, weights, file_name,
                                           BASE_WEIGHTS_PATH + file_name, file_hash)
    if weights is not None:
        model.load_weights(weights)
    return model


_LAYERS = {"module": default_layers}


def _with_layers(stack_fn, layers):
    """stack_fn, building its blocks from `layers`."""
    def run(x):
        previous, _LAYERS["module"] = _LAYERS["module"], layers
        try:
            return stack_fn(x)
        finally:
            _LAYERS["module"] = previous
    return run


def block1(x, filters, kernel_size=3, stride=1, conv_shortcut=True, name=None):
    """The ResNet bottleneck: 1x1 (strided), kxk, 1x1 (4*filters) convolutions with batch norm,
    added to the shortcut (a strided 1x1 convolution or the input), then relu."""
    layers = _LAYERS["module"]
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x)
        shortcut = _batch_norm(layers, name + "_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = _batch_norm(layers, name + "_1_bn")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="SAME", name=name + "_2_conv")(x)
    x = _batch_norm(layers, name + "_2_bn")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    x = _batch_norm(layers, name + "_3_bn")(x)
    x = layers.Add(name=name + "_add")([shortcut, x])
    return layers.Activation("relu", name=name + "_out")(x)


def stack1(x, filters, blocks, stride1=2, name=None):
    """`blocks` block1s; the first has the convolution shortcut and stride `stride1`."""
    x = block1(x, filters, stride=stride1, name=name + "_block1")
    for i in range(2, blocks + 1):
        x = block1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def block2(x, filters, kernel_size=3, stride=1, conv_shortcut=False, name=None):
    """The ResNetV2 (pre-activation) bottleneck: batch norm and relu first; the stride is on
    the kxk convolution; the shortcut is a 1x1 convolution, a strided 1x1 max pool or x."""
    layers = _LAYERS["module"]
    preact = _batch_norm(layers, name + "_preact_bn")(x)
    preact = layers.Activation("relu", name=name + "_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(preact)
    elif stride > 1:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=name + "_1_conv")(preact)
    x = _batch_norm(layers, name + "_1_bn")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=name + "_2_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False,
                      name=name + "_2_conv")(x)
    x = _batch_norm(layers, name + "_2_bn")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    return layers.Add(name=name + "_out")([shortcut, x])


def stack2(x, filters, blocks, stride1=2, name=None):
    """`blocks` block2s: the first with the convolution shortcut, the last with stride
    `stride1`."""
    x = block2(x, filters, conv_shortcut=True, name=name + "_block1")
    for i in range(2, blocks):
        x = block2(x, filters, name=f"{name}_block{i}")
    return block2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def stages_fn(stack, depths, strides):
    """stack_fn for four stages of 64/128/256/512 filters with these depths and strides."""
    def stack_fn(x):
        for index, (filters, depth, stride) in enumerate(zip((64, 128, 256, 512), depths,
                                                             strides)):
            x = stack(x, filters, depth, stride1=stride, name=f"conv{index + 2}")
        return x
    return stack_fn


def _resnet(depths, model_name, include_top, weights, input_tensor, input_shape, pooling,
            classes, kwargs):
    return ResNet(stages_fn(stack1, depths, (1, 2, 2, 2)), False, True, model_name, include_top,
                  weights, input_tensor, input_shape, pooling, classes, **kwargs)


def ResNet50(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, **kwargs):
    """ResNet50 (stages of 3, 4, 6, 3 bottlenecks); inputs scaled by
    `resnet.preprocess_input`; `classifier_activation=` is accepted as a keyword."""
    return _resnet((3, 4, 6, 3), "resnet50", include_top, weights, input_tensor, input_shape,
                   pooling, classes, kwargs)


def ResNet101(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, **kwargs):
    """ResNet101 (stages of 3, 4, 23, 3 bottlenecks)."""
    return _resnet((3, 4, 23, 3), "resnet101", include_top, weights, input_tensor,
                   input_shape, pooling, classes, kwargs)


def ResNet152(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, **kwargs):
    """ResNet152 (stages of 3, 8, 36, 3 bottlenecks)."""
    return _resnet((3, 8, 36, 3), "resnet152", include_top, weights, input_tensor,
                   input_shape, pooling, classes, kwargs)


def preprocess_input(x, data_format=None):
    """imagenet_utils.preprocess_input in "caffe" mode (RGB -> BGR, minus the channel means)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    """imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
