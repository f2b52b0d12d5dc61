"""tf.contrib.factorization's Gaussian mixture model graph (TF 1.15's `gmm` and `GmmAlgorithm`).

    loss, scores, assignments, train_op, init_op, initialized = gmm(
        x, "random", num_clusters=3, random_seed=0, covariance_type="full")

Run `init_op` once (it samples the means, sets every covariance to the data's covariance and
the mixture weights to 1/K), then `train_op` per EM iteration. One E step computes the
responsibilities w_ik from the current weights, means and covariances; the M step sets
alpha_k = N_k / N, mu_k = sum_i w_ik x_i / N_k and Sigma_k = sum_i w_ik x_i x_i^T / N_k -
mu_k mu_k^T + 1e-3 I (diagonal of it for "diag"), with N_k = sum_i w_ik. The variables are
`clusters` [K, 1, d], `clusters_covs` [K, d, d] or [K, d], `alphas` [K] and `initialized`.
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import control_dependencies
from tensorweave.core.operation import Tensor
from tensorweave.ops import (array, check_ops, control, linalg_ops, math_ops, norm_ops,
                             random_ops, state_ops)
from tensorweave.ops.array import diagonal
from tensorweave.variables import Variable

__all__ = ["GmmAlgorithm", "gmm", "FULL_COVARIANCE", "DIAG_COVARIANCE", "MEPS"]

MEPS = np.finfo(float).eps  # added to the denominators, as in TF
FULL_COVARIANCE = "full"
DIAG_COVARIANCE = "diag"


def _covariance(x, diag):
    """The sample covariance of the rows of x (n - 1 in the denominator); for diag, the
    variances as a [1, d] row."""
    num_points = array.cast(array.shape(x)[0], dtypes.float32)
    x = x - math_ops.reduce_mean(x, 0, keepdims=True)
    if diag:
        return math_ops.reduce_sum(math_ops.square(x), 0, keepdims=True) / (num_points - 1)
    return math_ops.matmul(x, x, transpose_a=True) / (num_points - 1)


def _init_clusters_random(data, num_clusters, random_seed):
    """num_clusters rows of the data (a list of shards) drawn uniformly with replacement."""
    num_data = math_ops.add_n([array.shape(inp)[0] for inp in data])
    with control_dependencies([check_ops.assert_less_equal(num_clusters, num_data)]):
        indices = random_ops.random_uniform([num_clusters], minval=0,
                                            maxval=array.cast(num_data, dtypes.int64),
                                            seed=random_seed, dtype=dtypes.int64)
    indices %= array.cast(num_data, dtypes.int64)
    return norm_ops.embedding_lookup(data, indices, partition_strategy="div")


class GmmAlgorithm:
    """The graph of one EM iteration of a Gaussian mixture model on data shards.

    data: a list of float32 [n, d] tensors; num_classes: K; initial_means: a [K, d] tensor (or
    None to sample K rows of the data); params: any of "w", "m", "c" (which of weights, means
    and covariances the training op updates); covariance_type: "full" or "diag".
    """
    CLUSTERS_WEIGHT = "alphas"
    CLUSTERS_VARIABLE = "clusters"
    CLUSTERS_COVS_VARIABLE = "clusters_covs"

    def __init__(self, data, num_classes, initial_means=None, params="wmc",
                 covariance_type=FULL_COVARIANCE, random_seed=0):
        if covariance_type not in (DIAG_COVARIANCE, FULL_COVARIANCE):
            raise Exception(  # TF raises a bare Exception here
                f"programmer error: Invalid covariance type: {covariance_type}")
        self._params = params
        self._random_seed = random_seed
        self._covariance_type = covariance_type
        data = [convert_to_tensor(d) for d in data]
        num_shards = len(data)
        self._probs = [None] * num_shards        # log alpha_k N(x_i | mu_k, Sigma_k), [n, K]
        self._prior_probs = [None] * num_shards  # log p(x_i), [n, 1]
        self._w = [None] * num_shards            # responsibilities w_ik, [n, K]
        self._points_in_k = [None] * num_shards  # sum_i w_ik per shard, [1, K]
        self._dimensions = array.shape(data[0])[1]
        self._num_classes = num_classes
        # a small variance keeps the covariances invertible
        self._min_var = diagonal.diag(array.ones(array.stack([self._dimensions]))) * 1e-3
        self._create_variables()
        self._initialize_variables(data, initial_means)
        self._w_mul_x = []   # sum_i w_ik x_i per shard, [K, 1, d]
        self._w_mul_x2 = []  # sum_i w_ik x_i x_i^T per shard, [K, d, d]
        self._define_graph(data)

    # --- variables ---------------------------------------------------------------------------
    def _create_variables(self):
        empty = constant([], dtype=dtypes.float32)
        self._means = Variable(empty, name=self.CLUSTERS_VARIABLE, validate_shape=False)
        self._covs = Variable(empty, name=self.CLUSTERS_COVS_VARIABLE, validate_shape=False)
        self._alpha = Variable(array.tile([1.0 / self._num_classes], [self._num_classes]),
                               name=self.CLUSTERS_WEIGHT, validate_shape=False)
        self._cluster_centers_initialized = Variable(False, dtype=dtypes.bool,
                                                     name="initialized")

    def _initialize_variables(self, data, initial_means=None):
        """The init op: means (given or sampled, [K, 1, d]) and the first shard's covariance
        (+ 1e-3 I) for every class, assigned by each run of it, as TF's (its conds on
        `initialized` take the assigns made outside them)."""
        first_shard = data[0]
        if initial_means is not None:
            means = array.expand_dims(initial_means, 1)
        else:
            means = array.expand_dims(
                _init_clusters_random(data, self._num_classes, self._random_seed), 1)
        if self._covariance_type == FULL_COVARIANCE:
            cov = _covariance(first_shard, False) + self._min_var
            covs = array.tile(array.expand_dims(cov, 0), [self._num_classes, 1, 1])
        else:
            cov = _covariance(first_shard, True) + self._min_var
            covs = array.tile(array.expand_dims(diagonal.diag_part(cov), 0),
                              [self._num_classes, 1])
        with control_dependencies([means, covs]):
            initialized = array.identity(self._cluster_centers_initialized)
        self._init_ops = []
        for var, value in ((self._means, means), (self._covs, covs)):
            # as TF's gmm_ops: the assigns are made outside the conds, so they run with every
            # run of the init op, and the conds only wait for them (the first cond's assign of
            # `initialized` must not keep the second's from running)
            assigned = state_ops.assign(var, value, validate_shape=False)
            with control_dependencies([assigned]):
                done = state_ops.assign(self._cluster_centers_initialized, True)
            self._init_ops.append(control.cond(initialized, control.no_op,
                                               lambda done=done: control.group(done)))

    def init_ops(self):
        """The initialization op."""
        return control.group(*self._init_ops)

    def training_ops(self):
        """The op that runs one EM iteration."""
        return control.group(*self._train_ops)

    def is_initialized(self):
        """The boolean variable set once the means and covariances are initialized."""
        return self._cluster_centers_initialized

    def alphas(self):
        return self._alpha

    def clusters(self):
        """The means, [num_classes, 1, num_dimensions]."""
        return self._means

    def covariances(self):
        """The covariance matrices ([K, d, d]) or diagonals ([K, d])."""
        return self._covs

    def assignments(self):
        """Per shard, the class of highest responsibility of each example."""
        return [math_ops.argmax(w, 1) for w in self._w]

    def scores(self):
        """The log-likelihood log p(x_i) of each example, [n, 1]."""
        return self._scores

    def log_likelihood_op(self):
        """log sum_i p(x_i) over all examples (TF's reduction)."""
        return self._log_likelihood_op

    # --- the EM graph ------------------------------------------------------------------------
    def _define_graph(self, data):
        for shard_id, shard in enumerate(data):
            self._num_examples = array.shape(shard)[0]
            shard = array.expand_dims(shard, 0)
            self._define_log_prob_operation(shard_id, shard)
            self._define_prior_log_prob_operation(shard_id)
            self._define_expectation_operation(shard_id)
            self._define_partial_maximization_operation(shard_id, shard)
        self._define_maximization_operation(len(data))
        self._define_loglikelihood_operation()
        self._define_score_samples()

    def _log_2pi_d(self):
        return array.cast(self._dimensions, dtypes.float32) * math_ops.log(
            constant(2.0 * np.pi, dtype=dtypes.float32))

    def _define_full_covariance_probs(self, shard_id, shard):
        """log N(x_i | mu_k, Sigma_k) through the Cholesky factor L of Sigma_k + 1e-3 I:
        -0.5 (|L^-1 (x - mu)|^2 + d log 2 pi + 2 sum log diag L)."""
        diff = shard - self._means
        cholesky = linalg_ops.cholesky(self._covs + self._min_var)
        log_det_covs = 2.0 * math_ops.reduce_sum(
            math_ops.log(diagonal.matrix_diag_part(cholesky)), 1)
        x_mu_cov = math_ops.square(linalg_ops.matrix_triangular_solve(
            cholesky, array.transpose(diff, perm=[0, 2, 1]), lower=True))
        diag_m = array.transpose(math_ops.reduce_sum(x_mu_cov, 1))
        self._probs[shard_id] = -0.5 * (diag_m + self._log_2pi_d() + log_det_covs)

    def _define_diag_covariance_probs(self, shard_id, shard):
        """log N(x_i | mu_k, diag(s_k + 1e-3))."""
        det_expanded = math_ops.reduce_sum(math_ops.log(self._covs + 1e-3), 1, keepdims=True)
        x2 = math_ops.squared_difference(shard, self._means)
        cov_expanded = array.expand_dims(1.0 / (self._covs + 1e-3), 2)
        x2_cov = math_ops.matmul(x2, cov_expanded)
        x2_cov = array.transpose(array.squeeze(x2_cov, [2]))
        self._probs[shard_id] = -0.5 * (self._log_2pi_d() + array.transpose(det_expanded)
                                        + x2_cov)

    def _define_log_prob_operation(self, shard_id, shard):
        if self._covariance_type == FULL_COVARIANCE:
            self._define_full_covariance_probs(shard_id, shard)
        else:
            self._define_diag_covariance_probs(shard_id, shard)
        self._probs[shard_id] += math_ops.log(self._alpha)

    def _define_prior_log_prob_operation(self, shard_id):
        self._prior_probs[shard_id] = math_ops.reduce_logsumexp(self._probs[shard_id], axis=1,
                                                                keepdims=True)

    def _define_expectation_operation(self, shard_id):
        """w_ik = alpha_k N(x_i | k) / sum_m alpha_m N(x_i | m)."""
        probs = array.expand_dims(self._probs[shard_id], 0)
        self._w[shard_id] = array.reshape(
            math_ops.exp(probs - self._prior_probs[shard_id]),
            array.stack([self._num_examples, self._num_classes]))

    def _define_partial_maximization_operation(self, shard_id, shard):
        w = self._w[shard_id]
        self._points_in_k[shard_id] = math_ops.reduce_sum(w, 0, keepdims=True)
        x = array.squeeze(shard, [0])
        self._w_mul_x.append(array.expand_dims(math_ops.matmul(w, x, transpose_a=True), 1))
        # [K, d, n] columns x_i scaled by w_ik, times [K, n, d] rows x_i
        x_mul_w = array.expand_dims(array.transpose(x), 0) * array.expand_dims(
            array.transpose(w), 1)
        tiled_x = array.tile(shard, [self._num_classes, 1, 1])
        self._w_mul_x2.append(math_ops.matmul(x_mul_w, tiled_x))

    def _define_maximization_operation(self, num_batches):
        points_in_k = array.squeeze(math_ops.add_n(self._points_in_k), [0])
        self._train_ops = []
        if "w" in self._params:
            final_points_in_k = points_in_k / num_batches
            num_examples = array.cast(math_ops.reduce_sum(final_points_in_k), dtypes.float32)
            self._train_ops.append(state_ops.assign(self._alpha,
                                                    final_points_in_k / (num_examples + MEPS)))
        points_in_k_expanded = array.reshape(points_in_k, [self._num_classes, 1, 1])
        if "m" in self._params:
            new_means = state_ops.assign(
                self._means, math_ops.add_n(self._w_mul_x) / (points_in_k_expanded + MEPS),
                validate_shape=False)
            self._train_ops.append(new_means)
        else:
            new_means = self._means.value()
        if "c" in self._params:
            b = math_ops.add_n(self._w_mul_x2) / (points_in_k_expanded + MEPS)
            # E[x x^T] - mu mu^T with the updated means, + 1e-3 I
            square_means = math_ops.matmul(new_means, new_means, transpose_a=True)
            new_covs = b - square_means + self._min_var
            if self._covariance_type == DIAG_COVARIANCE:
                new_covs = diagonal.matrix_diag_part(new_covs)
            self._train_ops.append(state_ops.assign(self._covs, new_covs,
                                                    validate_shape=False))

    def _define_loglikelihood_operation(self):
        per_shard = [math_ops.reduce_logsumexp(p) for p in self._prior_probs]
        self._log_likelihood_op = math_ops.reduce_logsumexp(array.stack(per_shard))

    def _define_score_samples(self):
        scores = [math_ops.reduce_logsumexp(p + math_ops.log(w), axis=1, keepdims=True)
                  for p, w in zip(self._prior_probs, self._w)]
        self._scores = scores[0] if len(scores) == 1 else array.concat(scores, 0)


def gmm(inp, initial_clusters, num_clusters, random_seed, covariance_type=FULL_COVARIANCE,
        params="wmc"):
    """Creates the graph for Gaussian mixture model clustering.

    inp: a float32 [n, d] tensor or a list of them; initial_clusters: "random" (K rows of the
    data), a [K, d] array or tensor, or a function f(inputs, num_clusters) returning one.
    Returns (loss, scores, [assignments], training_op, init_op, is_initialized) as TF 1.15:
    loss is log sum_i p(x_i), scores the [n, 1] per-example log-likelihoods.
    """
    inp = inp if isinstance(inp, list) else [inp]
    if callable(initial_clusters):
        initial_clusters = initial_clusters(inp, num_clusters)
    if isinstance(initial_clusters, str):
        if initial_clusters != "random":
            raise ValueError(f"Unsupported initialization: {initial_clusters!r}")
        initial_means = None
    elif isinstance(initial_clusters, Tensor):
        initial_means = array.cast(initial_clusters, dtypes.float32)
    else:
        initial_means = constant(initial_clusters, dtype=dtypes.float32)
    algorithm = GmmAlgorithm(inp, num_clusters, initial_means, params, covariance_type,
                             random_seed)
    return (algorithm.log_likelihood_op(), algorithm.scores(), [algorithm.assignments()],
            algorithm.training_ops(), algorithm.init_ops(), algorithm.is_initialized())
