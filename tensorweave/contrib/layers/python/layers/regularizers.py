"""TF's module path `tensorflow.contrib.layers.python.layers.regularizers`:
this old path is `tensorweave.contrib.layers.regularizers` itself."""
import sys

from tensorweave.contrib.layers import regularizers as _moved

sys.modules[__name__] = _moved
