"""The ops under tf.feature_column: bucketizing, hashing, vocabulary lookup and crosses.

tensorweave has no SparseTensor, so categorical ids travel as dense int64 tensors of shape
[batch, k] in which -1 marks a missing value (TF drops those entries from its SparseTensor).
Raw inputs mark missing values as TF's dense-to-sparse conversion does: b"" for strings and
-1 for integers. Hashes are FarmHash Fingerprint64, so bucket assignments match TensorFlow's.

    ids = categorical_hash(tf.constant([["a", ""]]), num_buckets=10)   # [[h("a") % 10, -1]]
"""
import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape

_MASK = (1 << 64) - 1
_K0 = 0xc3a5c85c97cb3127
_K1 = 0xb492b66fbe98f273
_K2 = 0x9ae16a3b2f90404f


# --- FarmHash Fingerprint64 (farmhashna::Hash64), on Python ints modulo 2**64 -----------------
def _word(s, i):
    return int.from_bytes(s[i:i + 8], "little")


def _half(s, i):
    return int.from_bytes(s[i:i + 4], "little")


def _rot(v, shift):
    return ((v >> shift) | (v << (64 - shift))) & _MASK if shift else v


def _shift_mix(v):
    return v ^ (v >> 47)


def _len16(u, v, mul):
    a = ((u ^ v) * mul) & _MASK
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK
    b ^= b >> 47
    return (b * mul) & _MASK


def _short(s):
    n = len(s)
    if n >= 8:
        mul = _K2 + n * 2
        a = (_word(s, 0) + _K2) & _MASK
        b = _word(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _MASK
        d = ((_rot(a, 25) + b) * mul) & _MASK
        return _len16(c, d, mul)
    if n >= 4:
        return _len16((n + (_half(s, 0) << 3)) & _MASK, _half(s, n - 4), _K2 + n * 2)
    if n:
        y = (s[0] + (s[n >> 1] << 8)) & 0xffffffff
        z = (n + (s[n - 1] << 2)) & 0xffffffff
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _MASK) * _K2) & _MASK
    return _K2


def _mix17(s, n, mul, k):
    """The first mixing round shared by 17..64-byte inputs: (a, then two words for _len16)."""
    a = (_word(s, 0) * k) & _MASK
    b = _word(s, 8)
    c = (_word(s, n - 8) * mul) & _MASK
    d = (_word(s, n - 16) * _K2) & _MASK
    return a, (_rot((a + b) & _MASK, 43) + _rot(c, 30) + d) & _MASK, \
        (a + _rot((b + _K2) & _MASK, 18) + c) & _MASK


def _medium(s):
    mul = _K2 + len(s) * 2
    _, u, v = _mix17(s, len(s), mul, _K1)
    return _len16(u, v, mul)


def _upto64(s):
    n = len(s)
    mul = _K2 + n * 2
    a, y, v = _mix17(s, n, mul, _K2)
    z = _len16(y, v, mul)
    e = (_word(s, 16) * mul) & _MASK
    f = _word(s, 24)
    g = ((y + _word(s, n - 32)) * mul) & _MASK
    h = ((z + _word(s, n - 24)) * mul) & _MASK
    return _len16((_rot((e + f) & _MASK, 43) + _rot(g, 30) + h) & _MASK,
                  (e + _rot((f + a) & _MASK, 18) + g) & _MASK, mul)


def _weak32(s, i, a, b):
    w, x, y, z = _word(s, i), _word(s, i + 8), _word(s, i + 16), _word(s, i + 24)
    a = (a + w) & _MASK
    b = _rot((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _rot(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def _long(s):
    n = len(s)
    x, y = 81, (81 * _K1 + 113) & _MASK
    z = (_shift_mix((y * _K2 + 113) & _MASK) * _K2) & _MASK
    v, w = (0, 0), (0, 0)
    x = (x * _K2 + _word(s, 0)) & _MASK
    last = ((n - 1) // 64) * 64 + ((n - 1) & 63) - 63
    for i in range(0, ((n - 1) // 64) * 64, 64):
        x = (_rot((x + y + v[0] + _word(s, i + 8)) & _MASK, 37) * _K1) & _MASK
        y = (_rot((y + v[1] + _word(s, i + 48)) & _MASK, 42) * _K1) & _MASK
        x ^= w[1]
        y = (y + v[0] + _word(s, i + 40)) & _MASK
        z = (_rot((z + w[0]) & _MASK, 33) * _K1) & _MASK
        v = _weak32(s, i, (v[1] * _K1) & _MASK, (x + w[0]) & _MASK)
        w = _weak32(s, i + 32, (z + w[1]) & _MASK, (y + _word(s, i + 16)) & _MASK)
        z, x = x, z
    mul = _K1 + ((z & 0xff) << 1)
    w = ((w[0] + ((n - 1) & 63)) & _MASK, w[1])
    v = ((v[0] + w[0]) & _MASK, v[1])
    w = ((w[0] + v[0]) & _MASK, w[1])
    x = (_rot((x + y + v[0] + _word(s, last + 8)) & _MASK, 37) * mul) & _MASK
    y = (_rot((y + v[1] + _word(s, last + 48)) & _MASK, 42) * mul) & _MASK
    x ^= (w[1] * 9) & _MASK
    y = (y + v[0] * 9 + _word(s, last + 40)) & _MASK
    z = (_rot((z + w[0]) & _MASK, 33) * mul) & _MASK
    v = _weak32(s, last, (v[1] * mul) & _MASK, (x + w[0]) & _MASK)
    w = _weak32(s, last + 32, (z + w[1]) & _MASK, (y + _word(s, last + 16)) & _MASK)
    z, x = x, z
    return _len16((_len16(v[0], w[0], mul) + _shift_mix(y) * _K0 + z) & _MASK,
                  (_len16(v[1], w[1], mul) + x) & _MASK, mul)


def fingerprint64(data):
    """FarmHash Fingerprint64 of `data` (bytes or str) as an unsigned Python int."""
    s = data.encode() if isinstance(data, str) else bytes(data)
    if len(s) <= 16:
        return _short(s)
    if len(s) <= 32:
        return _medium(s)
    return _upto64(s) if len(s) <= 64 else _long(s)


def fingerprint_cat64(fp1, fp2):
    """Combines two fingerprints as TF's sparse crosses do (FingerprintCat64)."""
    mul = 0xc6a4a7935bd1e995
    result = fp1 ^ mul
    result ^= (_shift_mix((fp2 * mul) & _MASK) * mul) & _MASK
    result = (result * mul) & _MASK
    result = (_shift_mix(result) * mul) & _MASK
    return _shift_mix(result)


# --- shared checks -----------------------------------------------------------------------------
def _require(op_type, x, kinds, what):
    if x.dtype.as_numpy_dtype is not object and np.dtype(x.dtype.as_numpy_dtype).kind in kinds:
        return
    if x.dtype is dtypes.string and "S" in kinds:
        return
    raise TypeError(f"{op_type} requires {what} input, got {x.dtype.name}")


def _ids_shape(op_type, kinds, what):
    def shape(x, **_):
        _require(op_type, x, kinds, what)
        return [(dtypes.int64, x.shape)]
    return shape


def _missing(values):
    """Where a raw categorical input has no value (b"" for strings, -1 for integers)."""
    if values.dtype == object:
        return np.array([v in (b"", "") for v in values.ravel()], bool).reshape(values.shape)
    return values == -1


def _as_bytes(v):
    if isinstance(v, bytes):
        return v
    return v.encode() if isinstance(v, str) else str(int(v)).encode()


# --- Bucketize (TF's op) -----------------------------------------------------------------------
def _bucketize_kernel(x, *, boundaries):
    return np.searchsorted(np.asarray(boundaries, np.float64), x, side="right").astype(np.int32)


def _bucketize_shape(x, *, boundaries):
    _require("Bucketize", x, "iuf", "a numeric")
    return [(dtypes.int32, x.shape)]


register_op("Bucketize", shape=_bucketize_shape, kernel=_bucketize_kernel,
            grad=NOT_DIFFERENTIABLE)


def bucketize(x, boundaries, name=None):
    """Index of the bucket of each value: the number of `boundaries` <= x (int32)."""
    return create_op("Bucketize", [convert_to_tensor(x)], name=name or "Bucketize",
                     boundaries=tuple(float(b) for b in boundaries)).outputs[0]


# --- hashing and vocabulary lookup ---------------------------------------------------------------
def _hash_kernel(x, *, num_buckets):
    out = np.array([fingerprint64(_as_bytes(v)) % num_buckets for v in x.ravel()], np.int64)
    return np.where(_missing(x), -1, out.reshape(x.shape))


register_op("CategoricalHash", shape=_ids_shape("CategoricalHash", "iuS", "a string or integer"),
            kernel=_hash_kernel, grad=NOT_DIFFERENTIABLE)


def categorical_hash(x, num_buckets, name=None):
    """Fingerprint64(value) % num_buckets (integers hashed as their decimal string, as TF's
    as_string + string_to_hash_bucket_fast); -1 where the value is missing."""
    return create_op("CategoricalHash", [convert_to_tensor(x)], name=name or "CategoricalHash",
                     num_buckets=int(num_buckets)).outputs[0]


def _vocabulary_kernel(x, *, vocabulary, num_oov_buckets, default_value):
    index = {_as_bytes(v): i for i, v in enumerate(vocabulary)}
    size = len(vocabulary)
    flat = []
    for v in x.ravel():
        key = _as_bytes(v)
        if key in index:
            flat.append(index[key])
        elif num_oov_buckets:
            flat.append(size + fingerprint64(key) % num_oov_buckets)
        else:
            flat.append(default_value)
    out = np.array(flat, np.int64).reshape(x.shape)
    return np.where(_missing(x), -1, out)


register_op("CategoricalVocabulary",
            shape=_ids_shape("CategoricalVocabulary", "iuS", "a string or integer"),
            kernel=_vocabulary_kernel, grad=NOT_DIFFERENTIABLE)


def categorical_vocabulary(x, vocabulary, num_oov_buckets=0, default_value=-1, name=None):
    """Position of each value in `vocabulary`; out-of-vocabulary values go to one of
    `num_oov_buckets` hash buckets after the vocabulary, or to `default_value`; -1 where the
    value is missing."""
    return create_op("CategoricalVocabulary", [convert_to_tensor(x)],
                     name=name or "CategoricalVocabulary",
                     vocabulary=tuple(_as_bytes(v) for v in vocabulary),
                     num_oov_buckets=int(num_oov_buckets),
                     default_value=int(default_value)).outputs[0]


def _identity_kernel(x, *, num_buckets, default_value):
    missing = x == -1
    outside = ~missing & ((x < 0) | (x >= num_buckets))
    if outside.any() and default_value is None:
        bad = x[outside].ravel()[0]
        raise errors.InvalidArgumentError(
            None, None, f"Ids must be in [0, {num_buckets}) (or -1 for missing), got {bad}")
    ids = np.where(outside, -1 if default_value is None else default_value, x)
    return np.where(missing, -1, ids).astype(np.int64)


register_op("CategoricalIdentity", shape=_ids_shape("CategoricalIdentity", "iu", "an integer"),
            kernel=_identity_kernel, grad=NOT_DIFFERENTIABLE)


def categorical_identity(x, num_buckets, default_value=None, name=None):
    """Integer values used as ids; values outside [0, num_buckets) become `default_value`, or
    fail with InvalidArgumentError when it is None; -1 stays missing."""
    return create_op("CategoricalIdentity", [convert_to_tensor(x)],
                     name=name or "CategoricalIdentity", num_buckets=int(num_buckets),
                     default_value=default_value).outputs[0]


# --- crosses -------------------------------------------------------------------------------------
def _cross_shape(*inputs, num_buckets, hash_key, num_dense):
    width = 1
    batch = None
    for x in inputs:
        _require("HashedCross", x, "iuS", "string or integer")
        if x.shape.ndims is not None and x.shape.ndims != 2:
            raise ValueError(f"HashedCross requires inputs of rank 2, got shape {x.shape}")
        dims = x.shape.as_tuple() if x.shape.ndims is not None else (None, None)
        batch = batch if dims[0] is None else dims[0]
        width = None if width is None or dims[1] is None else width * dims[1]
    return [(dtypes.int64, TensorShape([batch, width]))]


def _feature_hash(v):
    """Strings enter a cross as their Fingerprint64, integers as themselves (as in TF)."""
    if isinstance(v, (bytes, str)):
        return fingerprint64(v)
    return int(v) & _MASK


def _cross_kernel(*inputs, num_buckets, hash_key, num_dense):
    batch = inputs[0].shape[0]
    if any(x.shape[0] != batch for x in inputs):
        raise errors.InvalidArgumentError(
            None, None, f"HashedCross requires inputs with one batch size, got "
            f"{[x.shape[0] for x in inputs]}")
    hashes = [np.vectorize(_feature_hash, otypes=[object])(x) if x.size else x
              for x in inputs]
    first_dense = len(inputs) - num_dense
    missing = [_missing(x) if i < first_dense else np.zeros(x.shape, bool)
               for i, x in enumerate(inputs)]
    rows = []
    for b in range(batch):
        crossed = [hash_key]
        for h, m in zip(hashes, missing):
            crossed = [None if c is None or gone else fingerprint_cat64(c, v)
                       for c in crossed for v, gone in zip(h[b], m[b])]
        rows.append([-1 if c is None else c % num_buckets for c in crossed])
    width = int(np.prod([x.shape[1] for x in inputs]))
    return np.array(rows, np.int64).reshape(batch, width)


register_op("HashedCross", shape=_cross_shape, kernel=_cross_kernel, grad=NOT_DIFFERENTIABLE)


def hashed_cross(ids, dense, num_buckets, hash_key, name=None):
    """Ids of every combination of one value per input (row by row), hashed as TF's
    sparse_cross_hashed: `ids` (categorical ids, -1 missing) come first, then `dense` raw
    features, in which no value counts as missing (TF crosses dense inputs whole); -1 where a
    combination involves a missing id."""
    inputs = [convert_to_tensor(x) for x in list(ids) + list(dense)]
    return create_op("HashedCross", inputs, name=name or "HashedCross",
                     num_buckets=int(num_buckets), hash_key=int(hash_key),
                     num_dense=len(dense)).outputs[0]
