"""tf.contrib.learn.MetricSpec: which prediction, label and weight feed a metric function in
contrib.learn Estimator.evaluate(metrics={name: MetricSpec(...)}), as TF 1.x's.

    metrics = {"accuracy": MetricSpec(metric_fn=tf.metrics.accuracy, prediction_key="classes")}
    classifier.evaluate(x=x, y=y, metrics=metrics)["accuracy"]

The metric function is called with labels, predictions and (with weight_key) weights by name
when its arguments carry one of TF's names for them (labels/label/targets/target,
predictions/prediction/logits/logit, weights/weight), else positionally: labels first when
its first argument is the labels', then predictions. make_metrics_ops also takes TF's older
forms: a bare metric function (fn(predictions, labels)) or a (name, prediction_key) key.
"""
import inspect

from tensorweave.platform import tf_logging as logging

__all__ = ["MetricSpec", "make_metrics_ops"]

_LABELS_ARGS = ("labels", "label", "targets", "target")
_PREDICTIONS_ARGS = ("predictions", "prediction", "logits", "logit")
_WEIGHTS_ARGS = ("weights", "weight")


def _args(fn):
    while hasattr(fn, "func") and hasattr(fn, "args"):  # functools.partial
        fn = fn.func
    return tuple(inspect.signature(fn).parameters)


def _fn_name(fn):
    if hasattr(fn, "__name__"):
        return fn.__name__
    if hasattr(fn, "func") and hasattr(fn.func, "__name__"):
        return fn.func.__name__
    return str(fn)


def _matching_arg(fn_name, fn_args, candidates, is_required=False):
    """The one argument of fn_args among candidates (ValueError for two, or none when
    required)."""
    matching = set(candidates).intersection(fn_args)
    if len(matching) > 1:
        raise ValueError("Ambiguous arguments %s, must provide only one of %s." %
                         (matching, set(candidates)))
    arg = matching.pop() if matching else None
    if arg and arg != candidates[0]:
        logging.warning("Canonical arg %s missing from %s(%s), using %s.", candidates[0],
                        fn_name, fn_args, arg)
    elif arg is None and is_required:
        raise ValueError("%s missing from %s(%s)." % (set(candidates), fn_name, fn_args))
    return arg


def _adapt_metric_fn(metric_fn, fn_name, labels_required, weights_required):
    """metric_fn as a function of named labels, predictions and weights (TF's rules)."""
    args = _args(metric_fn)
    labels_arg = _matching_arg(fn_name, args, _LABELS_ARGS, labels_required)
    predictions_arg = _matching_arg(fn_name, args, _PREDICTIONS_ARGS)
    weights_arg = _matching_arg(fn_name, args, _WEIGHTS_ARGS, weights_required)

    def adapted(labels=None, predictions=None, weights=None):
        kwargs = {} if weights is None else {weights_arg: weights}
        if labels_arg:
            if predictions_arg:
                kwargs.update({labels_arg: labels, predictions_arg: predictions})
                return metric_fn(**kwargs)
            if labels_arg == args[0]:
                return metric_fn(labels, predictions, **kwargs)
            kwargs[labels_arg] = labels
            return metric_fn(predictions, **kwargs)
        if predictions_arg:
            kwargs[predictions_arg] = predictions
            return metric_fn(**kwargs)
        return metric_fn(predictions, **kwargs)
    return adapted


def _pick(name, dict_or_tensor, key):
    """dict_or_tensor[key], or the tensor (or a one-entry dict's value) when key is None."""
    if key:
        if not isinstance(dict_or_tensor, dict):
            raise ValueError("MetricSpec with %s_key specified requires %ss dict, got %s.\n"
                             "You must not provide a %s_key if you only have a single Tensor "
                             "as %ss." % (name, name, dict_or_tensor, name, name))
        if key not in dict_or_tensor:
            raise KeyError("Key '%s' missing from %s." % (key, dict_or_tensor.keys()))
        return dict_or_tensor[key]
    if isinstance(dict_or_tensor, dict):
        if len(dict_or_tensor) != 1:
            raise ValueError("MetricSpec without specified %s_key requires %ss tensor or "
                             "single element dict, got %s" % (name, name, dict_or_tensor))
        return next(iter(dict_or_tensor.values()))
    return dict_or_tensor


class MetricSpec:
    """A metric function and the keys of the prediction, label and weight it is given."""

    def __init__(self, metric_fn, prediction_key=None, label_key=None, weight_key=None):
        self._metric_fn_name = _fn_name(metric_fn)
        self._metric_fn = _adapt_metric_fn(metric_fn, self._metric_fn_name,
                                           label_key is not None, weight_key is not None)
        self._prediction_key = prediction_key
        self._label_key = label_key
        self._weight_key = weight_key

    prediction_key = property(lambda self: self._prediction_key)
    label_key = property(lambda self: self._label_key)
    weight_key = property(lambda self: self._weight_key)
    metric_fn = property(lambda self: self._metric_fn)

    def __str__(self):
        return ("MetricSpec(metric_fn=%s, prediction_key=%s, label_key=%s, weight_key=%s)" %
                (self._metric_fn_name, self.prediction_key, self.label_key, self.weight_key))

    def create_metric_ops(self, inputs, labels, predictions):
        """The metric function on predictions[prediction_key], labels[label_key] and
        inputs[weight_key]: a Tensor or a (value, update_op) pair."""
        prediction = _pick("prediction", predictions, self.prediction_key)
        label = _pick("label", labels, self.label_key)
        try:
            return self.metric_fn(labels=label, predictions=prediction,
                                  weights=inputs[self.weight_key] if self.weight_key else None)
        except Exception as ex:
            logging.error("Could not create metric ops for %s, %s." % (self, ex))
            raise


def make_metrics_ops(metrics, features, labels, predictions):
    """{name: metric ops} for evaluate's `metrics` (in sorted name order, as TF builds
    them)."""
    single_labels = labels
    if isinstance(labels, dict) and len(labels) == 1:
        single_labels = next(iter(labels.values()))
    result = {}
    for name, metric in sorted((metrics or {}).items(), key=lambda kv: str(kv[0])):
        if isinstance(metric, MetricSpec):
            result[name] = metric.create_metric_ops(features, labels, predictions)
            continue
        logging.warning("Please specify metrics using MetricSpec. Using bare functions or "
                        "(key, fn) tuples is deprecated and support for it will be removed "
                        "on Oct 1, 2016.")
        if isinstance(name, tuple):
            if len(name) != 2:
                raise ValueError("Invalid metric for {}. It returned a tuple with len {}, "
                                 "expected 2.".format(name, len(name)))
            if not isinstance(predictions, dict):
                raise ValueError("Metrics passed provide (name, prediction), but predictions "
                                 "are not dict. Metrics: %s, Predictions: %s." %
                                 (metrics, predictions))
            if isinstance(labels, dict) and name[1] in labels:
                result[name[0]] = metric(predictions[name[1]], labels[name[1]])
            else:
                result[name[0]] = metric(predictions[name[1]], single_labels)
        else:
            if isinstance(predictions, dict):
                raise ValueError("Metrics passed provide only name, no prediction, but "
                                 "predictions are dict. Metrics: %s, Labels: %s." %
                                 (metrics, single_labels))
            result[name] = metric(predictions, single_labels)
    return result
