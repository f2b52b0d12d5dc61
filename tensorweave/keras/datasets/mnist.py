"""tf.keras.datasets.mnist: 60,000 training and 10,000 test digits, uint8 (N, 28, 28).

The cached ~/.keras/datasets/mnist.npz is read when present; else the four IDX files in the
directory $TENSORWEAVE_MNIST_DIR names (the same data); else mnist.npz is downloaded.
"""
import os

from tensorweave.keras.datasets import loading, npz

FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_DIR_ENV = "TENSORWEAVE_MNIST_DIR"
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte")


def _idx_paths(directory):
    """The four IDX files in `directory` (gzipped or not), or None when one is missing."""
    found = []
    for name in IDX_FILES:
        for candidate in (name + ".gz", name):
            if os.path.isfile(os.path.join(directory, candidate)):
                found.append(os.path.join(directory, candidate))
                break
        else:
            return None
    return found


def load_data(path="mnist.npz"):
    """`(x_train, y_train), (x_test, y_test)`: uint8 images (N, 28, 28) and uint8 labels (N,)."""
    directory = os.environ.get(MNIST_DIR_ENV)
    paths = _idx_paths(directory) if directory else None
    if paths is not None and not os.path.exists(loading.cache_path(path)):
        x_train, y_train, x_test, y_test = (loading.read_idx(p) for p in paths)
        return (x_train, y_train), (x_test, y_test)
    path = loading.fetch(path, loading.ORIGIN_FOLDER + "mnist.npz", FILE_HASH)
    f = npz.load(path)
    return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
