"""tf.keras.applications.resnet_v2: ResNet50V2/101V2/152V2 (He et al., 2016, pre-activation)
with TF 2.15's layer and weight names; `weights="imagenet"` loads Keras's published weights.

    model = tf.keras.applications.ResNet50V2(weights=None, input_shape=(64, 64, 3),
                                             include_top=False)
"""
from tensorweave.keras.applications import imagenet_utils
from tensorweave.keras.applications import resnet


def _resnet_v2(depths, model_name, include_top, weights, input_tensor, input_shape, pooling,
               classes, classifier_activation):
    stack_fn = resnet.stages_fn(resnet.stack2, depths, (2, 2, 2, 1))
    return resnet.ResNet(stack_fn, True, True, model_name, include_top, weights, input_tensor,
                         input_shape, pooling, classes,
                         classifier_activation=classifier_activation)


def ResNet50V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
               pooling=None, classes=1000, classifier_activation="softmax"):
    """ResNet50V2 (stages of 3, 4, 6, 3 bottlenecks); inputs scaled by
    `resnet_v2.preprocess_input`."""
    return _resnet_v2((3, 4, 6, 3), "resnet50v2", include_top, weights, input_tensor,
                      input_shape, pooling, classes, classifier_activation)


def ResNet101V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):
    """ResNet101V2 (stages of 3, 4, 23, 3 bottlenecks)."""
    return _resnet_v2((3, 4, 23, 3), "resnet101v2", include_top, weights, input_tensor,
                      input_shape, pooling, classes, classifier_activation)


def ResNet152V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):
    """ResNet152V2 (stages of 3, 8, 36, 3 bottlenecks)."""
    return _resnet_v2((3, 8, 36, 3), "resnet152v2", include_top, weights, input_tensor,
                      input_shape, pooling, classes, classifier_activation)


def preprocess_input(x, data_format=None):
    """imagenet_utils.preprocess_input in "tf" mode (pixels to [-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """imagenet_utils.decode_predictions."""
    return imagenet_utils.decode_predictions(preds, top=top)
