"""Moved to `tensorweave.core.registry`; this old path is that very module."""
import sys

from tensorweave.core import registry as _moved

sys.modules[__name__] = _moved
