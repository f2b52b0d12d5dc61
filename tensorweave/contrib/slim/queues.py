"""slim.queues.QueueRunners: starts the graph's queue runners for a `with` block and stops
them at its end.

    with slim.queues.QueueRunners(sess):
        images = sess.run(image_batch)
"""
import contextlib

from tensorweave.train import coordinator, queue_runner

__all__ = ["QueueRunners"]


@contextlib.contextmanager
def QueueRunners(session):  # noqa: N802 - TF's name
    """Runs the QUEUE_RUNNERS' threads inside the block."""
    coord = coordinator.Coordinator()
    threads = queue_runner.start_queue_runners(session, coord=coord)
    try:
        yield
    finally:
        coord.request_stop()
        coord.join(threads)
