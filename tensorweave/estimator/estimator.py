"""Estimator: trains, evaluates and predicts with a model_fn, keeping its state in model_dir.

    def model_fn(features, labels, mode, params):
        ...                                    # build the model for `mode`
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

    est = tf.estimator.Estimator(model_fn, model_dir="/tmp/model", params={"lr": 0.1})
    est.train(input_fn, steps=1000)            # checkpoints land in model_dir
    print(est.evaluate(eval_input_fn))         # {'loss': ..., 'global_step': 1000, ...}

Each call builds a fresh graph, calls input_fn and model_fn in it, and runs a monitored
session that restores the newest checkpoint of model_dir, so a new Estimator on the same
directory carries on where the last one stopped.
"""
import collections
import copy
import functools
import inspect
import os
import tempfile
import time

import numpy as np

from tensorweave.estimator import run_config as run_config_lib
from tensorweave.estimator.model_fn import (LOSS_METRIC_KEY, EstimatorSpec, ModeKeys,
                                            check_hooks)
from tensorweave.core import dtypes
from tensorweave.core.graph import Graph, GraphKeys, get_default_graph
from tensorweave.lib.paths import path_str
from tensorweave.ops import array, random_ops, state_ops
from tensorweave.ops import iterator as iterator_op_types
from tensorweave.platform import tf_logging as logging
from tensorweave.train import checkpoint_management, checkpoint_utils, training_util
from tensorweave.train import warm_starting
from tensorweave.train.warm_starting import VocabInfo  # noqa: F401 - tf.estimator.VocabInfo
from tensorweave.train import basic_session_run_hooks as hooks_lib
from tensorweave.train import monitored_session
from tensorweave.train import saver as saver_lib
from tensorweave.train.session_run_hook import SessionRunArgs, SessionRunHook
from tensorweave.variables import Variable

_VALID_MODEL_FN_ARGS = {"features", "labels", "mode", "params", "self", "config"}


def fn_args(fn):
    """The names of `fn`'s arguments (bound `self` and functools.partial keywords removed)."""
    if isinstance(fn, functools.partial):
        names = fn_args(fn.func)[len(fn.args):]
        return tuple(n for n in names if n not in (fn.keywords or {}))
    if not (inspect.isfunction(fn) or inspect.ismethod(fn)) and callable(fn):
        fn = fn.__call__
    return tuple(p.name for p in inspect.signature(fn).parameters.values()
                 if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


class WarmStartSettings(collections.namedtuple(
        "WarmStartSettings", ["ckpt_to_initialize_from", "vars_to_warm_start",
                              "var_name_to_vocab_info", "var_name_to_prev_var_name"])):
    """Which variables to initialize from another model's checkpoint (a regex over trainable
    variables, or a list of regexes over all global variables)."""

    def __new__(cls, ckpt_to_initialize_from, vars_to_warm_start=".*",
                var_name_to_vocab_info=None, var_name_to_prev_var_name=None):
        if not ckpt_to_initialize_from:
            raise ValueError("`ckpt_to_initialize_from` MUST be set in WarmStartSettings")
        return super().__new__(cls, os.fspath(ckpt_to_initialize_from), vars_to_warm_start,
                               var_name_to_vocab_info or {}, var_name_to_prev_var_name or {})


def _warm_start(settings):
    """Warm-starts the model's variables as the settings say: tf.train.warm_start, as TF's
    Estimator does."""
    logging.info("Warm-starting with WarmStartSettings: %s", settings)
    warm_starting.warm_start(*settings)


class _DatasetInitializerHook(SessionRunHook):
    """Runs a dataset iterator's initializer once the session exists."""

    def __init__(self, iterator):
        self._iterator = iterator

    def after_create_session(self, session, coord):
        session.run(self._iterator.initializer)


class _StopAfterNEvalsHook(SessionRunHook):
    """Stops evaluation after `num_evals` batches, logging 'Evaluation [k/n]'."""

    def __init__(self, num_evals, log_progress=True):
        self._num_evals = num_evals
        self._log_progress = log_progress
        self._every = 1 if num_evals < 20 else num_evals // 10
        self._evals_completed = None

    def set_evals_completed_tensor(self, tensor):
        self._evals_completed = tensor

    def before_run(self, run_context):
        return SessionRunArgs({"evals_completed": self._evals_completed})

    def after_run(self, run_context, run_values):
        done = int(run_values.results["evals_completed"])
        if self._log_progress and (done % self._every == 0 or done == self._num_evals):
            logging.info("Evaluation [%d/%d]", done, self._num_evals)
        if done >= self._num_evals:
            run_context.request_stop()


def _check_hooks(hooks):
    return list(check_hooks(hooks, "Hooks must be a SessionRunHook"))


def _check_listeners(listeners):
    listeners = list(listeners or [])
    for listener in listeners:
        if not isinstance(listener, hooks_lib.CheckpointSaverListener):
            raise TypeError(f"saving_listeners must be a list of CheckpointSaverListener, "
                            f"given: {listener}")
    return listeners


def _dict_to_str(dictionary):
    return ", ".join(f"{k} = {v!s}" for k, v in sorted(dictionary.items())
                     if not isinstance(v, bytes))


def _write_dict_to_summary(output_dir, dictionary, global_step):
    """Logs the evaluation results and writes the scalar ones to `output_dir`'s event file."""
    from tensorweave.summary import Summary
    from tensorweave.summary.writer import FileWriterCache
    logging.info("Saving dict for global step %d: %s", global_step, _dict_to_str(dictionary))
    summary = Summary()
    for key, value in dictionary.items():
        if value is None or key == GraphKeys.GLOBAL_STEP:
            continue
        if isinstance(value, (bool, np.bool_)):
            value = int(value)
        if isinstance(value, (int, float, np.integer, np.floating)) or (
                isinstance(value, np.ndarray) and value.size == 1):
            summary.value.add(tag=key, simple_value=float(value))
        elif isinstance(value, bytes):
            try:
                parsed = Summary.FromString(value)
            except Exception:  # noqa: BLE001 - not a Summary: skipped like TF
                logging.warning("Skipping summary for %s, cannot parse string to Summary.", key)
                continue
            for part in parsed.value:
                part.tag = key
                summary.value.add().CopyFrom(part)
        else:
            logging.warning("Skipping summary for %s, must be a float, np.float32, np.int64, "
                            "np.int32 or int or a serialized string of Summary.", key)
    writer = FileWriterCache.get(output_dir)
    writer.add_summary(summary, global_step)
    writer.flush()


class Estimator:
    """Trains, evaluates and predicts with `model_fn(features, labels, mode, params, config)`
    (any subset of those arguments, but `features` is required)."""

    def __init__(self, model_fn, model_dir=None, config=None, params=None,
                 warm_start_from=None):
        if config is None:
            config = run_config_lib.RunConfig()
        elif not isinstance(config, run_config_lib.RunConfig):
            raise ValueError(f"config must be an instance of `RunConfig`, but provided "
                             f"{config}.")
        if model_dir:  # as TF's: a false one (None, "", False) leaves it to the config
            model_dir = path_str(model_dir)
            if config.model_dir is not None and config.model_dir != model_dir:
                raise ValueError(f"`model_dir` are set both in constructor and `RunConfig`, "
                                 f"but with different values. In constructor: '{model_dir}', "
                                 f"in `RunConfig`: '{config.model_dir}' ")
        model_dir = model_dir or config.model_dir
        if model_dir is None:
            model_dir = tempfile.mkdtemp()
            logging.warning("Using temporary folder as model directory: %s", model_dir)
        if config.model_dir != model_dir:
            config = config.replace(model_dir=model_dir)
        if config.session_config is None:  # TF's maybe_overwrite_model_dir_and_session_config
            config = config.replace(session_config=run_config_lib.get_default_session_config())
        self._config = config
        self._model_dir = model_dir
        logging.info("Using config: %s", {k.lstrip("_"): v for k, v in vars(config).items()})
        if model_fn is None:
            raise ValueError("model_fn must be provided to Estimator.")
        self._verify_model_fn_args(model_fn, params)
        self._model_fn = model_fn
        self._params = copy.deepcopy(params or {})
        if isinstance(warm_start_from, (str, os.PathLike)):
            warm_start_from = WarmStartSettings(warm_start_from)
        self._warm_start_settings = warm_start_from

    @staticmethod
    def _verify_model_fn_args(model_fn, params):
        args = set(fn_args(model_fn))
        if "features" not in args:
            raise ValueError(f"model_fn ({model_fn}) must include features argument.")
        if params is not None and "params" not in args:
            raise ValueError(f"model_fn ({model_fn}) does not include params argument, but "
                             f"params ({params}) is passed to Estimator.")
        if params is None and "params" in args:
            logging.warning("Estimator's model_fn (%s) includes params argument, but params "
                            "are not passed to Estimator.", model_fn)
        unexpected = sorted(args - _VALID_MODEL_FN_ARGS)
        if unexpected:
            raise ValueError(f"model_fn ({model_fn}) has following not expected args: "
                             f"{unexpected}")

    # --- properties ------------------------------------------------------------------------
    @property
    def model_dir(self):
        return self._model_dir

    @property
    def config(self):
        return copy.deepcopy(self._config)

    @property
    def params(self):
        return copy.deepcopy(self._params)

    @property
    def model_fn(self):
        """The model_fn bound to this estimator's config: fn(features, labels, mode, config)."""
        def public_model_fn(features, labels, mode, config):
            return self._call_model_fn(features, labels, mode, config)
        return public_model_fn

    def eval_dir(self, name=None):
        """Where evaluate(name=...) writes its event files: model_dir/eval[_name]."""
        return os.path.join(self._model_dir, "eval" if not name else "eval_" + name)

    def latest_checkpoint(self):
        return checkpoint_management.latest_checkpoint(self._model_dir)

    def _checkpoint_to_use(self, checkpoint_path, purpose):
        """`checkpoint_path`, else the newest checkpoint, else None (variables initialized)."""
        checkpoint_path = checkpoint_path or self.latest_checkpoint()
        if not checkpoint_path:
            logging.info("Could not find trained model in model_dir: %s, running "
                         "initialization to %s.", self._model_dir, purpose)
        return checkpoint_path

    def _require_checkpoint(self):
        if not self.latest_checkpoint():
            raise ValueError(f"Could not find trained model in model_dir: {self._model_dir}.")

    def get_variable_names(self):
        """The names of the variables in the newest checkpoint."""
        self._require_checkpoint()
        return [name for name, _ in checkpoint_utils.list_variables(self._model_dir)]

    def get_variable_value(self, name):
        """The value of variable `name` in the newest checkpoint (a NumPy array)."""
        self._require_checkpoint()
        return checkpoint_utils.load_variable(self._model_dir, name)

    # --- calling the user's functions ------------------------------------------------------
    def _call_input_fn(self, input_fn, mode):
        args = fn_args(input_fn)
        kwargs = {}
        if "mode" in args:
            kwargs["mode"] = mode
        if "params" in args:
            kwargs["params"] = self.params
        if "config" in args:
            kwargs["config"] = self.config
        return input_fn(**kwargs)

    def _features_and_labels(self, input_fn, mode):
        """(features, labels, input hooks) from input_fn's Dataset or (features, labels)."""
        from tensorweave.data import Dataset
        result = self._call_input_fn(input_fn, mode)
        hooks = []
        if isinstance(result, Dataset):
            iterator = result.make_initializable_iterator()
            hooks.append(_DatasetInitializerHook(iterator))
            result = iterator.get_next()
        if isinstance(result, (list, tuple)):
            if len(result) != 2:
                raise ValueError(f"input_fn should return (features, labels) as a len 2 "
                                 f"tuple, got {len(result)} elements.")
            return result[0], result[1], hooks
        return result, None, hooks

    def _call_model_fn(self, features, labels, mode, config):
        args = fn_args(self._model_fn)
        kwargs = {}
        if "labels" in args:
            kwargs["labels"] = labels
        elif labels is not None:
            raise ValueError("model_fn does not take labels, but input_fn returns labels.")
        if "mode" in args:
            kwargs["mode"] = mode
        if "params" in args:
            kwargs["params"] = self.params
        if "config" in args:
            kwargs["config"] = config
        logging.info("Calling model_fn.")
        spec = self._model_fn(features=features, **kwargs)
        logging.info("Done calling model_fn.")
        if not isinstance(spec, EstimatorSpec):
            raise ValueError("model_fn should return an EstimatorSpec.")
        return spec

    def _new_graph(self):
        """A fresh graph seeded by the config, with a global step and its read tensor."""
        graph = Graph()
        with graph.as_default():
            if self._config.tf_random_seed is not None:
                random_ops.set_random_seed(self._config.tf_random_seed)
            self.create_global_step(graph)
            read = training_util.global_step_read(graph)
        return graph, read

    def create_global_step(self, graph):
        """Creates `graph`'s global step before input_fn and model_fn run (TF's
        _create_and_assert_global_step); SavedModelEstimator's comes with its SavedModel."""
        return training_util.get_or_create_global_step(graph)

    # --- train -----------------------------------------------------------------------------
    def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
        """Trains for `steps` more steps, up to global step `max_steps`, or until input_fn's
        data runs out; returns self."""
        if steps is not None and max_steps is not None:
            raise ValueError("Can not provide both steps and max_steps.")
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        if max_steps is not None:
            start_step = self._saved_global_step()
            if max_steps <= start_step:
                logging.info("Skipping training since max_steps has already saved.")
                return self
        hooks = _check_hooks(hooks)
        if steps is not None or max_steps is not None:
            hooks.append(hooks_lib.StopAtStepHook(steps, max_steps))
        loss = self._train_model(input_fn, hooks, _check_listeners(saving_listeners))
        logging.info("Loss for final step: %s.", loss)
        return self

    def _saved_global_step(self):
        path = self.latest_checkpoint()
        if not path:
            return 0
        return int(checkpoint_utils.load_variable(path, GraphKeys.GLOBAL_STEP))

    def _train_model(self, input_fn, hooks, saving_listeners):
        graph, _ = self._new_graph()
        with graph.as_default():
            features, labels, input_hooks = self._features_and_labels(input_fn, ModeKeys.TRAIN)
            spec = self._call_model_fn(features, labels, ModeKeys.TRAIN, self._config)
            global_step = training_util.get_global_step(graph)
            return self._train_with_spec(spec, input_hooks + hooks, global_step,
                                         saving_listeners)

    def _train_with_spec(self, spec, worker_hooks, global_step, saving_listeners):
        from tensorweave import summary
        from tensorweave.train.saver import Saver
        if self._warm_start_settings:
            _warm_start(self._warm_start_settings)
        graph = get_default_graph()
        if not any(s.op.name == "loss" for s in graph.get_collection(GraphKeys.SUMMARIES)):
            summary.scalar("loss", spec.loss)
        graph.add_to_collection(GraphKeys.LOSSES, spec.loss)
        worker_hooks = list(worker_hooks)
        worker_hooks.append(hooks_lib.NanTensorHook(spec.loss))
        if self._config.log_step_count_steps:
            # The variable itself, as TF: fetched next to the train op it shows the step after
            # the run's increment (loss = ..., step = 1, then 101, ...).
            worker_hooks.append(hooks_lib.LoggingTensorHook(
                {"loss": spec.loss, "step": global_step},
                every_n_iter=self._config.log_step_count_steps))
        worker_hooks.extend(spec.training_hooks)
        if not (spec.scaffold.saver or graph.get_collection(GraphKeys.SAVERS)):
            graph.add_to_collection(GraphKeys.SAVERS, Saver(
                sharded=True, max_to_keep=self._config.keep_checkpoint_max,
                keep_checkpoint_every_n_hours=self._config.keep_checkpoint_every_n_hours,
                defer_build=True, save_relative_paths=True))
        chief_hooks = []
        saver_hooks = [h for h in worker_hooks + list(spec.training_chief_hooks)
                       if isinstance(h, hooks_lib.CheckpointSaverHook)]
        if (self._config.save_checkpoints_secs or self._config.save_checkpoints_steps) \
                and not saver_hooks:
            chief_hooks = [hooks_lib.CheckpointSaverHook(
                self._model_dir, save_secs=self._config.save_checkpoints_secs,
                save_steps=self._config.save_checkpoints_steps, scaffold=spec.scaffold)]
            saver_hooks = chief_hooks
        if saving_listeners:
            if not saver_hooks:
                raise ValueError("There should be a CheckpointSaverHook to use "
                                 "saving_listeners. Please set one of the RunConfig.save_"
                                 "checkpoints_steps or RunConfig.save_checkpoints_secs.")
            saver_hooks[0]._listeners.extend(saving_listeners)
        with monitored_session.MonitoredTrainingSession(
                checkpoint_dir=self._model_dir, scaffold=spec.scaffold, hooks=worker_hooks,
                chief_only_hooks=tuple(chief_hooks) + tuple(spec.training_chief_hooks),
                save_checkpoint_secs=0, save_summaries_steps=self._config.save_summary_steps,
                config=self._config.session_config,
                log_step_count_steps=self._config.log_step_count_steps) as session:
            loss = None
            any_step_done = False
            while not session.should_stop():
                _, loss = session.run([spec.train_op, spec.loss])
                any_step_done = True
        if not any_step_done:
            logging.warning("Training with estimator made no steps. Perhaps input is empty or "
                            "misspecified.")
        return loss

    # --- evaluate --------------------------------------------------------------------------
    def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
        """Evaluates the newest checkpoint (or `checkpoint_path`) on input_fn's data, for
        `steps` batches or until the data runs out. Returns a dict of the eval_metric_ops'
        values, 'loss' (the mean of the batch losses) and 'global_step'."""
        hooks = _check_hooks(hooks)
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        checkpoint_path = self._checkpoint_to_use(checkpoint_path, "evaluate")
        evaluation = self.evaluation_graph(input_fn, steps, hooks)
        return evaluation.run(self.eval_dir(name), checkpoint_path=checkpoint_path)

    def evaluation_graph(self, input_fn, steps=None, hooks=None):
        """The graph evaluate() runs (tensorweave's name for TF's _evaluate_build_graph), for
        running it again, as InMemoryEvaluatorHook does."""
        stop_hook = _StopAfterNEvalsHook(steps) if steps is not None else None
        hooks = list(hooks or [])
        graph, _ = self._new_graph()
        with graph.as_default():
            features, labels, input_hooks = self._features_and_labels(input_fn, ModeKeys.EVAL)
            spec = self._call_model_fn(features, labels, ModeKeys.EVAL, self._config)
            if LOSS_METRIC_KEY in spec.eval_metric_ops:
                raise ValueError(f"Metric with name \"{LOSS_METRIC_KEY}\" is not allowed, "
                                 f"because Estimator already defines a default metric with "
                                 f"the same name.")
            from tensorweave import metrics
            metric_ops = dict(spec.eval_metric_ops)
            metric_ops[LOSS_METRIC_KEY] = metrics.mean(spec.loss)
            if GraphKeys.GLOBAL_STEP in metric_ops:
                raise ValueError(f"Metric with name `{GraphKeys.GLOBAL_STEP}` is not allowed, "
                                 f"because Estimator already defines a default metric with "
                                 f"the same name.")
            final_ops = {k: v[0] for k, v in metric_ops.items()}
            final_ops[GraphKeys.GLOBAL_STEP] = training_util.get_global_step(graph)
            update_ops = [v[1] for v in metric_ops.values()]
            eval_step = _eval_step_variable()
            update_ops.append(state_ops.assign_add(eval_step._ref(), 1))
            if stop_hook is not None:
                with graph.control_dependencies(update_ops):
                    stop_hook.set_evals_completed_tensor(
                        array.identity(eval_step.read_value()))
                hooks.append(stop_hook)
            scaffold = spec.scaffold
            if scaffold.local_init_op is not None:  # it does not know the metrics' variables
                from tensorweave.ops import control
                scaffold = monitored_session.Scaffold(
                    local_init_op=control.group(
                        scaffold.local_init_op,
                        monitored_session.Scaffold.default_local_init_op()),
                    copy_from_scaffold=scaffold)
        return EvaluationGraph(graph, scaffold, update_ops, final_ops,
                               input_hooks + hooks + list(spec.evaluation_hooks),
                               self._config.session_config)

    # --- predict ---------------------------------------------------------------------------
    def _validate_features_in_predict_input(self, graph):
        """TF's warning when predict's input graph has no end of data (no Dataset iterator)."""
        if not any(iterator_op_types.is_get_next(op) for op in graph.get_operations()):
            logging.warning("Input graph does not use tf.data.Dataset or contain a "
                            "QueueRunner. That means predict yields forever. This is "
                            "probably a mistake.")

    def predict(self, input_fn, predict_keys=None, hooks=None, checkpoint_path=None,
                yield_single_examples=True):
        """Yields predictions (per example, or per batch when yield_single_examples=False) of
        the newest checkpoint (or `checkpoint_path`) until input_fn's data runs out."""
        hooks = _check_hooks(hooks)
        checkpoint_path = self._checkpoint_to_use(checkpoint_path, "predict")
        graph, _ = self._new_graph()
        with graph.as_default():
            features, _, input_hooks = self._features_and_labels(input_fn, ModeKeys.PREDICT)
            self._validate_features_in_predict_input(graph)
            spec = self._call_model_fn(features, None, ModeKeys.PREDICT, self._config)
            if self._warm_start_settings and not checkpoint_path:
                _warm_start(self._warm_start_settings)
            predictions = _extract_keys(spec.predictions, predict_keys)
            all_hooks = input_hooks + hooks + list(spec.prediction_hooks)
            creator = monitored_session.ChiefSessionCreator(
                scaffold=spec.scaffold, checkpoint_filename_with_path=checkpoint_path,
                config=self._config.session_config)
            with monitored_session.MonitoredSession(creator, all_hooks) as session:
                while not session.should_stop():
                    values = session.run(predictions)
                    if not yield_single_examples:
                        yield values
                    elif not isinstance(values, dict):
                        yield from values
                    else:
                        for i in range(_batch_length(values)):
                            yield {key: value[i] for key, value in values.items()}

    # --- export ----------------------------------------------------------------------------
    def export_saved_model(self, export_dir_base, serving_input_receiver_fn, assets_extra=None,
                           as_text=False, checkpoint_path=None,
                           experimental_mode=ModeKeys.PREDICT):
        """Writes the graph of `experimental_mode` (PREDICT: built on the serving receiver's
        inputs; TRAIN or EVAL: on a SupervisedInputReceiver's features and labels), with the
        variables of the newest checkpoint (or `checkpoint_path`), as a SavedModel tagged
        "serve" ("train", "eval") in a new timestamped directory under export_dir_base;
        returns its path (bytes). The SignatureDefs come from the model_fn's export_outputs
        (default: a PredictOutput of its predictions under "serving_default"; TRAIN and EVAL:
        the loss, predictions and metrics under the mode's name); assets_extra
        {destination under assets.extra: source path} are copied beside."""
        if not serving_input_receiver_fn:
            raise ValueError("An input_receiver_fn must be defined.")
        return self._export_all_saved_models(
            export_dir_base, {experimental_mode: serving_input_receiver_fn}, assets_extra,
            as_text, checkpoint_path, strip_default_attrs=False)

    def export_savedmodel(self, export_dir_base, serving_input_receiver_fn, assets_extra=None,
                          as_text=False, checkpoint_path=None, strip_default_attrs=False):
        """TF 1.x's name of export_saved_model (see there)."""
        if not serving_input_receiver_fn:
            raise ValueError("An input_receiver_fn must be defined.")
        return self._export_all_saved_models(
            export_dir_base, {ModeKeys.PREDICT: serving_input_receiver_fn}, assets_extra,
            as_text, checkpoint_path, strip_default_attrs)

    def experimental_export_all_saved_models(self, export_dir_base, input_receiver_fn_map,
                                             assets_extra=None, as_text=False,
                                             checkpoint_path=None):
        """One SavedModel holding a MetaGraph per mode of `input_receiver_fn_map` ({mode:
        receiver fn}), tagged "train", "eval", "serve", sharing the checkpoint's variables
        (saved with the first of TRAIN, EVAL, PREDICT); returns its path (bytes)."""
        return self._export_all_saved_models(export_dir_base, input_receiver_fn_map,
                                             assets_extra, as_text, checkpoint_path,
                                             strip_default_attrs=False)

    def _export_all_saved_models(self, export_dir_base, input_receiver_fn_map, assets_extra,
                                 as_text, checkpoint_path, strip_default_attrs):
        from tensorweave.saved_model import tag_constants
        tags = {ModeKeys.TRAIN: [tag_constants.TRAINING], ModeKeys.EVAL: [tag_constants.EVAL],
                ModeKeys.PREDICT: [tag_constants.SERVING]}
        unknown = sorted(set(input_receiver_fn_map) - set(tags))
        if unknown:
            raise ValueError(f"Unknown mode(s) {unknown}: input_receiver_fn_map keys must be "
                             f"tf.estimator.ModeKeys")
        builds = []
        for mode in (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT):
            if mode not in input_receiver_fn_map:
                continue
            receiver_fn = input_receiver_fn_map[mode]
            if not receiver_fn:
                raise ValueError("An input_receiver_fn must be defined.")
            if mode == ModeKeys.PREDICT:
                builds.append((tags[mode], functools.partial(self._serving_graph,
                                                             receiver_fn)))
            else:
                builds.append((tags[mode], functools.partial(self._supervised_graph,
                                                             receiver_fn, mode)))
        return self._export_graphs(export_dir_base, builds, assets_extra, as_text,
                                   checkpoint_path, strip_default_attrs)

    def _serving_graph(self, serving_input_receiver_fn):
        """Builds the PREDICT graph on the receiver's features (in the default graph);
        returns (its EstimatorSpec, {signature key: SignatureDef})."""
        from tensorweave.estimator import export as export_lib
        receiver = serving_input_receiver_fn()
        spec = self._call_model_fn(receiver.features, None, ModeKeys.PREDICT, self._config)
        export_outputs = export_lib.export_outputs_for_predictions(spec.export_outputs,
                                                                   spec.predictions)
        return spec, export_lib.build_all_signature_defs(
            receiver.receiver_tensors, export_outputs, receiver.receiver_tensors_alternatives)

    def _supervised_graph(self, input_receiver_fn, mode):
        """Builds the TRAIN or EVAL graph on the receiver's features and labels; returns (its
        EstimatorSpec, {mode: the SignatureDef of its loss, predictions and metrics}); the
        train op joins the saved_model_train_op collection, as TF's builder adds it."""
        from tensorweave.estimator import export as export_lib
        receiver = input_receiver_fn()
        spec = self._call_model_fn(receiver.features, getattr(receiver, "labels", None), mode,
                                   self._config)
        output_class = export_lib.TrainOutput if mode == ModeKeys.TRAIN else \
            export_lib.EvalOutput
        output = output_class(loss=spec.loss, predictions=spec.predictions,
                              metrics=spec.eval_metric_ops)
        if spec.train_op is not None:
            from tensorweave.saved_model import constants
            get_default_graph().add_to_collection(constants.TRAIN_OP_KEY, spec.train_op)
        return spec, export_lib.build_all_signature_defs(
            receiver.receiver_tensors, {mode: output}, serving_only=False)

    def _export_serving_graph(self, export_dir_base, build, assets_extra, as_text,
                              checkpoint_path, strip_default_attrs):
        """Writes the graph `build()` makes (returning its spec and SignatureDefs) with the
        checkpoint's variables as a SavedModel tagged "serve" under a new timestamped
        directory."""
        from tensorweave.saved_model import tag_constants
        return self._export_graphs(export_dir_base, [([tag_constants.SERVING], build)],
                                   assets_extra, as_text, checkpoint_path, strip_default_attrs)

    def _export_graphs(self, export_dir_base, builds, assets_extra, as_text, checkpoint_path,
                       strip_default_attrs):
        """Writes the graphs of `builds` [(tags, build)] (build() makes a graph in the
        default graph, returning its spec and SignatureDefs), each restored from the
        checkpoint, as one SavedModel (the first saves the variables) under a new
        timestamped directory."""
        import shutil
        from tensorweave.runtime.session import Session
        from tensorweave.saved_model import builder as builder_lib
        checkpoint_path = path_str(checkpoint_path) if checkpoint_path else self.latest_checkpoint()
        if not checkpoint_path:
            raise ValueError(f"Couldn't find trained model at {self._model_dir}.")
        export_dir_base = path_str(export_dir_base)
        export_dir = _timestamped_export_dir(export_dir_base)
        temp_dir = os.path.join(export_dir_base,
                                "temp-" + os.path.basename(export_dir))
        builder = builder_lib.SavedModelBuilder(temp_dir)
        for index, (tags, build) in enumerate(builds):
            graph, _ = self._new_graph()
            with graph.as_default():
                spec, signature_def_map = build()
                saver = spec.scaffold.saver or saver_lib.Saver(sharded=True, allow_empty=True)
                local_init_op = (spec.scaffold.local_init_op
                                 or monitored_session.Scaffold.default_local_init_op())
                meta_graph_kwargs = dict(
                    signature_def_map=signature_def_map,
                    assets_collection=graph.get_collection(GraphKeys.ASSET_FILEPATHS),
                    main_op=local_init_op, strip_default_attrs=strip_default_attrs,
                    saver=saver)
                with Session(graph=graph, config=self._config.session_config) as sess:
                    saver.restore(sess, checkpoint_path)
                    if index == 0:
                        builder.add_meta_graph_and_variables(sess, tags, **meta_graph_kwargs)
                    else:
                        builder.add_meta_graph(tags, **meta_graph_kwargs)
        builder.save(as_text)
        for destination, source in (assets_extra or {}).items():
            target = os.path.normpath(os.path.join(temp_dir, "assets.extra", destination))
            if not target.startswith(os.path.join(os.path.normpath(temp_dir),
                                                  "assets.extra") + os.sep):
                raise ValueError(f"assets_extra destination {destination!r} leaves "
                                 "assets.extra")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(source, target)
        os.rename(temp_dir, export_dir)
        logging.info("SavedModel written to: %s", export_dir)
        return export_dir.encode()


class EvaluationGraph:
    """An evaluation's graph: `run` evaluates it from a checkpoint (or variables an
    `init_fn(scaffold, session)` sets) and writes the results to an output directory."""

    def __init__(self, graph, scaffold, update_ops, final_ops, hooks, session_config):
        self.graph = graph
        self.scaffold = scaffold
        self.update_ops = update_ops
        self.final_ops = final_ops
        self.hooks = hooks
        self.session_config = session_config

    def run(self, output_dir, checkpoint_path=None, init_fn=None):
        """The results dict of one pass, also written to `output_dir`'s event file."""
        with self.graph.as_default():
            scaffold = self.scaffold
            if init_fn is not None:
                scaffold = monitored_session.Scaffold(init_fn=init_fn,
                                                      copy_from_scaffold=scaffold)
            results = _evaluate_once(checkpoint_path, scaffold, self.update_ops,
                                     self.final_ops, self.hooks, self.session_config)
        _write_dict_to_summary(output_dir, results, int(results[GraphKeys.GLOBAL_STEP]))
        return results


def _timestamped_export_dir(export_dir_base):
    """export_dir_base/<seconds since the epoch>, a name not yet taken and after every export
    there (so the newest export sorts last even when several come in one second)."""
    stamp = int(time.time())
    if os.path.isdir(export_dir_base):
        taken = [int(n.split("-")[-1]) for n in os.listdir(export_dir_base)
                 if n.split("-")[-1].isdigit()]
        stamp = max([stamp] + [t + 1 for t in taken])
    while os.path.exists(os.path.join(export_dir_base, str(stamp))) or os.path.exists(
            os.path.join(export_dir_base, f"temp-{stamp}")):
        stamp += 1
    return os.path.join(export_dir_base, str(stamp))


def _eval_step_variable():
    """The local int64 counter of evaluated batches (collection EVAL_STEP)."""
    graph = get_default_graph()
    existing = graph.get_collection(GraphKeys.EVAL_STEP)
    if existing:
        return existing[0]
    return Variable(lambda: array.zeros([], dtypes.int64), trainable=False,
                    name=GraphKeys.EVAL_STEP,
                    collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.EVAL_STEP])


def _evaluate_once(checkpoint_path, scaffold, update_ops, final_ops, hooks, config):
    """Runs `update_ops` until a hook stops or the input ends; returns `final_ops` values."""
    logging.info("Starting evaluation at %s",
                 time.strftime("%Y-%m-%dT%H:%M:%SZ", time.localtime()))
    start = time.time()
    final_hook = hooks_lib.FinalOpsHook(final_ops)
    creator = monitored_session.ChiefSessionCreator(
        scaffold=scaffold, checkpoint_filename_with_path=checkpoint_path, config=config)
    with monitored_session.MonitoredSession(creator, hooks + [final_hook]) as session:
        while not session.should_stop():
            session.run(update_ops)
    logging.info("Inference Time : %0.5fs", time.time() - start)
    logging.info("Finished evaluation at %s",
                 time.strftime("%Y-%m-%d-%H:%M:%S", time.localtime()))
    return final_hook.final_ops_values


def _extract_keys(predictions, predict_keys):
    if predict_keys is None:
        return predictions
    if not isinstance(predictions, dict):
        raise ValueError("predict_keys argument is not valid in case of non-dict "
                         "predictions.")
    if isinstance(predict_keys, str):
        predict_keys = [predict_keys]
    chosen = {k: predictions[k] for k in predict_keys if k in predictions}
    if not chosen:
        raise ValueError(f"Expected to run at least one output from {list(predictions)}, "
                         f"provided {predict_keys}.")
    return chosen


def _batch_length(values):
    length = None
    for key, value in values.items():
        if not isinstance(value, np.ndarray) or value.ndim == 0:
            raise ValueError(f"Prediction values should have the same batch size; {key} is a "
                             f"scalar. Use yield_single_examples=False to get whole batches.")
        if length is None:
            length = value.shape[0]
        elif value.shape[0] != length:
            raise ValueError(f"Batch length of predictions should be same. {key} has "
                             f"different batch length than others.")
    return length or 0


_METRIC_FN_ARGS = ("features", "labels", "predictions", "config")


def add_metrics(estimator, metric_fn):
    """A new Estimator whose evaluation adds metric_fn's metrics ({name: (value, update_op)})
    to `estimator`'s, replacing same-named ones; metric_fn takes any of features, labels,
    predictions, config. Same model_dir, config and warm start."""
    args = fn_args(metric_fn)
    unexpected = sorted(set(args) - set(_METRIC_FN_ARGS))
    if unexpected:
        raise ValueError(f"metric_fn ({metric_fn}) has following not expected args: "
                         f"{unexpected}")
    base_model_fn = estimator.model_fn

    def new_model_fn(features, labels, mode, config):
        spec = base_model_fn(features, labels, mode, config)
        if mode != ModeKeys.EVAL:
            return spec
        given = {"features": features, "labels": labels, "predictions": spec.predictions,
                 "config": config}
        new_metrics = metric_fn(**{k: given[k] for k in args})
        metric_ops = dict(spec.eval_metric_ops)
        for key, value in new_metrics.items():
            if not isinstance(value, tuple) and hasattr(value, "result"):
                raise TypeError(f"metric_fn's Keras metric {key!r} must be given as "
                                f"(metric.result(), update_op) in tensorweave")
            metric_ops[key] = value
        return spec._replace(eval_metric_ops=metric_ops)
    return Estimator(model_fn=new_model_fn, model_dir=estimator.model_dir,
                     config=estimator.config, warm_start_from=estimator._warm_start_settings)
