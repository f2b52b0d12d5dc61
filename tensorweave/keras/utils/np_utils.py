"""to_categorical, to_ordinal and normalize on NumPy arrays."""
import numpy as np


def _flat_classes(y, num_classes):
    """(the class indices flattened, the shape of the rows they came from (a last axis of 1
    dropped), num_classes or max(y) + 1)."""
    y = np.array(y, dtype="int")
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.ravel()
    if not num_classes:
        num_classes = np.max(y) + 1
    return y, input_shape, num_classes


def to_categorical(y, num_classes=None, dtype="float32"):
    """Class indices -> one-hot rows (num_classes defaults to max(y) + 1)."""
    y, input_shape, num_classes = _flat_classes(y, num_classes)
    n = y.shape[0]
    categorical = np.zeros((n, num_classes), dtype=dtype)
    categorical[np.arange(n), y] = 1
    return np.reshape(categorical, input_shape + (num_classes,))


def to_ordinal(y, num_classes=None, dtype="float32"):
    """Class indices -> ordinal rows: class k has ones in its first k columns."""
    y, input_shape, num_classes = _flat_classes(y, num_classes)
    ordinal = (np.arange(num_classes - 1)[None, :] < y[:, None]).astype(dtype)
    return np.reshape(ordinal, input_shape + (num_classes - 1,))


def normalize(x, axis=-1, order=2):
    """x divided by its `order`-norm along axis (zero norms left as they are)."""
    norms = np.atleast_1d(np.linalg.norm(x, order, axis))
    norms[norms == 0] = 1
    return x / np.expand_dims(norms, axis)
