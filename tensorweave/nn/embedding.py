"""Sparse embedding lookups: tf.nn.embedding_lookup_sparse (TF's composite of unique,
embedding_lookup and segment sums) and safe_embedding_lookup_sparse (invalid ids and
non-positive weights pruned, empty rows given default_id's embedding or zeros, ids of any rank).

    sp_ids = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], [3, 1, 3], [2, 2])
    vectors = tf.nn.embedding_lookup_sparse(params, sp_ids, None, combiner="mean")
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.ops import array, math_ops, norm_ops, segment_ops, sort_ops

_COMBINERS = ("mean", "sqrtn", "sum")


def _shards(params):
    if params is None:
        raise ValueError(f"Missing embedding_weights {params}.")
    shards = list(params) if isinstance(params, (list, tuple)) or hasattr(
        params, "_get_variable_list") else [params]
    if not shards:
        raise ValueError(f"Missing embedding_weights {params}.")
    return shards


def _check_combiner(combiner):
    if combiner not in _COMBINERS:
        raise ValueError("combiner must be one of 'mean', 'sqrtn' or 'sum'")


def _column(weights, like):
    """Weights [n] reshaped to [n, 1, ...] to broadcast against embeddings `like`."""
    rank = like.shape.ndims
    if rank is None:
        ones = array.fill(array.expand_dims(array.rank(like) - 1, 0), 1)
        return array.reshape(weights, array.concat([array.shape(weights), ones], 0))
    return array.reshape(weights, [-1] + [1] * (rank - 1))


def embedding_lookup_sparse(params, sp_ids, sp_weights, partition_strategy="mod", name=None,
                            combiner=None, max_norm=None, allow_fast_lookup=False):
    """For each row of SparseTensor sp_ids (ids sorted by row): the embeddings of its ids
    combined by `combiner` ("sum", "mean" or "sqrtn", weighted by sp_weights if given)."""
    combiner = combiner or "mean"
    _check_combiner(combiner)
    shards = _shards(params)
    if not isinstance(sp_ids, SparseTensor):
        raise TypeError("sp_ids must be SparseTensor")
    if sp_weights is not None and not isinstance(sp_weights, SparseTensor):
        raise TypeError("sp_weights must be either None or SparseTensor")
    if sp_weights is not None:
        sp_ids.values.shape.assert_is_compatible_with(sp_weights.values.shape)
        sp_ids.indices.shape.assert_is_compatible_with(sp_weights.indices.shape)
    with name_scope(name, "embedding_lookup_sparse", [sp_ids.values]) as scope:
        segment_ids = array.cast(sp_ids.indices[:, 0], dtypes.int32)
        ids, idx = sort_ops.unique(sp_ids.values)
        embeddings = norm_ops.embedding_lookup(shards, ids, partition_strategy=partition_strategy,
                                               max_norm=max_norm)
        if embeddings.dtype in (dtypes.float16, dtypes.bfloat16):
            embeddings = array.cast(embeddings, dtypes.float32)
        final = scope[:-1] + "/"
        if sp_weights is None:
            reduce = {"sum": segment_ops.sparse_segment_sum,
                      "mean": segment_ops.sparse_segment_mean,
                      "sqrtn": segment_ops.sparse_segment_sqrt_n}[combiner]
            return reduce(embeddings, idx, segment_ids, name=final)
        weights = sp_weights.values
        if weights.dtype is not embeddings.dtype:
            weights = array.cast(weights, embeddings.dtype)
        embeddings = array.gather(embeddings, idx)
        weights = _column(weights, embeddings)
        embeddings = embeddings * weights
        if combiner == "sum":
            return segment_ops.segment_sum(embeddings, segment_ids, name=final)
        total = segment_ops.segment_sum(embeddings, segment_ids)
        if combiner == "mean":
            return math_ops.divide(total, segment_ops.segment_sum(weights, segment_ids),
                                   name=final)
        norm = math_ops.sqrt(segment_ops.segment_sum(math_ops.square(weights), segment_ids))
        return math_ops.divide(total, norm, name=final)


def safe_embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights=None,
                                 combiner="mean", default_id=None, name=None,
                                 partition_strategy="div", max_norm=None,
                                 allow_fast_lookup=False):
    """embedding_lookup_sparse that tolerates invalid ids (< 0, pruned), non-positive weights
    (pruned unless combiner is "sum") and empty rows (default_id's embedding, or zeros);
    sparse_ids of rank r > 2 give a result of shape dense_shape[:-1] + embedding shape."""
    _check_combiner(combiner)
    shards = _shards(embedding_weights)
    dtype = sparse_weights.dtype if sparse_weights is not None else None
    shards = [convert_to_tensor(w, dtype=dtype) for w in shards]
    with name_scope(name, "embedding_lookup", [sparse_ids.values]) as scope:
        shape = sparse_ids.dense_shape
        rank = shape.shape[0].value if shape.shape.ndims == 1 else None
        if rank is None:
            raise ValueError("safe_embedding_lookup_sparse needs sparse_ids of known rank")
        outer = shape[:rank - 1]
        strides = [math_ops.reduce_prod(outer[k + 1:]) for k in range(rank - 1)]
        row = sum(sparse_ids.indices[:, k] * strides[k] for k in range(rank - 1))
        num_rows = math_ops.reduce_prod(outer)
        ids = sparse_ids.values
        valid = math_ops.greater_equal(ids, 0)
        weights = sparse_weights.values if sparse_weights is not None else None
        if weights is not None and combiner != "sum":
            valid = math_ops.logical_and(valid, math_ops.greater(weights, 0))
        keep = array.where(valid)[:, 0]
        row = array.cast(array.gather(row, keep), dtypes.int32)
        ids = array.gather(ids, keep)
        unique_ids, idx = sort_ops.unique(ids)
        table = norm_ops.embedding_lookup(shards, unique_ids, partition_strategy=partition_strategy,
                                          max_norm=max_norm)
        embeddings = array.gather(table, idx)
        if weights is None:
            weights = array.ones_like(ids, dtype=embeddings.dtype)
        else:
            weights = array.cast(array.gather(weights, keep), embeddings.dtype)
        column = _column(weights, embeddings)
        rows = array.cast(num_rows, dtypes.int32)
        total = segment_ops.unsorted_segment_sum(embeddings * column, row, rows)
        if combiner == "mean":
            total = total / segment_ops.unsorted_segment_sum(column, row, rows)
        elif combiner == "sqrtn":
            total = total / math_ops.sqrt(segment_ops.unsorted_segment_sum(
                math_ops.square(column), row, rows))
        count = segment_ops.unsorted_segment_sum(array.ones_like(row), row, rows)
        empty = math_ops.logical_or(_column(math_ops.equal(count, 0), total),
                                    array.zeros_like(total, dtype=dtypes.bool))
        if default_id is None:
            fill = array.zeros_like(total)
        else:
            fill = array.zeros_like(total) + norm_ops.embedding_lookup(
                shards, [default_id], partition_strategy=partition_strategy, max_norm=max_norm)
        result = array.where(empty, fill, total)
        final_shape = array.concat([array.cast(outer, dtypes.int32), array.shape(result)[1:]], 0)
        out = array.reshape(result, final_shape, name=scope[:-1] + "/")
        if result.shape.ndims is not None:
            out.set_shape([None] * (rank - 1) + result.shape.as_list()[1:])
        return out
