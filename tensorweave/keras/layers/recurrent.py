"""Recurrent layers: RNN over a cell, SimpleRNN/LSTM/GRU and their cells, StackedRNNCells,
AbstractRNNCell (the base of user cells), and CuDNNLSTM/CuDNNGRU mapped to LSTM/GRU (weights
kernel, recurrent_kernel, bias as TF names them; CuDNN's own bias layout, two biases per gate,
is not reproduced)."""
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras import backend as K
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import InputSpec, Layer
from tensorweave.keras.layers.base import config_of, options
from tensorweave.keras.layers.core import in_train_phase
from tensorweave.util import nest


def _dropout_mask(ones_like, rate, training, count=1):
    def dropped():
        return T.nn_ops.dropout(ones_like, rate=rate)
    masks = [in_train_phase(dropped, ones_like, training) for _ in range(count)]
    return masks if count > 1 else masks[0]


def zero_filled_state(state_size, inputs=None, batch_size=None, dtype=None):
    """Zeros [batch, *size] for each size in the (nested) `state_size`: one tensor for a flat
    size, else the same structure. Batch and dtype come from `inputs` when given."""
    if inputs is not None:
        batch_size = T.shape(inputs)[0]
        dtype = inputs.dtype
    if batch_size is None or dtype is None:
        raise ValueError(f"batch_size and dtype cannot be None while constructing initial "
                         f"state: batch_size={batch_size}, dtype={dtype}")

    def zeros(size):
        dims = [batch_size] + ([size] if isinstance(size, int) else
                               TensorShape(size).as_list())
        if all(isinstance(d, int) for d in dims):
            return T.zeros(dims, dtype=dtype)
        return T.zeros(T.stack(dims), dtype=dtype)
    if isinstance(state_size, (list, tuple)):
        return nest.map_structure(zeros, state_size)
    return zeros(state_size)


class _CellBase(Layer):
    def __init__(self, units, activation, use_bias, kernel_initializer,
                 recurrent_initializer, bias_initializer, kernel_regularizer,
                 recurrent_regularizer, bias_regularizer, kernel_constraint,
                 recurrent_constraint, bias_constraint, dropout, recurrent_dropout, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.use_bias = use_bias
        options(self, activation=activation, kernel_initializer=kernel_initializer,
                recurrent_initializer=recurrent_initializer,
                bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                recurrent_regularizer=recurrent_regularizer,
                bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint)
        self.dropout = min(1., max(0., dropout))
        self.recurrent_dropout = min(1., max(0., recurrent_dropout))
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    def _weights(self, input_dim, gates, bias_initializer=None, bias_shape=None):
        self.kernel = self.add_weight("kernel", shape=(input_dim, self.units * gates),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", shape=(self.units, self.units * gates),
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = self.add_weight("bias", shape=bias_shape or (self.units * gates,),
                                    initializer=bias_initializer or self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """Zeros for every state (what tf.nn.dynamic_rnn starts a Keras cell from)."""
        return zero_filled_state(self.state_size, inputs, batch_size, dtype)

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None

    def _config(self):
        return {"units": self.units, **config_of(self, "activation"),
                "use_bias": self.use_bias,
                **config_of(self, "kernel_initializer", "recurrent_initializer",
                            "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
                            "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                            "bias_constraint"),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout}


class SimpleRNNCell(_CellBase):
    """h = activation(x @ kernel + h @ recurrent_kernel + bias)."""

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., **kwargs):
        super().__init__(units, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         **kwargs)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        self._weights(TensorShape(input_shape).as_list()[-1], 1)

    def call(self, inputs, states, training=None):
        h = states[0] if nest.is_sequence(states) else states
        x = T.matmul(inputs, self.kernel)
        if self.bias is not None:
            x = T.nn_ops.bias_add(x, self.bias)
        out = T.add(x, T.matmul(h, self.recurrent_kernel))
        if self.activation is not None:
            out = self.activation(out)
        return out, [out] if nest.is_sequence(states) else out

    def get_config(self):
        return {**super().get_config(), **self._config()}


class LSTMCell(_CellBase):
    """The LSTM step: gates i, f, c, o in that order along the kernel's last axis."""

    def __init__(self, units, activation="tanh", recurrent_activation="hard_sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., implementation=1,
                 **kwargs):
        super().__init__(units, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         **kwargs)
        options(self, recurrent_activation=recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.implementation = implementation
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def build(self, input_shape):
        bias_initializer = None
        if self.unit_forget_bias:
            base = self.bias_initializer
            units = self.units

            def bias_initializer(shape, dtype=None, partition_info=None):
                return T.concat([base((units,), dtype=dtype),
                                 T.ones((units,), dtype=dtype),
                                 base((units * 2,), dtype=dtype)], 0)
        self._weights(TensorShape(input_shape).as_list()[-1], 4, bias_initializer)

    def call(self, inputs, states, training=None):
        h, c = states[0], states[1]
        z = T.add(T.matmul(inputs, self.kernel), T.matmul(h, self.recurrent_kernel))
        if self.bias is not None:
            z = T.nn_ops.bias_add(z, self.bias)
        zi, zf, zc, zo = T.split(z, 4, axis=1)
        i = self.recurrent_activation(zi)
        f = self.recurrent_activation(zf)
        c = T.add(T.multiply(f, c), T.multiply(i, self.activation(zc)))
        o = self.recurrent_activation(zo)
        h = T.multiply(o, self.activation(c))
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), **self._config(),
                **config_of(self, "recurrent_activation"),
                "unit_forget_bias": self.unit_forget_bias,
                "implementation": self.implementation}


class GRUCell(_CellBase):
    """The GRU step: gates z, r, h (reset_after=False, TF 1.x's default)."""

    def __init__(self, units, activation="tanh", recurrent_activation="hard_sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0., recurrent_dropout=0., implementation=1, reset_after=False,
                 **kwargs):
        super().__init__(units, activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         **kwargs)
        options(self, recurrent_activation=recurrent_activation)
        self.implementation = implementation
        self.reset_after = reset_after
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        input_dim = TensorShape(input_shape).as_list()[-1]
        self._weights(input_dim, 3,
                      bias_shape=(2, 3 * self.units) if self.reset_after else None)

    def call(self, inputs, states, training=None):
        h = states[0] if nest.is_sequence(states) else states  # one tensor from dynamic_rnn
        u = self.units
        x = T.matmul(inputs, self.kernel)
        if self.bias is not None:
            x = T.add(x, self.bias if not self.reset_after else self.bias[0])
        xz, xr, xh = T.split(x, 3, axis=1)
        if self.reset_after:
            r_all = T.matmul(h, self.recurrent_kernel)
            if self.bias is not None:
                r_all = T.add(r_all, self.bias[1])
            rz, rr, rh = T.split(r_all, 3, axis=1)
            z = self.recurrent_activation(T.add(xz, rz))
            r = self.recurrent_activation(T.add(xr, rr))
            hh = self.activation(T.add(xh, T.multiply(r, rh)))
        else:
            rz = T.matmul(h, self.recurrent_kernel[:, :u])
            rr = T.matmul(h, self.recurrent_kernel[:, u:2 * u])
            z = self.recurrent_activation(T.add(xz, rz))
            r = self.recurrent_activation(T.add(xr, rr))
            hh = self.activation(T.add(xh, T.matmul(T.multiply(r, h),
                                                    self.recurrent_kernel[:, 2 * u:])))
        out = T.add(T.multiply(z, h), T.multiply(T.subtract(1., z), hh))
        return out, [out] if nest.is_sequence(states) else out

    def get_config(self):
        return {**super().get_config(), **self._config(),
                **config_of(self, "recurrent_activation"),
                "implementation": self.implementation, "reset_after": self.reset_after}


class AbstractRNNCell(Layer):
    """The base of user-written RNN cells: subclasses give `state_size`, `output_size` and
    `call(inputs, states) -> (output, new_states)`."""

    def call(self, inputs, states):
        raise NotImplementedError("Abstract method")

    @property
    def state_size(self):
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self):
        raise NotImplementedError("Abstract method")

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """Zeros for every state: one tensor for a flat state_size, else a list."""
        return zero_filled_state(self.state_size, inputs, batch_size, dtype)


class StackedRNNCells(Layer):
    """Cells applied one above another within each step. The state is a tuple with each
    cell's state (as TF's); `call` also takes it flat, as the RNN layer passes it."""

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        self.cells = cells

    @property
    def state_size(self):
        return tuple(cell.state_size for cell in self.cells)

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """Each cell's initial state (its own get_initial_state, else zeros), as a tuple."""
        return tuple(cell.get_initial_state(inputs=inputs, batch_size=batch_size, dtype=dtype)
                     if getattr(cell, "get_initial_state", None) is not None else
                     zero_filled_state(cell.state_size, inputs, batch_size, dtype)
                     for cell in self.cells)

    @property
    def output_size(self):
        return getattr(self.cells[-1], "output_size", self.cells[-1].state_size)

    def build(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        for i, cell in enumerate(self.cells):
            with T.name_scope(f"cell_{i}"):
                cell.build(TensorShape(shape))
                cell.built = True
            size = getattr(cell, "output_size", cell.state_size)
            size = size[0] if isinstance(size, (list, tuple)) else size
            shape = shape[:-1] + [size]
        self.built = True

    def call(self, inputs, states, training=None):
        nested = nest.pack_sequence_as(self.state_size, nest.flatten(states))
        new_states = []
        for cell, cell_states in zip(self.cells, nested):
            single = not isinstance(cell_states, (list, tuple))
            inputs, cell_new = cell.call(inputs, [cell_states] if single else cell_states)
            new_states.append(cell_new[0] if single else cell_new)
        return inputs, nest.pack_sequence_as(self.state_size, nest.flatten(new_states))

    def get_config(self):
        from tensorweave.keras.engine.base_layer import serialize
        return {**super().get_config(), "cells": [serialize(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tensorweave.keras.engine.base_layer import deserialize
        cells = [deserialize(c, custom_objects=custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)


class RNN(Layer):
    """Runs `cell` over the time axis of (batch, time, features) inputs."""

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, time_major=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.time_major = time_major
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)
        self.states = None

    def _state_sizes(self):
        """The cell's state sizes, flat (a stacked cell's nested ones in order)."""
        size = self.cell.state_size
        return nest.flatten(size) if isinstance(size, (list, tuple)) else [size]

    def build(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        shape = TensorShape(input_shape).as_list()
        self.input_spec = InputSpec(shape=(None if not self.stateful else shape[0], None,
                                           shape[-1]))
        step_shape = TensorShape([shape[0], shape[-1]])
        if not self.cell.built:
            self.cell.build(step_shape)
            self.cell.built = True
        if self.stateful:
            self.reset_states(batch_size=shape[0])
        self.built = True

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        out_size = getattr(self.cell, "output_size", self._state_sizes()[0])
        if self.return_sequences:
            output = TensorShape([shape[0], shape[1], out_size])
        else:
            output = TensorShape([shape[0], out_size])
        if self.return_state:
            return [output] + [TensorShape([shape[0], s]) for s in self._state_sizes()]
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self._state_sizes())
        return output_mask

    def get_initial_state(self, inputs):
        batch = T.shape(inputs)[0]
        return [T.zeros(T.stack([batch, size]), dtype=inputs.dtype)
                for size in self._state_sizes()]

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        if initial_state is not None:
            states = initial_state if isinstance(initial_state, list) else [initial_state]
            kwargs["initial_state"] = states
        return super().__call__(inputs, **kwargs)

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        if isinstance(inputs, list):
            inputs = inputs[0]
        if initial_state is not None:
            initial = list(initial_state)
        elif self.stateful:
            initial = [T.convert_to_tensor(s) for s in self.states]
        else:
            initial = self.get_initial_state(inputs)
        if len(initial) != len(self._state_sizes()):
            raise ValueError(f"Layer has {len(self._state_sizes())} states but was passed "
                             f"{len(initial)} initial states.")
        cell = self.cell
        rate = getattr(cell, "dropout", 0.)
        recurrent_rate = getattr(cell, "recurrent_dropout", 0.)
        x_mask = _dropout_mask(T.ones_like(inputs[:, 0, :]), rate, training) if rate else None
        h_mask = _dropout_mask(T.ones_like(initial[0]), recurrent_rate, training) \
            if recurrent_rate else None

        def step(x, states):
            states = list(states)
            if x_mask is not None:
                x = T.multiply(x, x_mask)
            if h_mask is not None:
                states[0] = T.multiply(states[0], h_mask)
            output, new_states = cell.call(x, states)
            return output, list(nest.flatten(new_states))
        steps = TensorShape(inputs.shape).as_list()[1]
        last, outputs, states = K.rnn(step, inputs, initial, go_backwards=self.go_backwards,
                                      mask=mask, unroll=self.unroll, input_length=steps,
                                      time_major=self.time_major)
        if self.stateful:
            self.add_update([T.assign(s, n) for s, n in zip(self.states, states)],
                            inputs=inputs)
        output = outputs if self.return_sequences else last
        if self.return_state:
            return [output] + list(states)
        return output

    def reset_states(self, states=None, batch_size=None):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        if self.states is None:
            if batch_size is None:
                raise ValueError("If a RNN is stateful, it needs to know its batch size. "
                                 "Specify the batch size of your input tensors.")
            self.states = [self.add_weight(f"state_{i}", shape=(batch_size, s),
                                           initializer="zeros", trainable=False)
                           for i, s in enumerate(self._state_sizes())]
            return
        import numpy as np
        values = states if states is not None else [np.zeros(tuple(s.shape.as_list()))
                                                    for s in self.states]
        K.batch_set_value(list(zip(self.states, values if isinstance(values, list)
                                   else [values])))

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return self._unique(self.cell.trainable_weights + list(self._trainable_weights))

    @property
    def non_trainable_weights(self):
        own = list(self._non_trainable_weights)
        if not self.trainable:
            return self._unique(self.cell.weights + list(self._trainable_weights) + own)
        return self._unique(self.cell.non_trainable_weights + own)

    @property
    def losses(self):
        return super().losses + self.cell.losses

    def get_config(self):
        from tensorweave.keras.engine.base_layer import serialize
        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "time_major": self.time_major, "cell": serialize(self.cell)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tensorweave.keras.engine.base_layer import deserialize
        cell = deserialize(config.pop("cell"), custom_objects=custom_objects)
        return cls(cell, **config)


_RNN_KEYS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
             "time_major", "name", "trainable", "dtype", "input_shape", "batch_input_shape",
             "batch_size", "weights", "input_dim", "input_length")


def _split_kwargs(kwargs):
    rnn = {k: kwargs.pop(k) for k in list(kwargs) if k in _RNN_KEYS}
    if "input_dim" in rnn or "input_length" in rnn:
        input_dim = rnn.pop("input_dim", None)
        input_length = rnn.pop("input_length", None)
        rnn.setdefault("input_shape", (input_length, input_dim))
    activity = kwargs.pop("activity_regularizer", None)
    if activity is not None:
        rnn["activity_regularizer"] = activity
    return rnn


class _CellRNN(RNN):
    cell_class = None

    def __init__(self, units, **kwargs):
        rnn_kwargs = _split_kwargs(kwargs)
        cell = self.cell_class(units, **kwargs)
        super().__init__(cell, **rnn_kwargs)

    def __getattr__(self, name):
        if name in ("units", "activation", "recurrent_activation", "use_bias",
                    "kernel_initializer", "recurrent_initializer", "bias_initializer",
                    "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
                    "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                    "bias_constraint", "dropout", "recurrent_dropout", "implementation",
                    "reset_after"):
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(name)

    def call(self, inputs, mask=None, training=None, initial_state=None):
        return super().call(inputs, mask=mask, training=training, initial_state=initial_state)

    def get_config(self):
        config = {**self.cell.get_config(), **RNN.get_config(self)}
        config.pop("cell")
        config["name"] = self.name
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config.pop("implementation", None) if cls is SimpleRNN else None
        return cls(**config)


class SimpleRNN(_CellRNN):
    cell_class = SimpleRNNCell


class LSTM(_CellRNN):
    cell_class = LSTMCell


class GRU(_CellRNN):
    cell_class = GRUCell


class CuDNNLSTM(LSTM):
    """LSTM with CuDNN's fixed activations (tanh and sigmoid), run as an LSTM."""

    def __init__(self, units, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, **kwargs):
        super().__init__(units, activation="tanh", recurrent_activation="sigmoid",
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                         kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, **kwargs)


class CuDNNGRU(GRU):
    """GRU with CuDNN's activations and reset_after=True, run as a GRU."""

    def __init__(self, units, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        super().__init__(units, activation="tanh", recurrent_activation="sigmoid",
                         reset_after=True, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, **kwargs)
