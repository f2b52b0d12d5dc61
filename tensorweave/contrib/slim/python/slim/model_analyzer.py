"""TF's module path `tensorflow.contrib.slim.python.slim.model_analyzer`:
this old path is `tensorweave.contrib.slim.model_analyzer` itself."""
import sys

from tensorweave.contrib.slim import model_analyzer as _moved

sys.modules[__name__] = _moved
