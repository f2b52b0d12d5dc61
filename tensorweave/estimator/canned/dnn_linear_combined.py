"""DNNLinearCombinedClassifier, -Regressor and -Estimator ("wide and deep"): linear logits
plus DNN logits, each part trained by its own optimizer (FTRL for the linear part, Adagrad for
the DNN by default)."""
from tensorweave import losses
from tensorweave.estimator import estimator as estimator_lib
from tensorweave.estimator.canned import head as head_lib
from tensorweave.estimator.canned import optimizers
from tensorweave.estimator.canned.dnn import dnn_logits
from tensorweave.estimator.canned.linear import linear_learning_rate, linear_logits
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.ops import nn_ops
from tensorweave.train import training_util
from tensorweave.variable_scope import variable_scope

_DNN_LEARNING_RATE = 0.001
_LINEAR_LEARNING_RATE = 0.005


def _combined_model_fn(features, labels, mode, head, linear_columns, linear_optimizer,
                       dnn_columns, dnn_optimizer, dnn_hidden_units, dnn_activation_fn,
                       dnn_dropout, linear_sparse_combiner):
    parts = []
    if dnn_columns:
        dnn_opt = optimizers.get_optimizer_instance(dnn_optimizer, _DNN_LEARNING_RATE)
        with variable_scope("dnn", values=list(features.values())) as scope:
            logits = dnn_logits(features, mode, head.logits_dimension, dnn_hidden_units,
                                dnn_columns, dnn_activation_fn, dnn_dropout)
        parts.append((logits, dnn_opt, scope.name))
    if linear_columns:
        linear_opt = optimizers.get_optimizer_instance(
            linear_optimizer, linear_learning_rate(len(linear_columns), _LINEAR_LEARNING_RATE))
        with variable_scope("linear", values=list(features.values())) as scope:
            logits = linear_logits(features, head.logits_dimension, linear_columns,
                                   linear_sparse_combiner)
        parts.append((logits, linear_opt, scope.name))
    logits = parts[0][0] if len(parts) == 1 else parts[0][0] + parts[1][0]

    def train_op_fn(loss):
        graph = get_default_graph()
        steps = [opt.minimize(loss, var_list=graph.get_collection(
            GraphKeys.TRAINABLE_VARIABLES, scope=name)) for _, opt, name in parts]
        with graph.control_dependencies(steps):
            return training_util.get_global_step().assign_add(1).op
    return head.create_estimator_spec(features=features, mode=mode, logits=logits,
                                      labels=labels, train_op_fn=train_op_fn)


class _CombinedEstimator(estimator_lib.Estimator):
    def __init__(self, head, model_dir, linear_feature_columns, linear_optimizer,
                 dnn_feature_columns, dnn_optimizer, dnn_hidden_units, dnn_activation_fn,
                 dnn_dropout, config, warm_start_from, batch_norm, linear_sparse_combiner):
        linear_columns = tuple(linear_feature_columns or ())
        dnn_columns = tuple(dnn_feature_columns or ())
        if not linear_columns and not dnn_columns:
            raise ValueError("Either linear_feature_columns or dnn_feature_columns must be "
                             "defined.")
        if dnn_columns and not dnn_hidden_units:
            raise ValueError(f"dnn_hidden_units must be defined when dnn_feature_columns is "
                             f"specified. dnn_feature_columns: {list(dnn_columns)}")
        if batch_norm:
            raise NotImplementedError("batch_norm=True is not supported")

        def model_fn(features, labels, mode):
            return _combined_model_fn(features, labels, mode, head, linear_columns,
                                      linear_optimizer, dnn_columns, dnn_optimizer,
                                      dnn_hidden_units, dnn_activation_fn, dnn_dropout,
                                      linear_sparse_combiner)
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         warm_start_from=warm_start_from)


class DNNLinearCombinedClassifier(_CombinedEstimator):
    """A classifier on the sum of a linear model's and a DNN's logits."""

    def __init__(self, model_dir=None, linear_feature_columns=None, linear_optimizer="Ftrl",
                 dnn_feature_columns=None, dnn_optimizer="Adagrad", dnn_hidden_units=None,
                 dnn_activation_fn=nn_ops.relu, dnn_dropout=None, n_classes=2,
                 weight_column=None, label_vocabulary=None, input_layer_partitioner=None,
                 config=None, warm_start_from=None, loss_reduction=losses.Reduction.SUM,
                 batch_norm=False, linear_sparse_combiner="sum"):
        head = head_lib.binary_or_multi_class_head(n_classes, weight_column, label_vocabulary,
                                                   loss_reduction)
        super().__init__(head, model_dir, linear_feature_columns, linear_optimizer,
                         dnn_feature_columns, dnn_optimizer, dnn_hidden_units,
                         dnn_activation_fn, dnn_dropout, config, warm_start_from, batch_norm,
                         linear_sparse_combiner)


class DNNLinearCombinedRegressor(_CombinedEstimator):
    """A regressor on the sum of a linear model's and a DNN's outputs."""

    def __init__(self, model_dir=None, linear_feature_columns=None, linear_optimizer="Ftrl",
                 dnn_feature_columns=None, dnn_optimizer="Adagrad", dnn_hidden_units=None,
                 dnn_activation_fn=nn_ops.relu, dnn_dropout=None, label_dimension=1,
                 weight_column=None, input_layer_partitioner=None, config=None,
                 warm_start_from=None, loss_reduction=losses.Reduction.SUM, batch_norm=False,
                 linear_sparse_combiner="sum"):
        head = head_lib.regression_head(label_dimension, weight_column, loss_reduction)
        super().__init__(head, model_dir, linear_feature_columns, linear_optimizer,
                         dnn_feature_columns, dnn_optimizer, dnn_hidden_units,
                         dnn_activation_fn, dnn_dropout, config, warm_start_from, batch_norm,
                         linear_sparse_combiner)


class DNNLinearCombinedEstimator(_CombinedEstimator):
    """Linear plus DNN logits under any head."""

    def __init__(self, head, model_dir=None, linear_feature_columns=None,
                 linear_optimizer="Ftrl", dnn_feature_columns=None, dnn_optimizer="Adagrad",
                 dnn_hidden_units=None, dnn_activation_fn=nn_ops.relu, dnn_dropout=None,
                 input_layer_partitioner=None, config=None, batch_norm=False,
                 linear_sparse_combiner="sum", warm_start_from=None):
        super().__init__(head, model_dir, linear_feature_columns, linear_optimizer,
                         dnn_feature_columns, dnn_optimizer, dnn_hidden_units,
                         dnn_activation_fn, dnn_dropout, config, warm_start_from, batch_norm,
                         linear_sparse_combiner)
