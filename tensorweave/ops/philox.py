"""Philox4x32-10, vectorised in NumPy, keyed from a stateless op's seed as TensorFlow keys it,
and the conversions TensorFlow's stateless kernels apply to its 32-bit outputs.

A stateless op with seed (s0, s1) scrambles the seed into a key and a counter with one Philox
call; output group i (4 floats, 2 doubles, ...) is then Philox(counter + i, key). Uniform
floats take 23 (float32) or 52 (float64) random mantissa bits; normals use Box-Muller on pairs
of uniforms.
"""
import numpy as np

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_MASK = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)


def philox(counters, key):
    """Philox4x32-10 of counters [n, 4] (uint32 values) under key (k0, k1): [n, 4] uint32."""
    c = [counters[:, i].astype(np.uint64) for i in range(4)]
    k0, k1 = int(key[0]), int(key[1])
    for round_ in range(10):
        p0, p1 = _M0 * c[0], _M1 * c[2]
        c = [((p1 >> _SHIFT) ^ c[1] ^ np.uint64(k0)) & _MASK, p1 & _MASK,
             ((p0 >> _SHIFT) ^ c[3] ^ np.uint64(k1)) & _MASK, p0 & _MASK]
        if round_ < 9:
            k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
    return np.stack(c, axis=1).astype(np.uint32)


def key_and_counter(seed):
    """TensorFlow's (key, counter) for a stateless op's seed [s0, s1] (int32 or int64)."""
    s0, s1 = (int(v) & 0xFFFFFFFFFFFFFFFF for v in np.asarray(seed).reshape(-1)[:2])
    counter = np.array([[s0 & 0xFFFFFFFF, s0 >> 32, s1 & 0xFFFFFFFF, s1 >> 32]], np.uint64)
    mix = philox(counter, (0x3EC8F720, 0x02461E29))[0]
    return (int(mix[0]), int(mix[1])), (0, 0, int(mix[2]), int(mix[3]))


def random_bits(seed, groups):
    """The first `groups` Philox outputs of the stream for `seed`: [groups, 4] uint32."""
    key, counter = key_and_counter(seed)
    low = np.uint64(counter[0]) + np.arange(groups, dtype=np.uint64)  # counter[0] is 0: no carry
    counters = np.empty((groups, 4), np.uint64)
    counters[:, 0] = low & _MASK
    counters[:, 1] = (np.uint64(counter[1]) + (low >> _SHIFT)) & _MASK
    counters[:, 2] = counter[2]
    counters[:, 3] = counter[3]
    return philox(counters, key)


def _float_bits(bits, dtype):
    """Uniform [0, 1) values of `dtype` from 32-bit words, TensorFlow's way."""
    if dtype == np.float16:
        half = (bits.astype(np.uint16) & np.uint16(0x3FF)) | np.uint16(0x3C00)
        return half.view(np.float16) - np.float16(1.0)
    if dtype == np.float32:
        return ((bits & np.uint32(0x7FFFFF)) | np.uint32(0x3F800000)).view(np.float32) - \
            np.float32(1.0)
    pairs = bits.reshape(-1, 2).astype(np.uint64)
    mantissa = ((pairs[:, 0] & np.uint64(0xFFFFF)) << _SHIFT) | pairs[:, 1]
    return (mantissa | np.uint64(1023 << 52)).view(np.float64) - 1.0


def uniform(seed, shape, dtype):
    """StatelessRandomUniform's values: [0, 1) of float16, float32 or float64."""
    dtype = np.dtype(dtype)
    size = int(np.prod(shape, dtype=np.int64))
    per_group = 2 if dtype == np.float64 else 4
    groups = -(-size // per_group)
    values = _float_bits(random_bits(seed, groups).reshape(-1), dtype.type)
    return values[:size].reshape(shape)


def normal(seed, shape, dtype):
    """StatelessRandomNormal's values: Box-Muller on the uniform stream."""
    dtype = np.dtype(dtype)
    size = int(np.prod(shape, dtype=np.int64))
    if dtype == np.float64:
        groups = -(-size // 2)
        u = _float_bits(random_bits(seed, groups).reshape(-1), np.float64).reshape(-1, 2)
        u1 = np.maximum(u[:, 0], 1.0e-7)
        radius, angle = np.sqrt(-2.0 * np.log(u1)), 2.0 * np.pi * u[:, 1]
    else:
        groups = -(-size // 4)
        u = _float_bits(random_bits(seed, groups).reshape(-1), np.float32).reshape(-1, 2)
        u1 = np.maximum(u[:, 0], np.float32(1.0e-7))
        # TensorFlow takes log, sin and cos in float32 (Eigen's); correctly rounded ones
        # agree with them to within 2 units in the last place
        log = np.log(u1.astype(np.float64)).astype(np.float32)
        radius = np.sqrt(np.float32(-2.0) * log)
        angle = (np.float32(2.0 * np.pi) * u[:, 1]).astype(np.float64)
        sin, cos = np.sin(angle).astype(np.float32), np.cos(angle).astype(np.float32)
        pairs = np.stack([sin * radius, cos * radius], axis=1).reshape(-1)
        return pairs[:size].astype(dtype).reshape(shape)
    pairs = np.stack([np.sin(angle) * radius, np.cos(angle) * radius], axis=1).reshape(-1)
    return pairs[:size].astype(dtype).reshape(shape)


def uniform_int(seed, shape, low, high, dtype):
    """StatelessRandomUniformInt's values in [low, high): low + bits mod (high - low)."""
    dtype = np.dtype(dtype)
    size = int(np.prod(shape, dtype=np.int64))
    span = int(high) - int(low)
    if dtype.itemsize <= 4:
        bits = random_bits(seed, -(-size // 4)).reshape(-1)[:size].astype(np.uint64)
    else:
        pairs = random_bits(seed, -(-size // 2)).reshape(-1, 2).astype(np.uint64)
        bits = (pairs[:, 0] | (pairs[:, 1] << _SHIFT))[:size]
    offsets = bits % np.uint64(span)
    return (int(low) + offsets.astype(np.int64)).astype(dtype).reshape(shape)


def full_int(seed, shape, dtype):
    """StatelessRandomUniformFullInt's values: every bit random (two words per 64-bit value)."""
    dtype = np.dtype(dtype)
    size = int(np.prod(shape, dtype=np.int64))
    if dtype.itemsize <= 4:
        words = random_bits(seed, -(-size // 4)).reshape(-1)[:size]
        return words.view(np.int32 if dtype.kind == "i" else np.uint32).astype(dtype).reshape(
            shape)
    pairs = random_bits(seed, -(-size // 2)).reshape(-1, 2).astype(np.uint64)
    values = (pairs[:, 0] | (pairs[:, 1] << _SHIFT))[:size]
    return values.view(np.int64 if dtype.kind == "i" else np.uint64).astype(dtype).reshape(shape)


def generator(seed):
    """A NumPy Generator on the Philox stream of `seed`, for draws that need more than a fixed
    number of words per value (gamma, poisson, binomial, truncated normals, categorical)."""
    key, counter = key_and_counter(seed)
    return np.random.Generator(np.random.Philox(
        key=[key[0] | (key[1] << 32), 0],
        counter=[counter[2] | (counter[3] << 32), 0, 0, 0]))
