"""Lookup table op types (TF 1.x's lookup_ops): HashTableV2, MutableHashTableV2,
MutableHashTableOfTensorsV2, MutableDenseHashTableV2 and the ops that initialize, find, insert,
remove, count, export and import their entries.

A table op outputs a resource handle naming a table in the Session's state; the table is made
on the op's first run (TensorFlow's "_<id>_<op name>", or its `shared_name`) and used by one
thread at a time (`state.blocking`, runtime/blocking.py). A HashTable is filled once by an
initializer op (InitializeTableV2, InitializeTableFromTextFileV2, LookupTableImportV2); finding
keys in it before that raises FailedPreconditionError "Table not initialized.", as TensorFlow.

    handle = table_op("HashTableV2", "hash_table", key_dtype=tf.string, value_dtype=tf.int64)
"""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape

WHOLE_LINE = -2  # TextFileIndex.WHOLE_LINE: the key or value is the whole line
LINE_NUMBER = -1  # TextFileIndex.LINE_NUMBER: the key or value is the line number (from 0)

TABLE_TYPES = ("HashTableV2", "MutableHashTableV2", "MutableHashTableOfTensorsV2",
               "MutableDenseHashTableV2")


# --- the tables ------------------------------------------------------------------------------
def _key(value):
    """A dict key for one key element (bytes for strings, a Python number otherwise)."""
    return value if isinstance(value, bytes) else value.item() if hasattr(value, "item") \
        else value


def _shape_text(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _dtype_name(np_dtype):
    return dtypes.as_dtype(np_dtype).name


def _np_dtype(dtype):
    """A dtype attr (a DType, or the NumPy dtype a Plan hands kernels) as a NumPy dtype."""
    return np.dtype(getattr(dtype, "as_numpy_dtype", dtype))


class Table:
    """The entries of one table: keys (bytes or numbers) to NumPy values of `value_shape`.

    kind is TensorFlow's class name used in messages ("HashTable", "MutableHashTable",
    "MutableDenseHashTable"); a HashTable is `initializable` and empty until initialized."""

    def __init__(self, kind, key_dtype, value_dtype, value_shape=(), empty_key=None,
                 deleted_key=None, num_buckets=0, max_load_factor=0.8):
        self.kind = kind
        self.key_dtype = _np_dtype(key_dtype)
        self.value_dtype = _np_dtype(value_dtype)
        self.value_shape = tuple(value_shape)
        self.initializable = kind == "HashTable"
        self.initialized = False
        self.entries = {}
        self.empty_key = empty_key
        self.deleted_key = deleted_key
        self.num_buckets = num_buckets
        self.max_load_factor = max_load_factor

    def signature(self):
        return f"{_dtype_name(self.key_dtype)}->{_dtype_name(self.value_dtype)}"

    def check_types(self, op_type, key_dtype=None, value_dtype=None, outputs=""):
        """InvalidArgumentError unless the given dtypes are the table's (TensorFlow's
        "Signature mismatch"); `outputs` is the op's output part of the signature."""
        have, want = ["resource"], ["resource"]
        for got, own in ((key_dtype, self.key_dtype), (value_dtype, self.value_dtype)):
            if got is not None:
                have.append(_dtype_name(got))
                want.append(_dtype_name(own))
        if have != want:
            raise errors.InvalidArgumentError(
                None, None, f"Signature mismatch, have: {', '.join(have)}->{outputs} expected: "
                f"{', '.join(want)}->{outputs}")

    def check_ready(self):
        if self.initializable and not self.initialized:
            raise errors.FailedPreconditionError(None, None, "Table not initialized.")

    def check_insert_shapes(self, keys, values):
        expected = keys.shape + self.value_shape
        if values.shape != expected:
            raise errors.InvalidArgumentError(
                None, None, f"Expected shape {_shape_text(expected)} for value, got "
                f"{_shape_text(values.shape)}")

    def check_keys(self, keys):
        """MutableDenseHashTable refuses its empty and deleted keys."""
        if self.empty_key is None:
            return
        flat = keys.reshape(-1)
        for special, what in ((self.empty_key, "empty_key"), (self.deleted_key, "deleted_key")):
            if any(_key(k) == special for k in flat):
                raise errors.InvalidArgumentError(
                    None, None, f"Using the {what} as a table key is not allowed")

    def find(self, keys, default):
        flat = keys.reshape(-1)
        out = np.empty((flat.size,) + self.value_shape, self.value_dtype)
        get = self.entries.get
        for i, k in enumerate(flat):
            value = get(_key(k))
            out[i] = default if value is None else value
        return out.reshape(keys.shape + self.value_shape)

    def insert(self, keys, values, strict=False):
        """Adds the entries; with `strict` (initializing a HashTable) a key given two different
        values raises FailedPreconditionError, as TensorFlow's HashTable does."""
        flat_values = values.reshape((keys.size,) + self.value_shape)
        for k, v in zip(keys.reshape(-1), flat_values):
            k = _key(k)
            if strict and k in self.entries and not np.array_equal(self.entries[k], v):
                raise errors.FailedPreconditionError(
                    None, None, f"HashTable has different value for same key. Key "
                    f"{_text(k)} has {_text(self.entries[k])} and trying to add value "
                    f"{_text(v)}")
            value = np.array(v, self.value_dtype)
            self.entries[k] = value if self.value_shape else value[()]
        self._grow()

    def _grow(self):
        if self.empty_key is not None:
            while len(self.entries) > self.max_load_factor * self.num_buckets:
                self.num_buckets *= 2

    def remove(self, keys):
        for k in keys.reshape(-1):
            self.entries.pop(_key(k), None)

    def export(self):
        keys = list(self.entries)
        values = [self.entries[k] for k in keys]
        count = len(keys)
        if self.empty_key is not None:  # a dense table exports all its buckets, as TF
            pad = self.num_buckets - count
            keys += [self.empty_key] * pad
            values += [np.zeros(self.value_shape, self.value_dtype)] * pad
            count = self.num_buckets
        key_array = np.array(keys, dtype=self.key_dtype).reshape(count)
        value_array = np.array(values, dtype=self.value_dtype).reshape(
            (count,) + self.value_shape)
        return key_array, value_array

    def replace(self, keys, values):
        """Import: the table holds exactly these entries (a dense table's empty keys skipped)."""
        self.entries = {}
        if self.empty_key is not None:
            keep = np.array([_key(k) != self.empty_key for k in keys.reshape(-1)], bool)
            keys = keys.reshape(-1)[keep]
            values = values.reshape((-1,) + self.value_shape)[keep]
        self.insert(keys, values)

    def initialize(self, keys, values):
        """Fills a HashTable once; again with the same entries is a no-op, as TensorFlow."""
        if not self.initializable:
            self.replace(keys, values)
            return
        if self.initialized:
            other = Table(self.kind, self.key_dtype, self.value_dtype, self.value_shape)
            other.insert(keys, values, strict=True)
            if len(other.entries) != len(self.entries) or any(
                    k not in self.entries or not np.array_equal(self.entries[k], v)
                    for k, v in other.entries.items()):
                raise errors.FailedPreconditionError(
                    None, None, "Table was already initialized with different data.")
            return
        self.insert(keys, values, strict=True)
        self.initialized = True


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, np.ndarray):
        return " ".join(_text(v) for v in value.reshape(-1))
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# --- the table ops ---------------------------------------------------------------------------
def _handle_shape(**attrs):
    return [(dtypes.resource, TensorShape([]))]


def _table_shape(op_type):
    def rule(*inputs, key_dtype, value_dtype, value_shape=(), **attrs):
        if op_type == "MutableDenseHashTableV2":
            empty_key, deleted_key = inputs
            for t, what in ((empty_key, "empty_key"), (deleted_key, "deleted_key")):
                if t.dtype is not key_dtype:
                    raise TypeError(f"{op_type} requires {what} of the key dtype "
                                    f"{key_dtype.name}, got {t.dtype.name}")
        if op_type == "HashTableV2" and value_shape:
            raise ValueError(f"{op_type} holds scalar values only, got value_shape "
                             f"{TensorShape(value_shape)}")
        if not TensorShape(value_shape).is_fully_defined():
            raise ValueError(f"{op_type} requires a fully defined value_shape, got "
                             f"{TensorShape(value_shape)}")
        return _handle_shape()
    return rule


def _table_kernel(kind):
    def kernel(state, op_name, *inputs, key_dtype, value_dtype, value_shape=(), container="",
               shared_name="", use_node_name_sharing=False, initial_num_buckets=131072,
               max_load_factor=0.8):
        if use_node_name_sharing and not shared_name:
            shared_name = op_name
        extra = {}
        if kind == "MutableDenseHashTable":
            empty_key, deleted_key = (_key(np.asarray(v).reshape(-1)[0]) for v in inputs)
            if empty_key == deleted_key:
                raise errors.InvalidArgumentError(
                    None, None, "Empty and deleted keys must have different values")
            extra = dict(empty_key=empty_key, deleted_key=deleted_key,
                         num_buckets=int(initial_num_buckets),
                         max_load_factor=float(max_load_factor))
        value_shape = TensorShape(value_shape).as_tuple()
        blocking = state.blocking
        name = blocking.handle_for(op_name, container, shared_name, lambda name: blocking.guarded(
            Table(kind, key_dtype, value_dtype, value_shape, **extra), name))
        return np.array(name.encode("utf-8"), dtype=object)
    return kernel


for _op_type, _kind in zip(TABLE_TYPES, ("HashTable", "MutableHashTable", "MutableHashTable",
                                         "MutableDenseHashTable")):
    register_op(_op_type, shape=_table_shape(_op_type), kernel=_table_kernel(_kind),
                stateful=True, grad=NOT_DIFFERENTIABLE)


def _with_table(state, handle, use):
    """use(table) for the table `handle` names, one thread at a time."""
    name = handle.item() if isinstance(handle, np.ndarray) else handle
    return state.blocking.get(name).exclusive(use)


def _check_handle(op_type, handle):
    if handle.dtype not in (dtypes.resource, dtypes.string):
        raise TypeError(f"{op_type} requires a table handle (resource), got "
                        f"{handle.dtype.name}")
    if handle.shape.ndims not in (None, 0):
        raise ValueError(f"{op_type} requires a scalar table handle, got shape {handle.shape}")


def table_attrs(handle):
    """The attrs of the table op making `handle` (key_dtype, value_dtype, value_shape), or
    None when the handle is not made by a table op in the graph (a fed handle)."""
    op = handle.op
    if op.type not in TABLE_TYPES:
        return None
    return op.attrs


def _value_shape(handle):
    attrs = table_attrs(handle)
    if attrs is None:
        return None
    return TensorShape(attrs.get("value_shape", ()))


def _check_dtypes(op_type, handle, keys=None, values=None):
    attrs = table_attrs(handle)
    if attrs is None:
        return
    for t, what in ((keys, "key_dtype"), (values, "value_dtype")):
        if t is not None and t.dtype is not attrs[what]:
            raise TypeError(f"{op_type} requires {what.split('_')[0]}s of the table's dtype "
                            f"{attrs[what].name}, got {t.dtype.name} for {t.name}")


# --- find ------------------------------------------------------------------------------------
def _find_shape(handle, keys, default_value, *, Tin, Tout):
    _check_handle("LookupTableFindV2", handle)
    _check_dtypes("LookupTableFindV2", handle, keys, default_value)
    value_shape = _value_shape(handle)
    if value_shape is None:
        return [(Tout, unknown_shape())]
    if default_value.shape.ndims is not None and default_value.shape.ndims > 0 \
            and value_shape.ndims == 0 and default_value.shape.as_tuple() != (1,):
        raise ValueError(f"LookupTableFindV2 requires a scalar default value for a table of "
                         f"scalars, got shape {default_value.shape}")
    return [(Tout, keys.shape.concatenate(value_shape))]


def _find_kernel(state, op_name, handle, keys, default_value, *, Tin, Tout):
    def find(table):
        table.check_types("LookupTableFindV2", keys.dtype, default_value.dtype,
                          _dtype_name(default_value.dtype))
        table.check_ready()
        default = np.asarray(default_value, table.value_dtype)
        if table.value_shape:
            if default.shape != table.value_shape:
                raise errors.InvalidArgumentError(
                    None, None, f"Expected shape {_shape_text(table.value_shape)} for default "
                    f"value, got {_shape_text(default.shape)}")
        elif default.shape not in ((), (1,)):
            raise errors.InvalidArgumentError(
                None, None, f"Expected shape [] or [1] for default value, got "
                f"{_shape_text(default.shape)}")
        default = default.reshape(table.value_shape)
        return table.find(np.asarray(keys), default if table.value_shape else default[()])
    return _with_table(state, handle, find)


register_op("LookupTableFindV2", shape=_find_shape, kernel=_find_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


# --- insert, remove, import, initialize -----------------------------------------------------
def _insert_shape(op_type):
    def rule(handle, keys, values, **attrs):
        _check_handle(op_type, handle)
        _check_dtypes(op_type, handle, keys, values)
        value_shape = _value_shape(handle)
        if op_type in ("InitializeTableV2",):
            if not keys.shape.is_compatible_with(values.shape):
                raise ValueError(f"{op_type} requires keys and values of one shape, got "
                                 f"{keys.shape} and {values.shape}")
            if keys.shape.ndims not in (None, 1):
                raise ValueError(f"{op_type} requires keys of rank 1, got shape {keys.shape}")
        elif value_shape is not None and keys.shape.ndims is not None:
            expected = keys.shape.concatenate(value_shape)
            if op_type == "LookupTableImportV2":
                expected = TensorShape([keys.shape.as_tuple()[0] if keys.shape.ndims else None]) \
                    .concatenate(value_shape) if keys.shape.ndims == 1 else expected
            if not expected.is_compatible_with(values.shape):
                raise ValueError(f"{op_type} requires values of shape {expected} (the keys' "
                                 f"shape and the table's value shape), got {values.shape}")
        return []
    return rule


def _unimplemented(table, what):
    if table.initializable:
        raise errors.UnimplementedError(
            None, None, f"{what} not supported by InitializableLookupTable implementations")


def _insert_kernel(state, op_name, handle, keys, values, *, Tin, Tout):
    def insert(table):
        table.check_types("LookupTableInsertV2", keys.dtype, values.dtype)
        _unimplemented(table, "Insert")
        keys_ = np.asarray(keys)
        values_ = np.asarray(values)
        table.check_insert_shapes(keys_, values_)
        table.check_keys(keys_)
        table.insert(keys_, values_)
        return ()
    return _with_table(state, handle, insert)


def _import_kernel(state, op_name, handle, keys, values, *, Tin, Tout):
    def load(table):
        table.check_types("LookupTableImportV2", keys.dtype, values.dtype)
        keys_, values_ = np.asarray(keys), np.asarray(values)
        table.check_insert_shapes(keys_, values_)
        if table.initializable:
            table.initialize(keys_, values_)
        else:
            table.replace(keys_, values_)
        return ()
    return _with_table(state, handle, load)


def _initialize_kernel(state, op_name, handle, keys, values, *, Tkey, Tval):
    def initialize(table):
        table.check_types("InitializeTableV2", keys.dtype, values.dtype)
        keys_, values_ = np.asarray(keys), np.asarray(values)
        if keys_.shape != values_.shape:
            raise errors.InvalidArgumentError(
                None, None, f"Expected shape {_shape_text(keys_.shape)} for values, got "
                f"{_shape_text(values_.shape)}")
        table.initialize(keys_, values_)
        return ()
    return _with_table(state, handle, initialize)


def _remove_shape(handle, keys, *, Tin):
    _check_handle("LookupTableRemoveV2", handle)
    _check_dtypes("LookupTableRemoveV2", handle, keys)
    return []


def _remove_kernel(state, op_name, handle, keys, *, Tin):
    def remove(table):
        table.check_types("LookupTableRemoveV2", keys.dtype)
        _unimplemented(table, "Remove")
        keys_ = np.asarray(keys)
        table.check_keys(keys_)
        table.remove(keys_)
        return ()
    return _with_table(state, handle, remove)


register_op("LookupTableInsertV2", shape=_insert_shape("LookupTableInsertV2"),
            kernel=_insert_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("LookupTableImportV2", shape=_insert_shape("LookupTableImportV2"),
            kernel=_import_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("InitializeTableV2", shape=_insert_shape("InitializeTableV2"),
            kernel=_initialize_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("LookupTableRemoveV2", shape=_remove_shape, kernel=_remove_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


# --- size, export ----------------------------------------------------------------------------
def _size_shape(handle):
    _check_handle("LookupTableSizeV2", handle)
    return [(dtypes.int64, TensorShape([]))]


def _size_kernel(state, op_name, handle):
    return _with_table(state, handle, lambda table: np.array(len(table.entries), np.int64))


def _export_shape(handle, *, Tkeys, Tvalues):
    _check_handle("LookupTableExportV2", handle)
    value_shape = _value_shape(handle)
    values = unknown_shape() if value_shape is None else TensorShape([None]).concatenate(
        value_shape)
    return [(Tkeys, TensorShape([None])), (Tvalues, values)]


def _export_kernel(state, op_name, handle, *, Tkeys, Tvalues):
    def export(table):
        outputs = f"{_dtype_name(Tkeys)}, {_dtype_name(Tvalues)}"
        if _np_dtype(Tkeys) != table.key_dtype or _np_dtype(Tvalues) != table.value_dtype:
            raise errors.InvalidArgumentError(
                None, None, f"Signature mismatch, have: resource->{outputs} expected: "
                f"resource->{_dtype_name(table.key_dtype)}, {_dtype_name(table.value_dtype)}")
        return table.export()
    return _with_table(state, handle, export)


register_op("LookupTableSizeV2", shape=_size_shape, kernel=_size_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)
register_op("LookupTableExportV2", shape=_export_shape, kernel=_export_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)


# --- initializing from a text file -----------------------------------------------------------
def _read_lines(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None
    except IsADirectoryError:
        raise errors.FailedPreconditionError(None, None, f"{path}; Is a directory") from None
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]


def _split(line, delimiter):
    """TensorFlow's str_util::Split: any character of `delimiter` separates fields."""
    if len(delimiter) == 1:
        return line.split(delimiter)
    fields, start = [], 0
    for i, byte in enumerate(line):
        if byte in delimiter:
            fields.append(line[start:i])
            start = i + 1
    fields.append(line[start:])
    return fields


def _field(token, np_dtype, path, line_number):
    if np_dtype == object:
        return token
    text = token.decode("utf-8", "replace")
    try:
        if np_dtype.kind in "iu":
            value = int(text.strip(), 10)
            info = np.iinfo(np_dtype)
            if not info.min <= value <= info.max:
                raise ValueError
            return value
        if np_dtype.kind == "f":
            return float(text)
    except ValueError:
        pass
    raise errors.InvalidArgumentError(
        None, None, f"Field {text} in line {line_number} is not a valid "
        f"{_dtype_name(np_dtype)}.")


def _column(index, lines, fields, np_dtype, path):
    if index == LINE_NUMBER:
        return np.arange(len(lines), dtype=np_dtype)
    if index == WHOLE_LINE:
        return np.array([_field(line, np_dtype, path, i) for i, line in enumerate(lines)],
                        dtype=np_dtype).reshape(len(lines))
    return np.array([_field(f[index], np_dtype, path, i) for i, f in enumerate(fields)],
                    dtype=np_dtype).reshape(len(lines))


def _text_file_shape(handle, filename, *, key_index, value_index, vocab_size=-1,
                     delimiter="\t"):
    _check_handle("InitializeTableFromTextFileV2", handle)
    if filename.dtype is not dtypes.string or filename.shape.ndims not in (None, 0):
        raise ValueError(f"InitializeTableFromTextFileV2 requires a scalar string filename, "
                         f"got {filename.dtype.name} of shape {filename.shape}")
    for attr, index in (("key_index", key_index), ("value_index", value_index)):
        if index < WHOLE_LINE:
            raise ValueError(f"InitializeTableFromTextFileV2 requires {attr} >= -2, got "
                             f"{index}")
    if vocab_size == 0 or vocab_size < -1:
        raise ValueError(f"InitializeTableFromTextFileV2 requires vocab_size > 0 or -1, got "
                         f"{vocab_size}")
    return []


def _text_file_kernel(state, op_name, handle, filename, *, key_index, value_index,
                      vocab_size=-1, delimiter="\t"):
    path = filename.item() if isinstance(filename, np.ndarray) else filename
    path = path.decode("utf-8") if isinstance(path, bytes) else str(path)

    def initialize(table):
        lines = _read_lines(path)
        if vocab_size != -1:
            if len(lines) < vocab_size:
                raise errors.InvalidArgumentError(
                    None, None, f"Invalid vocab_size in {path}: expected {vocab_size} but got "
                    f"{len(lines)}")
            lines = lines[:vocab_size]
        fields = None
        needed = max(key_index, value_index)
        if needed >= 0:
            sep = delimiter.encode("utf-8")
            fields = [_split(line, sep) for line in lines]
            for i, (line, row) in enumerate(zip(lines, fields)):
                if len(row) <= needed:
                    raise errors.InvalidArgumentError(
                        None, None, f"Invalid number of columns in {path} line {i} "
                        f"({line.decode('utf-8', 'replace')}) : expected at least "
                        f"{needed + 1} got {len(row)}")
        keys = _column(key_index, lines, fields, table.key_dtype, path)
        values = _column(value_index, lines, fields, table.value_dtype, path)
        table.initialize(keys, values)
        return ()
    return _with_table(state, handle, initialize)


register_op("InitializeTableFromTextFileV2", shape=_text_file_shape, kernel=_text_file_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)


# --- builders (tensorweave/lookup_ops.py checks the arguments and names the ops) -----------
def table_op(op_type, name, inputs=(), **attrs):
    """The handle of a new table op of `op_type` ("HashTableV2", ...)."""
    if op_type not in TABLE_TYPES:
        raise ValueError(f"{op_type!r} is not a table op type")
    attrs.setdefault("container", "")
    attrs.setdefault("shared_name", "")
    attrs.setdefault("use_node_name_sharing", False)
    return create_op(op_type, list(inputs), name=name, **attrs).outputs[0]


def find(handle, keys, default_value, name=None):
    return create_op("LookupTableFindV2", [handle, keys, default_value], name=name,
                     Tin=keys.dtype, Tout=default_value.dtype).outputs[0]


def insert(handle, keys, values, name=None):
    return create_op("LookupTableInsertV2", [handle, keys, values], name=name, Tin=keys.dtype,
                     Tout=values.dtype)


def remove(handle, keys, name=None):
    return create_op("LookupTableRemoveV2", [handle, keys], name=name, Tin=keys.dtype)


def size(handle, name=None):
    return create_op("LookupTableSizeV2", [handle], name=name).outputs[0]


def export(handle, key_dtype, value_dtype, name=None):
    return create_op("LookupTableExportV2", [handle], name=name, Tkeys=key_dtype,
                     Tvalues=value_dtype).outputs


def import_values(handle, keys, values, name=None):
    return create_op("LookupTableImportV2", [handle, keys, values], name=name, Tin=keys.dtype,
                     Tout=values.dtype)


def initialize(handle, keys, values, name=None):
    return create_op("InitializeTableV2", [handle, keys, values], name=name, Tkey=keys.dtype,
                     Tval=values.dtype)


def initialize_from_text_file(handle, filename, key_index, value_index, vocab_size=-1,
                              delimiter="\t", name=None):
    return create_op("InitializeTableFromTextFileV2", [handle, filename], name=name,
                     key_index=int(key_index), value_index=int(value_index),
                     vocab_size=int(vocab_size), delimiter=str(delimiter))
