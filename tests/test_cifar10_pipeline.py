"""Issue 19's acceptance: TF's CIFAR-10 tutorial design (binary records ->
FixedLengthRecordReader -> random crop/flip/brightness/contrast/standardization ->
shuffle_batch with 16 threads -> CNN -> MonitoredTrainingSession) learns on a generated
CIFAR-format data set; wrong-length records and missing files fail with TF's errors."""
import numpy as np
import pytest

import tensorweave as tf

from cifar_files import RECORD, distorted_inputs, write_records


def _cnn(images):
    h = tf.layers.conv2d(images, 16, 5, padding="same", activation=tf.nn.relu)
    h = tf.layers.max_pooling2d(h, 3, 2, padding="same")
    h = tf.layers.conv2d(h, 16, 5, padding="same", activation=tf.nn.relu)
    h = tf.layers.max_pooling2d(h, 3, 2, padding="same")
    h = tf.layers.dense(tf.layers.flatten(h), 32, activation=tf.nn.relu)
    return tf.layers.dense(h, 2)


def test_cifar10_tutorial_pipeline_learns(tmp_path):
    files = write_records(tmp_path)
    tf.set_random_seed(1)
    images, labels = distorted_inputs(tf, files, batch_size=32)
    logits = _cnn(images)
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1, output_type=tf.int32),
                                               labels), tf.float32))
    step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(1e-3).minimize(loss, global_step=step)
    losses, accuracies = [], []
    with tf.train.MonitoredTrainingSession(
            checkpoint_dir=str(tmp_path / "train"), save_checkpoint_secs=None,
            save_summaries_steps=None, log_step_count_steps=None,
            hooks=[tf.train.StopAtStepHook(last_step=120)]) as sess:
        while not sess.should_stop():
            _, l, a = sess.run([train, loss, accuracy])
            losses.append(l)
            accuracies.append(a)
    assert len(losses) == 120
    first, last = np.mean(losses[:10]), np.mean(losses[-20:])
    assert last < 0.5 * first, (first, last)
    assert np.mean(accuracies[-20:]) > 0.9


def test_batches_come_from_sixteen_reader_threads(tmp_path):
    files = write_records(tmp_path, files=1, per_file=50)
    images, labels = distorted_inputs(tf, files, batch_size=8)
    runners = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
    assert max(len(qr.enqueue_ops) for qr in runners) == 16
    with tf.train.MonitoredSession() as sess:
        x, y = sess.run([images, labels])
    assert x.shape == (8, 24, 24, 3) and x.dtype == np.float32
    np.testing.assert_allclose(x.reshape(8, -1).mean(1), 0, atol=1e-4)
    np.testing.assert_allclose(x.reshape(8, -1).std(1), 1, rtol=1e-3)
    assert set(y.tolist()) <= {0, 1}


def _read_one(path, **reader_args):
    queue = tf.train.string_input_producer([str(path)], num_epochs=1, shuffle=False)
    reader = tf.FixedLengthRecordReader(record_bytes=RECORD, **reader_args)
    key, value = reader.read(queue)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        try:
            return sess.run([key, value])
        finally:
            coord.request_stop()
            coord.join(threads, ignore_live_threads=True)


def test_trailing_partial_record_is_dropped_as_tensorflow_does(tmp_path):
    # TensorFlow's FixedLengthRecordReader reads whole records only: a file whose length is
    # not a multiple of record_bytes yields its whole records, then the next read finds the
    # producer's queue closed (OutOfRangeError); checked with TensorFlow 2.15's compat.v1.
    path = tmp_path / "short.bin"
    path.write_bytes(b"\x01" * (RECORD + 100))
    queue = tf.train.string_input_producer([str(path)], num_epochs=1, shuffle=False)
    key, value = tf.FixedLengthRecordReader(record_bytes=RECORD).read(queue)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        k, v = sess.run([key, value])
        assert k == f"{path}:0".encode() and len(v) == RECORD
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(value)
        coord.request_stop()
        coord.join(threads, ignore_live_threads=True)


def test_missing_file_is_not_found_naming_it(tmp_path):
    missing = tmp_path / "data_batch_9.bin"
    with pytest.raises(tf.errors.NotFoundError, match="data_batch_9.bin"):
        _read_one(missing)
    with pytest.raises(tf.errors.NotFoundError, match="data_batch_9.bin"):
        tf.Session().run(tf.read_file(str(missing)))
