"""Moved to `tensorweave.core.graph_io`; this old path is that very module."""
import sys

from tensorweave.core import graph_io as _moved

sys.modules[__name__] = _moved
