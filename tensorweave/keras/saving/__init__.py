"""tf.keras.saving: save_model / load_model (HDF5, Keras 2.2's layout), weights in HDF5 or
TF checkpoint format, and the (de)serialization helpers.

    model.save("m.h5"); model = tf.keras.models.load_model("m.h5")
    model.save_weights("w.h5"); model.save_weights("ckpt/w")   # TF checkpoint format
"""
import os

import tensorweave.keras.applications  # noqa: F401 - and the applications' own layers
import tensorweave.keras.layers  # noqa: F401 - load_model finds every layer class by name
from tensorweave.keras.saving import hdf5_format
from tensorweave.keras.utils.generic_utils import (custom_object_scope,  # noqa: F401
                                                   deserialize_keras_object,
                                                   get_custom_objects, get_registered_name,
                                                   get_registered_object,
                                                   register_keras_serializable,
                                                   serialize_keras_object)
from tensorweave.lib import paths


def _is_hdf5(filepath):
    if hasattr(filepath, "attrs"):
        return True
    return paths.path_str(filepath).endswith((".h5", ".keras", ".hdf5"))


def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None):
    """Save architecture, weights and training configuration to an HDF5 file."""
    if save_format not in (None, "h5", "keras"):
        raise NotImplementedError(f"save_format={save_format!r}: tensorweave saves whole "
                                  f"models in HDF5 (save_format='h5'); for a SavedModel use "
                                  f"tf.saved_model")
    hdf5_format.save_model_to_hdf5(model, filepath, overwrite, include_optimizer)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002
    """The model saved by save_model (compiled when the file has a training config)."""
    return hdf5_format.load_model_from_hdf5(filepath, custom_objects, compile, safe_mode)


def save_weights(model, filepath, overwrite=True, save_format=None):
    """The model's weights: HDF5 when the name ends in .h5/.keras or save_format='h5', else a
    TF checkpoint holding each weight under its variable name."""
    fmt = save_format or ("h5" if _is_hdf5(filepath) else "tf")
    if fmt in ("h5", "hdf5", "keras"):
        path = paths.path_str(filepath)
        if not overwrite and os.path.isfile(path):
            raise OSError(f"{path} exists and overwrite=False")
        with hdf5_format.open_h5(path, "w") as f:
            hdf5_format.save_weights_to_hdf5_group(f, model.layers)
        return
    if fmt != "tf":
        raise ValueError(f"Unknown format \"{save_format}\". Was expecting one of {{'tf', "
                         f"'h5'}}.")
    from tensorweave.keras import backend as K
    from tensorweave.train import saver as saver_module
    saver = saver_module.Saver(var_list=topology_keys(model))
    saver.save(K.get_session(), paths.path_str(filepath), write_meta_graph=False)


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Load weights saved by save_weights (or the model_weights of a whole-model file)."""
    if _is_hdf5(filepath) or (os.path.isfile(paths.path_str(filepath)) and
                              hdf5_format.h5py_module().is_hdf5(paths.path_str(filepath))):
        with hdf5_format.open_h5(filepath, "r") as f:
            group = f
            if "layer_names" not in f.attrs and "model_weights" in f:
                group = f["model_weights"]
            if by_name:
                hdf5_format.load_weights_from_hdf5_group_by_name(group, model.layers,
                                                                 skip_mismatch)
            else:
                hdf5_format.load_weights_from_hdf5_group(group, model.layers)
        return
    if by_name:
        raise NotImplementedError("Weights may only be loaded based on topology into Models "
                                  "when loading TensorFlow-formatted weights (got "
                                  "by_name=True to load_weights).")
    from tensorweave.keras import backend as K
    from tensorweave.train import saver as saver_module
    saver = saver_module.Saver(var_list=topology_keys(model))
    saver.restore(K.get_session(), paths.path_str(filepath))


def topology_keys(model):
    """{checkpoint key: variable} by position, as TF's object-based checkpoints key a
    model's weights ('layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE'), so a model
    built again (with other variable names) restores them."""
    keys = {}
    for index, layer in enumerate(l for l in model.layers if l.weights):
        for weight in layer.weights:
            short = weight.name.split(":")[0].split("/")[-1]
            keys[f"layer_with_weights-{index}/{short}/.ATTRIBUTES/VARIABLE_VALUE"] = weight
    return keys


def model_from_config(config, custom_objects=None):
    from tensorweave.keras.engine import saving_bridge
    return saving_bridge.model_from_config(config, custom_objects=custom_objects)
