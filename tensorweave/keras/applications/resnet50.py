"""tf.keras.applications.resnet50: ResNet50 and its preprocess_input/decode_predictions (the
same objects as in tf.keras.applications.resnet)."""
from tensorweave.keras.applications.resnet import (ResNet50, decode_predictions,  # noqa: F401
                                                   preprocess_input)

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
