"""tf.keras.datasets.cifar10: 50,000 training and 10,000 test 32x32 colour images, 10 classes.

Read from CIFAR's binary release (cifar-10-binary.tar.gz, md5-checked) into the arrays TF's
loader makes from the pickled release: uint8 images (N, 32, 32, 3) and uint8 labels (N, 1).
"""
import os

import numpy as np

from tensorweave.keras.datasets import cifar

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
FILE_HASH = "c32a1d4ab5d03f1284b67883e8d87530"  # md5 published with the archive
DIRNAME = "cifar-10-batches-bin"


def load_data():
    """`(x_train, y_train), (x_test, y_test)`."""
    path = cifar.fetch_directory(DIRNAME, ORIGIN, FILE_HASH)
    parts = [cifar.read_records(os.path.join(path, f"data_batch_{i}.bin"), 1)
             for i in range(1, 6)]
    x_train = np.concatenate([x for x, _ in parts])
    y_train = np.concatenate([y for _, y in parts])
    x_test, y_test = cifar.read_records(os.path.join(path, "test_batch.bin"), 1)
    return ((cifar.to_data_format(x_train), y_train.copy()),
            (cifar.to_data_format(x_test), y_test.copy()))
