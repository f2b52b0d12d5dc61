"""WideDeepModel: TF 2.15's premade wide & deep model, `activation(linear(x) + dnn(x))`, with
one optimizer for both parts or two (`compile([linear_optimizer, dnn_optimizer], ...)`).

    model = tf.keras.experimental.WideDeepModel(LinearModel(), dnn)
    model.compile(["ftrl", "adagrad"], "mse")
    model.fit([wide_x, deep_x], y)          # or one input both parts share

As in TF each part's update is made by its optimizer's get_updates on the part's weights, so one
optimizer given for both is applied twice per step (its iterations count twice).
"""
import inspect

from tensorweave.keras import optimizers as keras_optimizers
from tensorweave.keras.engine import resolve
from tensorweave.keras.engine import session as K
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import deserialize, serialize
from tensorweave.keras.layers.base import config_of, options
from tensorweave.keras.premade.inputs import DictInputModel
from tensorweave.util import nest


def _takes_training(layer):
    try:
        return "training" in inspect.signature(layer.call).parameters
    except (TypeError, ValueError):
        return False


class SplitOptimizer:
    """The optimizer of a WideDeepModel: the linear part's weights to one optimizer, the deep
    part's to another (or both to the same). Indexable like TF's [linear, dnn] list."""

    def __init__(self, model, linear_optimizer, dnn_optimizer):
        self.model = model
        self.optimizers = [linear_optimizer, dnn_optimizer]

    def __getitem__(self, index):
        return self.optimizers[index]

    def __len__(self):
        return len(self.optimizers)

    def __iter__(self):
        return iter(self.optimizers)

    def get_updates(self, loss, params):
        wanted = {id(p) for p in params}
        updates = []
        for optimizer, part in zip(self.optimizers, (self.model.linear_model,
                                                     self.model.dnn_model)):
            mine = [w for w in part.trainable_weights if id(w) in wanted]
            if mine:
                updates += list(nest.flatten(optimizer.get_updates(loss=loss, params=mine)))
        return updates

    @property
    def weights(self):
        return [w for o in self.optimizers for w in getattr(o, "weights", [])]

    def get_config(self):
        return self.optimizers[0].get_config()


class WideDeepModel(DictInputModel):
    """linear_model (a LinearModel) and dnn_model (any Keras model) summed, then activation."""

    def __init__(self, linear_model, dnn_model, activation=None, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.linear_model = linear_model
        self.dnn_model = dnn_model
        options(self, activation=activation)

    def call(self, inputs, training=None):
        if not isinstance(inputs, (tuple, list)) or len(inputs) != 2:
            linear_inputs = dnn_inputs = inputs
        else:
            linear_inputs, dnn_inputs = inputs
        linear_output = self.linear_model(linear_inputs)
        if _takes_training(self.dnn_model):
            if training is None:
                training = K.learning_phase()
            dnn_output = self.dnn_model(dnn_inputs, training=training)
        else:
            dnn_output = self.dnn_model(dnn_inputs)
        output = nest.map_structure(T.add, linear_output, dnn_output)
        if self.activation is not None and resolve.serialize("activations",
                                                             self.activation) != "linear":
            return nest.map_structure(self.activation, output)
        return output

    def compile(self, optimizer, loss=None, metrics=None, **kwargs):
        """As Model.compile; `optimizer` may be a [linear, dnn] pair."""
        if isinstance(optimizer, (list, tuple)):
            if len(optimizer) != 2:
                raise ValueError(f"WideDeepModel takes one optimizer or two (linear, dnn). "
                                 f"Received: {optimizer}")
            pair = [keras_optimizers.get(o) for o in optimizer]
        else:
            pair = [keras_optimizers.get(optimizer)] * 2
        super().compile(pair[0], loss=loss, metrics=metrics, **kwargs)
        self.optimizer = SplitOptimizer(self, pair[0], pair[1])

    def get_config(self):
        base = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        return {**base, "linear_model": serialize(self.linear_model),
                "dnn_model": serialize(self.dnn_model), **config_of(self, "activation")}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        linear_model = deserialize(config.pop("linear_model"), custom_objects=custom_objects)
        dnn_model = deserialize(config.pop("dnn_model"), custom_objects=custom_objects)
        return cls(linear_model=linear_model, dnn_model=dnn_model, **config)
