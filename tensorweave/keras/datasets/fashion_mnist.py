"""tf.keras.datasets.fashion_mnist: Zalando's 28x28 clothing images, MNIST's layout."""
import os

from tensorweave.keras.datasets import loading

FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
FILE_HASHES = {}  # TF 1.15 checks none of the four files


def load_data():
    """`(x_train, y_train), (x_test, y_test)`: uint8 images (N, 28, 28) and uint8 labels (N,),
    from the four gzipped IDX files kept in ~/.keras/datasets/fashion-mnist."""
    dirname = os.path.join("datasets", "fashion-mnist")
    paths = [loading.fetch(fname, loading.ORIGIN_FOLDER + fname, FILE_HASHES.get(fname),
                           cache_subdir=dirname) for fname in FILES]
    y_train, x_train, y_test, x_test = (loading.read_idx(p) for p in paths)
    return (x_train, y_train), (x_test, y_test)
