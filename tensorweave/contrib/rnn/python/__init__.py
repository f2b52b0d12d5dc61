"""TF's package path `tensorflow.contrib.rnn.python` (programs import its `ops`)."""
