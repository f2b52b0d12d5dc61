"""TF's module path `tensorflow.contrib.slim.python.slim.learning`:
this old path is `tensorweave.contrib.slim.learning` itself."""
import sys

from tensorweave.contrib.slim import learning as _moved

sys.modules[__name__] = _moved
