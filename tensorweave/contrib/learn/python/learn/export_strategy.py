"""TF's module path `tensorflow.contrib.learn.python.learn.export_strategy`: this path is
`tensorweave.contrib.learn.export_strategy` itself."""
import sys

from tensorweave.contrib.learn import export_strategy as _moved

sys.modules[__name__] = _moved
