"""TF's module path `tensorflow.contrib.seq2seq.python.ops.attention_wrapper`:
this path is `tensorweave.contrib.seq2seq.attention_wrapper` itself."""
import sys

from tensorweave.contrib.seq2seq import attention_wrapper as _moved

sys.modules[__name__] = _moved
