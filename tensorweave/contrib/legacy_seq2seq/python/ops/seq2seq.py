"""TF's module path `tensorflow.contrib.legacy_seq2seq.python.ops.seq2seq`:
this old path is `tensorweave.contrib.legacy_seq2seq.seq2seq` itself."""
import sys

from tensorweave.contrib.legacy_seq2seq import seq2seq as _moved

sys.modules[__name__] = _moved
