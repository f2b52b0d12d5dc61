"""tf.contrib.data: the tf.data classes under their old names and the Dataset.apply
transformations of TF 1.15's contrib.data."""
import numpy as np
import pytest

import tensorweave as tf


def _all(dataset):
    next_element = dataset.make_one_shot_iterator().get_next()
    out = []
    with tf.Session() as sess:
        while True:
            try:
                out.append(sess.run(next_element))
            except tf.errors.OutOfRangeError:
                return out


def test_old_names_are_tf_data():
    assert tf.contrib.data.Dataset is tf.data.Dataset
    assert tf.contrib.data.Iterator is tf.data.Iterator
    assert tf.contrib.data.TFRecordDataset is tf.data.TFRecordDataset
    assert tf.contrib.data.TextLineDataset is tf.data.TextLineDataset
    assert tf.contrib.data.FixedLengthRecordDataset is tf.data.FixedLengthRecordDataset


def test_initializable_iterator_from_placeholders():
    images = tf.placeholder(tf.float32, [None, 2])
    dataset = tf.contrib.data.Dataset.from_tensor_slices(images).batch(2)
    iterator = dataset.make_initializable_iterator()
    batch = iterator.get_next()
    with tf.Session() as sess:
        sess.run(iterator.initializer, {images: np.arange(6, dtype=np.float32).reshape(3, 2)})
        np.testing.assert_array_equal(sess.run(batch), [[0, 1], [2, 3]])
        np.testing.assert_array_equal(sess.run(batch), [[4, 5]])


def test_batch_and_drop_remainder():
    dataset = tf.data.Dataset.range(7).apply(tf.contrib.data.batch_and_drop_remainder(3))
    assert dataset.output_shapes.as_list() == [3]
    assert [list(b) for b in _all(dataset)] == [[0, 1, 2], [3, 4, 5]]


def test_padded_batch_and_drop_remainder():
    dataset = tf.data.Dataset.range(1, 6).map(lambda n: tf.fill(tf.expand_dims(n, 0), n))
    dataset = dataset.apply(tf.contrib.data.padded_batch_and_drop_remainder(2, [None]))
    out = _all(dataset)
    assert len(out) == 2
    np.testing.assert_array_equal(out[1], [[3, 3, 3, 0], [4, 4, 4, 4]])


def test_map_and_batch_shuffle_and_repeat_unbatch():
    dataset = tf.data.Dataset.range(4).apply(
        tf.contrib.data.map_and_batch(lambda x: x * 10, 3))
    assert [list(b) for b in _all(dataset)] == [[0, 10, 20], [30]]
    shuffled = tf.data.Dataset.range(5).apply(tf.contrib.data.shuffle_and_repeat(5, 2, seed=1))
    values = _all(shuffled)
    assert sorted(values[:5]) == sorted(values[5:]) == [0, 1, 2, 3, 4]
    batched = tf.data.Dataset.from_tensor_slices([[1, 2], [3, 4]])
    assert _all(batched.apply(tf.contrib.data.unbatch())) == [1, 2, 3, 4]


def test_parallel_interleave_and_enumerate():
    dataset = tf.data.Dataset.range(2).apply(tf.contrib.data.parallel_interleave(
        lambda x: tf.data.Dataset.from_tensors(x).repeat(3), cycle_length=2))
    assert _all(dataset) == [0, 1, 0, 1, 0, 1]
    sloppy = tf.data.Dataset.range(2).apply(tf.contrib.data.sloppy_interleave(
        lambda x: tf.data.Dataset.from_tensors(x).repeat(2), cycle_length=2))
    assert sorted(_all(sloppy)) == [0, 0, 1, 1]
    enumerated = tf.data.Dataset.from_tensor_slices([5, 6]).apply(
        tf.contrib.data.enumerate_dataset(start=3))
    assert [tuple(int(v) for v in pair) for pair in _all(enumerated)] == [(3, 5), (4, 6)]


def test_unknown_part_names_the_compatibility_page():
    with pytest.raises(NotImplementedError, match="tf.contrib.nope"):
        tf.contrib.nope  # noqa: B018
