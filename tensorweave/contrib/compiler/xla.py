"""tf.contrib.compiler.xla.compile as TF 1.15 builds it, without a compiler: the computation's
ops are built inline (marked `_xla_compile_id` with the cluster's name) and run as every op
does; inputs and outputs take TF's forms and names (input_<i>, output_<i>).

    def step(x):
        return tf.reduce_sum(x * x)
    total, = tf.contrib.compiler.xla.compile(step, [tf.constant([1.0, 2.0])])  # a list
"""
import collections.abc

from tensorweave.contrib import not_provided
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import control_dependencies, get_default_graph
from tensorweave.core.operation import Operation
from tensorweave.ops import array, control
from tensorweave.util import nest

__all__ = ["compile"]

XLA_COMPILE_ATTR = "_xla_compile_id"  # the cluster an op was built in, as TF marks it

# estimator_model_fn wraps an Estimator's model_fn: tf.estimator sits above tf.contrib here
__getattr__ = not_provided(__name__, ("estimator_model_fn",))


class ClusterState:
    """Per graph: the xla.compile cluster being built, if any (clusters do not nest)."""

    def __init__(self):
        self.current = None


def compile(computation, inputs=None):  # noqa: A001 - TF's name
    """Builds `computation(*inputs)` and returns its outputs as TF 1.15's xla.compile does:

    - a flat result (one value, or a list/tuple of tensors followed by operations): a list of
      its tensors, each an Identity that runs after the returned operations;
    - a nested result (dicts, nested lists; no operations): the same structure of tensors;
    - no tensors (None, or operations only): a NoOp named output_0 running those operations.

    `inputs`: a list (possibly nested) of values convertible to tensors; None for none.
    """
    if inputs is None:
        inputs = []
    if not isinstance(inputs, collections.abc.Sequence):
        raise TypeError("inputs must be a list")
    graph = get_default_graph()
    state = graph.extension(ClusterState, ClusterState)
    if state.current is not None:
        raise ValueError(f"XLA compiled computations cannot be nested (inside cluster "
                         f"'{state.current}')")
    flat_inputs = [convert_to_tensor(x) for x in nest.flatten(inputs)]
    cluster = graph.unique_name("cluster")
    control.no_op(name=cluster + "/pivot")
    state.current = cluster
    try:
        with graph.attr_scope({XLA_COMPILE_ATTR: cluster.encode()}):
            flat_inputs = [array.identity(x, name=f"input_{i}")
                           for i, x in enumerate(flat_inputs)]
            outputs = computation(*nest.pack_sequence_as(inputs, flat_inputs))
            flat = _is_flat(outputs)
            tensors, operations = (_flat_outputs(outputs) if flat
                                   else _nested_outputs(outputs))
    finally:
        state.current = None
    if not tensors:
        return control.group(operations, name="output_0")
    tensors = [array.identity(t, name=f"output{i}") for i, t in enumerate(tensors)]
    with control_dependencies(operations):
        tensors = [array.identity(t, name=f"output_{i}") for i, t in enumerate(tensors)]
    return tensors if flat else nest.pack_sequence_as(outputs, tensors)


def _is_flat(outputs):
    """None, one value, or a list/tuple of values none of which is a list, tuple or dict."""
    if isinstance(outputs, dict):
        return False
    if isinstance(outputs, collections.abc.Sequence) and not isinstance(outputs, str):
        return not any(isinstance(o, (collections.abc.Sequence, dict)) and not isinstance(o, str)
                       for o in outputs)
    return True


def _flat_outputs(outputs):
    """(Identity of each returned tensor, the returned operations plus one NoOp)."""
    if outputs is None:
        outputs = ()
    if not isinstance(outputs, collections.abc.Sequence) or isinstance(outputs, str):
        outputs = (outputs,)
    outputs = list(outputs) + [control.no_op()]  # something that runs even with no outputs
    try:
        outputs = [o if isinstance(o, Operation) else convert_to_tensor(o) for o in outputs]
    except Exception as error:  # noqa: BLE001 - TF reports any conversion failure this way
        raise ValueError(f"XLA computation function return values must all either be "
                         f"Operations or convertible to Tensors. Got error: \"{error}\"") \
            from None
    operations = [o for o in outputs if isinstance(o, Operation)]
    tensors = [o for o in outputs if not isinstance(o, Operation)]
    if any(a is not b for a, b in zip(outputs, tensors + operations)):
        raise ValueError("XLA computation function must return zero or more Tensor values "
                         "followed by zero or more Operations.")
    return [array.identity(t) for t in tensors], operations


def _nested_outputs(outputs):
    tensors = []
    for o in nest.flatten(outputs):
        if isinstance(o, Operation):
            raise ValueError(f"xla.compile does not support Operation as return value in "
                             f"non-flat output structure. You can set returned Operations as "
                             f"control dependencies of returned Tensors so Operations are "
                             f"triggered when Tensors are evaluated. Operation found: "
                             f"\"{o.name}\"")
        try:
            o = convert_to_tensor(o)
        except Exception as error:  # noqa: BLE001
            raise ValueError(f"XLA computation function return values must all either be "
                             f"Operations or convertible to Tensors. Got error: "
                             f"\"{error}\"") from None
        tensors.append(array.identity(o))
    return tensors, []
