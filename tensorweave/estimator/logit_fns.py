"""Logit function builders (TF 1.15's tf.estimator.experimental and tf.contrib.estimator
names): the canned DNN and linear models' logits (variables named as the canned estimators
name them, in the caller's variable scope), and call_logit_fn.

    logit_fn = tf.contrib.estimator.dnn_logit_fn_builder(units=3, hidden_units=[10],
        feature_columns=columns, activation_fn=tf.nn.relu, dropout=None)
    with tf.variable_scope("dnn"):
        logits = tf.contrib.estimator.call_logit_fn(logit_fn, features, mode, params, config)
"""
from tensorweave.core.graph import Tensor
from tensorweave.estimator.canned import dnn, linear
from tensorweave.estimator.estimator import fn_args


def call_logit_fn(logit_fn, features, mode, params, config):
    """logit_fn(features, and any of mode, params, config it takes): a Tensor or a dict of
    Tensors by name, else ValueError."""
    args = fn_args(logit_fn)
    given = {"mode": mode, "params": params, "config": config}
    results = logit_fn(features=features, **{k: v for k, v in given.items() if k in args})
    valid_dict = isinstance(results, dict) and all(
        isinstance(k, str) and isinstance(v, Tensor) for k, v in results.items())
    if not (valid_dict or isinstance(results, Tensor)):
        raise ValueError(f"logit_fn should return a Tensor or a dictionary mapping strings to "
                         f"Tensors.  logit_fn returned: {results}")
    return results


def dnn_logit_fn_builder(units, hidden_units, feature_columns, activation_fn, dropout,
                         input_layer_partitioner=None, batch_norm=False):
    """logit_fn(features, mode): the canned DNN's logits [batch, units] (hiddenlayer_N,
    logits and input_from_feature_columns in the current variable scope)."""
    if not isinstance(units, int):
        raise ValueError(f"units must be an int. Given type: {type(units)}")
    if batch_norm:
        raise NotImplementedError("dnn_logit_fn_builder(batch_norm=True) is not supported")

    def dnn_logit_fn(features, mode):
        return dnn.dnn_logits(features, mode, units, hidden_units, feature_columns,
                              activation_fn, dropout)
    return dnn_logit_fn


def linear_logit_fn_builder(units, feature_columns, sparse_combiner="sum"):
    """logit_fn(features): the canned linear model's logits [batch, units]."""
    def linear_logit_fn(features):
        return linear.linear_logits(features, units, feature_columns, sparse_combiner)
    return linear_logit_fn
