"""TF's module path `tensorflow.contrib.slim.python.slim.data.prefetch_queue`:
this old path is `tensorweave.contrib.slim.data.prefetch_queue` itself."""
import sys

from tensorweave.contrib.slim.data import prefetch_queue as _moved

sys.modules[__name__] = _moved
