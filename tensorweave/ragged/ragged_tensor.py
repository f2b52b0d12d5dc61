"""tf.RaggedTensor: rows of different lengths, as flat values and row partitions.

    rt = tf.RaggedTensor.from_row_splits(values=[3, 1, 4, 1, 5, 9, 2], row_splits=[0, 4, 4, 7])
    sess.run(rt).to_list()          # [[3, 1, 4, 1], [], [5, 9, 2]]
    sess.run(rt.to_tensor())        # [[3, 1, 4, 1], [0, 0, 0, 0], [5, 9, 2, 0]]

A RaggedTensor is `values` (a Tensor, or a RaggedTensor for more ragged dimensions) split into
rows by `row_splits` (int64: row i is values[row_splits[i]:row_splits[i + 1]]). Fetching one
returns a `RaggedTensorValue` of NumPy arrays (runtime/fetch.py, through CompositeTensor).
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.composite_tensor import CompositeTensor
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import control_dependencies, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.core.tensor_shape import TensorShape, as_shape
from tensorweave.ops import array, check_ops, counting_ops, math_ops, scatter_ops, sort_ops

__all__ = ["RaggedTensor", "RaggedTensorValue", "RaggedTensorSpec"]

_MINUS_ONE = np.array([-1], np.int64)  # leading entries of int64 shape vectors
_ONE = np.array([1], np.int64)


def _int64(value, name):
    t = value if isinstance(value, Tensor) else convert_to_tensor(value, dtype=dtypes.int64,
                                                                  name=name)
    if not t.dtype.is_integer:
        raise TypeError(f"{name} must be an integer tensor, got {t.dtype.name}")
    return t if t.dtype is dtypes.int64 else array.cast(t, dtypes.int64)


def _values(value):
    if isinstance(value, (RaggedTensor, Tensor)):
        return value
    if isinstance(value, RaggedTensorValue):
        return RaggedTensor.from_nested_row_splits(value.flat_values, value.nested_row_splits,
                                                   validate=False)
    return convert_to_tensor(value, name="values")


def _nrows_of(values):
    if isinstance(values, RaggedTensor):
        return values.nrows()
    return array.shape(values, out_type=dtypes.int64)[0]


class _NestedRows:
    """What RaggedTensor and RaggedTensorValue read through their nesting: `_values` (another
    ragged value, or the flat values) partitioned by `_row_splits`."""

    @property
    def flat_values(self):
        values = self._values
        while isinstance(values, _NestedRows):
            values = values.values
        return values

    @property
    def nested_row_splits(self):
        splits, values = [self._row_splits], self._values
        while isinstance(values, _NestedRows):
            splits.append(values.row_splits)
            values = values.values
        return tuple(splits)

    @property
    def ragged_rank(self):
        values = self._values
        return values.ragged_rank + 1 if isinstance(values, _NestedRows) else 1


class RaggedTensor(_NestedRows, CompositeTensor):
    """A tensor with ragged (variable-length) dimensions; build it with a `from_*` factory."""

    def __init__(self, values, row_splits, cached_row_lengths=None, cached_value_rowids=None,
                 cached_nrows=None, internal=False):
        if not internal:
            raise ValueError("RaggedTensor constructor is private; please use one of the "
                             "factory methods instead (e.g., RaggedTensor.from_row_lengths())")
        self._values = values
        self._row_splits = row_splits
        self._row_lengths = cached_row_lengths
        self._value_rowids = cached_value_rowids
        self._nrows = cached_nrows

    # --- factories -------------------------------------------------------------------------
    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        """Row i is values[row_splits[i]:row_splits[i + 1]]."""
        with name_scope(name, "RaggedFromRowSplits", [values, row_splits]):
            values = _values(values)
            row_splits = _int64(row_splits, "row_splits")
            row_splits.shape.with_rank(1)
            if validate:
                nvals = _nrows_of(values)
                checks = [
                    check_ops.assert_equal(row_splits[0], np.int64(0),
                                           message="First value of row_splits must be 0."),
                    check_ops.assert_non_negative(row_splits[1:] - row_splits[:-1],
                                                  message="row_splits must be sorted in "
                                                  "ascending order."),
                    check_ops.assert_equal(row_splits[-1], nvals,
                                           message="Last value of row_splits must be the "
                                           "number of values."),
                ]
                with control_dependencies(checks):
                    row_splits = array.identity(row_splits)
            return cls(values, row_splits, internal=True)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        """Row i has row_lengths[i] values."""
        with name_scope(name, "RaggedFromRowLengths", [values, row_lengths]):
            row_lengths = _int64(row_lengths, "row_lengths")
            splits = array.concat([array.zeros([1], dtypes.int64),
                                   counting_ops.cumsum(row_lengths)], 0)
            result = cls.from_row_splits(values, splits, validate=validate)
            result._row_lengths = row_lengths
            return result

    @classmethod
    def from_row_starts(cls, values, row_starts, name=None, validate=True):
        """Row i starts at values[row_starts[i]] (and ends where the next row starts)."""
        with name_scope(name, "RaggedFromRowStarts", [values, row_starts]):
            values = _values(values)
            starts = _int64(row_starts, "row_starts")
            splits = array.concat([starts, array.reshape(_nrows_of(values), [1])], 0)
            return cls.from_row_splits(values, splits, validate=validate)

    @classmethod
    def from_row_limits(cls, values, row_limits, name=None, validate=True):
        """Row i ends before values[row_limits[i]]."""
        with name_scope(name, "RaggedFromRowLimits", [values, row_limits]):
            limits = _int64(row_limits, "row_limits")
            splits = array.concat([array.zeros([1], dtypes.int64), limits], 0)
            return cls.from_row_splits(values, splits, validate=validate)

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True):
        """values[i] is in row value_rowids[i] (sorted); `nrows` rows (default: the last row
        id + 1)."""
        with name_scope(name, "RaggedFromValueRowIds", [values, value_rowids, nrows]):
            values = _values(values)
            rowids = _int64(value_rowids, "value_rowids")
            rowids.shape.with_rank(1)
            if nrows is None:
                count = array.size(rowids, out_type=dtypes.int64)
                last = array.gather(rowids, math_ops.maximum(count - 1, 0))
                nrows = array.where(math_ops.greater(count, 0), last + 1,
                                    array.zeros([], dtypes.int64))
            else:
                nrows = _int64(nrows, "nrows")
            bounds = array.range_(nrows + 1, dtype=dtypes.int64)
            splits = sort_ops.searchsorted(rowids, bounds, side="left", out_type=dtypes.int64)
            if validate:
                checks = [check_ops.assert_non_negative(
                    rowids[1:] - rowids[:-1], message="value_rowids must be sorted in "
                    "ascending order.")]
                with control_dependencies(checks):
                    splits = array.identity(splits)
            result = cls.from_row_splits(values, splits, validate=validate)
            result._value_rowids = rowids
            result._nrows = nrows
            return result

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate=True):
        """A RaggedTensor with one ragged dimension per entry of `nested_row_splits`."""
        if isinstance(nested_row_splits, (Tensor, np.ndarray)):
            raise TypeError("nested_row_splits must be a list of Tensors")
        with name_scope(name, "RaggedFromNestedRowSplits", [flat_values]):
            result = _values(flat_values)
            for splits in reversed(list(nested_row_splits)):
                result = cls.from_row_splits(result, splits, validate=validate)
            return result

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None,
                                validate=True):
        with name_scope(name, "RaggedFromNestedRowlengths", [flat_values]):
            result = _values(flat_values)
            for lengths in reversed(list(nested_row_lengths)):
                result = cls.from_row_lengths(result, lengths, validate=validate)
            return result

    @classmethod
    def from_nested_value_rowids(cls, flat_values, nested_value_rowids, nested_nrows=None,
                                 name=None, validate=True):
        nested_value_rowids = list(nested_value_rowids)
        nested_nrows = [None] * len(nested_value_rowids) if nested_nrows is None \
            else list(nested_nrows)
        if len(nested_nrows) != len(nested_value_rowids):
            raise ValueError("nested_nrows must have the same length as nested_value_rowids")
        with name_scope(name, "RaggedFromNestedValueRowIds", [flat_values]):
            result = _values(flat_values)
            for rowids, nrows in reversed(list(zip(nested_value_rowids, nested_nrows))):
                result = cls.from_value_rowids(result, rowids, nrows, validate=validate)
            return result

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None):
        """The rows of a dense tensor: whole rows, the first lengths[i] values of row i, or
        each row without its trailing `padding` values."""
        if lengths is not None and padding is not None:
            raise ValueError("Specify lengths or padding, but not both")
        if not isinstance(ragged_rank, int) or ragged_rank <= 0:
            raise ValueError(f"ragged_rank must be greater than 0; got {ragged_rank}")
        with name_scope(name, "RaggedFromTensor", [tensor, lengths, padding]):
            tensor = convert_to_tensor(tensor, name="tensor")
            tensor.shape.with_rank_at_least(ragged_rank + 1)
            shape = array.shape(tensor, out_type=dtypes.int64)
            nrows, ncols = shape[0], shape[1]
            if ragged_rank > 1:
                if lengths is not None:
                    raise ValueError("lengths is only supported with ragged_rank=1 in "
                                     "tensorweave")
                inner = array.reshape(tensor, array.concat([_MINUS_ONE, shape[2:]], 0))
                values = cls.from_tensor(inner, padding=padding, ragged_rank=ragged_rank - 1)
                splits = array.range_(0, nrows * ncols + 1, ncols, dtype=dtypes.int64)
                return cls.from_row_splits(values, splits, validate=False)
            flat = array.reshape(tensor, array.concat([_MINUS_ONE, shape[2:]], 0))
            if padding is not None:
                padding = convert_to_tensor(padding, dtype=tensor.dtype, name="padding")
                is_padding = math_ops.equal(tensor, padding)
                if tensor.shape.ndims is None or tensor.shape.ndims > 2:
                    axes = array.range_(2, array.rank(tensor))
                    is_padding = math_ops.reduce_all(is_padding, axis=axes)
                kept = array.cast(math_ops.logical_not(is_padding), dtypes.int64)
                positions = array.range_(1, ncols + 1, dtype=dtypes.int64)
                lengths = math_ops.reduce_max(kept * positions, axis=1)
                lengths = math_ops.maximum(lengths, 0)
            if lengths is None:
                splits = array.range_(0, nrows * ncols + 1, ncols, dtype=dtypes.int64)
                return cls.from_row_splits(flat, splits, validate=False)
            lengths = _int64(lengths, "lengths")
            columns = array.range_(ncols, dtype=dtypes.int64)
            mask = math_ops.less(array.expand_dims(columns, 0), array.expand_dims(lengths, 1))
            kept_values = array.gather(flat, array.reshape(
                array.where(array.reshape(mask, [-1])), [-1]))
            return cls.from_row_lengths(kept_values, lengths, validate=False)

    @classmethod
    def from_sparse(cls, st_input, name=None):
        """The rows of a 2-D SparseTensor (indices in row-major order): row i holds the
        values whose index starts with i."""
        if not isinstance(st_input, SparseTensor):
            raise TypeError(f"Expected SparseTensor, got {type(st_input).__name__}")
        with name_scope(name, "RaggedFromSparse", list(st_input.components())):
            if st_input.indices.shape.as_tuple() is not None and \
                    st_input.indices.shape.as_tuple()[1] not in (None, 2):
                raise ValueError("rank(st_input) must be 2")
            rowids = st_input.indices[:, 0]
            return cls.from_value_rowids(st_input.values, rowids, st_input.dense_shape[0],
                                         validate=False)

    # --- properties ------------------------------------------------------------------------
    values = property(lambda self: self._values, doc="The concatenated rows.")
    row_splits = property(lambda self: self._row_splits, doc="int64: where each row starts.")
    dtype = property(lambda self: self._values.dtype)
    row_splits_dtype = property(lambda self: dtypes.int64)

    @property
    def shape(self):
        """[nrows, None, ...]: the ragged dimensions are None."""
        nrows = self._row_splits.shape.as_tuple()
        nrows = None if nrows is None or nrows[0] is None else nrows[0] - 1
        values_shape = self._values.shape
        if values_shape.ndims is None:
            return TensorShape(None)
        return TensorShape([nrows, None]).concatenate(values_shape[1:])

    def get_shape(self):
        return self.shape

    @property
    def graph(self):
        return self._row_splits.graph

    def components(self):
        return [self.flat_values] + list(self.nested_row_splits)

    def value_from_components(self, flat_values, *nested_row_splits):
        result = flat_values
        for splits in reversed(nested_row_splits):
            result = RaggedTensorValue(result, splits)
        return result

    def feed_items(self, value):
        if isinstance(value, RaggedTensorValue):
            parts = [value.flat_values] + list(value.nested_row_splits)
        else:
            raise TypeError(f"The value of a RaggedTensor feed must be a RaggedTensorValue, "
                            f"got {value!r}")
        if len(parts) != len(self.components()):
            raise ValueError(f"Fed a RaggedTensorValue of ragged_rank {len(parts) - 1} for a "
                             f"RaggedTensor of ragged_rank {self.ragged_rank}")
        return list(zip(self.components(), parts))

    # --- row partitions --------------------------------------------------------------------
    def nrows(self, out_type=dtypes.int64, name=None):
        """The number of rows (a scalar)."""
        if self._nrows is not None and out_type == dtypes.int64:
            return self._nrows
        with name_scope(name, "RaggedNRows", [self._row_splits]):
            rows = array.shape(self._row_splits, out_type=out_type)[0] - 1
            return rows

    def row_starts(self, name=None):
        with name_scope(name, "RaggedRowStarts", [self._row_splits]):
            return self._row_splits[:-1]

    def row_limits(self, name=None):
        with name_scope(name, "RaggedRowLimits", [self._row_splits]):
            return self._row_splits[1:]

    def row_lengths(self, axis=1, name=None):
        """The length of each row (axis 1) or, for deeper axes, a RaggedTensor of them."""
        if axis == 0:
            return self.nrows()
        if axis == 1:
            if self._row_lengths is not None:
                return self._row_lengths
            with name_scope(name, "RaggedRowLengths", [self._row_splits]):
                return self._row_splits[1:] - self._row_splits[:-1]
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.row_lengths(axis - 1))
        shape = array.shape(self._values, out_type=dtypes.int64)
        return self.with_values(array.fill(shape[:axis - 1], shape[axis - 1]))

    def nested_row_lengths(self, name=None):
        result, rt = [], self
        while isinstance(rt, RaggedTensor):
            result.append(rt.row_lengths())
            rt = rt.values
        return tuple(result)

    def value_rowids(self, name=None):
        """The row of each value (int64, sorted)."""
        if self._value_rowids is not None:
            return self._value_rowids
        with name_scope(name, "RaggedValueRowIds", [self._row_splits]):
            return segment_ids_from_splits(self._row_splits)

    def nested_value_rowids(self, name=None):
        result, rt = [], self
        while isinstance(rt, RaggedTensor):
            result.append(rt.value_rowids())
            rt = rt.values
        return tuple(result)

    def bounding_shape(self, axis=None, name=None):
        """The smallest dense shape holding every row (int64 vector)."""
        with name_scope(name, "RaggedBoundingBox", [self._row_splits]):
            lengths = self.row_lengths()
            width = math_ops.maximum(math_ops.reduce_max(
                array.concat([lengths, array.zeros([1], dtypes.int64)], 0)), 0)
            if isinstance(self._values, RaggedTensor):
                inner = self._values.bounding_shape()[1:]
            else:
                inner = array.shape(self._values, out_type=dtypes.int64)[1:]
            shape = array.concat([array.reshape(self.nrows(), [1]),
                                  array.reshape(width, [1]), inner], 0)
            return shape if axis is None else array.gather(shape, axis)

    # --- values ----------------------------------------------------------------------------
    def with_values(self, new_values):
        """This row partition over `new_values` (as many rows as `values`)."""
        new_values = _values(new_values)
        return RaggedTensor(new_values, self._row_splits, self._row_lengths,
                            self._value_rowids, self._nrows, internal=True)

    def with_flat_values(self, new_values):
        """This ragged structure over `new_values` (as many rows as `flat_values`)."""
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(new_values)

    def to_tensor(self, default_value=None, name=None):
        """A dense tensor: rows padded with `default_value` (zero, or b"") to the longest."""
        with name_scope(name, "RaggedToTensor", [self._row_splits]):
            values = self._values
            if isinstance(values, RaggedTensor):
                values = values.to_tensor(default_value)
            lengths = self.row_lengths()
            nrows = self.nrows()
            width = math_ops.reduce_max(array.concat([lengths,
                                                      array.zeros([1], dtypes.int64)], 0))
            columns = array.range_(width, dtype=dtypes.int64)
            mask = math_ops.less(array.expand_dims(columns, 0), array.expand_dims(lengths, 1))
            starts = array.expand_dims(self._row_splits[:-1], 1)
            nvals = array.shape(values, out_type=dtypes.int64)[0]
            positions = array.where(mask, starts + array.expand_dims(columns, 0),
                                    array.fill(array.shape(mask), nvals))
            if default_value is None:
                default_value = b"" if values.dtype is dtypes.string else \
                    np.zeros((), values.dtype.as_numpy_dtype)
            default_value = convert_to_tensor(default_value, dtype=values.dtype,
                                              name="default_value")
            inner = array.shape(values, out_type=dtypes.int64)[1:]
            padding = array.broadcast_to(default_value, array.concat([_ONE, inner], 0))
            safe = array.concat([values, padding], 0)
            return array.gather(safe, positions)

    def to_sparse(self, name=None):
        """A SparseTensor of every value, in row-major order, shaped bounding_shape()."""
        with name_scope(name, "RaggedToSparse", [self._row_splits]):
            rowids = self.value_rowids()
            columns = array.range_(array.size(rowids, out_type=dtypes.int64),
                                   dtype=dtypes.int64) - array.gather(self._row_splits, rowids)
            if isinstance(self._values, RaggedTensor):
                inner = self._values.to_sparse()
                inner_indices, values = inner.indices, inner.values
            else:
                values = self._values
                inner_indices = array.where(array.ones_like(values, dtype=dtypes.bool))
                values = scatter_ops.gather_nd(values, inner_indices)
            position = inner_indices[:, 0]
            indices = array.concat([
                array.expand_dims(array.gather(rowids, position), 1),
                array.expand_dims(array.gather(columns, position), 1),
                inner_indices[:, 1:]], 1)
            return SparseTensor(indices, values, self.bounding_shape())

    def to_list(self):
        raise ValueError("RaggedTensor.to_list() is only available in eager mode; run the "
                         "tensor in a Session and call to_list() on the RaggedTensorValue")

    def consumers(self):
        return self.flat_values.consumers()

    def __repr__(self):
        return f"tf.RaggedTensor(values={self._values!r}, row_splits={self._row_splits!r})"

    def __bool__(self):
        raise TypeError("Using a `tf.RaggedTensor` as a Python `bool` is not allowed.")


def segment_ids_from_splits(splits):
    """The row of each value given int64 row splits (repeat(range(nrows), row_lengths))."""
    nvals = splits[-1]
    positions = array.range_(nvals, dtype=dtypes.int64)
    return sort_ops.searchsorted(splits[1:], positions, side="right", out_type=dtypes.int64)


class RaggedTensorValue(_NestedRows):
    """The value of a fetched RaggedTensor: NumPy `values` (or a nested RaggedTensorValue) and
    int64 `row_splits`."""

    def __init__(self, values, row_splits):
        self._values = values
        self._row_splits = np.asarray(row_splits)

    values = property(lambda self: self._values)
    row_splits = property(lambda self: self._row_splits)

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def shape(self):
        return (self._row_splits.shape[0] - 1, None) + tuple(self._values.shape[1:])

    @property
    def row_splits_dtype(self):
        return self._row_splits.dtype

    def to_list(self):
        """Nested Python lists of the rows."""
        if isinstance(self._values, RaggedTensorValue):
            values = self._values.to_list()
        else:
            values = self._values.tolist()
        splits = self._row_splits.tolist()
        return [values[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]

    def __repr__(self):
        return (f"tf.RaggedTensorValue(values={self._values!r}, "
                f"row_splits={self._row_splits!r})")

    def __str__(self):
        return f"<tf.RaggedTensorValue {self.to_list()}>"


class RaggedTensorSpec:
    """The type of a RaggedTensor: shape, dtype, ragged_rank and row-splits dtype."""

    def __init__(self, shape=None, dtype=dtypes.float32, ragged_rank=None,
                 row_splits_dtype=dtypes.int64):
        self._shape = as_shape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
        rank = self._shape.ndims
        if ragged_rank is None:
            if rank is None:
                raise ValueError("Must specify ragged_rank or a shape with a known rank.")
            ragged_rank = rank - 1
        if not isinstance(ragged_rank, int):
            raise TypeError("ragged_rank must be an int")
        if rank is not None and (ragged_rank >= rank or ragged_rank < 0):
            raise ValueError(f"ragged_rank must be non-negative and less than rank ({rank}), "
                             f"got {ragged_rank}")
        self._ragged_rank = ragged_rank

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    ragged_rank = property(lambda self: self._ragged_rank)
    row_splits_dtype = property(lambda self: self._row_splits_dtype)
    value_type = property(lambda self: RaggedTensor)

    @classmethod
    def from_value(cls, value):
        return cls(shape=value.shape, dtype=value.dtype, ragged_rank=value.ragged_rank,
                   row_splits_dtype=value.row_splits_dtype)

    def is_compatible_with(self, spec_or_value):
        other = spec_or_value if isinstance(spec_or_value, RaggedTensorSpec) else \
            RaggedTensorSpec.from_value(spec_or_value)
        return (self._dtype == other.dtype and self._ragged_rank == other.ragged_rank and
                self._shape.is_compatible_with(other.shape))

    def __eq__(self, other):
        return (isinstance(other, RaggedTensorSpec) and self._dtype == other.dtype and
                self._ragged_rank == other.ragged_rank and
                self._shape.as_tuple() == other.shape.as_tuple() and
                self._row_splits_dtype == other.row_splits_dtype)

    def __hash__(self):
        return hash((self._dtype, self._ragged_rank, self._shape.as_tuple()))

    def __repr__(self):
        dims = self._shape.as_list() if self._shape.ndims is not None else None
        return (f"RaggedTensorSpec(TensorShape({dims}), {self._dtype!r}, {self._ragged_rank}, "
                f"{self._row_splits_dtype!r})")


def is_ragged(value):
    """True for a RaggedTensor or a RaggedTensorValue."""
    return isinstance(value, (RaggedTensor, RaggedTensorValue))


def static_nrows(rt):
    """The number of rows when known while building, else None."""
    value = constant_value(rt.nrows())
    return None if value is None else int(value)
