"""Lookup tables (TF 1.15's lookup_ops): tf.lookup, tf.contrib.lookup and the index tables.

    table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(["a", "b"], [0, 1], value_dtype=tf.int64), -1)
    ids = table.lookup(tf.constant(["b", "c"]))      # [1, -1] once tables_initializer() ran

A table's entries live in the Session (ops/lookup_ops.py). An initializer adds its op to the
graph's TABLE_INITIALIZERS collection, which `tf.tables_initializer()` runs. Out-of-vocabulary
buckets hash keys with FarmHash Fingerprint64 (of their text for integer keys), as TensorFlow.
A MutableHashTable is saved by tf.train.Saver under the keys `<name>-keys` and `<name>-values`.
"""
import collections

from tensorweave.core import dtypes
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import GraphKeys, add_to_collection, colocate_with, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array, math_ops
from tensorweave.ops import lookup_ops as table_ops
from tensorweave.ops import string_convert_ops
from tensorweave.train.saveable_object import SaveableObject, SaveSpec
# TF's lookup_ops.py defines tables_initializer too: `lookup_ops.tables_initializer()`
from tensorweave.variables import tables_initializer  # noqa: F401

__all__ = [
    "LookupInterface", "InitializableLookupTableBase", "StaticHashTable", "HashTable",
    "StaticVocabularyTable", "IdTableWithHashBuckets", "MutableHashTable",
    "MutableDenseHashTable", "TableInitializerBase", "KeyValueTensorInitializer",
    "TextFileInitializer", "TextFileIndex", "TextFileIdTableInitializer",
    "TextFileStringTableInitializer", "HasherSpec", "FastHashSpec", "StrongHashSpec",
    "index_table_from_file", "index_table_from_tensor", "index_to_string_table_from_file",
    "index_to_string_table_from_tensor", "string_to_index", "index_to_string",
    "string_to_index_table_from_file", "string_to_index_table_from_tensor",
]


class TextFileIndex:
    """Which part of a line a TextFileInitializer reads as key or value."""
    WHOLE_LINE = table_ops.WHOLE_LINE
    LINE_NUMBER = table_ops.LINE_NUMBER


def _with_values(keys, values):
    """`values` in the structure of `keys` (a SparseTensor or a RaggedTensor keeps its
    positions), or `values` itself for a dense tensor."""
    if isinstance(keys, SparseTensor):
        return SparseTensor(keys.indices, values, keys.dense_shape)
    if hasattr(keys, "with_flat_values"):
        return keys.with_flat_values(values)
    return values


def _key_values(keys):
    if isinstance(keys, SparseTensor):
        return keys.values
    if hasattr(keys, "flat_values"):
        return keys.flat_values
    return keys


def _as_keys(keys):
    if isinstance(keys, (SparseTensor, Tensor)) or hasattr(keys, "flat_values"):
        return keys
    return convert_to_tensor(keys)


# --- tables ----------------------------------------------------------------------------------
class LookupInterface:
    """What every table offers: its key and value dtypes, `lookup` and `size`."""

    def __init__(self, key_dtype, value_dtype):
        self._key_dtype = dtypes.as_dtype(key_dtype)
        self._value_dtype = dtypes.as_dtype(value_dtype)

    key_dtype = property(lambda self: self._key_dtype)
    value_dtype = property(lambda self: self._value_dtype)

    @property
    def name(self):
        return self._name

    def size(self, name=None):
        raise NotImplementedError

    def lookup(self, keys, name=None):
        raise NotImplementedError

    def _check_keys(self, keys):
        if keys.dtype.base_dtype != self._key_dtype:
            raise TypeError(f"Signature mismatch. Keys must be dtype {self._key_dtype}, got "
                            f"{keys.dtype}.")


class InitializableLookupTableBase(LookupInterface):
    """A table filled once by its initializer and read-only after that."""

    def __init__(self, default_value, initializer):
        super().__init__(initializer.key_dtype, initializer.value_dtype)
        self._initializer = initializer
        self._default_value = convert_to_tensor(default_value, dtype=self._value_dtype)
        self._default_value.shape.merge_with(TensorShape([]))
        self._resource_handle = self._create_resource()
        self._init_op = initializer.initialize(self)

    def _create_resource(self):
        raise NotImplementedError

    resource_handle = property(lambda self: self._resource_handle)
    table_ref = resource_handle
    default_value = property(lambda self: self._default_value)
    initializer = property(lambda self: self._init_op)
    init = initializer

    @property
    def name(self):
        return self._resource_handle.op.name.split("/")[-1]

    def size(self, name=None):
        """The number of entries (an int64 scalar)."""
        with name_scope(name, f"{self.name}_Size", [self._resource_handle]) as scope:
            return table_ops.size(self._resource_handle, name=scope)

    def lookup(self, keys, name=None):
        """The values of `keys` (a Tensor, SparseTensor or RaggedTensor), `default_value`
        for keys not in the table; FailedPreconditionError when run before initialization."""
        keys = _as_keys(keys)
        self._check_keys(keys)
        values = _key_values(keys)
        with name_scope(name, f"{self.name}_Lookup",
                        [self._resource_handle, values, self._default_value]):
            found = table_ops.find(self._resource_handle, values, self._default_value)
        return _with_values(keys, found)


class StaticHashTable(InitializableLookupTableBase):
    """A read-only hash table filled by `initializer` (tf.lookup.StaticHashTable)."""

    def __init__(self, initializer, default_value, name=None):
        self._name = name or "hash_table"
        super().__init__(default_value, initializer)

    def _create_resource(self):
        return table_ops.table_op("HashTableV2", self._name,
                                  key_dtype=self._initializer.key_dtype,
                                  value_dtype=self._initializer.value_dtype)

    def export(self, name=None):
        """(keys, values) of every entry."""
        with name_scope(name, f"{self.name}_Export", [self._resource_handle]):
            return tuple(table_ops.export(self._resource_handle, self._key_dtype,
                                          self._value_dtype))


class HashTable(StaticHashTable):
    """TF 1.x's name of StaticHashTable (tf.contrib.lookup.HashTable); `init` is its
    initializer op."""

    def __init__(self, initializer, default_value, shared_name=None, name=None):
        super().__init__(initializer, default_value, name=name)


# --- hashing out-of-vocabulary keys ----------------------------------------------------------
HasherSpec = collections.namedtuple("HasherSpec", ["hasher", "key"])
FastHashSpec = HasherSpec("fasthash", None)


class StrongHashSpec(HasherSpec):
    """Keyed SipHash-2-4 buckets (tf.strings.to_hash_bucket_strong); key: two integers."""
    __slots__ = ()

    def __new__(cls, key):
        if len(key) != 2:
            raise ValueError(f"key must have size 2, got {len(key)}.")
        if not isinstance(key[0], int) or not isinstance(key[1], int):
            raise TypeError(f"Invalid key {key}. Must be unsigned integer values.")
        return super().__new__(cls, "stronghash", key)


def _as_string(tensor):
    if tensor.dtype is dtypes.string:
        return tensor
    return string_convert_ops.as_string(tensor)


def _hash_buckets(hasher_spec, keys, num_buckets):
    if not isinstance(hasher_spec, HasherSpec):
        raise TypeError(f"hasher_spec must be of type HasherSpec, got {hasher_spec}")
    text = _as_string(keys)
    if hasher_spec.hasher == "fasthash":
        return string_convert_ops.string_to_hash_bucket_fast(text, num_buckets,
                                                             name="hash_bucket")
    if hasher_spec.hasher == "stronghash":
        return string_convert_ops.string_to_hash_bucket_strong(
            text, num_buckets, key=hasher_spec.key, name="hash_bucket")
    raise ValueError(f"Unknown hasher {hasher_spec.hasher}")


class IdTableWithHashBuckets(LookupInterface):
    """Ids from `table` (int64 values), and for keys it lacks one of `num_oov_buckets` hash
    buckets after its entries (tf.contrib.lookup.IdTableWithHashBuckets)."""

    def __init__(self, table, num_oov_buckets, hasher_spec=FastHashSpec, name=None,
                 key_dtype=None):
        if table is None and key_dtype is None:
            key_dtype = dtypes.string
        self._table_initializer = None
        if table is not None:
            table_key_dtype = table.key_dtype
            if key_dtype is not None and table_key_dtype != key_dtype and not (
                    table_key_dtype is dtypes.int64 and dtypes.as_dtype(key_dtype).is_integer):
                raise TypeError(f"Invalid key dtype, expected one of {table_key_dtype}, but "
                                f"got {key_dtype}.")
            if not table.value_dtype.is_integer:
                raise TypeError(f"Invalid value dtype, expected an integer dtype, got "
                                f"{table.value_dtype}.")
            self._table_initializer = getattr(table, "initializer", None)
            key_dtype = key_dtype or table_key_dtype
        key_dtype = dtypes.as_dtype(key_dtype)
        if not key_dtype.is_integer and key_dtype is not dtypes.string:
            raise TypeError(f"Invalid key_dtype, expected integer or string, got {key_dtype}.")
        if num_oov_buckets < 0:
            raise ValueError(f"oov_buckets must be >= 0, got {num_oov_buckets}.")
        if not isinstance(hasher_spec, HasherSpec):
            raise TypeError(f"hasher_spec must be of type HasherSpec, got {hasher_spec}")
        self._table = table
        self._num_oov_buckets = num_oov_buckets
        self._hasher_spec = hasher_spec
        self._name = name or (table.name if table is not None else "hash_bucket")
        super().__init__(key_dtype, dtypes.int64)

    initializer = property(lambda self: self._table_initializer)
    init = initializer

    @property
    def resource_handle(self):
        return self._table.resource_handle if self._table is not None else None

    def size(self, name=None):
        """The table's entries plus the buckets."""
        with name_scope(name, f"{self.name}_Size"):
            if self._table is None:
                return array.cast(self._num_oov_buckets, dtypes.int64)
            return math_ops.add(self._table.size(), self._num_oov_buckets)

    def _check_keys(self, keys):
        if keys.dtype.base_dtype != self._key_dtype and not (
                self._key_dtype.is_integer and keys.dtype.is_integer):
            raise TypeError(f"Signature mismatch. Keys must be dtype {self._key_dtype}, got "
                            f"{keys.dtype}.")

    def lookup(self, keys, name=None):
        """Each key's id: its table value, else its hash bucket after the table's entries."""
        keys = _as_keys(keys)
        self._check_keys(keys)
        values = _key_values(keys)
        if self._table is not None and self._table.key_dtype is dtypes.int64 \
                and values.dtype is not dtypes.int64:
            values = array.cast(values, dtypes.int64)
        if self._num_oov_buckets == 0:
            return _with_values(keys, self._table.lookup(values, name=name))
        with name_scope(name, f"{self.name}_Lookup"):
            buckets = _hash_buckets(self._hasher_spec, values, self._num_oov_buckets)
            if self._table is not None:
                ids = self._table.lookup(values)
                buckets = math_ops.add(buckets, self._table.size())
                found = math_ops.not_equal(ids, self._table.default_value)
                ids = array.where(found, ids, buckets)
            else:
                ids = buckets
        return _with_values(keys, ids)


class StaticVocabularyTable(IdTableWithHashBuckets):
    """Ids from a vocabulary table; other keys go to one of `num_oov_buckets` (> 0) hash
    buckets after it (tf.lookup.StaticVocabularyTable)."""

    def __init__(self, initializer, num_oov_buckets, lookup_key_dtype=None, name=None):
        if num_oov_buckets <= 0:
            raise ValueError("oov_buckets must be > 0.")
        table = None
        if initializer is not None:
            if initializer.key_dtype not in (dtypes.int64, dtypes.string):
                raise TypeError(f"Invalid key dtype, expected one of (int64, string), but got "
                                f"{initializer.key_dtype}.")
            if not initializer.value_dtype.is_integer:
                raise TypeError(f"Invalid value dtype, expected an integer dtype, got "
                                f"{initializer.value_dtype}.")
            table = StaticHashTable(initializer, -1)
            if lookup_key_dtype is None:
                lookup_key_dtype = initializer.key_dtype
        super().__init__(table, num_oov_buckets, name=name, key_dtype=lookup_key_dtype)


# --- mutable tables --------------------------------------------------------------------------
class _TableSaveable(SaveableObject):
    """A mutable table's entries in a checkpoint: `<name>-keys` and `<name>-values`."""

    def __init__(self, table, name):
        keys, values = table.export()
        super().__init__(table, [SaveSpec(keys, "", name + "-keys"),
                                 SaveSpec(values, "", name + "-values")], name)

    def restore(self, restored_tensors, restored_shapes):
        with name_scope(f"{self.name}_table_restore"):
            with colocate_with(self.op.resource_handle.op):
                return table_ops.import_values(self.op.resource_handle, *restored_tensors)


class MutableHashTable(LookupInterface):
    """A table whose entries `insert` adds and `remove` deletes; missing keys give
    `default_value`, whose shape is the values' shape (tf.contrib.lookup.MutableHashTable)."""

    def __init__(self, key_dtype, value_dtype, default_value, name="MutableHashTable",
                 checkpoint=True):
        super().__init__(key_dtype, value_dtype)
        self._default_value = convert_to_tensor(default_value, dtype=self._value_dtype)
        self._value_shape = self._default_value.shape
        self._checkpoint = checkpoint
        self._name = name
        self._resource_handle = self._create_resource()
        if checkpoint:
            add_to_collection(GraphKeys.SAVEABLE_OBJECTS, _TableSaveable(self, name))

    def _create_resource(self):
        op_type = ("MutableHashTableV2" if self._value_shape.ndims == 0
                   else "MutableHashTableOfTensorsV2")
        attrs = {} if op_type == "MutableHashTableV2" else {"value_shape": self._value_shape}
        return table_ops.table_op(op_type, self._name, use_node_name_sharing=self._checkpoint,
                                  key_dtype=self._key_dtype, value_dtype=self._value_dtype,
                                  **attrs)

    resource_handle = property(lambda self: self._resource_handle)
    table_ref = resource_handle
    default_value = property(lambda self: self._default_value)

    @property
    def name(self):
        return self._resource_handle.op.name.split("/")[-1]

    def size(self, name=None):
        with name_scope(name, f"{self.name}_Size", [self._resource_handle]):
            return table_ops.size(self._resource_handle)

    def _converted(self, keys, values=None):
        keys = convert_to_tensor(keys, dtype=self._key_dtype, name="keys")
        if values is None:
            return keys
        return keys, convert_to_tensor(values, dtype=self._value_dtype, name="values")

    def lookup(self, keys, name=None):
        """The value of each key, `default_value` for missing ones."""
        keys = _as_keys(keys)
        self._check_keys(keys)
        values = _key_values(keys)
        with name_scope(name, f"{self.name}_lookup_table_find",
                        [self._resource_handle, values, self._default_value]):
            found = table_ops.find(self._resource_handle, values, self._default_value)
        return _with_values(keys, found)

    def insert(self, keys, values, name=None):
        """An op adding (or replacing) the entries keys[i] -> values[i]."""
        with name_scope(name, f"{self.name}_lookup_table_insert",
                        [self._resource_handle, keys, values]):
            keys, values = self._converted(keys, values)
            return table_ops.insert(self._resource_handle, keys, values)

    def remove(self, keys, name=None):
        """An op deleting the entries of `keys` (missing keys are ignored)."""
        if isinstance(keys, Tensor):
            self._check_keys(keys)
        with name_scope(name, f"{self.name}_lookup_table_remove",
                        [self._resource_handle, keys]):
            return table_ops.remove(self._resource_handle, self._converted(keys))

    def export(self, name=None):
        """(keys, values): every entry."""
        with name_scope(name, f"{self.name}_lookup_table_export_values",
                        [self._resource_handle]):
            return tuple(table_ops.export(self._resource_handle, self._key_dtype,
                                          self._value_dtype))

    def import_values(self, keys, values, name=None):
        """An op replacing the entries with keys[i] -> values[i] (what restoring does)."""
        with name_scope(name, f"{self.name}_lookup_table_import",
                        [self._resource_handle, keys, values]):
            keys, values = self._converted(keys, values)
            return table_ops.import_values(self._resource_handle, keys, values)


class MutableDenseHashTable(MutableHashTable):
    """A mutable table in open addressing (TensorFlow's DenseHashTable): `empty_key` and
    `deleted_key` are reserved and may not be inserted; export gives every bucket."""

    def __init__(self, key_dtype, value_dtype, default_value, empty_key, deleted_key,
                 initial_num_buckets=None, name="MutableDenseHashTable", checkpoint=True):
        self._empty_key = convert_to_tensor(empty_key, dtype=key_dtype, name="empty_key")
        self._deleted_key = convert_to_tensor(deleted_key, dtype=key_dtype,
                                              name="deleted_key")
        self._initial_num_buckets = initial_num_buckets
        super().__init__(key_dtype, value_dtype, default_value, name=name,
                         checkpoint=checkpoint)

    def _create_resource(self):
        attrs = {"value_shape": self._value_shape, "max_load_factor": 0.8}
        if self._initial_num_buckets is not None:
            attrs["initial_num_buckets"] = int(self._initial_num_buckets)
        return table_ops.table_op("MutableDenseHashTableV2", self._name,
                                  [self._empty_key, self._deleted_key],
                                  use_node_name_sharing=self._checkpoint,
                                  key_dtype=self._key_dtype, value_dtype=self._value_dtype,
                                  **attrs)


# --- initializers ----------------------------------------------------------------------------
class TableInitializerBase:
    """Fills a table: `initialize(table)` returns the op (added to TABLE_INITIALIZERS)."""

    def __init__(self, key_dtype, value_dtype):
        self._key_dtype = dtypes.as_dtype(key_dtype)
        self._value_dtype = dtypes.as_dtype(value_dtype)

    key_dtype = property(lambda self: self._key_dtype)
    value_dtype = property(lambda self: self._value_dtype)

    def initialize(self, table):
        raise NotImplementedError

    def _check_table_dtypes(self, table):
        if table.key_dtype.base_dtype != self._key_dtype:
            raise TypeError(f"Invalid key dtype, expected {self._key_dtype} but got "
                            f"{table.key_dtype}.")
        if table.value_dtype.base_dtype != self._value_dtype:
            raise TypeError(f"Invalid value dtype, expected {self._value_dtype} but got "
                            f"{table.value_dtype}.")


class KeyValueTensorInitializer(TableInitializerBase):
    """Fills a table with keys[i] -> values[i]."""

    def __init__(self, keys, values, key_dtype=None, value_dtype=None, name=None):
        with name_scope(name, "key_value_init", [keys, values]) as scope:
            self._keys = convert_to_tensor(keys, dtype=key_dtype, name="keys")
            self._values = convert_to_tensor(values, dtype=value_dtype, name="values")
            self._name = scope
        super().__init__(self._keys.dtype, self._values.dtype)

    def initialize(self, table):
        self._check_table_dtypes(table)
        with name_scope(self._name, values=[table.resource_handle, self._keys, self._values]) \
                as scope:
            init_op = table_ops.initialize(table.resource_handle, self._keys, self._values,
                                           name=scope)
        add_to_collection(GraphKeys.TABLE_INITIALIZERS, init_op)
        return init_op


class TextFileInitializer(TableInitializerBase):
    """Fills a table from a text file, one entry a line: key and value are a field (split at
    `delimiter`), the whole line (TextFileIndex.WHOLE_LINE) or the line number
    (TextFileIndex.LINE_NUMBER); the first `vocab_size` lines when given (the file must have
    that many)."""

    def __init__(self, filename, key_dtype, key_index, value_dtype, value_index,
                 vocab_size=None, delimiter="\t", name=None):
        key_dtype, value_dtype = dtypes.as_dtype(key_dtype), dtypes.as_dtype(value_dtype)
        if key_index < -2:
            raise ValueError(f"Invalid key index {key_index}.")
        if key_index == TextFileIndex.LINE_NUMBER and key_dtype is not dtypes.int64:
            raise ValueError(f"Signature mismatch. Keys must be dtype {dtypes.int64}, got "
                             f"{key_dtype}.")
        if key_index == TextFileIndex.WHOLE_LINE and not key_dtype.is_integer \
                and key_dtype is not dtypes.string:
            raise ValueError(f"Signature mismatch. Keys must be integer or string, got "
                             f"{key_dtype}.")
        if value_index < -2:
            raise ValueError(f"Invalid value index {value_index}.")
        if value_index == TextFileIndex.LINE_NUMBER and value_dtype is not dtypes.int64:
            raise ValueError(f"Signature mismatch. Values must be dtype {dtypes.int64}, got "
                             f"{value_dtype}.")
        if value_index == TextFileIndex.WHOLE_LINE and value_dtype is not dtypes.string:
            raise ValueError(f"Signature mismatch. Values must be dtype {dtypes.string}, got "
                             f"{value_dtype}.")
        if vocab_size is not None and vocab_size <= 0:
            raise ValueError(f"Invalid vocab_size {vocab_size}.")
        self._filename = filename
        self._key_index = key_index
        self._value_index = value_index
        self._vocab_size = vocab_size
        self._delimiter = delimiter
        self._name = name
        super().__init__(key_dtype, value_dtype)

    def initialize(self, table):
        self._check_table_dtypes(table)
        with name_scope(self._name, "text_file_init", [table.resource_handle]) as scope:
            filename = convert_to_tensor(self._filename, dtypes.string, name="asset_filepath")
            init_op = table_ops.initialize_from_text_file(
                table.resource_handle, filename, self._key_index, self._value_index,
                -1 if self._vocab_size is None else self._vocab_size, self._delimiter,
                name=scope)
        add_to_collection(GraphKeys.TABLE_INITIALIZERS, init_op)
        if constant_value(filename) is not None:
            add_to_collection(GraphKeys.ASSET_FILEPATHS, filename)
        return init_op


class TextFileStringTableInitializer(TextFileInitializer):
    """Line numbers (int64) -> lines (strings) of a vocabulary file."""

    def __init__(self, filename, key_column_index=TextFileIndex.LINE_NUMBER,
                 value_column_index=TextFileIndex.WHOLE_LINE, vocab_size=None,
                 delimiter="\t", name="text_file_string_table_init"):
        super().__init__(filename, dtypes.int64, key_column_index, dtypes.string,
                         value_column_index, vocab_size=vocab_size, delimiter=delimiter,
                         name=name)


class TextFileIdTableInitializer(TextFileInitializer):
    """Lines (strings or integers) -> line numbers (int64) of a vocabulary file."""

    def __init__(self, filename, key_column_index=TextFileIndex.WHOLE_LINE,
                 value_column_index=TextFileIndex.LINE_NUMBER, vocab_size=None,
                 delimiter="\t", name="text_file_id_table_init", key_dtype=dtypes.string):
        super().__init__(filename, key_dtype, key_column_index, dtypes.int64,
                         value_column_index, vocab_size=vocab_size, delimiter=delimiter,
                         name=name)


# --- index tables ----------------------------------------------------------------------------
def _check_oov(num_oov_buckets):
    if num_oov_buckets < 0:
        raise ValueError(f"num_oov_buckets must be greater or equal than 0, got "
                         f"{num_oov_buckets}.")


def index_table_from_file(vocabulary_file=None, num_oov_buckets=0, vocab_size=None,
                          default_value=-1, hasher_spec=FastHashSpec, key_dtype=dtypes.string,
                          name=None, key_column_index=TextFileIndex.WHOLE_LINE,
                          value_column_index=TextFileIndex.LINE_NUMBER, delimiter="\t"):
    """A table from each line of `vocabulary_file` to its line number (int64); other keys
    get one of `num_oov_buckets` hash buckets after the vocabulary, or `default_value`."""
    if vocabulary_file is None or (isinstance(vocabulary_file, str) and not vocabulary_file):
        raise ValueError("vocabulary_file must be specified and must not be empty.")
    _check_oov(num_oov_buckets)
    if vocab_size is not None and vocab_size < 1:
        raise ValueError(f"vocab_size must be greater than 0, got {vocab_size}. "
                         f"vocabulary_file: {vocabulary_file}")
    key_dtype = dtypes.as_dtype(key_dtype)
    if not key_dtype.is_integer and key_dtype is not dtypes.string:
        raise TypeError("Only integer and string keys are supported.")
    with name_scope(name, "string_to_index"):
        with name_scope(None, "hash_table"):
            init = TextFileIdTableInitializer(
                vocabulary_file, vocab_size=vocab_size,
                key_dtype=dtypes.int64 if key_dtype.is_integer else key_dtype,
                name="table_init", key_column_index=key_column_index,
                value_column_index=value_column_index, delimiter=delimiter)
            table = HashTable(init, default_value)
        if num_oov_buckets:
            table = IdTableWithHashBuckets(table, num_oov_buckets=num_oov_buckets,
                                           hasher_spec=hasher_spec, key_dtype=key_dtype)
        return table


def index_table_from_tensor(vocabulary_list, num_oov_buckets=0, default_value=-1,
                            hasher_spec=FastHashSpec, dtype=dtypes.string, name=None):
    """A table from each entry of `vocabulary_list` (a 1-D tensor) to its position (int64);
    other keys get one of `num_oov_buckets` hash buckets after it, or `default_value`.
    Duplicate entries fail when the table is initialized."""
    if vocabulary_list is None:
        raise ValueError("vocabulary_list must be specified.")
    _check_oov(num_oov_buckets)
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_integer and dtype is not dtypes.string:
        raise TypeError("Only integer and string keys are supported.")
    with name_scope(name, "string_to_index"):
        keys = convert_to_tensor(vocabulary_list)
        if keys.dtype.is_integer != dtype.is_integer:
            raise ValueError(f"Expected {'integer' if dtype.is_integer else 'non-integer'}, "
                             f"got {keys.dtype}.")
        if not dtype.is_integer and keys.dtype.base_dtype != dtype:
            raise ValueError(f"Expected {dtype}, got {keys.dtype}.")
        values = array.cast(array.range_(array.size(keys)), dtypes.int64)
        with name_scope(None, "hash_table"):
            table_keys = array.cast(keys, dtypes.int64) if keys.dtype.is_integer and \
                keys.dtype is not dtypes.int64 else keys
            init = KeyValueTensorInitializer(table_keys, values, table_keys.dtype.base_dtype,
                                             dtypes.int64, name="table_init")
            table = HashTable(init, default_value)
        if num_oov_buckets:
            table = IdTableWithHashBuckets(table, num_oov_buckets=num_oov_buckets,
                                           hasher_spec=hasher_spec, key_dtype=dtype)
        return table


def index_to_string_table_from_file(vocabulary_file, vocab_size=None, default_value="UNK",
                                    name=None, key_column_index=TextFileIndex.LINE_NUMBER,
                                    value_column_index=TextFileIndex.WHOLE_LINE,
                                    delimiter="\t"):
    """A table from line numbers (int64) to the lines of `vocabulary_file`; other ids give
    `default_value`."""
    if vocabulary_file is None or (isinstance(vocabulary_file, str) and not vocabulary_file):
        raise ValueError("vocabulary_file must be specified and must not be empty.")
    if vocab_size is not None and vocab_size < 1:
        raise ValueError(f"vocab_size must be greater than 0, got {vocab_size}.")
    with name_scope(name, "index_to_string"):
        init = TextFileStringTableInitializer(
            vocabulary_file, vocab_size=vocab_size, name="table_init",
            key_column_index=key_column_index, value_column_index=value_column_index,
            delimiter=delimiter)
        return HashTable(init, default_value)


def index_to_string_table_from_tensor(vocabulary_list, default_value="UNK", name=None):
    """A table from positions (int64) to the entries of `vocabulary_list` (strings)."""
    if vocabulary_list is None:
        raise ValueError("vocabulary_list must be specified.")
    with name_scope(name, "index_to_string"):
        vocabulary_list = convert_to_tensor(vocabulary_list, dtypes.string)
        keys = array.cast(array.range_(array.size(vocabulary_list)), dtypes.int64)
        init = KeyValueTensorInitializer(keys, vocabulary_list, dtypes.int64, dtypes.string,
                                         name="table_init")
        return HashTable(init, default_value)


def string_to_index(tensor, mapping, default_value=-1, name=None):
    """Each string of `tensor` as its position in `mapping` (tf.contrib.lookup; deprecated
    in TF 1.x for index_table_from_tensor). Run tf.tables_initializer() first."""
    table = index_table_from_tensor(mapping, default_value=default_value, name=name)
    return table.lookup(tensor)


def index_to_string(tensor, mapping, default_value="UNK", name=None):
    """Each int64 id of `tensor` as the entry of `mapping` at that position
    (tf.contrib.lookup; deprecated in TF 1.x). Run tf.tables_initializer() first."""
    table = index_to_string_table_from_tensor(mapping, default_value=default_value,
                                              name=name)
    return table.lookup(tensor)


def string_to_index_table_from_file(vocabulary_file=None, num_oov_buckets=0,
                                    vocab_size=None, default_value=-1,
                                    hasher_spec=FastHashSpec, name=None):
    """Deprecated tf.contrib.lookup name of index_table_from_file."""
    return index_table_from_file(vocabulary_file, num_oov_buckets, vocab_size, default_value,
                                 hasher_spec, name=name)


def string_to_index_table_from_tensor(mapping, num_oov_buckets=0, default_value=-1,
                                      hasher_spec=FastHashSpec, name=None):
    """Deprecated tf.contrib.lookup name of index_table_from_tensor."""
    return index_table_from_tensor(mapping, num_oov_buckets, default_value, hasher_spec,
                                   name=name)
