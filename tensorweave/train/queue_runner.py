"""tf.train.QueueRunner and tf.train.queue_runner: threads that keep a queue filled.

    queue = tf.FIFOQueue(100, tf.float32)
    runner = tf.train.QueueRunner(queue, [queue.enqueue(tf.random_normal([]))] * 2)
    tf.train.add_queue_runner(runner)
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        ...
        coord.request_stop()
        coord.join(threads)

Each enqueue op runs in its own thread, in a loop, until the coordinator asks to stop or the
op fails. A queue-closed error (OutOfRangeError, CancelledError) ends the thread quietly, and
the last thread to end closes the queue (so its readers drain it and then see OutOfRangeError);
any other error is reported to the coordinator. With a coordinator one more thread waits for
the stop request and then closes the queue, cancelling enqueues still waiting.
"""
import threading

from tensorweave.core import context, errors
from tensorweave.core.graph import (GraphKeys, add_to_collection, get_default_graph,
                                    name_within_scope)
from tensorweave.lib import protos
from tensorweave.platform import tf_logging as logging

__all__ = ["QueueRunner", "add_queue_runner", "start_queue_runners"]


class QueueRunner:
    """Holds a queue's enqueue ops and runs each in its own thread (create_threads)."""

    def __init__(self, queue=None, enqueue_ops=None, close_op=None, cancel_op=None,
                 queue_closed_exception_types=None, queue_runner_def=None, import_scope=None):
        if queue_runner_def is not None:
            if queue or enqueue_ops:
                raise ValueError("queue_runner_def and queue are mutually exclusive.")
            self._init_from_proto(queue_runner_def, import_scope)
            return
        if not queue or not enqueue_ops:
            raise ValueError("Must provide queue and enqueue_ops.")
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        self._close_op = close_op if close_op is not None else queue.close()
        self._cancel_op = cancel_op if cancel_op is not None else \
            queue.close(cancel_pending_enqueues=True)
        if queue_closed_exception_types is None:
            queue_closed_exception_types = (errors.OutOfRangeError,)
        else:
            types = tuple(queue_closed_exception_types)
            if not types or not all(isinstance(t, type) and issubclass(t, errors.OpError)
                                    for t in types):
                raise TypeError("queue_closed_exception_types, when provided, must be a tuple "
                                f"of tf.error types, but saw: {queue_closed_exception_types}")
            queue_closed_exception_types = types
        self._queue_closed_exception_types = queue_closed_exception_types
        self._init_threading()

    def _init_threading(self):
        self._lock = threading.Lock()
        self._runs_per_session = {}
        self._exceptions_raised = []

    def _init_from_proto(self, queue_runner_def, import_scope):
        """The runner a QueueRunnerDef describes, over the ops of the default graph (the
        queue is its queue op, as in TF)."""
        graph = get_default_graph()

        def element(name):
            return graph.as_graph_element(_with_scope(name, import_scope))
        self._queue = element(queue_runner_def.queue_name)
        self._enqueue_ops = [element(name) for name in queue_runner_def.enqueue_op_name]
        self._close_op = element(queue_runner_def.close_op_name)
        self._cancel_op = element(queue_runner_def.cancel_op_name)
        codes = list(queue_runner_def.queue_closed_exception_types)
        self._queue_closed_exception_types = tuple(
            errors.exception_type_from_error_code(code) for code in codes) if codes else \
            (errors.OutOfRangeError,)
        self._init_threading()

    def to_proto(self, export_scope=None):
        """This runner as a QueueRunnerDef, names relative to `export_scope`; None when its
        queue is outside that scope."""
        names = [name_within_scope(op.name, export_scope) for op in
                 [self._queue, self._close_op, self._cancel_op, *self._enqueue_ops]]
        if names[0] is None:
            return None
        return protos.QueueRunnerDef(
            queue_name=names[0], close_op_name=names[1], cancel_op_name=names[2],
            enqueue_op_name=names[3:],
            queue_closed_exception_types=[errors.error_code_from_exception_type(t)
                                          for t in self._queue_closed_exception_types])

    @staticmethod
    def from_proto(queue_runner_def, import_scope=None):
        """The QueueRunner of a QueueRunnerDef, over the default graph's ops."""
        return QueueRunner(queue_runner_def=queue_runner_def, import_scope=import_scope)

    @property
    def queue(self):
        return self._queue

    @property
    def enqueue_ops(self):
        return self._enqueue_ops

    @property
    def close_op(self):
        return self._close_op

    @property
    def cancel_op(self):
        return self._cancel_op

    @property
    def queue_closed_exception_types(self):
        return self._queue_closed_exception_types

    @property
    def exceptions_raised(self):
        """Exceptions the threads raised when there was no coordinator to report them to."""
        return self._exceptions_raised

    @property
    def name(self):
        """The name of the queue."""
        return self._queue.name

    def _closed_errors(self):
        # A closed queue cancels a waiting enqueue: that ends the thread as quietly as the
        # queue-closed errors the runner was given.
        return self._queue_closed_exception_types + (errors.CancelledError,)

    def _run(self, sess, enqueue_op, coord=None):
        """Runs `enqueue_op` until a stop is requested or it fails; closes the queue after
        the last thread of this session ends on a queue-closed error."""
        decremented = False
        try:
            while True:
                if coord is not None and coord.should_stop():
                    break
                try:
                    sess.run(enqueue_op)
                except self._closed_errors():
                    with self._lock:
                        self._runs_per_session[sess] -= 1
                        decremented = True
                        if self._runs_per_session[sess] == 0:
                            try:
                                sess.run(self._close_op)
                            except Exception as e:  # noqa: BLE001 - as TF, ignored
                                logging.vlog(1, "Ignored exception: %s", str(e))
                    return
        except Exception as e:  # noqa: BLE001 - reported to the coordinator or re-raised
            if coord is not None:
                coord.request_stop(e)
            else:
                logging.error("Exception in QueueRunner: %s", str(e))
                with self._lock:
                    self._exceptions_raised.append(e)
                raise
        finally:
            if not decremented:
                with self._lock:
                    self._runs_per_session[sess] -= 1

    def _close_on_stop(self, sess, cancel_op, coord):
        """Waits for the stop request, then closes the queue cancelling pending enqueues."""
        coord.wait_for_stop()
        try:
            sess.run(cancel_op)
        except Exception as e:  # noqa: BLE001 - as TF, ignored
            logging.vlog(1, "Ignored exception: %s", str(e))

    def create_threads(self, sess, coord=None, daemon=False, start=False):
        """The threads running the enqueue ops in `sess` (and, with `coord`, the one closing
        the queue at a stop request); none when threads of this runner still run in `sess`."""
        with self._lock:
            if self._runs_per_session.get(sess, 0) > 0:
                return []
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        threads = [threading.Thread(target=self._run, args=(sess, op, coord),
                                    name=f"QueueRunnerThread-{self.name}-{op.name}")
                   for op in self._enqueue_ops]
        if coord is not None:
            threads.append(threading.Thread(
                target=self._close_on_stop, args=(sess, self._cancel_op, coord),
                name=f"QueueRunnerThread-{self.name}-close_on_stop"))
        for thread in threads:
            if coord is not None:
                coord.register_thread(thread)
            if daemon:
                thread.daemon = True
            if start:
                thread.start()
        return threads


def _with_scope(name, scope):
    return f"{scope}/{name}" if scope else name


def add_queue_runner(qr, collection=GraphKeys.QUEUE_RUNNERS):
    """Adds `qr` to the graph collection `collection` (start_queue_runners starts them)."""
    add_to_collection(collection, qr)


def start_queue_runners(sess=None, coord=None, daemon=True, start=True,
                        collection=GraphKeys.QUEUE_RUNNERS):
    """Starts the threads of every QueueRunner in `collection` for `sess` (default: the
    default session); returns the threads."""
    if sess is None:
        sess = context.get_default_session()
        if sess is None:
            raise ValueError("Cannot start queue runners: No default session is registered. "
                             "Use `with sess.as_default()` or pass an explicit session to "
                             "tf.start_queue_runners(sess=sess)")
    if type(sess).__name__ in ("MonitoredSession", "SingularMonitoredSession"):
        return []  # as TF: a MonitoredSession starts the graph's queue runners itself
    if not hasattr(sess, "run") or getattr(sess, "graph", None) is None:
        raise TypeError(f"sess must be a `tf.Session` object. Given class: {sess.__class__}")
    threads = []
    with sess.graph.as_default():
        for runner in sess.graph.get_collection(collection):
            threads.extend(runner.create_threads(sess, coord=coord, daemon=daemon,
                                                 start=start))
    return threads
