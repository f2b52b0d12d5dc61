"""tf.contrib.rnn's recurrent drivers beyond tf.nn's: stacked bidirectional RNNs (each layer
reads the depth-concatenated outputs of the one below) and the fused-RNN adaptors.

    outputs, states_fw, states_bw = tf.contrib.rnn.stack_bidirectional_dynamic_rnn(
        [fw_cell_1, fw_cell_2], [bw_cell_1, bw_cell_2], inputs, dtype=tf.float32)

Variables: `stack_bidirectional_rnn/cell_<k>/bidirectional_rnn/fw/<cell>/...` (dynamic) and
`stack_bidirectional_rnn/cell_<k>/fw/<cell>/...` (static), as in TF 1.15.
"""
from tensorweave.core.constants import convert_to_tensor
from tensorweave.nn.rnn import bidirectional_dynamic_rnn, dynamic_rnn, static_rnn
from tensorweave.nn.rnn_loops import static_bidirectional_rnn
from tensorweave.ops import array
from tensorweave.ops.array import rearrange
from tensorweave.variable_scope import variable_scope

__all__ = ["stack_bidirectional_rnn", "stack_bidirectional_dynamic_rnn", "FusedRNNCell",
           "FusedRNNCellAdaptor", "TimeReversedFusedRNN", "transpose_batch_time",
           "best_effort_input_batch_size"]


def _check_stack(cells_fw, cells_bw, initial_states_fw, initial_states_bw):
    if not cells_fw:
        raise ValueError("Must specify at least one fw cell for BidirectionalRNN.")
    if not cells_bw:
        raise ValueError("Must specify at least one bw cell for BidirectionalRNN.")
    if not isinstance(cells_fw, list):
        raise ValueError("cells_fw must be a list of RNNCells (one per layer).")
    if not isinstance(cells_bw, list):
        raise ValueError("cells_bw must be a list of RNNCells (one per layer).")
    if len(cells_fw) != len(cells_bw):
        raise ValueError("Forward and Backward cells must have the same depth.")
    for states, cells, which in ((initial_states_fw, cells_fw, "fw"),
                                 (initial_states_bw, cells_bw, "bw")):
        if states is not None and (not isinstance(states, list) or len(states) != len(cells)):
            raise ValueError(f"initial_states_{which} must be a list of state tensors (one per "
                             f"layer).")


def stack_bidirectional_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None,
                            initial_states_bw=None, dtype=None, sequence_length=None,
                            scope=None):
    """Layers of static_bidirectional_rnn over a list of inputs; returns (outputs list,
    final forward states tuple, final backward states tuple)."""
    _check_stack(cells_fw, cells_bw, initial_states_fw, initial_states_bw)
    states_fw, states_bw, prev_layer = [], [], inputs
    with variable_scope(scope or "stack_bidirectional_rnn"):
        for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with variable_scope(f"cell_{i}") as cell_scope:
                prev_layer, state_fw, state_bw = static_bidirectional_rnn(
                    cell_fw, cell_bw, prev_layer,
                    initial_state_fw=initial_states_fw[i] if initial_states_fw else None,
                    initial_state_bw=initial_states_bw[i] if initial_states_bw else None,
                    sequence_length=sequence_length, dtype=dtype, scope=cell_scope)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return prev_layer, tuple(states_fw), tuple(states_bw)


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None,
                                    initial_states_bw=None, dtype=None, sequence_length=None,
                                    parallel_iterations=None, time_major=False, scope=None,
                                    swap_memory=False):
    """Layers of bidirectional_dynamic_rnn; returns (outputs [batch, time, fw + bw depth],
    final forward states tuple, final backward states tuple)."""
    _check_stack(cells_fw, cells_bw, initial_states_fw, initial_states_bw)
    states_fw, states_bw, prev_layer = [], [], inputs
    with variable_scope(scope or "stack_bidirectional_rnn"):
        for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with variable_scope(f"cell_{i}"):
                outputs, (state_fw, state_bw) = bidirectional_dynamic_rnn(
                    cell_fw, cell_bw, prev_layer,
                    initial_state_fw=initial_states_fw[i] if initial_states_fw else None,
                    initial_state_bw=initial_states_bw[i] if initial_states_bw else None,
                    sequence_length=sequence_length, parallel_iterations=parallel_iterations,
                    dtype=dtype, swap_memory=swap_memory, time_major=time_major)
                prev_layer = array.concat(outputs, 2)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return prev_layer, tuple(states_fw), tuple(states_bw)


def transpose_batch_time(x):
    """[batch, time, ...] <-> [time, batch, ...] (tensors of rank < 2 unchanged)."""
    x = convert_to_tensor(x)
    if x.shape.ndims is not None and x.shape.ndims < 2:
        return x
    if x.shape.ndims is None:
        raise ValueError(f"Expected a tensor of known rank, got {x}")
    out = array.transpose(x, [1, 0] + list(range(2, x.shape.ndims)))
    return out


def best_effort_input_batch_size(flat_input):
    """The batch size of time-major inputs: static where a shape tells, else a tensor."""
    for x in flat_input:
        x = convert_to_tensor(x)
        if x.shape.ndims is None:
            continue
        if x.shape.ndims < 2:
            raise ValueError(f"Expected input tensor {x} to have rank at least 2")
        if x.shape[1].value is not None:
            return x.shape[1].value
    return array.shape(convert_to_tensor(flat_input[0]))[1]


class FusedRNNCell:
    """A cell run over a whole time-major sequence at once: cell(inputs, initial_state=None,
    dtype=None, sequence_length=None, scope=None) -> (outputs, final_state)."""

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None,
                 scope=None):
        raise NotImplementedError


class FusedRNNCellAdaptor(FusedRNNCell):
    """A FusedRNNCell made of an RNNCell, run by dynamic_rnn (use_dynamic_rnn) or
    static_rnn."""

    def __init__(self, cell, use_dynamic_rnn=False):
        self._cell = cell
        self._use_dynamic_rnn = use_dynamic_rnn

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None,
                 scope=None):
        is_list = isinstance(inputs, list)
        if self._use_dynamic_rnn:
            if is_list:
                inputs = array.stack(inputs)
            outputs, state = dynamic_rnn(self._cell, inputs, sequence_length=sequence_length,
                                         initial_state=initial_state, dtype=dtype,
                                         time_major=True, scope=scope)
            if is_list:
                outputs = array.unstack(outputs)
        else:
            if not is_list:
                inputs = array.unstack(inputs)
            outputs, state = static_rnn(self._cell, inputs, initial_state=initial_state,
                                        dtype=dtype, sequence_length=sequence_length,
                                        scope=scope)
            if not is_list:
                outputs = array.stack(outputs)
        return outputs, state


class TimeReversedFusedRNN(FusedRNNCell):
    """A FusedRNNCell (or RNNCell, adapted) run over the sequence reversed in time (each row's
    first sequence_length steps), its outputs reversed back."""

    def __init__(self, cell):
        self._cell = cell if isinstance(cell, FusedRNNCell) else FusedRNNCellAdaptor(cell)

    def _reverse(self, t, lengths):
        if lengths is None:
            return rearrange.reverse_v2(t, [0])
        return array.reverse_sequence(t, lengths, seq_axis=0, batch_axis=1)

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None,
                 scope=None):
        is_list = isinstance(inputs, list)
        inputs = array.stack(inputs) if is_list else inputs
        lengths = None if sequence_length is None else \
            array.cast(convert_to_tensor(sequence_length), "int64")
        outputs, state = self._cell(self._reverse(inputs, lengths), initial_state, dtype,
                                    sequence_length, scope)
        outputs = self._reverse(outputs, lengths)
        return (array.unstack(outputs) if is_list else outputs), state
