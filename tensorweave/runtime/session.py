"""Session: runs fetches of a Graph with feeds, caching one Plan per signature."""
import threading
import time
import warnings

from tensorweave.core import context
from tensorweave.core.graph import get_default_graph
from tensorweave.core.operation import Tensor, TensorLike
from tensorweave.runtime import checks
from tensorweave.runtime.checks import CPU_DEVICE
from tensorweave.runtime.config import ConfigProto
from tensorweave.core.composite_tensor import CompositeTensor
from tensorweave.core.errors import InvalidArgumentError
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.runtime.fetch import FetchMapper, expand_feeds, fetch_key
from tensorweave.runtime.plan import Plan
from tensorweave.runtime.state import SessionState

_MAX_CACHED_PLANS = 512
_GROWTHS_BEFORE_WARNING = 10  # runs preceded by new ops from one line of user code
_YIELD_EVERY = 8  # runs of a thread other than the main one between two turns it gives away
_runs_since_yield = threading.local()


def _give_way():
    """Every _YIELD_EVERY runs of a thread that is not the main one, lets the other threads
    take Python's lock (time.sleep(0): it sleeps out the kernel's timer slack, 50-80 us, so
    not at every run; sched_yield is quicker but rarely lets a waiting thread in)."""
    if threading.current_thread() is threading.main_thread():
        return
    runs = getattr(_runs_since_yield, "count", _YIELD_EVERY) + 1
    if runs >= _YIELD_EVERY:
        runs = 0
        time.sleep(0)
    _runs_since_yield.count = runs


get_default_session = context.get_default_session


class _DeviceAttributes:
    def __init__(self, name, device_type, memory_limit_bytes):
        self.name = name
        self.device_type = device_type
        self.memory_limit_bytes = memory_limit_bytes
        self.incarnation = 0


class Session:
    """Runs operations and evaluates tensors of `graph` (default: the default graph)."""

    def __init__(self, target="", graph=None, config=None):
        self._graph = graph if graph is not None else get_default_graph()
        self._config = config if config is not None else ConfigProto()
        self._config_timeout_ms = _timeout_ms(None, self._config)
        from tensorweave.runtime import accel  # the speed variants load with the first Session
        self._state = SessionState(variants=accel.prepare_session(self._config))
        # OpenBLAS's threads follow the machine's load (accel/blas_threads.py)
        self._before_run = accel.follow_load if self._state.variants else None
        self._plans = {}
        self._composite_feeds = set()  # keys of plans whose feed keys expand (tuple, sparse)
        self._placement_log = set()
        self._closed = False
        self._context_stack = []
        self._growth_watch = GraphGrowthWatch(self._graph)
        self._partial_runs = {}  # handle -> runtime/partial_run.py's PartialRun
        self.sess_str = target

    @property
    def graph(self):
        return self._graph

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    @property
    def state(self):
        """The session's variable values, random streams and resources."""
        return self._state

    def list_devices(self):
        return [_DeviceAttributes(CPU_DEVICE, "CPU", 268435456)]

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Computes `fetches` (any nesting of tensors, ops and names) with `feed_dict` values."""
        # TF runs the graph without Python's lock, so a thread looping over runs cannot hold
        # the others off for the interpreter's switch interval (a sibling asked to stop the
        # loop might never get to ask): such a thread gives way now and then
        _give_way()
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        feeds = feed_dict or {}
        self._growth_watch.before_run()
        key = (fetch_key(fetches), tuple(feeds), self._graph.version)
        try:
            entry = self._plans.get(key)
        except TypeError:  # an unhashable fetch or feed key: plan without caching
            entry = None
            key = None
        if entry is None:
            expanded = expand_feeds(feeds)
            entry = self._make_plan(fetches, expanded)
            if key is not None:
                if len(self._plans) >= _MAX_CACHED_PLANS:
                    self._plans.clear()
                    self._composite_feeds.clear()
                self._plans[key] = entry
                if expanded is not feeds:
                    self._composite_feeds.add(key)
            feeds = expanded
        elif self._composite_feeds and key in self._composite_feeds:
            feeds = expand_feeds(feeds)  # tuple and SparseTensor keys feed their parts
        mapper, plan = entry
        if self._before_run is not None:
            self._before_run()
        timeout_ms = (self._config_timeout_ms if options is None
                      else _timeout_ms(options, self._config))
        if timeout_ms:  # blocking ops (queues, readers) give up after it
            with self._state.blocking.deadline(timeout_ms):
                values = _run_with_options(plan, feeds.values(), options, run_metadata)
        elif options is None and run_metadata is None:
            values = plan.run(feeds.values())
        else:
            values = _run_with_options(plan, feeds.values(), options, run_metadata)
        if mapper is None:
            return values[0]
        return mapper.build(values)

    def _make_plan(self, fetches, feeds):
        if self._config.log_device_placement:
            checks.log_placement(self._graph, self._placement_log)
        mapper = FetchMapper(self._graph, fetches)
        fed = [self._feed_tensor(k) for k in feeds]
        plan = Plan(self._graph, mapper.elements, fed, self._state,
                    variants=self._state.variants, check_ops=self._check_ops)
        single = not isinstance(fetches, (list, tuple, dict, SparseTensor, IndexedSlices,
                                          CompositeTensor))
        return (None if single else mapper), plan

    def _check_ops(self, ops):
        """The session's policy for the ops a Plan runs: placement and required feeds."""
        checks.check_ops(ops, self._config)

    def _feed_tensor(self, key):
        try:
            if isinstance(key, TensorLike) and not isinstance(key, Tensor):
                key = key._as_graph_element()
            tensor = self._graph.as_graph_element(key, allow_tensor=True,
                                                  allow_operation=False)
        except (KeyError, ValueError, TypeError) as e:
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: "
                            f"{e.args[0] if e.args else e}") from None
        return tensor

    def partial_run_setup(self, fetches, feeds=None):
        """A handle for one step run in parts: `partial_run` calls take these fetches and feeds
        as they come (runtime/partial_run.py)."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        from tensorweave.runtime.partial_run import PartialRun  # rare: loaded when used
        part = PartialRun(self._graph, fetches, feeds, self._feed_tensor)
        self._partial_runs[part.handle] = part
        return part.handle

    def partial_run(self, handle, fetches, feed_dict=None):
        """Continues the partial run `handle`: computes `fetches` with the values fed so far."""
        part = self._partial_runs.get(handle)
        if part is None:
            raise InvalidArgumentError(None, None,
                                       "Must run 'setup' before performing partial runs!")
        values = part.run_part(self.run, fetches, feed_dict, self._feed_tensor)
        if part.done:
            del self._partial_runs[handle]
        return values

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """A function running `fetches`; positional arguments feed `feed_list` in order."""
        feed_list = list(feed_list or [])
        mapper, plan = self._make_plan(fetches, dict.fromkeys(feed_list))

        def call(*feed_values, options=None, run_metadata=None):
            if self._closed:
                raise RuntimeError("Attempted to use a closed Session.")
            if len(feed_values) != len(feed_list):
                raise TypeError(f"Expected {len(feed_list)} feed values, got "
                                f"{len(feed_values)}")
            if self._before_run is not None:  # as run() does: BLAS threads follow the load
                self._before_run()
            if options is None and run_metadata is None:
                values = plan.run(feed_values)
            elif accept_options or feed_list:  # TF passes a feed_list callable's kwargs on
                values = _run_with_options(plan, feed_values, options, run_metadata)
            else:
                raise TypeError("This callable takes no options or run_metadata: create it "
                                "with make_callable(..., accept_options=True)")
            return values[0] if mapper is None else mapper.build(values)
        return call

    def close(self):
        """Frees the session's state; later calls to run raise RuntimeError."""
        self._closed = True
        self._plans.clear()
        if self._state is not None:
            self._state.close()  # blocked queue ops in other threads raise CancelledError
        self._state = None

    def as_default(self):
        """Makes this the current thread's default session (for Tensor.eval, Operation.run)
        inside the `with` block."""
        return context.default_session(self)

    def __enter__(self):
        graph_ctx = self._graph.as_default()
        session_ctx = self.as_default()
        graph_ctx.__enter__()
        session_ctx.__enter__()
        self._context_stack.append((graph_ctx, session_ctx))
        return self

    def __exit__(self, exc_type, exc_value, tb):
        graph_ctx, session_ctx = self._context_stack.pop()
        session_ctx.__exit__(exc_type, exc_value, tb)
        graph_ctx.__exit__(exc_type, exc_value, tb)
        self.close()


class GraphGrowthWatch:
    """Warns once when ops keep being added to the graph between runs from the same line of
    user code: a training loop that builds ops (`tf.reduce_sum(w)`, `tf.assign(...)`,
    `iterator.get_next()`) inside it plans the graph again at every run, and the graph grows
    without bound. TF1's advice: build the graph once, before the loop; `graph.finalize()`
    makes adding ops an error. Building new fetches now and then does not warn.
    """

    def __init__(self, graph):
        self._graph = graph
        self._version = graph.version
        self._ops_seen = len(graph.get_operations())
        self._growths_by_line = {}  # (file, line) -> runs preceded by new ops made there
        self._warned = False

    def before_run(self):
        """Notes the ops added since the last run (one comparison when there are none)."""
        if self._graph.version == self._version or self._warned:
            return
        self._version = self._graph.version
        ops = self._graph.get_operations()
        added, self._ops_seen = ops[self._ops_seen:], len(ops)
        by_line = {}
        for op in added:
            by_line.setdefault(op.traceback[:2], []).append(op)
        for line, line_ops in by_line.items():
            growths = self._growths_by_line[line] = self._growths_by_line.get(line, 0) + 1
            if growths >= _GROWTHS_BEFORE_WARNING:
                self._warned = True
                warnings.warn(_growth_message(line, growths, line_ops), stacklevel=3)
                return


def _growth_message(line, growths, ops):
    shown = ", ".join(f"{op.type} '{op.name}'" for op in ops[:5])
    more = f" and {len(ops) - 5} more" if len(ops) > 5 else ""
    return (f"The graph grew before {growths} Session.run calls with ops created at "
            f"{line[0]}:{line[1]} (this time {shown}{more}). Each such run plans the graph "
            "again and the graph keeps growing: build these ops once, before the loop, and "
            "only run them inside it (graph.finalize() turns adding ops into an error).")


def _timeout_ms(options, config):
    """The run's timeout: RunOptions.timeout_in_ms, else ConfigProto.operation_timeout_in_ms."""
    timeout = getattr(options, "timeout_in_ms", 0) if options is not None else 0
    return timeout if timeout > 0 else max(getattr(config, "operation_timeout_in_ms", 0), 0)


def _run_with_options(plan, feed_values, options, run_metadata):
    """Plan.run honouring RunOptions (traces) and filling RunMetadata (runtime/trace.py)."""
    from tensorweave.runtime import trace
    return trace.run(plan, feed_values, options, run_metadata)


class InteractiveSession(Session):
    """A Session that installs itself as the default session (and graph) when created."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        self._graph_ctx = self._graph.as_default()
        self._graph_ctx.__enter__()
        context.push_default_session(self)

    def close(self):
        if not self._closed:
            context.remove_default_session(self)
            try:
                self._graph_ctx.__exit__(None, None, None)
            except (IndexError, AssertionError):
                pass
        super().close()
