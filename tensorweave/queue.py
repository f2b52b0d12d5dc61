"""tf.queue: the queue classes (TF 1.15's namespace of tensorflow.python.ops.data_flow_ops)."""
from tensorweave.util import lazy

_NAMES = lazy.names_from("tensorweave.queues", "FIFOQueue", "PaddingFIFOQueue", "PriorityQueue",
                         "QueueBase", "RandomShuffleQueue")
__all__ = sorted(_NAMES)
__getattr__ = lazy.attributes(__name__, _NAMES)
