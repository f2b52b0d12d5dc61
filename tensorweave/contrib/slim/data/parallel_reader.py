"""slim.parallel_reader: several readers filling one common queue from a queue of file
names (each reader runs in its own queue-runner thread)."""
from tensorweave import queues
from tensorweave.core import dtypes as tf_dtypes
from tensorweave.core.graph import name_scope
from tensorweave.ops import array, math_ops
from tensorweave.platform import gfile
from tensorweave.summary import summary_ops
from tensorweave.train import input as tf_input
from tensorweave.train import queue_runner

__all__ = ["ParallelReader", "get_data_files", "parallel_read", "single_pass_read"]


class ParallelReader:
    """Reads with `num_readers` readers of `reader_class` into `common_queue`; read()
    dequeues one (key, value) pair from it."""

    def __init__(self, reader_class, common_queue, num_readers=4, reader_kwargs=None):
        if num_readers <= 0:
            raise ValueError("num_readers must be >= 1")
        reader_kwargs = reader_kwargs or {}
        self._readers = [reader_class(**reader_kwargs) for _ in range(num_readers)]
        self._common_queue = common_queue

    @property
    def num_readers(self):
        return len(self._readers)

    @property
    def common_queue(self):
        return self._common_queue

    def _configure_readers_by(self, queue):
        enqueue_ops = [self._common_queue.enqueue(reader.read(queue))
                       for reader in self._readers]
        queue_runner.add_queue_runner(queue_runner.QueueRunner(self._common_queue,
                                                               enqueue_ops))

    def read(self, queue, name=None):
        """(key, value) of the next record any reader read from the files of `queue`."""
        self._configure_readers_by(queue)
        return self._common_queue.dequeue(name=name)

    def read_up_to(self, queue, num_records, name=None):
        """Up to num_records (keys, values)."""
        self._configure_readers_by(queue)
        return self._common_queue.dequeue_up_to(num_records, name)

    def num_records_produced(self, name=None):
        """The records the readers have produced so far."""
        counts = [reader.num_records_produced() for reader in self._readers]
        return counts[0] if len(counts) == 1 else _sum(counts, name)

    def num_work_units_completed(self, name=None):
        """The files the readers have finished so far."""
        counts = [reader.num_work_units_completed() for reader in self._readers]
        return counts[0] if len(counts) == 1 else _sum(counts, name)


def _sum(tensors, name):
    return math_ops.add_n(tensors, name=name)


def get_data_files(data_sources):
    """The files of `data_sources` (paths or glob patterns, or lists of them)."""
    if isinstance(data_sources, (list, tuple)):
        files = []
        for source in data_sources:
            files += get_data_files(source)
    elif any(c in data_sources for c in "*?["):
        files = gfile.Glob(data_sources)
    else:
        files = [data_sources]
    if not files:
        raise ValueError(f"No data files found in {data_sources}")
    return files


def parallel_read(data_sources, reader_class, num_epochs=None, num_readers=4,
                  reader_kwargs=None, shuffle=True, dtypes=None, capacity=256,
                  min_after_dequeue=128, seed=None, scope=None):
    """(key, value) from `num_readers` readers over the files of data_sources, through a
    shuffling (or FIFO) common queue."""
    files = get_data_files(data_sources)
    with name_scope(scope, "parallel_read"):
        filename_queue = tf_input.string_input_producer(
            files, num_epochs=num_epochs, shuffle=shuffle, seed=seed, name="filenames")
        value_dtypes = dtypes or [tf_dtypes.string, tf_dtypes.string]
        if shuffle:
            common_queue = queues.RandomShuffleQueue(
                capacity=capacity, min_after_dequeue=min_after_dequeue, dtypes=value_dtypes,
                seed=seed, name="common_queue")
        else:
            common_queue = queues.FIFOQueue(capacity=capacity, dtypes=value_dtypes,
                                            name="common_queue")
        summary_ops.scalar(f"fraction_of_{capacity}_full",
                           array.cast(common_queue.size(), tf_dtypes.float32) *
                           (1.0 / capacity))
        return ParallelReader(reader_class, common_queue, num_readers=num_readers,
                              reader_kwargs=reader_kwargs).read(filename_queue)


def single_pass_read(data_sources, reader_class, reader_kwargs=None, scope=None):
    """(key, value) of one reader going once through the files, in order."""
    files = get_data_files(data_sources)
    with name_scope(scope, "single_pass_read"):
        filename_queue = tf_input.string_input_producer(files, num_epochs=1, shuffle=False,
                                                        capacity=1, name="filenames")
        return reader_class(**(reader_kwargs or {})).read(filename_queue)

