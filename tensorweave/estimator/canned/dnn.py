"""DNNClassifier and DNNRegressor: feed-forward networks over feature columns.

Variables are named as TF's: dnn/hiddenlayer_0/kernel, ..., dnn/logits/bias, and
dnn/input_from_feature_columns/input_layer/<column>_embedding/embedding_weights. The optimizer
runs inside variable scope 'dnn' as in TF, so its slots have TF's checkpoint names too
(dnn/hiddenlayer_0/kernel/t_0/Adagrad, dnn/head/beta1_power: see
train.optimizer.slot_names_of_one_part_partitions).

    classifier = tf.estimator.DNNClassifier(feature_columns=columns, hidden_units=[10, 10],
                                            n_classes=3)

DNNEstimator takes any head (tf.estimator.BinaryClassHead, ..., or a canned head).
"""
from tensorweave import layers, losses, summary
from tensorweave.estimator import estimator as estimator_lib
from tensorweave.estimator import feature_column as fc
from tensorweave.estimator.canned import head as head_lib
from tensorweave.estimator.canned import optimizers
from tensorweave.estimator.model_fn import ModeKeys
from tensorweave.init_ops import glorot_uniform_initializer
from tensorweave.ops import nn_ops
from tensorweave.train import optimizer as optimizer_lib
from tensorweave.train import training_util
from tensorweave.variable_scope import get_variable_scope, variable_scope

_LEARNING_RATE = 0.05


def _add_layer_summary(value, tag):
    summary.scalar(f"{tag}/fraction_of_zero_values", nn_ops.zero_fraction(value))
    summary.histogram(f"{tag}/activation", value)


def dnn_logits(features, mode, units, hidden_units, feature_columns, activation_fn, dropout):
    """The logits [batch, units] of the network, built in the current variable scope."""
    if not isinstance(features, dict):
        raise ValueError(f"features should be a dictionary of `Tensor`s. Given type: "
                         f"{type(features)}")
    with variable_scope("input_from_feature_columns"):
        net = fc.input_layer(features, feature_columns)
    scope = get_variable_scope().name
    for i, width in enumerate(hidden_units):
        net = layers.dense(net, width, activation=activation_fn,
                           kernel_initializer=glorot_uniform_initializer(),
                           name=f"hiddenlayer_{i}")
        if dropout is not None and mode == ModeKeys.TRAIN:
            net = layers.dropout(net, rate=dropout, training=True)
        _add_layer_summary(net, f"{scope}/hiddenlayer_{i}")
    logits = layers.dense(net, units, kernel_initializer=glorot_uniform_initializer(),
                          name="logits")
    _add_layer_summary(logits, f"{scope}/logits")
    return logits


def minimize_fn(optimizer):
    """train_op_fn for a head: one optimizer step that also increments the global step."""
    def train_op_fn(loss):
        return optimizer.minimize(loss, global_step=training_util.get_global_step())
    return train_op_fn


def _dnn_model_fn(features, labels, mode, head, hidden_units, feature_columns, optimizer,
                  activation_fn, dropout):
    optimizer = optimizers.get_optimizer_instance(optimizer, learning_rate=_LEARNING_RATE)
    with variable_scope("dnn", values=list(features.values())):
        logits = dnn_logits(features, mode, head.logits_dimension, hidden_units,
                            feature_columns, activation_fn, dropout)
        with optimizer_lib.slot_names_of_one_part_partitions():
            return head.create_estimator_spec(features=features, mode=mode, logits=logits,
                                              labels=labels, train_op_fn=minimize_fn(optimizer))


class _DNNEstimator(estimator_lib.Estimator):
    def __init__(self, head, hidden_units, feature_columns, model_dir, optimizer,
                 activation_fn, dropout, config, warm_start_from):
        feature_columns = tuple(feature_columns or ())

        def model_fn(features, labels, mode):
            return _dnn_model_fn(features, labels, mode, head, hidden_units, feature_columns,
                                 optimizer, activation_fn, dropout)
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         warm_start_from=warm_start_from)


class DNNClassifier(_DNNEstimator):
    """A classifier for TensorFlow DNN models (softmax over n_classes, or logistic for 2)."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, n_classes=2,
                 weight_column=None, label_vocabulary=None, optimizer="Adagrad",
                 activation_fn=nn_ops.relu, dropout=None, input_layer_partitioner=None,
                 config=None, warm_start_from=None, loss_reduction=losses.Reduction.SUM,
                 batch_norm=False):
        if batch_norm:
            raise NotImplementedError("DNNClassifier(batch_norm=True) is not supported")
        head = head_lib.binary_or_multi_class_head(n_classes, weight_column, label_vocabulary,
                                                   loss_reduction)
        super().__init__(head, hidden_units, feature_columns, model_dir, optimizer,
                         activation_fn, dropout, config, warm_start_from)


class DNNRegressor(_DNNEstimator):
    """A regressor for TensorFlow DNN models (squared error, SUM reduction)."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, label_dimension=1,
                 weight_column=None, optimizer="Adagrad", activation_fn=nn_ops.relu,
                 dropout=None, input_layer_partitioner=None, config=None, warm_start_from=None,
                 loss_reduction=losses.Reduction.SUM, batch_norm=False):
        if batch_norm:
            raise NotImplementedError("DNNRegressor(batch_norm=True) is not supported")
        head = head_lib.regression_head(label_dimension, weight_column, loss_reduction)
        super().__init__(head, hidden_units, feature_columns, model_dir, optimizer,
                         activation_fn, dropout, config, warm_start_from)


class DNNEstimator(_DNNEstimator):
    """A DNN under any head (the loss, predictions and metrics are the head's)."""

    def __init__(self, head, hidden_units, feature_columns, model_dir=None, optimizer="Adagrad",
                 activation_fn=nn_ops.relu, dropout=None, input_layer_partitioner=None,
                 config=None, warm_start_from=None, batch_norm=False):
        if batch_norm:
            raise NotImplementedError("DNNEstimator(batch_norm=True) is not supported")
        super().__init__(head, hidden_units, feature_columns, model_dir, optimizer,
                         activation_fn, dropout, config, warm_start_from)
