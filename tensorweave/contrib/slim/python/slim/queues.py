"""TF's module path `tensorflow.contrib.slim.python.slim.queues`:
this old path is `tensorweave.contrib.slim.queues` itself."""
import sys

from tensorweave.contrib.slim import queues as _moved

sys.modules[__name__] = _moved
