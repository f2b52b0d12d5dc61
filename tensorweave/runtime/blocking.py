"""A Session's blocking resources: the queues, readers and gradient accumulators that
queue-era programs use.

Their op kernels (ops/queue_ops.py, ops/reader_ops.py, ops/accumulator_ops.py) are plain code
that keeps the data (`store`s, readers, accumulators); the locks, condition variables, run
deadlines and cancellation live here, reached through `state.blocking`. Session.run may be
called from several threads at once (QueueRunners): a queue serves its waiting enqueues and
dequeues in the order they arrived, as TensorFlow's queues do, and a wait ends with
DeadlineExceededError when the run's timeout (`RunOptions.timeout_in_ms`,
`ConfigProto.operation_timeout_in_ms`) passes, or with CancelledError when the Session closes.

A queue's store holds the elements and decides their order:
    store.size(), store.capacity (< 0: unbounded), store.floor (elements a dequeue must leave
    while the queue is open: a RandomShuffleQueue's min_after_dequeue), store.push(element),
    store.take() (the next element), store.restore(elements) (puts taken elements back),
    store.kind (TensorFlow's class name used in messages, "FIFOQueue").
"""
import collections
import contextlib
import threading
import time

from tensorweave.core import errors


class BlockingResources:
    """The queues and readers of one Session, by handle name, with the run deadlines."""

    def __init__(self):
        self._lock = threading.Lock()
        self._resources = {}  # handle name -> BlockingQueue or GuardedResource
        self._names_by_op = {}  # op name -> the handle name its first run made
        self._next_id = 0
        self._local = threading.local()
        self.cancelled = False

    def handle_for(self, op_name, container, shared_name, make):
        """The handle name of the resource op `op_name` makes, creating the resource on the
        first run with make(handle name). TensorFlow's naming: `shared_name` when given (ops
        with the same one share the resource), else "_<id>_<op name>" unique to the op."""
        with self._lock:
            if shared_name:
                name = f"{container}/{shared_name}" if container else shared_name
            else:
                name = self._names_by_op.get(op_name)
                if name is None:
                    name = self._names_by_op[op_name] = f"_{self._next_id}_{op_name}"
                    self._next_id += 1
            if name not in self._resources:
                if shared_name:
                    self._next_id += 1  # TensorFlow's resource manager counts these too
                self._resources[name] = make(name)
            return name

    def get(self, handle):
        """The resource the handle (a name, str or bytes) names; NotFoundError if none."""
        name = handle.decode("utf-8") if isinstance(handle, bytes) else str(handle)
        with self._lock:
            resource = self._resources.get(name)
        if resource is None:
            raise errors.NotFoundError(None, None, f"Resource {name} does not exist.")
        return resource

    def queue(self, store, name):
        """A new thread-safe queue over `store`, named `name` in messages."""
        return BlockingQueue(store, name, self)

    def monitored(self, resource, name):
        """`resource` behind a lock whose holders may wait for each other's changes (see
        MonitoredResource): an accumulator's take waits for enough applied gradients."""
        return MonitoredResource(resource, name, self)

    def guarded(self, resource, name):
        """`resource` behind a lock: its users take turns (see GuardedResource.exclusive)."""
        return GuardedResource(resource, name, self)

    # --- run deadlines and cancellation ------------------------------------------------------
    @contextlib.contextmanager
    def deadline(self, timeout_ms):
        """Within the block, waits of the calling thread end after `timeout_ms` ms (0: none)."""
        previous = getattr(self._local, "deadline", None)
        self._local.deadline = time.monotonic() + timeout_ms / 1000.0 if timeout_ms > 0 \
            else None
        try:
            yield
        finally:
            self._local.deadline = previous

    def remaining(self):
        """Seconds left before the calling thread's run deadline, or None without one."""
        deadline = getattr(self._local, "deadline", None)
        return None if deadline is None else deadline - time.monotonic()

    def wait(self, condition):
        """Waits on `condition` (held) until notified; DeadlineExceededError when the run's
        deadline has passed, CancelledError when the Session closed meanwhile."""
        if self.cancelled:
            raise errors.CancelledError(None, None, "Session has been closed.")
        remaining = self.remaining()
        if remaining is not None and remaining <= 0:
            raise errors.DeadlineExceededError(None, None,
                                               "Timed out waiting for notification")
        condition.wait(remaining)
        if self.cancelled:
            raise errors.CancelledError(None, None, "Session has been closed.")
        remaining = self.remaining()
        if remaining is not None and remaining <= 0:
            raise errors.DeadlineExceededError(None, None,
                                               "Timed out waiting for notification")

    def cancel_all(self):
        """Ends every wait with CancelledError (the Session is closing)."""
        self.cancelled = True
        with self._lock:
            resources = list(self._resources.values())
        for resource in resources:
            resource.wake()


class BlockingQueue:
    """A bounded queue of element tuples over a store, safe to use from several threads."""

    def __init__(self, store, name, owner):
        self.store = store
        self.name = name
        self._owner = owner
        self._condition = threading.Condition()
        self._closed = False
        self._enqueuers = collections.deque()  # waiting attempts, served in arrival order
        self._dequeuers = collections.deque()

    def wake(self):
        with self._condition:
            self._condition.notify_all()

    def size(self):
        with self._condition:
            return self.store.size()

    def is_closed(self):
        with self._condition:
            return self._closed

    def close(self, cancel_pending_enqueues=False):
        """Closes the queue: later and pending enqueues fail, dequeues take what is left."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def enqueue(self, elements):
        """Adds `elements` (a list of tuples) in order, waiting for room as needed."""
        store = self.store
        token = object()
        done = 0
        with self._condition:
            self._enqueuers.append(token)
            try:
                while True:
                    if self._closed:
                        raise errors.CancelledError(
                            None, None, f"{store.kind} '{self.name}' is closed.")
                    if self._enqueuers[0] is token:
                        start = done
                        while done < len(elements) and (
                                store.capacity < 0 or store.size() < store.capacity):
                            store.push(elements[done])
                            done += 1
                        if done > start:
                            self._condition.notify_all()
                        if done == len(elements):
                            return
                    self._owner.wait(self._condition)
            finally:
                self._enqueuers.remove(token)
                self._condition.notify_all()

    def dequeue(self, count, allow_smaller=False):
        """Takes `count` elements (a list of tuples), waiting until there are enough. When the
        queue is closed with too few: OutOfRangeError, or with `allow_smaller` what is left
        (OutOfRangeError when nothing is)."""
        store = self.store
        token = object()
        taken = []
        with self._condition:
            self._dequeuers.append(token)
            try:
                while True:
                    if self._dequeuers[0] is token:
                        size = store.size()
                        needed = count - len(taken)
                        if self._closed and size < needed:
                            if taken:
                                store.restore(taken)
                                taken = []
                            if allow_smaller and store.size() > 0:
                                count = store.size()
                            else:
                                raise errors.OutOfRangeError(
                                    None, None, f"{store.kind} '{self.name}' is closed and "
                                    f"has insufficient elements (requested {needed}, current "
                                    f"size {size})")
                        available = store.size() - (0 if self._closed else store.floor)
                        start = len(taken)
                        while available > 0 and len(taken) < count:
                            taken.append(store.take())
                            available -= 1
                        if len(taken) > start:
                            self._condition.notify_all()
                        if len(taken) == count:
                            result, taken = taken, []
                            return result
                    self._owner.wait(self._condition)
            finally:
                if taken:  # an error or a cancelled wait: the elements go back
                    store.restore(taken)
                self._dequeuers.remove(token)
                self._condition.notify_all()


class GuardedResource:
    """A resource (a reader) used by one thread at a time."""

    def __init__(self, resource, name, owner):
        self.resource = resource
        self.name = name
        self._owner = owner
        self._condition = threading.Condition()
        self._busy = False

    def wake(self):
        with self._condition:
            self._condition.notify_all()

    def exclusive(self, use):
        """use(resource), waiting for other users to finish first (within the run deadline)."""
        with self._condition:
            while self._busy:
                self._owner.wait(self._condition)
            self._busy = True
        try:
            return use(self.resource)
        finally:
            with self._condition:
                self._busy = False
                self._condition.notify_all()


class MonitoredResource:
    """A resource shared by several threads that wait for each other's changes to it.

        with monitored.locked() as resource:   # one holder at a time
            while not ready(resource):
                monitored.wait()               # the run's deadline, the Session's cancellation
        ...
        with monitored.locked() as resource:
            change(resource)
            monitored.notify_all()
    """

    def __init__(self, resource, name, owner):
        self.resource = resource
        self.name = name
        self._owner = owner
        self._condition = threading.Condition()

    def wake(self):
        with self._condition:
            self._condition.notify_all()

    @contextlib.contextmanager
    def locked(self):
        with self._condition:
            yield self.resource

    def wait(self):
        """Within `locked()`: waits until notified (errors as BlockingResources.wait)."""
        self._owner.wait(self._condition)

    def notify_all(self):
        """Within `locked()`: wakes the waiting holders."""
        self._condition.notify_all()
