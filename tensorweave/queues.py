"""TF 1.x's queues and readers (tf.FIFOQueue, tf.TextLineReader, ...): the classes the
queue-era input pipelines build on.

    q = tf.FIFOQueue(capacity=10, dtypes=[tf.float32], shapes=[[]])
    enqueue = q.enqueue_many([[1.0, 2.0, 3.0]])
    batch = q.dequeue_many(2)                  # shape [2]
    reader = tf.TextLineReader(skip_header_lines=1)
    key, line = reader.read(filename_queue)    # "file:line", the line's text

The queue and reader op types are in ops/queue_ops.py and ops/reader_ops.py; their state and
its locking are the Session's (runtime/blocking.py).
"""
import collections
import functools
import hashlib

from tensorweave.core import dtypes as dtypes_lib
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import init_scope, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.seeds import get_seed
from tensorweave.core.tensor_shape import Dimension, TensorShape, as_shape, unknown_shape
from tensorweave.io import tf_record
from tensorweave.ops import queue_ops, reader_ops
from tensorweave.ops.array import gather, stack

__all__ = ["FIFOQueue", "FixedLengthRecordReader", "IdentityReader", "PaddingFIFOQueue",
           "PriorityQueue", "QueueBase", "RandomShuffleQueue", "ReaderBase", "TFRecordReader",
           "TextLineReader", "WholeFileReader"]


# --- argument lists --------------------------------------------------------------------------
def _as_type_list(dtypes):
    if not isinstance(dtypes, (list, tuple)):
        return [dtypes_lib.as_dtype(dtypes)]
    return [dtypes_lib.as_dtype(d) for d in dtypes]


def _as_shape_list(shapes, unknown_dim_allowed=False):
    """`shapes` (None, one shape, or a list of them) as a list of TensorShapes."""
    if unknown_dim_allowed and (not isinstance(shapes, (list, tuple)) or not shapes or any(
            s is None or isinstance(s, int) for s in shapes)):
        raise ValueError("When providing partial shapes, a list of shapes must be provided.")
    if shapes is None:
        return None
    if isinstance(shapes, TensorShape):
        shapes = [shapes]
    if not isinstance(shapes, (tuple, list)):
        raise TypeError(f"Shapes must be a TensorShape or a list or tuple of TensorShapes, "
                        f"got {type(shapes)} instead.")
    if all(s is None or isinstance(s, int) for s in shapes):
        shapes = [shapes]  # one shape given as a list of dims
    shapes = [as_shape(s) for s in shapes]
    if any(s.ndims is None for s in shapes):
        raise ValueError(f"shapes must have known rank: {shapes}")
    if not unknown_dim_allowed and any(not s.is_fully_defined() for s in shapes):
        raise ValueError(f"All shapes must be fully defined: {shapes}")
    return shapes


def _as_name_list(names, dtypes):
    if names is None:
        return None
    if not isinstance(names, (list, tuple)):
        names = [names]
    if len(names) != len(dtypes):
        raise ValueError("List of names must have the same length as the list of dtypes")
    return list(names)


def _shape_common(s1, s2):
    """The most specific shape compatible with both (TF's rule for Queue.from_list)."""
    s1, s2 = TensorShape(s1), TensorShape(s2)
    if s1.ndims is None or s2.ndims is None or s1.ndims != s2.ndims:
        return unknown_shape()
    return TensorShape([d1 if d1 is not None and d1 == d2 else None
                        for d1, d2 in zip(s1.as_list(), s2.as_list())])


# --- queues ----------------------------------------------------------------------------------
class QueueBase:
    """A queue of elements (tuples of tensors of fixed dtypes) kept in the Session.

    Enqueues add elements, dequeues take them (waiting until enough are there), `close` makes
    later enqueues fail and lets dequeues drain what is left, after which they raise
    OutOfRangeError. Subclasses (FIFOQueue, RandomShuffleQueue, ...) decide the order."""

    def __init__(self, dtypes, shapes, names, queue_ref):
        self._dtypes = list(dtypes)
        if shapes is not None:
            if len(shapes) != len(dtypes):
                raise ValueError("Queue shapes must have the same length as dtypes")
            self._shapes = [TensorShape(s) for s in shapes]
        else:
            self._shapes = [unknown_shape() for _ in self._dtypes]
        if names is not None:
            if len(names) != len(dtypes):
                raise ValueError("Queue names must have the same length as dtypes")
            self._names = list(names)
        else:
            self._names = None
        self._queue_ref = queue_ref
        self._name = queue_ref.op.name.split("/")[-1]

    @staticmethod
    def from_list(index, queues):
        """The queue `queues[index]` (an int32 scalar tensor chooses it when the graph runs)."""
        if not queues or not isinstance(queues, list) or not all(
                isinstance(q, QueueBase) for q in queues):
            raise TypeError("A list of queues expected")
        dtypes = queues[0].dtypes
        if not all(dtypes == q.dtypes for q in queues[1:]):
            raise TypeError("Queues do not have matching component dtypes.")
        names = queues[0].names
        if not all(names == q.names for q in queues[1:]):
            raise TypeError("Queues do not have matching component names.")
        shapes = [functools.reduce(_shape_common, s) for s in zip(*[q.shapes for q in queues])]
        selected = gather(stack([q.queue_ref for q in queues]), index)
        return QueueBase(dtypes=dtypes, shapes=shapes, names=names, queue_ref=selected)

    @property
    def queue_ref(self):
        """The queue's handle tensor."""
        return self._queue_ref

    @property
    def name(self):
        return self._queue_ref.op.name

    @property
    def dtypes(self):
        return self._dtypes

    @property
    def shapes(self):
        return self._shapes

    @property
    def names(self):
        return self._names

    def _check_enqueue_dtypes(self, vals):
        if isinstance(vals, dict):
            if not self._names:
                raise ValueError("Queue must have names to enqueue a dictionary")
            if sorted(self._names, key=str) != sorted(vals, key=str):
                raise ValueError(f"Keys in dictionary to enqueue do not match names of Queue.  "
                                 f"Dictionary: {sorted(vals)},Queue: {sorted(self._names)}")
            vals = [vals[k] for k in self._names]
        else:
            if self._names:
                raise ValueError("You must enqueue a dictionary in a Queue with names")
            if not isinstance(vals, (list, tuple)):
                vals = [vals]
        if len(vals) != len(self._dtypes):
            raise ValueError(f"Expected {len(self._dtypes)} components to enqueue, got "
                             f"{len(vals)}")
        return [convert_to_tensor(v, dtype=d, name=f"component_{i}")
                for i, (v, d) in enumerate(zip(vals, self._dtypes))]

    def _scope_values(self, vals):
        if isinstance(vals, (list, tuple)):
            return list(vals) + [self._queue_ref]
        if isinstance(vals, dict):
            return list(vals.values()) + [self._queue_ref]
        return [vals, self._queue_ref]

    def enqueue(self, vals, name=None):
        """The op adding the element `vals` (a tensor, list/tuple, or dict by name)."""
        with name_scope(name, f"{self._name}_enqueue", self._scope_values(vals)) as scope:
            vals = self._check_enqueue_dtypes(vals)
            for val, shape in zip(vals, self._shapes):
                val.shape.assert_is_compatible_with(shape)
            return queue_ops.enqueue(self._queue_ref, vals, scope)

    def enqueue_many(self, vals, name=None):
        """The op adding the elements of `vals` sliced along their first dimension."""
        with name_scope(name, f"{self._name}_EnqueueMany", self._scope_values(vals)) as scope:
            vals = self._check_enqueue_dtypes(vals)
            batch_dim = Dimension(None)
            for val, shape in zip(vals, self._shapes):
                val_shape = val.shape.with_rank_at_least(1)
                batch_dim = batch_dim.merge_with(val_shape[0])  # unknown rank: Dimension(None)
                val_shape[1:].assert_is_compatible_with(shape)
            return queue_ops.enqueue(self._queue_ref, vals, scope, many=True)

    def _dequeue_return_value(self, tensors):
        if self._names:
            return {n: tensors[i] for i, n in enumerate(self._names)}
        if len(tensors) == 1:
            return tensors[0]
        return list(tensors)

    def dequeue(self, name=None):
        """One element, waiting until there is one (OutOfRangeError once closed and empty)."""
        outputs = queue_ops.dequeue(self._queue_ref, self._dtypes,
                                    name or f"{self._name}_Dequeue")
        for output, shape in zip(outputs, self._shapes):
            output.set_shape(shape)
        return self._dequeue_return_value(outputs)

    def dequeue_many(self, n, name=None):
        """`n` elements stacked along a new first dimension, waiting until there are `n`."""
        n = convert_to_tensor(n, dtype=dtypes_lib.int32)
        outputs = queue_ops.dequeue(self._queue_ref, self._dtypes,
                                    name or f"{self._name}_DequeueMany", n=n)
        known = constant_value(n)
        batch = TensorShape([None if known is None else int(known)])
        for output, shape in zip(outputs, self._shapes):
            output.set_shape(batch.concatenate(shape))
        return self._dequeue_return_value(outputs)

    def dequeue_up_to(self, n, name=None):
        """Like dequeue_many, but once the queue is closed it gives the last, smaller batch."""
        n = convert_to_tensor(n, dtype=dtypes_lib.int32)
        outputs = queue_ops.dequeue(self._queue_ref, self._dtypes,
                                    name or f"{self._name}_DequeueUpTo", n=n, up_to=True)
        for output, shape in zip(outputs, self._shapes):
            output.set_shape(TensorShape([None]).concatenate(shape))
        return self._dequeue_return_value(outputs)

    def close(self, cancel_pending_enqueues=False, name=None):
        """The op closing the queue (pending enqueues fail when `cancel_pending_enqueues`)."""
        return queue_ops.close(self._queue_ref, cancel_pending_enqueues,
                               name or f"{self._name}_Close")

    def is_closed(self, name=None):
        """A bool scalar: whether the queue is closed."""
        return queue_ops.is_closed(self._queue_ref, name or f"{self._name}_Is_Closed")

    def size(self, name=None):
        """An int32 scalar: the number of elements in the queue."""
        return queue_ops.size(self._queue_ref, name or f"{self._name}_Size")


def _make_queue(op_type, name, **attrs):
    with init_scope():
        return queue_ops.queue_op(op_type, name, **attrs)


class FIFOQueue(QueueBase):
    """Elements come out in the order they went in."""

    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None,
                 name="fifo_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes)
        names = _as_name_list(names, dtypes)
        ref = _make_queue("FIFOQueueV2", name, component_types=dtypes, shapes=shapes or [],
                          shared_name=shared_name or "", capacity=int(capacity))
        super().__init__(dtypes, shapes, names, ref)


class PaddingFIFOQueue(QueueBase):
    """A FIFOQueue whose components may vary in size along dims given as None: dequeue_many
    pads each batch with zeros (empty strings) to its largest element."""

    def __init__(self, capacity, dtypes, shapes, names=None, shared_name=None,
                 name="padding_fifo_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, unknown_dim_allowed=True)
        names = _as_name_list(names, dtypes)
        if len(dtypes) != len(shapes):
            raise ValueError(f"Shapes must be provided for all components, but received "
                             f"{len(dtypes)} dtypes and {len(shapes)} shapes.")
        ref = _make_queue("PaddingFIFOQueueV2", name, component_types=dtypes, shapes=shapes,
                          shared_name=shared_name or "", capacity=int(capacity))
        super().__init__(dtypes, shapes, names, ref)


class RandomShuffleQueue(QueueBase):
    """Elements come out in random order; while open, a dequeue leaves `min_after_dequeue`
    elements in the queue. With a seed (op or graph level) the order is TensorFlow's."""

    def __init__(self, capacity, min_after_dequeue, dtypes, shapes=None, names=None,
                 seed=None, shared_name=None, name="random_shuffle_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes)
        names = _as_name_list(names, dtypes)
        seed1, seed2 = get_seed(seed)
        if seed1 is None and seed2 is None:
            seed1, seed2 = 0, 0
        elif seed is None and shared_name is not None:
            # A graph seed without an op seed: TF derives seed2 from the shared name, so that
            # queues shared across sessions shuffle alike.
            digest = hashlib.md5(f"{seed1}{shared_name}".encode("utf-8")).hexdigest()
            seed2 = int(digest[:8], 16) & 0x7FFFFFFF
        ref = _make_queue("RandomShuffleQueueV2", name, component_types=dtypes,
                          shapes=shapes or [], capacity=int(capacity),
                          min_after_dequeue=int(min_after_dequeue), seed=int(seed1),
                          seed2=int(seed2), shared_name=shared_name or "")
        super().__init__(dtypes, shapes, names, ref)


class PriorityQueue(QueueBase):
    """Elements come out smallest priority first: each element is (priority, *components),
    the priority an int64 scalar."""

    def __init__(self, capacity, types, shapes=None, names=None, shared_name=None,
                 name="priority_queue"):
        types = _as_type_list(types)
        shapes = _as_shape_list(shapes)
        ref = _make_queue("PriorityQueueV2", name, component_types=types, shapes=shapes or [],
                          shared_name=shared_name or "", capacity=int(capacity))
        priority_dtypes = [dtypes_lib.int64] + types
        priority_shapes = [()] + shapes if shapes else shapes
        super().__init__(priority_dtypes, priority_shapes, names, ref)


# --- readers ---------------------------------------------------------------------------------
ReaderReadV2 = collections.namedtuple("ReaderReadV2", ["key", "value"])
ReaderReadUpToV2 = collections.namedtuple("ReaderReadUpToV2", ["keys", "values"])


def _queue_ref(queue):
    return queue if isinstance(queue, Tensor) else queue.queue_ref


class ReaderBase:
    """Reads records from the files (work units) it dequeues from a queue of file names."""

    def __init__(self, reader_ref, supports_serialize=False):
        self._reader_ref = reader_ref
        self._supports_serialize = supports_serialize

    @property
    def reader_ref(self):
        return self._reader_ref

    @property
    def supports_serialize(self):
        return self._supports_serialize

    def read(self, queue, name=None):
        """(key, value) of the next record; a new file is dequeued from `queue` when needed."""
        op = reader_ops.reader_call("ReaderReadV2", [self._reader_ref, _queue_ref(queue)],
                                    name or "ReaderReadV2")
        return ReaderReadV2(*op.outputs)

    def read_up_to(self, queue, num_records, name=None):
        """(keys, values) of up to `num_records` records (fewer at the end of a file)."""
        num_records = convert_to_tensor(num_records, dtype=dtypes_lib.int64)
        op = reader_ops.reader_call("ReaderReadUpToV2",
                                    [self._reader_ref, _queue_ref(queue), num_records],
                                    name or "ReaderReadUpToV2")
        return ReaderReadUpToV2(*op.outputs)

    def num_records_produced(self, name=None):
        return reader_ops.reader_call("ReaderNumRecordsProducedV2", [self._reader_ref],
                                      name or "ReaderNumRecordsProducedV2").outputs[0]

    def num_work_units_completed(self, name=None):
        return reader_ops.reader_call("ReaderNumWorkUnitsCompletedV2", [self._reader_ref],
                                      name or "ReaderNumWorkUnitsCompletedV2").outputs[0]

    def serialize_state(self, name=None):
        """A string tensor holding the reader's state (UnimplementedError where TF has none)."""
        return reader_ops.reader_call("ReaderSerializeStateV2", [self._reader_ref],
                                      name or "ReaderSerializeStateV2").outputs[0]

    def restore_state(self, state, name=None):
        state = convert_to_tensor(state, dtype=dtypes_lib.string)
        return reader_ops.reader_call("ReaderRestoreStateV2", [self._reader_ref, state],
                                      name or "ReaderRestoreStateV2")

    def reset(self, name=None):
        """The op returning the reader to its initial state."""
        return reader_ops.reader_call("ReaderResetV2", [self._reader_ref],
                                      name or "ReaderResetV2")


class WholeFileReader(ReaderBase):
    """Each file is one record: key the file name, value its contents."""

    def __init__(self, name=None):
        super().__init__(reader_ops.reader_op("WholeFileReaderV2", name or "WholeFileReaderV2"),
                         supports_serialize=True)


class TextLineReader(ReaderBase):
    """Each line is a record (its line ending removed): key "file:line number"."""

    def __init__(self, skip_header_lines=None, name=None):
        super().__init__(reader_ops.reader_op(
            "TextLineReaderV2", name or "TextLineReaderV2",
            skip_header_lines=int(skip_header_lines or 0)))


class FixedLengthRecordReader(ReaderBase):
    """Records of `record_bytes` bytes after `header_bytes` and before `footer_bytes`, each
    `hop_bytes` after the last (default: right after it); key "file:record index"."""

    def __init__(self, record_bytes, header_bytes=None, footer_bytes=None, hop_bytes=None,
                 name=None, encoding=None):
        super().__init__(reader_ops.reader_op(
            "FixedLengthRecordReaderV2", name or "FixedLengthRecordReaderV2",
            record_bytes=int(record_bytes), header_bytes=int(header_bytes or 0),
            footer_bytes=int(footer_bytes or 0), hop_bytes=int(hop_bytes or 0),
            encoding=encoding or ""))


class TFRecordReader(ReaderBase):
    """The records of TFRecord files; key "file:byte offset of the record"."""

    def __init__(self, name=None, options=None):
        compression = tf_record.TFRecordOptions.get_compression_type_string(options)
        super().__init__(reader_ops.reader_op("TFRecordReaderV2", name or "TFRecordReaderV2",
                                              compression_type=compression))


class IdentityReader(ReaderBase):
    """Each work unit (a string dequeued from the queue) is one record (work, work)."""

    def __init__(self, name=None):
        super().__init__(reader_ops.reader_op("IdentityReaderV2", name or "IdentityReaderV2"),
                         supports_serialize=True)
