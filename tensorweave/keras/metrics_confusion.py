"""tf.keras.metrics built on confusion counts: intersection-over-union from a class confusion
matrix (IoU, MeanIoU, BinaryIoU, OneHot*), F-beta scores, and the best value of one rate
where another reaches a target (SensitivityAtSpecificity, PrecisionAtRecall, ...).

    m = tf.keras.metrics.IoU(num_classes=2, target_class_ids=[0])
    update = m.update_state([0, 0, 1, 1], [0, 1, 0, 1]); result = m.result()
"""
from tensorweave.core.constants import convert_to_tensor
from tensorweave.keras import metrics_base as metrics
from tensorweave.keras import backend_math as KM
from tensorweave.ops import array, control, math_ops, state_ops
from tensorweave.ops.array import diagonal, structural


def _divide_no_nan(x, y):
    """x / y, and 0 where y == 0."""
    zero = math_ops.equal(y, 0.0)
    safe = array.where(zero, array.ones_like(y), y)
    return array.where(zero, array.zeros_like(x), x / safe)


# --- intersection over union ---------------------------------------------------------------
class IoU(metrics.Metric):
    """The mean over `target_class_ids` of true positives / (true positives + false positives
    + false negatives), from a (num_classes, num_classes) confusion matrix."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype)
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_weight("total_confusion_matrix",
                                        shape=(num_classes, num_classes))
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which "
                             f"is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = convert_to_tensor(y_true), convert_to_tensor(y_pred)
        if not self.sparse_y_true:
            y_true = math_ops.argmax(y_true, self.axis)
        if not self.sparse_y_pred:
            y_pred = math_ops.argmax(y_pred, self.axis)
        y_true = array.reshape(array.cast(y_true, self.dtype), [-1])
        y_pred = array.reshape(array.cast(y_pred, self.dtype), [-1])
        weight = None
        if sample_weight is not None:
            weight = array.cast(convert_to_tensor(sample_weight), self.dtype)
            if KM.ndim(weight):
                weight = array.reshape(weight, [-1])
            weight = weight + array.zeros_like(y_true)
        if self.ignore_class is not None:
            keep = math_ops.not_equal(y_true, float(self.ignore_class))
            y_true = structural.boolean_mask(y_true, keep)
            y_pred = structural.boolean_mask(y_pred, keep)
            weight = None if weight is None else structural.boolean_mask(weight, keep)
        one_true = array.one_hot(array.cast(y_true, "int64"), self.num_classes,
                                 dtype=self.dtype)
        one_pred = array.one_hot(array.cast(y_pred, "int64"), self.num_classes,
                                 dtype=self.dtype)
        if weight is not None:
            one_true = one_true * array.expand_dims(weight, 1)
        cm = math_ops.matmul(one_true, one_pred, transpose_a=True)
        return state_ops.assign_add(self.total_cm, cm).op

    def result(self):
        cm = self.total_cm.value()
        sum_over_row = math_ops.reduce_sum(cm, axis=0)
        sum_over_col = math_ops.reduce_sum(cm, axis=1)
        true_positives = diagonal.diag_part(cm)
        denominator = sum_over_row + sum_over_col - true_positives
        true_positives = array.gather(true_positives, self.target_class_ids)
        denominator = array.gather(denominator, self.target_class_ids)
        valid = math_ops.reduce_sum(array.cast(math_ops.not_equal(denominator, 0.0),
                                               self.dtype))
        iou = _divide_no_nan(true_positives, denominator)
        return _divide_no_nan(math_ops.reduce_sum(iou), valid)

    def get_config(self):
        config = super().get_config()
        config.update({"num_classes": self.num_classes,
                       "target_class_ids": self.target_class_ids,
                       "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                       "sparse_y_pred": self.sparse_y_pred, "axis": self.axis})
        return config


class BinaryIoU(IoU):
    """IoU of two classes, a prediction being class 1 where y_pred >= threshold."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = array.cast(convert_to_tensor(y_pred), self.dtype)
        y_pred = array.cast(math_ops.greater_equal(y_pred, self.threshold), self.dtype)
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype.name}


class MeanIoU(IoU):
    """IoU averaged over every class."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=list(range(num_classes)),
                         name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype.name,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU with one-hot labels (argmax along `axis`)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, target_class_ids=target_class_ids,
                         name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "name": self.name, "dtype": self.dtype.name,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """MeanIoU with one-hot labels (argmax along `axis`)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes=num_classes, axis=axis, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype.name,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


# --- F-beta ---------------------------------------------------------------------------------
class FBetaScore(metrics.Metric):
    """(1 + beta^2) * precision * recall / (beta^2 * precision + recall) per class of
    (batch, classes) inputs, averaged by `average` (None, 'micro', 'macro', 'weighted')."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, "
                             f"'micro', 'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: "
                             f"beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify 0 < "
                                 f"threshold <= 1. Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self.built = False

    def build(self, y_true_shape, y_pred_shape):
        metrics.check_2d_inputs("FBetaScore", y_true_shape, y_pred_shape)
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        self.true_positives = self.add_weight("true_positives", shape=shape)
        self.false_positives = self.add_weight("false_positives", shape=shape)
        self.false_negatives = self.add_weight("false_negatives", shape=shape)
        self.intermediate_weights = self.add_weight("intermediate_weights", shape=shape)
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = array.cast(convert_to_tensor(y_true), self.dtype)
        y_pred = array.cast(convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = metrics.static_targets(y_true, y_pred)
        if not self.built:
            self.build(y_true.shape.as_list(), y_pred.shape.as_list())
        if self.threshold is None:
            top = math_ops.reduce_max(y_pred, axis=-1, keepdims=True)
            y_pred = math_ops.logical_and(math_ops.greater_equal(y_pred, top),
                                          math_ops.greater(math_ops.abs(y_pred), 1e-9))
        else:
            y_pred = math_ops.greater(y_pred, self.threshold)
        y_pred = array.cast(y_pred, self.dtype)
        if sample_weight is not None:
            sample_weight = array.expand_dims(
                array.cast(convert_to_tensor(sample_weight), self.dtype), 1)

        def weighted_sum(values):
            if sample_weight is not None:
                values = values * sample_weight
            return math_ops.reduce_sum(values, axis=self.axis)

        updates = [
            state_ops.assign_add(self.true_positives, weighted_sum(y_pred * y_true)),
            state_ops.assign_add(self.false_positives, weighted_sum(y_pred * (1.0 - y_true))),
            state_ops.assign_add(self.false_negatives, weighted_sum((1.0 - y_pred) * y_true)),
            state_ops.assign_add(self.intermediate_weights, weighted_sum(y_true))]
        return control.group(*[u.op for u in updates])

    def result(self):
        tp = self.true_positives.value()
        precision = _divide_no_nan(tp, tp + self.false_positives.value())
        recall = _divide_no_nan(tp, tp + self.false_negatives.value())
        beta2 = self.beta * self.beta
        score = _divide_no_nan(precision * recall, beta2 * precision + recall) * (1.0 + beta2)
        if self.average == "weighted":
            weights = self.intermediate_weights.value()
            weights = _divide_no_nan(weights, math_ops.reduce_sum(weights))
            return math_ops.reduce_sum(score * weights)
        if self.average is not None:
            return math_ops.reduce_mean(score)
        return score

    def get_config(self):
        config = super().get_config()
        config.update({"average": self.average, "beta": self.beta,
                       "threshold": self.threshold})
        return config


class F1Score(FBetaScore):
    """The F-beta score with beta = 1: the harmonic mean of precision and recall."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


# --- one rate at a target value of another --------------------------------------------------
class SensitivitySpecificityBase(metrics.Metric):
    """Confusion counts at `num_thresholds` evenly spaced thresholds in [0, 1]; subclasses
    return the best of one rate over the thresholds where another rate reaches `value`."""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        self.value = value
        self.class_id = class_id
        self.true_positives = self.add_weight("true_positives", shape=(num_thresholds,))
        self.true_negatives = self.add_weight("true_negatives", shape=(num_thresholds,))
        self.false_positives = self.add_weight("false_positives", shape=(num_thresholds,))
        self.false_negatives = self.add_weight("false_negatives", shape=(num_thresholds,))
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._evenly = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        return metrics.confusion_updates(
            {"tp": self.true_positives, "tn": self.true_negatives,
             "fp": self.false_positives, "fn": self.false_negatives},
            y_true, y_pred, self.thresholds, sample_weight, class_id=self.class_id,
            evenly=self._evenly)

    def _rates(self):
        tp, tn = self.true_positives.value(), self.true_negatives.value()
        fp, fn = self.false_positives.value(), self.false_negatives.value()
        return {"sensitivity": _divide_no_nan(tp, tp + fn),
                "specificity": _divide_no_nan(tn, tn + fp),
                "precision": _divide_no_nan(tp, tp + fp)}

    def _max_where_at_least(self, constrained, dependent):
        """max(dependent) over the thresholds where constrained >= value, else 0."""
        feasible = math_ops.greater_equal(constrained, self.value)
        lowest = array.fill(array.shape(dependent), -float("inf"))
        best = math_ops.reduce_max(array.where(feasible, dependent, lowest))
        return array.where(math_ops.reduce_any(feasible), best, array.zeros_like(best))

    def get_config(self):
        config = super().get_config()
        config["class_id"] = self.class_id
        return config


def _check_unit(argument, value):
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{argument}` must be in the range [0, 1]. Received: "
                         f"{argument}={value}")


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity (recall) where specificity >= `specificity`."""

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit("specificity", specificity)
        self.specificity = specificity
        self.num_thresholds = num_thresholds
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._max_where_at_least(rates["specificity"], rates["sensitivity"])

    def get_config(self):
        config = super().get_config()
        config.update({"num_thresholds": self.num_thresholds,
                       "specificity": self.specificity})
        return config


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity where sensitivity (recall) >= `sensitivity`."""

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit("sensitivity", sensitivity)
        self.sensitivity = sensitivity
        self.num_thresholds = num_thresholds
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._max_where_at_least(rates["sensitivity"], rates["specificity"])

    def get_config(self):
        config = super().get_config()
        config.update({"num_thresholds": self.num_thresholds,
                       "sensitivity": self.sensitivity})
        return config


class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision where recall >= `recall`."""

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit("recall", recall)
        self.recall = recall
        self.num_thresholds = num_thresholds
        super().__init__(value=recall, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._max_where_at_least(rates["sensitivity"], rates["precision"])

    def get_config(self):
        config = super().get_config()
        config.update({"num_thresholds": self.num_thresholds, "recall": self.recall})
        return config


class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall where precision >= `precision`."""

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        _check_unit("precision", precision)
        self.precision = precision
        self.num_thresholds = num_thresholds
        super().__init__(value=precision, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)

    def result(self):
        rates = self._rates()
        return self._max_where_at_least(rates["precision"], rates["sensitivity"])

    def get_config(self):
        config = super().get_config()
        config.update({"num_thresholds": self.num_thresholds, "precision": self.precision})
        return config
