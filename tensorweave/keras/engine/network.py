"""Network: a graph of layers (the functional API) or a subclass whose `call` composes them.

    inputs = tf.keras.Input(shape=(784,))
    outputs = tf.keras.layers.Dense(10)(tf.keras.layers.Dense(64)(inputs))
    net = Network(inputs, outputs)          # Model adds compile/fit
"""
import inspect
import json

from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras.engine import session as K
from tensorweave.keras.engine.base_layer import Layer, Node, to_snake_case
from tensorweave.keras.engine.input_layer import InputLayer
from tensorweave.util import nest


def node_key(layer, node_index):
    return f"{layer.name}_ib-{node_index}"


def _ancestor_ops(tensors):
    """Every op the `tensors` depend on (their own ops included)."""
    seen = set()
    stack = [t.op for t in tensors]
    while stack:
        op = stack.pop()
        if id(op) in seen:
            continue
        seen.add(id(op))
        stack.extend(t.op for t in op.inputs)
        stack.extend(getattr(op, "control_inputs", ()) or ())
    return seen


def map_graph_network(inputs, outputs):
    """(node keys, nodes by depth, layers in Keras's order, layers by depth) of the graph
    from `inputs` to `outputs`; a ValueError names an input the outputs need but lack."""
    network_nodes = set()
    nodes_depths = {}
    layers_depths = {}
    layer_indices = {}
    nodes_in_decreasing_depth = []

    def build_map(tensor, finished, in_progress, layer, node_index, tensor_index):
        node = layer._inbound_nodes[node_index]  # noqa: SLF001
        if node in in_progress:
            raise ValueError(f"The tensor {tensor} at layer \"{layer.name}\" is part of a "
                             f"cycle.")
        if node in finished:
            return
        network_nodes.add(node_key(layer, node_index))
        if layer not in layer_indices:
            layer_indices[layer] = len(layer_indices)
        in_progress.add(node)
        for inbound_layer, inbound_index, inbound_tensor, x in node.iterate_inbound():
            build_map(x, finished, in_progress, inbound_layer, inbound_index, inbound_tensor)
        finished.add(node)
        in_progress.remove(node)
        nodes_in_decreasing_depth.append(node)

    finished, in_progress = set(), set()
    for x in outputs:
        layer, node_index, tensor_index = K.keras_history(x)
        build_map(x, finished, in_progress, layer, node_index, tensor_index)

    for node in reversed(nodes_in_decreasing_depth):
        depth = nodes_depths.setdefault(node, 0)
        depth = max(depth, layers_depths.get(node.outbound_layer, 0))
        layers_depths[node.outbound_layer] = depth
        nodes_depths[node] = depth
        for inbound_layer, node_index, _, _ in node.iterate_inbound():
            inbound_node = inbound_layer._inbound_nodes[node_index]  # noqa: SLF001
            nodes_depths[inbound_node] = max(depth + 1, nodes_depths.get(inbound_node, 0))

    nodes_by_depth = {}
    for node, depth in nodes_depths.items():
        nodes_by_depth.setdefault(depth, []).append(node)
    layers_by_depth = {}
    for layer, depth in layers_depths.items():
        layers_by_depth.setdefault(depth, []).append(layer)
    layers = []
    for depth in sorted(layers_by_depth, reverse=True):
        group = sorted(layers_by_depth[depth], key=lambda l: layer_indices[l])
        layers.extend(group)

    computable = {id(x) for x in inputs}
    names = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            layer = node.outbound_layer
            if layer and node.inbound_layers:
                for x in node.input_tensors:
                    if id(x) not in computable:
                        raise ValueError(f"Graph disconnected: cannot obtain value for tensor "
                                         f"{x} at layer \"{layer.name}\". The following "
                                         f"previous layers were accessed without issue: "
                                         f"{names}")
                for x in node.output_tensors:
                    computable.add(id(x))
                names.append(layer.name)
    all_names = [layer.name for layer in layers]
    for name in all_names:
        if all_names.count(name) != 1:
            raise ValueError(f'The name "{name}" is used {all_names.count(name)} times in the '
                             f'model. All layer names should be unique.')
    return network_nodes, nodes_by_depth, layers, layers_by_depth


class Network(Layer):
    """A layer made of layers: a functional graph, or a subclass defining `call`."""

    def __init__(self, *args, **kwargs):
        if (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)
                or ("inputs" in kwargs and "outputs" in kwargs)):
            self._init_graph_network(*args, **kwargs)
        else:
            self._init_subclassed_network(**kwargs)

    def _base_init(self, name, dtype=None, trainable=True):
        super().__init__(name=name, dtype=dtype, trainable=trainable)
        self._is_graph_network = False
        self.inputs = []
        self.outputs = []
        self.input_names = []
        self.output_names = []
        self._input_layers = []
        self._output_layers = []
        self._network_nodes = set()
        self._nodes_by_depth = {}
        self._layers_by_depth = {}

    def _init_set_name(self, name, zero_based=True):
        if name:
            self._name = name
        else:
            self._name = K.unique_object_name(to_snake_case(type(self).__name__))

    def _init_subclassed_network(self, name=None, dtype=None, trainable=True, **kwargs):
        if kwargs:
            raise TypeError(f"Keyword argument not understood: {sorted(kwargs)[0]}")
        self._base_init(name, dtype, trainable)

    def _init_graph_network(self, inputs, outputs, name=None, trainable=True):
        self._base_init(name, None, trainable)
        self._build_graph(inputs, outputs)

    def _build_graph(self, inputs, outputs):
        self._nested_inputs = inputs
        self._nested_outputs = outputs
        self.inputs = list(nest.flatten(inputs))
        self.outputs = list(nest.flatten(outputs))
        for x in self.inputs:
            history = K.keras_history(x)
            if history is None:
                raise ValueError(f"Input tensors to a Model must come from "
                                 f"`tf.keras.Input`. Received: {x} (missing previous layer "
                                 f"metadata).")
            if not isinstance(history[0], InputLayer):
                raise ValueError(f"Input tensors to a {type(self).__name__} must come from "
                                 f"`tf.keras.Input`. Received: {x} (missing previous layer "
                                 f"metadata).")
        for x in self.outputs:
            if K.keras_history(x) is None:
                raise ValueError(f"Output tensors to a {type(self).__name__} must be the "
                                 f"output of a TensorFlow `Layer` (thus holding past layer "
                                 f"metadata). Found: {x}")
        self._is_graph_network = True
        self.built = True
        self._output_layers, self._output_coordinates = [], []
        for x in self.outputs:
            layer, node_index, tensor_index = K.keras_history(x)
            self._output_layers.append(layer)
            self._output_coordinates.append((layer, node_index, tensor_index))
        self._input_layers, self._input_coordinates = [], []
        for x in self.inputs:
            layer, node_index, tensor_index = K.keras_history(x)
            self._input_layers.append(layer)
            self._input_coordinates.append((layer, node_index, tensor_index))
        (self._network_nodes, self._nodes_by_depth, layers,
         self._layers_by_depth) = map_graph_network(self.inputs, self.outputs)
        object.__setattr__(self, "_layers", layers)
        self.input_names = [layer.name for layer in self._input_layers]
        self.output_names = [layer.name for layer in self._output_layers]
        self._feed_input_names = [layer.name for layer in self._input_layers
                                  if layer.is_placeholder]
        self._feed_inputs = [x for x, layer in zip(self.inputs, self._input_layers)
                             if layer.is_placeholder]
        self.supports_masking = False
        self._inbound_nodes = [n for n in self._inbound_nodes if n.inbound_layers]
        Node(self, [], [], [], list(self.inputs), list(self.outputs),
             single_input=not isinstance(inputs, (list, tuple)),
             single_output=not isinstance(outputs, (list, tuple)))
        self._ancestors = None

    # --- layers -------------------------------------------------------------------------------
    @property
    def layers(self):
        return list(self._layers)

    def get_layer(self, name=None, index=None):
        """The layer called `name`, or the one at position `index` (bottom-up)."""
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(self.layers)} layers.")
            return self.layers[index]
        if not name:
            raise ValueError("Provide either a layer name or layer index.")
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}")

    @property
    def state_updates(self):
        updates = []
        for layer in self.layers:
            if getattr(layer, "stateful", False):
                updates += layer.updates
        return updates

    def _relevant(self, pairs):
        if not self._is_graph_network:
            return [x for x, _ in pairs]
        if self._ancestors is None:
            self._ancestors = _ancestor_ops(self.outputs)
        return [x for x, inputs in pairs
                if inputs is None or any(id(t.op) in self._ancestors for t in inputs)]

    @property
    def updates(self):
        if not self.trainable and not self.stateful:
            return []
        return self._relevant(self._updates_with_inputs())

    @property
    def losses(self):
        return self._relevant(self._losses_with_inputs())

    def _updates_with_inputs(self):
        pairs = list(self._updates)
        for layer in self._layers:
            if layer.trainable or layer.stateful:
                pairs += layer._updates_with_inputs()  # noqa: SLF001
        return pairs

    @property
    def stateful(self):
        return any(getattr(layer, "stateful", False) for layer in self._layers)

    @stateful.setter
    def stateful(self, value):
        pass

    def reset_states(self):
        for layer in self.layers:
            if hasattr(layer, "reset_states") and getattr(layer, "stateful", False):
                layer.reset_states()

    @property
    def input_spec(self):
        if not self._is_graph_network:
            return None
        specs = []
        for layer in self._input_layers:
            spec = getattr(layer, "input_spec", None)
            specs.extend(spec if isinstance(spec, list) else [spec])
        return specs[0] if len(specs) == 1 else (specs if any(specs) else None)

    @input_spec.setter
    def input_spec(self, value):
        pass

    # --- calling ------------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        if not self._is_graph_network:
            raise NotImplementedError("When subclassing the `Model` class, you should "
                                      "implement a `call` method.")
        outputs = self._run_internal_graph(inputs, training=training, mask=mask)
        return outputs

    def _run_internal_graph(self, inputs, training=None, mask=None):
        inputs = nest.flatten(inputs)
        masks = [None] * len(inputs) if mask is None else nest.flatten(mask)
        tensor_map = {}
        for x, y, m in zip(self.inputs, inputs, masks):
            tensor_map[id(x)] = (y, m)
        for depth in sorted(self._nodes_by_depth, reverse=True):
            for node in self._nodes_by_depth[depth]:
                layer = node.outbound_layer
                if isinstance(layer, InputLayer):
                    continue
                if not all(id(x) in tensor_map for x in node.input_tensors):
                    continue
                computed = [tensor_map[id(x)] for x in node.input_tensors]
                kwargs = dict(node.arguments)
                if training is not None and _accepts(layer.call, "training"):
                    kwargs.setdefault("training", training)
                tensors = [t for t, _ in computed]
                tensor_masks = [m for _, m in computed]
                if _accepts(layer.call, "mask") and any(m is not None for m in tensor_masks):
                    kwargs.setdefault("mask", tensor_masks if len(tensors) > 1
                                      else tensor_masks[0])
                outputs = layer(tensors if len(tensors) > 1 else tensors[0], **kwargs)
                outputs = nest.flatten(outputs)
                for x, y in zip(node.output_tensors, outputs):
                    tensor_map[id(x)] = (y, K.keras_mask(y))
        result = [tensor_map[id(x)][0] for x in self.outputs]
        return nest.pack_sequence_as(self._nested_outputs, result) \
            if isinstance(self._nested_outputs, (list, tuple)) else result[0]

    def compute_output_shape(self, input_shape):
        if not self._is_graph_network:
            raise NotImplementedError
        shapes = [tuple(TensorShape(x.shape).as_list()) for x in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def compute_mask(self, inputs, mask):
        if not self._is_graph_network:
            return None
        masks = [K.keras_mask(x) for x in self.outputs]
        return masks[0] if len(masks) == 1 else masks

    # --- weights ------------------------------------------------------------------------------
    @property
    def weights(self):
        """Each layer's weights in layer order, then the network's own (TF 1.15's order, the
        one get_weights/set_weights and HDF5 files use)."""
        weights = []
        for layer in self.layers:
            weights += layer.weights
        weights += self._trainable_weights + self._non_trainable_weights
        return self._unique(weights)

    variables = weights

    def get_weights(self):
        return K.batch_get_value(self.weights)

    def set_weights(self, weights):
        pairs = []
        weights = list(weights)
        for layer in self.layers:
            count = len(layer.weights)
            pairs += list(zip(layer.weights, weights[:count]))
            weights = weights[count:]
        own = [w for w in self._trainable_weights + self._non_trainable_weights]
        pairs += list(zip(own, weights))
        K.batch_set_value(pairs)

    # --- config and saving ----------------------------------------------------------------------
    def get_config(self):
        if not self._is_graph_network:
            raise NotImplementedError
        node_conversion = {}
        for layer in self.layers:
            kept = 0
            for index in range(len(layer._inbound_nodes)):  # noqa: SLF001
                if node_key(layer, index) in self._network_nodes:
                    node_conversion[node_key(layer, index)] = kept
                    kept += 1
        layer_configs = []
        for layer in self.layers:
            from tensorweave.keras.engine.base_layer import serialize
            layer_config = serialize(layer)
            filtered = []
            for index, node in enumerate(layer._inbound_nodes):  # noqa: SLF001
                if node_key(layer, index) not in self._network_nodes:
                    continue
                if not node.inbound_layers:
                    continue
                data = []
                for inbound_layer, node_index, tensor_index, _ in node.iterate_inbound():
                    new_index = node_conversion.get(node_key(inbound_layer, node_index), 0)
                    data.append([inbound_layer.name, new_index, tensor_index,
                                 _jsonable(node.arguments)])
                filtered.append(data)
            config = {"name": layer.name, "class_name": layer_config["class_name"],
                      "config": layer_config["config"], "inbound_nodes": filtered}
            layer_configs.append(config)

        def coordinates(coords):
            return [[layer.name, node_conversion.get(node_key(layer, node_index), 0),
                     tensor_index] for layer, node_index, tensor_index in coords]
        return {"name": self.name, "layers": layer_configs,
                "input_layers": coordinates(self._input_coordinates),
                "output_layers": coordinates(self._output_coordinates)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A functional model rebuilt from `get_config()`'s dictionary."""
        from tensorweave.keras.engine.base_layer import deserialize as deserialize_layer
        created = {}
        unprocessed = {}

        def add_unprocessed(layer, node_data):
            unprocessed.setdefault(layer, []).append(node_data)

        def output_of(coords):
            """The tensor at [layer name, node index, tensor index], or None if that node
            is not made yet."""
            inbound_name, node_index, tensor_index = coords[:3]
            inbound = created[inbound_name]
            if len(inbound._inbound_nodes) <= node_index:  # noqa: SLF001
                return None
            return inbound._inbound_nodes[node_index].output_tensors[tensor_index]  # noqa

        def is_coords(value):
            return (isinstance(value, (list, tuple)) and len(value) in (3, 4)
                    and isinstance(value[0], str) and value[0] in created
                    and all(isinstance(i, int) for i in value[1:3]))

        def call_arguments(value):
            """Keyword arguments with Keras tensors written as coordinates (Keras 2's
            `{"value": ["input_2", 0, 0]}`) made tensors again; None if one is not made."""
            if is_coords(value):
                return output_of(value)
            if isinstance(value, dict):
                out = {key: call_arguments(item) for key, item in value.items()}
                return None if any(out[k] is None and value[k] is not None for k in out) \
                    else out
            if isinstance(value, (list, tuple)):
                out = [call_arguments(item) for item in value]
                return None if any(o is None and v is not None for o, v in zip(out, value)) \
                    else out
            return value

        def process_node(layer, node_data):
            tensors = []
            kwargs = {}
            for item in node_data:
                tensor = output_of(item)
                kwargs = call_arguments(item[3] if len(item) > 3 else {})
                if tensor is None or kwargs is None:
                    add_unprocessed(layer, node_data)
                    return
                tensors.append(tensor)
            if tensors:
                layer(tensors[0] if len(tensors) == 1 else tensors, **(kwargs or {}))

        for layer_data in config["layers"]:
            layer = deserialize_layer({"class_name": layer_data["class_name"],
                                       "config": layer_data["config"]},
                                      custom_objects=custom_objects)
            created[layer_data["name"]] = layer
            for node_data in layer_data["inbound_nodes"]:
                add_unprocessed(layer, node_data)
        while unprocessed:
            for layer_data in config["layers"]:
                layer = created[layer_data["name"]]
                if layer in unprocessed:
                    for node_data in unprocessed.pop(layer):
                        process_node(layer, node_data)

        def tensors_of(coords):
            out = []
            for name, node_index, tensor_index in coords:
                layer = created[name]
                out.append(layer._inbound_nodes[node_index].output_tensors[tensor_index])  # noqa
            return out
        inputs = tensors_of(config["input_layers"])
        outputs = tensors_of(config["output_layers"])
        return cls(inputs=inputs if len(inputs) > 1 else inputs[0],
                   outputs=outputs if len(outputs) > 1 else outputs[0], name=config.get("name"))

    def to_json(self, **kwargs):
        from tensorweave.keras.engine.saving_bridge import model_config_dict
        return json.dumps(model_config_dict(self), default=_json_default, **kwargs)

    def to_yaml(self, **kwargs):
        try:
            import yaml
        except ImportError as error:
            raise ImportError("Requires yaml module installed (`pip install pyyaml`).") \
                from error
        from tensorweave.keras.engine.saving_bridge import model_config_dict
        return yaml.dump(json.loads(json.dumps(model_config_dict(self),
                                               default=_json_default)), **kwargs)

    def save(self, filepath, overwrite=True, include_optimizer=True, save_format=None):
        from tensorweave.keras.engine.saving_bridge import call_saving
        return call_saving("save_model", self, filepath, overwrite, include_optimizer,
                           save_format)

    def save_weights(self, filepath, overwrite=True, save_format=None):
        from tensorweave.keras.engine.saving_bridge import call_saving
        return call_saving("save_weights", self, filepath, overwrite=overwrite,
                           save_format=save_format)

    def load_weights(self, filepath, by_name=False):
        from tensorweave.keras.engine.saving_bridge import call_saving
        return call_saving("load_weights", self, filepath, by_name=by_name)

    def summary(self, line_length=None, positions=None, print_fn=None):
        """Prints the layers, their output shapes and parameter counts as TF 1.15 does."""
        if not self.built:
            raise ValueError("This model has not yet been built. Build the model first by "
                             "calling `build()` or calling `fit()` with some data, or specify "
                             "an `input_shape` argument in the first layer(s) for automatic "
                             "build.")
        from tensorweave.keras.engine.summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)


def _accepts(function, argument):
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return argument in parameters


def _json_default(obj):
    import numpy as np
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if hasattr(obj, "as_list"):
        return obj.as_list()
    if hasattr(obj, "name") and hasattr(obj, "is_floating"):
        return obj.name
    raise TypeError(f"Not JSON Serializable: {obj!r}")


def _jsonable(arguments):
    return {k: v for k, v in arguments.items() if isinstance(v, (int, float, str, bool,
                                                                  list, tuple, dict))}
