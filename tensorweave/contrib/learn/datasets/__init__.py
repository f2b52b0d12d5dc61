"""tf.contrib.learn.datasets: `load_dataset(name)` ("iris", "boston", "mnist", "dbpedia") and
the readers behind it (`mnist`, `base`, `text_datasets`; base.load_iris and base.load_boston
read the CSVs TF shipped, copied under data/, as are the fake DBpedia rows).

    mnist = tf.contrib.learn.datasets.load_dataset("mnist")   # integer labels
"""
from tensorweave.contrib.learn.datasets import base, mnist, text_datasets  # noqa: F401

__all__ = ["base", "mnist", "text_datasets", "load_dataset", "DATASETS"]

DATASETS = {"iris": base.load_iris, "boston": base.load_boston, "mnist": mnist.load_mnist,
            "dbpedia": text_datasets.load_dbpedia}


def load_dataset(name, size="small", test_with_fake_data=False):
    """The data set `name`: "iris" (Dataset(data float64 [150, 4], target int [150])),
    "boston" (Dataset(data float64 [506, 13], target float64 [506])), "mnist"
    (mnist.load_mnist(), from MNIST-data, $TENSORWEAVE_MNIST_DIR, or a download) or "dbpedia"
    (text_datasets.load_dbpedia(size, test_with_fake_data))."""
    if name not in DATASETS:
        raise ValueError("Name of dataset is not found: %s" % name)
    if name == "dbpedia":
        return DATASETS[name](size, test_with_fake_data)
    if test_with_fake_data:
        return mnist.read_data_sets("MNIST-data", fake_data=True)
    return DATASETS[name]()
