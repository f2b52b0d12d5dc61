"""TF's module path `tensorflow.contrib.framework.python.ops.variables`:
this old path is `tensorweave.contrib.framework.variables` itself."""
import sys

from tensorweave.contrib.framework import variables as _moved

sys.modules[__name__] = _moved
