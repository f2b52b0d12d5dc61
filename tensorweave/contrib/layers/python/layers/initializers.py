"""TF's module path `tensorflow.contrib.layers.python.layers.initializers`:
this old path is `tensorweave.contrib.layers.initializers` itself."""
import sys

from tensorweave.contrib.layers import initializers as _moved

sys.modules[__name__] = _moved
