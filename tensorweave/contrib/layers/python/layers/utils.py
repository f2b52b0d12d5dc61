"""TF's module path `tensorflow.contrib.layers.python.layers.utils`:
this old path is `tensorweave.contrib.layers.utils` itself."""
import sys

from tensorweave.contrib.layers import utils as _moved

sys.modules[__name__] = _moved
