"""CIFAR's binary release, read without unpickling: fixed-size records of label bytes followed
by 3072 pixel bytes (1024 red, 1024 green, 1024 blue, rows of 32)."""
import os

import numpy as np

from tensorweave.core import errors
from tensorweave.keras import backend as K
from tensorweave.keras.datasets import loading

PIXELS = 3 * 32 * 32


def read_records(path, label_bytes):
    """(images uint8 (N, 3, 32, 32), labels uint8 (N, label_bytes)) of one .bin file."""
    with open(path, "rb") as f:
        data = np.frombuffer(f.read(), np.uint8)
    record = label_bytes + PIXELS
    if data.size == 0 or data.size % record:
        raise errors.DataLossError(None, None, f"{path} is truncated or not a CIFAR binary "
                                   f"file ({data.size} bytes is not a multiple of {record})")
    rows = data.reshape(-1, record)
    return rows[:, label_bytes:].reshape(-1, 3, 32, 32), rows[:, :label_bytes]


def fetch_directory(dirname, origin, md5):
    """The extracted directory of a CIFAR binary archive (used as it is when present)."""
    local = loading.cache_path(dirname)
    if os.path.isdir(local):
        return local
    return loading.fetch(dirname, origin, md5, untar=True)


def to_data_format(x):
    """(N, 3, 32, 32) as Keras returns it: transposed to (N, 32, 32, 3) for channels_last."""
    return x.transpose(0, 2, 3, 1) if K.image_data_format() == "channels_last" else x
