"""tf.contrib.factorization.KMeansClustering: TF 1.15's canned k-means Estimator.

    kmeans = tf.contrib.factorization.KMeansClustering(num_clusters=5, use_mini_batch=False)
    kmeans.train(input_fn)                  # one Lloyd iteration (or mini-batch step) per step
    kmeans.cluster_centers(); kmeans.score(input_fn); list(kmeans.predict_cluster_index(input_fn))

It is a tf.estimator.Estimator whose model_fn runs clustering_ops.KMeans: a training hook runs
its init op until the centers are chosen, then each step runs one training op. The input_fn
returns the points (a [n, d] tensor, or a dict of [n, 1] columns concatenated in key order).
"""
import time

from tensorweave.contrib.factorization import clustering_ops
from tensorweave.core.graph import control_dependencies, get_default_graph
from tensorweave.estimator import feature_column as fc
from tensorweave.estimator.estimator import Estimator
from tensorweave.estimator.export import PredictOutput
from tensorweave.estimator.model_fn import EstimatorSpec
from tensorweave.metrics import mean as metrics_mean
from tensorweave.ops import array, math_ops, state_ops
from tensorweave.platform import tf_logging as logging
from tensorweave.saved_model.signature_constants import DEFAULT_SERVING_SIGNATURE_DEF_KEY
from tensorweave.summary import summary_ops
from tensorweave.train import training_util
from tensorweave.train.session_run_hook import SessionRunArgs, SessionRunHook

__all__ = ["KMeansClustering"]


class _LossRelativeChangeHook(SessionRunHook):
    """Stops when the loss changes by less than `tolerance` relative to the last one."""

    def __init__(self, loss_tensor, tolerance):
        self._loss_tensor = loss_tensor
        self._tolerance = tolerance
        self._prev_loss = None

    def before_run(self, run_context):
        return SessionRunArgs(self._loss_tensor)

    def after_run(self, run_context, run_values):
        loss = run_values.results
        if self._prev_loss:
            change = abs(loss - self._prev_loss) / (1 + abs(self._prev_loss))
            if change < self._tolerance:
                run_context.request_stop()
        self._prev_loss = loss


class _InitializeClustersHook(SessionRunHook):
    """Runs the init op after the session is made until every center is chosen."""

    def __init__(self, init_op, is_initialized_var, is_chief):
        self._init_op = init_op
        self._is_initialized_var = is_initialized_var
        self._is_chief = is_chief

    def after_create_session(self, session, coord):
        while True:
            try:
                if session.run(self._is_initialized_var):
                    break
                elif self._is_chief:
                    session.run(self._init_op)
                else:
                    time.sleep(1)
            except RuntimeError as e:
                logging.info(e)


def _parse_features_if_necessary(features, feature_columns):
    """A dict of [n, 1] features as one [n, k] tensor (keys sorted, or through
    input_layer when feature_columns are given); anything else as it is."""
    if not isinstance(features, dict):
        return features
    if feature_columns:
        return fc.input_layer(features, feature_columns)
    keys = sorted(features.keys())
    return array.concat([features[k] for k in keys], axis=1)


class _ModelFn:
    """The Estimator's model_fn: one KMeans graph serving every mode."""

    def __init__(self, num_clusters, initial_clusters, distance_metric, random_seed,
                 use_mini_batch, mini_batch_steps_per_iteration, kmeans_plus_plus_num_retries,
                 relative_tolerance, feature_columns):
        self._num_clusters = num_clusters
        self._initial_clusters = initial_clusters
        self._distance_metric = distance_metric
        self._random_seed = random_seed
        self._use_mini_batch = use_mini_batch
        self._mini_batch_steps_per_iteration = mini_batch_steps_per_iteration
        self._kmeans_plus_plus_num_retries = kmeans_plus_plus_num_retries
        self._relative_tolerance = relative_tolerance
        self._feature_columns = feature_columns

    def model_fn(self, features, mode, config):
        input_points = _parse_features_if_necessary(features, self._feature_columns)
        (all_distances, model_predictions, losses, is_initialized, init_op,
         training_op) = clustering_ops.KMeans(
             inputs=input_points, num_clusters=self._num_clusters,
             initial_clusters=self._initial_clusters, distance_metric=self._distance_metric,
             use_mini_batch=self._use_mini_batch,
             mini_batch_steps_per_iteration=self._mini_batch_steps_per_iteration,
             random_seed=self._random_seed,
             kmeans_plus_plus_num_retries=self._kmeans_plus_plus_num_retries).training_graph()
        loss = math_ops.reduce_sum(losses)
        summary_ops.scalar("loss/raw", loss)
        incr_step = state_ops.assign_add(training_util.get_global_step(), 1)
        graph = get_default_graph()
        with graph.name_scope("control_dependency"), control_dependencies(
                [training_op, incr_step]):
            training_op = array.identity(loss)
        training_hooks = [_InitializeClustersHook(init_op, is_initialized, config.is_chief)]
        if self._relative_tolerance is not None:
            training_hooks.append(_LossRelativeChangeHook(loss, self._relative_tolerance))
        export_outputs = {
            KMeansClustering.ALL_DISTANCES: PredictOutput(all_distances[0]),
            KMeansClustering.CLUSTER_INDEX: PredictOutput(model_predictions[0]),
            DEFAULT_SERVING_SIGNATURE_DEF_KEY: PredictOutput(model_predictions[0]),
        }
        return EstimatorSpec(
            mode=mode,
            predictions={KMeansClustering.ALL_DISTANCES: all_distances[0],
                         KMeansClustering.CLUSTER_INDEX: model_predictions[0]},
            loss=loss, train_op=training_op,
            eval_metric_ops={KMeansClustering.SCORE: metrics_mean(loss)},
            training_hooks=training_hooks, export_outputs=export_outputs)


class KMeansClustering(Estimator):
    """An Estimator for k-means clustering (full batch, or mini-batch when use_mini_batch)."""

    SQUARED_EUCLIDEAN_DISTANCE = clustering_ops.SQUARED_EUCLIDEAN_DISTANCE
    COSINE_DISTANCE = clustering_ops.COSINE_DISTANCE
    RANDOM_INIT = clustering_ops.RANDOM_INIT
    KMEANS_PLUS_PLUS_INIT = clustering_ops.KMEANS_PLUS_PLUS_INIT
    SCORE = "score"
    CLUSTER_INDEX = "cluster_index"
    ALL_DISTANCES = "all_distances"
    CLUSTER_CENTERS_VAR_NAME = clustering_ops.CLUSTERS_VAR_NAME

    def __init__(self, num_clusters, model_dir=None, initial_clusters=RANDOM_INIT,
                 distance_metric=SQUARED_EUCLIDEAN_DISTANCE, random_seed=0, use_mini_batch=True,
                 mini_batch_steps_per_iteration=1, kmeans_plus_plus_num_retries=2,
                 relative_tolerance=None, config=None, feature_columns=None):
        if isinstance(initial_clusters, str) and initial_clusters not in (
                KMeansClustering.RANDOM_INIT, KMeansClustering.KMEANS_PLUS_PLUS_INIT):
            raise ValueError("Unsupported initialization algorithm '%s'" % initial_clusters)
        if distance_metric not in (KMeansClustering.SQUARED_EUCLIDEAN_DISTANCE,
                                   KMeansClustering.COSINE_DISTANCE):
            raise ValueError("Unsupported distance metric '%s'" % distance_metric)
        super().__init__(
            model_fn=_ModelFn(num_clusters, initial_clusters, distance_metric, random_seed,
                              use_mini_batch, mini_batch_steps_per_iteration,
                              kmeans_plus_plus_num_retries, relative_tolerance,
                              feature_columns).model_fn,
            model_dir=model_dir, config=config)

    def _predict_one_key(self, input_fn, predict_key):
        for result in self.predict(input_fn=input_fn, predict_keys=[predict_key]):
            yield result[predict_key]

    def predict_cluster_index(self, input_fn):
        """Yields the index of the nearest center for each input point."""
        yield from self._predict_one_key(input_fn, KMeansClustering.CLUSTER_INDEX)

    def score(self, input_fn):
        """The sum of squared distances from the first batch's points to their centers."""
        return self.evaluate(input_fn=input_fn, steps=1)[KMeansClustering.SCORE]

    def transform(self, input_fn):
        """Yields each input point's distances to every center."""
        yield from self._predict_one_key(input_fn, KMeansClustering.ALL_DISTANCES)

    def cluster_centers(self):
        """The cluster centers of the newest checkpoint."""
        return self.get_variable_value(KMeansClustering.CLUSTER_CENTERS_VAR_NAME)
