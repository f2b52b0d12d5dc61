"""Moved to `tensorweave.ops.array` (one module per family) and `tensorweave.ops.control`
(NoOp, group, tuple); this module keeps the old import path working."""
from tensorweave.ops.array import *  # noqa: F401,F403
from tensorweave.ops.control.grouping import group, no_op, tuple_  # noqa: F401
