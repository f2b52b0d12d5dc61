"""Model methods that hand on to tf.keras's saving package (tensorweave/keras/saving/):
`save_model(model, filepath, overwrite, include_optimizer, save_format)`,
`save_weights(model, filepath, overwrite=, save_format=)`, `load_weights(model, filepath,
by_name=)` and `load_model(filepath, custom_objects, compile)`.

The saving package sits above the engine (it rebuilds models from configs), so the engine
does not import it: tf.keras.models, which every public route to Model and Sequential loads,
installs it here.
"""
import json

from tensorweave.keras.engine.base_layer import deserialize

KERAS_VERSION = "2.2.4-tf"

_INSTALLED = {}


def install(saving_module):
    """Called by tensorweave.keras.models with tf.keras.saving."""
    _INSTALLED["saving"] = saving_module


def model_config_dict(model):
    """The JSON form Keras writes: class name, config, version and backend."""
    return {"class_name": type(model).__name__, "config": model.get_config(),
            "keras_version": KERAS_VERSION, "backend": "tensorflow"}


def model_from_config(config, custom_objects=None):
    """The model (or layer) a {'class_name', 'config'} dictionary describes."""
    if isinstance(config, list):
        raise TypeError("`model_from_config` expects a dictionary, not a list. Maybe you "
                        "meant to use `Sequential.from_config(config)`?")
    return deserialize(config, custom_objects=custom_objects)


def model_from_json(json_string, custom_objects=None):
    return model_from_config(json.loads(json_string), custom_objects=custom_objects)


def call_saving(function, *args, **kwargs):
    saving = _INSTALLED.get("saving")
    if saving is None:
        raise RuntimeError("tf.keras.saving is not loaded: import tensorweave.keras.models "
                           "(tf.keras.models) before saving or loading a model.")
    return getattr(saving, function)(*args, **kwargs)
