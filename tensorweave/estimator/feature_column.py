"""tf.feature_column: how raw features become a model's input (TF 1.x `feature_column` v1).

    columns = [tf.feature_column.numeric_column("x"),
               tf.feature_column.indicator_column(
                   tf.feature_column.categorical_column_with_vocabulary_list("c", ["a", "b"]))]
    net = tf.feature_column.input_layer({"x": [[1.0]], "c": [["b"]]}, columns)  # [[0, 1, 1]]

Deviation from TF: tensorweave has no SparseTensor. Categorical features are dense tensors of
shape [batch] or [batch, k] (several values per example) in which b"" (strings) or -1
(integers) marks a missing value, and categorical ids are dense int64 [batch, k] tensors with
-1 for missing; the results (one-hot sums, embeddings, linear weights) equal TF's for the
matching SparseTensor. Ops and hashes: ops/feature_column.py (bucket assignments match TF's).
"""
import collections
import math

import numpy as np

from tensorweave.ops import feature_column as fc_ops
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.init_ops import truncated_normal_initializer, zeros_initializer
from tensorweave.ops import (array, counting_ops, example_parsing, math_ops, nn_ops,
                             scatter_ops)
from tensorweave.platform import gfile
from tensorweave.variable_scope import get_variable, variable_scope

_DEFAULT_HASH_KEY = 0xDECAFCAFFE  # TF's hash key for crossed columns


# --- column kinds ---------------------------------------------------------------------------
class _FeatureColumn:
    """A feature column: `name` orders columns and scopes their variables."""

    @property
    def _var_scope_name(self):
        return self.name

    def _transform_feature(self, builder):
        raise NotImplementedError


class _DenseColumn(_FeatureColumn):
    """A column input_layer can consume: a float tensor per example of `_variable_shape`."""


IdWeightPair = collections.namedtuple("IdWeightPair", ["id_tensor", "weight_tensor"])


class _CategoricalColumn(_FeatureColumn):
    """A column of integer ids in [0, _num_buckets) (dense [batch, k], -1 for missing)."""

    IdWeightPair = IdWeightPair
    _packs_ids = False  # whether the ids' SparseTensor is only as wide as its fullest row

    def _get_ids(self, builder):
        return builder.get(self)

    def _get_weights(self, builder):
        """Per-id weights aligned with _get_ids (float32 [batch, k]), or None (all 1)."""
        return None

    def _get_sparse_tensors(self, inputs, weight_collections=None, trainable=None):
        """TF's view of the ids: IdWeightPair(SparseTensor of each row's present ids, packed
        from column 0 (int64, [batch, k]), SparseTensor of their weights or None)."""
        from tensorweave.core.sparse_tensor import SparseTensor
        ids = array.cast(self._get_ids(inputs), dtypes.int64)
        present = math_ops.greater_equal(ids, 0)
        where = array.where(present)
        column = counting_ops.cumsum(array.cast(present, dtypes.int64), axis=1) - 1
        indices = array.stack([where[:, 0], scatter_ops.gather_nd(column, where)], axis=1)
        shape = array.cast(array.shape(ids), dtypes.int64)
        if self._packs_ids:  # as TF's sparse cross: as wide as the fullest row
            shape = array.stack([shape[0], math_ops.maximum(math_ops.reduce_max(
                math_ops.reduce_sum(array.cast(present, dtypes.int64), 1)),
                np.int64(0))])
        weights = self._get_weights(inputs)
        return IdWeightPair(
            SparseTensor(indices, scatter_ops.gather_nd(ids, where), shape),
            None if weights is None else SparseTensor(indices, scatter_ops.gather_nd(weights, where),
                                                      shape))


def _missing_value(dtype):
    """What marks a missing value in a dense categorical/sequence feature."""
    return b"" if dtype is dtypes.string else (-1 if dtype.is_integer else 0)


def _dense_of_sparse(tensor):
    """A SparseTensor feature as the dense tensor this module reads (missing: b"", -1, 0)."""
    from tensorweave.ops import sparse_ops
    return sparse_ops.sparse_tensor_to_dense(
        tensor, default_value=_missing_value(tensor.values.dtype))


def _raw_feature(features, key):
    if key not in features:
        raise ValueError(f"Feature {key} is not in features dictionary.")
    tensor = features[key]
    from tensorweave.core.sparse_tensor import SparseTensor
    if isinstance(tensor, SparseTensor):
        tensor = _dense_of_sparse(tensor)
    tensor = tensor if isinstance(tensor, Tensor) else convert_to_tensor(np.asarray(tensor))
    rank = tensor.shape.ndims
    if rank == 0:
        raise ValueError(f"Feature (key: {key}) cannot have rank 0. Given: {tensor}")
    return array.expand_dims(tensor, -1) if rank == 1 else tensor


class LazyBuilder:
    """Transforms each raw feature and column once per input_layer/linear_model call."""

    def __init__(self, features):
        self._features = dict(features)
        self._cache = {}

    def sequence_length(self, key, per_step):
        """The [batch] sequence length of raw feature `key` (per_step values a step)."""
        cache_key = ("sequence_length", key, per_step)
        if cache_key not in self._cache:
            self._cache[cache_key] = _present_steps(self._features, key, per_step)
        return self._cache[cache_key]

    def is_sparse(self, key):
        """Whether raw feature `key` came as a SparseTensor (its absent values are missing)."""
        from tensorweave.core.sparse_tensor import SparseTensor
        return isinstance(self._features.get(key), SparseTensor)

    def get(self, key):
        if key not in self._cache:
            if isinstance(key, str):
                self._cache[key] = _raw_feature(self._features, key)
            elif isinstance(key, _FeatureColumn):
                self._cache[key] = key._transform_feature(self)
            else:
                raise TypeError(f"Key must be a string or a feature column, got {key!r}")
        return self._cache[key]


_LazyBuilder = LazyBuilder  # TF 1.x's name (feature_column.py), which programs import


def _rows(tensor):
    """`tensor` as [batch, n]: rank-2 tensors unchanged, higher ranks flattened per example."""
    if tensor.shape.ndims == 2:
        return tensor
    return array.reshape(tensor, array.stack([array.shape(tensor)[0], -1]))


def _check_categorical_input(key, tensor, integer):
    if tensor.dtype is not dtypes.string and not tensor.dtype.is_integer:
        raise ValueError(f"column_name: {key} input_tensor dtype must be string or integer. "
                         f"dtype: {tensor.dtype.name}.")
    if tensor.dtype.is_integer != integer:
        column_dtype = "int64" if integer else "string"
        raise ValueError(f"Column dtype and SparseTensors dtype must be compatible. key: {key}, "
                         f"column dtype: {column_dtype}, tensor dtype: {tensor.dtype.name}")
    return _rows(tensor)


# --- numeric and bucketized ---------------------------------------------------------------------
class _NumericValues:
    """The feature `key` as float32 values of `shape`, through `normalizer_fn` (numeric and
    sequence numeric columns)."""

    @property
    def name(self):
        return self.key

    @property
    def _variable_shape(self):
        return tuple(self.shape)

    def _transform_feature(self, builder):
        tensor = builder.get(self.key)
        if self.normalizer_fn is not None:
            tensor = self.normalizer_fn(tensor)
        return array.cast(tensor, dtypes.float32)


class NumericColumn(_NumericValues, _DenseColumn, collections.namedtuple(
        "NumericColumn", ["key", "shape", "default_value", "dtype", "normalizer_fn"])):
    @property
    def parse_example_spec(self):
        return {self.key: example_parsing.FixedLenFeature(self.shape, self.dtype,
                                                          self.default_value)}

    def _get_dense_tensor(self, builder, weight_collections=None, trainable=None):
        return builder.get(self)


def _nested_tuple(value):
    return tuple(_nested_tuple(v) for v in value) if isinstance(value, list) else value


def numeric_column(key, shape=(1,), default_value=None, dtype=dtypes.float32,
                   normalizer_fn=None):
    """A real-valued feature of `shape` per example, cast to float32 (after normalizer_fn)."""
    _check_key(key)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    for d in shape:
        if not isinstance(d, (int, np.integer)):
            raise TypeError(f"shape dimensions must be integer. shape: {shape}, key: {key}")
        if d < 1:
            raise ValueError(f"shape dimensions must be greater than 0. shape: {shape}, "
                             f"key: {key}")
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_integer or dtype.is_floating):
        raise ValueError(f"dtype must be convertible to float. dtype: {dtype}, key: {key}")
    if default_value is not None:  # as TF: a nested tuple of `shape`
        default_value = _nested_tuple(np.broadcast_to(
            np.asarray(default_value, dtype.as_numpy_dtype), shape).tolist())
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"normalizer_fn must be a callable. Given: {normalizer_fn}")
    return NumericColumn(key, tuple(int(d) for d in shape), default_value, dtype,
                          normalizer_fn)


class BucketizedColumn(_DenseColumn, _CategoricalColumn, collections.namedtuple(
        "BucketizedColumn", ["source_column", "boundaries"])):
    @property
    def parse_example_spec(self):
        return self.source_column.parse_example_spec

    @property
    def name(self):
        return f"{self.source_column.name}_bucketized"

    @property
    def _variable_shape(self):
        return tuple(self.source_column.shape) + (len(self.boundaries) + 1,)

    @property
    def _num_buckets(self):
        return int(np.prod(self.source_column.shape)) * (len(self.boundaries) + 1)

    def _transform_feature(self, builder):
        return fc_ops.bucketize(builder.get(self.source_column), self.boundaries)

    def _get_dense_tensor(self, builder, weight_collections=None, trainable=None):
        return array.one_hot(builder.get(self), len(self.boundaries) + 1,
                                 dtype=dtypes.float32)

    def _get_ids(self, builder):
        per_value = len(self.boundaries) + 1
        buckets = array.cast(_rows(builder.get(self)), dtypes.int64)
        width = int(np.prod(self.source_column.shape))
        return buckets + np.arange(width, dtype=np.int64) * per_value


def bucketized_column(source_column, boundaries):
    """Buckets of a numeric column: (-inf, b0), [b0, b1), ..., [bn, inf), one-hot per value."""
    if not isinstance(source_column, NumericColumn):
        raise ValueError(f"source_column must be a column generated with numeric_column(). "
                         f"Given: {source_column}")
    if len(source_column.shape) > 1:
        raise ValueError(f"source_column must be one-dimensional column. Given: "
                         f"{source_column}")
    if not boundaries or not isinstance(boundaries, (list, tuple)) or any(
            a >= b for a, b in zip(boundaries, boundaries[1:])):
        raise ValueError("boundaries must be a sorted list.")
    return BucketizedColumn(source_column, tuple(boundaries))


# --- categorical columns -------------------------------------------------------------------------
def _check_key(key):
    if not isinstance(key, str):
        raise ValueError(f"key must be a string. Given: {key!r}")


def _string_or_int(dtype, key):
    dtype = dtypes.as_dtype(dtype)
    if dtype is not dtypes.string and not dtype.is_integer:
        raise ValueError(f"dtype must be string or integer. dtype: {dtype}, column_name: {key}")
    return dtype


class HashedCategoricalColumn(_CategoricalColumn, collections.namedtuple(
        "HashedCategoricalColumn", ["key", "hash_bucket_size", "dtype"])):
    @property
    def parse_example_spec(self):
        return {self.key: example_parsing.VarLenFeature(self.dtype)}

    @property
    def name(self):
        return self.key

    @property
    def _num_buckets(self):
        return self.hash_bucket_size

    def _transform_feature(self, builder):
        values = _check_categorical_input(self.key, builder.get(self.key),
                                          self.dtype.is_integer)
        return fc_ops.categorical_hash(values, self.hash_bucket_size)


def categorical_column_with_hash_bucket(key, hash_bucket_size, dtype=dtypes.string):
    """Ids Fingerprint64(value) % hash_bucket_size, as TF assigns them."""
    _check_key(key)
    if hash_bucket_size is None:
        raise ValueError(f"hash_bucket_size must be set. key: {key}")
    if hash_bucket_size < 1:
        raise ValueError(f"hash_bucket_size must be at least 1. hash_bucket_size: "
                         f"{hash_bucket_size}, key: {key}")
    return HashedCategoricalColumn(key, int(hash_bucket_size), _string_or_int(dtype, key))


class _VocabularyLookup(_CategoricalColumn):
    """Ids are positions in `vocabulary` (a tuple the subclass gives), OOV buckets after."""

    @property
    def parse_example_spec(self):
        return {self.key: example_parsing.VarLenFeature(self.dtype)}

    @property
    def name(self):
        return self.key

    @property
    def _num_buckets(self):
        return len(self.vocabulary) + self.num_oov_buckets

    def _transform_feature(self, builder):
        values = _check_categorical_input(self.key, builder.get(self.key),
                                          self.dtype.is_integer)
        return fc_ops.categorical_vocabulary(values, self.vocabulary, self.num_oov_buckets,
                                             self.default_value)


class VocabularyListCategoricalColumn(_VocabularyLookup, collections.namedtuple(
        "VocabularyListCategoricalColumn",
        ["key", "vocabulary_list", "dtype", "default_value", "num_oov_buckets"])):
    @property
    def vocabulary(self):
        return self.vocabulary_list


class VocabularyFileCategoricalColumn(_VocabularyLookup, collections.namedtuple(
        "VocabularyFileCategoricalColumn",
        ["key", "vocabulary_file", "vocabulary_size", "num_oov_buckets", "dtype",
         "default_value"])):
    @property
    def vocabulary(self):
        """The file's first vocabulary_size lines (ints for an integer column)."""
        entries = _vocabulary_file_lines(self.vocabulary_file)[:self.vocabulary_size]
        return tuple(int(e) for e in entries) if self.dtype.is_integer else tuple(entries)


def _vocabulary_file_lines(path):
    with gfile.GFile(path, "r") as f:
        return [line.rstrip("\r\n") for line in f]


def _checked_default(vocabulary, default_value, num_oov_buckets, where):
    """The default id (-1 for none) after checking the vocabulary and OOV settings."""
    if num_oov_buckets < 0:
        raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets} in {where}.")
    if default_value is not None and num_oov_buckets:
        raise ValueError(f"Can't specify both num_oov_buckets and default_value in {where}.")
    if len(set(vocabulary)) != len(vocabulary):
        raise ValueError(f"Duplicate keys in vocabulary_list {list(vocabulary)}")
    return -1 if default_value is None else int(default_value)


def categorical_column_with_vocabulary_list(key, vocabulary_list, dtype=None,
                                            default_value=-1, num_oov_buckets=0):
    """Ids are positions in `vocabulary_list`; others go to OOV hash buckets or default_value."""
    _check_key(key)
    vocabulary_list = list(vocabulary_list or ())
    if not vocabulary_list:
        raise ValueError(f"vocabulary_list {vocabulary_list} must be non-empty, column_name: "
                         f"{key}")
    inferred = dtypes.string if isinstance(vocabulary_list[0], (str, bytes)) else dtypes.int64
    dtype = inferred if dtype is None else _string_or_int(dtype, key)
    if dtype.is_integer != inferred.is_integer:
        raise ValueError(f"dtype {dtype} and vocabulary dtype {inferred} do not match, "
                         f"column_name: {key}")
    if default_value == -1:
        default_value = None
    default = _checked_default(vocabulary_list, default_value, num_oov_buckets, key)
    return VocabularyListCategoricalColumn(key, tuple(vocabulary_list), dtype, default,
                                           int(num_oov_buckets))


def categorical_column_with_vocabulary_file(key, vocabulary_file, vocabulary_size=None,
                                            num_oov_buckets=0, default_value=None,
                                            dtype=dtypes.string):
    """Like vocabulary_list with the vocabulary read from a file, one entry a line."""
    _check_key(key)
    if not vocabulary_file:
        raise ValueError(f"Missing vocabulary_file in {key}.")
    dtype = _string_or_int(dtype, key)
    lines = _vocabulary_file_lines(vocabulary_file)
    if vocabulary_size is None:
        vocabulary_size = len(lines)
    if vocabulary_size <= 0:
        raise ValueError(f"Invalid vocabulary_size in {key}.")
    if vocabulary_size > len(lines):
        raise ValueError(f"Invalid vocab_size {vocabulary_size} for {vocabulary_file}: the "
                         f"file has {len(lines)} lines")
    entries = lines[:vocabulary_size]
    vocabulary = [int(e) for e in entries] if dtype.is_integer else entries
    default = _checked_default(vocabulary, default_value, num_oov_buckets, key)
    return VocabularyFileCategoricalColumn(key, vocabulary_file, int(vocabulary_size),
                                           int(num_oov_buckets), dtype, default)


class IdentityCategoricalColumn(_CategoricalColumn, collections.namedtuple(
        "IdentityCategoricalColumn", ["key", "number_buckets", "default_value"])):
    @property
    def num_buckets(self):
        return self.number_buckets

    @property
    def parse_example_spec(self):
        return {self.key: example_parsing.VarLenFeature(dtypes.int64)}

    @property
    def name(self):
        return self.key

    @property
    def _num_buckets(self):
        return self.num_buckets

    def _transform_feature(self, builder):
        tensor = builder.get(self.key)
        if not tensor.dtype.is_integer:
            raise ValueError(f"Invalid input, not integer. key: {self.key} dtype: "
                             f"{tensor.dtype.name}")
        return fc_ops.categorical_identity(_rows(tensor), self.num_buckets, self.default_value)


def categorical_column_with_identity(key, num_buckets, default_value=None):
    """Integer features used as ids in [0, num_buckets)."""
    _check_key(key)
    if num_buckets < 1:
        raise ValueError(f"num_buckets {num_buckets} < 1, column_name {key}")
    if default_value is not None and not 0 <= default_value < num_buckets:
        raise ValueError(f"default_value {default_value} not in range [0, {num_buckets}), "
                         f"column_name {key}")
    return IdentityCategoricalColumn(key, int(num_buckets), default_value)


class CrossedColumn(_CategoricalColumn, collections.namedtuple(
        "CrossedColumn", ["keys", "hash_bucket_size", "hash_key"])):
    _packs_ids = True

    @property
    def parse_example_spec(self):
        spec = {}
        for key in self.keys:
            spec.update(key.parse_example_spec if isinstance(key, _FeatureColumn)
                        else {key: example_parsing.VarLenFeature(dtypes.string)})
        return spec

    @property
    def name(self):
        return "_X_".join(sorted(_leaf_names(self)))

    @property
    def _num_buckets(self):
        return self.hash_bucket_size

    def _transform_feature(self, builder):
        # as TF's sparse_cross_hashed: nested crosses are flattened to their leaf keys; the
        # sparse inputs (columns' ids and raw SparseTensor features, whose absent values are
        # missing) enter the hash first in key order, then the dense raw features, whole
        sparse, dense = [], []
        for key in _leaf_keys(self):
            if not isinstance(key, str):
                sparse.append(key._get_ids(builder))
                continue
            tensor = builder.get(key)
            tensor = _check_categorical_input(key, tensor, tensor.dtype.is_integer)
            (sparse if builder.is_sparse(key) else dense).append(tensor)
        return fc_ops.hashed_cross(sparse, dense, self.hash_bucket_size,
                                   _DEFAULT_HASH_KEY if self.hash_key is None else self.hash_key)


def _leaf_keys(column):
    leaves = []
    for key in column.keys:
        leaves.extend(_leaf_keys(key) if isinstance(key, CrossedColumn) else [key])
    return leaves


def _leaf_names(column):
    return [key if isinstance(key, str) else key.name for key in _leaf_keys(column)]


def crossed_column(keys, hash_bucket_size, hash_key=None):
    """Hashed combinations of the values of `keys` (feature names or categorical columns)."""
    if not hash_bucket_size or hash_bucket_size < 1:
        raise ValueError(f"hash_bucket_size must be > 1. hash_bucket_size: {hash_bucket_size}")
    if not keys or len(keys) < 2:
        raise ValueError(f"keys must be a list with length > 1. Given: {keys}")
    for key in keys:
        if isinstance(key, HashedCategoricalColumn):
            raise ValueError(f"categorical_column_with_hash_bucket is not supported for "
                             f"crossing. Hashing before crossing will increase probability of "
                             f"collision. Instead, use the feature name as a string. Given: "
                             f"{key}")
        if not isinstance(key, (str, _CategoricalColumn)):
            raise ValueError(f"Unsupported key type. All keys must be either string, or "
                             f"categorical column except HashedCategoricalColumn. Given: {key}")
    return CrossedColumn(tuple(keys), int(hash_bucket_size),
                         None if hash_key is None else int(hash_key))


# --- dense views of categorical columns ---------------------------------------------------------
def combine_ids(params, ids, combiner, name=None, weights=None):
    """Rows of `params` for the ids >= 0 of each example, reduced by combiner sum, mean or
    sqrtn (TF's safe_embedding_lookup_sparse; rows without ids give 0). With `weights`
    (aligned with ids) each row is scaled by its weight; mean and sqrtn drop ids of weight
    <= 0 and divide by the sum of the weights / the root of the sum of their squares."""
    valid = math_ops.greater_equal(ids, 0)
    rows = array.gather(params, array.where(valid, ids, array.zeros_like(ids)))
    if weights is not None:
        return _combine_weighted(rows, valid, weights, combiner, name)
    weights = array.expand_dims(array.cast(valid, params.dtype), -1)
    total = math_ops.reduce_sum(rows * weights, axis=1)
    if combiner == "sum":
        return array.identity(total, name=name)
    count = math_ops.reduce_sum(weights, axis=1)
    if combiner == "sqrtn":
        count = math_ops.sqrt(count)
    return math_ops.divide(total, math_ops.maximum(count, 1.0), name=name)


def _combine_weighted(rows, valid, weights, combiner, name):
    weights = array.cast(weights, rows.dtype)
    keep = valid if combiner == "sum" else \
        math_ops.logical_and(valid, math_ops.greater(weights, 0.0))
    weights = array.where(keep, weights, array.zeros_like(weights))
    total = math_ops.reduce_sum(rows * array.expand_dims(weights, -1), axis=1)
    if combiner == "sum":
        return array.identity(total, name=name)
    if combiner == "mean":
        denominator = math_ops.reduce_sum(weights, axis=1, keepdims=True)
    else:
        denominator = math_ops.sqrt(math_ops.reduce_sum(math_ops.square(weights), axis=1,
                                                        keepdims=True))
    positive = math_ops.greater(denominator, 0.0)
    safe = array.where(positive, denominator, array.ones_like(denominator))
    return math_ops.multiply(total / safe, array.cast(positive, rows.dtype), name=name)


_COMBINERS = ("mean", "sqrtn", "sum")


class IndicatorColumn(_DenseColumn, collections.namedtuple(
        "IndicatorColumn", ["categorical_column"])):
    @property
    def parse_example_spec(self):
        return self.categorical_column.parse_example_spec

    @property
    def name(self):
        return f"{self.categorical_column.name}_indicator"

    @property
    def _variable_shape(self):
        return (1, self.categorical_column._num_buckets)

    def _transform_feature(self, builder):
        ids = self.categorical_column._get_ids(builder)
        hot = array.one_hot(ids, self.categorical_column._num_buckets, dtype=dtypes.float32)
        weights = self.categorical_column._get_weights(builder)
        if weights is not None:  # the weights themselves, as TF's sparse_merge gives them
            hot = hot * array.expand_dims(array.cast(weights, dtypes.float32), -1)
        return math_ops.reduce_sum(hot, axis=1)

    def _get_dense_tensor(self, builder, weight_collections=None, trainable=None):
        return builder.get(self)


def indicator_column(categorical_column):
    """Multi-hot view of a categorical column: per example, how often each id occurs."""
    if not isinstance(categorical_column, _CategoricalColumn):
        raise ValueError(f"categorical_column must be a categorical column. Given: "
                         f"{categorical_column}")
    return IndicatorColumn(categorical_column)


class _Embedding:
    """What an embedding column and a shared one have in common: ids in, a [num_buckets,
    dimension] variable looked up and combined."""

    @property
    def parse_example_spec(self):
        return self.categorical_column.parse_example_spec

    @property
    def _variable_shape(self):
        return (self.dimension,)

    def _transform_feature(self, builder):
        return self.categorical_column._get_ids(builder)

    def _new_weights(self, weight_collections, trainable):
        """The 'embedding_weights' variable, warm-started from ckpt_to_load_from if set."""
        weights = get_variable(
            "embedding_weights", shape=[self.categorical_column._num_buckets, self.dimension],
            dtype=dtypes.float32, initializer=self.initializer,
            trainable=self.trainable and trainable is not False, collections=weight_collections)
        if self.ckpt_to_load_from is not None:
            from tensorweave.train import checkpoint_utils
            checkpoint_utils.init_from_checkpoint(self.ckpt_to_load_from,
                                                  {self.tensor_name_in_ckpt: weights})
        return weights

    def _looked_up(self, builder, weights):
        """The combined embeddings of the ids, rows clipped to max_norm if set."""
        if self.max_norm is not None:
            weights = _clip_rows(weights, self.max_norm)
        return combine_ids(weights, builder.get(self), self.combiner,
                           weights=self.categorical_column._get_weights(builder))


class EmbeddingColumn(_Embedding, _DenseColumn, collections.namedtuple(
        "EmbeddingColumn", ["categorical_column", "dimension", "combiner", "initializer",
                            "ckpt_to_load_from", "tensor_name_in_ckpt", "max_norm",
                            "trainable"])):
    @property
    def name(self):
        return f"{self.categorical_column.name}_embedding"

    def _get_dense_tensor(self, builder, weight_collections=None, trainable=None):
        return self._looked_up(builder, self._new_weights(weight_collections, trainable))


def _clip_rows(weights, max_norm):
    norms = math_ops.sqrt(math_ops.reduce_sum(math_ops.square(weights), axis=1, keepdims=True))
    return weights * (max_norm / math_ops.maximum(norms, max_norm))


def _embedding_initializer(dimension, combiner, initializer, ckpt_to_load_from,
                           tensor_name_in_ckpt):
    """Checks an embedding's arguments; its initializer (TF's default: a truncated normal of
    stddev 1/sqrt(dimension) when none is given)."""
    if dimension is None or dimension < 1:
        raise ValueError(f"Invalid dimension {dimension}.")
    if (ckpt_to_load_from is None) != (tensor_name_in_ckpt is None):
        raise ValueError("Must specify both `ckpt_to_load_from` and `tensor_name_in_ckpt` or "
                         "none of them.")
    if combiner not in _COMBINERS:
        raise ValueError(f"combiner must be one of {_COMBINERS}, got {combiner!r}")
    if initializer is None:
        initializer = truncated_normal_initializer(mean=0.0, stddev=1 / math.sqrt(dimension))
    return initializer


def embedding_column(categorical_column, dimension, combiner="mean", initializer=None,
                     ckpt_to_load_from=None, tensor_name_in_ckpt=None, max_norm=None,
                     trainable=True):
    """A trainable [num_buckets, dimension] embedding of a categorical column's ids."""
    if initializer is not None and not callable(initializer):
        raise ValueError(f"initializer must be callable if specified. Embedding of "
                         f"column_name: {categorical_column.name}")
    initializer = _embedding_initializer(dimension, combiner, initializer, ckpt_to_load_from,
                                         tensor_name_in_ckpt)
    if not isinstance(categorical_column, _CategoricalColumn):
        raise ValueError(f"categorical_column must be a categorical column. Given: "
                         f"{categorical_column}")
    return EmbeddingColumn(categorical_column, int(dimension), combiner, initializer,
                            ckpt_to_load_from, tensor_name_in_ckpt, max_norm, trainable)


class WeightedCategoricalColumn(_CategoricalColumn, collections.namedtuple(
        "WeightedCategoricalColumn", ["categorical_column", "weight_feature_key", "dtype"])):
    @property
    def parse_example_spec(self):
        spec = dict(self.categorical_column.parse_example_spec)
        if self.weight_feature_key in spec:
            raise ValueError(f"Parse config {spec[self.weight_feature_key]} already exists for "
                             f"{self.weight_feature_key}.")
        spec[self.weight_feature_key] = example_parsing.VarLenFeature(self.dtype)
        return spec

    @property
    def name(self):
        return f"{self.categorical_column.name}_weighted_by_{self.weight_feature_key}"

    @property
    def _num_buckets(self):
        return self.categorical_column._num_buckets

    def _transform_feature(self, builder):
        ids = self.categorical_column._get_ids(builder)
        weights = builder.get(self.weight_feature_key)
        if weights.dtype.is_integer or weights.dtype is dtypes.string or weights.dtype.is_bool:
            raise ValueError(f"Bad dtype, expected {self.dtype.name}, but got "
                             f"{weights.dtype.name}.")
        weights = _rows(array.cast(weights, dtypes.float32))
        known = [t.shape.as_tuple()[1] if t.shape.ndims == 2 else None for t in (ids, weights)]
        if None not in known and known[0] != known[1]:
            raise ValueError(f"Dimensions of ids {ids.shape} and weights {weights.shape} of "
                             f"{self.name} must match.")
        return ids, weights

    def _get_ids(self, builder):
        return builder.get(self)[0]

    def _get_weights(self, builder):
        return builder.get(self)[1]


def weighted_categorical_column(categorical_column, weight_feature_key, dtype=dtypes.float32):
    """A categorical column whose ids carry the float weights of feature
    `weight_feature_key` (the same shape as the ids): linear_model and embeddings scale each
    id's row by its weight, indicator_column holds the weights."""
    if not isinstance(categorical_column, _CategoricalColumn):
        raise ValueError(f"categorical_column must be of type _CategoricalColumn. Given: "
                         f"{categorical_column}")
    _check_key(weight_feature_key)
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating and not dtype.is_integer:
        raise ValueError(f"dtype {dtype} is not convertible to float.")
    return WeightedCategoricalColumn(categorical_column, weight_feature_key, dtype)


class _SharedEmbeddingColumn(_Embedding, _DenseColumn, collections.namedtuple(
        "_SharedEmbeddingColumn", ["categorical_column", "dimension", "combiner",
                                   "initializer", "shared_embedding_collection_name",
                                   "ckpt_to_load_from", "tensor_name_in_ckpt", "max_norm",
                                   "trainable"])):
    @property
    def name(self):
        return f"{self.categorical_column.name}_shared_embedding"

    @property
    def _var_scope_name(self):
        return self.shared_embedding_collection_name

    def _get_dense_tensor(self, builder, weight_collections=None, trainable=None):
        from tensorweave.core.graph import get_default_graph
        graph = get_default_graph()
        shape = [self.categorical_column._num_buckets, self.dimension]
        shared = graph.get_collection(self.shared_embedding_collection_name)
        if shared:
            if len(shared) > 1:
                raise ValueError(f"Collection {self.shared_embedding_collection_name} can only "
                                 f"contain one variable. Suggested fix A: Choose a unique name "
                                 f"for this collection. Suggested fix B: Do not add any "
                                 f"variables to this collection. The feature_column library "
                                 f"already adds a variable under the hood.")
            weights = shared[0]
            if weights.shape.as_list() != shape:
                raise ValueError(f"Shared embedding collection "
                                 f"{self.shared_embedding_collection_name} contains variable "
                                 f"{weights} of unexpected shape {weights.shape}. Expected "
                                 f"shape is {shape}. Suggested fix A: Choose a unique name for "
                                 f"this collection. Suggested fix B: Do not add any variables "
                                 f"to this collection. The feature_column library already "
                                 f"adds a variable under the hood.")
        else:
            weights = self._new_weights(weight_collections, trainable)
            graph.add_to_collection(self.shared_embedding_collection_name, weights)
        return self._looked_up(builder, weights)


def _column_kind(column):
    return type(column.categorical_column if isinstance(
        column, WeightedCategoricalColumn) else column)


def shared_embedding_columns(categorical_columns, dimension, combiner="mean",
                             initializer=None, shared_embedding_collection_name=None,
                             ckpt_to_load_from=None, tensor_name_in_ckpt=None, max_norm=None,
                             trainable=True):
    """Embedding columns of categorical columns (of one kind and bucket count) that share one
    [num_buckets, dimension] variable, 'embedding_weights' in the scope named by
    shared_embedding_collection_name (default: the sorted column names joined by '_', plus
    '_shared_embedding')."""
    if initializer is not None and not callable(initializer):
        raise ValueError("initializer must be callable if specified.")
    initializer = _embedding_initializer(dimension, combiner, initializer, ckpt_to_load_from,
                                         tensor_name_in_ckpt)
    columns = list(categorical_columns)
    if not columns:
        raise ValueError("categorical_columns must not be empty.")
    for column in columns:
        if not isinstance(column, (IdentityCategoricalColumn, _VocabularyLookup,
                                   HashedCategoricalColumn, WeightedCategoricalColumn)):
            raise ValueError(f"All categorical_columns must be subclasses of "
                             f"_CategoricalColumn. Given: {column}, of type: {type(column)}")
    first = columns[0]
    for column in columns[1:]:
        if _column_kind(column) is not _column_kind(first):
            raise ValueError(f"To use shared_embedding_column, all categorical_columns must "
                             f"have the same type, or be weighted_categorical_column of the "
                             f"same type. Given column: {first} of type: {type(first)} does "
                             f"not match given column: {column} of type: {type(column)}")
        if column._num_buckets != first._num_buckets:
            raise ValueError(f"To use shared_embedding_column, all categorical_columns must "
                             f"have the same number of buckets. Given column: {first} with "
                             f"buckets: {first._num_buckets} does not match column: {column} "
                             f"with buckets: {column._num_buckets}")
    if not shared_embedding_collection_name:
        names = sorted(c.name for c in columns)
        shared_embedding_collection_name = "_".join(names) + "_shared_embedding"
    return [_SharedEmbeddingColumn(c, int(dimension), combiner, initializer,
                                   shared_embedding_collection_name, ckpt_to_load_from,
                                   tensor_name_in_ckpt, max_norm, trainable)
            for c in columns]


# --- sequence columns (for sequence_input_layer) ------------------------------------------------
def _present_steps(features, key, per_step):
    """The sequence length [batch] of feature `key`: the last present position + 1 (of a
    SparseTensor's indices, or of the non-missing values of a dense tensor), over per_step
    values a step, rounded up."""
    from tensorweave.core.sparse_tensor import SparseTensor
    if key not in features:
        raise ValueError(f"Feature {key} is not in features dictionary.")
    tensor = features[key]
    if isinstance(tensor, SparseTensor):
        present = _dense_of_sparse(SparseTensor(tensor.indices, array.ones_like(
            tensor.values, dtype=dtypes.int64), tensor.dense_shape))
        present = math_ops.greater(_rows(present), 0)
    else:
        tensor = tensor if isinstance(tensor, Tensor) else convert_to_tensor(np.asarray(tensor))
        tensor = _rows(array.expand_dims(tensor, -1) if tensor.shape.ndims == 1 else tensor)
        if tensor.dtype.is_floating:
            present = array.ones_like(tensor, dtype=dtypes.bool)
        else:
            present = math_ops.not_equal(tensor, _missing_value(tensor.dtype))
    positions = array.cast(array.range_(array.shape(present)[1]) + 1, dtypes.int64)
    last = math_ops.reduce_max(array.cast(present, dtypes.int64) * positions, axis=1)
    if per_step == 1:
        return last
    return (last + per_step - 1) // per_step


class _SequenceNumericColumn(_NumericValues, _FeatureColumn, collections.namedtuple(
        "_SequenceNumericColumn", ["key", "shape", "default_value", "dtype",
                                   "normalizer_fn"])):
    @property
    def parse_example_spec(self):
        return {self.key: example_parsing.VarLenFeature(self.dtype)}

    def _get_sequence_dense_tensor(self, builder, weight_collections=None, trainable=None):
        """([batch, T, prod(shape)] values, [batch] lengths)."""
        width = int(np.prod(self.shape))
        values = _rows(builder.get(self))
        if self.default_value:
            present = _present_mask(builder, self.key)
            values = array.where(present, values, array.fill(array.shape(values),
                                                               float(self.default_value)))
        dense = array.reshape(values, array.stack([array.shape(values)[0], -1, width]))
        return dense, builder.sequence_length(self.key, width)


def _present_mask(builder, key):
    length = builder.sequence_length(key, 1)
    values = _rows(builder.get(key))
    positions = array.cast(array.range_(array.shape(values)[1]), dtypes.int64)
    return math_ops.less(array.expand_dims(positions, 0), array.expand_dims(length, 1))


def sequence_numeric_column(key, shape=(1,), default_value=0.0, dtype=dtypes.float32,
                            normalizer_fn=None):
    """A sequence of real values of `shape` per step (sequence_input_layer's input)."""
    _check_key(key)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    for d in shape:
        if not isinstance(d, (int, np.integer)) or d < 1:
            raise ValueError(f"shape dimensions must be greater than 0. shape: {shape}, "
                             f"key: {key}")
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_integer or dtype.is_floating):
        raise ValueError(f"dtype must be convertible to float. dtype: {dtype}, key: {key}")
    if normalizer_fn is not None and not callable(normalizer_fn):
        raise TypeError(f"normalizer_fn must be a callable. Given: {normalizer_fn}")
    return _SequenceNumericColumn(key, tuple(int(d) for d in shape), default_value, dtype,
                                  normalizer_fn)


class _SequenceCategoricalColumn(_CategoricalColumn, collections.namedtuple(
        "_SequenceCategoricalColumn", ["categorical_column"])):
    """One categorical id per step ([batch, T], -1 missing); embedding_column and
    indicator_column of it give [batch, T, dimension] in sequence_input_layer."""

    @property
    def parse_example_spec(self):
        return self.categorical_column.parse_example_spec

    @property
    def name(self):
        return self.categorical_column.name

    @property
    def _num_buckets(self):
        return self.categorical_column._num_buckets

    def _transform_feature(self, builder):
        return self.categorical_column._get_ids(builder)

    def _get_weights(self, builder):
        return self.categorical_column._get_weights(builder)

    def _sequence_length(self, builder):
        return builder.sequence_length(self._leaf_key, 1)

    @property
    def _leaf_key(self):
        column = self.categorical_column
        while not hasattr(column, "key"):
            column = column.categorical_column
        return column.key


def sequence_categorical_column_with_identity(key, num_buckets, default_value=None):
    """A sequence of integer ids in [0, num_buckets), one per step."""
    return _SequenceCategoricalColumn(categorical_column_with_identity(key, num_buckets,
                                                                       default_value))


def sequence_categorical_column_with_hash_bucket(key, hash_bucket_size, dtype=dtypes.string):
    """A sequence of hashed ids, one per step."""
    return _SequenceCategoricalColumn(categorical_column_with_hash_bucket(key, hash_bucket_size,
                                                                          dtype))


def sequence_categorical_column_with_vocabulary_file(key, vocabulary_file,
                                                     vocabulary_size=None, num_oov_buckets=0,
                                                     default_value=None,
                                                     dtype=dtypes.string):
    """A sequence of ids from a vocabulary file, one per step."""
    return _SequenceCategoricalColumn(categorical_column_with_vocabulary_file(
        key, vocabulary_file, vocabulary_size, num_oov_buckets, default_value, dtype))


def sequence_categorical_column_with_vocabulary_list(key, vocabulary_list, dtype=None,
                                                     default_value=-1, num_oov_buckets=0):
    """A sequence of ids from a vocabulary list, one per step."""
    return _SequenceCategoricalColumn(categorical_column_with_vocabulary_list(
        key, vocabulary_list, dtype, default_value, num_oov_buckets))


def _is_sequence(column):
    inner = getattr(column, "categorical_column", None)
    return isinstance(column, (_SequenceNumericColumn, _SequenceCategoricalColumn)) or \
        isinstance(inner, _SequenceCategoricalColumn)


def _sequence_dense(column, builder, weight_collections, trainable):
    """([batch, T, width] values, [batch] lengths) of a sequence column or of an embedding /
    indicator column of a sequence categorical column."""
    if isinstance(column, _SequenceNumericColumn):
        return column._get_sequence_dense_tensor(builder, weight_collections, trainable)
    sequence = getattr(column, "categorical_column", None)
    if not isinstance(column, (IndicatorColumn, EmbeddingColumn)) or \
            not isinstance(sequence, _SequenceCategoricalColumn):
        raise ValueError(f"All feature_columns must be sequence columns (sequence_* or "
                         f"embedding/indicator columns of sequence_categorical_column_*). "
                         f"Given: {column}")
    ids = sequence._get_ids(builder)  # [batch, T]
    steps = array.reshape(ids, [-1, 1])
    if isinstance(column, IndicatorColumn):
        flat = array.one_hot(array.reshape(ids, [-1]), sequence._num_buckets,
                             dtype=dtypes.float32)
        width = sequence._num_buckets
    else:
        flat = _StepIds(steps, column)._get_dense_tensor(None, weight_collections, trainable)
        width = column.dimension
    dense = array.reshape(flat, array.stack([array.shape(ids)[0], -1, width]))
    return dense, sequence._sequence_length(builder)


class _StepIds:
    """An embedding column's lookup on ids given directly (one id per step)."""

    def __init__(self, ids, column):
        self._ids, self._column = ids, column

    def _get_dense_tensor(self, builder, weight_collections, trainable):
        return self._column._get_dense_tensor(_Fixed(self._column, self._ids),
                                              weight_collections, trainable)


class _Fixed:
    """A builder that answers one column with a given tensor."""

    def __init__(self, column, value):
        self._column, self._value = column, value

    def get(self, key):
        if key is self._column:
            return self._value
        raise ValueError(f"{key} cannot be built here")


def sequence_input_layer(features, feature_columns, weight_collections=None, trainable=True):
    """TF 1.x contrib's sequence_input_layer: (the [batch, T, n] float32 input of a sequence
    model, each column's per-step values concatenated in order of column name, and the
    [batch] int64 sequence lengths, which must agree between columns)."""
    columns = _normalize_columns(feature_columns)
    weight_collections = _with_globals(weight_collections)
    builder = LazyBuilder(features)
    outputs, lengths = [], []
    with variable_scope(None, default_name="sequence_input_layer",
                        values=list(features.values())):
        for column in columns:
            with variable_scope(None, default_name=column._var_scope_name):
                dense, length = _sequence_dense(column, builder, weight_collections,
                                                trainable)
            outputs.append(dense)
            lengths.append(length)
        from tensorweave.ops import check_ops
        checks = [check_ops.assert_equal(lengths[0], other, message="sequence lengths differ")
                  for other in lengths[1:]]
        from tensorweave.core.graph import control_dependencies
        with control_dependencies(checks):
            length = array.identity(lengths[0], name="sequence_length")
        return array.concat(outputs, -1), length


# --- input_layer and linear_model ----------------------------------------------------------------
def _normalize_columns(feature_columns):
    if isinstance(feature_columns, _FeatureColumn):
        feature_columns = [feature_columns]
    if isinstance(feature_columns, dict):
        raise ValueError("Expected feature_columns to be iterable, found dict.")
    feature_columns = list(feature_columns)
    if not feature_columns:
        raise ValueError("feature_columns must not be empty.")
    names = {}
    for column in feature_columns:
        if not isinstance(column, _FeatureColumn):
            raise ValueError(f"Items of feature_columns must be a _FeatureColumn. Given (type "
                             f"{type(column)}): {column}.")
        if column.name in names:
            raise ValueError(f"Duplicate feature column name found for columns: "
                             f"{names[column.name]} and {column}. This usually means that "
                             f"these columns refer to same base feature. Either one must be "
                             f"discarded or a duplicated but renamed item must be inserted in "
                             f"features dict.")
        names[column.name] = column
    return sorted(feature_columns, key=lambda c: c.name)


def _check_batch_sizes(tensors, columns):
    first = None
    for tensor, column in zip(tensors, columns):
        size = tensor.shape.as_tuple()[0] if tensor.shape.ndims else None
        if size is None:
            continue
        if first is None:
            first = (column, size)
        elif size != first[1]:
            raise ValueError(f"Batch size (first dimension) of each feature must be same. "
                             f"Batch size of columns ({first[0].name}, {column.name}): "
                             f"({first[1]}, {size})")


def _flat(tensor, width, column):
    """`tensor` as [batch, width], checking the static shape where it is known."""
    dims = tensor.shape.as_tuple() if tensor.shape.ndims is not None else None
    if dims is not None and None not in dims[1:] and int(np.prod(dims[1:])) != width:
        raise ValueError(f"Feature column {column.name!r} expects {width} values per example, "
                         f"got a tensor of shape {tensor.shape}")
    if dims and dims[0] is not None:
        return array.reshape(tensor, [dims[0], width])
    return array.reshape(tensor, array.stack([array.shape(tensor)[0], width]))


def _with_globals(weight_collections):
    if weight_collections and GraphKeys.GLOBAL_VARIABLES not in weight_collections:
        return list(weight_collections) + [GraphKeys.GLOBAL_VARIABLES]
    return weight_collections


def _model_collections(weight_collections):
    """The collections of input_layer's and linear_model's variables, as TF: the given ones
    (any empty value is none) and GLOBAL_VARIABLES and MODEL_VARIABLES."""
    collections = list(weight_collections or [])
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES):
        if key not in collections:
            collections.append(key)
    return collections


def _created_since(count_before):
    from tensorweave.variables import global_variables
    return global_variables()[count_before:]


def _variable_count():
    from tensorweave.variables import global_variables
    return len(global_variables())


def make_parse_example_spec(feature_columns):
    """The tf.parse_example features dict the columns read (each column's parse spec); a key
    two columns read differently is a ValueError, as in TF."""
    spec = {}
    for column in feature_columns:
        if not isinstance(column, _FeatureColumn):
            raise ValueError(f"All feature_columns must be _FeatureColumn instances. Given: "
                             f"{column}")
        for key, config in column.parse_example_spec.items():
            if key in spec and spec[key] != config:
                raise ValueError(f"feature_columns contain different parse_spec for key "
                                 f"{key}. Given {config} and {spec[key]}")
            spec[key] = config
    return spec


def input_layer(features, feature_columns, weight_collections=None, trainable=True,
                cols_to_vars=None, cols_to_output_tensors=None):
    """The dense [batch, n] float32 input of a model: each column's values flattened per
    example and concatenated in order of column name."""
    columns = _normalize_columns(feature_columns)
    for column in columns:
        if _is_sequence(column):
            raise ValueError(f"In {column.name}: the column must not be a sequence column. "
                             f"Suggested fix A: If you wish to use input_layer, use a "
                             f"non-sequence categorical_column_with_*. Suggested fix B: If "
                             f"you wish to create sequence input, use sequence_input_layer "
                             f"instead of input_layer. Given (type {type(column)}): {column}")
        if not isinstance(column, _DenseColumn):
            raise ValueError(f"Items of feature_columns must be a _DenseColumn. You can wrap a "
                             f"categorical column with an embedding_column or indicator_column. "
                             f"Given: {column}")
    weight_collections = _model_collections(weight_collections)
    builder = LazyBuilder(features)
    outputs, dense = [], []
    with variable_scope(None, default_name="input_layer", values=list(features.values())):
        for column in columns:
            before = _variable_count()
            with variable_scope(None, default_name=column._var_scope_name):
                dense.append(column._get_dense_tensor(builder, weight_collections, trainable))
                width = int(np.prod(column._variable_shape))
                outputs.append(_flat(dense[-1], width, column))
            if cols_to_vars is not None:
                cols_to_vars[column] = _created_since(before)
            if cols_to_output_tensors is not None:
                cols_to_output_tensors[column] = outputs[-1]
        _check_batch_sizes(dense, columns)
        return array.concat(outputs, 1)


def linear_model(features, feature_columns, units=1, sparse_combiner="sum",
                 weight_collections=None, trainable=True, cols_to_vars=None):
    """A linear prediction [batch, units]: per column weights (zeros at start) times its dense
    values or summed over its ids (`sparse_combiner`), plus `bias_weights`."""
    columns = _normalize_columns(feature_columns)
    if sparse_combiner not in _COMBINERS:
        raise ValueError(f"sparse_combiner must be one of {_COMBINERS}, got "
                         f"{sparse_combiner!r}")
    for column in columns:
        if _is_sequence(column):
            raise ValueError(f"linear_model does not support sequence columns. Given: "
                             f"{column}")
        if not isinstance(column, (_DenseColumn, _CategoricalColumn)):
            raise ValueError(f"Items of feature_columns must be either a _DenseColumn or "
                             f"_CategoricalColumn. Given: {column}")
    weight_collections = _model_collections(weight_collections)
    builder = LazyBuilder(features)
    sums = []
    with variable_scope(None, default_name="linear_model", values=list(features.values())) \
            as scope:
        base = scope.name.split("/")[-1]
    # as TF's _LinearModel layer: ops in a fresh name scope named after the model, holding one
    # of the model's name (the first call's "linear_model_1/linear_model/..."), variables in
    # the variable scope just made
    with name_scope(base), name_scope(base), \
            variable_scope(scope, auxiliary_name_scope=False):
        for column in columns:
            with variable_scope(None, default_name=column._var_scope_name):
                sums.append(_weighted_sum(column, builder, units, sparse_combiner,
                                          weight_collections, trainable, cols_to_vars))
        _check_batch_sizes(sums, columns)
        no_bias = math_ops.add_n(sums, name="weighted_sum_no_bias")
        bias = get_variable("bias_weights", shape=[units], dtype=dtypes.float32,
                            initializer=zeros_initializer(), trainable=trainable,
                            collections=weight_collections)
        if cols_to_vars is not None:
            cols_to_vars["bias"] = [bias]
        return nn_ops.bias_add(no_bias, bias, name="weighted_sum")


def _weighted_sum(column, builder, units, combiner, weight_collections, trainable,
                  cols_to_vars):
    categorical = isinstance(column, _CategoricalColumn)
    rows = column._num_buckets if categorical else int(np.prod(column._variable_shape))
    weights = get_variable("weights", shape=[rows, units], dtype=dtypes.float32,
                           initializer=zeros_initializer(), trainable=trainable,
                           collections=weight_collections)
    if cols_to_vars is not None:
        cols_to_vars[column] = [weights]
    if categorical:
        return combine_ids(weights, column._get_ids(builder), combiner,
                           name="weighted_sum", weights=column._get_weights(builder))
    tensor = _flat(column._get_dense_tensor(builder, weight_collections, trainable), rows,
                   column)
    return math_ops.matmul(tensor, weights, name="weighted_sum")
