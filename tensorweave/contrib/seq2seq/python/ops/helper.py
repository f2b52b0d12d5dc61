"""TF's module path `tensorflow.contrib.seq2seq.python.ops.helper`:
this path is `tensorweave.contrib.seq2seq.helper` itself."""
import sys

from tensorweave.contrib.seq2seq import helper as _moved

sys.modules[__name__] = _moved
