"""OpenBLAS's thread count follows how busy the machine is.

OpenBLAS splits each product between its threads and waits for all of them. When other
processes keep the cores busy, a thread that is not scheduled holds up the whole product, and a
step of many products slows down ten- to twentyfold (measured: the deep MNIST step 1.5 s with
two threads against 0.18 s with one on a two-core machine running six busy processes). So
before a Session runs (at most every CHECK_SECONDS), the number of other runnable threads on
the machine is read from /proc/loadavg (less this process's own, from /proc/self/task): when
they already fill every core, OpenBLAS runs one thread at once; when cores are free again for
FREE_READINGS readings in a row, it gets its threads back.

Left alone where the user set OPENBLAS_NUM_THREADS (or OMP_NUM_THREADS), where NumPy's BLAS is
not OpenBLAS, and where /proc/loadavg does not exist. `follow_load()` is called by the Session.
"""
import os
import time

from tensorweave.runtime.accel import openblas

CHECK_SECONDS = 0.5
FREE_READINGS = 4  # readings in a row with a free core before OpenBLAS gets its threads back
LOAD_FILE = "/proc/loadavg"
TASKS_DIR = "/proc/self/task"  # this process's threads, each with its stat file
USER_SETTINGS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


class _Follower:
    """OpenBLAS's thread-count setter, its own thread count, the count now, and how many
    readings in a row found a free core."""

    def __init__(self):
        self.set_threads = None
        self.most = 1
        self.current = 1
        self.checked = -float("inf")
        self.free_readings = 0
        self.enabled = not any(name in os.environ for name in USER_SETTINGS)
        if self.enabled:
            functions = thread_functions(openblas.loaded_openblas())
            if functions is None:
                self.enabled = False
            else:
                get_threads, self.set_threads = functions
                self.most = self.current = int(get_threads())
                self.enabled = self.most > 1 and os.path.exists(LOAD_FILE)

    def wanted(self):
        """1 when other processes' runnable threads already fill every core, else `most`."""
        with open(LOAD_FILE) as f:
            runnable = int(f.read().split()[3].split("/")[0])
        others = runnable - own_runnable()
        return 1 if others >= (os.cpu_count() or 1) else self.most

    def follow(self):
        now = time.monotonic()
        if now - self.checked < CHECK_SECONDS:
            return
        self.checked = now
        try:
            wanted = self.wanted()
        except (OSError, ValueError, IndexError):
            self.enabled = False
            return
        self.free_readings = self.free_readings + 1 if wanted > 1 else 0
        if wanted == 1 or self.free_readings >= FREE_READINGS:
            if wanted != self.current:
                self.set_threads(wanted)
                self.current = wanted


def own_runnable():
    """How many of this process's threads are runnable now (at least this one, which is
    running while it reads): OpenBLAS's spinning workers and an idle-priority helper
    (draws_ahead.py) are not load from elsewhere."""
    count = 0
    try:
        for task in os.listdir(TASKS_DIR):
            try:
                with open(os.path.join(TASKS_DIR, task, "stat")) as f:
                    count += f.read().rpartition(")")[2].split()[0] == "R"
            except (OSError, IndexError):
                continue  # the thread ended meanwhile
    except OSError:
        pass
    return max(count, 1)


# OpenBLAS's (get, set) thread-count functions by the names its builds give them: NumPy 2's
# wheels (scipy-openblas, 64-bit integers), NumPy 1's (openblas64_), plain builds
_THREAD_FUNCTIONS = (("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
                     ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
                     ("openblas_get_num_threads", "openblas_set_num_threads"))


def thread_functions(library):
    """(get, set) of the OpenBLAS `library`'s thread count, or None."""
    if library is None:
        return None
    for get_name, set_name in _THREAD_FUNCTIONS:
        get_threads, set_threads = (getattr(library, name, None) for name in (get_name, set_name))
        if get_threads is not None and set_threads is not None:
            return get_threads, set_threads
    return None


_follower = None


def follow_load():
    """Sets OpenBLAS's thread count for how busy the machine is now (cheap between checks)."""
    global _follower
    if _follower is None:
        _follower = _Follower()
    if _follower.enabled:
        _follower.follow()


def current_threads():
    """OpenBLAS's thread count as this module last set it (None before the first Session)."""
    return None if _follower is None else _follower.current
