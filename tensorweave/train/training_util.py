"""The global step: an int64 counter variable that optimizers increment."""
from tensorweave import init_ops
from tensorweave.variable_scope import get_variable
from tensorweave.core import dtypes
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.platform import tf_logging


def assert_global_step(global_step_tensor):
    """TypeError unless `global_step_tensor` is an integer scalar Variable or Tensor."""
    if not hasattr(global_step_tensor, "dtype") or not hasattr(global_step_tensor, "shape"):
        raise TypeError(f"Existing \"global_step\" must be a Variable or Tensor: "
                        f"{global_step_tensor}.")
    dtype = global_step_tensor.dtype.base_dtype
    if not dtype.is_integer or global_step_tensor.shape.ndims not in (None, 0):
        raise TypeError(f"Existing \"global_step\" does not have integer type {dtype.name} or "
                        f"is not a scalar: {global_step_tensor.shape}")


def get_global_step(graph=None):
    """The global step variable of `graph` (its GLOBAL_STEP collection, else the tensor named
    'global_step:0'), or None."""
    graph = graph or get_default_graph()
    steps = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(steps) > 1:
        tf_logging.error("Multiple tensors in global_step collection.")
        return None
    if steps:
        step = steps[0]
    else:
        try:
            step = graph.get_tensor_by_name("global_step:0")
        except KeyError:
            return None
    assert_global_step(step)
    return step


def create_global_step(graph=None):
    """Creates the global step variable; ValueError if it already exists.

    >>> step = tw.train.create_global_step()   # int64 scalar 'global_step:0', not trainable
    """
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError("\"global_step\" already exists.")
    with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
        return get_variable(
            GraphKeys.GLOBAL_STEP, shape=[], dtype=dtypes.int64,
            initializer=init_ops.zeros_initializer(), trainable=False,
            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    """The global step variable, created on first use."""
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    return create_global_step(graph) if step is None else step


def global_step(sess, global_step_tensor):
    """The current value of the global step as a Python int."""
    return int(sess.run(global_step_tensor))


_GLOBAL_STEP_READ_KEY = "global_step_read_op_cache"


def global_step_read(graph=None):
    """`global_step + 0`: a copy of the step that a run fetching it next to the train op
    reads before the update (the step hooks count with it; fetching the variable itself gives
    the value after the update, as the Estimator's loss log shows), or None without a global
    step."""
    graph = graph or get_default_graph()
    cached = graph.get_collection(_GLOBAL_STEP_READ_KEY)
    if cached:
        return cached[0]
    step = get_global_step(graph)
    if step is None:
        return None
    with graph.as_default(), graph.control_dependencies(None), graph.name_scope(None), \
            graph.name_scope(step.op.name + "/"):
        read = step.value() + 0
    graph.add_to_collection(_GLOBAL_STEP_READ_KEY, read)
    return read
