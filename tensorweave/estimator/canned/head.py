"""Heads of the canned estimators (TF 1.15's v1 heads): from logits and labels to predictions,
the training loss (reduced with tf.losses.Reduction.SUM by default), eval metrics (tf.metrics)
and the EstimatorSpec. tf.contrib.estimator's heads are these with its options (a `name`
suffixing metric and summary keys, `loss_fn`, `thresholds`, `inverse_link_fn`), plus the
multi-label head and the multi-head TF 1.15 kept in contrib.

    head = binary_or_multi_class_head(n_classes=3)
    spec = head.create_estimator_spec(features, mode, logits, labels, train_op_fn=train_op_fn)
"""
import collections
import inspect

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
    LOSS_REGULARIZATION = "regularization_loss"
    ACCURACY_AT_THRESHOLD = "accuracy/positive_threshold_%g"
    PRECISION_AT_THRESHOLD = "precision/positive_threshold_%g"
    RECALL_AT_THRESHOLD = "recall/positive_threshold_%g"
    PROBABILITY_MEAN_AT_CLASS = "probability_mean/class%d"
    AUC_AT_CLASS = "auc/class%d"
    AUC_PR_AT_CLASS = "auc_precision_recall/class%d"
    PROBABILITY_MEAN_AT_NAME = "probability_mean/%s"
    AUC_AT_NAME = "auc/%s"
    AUC_PR_AT_NAME = "auc_precision_recall/%s"


LossSpec = collections.namedtuple(
    "LossSpec", ["training_loss", "unreduced_loss", "weights", "processed_labels"])


def summary_key(head_name, key):
    """`key`, suffixed "/head_name" for a named head."""
    return f"{key}/{head_name}" if head_name else key


def validate_loss_fn_args(loss_fn):
    """A head's loss_fn takes labels and logits, and optionally features."""
    args = set(inspect.signature(loss_fn).parameters)
    for required in ("labels", "logits"):
        if required not in args:
            raise ValueError(f"loss_fn must contain argument: {required}. Given arguments: "
                             f"{sorted(args)}")
    invalid = sorted(args - {"labels", "logits", "features"})
    if invalid:
        raise ValueError(f"loss_fn has unexpected args: {invalid}")


def call_loss_fn(loss_fn, labels, logits, features, expected_loss_dim=1):
    """loss_fn's unreduced loss, checked to be shaped like the logits but for the last
    dimension, which must be `expected_loss_dim`."""
    kwargs = {"features": features} if "features" in inspect.signature(loss_fn).parameters \
        else {}
    unweighted = convert_to_tensor(loss_fn(labels=labels, logits=logits, **kwargs))
    want = logits.shape.as_tuple()
    got = unweighted.shape.as_tuple()
    if want is not None and got is not None:
        expected = want[:-1] + (expected_loss_dim,)
        if len(got) != len(expected) or any(
                g is not None and e is not None and g != e for g, e in zip(got, expected)):
            raise ValueError(f"loss_fn must return Tensor of shape [D0, D1, ... DN, "
                             f"{expected_loss_dim}]. Logits shape: {list(want)}, loss shape: "
                             f"{list(got)}")
    return unweighted


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

    def __init__(self, weight_column, loss_reduction, name=None, loss_fn=None):
        if loss_reduction not in losses.Reduction.all() or \
                loss_reduction == losses.Reduction.NONE:
            raise ValueError(f"Invalid loss_reduction: {loss_reduction}")
        if loss_fn is not None:
            validate_loss_fn_args(loss_fn)
        self._weight_column = weight_column
        self._loss_reduction = loss_reduction
        self._name = name
        self._loss_fn = loss_fn

    @property
    def name(self):
        return self._name

    def _key(self, key):
        return summary_key(self._name, key)

    def _unweighted_loss(self, labels, logits, features):
        if self._loss_fn is not None:
            return call_loss_fn(self._loss_fn, labels, logits, features,
                                self._loss_dimension())
        return self._default_loss(labels, logits)

    def _loss_dimension(self):
        return 1

    def create_loss(self, features, mode, logits, labels):
        """LossSpec(training loss, unreduced loss [batch, d], weights, processed labels)."""
        labels = self._process_labels(labels_as_column(labels, logits, self.label_dimension))
        unreduced = self._unweighted_loss(labels, logits, features)
        weights = example_weights(features, self._weight_column, logits)
        loss = losses.compute_weighted_loss(unreduced, weights=weights,
                                            reduction=self._loss_reduction)
        return LossSpec(loss, unreduced, weights, labels)

    def create_estimator_spec(self, features, mode, logits, labels=None, optimizer=None,
                              train_op_fn=None, regularization_losses=None):
        with name_scope(self._name, "head"):
            logits = convert_to_tensor(logits)
            with name_scope(None, "predictions", [logits]):
                predictions = self._predictions(logits)
            if mode == ModeKeys.PREDICT:
                return EstimatorSpec(mode, predictions=predictions,
                                     export_outputs=self.export_outputs(predictions))
            loss, unreduced, weights, labels = self.create_loss(features, mode, logits, labels)
            regularization_loss = None
            training_loss = loss
            if regularization_losses:
                regularization_loss = math_ops.add_n(list(regularization_losses))
                loss = math_ops.add_n([training_loss, regularization_loss])
            if mode == ModeKeys.EVAL:
                with name_scope(None, "metrics"):
                    metric_ops = {self._key(k): v for k, v in self._metrics(
                        labels, predictions, unreduced, weights).items()}
                    if regularization_loss is not None:
                        metric_ops[self._key(MetricKeys.LOSS_REGULARIZATION)] = metrics.mean(
                            regularization_loss, name=MetricKeys.LOSS_REGULARIZATION)
                return EstimatorSpec(mode, predictions=predictions, loss=loss,
                                     eval_metric_ops=metric_ops)
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
                mean_loss = training_loss / math_ops.reduce_sum(
                    weights * array.ones_like(unreduced))
        from tensorweave import summary
        with name_scope(""):
            summary.scalar(self._key(MetricKeys.LOSS), loss)
            if mean_loss is not None:
                summary.scalar(self._key(MetricKeys.LOSS_MEAN), mean_loss)
            if regularization_loss is not None:
                summary.scalar(self._key(MetricKeys.LOSS_REGULARIZATION), regularization_loss)
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


def _threshold_metrics(labels, scores, weights, thresholds):
    """accuracy, precision and recall of `scores >= threshold` per threshold, as TF's heads
    name them."""
    found = {}
    w = _metric_weights(weights)
    for t in thresholds:
        key = MetricKeys.ACCURACY_AT_THRESHOLD % t
        predicted = array.cast(math_ops.greater_equal(scores, t), dtypes.float32)
        found[key] = metrics.accuracy(labels, predicted, weights=w, name=key)
        for key, metric in ((MetricKeys.PRECISION_AT_THRESHOLD % t,
                             metrics.precision_at_thresholds),
                            (MetricKeys.RECALL_AT_THRESHOLD % t, metrics.recall_at_thresholds)):
            value, update = metric(labels, scores, thresholds=[t], weights=w, name=key)
            found[key] = (array.squeeze(value), array.squeeze(update))
    return found


def _check_thresholds(thresholds):
    thresholds = tuple(thresholds or ())
    for t in thresholds:
        if not 0.0 < t < 1.0:
            raise ValueError(f"thresholds not in (0, 1): {thresholds}.")
    return thresholds


class _MultiClassHead(_Head):
    """Softmax cross-entropy over n_classes logits."""

    def __init__(self, n_classes, weight_column=None, label_vocabulary=None,
                 loss_reduction=losses.Reduction.SUM, loss_fn=None, name=None):
        super().__init__(weight_column, loss_reduction, name, loss_fn)
        if n_classes is None or n_classes <= 2:
            raise ValueError(f"n_classes must be > 2: {n_classes}.")
        self._n_classes = n_classes
        self._label_vocabulary = label_vocabulary
        self.logits_dimension = n_classes

    def _process_labels(self, labels):
        return label_ids(labels, self._label_vocabulary)

    def _default_loss(self, labels, logits):
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
                 loss_reduction=losses.Reduction.SUM, loss_fn=None, name=None,
                 thresholds=None):
        super().__init__(weight_column, loss_reduction, name, loss_fn)
        self._label_vocabulary = label_vocabulary
        self._thresholds = _check_thresholds(thresholds)

    def _process_labels(self, labels):
        if self._label_vocabulary is not None:
            labels = label_ids(labels, self._label_vocabulary)
        return array.cast(labels, dtypes.float32)

    def _default_loss(self, labels, logits):
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
            **_threshold_metrics(labels, logistic, weights, self._thresholds),
        }


class _RegressionHead(_Head):
    """Squared error (or `loss_fn`) on label_dimension outputs; predictions are the logits,
    or inverse_link_fn(logits) with the logits beside them."""

    def __init__(self, label_dimension=1, weight_column=None,
                 loss_reduction=losses.Reduction.SUM, loss_fn=None, inverse_link_fn=None,
                 name=None):
        super().__init__(weight_column, loss_reduction, name, loss_fn)
        if label_dimension < 1:
            raise ValueError(f"Invalid label_dimension {label_dimension}.")
        self.logits_dimension = self.label_dimension = label_dimension
        self._inverse_link_fn = inverse_link_fn

    def _loss_dimension(self):
        return self.label_dimension

    def _process_labels(self, labels):
        return array.cast(labels, dtypes.float32)

    def _default_loss(self, labels, logits):
        return math_ops.squared_difference(logits, labels)

    def _predictions(self, logits):
        if self._inverse_link_fn is None:
            return {PredictionKeys.PREDICTIONS: logits}
        return {PredictionKeys.PREDICTIONS: self._inverse_link_fn(logits),
                PredictionKeys.LOGITS: logits}

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


class _MultiLabelHead(_Head):
    """Independent sigmoid cross-entropy per class (multi-hot labels [batch, n_classes],
    or a SparseTensor of class ids / vocabulary strings), averaged over the classes."""

    def __init__(self, n_classes, weight_column=None, thresholds=None, label_vocabulary=None,
                 loss_reduction=losses.Reduction.SUM_OVER_BATCH_SIZE, loss_fn=None,
                 classes_for_class_based_metrics=None, name=None):
        super().__init__(weight_column, loss_reduction, name, loss_fn)
        self._n_classes = self.logits_dimension = self.label_dimension = n_classes
        self._thresholds = thresholds
        self._label_vocabulary = label_vocabulary
        self._class_ids = classes_for_class_based_metrics

    def create_loss(self, features, mode, logits, labels):
        labels = labels_as_column(self._indicator_labels(labels), logits, self._n_classes)
        if self._loss_fn is not None:
            unreduced = call_loss_fn(self._loss_fn, labels, logits, features, 1)
        else:
            unreduced = math_ops.reduce_mean(nn_ops.sigmoid_cross_entropy_with_logits(
                labels=array.cast(labels, logits.dtype), logits=logits), axis=-1,
                keepdims=True)
        weights = example_weights(features, self._weight_column, logits)
        loss = losses.compute_weighted_loss(unreduced, weights=weights,
                                            reduction=self._loss_reduction)
        return LossSpec(loss, unreduced, weights, labels)

    def _indicator_labels(self, labels):
        from tensorweave.core.sparse_tensor import SparseTensor
        from tensorweave.ops import sparse_array_ops
        if labels is None:
            return labels_as_column(labels, None, self._n_classes)  # raises TF's error
        if isinstance(labels, SparseTensor):
            ids = labels
            if labels.dtype is dtypes.string:
                ids = SparseTensor(labels.indices, fc_ops.categorical_vocabulary(
                    labels.values, list(self._label_vocabulary), name="class_id_lookup"),
                    labels.dense_shape)
            return array.cast(sparse_array_ops.sparse_to_indicator(ids, self._n_classes),
                              dtypes.int64)
        return convert_to_tensor(labels)

    def _predictions(self, logits):
        return {PredictionKeys.LOGITS: logits,
                PredictionKeys.PROBABILITIES: math_ops.sigmoid(
                    logits, name=PredictionKeys.PROBABILITIES)}

    def export_outputs(self, predictions):
        return _classifier_export_outputs(predictions,
                                          predictions[PredictionKeys.PROBABILITIES],
                                          self._n_classes, self._label_vocabulary)

    def _metrics(self, labels, predictions, unreduced, weights):
        w = _metric_weights(weights)
        probabilities = predictions[PredictionKeys.PROBABILITIES]
        found = {
            MetricKeys.LOSS_MEAN: self._loss_mean_metric(unreduced, weights),
            MetricKeys.AUC: metrics.auc(labels, probabilities, weights=w, name=MetricKeys.AUC),
            MetricKeys.AUC_PR: metrics.auc(labels, probabilities, weights=w, curve="PR",
                                           name=MetricKeys.AUC_PR),
            **_threshold_metrics(labels, probabilities, weights, self._thresholds),
        }
        for c in self._class_ids:
            p, y = probabilities[..., c:c + 1], labels[..., c:c + 1]
            named = self._label_vocabulary is not None
            label = self._label_vocabulary[c] if named else c
            for template_id, template_name, make in (
                    (MetricKeys.PROBABILITY_MEAN_AT_CLASS, MetricKeys.PROBABILITY_MEAN_AT_NAME,
                     lambda key: metrics.mean(p, weights=w, name=key)),
                    (MetricKeys.AUC_AT_CLASS, MetricKeys.AUC_AT_NAME,
                     lambda key: metrics.auc(y, p, weights=w, name=key)),
                    (MetricKeys.AUC_PR_AT_CLASS, MetricKeys.AUC_PR_AT_NAME,
                     lambda key: metrics.auc(y, p, weights=w, curve="PR", name=key))):
                key = (template_name if named else template_id) % label
                found[key] = make(key)
        return found


def binary_or_multi_class_head(n_classes, weight_column=None, label_vocabulary=None,
                               loss_reduction=losses.Reduction.SUM, loss_fn=None, name=None,
                               thresholds=None):
    """The binary logistic head for n_classes == 2, else the softmax multi-class head."""
    _check_vocabulary(label_vocabulary, n_classes)
    if n_classes == 2:
        return _BinaryLogisticHead(weight_column, label_vocabulary, loss_reduction, loss_fn,
                                   name, thresholds)
    return _MultiClassHead(n_classes, weight_column, label_vocabulary, loss_reduction,
                           loss_fn, name)


def _check_vocabulary(label_vocabulary, n_classes):
    if label_vocabulary is not None and not isinstance(label_vocabulary, (list, tuple)):
        raise ValueError(f"label_vocabulary should be a list or a tuple. Given type: "
                         f"{type(label_vocabulary)}")
    if label_vocabulary is not None and len(label_vocabulary) != n_classes:
        raise ValueError(f"Length of label_vocabulary ({len(label_vocabulary)}) must equal "
                         f"n_classes ({n_classes})")


def regression_head(label_dimension=1, weight_column=None,
                    loss_reduction=losses.Reduction.SUM, loss_fn=None, inverse_link_fn=None,
                    name=None):
    return _RegressionHead(label_dimension, weight_column, loss_reduction, loss_fn,
                           inverse_link_fn, name)


def multi_label_head(n_classes, weight_column=None, thresholds=None, label_vocabulary=None,
                     loss_reduction=losses.Reduction.SUM_OVER_BATCH_SIZE, loss_fn=None,
                     classes_for_class_based_metrics=None, name=None):
    """TF 1.15 contrib's multi-label head (sigmoid cross-entropy averaged over classes)."""
    if n_classes is None or n_classes < 2:
        raise ValueError(f"n_classes must be > 1 for multi-class classification. Given: "
                         f"{n_classes}")
    thresholds = tuple(thresholds or ())
    for t in thresholds:
        if t <= 0.0 or t >= 1.0:
            raise ValueError(f"thresholds must be in (0, 1) range. Given: {t}")
    if label_vocabulary is not None:
        if not isinstance(label_vocabulary, (list, tuple)):
            raise ValueError(f"label_vocabulary must be a list or tuple. Given type: "
                             f"{type(label_vocabulary)}")
        if len(label_vocabulary) != n_classes:
            raise ValueError(f"Length of label_vocabulary must be n_classes ({n_classes}). "
                             f"Given: {len(label_vocabulary)}")
    classes = tuple(classes_for_class_based_metrics or ())
    if classes and isinstance(classes[0], str):
        if not label_vocabulary:
            raise ValueError("label_vocabulary must be provided when "
                             "classes_for_class_based_metrics are sting.")
        classes = tuple(list(label_vocabulary).index(c) for c in classes)
    for c in classes:
        if c < 0 or c >= n_classes:
            raise ValueError(f"All classes_for_class_based_metrics must be in range "
                             f"[0, {n_classes - 1}]. Given: {c}")
    return _MultiLabelHead(n_classes, weight_column, thresholds, label_vocabulary,
                           loss_reduction, loss_fn, classes, name)


# --- several heads -------------------------------------------------------------------------------
def _no_op_train_fn(loss):
    return control.no_op()


class _MultiHead(_Head):
    """Several named heads on one model (TF 1.15 contrib's multi_head): logits a dict by head
    name or one tensor split along its last axis, labels a dict by head name; the loss is the
    (head_weights-weighted) sum of the heads' losses, predictions keyed (head name, key)."""

    def __init__(self, heads, head_weights):
        self._heads = tuple(heads)
        self._head_weights = tuple(head_weights or ())
        self.logits_dimension = sum(h.logits_dimension for h in self._heads)

    @property
    def name(self):
        return "_".join(h.name for h in self._heads)

    def _split_logits(self, logits):
        with name_scope(None, "split_logits", [logits]):
            logits = convert_to_tensor(logits)
            parts = array.split(logits, [h.logits_dimension for h in self._heads], axis=-1)
        return {head.name: part for head, part in zip(self._heads, parts)}

    def _logits_dict(self, logits):
        return logits if isinstance(logits, dict) else self._split_logits(logits)

    def _merge_losses(self, head_losses):
        with name_scope("merge_losses"):
            if self._head_weights:
                head_losses = [math_ops.multiply(loss, weight)
                               for loss, weight in zip(head_losses, self._head_weights)]
            return math_ops.add_n(list(head_losses))

    def create_loss(self, features, mode, logits, labels):
        logits_dict = self._logits_dict(logits)
        specs = [head.create_loss(features, mode, logits_dict[head.name], labels[head.name])
                 for head in self._heads]
        weights = self._head_weights or (None,) * len(self._heads)
        scale = (lambda t, w: t if w is None else math_ops.multiply(t, w))
        return LossSpec(
            self._merge_losses([s.training_loss for s in specs]),
            {h.name: scale(s.unreduced_loss, w) for h, s, w in zip(self._heads, specs, weights)},
            {h.name: scale(s.weights, w) for h, s, w in zip(self._heads, specs, weights)},
            {h.name: s.processed_labels for h, s in zip(self._heads, specs)})

    def create_estimator_spec(self, features, mode, logits, labels=None, optimizer=None,
                              train_op_fn=None):
        logits_dict = self._logits_dict(logits)
        if labels and not isinstance(labels, dict):
            raise ValueError(f"labels must be a dict. Given: {labels}")
        specs = [head.create_estimator_spec(
            features=features, mode=mode, logits=logits_dict[head.name],
            labels=labels[head.name] if labels else None, train_op_fn=_no_op_train_fn)
            for head in self._heads]
        predictions = {(head.name, key): value for head, spec in zip(self._heads, specs)
                       for key, value in spec.predictions.items()}
        if mode == ModeKeys.PREDICT:
            return EstimatorSpec(mode, predictions=predictions,
                                 export_outputs=self._merged_export_outputs(specs))
        if mode == ModeKeys.EVAL:
            metric_ops = {}
            with name_scope("merge_eval"):
                for head, spec in zip(self._heads, specs):
                    key = summary_key(head.name, MetricKeys.LOSS)
                    metric_ops[key] = metrics.mean(spec.loss, name=key)
                    metric_ops.update(spec.eval_metric_ops)
                loss = self._merge_losses([spec.loss for spec in specs])
            return EstimatorSpec(mode, predictions=predictions, loss=loss,
                                 eval_metric_ops=metric_ops)
        loss = self._merge_losses([spec.loss for spec in specs])
        if optimizer is not None:
            if train_op_fn is not None:
                raise ValueError("train_op_fn and optimizer cannot both be set.")
            from tensorweave.train import training_util
            train_op = optimizer.minimize(loss, global_step=training_util.get_global_step())
        elif train_op_fn is not None:
            train_op = train_op_fn(loss)
        else:
            raise ValueError("train_op_fn and optimizer cannot both be None.")
        from tensorweave import summary
        with name_scope(""):
            summary.scalar(MetricKeys.LOSS, loss)
        return EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op)

    def _merged_export_outputs(self, specs):
        from tensorweave.estimator import export
        first = specs[0].export_outputs
        if len(first) == 1:
            default = next(iter(first.values()))
        elif SERVING_KEY in first:
            default = first[SERVING_KEY]
        else:
            raise ValueError(f"{self._heads[0].name} did not specify default export_outputs. "
                             f"Given: {first} Suggested fix: Use one of the heads in "
                             f"tf.contrib.estimator, or include key {SERVING_KEY} in "
                             f"export_outputs.")
        outputs, merged = {SERVING_KEY: default}, {}
        for head, spec in zip(self._heads, specs):
            for key, value in spec.export_outputs.items():
                outputs[head.name if key == SERVING_KEY else f"{head.name}/{key}"] = value
                if key == PREDICT_KEY and isinstance(value, export.PredictOutput):
                    for name, tensor in value.outputs.items():
                        merged[f"{head.name}/{name}"] = tensor
        outputs[PREDICT_KEY] = export.PredictOutput(merged)
        return outputs


def multi_head(heads, head_weights=None):
    """TF 1.15 contrib's head of several named heads (the first serves by default)."""
    if head_weights and len(head_weights) != len(heads):
        raise ValueError(f"heads and head_weights must have the same size. Given len(heads): "
                         f"{len(heads)}. Given len(head_weights): {len(head_weights)}.")
    if not heads:
        raise ValueError(f"Must specify heads. Given: {heads}")
    for head in heads:
        if not head.name:
            raise ValueError(f"All given heads must have name specified. Given: {head}")
    return _MultiHead(heads, head_weights)
