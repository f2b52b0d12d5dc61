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
        unless it is one of the clean-stop types (OutOfRangeError by default) or a stop was
        already requested (as TF: a thread failing once told to stop is not an error)."""
        with self._lock:
            if ex is not None and self._exc_info_to_raise is None and \
                    not self._stop_event.is_set():
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
            if thread.is_alive():  # one never started is not waited for (TF polls is_alive)
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


class LooperThread(threading.Thread):
    """A daemon thread that calls `target(*args, **kwargs)` (or its own `run_loop()`) every
    `timer_interval_secs` seconds (back to back when None) until `coord` asks to stop; an
    exception stops the coordinator and reaches its `join`.

        LooperThread.loop(coord, 60, target=save_summaries, args=(sess,))
    """

    def __init__(self, coord, timer_interval_secs, target=None, args=None, kwargs=None):
        if not isinstance(coord, Coordinator):
            raise ValueError(f"'coord' argument must be a Coordinator: {coord}")
        super().__init__()
        self.daemon = True
        self._coord = coord
        self._timer_interval_secs = timer_interval_secs
        self._loop_target = target
        if target:
            self._loop_args = args or ()
            self._loop_kwargs = kwargs or {}
        elif args or kwargs:
            raise ValueError("'args' and 'kwargs' argument require that you also pass "
                             "'target'")
        self._coord.register_thread(self)

    @staticmethod
    def loop(coord, timer_interval_secs, target, args=None, kwargs=None):
        """Starts and returns a LooperThread calling `target`."""
        looper = LooperThread(coord, timer_interval_secs, target=target, args=args,
                              kwargs=kwargs)
        looper.start()
        return looper

    def run(self):
        with self._coord.stop_on_exception():
            self.start_loop()
            if self._timer_interval_secs is None:
                while not self._coord.should_stop():
                    self.run_loop()
            else:
                next_time = time.time()
                while not self._coord.wait_for_stop(max(0.0, next_time - time.time())):
                    next_time += self._timer_interval_secs
                    self.run_loop()
            self.stop_loop()

    def start_loop(self):
        """Called once when the thread starts."""

    def stop_loop(self):
        """Called once after the loop ends."""

    def run_loop(self):
        """One iteration: calls the target."""
        if self._loop_target:
            self._loop_target(*self._loop_args, **self._loop_kwargs)
