"""Index checks the gather/scatter kernels share: positions of indices in a tensor's shape,
with TensorFlow's InvalidArgumentError naming the first bad index."""
import numpy as np

from tensorweave.core import errors


def shape_text(dims):
    """A shape as TensorFlow's kernels print it: [2,3]."""
    return "[" + ",".join(str(d) for d in dims) + "]"


def row_positions(indices, rows):
    """`indices` (any shape) as positions along a dimension of `rows` entries, checked."""
    flat = indices.reshape(-1)
    bad = np.nonzero((flat < 0) | (flat >= rows))[0]
    if bad.size:
        i = int(bad[0])
        raise errors.InvalidArgumentError(
            None, None, f"indices[{i}] = {flat[i]} is not in [0, {rows})")
    return indices


def nd_positions(indices, shape, into="shape"):
    """The index arrays (one per indexed dimension) of n-d `indices` into `shape` (the last
    dimension of indices holds a position), checked; an empty tuple when that dimension is 0."""
    depth = indices.shape[-1]
    if depth > len(shape):
        raise errors.InvalidArgumentError(
            None, None, f"indices.shape[-1] must be <= {len(shape)} (the rank of the indexed "
            f"tensor), got indices of shape {shape_text(indices.shape)}")
    if depth == 0:
        return ()
    rows = indices.reshape(-1, depth)
    bad = np.nonzero(((rows < 0) | (rows >= np.asarray(shape[:depth], np.int64))).any(1))[0]
    if bad.size:
        i = int(bad[0])
        raise errors.InvalidArgumentError(
            None, None, f"indices[{i}] = [{', '.join(str(v) for v in rows[i].tolist())}] "
            f"does not index into {into} {shape_text(shape)}")
    return tuple(indices[..., k] for k in range(depth))


def check_nd_updates(op_type, indices, updates, shape):
    """updates.shape must be indices.shape[:-1] + shape[indices.shape[-1]:]."""
    expected = indices.shape[:-1] + tuple(shape[indices.shape[-1]:])
    if updates.shape != expected:
        raise errors.InvalidArgumentError(
            None, None, f"{op_type}: updates.shape {shape_text(updates.shape)} must be "
            f"indices.shape[:-1] + shape[indices.shape[-1]:] = {shape_text(expected)}")


def truncating_divide(x, y):
    """x / y rounded toward zero for integers (C's division, as TensorFlow's kernels do)."""
    if np.issubdtype(x.dtype, np.integer):
        q = np.abs(x) // np.abs(y)
        return np.where((x < 0) != (y < 0), -q, q).astype(x.dtype)
    return x / y


def scatter_into(out, positions, updates, combine=None):
    """Writes `updates` into `out` in place at `positions` (from nd_positions or row
    positions): combine=None assigns, else a ufunc (np.add, ...) applied once per index, so
    duplicates accumulate. Empty positions (n-d indices of depth 0) address `out` whole."""
    if isinstance(positions, tuple) and not positions:
        for row in updates.reshape((-1,) + out.shape):
            out[...] = row if combine is None else combine(out, row)
    elif combine is None:
        out[positions] = updates
    else:
        combine.at(out, positions, updates)
    return out
