"""The tf.keras Layer: weights made in build(), applied by call(), and the nodes that connect
layers into networks (each call on Keras tensors records a Node).

    class Scale(tf.keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", shape=(int(input_shape[-1]),), initializer="ones")
        def call(self, inputs):
            return inputs * self.w
"""
import importlib
import inspect
import re

from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras.engine import resolve, session as K
from tensorweave.ops import math_ops
from tensorweave.ops.array.convert import cast, identity
from tensorweave.ops.array.shapes import shape
from tensorweave.util import nest
from tensorweave.variables import Variable


def to_snake_case(name):
    """'MaxPooling2D' -> 'max_pooling2d'."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    return insecure if insecure[0] != "_" else "private" + insecure


class InputSpec:
    """The ndim, dtype and shape a layer's input must have (None: any)."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None):
        self.dtype = dtype
        self.shape = shape
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = axes or {}

    def __repr__(self):
        spec = [f"dtype={self.dtype}" if self.dtype else "",
                f"shape={self.shape}" if self.shape else "",
                f"ndim={self.ndim}" if self.ndim else "",
                f"max_ndim={self.max_ndim}" if self.max_ndim else "",
                f"min_ndim={self.min_ndim}" if self.min_ndim else "",
                f"axes={self.axes}" if self.axes else ""]
        return f"InputSpec({', '.join(x for x in spec if x)})"


def assert_input_compatibility(input_spec, inputs, layer_name):
    """Keras's ValueErrors when `inputs` do not match the layer's InputSpec(s)."""
    if not input_spec:
        return
    inputs = nest.flatten(inputs)
    specs = nest.flatten(input_spec)
    if len(inputs) != len(specs):
        raise ValueError(f"Layer {layer_name} expects {len(specs)} inputs, but it received "
                         f"{len(inputs)} input tensors. Inputs received: {inputs}")
    for index, (x, spec) in enumerate(zip(inputs, specs)):
        if spec is None:
            continue
        shape = TensorShape(x.shape)
        rank = shape.ndims
        if spec.ndim is not None and rank is not None and rank != spec.ndim:
            raise ValueError(f"Input {index} of layer {layer_name} is incompatible with the "
                             f"layer: expected ndim={spec.ndim}, found ndim={rank}. "
                             f"Full shape received: {shape.as_list()}")
        if spec.max_ndim is not None and rank is not None and rank > spec.max_ndim:
            raise ValueError(f"Input {index} of layer {layer_name} is incompatible with the "
                             f"layer: expected max_ndim={spec.max_ndim}, found ndim={rank}")
        if spec.min_ndim is not None and rank is not None and rank < spec.min_ndim:
            raise ValueError(f"Input {index} of layer {layer_name} is incompatible with the "
                             f"layer: : expected min_ndim={spec.min_ndim}, found ndim={rank}. "
                             f"Full shape received: {shape.as_list()}")
        if spec.dtype is not None and x.dtype.base_dtype.name != spec.dtype:
            raise ValueError(f"Input {index} of layer {layer_name} is incompatible with the "
                             f"layer: expected dtype={spec.dtype}, found dtype={x.dtype}")
        if spec.axes and rank is not None:
            dims = shape.as_list()
            for axis, value in spec.axes.items():
                if value is not None and dims[int(axis)] not in (value, None):
                    raise ValueError(f"Input {index} of layer {layer_name} is incompatible "
                                     f"with the layer: expected axis {axis} of input shape to "
                                     f"have value {value} but received input with shape "
                                     f"{tuple(dims)}")
        if spec.shape is not None and rank is not None:
            for spec_dim, dim in zip(spec.shape, shape.as_list()):
                if spec_dim is not None and dim is not None and spec_dim != dim:
                    raise ValueError(f"Input {index} is incompatible with layer {layer_name}: "
                                     f"expected shape={spec.shape}, found shape="
                                     f"{tuple(shape.as_list())}")


class Node:
    """One call of `outbound_layer` on tensors that other layers (or Inputs) produced."""

    def __init__(self, outbound_layer, inbound_layers, node_indices, tensor_indices,
                 input_tensors, output_tensors, arguments=None, single_input=False,
                 single_output=False):
        self.outbound_layer = outbound_layer
        self.inbound_layers = inbound_layers
        self.node_indices = node_indices
        self.tensor_indices = tensor_indices
        self.input_tensors = input_tensors      # flat lists
        self.output_tensors = output_tensors
        self.arguments = arguments or {}
        input_shapes = [_shape_tuple(x) for x in input_tensors]
        output_shapes = [_shape_tuple(x) for x in output_tensors]
        # As Keras keeps them: one shape for a call on one tensor, else a list.
        self.input_shapes = input_shapes[0] if single_input else input_shapes
        self.output_shapes = output_shapes[0] if single_output else output_shapes
        for layer in inbound_layers:
            if layer is not None:
                layer._outbound_nodes.append(self)  # noqa: SLF001 - the engine's own
        outbound_layer._inbound_nodes.append(self)  # noqa: SLF001

    def iterate_inbound(self):
        return zip(self.inbound_layers, self.node_indices, self.tensor_indices,
                   self.input_tensors)

    def get_config(self):
        return {"outbound_layer": self.outbound_layer.name,
                "inbound_layers": [layer.name for layer in self.inbound_layers],
                "node_indices": self.node_indices, "tensor_indices": self.tensor_indices}


def _shape_tuple(tensor):
    shape = TensorShape(tensor.shape)
    return None if shape.ndims is None else tuple(shape.as_list())


def _takes(function, argument):
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return argument in parameters or any(
        p.kind == p.VAR_KEYWORD for p in parameters.values())


_LAYER_KWARGS = {"input_shape", "batch_input_shape", "batch_size", "weights",
                 "activity_regularizer", "autocast", "input_dim", "input_length"}


LAYER_CLASSES = {}  # class name -> tensorweave's Keras layer (and model) classes
LAYER_FINDERS = []  # class name -> a class or None: namespaces that load layers on first use


def serialize(layer):
    """{'class_name': ..., 'config': layer.get_config()}."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config, custom_objects=None):
    """The layer (or model) a `serialize` dictionary describes; classes come from
    `custom_objects`, the registered custom objects, then tensorweave's own."""
    custom_objects = dict(custom_objects or {})
    registered = importlib.import_module("tensorweave.keras.utils.generic_utils")
    custom_objects = {**registered.get_custom_objects(), **custom_objects}
    class_name = config["class_name"]
    cls = custom_objects.get(class_name) or LAYER_CLASSES.get(class_name)
    for find in LAYER_FINDERS:  # a layer whose module has not loaded yet
        if cls is not None:
            break
        found = find(class_name)
        cls = found if isinstance(found, type) and issubclass(found, Layer) else None
    if cls is None:
        raise ValueError(f"Unknown layer: {class_name}")
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(config["config"], custom_objects=custom_objects)
    return cls.from_config(config["config"])


class Layer:
    """The base class of tf.keras layers (and of Network and Model)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("tensorweave."):
            LAYER_CLASSES.setdefault(cls.__name__, cls)

    def __init__(self, trainable=True, name=None, dtype=None, dynamic=False, **kwargs):
        unknown = set(kwargs) - _LAYER_KWARGS
        if unknown:
            raise TypeError(f"('Keyword argument not understood:', '{sorted(unknown)[0]}')")
        object.__setattr__(self, "_layers", [])
        self.trainable = trainable
        self.stateful = False
        self.built = False
        self.supports_masking = False
        self.input_spec = None
        self._dynamic = dynamic
        self._init_set_name(name)
        self._dtype = None if dtype is None else K.as_dtype(dtype).name
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._updates = []      # (update, inputs or None)
        self._losses = []       # (loss, inputs or None)
        self._callable_losses = []
        self._inbound_nodes = []
        self._outbound_nodes = []
        self._initial_weights = kwargs.get("weights")
        self._activity_regularizer = kwargs.get("activity_regularizer")
        if self._activity_regularizer is not None:
            self._activity_regularizer = resolve.regularizer(self._activity_regularizer)
        if "input_shape" in kwargs or "batch_input_shape" in kwargs:
            if "batch_input_shape" in kwargs:
                batch_input_shape = tuple(kwargs["batch_input_shape"])
            else:
                batch_input_shape = (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
            self._batch_input_shape = batch_input_shape
            if dtype is None:
                self._dtype = K.floatx()

    def _init_set_name(self, name, zero_based=True):
        if name:
            self._name = name
        else:
            self._name = K.unique_object_name(to_snake_case(type(self).__name__))

    # --- tracking sublayers assigned as attributes ----------------------------------------------
    def __setattr__(self, name, value):
        if not name.startswith("__"):
            layers = self.__dict__.get("_layers")
            if layers is not None:
                for item in nest.flatten(value) if isinstance(value, (list, tuple)) else [value]:
                    if isinstance(item, Layer) and item is not self and \
                            not any(item is known for known in layers):
                        layers.append(item)
        object.__setattr__(self, name, value)

    # --- what subclasses define ---------------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        """The output shape for inputs of `input_shape` (by default: the input shape)."""
        return input_shape

    def compute_mask(self, inputs, mask=None):
        if not self.supports_masking:
            if mask is not None and any(m is not None for m in nest.flatten(mask)):
                raise TypeError(f"Layer {self.name} does not support masking, but was passed "
                                f"an input_mask: {mask}")
            return None
        return mask

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable}
        if hasattr(self, "_batch_input_shape"):
            config["batch_input_shape"] = self._batch_input_shape
        config["dtype"] = self._dtype
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    # --- properties ---------------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        return self._dtype

    @property
    def dynamic(self):
        return self._dynamic

    @property
    def activity_regularizer(self):
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, regularizer):
        self._activity_regularizer = regularizer

    def _all_layers(self):
        """This layer's sublayers, depth first, each once."""
        seen, found = set(), []

        def visit(layer):
            for sub in layer._layers:  # noqa: SLF001
                if id(sub) not in seen:
                    seen.add(id(sub))
                    found.append(sub)
                    visit(sub)
        visit(self)
        return found

    @staticmethod
    def _unique(weights):
        seen, out = set(), []
        for w in weights:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        return out

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        weights = list(self._trainable_weights)
        for layer in self._layers:
            weights += layer.trainable_weights
        return self._unique(weights)

    @property
    def non_trainable_weights(self):
        if self.trainable:
            weights = list(self._non_trainable_weights)
            for layer in self._layers:
                weights += layer.non_trainable_weights
        else:
            weights = list(self._trainable_weights) + list(self._non_trainable_weights)
            for layer in self._layers:
                weights += layer.weights
        return self._unique(weights)

    @property
    def weights(self):
        return self._unique(self.trainable_weights + self.non_trainable_weights)

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    @property
    def updates(self):
        if not self.trainable and not self.stateful:
            return []
        updates = [u for u, _ in self._updates]
        for layer in self._layers:
            updates += layer.updates
        return updates

    @property
    def losses(self):
        losses = [loss for loss, _ in self._losses]
        for layer in self._layers:
            losses += layer.losses
        return losses

    def _updates_with_inputs(self):
        pairs = list(self._updates) if (self.trainable or self.stateful) else []
        for layer in self._layers:
            pairs += layer._updates_with_inputs()  # noqa: SLF001
        return pairs

    def _losses_with_inputs(self):
        pairs = list(self._losses)
        for layer in self._layers:
            pairs += layer._losses_with_inputs()  # noqa: SLF001
        return pairs

    def get_updates_for(self, inputs):
        if inputs is None:
            return [u for u, i in self._updates_with_inputs() if i is None]
        wanted = {id(x) for x in nest.flatten(inputs)}
        return [u for u, i in self._updates_with_inputs()
                if i is not None and wanted & {id(x) for x in i}]

    def get_losses_for(self, inputs):
        if inputs is None:
            return [u for u, i in self._losses_with_inputs() if i is None]
        wanted = {id(x) for x in nest.flatten(inputs)}
        return [u for u, i in self._losses_with_inputs()
                if i is not None and wanted & {id(x) for x in i}]

    # --- weights ---------------------------------------------------------------------------------
    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=None, constraint=None, partitioner=None, use_resource=None,
                   synchronization=None, aggregation=None, **kwargs):
        """A variable `<layer>/<name>:0` made by `initializer`; a regularizer's loss joins
        `losses` (and REGULARIZATION_LOSSES)."""
        dtype = K.as_dtype(dtype or self._dtype or K.floatx())
        shape = tuple(int(d) if d is not None else None for d in (shape or ()))
        if trainable is None:
            trainable = True
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating else "zeros"
        initializer = resolve.initializer(initializer)
        regularizer = resolve.regularizer(regularizer) if regularizer is not None else None
        constraint = resolve.constraint(constraint) if constraint is not None else None
        variable = Variable(lambda: initializer(shape, dtype=dtype), dtype=dtype, name=name,
                            trainable=trainable, constraint=constraint)
        if regularizer is not None:
            with name_scope(f"{name}/Regularizer"):
                self.add_loss(regularizer(variable))
        if trainable:
            self._trainable_weights.append(variable)
        else:
            self._non_trainable_weights.append(variable)
        return variable

    add_variable = add_weight

    def add_loss(self, losses, inputs=None):
        if callable(losses) and not isinstance(losses, Tensor):
            self._callable_losses.append(losses)
            losses = losses()
        for loss in nest.flatten(losses):
            if loss is None:
                continue
            loss = convert_to_tensor(loss, dtype="float32") if not isinstance(
                loss, Tensor) else loss
            self._losses.append((loss, None if inputs is None else nest.flatten(inputs)))
            if inputs is None:
                get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)

    def add_update(self, updates, inputs=None):
        if callable(updates):
            updates = updates()
        keyed = None if inputs is None or inputs is False else nest.flatten(inputs)
        for update in nest.flatten(updates):
            self._updates.append((update, keyed))

    def get_weights(self):
        return K.batch_get_value(self.weights)

    def set_weights(self, weights):
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f'You called `set_weights(weights)` on layer "{self.name}" with a '
                             f" weight list of length {len(weights)}, but the layer was "
                             f"expecting {len(params)} weights. Provided weights: "
                             f"{str(weights)[:50]}...")
        for p, w in zip(params, weights):
            if tuple(p.shape.as_list()) != tuple(getattr(w, "shape", ())):
                raise ValueError(f"Layer weight shape {tuple(p.shape.as_list())} not "
                                 f"compatible with provided weight shape "
                                 f"{getattr(w, 'shape', ())}")
        K.batch_set_value(list(zip(params, weights)))

    def count_params(self):
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on {self.name}, but the layer "
                             f"isn't built. You can build it manually via: "
                             f"`{self.name}.build(batch_input_shape)`.")
        total = 0
        for w in self.weights:
            size = 1
            for d in w.shape.as_list():
                size *= d
            total += size
        return int(total)

    # --- calling -------------------------------------------------------------------------------
    def _maybe_build(self, inputs):
        if self.built:
            return
        shapes = nest.map_structure(lambda x: TensorShape(x.shape), inputs)
        if isinstance(shapes, (list, tuple)) and len(shapes) == 1 and \
                not isinstance(inputs, (list, tuple)):
            shapes = shapes[0]
        if self._dtype is None:
            first = nest.flatten(inputs)[0]
            self._dtype = first.dtype.base_dtype.name if first.dtype.is_floating \
                else K.floatx()
        self.build(shapes)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def __call__(self, inputs, *args, **kwargs):
        """Builds the layer on first use, applies `call` and records the Node."""
        flat = nest.flatten(inputs)
        converted = [x if isinstance(x, Tensor) or _is_tensorlike(x) else convert_to_tensor(x)
                     for x in flat]
        converted = [x if isinstance(x, Tensor) else convert_to_tensor(x) for x in converted]
        inputs = nest.pack_sequence_as(inputs, converted)
        keras_inputs = all(K.is_keras_tensor(x) for x in converted)
        assert_input_compatibility(self.input_spec, inputs, self.name)
        previous_mask = None
        if "mask" not in kwargs and _takes(self.call, "mask"):
            masks = [K.keras_mask(x) for x in converted]
            if any(m is not None for m in masks):
                previous_mask = masks[0] if not isinstance(inputs, (list, tuple)) else masks
                kwargs["mask"] = previous_mask
        elif "mask" in kwargs:
            previous_mask = kwargs["mask"]
        if "training" in kwargs and kwargs["training"] is None:
            kwargs.pop("training")
        with name_scope(self._name_scope()):
            if not self.built:
                self._maybe_build(inputs)
            outputs = self.call(inputs, *args, **kwargs)
            if self._activity_regularizer is not None:
                with name_scope("ActivityRegularizer"):
                    for out in nest.flatten(outputs):
                        penalty = self._activity_regularizer(out)
                        batch = cast(shape(out)[0], penalty.dtype.base_dtype)
                        self.add_loss(math_ops.truediv(penalty, batch), inputs=inputs)
        out_mask = self.compute_mask(inputs, previous_mask) if self.supports_masking or \
            type(self).compute_mask is not Layer.compute_mask else None
        flat_out = nest.flatten(outputs)
        flat_in_ids = {id(x) for x in converted}
        flat_out = [identity(o) if id(o) in flat_in_ids else o for o in flat_out]
        outputs = nest.pack_sequence_as(outputs, flat_out)
        flat_masks = nest.flatten(out_mask) if isinstance(out_mask, (list, tuple)) \
            else [out_mask] * len(flat_out)
        for o, m in zip(flat_out, flat_masks):
            if isinstance(o, Tensor):
                K.set_keras_mask(o, m)
        if keras_inputs:
            self._add_inbound_node(converted, flat_out, kwargs,
                                   not isinstance(inputs, (list, tuple)),
                                   not isinstance(outputs, (list, tuple)))
        return outputs

    def _name_scope(self):
        return self.name

    def _add_inbound_node(self, input_tensors, output_tensors, arguments, single_input=False,
                          single_output=False):
        inbound_layers, node_indices, tensor_indices = [], [], []
        for x in input_tensors:
            layer, node_index, tensor_index = K.keras_history(x)
            inbound_layers.append(layer)
            node_indices.append(node_index)
            tensor_indices.append(tensor_index)
        arguments = {k: v for k, v in arguments.items() if k != "mask"}
        Node(self, inbound_layers, node_indices, tensor_indices, list(input_tensors),
             list(output_tensors), arguments, single_input, single_output)
        node_index = len(self._inbound_nodes) - 1
        for i, out in enumerate(output_tensors):
            if isinstance(out, Tensor):
                K.set_keras_history(out, (self, node_index, i))

    # --- node accessors ----------------------------------------------------------------------
    def _node_attr(self, node_index, attr, label):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no input to return."
                                 if label == "input" else
                                 f"Layer {self.name} has no inbound nodes.")
        values = getattr(self._inbound_nodes[node_index], attr)
        return values[0] if isinstance(values, list) and len(values) == 1 else values

    def get_input_at(self, node_index):
        return self._node_attr(node_index, "input_tensors", "input")

    def get_output_at(self, node_index):
        return self._node_attr(node_index, "output_tensors", "output")

    def get_input_shape_at(self, node_index):
        return self._node_attr(node_index, "input_shapes", "input shape")

    def get_output_shape_at(self, node_index):
        return self._node_attr(node_index, "output_shapes", "output shape")

    def get_input_mask_at(self, node_index):
        inputs = self.get_input_at(node_index)
        return [K.keras_mask(x) for x in inputs] if isinstance(inputs, list) \
            else K.keras_mask(inputs)

    def get_output_mask_at(self, node_index):
        outputs = self.get_output_at(node_index)
        return [K.keras_mask(x) for x in outputs] if isinstance(outputs, list) \
            else K.keras_mask(outputs)

    def _single_node(self, what):
        if len(self._inbound_nodes) > 1:
            raise AttributeError(f"Layer {self.name} has multiple inbound nodes, hence the "
                                 f"notion of \"layer {what}\" is ill-defined. Use "
                                 f"`get_{what.replace(' ', '_')}_at(node_index)` instead.")

    @property
    def input(self):
        self._single_node("input")
        return self.get_input_at(0)

    @property
    def output(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has no inbound nodes.")
        self._single_node("output")
        return self.get_output_at(0)

    @property
    def input_shape(self):
        if not self._inbound_nodes:
            raise AttributeError(f'The layer has never been called and thus has no defined '
                                 f'input shape.')
        shapes = {tuple(map(str, n.input_shapes)) for n in self._inbound_nodes}
        if len(shapes) > 1:
            raise AttributeError(f'The layer "{self.name} has multiple inbound nodes, with '
                                 f'different input shapes. Hence the notion of "input shape" '
                                 f'is ill-defined for the layer. Use `get_input_shape_at('
                                 f'node_index)` instead.')
        return self._inbound_nodes[0].input_shapes

    @property
    def output_shape(self):
        if not self._inbound_nodes:
            raise AttributeError("The layer has never been called and thus has no defined "
                                 "output shape.")
        shapes = {tuple(map(str, n.output_shapes)) for n in self._inbound_nodes}
        if len(shapes) > 1:
            raise AttributeError(f'The layer "{self.name}" has multiple inbound nodes, with '
                                 f'different output shapes. Hence the notion of "output shape" '
                                 f'is ill-defined for the layer. Use `get_output_shape_at('
                                 f'node_index)` instead.')
        return self._inbound_nodes[0].output_shapes

    @property
    def input_mask(self):
        return self.get_input_mask_at(0)

    @property
    def output_mask(self):
        return self.get_output_mask_at(0)

    @property
    def inbound_nodes(self):
        return self._inbound_nodes

    @property
    def outbound_nodes(self):
        return self._outbound_nodes

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object at {hex(id(self))}>"


def _is_tensorlike(x):
    return hasattr(x, "dtype") and hasattr(x, "op") and hasattr(x, "graph")
