"""TF's module path `tensorflow.contrib.layers.python.layers.optimizers`:
this old path is `tensorweave.contrib.layers.optimizers` itself."""
import sys

from tensorweave.contrib.layers import optimizers as _moved

sys.modules[__name__] = _moved
