"""Keras models and weights in HDF5, in the layout Keras 2.2 and TF 1.x's tf.keras write:

    /                  attrs keras_version, backend, model_config (JSON), training_config (JSON)
    /model_weights     attrs layer_names, backend, keras_version
        /<layer>       attrs weight_names ['<layer>/kernel:0', ...]
            /<layer>/kernel:0   the values
    /optimizer_weights attrs weight_names; the optimizer's variables by name

A file of `save_weights` is the model_weights group at the root. h5py is an optional extra
(`pip install tensorweave[keras]`). Files are data: configs are JSON, Lambda layers saved as
Python bytecode are refused (nothing in a file is run).
"""
import json
import os

import numpy as np

from tensorweave.core import errors
from tensorweave.keras import backend as K
from tensorweave.lib import paths

KERAS_VERSION = "2.2.4-tf"
HDF5_OBJECT_HEADER_LIMIT = 64512


def h5py_module():
    try:
        import h5py
    except ImportError as error:
        raise ImportError("`save_model`/`load_model` and HDF5 weights need h5py: "
                          "pip install 'tensorweave[keras]' (or pip install h5py)") from error
    return h5py


def open_h5(filepath, mode):
    """h5py.File, with a corrupt or non-HDF5 file reported as DataLossError naming it."""
    h5py = h5py_module()
    path = paths.path_str(filepath) if not hasattr(filepath, "attrs") else filepath
    if mode == "r" and isinstance(path, str):
        if not os.path.exists(path):
            raise OSError(f"Unable to open file (file does not exist): {path!r}")
        if not h5py.is_hdf5(path):
            raise errors.DataLossError(None, None, f"{path} is not an HDF5 file (or it is "
                                                   f"damaged): cannot load a Keras model or "
                                                   f"weights from it")
    try:
        return h5py.File(path, mode)
    except OSError as error:
        if mode == "r":
            raise errors.DataLossError(None, None, f"Cannot read HDF5 file {path}: "
                                                   f"{error}") from error
        raise


def _json_default(obj):
    """JSON for the NumPy and TF values that configs hold."""
    if hasattr(obj, "get_config"):
        return {"class_name": obj.__class__.__name__, "config": obj.get_config()}
    if type(obj).__module__ == np.__name__:
        if isinstance(obj, np.ndarray):
            return obj.tolist()
        return obj.item()
    if callable(obj):
        return obj.__name__
    if hasattr(obj, "name") and hasattr(obj, "is_floating"):  # a DType
        return obj.name
    if hasattr(obj, "as_list"):  # a TensorShape
        return obj.as_list()
    raise TypeError(f"Not JSON Serializable: {obj!r}")


def dumps(value):
    return json.dumps(value, default=_json_default)


def _decode(value):
    if isinstance(value, bytes):
        return value.decode("utf8")
    return value


# --- attributes, chunked as Keras does when they exceed HDF5's header limit ------------------
def save_attributes_to_hdf5_group(group, name, data):
    """group.attrs[name] = data, split into name0, name1, ... when too large."""
    bad = [x for x in data if len(x) > HDF5_OBJECT_HEADER_LIMIT]
    if bad:
        raise RuntimeError("The following attributes cannot be saved to HDF5 file because "
                           f"they are larger than {HDF5_OBJECT_HEADER_LIMIT} bytes: {bad}")
    data_npy = np.asarray(data)
    num_chunks = 1
    chunked = np.array_split(data_npy, num_chunks)
    while any(x.nbytes > HDF5_OBJECT_HEADER_LIMIT for x in chunked):
        num_chunks += 1
        chunked = np.array_split(data_npy, num_chunks)
    if num_chunks > 1:
        for index, chunk in enumerate(chunked):
            group.attrs["%s%d" % (name, index)] = chunk
    else:
        group.attrs[name] = data


def load_attributes_from_hdf5_group(group, name):
    """The list of strings saved under name (or name0, name1, ...)."""
    if name in group.attrs:
        return [_decode(n) for n in group.attrs[name]]
    data, index = [], 0
    while "%s%d" % (name, index) in group.attrs:
        data.extend(_decode(n) for n in group.attrs["%s%d" % (name, index)])
        index += 1
    return data


# --- weights ---------------------------------------------------------------------------------
def save_weights_to_hdf5_group(group, layers):
    """Each layer's weights under group/<layer name>/<weight name>."""
    save_attributes_to_hdf5_group(group, "layer_names",
                                  [layer.name.encode("utf8") for layer in layers])
    group.attrs["backend"] = K.backend().encode("utf8")
    group.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
    # by name, as Keras: "a/b" is created before "a/b/c" makes "a/b" an intermediate group
    for layer in sorted(layers, key=lambda item: item.name):
        layer_group = group.require_group(layer.name)
        weights = layer.weights
        values = K.batch_get_value(weights)
        names = [w.name.encode("utf8") for w in weights]
        save_attributes_to_hdf5_group(layer_group, "weight_names", names)
        for name, value in zip(names, values):
            value = np.asarray(value)
            dataset = layer_group.create_dataset(name.decode("utf8"), value.shape,
                                                 dtype=value.dtype)
            if not value.shape:
                dataset[()] = value
            else:
                dataset[:] = value


def _read_values(layer_group, weight_names, filename):
    values = []
    for weight_name in weight_names:
        if weight_name not in layer_group:
            raise errors.DataLossError(None, None, f"{filename}: weight {weight_name!r} is "
                                                   f"listed but missing from the file")
        values.append(np.asarray(layer_group[weight_name]))
    return values


def _layer_entries(group):
    names = load_attributes_from_hdf5_group(group, "layer_names")
    entries = []
    for name in names:
        if name not in group:
            raise errors.DataLossError(None, None, f"{group.file.filename}: layer {name!r} is "
                                                   f"listed but missing from the file")
        weight_names = load_attributes_from_hdf5_group(group[name], "weight_names")
        entries.append((name, weight_names))
    return entries


def load_weights_from_hdf5_group(group, layers):
    """Set the weights of the layers that have weights, in order, from the group."""
    filename = group.file.filename
    filtered_layers = [layer for layer in layers if layer.weights]
    entries = [(n, w) for n, w in _layer_entries(group) if w]
    if len(entries) != len(filtered_layers):
        raise ValueError(f"You are trying to load a weight file containing {len(entries)} "
                         f"layers into a model with {len(filtered_layers)} layers.")
    pairs = []
    for k, ((name, weight_names), layer) in enumerate(zip(entries, filtered_layers)):
        values = _read_values(group[name], weight_names, filename)
        symbolic = layer.weights
        if len(values) != len(symbolic):
            raise ValueError(f"Layer #{k} (named \"{layer.name}\" in the current model) was "
                             f"found to correspond to layer {name} in the save file. However "
                             f"the new layer {layer.name} expects {len(symbolic)} weights, "
                             f"but the saved weights have {len(values)} elements.")
        pairs += _checked_pairs(layer, symbolic, values, name)
    K.batch_set_value(pairs)


def _checked_pairs(layer, symbolic, values, saved_name, skip_mismatch=False):
    pairs = []
    for weight, value in zip(symbolic, values):
        expected = tuple(weight.shape.as_list())
        if expected != tuple(value.shape):
            if skip_mismatch:
                continue
            raise ValueError(f"Layer \"{layer.name}\" weight {weight.name} has shape "
                             f"{expected}, but the saved weight of layer {saved_name} has "
                             f"shape {tuple(value.shape)}.")
        pairs.append((weight, value))
    return pairs


def load_weights_from_hdf5_group_by_name(group, layers, skip_mismatch=False):
    """Set the weights of layers whose names appear in the file."""
    filename = group.file.filename
    index = {}
    for layer in layers:
        if layer.name:
            index.setdefault(layer.name, []).append(layer)
    pairs = []
    for k, (name, weight_names) in enumerate(_layer_entries(group)):
        values = _read_values(group[name], weight_names, filename)
        for layer in index.get(name, []):
            symbolic = layer.weights
            if len(values) != len(symbolic):
                if skip_mismatch:
                    continue
                raise ValueError(f"Layer #{k} (named \"{layer.name}\") expects "
                                 f"{len(symbolic)} weight(s), but the saved weights have "
                                 f"{len(values)} element(s).")
            pairs += _checked_pairs(layer, symbolic, values, name, skip_mismatch)
    K.batch_set_value(pairs)


# --- whole models ------------------------------------------------------------------------------
def _training_config(model):
    optimizer = model.optimizer
    compile_args = getattr(model, "_compile_args", {}) or {}
    return {
        "optimizer_config": {"class_name": optimizer.__class__.__name__,
                             "config": optimizer.get_config()},
        "loss": model.loss,
        "metrics": compile_args.get("metrics"),
        "weighted_metrics": compile_args.get("weighted_metrics"),
        "sample_weight_mode": compile_args.get("sample_weight_mode"),
        "loss_weights": compile_args.get("loss_weights"),
    }


def save_model_to_hdf5(model, filepath, overwrite=True, include_optimizer=True):
    """Write the model's config, weights and (compiled) training config and optimizer state."""
    from tensorweave.keras import optimizers
    opened_here = not hasattr(filepath, "attrs")
    if opened_here:
        filepath = paths.path_str(filepath)
        if not overwrite and os.path.isfile(filepath):
            raise OSError(f"{filepath} exists and overwrite=False")
        f = open_h5(filepath, "w")
    else:
        f = filepath
    try:
        f.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
        f.attrs["backend"] = K.backend().encode("utf8")
        f.attrs["model_config"] = dumps({"class_name": model.__class__.__name__,
                                         "config": model.get_config()}).encode("utf8")
        save_weights_to_hdf5_group(f.create_group("model_weights"), model.layers)
        optimizer = getattr(model, "optimizer", None)
        if include_optimizer and optimizer is not None:
            if isinstance(optimizer, optimizers.TFOptimizer):
                import warnings
                warnings.warn("TensorFlow optimizers do not make it possible to access "
                              "optimizer attributes or optimizer state after instantiation. "
                              "As a result, we cannot save the optimizer as part of the model "
                              "save file. You will have to compile your model again after "
                              "loading it. Prefer using a Keras optimizer instead (see "
                              "keras.io/optimizers).")
            else:
                f.attrs["training_config"] = dumps(_training_config(model)).encode("utf8")
                weights = optimizer.weights
                if weights:
                    group = f.create_group("optimizer_weights")
                    names = [w.name.encode("utf8") for w in weights]
                    save_attributes_to_hdf5_group(group, "weight_names", names)
                    for name, value in zip(names, K.batch_get_value(weights)):
                        value = np.asarray(value)
                        dataset = group.create_dataset(name.decode("utf8"), value.shape,
                                                       dtype=value.dtype)
                        if not value.shape:
                            dataset[()] = value
                        else:
                            dataset[:] = value
        f.flush()
    finally:
        if opened_here:
            f.close()


def find_bytecode_lambdas(config):
    """Names of Lambda layers in a model config whose function is Python bytecode."""
    found = []
    if isinstance(config, dict):
        if config.get("class_name") == "Lambda" and isinstance(config.get("config"), dict):
            inner = config["config"]
            if inner.get("function_type") == "lambda" or \
                    inner.get("output_shape_type") == "lambda":
                found.append(inner.get("name", "lambda"))
        for value in config.values():
            found += find_bytecode_lambdas(value)
    elif isinstance(config, list):
        for value in config:
            found += find_bytecode_lambdas(value)
    return found


def tf2_config_to_tf1(config):
    """A config written by TF 2.x's Keras in TF 1.15's terms: the functional model's class
    'Functional' is 'Model', and InputLayer's `ragged: False` is dropped."""
    if isinstance(config, list):
        return [tf2_config_to_tf1(c) for c in config]
    if not isinstance(config, dict):
        return config
    config = {k: tf2_config_to_tf1(v) for k, v in config.items()}
    if config.get("class_name") == "Functional":
        config["class_name"] = "Model"
    if config.get("class_name") == "InputLayer" and isinstance(config.get("config"), dict):
        inner = dict(config["config"])
        if inner.get("ragged") is False:
            inner.pop("ragged")
        config["config"] = inner
    return config


def model_from_config_checked(model_config, custom_objects=None, safe_mode=True):
    """The model of a config; Lambdas saved as bytecode are refused (`safe_mode` is accepted
    for Keras's signature: tensorweave never runs code from a file)."""
    from tensorweave.keras import layers  # noqa: F401 (registers the layer classes)
    from tensorweave.keras.engine import saving_bridge
    model_config = tf2_config_to_tf1(model_config)
    lambdas = find_bytecode_lambdas(model_config)
    if lambdas:
        raise ValueError(f"Refusing to load Lambda layer(s) {lambdas} saved as Python "
                         f"bytecode: loading would run code from the file. Define the "
                         f"function at module level, save again, and pass it in "
                         f"custom_objects.")
    return saving_bridge.model_from_config(model_config,
                                           custom_objects=dict(custom_objects or {}))


def load_model_from_hdf5(filepath, custom_objects=None, compile=True,  # noqa: A002
                         safe_mode=True):
    """The model saved in an HDF5 file (compiled with its training config when present)."""
    from tensorweave.keras import optimizers
    opened_here = not hasattr(filepath, "attrs")
    f = open_h5(filepath, "r") if opened_here else filepath
    try:
        model_config = f.attrs.get("model_config")
        if model_config is None:
            raise ValueError("No model found in config file.")
        try:
            model_config = json.loads(_decode(model_config))
        except ValueError as error:
            raise errors.DataLossError(None, None, f"{f.filename}: model_config is not valid "
                                                   f"JSON ({error})") from error
        model = model_from_config_checked(model_config, custom_objects, safe_mode)
        if "model_weights" not in f:
            raise errors.DataLossError(None, None, f"{f.filename}: no model_weights group")
        load_weights_from_hdf5_group(f["model_weights"], model.layers)
        if compile:
            training_config = f.attrs.get("training_config")
            if training_config is None:
                import warnings
                warnings.warn("No training configuration found in save file: the model was "
                              "*not* compiled. Compile it manually.")
                return model
            training_config = json.loads(_decode(training_config))
            optimizer = optimizers.deserialize(training_config["optimizer_config"],
                                               custom_objects=custom_objects)
            loss = _deserialize_nested(training_config.get("loss"), custom_objects)
            model.compile(optimizer=optimizer, loss=loss,
                          metrics=training_config.get("metrics"),
                          weighted_metrics=training_config.get("weighted_metrics"),
                          loss_weights=training_config.get("loss_weights"),
                          sample_weight_mode=training_config.get("sample_weight_mode"))
            if "optimizer_weights" in f:
                group = f["optimizer_weights"]
                names = load_attributes_from_hdf5_group(group, "weight_names")
                values = _read_values(group, names, f.filename)
                restore_optimizer_weights(model, values)
        return model
    finally:
        if opened_here:
            f.close()


def _deserialize_nested(loss, custom_objects):
    """Loss names stay names (the model's compile resolves them); configs become objects."""
    from tensorweave.keras import losses
    if isinstance(loss, dict) and "class_name" in loss and "config" in loss:
        return losses.deserialize(loss, custom_objects=custom_objects)
    if isinstance(loss, str) and custom_objects and loss in custom_objects:
        return custom_objects[loss]
    if isinstance(loss, dict):
        return {k: _deserialize_nested(v, custom_objects) for k, v in loss.items()}
    if isinstance(loss, list):
        return [_deserialize_nested(v, custom_objects) for v in loss]
    return loss


def restore_optimizer_weights(model, values):
    """Build the training graph (which makes the optimizer's variables) and set them."""
    if hasattr(model, "make_train_function"):
        model.make_train_function()
    else:
        model._function("train")  # the engine builds the optimizer's variables here
    try:
        model.optimizer.set_weights(values)
    except ValueError:
        import warnings
        warnings.warn("Error in loading the saved optimizer state. As a result, your model is "
                      "starting with a freshly initialized optimizer.")
