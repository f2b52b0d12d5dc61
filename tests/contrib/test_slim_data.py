"""TF-slim's data pipeline: TFExampleDecoder's handlers, and a Dataset read through
DatasetDataProvider, parallel readers, prefetch_queue and slim.queues.QueueRunners."""
import numpy as np
import pytest

import tensorweave as tf

slim = tf.contrib.slim
decoder_lib = slim.tfexample_decoder
RNG = np.random.RandomState(0)
IMAGES = [RNG.randint(0, 256, size=(4, 5, 3)).astype(np.uint8) for _ in range(6)]


def _bytes(values):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=values))


def _ints(values):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=values))


def _floats(values):
    return tf.train.Feature(float_list=tf.train.FloatList(value=values))


def _examples():
    with tf.Graph().as_default(), tf.Session() as sess:
        pngs = sess.run([tf.image.encode_png(image) for image in IMAGES])
    examples = []
    for i, (image, png) in enumerate(zip(IMAGES, pngs)):
        raw = i % 2 == 1
        examples.append(tf.train.Example(features=tf.train.Features(feature={
            "image/encoded": _bytes([image.tobytes() if raw else png]),
            "image/format": _bytes([b"raw" if raw else b"png"]),
            "image/class/label": _ints([i]),
            "image/object/bbox/ymin": _floats([0.1 * i, 0.2]),
            "image/object/bbox/xmin": _floats([0.0, 0.3]),
            "image/object/bbox/ymax": _floats([0.5, 0.6]),
            "image/object/bbox/xmax": _floats([0.7, 0.8]),
            "dims": _ints([2, 3]),
            "matrix": _floats([float(v) for v in range(i, i + 6)]),
        })).SerializeToString())
    return examples


KEYS_TO_FEATURES = {
    "image/encoded": tf.FixedLenFeature((), tf.string, default_value=""),
    "image/format": tf.FixedLenFeature((), tf.string, default_value="png"),
    "image/class/label": tf.FixedLenFeature([1], tf.int64),
    "image/object/bbox/ymin": tf.VarLenFeature(tf.float32),
    "image/object/bbox/xmin": tf.VarLenFeature(tf.float32),
    "image/object/bbox/ymax": tf.VarLenFeature(tf.float32),
    "image/object/bbox/xmax": tf.VarLenFeature(tf.float32),
    "dims": tf.VarLenFeature(tf.int64),
    "matrix": tf.VarLenFeature(tf.float32),
}


def _decoder():
    return decoder_lib.TFExampleDecoder(KEYS_TO_FEATURES, {
        "image": decoder_lib.Image(shape=[4, 5, 3]),
        "label": decoder_lib.Tensor("image/class/label", shape=[]),
        "boxes": decoder_lib.BoundingBox(prefix="image/object/bbox/"),
        "matrix": decoder_lib.Tensor("matrix", shape_keys="dims"),
        "twice": decoder_lib.ItemHandlerCallback(["image/class/label"],
                                                 lambda t: t["image/class/label"] * 2),
    })


def test_tfexample_decoder_items():
    examples = _examples()
    with tf.Graph().as_default():
        serialized = tf.placeholder(tf.string, [])
        decoder = _decoder()
        assert decoder.list_items() == ["image", "label", "boxes", "matrix", "twice"]
        items = decoder.decode(serialized)
        with tf.Session() as sess:
            for i, example in enumerate(examples):
                image, label, boxes, matrix, twice = sess.run(items, {serialized: example})
                np.testing.assert_array_equal(image, IMAGES[i])
                assert label == i and twice == [2 * i]
                np.testing.assert_allclose(boxes, [[0.1 * i, 0.0, 0.5, 0.7],
                                                   [0.2, 0.3, 0.6, 0.8]], rtol=1e-6)
                np.testing.assert_array_equal(matrix, np.arange(i, i + 6).reshape(2, 3))


def test_dataset_data_provider_reads_every_record(tmp_path):
    paths = []
    for shard in range(2):
        path = str(tmp_path / f"data-{shard}.tfrecord")
        with tf.python_io.TFRecordWriter(path) as writer:
            for example in _examples()[shard::2]:
                writer.write(example)
        paths.append(path)
    with tf.Graph().as_default():
        dataset = slim.dataset.Dataset(str(tmp_path / "data-*.tfrecord"), tf.TFRecordReader,
                                       _decoder(), num_samples=6,
                                       items_to_descriptions={"image": "an image"},
                                       num_classes=6)
        assert dataset.num_classes == 6
        provider = slim.dataset_data_provider.DatasetDataProvider(
            dataset, num_readers=2, shuffle=False, num_epochs=1)
        assert provider.num_samples() == 6
        with pytest.raises(ValueError, match=r"Item \[nothing\] is invalid"):
            provider.get(["nothing"])
        image, label, key = provider.get(["image", "label", "record_key"])
        queue = slim.prefetch_queue.prefetch_queue({"image": image, "label": label},
                                                   capacity=4)
        batch = queue.dequeue()
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            seen = {}
            with slim.queues.QueueRunners(sess):
                for _ in range(6):
                    values = sess.run(batch)
                    seen[int(values["label"])] = values["image"]
        assert sorted(seen) == list(range(6))
        for i, image in seen.items():
            np.testing.assert_array_equal(image, IMAGES[i])
        assert key.dtype == tf.string


def test_get_data_files():
    reader = slim.parallel_reader
    assert reader.get_data_files(["a", ["b"]]) == ["a", "b"]
    with pytest.raises(ValueError, match="No data files found"):
        reader.get_data_files("/nonexistent/*.tfrecord")
