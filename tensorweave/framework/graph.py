"""Moved to `tensorweave.core`: graph.py (Graph, scopes, collections), operation.py (Operation,
Tensor), constants.py (constant, convert_to_tensor, constant_value), seeds.py and devices.py.
The names users import from this old path are handed on here."""
from tensorweave.core.constants import (constant, constant_array,  # noqa: F401
                                        constant_value, convert_to_tensor,
                                        partial_shape_from_tensor,
                                        register_tensor_conversion_function)
from tensorweave.core.devices import device_string, merge_device, parse_device  # noqa: F401
from tensorweave.core.graph import (GRADIENT_OP_TYPE_ATTR, KEPT_INTERNAL_ATTRS,  # noqa: F401
                                    Graph, GraphKeys, add_to_collection, add_to_collections,
                                    control_dependencies, create_op, device, get_collection,
                                    get_collection_ref, get_default_graph, name_scope,
                                    reset_default_graph, user_frame)
from tensorweave.core.operation import (NodeDef, Operation, Tensor,  # noqa: F401
                                        TensorLike)
from tensorweave.core.seeds import DEFAULT_GRAPH_SEED, get_seed, set_random_seed  # noqa: F401
