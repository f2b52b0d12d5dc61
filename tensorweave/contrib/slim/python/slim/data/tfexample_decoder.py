"""TF's module path `tensorflow.contrib.slim.python.slim.data.tfexample_decoder`:
this old path is `tensorweave.contrib.slim.data.tfexample_decoder` itself."""
import sys

from tensorweave.contrib.slim.data import tfexample_decoder as _moved

sys.modules[__name__] = _moved
