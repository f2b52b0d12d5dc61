"""InMemoryEvaluatorHook and make_stop_at_checkpoint_step_hook (TF 1.15's
tf.estimator.experimental and tf.contrib.estimator names).

    evaluator = InMemoryEvaluatorHook(estimator, eval_input_fn, every_n_iter=100)
    estimator.train(train_input_fn, hooks=[evaluator])
"""
import os

from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.ops import array, control
from tensorweave.train import basic_session_run_hooks as hooks_lib
from tensorweave.train.session_run_hook import SessionRunHook


class InMemoryEvaluatorHook(SessionRunHook):
    """Evaluates `estimator` on input_fn's data while it trains, without a checkpoint: the
    training session's variable values are copied into the evaluation graph (by name) when
    the session starts, every `every_n_iter` training runs and at the end. Results go to
    model_dir/eval[_name], as Estimator.evaluate writes them."""

    def __init__(self, estimator, input_fn, steps=None, hooks=None, name=None,
                 every_n_iter=100):
        if every_n_iter is None or every_n_iter <= 0:
            raise ValueError(f"invalid every_n_iter={every_n_iter}.")
        config = estimator.config
        if config.num_ps_replicas > 0 or config.num_worker_replicas > 1:
            raise ValueError("InMemoryEvaluator supports only single machine (aka Local) "
                             "setting.")
        self._estimator = estimator
        self._input_fn = input_fn
        self._steps = steps
        self._hooks = list(hooks or [])
        for hook in self._hooks:
            if not isinstance(hook, SessionRunHook):
                raise TypeError("Hooks must be a SessionRunHook")
        self._eval_dir = os.path.join(estimator.model_dir,
                                      "eval" if not name else "eval_" + name)
        self._timer = hooks_lib.SecondOrStepTimer(every_steps=every_n_iter)
        self._evaluation = None

    def begin(self):
        """Builds the evaluation graph and a placeholder per global variable."""
        self._timer.reset()
        self._iter_count = 0
        self._evaluation = self._estimator.evaluation_graph(self._input_fn, self._steps,
                                                            self._hooks)
        scaffold = self._evaluation.scaffold
        if scaffold.saver is not None:
            raise ValueError("InMemoryEvaluator does not support custom saver")
        if scaffold.init_fn is not None:
            raise ValueError("InMemoryEvaluator does not support custom init_fn")
        with self._evaluation.graph.as_default():
            self._eval_vars = {v.name: v for v in
                               self._evaluation.graph.get_collection(GraphKeys.GLOBAL_VARIABLES)}
            self._placeholders = {name: array.placeholder(v.dtype.base_dtype)
                                  for name, v in self._eval_vars.items()}

    def after_create_session(self, session, coord):
        """Matches the variables by name and evaluates the model before training."""
        train_graph = get_default_graph()
        if train_graph.get_collection(GraphKeys.SAVEABLE_OBJECTS):
            raise ValueError("InMemoryEvaluator does not support saveables other than global "
                             "variables.")
        train_vars = {v.name: v for v in train_graph.get_collection(GraphKeys.GLOBAL_VARIABLES)}
        shared = sorted(set(self._placeholders) & set(train_vars))
        self._train_vars = {name: train_vars[name] for name in shared}
        with self._evaluation.graph.as_default():
            self._feed_op = control.group(*[
                self._eval_vars[name].assign(self._placeholders[name], read_value=False)
                for name in shared])
        self._evaluate(session)

    def _evaluate(self, train_session):
        values = train_session.run(self._train_vars)
        feed = {self._placeholders[name]: value for name, value in values.items()}

        def copy_variables(scaffold, session):
            session.run(self._feed_op, feed_dict=feed)
        self._evaluation.run(self._eval_dir, init_fn=copy_variables)
        self._timer.update_last_triggered_step(self._iter_count)

    def after_run(self, run_context, run_values):
        self._iter_count += 1
        if self._timer.should_trigger_for_step(self._iter_count):
            self._evaluate(run_context.session)

    def end(self, session):
        """Evaluates the final model."""
        self._evaluate(session)


def make_stop_at_checkpoint_step_hook(estimator, last_step, wait_after_file_check_secs=30):
    """A hook stopping training at global step `last_step` (on one machine, the chief's
    StopAtStepHook)."""
    return hooks_lib.StopAtStepHook(last_step=last_step)
