"""TF's module path `tensorflow.contrib.seq2seq.python.ops.basic_decoder`:
this path is `tensorweave.contrib.seq2seq.basic_decoder` itself."""
import sys

from tensorweave.contrib.seq2seq import basic_decoder as _moved

sys.modules[__name__] = _moved
