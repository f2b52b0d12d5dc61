"""End-to-end queue-era input pipelines (tf.train.string_input_producer, readers, batchers,
QueueRunners) against TensorFlow's numbers (tests/fixtures/queue_reference.json, made by
make_queue_reference.py), plus the tf.train input functions' behaviour."""
import json
import os
import pathlib
import struct

import numpy as np
import pytest

import tensorweave as tf
from tensorweave import queues
from tensorweave.ops import reader_ops

REFERENCE = json.loads(pathlib.Path(__file__).parent.joinpath(
    "fixtures", "queue_reference.json").read_text())


def csv_rows(file_index):
    rows = []
    for i in range(10):
        x = file_index + i / 10.0
        rows.append(f"{x:.1f},{2 * x + 1:.1f}")
    return rows


def cifar_bytes(count):
    rng = np.random.RandomState(7)
    labels = rng.randint(0, 10, count).astype(np.uint8)
    images = rng.randint(0, 256, (count, 3 * 32 * 32)).astype(np.uint8)
    return b"".join(bytes([label]) + image.tobytes() for label, image in zip(labels, images))


def run(fetches, steps=None):
    """Runs `fetches` with the queue runners until OutOfRangeError (or `steps` runs)."""
    values = []
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        try:
            while steps is None or len(values) < steps:
                values.append(sess.run(fetches))
        except tf.errors.OutOfRangeError:
            pass
        coord.request_stop()
        coord.join(threads)
    return values


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default() as graph:
        yield graph


def test_csv_files_text_line_reader_shuffle_batch_and_training_as_tensorflow(tmp_path):
    files = []
    for f in range(3):
        path = tmp_path / f"part{f}.csv"
        path.write_text("\n".join(csv_rows(f)) + "\n")
        files.append(str(path))
    filenames = tf.train.string_input_producer(files, num_epochs=2, shuffle=False)
    _, line = queues.TextLineReader().read(filenames)
    x, y = tf.decode_csv(line, record_defaults=[[0.0], [0.0]])
    xs, ys = tf.train.shuffle_batch([x, y], batch_size=4, capacity=100, min_after_dequeue=60,
                                    seed=11)
    assert xs.shape.as_list() == [4] and ys.shape.as_list() == [4]
    w = tf.Variable(0.0)
    b = tf.Variable(0.0)
    loss = tf.reduce_mean(tf.square(w * xs + b - ys))
    train = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
    steps = run([xs, ys, loss, train, w, b])
    expected = REFERENCE["csv_training"]
    assert len(steps) == len(expected["xs"]) == 15  # 60 records: 15 batches, then closed
    np.testing.assert_array_equal([s[0] for s in steps], np.float32(expected["xs"]))
    np.testing.assert_array_equal([s[1] for s in steps], np.float32(expected["ys"]))
    np.testing.assert_allclose([s[2] for s in steps], expected["loss"], rtol=1e-5)
    np.testing.assert_allclose([steps[-1][4], steps[-1][5]], [expected["w"], expected["b"]],
                               rtol=1e-5)


def test_cifar10_fixed_length_records_and_decode_raw_as_the_tutorial(tmp_path):
    path = tmp_path / "data_batch_1.bin"
    path.write_bytes(cifar_bytes(6))
    filenames = tf.train.string_input_producer([str(path)], num_epochs=1, shuffle=False)
    reader = queues.FixedLengthRecordReader(record_bytes=1 + 32 * 32 * 3)
    _, value = reader.read(filenames)
    record = reader_ops.decode_raw(value, tf.uint8)
    label = tf.cast(tf.strided_slice(record, [0], [1]), tf.int32)
    label.set_shape([1])
    image = tf.reshape(tf.strided_slice(record, [1], [1 + 32 * 32 * 3]), [3, 32, 32])
    image = tf.cast(tf.transpose(image, [1, 2, 0]), tf.float32)
    images, labels = tf.train.batch([image, label], batch_size=2, num_threads=1, capacity=10)
    expected = REFERENCE["cifar"]
    assert images.shape.as_list() == expected["shape"]
    steps = run([tf.reduce_sum(images, axis=[1, 2]), labels])
    np.testing.assert_array_equal([s[0] for s in steps], expected["channel_sums"])
    np.testing.assert_array_equal([s[1] for s in steps], expected["labels"])


def test_tfrecord_reader_reads_what_tf_python_io_writes(tmp_path):
    path = str(tmp_path / "data.tfrecord")
    with tf.python_io.TFRecordWriter(path) as writer:
        for i in range(5):
            writer.write(struct.pack("<f", i * 1.5) + f"record{i}".encode())
    filenames = tf.train.string_input_producer([path], num_epochs=1, shuffle=False)
    key, value = queues.TFRecordReader().read(filenames)
    steps = run([key, value])
    expected = REFERENCE["tfrecords"]
    assert [os.path.basename(k.decode()) for k, _ in steps] == expected["keys"]
    assert [v.hex() for _, v in steps] == expected["values"]


def test_several_threads_feed_a_batch_and_every_record_arrives_once(tmp_path):
    path = tmp_path / "numbers.txt"
    path.write_text("\n".join(str(i) for i in range(100)) + "\n")
    filenames = tf.train.string_input_producer([str(path)], num_epochs=3, shuffle=False)
    _, line = queues.TextLineReader().read(filenames)
    (number,) = tf.decode_csv(line, record_defaults=[[0]])
    batch = tf.train.shuffle_batch([number], batch_size=7, capacity=50, min_after_dequeue=10,
                                   num_threads=4, allow_smaller_final_batch=True)
    assert batch.shape.as_list() == [None]
    values = np.concatenate(run(batch))
    assert sorted(values.tolist()) == sorted(list(range(100)) * 3)


def test_limit_epochs_counts_in_a_local_variable():
    limited = tf.train.limit_epochs(tf.constant([1, 2]), num_epochs=2)
    (epochs,) = tf.local_variables()
    assert epochs.op.name == "limit_epochs/epochs" and epochs.dtype.base_dtype is tf.int64
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(limited)
        sess.run(limited)
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(limited)
    with pytest.raises(ValueError, match="num_epochs must be > 0"):
        tf.train.limit_epochs(tf.constant(1), 0)
    assert tf.train.limit_epochs(limited) is limited


def test_match_filenames_once_and_string_input_producer_checks(tmp_path):
    for name in ("b.txt", "a.txt", "c.csv"):
        (tmp_path / name).write_text("x")
    matches = tf.train.match_filenames_once(str(tmp_path / "*.txt"))
    assert matches.op.name == "matching_filenames"
    assert matches in tf.local_variables()
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert [os.path.basename(p.decode()) for p in sess.run(matches)] == ["a.txt", "b.txt"]
    with pytest.raises(ValueError, match="requires a non-null input tensor"):
        tf.train.string_input_producer([])
    empty = tf.train.string_input_producer(tf.constant([], tf.string))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="non-null input tensor"):
            sess.run(empty.queue_ref.graph.get_collection(
                tf.GraphKeys.QUEUE_RUNNERS)[-1].enqueue_ops[0])


def test_string_input_producer_takes_the_match_filenames_once_variable(tmp_path):
    # the canonical pairing (TF checks `not string_tensor`, which a Variable passes)
    for name in ("data-1", "data-0"):
        (tmp_path / name).write_text("x")
    files = tf.train.match_filenames_once(str(tmp_path / "data-*"))
    queue = tf.train.string_input_producer(files, shuffle=False)
    name = queue.dequeue()
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        got = [os.path.basename(sess.run(name).decode()) for _ in range(3)]
        coord.request_stop()
        coord.join(threads)
    assert got == ["data-0", "data-1", "data-0"]


def test_matching_files_names_bare_wildcard_matches_under_dot(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "b.txt", "sub/c.txt"):
        (tmp_path / name).write_text("x")
    monkeypatch.chdir(tmp_path)
    with tf.Session() as sess:
        assert sess.run(tf.matching_files("*.txt")).tolist() == [b"./a.txt", b"./b.txt"]
        assert sess.run(tf.matching_files(["sub/*", "a*"])).tolist() == [b"./a.txt",
                                                                          b"sub/c.txt"]


def test_producer_graph_names_as_tensorflow():
    queue = tf.train.string_input_producer(["a", "b"])
    assert queue.queue_ref.op.name == "input_producer"
    (runner,) = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
    assert [op.name for op in runner.enqueue_ops] == ["input_producer/input_producer_EnqueueMany"]
    assert runner.close_op.name == "input_producer/input_producer_Close"
    assert runner.cancel_op.name == "input_producer/input_producer_Close_1"
    summaries = tf.get_collection(tf.GraphKeys.SUMMARIES)
    assert [s.name for s in summaries] == ["input_producer/fraction_of_32_full:0"]
    batched = tf.train.shuffle_batch([tf.constant([1.0, 2.0]), tf.constant(3)], batch_size=4,
                                     capacity=20, min_after_dequeue=5)
    assert [t.name for t in batched] == ["shuffle_batch:0", "shuffle_batch:1"]
    assert [t.shape.as_list() for t in batched] == [[4, 2], [4]]
    assert tf.get_collection(tf.GraphKeys.SUMMARIES)[-1].name == \
        "shuffle_batch/fraction_over_5_of_15_full:0"
    with pytest.raises(ValueError, match="capacity 5 must be bigger than min_after_dequeue 5"):
        tf.train.shuffle_batch([tf.constant(1)], 2, capacity=5, min_after_dequeue=5)


def test_slice_and_range_input_producers_in_order():
    images = tf.constant([[1, 2], [3, 4], [5, 6]])
    labels = tf.constant([7, 8, 9])
    image, label = tf.train.slice_input_producer([images, labels], num_epochs=1,
                                                 shuffle=False)
    assert image.shape.as_list() == [2] and label.shape.as_list() == []
    got = run([image, label])
    assert [(i.tolist(), int(lab)) for i, lab in got] == [([1, 2], 7), ([3, 4], 8), ([5, 6], 9)]
    numbers = tf.train.range_input_producer(4, num_epochs=1, shuffle=True, seed=3)
    values = [int(v) for v in run(numbers.dequeue())]
    assert sorted(values) == [0, 1, 2, 3]


def test_batch_dict_dynamic_pad_and_smaller_final_batch():
    lengths = tf.train.range_input_producer(5, num_epochs=1, shuffle=False).dequeue()
    row = tf.fill(tf.stack([lengths + 1]), lengths)
    batch = tf.train.batch({"row": row, "length": lengths}, batch_size=2, dynamic_pad=True,
                           allow_smaller_final_batch=True)
    assert sorted(batch) == ["length", "row"]
    assert batch["row"].shape.as_list() == [None, None]
    got = run(batch)
    assert [g["length"].tolist() for g in got] == [[0, 1], [2, 3], [4]]
    np.testing.assert_array_equal(got[1]["row"], [[2, 2, 2, 0], [3, 3, 3, 3]])
    np.testing.assert_array_equal(got[2]["row"], [[4, 4, 4, 4, 4]])


def test_batch_enqueue_many_and_join_and_maybe_batch():
    values = tf.train.limit_epochs(tf.constant([1, 2, 3, 4, 5, 6]), num_epochs=1)
    batch = tf.train.batch([values], batch_size=4, enqueue_many=True,
                           allow_smaller_final_batch=True)
    assert [b.tolist() for b in run(batch)] == [[1, 2, 3, 4], [5, 6]]

    with tf.Graph().as_default():
        first = tf.train.limit_epochs(tf.constant([1, 2, 3]), num_epochs=1)
        second = tf.train.limit_epochs(tf.constant([10, 20, 30]), num_epochs=1)
        joined = tf.train.batch_join([[first], [second]], batch_size=2, enqueue_many=True,
                                     allow_smaller_final_batch=True)
        (runner,) = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
        assert len(runner.enqueue_ops) == 2
        assert sorted(np.concatenate(run(joined)).tolist()) == [1, 2, 3, 10, 20, 30]

    with tf.Graph().as_default():
        data = tf.train.limit_epochs(tf.constant([1, 2, 3, 4, 5, 6]), num_epochs=1)
        keep = tf.equal(data % 2, 0)
        kept = tf.train.maybe_batch([data], keep, batch_size=2, enqueue_many=True,
                                    allow_smaller_final_batch=True)
        assert np.concatenate(run(kept)).tolist() == [2, 4, 6]

    with tf.Graph().as_default():
        flag = tf.placeholder_with_default(True, [])
        scalar = tf.train.range_input_producer(3, num_epochs=1, shuffle=False).dequeue()
        maybe = tf.train.maybe_shuffle_batch([scalar], 3, capacity=10, min_after_dequeue=5,
                                             keep_input=flag, allow_smaller_final_batch=True)
        assert sorted(np.concatenate(run(maybe)).tolist()) == [0, 1, 2]


def test_shuffle_batch_join_takes_every_list():
    first = tf.train.limit_epochs(tf.constant([1, 2, 3]), num_epochs=1)
    second = tf.train.limit_epochs(tf.constant([4, 5, 6]), num_epochs=1)
    out = tf.train.shuffle_batch_join([[first], [second]], batch_size=2, capacity=10,
                                      min_after_dequeue=2, enqueue_many=True, seed=1)
    assert out.shape.as_list() == [2]
    assert sorted(np.concatenate(run(out)).tolist()) == [1, 2, 3, 4, 5, 6]
    with pytest.raises(ValueError, match="Expected at least one set of tensors"):
        tf.train.shuffle_batch_join([], 2, 10, 2)


def test_monitored_session_starts_queue_runners_and_ends_at_out_of_range(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text("1\n2\n3\n4\n")
    filenames = tf.train.string_input_producer([str(path)], num_epochs=1, shuffle=False)
    _, line = queues.TextLineReader().read(filenames)
    (number,) = tf.decode_csv(line, record_defaults=[[0]])
    batch = tf.train.batch([number], batch_size=2)
    got = []
    with tf.train.MonitoredSession() as sess:
        while not sess.should_stop():
            got.append(sess.run(batch).tolist())
    assert got == [[1, 2], [3, 4]]


def test_supervisor_managed_session_runs_the_queue_runners(tmp_path):
    numbers = tf.train.range_input_producer(6, num_epochs=1, shuffle=False)
    batch = tf.train.batch([numbers.dequeue()], batch_size=3)
    tf.train.get_or_create_global_step()
    supervisor = tf.train.Supervisor(logdir=str(tmp_path), save_summaries_secs=0,
                                     save_model_secs=0)
    got = []
    with supervisor.managed_session() as sess:
        while not supervisor.should_stop():
            try:
                got.append(sess.run(batch).tolist())
            except tf.errors.OutOfRangeError:
                break
    assert got == [[0, 1, 2], [3, 4, 5]]


def test_read_write_matching_files_and_decode_raw_at_top_level_module(tmp_path):
    path = str(tmp_path / "out" / "x.bin")
    write = reader_ops.write_file(path, np.array([1, 2], "<i4").tobytes())
    decoded = reader_ops.decode_raw(reader_ops.read_file(path), tf.int32)
    with tf.Session() as sess:
        sess.run(write)
        assert sess.run(decoded).tolist() == [1, 2]
