"""tf.contrib.factorization's k-means graph builder (TF 1.15's `KMeans`).

    kmeans = KMeans(inputs=x, num_clusters=25, distance_metric="cosine", use_mini_batch=True)
    (all_scores, cluster_idx, scores, initialized, init_op, train_op) = kmeans.training_graph()

Run `init_op` until `initialized` is True (once, when a batch holds num_clusters points), then
`train_op` as often as wanted: a full Lloyd iteration, or a mini-batch step where each center
moves to the running mean of the points assigned to it. The centers live in the variable
`clusters` (validate_shape=False), as in TensorFlow.
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import (constant, constant_value, convert_to_tensor,
                                        register_tensor_conversion_function)
from tensorweave.core.graph import control_dependencies
from tensorweave.ops import (array, check_ops, clustering_ops, control_flow_ops, math_ops,
                             nn_ops, norm_ops, random_ops, sort_ops, state_ops)
from tensorweave.variables import Variable

__all__ = ["KMeans", "SQUARED_EUCLIDEAN_DISTANCE", "COSINE_DISTANCE", "RANDOM_INIT",
           "KMEANS_PLUS_PLUS_INIT", "KMC2_INIT", "CLUSTERS_VAR_NAME", "nearest_neighbors",
           "kmeans_plus_plus_initialization", "kmc2_chain_initialization"]

SQUARED_EUCLIDEAN_DISTANCE = "squared_euclidean"
COSINE_DISTANCE = "cosine"
RANDOM_INIT = "random"
KMEANS_PLUS_PLUS_INIT = "kmeans_plus_plus"
KMC2_INIT = "kmc2"
CLUSTERS_VAR_NAME = "clusters"

nearest_neighbors = clustering_ops.nearest_neighbors
kmeans_plus_plus_initialization = clustering_ops.kmeans_plus_plus_initialization
kmc2_chain_initialization = clustering_ops.kmc2_chain_initialization


class ShardTuple(tuple):
    """One tensor per input shard (TF returns tuples here); like any tuple of tensors in TF,
    it converts to a tensor by stacking (`tf.reduce_mean(scores)` works)."""


def _stack_shards(value, dtype=None, name=None):
    return array.stack(list(value), name=name or "packed")


register_tensor_conversion_function(ShardTuple, _stack_shards)


def _normalize_rows(x):
    return nn_ops.l2_normalize(x, dim=1)


class KMeans:
    """Creates the graph for k-means clustering (full batch or mini-batch).

    inputs: a float32 [n, d] tensor or a list of them (shards); num_clusters: an int (ignored
    when initial_clusters holds the centers); initial_clusters: "random", "kmeans_plus_plus",
    "kmc2", a [k, d] array or tensor, or a function f(inputs, k); distance_metric:
    "squared_euclidean" or "cosine".
    """

    def __init__(self, inputs, num_clusters, initial_clusters=RANDOM_INIT,
                 distance_metric=SQUARED_EUCLIDEAN_DISTANCE, use_mini_batch=False,
                 mini_batch_steps_per_iteration=1, random_seed=0,
                 kmeans_plus_plus_num_retries=2, kmc2_chain_length=200):
        if isinstance(initial_clusters, str) and initial_clusters not in (
                RANDOM_INIT, KMEANS_PLUS_PLUS_INIT, KMC2_INIT):
            raise ValueError(f"Unsupported initialization algorithm '{initial_clusters}'")
        if distance_metric not in (SQUARED_EUCLIDEAN_DISTANCE, COSINE_DISTANCE):
            raise ValueError(f"Unsupported distance metric '{distance_metric}'")
        self._inputs = inputs if isinstance(inputs, list) else [inputs]
        self._num_clusters = num_clusters
        self._initial_clusters = initial_clusters
        self._distance_metric = distance_metric
        self._use_mini_batch = use_mini_batch
        self._mini_batch_steps_per_iteration = int(mini_batch_steps_per_iteration)
        self._random_seed = random_seed
        self._kmeans_plus_plus_num_retries = kmeans_plus_plus_num_retries
        self._kmc2_chain_length = kmc2_chain_length

    # --- distances ---------------------------------------------------------------------------
    @classmethod
    def _distance_graph(cls, inputs, clusters, distance_metric):
        if distance_metric == SQUARED_EUCLIDEAN_DISTANCE:
            return cls._compute_euclidean_distance(inputs, clusters)
        return cls._compute_cosine_distance(inputs, clusters, inputs_normalized=True)

    @classmethod
    def _compute_euclidean_distance(cls, inputs, clusters):
        """||x||^2 - 2 x.c + ||c||^2 for each input row x and center c."""
        out = []
        for inp in inputs:
            out.append(math_ops.reduce_sum(math_ops.square(inp), 1, keepdims=True)
                       - 2 * math_ops.matmul(inp, clusters, transpose_b=True)
                       + array.transpose(math_ops.reduce_sum(math_ops.square(clusters), 1,
                                                             keepdims=True)))
        return out

    @classmethod
    def _compute_cosine_distance(cls, inputs, clusters, inputs_normalized=True):
        """1 - x.c for normalized rows (normalized here unless inputs_normalized)."""
        if not inputs_normalized:
            clusters = _normalize_rows(clusters)
        out = []
        for inp in inputs:
            if not inputs_normalized:
                inp = _normalize_rows(inp)
            out.append(1 - math_ops.matmul(inp, clusters, transpose_b=True))
        return out

    def _clusters_l2_normalized(self):
        return self._distance_metric == COSINE_DISTANCE and (
            not self._use_mini_batch or self._mini_batch_steps_per_iteration > 1)

    def _infer_graph(self, inputs, clusters):
        """(all_scores, scores, cluster_idx), one entry per input shard."""
        all_scores = self._distance_graph(inputs, clusters, self._distance_metric)
        if self._distance_metric == COSINE_DISTANCE and not self._clusters_l2_normalized():
            clusters = _normalize_rows(clusters)
        scores, indices = [], []
        for inp in inputs:
            nearest, distances = clustering_ops.nearest_neighbors(inp, clusters, 1)
            if self._distance_metric == COSINE_DISTANCE:
                distances *= 0.5  # squared euclidean of unit vectors is twice their cosine
            scores.append(array.squeeze(distances, [-1]))
            indices.append(array.squeeze(nearest, [-1]))
        return ShardTuple(all_scores), ShardTuple(scores), ShardTuple(indices)

    # --- variables ---------------------------------------------------------------------------
    def _create_variables(self, num_clusters):
        known = constant_value(num_clusters)  # the counts' static shape, as TF infers it
        num_clusters = num_clusters if known is None else int(known)
        empty = constant([], dtype=dtypes.float32)
        centers = Variable(empty, name=CLUSTERS_VAR_NAME, validate_shape=False)
        initialized = Variable(False, dtype=dtypes.bool, name="initialized")
        if self._use_mini_batch and self._mini_batch_steps_per_iteration > 1:
            updated = Variable(empty, name="clusters_updated", validate_shape=False)
            update_in_steps = Variable(self._mini_batch_steps_per_iteration,
                                       dtype=dtypes.int64, name="update_in_steps")
            counts = Variable(array.zeros([num_clusters], dtype=dtypes.int64))
        else:
            updated, update_in_steps = centers, None
            counts = (Variable(array.ones([num_clusters], dtype=dtypes.int64))
                      if self._use_mini_batch else None)
        return centers, initialized, counts, updated, update_in_steps

    @classmethod
    def _l2_normalize_data(cls, inputs):
        return [_normalize_rows(inp) for inp in inputs]

    def training_graph(self):
        """(all_scores, cluster_idx, scores, cluster_centers_initialized, init_op, training_op)
        as TF 1.15 returns them; the first three are tuples with one entry per input shard."""
        if isinstance(self._initial_clusters, str) or callable(self._initial_clusters):
            initial_clusters = self._initial_clusters
            num_clusters = convert_to_tensor(self._num_clusters)
        else:
            initial_clusters = convert_to_tensor(self._initial_clusters)
            rows = initial_clusters.shape[0].value if initial_clusters.shape.ndims else None
            num_clusters = array.shape(initial_clusters)[0] if rows is None else constant(rows)
        inputs = self._inputs
        (centers_var, initialized, total_counts, centers_updated,
         update_in_steps) = self._create_variables(num_clusters)
        init_op = _InitializeClustersOpFactory(
            self._inputs, num_clusters, initial_clusters, self._distance_metric,
            self._random_seed, self._kmeans_plus_plus_num_retries, self._kmc2_chain_length,
            centers_var, centers_updated, initialized).op()
        centers = centers_var
        if self._distance_metric == COSINE_DISTANCE:
            inputs = self._l2_normalize_data(inputs)
            if not self._clusters_l2_normalized():
                centers = _normalize_rows(centers)
        all_scores, scores, cluster_idx = self._infer_graph(inputs, centers)
        if self._use_mini_batch:
            sync = self._mini_batch_sync_updates_op(update_in_steps, centers_var,
                                                    centers_updated, total_counts)
            with control_dependencies([sync]):
                training_op = self._mini_batch_training_op(inputs, cluster_idx,
                                                           centers_updated, total_counts)
        else:
            training_op = self._full_batch_training_op(inputs, num_clusters, cluster_idx,
                                                       centers_var)
        return all_scores, cluster_idx, scores, initialized, init_op, training_op

    # --- training ----------------------------------------------------------------------------
    def _mini_batch_sync_updates_op(self, update_in_steps, centers_var, centers_updated,
                                    total_counts):
        if not (self._use_mini_batch and self._mini_batch_steps_per_iteration > 1):
            return control_flow_ops.no_op()

        def sync():
            with control_dependencies([state_ops.assign(
                    update_in_steps, self._mini_batch_steps_per_iteration - 1)]):
                centers = centers_updated
                if self._distance_metric == COSINE_DISTANCE:
                    centers = _normalize_rows(centers_updated)
                with control_dependencies([state_ops.assign(centers_var, centers)]):
                    with control_dependencies([state_ops.assign(
                            total_counts, array.zeros_like(total_counts))]):
                        return array.identity(update_in_steps)

        return control_flow_ops.cond(update_in_steps <= 0, sync,
                                     lambda: state_ops.assign_sub(update_in_steps, 1))

    def _mini_batch_training_op(self, inputs, cluster_idx_list, cluster_centers,
                                total_counts):
        """Each center x with count n and k new points d_i: x += (sum d_i - k x) / (n + k)."""
        updates = []
        for inp, cluster_idx in zip(inputs, cluster_idx_list):
            cluster_idx = array.reshape(cluster_idx, [-1])
            unique_ids, unique_idx = sort_ops.unique(cluster_idx)
            num_unique = array.size(unique_ids)
            old_counts = array.gather(total_counts, unique_ids)
            old_centers = array.gather(cluster_centers, unique_ids)
            count_updates = array.unsorted_segment_sum(
                array.ones_like(unique_idx, dtype=total_counts.dtype), unique_idx, num_unique)
            center_updates = array.unsorted_segment_sum(inp, unique_idx, num_unique)
            broadcast_shape = array.concat([
                array.reshape(num_unique, [1]),
                array.ones(array.reshape(array.rank(inp) - 1, [1]), dtype=dtypes.int32)], 0)
            center_updates -= array.cast(array.reshape(count_updates, broadcast_shape),
                                            inp.dtype) * old_centers
            learning_rate = math_ops.reciprocal(array.cast(old_counts + count_updates,
                                                              inp.dtype))
            center_updates *= array.reshape(learning_rate, broadcast_shape)
            # the old values are read before the updates land (TF's executor reads them first
            # because they are ready first; here the order is made explicit)
            with control_dependencies([old_counts, old_centers]):
                updates.append(state_ops.scatter_add(total_counts, unique_ids, count_updates))
                updates.append(state_ops.scatter_add(cluster_centers, unique_ids,
                                                     center_updates))
        return control_flow_ops.group(*updates)

    def _full_batch_training_op(self, inputs, num_clusters, cluster_idx_list, cluster_centers):
        """Each center becomes the mean of its points (sum / (count + 1e-6))."""
        sums, counts = [], []
        epsilon = constant(1e-6, dtype=inputs[0].dtype)
        for inp, cluster_idx in zip(inputs, cluster_idx_list):
            sums.append(array.unsorted_segment_sum(inp, cluster_idx, num_clusters))
            ones = array.ones(array.reshape(array.shape(inp)[0], [-1]))
            counts.append(array.unsorted_segment_sum(array.reshape(ones, [-1, 1]), cluster_idx,
                                                     num_clusters))
        new_centers = math_ops.add_n(sums) / (
            array.cast(math_ops.add_n(counts), sums[0].dtype) + epsilon)
        if self._clusters_l2_normalized():
            new_centers = _normalize_rows(new_centers)
        return state_ops.assign(cluster_centers, new_centers)


class _InitializeClustersOpFactory:
    """Builds the op that chooses initial centers: while fewer than num_clusters centers are
    chosen, add up to the remaining number from the batch (all of it when the batch is
    smaller), and set `initialized` once none remain."""

    def __init__(self, inputs, num_clusters, initial_clusters, distance_metric, random_seed,
                 kmeans_plus_plus_num_retries, kmc2_chain_length, cluster_centers,
                 cluster_centers_updated, cluster_centers_initialized):
        self._inputs = inputs
        self._num_clusters = num_clusters
        self._initial_clusters = initial_clusters
        self._distance_metric = distance_metric
        self._random_seed = random_seed
        self._kmeans_plus_plus_num_retries = kmeans_plus_plus_num_retries
        self._kmc2_chain_length = kmc2_chain_length
        self._cluster_centers = cluster_centers
        self._cluster_centers_updated = cluster_centers_updated
        self._cluster_centers_initialized = cluster_centers_initialized
        self._num_selected = array.shape(cluster_centers)[0]
        self._num_remaining = num_clusters - self._num_selected
        self._num_data = math_ops.add_n([array.shape(i)[0] for i in inputs])

    def _random(self):
        indices = random_ops.random_uniform(
            array.reshape(self._num_remaining, [-1]), minval=0,
            maxval=array.cast(self._num_data, dtypes.int64), seed=self._random_seed,
            dtype=dtypes.int64)
        return norm_ops.embedding_lookup(self._inputs, indices, partition_strategy="div")

    def _kmeans_plus_plus(self):
        inp = self._inputs[0]
        if self._distance_metric == COSINE_DISTANCE:
            inp = _normalize_rows(inp)
        return clustering_ops.kmeans_plus_plus_initialization(
            inp, array.cast(self._num_remaining, dtypes.int64), self._random_seed,
            self._kmeans_plus_plus_num_retries)

    def _assign_centers(self, new_centers):
        assigned = state_ops.assign(self._cluster_centers, new_centers, validate_shape=False)
        if self._cluster_centers_updated is not self._cluster_centers:
            assigned = state_ops.assign(self._cluster_centers_updated, assigned,
                                        validate_shape=False)
        return assigned

    def _kmc2_multiple_centers(self):
        """Adds one center per chain of kmc2_chain_length points (the first point when no
        center is chosen yet); returns the number still remaining."""
        first_shard = self._inputs[0]
        batch_size = array.shape(first_shard)[0]
        max_to_sample = array.cast(batch_size / self._kmc2_chain_length, dtypes.int32)
        num_to_sample = math_ops.maximum(math_ops.minimum(self._num_remaining, max_to_sample), 1)

        def body(i, _):
            def sample_random():
                center = array.reshape(first_shard[0], [1, -1])
                if self._distance_metric == COSINE_DISTANCE:
                    center = _normalize_rows(center)
                return center

            def sample_chain():
                start = i * self._kmc2_chain_length
                subset = first_shard[start:start + self._kmc2_chain_length]
                _, distances = clustering_ops.nearest_neighbors(subset, self._cluster_centers, 1)
                index = clustering_ops.kmc2_chain_initialization(array.squeeze(distances),
                                                                 self._random_seed)
                center = array.reshape(array.gather(subset, index), [1, -1])
                if self._distance_metric == COSINE_DISTANCE:
                    center = _normalize_rows(center)
                return array.concat([self._cluster_centers, center], 0)

            new_centers = control_flow_ops.cond(math_ops.equal(self._num_selected, 0),
                                                sample_random, sample_chain)
            assigned = self._assign_centers(new_centers)
            return i + 1, self._num_clusters - array.shape(assigned)[0]

        _, remaining = control_flow_ops.while_loop(lambda i, _: math_ops.less(i, num_to_sample),
                                                   body, [0, 0])
        return remaining

    def _choose_initial_centers(self):
        if isinstance(self._initial_clusters, str):
            if self._initial_clusters == RANDOM_INIT:  # the whole batch when it is small
                return control_flow_ops.cond(self._num_data <= self._num_remaining,
                                             lambda: array.concat(self._inputs, 0),
                                             self._random)
            with control_dependencies([check_ops.assert_greater_equal(self._num_data,
                                                                      self._num_remaining)]):
                return self._kmeans_plus_plus()
        if callable(self._initial_clusters):
            return self._initial_clusters(self._inputs, self._num_remaining)
        with control_dependencies([check_ops.assert_equal(
                self._num_remaining, array.shape(self._initial_clusters)[0])]):
            return array.identity(self._initial_clusters)

    def _add_new_centers(self):
        new_centers = self._choose_initial_centers()
        if self._distance_metric == COSINE_DISTANCE:
            new_centers = _normalize_rows(new_centers)
        all_centers = control_flow_ops.cond(
            math_ops.equal(self._num_selected, 0), lambda: new_centers,
            lambda: array.concat([self._cluster_centers, new_centers], 0))
        assigned = self._assign_centers(all_centers)
        return self._num_clusters - array.shape(assigned)[0]

    def _initialize(self):
        with control_dependencies([check_ops.assert_positive(self._num_remaining)]):
            if isinstance(self._initial_clusters, str) and \
                    self._initial_clusters == KMC2_INIT:
                remaining = self._kmc2_multiple_centers()
            else:
                remaining = self._add_new_centers()
            return control_flow_ops.cond(
                math_ops.equal(remaining, 0),
                lambda: state_ops.assign(self._cluster_centers_initialized, True),
                control_flow_ops.no_op)

    def op(self):
        """The initializer op: adds centers, or checks `initialized` once all are chosen."""
        return control_flow_ops.cond(
            math_ops.equal(self._num_remaining, 0),
            lambda: check_ops.assert_equal(self._cluster_centers_initialized, True),
            self._initialize)
