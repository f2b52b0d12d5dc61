"""Convolutional LSTMs (ConvLSTM1D/2D/3D): an LSTM whose input and recurrent transforms are
convolutions, run over the time axis by the Keras RNN.

    x = tf.keras.layers.Input((time, rows, cols, channels))
    y = tf.keras.layers.ConvLSTM2D(8, 3, padding="same", return_sequences=True)(x)

Weights as TF names them: kernel (*kernel_size, in_channels, 4 * filters), recurrent_kernel
(*kernel_size, filters, 4 * filters), bias (4 * filters,), gates i, f, c, o along the last axis.
"""
import numpy as np

from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras import backend as K
from tensorweave.keras.engine import resolve, session
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import InputSpec, Layer
from tensorweave.keras.layers import conv_utils
from tensorweave.keras.layers.base import config_of, options
from tensorweave.keras.layers.core import in_train_phase
from tensorweave.keras.layers.recurrent import RNN

_CELL_OPTIONS = ("kernel_initializer", "recurrent_initializer", "bias_initializer")
_CELL_PENALTIES = ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer")
_CELL_CONSTRAINTS = ("kernel_constraint", "recurrent_constraint", "bias_constraint")


def _gate_masks(ones, rate, training):
    """Four dropout masks (one per gate) of `ones`' shape, applied at training time only."""
    def dropped():
        return T.nn_ops.dropout(ones, rate=rate)
    return [in_train_phase(dropped, ones, training) for _ in range(4)]


class ConvLSTMCell(Layer):
    """One ConvLSTM step over (batch, *spatial, channels) inputs (channels first or last)."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="hard_sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., **kwargs):
        super().__init__(**kwargs)
        if rank > 3:
            raise ValueError(f"Rank {rank} convolutions are not currently implemented. "
                             f"Received: rank={rank}")
        self.rank = rank
        self.filters = int(filters)
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides")
        self.padding = conv_utils.normalize_padding(padding)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate")
        self.use_bias = use_bias
        self.unit_forget_bias = unit_forget_bias
        options(self, activation=activation, recurrent_activation=recurrent_activation,
                **dict(zip(_CELL_OPTIONS, (kernel_initializer, recurrent_initializer,
                                           bias_initializer))),
                **dict(zip(_CELL_PENALTIES, (kernel_regularizer, recurrent_regularizer,
                                             bias_regularizer))),
                **dict(zip(_CELL_CONSTRAINTS, (kernel_constraint, recurrent_constraint,
                                               bias_constraint))))
        self.dropout = min(1., max(0., dropout))
        self.recurrent_dropout = min(1., max(0., recurrent_dropout))
        self.state_size = (self.filters, self.filters)

    def channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def build(self, input_shape):
        input_dim = TensorShape(input_shape).as_list()[self.channel_axis()]
        if input_dim is None:
            raise ValueError("The channel dimension of the inputs (last axis) should be "
                             f"defined. Found None. Full input shape received: "
                             f"input_shape={tuple(TensorShape(input_shape).as_list())}")
        self.kernel_shape = self.kernel_size + (input_dim, self.filters * 4)
        self.kernel = self.add_weight("kernel", shape=self.kernel_shape,
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", shape=self.kernel_size + (self.filters, self.filters * 4),
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:
                base, n = self.bias_initializer, self.filters

                def initializer(shape, dtype=None, partition_info=None):
                    # the forget gate's bias starts at one
                    return T.concat([base((n,), dtype=dtype), T.ones((n,), dtype=dtype),
                                     base((n * 2,), dtype=dtype)], 0)
            self.bias = self.add_weight("bias", shape=(self.filters * 4,),
                                        initializer=initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def convolve(self, x, kernel, strides=None, padding=None, dilation_rate=None):
        """A convolution of this cell's rank and data format."""
        strides = strides or self.strides
        padding = padding or self.padding
        dilation_rate = dilation_rate or self.dilation_rate
        if self.rank == 1:
            return K.conv1d(x, kernel, strides[0], padding, self.data_format, dilation_rate[0])
        if self.rank == 2:
            return K.conv2d(x, kernel, strides, padding, self.data_format, dilation_rate)
        return K.conv3d(x, kernel, strides, padding, self.data_format, dilation_rate)

    def input_conv(self, x, kernel, bias=None, padding="valid"):
        out = self.convolve(x, kernel, padding=padding)
        if bias is not None:
            out = K.bias_add(out, bias, data_format=self.data_format)
        return out

    def recurrent_conv(self, h, kernel):
        ones = (1,) * self.rank
        return self.convolve(h, kernel, strides=ones, padding="same", dilation_rate=ones)

    def call(self, inputs, states, training=None, dropout_masks=None,
             recurrent_dropout_masks=None):
        h, c = states[0], states[1]
        xs = [T.multiply(inputs, m) for m in dropout_masks] if dropout_masks \
            else [inputs] * 4
        hs = [T.multiply(h, m) for m in recurrent_dropout_masks] if recurrent_dropout_masks \
            else [h] * 4
        kernels = T.split(self.kernel, 4, axis=self.rank + 1)
        recurrent_kernels = T.split(self.recurrent_kernel, 4, axis=self.rank + 1)
        biases = T.split(self.bias, 4, axis=0) if self.use_bias else [None] * 4
        z = [T.add(self.input_conv(x, k, b, padding=self.padding), self.recurrent_conv(r, rk))
             for x, k, b, r, rk in zip(xs, kernels, biases, hs, recurrent_kernels)]
        i = self.recurrent_activation(z[0])
        f = self.recurrent_activation(z[1])
        c = T.add(T.multiply(f, c), T.multiply(i, self.activation(z[2])))
        o = self.recurrent_activation(z[3])
        h = T.multiply(o, self.activation(c))
        return h, [h, c]

    def options_config(self):
        """The convolution and LSTM options, as the layers' get_config lists them."""
        return {"filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                **config_of(self, "activation", "recurrent_activation"),
                "use_bias": self.use_bias, **config_of(self, *_CELL_OPTIONS),
                "unit_forget_bias": self.unit_forget_bias}

    def get_config(self):
        return {**super().get_config(), **self.options_config(),
                **config_of(self, *_CELL_PENALTIES, *_CELL_CONSTRAINTS),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout}


class ConvRNN(RNN):
    """The Keras RNN over a convolutional cell: inputs (batch, time, *spatial, channels)."""

    def __init__(self, rank, cell, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        if unroll:
            raise TypeError(f"Unrolling is not possible with convolutional RNNs. Received: "
                            f"unroll={unroll}")
        if isinstance(cell, (list, tuple)):
            raise TypeError(f"It is not possible at the moment to stack convolutional cells. "
                            f"Only pass a single cell instance as the `cell` argument. "
                            f"Received: cell={cell}")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         **kwargs)
        self.rank = rank
        self.input_spec = InputSpec(ndim=rank + 3)

    def _spatial_output(self, input_shape):
        cell = self.cell
        dims = input_shape[3:] if cell.data_format == "channels_first" \
            else input_shape[2:-1]
        return [conv_utils.conv_output_length(d, cell.kernel_size[i], cell.padding,
                                              cell.strides[i], cell.dilation_rate[i])
                for i, d in enumerate(dims)]

    def _state_shape(self, input_shape):
        spatial = self._spatial_output(input_shape)
        if self.cell.data_format == "channels_first":
            return [input_shape[0], self.cell.filters] + spatial
        return [input_shape[0]] + spatial + [self.cell.filters]

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list) and input_shape \
                and not isinstance(input_shape[0], (int, type(None))):
            input_shape = input_shape[0]
        shape = TensorShape(input_shape).as_list()
        state = self._state_shape(shape)
        output = state[:1] + [shape[1]] + state[1:] if self.return_sequences else state
        if self.return_state:
            return [TensorShape(output)] + [TensorShape(state) for _ in range(2)]
        return TensorShape(output)

    def build(self, input_shape):
        if isinstance(input_shape, list) and input_shape \
                and not isinstance(input_shape[0], (int, type(None))):
            input_shape = input_shape[0]
        shape = TensorShape(input_shape).as_list()
        self._built_input_shape = shape
        self.input_spec = InputSpec(shape=[shape[0] if self.stateful else None, None]
                                    + shape[2:self.rank + 3])
        if not self.cell.built:
            self.cell.build(TensorShape([shape[0]] + shape[2:]))
            self.cell.built = True
        if self.stateful:
            self.reset_states()
        self.built = True

    def get_initial_state(self, inputs):
        # zeros of the state's shape: a convolution of zeros, as TF computes it
        summed = T.reduce_sum(T.zeros_like(inputs), axis=1)
        shape = list(self.cell.kernel_shape)
        shape[-1] = self.cell.filters
        state = self.cell.input_conv(summed, T.zeros(tuple(shape), dtype=summed.dtype),
                                     padding=self.cell.padding)
        return [state, state]

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        if isinstance(inputs, list):
            inputs = inputs[0]
        if isinstance(mask, list):
            mask = mask[0]
        if initial_state is not None:
            initial = list(initial_state)
        elif self.stateful:
            initial = [T.convert_to_tensor(s) for s in self.states]
        else:
            initial = self.get_initial_state(inputs)
        if len(initial) != 2:
            raise ValueError(f"Layer has 2 states but was passed {len(initial)} initial "
                             f"states.")
        cell = self.cell
        x_masks = h_masks = None
        if 0 < cell.dropout < 1:
            x_masks = _gate_masks(T.ones_like(inputs[:, 0]), cell.dropout, training)
        if 0 < cell.recurrent_dropout < 1:
            h_masks = _gate_masks(T.ones_like(initial[0]), cell.recurrent_dropout, training)

        def step(x, states):
            return cell.call(x, list(states)[:2], dropout_masks=x_masks,
                             recurrent_dropout_masks=h_masks)
        steps = TensorShape(inputs.shape).as_list()[1]
        last, outputs, states = K.rnn(step, inputs, initial, go_backwards=self.go_backwards,
                                      mask=mask, input_length=steps)
        if self.stateful:
            self.add_update([T.assign(s, n) for s, n in zip(self.states, states)],
                            inputs=inputs)
        output = outputs if self.return_sequences else last
        if self.return_state:
            return [output] + list(states)
        return output

    def reset_states(self, states=None):
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        shape = self._state_shape(list(self.input_spec.shape[:1])
                                  + list(getattr(self, "_built_input_shape", [None] * 2)[1:]))
        if None in shape:
            raise ValueError("If a RNN is stateful, it needs to know its batch size. Specify "
                             "the batch size of your input tensors: \n- If using a Sequential "
                             "model, specify the batch size by passing a `batch_input_shape` "
                             "argument to your first layer.\n- If using the functional API, "
                             "specify the time dimension by passing a `batch_shape` argument "
                             "to your Input layer.\nThe same thing goes for the number of "
                             "rows and columns.")
        if self.states is None:
            self.states = [K.zeros(tuple(shape)) for _ in range(2)]
            return
        if states is None:
            values = [np.zeros(shape, np.float32) for _ in range(2)]
        else:
            values = list(states) if isinstance(states, (list, tuple)) else [states]
            if len(values) != 2:
                raise ValueError(f"Layer {self.name} expects 2 states, but it received "
                                 f"{len(values)} state values. States received: {states}")
            for index, value in enumerate(values):
                if tuple(np.shape(value)) != tuple(shape):
                    raise ValueError(f"State {index} is incompatible with layer {self.name}: "
                                     f"expected shape={tuple(shape)}, found shape="
                                     f"{np.shape(value)}")
        K.batch_set_value(list(zip(self.states, values)))


class ConvLSTM(ConvRNN):
    """The N-D convolutional LSTM layer (ConvLSTM1D/2D/3D set `rank`)."""

    rank = None
    default_name = None

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="hard_sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, dropout=0.,
                 recurrent_dropout=0., **kwargs):
        rank = type(self).rank
        cell = ConvLSTMCell(rank, filters, kernel_size, strides=strides, padding=padding,
                            data_format=data_format, dilation_rate=dilation_rate,
                            activation=activation, recurrent_activation=recurrent_activation,
                            use_bias=use_bias, kernel_initializer=kernel_initializer,
                            recurrent_initializer=recurrent_initializer,
                            bias_initializer=bias_initializer,
                            unit_forget_bias=unit_forget_bias,
                            kernel_regularizer=kernel_regularizer,
                            recurrent_regularizer=recurrent_regularizer,
                            bias_regularizer=bias_regularizer,
                            kernel_constraint=kernel_constraint,
                            recurrent_constraint=recurrent_constraint,
                            bias_constraint=bias_constraint, dropout=dropout,
                            recurrent_dropout=recurrent_dropout, name="conv_lstm_cell",
                            dtype=kwargs.get("dtype"))
        if not kwargs.get("name"):
            # TF names these conv_lstm2d, not by its generic rule (conv_lst_m2d)
            kwargs["name"] = session.unique_object_name(self.default_name)
        if activity_regularizer is not None:
            kwargs["activity_regularizer"] = resolve.regularizer(activity_regularizer)
        super().__init__(rank, cell, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, **kwargs)

    def __getattr__(self, name):
        if name in ("filters", "kernel_size", "strides", "padding", "data_format",
                    "dilation_rate", "activation", "recurrent_activation", "use_bias",
                    "unit_forget_bias", "dropout", "recurrent_dropout",
                    *_CELL_OPTIONS, *_CELL_PENALTIES, *_CELL_CONSTRAINTS):
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(name)

    def call(self, inputs, mask=None, training=None, initial_state=None):
        return super().call(inputs, mask=mask, training=training, initial_state=initial_state)

    def get_config(self):
        config = RNN.get_config(self)
        config.pop("cell")
        cell = self.cell
        return {**config, **cell.options_config(),
                **config_of(cell, *_CELL_PENALTIES),
                "activity_regularizer": resolve.serialize("regularizers",
                                                          self.activity_regularizer),
                **config_of(cell, *_CELL_CONSTRAINTS),
                "dropout": cell.dropout, "recurrent_dropout": cell.recurrent_dropout}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


class ConvLSTM1D(ConvLSTM):
    """ConvLSTM over (batch, time, steps, channels) inputs."""
    rank = 1
    default_name = "conv_lstm1d"


class ConvLSTM2D(ConvLSTM):
    """ConvLSTM over (batch, time, rows, cols, channels) inputs."""
    rank = 2
    default_name = "conv_lstm2d"


class ConvLSTM3D(ConvLSTM):
    """ConvLSTM over (batch, time, dim1, dim2, dim3, channels) inputs."""
    rank = 3
    default_name = "conv_lstm3d"
