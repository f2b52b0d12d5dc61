"""SessionManager: creates a Session and makes its model ready, from a checkpoint or by
initializing it (TF's session_manager).

    sm = tf.train.SessionManager()
    sess = sm.prepare_session("", init_op=init_op, saver=saver, checkpoint_dir=train_dir)

A Session here holds its own variable values, so `wait_for_session` returns once the local
init op (or nothing at all) makes the model ready in a new Session; a model that only another
process could initialize is never ready, and the wait ends in DeadlineExceededError.
"""
import time

from tensorweave.core import errors
from tensorweave.core.graph import get_default_graph
from tensorweave.lib import paths as paths_lib
from tensorweave.platform import tf_logging as logging
from tensorweave.runtime.session import Session
from tensorweave.train import checkpoint_management


def owned_checkpoints(paths, checkpoint_dir):
    """The `paths` (from a state file) inside `checkpoint_dir`: only those may the Saver later
    delete under `max_to_keep`; a state file naming files elsewhere is data, not an order."""
    owned = [p for p in paths if paths_lib.is_within(p, checkpoint_dir)]
    for path in paths:
        if path not in owned:
            logging.warning("Checkpoint %s is outside %s: it is never deleted by this run",
                            path, checkpoint_dir)
    return owned


def name_of(obj):
    """`obj.name`, 'None', or a placeholder naming its type (for messages)."""
    if obj is None:
        return "None"
    return getattr(obj, "name", f"<no name for {type(obj)}>")


def ready_message(op, sess):
    """None when `op` (a report of uninitialized variables) reports nothing, else a message
    naming the variables without values."""
    if op is None:
        return None
    try:
        value = sess.run(op)
    except errors.FailedPreconditionError as e:
        if "uninitialized" not in str(e):
            raise
        return str(e)
    if value is None or getattr(value, "size", 1) == 0 or str(
            getattr(value, "dtype", "")) == "int32":
        return None
    names = [n.decode("utf-8") if isinstance(n, bytes) else str(n) for n in value.ravel()]
    return "Variables not initialized: " + ", ".join(names)


class SessionManager:
    """Makes Sessions whose models are ready: `prepare_session` (the chief: restore or
    initialize), `recover_session` (restore only) and `wait_for_session` (wait until ready)."""

    def __init__(self, local_init_op=None, ready_op=None, ready_for_local_init_op=None,
                 graph=None, recovery_wait_secs=30, local_init_run_options=None,
                 local_init_feed_dict=None):
        if ready_for_local_init_op is not None and local_init_op is None:
            raise ValueError(f"If you pass a ready_for_local_init_op you must also pass a "
                             f"local_init_op , ready_for_local_init_op "
                             f"[{ready_for_local_init_op}]")
        self._local_init_op = local_init_op
        self._ready_op = ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._graph = graph if graph is not None else get_default_graph()
        self._recovery_wait_secs = recovery_wait_secs
        self._local_init_run_options = local_init_run_options
        self._local_init_feed_dict = local_init_feed_dict
        self._target = None

    def _restore_checkpoint(self, master, saver=None, checkpoint_dir=None,
                            checkpoint_filename_with_path=None, wait_for_checkpoint=False,
                            max_wait_secs=7200, config=None):
        """(new Session, whether a checkpoint was restored into it)."""
        self._target = master
        if checkpoint_dir and checkpoint_filename_with_path:
            raise ValueError("Can not provide both checkpoint_dir and "
                             "checkpoint_filename_with_path.")
        sess = Session(master, graph=self._graph, config=config)
        if not saver or not (checkpoint_dir or checkpoint_filename_with_path):
            return sess, False
        if checkpoint_filename_with_path:
            saver.restore(sess, checkpoint_filename_with_path)
            return sess, True
        waited = 0
        state = checkpoint_management.get_checkpoint_state(checkpoint_dir)
        while not state or not state.model_checkpoint_path:
            if not (wait_for_checkpoint and waited < max_wait_secs):
                return sess, False
            logging.info("Waiting for checkpoint to be available.")
            time.sleep(self._recovery_wait_secs)
            waited += self._recovery_wait_secs
            state = checkpoint_management.get_checkpoint_state(checkpoint_dir)
        saver.restore(sess, state.model_checkpoint_path)
        saver.recover_last_checkpoints(
            owned_checkpoints(list(state.all_model_checkpoint_paths), checkpoint_dir))
        return sess, True

    def prepare_session(self, master, init_op=None, saver=None, checkpoint_dir=None,
                        checkpoint_filename_with_path=None, wait_for_checkpoint=False,
                        max_wait_secs=7200, config=None, init_feed_dict=None, init_fn=None):
        """A Session restored from the latest checkpoint, else initialized by `init_op` and
        `init_fn(sess)`; then the local init op runs. RuntimeError if the model is not ready."""
        sess, restored = self._restore_checkpoint(
            master, saver, checkpoint_dir=checkpoint_dir,
            checkpoint_filename_with_path=checkpoint_filename_with_path,
            wait_for_checkpoint=wait_for_checkpoint, max_wait_secs=max_wait_secs,
            config=config)
        if not restored:
            if init_op is None and not init_fn and self._local_init_op is None:
                raise RuntimeError("Model is not initialized and no init_op or init_fn or "
                                   "local_init_op was given")
            if init_op is not None:
                sess.run(init_op, feed_dict=init_feed_dict)
            if init_fn:
                init_fn(sess)
        message = self._try_run_local_init_op(sess)
        if message is not None:
            raise RuntimeError(f"Init operations did not make model ready for local_init.  "
                               f"Init op: {name_of(init_op)}, init fn: {init_fn}, error: "
                               f"{message}")
        message = ready_message(self._ready_op, sess)
        if message is not None:
            raise RuntimeError(f"Init operations did not make model ready.  Init op: "
                               f"{name_of(init_op)}, init fn: {init_fn}, local_init_op: "
                               f"{self._local_init_op}, error: {message}")
        return sess

    def recover_session(self, master, saver=None, checkpoint_dir=None,
                        checkpoint_filename_with_path=None, wait_for_checkpoint=False,
                        max_wait_secs=7200, config=None):
        """(Session, True) when a checkpoint restored a ready model, else (Session, False)."""
        sess, restored = self._restore_checkpoint(
            master, saver, checkpoint_dir=checkpoint_dir,
            checkpoint_filename_with_path=checkpoint_filename_with_path,
            wait_for_checkpoint=wait_for_checkpoint, max_wait_secs=max_wait_secs,
            config=config)
        local_message = self._try_run_local_init_op(sess)
        if not restored:
            return sess, False
        source = checkpoint_dir or checkpoint_filename_with_path
        if local_message is not None:
            logging.info("Restoring model from %s did not make model ready for local init: %s",
                         source, local_message)
            return sess, False
        message = ready_message(self._ready_op, sess)
        if message is not None:
            logging.info("Restoring model from %s did not make model ready: %s", source,
                         message)
            return sess, False
        logging.info("Restored model from %s", source)
        return sess, True

    def wait_for_session(self, master, config=None, max_wait_secs=float("Inf")):
        """A new Session once the model is ready in it (after the local init op); tries every
        recovery_wait_secs and raises DeadlineExceededError after `max_wait_secs`."""
        self._target = master
        if max_wait_secs is None:
            max_wait_secs = float("Inf")
        start = time.time()
        while True:
            sess = Session(master, graph=self._graph, config=config)
            local_message = self._try_run_local_init_op(sess)
            message = None
            if local_message is None:
                message = ready_message(self._ready_op, sess)
                if message is None:
                    return sess
            try:
                sess.close()
            except Exception:  # noqa: BLE001 - as TF: a failing close does not stop the wait
                pass
            remaining = max(0.0, max_wait_secs - (time.time() - start))
            if remaining - self._recovery_wait_secs < 0:
                raise errors.DeadlineExceededError(
                    None, None, f"Session was not ready after waiting {max_wait_secs} secs.")
            logging.info("Waiting for model to be ready.  Ready_for_local_init_op:  %s, "
                         "ready: %s", local_message, message)
            time.sleep(self._recovery_wait_secs)

    def _try_run_local_init_op(self, sess):
        """Runs the local init op if the model is ready for it: None, else why not."""
        if self._local_init_op is None:
            return None
        message = ready_message(self._ready_for_local_init_op, sess)
        if message is not None:
            return message
        logging.info("Running local_init_op.")
        sess.run(self._local_init_op, feed_dict=self._local_init_feed_dict,
                 options=self._local_init_run_options)
        logging.info("Done running local_init_op.")
        return None
