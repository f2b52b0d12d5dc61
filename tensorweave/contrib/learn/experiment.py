"""tf.contrib.learn.Experiment: an estimator with its train and eval input, and the schedules
learn_runner.run calls by name, as TF 1.15's (one process: no servers).

    exp = tf.contrib.learn.Experiment(estimator, train_input_fn, eval_input_fn,
                                      train_steps=1000, eval_steps=10)
    eval_result, export_results = exp.train_and_evaluate()

The estimator is a contrib.learn Estimator (fit / evaluate(metrics=...)) or a core
tf.estimator.Estimator (train / evaluate; eval_metrics must then be None). As in TF:
`train` waits min(60, 5 * task_id) seconds (none for task 0), `evaluate` waits
`eval_delay_secs` (120 unless given) before evaluating, and the continuous schedules stop when
their predicate says so or once an evaluation sees global_step >= train_steps.
"""
import contextlib
import functools
import math
import os
import time

from tensorweave.contrib.learn import estimators as contrib_estimators
from tensorweave.contrib.learn import monitors as monitors_lib
from tensorweave.contrib.learn.export_strategy import ExportStrategy
from tensorweave.core.graph import GraphKeys
from tensorweave.estimator import estimator as core_estimator
from tensorweave.platform import tf_logging as logging
from tensorweave.train import basic_session_run_hooks as hooks_lib
from tensorweave.train import checkpoint_management
from tensorweave.train.server_lib import HOROVOD_PATH

__all__ = ["Experiment"]

_WARNED = []


def _predicate_with_checkpoint(predicate_fn):
    """predicate_fn as fn(eval_results, checkpoint_path) (TF accepts either signature)."""
    if "checkpoint_path" in core_estimator.fn_args(predicate_fn):
        return predicate_fn
    return lambda eval_results, checkpoint_path: predicate_fn(eval_results)


def _checked_predicate(predicate_fn):
    if predicate_fn is None:
        return None
    if not callable(predicate_fn):
        raise ValueError("`continuous_eval_predicate_fn` must be a callable, or None.")
    return _predicate_with_checkpoint(predicate_fn)


class _EvalAndExportListener(hooks_lib.CheckpointSaverListener):
    """After each checkpoint save: evaluates that checkpoint and exports it (once per path)."""

    def __init__(self, eval_fn, export_fn, model_dir):
        self._eval_fn = eval_fn
        self._export_fn = export_fn
        self._model_dir = model_dir
        self._latest_path = None
        self.eval_result = None
        self.export_results = None

    def after_save(self, session, global_step_value):
        logging.info("Checking for checkpoint in %s", self._model_dir)
        path = checkpoint_management.latest_checkpoint(self._model_dir)
        if not path:
            logging.warning("Skipping evaluation and export since model has not been saved "
                            "yet.")
        elif path == self._latest_path:
            logging.warning("Skipping evaluation due to same latest checkpoint %s.", path)
        else:
            self._latest_path = path
            self.eval_result = self._eval_fn(name="intermediate_export", checkpoint_path=path)
            self.export_results = self._export_fn(self.eval_result, checkpoint_path=path)


@contextlib.contextmanager
def _restored_attr(obj, attr):
    """Restores obj.attr on leaving the block (schedules that change a setting for a run)."""
    saved = getattr(obj, attr)
    try:
        yield
    finally:
        setattr(obj, attr, saved)


class Experiment:
    """An estimator, its train and eval input_fns, and how to interleave training and
    evaluation (the schedules: train, evaluate, train_and_evaluate, continuous_eval, ...)."""

    def __init__(self, estimator, train_input_fn, eval_input_fn, eval_metrics=None,
                 train_steps=None, eval_steps=100, train_monitors=None, eval_hooks=None,
                 local_eval_frequency=None, eval_delay_secs=120,
                 continuous_eval_throttle_secs=60, min_eval_frequency=None,
                 delay_workers_by_global_step=False, export_strategies=None,
                 train_steps_per_iteration=None, checkpoint_and_export=False,
                 saving_listeners=None, check_interval_secs=5):
        if not _WARNED:  # TF's deprecation notice, once per process
            _WARNED.append(True)
            logging.warning("Experiment (from tensorflow.contrib.learn.python.learn.experiment) "
                            "is deprecated and will be removed in a future version.\n"
                            "Instructions for updating:\nPlease switch to "
                            "tf.estimator.train_and_evaluate. You will also have to convert to a "
                            "tf.estimator.Estimator.")
        contrib = isinstance(estimator, contrib_estimators.Estimator)
        if not contrib and isinstance(estimator, core_estimator.Estimator):
            self._core_estimator_used = True
            if eval_metrics is not None:
                raise ValueError(
                    "`eval_metrics` must be `None` with `tf.estimator.Estimator`. Use "
                    "`eval_metric_ops` in `tf.estimator.EstimatorSpec` instead.")
        else:
            self._core_estimator_used = False
            if not contrib:  # TF: neither Evaluable nor Trainable (SKCompat is neither)
                raise ValueError("`estimator` must implement `tf.contrib.learn.Evaluable` or "
                                 "`tf.estimator.Estimator`.")
            if saving_listeners is not None:
                raise ValueError("`saving_listeners` must be `None` with "
                                 "`tf.contrib.learn.Estimator`.")
        self._estimator = estimator
        self._train_input_fn = train_input_fn
        self._eval_input_fn = eval_input_fn
        self._eval_metrics = eval_metrics
        self._train_steps = train_steps
        self._eval_steps = eval_steps
        self._local_eval_frequency = local_eval_frequency
        self._eval_delay_secs = eval_delay_secs
        self._continuous_eval_throttle_secs = continuous_eval_throttle_secs
        self._checkpoint_and_export = checkpoint_and_export
        self._saving_listeners = saving_listeners
        self._min_eval_frequency = 1 if min_eval_frequency is None else min_eval_frequency
        self._check_interval_secs = check_interval_secs
        self._delay_workers_by_global_step = delay_workers_by_global_step
        self._train_monitors = list(train_monitors) if train_monitors else []
        self._eval_hooks = list(eval_hooks) if eval_hooks else []
        self._set_export_strategies(export_strategies)
        if train_steps_per_iteration is not None and \
                not isinstance(train_steps_per_iteration, int):
            raise ValueError("`train_steps_per_iteration` must be an integer.")
        self._train_steps_per_iteration = train_steps_per_iteration

    estimator = property(lambda self: self._estimator)
    eval_metrics = property(lambda self: self._eval_metrics)
    train_steps = property(lambda self: self._train_steps)
    eval_steps = property(lambda self: self._eval_steps)

    def _set_export_strategies(self, values):
        strategies = []
        if values:
            if isinstance(values, ExportStrategy):
                values = [values]
            for value in values:
                if not isinstance(value, ExportStrategy):
                    raise ValueError("`export_strategies` must be an ExportStrategy, an "
                                     "iterable of ExportStrategy, or `None`, found %s." % value)
                strategies.append(value)
        self._export_strategies = tuple(strategies)

    def extend_train_hooks(self, additional_hooks):
        """Adds hooks (or monitors) to those training runs with."""
        self._train_monitors.extend(additional_hooks)

    def reset_export_strategies(self, new_export_strategies=None):
        """Sets new export strategies; returns the old ones."""
        old = self._export_strategies
        self._set_export_strategies(new_export_strategies)
        return old

    # --- schedules -------------------------------------------------------------------------
    def train(self, delay_secs=None):
        """Trains up to global step train_steps (forever when None), after `delay_secs`
        (None: 5 s per task id, at most 60; none for this one process). Returns the
        estimator."""
        start = time.time()
        config = self._estimator.config
        if getattr(config, "cluster_spec", None) and getattr(config, "master", None):
            if isinstance(config, contrib_estimators.RunConfig) and \
                    config.environment == contrib_estimators.Environment.LOCAL:
                logging.warning("ClusterSpec and master are provided, but environment is set "
                                "to 'local'. Set environment to 'cloud' if you intend to use "
                                "the distributed runtime.")
            elif isinstance(config, contrib_estimators.RunConfig):
                if config.environment != contrib_estimators.Environment.GOOGLE:
                    self._start_server()
            else:
                raise ValueError("For distributed runtime, Experiment class only works with "
                                 "tf.contrib.learn.RunConfig for now, but provided {}"
                                 .format(type(config)))
        extra_hooks = []
        if delay_secs is None:
            task_id = getattr(config, "task_id", 0) or 0
            if self._delay_workers_by_global_step:
                extra_hooks.append(hooks_lib.GlobalStepWaiterHook(
                    int(8000.0 * math.log(task_id + 1))))
                delay_secs = 0
            else:
                delay_secs = min(60, task_id * 5)
        if delay_secs > 0:
            logging.info("Waiting %d secs before starting training.",
                         delay_secs - (time.time() - start))
            time.sleep(delay_secs)
        return self._call_train(input_fn=self._train_input_fn, max_steps=self._train_steps,
                                hooks=self._train_monitors + extra_hooks,
                                saving_listeners=self._saving_listeners)

    def evaluate(self, delay_secs=None, name=None):
        """Evaluates eval_steps batches (None: until the input ends) after `delay_secs`
        (None: eval_delay_secs); returns the estimator's evaluate dict."""
        if delay_secs is None:
            delay_secs = self._eval_delay_secs
        if delay_secs:
            logging.info("Waiting %d secs before starting eval.", delay_secs)
            time.sleep(delay_secs)
        return self._call_evaluate(input_fn=self._eval_input_fn, steps=self._eval_steps,
                                   metrics=self._eval_metrics, name=name or "one_pass",
                                   hooks=self._eval_hooks)

    def local_run(self):
        """TF's deprecated train_and_evaluate with min_eval_frequency=local_eval_frequency."""
        logging.warning("local_run (from tensorflow.contrib.learn.python.learn.experiment) is "
                        "deprecated and will be removed after 2016-10-23.")
        with _restored_attr(self, "_min_eval_frequency"):
            self._min_eval_frequency = self._local_eval_frequency
            return self.train_and_evaluate()

    def _continuous_eval(self, input_fn, name, delay_secs, throttle_delay_secs,
                         evaluate_checkpoint_only_once=True,
                         continuous_eval_predicate_fn=None, export=True):
        """Evaluates each new checkpoint, at most once per throttle_delay_secs, while the
        predicate holds and until an evaluation sees global_step >= train_steps."""
        predicate_fn = _checked_predicate(continuous_eval_predicate_fn)
        if delay_secs is None:
            delay_secs = self._eval_delay_secs
        if throttle_delay_secs is None:
            throttle_delay_secs = self._continuous_eval_throttle_secs
        if delay_secs:
            logging.info("Waiting %f secs before starting eval.", delay_secs)
            time.sleep(delay_secs)
        previous_path = None
        eval_result = None
        last_warning_time = 0
        while predicate_fn is None or predicate_fn(
                eval_result, checkpoint_path=previous_path if eval_result else None):
            if self._has_training_stopped(eval_result):
                logging.info("Exiting continuous eval, global_step=%s >= train_step=%s",
                             eval_result[GraphKeys.GLOBAL_STEP], self._train_steps)
                return
            start = time.time()
            error_msg = None
            latest_path = checkpoint_management.latest_checkpoint(self._estimator.model_dir)
            if not latest_path:
                error_msg = ("Estimator is not fitted yet. Will start an evaluation when a "
                             "checkpoint is ready.")
            elif evaluate_checkpoint_only_once and latest_path == previous_path:
                error_msg = "No new checkpoint ready for evaluation."
            if error_msg:
                eval_result = {}
                if time.time() - last_warning_time > 600:  # a warning every 10 minutes
                    logging.warning(error_msg)
                    last_warning_time = time.time()
            else:
                eval_result = self._call_evaluate(
                    input_fn=input_fn, steps=self._eval_steps, metrics=self._eval_metrics,
                    name=name, checkpoint_path=latest_path, hooks=self._eval_hooks) or {}
                if export:
                    self._maybe_export(eval_result, checkpoint_path=latest_path)
                last_warning_time = 0
                previous_path = latest_path
            duration = time.time() - start
            if duration < throttle_delay_secs:
                logging.info("Waiting %f secs before starting next eval run.",
                             throttle_delay_secs - duration)
                time.sleep(throttle_delay_secs - duration)

    def _has_training_stopped(self, eval_result):
        if not eval_result:
            return False
        global_step = eval_result.get(GraphKeys.GLOBAL_STEP)
        return bool(global_step and self._train_steps and global_step >= self._train_steps)

    def continuous_eval(self, delay_secs=None, throttle_delay_secs=None,
                        evaluate_checkpoint_only_once=True, continuous_eval_predicate_fn=None,
                        name="continuous"):
        """Evaluates new checkpoints of model_dir on the eval input (see _continuous_eval)."""
        self._continuous_eval(
            self._eval_input_fn, name=name, delay_secs=delay_secs,
            throttle_delay_secs=throttle_delay_secs,
            evaluate_checkpoint_only_once=evaluate_checkpoint_only_once,
            continuous_eval_predicate_fn=continuous_eval_predicate_fn)

    def continuous_eval_on_train_data(self, delay_secs=None, throttle_delay_secs=None,
                                      continuous_eval_predicate_fn=None,
                                      name="continuous_on_train_data"):
        """continuous_eval on the train input, without exporting."""
        self._continuous_eval(
            self._train_input_fn, name=name, delay_secs=delay_secs,
            throttle_delay_secs=throttle_delay_secs,
            continuous_eval_predicate_fn=continuous_eval_predicate_fn, export=False)

    def train_and_evaluate(self):
        """Trains to train_steps, evaluating each new checkpoint every min_eval_frequency
        steps (a ValidationMonitor; 0: only at the end), then evaluates once more and exports.
        With checkpoint_and_export and a checkpoint interval, each saved checkpoint is
        evaluated and exported instead, and the last of those results is returned.
        Returns (eval_result, export_results)."""
        export_listener = None
        with _restored_attr(self, "_train_monitors"):
            self._train_monitors = list(self._train_monitors)
            config = self._estimator.config
            if self._checkpoint_and_export and (config.save_checkpoints_secs or
                                                config.save_checkpoints_steps):
                eval_fn = functools.partial(
                    self._call_evaluate, input_fn=self._eval_input_fn, steps=self._eval_steps,
                    metrics=self._eval_metrics, hooks=self._eval_hooks)
                export_listener = _EvalAndExportListener(eval_fn, self._maybe_export,
                                                         self._estimator.model_dir)
                self._train_monitors.append(hooks_lib.CheckpointSaverHook(
                    checkpoint_dir=self._estimator.model_dir,
                    save_secs=config.save_checkpoints_secs,
                    save_steps=config.save_checkpoints_steps, listeners=[export_listener]))
            elif self._min_eval_frequency:
                self._train_monitors.append(monitors_lib.ValidationMonitor(
                    input_fn=self._eval_input_fn, eval_steps=self._eval_steps,
                    metrics=self._eval_metrics, every_n_steps=self._min_eval_frequency,
                    check_interval_secs=self._check_interval_secs, name=None,
                    hooks=self._eval_hooks))
            self.train(delay_secs=0)
        if export_listener is not None:
            return export_listener.eval_result, export_listener.export_results
        eval_result = self._call_evaluate(input_fn=self._eval_input_fn, steps=self._eval_steps,
                                          metrics=self._eval_metrics, name=None,
                                          hooks=self._eval_hooks)
        return eval_result, self._maybe_export(eval_result)

    def continuous_train_and_eval(self, continuous_eval_predicate_fn=None):
        """Trains train_steps_per_iteration steps (default train_steps / 10, else 1000), then
        evaluates, in turns, while the predicate holds and until train_steps is reached.
        Returns (eval_result, export_results) of the last round."""
        predicate_fn = _checked_predicate(continuous_eval_predicate_fn)
        export_results = None
        latest_checkpoint = None
        eval_result = None
        steps_per_iteration = 1000
        if self._train_steps_per_iteration is not None:
            steps_per_iteration = self._train_steps_per_iteration
        elif self._train_steps is not None:
            steps_per_iteration = int(self._train_steps / 10)
        while predicate_fn is None or predicate_fn(
                eval_result, checkpoint_path=latest_checkpoint if eval_result else None):
            if self._has_training_stopped(eval_result):
                logging.info("Stop training model as max steps reached")
                break
            logging.info("Training model for %s steps", steps_per_iteration)
            self._call_train(input_fn=self._train_input_fn, steps=steps_per_iteration,
                             hooks=self._train_monitors,
                             saving_listeners=self._saving_listeners)
            logging.info("Evaluating model now.")
            latest_checkpoint = checkpoint_management.latest_checkpoint(
                self._estimator.model_dir)
            eval_result = self._call_evaluate(
                input_fn=self._eval_input_fn, steps=self._eval_steps,
                metrics=self._eval_metrics, name="one_pass",
                checkpoint_path=latest_checkpoint, hooks=self._eval_hooks)
            export_results = self._maybe_export(eval_result)
        return eval_result, export_results

    def test(self):
        """One training step, one evaluation step and the exports; returns the evaluation."""
        self._call_train(input_fn=self._train_input_fn, steps=1, hooks=self._train_monitors,
                         saving_listeners=self._saving_listeners)
        eval_result = self._call_evaluate(input_fn=self._eval_input_fn, steps=1,
                                          metrics=self._eval_metrics, name="one_pass")
        self._maybe_export(eval_result)
        return eval_result

    def run_std_server(self):
        """TF starts a gRPC server here for a cluster's parameter servers: not in tensorweave."""
        self._start_server()

    def _start_server(self):
        raise NotImplementedError(
            "Experiment.run_std_server / a cluster's tf.train.Server: distributed TensorFlow "
            f"over gRPC between processes is not implemented by tensorweave; {HOROVOD_PATH}")

    # --- the estimator's calls -------------------------------------------------------------
    def _maybe_export(self, eval_result, checkpoint_path=None):
        """Each export strategy's result, exporting under model_dir/export/<name> (a bytes
        path, as TF passes it)."""
        base = os.path.join(os.fsencode(self._estimator.model_dir), b"export")
        return [strategy.export(self._estimator, os.path.join(base, os.fsencode(strategy.name)),
                                checkpoint_path=checkpoint_path, eval_result=eval_result)
                for strategy in self._export_strategies]

    def _call_train(self, input_fn=None, steps=None, hooks=None, max_steps=None,
                    saving_listeners=None):
        hooks = monitors_lib.replace_monitors_with_hooks(hooks, self._estimator)
        if self._core_estimator_used:
            return self._estimator.train(input_fn=input_fn, steps=steps, max_steps=max_steps,
                                         hooks=hooks, saving_listeners=saving_listeners)
        return self._estimator.fit(input_fn=input_fn, steps=steps, max_steps=max_steps,
                                   monitors=hooks)

    def _call_evaluate(self, input_fn=None, steps=None, metrics=None, name=None,
                       checkpoint_path=None, hooks=None):
        if self._core_estimator_used:
            if metrics is not None:
                raise ValueError("`eval_metrics` must be `None` with `tf.estimator.Estimator`")
            return self._estimator.evaluate(input_fn=input_fn, steps=steps, name=name,
                                            checkpoint_path=checkpoint_path, hooks=hooks)
        return self._estimator.evaluate(input_fn=input_fn, steps=steps, metrics=metrics,
                                        name=name, checkpoint_path=checkpoint_path,
                                        hooks=hooks)
