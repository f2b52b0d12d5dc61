"""tf.IndexedSlices: rows `values[i]` of a tensor of shape `dense_shape` at row `indices[i]`
(the sparse form of a gradient of tf.gather; repeated indices add up).

    delta = tf.IndexedSlices(values=[[1.0, 1.0]], indices=[2], dense_shape=[4, 2])
    v.scatter_add(delta)              # adds to row 2 of v
    tf.convert_to_tensor(delta)       # the dense [4, 2] tensor
"""
import collections

from tensorweave.core.constants import convert_to_tensor

IndexedSlicesValue = collections.namedtuple("IndexedSlicesValue",
                                            ["values", "indices", "dense_shape"])


class IndexedSlices:
    """Rows of a dense tensor: `values` [n, ...], `indices` [n], `dense_shape` (optional)."""

    def __init__(self, values, indices, dense_shape=None):
        self._values = convert_to_tensor(values)
        self._indices = convert_to_tensor(indices)
        self._dense_shape = None if dense_shape is None else convert_to_tensor(dense_shape)

    values = property(lambda self: self._values)
    indices = property(lambda self: self._indices)
    dense_shape = property(lambda self: self._dense_shape)
    dtype = property(lambda self: self._values.dtype)
    op = property(lambda self: self._values.op)
    graph = property(lambda self: self._values.graph)
    name = property(lambda self: self._values.name)
    device = property(lambda self: self._values.device)

    def __neg__(self):
        return IndexedSlices(-self._values, self._indices, self._dense_shape)

    def __repr__(self):
        shape = "" if self._dense_shape is None else f", dense_shape={self._dense_shape!r}"
        return f"IndexedSlices(indices={self._indices!r}, values={self._values!r}{shape})"
