"""LinearClassifier and LinearRegressor: linear_model over feature columns, trained by FTRL.

Variables are named as TF's: linear/linear_model/<column>/weights and
linear/linear_model/bias_weights; the optimizer runs inside variable scope 'linear' as in TF,
so FTRL's slots are linear/linear_model/<column>/weights/part_0/Ftrl and .../part_0/Ftrl_1.
"""
import math

from tensorweave import losses
from tensorweave.estimator import estimator as estimator_lib
from tensorweave.estimator import feature_column as fc
from tensorweave.estimator.canned import head as head_lib
from tensorweave.estimator.canned import optimizers
from tensorweave.estimator.canned.dnn import minimize_fn
from tensorweave.train import optimizer as optimizer_lib
from tensorweave.variable_scope import variable_scope

_LEARNING_RATE = 0.2


def linear_learning_rate(num_columns, cap=_LEARNING_RATE):
    """TF's default: min(cap, 1 / sqrt(number of feature columns))."""
    return min(cap, 1.0 / math.sqrt(num_columns))


def linear_logits(features, units, feature_columns, sparse_combiner):
    """The logits [batch, units] of linear_model, built in the current variable scope."""
    if not isinstance(features, dict):
        raise ValueError(f"features should be a dictionary of `Tensor`s. Given type: "
                         f"{type(features)}")
    return fc.linear_model(features, feature_columns, units=units,
                           sparse_combiner=sparse_combiner)


class _LinearEstimator(estimator_lib.Estimator):
    def __init__(self, head, feature_columns, model_dir, optimizer, config, warm_start_from,
                 sparse_combiner):
        feature_columns = tuple(feature_columns or ())

        def model_fn(features, labels, mode):
            opt = optimizers.get_optimizer_instance(
                optimizer, learning_rate=linear_learning_rate(len(feature_columns)))
            with variable_scope("linear", values=list(features.values())), \
                    optimizer_lib.slot_names_of_one_part_partitions():
                logits = linear_logits(features, head.logits_dimension, feature_columns,
                                       sparse_combiner)
                return head.create_estimator_spec(features=features, mode=mode,
                                                  logits=logits, labels=labels,
                                                  train_op_fn=minimize_fn(opt))
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         warm_start_from=warm_start_from)


class LinearClassifier(_LinearEstimator):
    """Linear classifier (logistic for 2 classes, softmax otherwise)."""

    def __init__(self, feature_columns, model_dir=None, n_classes=2, weight_column=None,
                 label_vocabulary=None, optimizer="Ftrl", config=None, partitioner=None,
                 warm_start_from=None, loss_reduction=losses.Reduction.SUM,
                 sparse_combiner="sum"):
        head = head_lib.binary_or_multi_class_head(n_classes, weight_column, label_vocabulary,
                                                   loss_reduction)
        super().__init__(head, feature_columns, model_dir, optimizer, config, warm_start_from,
                         sparse_combiner)


class LinearRegressor(_LinearEstimator):
    """Linear regression on feature columns (squared error, SUM reduction)."""

    def __init__(self, feature_columns, model_dir=None, label_dimension=1, weight_column=None,
                 optimizer="Ftrl", config=None, partitioner=None, warm_start_from=None,
                 loss_reduction=losses.Reduction.SUM, sparse_combiner="sum"):
        head = head_lib.regression_head(label_dimension, weight_column, loss_reduction)
        super().__init__(head, feature_columns, model_dir, optimizer, config, warm_start_from,
                         sparse_combiner)


class LinearEstimator(_LinearEstimator):
    """A linear model under any head."""

    def __init__(self, head, feature_columns, model_dir=None, optimizer="Ftrl", config=None,
                 partitioner=None, sparse_combiner="sum", warm_start_from=None):
        super().__init__(head, feature_columns, model_dir, optimizer, config, warm_start_from,
                         sparse_combiner)
