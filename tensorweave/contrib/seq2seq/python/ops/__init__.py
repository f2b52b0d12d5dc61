"""TF's package path `tensorflow.contrib.seq2seq.python.ops`, holding the seq2seq modules."""
