"""tf.contrib.learn.datasets: load_dataset("mnist"), the mnist reader under TF's module paths
(the same DataSet as input_data), and base's CSV loaders."""
import numpy as np
import pytest

import tensorweave as tf
from mnist_files import MNIST_DIR, needs_mnist
from tensorweave.contrib.learn.datasets import base
from tensorweave.examples.tutorials.mnist import input_data
from tensorweave.runner import install_tensorflow_alias, remove_tensorflow_alias


def test_tf_module_paths_reach_the_same_reader():
    install_tensorflow_alias()
    try:
        from tensorflow.contrib.learn.python.learn.datasets import mnist
        from tensorflow.contrib.learn.python.learn.datasets import base as tf_base
    finally:
        remove_tensorflow_alias()
    assert mnist is tf.contrib.learn.datasets.mnist
    assert tf_base is base
    assert input_data.read_data_sets is mnist.read_data_sets
    assert input_data.DataSet is mnist.DataSet


@needs_mnist
def test_load_dataset_mnist(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TENSORWEAVE_MNIST_DIR", str(MNIST_DIR))
    mnist = tf.contrib.learn.datasets.load_dataset("mnist")
    assert (mnist.train.num_examples, mnist.validation.num_examples,
            mnist.test.num_examples) == (55000, 5000, 10000)
    assert mnist.train.images.shape == (55000, 784) and mnist.train.images.dtype == np.float32
    assert mnist.train.labels.shape == (55000,) and mnist.train.labels.max() == 9


@needs_mnist
def test_uint8_unreshaped_as_convert_to_records_reads_them():
    data = tf.contrib.learn.datasets.mnist.read_data_sets(
        str(MNIST_DIR), dtype=tf.uint8, reshape=False, validation_size=5000)
    assert data.train.images.shape == (55000, 28, 28, 1)
    assert data.train.images.dtype == np.uint8


def test_load_dataset_fake_and_unknown():
    fake = tf.contrib.learn.datasets.load_dataset("mnist", test_with_fake_data=True)
    images, labels = fake.train.next_batch(3, fake_data=True)
    assert len(images) == 3 and len(labels) == 3
    with pytest.raises(ValueError, match="Name of dataset is not found: cifar10"):
        tf.contrib.learn.datasets.load_dataset("cifar10")  # boston and dbpedia are TF 1.x's


def test_csv_loaders(tmp_path):
    with_header = tmp_path / "train.csv"
    with_header.write_text("3,2,a,b\n1.5,2.5,0\n3.5,4.5,1\n5.5,6.5,2\n")
    data = base.load_csv_with_header(str(with_header), target_dtype=np.int32,
                                     features_dtype=np.float32)
    np.testing.assert_array_equal(data.data, [[1.5, 2.5], [3.5, 4.5], [5.5, 6.5]])
    np.testing.assert_array_equal(data.target, [0, 1, 2])
    assert data.data.dtype == np.float32 and data.target.dtype == np.int32
    plain = tmp_path / "plain.csv"
    plain.write_text("1,10,0.5\n2,20,0.25\n")
    data = base.load_csv_without_header(str(plain), target_dtype=np.float64,
                                        features_dtype=np.int64, target_column=-1)
    np.testing.assert_array_equal(data.data, [[1, 10], [2, 20]])
    np.testing.assert_array_equal(data.target, [0.5, 0.25])
    base.shrink_csv(str(plain), 2)
    assert (tmp_path / "plain_small.csv").read_text().splitlines() == ["1,10,0.5"]
