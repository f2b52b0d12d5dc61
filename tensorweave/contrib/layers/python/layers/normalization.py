"""TF's module path `tensorflow.contrib.layers.python.layers.normalization`:
this old path is `tensorweave.contrib.layers.normalization` itself."""
import sys

from tensorweave.contrib.layers import normalization as _moved

sys.modules[__name__] = _moved
