"""tf.keras.utils.HDF5Matrix: a dataset of an HDF5 file used like a NumPy array (h5py)."""
import collections

import numpy as np


class HDF5Matrix:
    """Rows [start, end) of `dataset` in the HDF5 file `datapath`, read on indexing and passed
    through `normalizer` when given. Files are opened read-only and kept open per path.

        x_train = HDF5Matrix("data.h5", "images", end=50000)
        model.fit(x_train, y_train, shuffle="batch")
    """

    refs = collections.defaultdict(int)

    def __init__(self, datapath, dataset, start=0, end=None, normalizer=None):
        try:
            import h5py
        except ImportError:
            raise ImportError("The use of HDF5Matrix requires HDF5 and h5py installed.") \
                from None
        if datapath not in list(self.refs.keys()):
            self.refs[datapath] = h5py.File(datapath, "r")
        self.data = self.refs[datapath][dataset]
        self.start = start
        self.end = self.data.shape[0] if end is None else end
        self.normalizer = normalizer

    def __len__(self):
        return self.end - self.start

    def __getitem__(self, key):
        if isinstance(key, slice):
            start = 0 if key.start is None else key.start
            stop = self.shape[0] if key.stop is None else key.stop
            if stop + self.start > self.end:
                raise IndexError
            idx = slice(start + self.start, stop + self.start)
        elif isinstance(key, (int, np.integer)):
            if key + self.start >= self.end:
                raise IndexError
            idx = int(key) + self.start
        elif isinstance(key, np.ndarray):
            if np.max(key) + self.start >= self.end:
                raise IndexError
            idx = (self.start + key).tolist()
        elif isinstance(key, list):
            if max(key) + self.start >= self.end:
                raise IndexError
            idx = [x + self.start for x in key]
        else:
            raise IndexError
        values = self.data[idx]
        return self.normalizer(values) if self.normalizer is not None else values

    @property
    def shape(self):
        return (self.end - self.start,) + self.data.shape[1:]

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return int(np.prod(self.shape))
