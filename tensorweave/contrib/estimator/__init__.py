"""tf.contrib.estimator (TF 1.15): heads with contrib's defaults and options, the
head-based canned Estimators, Estimator extenders, early stopping, in-memory evaluation,
logit function builders, one-tower model replication, SavedModel export per mode (and an
Estimator over such a SavedModel) and the RNN Estimators.

    head = tf.contrib.estimator.multi_label_head(n_classes=3)
    estimator = tf.contrib.estimator.DNNEstimator(head=head, hidden_units=[16],
                                                  feature_columns=columns)
    estimator = tf.contrib.estimator.add_metrics(estimator, my_metric_fn)

The boosted-trees in-memory trainers raise ContribNotImplemented.
"""
from tensorweave.contrib import not_provided
from tensorweave.contrib.estimator.head import (  # noqa: F401
    binary_classification_head, logistic_regression_head, multi_class_head, multi_head,
    multi_label_head, poisson_regression_head, regression_head)
from tensorweave.estimator.canned import (BaselineEstimator, DNNEstimator,  # noqa: F401
                                          DNNLinearCombinedEstimator, LinearEstimator)
from tensorweave.util import lazy

_NOT_PROVIDED = ("boosted_trees_classifier_train_in_memory",
                 "boosted_trees_regressor_train_in_memory")

__getattr__ = not_provided(__name__, _NOT_PROVIDED, lazy.attributes(__name__, {
    **lazy.names_from("tensorweave.contrib.estimator.extenders", "add_metrics",
                      "clip_gradients_by_norm", "forward_features"),
    **lazy.names_from("tensorweave.estimator.early_stopping", "make_early_stopping_hook",
                      "read_eval_metrics", "stop_if_higher_hook", "stop_if_lower_hook",
                      "stop_if_no_increase_hook", "stop_if_no_decrease_hook"),
    **lazy.names_from("tensorweave.estimator.hooks", "InMemoryEvaluatorHook",
                      "make_stop_at_checkpoint_step_hook"),
    **lazy.names_from("tensorweave.estimator.logit_fns", "call_logit_fn",
                      "dnn_logit_fn_builder", "linear_logit_fn_builder"),
    **lazy.names_from("tensorweave.contrib.estimator.replicate_model_fn",
                      "replicate_model_fn", "TowerOptimizer"),
    **lazy.names_from("tensorweave.contrib.estimator.rnn", "RNNClassifier", "RNNEstimator"),
    **lazy.names_from("tensorweave.estimator.saved_model_estimator", "SavedModelEstimator"),
    **lazy.names_from("tensorweave.contrib.estimator.export", "export_saved_model_for_mode",
                      "export_all_saved_models"),
}))
