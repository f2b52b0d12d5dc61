"""Moved to `tensorweave.ops.control` (one module per concern); this module keeps the old
import path working."""
from tensorweave.ops.control import *  # noqa: F401,F403
