"""tf.create_partitioned_variables (TF 1.x, deprecated): a variable of `shape` made as separate
variables `<scope>/part_0`, `part_1`, ... cut along the one dimension `slicing` divides."""

from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.dtypes import float32
from tensorweave.ops import array
from tensorweave.variable_scope import get_variable, variable_scope

__all__ = ["create_partitioned_variables"]


def _slices(shape, slicing):
    """[(offset, slice shape)] along the one partitioned axis, TF's sizes (first ones +1)."""
    axes = [i for i, n in enumerate(slicing) if n > 1]
    if len(axes) > 1:
        raise ValueError(f"Can only slice a variable along one dimension: shape: {shape}, "
                         f"partitioning: {slicing}")
    if not axes:
        return 0, [([0] * len(shape), list(shape))]
    axis = axes[0]
    count = slicing[axis]
    if count > shape[axis]:
        raise ValueError(f"Too many partitions for dimension {axis} of shape {shape}: "
                         f"{count}")
    base, extra = divmod(shape[axis], count)
    out, offset = [], 0
    for i in range(count):
        size = base + (1 if i < extra else 0)
        start = [0] * len(shape)
        start[axis] = offset
        piece = list(shape)
        piece[axis] = size
        out.append((start, piece))
        offset += size
    return axis, out


def create_partitioned_variables(shape, slicing, initializer, dtype=float32, trainable=True,
                                 collections=None, name=None, reuse=None):
    """The list of slice variables. `initializer`: a callable called per slice with the
    slice's shape (and dtype), or a value of the full shape, which is sliced."""
    shape, slicing = list(shape), list(slicing)
    if len(shape) != len(slicing):
        raise ValueError(f"The 'shape' and 'slicing' of a partitioned Variable must have the "
                         f"length: shape: {shape}, slicing: {slicing}")
    if len(shape) < 1:
        raise ValueError(f"A partitioned Variable must have rank at least 1: shape: {shape}")
    _, pieces = _slices(shape, slicing)
    out = []
    with variable_scope(name, "PartitionedVariable", reuse=reuse):
        full = None if callable(initializer) else convert_to_tensor(initializer, dtype=dtype)
        for i, (start, piece) in enumerate(pieces):
            if full is None:
                init = initializer
                var = get_variable(f"part_{i}", shape=piece, dtype=dtype, initializer=init,
                                   trainable=trainable, collections=collections)
            else:
                value = array.slice_(full, start, piece)
                var = get_variable(f"part_{i}", dtype=dtype, initializer=value,
                                   trainable=trainable, collections=collections)
            out.append(var)
    return out


