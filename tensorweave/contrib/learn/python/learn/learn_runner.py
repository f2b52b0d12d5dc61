"""TF's module path `tensorflow.contrib.learn.python.learn.learn_runner`: this path is
`tensorweave.contrib.learn.learn_runner` itself."""
import sys

from tensorweave.contrib.learn import learn_runner as _moved

sys.modules[__name__] = _moved
