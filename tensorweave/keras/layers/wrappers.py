"""Layer wrappers: TimeDistributed and Bidirectional."""
import copy

from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import InputSpec, Layer


class Wrapper(Layer):
    """A layer that wraps another (`self.layer`)."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        self.built = True

    @property
    def activity_regularizer(self):
        return getattr(self.layer, "activity_regularizer", None)

    @activity_regularizer.setter
    def activity_regularizer(self, value):
        pass

    def get_config(self):
        from tensorweave.keras.engine.base_layer import serialize
        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tensorweave.keras.engine.base_layer import deserialize
        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)


class TimeDistributed(Wrapper):
    """Applies `layer` to every step of (batch, time, ...) inputs."""

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        if len(shape) < 3:
            raise ValueError(f"`TimeDistributed` Layer should be passed an `input_shape ` with "
                             f"at least 3 dimensions, received: {shape}")
        self.input_spec = InputSpec(shape=[None] + shape[1:])
        if not self.layer.built:
            # built in TimeDistributed's own scope: time_distributed/kernel (as TF 1.15)
            self.layer.build(TensorShape([shape[0]] + shape[2:]))
            self.layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        inner = TensorShape(self.layer.compute_output_shape(
            TensorShape([shape[0]] + shape[2:]))).as_list()
        return TensorShape([inner[0], shape[1]] + inner[1:])

    def call(self, inputs, training=None, mask=None):
        shape = TensorShape(inputs.shape).as_list()
        dynamic = T.shape(inputs)
        flat = T.reshape(inputs, T.concat([[-1], dynamic[2:]], 0))
        flat.set_shape([None] + shape[2:])
        kwargs = {}
        import inspect
        if "training" in inspect.signature(self.layer.call).parameters and \
                training is not None:
            kwargs["training"] = training
        y = self.layer.call(flat, **kwargs)
        out_shape = TensorShape(y.shape).as_list()
        out = T.reshape(y, T.concat([dynamic[:2], T.shape(y)[1:]], 0))
        out.set_shape([shape[0], shape[1]] + out_shape[1:])
        return out


class Bidirectional(Wrapper):
    """Runs an RNN forwards and a copy backwards and merges their outputs."""

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if merge_mode not in ("sum", "mul", "ave", "concat", None):
            raise ValueError(f"Invalid merge mode. Merge mode should be one of "
                             f"{{\"sum\", \"mul\", \"ave\", \"concat\", None}}")
        super().__init__(layer, **kwargs)
        config = layer.get_config()
        self.forward_layer = type(layer).from_config({**config,
                                                      "name": "forward_" + config["name"]})
        if backward_layer is None:
            self.backward_layer = type(layer).from_config(
                {**config, "name": "backward_" + config["name"],
                 "go_backwards": not config.get("go_backwards", False)})
        else:
            self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self._initial_weights = weights

    def build(self, input_shape):
        with T.name_scope(self.forward_layer.name):
            self.forward_layer.build(input_shape)
            self.forward_layer.built = True
        with T.name_scope(self.backward_layer.name):
            self.backward_layer.build(input_shape)
            self.backward_layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape):
        out = self.forward_layer.compute_output_shape(input_shape)
        states = None
        if self.return_state:
            out, states = out[0], out[1:]
        out = TensorShape(out).as_list()
        if self.merge_mode == "concat":
            out[-1] = out[-1] * 2 if out[-1] is not None else None
            out = TensorShape(out)
        elif self.merge_mode is None:
            out = [TensorShape(out), TensorShape(out)]
        else:
            out = TensorShape(out)
        if self.return_state:
            out = (out if isinstance(out, list) else [out]) + list(states) * 2
        return out

    def call(self, inputs, training=None, mask=None, initial_state=None):
        kwargs = {"mask": mask}
        if training is not None:
            kwargs["training"] = training
        if initial_state is not None:
            half = len(initial_state) // 2
            y = self.forward_layer.call(inputs, initial_state=initial_state[:half], **kwargs)
            y_rev = self.backward_layer.call(inputs, initial_state=initial_state[half:],
                                             **kwargs)
        else:
            y = self.forward_layer.call(inputs, **kwargs)
            y_rev = self.backward_layer.call(inputs, **kwargs)
        states = []
        if self.return_state:
            states = y[1:] + y_rev[1:]
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = T.reverse(y_rev, [1])
        if self.merge_mode == "concat":
            output = T.concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = T.add(y, y_rev)
        elif self.merge_mode == "ave":
            output = T.multiply(T.add(y, y_rev), 0.5)
        elif self.merge_mode == "mul":
            output = T.multiply(y, y_rev)
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + list(states)
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.merge_mode is None:
            output_mask = [output_mask, output_mask]
        return output_mask

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return self.forward_layer.trainable_weights + self.backward_layer.trainable_weights

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.forward_layer.weights + self.backward_layer.weights
        return (self.forward_layer.non_trainable_weights +
                self.backward_layer.non_trainable_weights)

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode}


_copy = copy
