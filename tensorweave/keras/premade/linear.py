"""LinearModel: TF 2.15's premade linear (regression or logit) model,
`activation(sum_i inputs_i @ kernel_i + bias)`, on a tensor, a list of tensors or a dict of
tensors (one kernel per key, keys sorted).

    model = tf.keras.experimental.LinearModel(units=1)
    model.compile("sgd", "mse")
    model.fit({"age": ages, "income": incomes}, y, epochs=3)
"""
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.layers.base import config_of, options
from tensorweave.keras.layers.core import Dense
from tensorweave.keras.premade.inputs import DictInputModel


class LinearModel(DictInputModel):
    """A linear model: kernels start at zero (kernel_initializer="zeros")."""

    def __init__(self, units=1, activation=None, use_bias=True, kernel_initializer="zeros",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.units = units
        self.use_bias = use_bias
        options(self, activation=activation, kernel_initializer=kernel_initializer,
                bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                bias_regularizer=bias_regularizer)
        self.dense_layers = None
        self.bias = None

    def _dense(self, shape, name=None):
        layer = Dense(self.units, use_bias=False, kernel_initializer=self.kernel_initializer,
                      kernel_regularizer=self.kernel_regularizer, name=name)
        layer.build(TensorShape(shape))  # in the model's scope: linear_model/kernel:0
        layer.built = True
        return layer

    def build(self, input_shape):
        if isinstance(input_shape, dict):
            self.dense_layers = [self._dense(input_shape[k], name=k)
                                 for k in sorted(input_shape)]
        elif isinstance(input_shape, (list, tuple)) and input_shape and all(
                isinstance(s, TensorShape) for s in input_shape):
            self.dense_layers = [self._dense(s) for s in input_shape]
        else:
            self.dense_layers = [self._dense(input_shape)]
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=(self.units,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, dtype=self.dtype)
        self.built = True

    def call(self, inputs):
        if self.dense_layers is None:
            self.build({k: TensorShape(v.shape) for k, v in inputs.items()}
                       if isinstance(inputs, dict) else
                       [TensorShape(x.shape) for x in inputs]
                       if isinstance(inputs, (list, tuple)) else TensorShape(inputs.shape))
        if isinstance(inputs, dict):
            names = [layer.name for layer in self.dense_layers]
            missing = set(names) - set(inputs)
            if missing:
                raise ValueError(f"The `inputs` dictionary does not match the structure "
                                 f"expected by the model.\n\tExpected keys: {set(names)}"
                                 f"\n\tReceived keys: {set(inputs)}\n\tMissing keys: "
                                 f"{missing}")
            inputs = [inputs[name] for name in names]
        elif not isinstance(inputs, (list, tuple)):
            inputs = [inputs]
        result = None
        for x, layer in zip(inputs, self.dense_layers):
            out = layer(x)
            result = out if result is None else T.add(result, out)
        if self.use_bias:
            result = T.nn_ops.bias_add(result, self.bias)
        if self.activation is not None:
            return self.activation(result)
        return result

    def get_config(self):
        base = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        return {**base, "units": self.units, **config_of(self, "activation"),
                "use_bias": self.use_bias,
                **config_of(self, "kernel_initializer", "bias_initializer",
                            "kernel_regularizer", "bias_regularizer")}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
