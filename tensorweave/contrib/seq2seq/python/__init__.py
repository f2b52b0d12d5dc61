"""TF's package path `tensorflow.contrib.seq2seq.python` (programs import its `ops`)."""
