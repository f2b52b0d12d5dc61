"""TF's package path `tensorflow.contrib.legacy_seq2seq.python` (programs import its `ops`)."""
