"""Random seeds: the graph-level seed and each random op's (graph seed, op seed), TF's rules."""
from tensorweave.core.graph import get_default_graph

DEFAULT_GRAPH_SEED = 87654321


def set_random_seed(seed):
    """Sets the graph-level seed of the default graph: reruns then give identical numbers."""
    get_default_graph().seed = seed


def truncate(seed):
    """A seed reduced modulo 2**31 - 1, as TF does to fit 32 bits."""
    return int(seed) % (2 ** 31 - 1)


def get_seed(op_seed):
    """(graph seed, op seed) for a random op, following TF's rules; (None, None) = random."""
    graph = get_default_graph()
    if graph.seed is not None:
        seeds = (truncate(graph.seed), truncate(graph.last_op_id if op_seed is None else op_seed))
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, truncate(op_seed))
    else:
        return None, None
    if seeds == (0, 0):  # kernels read (0, 0) as "unseeded"; TF maps it to a fixed stream
        return 0, 2 ** 31 - 1
    return seeds


def seed_attrs(seed):
    """The `seed` and `seed2` attrs of a random op made with op seed `seed`."""
    graph_seed, op_seed = get_seed(seed)
    return {"seed": int(graph_seed or 0), "seed2": int(op_seed or 0)}
