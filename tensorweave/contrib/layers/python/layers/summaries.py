"""TF's module path `tensorflow.contrib.layers.python.layers.summaries`:
this old path is `tensorweave.contrib.layers.summaries` itself."""
import sys

from tensorweave.contrib.layers import summaries as _moved

sys.modules[__name__] = _moved
