"""Op table rows for the queue, reader and file op types (ops/queue_ops.py, ops/reader_ops.py).

Queues and readers keep state in the Session, so each op type has a session check; DecodeRaw
is stateless. Behaviour in depth: tests/test_queues.py, tests/test_readers.py,
tests/test_input_pipeline.py.
"""
import os
import tempfile

import numpy as np
import pytest

import tensorweave as tf
from tensorweave import queues
from tensorweave.ops import reader_ops
from tensorweave.io.tf_record import TFRecordWriter

from op_case import Case

CASES = [
    Case("DecodeRaw", [], lambda: np.array([[513, 1027], [-1, 32767]], np.int16),
         build=lambda: reader_ops.decode_raw(
             tf.constant([b"\x01\x02\x03\x04", b"\xff\xff\xff\x7f"]), tf.int16).op,
         partial_shape=True),
    Case("DecodeRaw", [], lambda: np.array([[[1.5], [-2.0]]], np.float64),
         build=lambda: reader_ops.decode_raw(
             tf.constant([[np.array(1.5, ">f8").tobytes(), np.array(-2.0, ">f8").tobytes()]]),
             tf.float64,
             little_endian=False).op,
         partial_shape=True, tag="big_endian_float64"),
]


def _check_fifo_ops():
    """FIFOQueueV2 with every queue op: order, sizes, closing, shapes, errors."""
    graph = tf.Graph()
    with graph.as_default():
        q = queues.FIFOQueue(4, [tf.int32, tf.string], shapes=[[2], []])
        enqueue = q.enqueue(([1, 2], "a"))
        enqueue_many = q.enqueue_many(([[3, 4], [5, 6]], ["b", "c"]))
        one = q.dequeue()
        many = q.dequeue_many(2)
        up_to = q.dequeue_up_to(5)
        size, closed, close = q.size(), q.is_closed(), q.close()
    assert q.queue_ref.op.type == "FIFOQueueV2" and q.queue_ref.dtype is tf.resource
    assert enqueue.type == "QueueEnqueueV2" and enqueue_many.type == "QueueEnqueueManyV2"
    assert one[0].op.type == "QueueDequeueV2" and one[0].shape.as_list() == [2]
    assert many[0].op.type == "QueueDequeueManyV2" and many[0].shape.as_list() == [2, 2]
    assert up_to[1].op.type == "QueueDequeueUpToV2" and up_to[1].shape.as_list() == [None]
    assert size.op.type == "QueueSizeV2" and size.dtype is tf.int32
    assert closed.op.type == "QueueIsClosedV2" and closed.dtype is tf.bool
    assert close.type == "QueueCloseV2"
    with tf.Session(graph=graph) as sess:
        sess.run([enqueue, enqueue_many])
        assert sess.run(size) == 3 and not sess.run(closed)
        value, text = sess.run(one)
        np.testing.assert_array_equal(value, [1, 2])
        assert text == b"a"
        sess.run(enqueue)
        values, texts = sess.run(many)
        np.testing.assert_array_equal(values, [[3, 4], [5, 6]])
        assert list(texts) == [b"b", b"c"]
        sess.run(close)
        assert sess.run(closed)
        values, texts = sess.run(up_to)
        np.testing.assert_array_equal(values, [[1, 2]])
        with pytest.raises(tf.errors.OutOfRangeError, match="is closed and has insufficient"):
            sess.run(one)
        with pytest.raises(tf.errors.CancelledError, match="is closed"):
            sess.run(enqueue)


def _check_padding_fifo():
    graph = tf.Graph()
    with graph.as_default():
        q = queues.PaddingFIFOQueue(5, [tf.int32], shapes=[[None]])
        value = tf.placeholder(tf.int32, [None])
        enqueue = q.enqueue([value])
        batch = q.dequeue_many(2)
    assert q.queue_ref.op.type == "PaddingFIFOQueueV2" and batch.shape.as_list() == [2, None]
    with tf.Session(graph=graph) as sess:
        sess.run(enqueue, {value: [1, 2, 3]})
        sess.run(enqueue, {value: [4]})
        np.testing.assert_array_equal(sess.run(batch), [[1, 2, 3], [4, 0, 0]])


def _check_random_shuffle():
    """TensorFlow's numbers for op seed 3 without a graph seed (seeds 87654321, 3)."""
    graph = tf.Graph()
    with graph.as_default():
        q = queues.RandomShuffleQueue(10, 2, [tf.int32], shapes=[[]], seed=3)
        fill = q.enqueue_many([np.arange(10, dtype=np.int32)])
        taken = q.dequeue_many(8)
    assert q.queue_ref.op.type == "RandomShuffleQueueV2"
    with tf.Session(graph=graph) as sess:
        sess.run(fill)
        np.testing.assert_array_equal(sess.run(taken), [7, 1, 4, 5, 6, 8, 0, 9])


def _check_priority():
    graph = tf.Graph()
    with graph.as_default():
        q = queues.PriorityQueue(5, [tf.string], shapes=[[]])
        fill = q.enqueue_many([[3, 1, 2], ["c", "a", "b"]])
        taken = q.dequeue_many(3)
    assert q.queue_ref.op.type == "PriorityQueueV2"
    assert [t.dtype for t in taken] == [tf.int64, tf.string]
    with tf.Session(graph=graph) as sess:
        sess.run(fill)
        priorities, values = sess.run(taken)
        np.testing.assert_array_equal(priorities, [1, 2, 3])
        assert list(values) == [b"a", b"b", b"c"]


def _write_text(directory):
    path = os.path.join(directory, "lines.txt")
    with open(path, "wb") as f:
        f.write(b"header\nfirst\r\nsecond\n")
    return path


def _drain(reader, files, count=None):
    """(records read, produced, completed, produced and completed after a reset)."""
    graph = tf.get_default_graph()
    q = queues.FIFOQueue(10, tf.string)
    fill, close = q.enqueue_many([files]), q.close()
    read = reader.read(q) if count is None else reader.read_up_to(q, count)
    counts = [reader.num_records_produced(), reader.num_work_units_completed()]
    reset = reader.reset()
    records = []
    with tf.Session(graph=graph) as sess:
        sess.run(fill)
        sess.run(close)
        try:
            while True:
                records.append(sess.run(read))
        except tf.errors.OutOfRangeError:
            pass
        before = sess.run(counts)
        sess.run(reset)
        after = sess.run(counts)
    return records, before, after


def _check_readers():
    """Each reader op type with ReaderReadV2, ReaderReadUpToV2, the counts and the reset."""
    with tempfile.TemporaryDirectory() as directory:
        text = _write_text(directory)
        binary = os.path.join(directory, "data.bin")
        with open(binary, "wb") as f:
            f.write(bytes(range(12)))
        records = os.path.join(directory, "data.tfrecord")
        with TFRecordWriter(records) as writer:
            for item in (b"one", b"three"):
                writer.write(item)
        with tf.Graph().as_default():
            reader = queues.TextLineReader(skip_header_lines=1)
            assert reader.reader_ref.op.type == "TextLineReaderV2"
            got, before, after = _drain(reader, [text])
            key = f"{text}:2".encode()
            assert [tuple(r) for r in got] == [(key, b"first"), (f"{text}:3".encode(),
                                                                   b"second")]
            assert before == [2, 1] and after == [0, 0]
        with tf.Graph().as_default():
            reader = queues.FixedLengthRecordReader(3, header_bytes=1, footer_bytes=1)
            assert reader.reader_ref.op.type == "FixedLengthRecordReaderV2"
            got, before, _ = _drain(reader, [binary], count=5)
            keys, values = got[0]
            assert list(values) == [b"\x01\x02\x03", b"\x04\x05\x06", b"\x07\x08\t"]
            assert keys[2] == f"{binary}:2".encode() and before == [3, 1]
        with tf.Graph().as_default():
            reader = queues.TFRecordReader()
            assert reader.reader_ref.op.type == "TFRecordReaderV2"
            got, _, _ = _drain(reader, [records])
            assert [tuple(r) for r in got] == [(f"{records}:0".encode(), b"one"),
                                               (f"{records}:19".encode(), b"three")]
        with tf.Graph().as_default():
            reader = queues.WholeFileReader()
            assert reader.reader_ref.op.type == "WholeFileReaderV2"
            got, _, _ = _drain(reader, [binary])
            assert tuple(got[0]) == (binary.encode(), bytes(range(12)))
        with tf.Graph().as_default():
            reader = queues.IdentityReader()
            assert reader.reader_ref.op.type == "IdentityReaderV2"
            got, before, _ = _drain(reader, ["a", "b"])
            assert [tuple(r) for r in got] == [(b"a", b"a"), (b"b", b"b")]
            assert before == [2, 2]


def _check_serialize_state():
    graph = tf.Graph()
    with graph.as_default():
        reader = queues.IdentityReader()
        q = queues.FIFOQueue(10, tf.string)
        fill = q.enqueue_many([["a", "b", "c"]])
        read = reader.read(q)
        state = reader.serialize_state()
        saved = tf.placeholder(tf.string, [])
        restore = reader.restore_state(saved)
        text = queues.TextLineReader()
        text_state = text.serialize_state()
    assert state.op.type == "ReaderSerializeStateV2" and restore.type == "ReaderRestoreStateV2"
    with tf.Session(graph=graph) as sess:
        sess.run(fill)
        assert sess.run(state) == b""
        sess.run(read)
        blob = sess.run(state)  # TensorFlow's bytes: started 1, finished 1, produced 1, "a"
        assert blob == b'\x08\x01\x10\x01\x18\x01"\x01a'
        sess.run(read)
        sess.run(restore, {saved: blob})
        assert sess.run([reader.num_records_produced(),
                         reader.num_work_units_completed()]) == [1, 1]
        assert tuple(sess.run(read)) == (b"c", b"c")
        with pytest.raises(tf.errors.InvalidArgumentError, match="Could not parse state"):
            sess.run(restore, {saved: b"\xff"})
        with pytest.raises(tf.errors.UnimplementedError, match="Reader SerializeState"):
            sess.run(text_state)


def _check_file_ops():
    with tempfile.TemporaryDirectory() as directory:
        graph = tf.Graph()
        with graph.as_default():
            path = os.path.join(directory, "new", "file.txt")
            write = reader_ops.write_file(path, "contents")
            read = reader_ops.read_file(path)
            matches = reader_ops.matching_files(os.path.join(directory, "*", "*.txt"))
            missing = reader_ops.read_file(os.path.join(directory, "missing"))
        assert (write.type, read.op.type, matches.op.type) == ("WriteFile", "ReadFile",
                                                               "MatchingFiles")
        assert read.shape.as_list() == [] and matches.shape.as_list() == [None]
        with tf.Session(graph=graph) as sess:
            sess.run(write)
            assert sess.run(read) == b"contents"
            assert list(sess.run(matches)) == [path.encode()]
            with pytest.raises(tf.errors.NotFoundError, match="No such file or directory"):
                sess.run(missing)


SESSION_CASES = {
    **dict.fromkeys(["FIFOQueueV2", "QueueEnqueueV2", "QueueEnqueueManyV2", "QueueDequeueV2",
                     "QueueDequeueManyV2", "QueueDequeueUpToV2", "QueueCloseV2", "QueueSizeV2",
                     "QueueIsClosedV2"], _check_fifo_ops),
    "PaddingFIFOQueueV2": _check_padding_fifo,
    "RandomShuffleQueueV2": _check_random_shuffle,
    "PriorityQueueV2": _check_priority,
    **dict.fromkeys(["TextLineReaderV2", "FixedLengthRecordReaderV2", "TFRecordReaderV2",
                     "WholeFileReaderV2", "IdentityReaderV2", "ReaderReadV2", "ReaderReadUpToV2",
                     "ReaderNumRecordsProducedV2", "ReaderNumWorkUnitsCompletedV2",
                     "ReaderResetV2"], _check_readers),
    "ReaderSerializeStateV2": _check_serialize_state,
    "ReaderRestoreStateV2": _check_serialize_state,
    **dict.fromkeys(["ReadFile", "WriteFile", "MatchingFiles"], _check_file_ops),
}
