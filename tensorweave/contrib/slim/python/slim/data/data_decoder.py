"""TF's module path `tensorflow.contrib.slim.python.slim.data.data_decoder`:
this old path is `tensorweave.contrib.slim.data.data_decoder` itself."""
import sys

from tensorweave.contrib.slim.data import data_decoder as _moved

sys.modules[__name__] = _moved
