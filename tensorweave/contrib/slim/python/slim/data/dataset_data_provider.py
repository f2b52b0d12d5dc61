"""TF's module path `tensorflow.contrib.slim.python.slim.data.dataset_data_provider`:
this old path is `tensorweave.contrib.slim.data.dataset_data_provider` itself."""
import sys

from tensorweave.contrib.slim.data import dataset_data_provider as _moved

sys.modules[__name__] = _moved
