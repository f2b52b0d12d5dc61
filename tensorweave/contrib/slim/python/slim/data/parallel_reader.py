"""TF's module path `tensorflow.contrib.slim.python.slim.data.parallel_reader`:
this old path is `tensorweave.contrib.slim.data.parallel_reader` itself."""
import sys

from tensorweave.contrib.slim.data import parallel_reader as _moved

sys.modules[__name__] = _moved
