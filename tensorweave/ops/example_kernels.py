"""How serialized tf.train.Example and SequenceExample protos become arrays (NumPy, protobuf).

The parsing op types (ops/example_parsing.py) hand these functions the decoded keys, dtypes,
shapes and defaults; the functions return the op's output arrays and raise TensorFlow's
InvalidArgumentError texts, naming the feature and the example as TensorFlow does.

    sparse = [("y", "int64")]
    dense = [DenseSpec("x", "float32", (2,), np.zeros(0, np.float32))]
    indices, values, shapes, dense_values = parse_examples(records, [], sparse, dense)
"""
import collections
import zlib

import numpy as np

from tensorweave.core import errors
from tensorweave.lib import example_protos

# the expected dtype -> (Feature's list field, TensorFlow's name of the type)
_KINDS = {"float32": ("float_list", "float"), "int64": ("int64_list", "int64"),
          "string": ("bytes_list", "string")}
_FOUND = {"float_list": "float", "int64_list": "int64", "bytes_list": "string"}
_NUMPY = {"float32": np.float32, "int64": np.int64, "string": object}

# key, dtype name, shape (a tuple; None first for a variable number of rows), default array
DenseSpec = collections.namedtuple("DenseSpec", "key dtype shape default")


def invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def text(value):
    """A key or name as str (arrays of strings hold bytes)."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def shape_text(shape):
    """A shape as TensorFlow writes it in messages: [2,3], [?,2], []."""
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _empty(dtype):
    return np.zeros(0, _NUMPY[dtype])


def feature_values(feature, dtype):
    """(TensorFlow's type name of the list the Feature holds, or None if it holds none,
    its values as an array)."""
    kind = feature.WhichOneof("kind")
    if kind is None:
        return None, _empty(dtype)
    values = getattr(feature, kind).value
    if kind == "bytes_list":
        out = np.empty(len(values), dtype=object)
        out[:] = list(values)
    else:
        out = np.array(values, dtype=np.float32 if kind == "float_list" else np.int64)
    return _FOUND[kind], out


def _parse(message_class, record):
    try:
        return message_class.FromString(bytes(record))
    except (example_protos.decode_error(), TypeError, ValueError):
        shown = repr(bytes(record))[2:-1]
        raise invalid(f"Could not parse example input, value: '{shown}'") from None


def _as_records(serialized):
    return [r if isinstance(r, bytes) else text(r).encode("utf-8")
            for r in np.asarray(serialized, dtype=object).reshape(-1)]


class _Where:
    """TensorFlow's way of naming a feature of one example in messages."""

    def __init__(self, single, names):
        self.single = single
        self.names = [text(n) for n in np.asarray(names, dtype=object).reshape(-1)]

    def name(self, index):
        return self.names[index] if index < len(self.names) and self.names[index] else \
            "<unknown>"

    def key(self, key, index):
        return f"Key: {key}." if self.single else \
            f"Name: {self.name(index)}, Key: {key}, Index: {index}."

    def missing(self, key, dtype, index):
        found = f"Feature: {key} (data type: {_KINDS[dtype][1]}) is required but could not " \
                f"be found."
        return found if self.single else f"Name: {self.name(index)}, {found}"

    def check_type(self, found, key, dtype, index, sparse):
        expected = _KINDS[dtype][1]
        if found is None or found == expected:
            return
        if sparse:
            raise invalid(f"{self.key(key, index)}  Data types don't match. Expected type: "
                          f"{expected}, Actual type: {found}")
        raise invalid(f"{self.key(key, index)}  Data types don't match. Data type: {found} "
                      f"but expected type: {expected}")

    def bad_size(self, key, dtype, index, size, shape):
        if self.single:
            return f"Key: {key}.  Can't parse serialized Example."
        kind = _KINDS[dtype][1]
        if shape[0] is None:
            return (f"{self.key(key, index)}  Number of {kind} values is not a multiple of "
                    f"stride length. Saw {size} values but output shape is: "
                    f"{shape_text(shape)}")
        return (f"{self.key(key, index)}  Number of {kind} values != expected.  Values size: "
                f"{size} but output shape: {shape_text(shape)}")


def sparse_output(per_example, dtype, single):
    """(indices, values, dense_shape) of a variable-length feature from its values in each
    example (one example when `single`)."""
    lengths = np.array([len(v) for v in per_example], dtype=np.int64)
    values = np.concatenate(per_example) if per_example else _empty(dtype)
    if values.dtype != _NUMPY[dtype]:
        values = values.astype(_NUMPY[dtype])
    positions = np.concatenate([np.arange(n, dtype=np.int64) for n in lengths]) \
        if len(lengths) else np.zeros(0, np.int64)
    longest = int(lengths.max()) if len(lengths) else 0
    if single:
        return positions[:, None], values, np.array([longest], np.int64)
    rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    return (np.stack([rows, positions], axis=1), values,
            np.array([len(lengths), longest], np.int64))


def _fill_value(spec):
    default = np.asarray(spec.default)
    if default.size:
        return default.reshape(-1)[0]
    return b"" if spec.dtype == "string" else 0


def dense_output(per_example, spec, single):
    """A dense feature's output from its values (rows) in each example; None stands for a
    missing one (filled with the default)."""
    np_dtype = _NUMPY[spec.dtype]
    if spec.shape and spec.shape[0] is None:  # a variable number of rows, padded
        rest = spec.shape[1:]
        rows = [v if v is not None else np.zeros((0,) + rest, np_dtype) for v in per_example]
        longest = max((len(v) for v in rows), default=0)
        out = np.empty((len(rows), longest) + rest, dtype=np_dtype)
        out[...] = _fill_value(spec)
        for i, v in enumerate(rows):
            out[i, :len(v), ...] = v
        return out[0, ...] if single else out
    out = np.empty((len(per_example),) + spec.shape, dtype=np_dtype)
    for i, v in enumerate(per_example):
        out[i, ...] = np.asarray(spec.default).reshape(spec.shape) if v is None else v
    return out[0, ...] if single else out


def _dense_rows(values, spec, where, index):
    """The values of one example's dense feature shaped as its rows, or an error."""
    shape = spec.shape
    if shape and shape[0] is None:
        stride = int(np.prod(shape[1:], dtype=np.int64))
        if (stride == 0 and values.size) or (stride and values.size % stride):
            raise invalid(where.bad_size(spec.key, spec.dtype, index, values.size, shape))
        return values.reshape((-1,) + shape[1:]) if stride else values.reshape((0,) + shape[1:])
    if values.size != int(np.prod(shape, dtype=np.int64)):
        raise invalid(where.bad_size(spec.key, spec.dtype, index, values.size, shape))
    return values.reshape(shape)


def parse_examples(serialized, names, sparse, dense):
    """The outputs of parsing Examples: ([sparse indices], [sparse values], [sparse shapes],
    [dense values]). `serialized` is a vector or a scalar (then the outputs have no example
    dimension); sparse: [(key, dtype name)]; dense: [DenseSpec]."""
    single = np.ndim(serialized) == 0
    where = _Where(single, names)
    example_class = example_protos.messages().Example
    sparse_found = [[] for _ in sparse]
    dense_found = [[] for _ in dense]
    for index, record in enumerate(_as_records(serialized)):
        features = _parse(example_class, record).features.feature
        for found_list, (key, dtype) in zip(sparse_found, sparse):
            feature = features.get(key)
            if feature is None:
                found_list.append(_empty(dtype))
                continue
            found, values = feature_values(feature, dtype)
            where.check_type(found, key, dtype, index, sparse=True)
            found_list.append(values)
        for found_list, spec in zip(dense_found, dense):
            feature = features.get(spec.key)
            if feature is None:
                if np.size(spec.default) == 0 and not (spec.shape and spec.shape[0] is None):
                    raise invalid(where.missing(spec.key, spec.dtype, index))
                found_list.append(None)
                continue
            found, values = feature_values(feature, spec.dtype)
            where.check_type(found, spec.key, spec.dtype, index, sparse=False)
            found_list.append(_dense_rows(values, spec, where, index))
    outs = [sparse_output(v, dtype, single) for v, (_, dtype) in zip(sparse_found, sparse)]
    return ([o[0] for o in outs], [o[1] for o in outs], [o[2] for o in outs],
            [dense_output(v, spec, single) for v, spec in zip(dense_found, dense)])


# --- SequenceExample ----------------------------------------------------------------------------
def _feature_list_rows(feature_list, spec, where_name):
    """One example's dense feature list as an array [steps] + shape."""
    shape, rows = spec.shape, []
    size = int(np.prod(shape, dtype=np.int64))
    for step, feature in enumerate(feature_list.feature):
        found, values = feature_values(feature, spec.dtype)
        if found is not None and found != _KINDS[spec.dtype][1]:
            raise invalid(f"Name: {where_name}, Feature list: {spec.key}, Index: {step}.  "
                          f"Data types don't match. Expected type: {_KINDS[spec.dtype][1]}")
        if values.size != size:
            total = sum(feature_values(f, spec.dtype)[1].size for f in feature_list.feature)
            raise invalid(f"Feature list '{spec.key}' has an unexpected number of values.  "
                          f"Total values size: {total} is not consistent with output shape: "
                          f"{shape_text((None,) + shape)}")
        rows.append(values.reshape(shape))
    if not rows:
        return np.zeros((0,) + shape, _NUMPY[spec.dtype])
    return np.stack(rows)


def parse_sequence_examples(serialized, names, context_sparse, context_dense, list_sparse,
                            list_dense, missing_assumed_empty):
    """The outputs of parsing SequenceExamples: (context sparse indices, values, shapes,
    context dense values, feature-list sparse indices, values, shapes, feature-list dense
    values, feature-list dense lengths), each a list with one array per feature.

    list_sparse: [(key, dtype name)]; list_dense: [DenseSpec] (shape of one step, no default);
    missing_assumed_empty: keys of dense feature lists that may be missing."""
    single = np.ndim(serialized) == 0
    where = _Where(single, names)
    sequence_class = example_protos.messages().SequenceExample
    records = _as_records(serialized)
    context_sparse_found = [[] for _ in context_sparse]
    context_dense_found = [[] for _ in context_dense]
    list_sparse_found = [[] for _ in list_sparse]  # per key: per example a list of steps
    list_dense_found = [[] for _ in list_dense]
    for index, record in enumerate(records):
        message = _parse(sequence_class, record)
        context, lists = message.context.feature, message.feature_lists.feature_list
        for found_list, (key, dtype) in zip(context_sparse_found, context_sparse):
            feature = context.get(key)
            found, values = (None, _empty(dtype)) if feature is None else \
                feature_values(feature, dtype)
            where.check_type(found, key, dtype, index, sparse=True)
            found_list.append(values)
        for found_list, spec in zip(context_dense_found, context_dense):
            feature = context.get(spec.key)
            if feature is None:
                if np.size(spec.default) == 0:
                    raise invalid(f"Name: {where.name(index)}, Context feature '{spec.key}' is "
                                  f"required but could not be found.")
                found_list.append(None)
                continue
            found, values = feature_values(feature, spec.dtype)
            where.check_type(found, spec.key, spec.dtype, index, sparse=False)
            found_list.append(_dense_rows(values, spec, where, index))
        for found_list, (key, dtype) in zip(list_sparse_found, list_sparse):
            feature_list = lists.get(key)
            steps = []
            for step in (feature_list.feature if feature_list is not None else ()):
                found, values = feature_values(step, dtype)
                where.check_type(found, key, dtype, index, sparse=True)
                steps.append(values)
            found_list.append(steps)
        for found_list, spec in zip(list_dense_found, list_dense):
            feature_list = lists.get(spec.key)
            if feature_list is None:
                if spec.key not in missing_assumed_empty:
                    raise invalid(f"Name: {where.name(index)}, Feature list '{spec.key}' is "
                                  f"required but could not be found.  Did you mean to include "
                                  f"it in feature_list_dense_missing_assumed_empty or "
                                  f"feature_list_dense_defaults?")
                found_list.append(np.zeros((0,) + spec.shape, _NUMPY[spec.dtype]))
                continue
            found_list.append(_feature_list_rows(feature_list, spec, where.name(index)))
    context_outs = [sparse_output(v, dtype, single)
                    for v, (_, dtype) in zip(context_sparse_found, context_sparse)]
    list_outs = [_list_sparse_output(v, dtype, single)
                 for v, (_, dtype) in zip(list_sparse_found, list_sparse)]
    dense_lists, lengths = [], []
    for per_example, spec in zip(list_dense_found, list_dense):
        padded = DenseSpec(spec.key, spec.dtype, (None,) + spec.shape, np.zeros(0))
        dense_lists.append(dense_output(per_example, padded, single))
        counts = np.array([len(v) for v in per_example], np.int64)
        lengths.append(counts[0, ...] if single else counts)
    return ([o[0] for o in context_outs], [o[1] for o in context_outs],
            [o[2] for o in context_outs],
            [dense_output(v, spec, single) for v, spec in zip(context_dense_found,
                                                               context_dense)],
            [o[0] for o in list_outs], [o[1] for o in list_outs], [o[2] for o in list_outs],
            dense_lists, lengths)


def _list_sparse_output(per_example, dtype, single):
    """(indices, values, dense_shape) of a variable-length feature list: indices [example,]
    step, position."""
    index_rows, values = [], []
    steps = max((len(s) for s in per_example), default=0)
    longest = 0
    for example, step_values in enumerate(per_example):
        for step, v in enumerate(step_values):
            head = [step] if single else [example, step]
            index_rows.extend(head + [j] for j in range(len(v)))
            values.append(v)
            longest = max(longest, len(v))
    rank = 2 if single else 3
    indices = np.array(index_rows, np.int64).reshape(-1, rank)
    flat = np.concatenate(values).astype(_NUMPY[dtype]) if values else _empty(dtype)
    shape = [steps, longest] if single else [len(per_example), steps, longest]
    return indices, flat, np.array(shape, np.int64)


# --- DecodeCompressed, DecodePaddedRaw -----------------------------------------------------------
def decompress(data, compression_type):
    """One string decompressed ("" leaves it as it is; "ZLIB" or "GZIP")."""
    try:
        if compression_type == "ZLIB":
            return zlib.decompress(data)
        if compression_type == "GZIP":
            import gzip  # here: loading it costs every `import tensorweave`
            return gzip.decompress(data)
    except (zlib.error, OSError, EOFError) as e:
        raise errors.DataLossError(None, None, f"{compression_type} decompression failed: {e}") \
            from None
    return data


def padded_raw(data, length, np_dtype, little_endian):
    """One string's first `length` bytes (zeros after its end) as an array of `np_dtype`."""
    buffer = bytes(data)[:length].ljust(length, b"\0")
    return np.frombuffer(buffer, np.dtype(np_dtype).newbyteorder("<" if little_endian else ">"))
