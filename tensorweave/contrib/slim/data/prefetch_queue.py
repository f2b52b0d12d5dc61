"""slim.prefetch_queue: a FIFO queue kept full of (batches of) tensors by queue-runner
threads, so a training step dequeues already-computed inputs."""
from tensorweave import queues
from tensorweave.core import dtypes
from tensorweave.core.graph import name_scope
from tensorweave.ops import array
from tensorweave.summary import summary_ops
from tensorweave.train import queue_runner

__all__ = ["prefetch_queue"]


def prefetch_queue(tensors, capacity=8, num_threads=1, dynamic_pad=False, shared_name=None,
                   name=None):
    """A queue that `num_threads` threads fill with `tensors` (a list or a dict); dequeue()
    gives them back in the same structure."""
    if isinstance(tensors, dict):
        names = sorted(tensors)
        tensor_list = [tensors[n] for n in names]
    else:
        names = None
        tensor_list = list(tensors)
    with name_scope(name, "prefetch_queue", tensor_list) as scope:
        queue_class = queues.PaddingFIFOQueue if dynamic_pad else queues.FIFOQueue
        queue = queue_class(capacity=capacity, dtypes=[t.dtype for t in tensor_list],
                            shapes=[t.shape for t in tensor_list], names=names,
                            shared_name=shared_name, name=scope)
        enqueue_op = queue.enqueue(tensors)
        queue_runner.add_queue_runner(queue_runner.QueueRunner(queue,
                                                               [enqueue_op] * num_threads))
        summary_ops.scalar(f"fraction_of_{capacity}_full",
                           array.cast(queue.size(), dtypes.float32) * (1.0 / capacity))
        return queue
