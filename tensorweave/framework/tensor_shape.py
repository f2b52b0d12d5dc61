"""Moved to `tensorweave.core.tensor_shape`; this old path is that very module."""
import sys

from tensorweave.core import tensor_shape as _moved

sys.modules[__name__] = _moved
