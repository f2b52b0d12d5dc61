"""OpenBLAS's thread count follows how busy the machine is.

OpenBLAS splits each product between its threads and waits for all of them. When other
processes keep the cores busy, a thread that is not scheduled holds up the whole product, and a
step of many products slows down ten- to twentyfold (measured: the deep MNIST step 1.5 s with
two threads against 0.18 s with one on a two-core machine running six busy processes). So
before a Session runs (at most every CHECK_SECONDS), the number of other runnable threads on
the machine is read from /proc/loadavg: when they already fill every core, OpenBLAS runs one
thread at once; when cores are free again for FREE_READINGS readings in a row, it gets its
threads back.

Left alone where the user set OPENBLAS_NUM_THREADS (or OMP_NUM_THREADS), where NumPy's BLAS is
not OpenBLAS, and where /proc/loadavg does not exist. `follow_load()` is called by the Session.
"""
import os
import time

from tensorweave.runtime.accel import blas_axpy

CHECK_SECONDS = 0.5
FREE_READINGS = 4  # readings in a row with a free core before OpenBLAS gets its threads back
LOAD_FILE = "/proc/loadavg"
USER_SETTINGS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


class _Follower:
    """The OpenBLAS library, its own thread count, the count now, and how many readings in a
    row found a free core."""

    def __init__(self):
        self.library = None
        self.most = 1
        self.current = 1
        self.checked = -float("inf")
        self.free_readings = 0
        self.enabled = not any(name in os.environ for name in USER_SETTINGS)
        if self.enabled:
            self.library = blas_axpy.loaded_openblas()
            if self.library is None or not hasattr(self.library, "openblas_set_num_threads"):
                self.enabled = False
            else:
                self.most = self.current = int(self.library.openblas_get_num_threads())
                self.enabled = self.most > 1 and os.path.exists(LOAD_FILE)

    def wanted(self):
        """1 when other runnable threads already fill every core, else `most`."""
        with open(LOAD_FILE) as f:
            runnable = int(f.read().split()[3].split("/")[0])
        others = runnable - 1  # this thread is running while it reads
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
                self.library.openblas_set_num_threads(wanted)
                self.current = wanted


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
