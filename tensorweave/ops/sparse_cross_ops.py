"""Feature crosses (TF 1.15's SparseCross, and SparseCrossV2 with a separator input): for each
batch row, every combination of one value from each input (SparseTensors or dense [batch, k]
matrices of int64 or strings), joined as "a_X_b" strings or hashed to int64.

    a = tf.SparseTensor([[0, 0], [0, 1]], ["a", "b"], [1, 2])
    tf.sparse.cross([a, tf.constant([["x"]])])      # values [b"a_X_x", b"b_X_x"]
"""
import itertools

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.sparse_tensor import SparseTensor, SparseTensorValue
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array
from tensorweave.ops.sparse_common import as_sparse_tensor, check_components, check_rank, invalid
from tensorweave.ops.string_hash import fingerprint64

__all__ = []  # tf.sparse.cross and cross_hashed only (tensorweave/sparse.py)

DEFAULT_HASH_KEY = 0xDECAFCAFFE  # TF's default hash_key for hashed crosses
_MASK = (1 << 64) - 1
_MUL = 0xC6A4A7935BD1E995


def _shift_mix(value):
    return value ^ (value >> 47)


def fingerprint_cat64(fp1, fp2):
    """TF's FingerprintCat64: two 64-bit fingerprints combined into one."""
    result = fp1 ^ _MUL
    result ^= (_shift_mix((fp2 * _MUL) & _MASK) * _MUL) & _MASK
    result = (result * _MUL) & _MASK
    result = (_shift_mix(result) * _MUL) & _MASK
    return _shift_mix(result)


def _cross_shape(op_type, has_separator):
    def shape(*inputs, N, hashed_output=False, num_buckets=0, hash_key=0,
              out_type=dtypes.string, internal_type=dtypes.string):
        inputs = inputs[:-1] if has_separator else inputs
        if len(inputs) < 3 * N:
            raise ValueError(f"{op_type} requires 3 * N sparse inputs, got {len(inputs)} for "
                             f"N={N}")
        for i in range(N):
            check_components(op_type, inputs[i], inputs[N + i], inputs[2 * N + i])
        for t in inputs[N:2 * N] + inputs[3 * N:]:
            if t.dtype not in (dtypes.int64, dtypes.string):
                raise TypeError(f"{op_type} requires int64 or string features, got "
                                f"{t.dtype.name}")
        for t in inputs[3 * N:]:
            check_rank(op_type, t, 2, "dense_inputs")
        value_type = dtypes.int64 if hashed_output else dtypes.string
        return [(dtypes.int64, TensorShape([None, 2])), (value_type, TensorShape([None])),
                (dtypes.int64, TensorShape([2]))]
    return shape


def _feature_text(value):
    return value if isinstance(value, bytes) else str(int(value)).encode()


def _feature_hash(value):
    return fingerprint64(value) if isinstance(value, bytes) else int(value) & _MASK


def _columns(inputs, n):
    """Per input, the list of feature values of each batch row; and the batch size."""
    indices, values, shapes, dense = inputs[:n], inputs[n:2 * n], inputs[2 * n:3 * n], \
        inputs[3 * n:]
    batch = None
    for size in [int(s[0]) for s in shapes] + [d.shape[0] for d in dense]:
        if batch is not None and size != batch:
            raise invalid(f"Expected batch size {batch} got {size}")
        batch = size
    columns = []
    for ind, val in zip(indices, values):
        rows = [[] for _ in range(batch or 0)]
        for row, value in zip(ind[:, 0].tolist(), val.tolist()):
            if not 0 <= row < batch:
                raise invalid(f"Invalid index: row {row} is outside the batch of {batch}")
            rows[row].append(value)
        columns.append(rows)
    for d in dense:
        columns.append([list(row) for row in d.tolist()])
    return columns, batch or 0


def _cross_kernel(has_separator):
    def kernel(*inputs, N, hashed_output=False, num_buckets=0, hash_key=0,
               out_type=dtypes.string, internal_type=dtypes.string):
        separator = b"_X_"
        if has_separator:
            separator, inputs = _feature_text(inputs[-1].item()), inputs[:-1]
        columns, batch = _columns(inputs, N)
        out_indices, out_values, width = [], [], 0
        for b in range(batch):
            crosses = list(itertools.product(*[c[b] for c in columns])) if columns else []
            for k, cross in enumerate(crosses):
                out_indices.append((b, k))
                if hashed_output:
                    h = hash_key & _MASK
                    for feature in cross:
                        h = fingerprint_cat64(h, _feature_hash(feature))
                    out_values.append(h % num_buckets if num_buckets > 0 else
                                      h % ((1 << 63) - 1))
                else:
                    out_values.append(separator.join(_feature_text(f) for f in cross))
            width = max(width, len(crosses))
        values = np.array(out_values, np.int64) if hashed_output else \
            np.array(out_values + [b""], object)[:len(out_values)]
        return (np.array(out_indices, np.int64).reshape(-1, 2), values,
                np.array([batch, width], np.int64))
    return kernel


register_op("SparseCross", shape=_cross_shape("SparseCross", False),
            kernel=_cross_kernel(False), grad=NOT_DIFFERENTIABLE)
register_op("SparseCrossV2", shape=_cross_shape("SparseCrossV2", True),
            kernel=_cross_kernel(True), grad=NOT_DIFFERENTIABLE)


def _cross_inputs(inputs):
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("Inputs must be a list")
    if not all(isinstance(i, (SparseTensor, SparseTensorValue, Tensor)) for i in inputs):
        raise TypeError("All inputs must be SparseTensors")
    sparse = [as_sparse_tensor(i) for i in inputs if not isinstance(i, Tensor)]
    dense = [i for i in inputs if isinstance(i, Tensor)]
    internal = dtypes.string if any(t.dtype is dtypes.string for t in
                                    [s.values for s in sparse] + dense) else dtypes.int64
    for i, s in enumerate(sparse):
        if s.dtype is dtypes.int32:
            sparse[i] = SparseTensor(s.indices, array.cast(s.values, dtypes.int64),
                                     s.dense_shape)
    dense = [array.cast(d, dtypes.int64) if d.dtype is dtypes.int32 else d for d in dense]
    return ([s.indices for s in sparse] + [s.values for s in sparse] +
            [s.dense_shape for s in sparse] + dense), len(sparse), internal


def sparse_cross(inputs, name=None, separator=None):
    """The string crosses of `inputs` (SparseTensors or dense [batch, k] Tensors), one row per
    batch row: every combination joined with `separator` (default "_X_")."""
    flat, n, internal = _cross_inputs(inputs)
    if separator is None:
        return SparseTensor(*create_op("SparseCross", flat, name=name or "SparseCross", N=n,
                                       hashed_output=False, num_buckets=0, hash_key=0,
                                       out_type=dtypes.string,
                                       internal_type=internal).outputs)
    with name_scope(name, "SparseCrossV2", flat) as scope:
        sep = convert_to_tensor(separator, dtype=dtypes.string, name="sep")
        return SparseTensor(*create_op("SparseCrossV2", flat + [sep], name=scope,
                                       N=n).outputs)


def sparse_cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """The crosses of `inputs` hashed to int64 (TF's FingerprintCat64 chain from `hash_key`),
    modulo `num_buckets` when it is positive."""
    flat, n, internal = _cross_inputs(inputs)
    return SparseTensor(*create_op("SparseCross", flat, name=name or "SparseCross", N=n,
                                   hashed_output=True, num_buckets=int(num_buckets),
                                   hash_key=int(DEFAULT_HASH_KEY if hash_key is None
                                                else hash_key),
                                   out_type=dtypes.int64, internal_type=internal).outputs)
