"""The Iris data (120 training and 30 test flowers) as TF's get-started samples read it.

The two CSV files ship with tensorweave (data/; identical to TF's iris_training.csv and
iris_test.csv), so nothing is downloaded. load_data returns pandas DataFrames/Series when pandas
is installed, else dicts of NumPy columns and NumPy label arrays; the input functions accept
both.

    (train_x, train_y), (test_x, test_y) = iris_data.load_data()
    dataset = iris_data.train_input_fn(train_x, train_y, batch_size=100)
"""
import collections
import os

import numpy as np

import tensorweave as tf

TRAIN_URL = "http://download.tensorflow.org/data/iris_training.csv"
TEST_URL = "http://download.tensorflow.org/data/iris_test.csv"

CSV_COLUMN_NAMES = ["SepalLength", "SepalWidth", "PetalLength", "PetalWidth", "Species"]
SPECIES = ["Setosa", "Versicolor", "Virginica"]
CSV_TYPES = [[0.0], [0.0], [0.0], [0.0], [0]]

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def maybe_download():
    """Paths of the training and test CSV files (the copies inside the package)."""
    return tuple(os.path.join(DATA_DIR, url.split("/")[-1]) for url in (TRAIN_URL, TEST_URL))


def _read_csv(path, y_name):
    """Features and labels of one file; its first line (count, width, class names) is skipped."""
    rows = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    columns = collections.OrderedDict(
        (name, rows[:, i]) for i, name in enumerate(CSV_COLUMN_NAMES))
    columns["Species"] = columns["Species"].astype(np.int64)
    try:
        import pandas as pd
    except ImportError:
        labels = columns.pop(y_name)
        return columns, labels
    frame = pd.DataFrame(columns)
    return frame, frame.pop(y_name)


def load_data(y_name="Species"):
    """((train_x, train_y), (test_x, test_y)): four float64 feature columns and int labels."""
    train_path, test_path = maybe_download()
    return _read_csv(train_path, y_name), _read_csv(test_path, y_name)


def train_input_fn(features, labels, batch_size):
    """Shuffled, endlessly repeated batches of (features dict, labels)."""
    dataset = tf.data.Dataset.from_tensor_slices((dict(features), labels))
    return dataset.shuffle(1000).repeat().batch(batch_size)


def eval_input_fn(features, labels, batch_size):
    """One pass over the examples in batches; features only when `labels` is None."""
    if batch_size is None:
        raise ValueError("batch_size must not be None")
    inputs = dict(features) if labels is None else (dict(features), labels)
    return tf.data.Dataset.from_tensor_slices(inputs).batch(batch_size)


def _parse_line(line):
    fields = tf.decode_csv(line, record_defaults=CSV_TYPES)
    features = dict(zip(CSV_COLUMN_NAMES, fields))
    return features, features.pop("Species")


def csv_input_fn(csv_path, batch_size):
    """Like train_input_fn, reading the CSV file line by line in the graph."""
    dataset = tf.data.TextLineDataset(csv_path).skip(1).map(_parse_line)
    return dataset.shuffle(1000).repeat().batch(batch_size)
