"""Sequential: a linear stack of layers.

    model = tf.keras.Sequential([tf.keras.layers.Dense(512, activation="relu",
                                                       input_shape=(784,)),
                                 tf.keras.layers.Dense(10, activation="softmax")])
"""
import numpy as np

from tensorweave.keras.engine import session as K
from tensorweave.keras.engine.base_layer import Layer
from tensorweave.keras.engine.input_layer import Input, InputLayer
from tensorweave.keras.engine.training import Model
from tensorweave.util import nest


class Sequential(Model):
    """Layers applied one after another; built when the first layer knows its input shape."""

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        self._stack = []
        self._is_graph_network = False
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        layers = list(self._layers) if self._is_graph_network else list(self._stack)
        if layers and isinstance(layers[0], InputLayer):
            return layers[1:]
        return layers

    def add(self, layer):
        """Adds `layer` on top (a ValueError for an object that is not a Layer)."""
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. Found: "
                            f"{layer}")
        if any(known.name == layer.name for known in self._stack):
            raise ValueError(f"All layers added to a Sequential model should have unique "
                             f"names. Name \"{layer.name}\" is already the name of a layer in "
                             f"this model. Update the `name` argument to pass a unique name.")
        self.built = False
        if not self._stack:
            if isinstance(layer, InputLayer):
                self._stack.append(layer)
                self._rebuild([layer._inbound_nodes[-1].output_tensors[0]],  # noqa: SLF001
                              [layer._inbound_nodes[-1].output_tensors[0]])  # noqa: SLF001
                return
            batch_shape = getattr(layer, "_batch_input_shape", None)
            if batch_shape is None and isinstance(layer, Model) and layer.inputs:
                batch_shape = tuple(layer.inputs[0].shape.as_list())
            self._stack.append(layer)
            if batch_shape is not None:
                x = Input(batch_shape=batch_shape, dtype=layer.dtype or K.floatx(),
                          name=layer.name + "_input")
                self._stack.insert(0, K.keras_history(x)[0])
                y = layer(x)
                if len(nest.flatten(y)) != 1:
                    raise TypeError("All layers in a Sequential model should have a single "
                                    "output tensor. For multi-output layers, use the "
                                    "functional API.")
                self._rebuild([x], nest.flatten(y))
            return
        self._stack.append(layer)
        if self.outputs:
            y = layer(self.outputs[0])
            if len(nest.flatten(y)) != 1:
                raise TypeError("All layers in a Sequential model should have a single output "
                                "tensor. For multi-output layers, use the functional API.")
            self._rebuild(self.inputs, nest.flatten(y))

    def pop(self):
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        self._stack.pop()
        if not self.layers:
            self.outputs, self.inputs, self._is_graph_network = [], [], False
            self.built = False
            return
        last = self._stack[-1]
        out = last._inbound_nodes[-1].output_tensors  # noqa: SLF001
        self._rebuild(self.inputs, out)

    def _rebuild(self, inputs, outputs):
        self._build_graph(inputs[0], outputs[0])
        self.built = True
        self._functions = {}
        if self._compiled:
            self._compile_graph()

    def _ensure_inputs(self, x):
        if self.inputs:
            return
        array = np.asarray(x[0] if isinstance(x, (list, tuple)) else x)
        self.build((None,) + array.shape[1:], dtype="float32" if array.dtype.kind == "f"
                   else array.dtype.name)

    def build(self, input_shape=None, dtype=None):
        """Builds the stack for inputs of `input_shape` (batch axis included)."""
        if self.inputs:
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        first = self._stack[0]
        x = Input(batch_shape=tuple(input_shape), dtype=dtype or K.floatx(),
                  name=first.name + "_input")
        y = x
        for layer in self._stack:
            y = layer(y)
        self._stack.insert(0, K.keras_history(x)[0])
        self._rebuild([x], nest.flatten(y))

    def call(self, inputs, training=None, mask=None):
        if self._is_graph_network:
            return super().call(inputs, training=training, mask=mask)
        outputs = inputs
        for layer in self.layers:
            kwargs = {}
            if training is not None and "training" in _parameters(layer.call):
                kwargs["training"] = training
            outputs = layer(outputs, **kwargs)
        return outputs

    def get_config(self):
        from tensorweave.keras.engine.base_layer import serialize
        return {"name": self.name, "layers": [serialize(layer) for layer in self.layers]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tensorweave.keras.engine.base_layer import deserialize
        if isinstance(config, dict) and "layers" in config:
            name, layer_configs = config.get("name"), config["layers"]
        else:
            name, layer_configs = None, config
        model = cls(name=name)
        for layer_config in layer_configs:
            model.add(deserialize(layer_config, custom_objects=custom_objects))
        return model

    def predict_proba(self, x, batch_size=32, verbose=0):
        return self.predict(x, batch_size, verbose)

    def predict_classes(self, x, batch_size=32, verbose=0):
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")


def _parameters(function):
    import inspect
    try:
        return inspect.signature(function).parameters
    except (TypeError, ValueError):
        return {}
