"""TF's module path `tensorflow.contrib.seq2seq.python.ops.decoder`:
this path is `tensorweave.contrib.seq2seq.decoder` itself."""
import sys

from tensorweave.contrib.seq2seq import decoder as _moved

sys.modules[__name__] = _moved
