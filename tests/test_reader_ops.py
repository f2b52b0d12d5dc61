"""Readers (TextLine, FixedLengthRecord, WholeFile, Identity, TFRecord) against TensorFlow's
keys, values and counts (tests/fixtures/queue_reference.json, make_queue_reference.py)."""
import json
import os
import pathlib

import pytest

import tensorweave as tf
from tensorweave import queues

READERS = json.loads(pathlib.Path(__file__).parent.joinpath(
    "fixtures", "queue_reference.json").read_text())["readers"]


@pytest.fixture
def files(tmp_path):
    text = tmp_path / "a.csv"
    text.write_bytes(b"h1,h2\n1,2\r\n3,4\n\n5,6")
    one, two = tmp_path / "f1.bin", tmp_path / "f2.bin"
    one.write_bytes(bytes(range(12)))
    two.write_bytes(bytes(range(100, 111)))
    return {"text": str(text), "one": str(one), "two": str(two)}


def drain(make_reader, names, count=None):
    """What reading `names` to the end gives, in the fixture's form (file names, hex values,
    [records produced, work units completed] after each read)."""
    with tf.Graph().as_default():
        reader = make_reader()
        q = queues.FIFOQueue(10, tf.string)
        fill, close = q.enqueue_many([names]), q.close()
        read = reader.read(q) if count is None else reader.read_up_to(q, count)
        counts = [reader.num_records_produced(), reader.num_work_units_completed()]
        records = []
        with tf.Session() as sess:
            sess.run(fill)
            sess.run(close)
            try:
                while True:
                    key, value = sess.run(read)
                    if count is None:
                        records.append([os.path.basename(key.decode()), value.hex()])
                    else:
                        records.append([[os.path.basename(k.decode()) for k in key],
                                        [v.hex() for v in value]])
                    records[-1].append([int(c) for c in sess.run(counts)])
            except tf.errors.OutOfRangeError as e:
                assert "is closed and has insufficient elements" in e.message
    return records


@pytest.mark.parametrize("case, make, which, count", [
    ("text_skip1", lambda: queues.TextLineReader(skip_header_lines=1), ["text"], None),
    ("text_up_to2", queues.TextLineReader, ["text"], 2),
    ("fixed_header_footer", lambda: queues.FixedLengthRecordReader(
        3, header_bytes=1, footer_bytes=1), ["one", "two"], None),
    ("fixed_hop", lambda: queues.FixedLengthRecordReader(4, header_bytes=1, hop_bytes=2),
     ["one", "two"], None),
    ("fixed_up_to3", lambda: queues.FixedLengthRecordReader(3, header_bytes=1, footer_bytes=1),
     ["one", "two"], 3),
    ("whole_file", queues.WholeFileReader, ["one", "two"], None),
])
def test_reader_records_and_counts_as_tensorflow(files, case, make, which, count):
    assert drain(make, [files[w] for w in which], count) == READERS[case]


def test_identity_reader_up_to_as_tensorflow():
    assert drain(queues.IdentityReader, ["a", "b"], 5) == READERS["identity_up_to5"]


def test_reader_errors(tmp_path):
    with tf.Graph().as_default():
        reader = queues.TextLineReader()
        q = queues.FIFOQueue(2, tf.string)
        fill = q.enqueue([str(tmp_path / "missing.csv")])
        read = reader.read(q)
        up_to = reader.read_up_to(q, 0)
        with tf.Session() as sess:
            sess.run(fill)
            with pytest.raises(tf.errors.NotFoundError, match="missing.csv; No such file"):
                sess.run(read)
            with pytest.raises(tf.errors.InvalidArgumentError, match="must be > 0"):
                sess.run(up_to)
            with pytest.raises(tf.errors.DeadlineExceededError):  # waits for a file name
                sess.run(read, options=tf.RunOptions(timeout_in_ms=50))
    with tf.Graph().as_default(), pytest.raises(ValueError, match="record_bytes > 0"):
        queues.FixedLengthRecordReader(0)
    assert queues.IdentityReader().supports_serialize is True
    assert queues.TextLineReader().supports_serialize is False


def test_corrupted_tfrecord_is_data_loss(tmp_path):
    path = tmp_path / "bad.tfrecord"
    with tf.python_io.TFRecordWriter(str(path)) as writer:
        writer.write(b"payload")
    data = bytearray(path.read_bytes())
    data[14] ^= 0xFF
    path.write_bytes(bytes(data))
    with tf.Graph().as_default():
        q = queues.FIFOQueue(2, tf.string)
        fill = q.enqueue([str(path)])
        read = queues.TFRecordReader().read(q)
        with tf.Session() as sess:
            sess.run(fill)
            with pytest.raises(tf.errors.DataLossError, match="corrupted record at 0"):
                sess.run(read)


def test_gzip_tfrecords_and_fixed_length_encoding(tmp_path):
    path = str(tmp_path / "data.tfrecord.gz")
    options = tf.python_io.TFRecordOptions(tf.python_io.TFRecordCompressionType.GZIP)
    with tf.python_io.TFRecordWriter(path, options) as writer:
        writer.write(b"abcdef")
        writer.write(b"ghijkl")
    with tf.Graph().as_default():
        q = queues.FIFOQueue(4, tf.string)
        fill = q.enqueue_many([[path, path]])
        _, record = queues.TFRecordReader(options=options).read(q)
        fixed = queues.FixedLengthRecordReader(3, header_bytes=12, encoding="GZIP")
        _, chunk = fixed.read(q)
        with tf.Session() as sess:
            sess.run(fill)
            assert [sess.run(record) for _ in range(2)] == [b"abcdef", b"ghijkl"]
            assert sess.run(chunk) == b"abc"  # the first record's data follows its 12 bytes
