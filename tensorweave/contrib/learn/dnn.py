"""contrib.learn's canned DNNClassifier and DNNRegressor (TF 1.x), on contrib.learn.Estimator.

    classifier = tf.contrib.learn.DNNClassifier(
        feature_columns=tf.contrib.learn.infer_real_valued_columns_from_input(x_train),
        hidden_units=[10, 20, 10], n_classes=3)
    classifier.fit(x_train, y_train, steps=200)
    classifier.evaluate(x_test, y_test)["accuracy"]
    list(classifier.predict(x_test))             # class ids (predict_classes)

As TF 1.x's: variables dnn/hiddenlayer_<i>/weights and biases, dnn/logits/weights and biases
(contrib.layers.fully_connected, Glorot-uniform weights, zero biases, relu); Adagrad at 0.05
unless `optimizer` is given (a name, an Optimizer, or a function returning one), run by
contrib.layers.optimize_loss in scope 'dnn'. Features that are a single Tensor (the x/y data
feeders) are the column named "". Heads: n_classes > 2 sparse softmax cross entropy; 2 sigmoid
cross entropy on one logit; regression the squared error; each trained on the batch mean.
Predictions 'logits', 'probabilities', 'classes' ('logistic' for 2 classes), or 'scores'.
evaluate gives 'loss', 'accuracy' (classifiers; for 2 classes also 'auc',
'accuracy/baseline_label_mean', 'labels/actual_label_mean', 'labels/prediction_mean') and
'global_step'.
"""
from tensorweave import metrics
from tensorweave.contrib.layers import layers as contrib_layers
from tensorweave.contrib.layers import optimizers as contrib_optimizers
from tensorweave.contrib.learn.estimators import Estimator, ModeKeys, ModelFnOps
from tensorweave.core import dtypes
from tensorweave.estimator import feature_column as fc
from tensorweave.ops import array, math_ops, nn_ops
from tensorweave.train import training_util
from tensorweave.variable_scope import variable_scope

__all__ = ["DNNClassifier", "DNNRegressor", "ClassifierPredictions", "RegressorPredictions"]

_LEARNING_RATE = 0.05


def features_dict(features):
    """A lone features Tensor (x/y feeders) as the column named ""."""
    return features if isinstance(features, dict) else {"": features}


def float_features(features):
    return {k: (array.cast(v, dtypes.float32)
                if hasattr(v, "dtype") and v.dtype.is_floating and v.dtype != dtypes.float32
                else v) for k, v in features.items()}


def dnn_logits(features, mode, feature_columns, hidden_units, units, activation_fn, dropout):
    """The network's logits, in variable scope 'dnn' (TF 1.x contrib names)."""
    features = float_features(features_dict(features))
    with variable_scope("input_from_feature_columns"):
        net = fc.input_layer(features, list(feature_columns))
    for layer_id, num_units in enumerate(hidden_units):
        with variable_scope("hiddenlayer_%d" % layer_id, values=(net,)) as scope:
            net = contrib_layers.fully_connected(net, num_units, activation_fn=activation_fn,
                                                 variables_collections=["dnn"], scope=scope)
            if dropout is not None and mode == ModeKeys.TRAIN:
                net = contrib_layers.dropout(net, keep_prob=1.0 - dropout)
    with variable_scope("logits", values=(net,)) as scope:
        return contrib_layers.fully_connected(net, units, activation_fn=None,
                                              variables_collections=["dnn"], scope=scope)


def train_op_fn(optimizer, gradient_clip_norm, scope_name, learning_rate):
    """optimize_loss with the estimator's optimizer (a name, an instance or a factory)."""
    def make(loss):
        opt = optimizer() if callable(optimizer) else optimizer
        return contrib_optimizers.optimize_loss(
            loss=loss, global_step=training_util.get_global_step(),
            learning_rate=learning_rate, optimizer=opt, clip_gradients=gradient_clip_norm,
            name=scope_name, summaries=[])
    return make


def classifier_ops(mode, labels, logits, n_classes, train_fn):
    """ModelFnOps of contrib's multi-class (n_classes > 2) or logistic (2) head."""
    if n_classes == 2:
        logistic = math_ops.sigmoid(logits)
        probabilities = array.concat([1.0 - logistic, logistic], axis=1)
        classes = math_ops.argmax(probabilities, 1)
        predictions = {"logits": logits, "logistic": logistic,
                       "probabilities": probabilities, "classes": classes}
    else:
        probabilities = nn_ops.softmax(logits)
        classes = math_ops.argmax(logits, 1)
        predictions = {"logits": logits, "probabilities": probabilities, "classes": classes}
    if mode == ModeKeys.INFER:
        return ModelFnOps(mode, predictions=predictions)
    if n_classes == 2:
        float_labels = array.reshape(array.cast(labels, dtypes.float32), [-1, 1])
        per_example = nn_ops.sigmoid_cross_entropy_with_logits(labels=float_labels,
                                                               logits=logits)
    else:
        int_labels = array.reshape(array.cast(labels, dtypes.int64), [-1])
        per_example = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=int_labels,
                                                                      logits=logits)
    loss = math_ops.reduce_mean(per_example, name="training_loss")
    train_op = train_fn(loss) if mode == ModeKeys.TRAIN else None
    eval_ops = {}
    if mode == ModeKeys.EVAL:
        flat_labels = array.reshape(array.cast(labels, dtypes.int64), [-1])
        eval_ops["accuracy"] = metrics.accuracy(flat_labels, classes)
        if n_classes == 2:
            float_flat = array.cast(flat_labels, dtypes.float32)
            p = array.reshape(logistic, [-1])
            eval_ops["auc"] = metrics.auc(flat_labels, p)
            eval_ops["labels/actual_label_mean"] = metrics.mean(float_flat)
            eval_ops["labels/prediction_mean"] = metrics.mean(p)
            eval_ops["accuracy/baseline_label_mean"] = metrics.mean(float_flat)
    return ModelFnOps(mode, predictions=predictions, loss=loss, train_op=train_op,
                      eval_metric_ops=eval_ops)


def regression_ops(mode, labels, logits, label_dimension, train_fn):
    """ModelFnOps of contrib's regression head: squared error, predictions 'scores'."""
    scores = logits if label_dimension != 1 else array.reshape(logits, [-1])
    predictions = {"scores": scores}
    if mode == ModeKeys.INFER:
        return ModelFnOps(mode, predictions=predictions)
    float_labels = array.reshape(array.cast(labels, dtypes.float32), [-1, label_dimension])
    loss = math_ops.reduce_mean(math_ops.square(logits - float_labels), name="training_loss")
    train_op = train_fn(loss) if mode == ModeKeys.TRAIN else None
    return ModelFnOps(mode, predictions=predictions, loss=loss, train_op=train_op)


def _refuse(weight_column_name, enable_centered_bias, embed_lr):
    if weight_column_name is not None:
        raise NotImplementedError("contrib.learn DNN estimators' weight_column_name is not "
                                  "provided by tensorweave")
    if enable_centered_bias:
        raise NotImplementedError("enable_centered_bias=True is not provided by tensorweave")
    if embed_lr:
        raise NotImplementedError("embedding_lr_multipliers is not provided by tensorweave")


class KeyedPredictions:
    """contrib.learn's canned predict: the values of `DEFAULT_KEY` unless `outputs` names
    prediction keys, from Estimator.predict's dict predictions."""

    DEFAULT_KEY = None

    def predict(self, x=None, input_fn=None, batch_size=None, outputs=None, as_iterable=True):
        """DEFAULT_KEY's values unless `outputs` names prediction keys."""
        if not outputs:
            return self.predict_key(self.DEFAULT_KEY, x, input_fn, batch_size, as_iterable)
        return Estimator.predict(self, x=x, input_fn=input_fn, batch_size=batch_size,
                                 outputs=outputs, as_iterable=as_iterable)

    def predict_key(self, key, x=None, input_fn=None, batch_size=None, as_iterable=True):
        """One prediction key's values (an iterator, or stacked when not as_iterable)."""
        results = Estimator.predict(self, x=x, input_fn=input_fn, batch_size=batch_size,
                                    outputs=[key], as_iterable=as_iterable)
        if as_iterable:
            return (item[key] for item in results)
        return results[key]


class ClassifierPredictions(KeyedPredictions):
    """Classifiers' predict (class ids), predict_classes and predict_proba."""

    DEFAULT_KEY = "classes"

    def predict_classes(self, x=None, input_fn=None, batch_size=None, as_iterable=True):
        """The predicted class ids."""
        return self.predict_key("classes", x, input_fn, batch_size, as_iterable)

    def predict_proba(self, x=None, input_fn=None, batch_size=None, as_iterable=True):
        """The class probabilities."""
        return self.predict_key("probabilities", x, input_fn, batch_size, as_iterable)


class RegressorPredictions(KeyedPredictions):
    """Regressors' predict (the scores) and predict_scores."""

    DEFAULT_KEY = "scores"

    def predict_scores(self, x=None, input_fn=None, batch_size=None, as_iterable=True):
        """The predicted values."""
        return self.predict_key("scores", x, input_fn, batch_size, as_iterable)


class DNNClassifier(ClassifierPredictions, Estimator):
    """contrib.learn's DNN classifier; predict gives class ids, predict_proba probabilities."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, n_classes=2,
                 weight_column_name=None, optimizer=None, activation_fn=nn_ops.relu,
                 dropout=None, gradient_clip_norm=None, enable_centered_bias=False,
                 config=None, feature_engineering_fn=None, embedding_lr_multipliers=None,
                 input_layer_min_slice_size=None, label_keys=None):
        _refuse(weight_column_name, enable_centered_bias, embedding_lr_multipliers)
        if n_classes < 2:
            raise ValueError("n_classes must be > 1 for classification: %s." % n_classes)
        if label_keys is not None:
            raise NotImplementedError("DNNClassifier(label_keys=...) is not provided by "
                                      "tensorweave")
        feature_columns = tuple(feature_columns)
        self._feature_columns = feature_columns
        units = 1 if n_classes == 2 else n_classes
        train_fn = train_op_fn(optimizer or "Adagrad", gradient_clip_norm, "dnn",
                               _LEARNING_RATE)

        def model_fn(features, labels, mode):
            with variable_scope("dnn", values=tuple(features_dict(features).values())):
                logits = dnn_logits(features, mode, feature_columns, hidden_units, units,
                                    activation_fn, dropout)
            return classifier_ops(mode, labels, logits, n_classes, train_fn)

        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         feature_engineering_fn=feature_engineering_fn)


class DNNRegressor(RegressorPredictions, Estimator):
    """contrib.learn's DNN regressor; predict gives the scores."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, weight_column_name=None,
                 optimizer=None, activation_fn=nn_ops.relu, dropout=None,
                 gradient_clip_norm=None, enable_centered_bias=False, config=None,
                 feature_engineering_fn=None, label_dimension=1,
                 embedding_lr_multipliers=None, input_layer_min_slice_size=None):
        _refuse(weight_column_name, enable_centered_bias, embedding_lr_multipliers)
        feature_columns = tuple(feature_columns)
        self._feature_columns = feature_columns
        train_fn = train_op_fn(optimizer or "Adagrad", gradient_clip_norm, "dnn",
                               _LEARNING_RATE)

        def model_fn(features, labels, mode):
            with variable_scope("dnn", values=tuple(features_dict(features).values())):
                logits = dnn_logits(features, mode, feature_columns, hidden_units,
                                    label_dimension, activation_fn, dropout)
            return regression_ops(mode, labels, logits, label_dimension, train_fn)

        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config,
                         feature_engineering_fn=feature_engineering_fn)
