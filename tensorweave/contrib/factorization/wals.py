"""tf.contrib.factorization's weighted alternating least squares (TF 1.15's `WALSModel`, from
its factorization_ops module).

WALSModel minimizes ||sqrt(W) * (A - U V^T)||_F^2 + lambda (||U||_F^2 + ||V||_F^2) over the
row factors U and the column factors V, where W_ij = w0 + R_i C_j for an observed entry A_ij
and W_ij = w0 otherwise (w0: unobserved_weight, R, C: row and column weights; with
row_weights=None it is plain ALS with weight w0 everywhere). A row update solves, for each row
i of the input, the normal equations

    (w0 V^T V + lambda I + sum_j R_i C_j v_j v_j^T) u_i = sum_j A_ij (w0 + R_i C_j) v_j

(sums over the observed j). TF solves them with its WALSComputePartialLhsAndRhs kernel; here
the same sums are segment sums over the observed entries, solved with tf.matrix_solve.

    model = WALSModel(m, n, k, unobserved_weight=0.1, regularization=0.01)
    _, row_update, loss, reg, _ = model.update_row_factors(sp_input=a)
    _, col_update, _, _, _ = model.update_col_factors(sp_input=a)
    sess.run(model.initialize_op); sess.run(model.worker_init)
    sess.run(model.row_update_prep_gramian_op); sess.run(model.initialize_row_update_op)
    sess.run(row_update)   # then the same three for columns
"""
import collections.abc
import numbers

from tensorweave.core import dtypes
from tensorweave.core.constants import constant
from tensorweave.core.graph import GraphKeys, control_dependencies, name_scope
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.ops import (array, check_ops, control, counting_ops, linalg_ops, math_ops,
                             norm_ops, random_ops, sort_ops, state_ops)
from tensorweave.ops.array import diagonal
from tensorweave.variables import Variable, variables_initializer

__all__ = ["WALSModel"]


def _segment_sum(data, segment_ids, num_segments):
    return array.unsorted_segment_sum(data, segment_ids, num_segments)


class WALSModel:
    """Weighted alternating least squares matrix factorization (see the module docstring).

    input_rows, input_cols: the matrix's size; n_components: k; row_init, col_init: "random"
    (standard normal), an array or tensor, a list of one per shard, or a function returning
    one; row_weights, col_weights: None (ALS), a non-negative number, or one list of weights
    per shard. Factors, weights and Gramians are variables named as TF names them
    (`row_factors_shard_0`, `col_gramian`, ...).
    """

    def __init__(self, input_rows, input_cols, n_components, unobserved_weight=0.1,
                 regularization=None, row_init="random", col_init="random", num_row_shards=1,
                 num_col_shards=1, row_weights=1, col_weights=1, use_factors_weights_cache=True,
                 use_gramian_cache=True, use_scoped_vars=False):
        self._input_rows = input_rows
        self._input_cols = input_cols
        self._num_row_shards = num_row_shards
        self._num_col_shards = num_col_shards
        self._n_components = n_components
        self._unobserved_weight = unobserved_weight
        self._regularization = regularization
        self._regularization_matrix = (regularization * diagonal.eye(n_components)
                                       if regularization is not None else None)
        if (row_weights is None) != (col_weights is None):
            raise ValueError("row_weights and col_weights must both be None or both be set")
        self._use_factors_weights_cache = use_factors_weights_cache
        self._use_gramian_cache = use_gramian_cache
        made = {}
        for key, build in (
                ("row_weights", lambda: self._create_weights(row_weights, input_rows,
                                                             num_row_shards, "row_weights")),
                ("col_weights", lambda: self._create_weights(col_weights, input_cols,
                                                             num_col_shards, "col_weights")),
                ("row_factors", lambda: self._create_factors(input_rows, n_components,
                                                             num_row_shards, row_init,
                                                             "row_factors")),
                ("col_factors", lambda: self._create_factors(input_cols, n_components,
                                                             num_col_shards, col_init,
                                                             "col_factors"))):
            if use_scoped_vars:
                with name_scope(key):
                    made[key] = build()
            else:
                made[key] = build()
        self._row_weights, self._col_weights = made["row_weights"], made["col_weights"]
        self._row_factors, self._col_factors = made["row_factors"], made["col_factors"]
        self._row_gramian = self._create_gramian(n_components, "row_gramian")
        self._col_gramian = self._create_gramian(n_components, "col_gramian")
        with name_scope("row_prepare_gramian"):
            self._row_update_prep_gramian = self._prepare_gramian(self._col_factors,
                                                                  self._col_gramian)
        with name_scope("col_prepare_gramian"):
            self._col_update_prep_gramian = self._prepare_gramian(self._row_factors,
                                                                  self._row_gramian)
        with name_scope("transient_vars"):
            self._create_transient_vars()

    # --- properties --------------------------------------------------------------------------
    @property
    def row_factors(self):
        """The row factor shards (a list of variables)."""
        return self._row_factors

    @property
    def col_factors(self):
        """The column factor shards (a list of variables)."""
        return self._col_factors

    @property
    def row_weights(self):
        """The row weight shards (a list of variables), or None."""
        return self._row_weights

    @property
    def col_weights(self):
        """The column weight shards (a list of variables), or None."""
        return self._col_weights

    @property
    def initialize_op(self):
        """Initializes the factors, the Gramians and the weights."""
        all_vars = self._row_factors + self._col_factors
        all_vars.extend([self._row_gramian, self._col_gramian])
        if self._row_weights is not None:
            all_vars.extend(self._row_weights + self._col_weights)
        return variables_initializer(all_vars)

    @property
    def worker_init(self):
        """Fills the worker's cache of the row and column weights (run once, after the
        weights are set)."""
        return self._worker_init

    @property
    def row_update_prep_gramian_op(self):
        """Computes the column Gramian V^T V; run before initialize_row_update_op."""
        return self._row_update_prep_gramian

    @property
    def col_update_prep_gramian_op(self):
        """Computes the row Gramian U^T U; run before initialize_col_update_op."""
        return self._col_update_prep_gramian

    @property
    def initialize_row_update_op(self):
        """Caches the column factors and Gramian before a sweep of row updates."""
        return self._row_updates_init

    @property
    def initialize_col_update_op(self):
        """Caches the row factors and Gramian before a sweep of column updates."""
        return self._col_updates_init

    # --- variables ---------------------------------------------------------------------------
    @classmethod
    def _shard_sizes(cls, dims, num_shards):
        shard_size, residual = divmod(dims, num_shards)
        return [shard_size + 1] * residual + [shard_size] * (num_shards - residual)

    @classmethod
    def _create_factors(cls, rows, cols, num_shards, init, name):
        if callable(init):
            init = init()
        is_random = isinstance(init, str) and init == "random"
        if isinstance(init, list):
            if len(init) != num_shards:
                raise ValueError(f"{name}: {len(init)} initial values for {num_shards} shards")
        elif not is_random and num_shards == 1:
            init = [init]

        def make_initializer(i, size):
            if is_random:
                return lambda: random_ops.random_normal([size, cols])
            return lambda: init[i]

        return [Variable(make_initializer(i, size), dtype=dtypes.float32,
                         name=f"{name}_shard_{i}")
                for i, size in enumerate(cls._shard_sizes(rows, num_shards))]

    @classmethod
    def _create_weights(cls, wt_init, num_wts, num_shards, name):
        if wt_init is None:
            return None
        scalar = False
        if isinstance(wt_init, collections.abc.Iterable):
            if num_shards == 1 and len(wt_init) == num_wts:
                wt_init = [wt_init]
            if len(wt_init) != num_shards:
                raise ValueError(f"{name}: {len(wt_init)} weight lists for {num_shards} shards")
        elif isinstance(wt_init, numbers.Real) and wt_init >= 0:
            scalar = True
        else:
            raise ValueError(
                "Invalid weight initialization argument. Must be one of these: None, a real "
                "non-negative real number, or a list of lists of non-negative real numbers (or "
                "equivalent iterables) corresponding to sharded factors.")

        def make_initializer(i, size):
            if scalar:
                return lambda: wt_init * array.ones([size])
            return lambda: wt_init[i]

        return [Variable(make_initializer(i, size), dtype=dtypes.float32,
                         name=f"{name}_shard_{i}")
                for i, size in enumerate(cls._shard_sizes(num_wts, num_shards))]

    @staticmethod
    def _create_gramian(n_components, name):
        return Variable(array.zeros([n_components, n_components]), dtype=dtypes.float32,
                        name=name)

    @staticmethod
    def _transient_var(name):
        return Variable(1.0, trainable=False, collections=[GraphKeys.LOCAL_VARIABLES],
                        validate_shape=False, name=name)

    def _prepare_gramian(self, factors, gramian):
        """An op setting `gramian` to the sum over shards of F^T F."""
        partial = [math_ops.matmul(f, f, transpose_a=True) for f in factors]
        return state_ops.assign(gramian, math_ops.add_n(partial)).op

    def _cached_copy(self, var, name, pass_through=False):
        """(cache, cache_init, cache_reset) for a variable or a list of them: local copies
        filled by cache_init (one shard after the other) and emptied by cache_reset; with
        pass_through, the variables themselves and no-ops."""
        if var is None:
            return None, None, None
        if pass_through:
            return var, control.no_op(), control.no_op()
        if isinstance(var, Variable):
            cache = self._transient_var(name=name)
            return (cache, state_ops.assign(cache, var, validate_shape=False),
                    state_ops.assign(cache, 1.0, validate_shape=False))
        cache = [self._transient_var(name=f"{name}_shard_{i}") for i in range(len(var))]
        resets = []
        cache_init = None
        for i, c in enumerate(cache):
            with control_dependencies([] if cache_init is None else [cache_init]):
                cache_init = state_ops.assign(c, var[i], validate_shape=False)
            resets.append(state_ops.assign(c, 1.0, validate_shape=False))
        return cache, cache_init, control.group(*resets)

    def _create_transient_vars(self):
        """Caches: before row updates, the column factors and Gramian are cached and the row
        ones reset (and the other way round); weights are cached once by worker_init."""
        no_cache = not self._use_factors_weights_cache
        self._row_factors_cache, row_factors_init, row_factors_reset = self._cached_copy(
            self._row_factors, "row_factors_cache", pass_through=no_cache)
        self._col_factors_cache, col_factors_init, col_factors_reset = self._cached_copy(
            self._col_factors, "col_factors_cache", pass_through=no_cache)
        self._row_wt_cache, row_wt_init, _ = self._cached_copy(
            self._row_weights, "row_wt_cache", pass_through=no_cache)
        self._col_wt_cache, col_wt_init, _ = self._cached_copy(
            self._col_weights, "col_wt_cache", pass_through=no_cache)
        no_gramian_cache = not self._use_gramian_cache
        self._row_gramian_cache, row_gramian_init, row_gramian_reset = self._cached_copy(
            self._row_gramian, "row_gramian_cache", pass_through=no_gramian_cache)
        self._col_gramian_cache, col_gramian_init, col_gramian_reset = self._cached_copy(
            self._col_gramian, "col_gramian_cache", pass_through=no_gramian_cache)
        self._row_updates_init = control.group(col_factors_init, row_factors_reset,
                                               col_gramian_init, row_gramian_reset)
        self._col_updates_init = control.group(row_factors_init, col_factors_reset,
                                               row_gramian_init, col_gramian_reset)
        if self._row_wt_cache is not None:
            self._worker_init = control.group(row_wt_init, col_wt_init, name="worker_init")
        else:
            self._worker_init = control.no_op(name="worker_init")

    # --- updates -----------------------------------------------------------------------------
    @staticmethod
    def _get_sharding_func(size, num_shards):
        """ids -> (shard, id within the shard) for TF's "div" layout of `size` rows."""
        def func(ids):
            if num_shards == 1:
                return None, ids
            ids_per_shard = size // num_shards
            extras = size % num_shards
            assignments = math_ops.maximum(ids // (ids_per_shard + 1),
                                           (ids - extras) // ids_per_shard)
            new_ids = array.where(assignments < extras, ids % (ids_per_shard + 1),
                                  (ids - extras) % ids_per_shard)
            return assignments, new_ids
        return func

    @classmethod
    def scatter_update(cls, factor, indices, values, sharding_func, name=None):
        """Writes rows `values` at global row ids `indices` of the sharded `factor`."""
        if len(factor) == 1:
            return state_ops.scatter_update(factor[0], indices, values, name=name).op
        num_shards = len(factor)
        assignments, new_ids = sharding_func(indices)
        assignments = array.cast(assignments, dtypes.int32)
        sharded_ids = counting_ops.dynamic_partition(new_ids, assignments, num_shards)
        sharded_values = counting_ops.dynamic_partition(values, assignments, num_shards)
        return control.group(*[state_ops.scatter_update(factor[i], sharded_ids[i],
                                                        sharded_values[i])
                               for i in range(num_shards)], name=name)

    def update_row_factors(self, sp_input=None, transpose_input=False):
        """Solves for the rows of U that sp_input (a SparseTensor of some rows of the input,
        with the input's indices) touches. Returns (new_values, update_op,
        unregularized_loss, regularization, sum_weights); the losses are normalized to the
        whole matrix (scaled by input_rows / rows in the batch)."""
        return self._process_input_helper(True, sp_input=sp_input,
                                          transpose_input=transpose_input)

    def update_col_factors(self, sp_input=None, transpose_input=False):
        """As update_row_factors, for the columns of V that sp_input touches."""
        return self._process_input_helper(False, sp_input=sp_input,
                                          transpose_input=transpose_input)

    def project_row_factors(self, sp_input=None, transpose_input=False,
                            projection_weights=None):
        """Row factors for new rows (one solve against the current column factors);
        projection_weights: their row weights (a scalar or one per row; default 1)."""
        if projection_weights is None:
            projection_weights = 1
        return self._process_input_helper(True, sp_input=sp_input,
                                          transpose_input=transpose_input,
                                          row_weights=projection_weights)[0]

    def project_col_factors(self, sp_input=None, transpose_input=False,
                            projection_weights=None):
        """Column factors for new columns (one solve against the current row factors)."""
        if projection_weights is None:
            projection_weights = 1
        return self._process_input_helper(False, sp_input=sp_input,
                                          transpose_input=transpose_input,
                                          row_weights=projection_weights)[0]

    def _process_input_helper(self, update_row_factors, sp_input=None, transpose_input=False,
                              row_weights=None):
        if not isinstance(sp_input, SparseTensor):
            raise TypeError(f"sp_input must be a SparseTensor, got {type(sp_input).__name__}")
        if update_row_factors:
            left = self._row_factors
            right_factors = self._col_factors_cache
            row_wt, col_wt = self._row_wt_cache, self._col_wt_cache
            total_rows, total_cols = self._input_rows, self._input_cols
            sharding_func = self._get_sharding_func(self._input_rows, self._num_row_shards)
            gramian = self._col_gramian_cache
        else:
            left = self._col_factors
            right_factors = self._row_factors_cache
            row_wt, col_wt = self._col_wt_cache, self._row_wt_cache
            total_rows, total_cols = self._input_cols, self._input_rows
            sharding_func = self._get_sharding_func(self._input_cols, self._num_col_shards)
            gramian = self._row_gramian_cache
            transpose_input = not transpose_input

        # The rows and columns sp_input touches, renumbered 0, 1, ... in order of appearance.
        row_ids, col_ids = array.split(sp_input.indices, 2, axis=1)
        update_row_indices, all_row_ids = sort_ops.unique(row_ids[:, 0])
        update_col_indices, all_col_ids = sort_ops.unique(col_ids[:, 0])
        if transpose_input:
            update_indices, gather_indices = update_col_indices, update_row_indices
            input_ids, factor_ids = all_col_ids, all_row_ids
        else:
            update_indices, gather_indices = update_row_indices, update_col_indices
            input_ids, factor_ids = all_row_ids, all_col_ids
        num_rows = array.shape(update_indices)[0]
        right = norm_ops.embedding_lookup(right_factors, gather_indices,
                                          partition_strategy="div")
        values = sp_input.values
        right_at = array.gather(right, factor_ids)  # v_j of each observed entry

        # the normal equations: lhs = w0 G + lambda I (+ the observed entries' weights)
        total_lhs = self._unobserved_weight * gramian
        if self._regularization_matrix is not None:
            total_lhs += self._regularization_matrix
        if self._row_weights is None:  # ALS: weight w0 for every entry
            total_rhs = self._unobserved_weight * _segment_sum(
                array.expand_dims(values, 1) * right_at, input_ids, num_rows)
            new_left_values = array.transpose(
                linalg_ops.matrix_solve(total_lhs, array.transpose(total_rhs)))
            entry_weights = None
        else:
            if row_weights is None:
                row_weights_slice = norm_ops.embedding_lookup(row_wt, update_indices,
                                                              partition_strategy="div")
            else:
                row_weights = array.cast(row_weights, dtypes.float32)
                with control_dependencies([check_ops.assert_less_equal(array.rank(row_weights),
                                                                       1)]):
                    row_weights_slice = control.cond(
                        math_ops.equal(array.rank(row_weights), 0),
                        lambda: array.ones(array.stack([num_rows])) * row_weights,
                        lambda: array.identity(row_weights))
            col_weights = norm_ops.embedding_lookup(col_wt, gather_indices,
                                                    partition_strategy="div")
            entry_weights = (array.gather(row_weights_slice, input_ids)
                             * array.gather(col_weights, factor_ids))
            # sum_j R_i C_j v_j v_j^T and sum_j A_ij (w0 + R_i C_j) v_j per updated row i
            outer = array.expand_dims(right_at, 2) * array.expand_dims(right_at, 1)
            partial_lhs = _segment_sum(array.reshape(entry_weights, [-1, 1, 1]) * outer,
                                       input_ids, num_rows)
            total_rhs = _segment_sum(
                array.expand_dims(values * (self._unobserved_weight + entry_weights), 1)
                * right_at, input_ids, num_rows)
            total_lhs = array.expand_dims(total_lhs, 0) + partial_lhs
            new_left_values = array.squeeze(
                linalg_ops.matrix_solve(total_lhs, array.expand_dims(total_rhs, -1)), [2])

        update_op = self.scatter_update(left, update_indices, new_left_values, sharding_func,
                                        name="row_update" if update_row_factors
                                        else "col_update")

        # The loss, split into a sparse term and a Gramian term: w0 (sum_obs (r^2 - p^2) +
        # tr(U^T U G)) + sum_obs R_i C_j r^2, r the residual and p the prediction.
        approx = math_ops.reduce_sum(array.gather(new_left_values, input_ids) * right_at, 1)
        residual_sq = math_ops.square(values - approx)
        approx_sq = math_ops.square(approx)
        partial_row_gramian = math_ops.matmul(new_left_values, new_left_values,
                                              transpose_a=True)
        normalization_factor = constant(float(total_rows)) / array.cast(num_rows,
                                                                         dtypes.float32)
        weighted = (constant(0.0) if entry_weights is None
                    else math_ops.reduce_sum(entry_weights * residual_sq))
        unregularized_loss = (
            self._unobserved_weight * (
                math_ops.reduce_sum(residual_sq) - math_ops.reduce_sum(approx_sq)
                + diagonal.trace(math_ops.matmul(partial_row_gramian, gramian)))
            + weighted) * normalization_factor
        if self._regularization is not None:
            regularization = self._regularization * (
                diagonal.trace(partial_row_gramian) * normalization_factor
                + diagonal.trace(gramian))
        else:
            regularization = constant(0.0)
        sum_weights = self._unobserved_weight * constant(float(total_rows * total_cols))
        if entry_weights is not None:
            sum_weights += math_ops.reduce_sum(entry_weights) * normalization_factor
        return new_left_values, update_op, unregularized_loss, regularization, sum_weights
