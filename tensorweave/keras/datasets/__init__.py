"""tf.keras.datasets: mnist, fashion_mnist, cifar10, cifar100, imdb, reuters, boston_housing.

    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()

Files are downloaded once (hash-checked) into ~/.keras/datasets and read as data: no file is
ever unpickled (CIFAR comes from its binary release, object arrays in .npz files are decoded
by `npz`).
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "boston_housing": "tensorweave.keras.datasets.boston_housing",
    "cifar10": "tensorweave.keras.datasets.cifar10",
    "cifar100": "tensorweave.keras.datasets.cifar100",
    "fashion_mnist": "tensorweave.keras.datasets.fashion_mnist",
    "imdb": "tensorweave.keras.datasets.imdb",
    "mnist": "tensorweave.keras.datasets.mnist",
    "reuters": "tensorweave.keras.datasets.reuters",
})
