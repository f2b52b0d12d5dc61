"""What the dataset loaders share: fetching a file into the cache with a clear error when that
is impossible, reading IDX files, and the word-sequence processing of imdb and reuters."""
import gzip
import os

import numpy as np

from tensorweave.core import errors
from tensorweave.keras.utils import data_utils

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


class DatasetUnavailableError(Exception):
    """A dataset file is neither in the cache nor downloadable (no network, or a bad copy)."""


def cache_path(fname, cache_subdir="datasets"):
    """Where get_file keeps `fname` (an absolute `fname` is used as it is, as in Keras)."""
    return os.path.join(os.path.expanduser(os.path.join("~", ".keras")), cache_subdir, fname)


def fetch(fname, origin, file_hash=None, cache_subdir="datasets", untar=False):
    """The local path of a dataset file: the cached copy (hash-checked) or a fresh download."""
    try:
        return data_utils.get_file(fname, origin=origin, file_hash=file_hash,
                                   cache_subdir=cache_subdir, untar=untar)
    except ValueError:
        raise
    except errors.OpError:
        raise
    except Exception as e:  # get_file's fetch failure
        local = cache_path(fname + (".tar.gz" if untar else ""), cache_subdir)
        why = ("the copy there does not match the expected hash " + str(file_hash)
               if os.path.exists(local) else "there is no copy there")
        raise DatasetUnavailableError(
            f"Cannot load {os.path.basename(local)}: {why}, and downloading it from {origin} "
            f"failed ({e}). Save that file as {local} (from a machine with network access) "
            f"and call again.") from None


def _open(path):
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4",
              0x0E: ">f8"}


def read_idx(path):
    """The array in an IDX file (MNIST's format), gzipped or not."""
    try:
        with _open(path) as f:
            data = f.read()
    except (OSError, EOFError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise errors.DataLossError(None, None, f"Cannot read {path}: {e}") from None
    if len(data) < 4 or data[0] or data[1] or data[2] not in _IDX_TYPES:
        raise errors.DataLossError(None, None, f"{path} is not an IDX file (bad magic number)")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    dtype = np.dtype(_IDX_TYPES[data[2]])
    offset = 4 + 4 * ndim
    if len(data) != offset + int(np.prod(dims, dtype=np.int64)) * dtype.itemsize:
        raise errors.DataLossError(None, None, f"{path} is truncated or corrupt: its header "
                                   f"says shape {tuple(dims)}")
    return np.frombuffer(data, dtype, offset=offset).reshape(dims).astype(dtype.newbyteorder("="))


def remove_long_seq(maxlen, seq, label):
    """The sequences shorter than `maxlen` and their labels."""
    kept = [(x, y) for x, y in zip(seq, label) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def shuffled(seed, *arrays):
    """`arrays` reordered by the permutation np.random.seed(seed); np.random.shuffle gives (the
    same numbers as Keras, without touching NumPy's global generator)."""
    indices = np.arange(len(arrays[0]))
    np.random.RandomState(seed).shuffle(indices)
    return [a[indices] for a in arrays]


def index_words(xs, start_char, index_from):
    """Word indices shifted by `index_from`, each sequence led by `start_char` (imdb, reuters)."""
    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]
    return xs


def limit_words(xs, num_words, skip_top, oov_char):
    """Words outside [skip_top, num_words) replaced by `oov_char` (dropped when it is None)."""
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def sequence_array(lists):
    """np.array(lists) as Keras 2.2 made it: a 1-D object array of lists when their lengths
    differ, a 2-D integer array when they are all equal."""
    if len({len(x) for x in lists}) <= 1:
        return np.array(lists)
    array = np.empty(len(lists), dtype=object)
    array[:] = lists
    return array
