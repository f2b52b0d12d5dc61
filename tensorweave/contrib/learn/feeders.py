"""contrib.learn's numpy data feeders: the x/y arrays of fit, evaluate and predict fed batch by
batch into placeholders named 'input' and 'output' (TF 1.x learn_io.data_feeder).

    feeder = DataFeeder(x, y, n_classes=None, batch_size=32)   # shuffled, endless
    input_fn, hook = feeder_input_fn(x, y, batch_size=32, shuffle=True, epochs=None)

As in TF: batch_size None means the whole array in one batch; shuffling draws a permutation
per epoch from np.random.RandomState(42); with `epochs` set, the feed function raises
StopIteration once they are done (which ends an evaluation or prediction quietly).
Iterators (TF's StreamingDataFeeder) and pandas/dask inputs are not provided.
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.ops import array
from tensorweave.train import basic_session_run_hooks as hooks_lib

__all__ = ["DataFeeder", "setup_train_data_feeder", "feeder_input_fn"]


def _in_out_shape(x_shape, y_shape, n_classes, batch_size):
    if batch_size is None:
        batch_size = x_shape[0]
    elif batch_size <= 0:
        raise ValueError("Invalid batch_size %d." % batch_size)
    x_rest = list(x_shape[1:]) if len(x_shape) > 1 else [1]
    input_shape = [batch_size] + x_rest
    if y_shape is None:
        return input_shape, None, batch_size
    y_rest = list(y_shape[1:]) if len(y_shape) > 1 else []
    if y_rest and y_rest[0] == 1:
        y_rest = y_rest[1:]
    if n_classes is not None and n_classes > 1:
        return input_shape, [batch_size] + y_rest + [n_classes], batch_size
    return input_shape, [batch_size] + y_rest, batch_size


def _is_iterator(x):
    return hasattr(x, "__next__") or hasattr(x, "next")


class DataFeeder:
    """Samples batches of numpy `x` (and `y`) for the placeholders input_builder makes.
    n_classes None passes labels through; > 1 one-hot encodes them (float32)."""

    def __init__(self, x, y, n_classes, batch_size=None, shuffle=True, random_state=None,
                 epochs=None):
        if _is_iterator(x) or _is_iterator(y):
            raise NotImplementedError("contrib.learn's streaming (iterator) data feeder is "
                                      "not provided by tensorweave; pass numpy arrays")
        if isinstance(x, dict) or isinstance(y, dict):
            raise NotImplementedError("contrib.learn data feeders of dicts are not provided "
                                      "by tensorweave; pass numpy arrays or an input_fn")
        self._x = np.asarray(x)
        if y is None:
            self._y = None
        elif n_classes is not None:
            self._y = np.asarray(y, dtype=np.int64 if n_classes > 1 else np.float32)
        else:
            self._y = np.asarray(y)
        self.n_classes = n_classes
        self.max_epochs = epochs
        self.input_shape, self.output_shape, self._batch_size = _in_out_shape(
            self._x.shape, None if self._y is None else self._y.shape, n_classes, batch_size)
        self._input_dtype = self._x.dtype
        if n_classes is not None or self._y is None:
            self._output_dtype = np.dtype(np.float32)
        else:
            self._output_dtype = self._y.dtype
        self._shuffle = shuffle
        self.random_state = (np.random.RandomState(42) if random_state is None
                             else random_state)
        n = self._x.shape[0]
        self.indices = self.random_state.permutation(n) if shuffle else np.arange(n)
        self.offset = 0
        self.epoch = 0
        self._input_placeholder = None
        self._output_placeholder = None

    x = property(lambda self: self._x)
    y = property(lambda self: self._y)
    batch_size = property(lambda self: self._batch_size)
    input_dtype = property(lambda self: self._input_dtype)
    output_dtype = property(lambda self: self._output_dtype)

    def input_builder(self):
        """Placeholders 'input' [None, ...] and 'output' (None when there is no y)."""
        self._input_placeholder = array.placeholder(
            dtypes.as_dtype(self._input_dtype), [None] + self.input_shape[1:], name="input")
        if self.output_shape is None:
            self._output_placeholder = None
        else:
            self._output_placeholder = array.placeholder(
                dtypes.as_dtype(self._output_dtype), [None] + self.output_shape[1:],
                name="output")
        return self._input_placeholder, self._output_placeholder

    def get_feed_dict_fn(self):
        """A function giving the next batch's feed dict (StopIteration after `epochs`)."""
        def feed_dict_fn():
            if self.max_epochs is not None and self.epoch + 1 > self.max_epochs:
                raise StopIteration
            n = self._x.shape[0]
            batch = self.indices[self.offset:min(n, self.offset + self._batch_size)]
            inp = self._x[batch]
            if self._x.ndim == 1:
                inp = inp.reshape((len(batch), 1))
            feed = {self._input_placeholder: inp}
            self.offset += self._batch_size
            if self.offset >= n:
                self.indices = self.random_state.permutation(n)
                self.offset = 0
                self.epoch += 1
            if self._output_placeholder is None:
                return feed
            shape = [len(batch)] + self.output_shape[1:]
            if self.n_classes is not None and self.n_classes > 1:
                out = np.zeros(shape, dtype=self._output_dtype)
                labels = self._y[batch]
                if len(shape) == 2:
                    out[np.arange(len(batch)), labels.reshape(-1).astype(np.int64)] = 1.0
                else:
                    for i, row in enumerate(labels):
                        out[i, np.arange(len(row)), row] = 1.0
            else:
                out = self._y[batch].astype(self._output_dtype).reshape(shape)
            feed[self._output_placeholder] = out
            return feed
        return feed_dict_fn


def setup_train_data_feeder(x, y, n_classes, batch_size=None, shuffle=True, epochs=None):
    """A DataFeeder over numpy x and y."""
    return DataFeeder(x, y, n_classes, batch_size, shuffle=shuffle, epochs=epochs)


def feeder_input_fn(x, y, batch_size=None, shuffle=False, epochs=1):
    """(input_fn, hook): input_fn builds the feeder's placeholders; the hook feeds them each
    run (labels passed through, n_classes None, as contrib.learn's Estimator feeds them)."""
    feeder = setup_train_data_feeder(x, y, None, batch_size, shuffle=shuffle, epochs=epochs)
    holder = {}

    def input_fn():
        features, labels = feeder.input_builder()
        holder["feed_fn"] = feeder.get_feed_dict_fn()
        return features, labels

    def feed_fn():
        return holder["feed_fn"]()

    return input_fn, hooks_lib.FeedFnHook(feed_fn)
