"""Moved to `tensorweave.core.importer`; this old path is that very module."""
import sys

from tensorweave.core import importer as _moved

sys.modules[__name__] = _moved
