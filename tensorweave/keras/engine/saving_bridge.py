"""Model methods that hand on to tf.keras's saving package (tensorweave/keras/saving/):
`save_model(model, filepath, overwrite, include_optimizer, save_format)`,
`save_weights(model, filepath, overwrite=, save_format=)`, `load_weights(model, filepath,
by_name=)` and `load_model(filepath, custom_objects, compile)`."""
import importlib

KERAS_VERSION = "2.2.4-tf"


def model_config_dict(model):
    """The JSON form Keras writes: class name, config, version and backend."""
    return {"class_name": type(model).__name__, "config": model.get_config(),
            "keras_version": KERAS_VERSION, "backend": "tensorflow"}


def call_saving(function, *args, **kwargs):
    saving = importlib.import_module("tensorweave.keras.saving")
    return getattr(saving, function)(*args, **kwargs)
