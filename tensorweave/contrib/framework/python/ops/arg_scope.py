"""TF's module path `tensorflow.contrib.framework.python.ops.arg_scope`:
this old path is `tensorweave.contrib.framework.arg_scope` itself."""
import sys

from tensorweave.contrib.framework import arg_scope as _moved

sys.modules[__name__] = _moved
