"""contrib's fused LSTM cells: LSTMBlockCell (one LSTMBlockCell op per step) and
LSTMBlockFusedCell (one BlockLSTM op over the whole sequence)."""
from tensorweave.core.constants import convert_to_tensor
from tensorweave.nn import rnn as _rnn
from tensorweave.nn import rnn_cell as _rnn_cell
from tensorweave.nn.rnn_cell import LSTMCell, LSTMStateTuple
from tensorweave.ops import array


class LSTMBlockCell(LSTMCell):
    """tf.contrib.rnn.LSTMBlockCell: the LSTM computed by one fused LSTMBlockCell op per step,
    with LSTMCell's variable names (`lstm_cell/kernel`, `bias`, peepholes `w_i_diag`, ...)."""

    def __init__(self, num_units, forget_bias=1.0, cell_clip=None, use_peephole=False,
                 reuse=None, dtype=None, name="lstm_cell"):
        super().__init__(num_units, use_peepholes=use_peephole, cell_clip=cell_clip,
                         forget_bias=forget_bias, reuse=reuse, name=name, dtype=dtype)


class LSTMBlockFusedCell(LSTMCell):
    """tf.contrib.rnn.LSTMBlockFusedCell: the LSTM over a whole time-major sequence as one
    BlockLSTM op, called as cell(inputs, initial_state=None, dtype=None, sequence_length=None)
    on inputs [time, batch, depth] (or a list of [batch, depth]); returns (outputs, final
    LSTMStateTuple), outputs zero past each row's length. LSTMCell's variable names under
    `lstm_fused_cell`."""

    def __init__(self, num_units, forget_bias=1.0, cell_clip=None, use_peephole=False,
                 reuse=None, dtype=None, name="lstm_fused_cell"):
        super().__init__(num_units, use_peepholes=use_peephole, cell_clip=cell_clip,
                         forget_bias=forget_bias, reuse=reuse, name=name, dtype=dtype)

    @property
    def num_units(self):
        return self.output_size

    def block_lstm_config(self):
        """Always a BlockLSTMConfig (cell clipping included): this cell is one BlockLSTM op."""
        return _rnn_cell.BlockLSTMConfig(self)

    def __call__(self, inputs, initial_state=None, dtype=None, sequence_length=None,
                 scope=None):
        is_list = isinstance(inputs, list)
        inputs = array.stack(inputs) if is_list else convert_to_tensor(inputs)
        dims = inputs.shape.with_rank(3)
        if dims[2].value is None:
            raise ValueError(f"Expecting inputs_shape[2] to be set: {dims}")
        if initial_state is None:
            if dtype is None:
                raise ValueError("Either initial_state or dtype needs to be specified")
            batch = dims[1].value if dims[1].value is not None else array.shape(inputs)[1]
            zeros = array.zeros([batch, self.num_units], dtype=dtype)
            initial_state = (zeros, zeros)
        elif len(initial_state) != 2:
            raise ValueError("Expecting initial_state to be a tuple with length 2 or None")
        lengths = None if sequence_length is None else _rnn.as_sequence_lengths(sequence_length)
        outputs, final = _rnn.run_block_lstm(self.block_lstm_config(), inputs,
                                             LSTMStateTuple(*initial_state), lengths,
                                             scope=scope)
        return (array.unstack(outputs) if is_list else outputs), final
