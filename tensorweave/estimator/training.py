"""train_and_evaluate: trains an Estimator and evaluates each new checkpoint (local mode).

    train_spec = tf.estimator.TrainSpec(input_fn=train_input_fn, max_steps=1000)
    eval_spec = tf.estimator.EvalSpec(input_fn=eval_input_fn, steps=None)
    metrics, _ = tf.estimator.train_and_evaluate(estimator, train_spec, eval_spec)
"""
import collections

from tensorweave.estimator.estimator import Estimator
from tensorweave.estimator.model_fn import check_hooks
from tensorweave.platform import tf_logging as logging
from tensorweave.train.basic_session_run_hooks import CheckpointSaverListener, SecondOrStepTimer


def _validate_exporters(exporters):
    """`exporters` (None, an Exporter or an iterable of them) as a tuple of uniquely named
    Exporters."""
    from tensorweave.estimator.exporter import Exporter
    if exporters is None:
        return ()
    if isinstance(exporters, Exporter):
        exporters = [exporters]
    try:
        exporters = tuple(exporters)
    except TypeError:
        raise TypeError(f"`exporters` must be an Exporter, an iterable of Exporter, or None, "
                        f"found {exporters}.") from None
    names = set()
    for exporter in exporters:
        if not isinstance(exporter, Exporter):
            raise TypeError(f"`exporters` must be an Exporter, an iterable of Exporter, or "
                            f"None, found {exporters}.")
        if not exporter.name or not isinstance(exporter.name, str):
            raise ValueError(f"An Exporter must have a non-empty string name, found "
                             f"{exporter.name!r}.")
        if exporter.name in names:
            raise ValueError(f"`exporters` must have unique names. Such a name cannot be "
                             f"`None`. {exporter.name} has been used more than once.")
        names.add(exporter.name)
    return exporters


def _check_input_fn(input_fn):
    if not callable(input_fn):
        raise TypeError(f"`input_fn` must be callable, given: {input_fn}")


class TrainSpec(collections.namedtuple("TrainSpec", ["input_fn", "max_steps", "hooks"])):
    """The training half of train_and_evaluate: input_fn, max_steps (None: until the input
    ends) and hooks."""

    def __new__(cls, input_fn, max_steps=None, hooks=None):
        _check_input_fn(input_fn)
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        return super().__new__(cls, input_fn, max_steps, check_hooks(hooks))


class EvalSpec(collections.namedtuple("EvalSpec", ["input_fn", "steps", "name", "hooks",
                                                   "exporters", "start_delay_secs",
                                                   "throttle_secs"])):
    """The evaluation half: input_fn, steps per evaluation (None: until the input ends), name,
    hooks, exporters (tf.estimator.Exporter: SavedModels after each evaluation) and
    throttle_secs (the least time between two evaluations)."""

    def __new__(cls, input_fn, steps=100, name=None, hooks=None, exporters=None,
                start_delay_secs=120, throttle_secs=600):
        _check_input_fn(input_fn)
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be string, given: {name}")
        exporters = _validate_exporters(exporters)
        if start_delay_secs < 0:
            raise ValueError(f"Must specify start_delay_secs >= 0, given: {start_delay_secs}")
        if throttle_secs < 0:
            raise ValueError(f"Must specify throttle_secs >= 0, given: {throttle_secs}")
        return super().__new__(cls, input_fn, steps, name, check_hooks(hooks), exporters,
                               start_delay_secs, throttle_secs)


class _EvaluateOnCheckpoint(CheckpointSaverListener):
    """Evaluates after each checkpoint save (at most once per `throttle_secs`), and at the
    end of training if the last checkpoint was not evaluated."""

    def __init__(self, estimator, eval_spec, max_steps):
        self._estimator = estimator
        self._eval_spec = eval_spec
        self._max_steps = max_steps
        self._last_evaluated = None
        self.eval_result = None
        self.export_results = []

    def begin(self):
        self._timer = SecondOrStepTimer(every_secs=self._eval_spec.throttle_secs)
        self._is_first_run = True

    def after_save(self, session, global_step_value):
        if self._is_first_run:  # the checkpoint of the untrained model
            self._is_first_run = False
            return False
        if self._timer.should_trigger_for_step(global_step_value):
            self._evaluate(global_step_value)
        else:
            logging.info("Skip the current checkpoint eval due to throttle secs (%s secs).",
                         self._eval_spec.throttle_secs)
        return False

    def end(self, session, global_step_value):
        if global_step_value != self._timer.last_triggered_step():
            self._evaluate(global_step_value)

    def _evaluate(self, global_step_value):
        self._timer.update_last_triggered_step(global_step_value)
        path = self._estimator.latest_checkpoint()
        if path is None:
            raise RuntimeError("There was no new checkpoint after the training. Eval status: "
                               "missing checkpoint")
        if path == self._last_evaluated:
            logging.info("Skipping evaluation due to same checkpoint %s for global step %s.",
                         path, global_step_value)
            return
        self.eval_result = self._estimator.evaluate(
            self._eval_spec.input_fn, steps=self._eval_spec.steps, name=self._eval_spec.name,
            checkpoint_path=path, hooks=self._eval_spec.hooks)
        self._last_evaluated = path
        self.export_results = self._export(path)

    def _export(self, checkpoint_path):
        """Each exporter's export of this evaluation, under model_dir/export/<name>; the
        final export is the one at max_steps (TF's rule: none without max_steps)."""
        import os
        from tensorweave.core.graph import GraphKeys
        step = self.eval_result[GraphKeys.GLOBAL_STEP]
        final = bool(self._max_steps) and step >= self._max_steps
        results = []
        for exporter in self._eval_spec.exporters:
            export_path = os.path.join(self._estimator.model_dir, "export", exporter.name)
            results.append(exporter.export(self._estimator, export_path, checkpoint_path,
                                           self.eval_result, final))
        return results


def train_and_evaluate(estimator, train_spec, eval_spec):
    """Trains `estimator` per `train_spec`, evaluating per `eval_spec` after checkpoints and at
    the end, running eval_spec's exporters after each evaluation; returns (the last
    evaluation's metrics, the exporters' results of it)."""
    if not isinstance(estimator, Estimator):
        raise TypeError(f"`estimator` must have type `tf.estimator.Estimator`. Got: "
                        f"{type(estimator)}")
    if not isinstance(train_spec, TrainSpec):
        raise TypeError(f"`train_spec` must have type `tf.estimator.TrainSpec`. Got: "
                        f"{type(train_spec)}")
    if not isinstance(eval_spec, EvalSpec):
        raise TypeError(f"`eval_spec` must have type `tf.estimator.EvalSpec`. Got: "
                        f"{type(eval_spec)}")
    config = estimator.config
    logging.info("Running training and evaluation locally (non-distributed).")
    logging.info("Start train and evaluate loop. The evaluate will happen after every "
                 "checkpoint. Checkpoint frequency is determined based on RunConfig arguments: "
                 "save_checkpoints_steps %s or save_checkpoints_secs %s.",
                 config.save_checkpoints_steps, config.save_checkpoints_secs)
    listener = _EvaluateOnCheckpoint(estimator, eval_spec, train_spec.max_steps)
    estimator.train(train_spec.input_fn, hooks=list(train_spec.hooks),
                    max_steps=train_spec.max_steps, saving_listeners=[listener])
    return listener.eval_result, listener.export_results
