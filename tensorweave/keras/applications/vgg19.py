"""tf.keras.applications.vgg19: VGG19 (Simonyan & Zisserman, 2014), TF 2.15's layer and weight
names; `weights="imagenet"` loads Keras's published weights.

    model = tf.keras.applications.VGG19(weights=None, include_top=False, input_shape=(32, 32, 3))
"""
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import vgg16

WEIGHTS_PATH = vgg16.BASE_URL + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5"
WEIGHTS_PATH_NO_TOP = vgg16.BASE_URL + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
WEIGHTS_HASHES = ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6")

VGG19_BLOCKS = ((64, 2), (128, 2), (256, 4), (512, 4), (512, 4))


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax"):
    """The VGG19 model (224x224 inputs by default; at least 32x32 without the top), expecting
    images scaled by `vgg19.preprocess_input`."""
    return vgg16.build_vgg(VGG19_BLOCKS, "vgg19", include_top, weights, input_tensor,
                           input_shape, pooling, classes, classifier_activation,
                           (WEIGHTS_PATH, WEIGHTS_PATH_NO_TOP), WEIGHTS_HASHES,
                           lambda kind, value: ("  " if kind == "weights" else "")
                           + f"Received: `{kind}={value}.`")


def preprocess_input(x, data_format=None):
    """imagenet_utils.preprocess_input in "caffe" mode (RGB -> BGR, minus the channel means)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    """imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
