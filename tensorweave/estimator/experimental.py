"""tf.estimator.experimental (TF 1.15): early stopping, in-memory evaluation, logit function
builders, supervised receivers for export and KMeans. (LinearSDCA is not provided.)

    hook = tf.estimator.experimental.stop_if_no_decrease_hook(estimator, "loss", 1000)
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    **lazy.names_from("tensorweave.estimator.early_stopping", "make_early_stopping_hook",
                      "stop_if_higher_hook", "stop_if_lower_hook", "stop_if_no_increase_hook",
                      "stop_if_no_decrease_hook"),
    **lazy.names_from("tensorweave.estimator.hooks", "InMemoryEvaluatorHook",
                      "make_stop_at_checkpoint_step_hook"),
    **lazy.names_from("tensorweave.estimator.logit_fns", "call_logit_fn",
                      "dnn_logit_fn_builder", "linear_logit_fn_builder"),
    **lazy.names_from("tensorweave.estimator.export", "build_raw_supervised_input_receiver_fn"),
    "KMeans": "tensorweave.contrib.factorization.kmeans:KMeansClustering",
})
