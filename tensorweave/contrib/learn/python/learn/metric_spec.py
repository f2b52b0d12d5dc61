"""TF's module path `tensorflow.contrib.learn.python.learn.metric_spec`: this old path is
`tensorweave.contrib.learn.metric_spec` itself."""
import sys

from tensorweave.contrib.learn import metric_spec as _moved

sys.modules[__name__] = _moved
