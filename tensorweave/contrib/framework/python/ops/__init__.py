"""TF's module path `tensorflow.contrib.framework.python.ops`: arg_scope and the variable
helpers (its `arg_scope` and `variables` modules are the same modules)."""
from tensorweave.contrib.framework import *  # noqa: F401,F403
