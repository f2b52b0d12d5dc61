"""tf.keras.applications.convnext: ConvNeXt Tiny/Small/Base/Large/XLarge (TF 2.15's
architecture, layer and weight names; "imagenet" weights from Keras's published files).

    model = tf.keras.applications.ConvNeXtTiny(weights=None, input_shape=(64, 64, 3))
"""
import numpy as np

from tensorweave.keras import backend
from tensorweave.keras import initializers
from tensorweave.keras import layers
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import inputs as model_inputs
from tensorweave.keras.applications import tensor_arithmetic
from tensorweave.keras.applications import weights as weights_module
from tensorweave.keras.engine import sequential
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine import training
from tensorweave.keras.engine.base_layer import Layer
from tensorweave.keras.layers import core

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"

# (with the classifier, without it): sha256 of Keras's published files
WEIGHTS_HASHES = {
    "convnext_tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
                      "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "convnext_small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
                       "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "convnext_base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
                      "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "convnext_large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
                       "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "convnext_xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}

# blocks per stage and channels per stage
MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3], "projection_dims": [96, 192, 384, 768],
             "default_size": 224},
    "small": {"depths": [3, 3, 27, 3], "projection_dims": [96, 192, 384, 768],
              "default_size": 224},
    "base": {"depths": [3, 3, 27, 3], "projection_dims": [128, 256, 512, 1024],
             "default_size": 224},
    "large": {"depths": [3, 3, 27, 3], "projection_dims": [192, 384, 768, 1536],
              "default_size": 224},
    "xlarge": {"depths": [3, 3, 27, 3], "projection_dims": [256, 512, 1024, 2048],
               "default_size": 224},
}



class StochasticDepth(Layer):
    """Drops the whole residual branch of a sample with probability drop_path_rate while
    training (scaling the kept ones by 1 / keep probability); identity otherwise."""

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        keep = 1.0 - self.drop_path_rate

        def dropped():
            shape = T.concat([T.shape(x)[:1], T.ones([x.shape.ndims - 1], "int32")], 0)
            mask = T.floor(keep + T.random_uniform(shape, 0.0, 1.0, dtype=x.dtype))
            return (x / keep) * mask

        return core.in_train_phase(dropped, x, training)

    def get_config(self):
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}


class LayerScale(Layer):
    """Multiplies the channels by a learned `gamma` (projection_dim,) set to init_values."""

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape):
        self.gamma = self.add_weight("gamma", shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values),
                                     trainable=True)
        self.built = True

    def call(self, x):
        return x * self.gamma

    def get_config(self):
        return {**super().get_config(), "init_values": self.init_values,
                "projection_dim": self.projection_dim}


def ConvNeXtBlock(projection_dim, drop_path_rate=0.0, layer_scale_init_value=1e-6,
                  name=None):
    """Depthwise 7x7 conv, LayerNorm, Dense x4, GELU, Dense back, LayerScale, residual add."""
    if name is None:
        name = "prestem" + str(backend.get_uid("prestem"))

    def apply(inputs):
        x = layers.Conv2D(filters=projection_dim, kernel_size=7, padding="same",
                          groups=projection_dim, name=name + "_depthwise_conv")(inputs)
        x = layers.LayerNormalization(epsilon=1e-6, name=name + "_layernorm")(x)
        x = layers.Dense(4 * projection_dim, name=name + "_pointwise_conv_1")(x)
        x = layers.Activation("gelu", name=name + "_gelu")(x)
        x = layers.Dense(projection_dim, name=name + "_pointwise_conv_2")(x)
        if layer_scale_init_value is not None:
            x = LayerScale(layer_scale_init_value, projection_dim,
                           name=name + "_layer_scale")(x)
        if drop_path_rate:
            branch = StochasticDepth(drop_path_rate, name=name + "_stochastic_depth")
        else:
            branch = layers.Activation("linear", name=name + "_identity")
        return tensor_arithmetic.add(inputs, branch(x))

    return apply


def PreStem(name=None):
    """Standardizes [0, 255] RGB images with the ImageNet mean and variance."""
    if name is None:
        name = "prestem" + str(backend.get_uid("prestem"))

    def apply(x):
        return layers.Normalization(
            mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
            variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2],
            name=name + "_prestem_normalization")(x)

    return apply


def Head(num_classes=1000, classifier_activation=None, name=None):
    """Global average pooling, LayerNorm and the classifier."""
    if name is None:
        name = str(backend.get_uid("head"))

    def apply(x):
        x = layers.GlobalAveragePooling2D(name=name + "_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=name + "_head_layernorm")(x)
        return layers.Dense(num_classes, activation=classifier_activation,
                            name=name + "_head_dense")(x)

    return apply


def ConvNeXt(depths, projection_dims, drop_path_rate=0.0, layer_scale_init_value=1e-6,
             default_size=224, model_name="convnext", include_preprocessing=True,
             include_top=True, weights=None, input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax"):
    """A ConvNeXt of the given stage depths and widths."""
    weights_module.check_weights(weights)
    weights_module.check_classes(weights, include_top, classes,
                                 "If using `weights` as `'imagenet'` with `include_top` as "
                                 "true, `classes` should be 1000")
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    inputs = model_inputs.source_input(input_tensor, input_shape)
    x = inputs
    if include_preprocessing:
        channel_axis = 3 if backend.image_data_format() == "channels_last" else 1
        if input_shape[channel_axis - 1] == 3:
            x = PreStem(name=model_name)(x)
    stem = sequential.Sequential([
        layers.Conv2D(projection_dims[0], kernel_size=4, strides=4,
                      name=model_name + "_stem_conv"),
        layers.LayerNormalization(epsilon=1e-6, name=model_name + "_stem_layernorm"),
    ], name=model_name + "_stem")
    downsample_layers = [stem]
    for i in range(3):
        downsample_layers.append(sequential.Sequential([
            layers.LayerNormalization(epsilon=1e-6,
                                      name=f"{model_name}_downsampling_layernorm_{i}"),
            layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2,
                          name=f"{model_name}_downsampling_conv_{i}"),
        ], name=f"{model_name}_downsampling_block_{i}"))
    drop_rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    done = 0
    for i in range(4):
        x = downsample_layers[i](x)
        for j in range(depths[i]):
            x = ConvNeXtBlock(projection_dim=projection_dims[i],
                              drop_path_rate=drop_rates[done + j],
                              layer_scale_init_value=layer_scale_init_value,
                              name=f"{model_name}_stage_{i}_block_{j}")(x)
        done += depths[i]
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = Head(num_classes=classes, classifier_activation=classifier_activation,
                 name=model_name)(x)
    else:
        if pooling == "avg":
            x = layers.GlobalAveragePooling2D()(x)
        elif pooling == "max":
            x = layers.GlobalMaxPooling2D()(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    model = training.Model(inputs=inputs, outputs=x, name=model_name)
    if weights == "imagenet":
        return weights_module.load_imagenet(model, include_top, BASE_WEIGHTS_PATH,
                                            WEIGHTS_HASHES[model_name])
    return weights_module.load_weights(model, weights)


def _variant(size, default_name):
    config = MODEL_CONFIGS[size]

    def build(model_name=default_name, include_top=True, include_preprocessing=True,
              weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
              classes=1000, classifier_activation="softmax"):
        return ConvNeXt(depths=config["depths"], projection_dims=config["projection_dims"],
                        drop_path_rate=0.0, layer_scale_init_value=1e-6,
                        default_size=config["default_size"], model_name=model_name,
                        include_top=include_top, include_preprocessing=include_preprocessing,
                        weights=weights, input_tensor=input_tensor, input_shape=input_shape,
                        pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation)

    build.__name__ = build.__qualname__ = "ConvNeXt" + size.capitalize().replace("Xl", "XL")
    build.__doc__ = (f"ConvNeXt {size} (depths {config['depths']}, widths "
                     f"{config['projection_dims']}); inputs are [0, 255] RGB images, "
                     "standardized inside the model when include_preprocessing.")
    return build


ConvNeXtTiny = _variant("tiny", "convnext_tiny")
ConvNeXtSmall = _variant("small", "convnext_small")
ConvNeXtBase = _variant("base", "convnext_base")
ConvNeXtLarge = _variant("large", "convnext_large")
ConvNeXtXLarge = _variant("xlarge", "convnext_xlarge")


def preprocess_input(x, data_format=None):
    """The identity: ConvNeXt models standardize their inputs themselves."""
    return x


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes of each prediction (imagenet_utils.decode_predictions)."""
    return imagenet_utils.decode_predictions(preds, top=top)
