"""tf.train.Coordinator: a shared stop flag (and first error) for cooperating threads.

    coord = tf.train.Coordinator()
    with coord.stop_on_exception():
        while not coord.should_stop():
            ...
    coord.join(threads)
"""
import contextlib
import sys
import threading
import time

from tensorweave.core import errors


class Coordinator:
    """Lets threads ask each other to stop and reports the first exception to `join`."""

    def __init__(self, clean_stop_exception_types=None):
        if clean_stop_exception_types is None:
            clean_stop_exception_types = (errors.OutOfRangeError,)
        self._clean_stop_exception_types = tuple(clean_stop_exception_types)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info_to_raise = None
        self._registered_threads = set()

    def request_stop(self, ex=None):
        """Asks every thread to stop; `ex` (an exception or exc_info) is re-raised by join,
        unless it is one of the clean-stop types (OutOfRangeError by default)."""
        with self._lock:
            if ex is not None and self._exc_info_to_raise is None:
                if isinstance(ex, tuple):
                    exc = ex[1]
                else:
                    exc = ex
                    ex = (type(ex), ex, ex.__traceback__)
                if not isinstance(exc, self._clean_stop_exception_types):
                    self._exc_info_to_raise = ex
            self._stop_event.set()

    def clear_stop(self):
        with self._lock:
            self._exc_info_to_raise = None
            self._stop_event.clear()

    def should_stop(self):
        return self._stop_event.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self):
        """Requests a stop (recording the error) if the `with` body raises."""
        try:
            yield
        except Exception:  # noqa: BLE001 - handed to join() to re-raise
            self.request_stop(ex=sys.exc_info())

    def wait_for_stop(self, timeout=None):
        return self._stop_event.wait(timeout)

    def register_thread(self, thread):
        with self._lock:
            self._registered_threads.add(thread)

    def join(self, threads=None, stop_grace_period_secs=120, ignore_live_threads=False):
        """Waits for the threads after a stop request; re-raises the recorded exception, or
        RuntimeError if threads are still alive after the grace period."""
        threads = set(threads or ()) | self._registered_threads
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(0.1):
            pass
        deadline = time.time() + stop_grace_period_secs
        for thread in threads:
            thread.join(max(0.0, deadline - time.time()))
        stragglers = [t.name for t in threads if t.is_alive()]
        with self._lock:
            self._registered_threads = set()
            if self._exc_info_to_raise is not None:
                _, value, tb = self._exc_info_to_raise
                raise value.with_traceback(tb)
        if stragglers and not ignore_live_threads:
            raise RuntimeError(f"Coordinator stopped with threads still running: "
                               f"{' '.join(stragglers)}")

    @property
    def joined(self):
        return not self._registered_threads

    def raise_requested_exception(self):
        with self._lock:
            if self._exc_info_to_raise is not None:
                _, value, tb = self._exc_info_to_raise
                raise value.with_traceback(tb)
