"""tf.contrib.util: tensors as values and protos (constant_value, make_tensor_proto,
make_ndarray) and the op types a GraphDef uses, as TF 1.15's contrib.util re-exports them."""
from tensorweave.tensor_util import get_static_value as constant_value
from tensorweave.tensor_util import make_ndarray, make_tensor_proto

__all__ = ["constant_value", "make_tensor_proto", "make_ndarray", "ops_used_by_graph_def"]


def ops_used_by_graph_def(graph_def):
    """The op type names a GraphDef's nodes use, its library functions' nodes included (a
    function called as an op counts as the ops in its body), in the order first seen."""
    functions = {f.signature.name: f for f in graph_def.library.function}
    used, seen_functions = [], set()

    def visit(nodes):
        for node in nodes:
            if node.op in functions:
                if node.op not in seen_functions:
                    seen_functions.add(node.op)
                    visit(functions[node.op].node_def)
            elif node.op not in used:
                used.append(node.op)
    visit(graph_def.node)
    for name, function in functions.items():  # functions no node calls directly
        if name not in seen_functions:
            seen_functions.add(name)
            visit(function.node_def)
    return used
