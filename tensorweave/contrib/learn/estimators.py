"""tf.contrib.learn's Estimator and ModelFnOps, run by tf.estimator.

    def model_fn(features, labels, mode):            # or (features, labels), + params, config
        ...
        return tf.contrib.learn.ModelFnOps(mode, predictions=y, loss=loss, train_op=train)

    est = tf.contrib.learn.Estimator(model_fn=model_fn)
    est.fit(input_fn=input_fn, steps=1000)            # returns est
    print(est.evaluate(input_fn=input_fn, steps=10))  # {'loss': ..., 'global_step': 1000}

As in TF 1.x, model_fn gets `labels` positionally and may also return the legacy tuple
(predictions, loss, train_op). The numpy `x`/`y` arguments of fit, evaluate and predict (the
deprecated data-feeder path) are fed through feeders.DataFeeder as in TF 1.x: fit in shuffled
batches of batch_size (all of x when None), evaluate and predict once over x in order.
"""
import collections

import numpy as np

from tensorweave.contrib.learn import metric_spec
from tensorweave.estimator import estimator as estimator_lib
from tensorweave.estimator import run_config as run_config_lib
from tensorweave.estimator.model_fn import EstimatorSpec
from tensorweave.core import sparse_tensor
from tensorweave.ops import array, sparse_ops
from tensorweave.ops.control.grouping import no_op
from tensorweave.platform import tf_logging as logging
from tensorweave.train import basic_session_run_hooks as hooks_lib


class ModeKeys:
    """contrib.learn's mode names (the same strings as tf.estimator.ModeKeys)."""
    TRAIN = "train"
    EVAL = "eval"
    INFER = "infer"


_OPS_FIELDS = ["predictions", "loss", "train_op", "eval_metric_ops", "output_alternatives",
               "training_chief_hooks", "training_hooks", "scaffold", "mode"]


class ModelFnOps(collections.namedtuple("ModelFnOps", _OPS_FIELDS)):
    """What a contrib.learn model_fn returns: TRAIN needs train_op, EVAL needs loss."""

    def __new__(cls, mode, predictions=None, loss=None, train_op=None, eval_metric_ops=None,
                output_alternatives=None, training_chief_hooks=None, training_hooks=None,
                scaffold=None):
        if not mode:
            raise ValueError("Missing mode")
        if mode not in (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.INFER):
            raise ValueError(f"mode={mode} unrecognized.")
        if mode == ModeKeys.TRAIN and train_op is None:
            raise ValueError("Missing train_op.")
        if mode == ModeKeys.EVAL and loss is None:
            raise ValueError("Missing loss.")
        if mode == ModeKeys.INFER and predictions is None:
            raise ValueError("Missing predictions.")
        return super().__new__(
            cls, predictions=predictions, loss=loss, train_op=train_op,
            eval_metric_ops=eval_metric_ops or {}, output_alternatives=output_alternatives,
            training_chief_hooks=training_chief_hooks or [],
            training_hooks=training_hooks or [], scaffold=scaffold, mode=mode)

    def estimator_spec(self):
        """The same ops as a tf.estimator.EstimatorSpec."""
        return EstimatorSpec(
            self.mode, predictions=self.predictions, loss=self.loss, train_op=self.train_op,
            eval_metric_ops=self.eval_metric_ops,
            training_chief_hooks=self.training_chief_hooks,
            training_hooks=self.training_hooks, scaffold=self.scaffold)


def _input_fn_and_hooks(x, y, input_fn, batch_size, shuffle, epochs):
    """input_fn and its feeding hooks: numpy x/y through a DataFeeder, or input_fn as is."""
    if input_fn is None and x is None:
        raise ValueError("Either x or input_fn must be provided.")
    if input_fn is not None:
        if x is not None or y is not None:
            raise ValueError("Can not provide both input_fn and x or y.")
        if batch_size is not None:
            raise ValueError("Can not provide both input_fn and batch_size.")
        return input_fn, []
    from tensorweave.contrib.learn import feeders
    input_fn, hook = feeders.feeder_input_fn(x, y, batch_size, shuffle=shuffle, epochs=epochs)
    return input_fn, [hook]


_DEFAULT = object()

# RunConfig properties that may differ between the config given to learn_runner.run's
# experiment_fn and the estimator's (RunConfig.uid leaves them out, as TF's does).
_UID_WHITELIST = ("tf_random_seed", "save_summary_steps", "save_checkpoints_steps",
                  "save_checkpoints_secs", "session_config", "keep_checkpoint_max",
                  "keep_checkpoint_every_n_hours", "log_step_count_steps")


class Environment:
    """Where a contrib.learn RunConfig's job runs (TF_CONFIG's "environment")."""
    LOCAL = "local"
    CLOUD = "cloud"
    GOOGLE = "google"


class RunConfig(run_config_lib.RunConfig):
    """contrib.learn's RunConfig: tf.estimator's, plus TF 1.x's session arguments (num_cores,
    log_device_placement, gpu_memory_fraction, master), accepted and not used here."""

    def __init__(self, master=None, num_cores=0, log_device_placement=False,
                 gpu_memory_fraction=1, tf_random_seed=None, save_summary_steps=100,
                 save_checkpoints_secs=_DEFAULT, save_checkpoints_steps=None,
                 keep_checkpoint_max=5, keep_checkpoint_every_n_hours=10000,
                 log_step_count_steps=100, protocol=None, evaluation_master="", model_dir=None,
                 session_config=None, session_creation_timeout_secs=7200):
        saving = {}
        if save_checkpoints_steps is not None:
            saving["save_checkpoints_steps"] = save_checkpoints_steps
        if save_checkpoints_secs is not _DEFAULT:
            saving["save_checkpoints_secs"] = save_checkpoints_secs
        super().__init__(model_dir=model_dir, tf_random_seed=tf_random_seed,
                         save_summary_steps=save_summary_steps, **saving,
                         session_config=session_config, keep_checkpoint_max=keep_checkpoint_max,
                         keep_checkpoint_every_n_hours=keep_checkpoint_every_n_hours,
                         log_step_count_steps=log_step_count_steps, protocol=protocol,
                         session_creation_timeout_secs=session_creation_timeout_secs)
        self._num_cores = num_cores
        self._gpu_memory_fraction = gpu_memory_fraction
        self._evaluation_master = evaluation_master

    def uid(self, whitelist=None):
        """A string of this config's properties but those in `whitelist` (default: the
        checkpoint, summary and seed settings): equal for configs of the same job."""
        skip = {"_" + key for key in (_UID_WHITELIST if whitelist is None else whitelist)}
        state = sorted((k, v) for k, v in vars(self).items()
                       if not k.startswith("__") and k not in skip)
        return ", ".join("%s=%r" % kv for kv in state)

    environment = property(lambda self: Environment.LOCAL)
    num_cores = property(lambda self: self._num_cores)
    gpu_memory_fraction = property(lambda self: self._gpu_memory_fraction)
    evaluation_master = property(lambda self: self._evaluation_master)


class Estimator(estimator_lib.Estimator):
    """contrib.learn's Estimator: fit / evaluate / predict over a contrib model_fn."""

    def __init__(self, model_fn=None, model_dir=None, config=None, params=None,
                 feature_engineering_fn=None):
        if model_fn is None:
            raise ValueError("model_fn must be provided to Estimator.")
        user_args = set(estimator_lib.fn_args(model_fn))
        if params is not None and "params" not in user_args:
            raise ValueError(f"Estimator's model_fn ({model_fn}) does not include params "
                             f"argument, but params ({params}) were passed to the Estimator's "
                             f"constructor.")

        self._features_info = None
        self._labels_info = None
        self._eval_metrics = None

        def model_fn_ops(features, labels, mode, params, config, infer_labels=True):
            if mode == ModeKeys.INFER:
                if labels is None and infer_labels:  # TF 1.x: placeholders like the labels
                    labels = _placeholders(self._labels_info)  # fit/evaluate saw
            else:
                self._features_info = _check_signatures("Features", features,
                                                        self._features_info)
                if labels is not None:
                    self._labels_info = _check_signatures("Labels", labels, self._labels_info)
            if feature_engineering_fn is not None:
                features, labels = feature_engineering_fn(features, labels)
            kwargs = {}
            if "mode" in user_args:
                kwargs["mode"] = mode
            if "params" in user_args:
                kwargs["params"] = params
            if "config" in user_args:
                kwargs["config"] = config
            if "model_dir" in user_args:
                kwargs["model_dir"] = config.model_dir
            results = model_fn(features, labels, **kwargs)
            if not isinstance(results, ModelFnOps):
                if not isinstance(results, (tuple, list)) or len(results) != 3:
                    raise ValueError("Unrecognized value returned by model_fn, please return "
                                     "ModelFnOps.")
                results = ModelFnOps(mode, predictions=results[0], loss=results[1],
                                     train_op=results[2])
            if mode == ModeKeys.EVAL and self._eval_metrics:  # evaluate(metrics=...)
                results.eval_metric_ops.update(metric_spec.make_metrics_ops(
                    self._eval_metrics, features, labels, results.predictions))
            if mode == ModeKeys.EVAL:
                _pair_value_metrics(results.eval_metric_ops)
            return results

        def call_model_fn(features, labels, mode, params, config):
            return model_fn_ops(features, labels, mode, params, config).estimator_spec()

        self._model_fn_ops = model_fn_ops

        if "params" in user_args:  # tf.estimator warns of a params argument never given
            def core_model_fn(features, labels, mode, params, config):
                return call_model_fn(features, labels, mode, params, config)
        else:
            def core_model_fn(features, labels, mode, config):
                return call_model_fn(features, labels, mode, None, config)

        super().__init__(model_fn=core_model_fn, model_dir=model_dir, config=config,
                         params=params)

    def fit(self, x=None, y=None, input_fn=None, steps=None, batch_size=None, monitors=None,
            max_steps=None):
        """Trains for `steps` more steps (or up to global step `max_steps`); returns self.
        Numpy x/y are fed in shuffled batches of batch_size (all of x when None)."""
        input_fn, hooks = _input_fn_and_hooks(x, y, input_fn, batch_size, True, None)
        hooks = hooks + [_as_hook(m, self) for m in (monitors or [])]
        return self.train(input_fn, hooks=hooks, steps=steps, max_steps=max_steps)

    def partial_fit(self, x=None, y=None, input_fn=None, steps=1, batch_size=None,
                    monitors=None):
        """fit for `steps` (default 1) more steps."""
        return self.fit(x, y, input_fn, steps, batch_size, monitors)

    def evaluate(self, x=None, y=None, input_fn=None, feed_fn=None, batch_size=None,
                 steps=None, metrics=None, name=None, checkpoint_path=None, hooks=None,
                 log_progress=True):
        """{'loss': mean batch loss, 'global_step': ..., model_fn's eval metrics, and those
        `metrics` names: {name: MetricSpec (or TF's older bare metric function)}};
        feed_fn's dict is fed at each evaluation step."""
        if metrics is not None and not isinstance(metrics, dict):
            raise ValueError("Metrics argument should be None or dict. Got %s." % metrics)
        input_fn, feed_hooks = _input_fn_and_hooks(x, y, input_fn, batch_size, False, 1)
        if feed_fn is not None:
            feed_hooks.append(hooks_lib.FeedFnHook(feed_fn))
        self._eval_metrics = metrics
        try:
            return super().evaluate(input_fn, steps=steps,
                                    hooks=feed_hooks + list(hooks or []),
                                    checkpoint_path=checkpoint_path, name=name)
        finally:
            self._eval_metrics = None

    def predict(self, x=None, input_fn=None, batch_size=None, outputs=None, as_iterable=True,
                iterate_batches=False):
        """Predictions per example (an iterator), or all of them stacked when not
        as_iterable; `outputs` picks keys of dict predictions."""
        input_fn, hooks = _input_fn_and_hooks(x, None, input_fn, batch_size, False, 1)
        results = super().predict(input_fn, predict_keys=outputs, hooks=hooks,
                                  yield_single_examples=not iterate_batches)
        if as_iterable:
            return results
        return _stack(list(results))

    def _validate_features_in_predict_input(self, graph):
        """No warning: TF 1.x's contrib predict feeds numpy x for one epoch through its data
        feeder (or runs the user's input_fn) and never warns that predict yields forever."""

    def _get_predict_ops(self, features):
        """The INFER ModelFnOps on `features` (no labels), in the default graph."""
        return self._model_fn_ops(features, None, ModeKeys.INFER, self.params, self.config,
                                  infer_labels=False)

    def export_savedmodel(self, export_dir_base, serving_input_fn,
                          default_output_alternative_key=None, assets_extra=None,
                          as_text=False, checkpoint_path=None, graph_rewrite_specs=None,
                          strip_default_attrs=False):
        """Writes the INFER graph built on serving_input_fn's features (an InputFnOps; the
        model_fn gets no labels) with the newest checkpoint's (or `checkpoint_path`'s)
        variables as a SavedModel tagged "serve" under export_dir_base/<timestamp>; returns
        its path (bytes). The SignatureDefs come from the model's output alternatives
        (saved_model_export_utils.build_all_signature_defs). graph_rewrite_specs other than
        TF's default (serve, no transforms) are not provided."""
        from tensorweave.contrib.learn.python.learn.utils import saved_model_export_utils as su
        if serving_input_fn is None:
            raise ValueError("serving_input_fn must be defined.")
        for spec in graph_rewrite_specs or ():
            tags, transforms = spec
            if transforms or tuple(tags) != ("serve",):
                raise NotImplementedError("export_savedmodel: graph_rewrite_specs with "
                                          "transforms or other tags are not provided by "
                                          "tensorweave")

        def build():
            inputs, features = su.get_input_alternatives(serving_input_fn())
            ops = self._get_predict_ops(features)
            outputs, default_key = su.get_output_alternatives(
                ops, default_output_alternative_key)
            return ops.estimator_spec(), su.build_all_signature_defs(inputs, outputs,
                                                                     default_key)
        return self._export_serving_graph(export_dir_base, build, assets_extra, as_text,
                                          checkpoint_path, strip_default_attrs)


def predict_ops(estimator, features):
    """A contrib Estimator's INFER ModelFnOps on `features` (what TF's predictor asks its
    `_get_predict_ops` for)."""
    return estimator._get_predict_ops(features)


def _pair_value_metrics(eval_metric_ops):
    """A metric given as a value alone (TF 1.x's bare metric functions return a tensor) as
    (value, no_op): evaluated once at the end, as TF 1.x's contrib Estimator does."""
    for name, ops in list(eval_metric_ops.items()):
        if isinstance(ops, (list, tuple)):
            if len(ops) == 2:
                continue
            logging.warning("Ignoring metric {}. It returned a list|tuple with len {}, "
                            "expected 2".format(name, len(ops)))
        eval_metric_ops[name] = (ops, no_op())


def _signature(tensor):
    """(dtype, shape, is_sparse) of a Tensor or SparseTensor (TF's TensorSignature)."""
    if isinstance(tensor, sparse_tensor.SparseTensor):
        return (tensor.values.dtype, None, True)
    return (tensor.dtype, tensor.shape, False)


def _compatible(sig, other):
    """TF's TensorSignature.is_compatible_with: dtypes, and shapes past dimension 0."""
    if sig[2] or other[2]:
        return sig[2] and other[2] and sig[0] == other[0]
    if sig[0] != other[0]:
        return False
    if sig[1].ndims is None or other[1].ndims is None:
        return True
    return sig[1].ndims == other[1].ndims and \
        sig[1][1:].is_compatible_with(other[1][1:])


def _check_signatures(kind, tensors, saved):
    """The signatures of features or labels, checked against those seen before (ValueError
    when incompatible, as TF 1.x's Estimator._check_inputs)."""
    given = ({k: _signature(v) for k, v in tensors.items()} if isinstance(tensors, dict)
             else _signature(tensors))
    if saved is None:
        return given
    if isinstance(saved, dict) != isinstance(given, dict) or (
            isinstance(saved, dict) and (set(saved) != set(given) or not all(
                _compatible(saved[k], given[k]) for k in saved))) or (
            not isinstance(saved, dict) and not _compatible(saved, given)):
        raise ValueError(f"{kind} are incompatible with given information. Given "
                         f"{kind.lower()}: {tensors}, required signatures: {saved}.")
    return saved


def _placeholders(saved):
    """Placeholders [None, ...] (sparse_placeholders for sparse) for saved signatures."""
    def make(sig):
        if sig[2]:
            return sparse_ops.sparse_placeholder(dtype=sig[0])
        shape = None if sig[1].ndims is None else [None] + sig[1].as_list()[1:]
        return array.placeholder(sig[0], shape)
    if saved is None:
        return None
    if isinstance(saved, dict):
        return {k: make(v) for k, v in saved.items()}
    return make(saved)


def infer_real_valued_columns_from_input(x):
    """[real_valued_column("", dimension=<features per example>)] for numpy x (float32 in
    the network; a dict of arrays gives one column per key)."""
    from tensorweave.contrib.layers import feature_column as contrib_fc
    if isinstance(x, dict):
        return [contrib_fc.real_valued_column(k, dimension=int(np.prod(np.shape(v)[1:])) or 1)
                for k, v in sorted(x.items())]
    x = np.asarray(x)
    return [contrib_fc.real_valued_column("", dimension=int(np.prod(x.shape[1:])) or 1)]


class SKCompat:
    """scikit-learn's fit / score / predict over a contrib.learn Estimator (x, y numpy)."""

    def __init__(self, estimator):
        self._estimator = estimator

    def fit(self, x, y, batch_size=128, steps=None, max_steps=None, monitors=None):
        """Trains on x, y in shuffled batches of batch_size; returns self."""
        self._estimator.fit(x=x, y=y, batch_size=batch_size, steps=steps,
                            max_steps=max_steps, monitors=monitors)
        return self

    def score(self, x, y, batch_size=128, steps=None, metrics=None, name=None):
        """The evaluation dict (loss, global_step, the model's metrics)."""
        return self._estimator.evaluate(x=x, y=y, batch_size=batch_size, steps=steps,
                                        metrics=metrics, name=name)

    def predict(self, x, batch_size=128, outputs=None):
        """All predictions for x, stacked (a dict of arrays for dict predictions)."""
        return Estimator.predict(self._estimator, x=x, batch_size=batch_size,
                                 outputs=outputs, as_iterable=False)


def _as_hook(monitor, estimator):
    """A monitor (contrib.learn.monitors) bound to the estimator, or a SessionRunHook."""
    if hasattr(monitor, "set_estimator"):
        monitor.set_estimator(estimator)
    return monitor


def _stack(items):
    if items and isinstance(items[0], dict):
        return {k: np.stack([item[k] for item in items]) for k in items[0]}
    return np.stack(items) if items else np.array([])
