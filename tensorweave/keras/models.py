"""tf.keras.models: Model, Sequential, clone_model and the loaders (load_model, save_model,
model_from_json/yaml/config delegate to tf.keras.saving)."""
import json

import tensorweave.keras.layers  # noqa: F401 - model_from_json finds every layer class by name
from tensorweave.keras import saving as saving_module
from tensorweave.keras.engine import saving_bridge
from tensorweave.keras.engine.input_layer import Input, InputLayer
from tensorweave.keras.engine.saving_bridge import call_saving, model_from_config  # noqa: F401
from tensorweave.keras.engine.sequential import Sequential
from tensorweave.keras.engine.training import Model
from tensorweave.keras.engine import session as K
from tensorweave.util import lazy

saving_bridge.install(saving_module)


def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None):
    return call_saving("save_model", model, filepath, overwrite, include_optimizer,
                       save_format)


def load_model(filepath, custom_objects=None, compile=True, **kwargs):  # noqa: A002
    return call_saving("load_model", filepath, custom_objects, compile, **kwargs)


def model_from_json(json_string, custom_objects=None):
    return model_from_config(json.loads(json_string), custom_objects=custom_objects)


def model_from_yaml(yaml_string, custom_objects=None):
    try:
        import yaml
    except ImportError as error:
        raise ImportError("Requires yaml module installed (`pip install pyyaml`).") from error
    return model_from_config(yaml.safe_load(yaml_string), custom_objects=custom_objects)


def _clone_layer(layer):
    return type(layer).from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model of the same architecture with fresh weights (layers rebuilt from their
    configs); `input_tensors` replace the inputs."""
    clone_function = clone_function or _clone_layer
    if isinstance(model, Sequential):
        layers = [clone_function(layer) for layer in model.layers]
        if input_tensors is not None:
            tensors = input_tensors if isinstance(input_tensors, list) else [input_tensors]
            x = tensors[0] if K.is_keras_tensor(tensors[0]) else Input(tensor=tensors[0])
            clone = Sequential(name=model.name + "_clone" if False else None)
            clone.add(K.keras_history(x)[0])
            for layer in layers:
                clone.add(layer)
            return clone
        clone = Sequential(layers=layers)
        if model.inputs and not clone.inputs:
            clone.build(tuple(model.inputs[0].shape.as_list()))
        return clone
    if not model._is_graph_network:  # noqa: SLF001
        raise ValueError("Expected `model` argument to be a functional `Model` instance, but "
                         "got a subclass model instead.")
    new_layers = {}
    tensor_map = {}
    if input_tensors is None:
        inputs = []
        for layer in model._input_layers:  # noqa: SLF001
            x = Input(batch_shape=layer._batch_input_shape,  # noqa: SLF001
                      dtype=layer.dtype, sparse=layer.sparse, name=layer.name)
            inputs.append(x)
    else:
        tensors = input_tensors if isinstance(input_tensors, list) else [input_tensors]
        inputs = [x if K.is_keras_tensor(x) else Input(tensor=x) for x in tensors]
    for original, new in zip(model.inputs, inputs):
        tensor_map[id(original)] = new
    for depth in sorted(model._nodes_by_depth, reverse=True):  # noqa: SLF001
        for node in model._nodes_by_depth[depth]:  # noqa: SLF001
            layer = node.outbound_layer
            if isinstance(layer, InputLayer):
                continue
            if layer not in new_layers:
                new_layers[layer] = clone_function(layer)
            if not all(id(x) in tensor_map for x in node.input_tensors):
                continue
            computed = [tensor_map[id(x)] for x in node.input_tensors]
            outputs = new_layers[layer](computed[0] if len(computed) == 1 else computed,
                                        **node.arguments)
            outputs = outputs if isinstance(outputs, list) else [outputs]
            for x, y in zip(node.output_tensors, outputs):
                tensor_map[id(x)] = y
    outputs = [tensor_map[id(x)] for x in model.outputs]
    return Model(inputs if len(inputs) > 1 else inputs[0],
                 outputs if len(outputs) > 1 else outputs[0], name=model.name)


__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_config",
           "model_from_json", "model_from_yaml", "save_model"]


__getattr__ = lazy.attributes(__name__, {
    "LinearModel": "tensorweave.keras.premade.linear:LinearModel",
    "WideDeepModel": "tensorweave.keras.premade.wide_deep:WideDeepModel",
})
