"""The `weights=` argument of the application models: None, "imagenet" (Keras's published file,
downloaded once into ~/.keras/models and checked against its hash) or a path to a weights file.

    weights.check_weights(weights)                    # before building: ValueError if bad
    model = training.Model(inputs, outputs, name="vgg16")
    weights.load_weights(model, weights, "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
                         BASE_URL + "vgg16_weights_tf_dim_ordering_tf_kernels.h5", file_hash)
"""
import os

from tensorweave.keras import models  # noqa: F401 (installs tf.keras.saving for load_weights)
from tensorweave.keras.utils import data_utils

WEIGHTS_MESSAGE = ("The `weights` argument should be either `None` (random initialization), "
                   "`imagenet` (pre-training on ImageNet), or the path to the weights file to "
                   "be loaded.")


def check_weights(weights, suffix="", allowed=("imagenet",), message=WEIGHTS_MESSAGE):
    """Raises ValueError (Keras's text, then `suffix`) unless `weights` is None, one of
    `allowed`, or the path of an existing file."""
    if weights is None or (isinstance(weights, str) and weights in allowed):
        return
    if isinstance(weights, (str, os.PathLike)) and os.path.exists(weights):
        return
    raise ValueError(message + suffix)


def check_classes(weights, include_top, classes,
                  message='If using `weights` as `"imagenet"` with `include_top` as true, '
                          '`classes` should be 1000'):
    """Raises ValueError when ImageNet weights with the classifier are asked for another number
    of classes than 1000."""
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(message)


def fetch(file_name, url, file_hash):
    """The local path of the published weights file `file_name` (downloaded from `url` into
    ~/.keras/models unless already there with the right hash). Without network, the error
    names the URL and where to put the file by hand."""
    try:
        return data_utils.get_file(file_name, url, cache_subdir="models", file_hash=file_hash)
    except ValueError:
        raise
    except Exception as e:  # get_file's download failure is a plain Exception, as in Keras
        folder = os.path.join(os.path.expanduser(os.path.join("~", ".keras")), "models")
        raise Exception(
            f"Could not download the pretrained weights {file_name} from {url} ({e}). "
            f"Without network access, download that file by hand into {folder}, or pass "
            f"`weights=` the path of a weights file, or `weights=None`.") from None


def load_weights(model, weights, file_name=None, url=None, file_hash=None):
    """Loads `weights` into `model`: nothing for None; for "imagenet", the published file
    `file_name` from `url` (checked against `file_hash`); else `weights` is a file path.
    Returns the model."""
    check_weights(weights, allowed=("imagenet",) if file_name else ())
    if weights is None:
        return model
    if weights == "imagenet":
        model.load_weights(fetch(file_name, url, file_hash))
    else:
        model.load_weights(weights)
    return model


def load_imagenet(model, include_top, base_url, hashes):
    """load_weights of Keras's ImageNet file named after the model (`<name>.h5`, or
    `<name>_notop.h5` without the top) from `base_url`; `hashes`: (with the top, without)."""
    file_name = model.name + (".h5" if include_top else "_notop.h5")
    return load_weights(model, "imagenet", file_name, base_url + file_name,
                        hashes[0 if include_top else 1])


def load_from_url(model, weights, url, file_hash):
    """load_weights with the published file at `url` (named as its last part)."""
    return load_weights(model, weights, url.rsplit("/", 1)[-1], url, file_hash)
