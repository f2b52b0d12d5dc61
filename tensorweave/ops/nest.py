"""Moved to `tensorweave.util.nest`; this module keeps the old import path working."""
from tensorweave.util.nest import *  # noqa: F401,F403
