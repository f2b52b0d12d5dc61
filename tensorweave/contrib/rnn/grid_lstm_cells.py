"""tf.contrib.rnn's GridLSTMCell and BidirectionalGridLSTMCell (Kalchbrenner et al. 2016; the
peephole form of Sainath & Li 2016), with TF 1.15's variable names and state tuples: for each
frequency window of the input, a frequency LSTM (carried along the windows) and a time LSTM
(carried along time in the state).

    cell = tf.contrib.rnn.GridLSTMCell(16, feature_size=8, frequency_skip=4,
                                       num_frequency_blocks=[7])   # inputs of 32 features
"""
import collections

from tensorweave import init_ops
from tensorweave.contrib.rnn import cell_parts
from tensorweave.core import dtypes
from tensorweave.core.constants import constant
from tensorweave.nn.rnn_cell import RNNCell
from tensorweave.ops import array, math_ops, nn_ops
from tensorweave.variable_scope import get_variable, variable_scope

__all__ = ["GridLSTMCell", "BidirectionalGridLSTMCell"]


def _state_names(prefix, num_frequency_blocks):
    """The state tuple's fields: <prefix>_f<freq>_b<block>_c and _m for every window."""
    names = []
    for block, count in enumerate(num_frequency_blocks):
        for freq in range(count):
            window = f"{prefix}_f{freq:02d}_b{block:02d}"
            names += [window + "_c", window + "_m"]
    return names


class GridLSTMCell(RNNCell):
    """A grid LSTM over frequency windows of `feature_size` inputs `frequency_skip` apart, in
    `num_frequency_blocks` blocks (optionally between `start_freqindex_list` and
    `end_freqindex_list`). Per block k: weights `W_f_<k>` (frequency) and `W_t_<k>` (time,
    unless `share_time_frequency_weights`), biases `B_f_<k>`, `B_t_<k>`, and with peepholes
    the diagonals `W_{F,I,O}_diag_{freq,time}{f,t}_<k>`; `couple_input_forget_gates` uses
    1 - input gate as forget gate. The output is [m_time, m_freq] of every window; the state holds
    (c_time, m_time) per window, as a named tuple or concatenated. As in TF 1.15, `initializer`
    is accepted and not used."""

    _default_name = "grid_lstm_cell"

    def __init__(self, num_units, use_peepholes=False, share_time_frequency_weights=False,
                 cell_clip=None, initializer=None, num_unit_shards=1, forget_bias=1.0,
                 feature_size=None, frequency_skip=None, num_frequency_blocks=None,
                 start_freqindex_list=None, end_freqindex_list=None,
                 couple_input_forget_gates=False, state_is_tuple=True, reuse=None):
        super().__init__(_reuse=reuse)
        if num_frequency_blocks is None:
            raise ValueError("Must specify num_frequency_blocks")
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._share_time_frequency_weights = share_time_frequency_weights
        self._couple_input_forget_gates = couple_input_forget_gates
        self._state_is_tuple = state_is_tuple
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_unit_shards = num_unit_shards
        self._forget_bias = forget_bias
        self._feature_size = feature_size
        self._frequency_skip = frequency_skip
        self._start_freqindex_list = start_freqindex_list
        self._end_freqindex_list = end_freqindex_list
        self._num_frequency_blocks = num_frequency_blocks
        self._total_blocks = sum(int(n) for n in num_frequency_blocks)
        if state_is_tuple:
            self._state_tuple_type = collections.namedtuple(
                "GridLSTMStateTuple", _state_names("state", num_frequency_blocks))
            self._state_size = self._state_tuple_type(
                *([num_units, num_units] * self._total_blocks))
        else:
            self._state_tuple_type = None
            self._state_size = num_units * self._total_blocks * 2
        self._output_size = num_units * self._total_blocks * 2

    @property
    def output_size(self):
        return self._output_size

    @property
    def state_size(self):
        return self._state_size

    @property
    def state_tuple_type(self):
        return self._state_tuple_type

    def call(self, inputs, state):
        batch = inputs.shape[0].value or array.shape(inputs)[0]
        outputs, states = [], []
        for block, windows in enumerate(self._make_tf_features(inputs)):
            block_outputs, block_states = self._compute(
                windows, block, state, batch, state_is_tuple=self._state_is_tuple)
            outputs += block_outputs
            states += block_states
        if self._state_is_tuple:
            new_state = self._state_tuple_type(*states)
        else:
            new_state = array.concat(states, 1)
        return array.concat(outputs, 1), new_state

    def _compute(self, windows, block, state, batch, state_prefix="state",
                 state_is_tuple=True):
        """([m_time, m_freq] per window, [c_time, m_time] per window) of one block."""
        sigmoid, tanh = math_ops.sigmoid, math_ops.tanh
        n = self._num_units
        couple, share = self._couple_input_forget_gates, self._share_time_frequency_weights
        gates = 3 if couple else 4
        dtype = windows[0].dtype
        rows = windows[0].shape[1].value + 2 * n
        zeros = init_ops.zeros_initializer()
        w_f = cell_parts.sharded_variable(f"W_f_{block}", [rows, gates * n], dtype,
                                          self._num_unit_shards)
        b_f = get_variable(f"B_f_{block}", shape=[gates * n], initializer=zeros, dtype=dtype)
        if not share:
            w_t = cell_parts.sharded_variable(f"W_t_{block}", [rows, gates * n], dtype,
                                              self._num_unit_shards)
            b_t = get_variable(f"B_t_{block}", shape=[gates * n], initializer=zeros,
                               dtype=dtype)
        diag = {}
        if self._use_peepholes:
            kinds = ["freq"] + ([] if share else ["time"])
            for kind in kinds:
                letters = "IO" if couple else "FIO"
                for letter in letters:
                    for source in "ft":
                        key = f"W_{letter}_diag_{kind}{source}_{block}"
                        diag[key] = get_variable(key, shape=[n], dtype=dtype)

        def peephole(letter, kind, c_freq, c_time):
            kind = "freq" if share else kind
            return (diag[f"W_{letter}_diag_{kind}f_{block}"] * c_freq +
                    diag[f"W_{letter}_diag_{kind}t_{block}"] * c_time)

        m_prev_freq = array.zeros(array.stack([batch, n]) if not isinstance(batch, int)
                                  else [batch, n], dtype)
        c_prev_freq = array.zeros_like(m_prev_freq)
        outputs, states = [], []
        for index, window in enumerate(windows):
            if state_is_tuple:
                prefix = f"{state_prefix}_f{index:02d}_b{block:02d}"
                c_prev_time = getattr(state, prefix + "_c")
                m_prev_time = getattr(state, prefix + "_m")
            else:
                c_prev_time = array.slice_(state, [0, 2 * index * n], [-1, n])
                m_prev_time = array.slice_(state, [0, (2 * index + 1) * n], [-1, n])
            cell_inputs = array.concat([window, m_prev_time, m_prev_freq], 1)
            freq_parts = array.split(nn_ops.bias_add(math_ops.matmul(cell_inputs, w_f), b_f),
                                     gates, axis=1)
            time_parts = freq_parts if share else array.split(
                nn_ops.bias_add(math_ops.matmul(cell_inputs, w_t), b_t), gates, axis=1)
            if couple:  # no forget gate's part: it is 1 - the input gate
                (i_freq, j_freq, o_freq), (i_time, j_time, o_time) = freq_parts, time_parts
                f_freq = f_time = None
            else:
                i_freq, j_freq, f_freq, o_freq = freq_parts
                i_time, j_time, f_time, o_time = time_parts
            peep = self._use_peepholes

            def new_cell(axis, i, j, f, c_prev):
                """The frequency or time LSTM's new cell state (gates with their peepholes
                onto both previous cell states, a coupled forget gate 1 - i)."""
                i_g = sigmoid(i + peephole("I", axis, c_prev_freq, c_prev_time)) if peep \
                    else sigmoid(i)
                if couple:
                    f_g = 1.0 - i_g
                elif peep:
                    f_g = sigmoid(f + self._forget_bias +
                                  peephole("F", axis, c_prev_freq, c_prev_time))
                else:
                    f_g = sigmoid(f + self._forget_bias)
                return cell_parts.clip(f_g * c_prev + i_g * tanh(j), self._cell_clip)
            c_freq = new_cell("freq", i_freq, j_freq, f_freq, c_prev_freq)
            c_time = new_cell("time", i_time, j_time, f_time, c_prev_time)
            if peep:
                m_freq = sigmoid(o_freq + peephole("O", "freq", c_freq, c_time)) * tanh(c_freq)
                m_time = sigmoid(o_time + peephole("O", "time", c_freq, c_time)) * tanh(c_time)
            else:
                m_freq = sigmoid(o_freq) * tanh(c_freq)
                m_time = sigmoid(o_time) * tanh(c_time)
            m_prev_freq, c_prev_freq = m_freq, c_freq
            states += [c_time, m_time]
            outputs += [m_time, m_freq]
        return outputs, states

    def _make_tf_features(self, inputs, slice_offset=0):
        """The input windows, one list per frequency block; a positive `slice_offset` pads the
        end and starts the windows that far in, a negative one pads the front."""
        size = inputs.shape.with_rank(2)[-1].value
        if size is None:
            raise ValueError("Cannot infer input_size from static shape inference.")
        if slice_offset > 0:
            inputs = array.pad(inputs, constant([[0, 0], [0, slice_offset]], dtypes.int32))
        elif slice_offset < 0:
            inputs = array.pad(inputs, constant([[0, 0], [-slice_offset, 0]], dtypes.int32))
            slice_offset = 0
        skip, width = self._frequency_skip, self._feature_size
        if not self._start_freqindex_list:
            if len(self._num_frequency_blocks) != 1:
                raise ValueError(f"Length of num_frequency_blocks is not 1, but instead is "
                                 f"{len(self._num_frequency_blocks)}")
            ranges = [(0, size)]
        else:
            if len(self._start_freqindex_list) != len(self._end_freqindex_list):
                raise ValueError(f"Length of start and end freqindex_list does not match "
                                 f"{len(self._start_freqindex_list)} "
                                 f"{len(self._end_freqindex_list)}")
            if len(self._num_frequency_blocks) != len(self._start_freqindex_list):
                raise ValueError(f"Length of num_frequency_blocks is not equal to "
                                 f"start_freqindex_list {len(self._num_frequency_blocks)} "
                                 f"{len(self._start_freqindex_list)}")
            ranges = list(zip(self._start_freqindex_list, self._end_freqindex_list))
        blocks = []
        for block, (start, end) in enumerate(ranges):
            count = int((end - start - width) / skip) + 1
            if count != self._num_frequency_blocks[block]:
                raise ValueError(f"Invalid num_frequency_blocks, requires "
                                 f"{self._num_frequency_blocks[block]} but gets {count}, please "
                                 f"check the input size and filter config are correct.")
            blocks.append([array.slice_(inputs, [0, start + slice_offset + f * skip],
                                        [-1, width]) for f in range(count)])
        return blocks


class BidirectionalGridLSTMCell(GridLSTMCell):
    """GridLSTMCell run over the frequency windows forwards (variables under `fwd/`) and
    backwards (`bwd/`, the windows reversed, optionally shifted by `backward_slice_offset`);
    the state tuple holds fwd_state_* then bwd_state_* fields and the output both directions'
    [m_time, m_freq]."""

    _default_name = "bidirectional_grid_lstm_cell"

    def __init__(self, num_units, use_peepholes=False, share_time_frequency_weights=False,
                 cell_clip=None, initializer=None, num_unit_shards=1, forget_bias=1.0,
                 feature_size=None, frequency_skip=None, num_frequency_blocks=None,
                 start_freqindex_list=None, end_freqindex_list=None,
                 couple_input_forget_gates=False, backward_slice_offset=0, reuse=None):
        super().__init__(num_units, use_peepholes, share_time_frequency_weights, cell_clip,
                         initializer, num_unit_shards, forget_bias, feature_size,
                         frequency_skip, num_frequency_blocks, start_freqindex_list,
                         end_freqindex_list, couple_input_forget_gates, True, reuse)
        self._backward_slice_offset = int(backward_slice_offset)
        names = (_state_names("fwd_state", num_frequency_blocks) +
                 _state_names("bwd_state", num_frequency_blocks))
        self._state_tuple_type = collections.namedtuple("BidirectionalGridLSTMStateTuple",
                                                        names)
        self._state_size = self._state_tuple_type(
            *([num_units, num_units] * self._total_blocks * 2))
        self._output_size = 2 * num_units * self._total_blocks * 2

    def call(self, inputs, state):
        batch = inputs.shape[0].value or array.shape(inputs)[0]
        forward = self._make_tf_features(inputs)
        backward = self._make_tf_features(inputs, self._backward_slice_offset) \
            if self._backward_slice_offset else forward
        outputs, states = {}, {}
        for direction, blocks in (("fwd", forward), ("bwd", backward)):
            outputs[direction], states[direction] = [], []
            with variable_scope(direction):
                for block, windows in enumerate(blocks):
                    if direction == "bwd":
                        windows = windows[::-1]
                    block_outputs, block_states = self._compute(
                        windows, block, state, batch, state_prefix=f"{direction}_state",
                        state_is_tuple=True)
                    outputs[direction] += block_outputs
                    states[direction] += block_states
        new_state = self._state_tuple_type(*(states["fwd"] + states["bwd"]))
        return array.concat(outputs["fwd"] + outputs["bwd"], 1), new_state
