"""TF's module path `tensorflow.contrib.layers.python.layers.layers`:
this old path is `tensorweave.contrib.layers.layers` itself."""
import sys

from tensorweave.contrib.layers import layers as _moved

sys.modules[__name__] = _moved
