"""Early stopping for Estimator training (TF 1.15's tf.estimator.experimental and
tf.contrib.estimator names): hooks that stop training when an evaluation metric crosses a
threshold or stops improving, read from the evaluation's event files.

    hook = stop_if_no_decrease_hook(estimator, "loss", max_steps_without_decrease=1000)
    estimator.train(input_fn, hooks=[hook])
"""
import collections
import glob
import operator
import os

from tensorweave.core import dtypes, errors
from tensorweave.core.graph import GraphKeys
from tensorweave.estimator import estimator as estimator_lib
from tensorweave.init_ops import constant_initializer
from tensorweave.platform import tf_logging as logging
from tensorweave.train import basic_session_run_hooks as hooks_lib
from tensorweave.train import training_util
from tensorweave.train.session_run_hook import SessionRunArgs, SessionRunHook
from tensorweave.variable_scope import AUTO_REUSE, get_variable, variable_scope

_EVENT_FILE_GLOB_PATTERN = "events.out.tfevents.*"


def make_early_stopping_hook(estimator, should_stop_fn, run_every_secs=60,
                             run_every_steps=None):
    """A hook that calls `should_stop_fn()` every run_every_secs seconds (or run_every_steps
    steps) and stops training when it returns True."""
    if not isinstance(estimator, estimator_lib.Estimator):
        raise TypeError(f"`estimator` must have type `tf.estimator.Estimator`. Got: "
                        f"{type(estimator)}")
    if run_every_secs is not None and run_every_steps is not None:
        raise ValueError("Only one of `run_every_secs` and `run_every_steps` must be set.")
    return StopOnPredicateHook(should_stop_fn, run_every_secs, run_every_steps)


def stop_if_higher_hook(estimator, metric_name, threshold, eval_dir=None, min_steps=0,
                        run_every_secs=60, run_every_steps=None):
    """Stops training once `metric_name` of an evaluation at step >= min_steps is above
    `threshold`."""
    return _stop_if_threshold_crossed_hook(estimator, metric_name, threshold, True, eval_dir,
                                           min_steps, run_every_secs, run_every_steps)


def stop_if_lower_hook(estimator, metric_name, threshold, eval_dir=None, min_steps=0,
                       run_every_secs=60, run_every_steps=None):
    """Stops training once `metric_name` of an evaluation at step >= min_steps is below
    `threshold`."""
    return _stop_if_threshold_crossed_hook(estimator, metric_name, threshold, False, eval_dir,
                                           min_steps, run_every_secs, run_every_steps)


def stop_if_no_increase_hook(estimator, metric_name, max_steps_without_increase,
                             eval_dir=None, min_steps=0, run_every_secs=60,
                             run_every_steps=None):
    """Stops training once `metric_name` has not increased for max_steps_without_increase
    global steps of evaluations."""
    return _stop_if_no_improvement_hook(estimator, metric_name, max_steps_without_increase,
                                        True, eval_dir, min_steps, run_every_secs,
                                        run_every_steps)


def stop_if_no_decrease_hook(estimator, metric_name, max_steps_without_decrease,
                             eval_dir=None, min_steps=0, run_every_secs=60,
                             run_every_steps=None):
    """Stops training once `metric_name` has not decreased for max_steps_without_decrease
    global steps of evaluations."""
    return _stop_if_no_improvement_hook(estimator, metric_name, max_steps_without_decrease,
                                        False, eval_dir, min_steps, run_every_secs,
                                        run_every_steps)


def read_eval_metrics(eval_dir):
    """{global step: {metric name: value}} of the scalar summaries in eval_dir's event files,
    ordered by step."""
    by_step = collections.defaultdict(dict)
    for event in _events(eval_dir):
        if not event.HasField("summary"):
            continue
        found = {value.tag: value.simple_value for value in event.summary.value
                 if value.HasField("simple_value")}
        if found:
            by_step[event.step].update(found)
    return collections.OrderedDict(sorted(by_step.items(), key=lambda item: item[0]))


def _events(eval_dir):
    from tensorweave.summary.summary_iterator import summary_iterator
    if not os.path.isdir(eval_dir):
        return
    for path in sorted(glob.glob(os.path.join(eval_dir, _EVENT_FILE_GLOB_PATTERN))):
        try:
            yield from summary_iterator(path)
        except errors.DataLossError as e:
            logging.warning("Skipping rest of the file due to encountering data corruption "
                            "error; file path: %s; original error raised by "
                            "`tf.train.summary_iterator`: %s", path, e)


def _stop_if_threshold_crossed_hook(estimator, metric_name, threshold, higher_is_better,
                                    eval_dir, min_steps, run_every_secs, run_every_steps):
    eval_dir = estimator.eval_dir() if eval_dir is None else eval_dir
    better = operator.gt if higher_is_better else operator.lt
    words = "greater than" if higher_is_better else "less than"

    def crossed():
        for step, found in read_eval_metrics(eval_dir).items():
            if step < min_steps:
                continue
            value = found[metric_name]
            if better(value, threshold):
                logging.info('At step %s, metric "%s" has value %s which is %s the configured '
                             'threshold (%s) for early stopping.', step, metric_name, value,
                             words, threshold)
                return True
        return False
    return make_early_stopping_hook(estimator, crossed, run_every_secs, run_every_steps)


def _stop_if_no_improvement_hook(estimator, metric_name, max_steps, higher_is_better,
                                 eval_dir, min_steps, run_every_secs, run_every_steps):
    eval_dir = estimator.eval_dir() if eval_dir is None else eval_dir
    better = operator.gt if higher_is_better else operator.lt
    words = "increase" if higher_is_better else "decrease"

    def stalled():
        best = best_step = None
        for step, found in read_eval_metrics(eval_dir).items():
            if step < min_steps:
                continue
            value = found[metric_name]
            if best is None or better(value, best):
                best, best_step = value, step
            if step - best_step >= max_steps:
                logging.info('No %s in metric "%s" for %s steps, which is greater than or '
                             'equal to max steps (%s) configured for early stopping.', words,
                             metric_name, step - best_step, max_steps)
                return True
        return False
    return make_early_stopping_hook(estimator, stalled, run_every_secs, run_every_steps)


def stop_variable():
    """The graph's boolean signal_early_stopping/STOP variable (created on first use)."""
    with variable_scope("signal_early_stopping", values=[], reuse=AUTO_REUSE):
        return get_variable("STOP", shape=[], dtype=dtypes.bool,
                            initializer=constant_initializer(False),
                            collections=[GraphKeys.GLOBAL_VARIABLES], trainable=False)


class StopOnPredicateHook(SessionRunHook):
    """Asks `should_stop_fn()` on the timer's schedule (by global step); when it says True,
    sets signal_early_stopping/STOP and requests the stop."""

    def __init__(self, should_stop_fn, run_every_secs=60, run_every_steps=None):
        if not callable(should_stop_fn):
            raise TypeError("`should_stop_fn` must be callable.")
        self._should_stop_fn = should_stop_fn
        self._timer = hooks_lib.SecondOrStepTimer(every_secs=run_every_secs,
                                                  every_steps=run_every_steps)
        self._global_step = None
        self._stop_op = None

    def begin(self):
        self._global_step = training_util.get_global_step()
        self._stop_op = stop_variable().assign(True)

    def before_run(self, run_context):
        return SessionRunArgs(self._global_step)

    def after_run(self, run_context, run_values):
        step = run_values.results
        if self._timer.should_trigger_for_step(step):
            self._timer.update_last_triggered_step(step)
            if self._should_stop_fn():
                logging.info("Requesting early stopping at global step %d", step)
                run_context.session.run(self._stop_op)
                run_context.request_stop()
