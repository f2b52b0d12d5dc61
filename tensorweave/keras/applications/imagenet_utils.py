"""tf.keras.applications.imagenet_utils: ImageNet input scaling, prediction decoding, and the
checks the application models share (input shape, classifier activation).

    x = imagenet_utils.preprocess_input(images, mode="torch")    # images in [0, 255]
    imagenet_utils.decode_predictions(probs, top=3)  # [[("n02123045", "tabby", 0.71), ...]]
"""
import json
import warnings

import numpy as np

from tensorweave.keras import activations
from tensorweave.keras import backend
from tensorweave.keras.utils import data_utils

CLASS_INDEX = None
CLASS_INDEX_PATH = ("https://storage.googleapis.com/download.tensorflow.org/"
                    "data/imagenet_class_index.json")
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"

# Per-mode channel statistics (RGB order for torch; BGR order for caffe).
_CAFFE_MEAN = (103.939, 116.779, 123.68)
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


def preprocess_input(x, data_format=None, mode="caffe"):
    """Scales a batch of images with values in [0, 255] (a NumPy array, written over when it is
    floating point, or a tensor), 3-D or 4-D with 3 channels.

    mode "caffe": RGB -> BGR, then each channel minus the ImageNet mean; "tf": to [-1, 1];
    "torch": to [0, 1], then each channel standardized with the ImageNet mean and std.
    """
    if mode not in {"caffe", "tf", "torch"}:
        raise ValueError("Expected mode to be one of `caffe`, `tf` or `torch`. "
                         f"Received: mode={mode}")
    if data_format is None:
        data_format = backend.image_data_format()
    elif data_format not in {"channels_first", "channels_last"}:
        raise ValueError("Expected data_format to be one of `channels_first` or "
                         f"`channels_last`. Received: data_format={data_format}")
    if isinstance(x, np.ndarray):
        return _scale_array(x, data_format, mode)
    return _scale_tensor(x, data_format, mode)


def _flip_channels(x, data_format, rank):
    """RGB -> BGR along the channel axis."""
    if data_format == "channels_last":
        return x[..., ::-1]
    if rank == 3:
        return x[::-1, ...]
    return x[:, ::-1, ...]


def _scale_array(x, data_format, mode):
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(backend.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = _flip_channels(x, data_format, x.ndim)
        mean, std = _CAFFE_MEAN, None
    for channel in range(3):
        if data_format == "channels_last":
            index = (Ellipsis, channel)
        elif x.ndim == 3:
            index = (channel, Ellipsis)
        else:
            index = (slice(None), channel, Ellipsis)
        x[index] -= mean[channel]
        if std is not None:
            x[index] /= std[channel]
    return x


def _scale_tensor(x, data_format, mode):
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = _flip_channels(x, data_format, backend.ndim(x))
        mean, std = _CAFFE_MEAN, None
    shift = backend.constant(-np.array(mean))
    if backend.dtype(x) != backend.dtype(shift):
        shift = backend.cast(shift, backend.dtype(x))
    x = backend.bias_add(x, shift, data_format=data_format)
    if std is not None:
        divisor = backend.constant(np.array(std), dtype=backend.dtype(x))
        if data_format == "channels_first":
            divisor = backend.reshape(divisor, (-1, 1, 1))
        x /= divisor
    return x


def decode_predictions(preds, top=5):
    """The `top` ImageNet classes of each row of `preds` (shape (samples, 1000)), as lists of
    (class_name, class_description, score), best first. The class index is downloaded once
    into ~/.keras/models."""
    global CLASS_INDEX
    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array "
                         "of shape (samples, 1000)). Found array with shape: "
                         + str(preds.shape))
    if CLASS_INDEX is None:
        fpath = data_utils.get_file("imagenet_class_index.json", CLASS_INDEX_PATH,
                                    cache_subdir="models", file_hash=CLASS_INDEX_HASH)
        with open(fpath, encoding="utf-8") as f:
            CLASS_INDEX = json.load(f)
    results = []
    for pred in preds:
        best = pred.argsort()[-top:][::-1]
        rows = [tuple(CLASS_INDEX[str(i)]) + (pred[i],) for i in best]
        rows.sort(key=lambda row: row[2], reverse=True)
        results.append(rows)
    return results


def _channels_warning(channels):
    if channels not in {1, 3}:
        warnings.warn("This model usually expects 1 or 3 input channels. However, it was "
                      f"passed an input_shape with {channels} input channels.", stacklevel=3)


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten,
                       weights=None):
    """The model's input shape (without the batch axis): `input_shape` checked against the
    minimum size and the pretrained weights, or the default one. Raises ValueError as Keras."""
    last = data_format != "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[-1] if last else input_shape[0]
        _channels_warning(channels)
        default_shape = ((default_size, default_size, channels) if last
                         else (channels, default_size, default_size))
    else:
        default_shape = (default_size, default_size, 3) if last else (3, default_size,
                                                                      default_size)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default_shape}.  "
                             f"Received: input_shape={input_shape}")
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        channels = input_shape[-1] if last else input_shape[0]
        if channels != 3 and weights == "imagenet":
            raise ValueError("The input must have 3 channels; Received "
                             f"`input_shape={input_shape}`")
        spatial = input_shape[:2] if last else input_shape[1:]
        if any(size is not None and size < min_size for size in spatial):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                             f"input_shape={input_shape}")
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (None, None, 3) if last else (3, None, None)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static "
                         f"`input_shape`. Received: input_shape={input_shape}")
    return input_shape


def correct_pad(inputs, kernel_size):
    """The ((top, bottom), (left, right)) zero padding that makes a stride-2 'valid'
    convolution of `kernel_size` over `inputs` line up as 'same' would."""
    axis = 2 if backend.image_data_format() == "channels_first" else 1
    size = backend.int_shape(inputs)[axis:axis + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    half = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((half[0] - adjust[0], half[0]), (half[1] - adjust[1], half[1]))


def validate_activation(classifier_activation, weights):
    """Raises ValueError unless `classifier_activation` is None or softmax when pretrained
    `weights` are loaded."""
    if weights is None:
        return
    classifier_activation = activations.get(classifier_activation)
    if classifier_activation not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError("Only `None` and `softmax` activations are allowed for the "
                         "`classifier_activation` argument when using pretrained weights, "
                         "with `include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")
