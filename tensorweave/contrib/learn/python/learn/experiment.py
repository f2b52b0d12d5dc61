"""TF's module path `tensorflow.contrib.learn.python.learn.experiment`: this path is
`tensorweave.contrib.learn.experiment` itself."""
import sys

from tensorweave.contrib.learn import experiment as _moved

sys.modules[__name__] = _moved
