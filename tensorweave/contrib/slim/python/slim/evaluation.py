"""TF's module path `tensorflow.contrib.slim.python.slim.evaluation`:
this old path is `tensorweave.contrib.slim.evaluation` itself."""
import sys

from tensorweave.contrib.slim import evaluation as _moved

sys.modules[__name__] = _moved
