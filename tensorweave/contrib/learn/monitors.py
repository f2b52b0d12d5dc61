"""tf.contrib.learn.monitors: ValidationMonitor (evaluation on held-out x/y or input_fn every
N steps, with early stopping) as a SessionRunHook, as TF 1.x's.

    val = tf.contrib.learn.monitors.ValidationMonitor(x_val, y_val, every_n_steps=50,
                                                      early_stopping_rounds=200)
    classifier.fit(x, y, steps=2000, monitors=[val])

As in TF, it looks at steps every_n_steps, 2 * every_n_steps, ... and, at most once per
check_interval_secs (5), evaluates the newest checkpoint if it is new (so the estimator should
save often: RunConfig(save_checkpoints_secs=1)); evaluate gets its `metrics` (MetricSpecs). It
asks training to stop once `early_stopping_metric` has not improved for
`early_stopping_rounds` steps.
"""
import time

from tensorweave.estimator import estimator as core_estimator
from tensorweave.platform import tf_logging as logging
from tensorweave.train.session_run_hook import SessionRunArgs, SessionRunHook
from tensorweave.train import training_util

__all__ = ["ValidationMonitor", "replace_monitors_with_hooks"]


def replace_monitors_with_hooks(monitors_or_hooks, estimator):
    """The monitors and hooks as SessionRunHooks, each monitor bound to `estimator` (this
    module's monitors are hooks already; TF wraps its older ones)."""
    hooks = list(monitors_or_hooks or [])
    for hook in hooks:
        if hasattr(hook, "set_estimator"):
            hook.set_estimator(estimator)
    return hooks


class ValidationMonitor(SessionRunHook):
    """Evaluates every `every_n_steps` steps; stops early when the metric stalls."""

    def __init__(self, x=None, y=None, input_fn=None, batch_size=None, eval_steps=None,
                 every_n_steps=100, metrics=None, hooks=None, early_stopping_rounds=None,
                 early_stopping_metric="loss", early_stopping_metric_minimize=True, name=None,
                 check_interval_secs=5):
        if x is None and input_fn is None:
            raise ValueError("Either x or input_fn should be provided.")
        self.x, self.y, self.input_fn = x, y, input_fn
        self.batch_size, self.eval_steps = batch_size, eval_steps
        self.every_n_steps = every_n_steps
        self.metrics = metrics
        self.hooks = hooks
        self.early_stopping_rounds = early_stopping_rounds
        self.early_stopping_metric = early_stopping_metric
        self.early_stopping_metric_minimize = early_stopping_metric_minimize
        self.name = name
        self._estimator = None
        self._best_value_step = None
        self._best_value = None
        self._best_metrics = None
        self._early_stopped = False
        self._latest_path = None
        self._latest_path_step = None
        self._last_active_step = 0
        self._check_interval_secs = check_interval_secs
        self._last_check_time = None
        self._global_step = None

    early_stopped = property(lambda self: self._early_stopped)
    best_step = property(lambda self: self._best_value_step)
    best_value = property(lambda self: self._best_value)
    best_metrics = property(lambda self: self._best_metrics)

    def set_estimator(self, estimator):
        """The estimator whose checkpoints are evaluated (fit sets it)."""
        self._estimator = estimator

    def begin(self):
        self._global_step = training_util.get_global_step()

    def before_run(self, run_context):
        return SessionRunArgs(self._global_step)

    def after_run(self, run_context, run_values):
        # the global step after this run: TF 1.x's monitor adapter counts the step just run
        # as the previous run's global step + 1
        step = int(run_values.results)
        if step < self.every_n_steps + self._last_active_step:  # TF's EveryN cadence
            return
        self._last_active_step = step
        if self._evaluate(step):
            run_context.request_stop()

    def _evaluate_estimator(self):
        """The estimator's evaluate: a core tf.estimator.Estimator takes input_fn only."""
        from tensorweave.contrib.learn import estimators as contrib_estimators
        if isinstance(self._estimator, core_estimator.Estimator) and \
                not isinstance(self._estimator, contrib_estimators.Estimator):
            if any(v is not None for v in (self.x, self.y, self.batch_size, self.metrics)):
                raise ValueError("tf.estimator.Estimator does not support following "
                                 "argument: x, y, batch_size, metrics")
            return self._estimator.evaluate(input_fn=self.input_fn, steps=self.eval_steps,
                                            hooks=self.hooks, name=self.name)
        return self._estimator.evaluate(x=self.x, y=self.y, input_fn=self.input_fn,
                                        batch_size=self.batch_size, steps=self.eval_steps,
                                        metrics=self.metrics, hooks=self.hooks, name=self.name)

    def _evaluate(self, step):
        """Evaluates a new checkpoint; True when training should stop."""
        if self._estimator is None:
            raise ValueError("Missing call to set_estimator.")
        now = time.time()
        if self._check_interval_secs is not None and self._last_check_time is not None \
                and now - self._last_check_time <= self._check_interval_secs:
            logging.debug("Skipping evaluation since less than %d seconds have passed since "
                          "last check for a new checkpoint.", self._check_interval_secs)
            return False
        self._last_check_time = now
        latest = self._estimator.latest_checkpoint()
        if latest is None:
            logging.debug("Skipping evaluation since model has not been saved yet at step "
                          "%d.", step)
            return False
        if latest == self._latest_path:
            logging.debug("Skipping evaluation due to same checkpoint %s for step %d as for "
                          "step %s.", latest, step, self._latest_path_step)
            return False
        self._latest_path, self._latest_path_step = latest, step
        outputs = self._evaluate_estimator()
        logging.info("Validation (step %d): %s", step,
                     ", ".join("%s = %s" % kv for kv in sorted(outputs.items())))
        if self.early_stopping_rounds is None:
            return False
        if self.early_stopping_metric not in outputs:
            raise ValueError("Metric %s missing from outputs %s." %
                             (self.early_stopping_metric, set(outputs.keys())))
        value = outputs[self.early_stopping_metric]
        if (self._best_value is None
                or (self.early_stopping_metric_minimize and value < self._best_value)
                or (not self.early_stopping_metric_minimize and value > self._best_value)):
            self._best_value, self._best_value_step = value, step
            self._best_metrics = dict(outputs)
        if step - self._best_value_step >= self.early_stopping_rounds:
            logging.info("Stopping. Best step: %s with %s = %s.", self._best_value_step,
                         self.early_stopping_metric, self._best_value)
            self._early_stopped = True
            return True
        return False
