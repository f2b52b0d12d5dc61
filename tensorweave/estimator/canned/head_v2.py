"""tf.estimator's heads (TF 2.x's Head API, also TF 1.15's tf.compat.v2.estimator): from logits
and labels to predictions, a loss reduced with SUM_OVER_BATCH_SIZE by default, eval metrics
(Keras metric objects) and an EstimatorSpec.

    head = tf.estimator.MultiClassHead(n_classes=3)
    spec = head.create_estimator_spec(features, mode, logits, labels,
                                      optimizer=tf.train.AdagradOptimizer(0.1))

Deviation: besides a train_op_fn, `optimizer` may be a tf.train.Optimizer (TF 1's, stepping
the global step), since tensorweave's canned estimators train with those.
"""
from tensorweave import summary
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph, name_scope
from tensorweave.estimator.canned import head as v1
from tensorweave.estimator.canned.head import MetricKeys, PredictionKeys
from tensorweave.estimator.model_fn import EstimatorSpec, ModeKeys
from tensorweave.ops import array, control, math_ops, nn_ops

DEFAULT_SERVING_KEY = v1.SERVING_KEY
CLASSIFY_SERVING_KEY = v1.CLASSIFY_KEY
REGRESS_SERVING_KEY = v1.REGRESS_KEY
PREDICT_SERVING_KEY = v1.PREDICT_KEY

LOSS_REGULARIZATION = "regularization_loss"
_SUM_OVER_BATCH_SIZE = "sum_over_batch_size"
# tf.keras.losses.Reduction's keys, and TF 1's tf.losses.Reduction spellings of the same
_REDUCTIONS = {"sum": "sum", "sum_over_batch_size": _SUM_OVER_BATCH_SIZE,
               "auto": _SUM_OVER_BATCH_SIZE, "weighted_sum": "sum",
               "weighted_sum_over_batch_size": _SUM_OVER_BATCH_SIZE}


def _keras_metrics():
    from tensorweave.keras import metrics
    return metrics


def _reduction(loss_reduction):
    if loss_reduction not in _REDUCTIONS:
        raise ValueError(f"Invalid loss_reduction: {loss_reduction}. See "
                         f"`tf.losses.Reduction` for valid options.")
    return _REDUCTIONS[loss_reduction]


def _reduce_loss(unweighted, weights, reduction):
    """Keras's compute_weighted_loss: weighted losses summed, over their count for
    sum_over_batch_size."""
    weighted = unweighted * weights
    total = math_ops.reduce_sum(weighted)
    if reduction == "sum":
        return total
    count = array.cast(array.size(weighted), weighted.dtype)
    return math_ops.divide(total, math_ops.maximum(count, 1.0), name="value")


def _check_logits(logits, dimension):
    logits = convert_to_tensor(logits)
    if logits.dtype is not dtypes.float32 and logits.dtype.is_floating:
        logits = array.cast(logits, dtypes.float32)
    if logits.shape.ndims is not None and logits.shape.ndims < 2:
        raise ValueError(f"logits shape must be [D0, D1, ... DN, logits_dimension], got "
                         f"{logits.shape}.")
    last = logits.shape.as_tuple()[-1] if logits.shape.ndims else None
    if last is not None and last != dimension:
        raise ValueError(f"logits shape must be [D0, D1, ... DN, logits_dimension], got "
                         f"{logits.shape}.")
    return logits


class Head:
    """The interface of a head (name, logits_dimension, loss_reduction, loss, predictions,
    metrics, update_metrics, create_estimator_spec) and the flow every head shares."""

    _n_classes = None
    _label_vocabulary = None

    def __init__(self, weight_column=None, loss_reduction=_SUM_OVER_BATCH_SIZE, name=None,
                 logits_dimension=1):
        self._weight_column = weight_column
        self._loss_reduction = loss_reduction
        self._reduction = _reduction(loss_reduction)
        self._name = name
        self._logits_dimension = logits_dimension

    @property
    def name(self):
        return self._name

    @property
    def logits_dimension(self):
        return self._logits_dimension

    @property
    def loss_reduction(self):
        return self._loss_reduction

    def _summary_key(self, key):
        return f"{key}/{self._name}" if self._name else key

    # --- what subclasses state --------------------------------------------------------------
    def _processed_labels(self, logits, labels):
        raise NotImplementedError

    def _unweighted_loss(self, logits, labels, features):
        raise NotImplementedError

    def predictions(self, logits, keys=None):
        """The prediction dict of `logits` (only `keys` if given)."""
        raise NotImplementedError

    def metrics(self, regularization_losses=None):
        """A dict of fresh Keras metric objects, keyed as evaluate reports them."""
        raise NotImplementedError

    def _metric_updates(self, eval_metrics, features, logits, labels, regularization_losses):
        """{key: update op} for the metrics of `eval_metrics` this batch updates."""
        raise NotImplementedError

    def _export_outputs(self, predictions):
        raise NotImplementedError

    # --- shared -----------------------------------------------------------------------------
    def _unweighted_loss_and_weights(self, logits, labels, features):
        unweighted = self._unweighted_loss(logits, labels, features)
        return unweighted, v1.example_weights(features, self._weight_column, unweighted)

    def loss(self, labels, logits, features=None, mode=None, regularization_losses=None):
        """The training loss: the weighted per-example losses reduced per loss_reduction,
        plus the regularization losses."""
        with name_scope(None, "losses", [logits, labels]):
            logits = _check_logits(logits, self.logits_dimension)
            labels = self._processed_labels(logits, labels)
            unweighted, weights = self._unweighted_loss_and_weights(logits, labels,
                                                                    features or {})
            loss = _reduce_loss(unweighted, weights, self._reduction)
            if regularization_losses:
                loss = loss + math_ops.add_n(list(regularization_losses))
        return loss

    def _regularization_metric(self, eval_metrics, regularization_losses):
        if regularization_losses is None:
            return {}
        key = self._summary_key(LOSS_REGULARIZATION)
        return {key: eval_metrics[key].update_state(math_ops.add_n(list(regularization_losses)))}

    def update_metrics(self, eval_metrics, features, logits, labels, mode=None,
                       regularization_losses=None):
        """Updates `eval_metrics` (from metrics()) with one batch; returns them."""
        self._metric_updates(eval_metrics, features, logits, labels, regularization_losses)
        return eval_metrics

    def create_estimator_spec(self, features, mode, logits, labels=None, optimizer=None,
                              trainable_variables=None, train_op_fn=None, update_ops=None,
                              regularization_losses=None):
        """The EstimatorSpec of `mode`: predictions and export outputs (PREDICT), the loss
        and metrics (EVAL), the loss and the train op of `optimizer` or `train_op_fn`."""
        with name_scope(None, self._name or self._default_scope):
            export_outputs = self._export_outputs_fn(features, mode, logits, labels)
            predictions = self.predictions(logits)
            if mode == ModeKeys.PREDICT:
                return EstimatorSpec(mode, predictions=predictions,
                                     export_outputs=export_outputs(predictions))
            loss = self.loss(labels, logits, features, mode, regularization_losses)
            if mode == ModeKeys.EVAL:
                eval_metrics = self.metrics(regularization_losses)
                updates = self._metric_updates(eval_metrics, features, logits, labels,
                                               regularization_losses)
                return EstimatorSpec(mode, predictions=predictions, loss=loss,
                                     eval_metric_ops=metric_ops(eval_metrics, updates))
            train_op = train_op_of(optimizer, trainable_variables, train_op_fn, update_ops,
                                   loss)
        loss_summaries(loss, regularization_losses, self._loss_summary_key)
        return EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op)

    _default_scope = "head"

    def _export_outputs_fn(self, features, mode, logits, labels):
        """predictions -> the PREDICT spec's export outputs (made before the predictions)."""
        return self._export_outputs

    def _loss_summary_key(self, key):
        return self._summary_key(key)


def metric_ops(eval_metrics, updates):
    """eval_metric_ops {key: (value, update op)} of Keras metric objects and their updates."""
    ops = {}
    for key, metric in eval_metrics.items():
        update = updates.get(key)
        ops[key] = (metric.result(), update if update is not None else control.no_op())
    return ops


def train_op_of(optimizer, trainable_variables, train_op_fn, update_ops, loss):
    """The train op of `optimizer` (TF 1's minimize with the global step, or a Keras
    optimizer's get_updates) or of `train_op_fn`, grouped with `update_ops`."""
    from tensorweave.train import optimizer as optimizer_lib
    from tensorweave.train import training_util
    with name_scope(""), name_scope("training"):
        if optimizer is not None:
            if train_op_fn is not None:
                raise ValueError("train_op_fn and optimizer cannot both be set.")
            if isinstance(optimizer, optimizer_lib.Optimizer):
                train_op = optimizer.minimize(loss, var_list=trainable_variables,
                                              global_step=training_util.get_global_step())
            elif hasattr(optimizer, "get_updates"):
                if trainable_variables is None:
                    trainable_variables = get_default_graph().get_collection(
                        GraphKeys.TRAINABLE_VARIABLES)
                train_op = optimizer.get_updates(loss, list(trainable_variables))[0]
            else:
                raise ValueError(f"The given optimizer is not a tf.keras.optimizers.Optimizer "
                                 f"instance. Received optimizer of type {type(optimizer)}")
        elif train_op_fn is not None:
            train_op = train_op_fn(loss)
        else:
            raise ValueError("train_op_fn and optimizer cannot both be None.")
        if update_ops is not None:
            train_op = control.group(train_op, *update_ops)
    return train_op


def loss_summaries(loss, regularization_losses, summary_key):
    with name_scope(""):
        summary.scalar(summary_key(MetricKeys.LOSS), loss)
        if regularization_losses is not None:
            summary.scalar(summary_key(LOSS_REGULARIZATION),
                           math_ops.add_n(list(regularization_losses)))


def _check_prediction_keys(keys, valid):
    for key in keys:
        if key not in valid:
            raise ValueError(f"Prediction key must be in PredictionKeys, given: {key}. Valid "
                             f"prediction keys include {valid}.")


def _broadcast(weights, like):
    return weights * array.ones_like(like)


def _weighted_mean_update(metric, values, weights):
    return metric.update_state(values, sample_weight=_broadcast(weights, values))


def _validate_n_classes(n_classes):
    if n_classes is None or isinstance(n_classes, bool) or not isinstance(n_classes, int) \
            or n_classes <= 2:
        raise ValueError(f"n_classes must be > 2: {n_classes}.")
    return n_classes


def _validate_vocabulary(label_vocabulary, n_classes):
    if label_vocabulary is None:
        return None
    if not isinstance(label_vocabulary, (list, tuple)):
        raise ValueError(f"label_vocabulary should be a list or a tuple. Given type: "
                         f"{type(label_vocabulary)}")
    if len(label_vocabulary) != n_classes:
        raise ValueError(f"Length of label_vocabulary ({len(label_vocabulary)}) must equal "
                         f"n_classes ({n_classes})")
    return list(label_vocabulary)


def _classifier_outputs(predictions, n_classes, label_vocabulary, extra=None):
    from tensorweave.estimator import export
    output = v1.classification_output(predictions[PredictionKeys.PROBABILITIES], n_classes,
                                      label_vocabulary)
    return {DEFAULT_SERVING_KEY: output, CLASSIFY_SERVING_KEY: output, **(extra or {}),
            PREDICT_SERVING_KEY: export.PredictOutput(predictions)}


# --- classification ------------------------------------------------------------------------------
class BinaryClassHead(Head):
    """Sigmoid cross-entropy on one logit per example, with the binary metrics (accuracy,
    precision, recall, AUCs, means, and at each of `thresholds`)."""

    def __init__(self, weight_column=None, thresholds=None, label_vocabulary=None,
                 loss_reduction=_SUM_OVER_BATCH_SIZE, loss_fn=None, name=None):
        super().__init__(weight_column, loss_reduction, name, 1)
        self._thresholds = tuple(thresholds or ())
        for t in self._thresholds:
            if not 0.0 < t < 1.0:
                raise ValueError(f"thresholds not in (0, 1): {self._thresholds}.")
        if label_vocabulary is not None and not isinstance(label_vocabulary, (list, tuple)):
            raise ValueError(f"label_vocabulary should be a list or tuple. Given type: "
                             f"{type(label_vocabulary)}")
        self._label_vocabulary = label_vocabulary
        self._n_classes = 2
        self._loss_fn = loss_fn

    def _processed_labels(self, logits, labels):
        labels = v1.labels_as_column(labels, logits, 1)
        if self._label_vocabulary is not None:
            labels = v1.label_ids(labels, self._label_vocabulary)
        return array.cast(labels, dtypes.float32)

    def _unweighted_loss(self, logits, labels, features):
        if self._loss_fn is not None:
            return self._loss_fn(labels=labels, logits=logits)
        return nn_ops.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits,
                                                         name="loss")

    def predictions(self, logits, keys=None):
        valid = [PredictionKeys.LOGITS, PredictionKeys.LOGISTIC, PredictionKeys.PROBABILITIES,
                 PredictionKeys.CLASS_IDS, PredictionKeys.CLASSES,
                 PredictionKeys.ALL_CLASS_IDS, PredictionKeys.ALL_CLASSES]
        if keys:
            _check_prediction_keys(keys, valid)
        keys = keys or valid
        logits = _check_logits(logits, 1)
        with name_scope(None, "predictions", [logits]):
            predictions = {PredictionKeys.LOGITS: logits,
                           PredictionKeys.LOGISTIC: math_ops.sigmoid(
                               logits, name=PredictionKeys.LOGISTIC)}
            two_class = array.concat([array.zeros_like(logits), logits], -1,
                                     name="two_class_logits")
            predictions[PredictionKeys.PROBABILITIES] = nn_ops.softmax(
                two_class, name=PredictionKeys.PROBABILITIES)
            class_ids = array.expand_dims(
                math_ops.argmax(two_class, axis=-1, name=PredictionKeys.CLASS_IDS), -1)
            predictions.update(v1.class_predictions(logits, class_ids, 2,
                                                    self._label_vocabulary))
        return {k: v for k, v in predictions.items() if k in keys}

    def metrics(self, regularization_losses=None):
        km = _keras_metrics()
        key = self._summary_key
        with name_scope(None, "metrics"):
            eval_metrics = {
                key(MetricKeys.LOSS_MEAN): km.Mean(name=MetricKeys.LOSS_MEAN),
                key(MetricKeys.ACCURACY): km.Accuracy(name=MetricKeys.ACCURACY),
                key(MetricKeys.PRECISION): km.Precision(name=MetricKeys.PRECISION),
                key(MetricKeys.RECALL): km.Recall(name=MetricKeys.RECALL),
                key(MetricKeys.PREDICTION_MEAN): km.Mean(name=MetricKeys.PREDICTION_MEAN),
                key(MetricKeys.LABEL_MEAN): km.Mean(name=MetricKeys.LABEL_MEAN),
                key(MetricKeys.ACCURACY_BASELINE): _AccuracyBaseline(),
                key(MetricKeys.AUC): km.AUC(name=MetricKeys.AUC),
                key(MetricKeys.AUC_PR): _pr_auc(MetricKeys.AUC_PR),
            }
            if regularization_losses is not None:
                eval_metrics[key(LOSS_REGULARIZATION)] = km.Mean(name=LOSS_REGULARIZATION)
            for t in self._thresholds:
                k = key(f"accuracy/positive_threshold_{t:g}")
                eval_metrics[k] = km.BinaryAccuracy(name=k, threshold=t)
                k = key(f"precision/positive_threshold_{t:g}")
                eval_metrics[k] = km.Precision(name=k, thresholds=t)
                k = key(f"recall/positive_threshold_{t:g}")
                eval_metrics[k] = km.Recall(name=k, thresholds=t)
        eval_metrics[key(MetricKeys.ACCURACY_BASELINE)].label_mean = \
            eval_metrics[key(MetricKeys.LABEL_MEAN)]
        return eval_metrics

    def _metric_updates(self, eval_metrics, features, logits, labels, regularization_losses):
        key = self._summary_key
        predictions = self.predictions(logits)
        class_ids = predictions[PredictionKeys.CLASS_IDS]
        logistic = predictions[PredictionKeys.LOGISTIC]
        logits = _check_logits(logits, 1)
        labels = self._processed_labels(logits, labels)
        unweighted, weights = self._unweighted_loss_and_weights(logits, labels, features)
        w = _broadcast(weights, labels)
        updates = {
            key(MetricKeys.LOSS_MEAN): eval_metrics[key(MetricKeys.LOSS_MEAN)].update_state(
                unweighted, sample_weight=w),
            key(MetricKeys.PREDICTION_MEAN): _weighted_mean_update(
                eval_metrics[key(MetricKeys.PREDICTION_MEAN)], logistic, weights),
            key(MetricKeys.LABEL_MEAN): _weighted_mean_update(
                eval_metrics[key(MetricKeys.LABEL_MEAN)], labels, weights),
            key(MetricKeys.AUC): eval_metrics[key(MetricKeys.AUC)].update_state(
                labels, logistic, sample_weight=w),
            key(MetricKeys.AUC_PR): eval_metrics[key(MetricKeys.AUC_PR)].update_state(
                labels, logistic, sample_weight=w),
        }
        for name in (MetricKeys.ACCURACY, MetricKeys.PRECISION, MetricKeys.RECALL):
            updates[key(name)] = eval_metrics[key(name)].update_state(labels, class_ids,
                                                                      sample_weight=w)
        for t in self._thresholds:
            for name in ("accuracy", "precision", "recall"):
                k = key(f"{name}/positive_threshold_{t:g}")
                updates[k] = eval_metrics[k].update_state(labels, logistic, sample_weight=w)
        updates.update(self._regularization_metric(eval_metrics, regularization_losses))
        return updates

    def _export_outputs(self, predictions):
        from tensorweave.estimator import export
        return _classifier_outputs(predictions, 2, self._label_vocabulary, extra={
            REGRESS_SERVING_KEY: export.RegressionOutput(
                value=predictions[PredictionKeys.LOGISTIC])})


def _pr_auc(name):
    """A Keras AUC(curve='PR'): TF's interpolated PR-AUC."""
    return _keras_metrics().AUC(curve="PR", name=name)


class _AccuracyBaseline:
    """max(label mean, 1 - label mean): the accuracy of always predicting one class."""

    name = MetricKeys.ACCURACY_BASELINE
    label_mean = None

    def result(self):
        mean = self.label_mean.result()
        return math_ops.maximum(mean, 1.0 - mean)

    def update_state(self, *args, **kwargs):
        return control.no_op()

    @property
    def variables(self):
        return []


class MultiClassHead(Head):
    """Softmax cross-entropy over n_classes logits; metrics average_loss and accuracy."""

    def __init__(self, n_classes, weight_column=None, label_vocabulary=None,
                 loss_reduction=_SUM_OVER_BATCH_SIZE, loss_fn=None, name=None):
        super().__init__(weight_column, loss_reduction, name, _validate_n_classes(n_classes))
        self._n_classes = n_classes
        self._label_vocabulary = _validate_vocabulary(label_vocabulary, n_classes)
        self._loss_fn = loss_fn

    def _processed_labels(self, logits, labels):
        labels = v1.labels_as_column(labels, logits, 1)
        return v1.label_ids(labels, self._label_vocabulary)

    def _unweighted_loss(self, logits, labels, features):
        if self._loss_fn is not None:
            return self._loss_fn(labels=labels, logits=logits)
        per_example = nn_ops.sparse_softmax_cross_entropy_with_logits(
            labels=array.squeeze(labels, axis=[-1]), logits=logits)
        return array.expand_dims(per_example, -1)

    def predictions(self, logits, keys=None):
        valid = [PredictionKeys.LOGITS, PredictionKeys.PROBABILITIES,
                 PredictionKeys.CLASS_IDS, PredictionKeys.CLASSES,
                 PredictionKeys.ALL_CLASS_IDS, PredictionKeys.ALL_CLASSES]
        if keys:
            _check_prediction_keys(keys, valid)
        keys = keys or valid
        logits = _check_logits(logits, self._n_classes)
        with name_scope(None, "predictions", [logits]):
            class_ids = array.expand_dims(
                math_ops.argmax(logits, axis=-1, name=PredictionKeys.CLASS_IDS), -1)
            predictions = {
                PredictionKeys.LOGITS: logits,
                PredictionKeys.PROBABILITIES: nn_ops.softmax(
                    logits, name=PredictionKeys.PROBABILITIES),
                **v1.class_predictions(logits, class_ids, self._n_classes,
                                       self._label_vocabulary)}
        return {k: v for k, v in predictions.items() if k in keys}

    def metrics(self, regularization_losses=None):
        km = _keras_metrics()
        key = self._summary_key
        with name_scope(None, "metrics"):
            eval_metrics = {key(MetricKeys.LOSS_MEAN): km.Mean(name=MetricKeys.LOSS_MEAN),
                            key(MetricKeys.ACCURACY): km.Accuracy(name=MetricKeys.ACCURACY)}
            if regularization_losses is not None:
                eval_metrics[key(LOSS_REGULARIZATION)] = km.Mean(name=LOSS_REGULARIZATION)
        return eval_metrics

    def _metric_updates(self, eval_metrics, features, logits, labels, regularization_losses):
        key = self._summary_key
        class_ids = self.predictions(logits, [PredictionKeys.CLASS_IDS])[
            PredictionKeys.CLASS_IDS]
        logits = _check_logits(logits, self._n_classes)
        labels = self._processed_labels(logits, labels)
        unweighted, weights = self._unweighted_loss_and_weights(logits, labels, features)
        w = _broadcast(weights, unweighted)
        updates = {
            key(MetricKeys.LOSS_MEAN): eval_metrics[key(MetricKeys.LOSS_MEAN)].update_state(
                unweighted, sample_weight=w),
            key(MetricKeys.ACCURACY): eval_metrics[key(MetricKeys.ACCURACY)].update_state(
                labels, class_ids, sample_weight=w)}
        updates.update(self._regularization_metric(eval_metrics, regularization_losses))
        return updates

    def _export_outputs(self, predictions):
        return _classifier_outputs(predictions, self._n_classes, self._label_vocabulary)


class MultiLabelHead(Head):
    """Independent sigmoid cross-entropy per class (multi-hot labels [batch, n_classes]),
    averaged over the classes; metrics average_loss, auc and auc_precision_recall."""

    def __init__(self, n_classes, weight_column=None, thresholds=None, label_vocabulary=None,
                 loss_reduction=_SUM_OVER_BATCH_SIZE, loss_fn=None,
                 classes_for_class_based_metrics=None, name=None):
        if n_classes is None or n_classes < 2:
            raise ValueError(f"n_classes must be > 1 for multi-label classification. Given: "
                             f"{n_classes}")
        super().__init__(weight_column, loss_reduction, name, n_classes)
        self._n_classes = n_classes
        self._thresholds = tuple(thresholds or ())
        for t in self._thresholds:
            if not 0.0 < t < 1.0:
                raise ValueError(f"thresholds must be in (0, 1) range. Given: {t}")
        self._label_vocabulary = _validate_vocabulary(label_vocabulary, n_classes)
        if self._label_vocabulary is not None:
            raise NotImplementedError("MultiLabelHead(label_vocabulary=) needs sparse string "
                                      "labels, which tensorweave's heads do not take")
        self._loss_fn = loss_fn
        self._class_ids = []
        for c in classes_for_class_based_metrics or ():
            if isinstance(c, str):
                raise ValueError("classes_for_class_based_metrics names need "
                                 "label_vocabulary")
            if not 0 <= c < n_classes:
                raise ValueError(f"All classes_for_class_based_metrics must be in range [0, "
                                 f"{n_classes - 1}]. Given: {c}")
            self._class_ids.append(int(c))

    def _processed_labels(self, logits, labels):
        if labels is None:
            return v1.labels_as_column(labels, logits, self._n_classes)
        labels = v1.labels_as_column(labels, logits, self._n_classes)
        if not labels.dtype.is_integer:
            raise ValueError(f"Labels dtype should be integer. Instead got {labels.dtype}.")
        return labels

    def _unweighted_loss(self, logits, labels, features):
        if self._loss_fn is not None:
            return self._loss_fn(labels=labels, logits=logits)
        per_class = nn_ops.sigmoid_cross_entropy_with_logits(
            labels=array.cast(labels, dtypes.float32), logits=logits)
        return math_ops.reduce_mean(per_class, axis=-1, keepdims=True)

    def predictions(self, logits, keys=None):
        valid = [PredictionKeys.LOGITS, PredictionKeys.PROBABILITIES, PredictionKeys.CLASSES]
        if keys:
            _check_prediction_keys(keys, valid)
        keys = keys or valid
        logits = _check_logits(logits, self._n_classes)
        with name_scope(None, "predictions", [logits]):
            ids = array.zeros_like(logits[:, :1], dtype=dtypes.int32) + \
                array.range_(self._n_classes)
            predictions = {
                PredictionKeys.LOGITS: logits,
                PredictionKeys.PROBABILITIES: math_ops.sigmoid(
                    logits, name=PredictionKeys.PROBABILITIES),
                PredictionKeys.CLASSES: v1.class_strings(ids, self._n_classes, None,
                                                         name="all_classes")}
        return {k: v for k, v in predictions.items() if k in keys}

    def metrics(self, regularization_losses=None):
        km = _keras_metrics()
        key = self._summary_key
        with name_scope(None, "metrics"):
            eval_metrics = {key(MetricKeys.LOSS_MEAN): km.Mean(name=MetricKeys.LOSS_MEAN),
                            key(MetricKeys.AUC): km.AUC(name=MetricKeys.AUC),
                            key(MetricKeys.AUC_PR): _pr_auc(MetricKeys.AUC_PR)}
            if regularization_losses is not None:
                eval_metrics[key(LOSS_REGULARIZATION)] = km.Mean(name=LOSS_REGULARIZATION)
            for t in self._thresholds:
                for name, cls, kw in (("accuracy", km.BinaryAccuracy, "threshold"),
                                      ("precision", km.Precision, "thresholds"),
                                      ("recall", km.Recall, "thresholds")):
                    k = key(f"{name}/positive_threshold_{t:g}")
                    eval_metrics[k] = cls(name=k, **{kw: t})
            for c in self._class_ids:
                eval_metrics[key(f"probability_mean/class{c}")] = km.Mean(
                    name=f"probability_mean/class{c}")
                eval_metrics[key(f"auc/class{c}")] = km.AUC(name=f"auc/class{c}")
                eval_metrics[key(f"auc_precision_recall/class{c}")] = _pr_auc(
                    f"auc_precision_recall/class{c}")
        return eval_metrics

    def _metric_updates(self, eval_metrics, features, logits, labels, regularization_losses):
        key = self._summary_key
        probabilities = self.predictions(logits, [PredictionKeys.PROBABILITIES])[
            PredictionKeys.PROBABILITIES]
        logits = _check_logits(logits, self._n_classes)
        labels = self._processed_labels(logits, labels)
        unweighted, weights = self._unweighted_loss_and_weights(logits, labels, features)
        w = weights
        updates = {key(MetricKeys.LOSS_MEAN): eval_metrics[key(MetricKeys.LOSS_MEAN)]
                   .update_state(unweighted, sample_weight=w)}
        for name in (MetricKeys.AUC, MetricKeys.AUC_PR):
            updates[key(name)] = eval_metrics[key(name)].update_state(labels, probabilities,
                                                                      sample_weight=w)
        for t in self._thresholds:
            for name in ("accuracy", "precision", "recall"):
                k = key(f"{name}/positive_threshold_{t:g}")
                updates[k] = eval_metrics[k].update_state(labels, probabilities,
                                                          sample_weight=w)
        for c in self._class_ids:
            p, y = probabilities[:, c:c + 1], labels[:, c:c + 1]
            updates[key(f"probability_mean/class{c}")] = _weighted_mean_update(
                eval_metrics[key(f"probability_mean/class{c}")], p, weights)
            for name in ("auc", "auc_precision_recall"):
                k = key(f"{name}/class{c}")
                updates[k] = eval_metrics[k].update_state(y, p, sample_weight=w)
        updates.update(self._regularization_metric(eval_metrics, regularization_losses))
        return updates

    def _export_outputs(self, predictions):
        return _classifier_outputs(predictions, self._n_classes, None)


# --- regression ----------------------------------------------------------------------------------
class RegressionHead(Head):
    """Squared error (or `loss_fn`) on label_dimension values; predictions are the logits,
    or inverse_link_fn(logits) beside them."""

    def __init__(self, label_dimension=1, weight_column=None,
                 loss_reduction=_SUM_OVER_BATCH_SIZE, loss_fn=None, inverse_link_fn=None,
                 name=None):
        if label_dimension < 1:
            raise ValueError(f"Invalid label_dimension {label_dimension}.")
        super().__init__(weight_column, loss_reduction, name, label_dimension)
        self._loss_fn = loss_fn
        self._inverse_link_fn = inverse_link_fn

    def _processed_labels(self, logits, labels):
        labels = v1.labels_as_column(labels, logits, self._logits_dimension)
        return array.cast(labels, dtypes.float32)

    def _unweighted_loss(self, logits, labels, features):
        if self._loss_fn is not None:
            return self._loss_fn(labels=labels, logits=logits)
        return math_ops.squared_difference(logits, labels)

    def predictions(self, logits, keys=None):
        valid = [PredictionKeys.PREDICTIONS, PredictionKeys.LOGITS]
        if keys:
            _check_prediction_keys(keys, valid)
        keys = keys or valid
        logits = _check_logits(logits, self._logits_dimension)
        with name_scope(None, "predictions", [logits]):
            if self._inverse_link_fn is None:
                predictions = {PredictionKeys.PREDICTIONS: logits}
            else:
                predictions = {PredictionKeys.PREDICTIONS: self._inverse_link_fn(logits),
                               PredictionKeys.LOGITS: logits}
        return {k: v for k, v in predictions.items() if k in keys}

    def metrics(self, regularization_losses=None):
        km = _keras_metrics()
        key = self._summary_key
        with name_scope(None, "metrics"):
            eval_metrics = {
                key(MetricKeys.LOSS_MEAN): km.Mean(name=MetricKeys.LOSS_MEAN),
                key(MetricKeys.PREDICTION_MEAN): km.Mean(name=MetricKeys.PREDICTION_MEAN),
                key(MetricKeys.LABEL_MEAN): km.Mean(name=MetricKeys.LABEL_MEAN)}
            if regularization_losses is not None:
                eval_metrics[key(LOSS_REGULARIZATION)] = km.Mean(name=LOSS_REGULARIZATION)
        return eval_metrics

    def _metric_updates(self, eval_metrics, features, logits, labels, regularization_losses):
        key = self._summary_key
        predicted = self.predictions(logits, [PredictionKeys.PREDICTIONS])[
            PredictionKeys.PREDICTIONS]
        logits = _check_logits(logits, self._logits_dimension)
        labels = self._processed_labels(logits, labels)
        unweighted, weights = self._unweighted_loss_and_weights(logits, labels, features)
        updates = {
            key(MetricKeys.LOSS_MEAN): _weighted_mean_update(
                eval_metrics[key(MetricKeys.LOSS_MEAN)], unweighted, weights),
            key(MetricKeys.PREDICTION_MEAN): _weighted_mean_update(
                eval_metrics[key(MetricKeys.PREDICTION_MEAN)], predicted, weights),
            key(MetricKeys.LABEL_MEAN): _weighted_mean_update(
                eval_metrics[key(MetricKeys.LABEL_MEAN)], labels, weights)}
        updates.update(self._regularization_metric(eval_metrics, regularization_losses))
        return updates

    def _export_outputs(self, predictions):
        from tensorweave.estimator import export
        regression = export.RegressionOutput(value=predictions[PredictionKeys.PREDICTIONS])
        return {DEFAULT_SERVING_KEY: regression, REGRESS_SERVING_KEY: regression,
                PREDICT_SERVING_KEY: export.PredictOutput(predictions)}


def _logistic_loss(labels, logits):
    return nn_ops.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)


class LogisticRegressionHead(RegressionHead):
    """Regression of values in [0, 1]: sigmoid cross-entropy loss, sigmoid predictions."""

    def __init__(self, weight_column=None, loss_reduction=_SUM_OVER_BATCH_SIZE, name=None):
        super().__init__(label_dimension=1, weight_column=weight_column,
                         loss_reduction=loss_reduction, loss_fn=_logistic_loss,
                         inverse_link_fn=math_ops.sigmoid, name=name)


class PoissonRegressionHead(RegressionHead):
    """Regression of counts: log-Poisson loss on the logits (log rates), exp predictions."""

    def __init__(self, label_dimension=1, weight_column=None,
                 loss_reduction=_SUM_OVER_BATCH_SIZE, compute_full_loss=True, name=None):
        from tensorweave.nn import impl

        def poisson_loss(labels, logits):
            return impl.log_poisson_loss(targets=labels, log_input=logits,
                                         compute_full_loss=compute_full_loss)
        super().__init__(label_dimension=label_dimension, weight_column=weight_column,
                         loss_reduction=loss_reduction, loss_fn=poisson_loss,
                         inverse_link_fn=math_ops.exp, name=name)


# --- several heads -------------------------------------------------------------------------------
def _no_op_train_fn(loss):
    return control.no_op()


class MultiHead(Head):
    """Several named heads on one model: logits a dict by head name or one tensor split along
    its last axis, labels a dict by head name; the loss is the (head_weights-weighted) sum of
    the heads' losses, predictions are keyed (head name, key), metrics '<key>/<head name>'
    with 'loss/<head name>' per head."""

    def __init__(self, heads, head_weights=None):
        if not heads:
            raise ValueError(f"Must specify heads. Given: {heads}")
        if head_weights and len(head_weights) != len(heads):
            raise ValueError(f"heads and head_weights must have the same size. Given "
                             f"len(heads): {len(heads)}. Given len(head_weights): "
                             f"{len(head_weights)}.")
        for head in heads:
            if head.name is None:
                raise ValueError(f"All given heads must have name specified. Given: {head}")
        self._heads = tuple(heads)
        self._head_weights = tuple(head_weights) if head_weights else ()
        self._name = "_".join(h.name for h in self._heads)
        self._logits_dimension = sum(h.logits_dimension for h in self._heads)
        self._loss_keys = tuple(f"{MetricKeys.LOSS}/{h.name}" for h in self._heads)

    @property
    def loss_reduction(self):
        reductions = [head.loss_reduction for head in self._heads]
        if len(set(reductions)) > 1:
            raise ValueError(f"The loss_reduction must be the same for different heads. "
                             f"Given: {reductions}")
        return reductions[0]

    def _split_logits(self, logits):
        with name_scope(None, "split_logits", [logits]):
            logits = convert_to_tensor(logits)
            dimensions = [head.logits_dimension for head in self._heads]
            last = logits.shape.as_tuple()[-1] if logits.shape.ndims else None
            if last is not None and last != sum(dimensions):
                raise ValueError(f"Could not split logits of shape {logits.shape.as_list()} "
                                 f"among the heads with individual logits dimensions: "
                                 f"{dimensions}. The last dimension of the logits tensor "
                                 f"should equal {sum(dimensions)} but is {last}.")
            parts = array.split(logits, dimensions, axis=-1)
        return {head.name: part for head, part in zip(self._heads, parts)}

    def _check_logits_and_labels(self, logits, labels=None):
        names = [head.name for head in self._heads]
        if isinstance(logits, dict):
            missing = sorted(set(names) - set(logits))
            if missing:
                raise ValueError(f"logits has missing values for head(s): {missing}")
            logits_dict = logits
        else:
            logits_dict = self._split_logits(logits)
        if labels is not None:
            if not isinstance(labels, dict):
                raise ValueError(f"labels must be a dict. Given: {labels}")
            missing = sorted(set(names) - set(labels))
            if missing:
                raise ValueError(f"labels has missing values for head(s): {missing}")
        return logits_dict

    def loss(self, labels, logits, features=None, mode=None, regularization_losses=None):
        logits_dict = self._check_logits_and_labels(logits, labels)
        losses = [head.loss(labels[head.name], logits_dict[head.name], features, mode)
                  for head in self._heads]
        with name_scope(None, "merge_losses"):
            if self._head_weights:
                losses = [math_ops.multiply(loss, weight)
                          for loss, weight in zip(losses, self._head_weights)]
            loss = math_ops.add_n(losses)
            if regularization_losses is not None:
                loss = loss + math_ops.add_n(list(regularization_losses))
        return loss

    def predictions(self, logits, keys=None):
        logits_dict = self._check_logits_and_labels(logits)
        predictions = {}
        with name_scope(None, "merge_pred"):
            for head in self._heads:
                for key, value in head.predictions(logits_dict[head.name]).items():
                    predictions[(head.name, key)] = value
        return predictions

    def metrics(self, regularization_losses=None):
        km = _keras_metrics()
        eval_metrics = {}
        if regularization_losses is not None:
            eval_metrics[self._summary_key(LOSS_REGULARIZATION)] = km.Mean(
                name=LOSS_REGULARIZATION)
        with name_scope(None, "merge_eval"):
            for key in self._loss_keys:
                eval_metrics[key] = km.Mean(name=key)
        return eval_metrics

    def _metric_updates(self, eval_metrics, features, logits, labels, regularization_losses):
        logits_dict = self._check_logits_and_labels(logits, labels)
        updates = self._regularization_metric(eval_metrics, regularization_losses)
        for key, head in zip(self._loss_keys, self._heads):
            head_logits, head_labels = logits_dict[head.name], labels[head.name]
            loss = head.loss(head_labels, head_logits, features)
            updates[key] = eval_metrics[key].update_state(loss)
            head_metrics = head.metrics()
            updates.update(head._metric_updates(head_metrics, features, head_logits,
                                                head_labels, None))
            eval_metrics.update(head_metrics)
        return updates

    _default_scope = "multi_head"

    def _export_outputs_fn(self, features, mode, logits, labels):
        """Each head's spec (as TF builds them, in every mode), merged for export."""
        logits_dict = self._check_logits_and_labels(logits, labels)
        specs = [head.create_estimator_spec(
            features=features, mode=mode, logits=logits_dict[head.name],
            labels=labels[head.name] if labels else None, train_op_fn=_no_op_train_fn)
            for head in self._heads]
        return lambda predictions: self._merged_export_outputs(specs)

    def _loss_summary_key(self, key):
        return key

    def _merged_export_outputs(self, specs):
        from tensorweave.estimator import export
        first = specs[0].export_outputs
        if len(first) == 1:
            default = next(iter(first.values()))
        elif DEFAULT_SERVING_KEY in first:
            default = first[DEFAULT_SERVING_KEY]
        else:
            raise ValueError(f"{self._heads[0].name} did not specify default export_outputs. "
                             f"Given: {first} Suggested fix: Use one of the heads in "
                             f"tf.estimator, or include key {DEFAULT_SERVING_KEY} in "
                             f"export_outputs.")
        outputs = {DEFAULT_SERVING_KEY: default}
        merged = {}
        for head, spec in zip(self._heads, specs):
            for key, value in spec.export_outputs.items():
                outputs[head.name if key == DEFAULT_SERVING_KEY else
                        f"{head.name}/{key}"] = value
                if key == PREDICT_SERVING_KEY and isinstance(value, export.PredictOutput):
                    for name, tensor in value.outputs.items():
                        merged[f"{head.name}/{name}"] = tensor
        outputs[PREDICT_SERVING_KEY] = export.PredictOutput(merged)
        return outputs
