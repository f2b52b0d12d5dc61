"""TF's module path `tensorflow.contrib.learn.python.learn.datasets`: this old path is
`tensorweave.contrib.learn.datasets` itself (its `mnist` and `base` included)."""
import sys

from tensorweave.contrib.learn import datasets as _moved

sys.modules[__name__] = _moved
