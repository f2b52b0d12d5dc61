"""TF 1.x's `tensorflow.examples.tutorials.mnist.input_data`: the MNIST reader of
`tf.contrib.learn.datasets.mnist` (tensorweave/contrib/learn/datasets/mnist.py), as in TF.

    from tensorweave.examples.tutorials.mnist import input_data
    mnist = input_data.read_data_sets('/tmp/mnist', one_hot=True)
"""
from tensorweave.contrib.learn.datasets.mnist import (  # noqa: F401
    DEFAULT_SOURCE_URL, MNIST_DIR_ENV, MNIST_FILES, MNIST_SHA256, TEST_IMAGES, TEST_LABELS,
    TRAIN_IMAGES, TRAIN_LABELS, DataSet, Datasets, MnistChecksumError, MnistDownloadError,
    dense_to_one_hot, extract_images, extract_labels, load_mnist, maybe_download,
    read_data_sets)
