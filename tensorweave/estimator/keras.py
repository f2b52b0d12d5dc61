"""tf.keras.estimator.model_to_estimator: an Estimator that trains, evaluates and predicts with
a compiled Keras model.

    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    estimator = tf.keras.estimator.model_to_estimator(keras_model=model, model_dir="/tmp/m")
    estimator.train(input_fn, steps=100)

As in TF 1.15 the model's current weights are saved once to `model_dir/keras/keras_model.ckpt`
(when `model_dir` holds no checkpoint yet) and the Estimator warm-starts from it. The model_fn
clones the model on the input_fn's features, with a fresh copy of the compiled optimizer, the
compiled losses (weighted by `loss_weights`, plus the model's regularization losses) and the
compiled metrics as evaluation metrics. Features and labels are tensors, or dicts keyed by the
model's input and output names.
"""
import os
import re
import tempfile

from tensorweave import metrics as tf_metrics
from tensorweave.core.graph import Graph, control_dependencies, name_scope
from tensorweave.estimator import estimator as estimator_lib
from tensorweave.estimator import export as export_lib
from tensorweave.estimator import run_config as run_config_lib
from tensorweave.estimator.model_fn import EstimatorSpec, ModeKeys
from tensorweave.keras import backend as K
from tensorweave.keras import losses as keras_losses
from tensorweave.keras import metrics as keras_metrics
from tensorweave.keras import models as keras_models
from tensorweave.keras import optimizers as keras_optimizers
from tensorweave.keras.utils import generic_utils
from tensorweave.ops.array.convert import cast
from tensorweave.ops.control.grouping import group
from tensorweave.ops.math_ops import add_n, multiply, reduce_mean, reduce_sum
from tensorweave.platform import tf_logging as logging
from tensorweave.runtime.session import Session
from tensorweave.train import checkpoint_management, training_util
from tensorweave.train.saver import Saver
from tensorweave.variables import global_variables_initializer

_WARM_START_NAME = "keras_model.ckpt"


def _compile_settings(model):
    """The arguments `compile` was given (the engine keeps them with the model)."""
    return getattr(model, "_compile_args", None) or {}


def _fresh_optimizer(optimizer):
    """A new optimizer with the compiled one's settings (its variables belong to another
    graph)."""
    if isinstance(optimizer, keras_optimizers.TFOptimizer):
        return keras_optimizers.TFOptimizer(optimizer.optimizer)
    return type(optimizer).from_config(optimizer.get_config())


def _fresh_metric(metric):
    if isinstance(metric, keras_metrics.Metric):
        return type(metric).from_config(metric.get_config()) \
            if hasattr(type(metric), "from_config") else type(metric)(**metric.get_config())
    return metric


def _by_name(values, names, what):
    """`values` (a tensor, a list, or a dict keyed by `names`) as a list in `names` order."""
    if isinstance(values, dict):
        missing = [n for n in names if n not in values]
        if missing:
            raise KeyError(f"The dictionary passed into {what} does not have the expected "
                           f"{what} keys defined in the keras model.\n\tExpected keys: "
                           f"{set(names)}\n\t{what} keys: {set(values)}\n\tMissed keys: "
                           f"{set(missing)}")
        return [values[n] for n in names]
    if isinstance(values, (list, tuple)):
        values = list(values)
    else:
        values = [values]
    if len(values) != len(names):
        raise ValueError(f"The model has {len(names)} {what}s ({names}) but {len(values)} "
                         f"were given.")
    return values


def _output_loss(loss_fn, y_true, y_pred):
    if hasattr(loss_fn, "call") and hasattr(loss_fn, "reduction"):
        per_sample = cast(loss_fn.call(y_true, y_pred), "float32")
        if str(loss_fn.reduction).lower() in ("sum", "reduction.sum"):
            return reduce_sum(per_sample)
        return reduce_mean(per_sample)
    return reduce_mean(cast(loss_fn(y_true, y_pred), "float32"))


def _per_output(value, names, default):
    if value is None:
        return [default] * len(names)
    if isinstance(value, dict):
        return [value.get(n, default) for n in names]
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value] * len(names)


class _KerasModelFn:
    """The model_fn: the Keras model cloned on the features for each mode."""

    def __init__(self, keras_model, custom_objects):
        self.model = keras_model
        self.custom_objects = custom_objects or {}

    def clone(self, features, mode):
        K.set_learning_phase(1 if mode == ModeKeys.TRAIN else 0)
        inputs = _by_name(features, self.model.input_names, "features")
        with generic_utils.CustomObjectScope(self.custom_objects):
            return keras_models.clone_model(self.model, input_tensors=inputs)

    def __call__(self, features, labels, mode):
        model = self.clone(features, mode)
        predictions = dict(zip(model.output_names, model.outputs))
        if mode == ModeKeys.PREDICT:
            return EstimatorSpec(mode, predictions=predictions, export_outputs={
                "serving_default": export_lib.PredictOutput(predictions)})
        settings = _compile_settings(self.model)
        names = model.output_names
        targets = [None if t is None else cast(t, out.dtype.base_dtype) for t, out in
                   zip(_by_name(labels, names, "labels"), model.outputs)]
        loss_fns = _per_output(self.model.loss, names, None)
        weights = _per_output(settings.get("loss_weights"), names, 1.)
        with name_scope("loss"):
            terms = []
            for fn, weight, y_true, y_pred in zip(loss_fns, weights, targets, model.outputs):
                if fn is None:
                    continue
                value = _output_loss(keras_losses.get(fn), y_true, y_pred)
                terms.append(value if weight == 1 else multiply(value, float(weight)))
            terms += [cast(x, "float32") for x in model.losses]
            loss = add_n(terms) if len(terms) > 1 else terms[0]
        if mode == ModeKeys.EVAL:
            return EstimatorSpec(mode, predictions=predictions, loss=loss,
                                 eval_metric_ops=self.metric_ops(model, settings, targets))
        optimizer = _fresh_optimizer(self.model.optimizer)
        with name_scope("training"):
            updates = optimizer.get_updates(loss=loss, params=model.trainable_weights)
            updates = list(updates) + list(model.updates)
            with control_dependencies(updates):
                train_op = training_util.get_global_step().assign_add(1).op
        return EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op)

    def metric_ops(self, model, settings, targets):
        """{name: (value, update_op)} for the compiled metrics, as mean metrics (Metric
        objects use their own state)."""
        specs = settings.get("metrics")
        if not specs:
            return {}
        if isinstance(specs, dict):
            specs = {k: [_fresh_metric(m) for m in v] if isinstance(v, (list, tuple))
                     else _fresh_metric(v) for k, v in specs.items()}
        elif specs and all(isinstance(m, (list, tuple)) for m in specs):
            specs = [[_fresh_metric(m) for m in ms] for ms in specs]
        else:
            specs = [_fresh_metric(m) for m in specs]
        # the model compiled on the labels resolves names ('acc' per loss) as fit does
        model.compile(_fresh_optimizer(self.model.optimizer), loss=self.model.loss,
                      metrics=specs, loss_weights=settings.get("loss_weights"),
                      target_tensors=targets)
        metric_fns = model.metrics
        names = model.metrics_names[len(model.metrics_names) - len(metric_fns):]
        per_output = []
        for out_index, output in enumerate(model.outputs):
            count = _metric_count(model, out_index)
            per_output += [(targets[out_index], output)] * count
        ops = {}
        with name_scope("metrics"):
            for name, fn, (y_true, y_pred) in zip(names, metric_fns, per_output):
                if isinstance(fn, keras_metrics.Metric):
                    fresh = _fresh_metric(fn)
                    update = fresh.update_state(y_true, y_pred)
                    ops[name] = (fresh.result(), update)
                else:
                    ops[name] = tf_metrics.mean(cast(fn(y_true, y_pred), "float32"),
                                                name=re.sub(r"[^\w.-]", "_", name))
        return ops


def _metric_count(model, index):
    """How many compiled metrics output `index` has (by the metric names' output prefix)."""
    names = model.output_names
    if len(names) == 1:
        return len(model.metrics)
    prefix = names[index] + "_"
    losses = {f"{n}_loss" for n in names}
    return sum(1 for m in model.metrics_names[1:] if m.startswith(prefix) and m not in losses)


def _save_first_checkpoint(keras_model, custom_objects, model_dir):
    """Saves the model's current weights as model_dir/keras/keras_model.ckpt; returns it with
    the variable names saved, or (None, None) when model_dir already holds a checkpoint."""
    if checkpoint_management.latest_checkpoint(model_dir):
        return None, None
    weights = keras_model.get_weights()
    keras_dir = os.path.join(model_dir, "keras")
    os.makedirs(keras_dir, exist_ok=True)
    path = os.path.join(keras_dir, _WARM_START_NAME)
    with Graph().as_default() as graph:
        with generic_utils.CustomObjectScope(custom_objects or {}):
            clone = keras_models.clone_model(keras_model)
        variables = clone.weights
        init = global_variables_initializer()
        with Session(graph=graph) as session:
            session.run(init)
            for variable, value in zip(variables, weights):
                variable.load(value, session)
            Saver(var_list=variables).save(session, path)
        names = [v.op.name for v in variables]
    return path, names


def model_to_estimator(keras_model=None, keras_model_path=None, custom_objects=None,
                       model_dir=None, config=None):
    """An Estimator built from a compiled Keras model (or the HDF5 file `keras_model_path`),
    warm-started from the model's current weights."""
    if not (keras_model or keras_model_path):
        raise ValueError("Either `keras_model` or `keras_model_path` needs to be provided.")
    if keras_model and keras_model_path:
        raise ValueError("Please specity either `keras_model` or `keras_model_path`, but not "
                         "both.")
    if keras_model_path:
        if not os.path.exists(keras_model_path):
            raise ValueError(f"keras_model_path {keras_model_path} does not exist")
        logging.info("Loading models from %s", keras_model_path)
        keras_model = keras_models.load_model(keras_model_path, custom_objects=custom_objects)
    if keras_model.optimizer is None:
        raise ValueError("The given keras model has not been compiled yet. Please compile the "
                         "model with `model.compile()` before calling `model_to_estimator()`.")
    if not keras_model.inputs:
        raise ValueError("model_to_estimator needs a Sequential or functional model with "
                         "known inputs (a subclassed model cannot be cloned).")
    if config is None:
        config = run_config_lib.RunConfig()
    if model_dir is not None and config.model_dir is not None and \
            os.fspath(model_dir) != config.model_dir:
        raise ValueError(f"`model_dir` are set both in constructor and `RunConfig`, but with "
                         f"different values. In constructor: '{model_dir}', in `RunConfig`: "
                         f"'{config.model_dir}' ")
    model_dir = os.fspath(model_dir) if model_dir is not None else config.model_dir
    if model_dir is None:
        model_dir = tempfile.mkdtemp()
        logging.info("Using the Keras model provided.\nUsing temporary folder as model "
                     "directory: %s", model_dir)
    config = config.replace(model_dir=model_dir)
    warm_path, names = _save_first_checkpoint(keras_model, custom_objects, model_dir)
    warm_start = None
    if warm_path is not None:
        # every weight of the model (moving statistics too), by its exact name (a list of
        # patterns matches variables' tensor names, "dense/kernel:0")
        warm_start = estimator_lib.WarmStartSettings(
            warm_path, vars_to_warm_start=[re.escape(n) + ":0$" for n in names])
    return estimator_lib.Estimator(_KerasModelFn(keras_model, custom_objects), config=config,
                                   warm_start_from=warm_start)
