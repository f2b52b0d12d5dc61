"""Dense, Dropout and Flatten layers and their functional forms."""
import numpy as np

from tensorweave import init_ops
from tensorweave.core import dtypes
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.operation import Tensor
from tensorweave.layers.base import Layer
from tensorweave.ops import array, control, math_ops, nn_ops


def training_flag(training):
    """`training` as a Python bool, or None when it is a tensor known only at run time."""
    if isinstance(training, Tensor):
        value = constant_value(training)
        return None if value is None else bool(value)
    return bool(training)


def cond_on_training(training, if_training, otherwise):
    """tf.cond on the boolean tensor `training`: only the branch taken runs."""
    return control.cond(convert_to_tensor(training, dtype=dtypes.bool), if_training,
                                 otherwise)


class Dense(Layer):
    """outputs = activation(inputs @ kernel + bias), over the last axis of `inputs`."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units)
        self._keep_kernel_options(activation, use_bias, kernel_initializer, bias_initializer,
                                  kernel_regularizer, bias_regularizer, kernel_constraint,
                                  bias_constraint)

    def build(self, input_shape):
        last = input_shape[-1].value if input_shape.ndims else None
        if last is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. "
                             "Found `None`.")
        self._add_kernel_and_bias([last, self.units], self.units)

    def call(self, inputs):
        if inputs.shape.ndims is not None and inputs.shape.ndims > 2:  # over the last axis
            flat = array.reshape(inputs, [-1, self.kernel.shape[0].value])
            outer = inputs.shape.as_list()[:-1]
            target = outer + [self.units] if None not in outer else array.concat(
                [array.shape(inputs)[:-1], [self.units]], 0)
            outputs = array.reshape(math_ops.matmul(flat, self.kernel), target)
            outputs.set_shape(outer + [self.units])
        else:
            outputs = math_ops.matmul(inputs, self.kernel)
        if self.use_bias:
            outputs = nn_ops.bias_add(outputs, self.bias)
        return self.activation(outputs) if self.activation is not None else outputs


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None,
          bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable=True, name=None, reuse=None):
    """Functional Dense: `tf.layers.dense(x, 1024, activation=tf.nn.relu)`."""
    layer = Dense(units, activation=activation, use_bias=use_bias,
                  kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                  kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                  activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                  bias_constraint=bias_constraint, trainable=trainable, name=name,
                  _scope=name, _reuse=reuse)
    return layer(inputs)


class Dropout(Layer):
    """Drops inputs with probability `rate` (scaling the rest by 1 / (1 - rate)) when training.

    `training` may be a Python bool or a boolean tensor (then tf.cond picks at run time).
    """

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs, training=False):
        flag = training_flag(training)
        if flag is False or (isinstance(self.rate, (int, float)) and self.rate == 0):
            return array.identity(inputs)

        def dropped():
            return nn_ops.dropout(inputs, rate=self.rate, noise_shape=self.noise_shape,
                                  seed=self.seed)
        if flag:
            return dropped()
        return cond_on_training(training, dropped, lambda: array.identity(inputs))


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """Functional Dropout: `tf.layers.dropout(x, rate=0.4, training=is_training)`."""
    return Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)(inputs,
                                                                         training=training)


class Flatten(Layer):
    """Reshapes inputs to [batch, -1] (channels_first inputs are put channels-last first, so
    both layouts flatten to the same order)."""

    def __init__(self, data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        rank = inputs.shape.ndims
        if self.data_format == "channels_first" and rank is not None and rank > 2:
            inputs = array.transpose(inputs, [0] + list(range(2, rank)) + [1])
        dims = inputs.shape.as_list() if rank is not None else None
        if dims is not None and None not in dims[1:]:
            size = int(np.prod(dims[1:]))
            batch = dims[0] if dims[0] is not None else -1
            return array.reshape(inputs, [batch, size])
        batch = dims[0] if dims is not None and dims[0] is not None else \
            array.shape(inputs)[0]
        return array.reshape(inputs, array.stack([batch, -1]))


def flatten(inputs, name=None, data_format="channels_last"):
    """Functional Flatten."""
    return Flatten(data_format=data_format, name=name)(inputs)
