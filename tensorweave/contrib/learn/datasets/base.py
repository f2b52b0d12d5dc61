"""tf.contrib.learn.datasets.base: the containers readers return and CSV loading.

    data = base.load_csv_with_header("train.csv", target_dtype=np.int32,
                                     features_dtype=np.float32)   # Dataset(data, target)
"""
import collections
import csv
import os

import numpy as np

from tensorweave.contrib.learn.datasets.mnist import maybe_download  # noqa: F401

__all__ = ["Dataset", "Datasets", "load_csv_with_header", "load_csv_without_header",
           "shrink_csv", "maybe_download", "load_iris", "load_boston"]

Dataset = collections.namedtuple("Dataset", ["data", "target"])
Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def load_csv_with_header(filename, target_dtype, features_dtype, target_column=-1):
    """A CSV whose first row is `n_samples,n_features,...`: Dataset(data, target)."""
    with open(filename) as f:
        rows = csv.reader(f)
        header = next(rows)
        n_samples, n_features = int(header[0]), int(header[1])
        data = np.zeros((n_samples, n_features), dtype=features_dtype)
        target = np.zeros((n_samples,), dtype=target_dtype)
        for i, row in enumerate(rows):
            target[i] = np.asarray(row.pop(target_column), dtype=target_dtype)
            data[i] = np.asarray(row, dtype=features_dtype)
    return Dataset(data=data, target=target)


def load_csv_without_header(filename, target_dtype, features_dtype, target_column=-1):
    """A CSV of feature columns and one target column: Dataset(data, target)."""
    with open(filename) as f:
        rows = [row for row in csv.reader(f)]
    target = np.array([row.pop(target_column) for row in rows]).astype(target_dtype)
    data = np.array(rows).astype(features_dtype)
    return Dataset(data=data, target=target)


def shrink_csv(filename, ratio):
    """Writes every `ratio`-th row of `filename` to the name with each "." made "_small." (as
    TF names it: data.csv -> data_small.csv)."""
    with open(filename) as source, open(filename.replace(".", "_small."), "w",
                                        newline="") as target:
        writer = csv.writer(target)
        for i, row in enumerate(csv.reader(source)):
            if i % ratio == 0:
                writer.writerow(row)


def load_iris(data_path=None):
    """The iris data set TF 1.x shipped (data/iris.csv): float64 features, int targets."""
    if data_path is None:
        data_path = os.path.join(os.path.dirname(__file__), "data", "iris.csv")
    return load_csv_with_header(data_path, target_dtype=np.int_, features_dtype=np.float64)


def load_boston(data_path=None):
    """The Boston housing data TF 1.x shipped (data/boston_house_prices.csv): 506 houses,
    13 float64 features, float64 median values."""
    if data_path is None:
        data_path = os.path.join(os.path.dirname(__file__), "data", "boston_house_prices.csv")
    return load_csv_with_header(data_path, target_dtype=np.float64,
                                features_dtype=np.float64)
