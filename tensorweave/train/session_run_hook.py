"""Hooks into MonitoredSession.run (TF's tf.train.SessionRunHook and its argument types).

    class CountHook(tf.train.SessionRunHook):
        def before_run(self, run_context):
            return tf.train.SessionRunArgs(loss)        # fetched in the same run
        def after_run(self, run_context, run_values):
            if run_values.results < 0.01:
                run_context.request_stop()
"""
import collections


class SessionRunHook:
    """Extends MonitoredSession.run; every method is optional. Call order:

    begin() (graph still editable) -> after_create_session(session, coord) -> per run:
    before_run(run_context) -> the run -> after_run(run_context, run_values) -> end(session).
    """

    def begin(self):
        """Called once before the graph is finalized; hooks may add ops here."""

    def after_create_session(self, session, coord):
        """Called once the session is created and initialized (or restored)."""

    def before_run(self, run_context):
        """Returns None or SessionRunArgs to add fetches, feeds or options to this run."""
        return None

    def after_run(self, run_context, run_values):
        """Receives the values of what before_run asked for (SessionRunValues)."""

    def end(self, session):
        """Called when the monitored session closes without an error (or at OutOfRange)."""


class SessionRunArgs(collections.namedtuple("SessionRunArgs",
                                            ["fetches", "feed_dict", "options"])):
    """What a hook adds to a run: `fetches` (any nesting), `feed_dict`, `options`."""

    def __new__(cls, fetches, feed_dict=None, options=None):
        return super().__new__(cls, fetches, feed_dict, options)


class SessionRunValues(collections.namedtuple("SessionRunValues",
                                              ["results", "options", "run_metadata"])):
    """The run's values for the hook: `results` mirrors the SessionRunArgs fetches."""


class SessionRunContext:
    """What a hook sees of the run in progress: the caller's args and the session, and a way
    to ask the monitored session to stop after this run."""

    def __init__(self, original_args, session):
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self):
        """The SessionRunArgs of the caller's own run (fetches, feed_dict, options)."""
        return self._original_args

    @property
    def session(self):
        """The raw Session, for extra runs a hook needs (they do not trigger hooks)."""
        return self._session

    @property
    def stop_requested(self):
        return self._stop_requested

    def request_stop(self):
        """Makes `should_stop()` of the monitored session true after this run."""
        self._stop_requested = True
