"""contrib.learn's LinearClassifier and LinearRegressor (TF 1.x), on contrib.learn.Estimator.

    classifier = tf.contrib.learn.LinearClassifier(
        feature_columns=tf.contrib.learn.infer_real_valued_columns_from_input(x), n_classes=10)
    classifier.fit(x, y, batch_size=100, steps=1000)
    list(classifier.predict(x_test))             # class ids (predict_classes)

As TF 1.x's: logits of a linear model over feature_columns in variable scope 'linear' (the
variables are tf.feature_column.linear_model's, linear/linear_model/<column>/weights and
linear_model/bias_weights, not contrib's linear/<column>/weight); FTRL at
min(0.2, 1/sqrt(len(feature_columns))) unless `optimizer` is given (a name, an Optimizer, or
a function returning one), applied to the gradients of the variables in collection 'linear'
(clipped to gradient_clip_norm by global norm when set). The heads, predictions and eval
metrics are DNNClassifier's (dnn.classifier_ops).
"""
from tensorweave import losses
from tensorweave.contrib.layers import optimizers as contrib_optimizers
from tensorweave.contrib.learn.dnn import (ClassifierPredictions, RegressorPredictions,
                                           classifier_ops, features_dict, float_features)
from tensorweave.contrib.learn.estimators import Estimator, ModeKeys, ModelFnOps
from tensorweave.core import graph as graph_lib
from tensorweave.estimator import feature_column as fc
from tensorweave.estimator.canned import linear as linear_lib
from tensorweave.gradients import gradients
from tensorweave.ops import array, math_ops
from tensorweave.train import optimizer as optimizer_lib
from tensorweave.train import training_util
from tensorweave.variable_scope import variable_scope

__all__ = ["LinearClassifier", "LinearRegressor", "linear_train_op_fn"]

_LEARNING_RATE = 0.2


def linear_train_op_fn(optimizer, feature_columns, gradient_clip_norm, collection="linear"):
    """TF 1.x contrib's linear train op: the optimizer applied to `collection`'s variables."""
    def make(loss):
        opt = optimizer
        if opt is None:
            opt = optimizer_lib.FtrlOptimizer(
                linear_lib.linear_learning_rate(len(feature_columns), _LEARNING_RATE))
        elif isinstance(opt, str):
            opt = contrib_optimizers.OPTIMIZER_CLS_NAMES[opt](learning_rate=_LEARNING_RATE)
        elif callable(opt) and not isinstance(opt, optimizer_lib.Optimizer):
            opt = opt()
        variables = graph_lib.get_collection(collection)
        grads = gradients(loss, variables)
        if gradient_clip_norm:
            grads, _ = math_ops.clip_by_global_norm(grads, gradient_clip_norm)
        return opt.apply_gradients(list(zip(grads, variables)),
                                   global_step=training_util.get_global_step())
    return make


def linear_logits(features, feature_columns, units):
    """linear_model's logits in variable scope 'linear', its variables in collection
    'linear'."""
    features = float_features(features_dict(features))
    with variable_scope("linear", values=tuple(features.values())), \
            optimizer_lib.slot_names_of_one_part_partitions():
        return fc.linear_model(features, list(feature_columns), units=units,
                               weight_collections=["linear"])


class LinearClassifier(ClassifierPredictions, Estimator):
    """contrib.learn's linear classifier; predict gives class ids, predict_proba
    probabilities."""

    def __init__(self, feature_columns, model_dir=None, n_classes=2, weight_column_name=None,
                 optimizer=None, gradient_clip_norm=None, enable_centered_bias=False,
                 _joint_weight=False, config=None, feature_engineering_fn=None,
                 label_keys=None):
        if weight_column_name is not None:
            raise NotImplementedError("LinearClassifier's weight_column_name is not provided "
                                      "by tensorweave")
        if enable_centered_bias:
            raise NotImplementedError("enable_centered_bias=True is not provided by "
                                      "tensorweave")
        if label_keys is not None:
            raise NotImplementedError("LinearClassifier(label_keys=...) is not provided by "
                                      "tensorweave")
        if n_classes < 2:
            raise ValueError("n_classes must be > 1 for classification: %s." % n_classes)
        feature_columns = tuple(feature_columns or ())
        if not feature_columns:
            raise ValueError("feature_columns must be given")
        self._feature_columns = feature_columns
        units = 1 if n_classes == 2 else n_classes
        train_fn = linear_train_op_fn(optimizer, feature_columns, gradient_clip_norm)

        def model_fn(features, labels, mode):
            logits = linear_logits(features, feature_columns, units)
            return classifier_ops(mode, labels, logits, n_classes, train_fn)

        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         feature_engineering_fn=feature_engineering_fn)


class LinearRegressor(RegressorPredictions, Estimator):
    """contrib.learn's linear regression: linear_logits over feature_columns, the (weighted)
    mean squared error, FTRL at min(0.2, 1/sqrt(len(feature_columns))) unless `optimizer` is
    given; predict gives the scores ([batch] for label_dimension 1)."""

    def __init__(self, feature_columns, model_dir=None, weight_column_name=None,
                 optimizer=None, gradient_clip_norm=None, enable_centered_bias=False,
                 label_dimension=1, _joint_weights=False, config=None,
                 feature_engineering_fn=None):
        if enable_centered_bias:
            raise NotImplementedError("LinearRegressor(enable_centered_bias=True) is not "
                                      "provided by tensorweave")
        feature_columns = tuple(feature_columns)
        self._feature_columns = feature_columns
        train_fn = linear_train_op_fn(optimizer, feature_columns, gradient_clip_norm)

        def model_fn(features, labels, mode):
            logits = linear_logits(features, feature_columns, label_dimension)
            scores = logits if label_dimension != 1 else array.squeeze(logits, axis=[1])
            if mode == ModeKeys.INFER:
                return ModelFnOps(mode, predictions={"scores": scores})
            labels = array.reshape(labels, [-1, label_dimension])
            weights = 1.0
            if weight_column_name is not None:
                weights = array.reshape(features[weight_column_name], [-1, 1])
            loss = losses.mean_squared_error(labels, logits, weights=weights)
            train_op = train_fn(loss) if mode == ModeKeys.TRAIN else None
            return ModelFnOps(mode, predictions={"scores": scores}, loss=loss,
                              train_op=train_op)

        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         feature_engineering_fn=feature_engineering_fn)
