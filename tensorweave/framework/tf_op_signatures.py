"""Moved to `tensorweave.core.tf_op_signatures`; this old path is that very module."""
import sys

from tensorweave.core import tf_op_signatures as _moved

sys.modules[__name__] = _moved
