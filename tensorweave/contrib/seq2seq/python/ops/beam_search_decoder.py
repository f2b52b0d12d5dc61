"""TF's module path `tensorflow.contrib.seq2seq.python.ops.beam_search_decoder`:
this path is `tensorweave.contrib.seq2seq.beam_search_decoder` itself."""
import sys

from tensorweave.contrib.seq2seq import beam_search_decoder as _moved

sys.modules[__name__] = _moved
