"""tf.train.Example parsing: tf.parse_example, tf.parse_single_example, the sequence forms, the
feature configurations (FixedLenFeature, VarLenFeature, FixedLenSequenceFeature,
SparseFeature), and tf.decode_compressed / tf.io.decode_padded_raw.

    features = {"x": tf.FixedLenFeature([2], tf.float32),
                "tags": tf.VarLenFeature(tf.string),
                "label": tf.FixedLenFeature([], tf.int64, default_value=0)}
    parsed = tf.parse_single_example(serialized, features)
    # parsed["x"]: float32 [2]; parsed["tags"]: a SparseTensor; parsed["label"]: int64 []

The op types are TensorFlow's: ParseExampleV2 and ParseSequenceExampleV2 (what the functions
build, as TensorFlow does), the older ParseExample, ParseSingleExample, ParseSequenceExample
and ParseSingleSequenceExample (graphs TensorFlow 1.x wrote), DecodeCompressed and
DecodePaddedRaw. Their kernels (ops/example_kernels.py) parse with protobuf.
"""
import collections

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import constant, constant_value, convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array, example_kernels, math_ops, sort_ops
from tensorweave.lib import example_protos
from tensorweave.ops._common import one, outputs

__all__ = ["decode_json_example", "FixedLenFeature", "FixedLenSequenceFeature", "SparseFeature", "VarLenFeature",
           "decode_compressed", "parse_example", "parse_single_example",
           "parse_single_sequence_example"]

_VALUE_TYPES = (dtypes.float32, dtypes.int64, dtypes.string)


# --- the feature configurations ------------------------------------------------------------------
class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature with any number of values, parsed into a SparseTensor."""


class FixedLenFeature(collections.namedtuple("FixedLenFeature",
                                             ["shape", "dtype", "default_value"])):
    """A feature of fixed shape, parsed into a Tensor; without `default_value` it is
    required."""

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """A feature with any number of entries of shape `shape`, parsed into a Tensor with one
    more (padded) dimension."""

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


class SparseFeature(collections.namedtuple(
        "SparseFeature", ["index_key", "value_key", "dtype", "size", "already_sorted"])):
    """A SparseTensor from index feature(s) `index_key` and a value feature `value_key`."""

    def __new__(cls, index_key, value_key, dtype, size, already_sorted=False):
        return super().__new__(cls, index_key, value_key, dtype, size, already_sorted)


# --- shape rules and kernels ---------------------------------------------------------------------
def _check_serialized(op_type, serialized, ranks=(0, 1)):
    if serialized.dtype is not dtypes.string:
        raise TypeError(f"{op_type} requires string serialized, got {serialized.dtype.name}")
    rank = serialized.shape.ndims
    if rank is not None and rank not in ranks:
        raise ValueError(f"{op_type} requires serialized of rank "
                         f"{' or '.join(map(str, ranks))}, got shape {serialized.shape}")
    return rank


def _check_types(op_type, what, types):
    for t in types:
        if t not in _VALUE_TYPES:
            raise TypeError(f"Value passed to parameter '{what}' has DataType {t.name} not in "
                            f"list of allowed values: float32, int64, string (op {op_type})")


def _dims(shape):
    dims = TensorShape(shape).as_list()
    if dims is None:
        raise ValueError("dense shapes must have a known rank")
    return tuple(dims)


def _sparse_outputs(types, rank):
    index_rank = None if rank is None else rank + 1
    n = len(types)
    return ([(dtypes.int64, TensorShape([None, index_rank]))] * n
            + [(t, TensorShape([None])) for t in types]
            + [(dtypes.int64, TensorShape([index_rank]))] * n)


def _dense_outputs(op_type, serialized, types, shapes, defaults):
    if not len(types) == len(shapes) == len(defaults):
        raise ValueError(f"{op_type} requires one dense type, shape and default per dense "
                         f"key, got {len(types)}, {len(shapes)} and {len(defaults)}")
    _check_types(op_type, "dense_defaults", types)
    for t, d in zip(types, defaults):
        if d.dtype is not t:
            raise TypeError(f"{op_type} requires dense defaults of the dense types, got "
                            f"{d.dtype.name} for {t.name}")
    batch = serialized.shape if serialized.shape.ndims is not None else TensorShape(None)
    return [(t, batch.concatenate(TensorShape(list(_dims(s))))) for t, s in zip(types, shapes)]


def _no_ragged(op_type, *type_lists):
    if any(len(t) for t in type_lists):
        raise ValueError(f"{op_type}: tensorweave does not parse ragged features")


def _parse_v2_shape(serialized, names, sparse_keys, dense_keys, ragged_keys, *dense_defaults,
                    Tdense=(), num_sparse=0, sparse_types=(), ragged_value_types=(),
                    ragged_split_types=(), dense_shapes=()):
    rank = _check_serialized("ParseExampleV2", serialized)
    _no_ragged("ParseExampleV2", ragged_value_types, ragged_split_types)
    if len(sparse_types) != num_sparse:
        raise ValueError(f"ParseExampleV2 requires num_sparse ({num_sparse}) sparse types, got "
                         f"{len(sparse_types)}")
    _check_types("ParseExampleV2", "sparse_types", sparse_types)
    return (_sparse_outputs(sparse_types, rank)
            + _dense_outputs("ParseExampleV2", serialized, Tdense, dense_shapes, dense_defaults))


def _dense_specs(keys, types, shapes, defaults):
    specs = []
    for key, t, shape, default in zip(keys, types, shapes, defaults):
        shape = _dims(shape)
        default = np.asarray(default)
        if default.size and shape and shape[0] is not None and \
                default.size != int(np.prod(shape, dtype=np.int64)):
            raise example_kernels.invalid(
                f"dense_defaults[{len(specs)}].NumElements() == dense_shapes[{len(specs)}]"
                f".NumEntries(); got {default.size} default values for shape "
                f"{example_kernels.shape_text(shape)}")
        specs.append(example_kernels.DenseSpec(example_kernels.text(key), t.name, shape,
                                               default))
    return specs


def _keys(keys):
    """Keys as str from a string array, or from a list of string scalars."""
    if isinstance(keys, np.ndarray):
        keys = keys.reshape(-1)
    return [example_kernels.text(np.asarray(k, dtype=object).item()) for k in keys]


def _parse_outputs(parsed):
    indices, values, shapes, dense = parsed
    return outputs(indices + values + shapes + dense)


def _parse_v2_kernel(serialized, names, sparse_keys, dense_keys, ragged_keys, *dense_defaults,
                     Tdense=(), num_sparse=0, sparse_types=(), ragged_value_types=(),
                     ragged_split_types=(), dense_shapes=()):
    sparse_keys, dense_keys = _keys(sparse_keys), _keys(dense_keys)
    if len(sparse_keys) != num_sparse or len(dense_keys) != len(Tdense):
        raise example_kernels.invalid(
            f"Expected len(sparse_keys) == num_sparse and len(dense_keys) == len(Tdense), got "
            f"{len(sparse_keys)} sparse and {len(dense_keys)} dense keys")
    sparse = list(zip(sparse_keys, [t.name for t in sparse_types]))
    dense = _dense_specs(dense_keys, Tdense, dense_shapes, dense_defaults)
    return _parse_outputs(example_kernels.parse_examples(serialized, names, sparse, dense))


register_op("ParseExampleV2", shape=_parse_v2_shape, kernel=_parse_v2_kernel,
            grad=NOT_DIFFERENTIABLE)


def _parse_v1_shape(serialized, names, *keys_and_defaults, Nsparse, Ndense, sparse_types,
                    Tdense, dense_shapes):
    rank = _check_serialized("ParseExample", serialized, ranks=(1,))
    if len(keys_and_defaults) != Nsparse + 2 * Ndense or len(sparse_types) != Nsparse:
        raise ValueError(f"ParseExample requires Nsparse ({Nsparse}) sparse keys and types and "
                         f"Ndense ({Ndense}) dense keys and defaults")
    _check_types("ParseExample", "sparse_types", sparse_types)
    defaults = keys_and_defaults[Nsparse + Ndense:]
    return (_sparse_outputs(sparse_types, rank)
            + _dense_outputs("ParseExample", serialized, Tdense, dense_shapes, defaults))


def _parse_v1_kernel(serialized, names, *keys_and_defaults, Nsparse, Ndense, sparse_types,
                     Tdense, dense_shapes):
    sparse_keys = _keys(keys_and_defaults[:Nsparse])
    dense_keys = _keys(keys_and_defaults[Nsparse:Nsparse + Ndense])
    defaults = keys_and_defaults[Nsparse + Ndense:]
    sparse = list(zip(sparse_keys, [t.name for t in sparse_types]))
    dense = _dense_specs(dense_keys, Tdense, dense_shapes, defaults)
    return _parse_outputs(example_kernels.parse_examples(serialized, names, sparse, dense))


register_op("ParseExample", shape=_parse_v1_shape, kernel=_parse_v1_kernel,
            grad=NOT_DIFFERENTIABLE)


def _parse_single_shape(serialized, *dense_defaults, num_sparse, sparse_keys, dense_keys,
                        sparse_types, Tdense, dense_shapes):
    _check_serialized("ParseSingleExample", serialized, ranks=(0,))
    if len(sparse_keys) != num_sparse or len(sparse_types) != num_sparse:
        raise ValueError(f"ParseSingleExample requires num_sparse ({num_sparse}) sparse keys "
                         f"and types")
    if len(dense_keys) != len(Tdense):
        raise ValueError("ParseSingleExample requires one dense key per dense type")
    _check_types("ParseSingleExample", "sparse_types", sparse_types)
    return (_sparse_outputs(sparse_types, 0)
            + _dense_outputs("ParseSingleExample", serialized, Tdense, dense_shapes,
                             dense_defaults))


def _parse_single_kernel(serialized, *dense_defaults, num_sparse, sparse_keys, dense_keys,
                         sparse_types, Tdense, dense_shapes):
    sparse = list(zip(_keys(sparse_keys), [t.name for t in sparse_types]))
    dense = _dense_specs(_keys(dense_keys), Tdense, dense_shapes, dense_defaults)
    return _parse_outputs(example_kernels.parse_examples(serialized, [], sparse, dense))


register_op("ParseSingleExample", shape=_parse_single_shape, kernel=_parse_single_kernel,
            grad=NOT_DIFFERENTIABLE)


# --- SequenceExample op types ------------------------------------------------------------------
def _sequence_shapes(op_type, serialized, rank, context_dense_defaults, Tcontext_dense,
                     context_sparse_types, context_dense_shapes, feature_list_sparse_types,
                     feature_list_dense_types, feature_list_dense_shapes, lengths):
    _check_types(op_type, "context_sparse_types", context_sparse_types)
    _check_types(op_type, "feature_list_sparse_types", feature_list_sparse_types)
    _check_types(op_type, "feature_list_dense_types", feature_list_dense_types)
    if len(feature_list_dense_types) != len(feature_list_dense_shapes):
        raise ValueError(f"{op_type} requires one feature list dense shape per type")
    batch = serialized.shape if rank is not None else TensorShape(None)
    list_rank = None if rank is None else rank + 1
    lists = [(t, batch.concatenate(TensorShape([None] + list(_dims(s)))))
             for t, s in zip(feature_list_dense_types, feature_list_dense_shapes)]
    out = (_sparse_outputs(context_sparse_types, rank)
           + _dense_outputs(op_type, serialized, Tcontext_dense, context_dense_shapes,
                            context_dense_defaults)
           + _sparse_outputs(feature_list_sparse_types, list_rank) + lists)
    if lengths:
        out += [(dtypes.int64, batch)] * len(feature_list_dense_types)
    return out


def _sequence_kernel(serialized, names, context_sparse, context_dense, list_sparse, list_dense,
                     missing_assumed_empty, lengths):
    parsed = example_kernels.parse_sequence_examples(
        serialized, names, context_sparse, context_dense, list_sparse, list_dense,
        set(missing_assumed_empty))
    parts = [p for part in parsed[:8] for p in part]
    return outputs(parts + (list(parsed[8]) if lengths else []))


def _list_specs(keys, types, shapes):
    return [example_kernels.DenseSpec(k, t.name, _dims(s), np.zeros(0))
            for k, t, s in zip(keys, types, shapes)]


_SEQUENCE_V2_ATTRS = dict(
    Ncontext_sparse=0, Tcontext_dense=(), context_sparse_types=(), context_ragged_value_types=(),
    context_ragged_split_types=(), context_dense_shapes=(), Nfeature_list_sparse=0,
    Nfeature_list_dense=0, feature_list_dense_types=(), feature_list_sparse_types=(),
    feature_list_ragged_value_types=(), feature_list_ragged_split_types=(),
    feature_list_dense_shapes=())


def _sequence_v2_shape(serialized, debug_name, context_sparse_keys, context_dense_keys,
                       context_ragged_keys, feature_list_sparse_keys, feature_list_dense_keys,
                       feature_list_ragged_keys, feature_list_dense_missing_assumed_empty,
                       *context_dense_defaults, **attrs):
    a = {**_SEQUENCE_V2_ATTRS, **attrs}
    rank = _check_serialized("ParseSequenceExampleV2", serialized)
    _no_ragged("ParseSequenceExampleV2", a["context_ragged_value_types"],
               a["feature_list_ragged_value_types"])
    if len(a["context_sparse_types"]) != a["Ncontext_sparse"] or \
            len(a["feature_list_sparse_types"]) != a["Nfeature_list_sparse"] or \
            len(a["feature_list_dense_types"]) != a["Nfeature_list_dense"]:
        raise ValueError("ParseSequenceExampleV2 requires Ncontext_sparse, "
                         "Nfeature_list_sparse and Nfeature_list_dense types")
    return _sequence_shapes("ParseSequenceExampleV2", serialized, rank, context_dense_defaults,
                            a["Tcontext_dense"], a["context_sparse_types"],
                            a["context_dense_shapes"], a["feature_list_sparse_types"],
                            a["feature_list_dense_types"], a["feature_list_dense_shapes"],
                            lengths=True)


def _sequence_v2_kernel(serialized, debug_name, context_sparse_keys, context_dense_keys,
                        context_ragged_keys, feature_list_sparse_keys, feature_list_dense_keys,
                        feature_list_ragged_keys, feature_list_dense_missing_assumed_empty,
                        *context_dense_defaults, **attrs):
    a = {**_SEQUENCE_V2_ATTRS, **attrs}
    dense_list_keys = _keys(feature_list_dense_keys)
    assumed = [k for k, empty in zip(dense_list_keys,
                                     np.asarray(feature_list_dense_missing_assumed_empty)
                                     .ravel()) if empty]
    return _sequence_kernel(
        serialized, debug_name,
        list(zip(_keys(context_sparse_keys), [t.name for t in a["context_sparse_types"]])),
        _dense_specs(_keys(context_dense_keys), a["Tcontext_dense"], a["context_dense_shapes"],
                     context_dense_defaults),
        list(zip(_keys(feature_list_sparse_keys),
                 [t.name for t in a["feature_list_sparse_types"]])),
        _list_specs(dense_list_keys, a["feature_list_dense_types"],
                    a["feature_list_dense_shapes"]),
        assumed, lengths=True)


register_op("ParseSequenceExampleV2", shape=_sequence_v2_shape, kernel=_sequence_v2_kernel,
            grad=NOT_DIFFERENTIABLE)

_SEQUENCE_V1_ATTRS = dict(
    Ncontext_sparse=0, Ncontext_dense=0, Nfeature_list_sparse=0, Nfeature_list_dense=0,
    context_sparse_types=(), Tcontext_dense=(), feature_list_dense_types=(),
    context_dense_shapes=(), feature_list_sparse_types=(), feature_list_dense_shapes=())


def _single_sequence_parts(inputs, a):
    """ParseSingleSequenceExample's inputs by name."""
    counts = [a["Ncontext_sparse"], a["Ncontext_dense"], a["Nfeature_list_sparse"],
              a["Nfeature_list_dense"], a["Ncontext_dense"]]
    parts, at = [], 2
    for n in counts:
        parts.append(inputs[at:at + n])
        at += n
    if at + 1 != len(inputs):
        raise ValueError("ParseSingleSequenceExample requires Ncontext_sparse, Ncontext_dense, "
                         "Nfeature_list_sparse and Nfeature_list_dense keys")
    return parts, inputs[at]


def _single_sequence_shape(serialized, assumed_empty, *rest, **attrs):
    a = {**_SEQUENCE_V1_ATTRS, **attrs}
    _check_serialized("ParseSingleSequenceExample", serialized, ranks=(0,))
    (_, _, _, _, defaults), _ = _single_sequence_parts((serialized, assumed_empty) + rest, a)
    return _sequence_shapes("ParseSingleSequenceExample", serialized, 0, defaults,
                            a["Tcontext_dense"], a["context_sparse_types"],
                            a["context_dense_shapes"], a["feature_list_sparse_types"],
                            a["feature_list_dense_types"], a["feature_list_dense_shapes"],
                            lengths=False)


def _single_sequence_kernel(serialized, assumed_empty, *rest, **attrs):
    a = {**_SEQUENCE_V1_ATTRS, **attrs}
    (c_sparse, c_dense, l_sparse, l_dense, defaults), debug_name = _single_sequence_parts(
        (serialized, assumed_empty) + rest, a)
    return _sequence_kernel(
        serialized, debug_name,
        list(zip(_keys(c_sparse), [t.name for t in a["context_sparse_types"]])),
        _dense_specs(_keys(c_dense), a["Tcontext_dense"], a["context_dense_shapes"], defaults),
        list(zip(_keys(l_sparse), [t.name for t in a["feature_list_sparse_types"]])),
        _list_specs(_keys(l_dense), a["feature_list_dense_types"],
                    a["feature_list_dense_shapes"]),
        _keys(assumed_empty), lengths=False)


register_op("ParseSingleSequenceExample", shape=_single_sequence_shape,
            kernel=_single_sequence_kernel, grad=NOT_DIFFERENTIABLE)

_BATCH_SEQUENCE_V1_ATTRS = dict(_SEQUENCE_V1_ATTRS, feature_list_dense_missing_assumed_empty=(),
                                context_sparse_keys=(), context_dense_keys=(),
                                feature_list_sparse_keys=(), feature_list_dense_keys=())


def _batch_sequence_shape(serialized, debug_name, *context_dense_defaults, **attrs):
    a = {**_BATCH_SEQUENCE_V1_ATTRS, **attrs}
    rank = _check_serialized("ParseSequenceExample", serialized, ranks=(1,))
    return _sequence_shapes("ParseSequenceExample", serialized, rank, context_dense_defaults,
                            a["Tcontext_dense"], a["context_sparse_types"],
                            a["context_dense_shapes"], a["feature_list_sparse_types"],
                            a["feature_list_dense_types"], a["feature_list_dense_shapes"],
                            lengths=True)


def _batch_sequence_kernel(serialized, debug_name, *context_dense_defaults, **attrs):
    a = {**_BATCH_SEQUENCE_V1_ATTRS, **attrs}
    return _sequence_kernel(
        serialized, debug_name,
        list(zip(a["context_sparse_keys"], [t.name for t in a["context_sparse_types"]])),
        _dense_specs(a["context_dense_keys"], a["Tcontext_dense"], a["context_dense_shapes"],
                     context_dense_defaults),
        list(zip(a["feature_list_sparse_keys"],
                 [t.name for t in a["feature_list_sparse_types"]])),
        _list_specs(a["feature_list_dense_keys"], a["feature_list_dense_types"],
                    a["feature_list_dense_shapes"]),
        a["feature_list_dense_missing_assumed_empty"], lengths=True)


register_op("ParseSequenceExample", shape=_batch_sequence_shape, kernel=_batch_sequence_kernel,
            grad=NOT_DIFFERENTIABLE)


# --- DecodeJSONExample ---------------------------------------------------------------------------
def _decode_json_shape(json_examples):
    if json_examples.dtype is not dtypes.string:
        raise TypeError(f"DecodeJSONExample requires string json_examples, got "
                        f"{json_examples.dtype.name}")
    return [(dtypes.string, json_examples.shape)]


def _decode_json_kernel(json_examples):
    from google.protobuf import json_format  # protobuf loads when the op first runs
    example_class = example_protos.messages().Example
    flat = np.asarray(json_examples, dtype=object).reshape(-1)
    out = np.empty(len(flat), dtype=object)
    for i, text in enumerate(flat):
        example = example_class()
        try:
            json_format.Parse(bytes(text).decode("utf-8"), example)
        except (json_format.ParseError, UnicodeDecodeError) as e:
            raise errors.InvalidArgumentError(None, None,
                                              f"Error while parsing JSON: {e}") from None
        out[i] = example.SerializeToString()
    return out.reshape(np.shape(json_examples))


register_op("DecodeJSONExample", shape=_decode_json_shape, kernel=_decode_json_kernel,
            grad=NOT_DIFFERENTIABLE)


def decode_json_example(json_examples, name=None):
    """JSON text of tf.train.Example protos (protobuf's JSON mapping) as the binary protos
    (TF's tf.decode_json_example)."""
    json_examples = convert_to_tensor(json_examples, dtype=dtypes.string)
    return one(create_op("DecodeJSONExample", [json_examples],
                         name=name or "DecodeJSONExample"))


# --- DecodeCompressed, DecodePaddedRaw -----------------------------------------------------------
def _decode_compressed_shape(data, *, compression_type=""):
    if data.dtype is not dtypes.string:
        raise TypeError(f"DecodeCompressed requires string bytes, got {data.dtype.name}")
    if compression_type not in ("", "ZLIB", "GZIP"):
        raise ValueError(f"DecodeCompressed requires compression_type '', 'ZLIB' or 'GZIP', "
                         f"got {compression_type!r}")
    return [(dtypes.string, data.shape)]


def _decode_compressed_kernel(data, *, compression_type=""):
    flat = np.asarray(data, dtype=object)
    out = np.empty(flat.shape, dtype=object)
    out.reshape(-1)[:] = [example_kernels.decompress(bytes(b), compression_type)
                          for b in flat.reshape(-1)]
    return out


register_op("DecodeCompressed", shape=_decode_compressed_shape,
            kernel=_decode_compressed_kernel, grad=NOT_DIFFERENTIABLE)

_PADDED_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.uint16,
                 dtypes.uint8, dtypes.int16, dtypes.int8, dtypes.int64)


def _padded_raw_shape(input_bytes, fixed_length, *, out_type, little_endian=True):
    if input_bytes.dtype is not dtypes.string:
        raise TypeError(f"DecodePaddedRaw requires string input_bytes, got "
                        f"{input_bytes.dtype.name}")
    if out_type not in _PADDED_TYPES:
        raise TypeError(f"DecodePaddedRaw does not decode {out_type.name}")
    if fixed_length.shape.ndims not in (None, 0):
        raise ValueError(f"DecodePaddedRaw requires a scalar fixed_length, got shape "
                         f"{fixed_length.shape}")
    length = constant_value(fixed_length)
    width = None
    if length is not None:
        width = _padded_width(int(length), np.dtype(out_type.as_numpy_dtype), ValueError)
    batch = input_bytes.shape if input_bytes.shape.ndims is not None else TensorShape(None)
    return [(out_type, batch.concatenate(TensorShape([width])))]


def _padded_width(length, np_dtype, error):
    size = np_dtype.itemsize
    if length < 0 or length % size:
        raise error(f"fixed_length ({length}) must be a non-negative multiple of the size of "
                    f"out_type ({size})")
    return length // size


def _padded_raw_kernel(input_bytes, fixed_length, *, out_type, little_endian=True):
    length = int(fixed_length)
    width = _padded_width(length, np.dtype(out_type), example_kernels.invalid)
    flat = np.asarray(input_bytes, dtype=object).reshape(-1)
    np_dtype = np.dtype(out_type)
    out = np.empty((len(flat), width), dtype=np_dtype)
    for i, data in enumerate(flat):
        out[i] = example_kernels.padded_raw(data, length, np_dtype, little_endian)
    return out.reshape(np.shape(input_bytes) + (width,))


register_op("DecodePaddedRaw", shape=_padded_raw_shape, kernel=_padded_raw_kernel,
            grad=NOT_DIFFERENTIABLE)


def decode_compressed(bytes, compression_type="", name=None):  # noqa: A002 - TF's name
    """Decompresses each string of `bytes` ("" leaves them as they are; "ZLIB" or "GZIP")."""
    data = convert_to_tensor(bytes, dtype=dtypes.string)
    return create_op("DecodeCompressed", [data], name=name or "DecodeCompressed",
                     compression_type=compression_type).outputs[0]


def decode_padded_raw(input_bytes, fixed_length, out_type, little_endian=True, name=None):
    """Each string's first `fixed_length` bytes (zero-padded) read as numbers of `out_type`;
    the output has one more dimension of fixed_length / out_type's size."""
    data = convert_to_tensor(input_bytes, dtype=dtypes.string)
    length = convert_to_tensor(fixed_length, dtype=dtypes.int32)
    return create_op("DecodePaddedRaw", [data, length], name=name or "DecodePaddedRaw",
                     out_type=dtypes.as_dtype(out_type),
                     little_endian=bool(little_endian)).outputs[0]


# --- the parse functions -------------------------------------------------------------------------
class _Features:
    """The sparse, dense and SparseFeature entries of a features dict, checked as TF does."""

    def __init__(self, features, sequence=False):
        self.sparse = {}  # key -> dtype
        self.dense = {}  # key -> (dtype, shape list, default tensor)
        self.merged = {}  # key -> SparseFeature
        for key in sorted(features):
            feature = features[key]
            if isinstance(feature, VarLenFeature):
                self._add_sparse(key, dtypes.as_dtype(feature.dtype))
            elif isinstance(feature, SparseFeature) and not sequence:
                index_keys = feature.index_key if isinstance(feature.index_key,
                                                             (list, tuple)) else [
                    feature.index_key]
                for index_key in index_keys:
                    self._add_sparse(index_key, dtypes.int64)
                self._add_sparse(feature.value_key, dtypes.as_dtype(feature.dtype))
                self.merged[key] = feature
            elif isinstance(feature, FixedLenFeature) and not sequence:
                self._add_fixed(key, feature)
            elif isinstance(feature, FixedLenSequenceFeature):
                self._add_sequence(key, feature, sequence)
            else:
                raise ValueError(f"Unsupported {type(feature).__name__} {feature}.")

    def _add_sparse(self, key, dtype):
        _check_value_type(dtype, "sparse_types")
        if self.sparse.get(key, dtype) is not dtype:
            raise ValueError(f"Conflicting type {self.sparse[key]} vs {dtype} for feature {key}.")
        self.sparse[key] = dtype

    def _add_fixed(self, key, feature):
        dtype = dtypes.as_dtype(feature.dtype)
        _check_value_type(dtype, "dense_defaults")
        shape = TensorShape(feature.shape)
        if shape.ndims and shape.as_list()[0] is None:
            raise ValueError(f"First dimension of shape for feature {key} unknown. Consider "
                             f"using FixedLenSequenceFeature. Received feature={feature}.")
        if not shape.is_fully_defined():
            raise ValueError(f"All dimensions of shape for feature {key} need to be known but "
                             f"received {shape!s}.")
        dims = shape.as_list()
        if feature.default_value is None:
            default = constant(np.zeros(0, dtype.as_numpy_dtype) if dtype is not dtypes.string
                               else np.zeros(0, object), dtype=dtype)
        else:
            default = array.reshape(convert_to_tensor(feature.default_value, dtype=dtype,
                                                      name=f"key_{key}"), dims)
        self.dense[key] = (dtype, dims, default)

    def _add_sequence(self, key, feature, sequence):
        dtype = dtypes.as_dtype(feature.dtype)
        _check_value_type(dtype, "dense_defaults")
        if not feature.allow_missing and not sequence:
            raise ValueError("Unsupported: FixedLenSequenceFeature requires allow_missing to be "
                             "True.")
        shape = TensorShape(feature.shape)
        if not shape.is_fully_defined():
            raise ValueError(f"All dimensions of shape for feature {key} need to be known but "
                             f"received {shape!s}.")
        if feature.default_value is None:
            default = constant(np.zeros(0, dtype.as_numpy_dtype) if dtype is not dtypes.string
                               else np.zeros(0, object), dtype=dtype)
        else:
            default = array.reshape(convert_to_tensor(feature.default_value, dtype=dtype,
                                                      name=f"padding_{key}"), [])
        self.dense[key] = (dtype, [None] + shape.as_list(), default)

    def empty(self):
        return not (self.sparse or self.dense)


def _check_value_type(dtype, what):
    if dtype not in _VALUE_TYPES:
        raise TypeError(f"Value passed to parameter '{what}' has DataType {dtype.name} not in "
                        f"list of allowed values: float32, int64, string")


def _strings(values, name):
    return constant(np.array([v.encode("utf-8") if isinstance(v, str) else v for v in values],
                             dtype=object).reshape(len(values)), dtype=dtypes.string, name=name)


def _parse_example_raw(serialized, features, names, name):
    """Builds one ParseExampleV2 op for the _Features and returns {key: Tensor/SparseTensor}."""
    serialized = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
    names = _strings([], "Const") if names is None else convert_to_tensor(
        names, dtype=dtypes.string)
    sparse_keys, dense_keys = sorted(features.sparse), sorted(features.dense)
    op = create_op(
        "ParseExampleV2",
        [serialized, names, _strings(sparse_keys, "sparse_keys"),
         _strings(dense_keys, "dense_keys"), _strings([], "ragged_keys")]
        + [features.dense[k][2] for k in dense_keys],
        name=name or "ParseExampleV2", Tdense=[features.dense[k][0] for k in dense_keys],
        num_sparse=len(sparse_keys), sparse_types=[features.sparse[k] for k in sparse_keys],
        ragged_value_types=[], ragged_split_types=[],
        dense_shapes=[TensorShape(features.dense[k][1]) for k in dense_keys])
    outs, n = list(op.outputs), len(sparse_keys)
    result = {k: SparseTensor(outs[i], outs[n + i], outs[2 * n + i])
              for i, k in enumerate(sparse_keys)}
    result.update({k: outs[3 * n + j] for j, k in enumerate(dense_keys)})
    return result


def _merge_sparse_features(parsed, features, single):
    """Replaces the parts of each SparseFeature by the SparseTensor they make (as TF's
    sparse_merge: the value feature's values at the index features' values, sorted)."""
    for key, feature in features.merged.items():
        index_keys = feature.index_key if isinstance(feature.index_key, (list, tuple)) else [
            feature.index_key]
        sizes = feature.size if isinstance(feature.size, (list, tuple)) else [feature.size]
        values = parsed[feature.value_key]
        with name_scope(None, "SparseMerge"):
            columns = [array.reshape(parsed[k].values, [-1, 1]) for k in index_keys]
            if not single:
                columns.insert(0, array.strided_slice(parsed[index_keys[0]].indices, [0, 0],
                                                      [0, 1], end_mask=1))
            indices = array.concat(columns, axis=1)
            size = constant(np.array(sizes, np.int64), dtype=dtypes.int64)
            dense_shape = size if single else array.concat(
                [array.strided_slice(values.dense_shape, [0], [1]), size], axis=0)
            merged = values.values
            if not feature.already_sorted:
                strides = np.cumprod([1] + list(sizes)[::-1], dtype=np.int64)[::-1]
                if single:
                    strides = strides[1:]
                else:
                    strides = np.concatenate([[int(np.prod(sizes))], strides[1:]])
                order = sort_ops.argsort(
                    array.reshape(_linear_index(indices, strides), [-1]), stable=True)
                indices = array.gather(indices, order)
                merged = array.gather(merged, order)
            parsed[key] = SparseTensor(indices, merged, dense_shape)
    for feature in features.merged.values():
        index_keys = feature.index_key if isinstance(feature.index_key, (list, tuple)) else [
            feature.index_key]
        for k in index_keys + [feature.value_key]:
            if k not in features.merged:
                parsed.pop(k, None)
    return parsed


def _linear_index(indices, strides):
    """The row-major linear index [N, 1] of int64 `indices` [N, k] with constant `strides` [k]."""
    weights = constant(np.asarray(strides, np.int64).reshape(-1, 1), dtype=dtypes.int64)
    return math_ops.reduce_sum(indices * array.reshape(weights, [1, -1]), axis=1,
                               keepdims=True)


def _check_features(features):
    if not features:
        raise ValueError("Argument `features` cannot be None.")


def parse_example(serialized, features, name=None, example_names=None):
    """Parses a vector of serialized Example protos into {key: Tensor or SparseTensor}.

    features: {key: FixedLenFeature | VarLenFeature | FixedLenSequenceFeature |
    SparseFeature}. Dense outputs have a leading batch dimension; VarLenFeatures become
    SparseTensors with indices [example, position]."""
    _check_features(features)
    config = _Features(features)
    with name_scope(name, "ParseExample"):
        parsed = _parse_example_raw(serialized, config, example_names, name)
        return _merge_sparse_features(parsed, config, single=False)


def parse_single_example(serialized, features, name=None, example_names=None):
    """Parses one serialized Example proto (a scalar string) into {key: Tensor or
    SparseTensor}, without the batch dimension of parse_example."""
    _check_features(features)
    config = _Features(features)
    with name_scope(name, "ParseSingleExample"):
        serialized = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        if serialized.shape.ndims not in (None, 0):
            raise ValueError("Input serialized must be a scalar")
        if example_names is not None:
            example_names = convert_to_tensor(example_names, dtype=dtypes.string)
            if example_names.shape.ndims not in (None, 0):
                raise ValueError("Input example_names must be a scalar")
        with name_scope(name, "ParseExample"):
            parsed = _parse_example_raw(serialized, config, example_names, name)
            return _merge_sparse_features(parsed, config, single=True)


def _parse_sequence_raw(serialized, context, sequence, names, name):
    context_sparse, context_dense = sorted(context.sparse), sorted(context.dense)
    list_sparse, list_dense = sorted(sequence.sparse), sorted(sequence.dense)
    assumed = [bool(sequence.allow_missing.get(k)) for k in list_dense]
    op = create_op(
        "ParseSequenceExampleV2",
        [serialized, names, _strings(context_sparse, "context_sparse_keys"),
         _strings(context_dense, "context_dense_keys"), _strings([], "context_ragged_keys"),
         _strings(list_sparse, "feature_list_sparse_keys"),
         _strings(list_dense, "feature_list_dense_keys"),
         _strings([], "feature_list_ragged_keys"),
         constant(np.array(assumed, dtype=bool).reshape(len(assumed)), dtype=dtypes.bool,
                  name="feature_list_dense_missing_assumed_empty")]
        + [context.dense[k][2] for k in context_dense],
        name=name or "ParseSequenceExampleV2",
        Ncontext_sparse=len(context_sparse), Tcontext_dense=[context.dense[k][0]
                                                             for k in context_dense],
        context_sparse_types=[context.sparse[k] for k in context_sparse],
        context_ragged_value_types=[], context_ragged_split_types=[],
        context_dense_shapes=[TensorShape(context.dense[k][1]) for k in context_dense],
        Nfeature_list_sparse=len(list_sparse), Nfeature_list_dense=len(list_dense),
        feature_list_dense_types=[sequence.dense[k][0] for k in list_dense],
        feature_list_sparse_types=[sequence.sparse[k] for k in list_sparse],
        feature_list_ragged_value_types=[], feature_list_ragged_split_types=[],
        feature_list_dense_shapes=[TensorShape(sequence.dense[k][1][1:]) for k in list_dense])
    outs = list(op.outputs)

    def take(count):
        taken = outs[:count]
        del outs[:count]
        return taken

    def sparse_dict(keys):
        n = len(keys)
        parts = take(3 * n)
        return {k: SparseTensor(parts[i], parts[n + i], parts[2 * n + i])
                for i, k in enumerate(keys)}

    context_out = sparse_dict(context_sparse)
    context_out.update(zip(context_dense, take(len(context_dense))))
    list_out = sparse_dict(list_sparse)
    list_out.update(zip(list_dense, take(len(list_dense))))
    lengths = dict(zip(list_dense, take(len(list_dense))))
    return context_out, list_out, lengths


class _SequenceFeatures(_Features):
    """Feature lists: VarLenFeatures and FixedLenSequenceFeatures (shape of one step)."""

    def __init__(self, features):
        self.allow_missing = {}
        super().__init__(features, sequence=True)

    def _add_sequence(self, key, feature, sequence):
        super()._add_sequence(key, feature, sequence)
        self.allow_missing[key] = feature.allow_missing


def _sequence_configs(context_features, sequence_features):
    if not (context_features or sequence_features):
        raise ValueError("Missing features.")
    context = _Features(context_features or {})
    for key, feature in (context_features or {}).items():
        if isinstance(feature, FixedLenSequenceFeature):
            raise ValueError(f"Unsupported FixedLenSequenceFeature {feature} in "
                             f"context_features (feature {key}).")
    return context, _SequenceFeatures(sequence_features or {})


def parse_single_sequence_example(serialized, context_features=None, sequence_features=None,
                                  example_name=None, name=None):
    """Parses one serialized SequenceExample (a scalar string) into (context dict, feature
    list dict); dense feature lists are Tensors [steps] + shape."""
    context, sequence = _sequence_configs(context_features, sequence_features)
    with name_scope(name, "ParseSingleSequenceExample"):
        serialized = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        if serialized.shape.ndims not in (None, 0):
            raise ValueError("Input serialized must be a scalar")
        names = convert_to_tensor("" if example_name is None else example_name,
                                  dtype=dtypes.string)
        with name_scope(name, "ParseSequenceExample"):
            context_out, list_out, _ = _parse_sequence_raw(serialized, context, sequence,
                                                           names, name)
            return context_out, list_out


def parse_sequence_example(serialized, context_features=None, sequence_features=None,
                           example_names=None, name=None):
    """Parses a vector of serialized SequenceExamples into (context dict, feature list dict,
    lengths dict): dense feature lists are padded to the longest and their lengths given."""
    context, sequence = _sequence_configs(context_features, sequence_features)
    with name_scope(name, "ParseSequenceExample"):
        serialized = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        if serialized.shape.ndims not in (None, 1):
            raise ValueError(f"Input serialized must be a vector, got shape {serialized.shape}")
        names = _strings([], "Const") if example_names is None else convert_to_tensor(
            example_names, dtype=dtypes.string)
        return _parse_sequence_raw(serialized, context, sequence, names, name)
