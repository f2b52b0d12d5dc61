"""Moved to `tensorweave.core.context`; this old path is that very module."""
import sys

from tensorweave.core import context as _moved

sys.modules[__name__] = _moved
