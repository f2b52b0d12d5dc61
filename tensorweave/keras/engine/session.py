"""The Keras backend's graph-mode state: the session, the learning phase, layer-name uids and
the per-graph bookkeeping the engine keeps on tensors (their Keras history and mask).

tf.keras.backend re-exports get_session, set_session, learning_phase, set_learning_phase,
clear_session, get_uid, reset_uids, batch_get_value and batch_set_value from here.
"""
import numpy as np

from tensorweave.core import context, dtypes
from tensorweave.core.graph import GraphKeys, get_default_graph, reset_default_graph
from tensorweave.ops.array.inputs import placeholder, placeholder_with_default
from tensorweave.ops import state_ops
from tensorweave.runtime.session import Session
from tensorweave import variables as variables_module


class GraphState:
    """What Keras keeps per graph."""

    def __init__(self):
        self.uids = {}
        self.learning_phase = None        # the placeholder, made on first use
        self.learning_phase_value = None  # set_learning_phase's 0/1
        self.session = None
        self.initialized = set()          # variables known initialized in `session`
        self.history = {}                 # Tensor -> (layer, node_index, tensor_index)
        self.masks = {}                   # Tensor -> mask Tensor
        self.assign = {}                  # Variable -> (placeholder, assign op)


_USER_SESSION = []  # set_session's session (one per process, as Keras keeps it)


def graph_state(graph=None):
    return (graph or get_default_graph()).extension(GraphState, GraphState)


def get_uid(prefix=""):
    """1, 2, 3, ... for each prefix in the default graph (layer names: dense, dense_1, ...)."""
    uids = graph_state().uids
    uids[prefix] = uids.get(prefix, 0) + 1
    return uids[prefix]


def reset_uids():
    graph_state().uids.clear()


def unique_object_name(base):
    uid = get_uid(base)
    return base if uid == 1 else f"{base}_{uid - 1}"


def learning_phase():
    """The learning phase: a bool placeholder defaulting to False (0 = test, 1 = train), or
    the Python int `set_learning_phase` fixed."""
    state = graph_state()
    if state.learning_phase_value is not None:
        return state.learning_phase_value
    if state.learning_phase is None:
        graph = get_default_graph()
        with graph.name_scope(None):
            state.learning_phase = placeholder_with_default(False, shape=(),
                                                            name="keras_learning_phase")
    return state.learning_phase


def set_learning_phase(value):
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1.")
    graph_state().learning_phase_value = int(value)


def learning_phase_placeholder():
    """The learning-phase tensor to feed, or None when set_learning_phase fixed it."""
    phase = learning_phase()
    return None if isinstance(phase, int) else phase


def set_session(session):
    _USER_SESSION[:] = [session]


def get_session():
    """The session Keras runs in: the default session if one is active, else one Keras makes
    for the default graph. Variables not yet initialized in it are initialized."""
    graph = get_default_graph()
    state = graph_state(graph)
    session = context.get_default_session()
    if session is None:
        if _USER_SESSION and _USER_SESSION[0].graph is graph and \
                not getattr(_USER_SESSION[0], "_closed", False):
            session = _USER_SESSION[0]
        else:
            if state.session is None or getattr(state.session, "_closed", False):
                state.session = Session(graph=graph)
                state.initialized = set()
            session = state.session
    initialize_variables(session)
    return session


def initialize_variables(session):
    """Runs the initializers of the graph's variables that `session` has not initialized."""
    graph = session.graph
    state = graph_state(graph)
    if getattr(state, "checked_session", None) is not session:
        state.checked_session = session
        state.initialized = set()
    candidates = [v for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES)
                  + graph.get_collection(GraphKeys.LOCAL_VARIABLES)
                  if id(v) not in state.initialized]
    if not candidates:
        return
    flags = session.run([variables_module.is_variable_initialized(v) for v in candidates])
    fresh = [v for v, done in zip(candidates, flags) if not done]
    if fresh:
        session.run(variables_module.variables_initializer(fresh))
    state.initialized.update(id(v) for v in candidates)


def clear_session():
    """A fresh default graph: forgets layer names, the session and the learning phase."""
    _USER_SESSION.clear()
    if context.get_default_session() is None:
        reset_default_graph()


def batch_get_value(tensors):
    return get_session().run(list(tensors)) if tensors else []


def batch_set_value(pairs):
    """Assigns each (variable, NumPy value) through a cached placeholder and assign op."""
    pairs = list(pairs)
    if not pairs:
        return
    state = graph_state()
    feeds, ops = {}, []
    for variable, value in pairs:
        entry = state.assign.get(variable)
        if entry is None:
            dtype = variable.dtype.base_dtype
            with get_default_graph().name_scope(None):
                holder = placeholder(dtype, shape=variable.shape,
                                     name=variable.op.name.replace("/", "_") + "_assign_ph")
                entry = state.assign[variable] = (holder, state_ops.assign(variable, holder))
        value = np.asarray(value, dtype=entry[0].dtype.as_numpy_dtype)
        if tuple(value.shape) != tuple(variable.shape.as_list()):
            raise ValueError(f"Layer weight shape {tuple(variable.shape.as_list())} not "
                             f"compatible with provided weight shape {value.shape}")
        feeds[entry[0]] = value
        ops.append(entry[1])
    get_session().run(ops, feeds)


def floatx():
    return "float32"


def keras_history(tensor):
    return graph_state(tensor.graph).history.get(tensor)


def set_keras_history(tensor, history):
    graph_state(tensor.graph).history[tensor] = history


def is_keras_tensor(tensor):
    return keras_history(tensor) is not None


def keras_mask(tensor):
    return graph_state(tensor.graph).masks.get(tensor)


def set_keras_mask(tensor, mask):
    if mask is None:
        graph_state(tensor.graph).masks.pop(tensor, None)
    else:
        graph_state(tensor.graph).masks[tensor] = mask


def as_dtype(dtype):
    return dtypes.as_dtype(dtype or floatx())
