"""slim.model_analyzer: counts (and prints) the sizes of a model's variables and ops.

    total_size, total_bytes = slim.model_analyzer.analyze_vars(
        slim.get_model_variables(), print_info=True)
"""

__all__ = ["analyze_ops", "analyze_vars", "tensor_description"]


def tensor_description(var):
    """'(dtype AxBxC)' of a tensor or variable ('?' for an unknown size)."""
    dims = var.shape
    sizes = "x".join(str(d) for d in dims) if dims else ""
    return f"({var.dtype.name} {sizes})"


def analyze_ops(graph, print_info=False):
    """The total number of elements the graph's ops output (printed per op)."""
    if print_info:
        print("---------")
        print("Operations: name -> (type shapes) [size]")
        print("---------")
    total_size = 0
    for op in graph.get_operations():
        op_size = 0
        shapes = []
        for output in op.outputs:
            if output.shape:
                shapes.append(tensor_description(output))
            op_size += output.shape.num_elements() or 0
        if print_info:
            print(op.name, "\t->", ", ".join(shapes), "[" + str(op_size) + "]")
        total_size += op_size
    return total_size


def analyze_vars(variables, print_info=False):
    """(total elements, total bytes) of `variables` (printed per variable)."""
    if print_info:
        print("---------")
        print("Variables: name (type shape) [size]")
        print("---------")
    total_size = total_bytes = 0
    for var in variables:
        size = var.shape.num_elements() or 0
        nbytes = size * var.dtype.size
        total_size += size
        total_bytes += nbytes
        if print_info:
            print(var.name, tensor_description(var), f"[{size}, bytes: {nbytes}]")
    if print_info:
        print(f"Total size of variables: {total_size}")
        print(f"Total bytes of variables: {total_bytes}")
    return total_size, total_bytes
