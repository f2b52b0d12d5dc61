"""TF's `tensorflow/python/framework/ops.py` as programs import it (`from
tensorflow.python.framework import ops; ops.reset_default_graph()`): the graph, tensor,
collection, scope and gradient-registry names that module defines, from their homes here. The
runner maps that module path to this one."""
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.context import get_default_session
from tensorweave.core.graph import (Graph, GraphKeys, add_to_collection, add_to_collections,
                                    colocate_with, container, control_dependencies, device,
                                    get_collection, get_collection_ref, get_default_graph,
                                    init_scope, name_scope, op_scope, prepend_name_scope,
                                    reset_default_graph, strip_name_scope)
from tensorweave.core.indexed_slices import IndexedSlices
from tensorweave.core.operation import Operation, Tensor
from tensorweave.gradients import NotDifferentiable, RegisterGradient, no_gradient
from tensorweave.tensor_util import (convert_to_tensor_or_indexed_slices,
                                     register_tensor_conversion_function)
from tensorweave.v2_behavior import (disable_eager_execution, enable_eager_execution,
                                     executing_eagerly)

__all__ = ["Graph", "GraphKeys", "IndexedSlices", "NotDifferentiable", "Operation",
           "RegisterGradient", "Tensor", "add_to_collection", "add_to_collections",
           "colocate_with", "container", "control_dependencies", "convert_to_tensor",
           "convert_to_tensor_or_indexed_slices", "device", "disable_eager_execution",
           "enable_eager_execution", "executing_eagerly", "get_collection",
           "get_collection_ref", "get_default_graph", "get_default_session", "get_name_scope",
           "init_scope", "name_scope", "no_gradient", "op_scope", "prepend_name_scope",
           "strip_name_scope",
           "register_tensor_conversion_function", "reset_default_graph"]


def get_name_scope():
    """The current name scope of the default graph ('' at the top)."""
    return get_default_graph().get_name_scope()
