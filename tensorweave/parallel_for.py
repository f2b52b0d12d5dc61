"""tf.vectorized_map: TF 1.15 falls back to a while loop where it cannot vectorize; tensorweave
always runs fn in a loop (tf.map_fn), with the output structure found by tracing fn once."""
from tensorweave import nest
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import Graph
from tensorweave.nn.functional import map_fn
from tensorweave.ops.array import placeholder

__all__ = ["vectorized_map"]


def vectorized_map(fn, elems):
    """fn applied to each row of elems (a nested structure), stacked: like map_fn, but fn's
    output structure need not be given."""
    flat = [convert_to_tensor(e) for e in nest.flatten(elems)]
    structured = nest.pack_sequence_as(elems, flat)
    with Graph().as_default():  # trace fn once, elsewhere, to learn its outputs' dtypes
        rows = [placeholder(t.dtype, t.shape[1:]) for t in flat]
        out = fn(nest.pack_sequence_as(elems, rows))
        dtypes = nest.map_structure(lambda t: convert_to_tensor(t).dtype, out)
    return map_fn(fn, structured, dtype=dtypes)
