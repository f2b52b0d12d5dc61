"""Philox4x32-10, vectorised in NumPy, and TensorFlow's conversions of its 32-bit outputs.

A stream is a key and a 128-bit counter; call i of the stream is Philox(counter + i, key) (four
32-bit words). Stateful ops (seed, seed2) key their stream as TensorFlow's GuardedPhiloxRandom:
key = seed, counter = seed2 << 64, each run reserving a block of calls (`SeededStream`). A
stateless op's seed is scrambled into a key and counter with one Philox call
(`stateless_stream`). Uniform floats take 23 (float32) or 52 (float64) random mantissa bits;
normals use Box-Muller on pairs of uniforms.
"""
import math

import numpy as np

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_MASK = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
_M64 = (1 << 64) - 1
_M128 = (1 << 128) - 1
_TWO_PI = 2.0 * math.pi
_LITTLE = np.little_endian


def _rounds(c0, c1, c2, c3, key):
    """The ten Philox rounds on four arrays of 32-bit values: [n, 4] uint32. Each 64-bit
    product is read as its two 32-bit halves (a little-endian view), so no shifts or masks."""
    c0, c1, c2, c3 = (np.asarray(c, np.uint32) for c in (c0, c1, c2, c3))
    k0, k1 = int(key[0]), int(key[1])
    for round_ in range(10):
        p0 = np.multiply(c0, _M0, dtype=np.uint64).view(np.uint32).reshape(-1, 2)
        p1 = np.multiply(c2, _M1, dtype=np.uint64).view(np.uint32).reshape(-1, 2)
        if _LITTLE:
            lo0, hi0, lo1, hi1 = p0[:, 0], p0[:, 1], p1[:, 0], p1[:, 1]
        else:
            lo0, hi0, lo1, hi1 = p0[:, 1], p0[:, 0], p1[:, 1], p1[:, 0]
        new0 = np.bitwise_xor(hi1, c1)
        new0 ^= np.uint32(k0)
        new2 = np.bitwise_xor(hi0, c3)
        new2 ^= np.uint32(k1)
        c0, c1, c2, c3 = new0, lo1, new2, lo0
        if round_ < 9:
            k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
    out = np.empty((c0.shape[0], 4), np.uint32)
    out[:, 0], out[:, 1], out[:, 2], out[:, 3] = c0, c1, c2, c3
    return out


def philox(counters, key):
    """Philox4x32-10 of counters [n, 4] (uint32 values) under key (k0, k1): [n, 4] uint32."""
    return _rounds(*(counters[:, i] for i in range(4)), key)


class Stream:
    """A Philox key and 128-bit counter (a Python int); call i gives Philox(counter + i)."""

    def __init__(self, key, counter):
        self.key = (int(key[0]) & 0xFFFFFFFF, int(key[1]) & 0xFFFFFFFF)
        self.counter = int(counter) & _M128

    def skip(self, calls):
        """The stream `calls` calls further on."""
        return Stream(self.key, self.counter + int(calls))

    def calls(self, count, start=0):
        """Calls start .. start + count - 1: [count, 4] uint32."""
        return self.calls_at(np.arange(start, start + count, dtype=np.uint64))

    def calls_at(self, offsets):
        """The calls at `offsets` (uint64 array, relative to the counter): [n, 4] uint32."""
        low, high = self.counter & _M64, self.counter >> 64
        lo = np.uint64(low) + np.asarray(offsets, np.uint64)
        hi = np.uint64(high) + (lo < np.uint64(low)).astype(np.uint64)  # the carry
        return _rounds(lo & _MASK, lo >> _SHIFT, hi & _MASK, hi >> _SHIFT, self.key)

    def words(self, count, start=0):
        """`count` 32-bit words from word 4 * start on, as a flat uint32 array."""
        return self.calls(-(-count // 4), start).reshape(-1)[:count]


class SeededStream:
    """TensorFlow's GuardedPhiloxRandom for an op seeded (seed, seed2): key = seed,
    counter = seed2 << 64; each run reserves a block of calls and advances past it."""

    def __init__(self, seed, seed2):
        seed, seed2 = int(seed) & _M64, int(seed2) & _M64
        self.key = (seed & 0xFFFFFFFF, seed >> 32)
        self.counter = seed2 << 64

    def reserve(self, calls):
        """The stream at the current counter; the counter moves `calls` calls on."""
        stream = Stream(self.key, self.counter)
        self.counter = (self.counter + int(calls)) & _M128
        return stream

    def reserve_outputs(self, count, multiplier=256):
        """TF's ReserveRandomOutputs: count * multiplier calls."""
        return self.reserve(int(count) * multiplier)

    def reserve_words(self, count):
        """TF's ReserveSamples32: enough calls for `count` 32-bit words."""
        return self.reserve((int(count) + 3) // 4)


def stateless_stream(seed):
    """The stream of a stateless op's seed [s0, s1]."""
    key, counter = key_and_counter(seed)
    return Stream(key, counter[2] << 64 | counter[3] << 96)


def key_and_counter(seed):
    """TensorFlow's (key, counter) for a stateless op's seed [s0, s1] (int32 or int64)."""
    s0, s1 = (int(v) & 0xFFFFFFFFFFFFFFFF for v in np.asarray(seed).reshape(-1)[:2])
    counter = np.array([[s0 & 0xFFFFFFFF, s0 >> 32, s1 & 0xFFFFFFFF, s1 >> 32]], np.uint64)
    mix = philox(counter, (0x3EC8F720, 0x02461E29))[0]
    return (int(mix[0]), int(mix[1])), (0, 0, int(mix[2]), int(mix[3]))


def random_bits(seed, groups):
    """The first `groups` Philox outputs of the stream for `seed`: [groups, 4] uint32."""
    return stateless_stream(seed).calls(groups)


def _float_bits(bits, dtype):
    """Uniform [0, 1) values of `dtype` from 32-bit words, TensorFlow's way (float64 takes
    20 bits of the first word of a pair and all 32 of the second)."""
    if dtype == np.float16:
        half = (bits.astype(np.uint16) & np.uint16(0x3FF)) | np.uint16(0x3C00)
        return half.view(np.float16) - np.float16(1.0)
    if dtype == np.float32:
        return ((bits & np.uint32(0x7FFFFF)) | np.uint32(0x3F800000)).view(np.float32) - \
            np.float32(1.0)
    pairs = bits.reshape(-1, 2).astype(np.uint64)
    mantissa = ((pairs[:, 0] & np.uint64(0xFFFFF)) << _SHIFT) | pairs[:, 1]
    return (mantissa | np.uint64(1023 << 52)).view(np.float64) - 1.0


def uniform_doubles(high, low):
    """TF's Uint64ToDouble: [0, 1) doubles from 20 bits of `high` and 32 of `low` words."""
    mantissa = ((high.astype(np.uint64) & np.uint64(0xFFFFF)) << _SHIFT) | low.astype(np.uint64)
    return (mantissa | np.uint64(1023 << 52)).view(np.float64) - 1.0


def _size(shape):
    return int(np.prod(shape, dtype=np.int64))


def _exact(fn, x):
    """fn (a `math` function: the C library's, correctly rounded in practice) per element;
    NumPy's vectorised float64 transcendentals may differ from it in the last place."""
    return np.frompyfunc(fn, 1, 1)(x).astype(np.float64) if x.size else x.astype(np.float64)


def box_muller32(x0, x1):
    """TensorFlow's BoxMullerFloat on word arrays x0, x1: two float32 arrays. The angle is
    2 pi (double) times the float uniform, rounded to float; log, sin and cos are taken in
    float64 and rounded (TF's float32 libm calls agree with that to within 2 ulp)."""
    u1 = np.maximum(_float_bits(x0, np.float32), np.float32(1.0e-7))
    angle = (_TWO_PI * _float_bits(x1, np.float32).astype(np.float64)).astype(np.float32)
    radius = np.sqrt(np.float32(-2.0) * np.log(u1.astype(np.float64)).astype(np.float32))
    angle = angle.astype(np.float64)
    return np.sin(angle).astype(np.float32) * radius, np.cos(angle).astype(np.float32) * radius


def box_muller64(words):
    """TensorFlow's BoxMullerDouble on calls [n, 4]: two float64 arrays (exact)."""
    u = _float_bits(words.reshape(-1), np.float64).reshape(-1, 2)
    u1 = np.maximum(u[:, 0], 1.0e-7)
    angle = _TWO_PI * u[:, 1]
    radius = np.sqrt(-2.0 * _exact(math.log, u1))
    return _exact(math.sin, angle) * radius, _exact(math.cos, angle) * radius


def _per_call(dtype):
    return 2 if np.dtype(dtype).itemsize == 8 else 4


def uniform_from(stream, shape, dtype):
    """RandomUniform's values on `stream`: a call per 4 values (2 for float64)."""
    dtype = np.dtype(dtype)
    size = _size(shape)
    words = stream.calls(-(-size // _per_call(dtype))).reshape(-1)
    return _float_bits(words, dtype.type)[:size].reshape(shape)


def normal_from(stream, shape, dtype):
    """RandomStandardNormal's values on `stream`: Box-Muller, a call per 4 values (float16
    and float32, computed in float32) or 2 (float64)."""
    dtype = np.dtype(dtype)
    size = _size(shape)
    words = stream.calls(-(-size // _per_call(dtype)))
    if dtype == np.float64:
        first, second = box_muller64(words)
    else:
        pairs = words.reshape(-1, 2)
        first, second = box_muller32(pairs[:, 0], pairs[:, 1])
    values = np.stack([first, second], axis=1).reshape(-1)
    return values[:size].astype(dtype, copy=False).reshape(shape)


def truncated_normal_from(stream, shape, dtype):
    """TruncatedNormal's values on `stream`: output group g (4 values, 2 for float64) reads
    the calls from 256 * g on (128 * g for float64), keeping Box-Muller values of magnitude
    under 2 in order until the group is full."""
    dtype = np.dtype(dtype)
    size = _size(shape)
    per_group = _per_call(dtype)
    groups = -(-size // per_group)
    out = np.empty((groups, per_group), np.float64 if dtype == np.float64 else np.float32)
    filled = np.zeros(groups, np.int64)
    active = np.arange(groups, dtype=np.int64)
    call = 0
    while active.size:
        words = stream.calls_at(active.astype(np.uint64) * np.uint64(256 * per_group // 4) +
                                np.uint64(call))
        if dtype == np.float64:
            candidates = np.stack(box_muller64(words), axis=1)
        else:
            first, second = box_muller32(words[:, 0::2].reshape(-1), words[:, 1::2].reshape(-1))
            candidates = np.stack([first, second], axis=1).reshape(-1, 4)
        keep = np.abs(candidates) < 2.0
        slot = filled[active][:, None] + np.cumsum(keep, axis=1) - 1
        place = keep & (slot < per_group)
        rows = np.broadcast_to(active[:, None], place.shape)
        out[rows[place], slot[place]] = candidates[place]
        filled[active] = np.minimum(filled[active] + keep.sum(axis=1), per_group)
        active = active[filled[active] < per_group]
        call += 1
    return out.reshape(-1)[:size].astype(dtype, copy=False).reshape(shape)


def uniform_int_from(stream, shape, low, high, dtype):
    """RandomUniformInt's values in [low, high) on `stream`: low + bits mod (high - low), 32
    bits per int32 value, 64 (two words, low first) per int64 value."""
    dtype = np.dtype(dtype)
    size = _size(shape)
    bits_per = 8 * dtype.itemsize
    span = (int(high) - int(low)) % (1 << bits_per)
    if dtype.itemsize <= 4:
        bits = stream.words(size).astype(np.uint64)
    else:
        pairs = stream.calls(-(-size // 2)).reshape(-1, 2).astype(np.uint64)
        bits = (pairs[:, 0] | (pairs[:, 1] << _SHIFT))[:size]
    offsets = bits % np.uint64(span) if span else bits
    values = np.uint64(int(low) & _M64) + offsets  # wraps as TF's SignedAdd does
    return values.view(np.int64).astype(dtype).reshape(shape)


def full_int_from(stream, shape, dtype):
    """StatelessRandomUniformFullInt's values: every bit random (two words per 64-bit value)."""
    dtype = np.dtype(dtype)
    size = _size(shape)
    if dtype.itemsize <= 4:
        words = stream.words(size)
        return words.view(np.int32 if dtype.kind == "i" else np.uint32).astype(dtype).reshape(
            shape)
    pairs = stream.calls(-(-size // 2)).reshape(-1, 2).astype(np.uint64)
    values = (pairs[:, 0] | (pairs[:, 1] << _SHIFT))[:size]
    return values.view(np.int64 if dtype.kind == "i" else np.uint64).astype(dtype).reshape(shape)


def uniform(seed, shape, dtype):
    """StatelessRandomUniform's values: [0, 1) of float16, float32 or float64."""
    return uniform_from(stateless_stream(seed), shape, dtype)


def normal(seed, shape, dtype):
    """StatelessRandomNormal's values: Box-Muller on the uniform stream."""
    return normal_from(stateless_stream(seed), shape, dtype)


def truncated_normal(seed, shape, dtype):
    """StatelessTruncatedNormal's values."""
    return truncated_normal_from(stateless_stream(seed), shape, dtype)


def uniform_int(seed, shape, low, high, dtype):
    """StatelessRandomUniformInt's values in [low, high): low + bits mod (high - low)."""
    return uniform_int_from(stateless_stream(seed), shape, low, high, dtype)


def full_int(seed, shape, dtype):
    """StatelessRandomUniformFullInt's values: every bit random (two words per 64-bit value)."""
    return full_int_from(stateless_stream(seed), shape, dtype)


class Words:
    """A stream read a 32-bit word at a time (TF's SimplePhilox), 256 calls computed at once."""

    _CALLS = 256

    def __init__(self, stream):
        self._stream = stream
        self._next_call = 0
        self._words = []

    def next(self):
        if not self._words:
            block = self._stream.calls(self._CALLS, self._next_call)
            self._next_call += self._CALLS
            self._words = block.reshape(-1).tolist()[::-1]
        return self._words.pop()

    def next64(self):
        """Rand64: the low word first."""
        low = self.next()
        return low | (self.next() << 32)

    def double(self):
        """RandDouble: a uniform [0, 1) double from two words."""
        high = self.next() & 0xFFFFF
        return ((high << 32) | self.next()) / float(1 << 52)

    def float32(self):
        """RandFloat: a uniform [0, 1) float from one word."""
        return (self.next() & 0x7FFFFF) / float(1 << 23)

    def uniform(self, n, bits=32):
        """TF's ExactUniformInt: an unbiased value in [0, n) by rejection."""
        draw = self.next if bits == 32 else self.next64
        if n == 0:
            draw()
            return 0
        if n & (n - 1) == 0:
            return draw() & (n - 1)
        floor = ((1 << bits) - 1) % n + 1
        while True:
            value = draw()
            if value >= floor:
                return value % n


def generator(seed):
    """A NumPy Generator on the Philox stream of `seed`, for draws that need more than a fixed
    number of words per value (gamma, poisson, binomial, truncated normals, categorical)."""
    key, counter = key_and_counter(seed)
    return np.random.Generator(np.random.Philox(
        key=[key[0] | (key[1] << 32), 0],
        counter=[counter[2] | (counter[3] << 32), 0, 0, 0]))
