"""tf.contrib.estimator's heads (TF 1.15): the v1 heads of the canned estimators with
contrib's defaults (losses reduced with SUM_OVER_BATCH_SIZE) and options (a `name`
suffixing metric and summary keys, `loss_fn`, `thresholds`, `inverse_link_fn`), the Poisson
and logistic regression heads, the multi-label head and the multi-head.

    head = tf.contrib.estimator.multi_class_head(n_classes=3, name="digits")
    estimator = tf.estimator.DNNEstimator(head=head, hidden_units=[10],
                                          feature_columns=columns)
"""
from tensorweave import losses
from tensorweave.estimator.canned import head as head_lib
from tensorweave.ops import check_ops, math_ops, nn_ops

_MEAN = losses.Reduction.SUM_OVER_BATCH_SIZE


def multi_class_head(n_classes, weight_column=None, label_vocabulary=None,
                     loss_reduction=_MEAN, loss_fn=None, name=None):
    """Softmax cross-entropy over n_classes (> 2) logits; metrics average_loss, accuracy."""
    if n_classes is None or n_classes <= 2:
        raise ValueError(f"n_classes must be > 2: {n_classes}.")
    return head_lib.binary_or_multi_class_head(n_classes, weight_column, label_vocabulary,
                                               loss_reduction, loss_fn, name)


def binary_classification_head(weight_column=None, thresholds=None, label_vocabulary=None,
                               loss_reduction=_MEAN, loss_fn=None, name=None):
    """Sigmoid cross-entropy on one logit; the binary metrics, also at each threshold."""
    return head_lib.binary_or_multi_class_head(2, weight_column, label_vocabulary,
                                               loss_reduction, loss_fn, name, thresholds)


def regression_head(weight_column=None, label_dimension=1, loss_reduction=_MEAN, loss_fn=None,
                    inverse_link_fn=None, name=None):
    """Squared error (or loss_fn) on label_dimension values; predictions are
    inverse_link_fn(logits) when given."""
    return head_lib.regression_head(label_dimension, weight_column, loss_reduction, loss_fn,
                                    inverse_link_fn, name)


def poisson_regression_head(weight_column=None, label_dimension=1, loss_reduction=_MEAN,
                            compute_full_loss=True, name=None):
    """Log-Poisson loss on the logits (log rates); predictions exp(logits)."""
    from tensorweave.nn import impl

    def poisson_loss(labels, logits):
        return impl.log_poisson_loss(targets=labels, log_input=logits,
                                     compute_full_loss=compute_full_loss)
    return head_lib.regression_head(label_dimension, weight_column, loss_reduction,
                                    poisson_loss, math_ops.exp, name)


def logistic_regression_head(weight_column=None, loss_reduction=_MEAN, name=None):
    """Regression of values in [0, 1]: sigmoid cross-entropy, sigmoid predictions."""
    def logistic_loss(labels, logits):
        checks = [check_ops.assert_less_equal(labels, 1.0,
                                              message="Labels must be in range [0, 1]"),
                  check_ops.assert_non_negative(labels,
                                                message="Labels must be in range [0, 1]")]
        with labels.graph.control_dependencies(checks):
            return nn_ops.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    return head_lib.regression_head(1, weight_column, loss_reduction, logistic_loss,
                                    math_ops.sigmoid, name)


multi_label_head = head_lib.multi_label_head
multi_head = head_lib.multi_head
