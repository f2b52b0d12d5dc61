"""A seeded random op's next draw, computed ahead on a thread that runs only on an idle core.

A random op that runs in every training step (dropout's RandomUniform) draws its next values
from where its stream's counter stands after this step, with the same shape: they are known a
step before they are asked for. So after an op's second draw of at most AHEAD_UP_TO Philox
calls, its next draw is computed on one background thread of the lowest scheduling class
(SCHED_IDLE on Linux: it runs only where a core would otherwise idle, and yields it at once to
any other thread, OpenBLAS's included). The next step takes those values when they are finished
and were drawn for the stream's key and counter, shape, dtype and draw it asks for; otherwise
(not finished, the stream moved elsewhere, another shape) it draws itself, as without this
module, and never waits. A draw is a pure function of key and counter, so the values are the
same either way.

AHEAD_UP_TO is the knob (read at each draw); 0 turns drawing ahead off. `counts` says how
many draws were taken from ahead and how many drawn in the run.
"""
import math
import os
import queue
import threading
import time
import weakref

from tensorweave.ops import philox

AHEAD_UP_TO = 1 << 15  # Philox calls (4 values each): larger draws are mostly initializers


class _Ahead:
    """One op's draw made ahead: what the latest was started for, and the finished one as
    (what it was made for, values), set in one assignment by the background thread."""
    __slots__ = ("runs", "wanted", "finished", "__weakref__")

    def __init__(self):
        self.runs = 0
        self.wanted = None  # (key, counter, dims, dtype, draw) of the draw started last
        self.finished = None


class Counts:
    """Draws the runs took from ahead and draws they made themselves."""

    def __init__(self):
        self.taken = self.drawn_here = 0


counts = Counts()
_entries = weakref.WeakKeyDictionary()  # a seeded op's stream (state.random_stream) -> _Ahead
_jobs = None  # the background thread's queue, made on first use


def drawn(seeded, stream, dims, dtype, draw):
    """draw(stream, dims, dtype) for a run that reserved `stream` from `seeded` (the op's
    philox.SeededStream): the values drawn ahead when they are finished and match, else drawn
    here; then, for ops that have run before, the next run's draw is started."""
    entry = _entries.get(seeded)
    if entry is None:
        entry = _entries[seeded] = _Ahead()
    finished = entry.finished
    if finished is not None and finished[0] == (stream.key, stream.counter, dims, dtype, draw):
        values = finished[1]
        counts.taken += 1
    else:
        values = draw(stream, dims, dtype)
        counts.drawn_here += 1
    entry.runs += 1
    entry.wanted = entry.finished = None
    calls = -(-math.prod(dims) // 4)
    if entry.runs >= 2 and 0 < calls <= AHEAD_UP_TO:
        following = philox.Stream(seeded.key, seeded.counter)  # where the next run reserves
        entry.wanted = (following.key, following.counter, dims, dtype, draw)
        _queue().put((weakref.ref(entry), entry.wanted, following))
    return values


def settle(timeout=1.0):
    """Waits up to `timeout` seconds for the draws under way to finish; True if they did."""
    deadline = time.monotonic() + timeout
    while any(e.wanted is not None and e.finished is None for e in list(_entries.values())):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


def _queue():
    global _jobs
    if _jobs is None:
        _jobs = queue.SimpleQueue()
        threading.Thread(target=_work, args=(_jobs,), name="tensorweave-draws-ahead",
                         daemon=True).start()  # daemon: the interpreter's exit never waits
    return _jobs


def _work(jobs):
    _lowest_priority()
    while True:
        ref, made_for, stream = jobs.get()
        entry = ref()
        if entry is None or entry.wanted is not made_for:
            continue  # the run it was for has come and gone
        _, _, dims, dtype, draw = made_for
        try:
            entry.finished = (made_for, draw(stream, dims, dtype))  # stale ones never match
        except Exception:  # noqa: BLE001 - the run draws itself and raises it there
            continue


def _lowest_priority():
    """Runs this thread in SCHED_IDLE, or else at nice 19, where the system allows."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # 0: this thread
    except (AttributeError, OSError):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        except (AttributeError, OSError):
            pass


def _forget():
    """In a forked child the thread does not exist: the child makes its own."""
    global _jobs
    _jobs = None
    _entries.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget)
