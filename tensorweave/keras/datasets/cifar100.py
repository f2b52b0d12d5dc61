"""tf.keras.datasets.cifar100: 50,000 training and 10,000 test 32x32 colour images, 100 fine
classes in 20 coarse ones.

Read from CIFAR's binary release (cifar-100-binary.tar.gz, md5-checked; records hold the
coarse then the fine label) into the arrays TF's loader makes from the pickled release: uint8
images (N, 32, 32, 3) and int64 labels (N, 1).
"""
import os

import numpy as np

from tensorweave.keras.datasets import cifar

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"
FILE_HASH = "03b5dce01913d631647c71ecec9e9cb8"  # md5 published with the archive
DIRNAME = "cifar-100-binary"


def load_data(label_mode="fine"):
    """`(x_train, y_train), (x_test, y_test)` with the 'fine' or 'coarse' labels."""
    if label_mode not in ["fine", "coarse"]:
        raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`.')
    path = cifar.fetch_directory(DIRNAME, ORIGIN, FILE_HASH)
    column = 1 if label_mode == "fine" else 0
    result = []
    for name in ("train.bin", "test.bin"):
        x, labels = cifar.read_records(os.path.join(path, name), 2)
        y = labels[:, column:column + 1].astype(np.int64)  # TF's labels come from a list
        result.append((cifar.to_data_format(x), y))
    return tuple(result)
