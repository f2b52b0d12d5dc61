"""contrib.layers' feature columns under their TF 1.x names and arguments, built as the
tf.feature_column columns they became (so linear_model, input_layer and the estimators take
them): real_valued_column, bucketized_column, sparse_column_with_hash_bucket,
sparse_column_with_keys, embedding_column, one_hot_column.

A sparse column's `combiner` other than "sum" (set per model in tf.feature_column, through
linear_model's sparse_combiner) and a real_valued_column of dimension None (a variable-length
sparse column) are refused."""
from tensorweave.core import dtypes
from tensorweave.estimator import feature_column as fc


def real_valued_column(column_name, dimension=1, default_value=None, dtype=dtypes.float32,
                       normalizer=None):
    """A dense real-valued feature of shape [dimension]: numeric_column."""
    if dimension is None:
        raise NotImplementedError("real_valued_column(dimension=None), a variable-length "
                                  "sparse column, is not provided by tensorweave")
    if not isinstance(dimension, int) or dimension < 1:
        raise ValueError(f"dimension must be an integer >= 1, given: {dimension}")
    return fc.numeric_column(column_name, shape=(dimension,), default_value=default_value,
                             dtype=dtype, normalizer_fn=normalizer)


def bucketized_column(source_column, boundaries):
    """Buckets of a real-valued column."""
    return fc.bucketized_column(source_column, boundaries)


def _sum_combiner(combiner, column_name):
    if combiner != "sum":
        raise NotImplementedError(
            f"sparse column {column_name!r}: combiner={combiner!r} is not provided by "
            f"tensorweave (tf.feature_column sets it per model: linear_model's "
            f"sparse_combiner)")


def sparse_column_with_hash_bucket(column_name, hash_bucket_size, combiner="sum",
                                   dtype=dtypes.string, hash_keys=None):
    """Ids Fingerprint64(value) % hash_bucket_size: categorical_column_with_hash_bucket."""
    _sum_combiner(combiner, column_name)
    if hash_keys is not None:
        raise NotImplementedError("sparse_column_with_hash_bucket(hash_keys=...) is not "
                                  "provided by tensorweave")
    return fc.categorical_column_with_hash_bucket(column_name, hash_bucket_size, dtype=dtype)


def sparse_column_with_keys(column_name, keys, default_value=-1, combiner="sum",
                            dtype=dtypes.string):
    """Ids are positions in `keys`: categorical_column_with_vocabulary_list."""
    _sum_combiner(combiner, column_name)
    return fc.categorical_column_with_vocabulary_list(column_name, tuple(keys), dtype=dtype,
                                                      default_value=default_value)


def embedding_column(sparse_id_column, dimension, combiner="mean", initializer=None,
                     ckpt_to_load_from=None, tensor_name_in_ckpt=None, max_norm=None,
                     trainable=True):
    """A trainable [buckets, dimension] embedding of a sparse column."""
    return fc.embedding_column(sparse_id_column, dimension, combiner=combiner,
                               initializer=initializer, ckpt_to_load_from=ckpt_to_load_from,
                               tensor_name_in_ckpt=tensor_name_in_ckpt, max_norm=max_norm,
                               trainable=trainable)


def one_hot_column(sparse_id_column):
    """Multi-hot counts of a sparse column's ids: indicator_column."""
    return fc.indicator_column(sparse_id_column)
