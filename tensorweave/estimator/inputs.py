"""tf.estimator.inputs: input functions that feed NumPy arrays or pandas frames in batches.

    train_input_fn = tf.estimator.inputs.numpy_input_fn(
        x={"x": train_data}, y=train_labels, batch_size=100, num_epochs=None, shuffle=True)
    classifier.train(input_fn=train_input_fn, steps=20000)

The data stays in Python and is fed through a tf.data generator (TF feeds it through queues),
so a large array never becomes a graph constant. Each example is produced exactly
`num_epochs` times (None: forever); the last batch of a finite run may be short. With
shuffle=True, examples pass in order (from a random start) through a shuffle buffer of
`queue_capacity` elements (TF's RandomShuffleQueue), seeded by the graph seed when set.
`num_threads` is accepted for compatibility: one Python generator does the feeding.
"""
import collections

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.seeds import get_seed

_ARRAY_KEY = "__direct_np_input_key__"
_TARGET_KEY = "__target_key__"


def _unique_key(taken, key):
    while key in taken:
        key += "_n"
    return key


def _index_stream(n, num_epochs, shuffle, rng):
    """Row indices for `num_epochs` passes over n rows, in order from a random start when
    shuffling (as TF's feeding functions do)."""
    start = int(rng.randint(n)) if shuffle else 0
    epoch = 0
    while num_epochs is None or epoch < num_epochs:
        yield from ((start + i) % n for i in range(n))
        epoch += 1


def _shuffled(indices, capacity, rng):
    """`indices` drawn through a random buffer of `capacity` entries."""
    buffer = []
    for index in indices:
        if len(buffer) < capacity:
            buffer.append(index)
            continue
        slot = int(rng.randint(capacity))
        yield buffer[slot]
        buffer[slot] = index
    rng.shuffle(buffer)
    yield from buffer


def _batches(columns, batch_size, num_epochs, shuffle, capacity, seed):
    """A generator function yielding dicts of `batch_size` rows of `columns`."""
    def generate():
        rng = np.random.RandomState(seed)
        n = len(next(iter(columns.values())))
        indices = _index_stream(n, num_epochs, shuffle, rng)
        if shuffle:
            indices = _shuffled(indices, max(int(capacity), 1), rng)
        batch = []
        for index in indices:
            batch.append(index)
            if len(batch) == batch_size:
                yield {k: v[batch] for k, v in columns.items()}
                batch = []
        if batch:
            yield {k: v[batch] for k, v in columns.items()}
    return generate


def _dtype(array):
    if array.dtype.kind in "OSU":
        return dtypes.string
    return dtypes.as_dtype(array.dtype)


def _feeding_tensors(columns, batch_size, num_epochs, shuffle, queue_capacity):
    """A dict of batch tensors (leading dimension None) for the rows of `columns`."""
    from tensorweave.data import Dataset
    if _bad_epochs(num_epochs):
        raise ValueError(f"num_epochs must be None or an integer, got {num_epochs}")
    graph_seed, op_seed = get_seed(None)
    seed = None if graph_seed is None else (graph_seed * 7919 + op_seed) % (2 ** 32)
    types = {k: _dtype(v) for k, v in columns.items()}
    shapes = {k: [None] + list(v.shape[1:]) for k, v in columns.items()}
    dataset = Dataset.from_generator(
        _batches(columns, batch_size, num_epochs, shuffle, queue_capacity, seed), types, shapes)
    return dataset.make_one_shot_iterator().get_next()


def _bad_epochs(num_epochs):
    # TF's feeding functions take any integer: 0 (or less) emits no example, so the first
    # batch is an OutOfRangeError.
    return num_epochs is not None and not isinstance(num_epochs, (int, np.integer))


def _check_shuffle(shuffle):
    if not isinstance(shuffle, bool):
        raise ValueError(f"shuffle must be provided and explicitly set as boolean (it is "
                         f"recommended to set it as True for training); got {shuffle}")


def numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None, queue_capacity=1000,
                   num_threads=1):
    """An input_fn giving batches of `x` (a dict of arrays, or one array) and `y` (an array,
    a dict of arrays, or None): (features, target), or features alone when y is None."""
    _check_shuffle(shuffle)

    def input_fn():
        if not isinstance(x, (dict, np.ndarray)):
            raise TypeError(f"x must be a dict or array; got {type(x).__name__}")
        if isinstance(x, dict) and not x:
            raise ValueError("x cannot be an empty dict")
        features = {_ARRAY_KEY: x} if isinstance(x, np.ndarray) else x
        columns = collections.OrderedDict(
            sorted((k, np.asarray(v)) for k, v in features.items()))
        feature_keys = list(columns)
        if y is None:
            target_keys = None
        elif isinstance(y, dict):
            if not y:
                raise ValueError("y cannot be empty dict, use None instead.")
            target_keys = sorted(y)
            duplicates = set(feature_keys) & set(target_keys)
            if duplicates:
                raise ValueError(f"{len(duplicates)} duplicate keys are found in both x and y: "
                                 f"{duplicates}")
            columns.update((k, np.asarray(y[k])) for k in target_keys)
        else:
            target_keys = _unique_key(columns, _TARGET_KEY)
            columns[target_keys] = np.asarray(y)
        if len({v.shape[0] if v.ndim else None for v in columns.values()}) != 1:
            y_shapes = (None if target_keys is None else np.shape(y) if isinstance(
                target_keys, str) else {k: columns[k].shape for k in target_keys})
            raise ValueError(f"Length of tensors in x and y is mismatched. All elements in x "
                             f"and y must have the same length.\nShapes in x: "
                             f"{ {k: columns[k].shape for k in feature_keys} }\nShapes in y: "
                             f"{y_shapes}\n")
        batch = _feeding_tensors(columns, batch_size, num_epochs, shuffle, queue_capacity)
        out = batch[_ARRAY_KEY] if isinstance(x, np.ndarray) else {
            k: batch[k] for k in feature_keys}
        if target_keys is None:
            return out
        if isinstance(target_keys, str):
            return out, batch[target_keys]
        return out, {k: batch[k] for k in target_keys}
    return input_fn


def pandas_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None, queue_capacity=1000,
                    num_threads=1, target_column="target"):
    """An input_fn giving batches of the DataFrame `x` as a dict of columns, with the Series
    (or DataFrame) `y` as the target; pandas is imported only when this is called."""
    try:
        import pandas as pd
    except ImportError:
        raise TypeError("pandas_input_fn should not be called without pandas "
                        "installed") from None
    _check_shuffle(shuffle)
    if not isinstance(target_column, str):
        raise TypeError("target_column must be a string type")
    x = x.copy()
    target_names = None
    if y is not None:
        if target_column in x:
            raise ValueError(f"Cannot use name {target_column} for target column: DataFrame "
                             f"already has a column with that name: {x.columns}")
        if not np.array_equal(x.index, y.index):
            raise ValueError(f"Index for x and y are mismatched.\nIndex for x: {x.index}\n"
                             f"Index for y: {y.index}\n")
        if isinstance(y, pd.DataFrame):
            target_names = {c: _unique_key(x, c) for c in y.columns}
            for column, name in target_names.items():
                x[name] = y[column]
        else:
            x[target_column] = y
    if queue_capacity is None:
        queue_capacity = 4 * len(x) if shuffle else len(x)

    def input_fn():
        columns = collections.OrderedDict((c, x[c].to_numpy()) for c in x.columns)
        features = _feeding_tensors(columns, batch_size, num_epochs, shuffle, queue_capacity)
        features = {c: features[c] for c in x.columns}
        if y is None:
            return features
        if target_names is not None:
            return features, {c: features.pop(name) for c, name in target_names.items()}
        return features, features.pop(target_column)
    return input_fn
