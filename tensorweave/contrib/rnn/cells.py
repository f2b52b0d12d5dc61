"""The cells and wrappers tf.contrib.rnn adds to tf.nn.rnn_cell, with TF 1.15's variable
names: GRUBlockCell (`w_ru`, `b_ru`, `w_c`, `b_c`) and GRUBlockCellV2 (GRUCell's names),
LayerNormBasicLSTMCell (`kernel`, `input/gamma`, ...), and the wrappers that project, embed,
attend over past outputs or add highway connections.

    cell = tf.contrib.rnn.OutputProjectionWrapper(tf.contrib.rnn.GRUCell(64), vocab_size)
"""
import math

from tensorweave import init_ops
from tensorweave.core.graph import get_default_graph
from tensorweave.nn.rnn_cell import (GRUCell, LSTMStateTuple, RNNCell, SizedCell, input_depth,
                                     zero_state_tensors)
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.nn import conv_nd
from tensorweave.ops import array, conv_ops, math_ops, nn_ops, norm_ops
from tensorweave.util import nest
from tensorweave.variable_scope import get_variable, get_variable_scope, variable_scope

__all__ = ["GRUBlockCell", "GRUBlockCellV2", "LayerNormBasicLSTMCell", "linear",
           "OutputProjectionWrapper", "InputProjectionWrapper", "EmbeddingWrapper",
           "AttentionCellWrapper", "HighwayWrapper"]


def linear(args, output_size, bias, bias_initializer=None, kernel_initializer=None):
    """concat(args, 1) @ kernel (+ bias): the variables `kernel` [depth, output_size] and
    `bias` [output_size] (zeros by default) of the current variable scope."""
    args = args if nest.is_sequence(args) else [args]
    depth = 0
    for a in args:
        if a.shape.ndims != 2:
            raise ValueError(f"linear is expecting 2D arguments: {[x.shape for x in args]}")
        if a.shape[1].value is None:
            raise ValueError(f"linear expects shape[1] to be provided for shape {a.shape}, "
                             f"but saw {a.shape[1]}")
        depth += a.shape[1].value
    dtype = args[0].dtype
    kernel = get_variable("kernel", [depth, output_size], dtype=dtype,
                          initializer=kernel_initializer)
    res = math_ops.matmul(args[0] if len(args) == 1 else array.concat(list(args), 1), kernel)
    if not bias:
        return res
    biases = get_variable("bias", [output_size], dtype=dtype,
                          initializer=bias_initializer or
                          init_ops.constant_initializer(0.0, dtype=dtype))
    return nn_ops.bias_add(res, biases)


class GRUBlockCell(GRUCell):
    """tf.contrib.rnn.GRUBlockCell: the GRU (as GRUCell computes it, tanh candidate) with the
    variables `w_ru`, `b_ru` (ones), `w_c` and `b_c` (zeros) of TF's fused GRU op."""

    def __init__(self, num_units=None, cell_size=None, reuse=None, name="gru_cell"):
        if (cell_size is None) == (num_units is None):
            raise ValueError("Exactly one of num_units or cell_size must be provided.")
        num_units = cell_size if num_units is None else num_units
        super().__init__(num_units, reuse=reuse, name=name)

    def build(self, inputs_shape):
        depth, n = input_depth(inputs_shape), self._num_units
        self._gate_kernel = self.add_variable("w_ru", [depth + n, 2 * n])
        self._gate_bias = self.add_variable("b_ru", [2 * n],
                                            initializer=init_ops.constant_initializer(1.0))
        self._candidate_kernel = self.add_variable("w_c", [depth + n, n])
        self._candidate_bias = self.add_variable("b_c", [n],
                                                 initializer=init_ops.constant_initializer(0.0))


class GRUBlockCellV2(GRUBlockCell):
    """tf.contrib.rnn.GRUBlockCellV2: GRUBlockCell with GRUCell's variable names
    (`gates/kernel`, `gates/bias`, `candidate/kernel`, `candidate/bias`)."""

    def build(self, inputs_shape):
        GRUCell.build(self, inputs_shape)


class LayerNormBasicLSTMCell(RNNCell):
    """The basic LSTM with layer normalization of its four gates and its new memory (Ba et al.
    2016) and optional recurrent dropout on the candidate (Semeniuta et al. 2016)."""

    _default_name = "layer_norm_basic_lstm_cell"

    def __init__(self, num_units, forget_bias=1.0, input_size=None, activation=math_ops.tanh,
                 layer_norm=True, norm_gain=1.0, norm_shift=0.0, dropout_keep_prob=1.0,
                 dropout_prob_seed=None, reuse=None):
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._activation = activation
        self._forget_bias = forget_bias
        self._keep_prob = dropout_keep_prob
        self._seed = dropout_prob_seed
        self._layer_norm = layer_norm
        self._norm_gain = norm_gain
        self._norm_shift = norm_shift

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

    def _norm(self, inp, scope):
        """Layer normalization of `inp` over its last axis with `<scope>/gamma`, `beta`."""
        shape = inp.shape[-1:]
        with variable_scope(scope):
            gamma = get_variable("gamma", shape=shape, dtype=inp.dtype,
                                 initializer=init_ops.constant_initializer(self._norm_gain))
            beta = get_variable("beta", shape=shape, dtype=inp.dtype,
                                initializer=init_ops.constant_initializer(self._norm_shift))
            with get_default_graph().name_scope("LayerNorm"):
                mean, variance = nn_ops.moments(inp, [1], keep_dims=True)
                return norm_ops.batch_normalization(inp, mean, variance, offset=beta,
                                                    scale=gamma, variance_epsilon=1e-12)

    def call(self, inputs, state):
        c, h = state
        args = array.concat([inputs, h], 1)
        out_size = 4 * self._num_units
        kernel = get_variable("kernel", [args.shape[-1].value, out_size], dtype=args.dtype)
        concat = math_ops.matmul(args, kernel)
        if not self._layer_norm:
            concat = nn_ops.bias_add(concat, get_variable("bias", [out_size], dtype=args.dtype))
        i, j, f, o = array.split(concat, 4, axis=1)
        if self._layer_norm:
            i = self._norm(i, "input")
            j = self._norm(j, "transform")
            f = self._norm(f, "forget")
            o = self._norm(o, "output")
        g = self._activation(j)
        if not isinstance(self._keep_prob, float) or self._keep_prob < 1:
            g = nn_ops.dropout(g, self._keep_prob, seed=self._seed)
        new_c = c * math_ops.sigmoid(f + self._forget_bias) + math_ops.sigmoid(i) * g
        if self._layer_norm:
            new_c = self._norm(new_c, "state")
        new_h = self._activation(new_c) * math_ops.sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)


class ConvLSTMCell(SizedCell):
    """A convolutional LSTM (Shi et al. 2015): the four gates come from one SAME convolution
    ("kernel", "biases") of the input and the hidden state, both [batch, *spatial, channels];
    `skip_connection` appends the input to the output."""

    _default_name = "conv_lstm_cell"

    def __init__(self, conv_ndims, input_shape, output_channels, kernel_shape, use_bias=True,
                 skip_connection=False, forget_bias=1.0, initializers=None, name=None):
        super().__init__(name=name or self._default_name)
        if conv_ndims != len(input_shape) - 1:
            raise ValueError(f"Invalid input_shape {input_shape} for conv_ndims={conv_ndims}.")
        self._conv_ndims = conv_ndims
        self._input_shape = list(input_shape)
        self._output_channels = output_channels
        self._kernel_shape = list(kernel_shape)
        self._use_bias = use_bias
        self._forget_bias = forget_bias
        self._skip_connection = skip_connection
        total = output_channels + (self._input_shape[-1] if skip_connection else 0)
        size = TensorShape(self._input_shape[:-1] + [output_channels])
        self._state_size = LSTMStateTuple(size, size)
        self._output_size = TensorShape(self._input_shape[:-1] + [total])

    def call(self, inputs, state):
        cell, hidden = state
        gates = _convolution([inputs, hidden], self._kernel_shape, 4 * self._output_channels,
                             self._use_bias)
        input_gate, new_input, forget_gate, output_gate = array.split(
            gates, 4, axis=self._conv_ndims + 1)
        new_cell = math_ops.sigmoid(forget_gate + self._forget_bias) * cell
        new_cell += math_ops.sigmoid(input_gate) * math_ops.tanh(new_input)
        output = math_ops.tanh(new_cell) * math_ops.sigmoid(output_gate)
        if self._skip_connection:
            output = array.concat([output, inputs], -1)
        return output, LSTMStateTuple(new_cell, output)


class Conv1DLSTMCell(ConvLSTMCell):
    """ConvLSTMCell over [batch, width, channels]."""

    _default_name = "conv_1d_lstm_cell"

    def __init__(self, name=None, **kwargs):
        super().__init__(conv_ndims=1, name=name or self._default_name, **kwargs)


class Conv2DLSTMCell(ConvLSTMCell):
    """ConvLSTMCell over [batch, height, width, channels]."""

    _default_name = "conv_2d_lstm_cell"

    def __init__(self, name=None, **kwargs):
        super().__init__(conv_ndims=2, name=name or self._default_name, **kwargs)


class Conv3DLSTMCell(ConvLSTMCell):
    """ConvLSTMCell over [batch, depth, height, width, channels]."""

    _default_name = "conv_3d_lstm_cell"

    def __init__(self, name=None, **kwargs):
        super().__init__(conv_ndims=3, name=name or self._default_name, **kwargs)


def _convolution(args, filter_size, num_features, bias, bias_start=0.0):
    """SAME convolution of the channel-concatenated `args` (3-D, 4-D or 5-D) with a "kernel"
    of filter_size + [channels in, num_features], plus "biases" when `bias`."""
    shapes = [a.shape.as_list() for a in args]
    rank = len(shapes[0])
    depth = 0
    for shape in shapes:
        if len(shape) not in (3, 4, 5):
            raise ValueError(f"Conv Linear expects 3D, 4D or 5D arguments: {shapes}")
        if len(shape) != rank:
            raise ValueError(f"Conv Linear expects all args to be of same Dimension: {shapes}")
        depth += shape[-1]
    dtype = args[0].dtype
    kernel = get_variable("kernel", filter_size + [depth, num_features], dtype=dtype)
    value = args[0] if len(args) == 1 else array.concat(args, rank - 1)
    if rank == 3:
        result = conv_nd.conv1d(value, kernel, 1, padding="SAME")
    elif rank == 4:
        result = conv_ops.conv2d(value, kernel, [1] * 4, padding="SAME")
    else:
        result = conv_nd.conv3d(value, kernel, [1] * 5, padding="SAME")
    if not bias:
        return result
    return result + get_variable("biases", [num_features], dtype=dtype,
                                 initializer=init_ops.constant_initializer(bias_start,
                                                                           dtype=dtype))


def _check_cell(cell):
    if not (callable(cell) and hasattr(cell, "state_size") and hasattr(cell, "output_size")):
        raise TypeError("The parameter cell is not RNNCell.")


class CellWrapperBase(RNNCell):
    """A cell around `self._cell`, with its state and output sizes and its zero state (the
    base of contrib's wrappers)."""

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return self._cell.zero_state(batch_size, dtype)


class _OwnScopeWrapper(CellWrapperBase):
    """A wrapper with a variable scope of its own (its variables and the wrapped cell's live
    under `<wrapper name>/`), as contrib's wrappers are cells."""

    def __init__(self, cell, reuse=None):
        super().__init__(_reuse=reuse)
        _check_cell(cell)
        self._cell = cell

    def _all_variables(self):
        return list(self._variables) + list(self._cell.variables)


class OutputProjectionWrapper(_OwnScopeWrapper):
    """The cell's output through a linear map to `output_size` (`kernel`, `bias`), then
    `activation`."""

    _default_name = "output_projection_wrapper"

    def __init__(self, cell, output_size, activation=None, reuse=None):
        super().__init__(cell, reuse)
        if output_size < 1:
            raise ValueError(f"Parameter output_size must be > 0: {output_size}.")
        self._output_size = output_size
        self._activation = activation

    @property
    def output_size(self):
        return self._output_size

    def call(self, inputs, state):
        output, new_state = self._cell(inputs, state)
        projected = linear(output, self._output_size, True)
        if self._activation:
            projected = self._activation(projected)
        return projected, new_state


class InputProjectionWrapper(_OwnScopeWrapper):
    """The inputs through a linear map to `num_proj` (`kernel`, `bias`) before the cell."""

    _default_name = "input_projection_wrapper"

    def __init__(self, cell, num_proj, activation=None, input_size=None, reuse=None):
        super().__init__(cell, reuse)
        self._num_proj = num_proj
        self._activation = activation

    def call(self, inputs, state):
        projected = linear(inputs, self._num_proj, True)
        if self._activation:
            projected = self._activation(projected)
        return self._cell(projected, state)


class EmbeddingWrapper(_OwnScopeWrapper):
    """Integer inputs looked up in the variable `embedding` [embedding_classes,
    embedding_size] before the cell."""

    _default_name = "embedding_wrapper"

    def __init__(self, cell, embedding_classes, embedding_size, initializer=None, reuse=None):
        super().__init__(cell, reuse)
        if embedding_classes <= 0 or embedding_size <= 0:
            raise ValueError(f"Both embedding_classes and embedding_size must be > 0: "
                             f"{embedding_classes}, {embedding_size}.")
        self._embedding_classes = embedding_classes
        self._embedding_size = embedding_size
        self._initializer = initializer

    def call(self, inputs, state):
        with get_default_graph().device("/cpu:0"):
            initializer = self._initializer or get_variable_scope().initializer or \
                init_ops.random_uniform_initializer(-math.sqrt(3), math.sqrt(3))
            dtype = nest.flatten(state)[0].dtype
            embedding = get_variable("embedding", [self._embedding_classes,
                                                   self._embedding_size],
                                     initializer=initializer, dtype=dtype)
            embedded = norm_ops.embedding_lookup(embedding, array.reshape(inputs, [-1]))
        return self._cell(embedded, state)

    def _build_once(self, inputs):
        self.built = True


class HighwayWrapper(CellWrapperBase):
    """outputs = inputs * carry + cell_outputs * transform with carry = sigmoid(inputs W_c +
    b_c) (variables `carry_w`, `carry_b`, in the caller's scope) and transform = 1 - carry
    (or its own `transform_w`, `transform_b`)."""

    def __init__(self, cell, couple_carry_transform_gates=True, carry_bias_init=1.0):
        super().__init__()
        _check_cell(cell)
        self._cell = cell
        self._couple_carry_transform_gates = couple_carry_transform_gates
        self._carry_bias_init = carry_bias_init

    def _highway(self, inp, out):
        size = inp.shape.with_rank(2)[1].value
        carry_w = get_variable("carry_w", [size, size], dtype=inp.dtype)
        carry_b = get_variable("carry_b", [size], dtype=inp.dtype,
                               initializer=init_ops.constant_initializer(self._carry_bias_init))
        carry = math_ops.sigmoid(nn_ops.bias_add(math_ops.matmul(inp, carry_w), carry_b))
        if self._couple_carry_transform_gates:
            transform = 1 - carry
        else:
            transform_w = get_variable("transform_w", [size, size], dtype=inp.dtype)
            transform_b = get_variable("transform_b", [size], dtype=inp.dtype,
                                       initializer=init_ops.constant_initializer(
                                           -self._carry_bias_init))
            transform = math_ops.sigmoid(nn_ops.bias_add(math_ops.matmul(inp, transform_w),
                                                         transform_b))
        return inp * carry + out * transform

    def __call__(self, inputs, state, scope=None):
        outputs, new_state = self._cell(inputs, state, scope=scope)
        nest.assert_same_structure(inputs, outputs)
        nest.map_structure(lambda i, o: i.shape.assert_is_compatible_with(o.shape), inputs,
                           outputs)
        return nest.map_structure(self._highway, inputs, outputs), new_state

    def _all_variables(self):
        return self._cell.variables


class AttentionCellWrapper(_OwnScopeWrapper):
    """Attention over the cell's last `attn_length` outputs (Bahdanau-style, as in TF's
    "Grammar as a Foreign Language" code): the state is (cell state, attention, the window of
    past attention outputs); the output is a projection of [cell output, attention]."""

    _default_name = "attention_cell_wrapper"

    def __init__(self, cell, attn_length, attn_size=None, attn_vec_size=None, input_size=None,
                 state_is_tuple=True, reuse=None):
        super().__init__(cell, reuse)
        if nest.is_sequence(cell.state_size) and not state_is_tuple:
            raise ValueError(f"Cell returns tuple of states, but the flag state_is_tuple is not "
                             f"set. State size is: {cell.state_size}")
        if attn_length <= 0:
            raise ValueError(f"attn_length should be greater than zero, got {attn_length}")
        self._state_is_tuple = state_is_tuple
        self._attn_length = attn_length
        self._attn_size = cell.output_size if attn_size is None else attn_size
        self._attn_vec_size = self._attn_size if attn_vec_size is None else attn_vec_size
        self._input_size = input_size

    @property
    def state_size(self):
        size = (self._cell.state_size, self._attn_size, self._attn_size * self._attn_length)
        return size if self._state_is_tuple else sum(size)

    @property
    def output_size(self):
        return self._attn_size

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            if not self._state_is_tuple:
                return zero_state_tensors(self.state_size, batch_size, dtype)
            return (self._cell.zero_state(batch_size, dtype),
                    zero_state_tensors(self._attn_size, batch_size, dtype),
                    zero_state_tensors(self._attn_size * self._attn_length, batch_size, dtype))

    def call(self, inputs, state):
        if self._state_is_tuple:
            state, attns, attn_states = state
        else:
            states = state
            state = array.slice_(states, [0, 0], [-1, self._cell.state_size])
            attns = array.slice_(states, [0, self._cell.state_size], [-1, self._attn_size])
            attn_states = array.slice_(
                states, [0, self._cell.state_size + self._attn_size],
                [-1, self._attn_size * self._attn_length])
        attn_states = array.reshape(attn_states, [-1, self._attn_length, self._attn_size])
        input_size = self._input_size or inputs.shape[1].value
        inputs = linear([inputs, attns], input_size, True)
        cell_output, new_state = self._cell(inputs, state)
        new_state_cat = array.concat(nest.flatten(new_state), 1) if self._state_is_tuple \
            else new_state
        new_attns, new_attn_states = self._attention(new_state_cat, attn_states)
        with variable_scope("attn_output_projection"):
            output = linear([cell_output, new_attns], self._attn_size, True)
        new_attn_states = array.concat([new_attn_states, array.expand_dims(output, 1)], 1)
        new_attn_states = array.reshape(new_attn_states,
                                        [-1, self._attn_length * self._attn_size])
        new_state = (new_state, new_attns, new_attn_states)
        if not self._state_is_tuple:
            new_state = array.concat(list(new_state), 1)
        return output, new_state

    def _attention(self, query, attn_states):
        with variable_scope("attention"):
            k = get_variable("attn_w", [1, 1, self._attn_size, self._attn_vec_size],
                             dtype=query.dtype)
            v = get_variable("attn_v", [self._attn_vec_size], dtype=query.dtype)
            hidden = array.reshape(attn_states, [-1, self._attn_length, 1, self._attn_size])
            hidden_features = conv_ops.conv2d(hidden, k, [1, 1, 1, 1], "SAME")
            y = array.reshape(linear(query, self._attn_vec_size, True),
                              [-1, 1, 1, self._attn_vec_size])
            s = math_ops.reduce_sum(v * math_ops.tanh(hidden_features + y), [2, 3])
            a = nn_ops.softmax(s)
            d = math_ops.reduce_sum(array.reshape(a, [-1, self._attn_length, 1, 1]) * hidden,
                                    [1, 2])
            new_attns = array.reshape(d, [-1, self._attn_size])
            new_attn_states = array.slice_(attn_states, [0, 1, 0], [-1, -1, -1])
            return new_attns, new_attn_states
