"""tf.contrib.learn: the parts TF 1.x programs still use, its datasets
(`tf.contrib.learn.datasets.load_dataset("mnist")`, `datasets.mnist.read_data_sets`).

contrib.learn's Estimator family (Experiment, learn_runner, SKCompat, the canned estimators)
was superseded by tf.estimator in TF 1.x and is not provided."""
from tensorweave.contrib.learn import datasets  # noqa: F401

__all__ = ["datasets"]
