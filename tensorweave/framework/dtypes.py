"""Moved to `tensorweave.core.dtypes`; this old path is that very module."""
import sys

from tensorweave.core import dtypes as _moved

sys.modules[__name__] = _moved
