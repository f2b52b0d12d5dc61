"""Heads of the canned estimators (TF 1.15's v1 heads): from logits and labels to predictions,
the training loss (reduced with tf.losses.Reduction.SUM by default), eval metrics and the
EstimatorSpec.

    head = binary_or_multi_class_head(n_classes=3)
    spec = head.create_estimator_spec(features, mode, logits, labels, train_op_fn=train_op_fn)
"""
from tensorweave import losses, metrics
from tensorweave.estimator import feature_column as fc
from tensorweave.ops import feature_column as fc_ops
from tensorweave.estimator.model_fn import EstimatorSpec, ModeKeys
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph, name_scope
from tensorweave.ops import array, control, math_ops, nn_ops


class PredictionKeys:
    """Keys of the canned estimators' prediction dicts."""

    CLASSES = "classes"
    CLASS_IDS = "class_ids"
    ALL_CLASSES = "all_classes"
    ALL_CLASS_IDS = "all_class_ids"
    LOGISTIC = "logistic"
    LOGITS = "logits"
    PREDICTIONS = "predictions"
    PROBABILITIES = "probabilities"


# the SignatureDef keys of the canned heads' SavedModels (TF 1.15's head.py)
SERVING_KEY = "serving_default"
CLASSIFY_KEY = "classification"
REGRESS_KEY = "regression"
PREDICT_KEY = "predict"


class MetricKeys:
    """Keys of the canned estimators' evaluation results."""

    LOSS = "loss"
    LOSS_MEAN = "average_loss"
    ACCURACY = "accuracy"
    PRECISION = "precision"
    RECALL = "recall"
    ACCURACY_BASELINE = "accuracy_baseline"
    AUC = "auc"
    AUC_PR = "auc_precision_recall"
    LABEL_MEAN = "label/mean"
    PREDICTION_MEAN = "prediction/mean"


def labels_as_column(labels, logits, dimension):
    """Labels of shape [batch] or [batch, dimension] as [batch, dimension]."""
    if labels is None:
        raise ValueError("You must provide a labels Tensor. Given: None. Suggested "
                         "troubleshooting steps: Check that your data contain your label feature. "
                         "Check that your input_fn properly parses and returns labels.")
    labels = convert_to_tensor(labels)
    if labels.shape.ndims == 1 or (labels.shape.ndims is None and dimension == 1):
        labels = array.reshape(labels, [-1, 1])
    last = labels.shape.as_tuple()[-1] if labels.shape.ndims else None
    if last is not None and last != dimension:
        raise ValueError(f"Mismatched label shape. Expected labels dimension={dimension}. "
                         f"Received {last}. Suggested Fix: If your classifier expects one-hot "
                         f"encoding label, check your n_classes argument to the estimator and/or "
                         f"the shape of your label. Otherwise, check the shape of your label.")
    return labels


def example_weights(features, weight_column, like):
    """Per-example weights [batch, 1] from `weight_column` (a key or numeric_column), or 1."""
    if weight_column is None:
        return 1.0
    if isinstance(weight_column, str):
        weight_column = fc.numeric_column(weight_column)
    if not isinstance(weight_column, fc.NumericColumn):
        raise TypeError(f"Weight column must be either a string or NumericColumn. Given type: "
                        f"{type(weight_column)}.")
    values = fc.LazyBuilder(features).get(weight_column)
    return array.reshape(values, [-1, 1]) * array.ones_like(like[:, :1])


def label_ids(labels, label_vocabulary):
    if label_vocabulary is None:
        if not labels.dtype.is_integer:
            raise ValueError(f"Labels dtype should be integer. Instead got {labels.dtype}.")
        return array.cast(labels, dtypes.int64)
    if labels.dtype is not dtypes.string:
        raise ValueError(f"Labels dtype should be string if there is a vocabulary. Instead got "
                         f"{labels.dtype}")
    # unknown strings become -1, which the loss rejects with InvalidArgumentError
    return fc_ops.categorical_vocabulary(labels, label_vocabulary, name="class_id_lookup")


def class_strings(class_ids, n_classes, label_vocabulary, name="str_classes"):
    names = label_vocabulary or [str(i) for i in range(n_classes)]
    return array.gather(convert_to_tensor(list(names), dtype=dtypes.string), class_ids,
                            name=name)


def classification_output(scores, n_classes, label_vocabulary):
    """ClassificationOutput of the scores and every class's name per example, as TF's heads
    export them."""
    from tensorweave.estimator import export
    names = convert_to_tensor(list(label_vocabulary or [str(i) for i in range(n_classes)]),
                              dtype=dtypes.string)
    classes = array.zeros_like(scores[:, :1], dtype=dtypes.int32) + array.range_(n_classes)
    return export.ClassificationOutput(scores=scores,
                                       classes=array.gather(names, classes))


def _classifier_export_outputs(predictions, scores, n_classes, label_vocabulary, extra=None):
    from tensorweave.estimator import export
    classification = classification_output(scores, n_classes, label_vocabulary)
    return {SERVING_KEY: classification, CLASSIFY_KEY: classification, **(extra or {}),
            PREDICT_KEY: export.PredictOutput(predictions)}


def class_predictions(logits, class_ids, n_classes, label_vocabulary):
    """The class predictions of a classifier head: class_ids, classes, and every class's id
    and name per example (all_class_ids int32 and all_classes, each [batch, n_classes])."""
    all_class_ids = array.zeros_like(logits[:, :1], dtype=dtypes.int32) + \
        array.range_(n_classes)
    return {
        PredictionKeys.CLASS_IDS: class_ids,
        PredictionKeys.CLASSES: class_strings(class_ids, n_classes, label_vocabulary),
        PredictionKeys.ALL_CLASS_IDS: all_class_ids,
        PredictionKeys.ALL_CLASSES: class_strings(all_class_ids, n_classes, label_vocabulary,
                                                   name="all_classes"),
    }


class _Head:
    """Shared flow: predictions, then (EVAL) metrics or (TRAIN) the train op and summaries."""

    logits_dimension = 1
    label_dimension = 1

    def __init__(self, weight_column, loss_reduction):
        if loss_reduction not in losses.Reduction.all() or \
                loss_reduction == losses.Reduction.NONE:
            raise ValueError(f"Invalid loss_reduction: {loss_reduction}")
        self._weight_column = weight_column
        self._loss_reduction = loss_reduction

    def create_loss(self, features, logits, labels):
        """(training loss, unreduced loss [batch, d], weights, processed labels)."""
        labels = self._process_labels(labels_as_column(labels, logits, self.label_dimension))
        unreduced = self._unreduced_loss(labels, logits)
        weights = example_weights(features, self._weight_column, logits)
        loss = losses.compute_weighted_loss(unreduced, weights=weights,
                                            reduction=self._loss_reduction)
        return loss, unreduced, weights, labels

    def create_estimator_spec(self, features, mode, logits, labels=None, optimizer=None,
                              train_op_fn=None, regularization_losses=None):
        with name_scope(None, "head"):
            with name_scope(None, "predictions", [logits]):
                predictions = self._predictions(logits)
            if mode == ModeKeys.PREDICT:
                return EstimatorSpec(mode, predictions=predictions,
                                     export_outputs=self.export_outputs(predictions))
            loss, unreduced, weights, labels = self.create_loss(features, logits, labels)
            if mode == ModeKeys.EVAL:
                with name_scope(None, "metrics"):
                    metric_ops = self._metrics(labels, predictions, unreduced, weights)
                return EstimatorSpec(mode, predictions=predictions, loss=loss,
                                     eval_metric_ops=metric_ops)
            if regularization_losses:
                loss = loss + math_ops.add_n(list(regularization_losses))
            if optimizer is not None:
                if train_op_fn is not None:
                    raise ValueError("train_op_fn and optimizer cannot both be set.")
                from tensorweave.train import training_util
                train_op = optimizer.minimize(loss, global_step=training_util.get_global_step())
            elif train_op_fn is None:
                raise ValueError("train_op_fn and optimizer cannot both be None.")
            else:
                train_op = train_op_fn(loss)
            update_ops = get_default_graph().get_collection(GraphKeys.UPDATE_OPS)
            if update_ops:
                train_op = control.group(train_op, *update_ops)
            mean_loss = None
            if self._loss_reduction == losses.Reduction.SUM:
                mean_loss = loss / math_ops.reduce_sum(weights * array.ones_like(unreduced))
        from tensorweave import summary
        with name_scope(""):
            summary.scalar(MetricKeys.LOSS, loss)
            if mean_loss is not None:
                summary.scalar(MetricKeys.LOSS_MEAN, mean_loss)
        return EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op)

    def export_outputs(self, predictions):
        """The SignatureDefs a SavedModel of this head serves, keyed as TF 1.15's heads key
        them: "serving_default", "classification"/"regression", and "predict"."""
        raise NotImplementedError

    def _loss_mean_metric(self, unreduced, weights):
        return metrics.mean(unreduced, weights=_metric_weights(weights),
                            name=MetricKeys.LOSS_MEAN)


def _metric_weights(weights):
    return None if isinstance(weights, float) else weights


class _MultiClassHead(_Head):
    """Softmax cross-entropy over n_classes logits."""

    def __init__(self, n_classes, weight_column=None, label_vocabulary=None,
                 loss_reduction=losses.Reduction.SUM):
        super().__init__(weight_column, loss_reduction)
        if n_classes is None or n_classes <= 2:
            raise ValueError(f"n_classes must be > 2: {n_classes}.")
        self._n_classes = n_classes
        self._label_vocabulary = label_vocabulary
        self.logits_dimension = n_classes

    def _process_labels(self, labels):
        return label_ids(labels, self._label_vocabulary)

    def _unreduced_loss(self, labels, logits):
        per_example = nn_ops.sparse_softmax_cross_entropy_with_logits(
            labels=array.squeeze(labels, axis=[-1]), logits=logits)
        return array.expand_dims(per_example, -1)

    def _predictions(self, logits):
        class_ids = array.expand_dims(
            math_ops.argmax(logits, axis=-1, name=PredictionKeys.CLASS_IDS), -1)
        return {
            PredictionKeys.LOGITS: logits,
            PredictionKeys.PROBABILITIES: nn_ops.softmax(logits,
                                                         name=PredictionKeys.PROBABILITIES),
            **class_predictions(logits, class_ids, self._n_classes, self._label_vocabulary),
        }

    def export_outputs(self, predictions):
        return _classifier_export_outputs(predictions,
                                          predictions[PredictionKeys.PROBABILITIES],
                                          self._n_classes, self._label_vocabulary)

    def _metrics(self, labels, predictions, unreduced, weights):
        return {
            MetricKeys.LOSS_MEAN: self._loss_mean_metric(unreduced, weights),
            MetricKeys.ACCURACY: metrics.accuracy(labels, predictions[PredictionKeys.CLASS_IDS],
                                                  weights=_metric_weights(weights),
                                                  name=MetricKeys.ACCURACY),
        }


class _BinaryLogisticHead(_Head):
    """Sigmoid cross-entropy on one logit per example."""

    def __init__(self, weight_column=None, label_vocabulary=None,
                 loss_reduction=losses.Reduction.SUM):
        super().__init__(weight_column, loss_reduction)
        self._label_vocabulary = label_vocabulary

    def _process_labels(self, labels):
        if self._label_vocabulary is not None:
            labels = label_ids(labels, self._label_vocabulary)
        return array.cast(labels, dtypes.float32)

    def _unreduced_loss(self, labels, logits):
        return nn_ops.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)

    def _predictions(self, logits):
        two_class = array.concat([array.zeros_like(logits), logits], -1,
                                     name="two_class_logits")
        class_ids = array.expand_dims(
            math_ops.argmax(two_class, axis=-1, name=PredictionKeys.CLASS_IDS), -1)
        return {
            PredictionKeys.LOGITS: logits,
            PredictionKeys.LOGISTIC: math_ops.sigmoid(logits, name=PredictionKeys.LOGISTIC),
            PredictionKeys.PROBABILITIES: nn_ops.softmax(two_class,
                                                         name=PredictionKeys.PROBABILITIES),
            **class_predictions(logits, class_ids, 2, self._label_vocabulary),
        }

    def export_outputs(self, predictions):
        from tensorweave.estimator import export
        return _classifier_export_outputs(
            predictions, predictions[PredictionKeys.PROBABILITIES], 2, self._label_vocabulary,
            extra={REGRESS_KEY: export.RegressionOutput(
                value=predictions[PredictionKeys.LOGISTIC])})

    def _metrics(self, labels, predictions, unreduced, weights):
        w = _metric_weights(weights)
        logistic = predictions[PredictionKeys.LOGISTIC]
        class_ids = predictions[PredictionKeys.CLASS_IDS]
        label_mean = metrics.mean(labels, weights=w, name=MetricKeys.LABEL_MEAN)
        baseline = tuple(math_ops.maximum(t, 1.0 - t, name=MetricKeys.ACCURACY_BASELINE)
                         for t in label_mean)
        return {
            MetricKeys.LOSS_MEAN: self._loss_mean_metric(unreduced, weights),
            MetricKeys.ACCURACY: metrics.accuracy(labels, class_ids, weights=w,
                                                  name=MetricKeys.ACCURACY),
            MetricKeys.PRECISION: metrics.precision(labels, class_ids, weights=w,
                                                    name=MetricKeys.PRECISION),
            MetricKeys.RECALL: metrics.recall(labels, class_ids, weights=w,
                                              name=MetricKeys.RECALL),
            MetricKeys.PREDICTION_MEAN: metrics.mean(logistic, weights=w,
                                                     name=MetricKeys.PREDICTION_MEAN),
            MetricKeys.LABEL_MEAN: label_mean,
            MetricKeys.ACCURACY_BASELINE: baseline,
            MetricKeys.AUC: metrics.auc(labels, logistic, weights=w, name=MetricKeys.AUC),
            MetricKeys.AUC_PR: metrics.auc(labels, logistic, weights=w, curve="PR",
                                           name=MetricKeys.AUC_PR),
        }


class _RegressionHead(_Head):
    """Squared error on label_dimension outputs."""

    def __init__(self, label_dimension=1, weight_column=None,
                 loss_reduction=losses.Reduction.SUM):
        super().__init__(weight_column, loss_reduction)
        if label_dimension < 1:
            raise ValueError(f"Invalid label_dimension {label_dimension}.")
        self.logits_dimension = self.label_dimension = label_dimension

    def _process_labels(self, labels):
        return array.cast(labels, dtypes.float32)

    def _unreduced_loss(self, labels, logits):
        return math_ops.squared_difference(logits, labels)

    def _predictions(self, logits):
        return {PredictionKeys.PREDICTIONS: logits}

    def export_outputs(self, predictions):
        from tensorweave.estimator import export
        regression = export.RegressionOutput(value=predictions[PredictionKeys.PREDICTIONS])
        return {SERVING_KEY: regression, REGRESS_KEY: regression,
                PREDICT_KEY: export.PredictOutput(predictions)}

    def _metrics(self, labels, predictions, unreduced, weights):
        w = _metric_weights(weights)
        return {
            MetricKeys.LOSS_MEAN: self._loss_mean_metric(unreduced, weights),
            MetricKeys.PREDICTION_MEAN: metrics.mean(predictions[PredictionKeys.PREDICTIONS],
                                                     weights=w,
                                                     name=MetricKeys.PREDICTION_MEAN),
            MetricKeys.LABEL_MEAN: metrics.mean(labels, weights=w, name=MetricKeys.LABEL_MEAN),
        }


def binary_or_multi_class_head(n_classes, weight_column=None, label_vocabulary=None,
                               loss_reduction=losses.Reduction.SUM):
    """The binary logistic head for n_classes == 2, else the softmax multi-class head."""
    if label_vocabulary is not None and not isinstance(label_vocabulary, (list, tuple)):
        raise ValueError(f"label_vocabulary should be a list or a tuple. Given type: "
                         f"{type(label_vocabulary)}")
    if label_vocabulary is not None and len(label_vocabulary) != n_classes:
        raise ValueError(f"Length of label_vocabulary ({len(label_vocabulary)}) must equal "
                         f"n_classes ({n_classes})")
    if n_classes == 2:
        return _BinaryLogisticHead(weight_column, label_vocabulary, loss_reduction)
    return _MultiClassHead(n_classes, weight_column, label_vocabulary, loss_reduction)


def regression_head(label_dimension=1, weight_column=None,
                    loss_reduction=losses.Reduction.SUM):
    return _RegressionHead(label_dimension, weight_column, loss_reduction)
