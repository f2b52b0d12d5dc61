"""What a model_fn returns: EstimatorSpec, validated as TF 1.15 does, and the ModeKeys.

    def model_fn(features, labels, mode):
        ...
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions={"y": y})
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
"""
import collections

from tensorweave.core.graph import get_default_graph
from tensorweave.core.operation import Operation, Tensor
from tensorweave.estimator import export
from tensorweave.ops import array
from tensorweave.train.monitored_session import Scaffold
from tensorweave.train.session_run_hook import SessionRunHook
from tensorweave.variables import Variable


class ModeKeys:
    """The three modes an Estimator calls its model_fn in."""

    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"


LOSS_METRIC_KEY = "loss"
AVERAGE_LOSS_METRIC_KEY = "average_loss"

_GRAPH_ERROR = ("{0} with \"{1}\" must be from the default graph. Possible causes of this "
                "error include: \n\n1) {0} was created outside the context of the default "
                "graph.\n\n2) The object passed through to EstimatorSpec was not created in "
                "the most recent call to \"model_fn\".")


def _in_default_graph(value, what):
    if value.graph is not get_default_graph():
        raise ValueError(_GRAPH_ERROR.format(what, value.name))


def _tensor(value, what):
    """`value` as a Tensor of the default graph (a Variable gives its value)."""
    if isinstance(value, Variable):
        value = value.value()
    if not isinstance(value, Tensor):
        raise TypeError(f"{what} must be Tensor, given: {value}")
    _in_default_graph(value, what)
    return value


def _tensor_or_operation(value, what):
    if isinstance(value, Variable):
        value = value.op
    if not isinstance(value, (Tensor, Operation)):
        raise TypeError(f"{what} must be Operation or Tensor, given: {value}")
    _in_default_graph(value, what)
    return value


def _train_op(train_op, mode):
    if train_op is None:
        if mode == ModeKeys.TRAIN:
            raise ValueError("Missing train_op.")
        return None
    return _tensor_or_operation(train_op, "train_op")


def _loss(loss, mode):
    if loss is None:
        if mode in (ModeKeys.TRAIN, ModeKeys.EVAL):
            raise ValueError("Missing loss.")
        return None
    loss = _tensor(loss, "loss")
    if loss.shape.num_elements() not in (None, 1):
        raise ValueError(f"Loss must be scalar, given: {loss}")
    if loss.shape.ndims != 0:
        loss = array.reshape(loss, [])
    return loss


def _predictions(predictions, mode):
    if predictions is None:
        if mode == ModeKeys.PREDICT:
            raise ValueError("Missing predictions.")
        return {}
    if isinstance(predictions, dict):
        return {k: _tensor(v, f"predictions[{k}]") for k, v in predictions.items()}
    return _tensor(predictions, "predictions")


def _eval_metric_ops(eval_metric_ops):
    if eval_metric_ops is None:
        return {}
    if not isinstance(eval_metric_ops, dict):
        raise TypeError(f"eval_metric_ops must be a dict, given: {eval_metric_ops}")
    for key, value in eval_metric_ops.items():
        if not isinstance(value, tuple) or len(value) != 2:
            raise TypeError(f"Values of eval_metric_ops must be (metric_value, update_op) "
                            f"tuples, given: {value} for key: {key}")
        _tensor_or_operation(value[0], f"eval_metric_ops[{key}]")
        _tensor_or_operation(value[1], f"eval_metric_ops[{key}]")
    return dict(eval_metric_ops)


def check_hooks(hooks, message="All hooks must be SessionRunHook instances"):
    """`hooks` as a tuple; TypeError `message` for anything not a SessionRunHook."""
    hooks = tuple(hooks or [])
    for hook in hooks:
        if not isinstance(hook, SessionRunHook):
            raise TypeError(f"{message}, given: {hook}")
    return hooks


def _scaffold(scaffold):
    scaffold = scaffold or Scaffold()
    if not isinstance(scaffold, Scaffold):
        raise TypeError(f"scaffold must be tf.train.Scaffold. Given: {scaffold}")
    return scaffold


_SPEC_FIELDS = ["mode", "predictions", "loss", "train_op", "eval_metric_ops", "export_outputs",
                "training_chief_hooks", "training_hooks", "scaffold", "evaluation_hooks",
                "prediction_hooks"]


class EstimatorSpec(collections.namedtuple("EstimatorSpec", _SPEC_FIELDS)):
    """The ops and objects a model_fn hands the Estimator for one mode.

    TRAIN needs `loss` and `train_op`, EVAL needs `loss` (and may add `eval_metric_ops`, a dict
    of (value, update_op) pairs), PREDICT needs `predictions` (a tensor or dict of tensors).
    """

    def __new__(cls, mode, predictions=None, loss=None, train_op=None, eval_metric_ops=None,
                export_outputs=None, training_chief_hooks=None, training_hooks=None,
                scaffold=None, evaluation_hooks=None, prediction_hooks=None):
        if mode not in (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT):
            raise ValueError(f"mode={mode} unrecognized.")
        if export_outputs is not None and not isinstance(export_outputs, dict):
            raise TypeError(f"export_outputs must be dict, given: {export_outputs}")
        predictions = _predictions(predictions, mode)
        if mode == ModeKeys.PREDICT:  # TF's defaults: serving_default, a PredictOutput
            export_outputs = export.export_outputs_for_predictions(export_outputs, predictions)
        return super().__new__(
            cls, mode=mode, predictions=predictions, loss=_loss(loss, mode),
            train_op=_train_op(train_op, mode), eval_metric_ops=_eval_metric_ops(eval_metric_ops),
            export_outputs=export_outputs,
            training_chief_hooks=check_hooks(training_chief_hooks),
            training_hooks=check_hooks(training_hooks), scaffold=_scaffold(scaffold),
            evaluation_hooks=check_hooks(evaluation_hooks),
            prediction_hooks=check_hooks(prediction_hooks))
