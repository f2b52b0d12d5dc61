"""A small CIFAR-10-format data set (label byte + 3x32x32 image bytes per record, channel
planes first) with a learnable pattern, and TF's CIFAR-10 tutorial input pipeline over it.
Shared by tests/test_cifar10_pipeline.py and benchmarks/queue_pipeline.py; `tf` is passed in
(tensorweave or TensorFlow's compat.v1), so the same code runs on both."""
import numpy as np

RECORD = 1 + 3 * 32 * 32
CROP = 24


def write_records(directory, files=2, per_file=200, seed=0):
    """Writes data_batch_<i>.bin files; class 0 has horizontal stripes, class 1 vertical ones
    (period 8, under noise), so flips, crops and brightness/contrast keep the class visible."""
    rng = np.random.RandomState(seed)
    paths = []
    stripe = (np.arange(32) // 4) % 2 * 120.0
    for f in range(files):
        labels = rng.randint(0, 2, per_file)
        images = rng.uniform(0, 100, (per_file, 3, 32, 32))
        images[labels == 0] += stripe[None, None, :, None]
        images[labels == 1] += stripe[None, None, None, :]
        records = np.concatenate([labels[:, None].astype(np.uint8),
                                  np.clip(images, 0, 255).astype(np.uint8).reshape(per_file, -1)],
                                 axis=1)
        path = directory / f"data_batch_{f + 1}.bin"
        path.write_bytes(records.tobytes())
        paths.append(str(path))
    return paths


def distorted_inputs(tf, filenames, batch_size, num_threads=16, seed=None):
    """The tutorial's distorted_inputs: reader -> decode -> random crop/flip/brightness/
    contrast -> per-image standardization -> shuffle_batch. Returns (images, labels)."""
    queue = tf.train.string_input_producer(filenames, seed=seed)
    reader = tf.FixedLengthRecordReader(record_bytes=RECORD)
    _, value = reader.read(queue)
    record = tf.decode_raw(value, tf.uint8)
    label = tf.cast(tf.strided_slice(record, [0], [1]), tf.int32)
    depth_major = tf.reshape(tf.strided_slice(record, [1], [RECORD]), [3, 32, 32])
    image = tf.cast(tf.transpose(depth_major, [1, 2, 0]), tf.float32)
    distorted = tf.random_crop(image, [CROP, CROP, 3], seed=seed)
    distorted = tf.image.random_flip_left_right(distorted, seed=seed)
    distorted = tf.image.random_brightness(distorted, max_delta=63, seed=seed)
    distorted = tf.image.random_contrast(distorted, lower=0.2, upper=1.8, seed=seed)
    standardized = tf.image.per_image_standardization(distorted)
    standardized.set_shape([CROP, CROP, 3])
    label.set_shape([1])
    images, labels = tf.train.shuffle_batch(
        [standardized, label], batch_size=batch_size, num_threads=num_threads,
        capacity=200 + 3 * batch_size, min_after_dequeue=200, seed=seed)
    return images, tf.reshape(labels, [batch_size])
