"""tf.contrib.rnn: tf.nn.rnn_cell's cells and tf.nn's RNN drivers under their contrib names,
plus contrib's own: fused LSTM cells (LSTMBlockCell, LSTMBlockFusedCell), GRUBlockCell(V2),
LayerNormBasicLSTMCell, ConvLSTMCell (1-D, 2-D, 3-D), the research cells (NASCell, UGRNNCell,
IntersectionRNNCell, CoupledInputForgetGateLSTMCell, LayerNormLSTMCell, GLSTMCell, SRUCell,
IndRNNCell, IndyGRUCell, IndyLSTMCell, MinimalRNNCell, CFNCell, PhasedLSTMCell,
TimeFreqLSTMCell, GridLSTMCell, BidirectionalGridLSTMCell, NTMCell), the projection,
embedding, attention, highway and compiled wrappers, stacked bidirectional RNNs and the
fused-RNN adaptors.

    cells_fw = [tf.contrib.rnn.LSTMCell(64) for _ in range(2)]
    cells_bw = [tf.contrib.rnn.LSTMCell(64) for _ in range(2)]
    outputs, _, _ = tf.contrib.rnn.stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, x,
                                                                   dtype=tf.float32)
"""
from tensorweave.nn.rnn import (bidirectional_dynamic_rnn, dynamic_rnn,  # noqa: F401
                                static_rnn)
from tensorweave.nn.rnn_cell import (BasicLSTMCell, BasicRNNCell, DeviceWrapper,  # noqa: F401
                                     DropoutWrapper, GRUCell, LayerRNNCell, LSTMCell,
                                     LSTMStateTuple, MultiRNNCell, ResidualWrapper, RNNCell)
from tensorweave.nn.rnn_loops import (static_bidirectional_rnn,  # noqa: F401
                                      static_state_saving_rnn)
from tensorweave.contrib.rnn.cells import (  # noqa: F401
    AttentionCellWrapper, Conv1DLSTMCell, Conv2DLSTMCell, Conv3DLSTMCell, ConvLSTMCell,
    EmbeddingWrapper, GRUBlockCell, GRUBlockCellV2, HighwayWrapper, InputProjectionWrapper,
    LayerNormBasicLSTMCell, OutputProjectionWrapper)
from tensorweave.contrib.rnn.fused import LSTMBlockCell, LSTMBlockFusedCell  # noqa: F401
from tensorweave.contrib.rnn.grid_lstm_cells import (  # noqa: F401
    BidirectionalGridLSTMCell, GridLSTMCell)
from tensorweave.contrib.rnn.ntm_cell import NTMCell  # noqa: F401
from tensorweave.contrib.rnn.research_cells import (  # noqa: F401
    CFNCell, CompiledWrapper, IndRNNCell, IndyGRUCell, IntersectionRNNCell, MinimalRNNCell,
    SRUCell, UGRNNCell)
from tensorweave.contrib.rnn.research_lstm_cells import (  # noqa: F401
    CoupledInputForgetGateLSTMCell, GLSTMCell, IndyLSTMCell, LayerNormLSTMCell, NASCell,
    PhasedLSTMCell, TimeFreqLSTMCell)
from tensorweave.contrib.rnn.stacked import (  # noqa: F401
    FusedRNNCell, FusedRNNCellAdaptor, TimeReversedFusedRNN, best_effort_input_batch_size,
    stack_bidirectional_dynamic_rnn, stack_bidirectional_rnn, transpose_batch_time)
from tensorweave.contrib import not_provided

# TF 1.15 names of tf.contrib.rnn that tensorweave does not provide (research cells).
NOT_PROVIDED = ("LSTMBlockWrapper",)


__getattr__ = not_provided(__name__, NOT_PROVIDED)
