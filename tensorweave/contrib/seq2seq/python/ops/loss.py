"""TF's module path `tensorflow.contrib.seq2seq.python.ops.loss`:
this path is `tensorweave.contrib.seq2seq.loss` itself."""
import sys

from tensorweave.contrib.seq2seq import loss as _moved

sys.modules[__name__] = _moved
