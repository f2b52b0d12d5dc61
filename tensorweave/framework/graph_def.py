"""Moved to `tensorweave.core.graph_def`; this old path is that very module."""
import sys

from tensorweave.core import graph_def as _moved

sys.modules[__name__] = _moved
