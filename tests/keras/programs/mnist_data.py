"""MNIST from the four IDX files (the folder in $TENSORWEAVE_MNIST_DIR or $MNIST_DIR), as
keras.datasets.mnist.load_data() gives it: ((x_train, y_train), (x_test, y_test)), uint8."""
import gzip
import os

import numpy as np


def _read(folder, name, offset):
    with gzip.open(os.path.join(folder, name), "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load_data(n_train=60000, n_test=10000):
    folder = os.environ.get("TENSORWEAVE_MNIST_DIR") or os.environ["MNIST_DIR"]
    x_train = _read(folder, "train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
    y_train = _read(folder, "train-labels-idx1-ubyte.gz", 8)
    x_test = _read(folder, "t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
    y_test = _read(folder, "t10k-labels-idx1-ubyte.gz", 8)
    return (x_train[:n_train], y_train[:n_train]), (x_test[:n_test], y_test[:n_test])
