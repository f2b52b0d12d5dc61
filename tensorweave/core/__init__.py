"""Floor 1: the graph as data (Graph, Operation, Tensor, dtypes, shapes, registry, errors)."""
