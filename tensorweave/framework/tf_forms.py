"""Moved to `tensorweave.core.tensorflow_forms`; this old path is that very module."""
import sys

from tensorweave.core import tensorflow_forms as _moved

sys.modules[__name__] = _moved
