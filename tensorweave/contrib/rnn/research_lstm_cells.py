"""tf.contrib.rnn's research LSTM cells, with TF 1.15's variable names and step equations:
CoupledInputForgetGateLSTMCell, TimeFreqLSTMCell, LayerNormLSTMCell, GLSTMCell (group LSTM),
PhasedLSTMCell, IndyLSTMCell and NASCell.

    cell = tf.contrib.rnn.NASCell(64)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)   # rnn/nas_cell/kernel ...
"""
import math

from tensorweave import init_ops
from tensorweave.contrib.rnn import cell_parts
from tensorweave.core import dtypes
from tensorweave.nn.rnn_cell import LSTMStateTuple, SizedCell, input_depth
from tensorweave.ops import array, math_ops, nn_ops, random_ops
from tensorweave.variable_scope import get_variable, get_variable_scope, variable_scope

__all__ = ["CoupledInputForgetGateLSTMCell", "TimeFreqLSTMCell", "LayerNormLSTMCell",
           "GLSTMCell", "PhasedLSTMCell", "IndyLSTMCell", "NASCell"]


# --- LSTM variants ---------------------------------------------------------------------------
class CoupledInputForgetGateLSTMCell(SizedCell):
    """An LSTM whose input gate is 1 - forget gate (Greff et al. 2015): c' = f c + (1 - f)
    act(j), with optional peepholes (`W_F_diag`, `W_O_diag`), projection (`W_P_<k>`), layer
    normalization and weights `W_<k>` [input + output, 3 units] sharded in `num_unit_shards`,
    bias `B`. `state_is_tuple=False` concatenates c and m. As in TF 1.15, `initializer` is
    accepted and not used."""

    _default_name = "coupled_input_forget_gate_lstm_cell"

    def __init__(self, num_units, use_peepholes=False, initializer=None, num_proj=None,
                 proj_clip=None, num_unit_shards=1, num_proj_shards=1, forget_bias=1.0,
                 state_is_tuple=True, activation=math_ops.tanh, reuse=None, layer_norm=False,
                 norm_gain=1.0, norm_shift=0.0):
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._num_unit_shards = num_unit_shards
        self._num_proj_shards = num_proj_shards
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = activation
        self._layer_norm = layer_norm
        self._norm_gain = norm_gain
        self._norm_shift = norm_shift
        out = num_proj or num_units
        self._state_size = LSTMStateTuple(num_units, out) if state_is_tuple else num_units + out
        self._output_size = out

    def _norm(self, x, scope):
        return cell_parts.layer_norm(x, scope, self._norm_gain, self._norm_shift)

    def call(self, inputs, state):
        n = self._num_units
        out = self._num_proj or n
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev = array.slice_(state, [0, 0], [-1, n])
            m_prev = array.slice_(state, [0, n], [-1, out])
        dtype = inputs.dtype
        size = cell_parts.known_input_size(inputs)
        weights = cell_parts.sharded_variable("W", [size + out, 3 * n], dtype,
                                              self._num_unit_shards)
        bias = get_variable("B", shape=[3 * n], initializer=init_ops.zeros_initializer(),
                            dtype=dtype)
        matrix = math_ops.matmul(array.concat([inputs, m_prev], 1), weights)
        if not self._layer_norm:
            matrix = nn_ops.bias_add(matrix, bias)
        j, f, o = array.split(matrix, 3, axis=1)
        if self._layer_norm:
            j, f, o = (self._norm(j, "transform"), self._norm(f, "forget"),
                       self._norm(o, "output"))
        if self._use_peepholes:
            w_f_diag = get_variable("W_F_diag", shape=[n], dtype=dtype)
            w_o_diag = get_variable("W_O_diag", shape=[n], dtype=dtype)
            forget = math_ops.sigmoid(f + self._forget_bias + w_f_diag * c_prev)
        else:
            forget = math_ops.sigmoid(f + self._forget_bias)
        c = forget * c_prev + (1 - forget) * self._activation(j)
        if self._layer_norm:
            c = self._norm(c, "state")
        if self._use_peepholes:
            m = math_ops.sigmoid(o + w_o_diag * c) * self._activation(c)
        else:
            m = math_ops.sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            projection = cell_parts.sharded_variable("W_P", [n, self._num_proj], dtype,
                                           self._num_proj_shards)
            m = cell_parts.clip(math_ops.matmul(m, projection), self._proj_clip)
        new_state = LSTMStateTuple(c, m) if self._state_is_tuple else array.concat([c, m], 1)
        return m, new_state


class TimeFreqLSTMCell(SizedCell):
    """The time-frequency LSTM (Sainath & Li 2016): one LSTM step per frequency window of the
    input (`feature_size` wide, `frequency_skip` apart), each also fed the previous window's
    output; weights `W_<k>` (sharded), `B`, peepholes `W_F_diag`, `W_I_diag`, `W_O_diag`.
    The state holds (c, m) per window side by side; as in TF 1.15, `state_size` counts one
    window (2 num_units) and `output_size` num_units, so a cell with several windows needs an
    initial state of the full width; `initializer` is accepted and not used."""

    _default_name = "time_freq_lstm_cell"

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None,
                 num_unit_shards=1, forget_bias=1.0, feature_size=None, frequency_skip=1,
                 reuse=None):
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._state_size, self._output_size = 2 * num_units, num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_unit_shards = num_unit_shards
        self._forget_bias = forget_bias
        self._feature_size = feature_size
        self._frequency_skip = frequency_skip

    def _windows(self, inputs):
        size = inputs.shape.with_rank(2)[-1].value
        if size is None:
            raise ValueError("Cannot infer input_size from static shape inference.")
        count = (size - self._feature_size) // self._frequency_skip + 1
        return [array.slice_(inputs, [0, k * self._frequency_skip], [-1, self._feature_size])
                for k in range(count)]

    def call(self, inputs, state):
        sigmoid, tanh = math_ops.sigmoid, math_ops.tanh
        n = self._num_units
        windows = self._windows(inputs)
        dtype = inputs.dtype
        weights = cell_parts.sharded_variable(
            "W", [windows[0].shape[1].value + 2 * n, 4 * n], dtype, self._num_unit_shards)
        bias = get_variable("B", shape=[4 * n], initializer=init_ops.zeros_initializer(),
                            dtype=dtype)
        if self._use_peepholes:
            w_f_diag, w_i_diag, w_o_diag = (get_variable(f"W_{g}_diag", shape=[n],
                                                         dtype=dtype) for g in "FIO")
        batch = inputs.shape[0].value
        m_prev_window = array.zeros([batch if batch is not None else array.shape(inputs)[0],
                                     n], dtype)
        states, outputs = [], []
        for k, window in enumerate(windows):
            c_prev = array.slice_(state, [0, 2 * k * n], [-1, n])
            m_prev = array.slice_(state, [0, (2 * k + 1) * n], [-1, n])
            matrix = nn_ops.bias_add(math_ops.matmul(
                array.concat([window, m_prev, m_prev_window], 1), weights), bias)
            i, j, f, o = array.split(matrix, 4, axis=1)
            if self._use_peepholes:
                c = (sigmoid(f + self._forget_bias + w_f_diag * c_prev) * c_prev +
                     sigmoid(i + w_i_diag * c_prev) * tanh(j))
            else:
                c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * tanh(j)
            c = cell_parts.clip(c, self._cell_clip)
            m = sigmoid(o + w_o_diag * c) * tanh(c) if self._use_peepholes else \
                sigmoid(o) * tanh(c)
            m_prev_window = m
            states += [c, m]
            outputs.append(m)
        return array.concat(outputs, 1), array.concat(states, 1)


class LayerNormLSTMCell(SizedCell):
    """tf.contrib.rnn.LayerNormLSTMCell: LSTMCell's step (peepholes `w_f_diag`, `w_i_diag`,
    `w_o_diag`, cell_clip, projection `projection/kernel`, proj_clip) with optional layer
    normalization of the gates and the cell (the bias `bias` is then made but not added)."""

    _default_name = "layer_norm_lstm_cell"

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None,
                 num_proj=None, proj_clip=None, forget_bias=1.0, activation=None,
                 layer_norm=False, norm_gain=1.0, norm_shift=0.0, reuse=None):
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._forget_bias = forget_bias
        self._activation = activation or math_ops.tanh
        self._layer_norm = layer_norm
        self._norm_gain = norm_gain
        self._norm_shift = norm_shift
        self._state_size, self._output_size = cell_parts.lstm_sizes(num_units, num_proj)

    def _norm(self, x, scope):
        return cell_parts.layer_norm(x, scope, self._norm_gain, self._norm_shift)

    def call(self, inputs, state):
        sigmoid = math_ops.sigmoid
        n = self._num_units
        c_prev, m_prev = state
        dtype = inputs.dtype
        cell_parts.known_input_size(inputs)
        with variable_scope(get_variable_scope(), initializer=self._initializer):
            depth = inputs.shape[1].value + m_prev.shape[1].value
            kernel = get_variable("kernel", [depth, 4 * n], dtype=dtype)
            bias = get_variable("bias", [4 * n], dtype=dtype,
                                initializer=init_ops.constant_initializer(0.0, dtype=dtype))
            matrix = math_ops.matmul(array.concat([inputs, m_prev], 1), kernel)
            if not self._layer_norm:
                matrix = nn_ops.bias_add(matrix, bias)
            i, j, f, o = array.split(matrix, 4, axis=1)
            if self._layer_norm:
                i, j, f, o = (self._norm(i, "input"), self._norm(j, "transform"),
                              self._norm(f, "forget"), self._norm(o, "output"))
            if self._use_peepholes:
                w_f_diag = get_variable("w_f_diag", shape=[n], dtype=dtype)
                w_i_diag = get_variable("w_i_diag", shape=[n], dtype=dtype)
                w_o_diag = get_variable("w_o_diag", shape=[n], dtype=dtype)
                c = (sigmoid(f + self._forget_bias + w_f_diag * c_prev) * c_prev +
                     sigmoid(i + w_i_diag * c_prev) * self._activation(j))
            else:
                c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * self._activation(j)
            if self._layer_norm:
                c = self._norm(c, "state")
            c = cell_parts.clip(c, self._cell_clip)
            if self._use_peepholes:
                m = sigmoid(o + w_o_diag * c) * self._activation(c)
            else:
                m = sigmoid(o) * self._activation(c)
            if self._num_proj is not None:
                with variable_scope("projection"):
                    m = cell_parts.affine(m, self._num_proj, bias=False)
                m = cell_parts.clip(m, self._proj_clip)
        return m, LSTMStateTuple(c, m)


class GLSTMCell(SizedCell):
    """The group LSTM (Kuchaiev & Ginsburg 2017): `number_of_groups` LSTM sub-cells, each on
    its slice of the input and of the output, with kernels `group<k>/kernel`, biases
    `bias_i`, `bias_j`, `bias_f`, `bias_o` and an optional `projection/kernel`."""

    _default_name = "glstm_cell"

    def __init__(self, num_units, initializer=None, num_proj=None, number_of_groups=1,
                 forget_bias=1.0, activation=math_ops.tanh, reuse=None):
        super().__init__(_reuse=reuse)
        if num_units % number_of_groups != 0:
            raise ValueError("num_units must be divisible by number_of_groups")
        if num_proj and num_proj % number_of_groups != 0:
            raise ValueError("num_proj must be divisible by number_of_groups")
        self._num_units = num_units
        self._initializer = initializer
        self._num_proj = num_proj
        self._forget_bias = forget_bias
        self._activation = activation
        self._number_of_groups = number_of_groups
        # (output slice, units) per group
        self._group_shape = [(num_proj or num_units) // number_of_groups,
                             num_units // number_of_groups]
        self._state_size, self._output_size = cell_parts.lstm_sizes(num_units, num_proj)

    def call(self, inputs, state):
        c_prev, m_prev = state
        size = inputs.shape[1].value
        if size is None:
            raise ValueError("input size must be statically known")
        groups = self._number_of_groups
        if size % groups != 0:
            raise ValueError(f"input size ({size}) must be divisible by number_of_groups "
                             f"({groups})")
        input_group, (output_group, unit_group) = size // groups, self._group_shape
        dtype = inputs.dtype
        parts = [[], [], [], []]
        with variable_scope(get_variable_scope(), initializer=self._initializer):
            for k in range(groups):
                with variable_scope(f"group{k}"):
                    x = array.concat([inputs[:, k * input_group:(k + 1) * input_group],
                                      m_prev[:, k * output_group:(k + 1) * output_group]], 1)
                    for gate, value in zip(parts, array.split(
                            cell_parts.affine(x, 4 * unit_group, bias=False), 4, 1)):
                        gate.append(value)
            zeros = init_ops.constant_initializer(0.0, dtype=dtype)
            i, j, f, o = (nn_ops.bias_add(array.concat(gate, 1), get_variable(
                f"bias_{letter}", [self._num_units], dtype=dtype, initializer=zeros))
                for gate, letter in zip(parts, "ijfo"))
        c = math_ops.sigmoid(f + self._forget_bias) * c_prev + math_ops.sigmoid(i) * \
            math_ops.tanh(j)
        m = math_ops.sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            with variable_scope("projection"):
                m = cell_parts.affine(m, self._num_proj, bias=False)
        return m, LSTMStateTuple(c, m)


class PhasedLSTMCell(SizedCell):
    """The phased LSTM (Neil et al. 2016): an LSTM (`mask_gates/`, `new_input/`,
    `output_gate/` kernels and biases, peepholes optional) whose updates open only in a
    fraction `ratio_on` of each unit's oscillation (`period`, `phase`, `ratio_on`), leaking
    `leak` otherwise. Its inputs are (time [batch, 1], features [batch, n])."""

    _default_name = "phased_lstm_cell"

    def __init__(self, num_units, use_peepholes=False, leak=0.001, ratio_on=0.1,
                 trainable_ratio_on=True, period_init_min=1.0, period_init_max=1000.0,
                 reuse=None):
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._state_size = LSTMStateTuple(num_units, num_units)
        self._output_size = num_units
        self._use_peepholes = use_peepholes
        self._leak = leak
        self._ratio_on = ratio_on
        self._trainable_ratio_on = trainable_ratio_on
        self._period_init_min = period_init_min
        self._period_init_max = period_init_max

    def _cycle_ratio(self, time, phase, period):
        """((time - phase) mod period) / period, the mod passing time's gradient on."""
        phase, period = array.cast(phase, time.dtype), array.cast(period, time.dtype)
        shifted = time - phase
        wrapped = array.stop_gradient(math_ops.floormod(shifted, period) - shifted) + shifted
        return array.cast(wrapped / period, dtypes.float32)

    def _period_initializer(self):
        low, high = math.log(self._period_init_min), math.log(self._period_init_max)

        def initializer(shape, dtype=dtypes.float32, partition_info=None):
            return math_ops.exp(random_ops.random_uniform(shape, low, high, dtype))
        return initializer

    def call(self, inputs, state):
        c_prev, h_prev = state
        time, x = inputs
        n = self._num_units
        with variable_scope("mask_gates"):
            gates = math_ops.sigmoid(cell_parts.affine(
                [x, h_prev] + ([c_prev] if self._use_peepholes else []), 2 * n, True))
            input_gate, forget_gate = array.split(gates, 2, axis=1)
        with variable_scope("new_input"):
            new_input = math_ops.tanh(cell_parts.affine([x, h_prev], n, True))
        new_c = c_prev * forget_gate + input_gate * new_input
        with variable_scope("output_gate"):
            output_gate = math_ops.sigmoid(cell_parts.affine(
                [x, h_prev] + ([new_c] if self._use_peepholes else []), n, True))
        new_h = math_ops.tanh(new_c) * output_gate
        period = get_variable("period", [n], initializer=self._period_initializer())
        phase = get_variable("phase", [n], initializer=init_ops.random_uniform_initializer(
            0.0, period.initial_value))
        ratio_on = get_variable("ratio_on", [n],
                                initializer=init_ops.constant_initializer(self._ratio_on),
                                trainable=self._trainable_ratio_on)
        cycle = self._cycle_ratio(time, phase, period)
        k_up = 2 * cycle / ratio_on
        k = array.where(cycle < ratio_on, 2 - k_up, self._leak * cycle)
        k = array.where(cycle < 0.5 * ratio_on, k_up, k)
        new_c = k * new_c + (1 - k) * c_prev
        new_h = k * new_h + (1 - k) * h_prev
        return new_h, LSTMStateTuple(new_c, new_h)


class IndyLSTMCell(SizedCell):
    """BasicLSTM with diagonal recurrent weights (each unit sees only its own h):
    gates = x `kernel_w` + tile(h, 4) * `kernel_u` + `bias`."""

    _default_name = "indy_lstm_cell"

    def __init__(self, num_units, forget_bias=1.0, activation=None, reuse=None,
                 kernel_initializer=None, bias_initializer=None, name=None, dtype=None):
        super().__init__(_reuse=reuse, name=name, dtype=dtype)
        self._num_units = num_units
        self._state_size = LSTMStateTuple(num_units, num_units)
        self._output_size = num_units
        self._forget_bias = forget_bias
        self._activation = activation or math_ops.tanh
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    def build(self, inputs_shape):
        depth, n = input_depth(inputs_shape), self._num_units
        self._kernel_w = self.add_variable("kernel_w", [depth, 4 * n],
                                           initializer=self._kernel_initializer)
        self._kernel_u = self.add_variable("kernel_u", [1, 4 * n], initializer=(
            init_ops.random_uniform_initializer(-1, 1, dtype=self._dtype)))
        self._bias = self.add_variable("bias", [4 * n], initializer=(
            self._bias_initializer or init_ops.zeros_initializer(dtype=self._dtype)))

    def call(self, inputs, state):
        c, h = state
        gates = math_ops.matmul(inputs, self._kernel_w) + array.tile(h, [1, 4]) * self._kernel_u
        i, j, f, o = array.split(nn_ops.bias_add(gates, self._bias), 4, axis=1)
        new_c = c * math_ops.sigmoid(f + self._forget_bias) + \
            math_ops.sigmoid(i) * self._activation(j)
        new_h = self._activation(new_c) * math_ops.sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)


# --- NAS ------------------------------------------------------------------------------------
class NASCell(SizedCell):
    """The recurrent cell Neural Architecture Search found (Zoph & Le 2017): eight branches of
    x `kernel` and m `recurrent_kernel` (+ `bias` with use_bias) combined in three layers,
    with an optional `projection_weights`."""

    _default_name = "nas_cell"
    NAS_BASE = 8

    def __init__(self, num_units, num_proj=None, use_bias=False, reuse=None, **kwargs):
        super().__init__(_reuse=reuse, **kwargs)
        self._num_units = num_units
        self._num_proj = num_proj
        self._use_bias = use_bias
        self._state_size, self._output_size = cell_parts.lstm_sizes(num_units, num_proj)

    def build(self, inputs_shape):
        if inputs_shape.with_rank(2)[1].value is None:
            raise ValueError("Could not infer input size from inputs.get_shape()[-1]")
        width = self.NAS_BASE * self._num_units
        self._recurrent_kernel = self.add_variable(
            "recurrent_kernel", [self._num_proj or self._num_units, width])
        self._kernel = self.add_variable("kernel", [inputs_shape[1].value, width])
        if self._use_bias:
            self._bias = self.add_variable("bias", [width],
                                           initializer=init_ops.zeros_initializer())
        if self._num_proj is not None:
            self._projection = self.add_variable("projection_weights",
                                                 [self._num_units, self._num_proj])

    def call(self, inputs, state):
        sigmoid, tanh, relu = math_ops.sigmoid, math_ops.tanh, nn_ops.relu
        c_prev, m_prev = state
        m_matrix = math_ops.matmul(m_prev, self._recurrent_kernel)
        if self._use_bias:
            m_matrix = nn_ops.bias_add(m_matrix, self._bias)
        x = array.split(math_ops.matmul(inputs, self._kernel), self.NAS_BASE, axis=1)
        m = array.split(m_matrix, self.NAS_BASE, axis=1)
        first = [sigmoid(x[0] + m[0]), relu(x[1] + m[1]), sigmoid(x[2] + m[2]),
                 relu(x[3] * m[3]), tanh(x[4] + m[4]), sigmoid(x[5] + m[5]),
                 tanh(x[6] + m[6]), sigmoid(x[7] + m[7])]
        second = [tanh(first[0] * first[1]), tanh(first[2] + first[3]),
                  tanh(first[4] * first[5]), sigmoid(first[6] + first[7])]
        new_c = tanh(second[0] + c_prev) * second[1]
        new_m = tanh(new_c * tanh(second[2] + second[3]))
        if self._num_proj is not None:
            new_m = math_ops.matmul(new_m, self._projection)
        return new_m, LSTMStateTuple(new_c, new_m)
