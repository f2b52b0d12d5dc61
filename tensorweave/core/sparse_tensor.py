"""tf.SparseTensor: a sparse value as three tensors (indices, values, dense_shape).

    st = tf.SparseTensor(indices=[[0, 1], [2, 3]], values=[1.0, 2.0], dense_shape=[3, 4])
    sess.run(st)  # SparseTensorValue(indices=array(...), values=array(...), dense_shape=...)

A SparseTensor is not a Tensor: ops that take one accept it explicitly. Fetching one returns a
`SparseTensorValue`; a SparseTensor of placeholders (tf.sparse_placeholder) is fed with a
SparseTensorValue or an (indices, values, dense_shape) tuple.
"""
import collections

import numpy as np

from tensorweave.core import context, dtypes
from tensorweave.core.constants import (constant_value, convert_to_tensor,
                                        register_tensor_conversion_function)
from tensorweave.core.graph import name_scope
from tensorweave.core.tensor_shape import TensorShape, unknown_shape

SparseTensorValue = collections.namedtuple("SparseTensorValue",
                                           ["indices", "values", "dense_shape"])


class SparseTensor:
    """A sparse tensor: `values[i]` sits at `indices[i]` in a tensor of shape `dense_shape`."""

    def __init__(self, indices, values, dense_shape):
        with name_scope(None, "SparseTensor", [indices, values, dense_shape]):
            self._indices = convert_to_tensor(indices, dtype=dtypes.int64, name="indices")
            self._values = convert_to_tensor(values, name="values")
            self._dense_shape = convert_to_tensor(dense_shape, dtype=dtypes.int64,
                                                  name="dense_shape")
        self._indices.shape.with_rank(2)
        self._values.shape.with_rank(1)
        self._dense_shape.shape.with_rank(1)

    @classmethod
    def from_value(cls, value):
        """A SparseTensor for a SparseTensor or a SparseTensorValue."""
        if isinstance(value, SparseTensor):
            return value
        return cls(value.indices, value.values, value.dense_shape)

    indices = property(lambda self: self._indices, doc="int64 [N, rank]: where the values sit.")
    values = property(lambda self: self._values, doc="[N]: the values.")
    dense_shape = property(lambda self: self._dense_shape, doc="int64 [rank]: the shape.")
    dtype = property(lambda self: self._values.dtype)
    op = property(lambda self: self._values.op)
    graph = property(lambda self: self._values.graph)

    @property
    def shape(self):
        """The static dense shape: known where `dense_shape` is a constant."""
        known = constant_value(self._dense_shape)
        if known is not None:
            return TensorShape([int(d) for d in np.asarray(known).ravel()])
        rank = self._dense_shape.shape.as_tuple()
        return unknown_shape() if rank is None or rank[0] is None else TensorShape(
            [None] * rank[0])

    def get_shape(self):
        return self.shape

    def components(self):
        """The three tensors, in SparseTensorValue's order."""
        return (self._indices, self._values, self._dense_shape)

    def eval(self, feed_dict=None, session=None):
        """Runs this sparse tensor in `session` (default: the default session)."""
        return context.session_for(self.graph, session).run(self, feed_dict)

    def __repr__(self):
        return (f"SparseTensor(indices={self._indices!r}, values={self._values!r}, "
                f"dense_shape={self._dense_shape!r})")

    def __bool__(self):
        raise TypeError("Using a `tf.SparseTensor` as a Python `bool` is not allowed.")


def _refuse_conversion(value, dtype=None, name=None):
    raise TypeError(f"Failed to convert elements of {value!r} to Tensor. Consider casting "
                    f"elements to a supported type.")


register_tensor_conversion_function(SparseTensor, _refuse_conversion)
register_tensor_conversion_function(SparseTensorValue, _refuse_conversion)


def is_sparse(value):
    """True for a SparseTensor or a SparseTensorValue."""
    return isinstance(value, (SparseTensor, SparseTensorValue))


def sparse_feed_items(key, value):
    """The (placeholder, value) feed pairs for feeding SparseTensor `key` with `value` (a
    SparseTensorValue or an (indices, values, dense_shape) tuple)."""
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        raise TypeError(f"The value of a SparseTensor feed must be a SparseTensorValue or a "
                        f"tuple (indices, values, dense_shape), got {value!r}")
    return list(zip(key.components(), value))
