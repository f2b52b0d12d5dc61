"""Helpers every op family uses: an op's outputs, axis checks, the one-dtype-one-shape rule."""


def one(op):
    """The single output of `op` (what an op function returns for a one-output op)."""
    return op.outputs[0]


def outputs(parts):
    """A kernel's result for a variable number of outputs: a tuple, or the array if just one."""
    parts = tuple(parts)
    return parts if len(parts) != 1 else parts[0]


def same_as_input(x, **_):
    """A shape rule: one output of the first input's dtype and shape."""
    return [(x.dtype, x.shape)]


def identity_kernel(x, **_):
    """A kernel that passes its input on (Identity, PlaceholderWithDefault)."""
    return x


def passthrough_grad(op, dy):
    """A gradient rule: the output's gradient is the input's."""
    return [dy]


def normalize_axis(axis, ndims, op_type):
    """`axis` in [0, ndims) for a rank-`ndims` operand (unchanged when the rank is unknown);
    ValueError naming `op_type` when it is out of range."""
    if ndims is None:
        return axis
    if not -ndims <= axis < ndims:
        raise ValueError(f"{op_type} requires axis in [{-ndims}, {ndims}), got {axis}")
    return axis % ndims


def same_dtype_and_shape(op_type, tensors,
                         shape_error="{op_type} requires inputs of one shape, got {a} and {b}"):
    """The dtype and merged shape of `tensors`, which must share one dtype (TypeError) and have
    compatible shapes (ValueError, `shape_error` formatted with op_type, a and b)."""
    dtype, merged = tensors[0].dtype, tensors[0].shape
    for t in tensors[1:]:
        if t.dtype is not dtype:
            raise TypeError(f"{op_type} requires inputs of one dtype, got {dtype.name} and "
                            f"{t.dtype.name}")
        if not merged.is_compatible_with(t.shape):
            raise ValueError(shape_error.format(op_type=op_type, a=merged, b=t.shape))
        merged = merged.merge_with(t.shape)
    return dtype, merged


# --- row-wise rules (registry facet row_wise): ops run on a chunk of stacked elements ---------
def elementwise_rows(op, batched):
    """Broadcasting ops run row-wise when the batched inputs have the output's rank and the
    others no more than it (so broadcasting never reaches the row dimension)."""
    rank = op.outputs[0].shape.ndims
    if rank is None:
        return None
    for t, rows in zip(op.inputs, batched):
        r = t.shape.ndims
        if r is None or (r != rank if rows else r > rank):
            return None
    return {}


def first_input_rows(op, batched):
    """Ops that work row by row on their first input when the others are not batched."""
    return None if any(batched[1:]) else {}


def axis_after_rows(op, batched):
    """Ops with an `axis` attr that counts the row dimension once batched (its other inputs
    not batched)."""
    if any(batched[1:]):
        return None
    axis = op.attrs["axis"]
    return {"attrs": {"axis": axis + 1 if axis >= 0 else axis}}
