"""Sessions that initialize or restore themselves and run hooks (TF's MonitoredSession).

    with tf.train.MonitoredTrainingSession(checkpoint_dir=model_dir,
                                           hooks=[tf.train.StopAtStepHook(last_step=1000)]) as s:
        while not s.should_stop():
            s.run(train_op)

The `with` block ends quietly at OutOfRangeError (an exhausted input pipeline): hooks' end()
still runs, and should_stop() is True afterwards.
"""
import inspect

from tensorweave import variables
from tensorweave.core import errors
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.ops import control
from tensorweave.platform import tf_logging as logging
from tensorweave.runtime import trace
from tensorweave.train import queue_runner, session_manager
from tensorweave.train.basic_session_run_hooks import (CheckpointSaverHook, StepCounterHook,
                                                       SummarySaverHook)
from tensorweave.train.coordinator import Coordinator
from tensorweave.train.session_run_hook import (SessionRunArgs, SessionRunContext,
                                                SessionRunValues)

USE_DEFAULT = object()


def _default_saver():
    """The saver in the SAVERS collection, else a new sharded, allow-empty one put there."""
    from tensorweave.train.saver import Saver
    graph = get_default_graph()
    savers = graph.get_collection(GraphKeys.SAVERS)
    if len(savers) > 1:
        raise RuntimeError(f"More than one item in collection {GraphKeys.SAVERS}. Please "
                           f"indicate which one to use by passing it to the constructor.")
    if savers:
        return savers[0]
    saver = Saver(sharded=True, allow_empty=True)
    graph.add_to_collection(GraphKeys.SAVERS, saver)
    return saver


def _default_summary_op():
    if not get_default_graph().get_collection(GraphKeys.SUMMARIES):
        return None
    from tensorweave.summary import merge_all
    return merge_all()


class Scaffold:
    """The pieces a monitored session needs to create a model: init ops, readiness checks,
    the saver and the summary op. Missing pieces get TF's defaults in `finalize()`."""

    def __init__(self, init_op=None, init_feed_dict=None, init_fn=None, ready_op=None,
                 ready_for_local_init_op=None, local_init_op=None, summary_op=None,
                 saver=None, copy_from_scaffold=None):
        if copy_from_scaffold is not None:
            if not isinstance(copy_from_scaffold, Scaffold):
                raise TypeError("copy_from_scaffold is not a Scaffold instance.")
            pick = (lambda mine, theirs: theirs if mine is None else mine)
            init_op = pick(init_op, copy_from_scaffold.init_op)
            init_feed_dict = pick(init_feed_dict, copy_from_scaffold._init_feed_dict)
            init_fn = pick(init_fn, copy_from_scaffold._user_init_fn)
            ready_op = pick(ready_op, copy_from_scaffold.ready_op)
            ready_for_local_init_op = pick(ready_for_local_init_op,
                                           copy_from_scaffold.ready_for_local_init_op)
            local_init_op = pick(local_init_op, copy_from_scaffold.local_init_op)
            summary_op = pick(summary_op, copy_from_scaffold.summary_op)
            saver = pick(saver, copy_from_scaffold.saver)
        self._user_init_fn = init_fn
        self._init_fn = (lambda sess: init_fn(self, sess)) if init_fn else None
        self._init_op = init_op
        self._init_feed_dict = init_feed_dict
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._local_init_op = local_init_op
        self._summary_op = summary_op
        self._saver = saver

    @staticmethod
    def get_or_default(arg_name, collection_key, default_constructor):
        """The single op in `collection_key`, else `default_constructor()` added there."""
        graph = get_default_graph()
        elements = graph.get_collection(collection_key)
        if elements:
            if len(elements) > 1:
                raise RuntimeError(f"More than one item in the collection \"{collection_key}\". "
                                   f"Please indicate which one to use by passing it to the "
                                   f"tf.Scaffold constructor as:  "
                                   f"tf.Scaffold({arg_name}=item to use)")
            return elements[0]
        op = default_constructor()
        if op is not None:
            graph.add_to_collection(collection_key, op)
        return op

    @staticmethod
    def default_local_init_op():
        """Initializes the local variables (metrics, epoch counters) and the lookup tables."""
        return control.group(variables.local_variables_initializer(),
                             variables.tables_initializer())

    def finalize(self):
        """Creates the missing pieces and makes the graph read-only."""
        graph = get_default_graph()
        if self._init_op is None:
            self._init_op = Scaffold.get_or_default(
                "init_op", GraphKeys.INIT_OP,
                lambda: control.group(variables.global_variables_initializer()))
        if self._ready_op is None:
            self._ready_op = Scaffold.get_or_default(
                "ready_op", GraphKeys.READY_OP, variables.report_uninitialized_variables)
        if self._ready_for_local_init_op is None:
            self._ready_for_local_init_op = Scaffold.get_or_default(
                "ready_for_local_init_op", GraphKeys.READY_FOR_LOCAL_INIT_OP,
                lambda: variables.report_uninitialized_variables(variables.global_variables()))
        if self._local_init_op is None:
            self._local_init_op = Scaffold.get_or_default(
                "local_init_op", GraphKeys.LOCAL_INIT_OP, Scaffold.default_local_init_op)
        if self._summary_op is None:
            self._summary_op = Scaffold.get_or_default("summary_op", GraphKeys.SUMMARY_OP,
                                                       _default_summary_op)
        if self._saver is None:
            self._saver = _default_saver()
        self._saver.build()
        graph.finalize()
        logging.info("Graph was finalized.")
        return self

    init_fn = property(lambda self: self._init_fn)
    init_op = property(lambda self: self._init_op)
    ready_op = property(lambda self: self._ready_op)
    ready_for_local_init_op = property(lambda self: self._ready_for_local_init_op)
    local_init_op = property(lambda self: self._local_init_op)
    summary_op = property(lambda self: self._summary_op)
    saver = property(lambda self: self._saver)
    init_feed_dict = property(lambda self: self._init_feed_dict)


owned_checkpoints = session_manager.owned_checkpoints


class SessionCreator:
    """A factory of Sessions for MonitoredSession: `create_session()`."""

    def create_session(self):
        raise NotImplementedError("create_session is not implemented for "
                                  f"{type(self).__name__}.")


class ChiefSessionCreator(SessionCreator):
    """Creates a Session for the chief: restores the latest checkpoint of `checkpoint_dir` (or
    `checkpoint_filename_with_path`) if there is one, else runs the scaffold's init op and
    init_fn; then the local init op, and checks that every variable has a value."""

    def __init__(self, scaffold=None, master="", config=None, checkpoint_dir=None,
                 checkpoint_filename_with_path=None):
        if checkpoint_dir and checkpoint_filename_with_path:
            raise ValueError("Can not provide both checkpoint_dir and "
                             "checkpoint_filename_with_path.")
        self._checkpoint_dir = checkpoint_dir
        self._checkpoint_filename_with_path = checkpoint_filename_with_path
        self._scaffold = scaffold or Scaffold()
        self._master = master
        self._config = config

    def create_session(self):
        scaffold = self._scaffold.finalize()
        manager = session_manager.SessionManager(
            local_init_op=scaffold.local_init_op,
            ready_op=scaffold.ready_op,
            ready_for_local_init_op=scaffold.ready_for_local_init_op, graph=get_default_graph())
        return manager.prepare_session(
            self._master, saver=scaffold.saver, checkpoint_dir=self._checkpoint_dir,
            checkpoint_filename_with_path=self._checkpoint_filename_with_path,
            config=self._config, init_op=scaffold.init_op,
            init_feed_dict=scaffold.init_feed_dict, init_fn=scaffold.init_fn)


class WorkerSessionCreator(SessionCreator):
    """Creates a Session for a worker: waits (up to `max_wait_secs`) until the model is ready
    after the local init op. A Session here holds its own variables, so a model whose global
    variables only a chief initializes is never ready: the wait ends in DeadlineExceededError.
    """

    def __init__(self, scaffold=None, master="", config=None, max_wait_secs=30 * 60):
        self._scaffold = scaffold or Scaffold()
        self._master = master
        self._config = config
        self._max_wait_secs = max_wait_secs

    def create_session(self):
        scaffold = self._scaffold.finalize()
        manager = session_manager.SessionManager(
            local_init_op=scaffold.local_init_op,
            ready_op=scaffold.ready_op,
            ready_for_local_init_op=scaffold.ready_for_local_init_op, graph=get_default_graph())
        return manager.wait_for_session(self._master, config=self._config,
                                        max_wait_secs=self._max_wait_secs)


class StepContext:
    """What `run_step_fn`'s function gets: the raw session, a hooked run, and request_stop."""

    def __init__(self, monitored_session):
        self._monitored = monitored_session

    @property
    def session(self):
        return self._monitored._tf_sess

    def run_with_hooks(self, *args, **kwargs):
        return self._monitored.run(*args, **kwargs)

    def request_stop(self):
        self._monitored._stop_requested = True


def _merge_feeds(feeds, more, message):
    overlap = set(feeds) & set(more)
    if overlap:
        raise RuntimeError(f"{message} Conflict(s): {sorted(str(k) for k in overlap)}")
    merged = dict(feeds)
    merged.update(more)
    return merged


def _merge_run_options(options, more):
    """New RunOptions with each field the largest of `options` (may be None) and `more`."""
    merged = trace.RunOptions()
    for field in ("trace_level", "timeout_in_ms", "inter_op_thread_pool",
                  "output_partition_graphs", "report_tensor_allocations_upon_oom"):
        values = [getattr(o, field) for o in [options, *more] if o is not None
                  and hasattr(o, field)]
        if values and hasattr(merged, field):
            setattr(merged, field, max(values))
    return merged


class MonitoredSession:
    """A Session made by `session_creator` (default ChiefSessionCreator()) whose runs call
    `hooks`. Use it in a `with` block and loop `while not sess.should_stop()`."""

    def __init__(self, session_creator=None, hooks=None, stop_grace_period_secs=120):
        self._graph = get_default_graph()
        self._graph_was_finalized = self._graph.finalized
        self._hooks = list(hooks or [])
        self._stop_grace_period_secs = stop_grace_period_secs
        self._stop_requested = False
        for hook in self._hooks:
            hook.begin()
        creator = session_creator or ChiefSessionCreator()
        self._tf_sess = creator.create_session()
        self._coord = Coordinator(clean_stop_exception_types=[])
        if self._graph.get_collection(GraphKeys.QUEUE_RUNNERS):  # as TF: its queue runners run
            queue_runner.start_queue_runners(sess=self._tf_sess, coord=self._coord)
        for hook in self._hooks:
            hook.after_create_session(self._tf_sess, self._coord)

    @property
    def graph(self):
        return self._graph

    def _closed(self):
        return self._tf_sess is None

    def should_stop(self):
        """True once a hook asked to stop, the coordinator stopped, or the session closed."""
        return self._closed() or self._stop_requested or self._coord.should_stop()

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs `fetches` together with what the hooks ask for; returns the caller's values."""
        if self._closed():
            raise RuntimeError("Run called even after should_stop requested.")
        context = SessionRunContext(SessionRunArgs(fetches, feed_dict, options), self._tf_sess)
        all_fetches = {"caller": fetches}
        hook_feeds = {}
        hook_options = []
        for hook in self._hooks:
            request = hook.before_run(context)
            if request is None:
                continue
            if request.fetches is not None:
                all_fetches[hook] = request.fetches
            if request.feed_dict:
                hook_feeds = _merge_feeds(hook_feeds, request.feed_dict,
                                          "Same tensor is fed by two hooks.")
            if request.options is not None:
                hook_options.append(request.options)
        if hook_options:  # as TF: the largest trace level, timeout, ... asked for wins
            options = _merge_run_options(options, hook_options)
            if run_metadata is None:
                run_metadata = trace.RunMetadata()
        feeds = feed_dict
        if hook_feeds:
            feeds = _merge_feeds(feed_dict or {}, hook_feeds,
                                 "Same tensor is fed by a SessionRunHook and user.")
        outputs = self._tf_sess.run(all_fetches, feed_dict=feeds, options=options,
                                    run_metadata=run_metadata)
        for hook in self._hooks:
            hook.after_run(context, SessionRunValues(outputs.get(hook), options, run_metadata))
        self._stop_requested = self._stop_requested or context.stop_requested
        return outputs["caller"]

    def run_step_fn(self, step_fn):
        """Calls `step_fn(step_context)` and returns its result (TF's run_step_fn)."""
        names = [p for p in inspect.signature(step_fn).parameters]
        if names != ["step_context"]:
            raise ValueError(f"`step_fn` may either have one `step_context` argument, or "
                             f"`self` and `step_context` arguments if it's an instance "
                             f"method. Got {tuple(names)} instead.")
        return step_fn(StepContext(self))

    def close(self):
        self._close(None)

    def _close(self, exception_type):
        try:
            if exception_type is None:
                for hook in self._hooks:
                    hook.end(self._tf_sess)
        finally:
            try:
                if self._tf_sess is None:
                    raise RuntimeError("Session is already closed.")
                self._coord.request_stop()
                try:  # threads the hooks registered get stop_grace_period_secs to end
                    self._coord.join(stop_grace_period_secs=self._stop_grace_period_secs,
                                     ignore_live_threads=True)
                finally:
                    self._tf_sess.close()
            finally:
                self._tf_sess = None
                if not self._graph_was_finalized:
                    self._graph.unsafe_unfinalize()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception_value, traceback):
        if exception_type is not None and issubclass(exception_type,
                                                     (errors.OutOfRangeError, StopIteration)):
            exception_type = None
        if not self._closed():
            self._close(exception_type)
        return exception_type is None


class SingularMonitoredSession(MonitoredSession):
    """A MonitoredSession for one process, made from a scaffold; `raw_session()` gives the
    underlying Session."""

    def __init__(self, hooks=None, scaffold=None, master="", config=None, checkpoint_dir=None,
                 stop_grace_period_secs=120, checkpoint_filename_with_path=None):
        creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config,
                                      checkpoint_dir=checkpoint_dir,
                                      checkpoint_filename_with_path=checkpoint_filename_with_path)
        super().__init__(creator, hooks, stop_grace_period_secs)

    def raw_session(self):
        return self._tf_sess


def _resolve_pair(steps, secs, default_steps, default_secs):
    """TF's USE_DEFAULT rule for a (steps, secs) pair of saving intervals."""
    if steps is USE_DEFAULT and secs is USE_DEFAULT:
        return default_steps, default_secs
    return (None if steps is USE_DEFAULT else steps), (None if secs is USE_DEFAULT else secs)


def MonitoredTrainingSession(master="", is_chief=True, checkpoint_dir=None,  # noqa: N802
                             scaffold=None, hooks=None, chief_only_hooks=None,
                             save_checkpoint_secs=USE_DEFAULT, save_summaries_steps=USE_DEFAULT,
                             save_summaries_secs=USE_DEFAULT, config=None,
                             stop_grace_period_secs=120, log_step_count_steps=100,
                             max_wait_secs=7200, save_checkpoint_steps=USE_DEFAULT,
                             summary_dir=None):
    """A MonitoredSession for training. The chief restores from `checkpoint_dir` (or
    initializes) and adds TF's hooks for steps/sec (every `log_step_count_steps`), summaries
    (default every 100 steps, in `summary_dir`, default `checkpoint_dir`) and checkpoints
    (default every 600 seconds) to `chief_only_hooks` and `hooks`. A worker (is_chief=False)
    runs only `hooks` and waits up to `max_wait_secs` for a ready model (see
    WorkerSessionCreator)."""
    scaffold = scaffold or Scaffold()
    if not is_chief:
        creator = WorkerSessionCreator(scaffold=scaffold, master=master, config=config,
                                       max_wait_secs=max_wait_secs)
        return MonitoredSession(session_creator=creator, hooks=hooks or [],
                                stop_grace_period_secs=stop_grace_period_secs)
    summary_steps, summary_secs = _resolve_pair(save_summaries_steps, save_summaries_secs,
                                                100, None)
    checkpoint_steps, checkpoint_secs = _resolve_pair(save_checkpoint_steps,
                                                      save_checkpoint_secs, None, 600)
    all_hooks = list(chief_only_hooks or [])
    summary_dir = summary_dir or checkpoint_dir
    if summary_dir:
        if log_step_count_steps and log_step_count_steps > 0:
            all_hooks.append(StepCounterHook(output_dir=summary_dir,
                                             every_n_steps=log_step_count_steps))
        if (summary_steps and summary_steps > 0) or (summary_secs and summary_secs > 0):
            all_hooks.append(SummarySaverHook(scaffold=scaffold, save_steps=summary_steps,
                                              save_secs=summary_secs, output_dir=summary_dir))
    if checkpoint_dir and ((checkpoint_secs and checkpoint_secs > 0)
                           or (checkpoint_steps and checkpoint_steps > 0)):
        all_hooks.append(CheckpointSaverHook(checkpoint_dir, save_steps=checkpoint_steps,
                                             save_secs=checkpoint_secs, scaffold=scaffold))
    all_hooks.extend(hooks or [])
    creator = ChiefSessionCreator(scaffold=scaffold, checkpoint_dir=checkpoint_dir,
                                  master=master, config=config)
    return MonitoredSession(session_creator=creator, hooks=all_hooks,
                            stop_grace_period_secs=stop_grace_period_secs)
