"""Recurrent-network tutorials (`mnist_lstm`: MNIST rows read by an LSTM; `char_rnn`: a
character-level language model of a text file)."""
