"""TF's module path `tensorflow.contrib.slim.python.slim.data.dataset`:
this old path is `tensorweave.contrib.slim.data.dataset` itself."""
import sys

from tensorweave.contrib.slim.data import dataset as _moved

sys.modules[__name__] = _moved
