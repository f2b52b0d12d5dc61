"""TF's package path `tensorflow.contrib.rnn.python.ops`, holding `core_rnn_cell`."""
