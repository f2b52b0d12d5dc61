"""Issue 19's acceptance: an image-folder pipeline (JPEG files -> read_file -> decode_jpeg ->
resize -> batch) trains a small classifier, through queues and through tf.data; a corrupt
JPEG fails with TF's InvalidArgumentError."""
import numpy as np
import pytest

import tensorweave as tf

Image = pytest.importorskip("PIL.Image")


def _write_folder(tmp_path, per_class=24):
    """Two classes of 20x20 JPEGs: bright squares on the left or on the right half."""
    rng = np.random.RandomState(0)
    files, labels = [], []
    for label in (0, 1):
        for i in range(per_class):
            pixels = rng.randint(0, 60, (20, 20, 3)).astype(np.uint8)
            columns = slice(2, 9) if label == 0 else slice(11, 18)
            pixels[5:15, columns] = 230
            path = tmp_path / f"class{label}_{i}.jpg"
            Image.fromarray(pixels).save(path, quality=90)
            files.append(str(path))
            labels.append(label)
    return files, labels


def _load(path):
    image = tf.image.decode_jpeg(tf.read_file(path), channels=3)
    image = tf.image.resize_images(tf.image.convert_image_dtype(image, tf.float32), [16, 16])
    image.set_shape([16, 16, 3])
    return image


def _train(images, labels, steps=60):
    logits = tf.layers.dense(tf.layers.flatten(images), 2)
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    train = tf.train.AdamOptimizer(0.01).minimize(loss)
    return loss, train, steps


def test_queue_image_folder_pipeline_learns(tmp_path):
    files, labels = _write_folder(tmp_path)
    tf.set_random_seed(2)
    path, label = tf.train.slice_input_producer([tf.constant(files), tf.constant(labels)],
                                                shuffle=True, seed=3)
    images, batch_labels = tf.train.batch([_load(path), label], batch_size=16, num_threads=2)
    loss, train, steps = _train(images, batch_labels)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        losses = [sess.run([loss, train])[0] for _ in range(steps)]
        coord.request_stop()
        coord.join(threads)
    assert np.mean(losses[-10:]) < 0.5 * np.mean(losses[:5])


def test_dataset_image_folder_pipeline_learns(tmp_path):
    files, labels = _write_folder(tmp_path)
    dataset = tf.data.Dataset.from_tensor_slices((files, labels)).shuffle(48, seed=1)
    dataset = dataset.map(lambda f, y: (_load(f), y)).repeat().batch(16)
    images, batch_labels = dataset.make_one_shot_iterator().get_next()
    loss, train, steps = _train(images, batch_labels)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([loss, train])[0] for _ in range(steps)]
    assert np.mean(losses[-10:]) < 0.5 * np.mean(losses[:5])


def test_corrupt_jpeg_is_invalid_argument(tmp_path):
    path = tmp_path / "broken.jpg"
    good = tmp_path / "good.jpg"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(good)
    path.write_bytes(good.read_bytes()[:40])
    with tf.Graph().as_default(), tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="JPEG"):
            sess.run(tf.image.decode_jpeg(tf.read_file(str(path))))
