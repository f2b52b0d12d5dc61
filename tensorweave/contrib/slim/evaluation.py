"""slim.evaluation: run metric update ops over a checkpoint num_evals times, then write the
summaries and return the final op's value; evaluation_loop does so for each new checkpoint.

    names_to_values, names_to_updates = slim.metrics.aggregate_metric_map({...})
    slim.evaluation.evaluate_once("", checkpoint_path, logdir, num_evals=10,
                                  eval_op=list(names_to_updates.values()),
                                  final_op=names_to_values)
"""
import time

from tensorweave import init_ops
from tensorweave.core import dtypes
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.platform import tf_logging as logging
from tensorweave.summary import summary_ops
from tensorweave.train import basic_session_run_hooks, checkpoint_utils, monitored_session
from tensorweave.train import saver as saver_lib
from tensorweave.train import training_util
from tensorweave.train.session_run_hook import SessionRunArgs, SessionRunHook
from tensorweave.variable_scope import get_variable

_USE_DEFAULT = 0

__all__ = ["evaluate_once", "evaluation_loop", "get_or_create_eval_step",
           "StopAfterNEvalsHook", "SummaryAtEndHook", "wait_for_new_checkpoint",
           "checkpoints_iterator"]

wait_for_new_checkpoint = checkpoint_utils.wait_for_new_checkpoint
checkpoints_iterator = checkpoint_utils.checkpoints_iterator


def get_or_create_eval_step():
    """The local int64 counter `eval_step` (collection EVAL_STEP) of evaluations run."""
    graph = get_default_graph()
    found = graph.get_collection(GraphKeys.EVAL_STEP)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise ValueError("Multiple tensors added to tf.GraphKeys.EVAL_STEP")
    with graph.name_scope(None), graph.control_dependencies(None):
        return get_variable("eval_step", shape=[], dtype=dtypes.int64,
                            initializer=init_ops.zeros_initializer(), trainable=False,
                            collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.EVAL_STEP])


class StopAfterNEvalsHook(SessionRunHook):
    """Requests a stop once the eval step reaches num_evals."""

    def __init__(self, num_evals, log_progress=True):
        self._num_evals = num_evals
        self._log_progress = log_progress
        self._evals_completed = None

    def set_evals_completed_tensor(self, tensor):
        self._evals_completed = tensor

    def before_run(self, run_context):
        return SessionRunArgs({"evals_completed": self._evals_completed})

    def after_run(self, run_context, run_values):
        done = run_values.results["evals_completed"]
        if self._log_progress:
            logging.info("Evaluation [%d/%d]", done, self._num_evals)
        if done >= self._num_evals:
            run_context.request_stop()


class SummaryAtEndHook(SessionRunHook):
    """Runs the summary op when the session ends and writes it at the global step."""

    def __init__(self, log_dir=None, summary_writer=None, summary_op=None, feed_dict=None):
        self._log_dir = log_dir
        self._summary_writer = summary_writer
        self._summary_op = summary_op
        self._feed_dict = feed_dict
        self._global_step = None

    def begin(self):
        if self._summary_op is None:
            self._summary_op = summary_ops.merge_all()
        self._global_step = training_util.get_or_create_global_step()

    def after_create_session(self, session, coord):
        if self._summary_writer is None and self._log_dir:
            from tensorweave.summary.writer import FileWriterCache
            self._summary_writer = FileWriterCache.get(self._log_dir)

    def end(self, session):
        step = training_util.global_step(session, self._global_step)
        summary = session.run(self._summary_op, self._feed_dict)
        if self._summary_writer:
            self._summary_writer.add_summary(summary, step)
            self._summary_writer.flush()


def _evaluate_once(checkpoint_path, master, scaffold, eval_ops, feed_dict, final_ops,
                   final_ops_feed_dict, hooks, config):
    eval_step = get_or_create_eval_step()
    hooks = list(hooks or [])
    if eval_ops is not None:
        update_eval_step = eval_step.assign_add(1, use_locking=True)
        if isinstance(eval_ops, dict):
            eval_ops = dict(eval_ops, update_eval_step=update_eval_step)
        elif isinstance(eval_ops, (tuple, list)):
            eval_ops = list(eval_ops) + [update_eval_step]
        else:
            eval_ops = [eval_ops, update_eval_step]
        for hook in hooks:
            if isinstance(hook, StopAfterNEvalsHook):
                hook.set_evals_completed_tensor(update_eval_step)
    logging.info("Starting evaluation at " + time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                           time.localtime()))
    creator = monitored_session.ChiefSessionCreator(
        scaffold=scaffold, checkpoint_filename_with_path=checkpoint_path, master=master,
        config=config)
    final_hook = basic_session_run_hooks.FinalOpsHook(final_ops, final_ops_feed_dict)
    hooks.append(final_hook)
    with monitored_session.MonitoredSession(session_creator=creator, hooks=hooks) as session:
        if eval_ops is not None:
            while not session.should_stop():
                session.run(eval_ops, feed_dict)
    logging.info("Finished evaluation at " + time.strftime("%Y-%m-%d-%H:%M:%S",
                                                           time.localtime()))
    return final_hook.final_ops_values


def evaluate_once(master, checkpoint_path, logdir, num_evals=1, initial_op=None,
                  initial_op_feed_dict=None, eval_op=None, eval_op_feed_dict=None,
                  final_op=None, final_op_feed_dict=None, summary_op=_USE_DEFAULT,
                  summary_op_feed_dict=None, variables_to_restore=None, session_config=None,
                  hooks=None):
    """Restores `checkpoint_path`, runs `eval_op` num_evals times, writes the summaries to
    `logdir` and returns the value of `final_op`."""
    if summary_op == _USE_DEFAULT:
        summary_op = summary_ops.merge_all()
    all_hooks = [StopAfterNEvalsHook(num_evals)]
    if summary_op is not None:
        all_hooks.append(SummaryAtEndHook(log_dir=logdir, summary_op=summary_op,
                                          feed_dict=summary_op_feed_dict))
    if hooks is not None:
        all_hooks.extend(hooks)
    saver = saver_lib.Saver(variables_to_restore) if variables_to_restore is not None else None
    scaffold = monitored_session.Scaffold(init_op=initial_op,
                                          init_feed_dict=initial_op_feed_dict, saver=saver)
    return _evaluate_once(checkpoint_path, master, scaffold, eval_op, eval_op_feed_dict,
                          final_op, final_op_feed_dict, all_hooks, session_config)


def evaluation_loop(master, checkpoint_dir, logdir, num_evals=1, initial_op=None,
                    initial_op_feed_dict=None, init_fn=None, eval_op=None,
                    eval_op_feed_dict=None, final_op=None, final_op_feed_dict=None,
                    summary_op=_USE_DEFAULT, summary_op_feed_dict=None,
                    variables_to_restore=None, eval_interval_secs=60,
                    max_number_of_evaluations=None, session_config=None, timeout=None,
                    timeout_fn=None, hooks=None):
    """evaluate_once for each new checkpoint of `checkpoint_dir` (at most
    max_number_of_evaluations, stopping after `timeout` seconds without one); returns the
    last final_op value."""
    if summary_op == _USE_DEFAULT:
        summary_op = summary_ops.merge_all()
    saver = saver_lib.Saver(variables_to_restore) if variables_to_restore is not None else None
    final_value = None
    evaluations = 0
    for checkpoint_path in checkpoints_iterator(checkpoint_dir, eval_interval_secs, timeout,
                                                timeout_fn):
        all_hooks = [StopAfterNEvalsHook(num_evals)]
        if summary_op is not None:
            all_hooks.append(SummaryAtEndHook(log_dir=logdir, summary_op=summary_op,
                                              feed_dict=summary_op_feed_dict))
        if hooks is not None:
            all_hooks.extend(hooks)
        scaffold = monitored_session.Scaffold(init_op=initial_op,
                                              init_feed_dict=initial_op_feed_dict,
                                              init_fn=init_fn, saver=saver)
        final_value = _evaluate_once(checkpoint_path, master, scaffold, eval_op,
                                     eval_op_feed_dict, final_op, final_op_feed_dict,
                                     all_hooks, session_config)
        evaluations += 1
        if max_number_of_evaluations is not None and evaluations >= max_number_of_evaluations:
            break
    return final_value
