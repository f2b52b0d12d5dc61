"""tf.keras.applications: the Keras image models (TF 2.15's architectures and weight names),
built in graph mode; `weights="imagenet"` downloads Keras's published weights (checked).

    model = tf.keras.applications.MobileNetV2(weights=None, input_shape=(96, 96, 3))
"""
from tensorweave.util import lazy

_PACKAGE = "tensorweave.keras.applications"

__getattr__ = lazy.attributes(__name__, {
    # modules
    "convnext": f"{_PACKAGE}.convnext",
    "densenet": f"{_PACKAGE}.densenet",
    "efficientnet": f"{_PACKAGE}.efficientnet",
    "efficientnet_v2": f"{_PACKAGE}.efficientnet_v2",
    "imagenet_utils": f"{_PACKAGE}.imagenet_utils",
    "inception_resnet_v2": f"{_PACKAGE}.inception_resnet_v2",
    "inception_v3": f"{_PACKAGE}.inception_v3",
    "mobilenet": f"{_PACKAGE}.mobilenet",
    "mobilenet_v2": f"{_PACKAGE}.mobilenet_v2",
    "mobilenet_v3": f"{_PACKAGE}.mobilenet_v3",
    "nasnet": f"{_PACKAGE}.nasnet",
    "regnet": f"{_PACKAGE}.regnet",
    "resnet": f"{_PACKAGE}.resnet",
    "resnet50": f"{_PACKAGE}.resnet50",
    "resnet_rs": f"{_PACKAGE}.resnet_rs",
    "resnet_v2": f"{_PACKAGE}.resnet_v2",
    "vgg16": f"{_PACKAGE}.vgg16",
    "vgg19": f"{_PACKAGE}.vgg19",
    "xception": f"{_PACKAGE}.xception",
    # models
    "ConvNeXtBase": f"{_PACKAGE}.convnext:ConvNeXtBase",
    "ConvNeXtLarge": f"{_PACKAGE}.convnext:ConvNeXtLarge",
    "ConvNeXtSmall": f"{_PACKAGE}.convnext:ConvNeXtSmall",
    "ConvNeXtTiny": f"{_PACKAGE}.convnext:ConvNeXtTiny",
    "ConvNeXtXLarge": f"{_PACKAGE}.convnext:ConvNeXtXLarge",
    "DenseNet121": f"{_PACKAGE}.densenet:DenseNet121",
    "DenseNet169": f"{_PACKAGE}.densenet:DenseNet169",
    "DenseNet201": f"{_PACKAGE}.densenet:DenseNet201",
    "EfficientNetB0": f"{_PACKAGE}.efficientnet:EfficientNetB0",
    "EfficientNetB1": f"{_PACKAGE}.efficientnet:EfficientNetB1",
    "EfficientNetB2": f"{_PACKAGE}.efficientnet:EfficientNetB2",
    "EfficientNetB3": f"{_PACKAGE}.efficientnet:EfficientNetB3",
    "EfficientNetB4": f"{_PACKAGE}.efficientnet:EfficientNetB4",
    "EfficientNetB5": f"{_PACKAGE}.efficientnet:EfficientNetB5",
    "EfficientNetB6": f"{_PACKAGE}.efficientnet:EfficientNetB6",
    "EfficientNetB7": f"{_PACKAGE}.efficientnet:EfficientNetB7",
    "EfficientNetV2B0": f"{_PACKAGE}.efficientnet_v2:EfficientNetV2B0",
    "EfficientNetV2B1": f"{_PACKAGE}.efficientnet_v2:EfficientNetV2B1",
    "EfficientNetV2B2": f"{_PACKAGE}.efficientnet_v2:EfficientNetV2B2",
    "EfficientNetV2B3": f"{_PACKAGE}.efficientnet_v2:EfficientNetV2B3",
    "EfficientNetV2L": f"{_PACKAGE}.efficientnet_v2:EfficientNetV2L",
    "EfficientNetV2M": f"{_PACKAGE}.efficientnet_v2:EfficientNetV2M",
    "EfficientNetV2S": f"{_PACKAGE}.efficientnet_v2:EfficientNetV2S",
    "InceptionResNetV2": f"{_PACKAGE}.inception_resnet_v2:InceptionResNetV2",
    "InceptionV3": f"{_PACKAGE}.inception_v3:InceptionV3",
    "MobileNet": f"{_PACKAGE}.mobilenet:MobileNet",
    "MobileNetV2": f"{_PACKAGE}.mobilenet_v2:MobileNetV2",
    "MobileNetV3Large": f"{_PACKAGE}.mobilenet_v3:MobileNetV3Large",
    "MobileNetV3Small": f"{_PACKAGE}.mobilenet_v3:MobileNetV3Small",
    "NASNetLarge": f"{_PACKAGE}.nasnet:NASNetLarge",
    "NASNetMobile": f"{_PACKAGE}.nasnet:NASNetMobile",
    "RegNetX002": f"{_PACKAGE}.regnet:RegNetX002",
    "RegNetX004": f"{_PACKAGE}.regnet:RegNetX004",
    "RegNetX006": f"{_PACKAGE}.regnet:RegNetX006",
    "RegNetX008": f"{_PACKAGE}.regnet:RegNetX008",
    "RegNetX016": f"{_PACKAGE}.regnet:RegNetX016",
    "RegNetX032": f"{_PACKAGE}.regnet:RegNetX032",
    "RegNetX040": f"{_PACKAGE}.regnet:RegNetX040",
    "RegNetX064": f"{_PACKAGE}.regnet:RegNetX064",
    "RegNetX080": f"{_PACKAGE}.regnet:RegNetX080",
    "RegNetX120": f"{_PACKAGE}.regnet:RegNetX120",
    "RegNetX160": f"{_PACKAGE}.regnet:RegNetX160",
    "RegNetX320": f"{_PACKAGE}.regnet:RegNetX320",
    "RegNetY002": f"{_PACKAGE}.regnet:RegNetY002",
    "RegNetY004": f"{_PACKAGE}.regnet:RegNetY004",
    "RegNetY006": f"{_PACKAGE}.regnet:RegNetY006",
    "RegNetY008": f"{_PACKAGE}.regnet:RegNetY008",
    "RegNetY016": f"{_PACKAGE}.regnet:RegNetY016",
    "RegNetY032": f"{_PACKAGE}.regnet:RegNetY032",
    "RegNetY040": f"{_PACKAGE}.regnet:RegNetY040",
    "RegNetY064": f"{_PACKAGE}.regnet:RegNetY064",
    "RegNetY080": f"{_PACKAGE}.regnet:RegNetY080",
    "RegNetY120": f"{_PACKAGE}.regnet:RegNetY120",
    "RegNetY160": f"{_PACKAGE}.regnet:RegNetY160",
    "RegNetY320": f"{_PACKAGE}.regnet:RegNetY320",
    "ResNet101": f"{_PACKAGE}.resnet:ResNet101",
    "ResNet101V2": f"{_PACKAGE}.resnet_v2:ResNet101V2",
    "ResNet152": f"{_PACKAGE}.resnet:ResNet152",
    "ResNet152V2": f"{_PACKAGE}.resnet_v2:ResNet152V2",
    "ResNet50": f"{_PACKAGE}.resnet:ResNet50",
    "ResNet50V2": f"{_PACKAGE}.resnet_v2:ResNet50V2",
    "ResNetRS101": f"{_PACKAGE}.resnet_rs:ResNetRS101",
    "ResNetRS152": f"{_PACKAGE}.resnet_rs:ResNetRS152",
    "ResNetRS200": f"{_PACKAGE}.resnet_rs:ResNetRS200",
    "ResNetRS270": f"{_PACKAGE}.resnet_rs:ResNetRS270",
    "ResNetRS350": f"{_PACKAGE}.resnet_rs:ResNetRS350",
    "ResNetRS420": f"{_PACKAGE}.resnet_rs:ResNetRS420",
    "ResNetRS50": f"{_PACKAGE}.resnet_rs:ResNetRS50",
    "VGG16": f"{_PACKAGE}.vgg16:VGG16",
    "VGG19": f"{_PACKAGE}.vgg19:VGG19",
    "Xception": f"{_PACKAGE}.xception:Xception",
})

# The layer classes the applications define, so load_model finds them in a fresh process (TF
# writes some as "Custom>Name", registered under a package)
LAYER_MODULES = {
    "CustomScaleLayer": f"{_PACKAGE}.inception_resnet_v2",
    "LayerScale": f"{_PACKAGE}.convnext",
    "StochasticDepth": f"{_PACKAGE}.convnext",
    "ScalarArithmetic": f"{_PACKAGE}.mobile_blocks",
    "TensorArithmetic": f"{_PACKAGE}.tensor_arithmetic",
}


def _find_layer(class_name):
    module = LAYER_MODULES.get(class_name.rsplit(">", 1)[-1])
    return getattr(lazy.load(module), class_name.rsplit(">", 1)[-1]) if module else None


def _register_finder():
    from tensorweave.keras.engine import base_layer
    base_layer.LAYER_FINDERS.append(_find_layer)


_register_finder()
