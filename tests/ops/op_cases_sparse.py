"""Op table rows for sparse ops (tensorweave/ops/sparse_ops.py)."""
import numpy as np

from op_case import Case, ints, rand


def _scatter(indices, shape, values, default):
    out = np.full(tuple(shape), default, dtype=values.dtype)
    out[tuple(np.asarray(indices).T)] = values
    return out


_INDICES = np.array([[0, 1], [1, 0], [2, 3]], np.int64)

CASES = [
    Case("SparseToDense", [_INDICES, ints(3, 4, dtype=np.int64), rand(3), np.float64(0.5)],
         _scatter, attrs={"validate_indices": True}),
    Case("SparseToDense", [ints(0, 2, dtype=np.int32), ints(4), rand(2), np.float64(-1.0)],
         lambda i, s, v, d: _scatter(i[:, None], s, v, d), attrs={"validate_indices": False},
         tag="vector_indices"),
]
