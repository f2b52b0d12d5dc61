"""tf.contrib.rnn: the RNN cells and helpers of tf.nn.rnn_cell and tf.nn under their contrib
names."""
from tensorweave.nn.rnn import (bidirectional_dynamic_rnn, dynamic_rnn,  # noqa: F401
                                 static_rnn)
from tensorweave.nn.rnn_cell import (BasicLSTMCell, BasicRNNCell, DeviceWrapper,  # noqa: F401
                                      DropoutWrapper, GRUCell, LayerRNNCell, LSTMBlockCell,
                                      LSTMBlockFusedCell, LSTMCell, LSTMStateTuple,
                                      MultiRNNCell, ResidualWrapper, RNNCell)
