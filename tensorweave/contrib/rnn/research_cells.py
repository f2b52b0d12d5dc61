"""tf.contrib.rnn's research cells, with TF 1.15's variable names and step equations:
CoupledInputForgetGateLSTMCell, TimeFreqLSTMCell, LayerNormLSTMCell, GLSTMCell (group LSTM),
PhasedLSTMCell, NASCell, UGRNNCell, IntersectionRNNCell, SRUCell, IndRNNCell, IndyGRUCell,
IndyLSTMCell, MinimalRNNCell, CFNCell, and CompiledWrapper (a cell run in a jit scope).

    cell = tf.contrib.rnn.NASCell(64)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)   # rnn/nas_cell/kernel ...
"""
import math

from tensorweave import init_ops
from tensorweave.core import dtypes
from tensorweave.contrib.compiler import jit
from tensorweave.keras import activations, initializers
from tensorweave.core import registry
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.nn.rnn_cell import LSTMStateTuple, RNNCell, input_depth
from tensorweave.ops import array, math_ops, nn_ops, norm_ops, random_ops
from tensorweave.util import nest
from tensorweave.variable_scope import get_variable, get_variable_scope, variable_scope

__all__ = ["CoupledInputForgetGateLSTMCell", "TimeFreqLSTMCell", "LayerNormLSTMCell",
           "GLSTMCell", "PhasedLSTMCell", "NASCell", "UGRNNCell", "IntersectionRNNCell",
           "SRUCell", "IndRNNCell", "IndyGRUCell", "IndyLSTMCell", "MinimalRNNCell", "CFNCell",
           "CompiledWrapper"]


# --- shared pieces ---------------------------------------------------------------------------
def _known_input_size(inputs):
    size = inputs.shape.with_rank(2)[1].value
    if size is None:
        raise ValueError("Could not infer input size from inputs.get_shape()[-1]")
    return size


def _sharded_variable(name, shape, dtype, num_shards):
    """Variable `name` [rows, ...] stored as `name_0` ... `name_<n-1>` (rows split as evenly
    as possible, the first shards one row larger), concatenated (once per scope) when n > 1."""
    if num_shards > shape[0]:
        raise ValueError(f"Too many shards: shape={shape}, num_shards={num_shards}")
    base, extra = divmod(shape[0], num_shards)
    shards = [get_variable(f"{name}_{i}", [base + (1 if i < extra else 0)] + list(shape[1:]),
                           dtype=dtype) for i in range(num_shards)]
    if len(shards) == 1:
        return shards[0]
    concat_name = f"{name}/concat"
    full_name = f"{get_variable_scope().name}/{concat_name}:0"
    graph = get_default_graph()
    for value in graph.get_collection(GraphKeys.CONCATENATED_VARIABLES):
        if value.name == full_name:
            return value
    joined = array.concat(shards, 0, name=concat_name)
    graph.add_to_collection(GraphKeys.CONCATENATED_VARIABLES, joined)
    return joined


def _layer_norm(inputs, scope, gain, shift):
    """Layer normalization over the last axis with `<scope>/gamma` (gain) and `<scope>/beta`
    (shift), as tf.contrib.layers.layer_norm computes it (epsilon 1e-12)."""
    shape = inputs.shape[-1:]
    with variable_scope(scope):
        gamma = get_variable("gamma", shape=shape,
                             initializer=init_ops.constant_initializer(gain))
        beta = get_variable("beta", shape=shape, initializer=init_ops.constant_initializer(shift))
        with get_default_graph().name_scope("LayerNorm"):
            mean, variance = nn_ops.moments(inputs, [1], keep_dims=True)
            return norm_ops.batch_normalization(inputs, mean, variance, offset=beta,
                                                scale=gamma, variance_epsilon=1e-12)


def _affine(args, output_size, bias, bias_initializer=None):
    """concat(args) @ `kernel` (+ `bias`, zeros by default) of the current variable scope."""
    args = args if nest.is_sequence(args) else [args]
    depth = sum(a.shape[1].value for a in args)
    dtype = args[0].dtype
    kernel = get_variable("kernel", [depth, output_size], dtype=dtype)
    out = math_ops.matmul(args[0] if len(args) == 1 else array.concat(list(args), 1), kernel)
    if not bias:
        return out
    biases = get_variable("bias", [output_size], dtype=dtype, initializer=bias_initializer or
                          init_ops.constant_initializer(0.0, dtype=dtype))
    return nn_ops.bias_add(out, biases)


def _lstm_sizes(num_units, num_proj):
    """(state_size, output_size) of an LSTM with an optional projection."""
    out = num_proj or num_units
    return LSTMStateTuple(num_units, out), out


def _clip(x, limit):
    return x if limit is None else math_ops.clip_by_value(x, -limit, limit)


# --- LSTM variants ---------------------------------------------------------------------------
class CoupledInputForgetGateLSTMCell(RNNCell):
    """An LSTM whose input gate is 1 - forget gate (Greff et al. 2015): c' = f c + (1 - f)
    act(j), with optional peepholes (`W_F_diag`, `W_O_diag`), projection (`W_P_<k>`), layer
    normalization and weights `W_<k>` [input + output, 3 units] sharded in `num_unit_shards`,
    bias `B`. `state_is_tuple=False` concatenates c and m."""

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

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

    def _norm(self, x, scope):
        return _layer_norm(x, scope, self._norm_gain, self._norm_shift)

    def call(self, inputs, state):
        n = self._num_units
        out = self._num_proj or n
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev = array.slice_(state, [0, 0], [-1, n])
            m_prev = array.slice_(state, [0, n], [-1, out])
        dtype = inputs.dtype
        size = _known_input_size(inputs)
        with variable_scope(get_variable_scope(), initializer=self._initializer):
            weights = _sharded_variable("W", [size + out, 3 * n], dtype, self._num_unit_shards)
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
                projection = _sharded_variable("W_P", [n, self._num_proj], dtype,
                                               self._num_proj_shards)
                m = _clip(math_ops.matmul(m, projection), self._proj_clip)
        new_state = LSTMStateTuple(c, m) if self._state_is_tuple else array.concat([c, m], 1)
        return m, new_state


class TimeFreqLSTMCell(RNNCell):
    """The time-frequency LSTM (Sainath & Li 2016): one LSTM step per frequency window of the
    input (`feature_size` wide, `frequency_skip` apart), each also fed the previous window's
    output; weights `W_<k>` (sharded), `B`, peepholes `W_F_diag`, `W_I_diag`, `W_O_diag`.
    The state holds (c, m) per window side by side; as in TF 1.15, `state_size` counts one
    window (2 num_units) and `output_size` num_units, so a cell with several windows needs an
    initial state of the full width."""

    _default_name = "time_freq_lstm_cell"

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None,
                 num_unit_shards=1, forget_bias=1.0, feature_size=None, frequency_skip=1,
                 reuse=None):
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_unit_shards = num_unit_shards
        self._forget_bias = forget_bias
        self._feature_size = feature_size
        self._frequency_skip = frequency_skip

    @property
    def state_size(self):
        return 2 * self._num_units

    @property
    def output_size(self):
        return self._num_units

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
        with variable_scope(get_variable_scope(), initializer=self._initializer):
            weights = _sharded_variable("W", [windows[0].shape[1].value + 2 * n, 4 * n], dtype,
                                        self._num_unit_shards)
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
            c = _clip(c, self._cell_clip)
            m = sigmoid(o + w_o_diag * c) * tanh(c) if self._use_peepholes else \
                sigmoid(o) * tanh(c)
            m_prev_window = m
            states += [c, m]
            outputs.append(m)
        return array.concat(outputs, 1), array.concat(states, 1)


class LayerNormLSTMCell(RNNCell):
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
        self._state_size, self._output_size = _lstm_sizes(num_units, num_proj)

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

    def _norm(self, x, scope):
        return _layer_norm(x, scope, self._norm_gain, self._norm_shift)

    def call(self, inputs, state):
        sigmoid = math_ops.sigmoid
        n = self._num_units
        c_prev, m_prev = state
        dtype = inputs.dtype
        _known_input_size(inputs)
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
            c = _clip(c, self._cell_clip)
            if self._use_peepholes:
                m = sigmoid(o + w_o_diag * c) * self._activation(c)
            else:
                m = sigmoid(o) * self._activation(c)
            if self._num_proj is not None:
                with variable_scope("projection"):
                    m = _affine(m, self._num_proj, bias=False)
                m = _clip(m, self._proj_clip)
        return m, LSTMStateTuple(c, m)


class GLSTMCell(RNNCell):
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
        self._state_size, self._output_size = _lstm_sizes(num_units, num_proj)

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

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
                            _affine(x, 4 * unit_group, bias=False), 4, 1)):
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
                m = _affine(m, self._num_proj, bias=False)
        return m, LSTMStateTuple(c, m)


class PhasedLSTMCell(RNNCell):
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
        self._use_peepholes = use_peepholes
        self._leak = leak
        self._ratio_on = ratio_on
        self._trainable_ratio_on = trainable_ratio_on
        self._period_init_min = period_init_min
        self._period_init_max = period_init_max

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

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
            gates = math_ops.sigmoid(_affine(
                [x, h_prev] + ([c_prev] if self._use_peepholes else []), 2 * n, True))
            input_gate, forget_gate = array.split(gates, 2, axis=1)
        with variable_scope("new_input"):
            new_input = math_ops.tanh(_affine([x, h_prev], n, True))
        new_c = c_prev * forget_gate + input_gate * new_input
        with variable_scope("output_gate"):
            output_gate = math_ops.sigmoid(_affine(
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


class IndyLSTMCell(RNNCell):
    """BasicLSTM with diagonal recurrent weights (each unit sees only its own h):
    gates = x `kernel_w` + tile(h, 4) * `kernel_u` + `bias`."""

    _default_name = "indy_lstm_cell"

    def __init__(self, num_units, forget_bias=1.0, activation=None, reuse=None,
                 kernel_initializer=None, bias_initializer=None, name=None, dtype=None):
        super().__init__(_reuse=reuse, name=name, dtype=dtype)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._activation = activation or math_ops.tanh
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

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
class NASCell(RNNCell):
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
        self._state_size, self._output_size = _lstm_sizes(num_units, num_proj)

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

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


# --- single-state cells ----------------------------------------------------------------------
class UGRNNCell(RNNCell):
    """The update-gate RNN (Collins et al. 2017): g, c from [x, h] (`kernel`, `bias`);
    h' = g h + (1 - g) act(c) with g = sigmoid(. + forget_bias)."""

    _default_name = "ugrnn_cell"

    def __init__(self, num_units, initializer=None, forget_bias=1.0, activation=math_ops.tanh,
                 reuse=None):
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._initializer = initializer
        self._forget_bias = forget_bias
        self._activation = activation

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def call(self, inputs, state):
        _known_input_size(inputs)
        with variable_scope(get_variable_scope(), initializer=self._initializer):
            g_act, c_act = array.split(_affine([inputs, state], 2 * self._num_units, True), 2,
                                       axis=1)
            c = self._activation(c_act)
            g = math_ops.sigmoid(g_act + self._forget_bias)
            new_state = g * state + (1.0 - g) * c
        return new_state, new_state


class IntersectionRNNCell(RNNCell):
    """The intersection RNN (+RNN, Collins et al. 2017), for deep stacks: a state gated
    through time and an output gated through depth (input size must equal num_units, or
    `num_in_proj` projects the input with `in_projection/kernel`, `bias`)."""

    _default_name = "intersection_rnn_cell"

    def __init__(self, num_units, num_in_proj=None, initializer=None, forget_bias=1.0,
                 y_activation=nn_ops.relu, reuse=None):
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._initializer = initializer
        self._forget_bias = forget_bias
        self._num_input_proj = num_in_proj
        self._y_activation = y_activation

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def call(self, inputs, state):
        n = self._num_units
        size = _known_input_size(inputs)
        with variable_scope(get_variable_scope(), initializer=self._initializer):
            if size != n:
                if not self._num_input_proj:
                    raise ValueError("Must have input size == output size for Intersection "
                                     "RNN. To fix, num_in_proj should be set to num_units at "
                                     "cell init.")
                with variable_scope("in_projection"):
                    inputs = _affine(inputs, n, True)
            matrix = _affine([inputs, state], 4 * n, True)
            gh_act, h_act, gy_act, y_act = (matrix[:, k * n:(k + 1) * n] for k in range(4))
            h = math_ops.tanh(h_act)
            y = self._y_activation(y_act)
            gh = math_ops.sigmoid(gh_act + self._forget_bias)
            gy = math_ops.sigmoid(gy_act + self._forget_bias)
            new_state = gh * state + (1.0 - gh) * h
            new_y = gy * inputs + (1.0 - gy) * y
        return new_y, new_state


class SRUCell(RNNCell):
    """The simple recurrent unit (Lei et al. 2017): x `kernel` gives x~, f, r and a highway
    term; c' = f c + (1 - f) x~, h = r act(c') + (1 - r) highway (`bias` on f and r)."""

    _default_name = "sru_cell"

    def __init__(self, num_units, activation=None, reuse=None, name=None, **kwargs):
        super().__init__(_reuse=reuse, name=name, **kwargs)
        self._num_units = num_units
        self._activation = activation or math_ops.tanh

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        depth = input_depth(inputs_shape)
        self._kernel = self.add_variable("kernel", [depth, 4 * self._num_units])
        self._bias = self.add_variable("bias", [2 * self._num_units],
                                       initializer=init_ops.zeros_initializer())

    def call(self, inputs, state):
        x_bar, f_part, r_part, highway = array.split(math_ops.matmul(inputs, self._kernel), 4,
                                                     axis=1)
        f, r = array.split(math_ops.sigmoid(nn_ops.bias_add(
            array.concat([f_part, r_part], 1), self._bias)), 2, axis=1)
        c = f * state + (1.0 - f) * x_bar
        return r * self._activation(c) + (1.0 - r) * highway, c


class IndRNNCell(RNNCell):
    """The independently recurrent cell (Li et al. 2018): h' = act(x `kernel_w` + h *
    `kernel_u` + `bias`), one recurrent weight per unit (uniform in [-1, 1])."""

    _default_name = "ind_rnn_cell"

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None):
        super().__init__(_reuse=reuse, name=name, dtype=dtype)
        self._num_units = num_units
        self._activation = activation or math_ops.tanh

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        depth, n = input_depth(inputs_shape), self._num_units
        self._kernel_w = self.add_variable("kernel_w", [depth, n])
        self._kernel_u = self.add_variable("kernel_u", [1, n], initializer=(
            init_ops.random_uniform_initializer(-1, 1, dtype=self._dtype)))
        self._bias = self.add_variable("bias", [n], initializer=(
            init_ops.zeros_initializer(dtype=self._dtype)))

    def call(self, inputs, state):
        out = self._activation(nn_ops.bias_add(
            math_ops.matmul(inputs, self._kernel_w) + state * self._kernel_u, self._bias))
        return out, out


class IndyGRUCell(RNNCell):
    """GRUCell with diagonal recurrent weights: gates from x `gates/kernel_w` + tile(h, 2) *
    `gates/kernel_u` + `gates/bias` (ones), the candidate from x `candidate/kernel` +
    r h * `candidate/kernel_u` + `candidate/bias`."""

    _default_name = "indy_gru_cell"

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None):
        super().__init__(_reuse=reuse, name=name, dtype=dtype)
        self._num_units = num_units
        self._activation = activation or math_ops.tanh
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        depth, n = input_depth(inputs_shape), self._num_units

        def recurrent():
            return init_ops.random_uniform_initializer(-1, 1, dtype=self._dtype)

        self._gate_kernel_w = self.add_variable("gates/kernel_w", [depth, 2 * n],
                                                initializer=self._kernel_initializer)
        self._gate_kernel_u = self.add_variable("gates/kernel_u", [1, 2 * n],
                                                initializer=recurrent())
        self._gate_bias = self.add_variable("gates/bias", [2 * n], initializer=(
            self._bias_initializer or init_ops.constant_initializer(1.0, dtype=self._dtype)))
        self._candidate_kernel_w = self.add_variable("candidate/kernel", [depth, n],
                                                     initializer=self._kernel_initializer)
        self._candidate_kernel_u = self.add_variable("candidate/kernel_u", [1, n],
                                                     initializer=recurrent())
        self._candidate_bias = self.add_variable("candidate/bias", [n], initializer=(
            self._bias_initializer or init_ops.zeros_initializer(dtype=self._dtype)))

    def call(self, inputs, state):
        gates = math_ops.matmul(inputs, self._gate_kernel_w) + \
            array.tile(state, [1, 2]) * self._gate_kernel_u
        r, u = array.split(math_ops.sigmoid(nn_ops.bias_add(gates, self._gate_bias)), 2,
                           axis=1)
        candidate = math_ops.matmul(inputs, self._candidate_kernel_w) + \
            r * state * self._candidate_kernel_u
        c = self._activation(nn_ops.bias_add(candidate, self._candidate_bias))
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class MinimalRNNCell(RNNCell):
    """The minimal RNN (Chen et al. 2018): z = act(x W_x); h' = u h + (1 - u) z with
    u = sigmoid([z, h] [W; V] + `bias`); `kernel` stacks W_x, W and V ([input + 2 units,
    units]). Activation and initializers take Keras names."""

    _default_name = "minimal_rnn_cell"

    def __init__(self, units, activation="tanh", kernel_initializer="glorot_uniform",
                 bias_initializer="ones", name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def build(self, inputs_shape):
        depth = input_depth(inputs_shape)
        self.kernel = self.add_variable("kernel", [depth + 2 * self.units, self.units],
                                        initializer=self.kernel_initializer)
        self.bias = self.add_variable("bias", [self.units], initializer=self.bias_initializer)

    def call(self, inputs, state):
        depth = _known_input_size(inputs)
        feedforward_weight, gate_weight = array.split(self.kernel, [depth, 2 * self.units],
                                                      axis=0)
        feedforward = self.activation(math_ops.matmul(inputs, feedforward_weight))
        u = math_ops.sigmoid(nn_ops.bias_add(math_ops.matmul(
            array.concat([feedforward, state], 1), gate_weight), self.bias))
        new_h = u * state + (1 - u) * feedforward
        return new_h, new_h


class CFNCell(RNNCell):
    """The chaos-free network (Laurent & von Brecht 2017): gates theta, eta = sigmoid(h U +
    x V + b); h' = theta act(h) + (1 - eta) act(x W), with `kernel` = [V, W],
    `recurrent_kernel` = U and `bias`. Activation and initializers take Keras names."""

    _default_name = "cfn_cell"

    def __init__(self, units, activation="tanh", kernel_initializer="glorot_uniform",
                 bias_initializer="ones", name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def build(self, inputs_shape):
        depth = input_depth(inputs_shape)
        self.kernel = self.add_variable("kernel", [depth, 3 * self.units],
                                        initializer=self.kernel_initializer)
        self.recurrent_kernel = self.add_variable("recurrent_kernel",
                                                  [self.units, 2 * self.units],
                                                  initializer=self.kernel_initializer)
        self.bias = self.add_variable("bias", [2 * self.units],
                                      initializer=self.bias_initializer)

    def call(self, inputs, state):
        _known_input_size(inputs)
        v, w = array.split(self.kernel, [2 * self.units, self.units], axis=1)
        gates = math_ops.sigmoid(nn_ops.bias_add(
            math_ops.matmul(state, self.recurrent_kernel) + math_ops.matmul(inputs, v),
            self.bias))
        theta, eta = array.split(gates, 2, axis=1)
        new_h = theta * self.activation(state) + \
            (1 - eta) * self.activation(math_ops.matmul(inputs, w))
        return new_h, new_h


# --- wrappers --------------------------------------------------------------------------------
class CompiledWrapper(RNNCell):
    """Runs `cell`'s step in tf.contrib.compiler.jit's scope: its ops get TF's XLA marks
    (stateless ops only unless `compile_stateful`); tensorweave runs them as usual."""

    def __init__(self, cell, compile_stateful=False):
        super().__init__()
        self._cell = cell
        self._compile_stateful = compile_stateful

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return self._cell.zero_state(batch_size, dtype)

    def _all_variables(self):
        return self._cell.variables

    def __call__(self, inputs, state, scope=None):
        if self._compile_stateful:
            compile_ops = True
        else:
            def compile_ops(node_def):
                return not registry.lookup(node_def.op).stateful
        with jit.experimental_jit_scope(compile_ops=compile_ops):
            return self._cell(inputs, state, scope=scope)

