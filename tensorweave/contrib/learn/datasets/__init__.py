"""tf.contrib.learn.datasets: `load_dataset(name)` ("iris", "mnist") and the readers behind it
(`mnist`, `base`; base.load_iris reads the iris.csv TF shipped, copied under data/).

    mnist = tf.contrib.learn.datasets.load_dataset("mnist")   # integer labels
"""
from tensorweave.contrib.learn.datasets import base, mnist  # noqa: F401

__all__ = ["base", "mnist", "load_dataset", "DATASETS"]

# The data sets whose files tensorweave can find (boston's CSV is not part of tensorweave).
DATASETS = {"iris": base.load_iris, "mnist": mnist.load_mnist}


def load_dataset(name, size="small", test_with_fake_data=False):
    """The data set `name`: "iris" (Dataset(data float64 [150, 4], target int [150])) or
    "mnist" (mnist.load_mnist(), from MNIST-data, $TENSORWEAVE_MNIST_DIR, or a download)."""
    if name not in DATASETS:
        raise ValueError("Name of dataset is not found: %s" % name)
    if test_with_fake_data:
        return mnist.read_data_sets("MNIST-data", fake_data=True)
    return DATASETS[name]()
