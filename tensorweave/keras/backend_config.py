"""Keras' global settings: floatx, epsilon and the image data format."""

_SETTINGS = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}


def epsilon():
    """The fuzz factor used in numeric expressions (1e-7)."""
    return _SETTINGS["epsilon"]


def set_epsilon(value):
    """Set the fuzz factor."""
    _SETTINGS["epsilon"] = value


def floatx():
    """The default float type, as a string: 'float32'."""
    return _SETTINGS["floatx"]


def set_floatx(value):
    """Set the default float type: 'float16', 'float32' or 'float64'."""
    if value not in {"float16", "float32", "float64"}:
        raise ValueError("Unknown floatx type: " + str(value))
    _SETTINGS["floatx"] = str(value)


def image_data_format():
    """'channels_last' or 'channels_first'."""
    return _SETTINGS["image_data_format"]


def set_image_data_format(data_format):
    """Set 'channels_last' or 'channels_first'."""
    if data_format not in {"channels_last", "channels_first"}:
        raise ValueError("Unknown data_format: " + str(data_format))
    _SETTINGS["image_data_format"] = str(data_format)


def normalize_data_format(value):
    """'channels_last' or 'channels_first' (None means image_data_format())."""
    if value is None:
        value = image_data_format()
    data_format = value.lower()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError("The `data_format` argument must be one of \"channels_first\", "
                         "\"channels_last\". Received: " + str(value))
    return data_format
