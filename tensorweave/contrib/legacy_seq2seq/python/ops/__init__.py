"""TF's package path `tensorflow.contrib.legacy_seq2seq.python.ops`, holding `seq2seq`."""
