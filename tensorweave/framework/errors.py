"""Moved to `tensorweave.core.errors`; this old path is that very module."""
import sys

from tensorweave.core import errors as _moved

sys.modules[__name__] = _moved
