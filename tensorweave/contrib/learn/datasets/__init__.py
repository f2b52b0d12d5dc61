"""tf.contrib.learn.datasets: `load_dataset(name)` and the readers behind it (`mnist`,
`base`).

    mnist = tf.contrib.learn.datasets.load_dataset("mnist")   # integer labels
"""
from tensorweave.contrib.learn.datasets import base, mnist  # noqa: F401

__all__ = ["base", "mnist", "load_dataset", "DATASETS"]

# The data sets whose files tensorweave can find (the CSVs TF shipped for iris and boston
# are not part of tensorweave).
DATASETS = {"mnist": mnist.load_mnist}


def load_dataset(name, size="small", test_with_fake_data=False):
    """The data set `name` (only "mnist": mnist.load_mnist(), from MNIST-data, the directory
    $TENSORWEAVE_MNIST_DIR names, or a download)."""
    if name not in DATASETS:
        raise ValueError("Name of dataset is not found: %s" % name)
    if test_with_fake_data:
        return mnist.read_data_sets("MNIST-data", fake_data=True)
    return DATASETS[name]()
