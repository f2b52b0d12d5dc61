"""The current thread's default graph and default session (TF's thread-local default stacks).

Each thread has its own stacks: `with g.as_default():` or `with sess.as_default():` in one
thread changes nothing in another. As in TF, each thread also gets its own global default graph
the first time it asks for one ("the default graph is a property of the current thread"), so a
new thread that wants another thread's graph enters it: `with g.as_default():`.

    threading.Thread(target=lambda: tf.get_default_graph()).start()  # that thread's own graph
"""
import contextlib
import threading


class _ThreadDefaults(threading.local):
    """Per thread: the graphs and sessions made default, innermost last, and the global graph."""

    def __init__(self):
        super().__init__()
        self.graphs = []
        self.sessions = []
        self.global_graph = None


_defaults = _ThreadDefaults()


# --- graphs --------------------------------------------------------------------------------
def innermost_graph():
    """The innermost graph entered with `as_default()` in this thread, or None."""
    return _defaults.graphs[-1] if _defaults.graphs else None


def has_nested_graphs():
    """Whether this thread is inside some `with graph.as_default():`."""
    return bool(_defaults.graphs)


class _Entered(contextlib.ContextDecorator):
    """Pushes a value on one of this thread's stacks for a `with` block.

    A class, not a generator: one entered and never left (InteractiveSession, a program's
    `g.as_default().__enter__()`) leaves no suspended generator for interpreter exit to
    finalize after this module's globals are gone (TF prints nothing there).
    """

    def __init__(self, value, push, pop):
        self._value, self._push, self._pop = value, push, pop

    def __enter__(self):
        self._push(self._value)
        return self._value

    def __exit__(self, *exc_info):
        self._pop(self._value)
        return False


def default_graph(graph):
    """Makes `graph` this thread's default graph inside the `with` block."""
    return _Entered(graph, _defaults.graphs.append, lambda _: _defaults.graphs.pop())


def global_default_graph(make_graph):
    """This thread's global default graph, made with `make_graph()` on first use."""
    if _defaults.global_graph is None:
        _defaults.global_graph = make_graph()
    return _defaults.global_graph


def clear_global_default_graph():
    """Forgets this thread's global default graph; the next request makes a new one."""
    _defaults.global_graph = None


# --- sessions ------------------------------------------------------------------------------
def get_default_session():
    """The innermost session entered with `with sess:` / `sess.as_default()` in this thread."""
    return _defaults.sessions[-1] if _defaults.sessions else None


def default_session(session):
    """Makes `session` this thread's default session inside the `with` block."""
    return _Entered(session, push_default_session, remove_default_session)


def push_default_session(session):
    """Makes `session` this thread's default session until `remove_default_session`."""
    _defaults.sessions.append(session)


def remove_default_session(session):
    """Removes the innermost entry of `session` from this thread's default sessions, if any."""
    sessions = _defaults.sessions
    for i in range(len(sessions) - 1, -1, -1):
        if sessions[i] is session:
            del sessions[i]
            return


def session_for(graph, session=None):
    """`session` (default: this thread's default session), checked to run `graph`; for
    `Tensor.eval`, `Operation.run` and `Variable.load`."""
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError("Cannot evaluate tensor using `eval()`: No default session is "
                             "registered. Use `with sess.as_default()` or pass an explicit "
                             "session to `eval(session=sess)`")
    if session.graph is not graph:
        raise ValueError("Cannot use the given session to evaluate tensor: the tensor's graph "
                         "is different from the session's graph.")
    return session
