"""Timestamp: the wall-clock time when the op runs, in seconds since the epoch."""
import time

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops._common import one

__all__ = ["timestamp"]


def _timestamp_kernel(state, name):
    return np.float64(time.time())


# stateful: it reads the clock, so every run computes it afresh (never folded or shared)
register_op("Timestamp", shape=lambda: [(dtypes.float64, TensorShape([]))],
            kernel=_timestamp_kernel, grad=NOT_DIFFERENTIABLE, stateful=True)


def timestamp(name=None):
    """A float64 scalar: seconds since the epoch when the op runs (TF's tf.timestamp)."""
    return one(create_op("Timestamp", [], name=name or "Timestamp"))
