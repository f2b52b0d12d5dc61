"""tf.keras.applications.vgg16: VGG16 (Simonyan & Zisserman, 2014), TF 2.15's layer and weight
names; `weights="imagenet"` loads Keras's published weights.

    model = tf.keras.applications.VGG16(weights=None, include_top=False, pooling="avg",
                                        input_shape=(64, 64, 3))
"""
from tensorweave.keras import backend
from tensorweave.keras import layers
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import inputs
from tensorweave.keras.applications import weights as weights_module
from tensorweave.keras.engine import training

BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"
WEIGHTS_PATH = BASE_URL + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5"
WEIGHTS_PATH_NO_TOP = BASE_URL + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
WEIGHTS_HASHES = ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc")

# filters of each block and how many 3x3 convolutions it has
VGG16_BLOCKS = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))


def build_vgg(blocks, model_name, include_top, weights, input_tensor, input_shape, pooling,
              classes, classifier_activation, urls, hashes, received):
    """A VGG network of `blocks` ((filters, convolutions), ...), named `model_name`;
    `received(kind, value)` completes Keras's error messages for bad weights/classes."""
    weights_module.check_weights(weights, suffix=received("weights", weights))
    weights_module.check_classes(
        weights, include_top, classes,
        message='If using `weights` as `"imagenet"` with `include_top` as true, `classes` '
                "should be 1000.  " + received("classes", classes))
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    image = inputs.image_input(input_tensor, input_shape)
    x = image
    for block, (filters, convolutions) in enumerate(blocks, start=1):
        for index in range(1, convolutions + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{index}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = training.Model(inputs.model_inputs(input_tensor, image), x, name=model_name)
    url = urls[0] if include_top else urls[1]
    return weights_module.load_from_url(model, weights, url,
                                        hashes[0] if include_top else hashes[1])


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax"):
    """The VGG16 model (224x224 inputs by default; at least 32x32 without the top), expecting
    images scaled by `vgg16.preprocess_input`."""
    return build_vgg(VGG16_BLOCKS, "vgg16", include_top, weights, input_tensor, input_shape,
                     pooling, classes, classifier_activation,
                     (WEIGHTS_PATH, WEIGHTS_PATH_NO_TOP), WEIGHTS_HASHES,
                     lambda kind, value: f"  Received: {kind}={value}" if kind == "weights"
                     else f"Received `{kind}={value}`")


def preprocess_input(x, data_format=None):
    """imagenet_utils.preprocess_input in "caffe" mode (RGB -> BGR, minus the channel means)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    """imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
