"""Random ops' draws computed in cache-sized blocks of Philox calls, shared with helper threads.

The rule: ops/philox.py computes every Philox call of a draw at once, ten rounds over arrays of
the whole draw's size, then converts the words to floats in further whole-size passes; for a
large draw each pass streams its arrays through memory. Here a draw runs BLOCK calls at a time,
from counters to finished floats, so every temporary stays in the CPU cache; above SHARED_ABOVE
calls the blocks are shared out between the running thread and the helper threads of
sliced_updates.py (NumPy releases the GIL inside each pass). Where randomgen is installed
(the `fast` extra), its C Philox4x32-10 computes the calls of blocks of ENGINE_FROM calls or
more, 2-3x faster than the ten rounds in NumPy; positioned at TensorFlow's key and counter, its
words are the same.

Box-Muller's sines and cosines (of a float32 angle, taken in float64 and rounded to float32
as the reference does) come from a table at 1024 steps round the circle and short Taylor
series of the rest, within 2**-48 (relative) of NumPy's float64 sin and cos; where rounding to
float32 could still go either way (the value within 2**12 float64 units of a midpoint between
two float32 values), the element is recomputed with NumPy's sin and cos. Every other step is
the reference's own arithmetic, so the draws are the reference's numbers, bit for bit (the
tests check all 2**23 angles and radii).
`benchmarks/random_ops.py` times the draws against NumPy's generator.

BLOCK, SHARED_ABOVE, ENGINE_FROM and sliced_updates.HELPERS are the knobs (read when a draw runs).
"""
import functools
import math
import threading

import numpy as np

from tensorweave.ops import philox
from tensorweave.runtime.accel import draws_ahead, sliced_updates, variants

BLOCK = 1 << 13  # Philox calls per block
SHARED_ABOVE = 1 << 16  # calls of a draw above which helper threads share the blocks
ENGINE_FROM = 1 << 8  # calls of a block from which randomgen computes them, where installed

_U32, _U64, _F32, _F64 = np.uint32, np.uint64, np.float32, np.float64
_MULTIPLIERS = np.array([[0xD2511F53], [0xCD9E8D57]], _U64)  # of words 0 and 2
_KEY_STEPS = (0x9E3779B9, 0xBB67AE85)
_LOW, _HIGH = (0, 1) if np.little_endian else (1, 0)  # a uint64's 32-bit halves


@functools.lru_cache(maxsize=None)
def philox_engine():
    """randomgen's Philox bit generator (Philox4x32-10 in C, TensorFlow's counter and key
    layout), or None where randomgen is not installed: the rounds then run in NumPy."""
    try:
        from randomgen import Philox
    except ImportError:
        return None
    return Philox


_engines = threading.local()  # each thread's generator, repositioned for every block


def engine_words(stream, start, count):
    """The words of calls start .. start + count - 1 of `stream` computed by randomgen: [4 count]
    uint64, one 32-bit word each, in the calls' order."""
    generator = getattr(_engines, "generator", None)
    if generator is None:
        generator = _engines.generator = philox_engine()(number=4, width=32, key=0)
        _engines.state = generator.state  # its layout; buffer_pos 4: no words left over
    counter = (stream.counter + start - 1) & ((1 << 128) - 1)  # it steps before each call
    state = _engines.state
    state["state"] = {"counter": np.array([counter >> s & 0xFFFFFFFF for s in (0, 32, 64, 96)],
                                          _U32),
                      "key": np.array(stream.key, _U32)}
    generator.state = state
    return generator.random_raw(4 * count)


def _engine_runs(count):
    return count >= ENGINE_FROM and philox_engine() is not None


@functools.lru_cache(maxsize=64)
def key_schedule(key):
    """The ten rounds' keys of Philox4x32-10, each as a [2, 1] uint32 column (k0, k1)."""
    k0, k1 = key
    schedule = []
    for _ in range(10):
        schedule.append(np.array([[k0], [k1]], _U32))
        k0, k1 = (k0 + _KEY_STEPS[0]) & 0xFFFFFFFF, (k1 + _KEY_STEPS[1]) & 0xFFFFFFFF
    return schedule


class Block:
    """Buffers for `size` Philox calls and their conversion, reused from block to block.

    After `run(..., n)`, `even` ([2, n] uint32) holds words 0 and 2 of each call and `odd`
    words 1 and 3, so that Box-Muller's pairs (word 0, word 1), (word 2, word 3) of call i
    are (even[j, i], odd[j, i])."""

    def __init__(self, size):
        self.size = size
        self._words = np.empty((2, 2 * size), _U32)
        self._products = [np.empty(2 * size, _U64) for _ in range(2)]
        self._views = {}  # n -> the product buffers' views for n calls
        self._counter = np.empty(size, _U64)
        self._floats = [np.empty(2 * size, _F64) for _ in range(7)]
        self.index = np.empty(2 * size, np.intp)
        self._singles = [np.empty(2 * size, _F32) for _ in range(2)]
        self.pair = np.empty((2, 2 * size), _F64)
        self.pair32 = np.empty((2, 2 * size), _F32)

    def words(self, n):
        """[2, 2n] uint32: `even` and `odd` of the last run, each flattened."""
        return self._words[:, :2 * n]

    def floats(self, n, i):
        """Float64 scratch array i of 2n elements."""
        return self._floats[i][:2 * n]

    def singles(self, n, i):
        """Float32 scratch array i of 2n elements."""
        return self._singles[i][:2 * n]

    def load(self, words):
        """The calls whose words (4 per call, in order) come from elsewhere, as run() leaves
        them."""
        n = words.shape[0] // 4
        self.even = self._words[0, :2 * n].reshape(2, n)
        self.odd = self._words[1, :2 * n].reshape(2, n)
        calls = words.reshape(n, 2, 2)  # calls[i, j] = words 2j and 2j + 1 of call i
        np.copyto(self.even, calls[:, :, 0].T, casting="unsafe")
        np.copyto(self.odd, calls[:, :, 1].T, casting="unsafe")

    def run(self, stream, offsets):
        """The calls of `stream` (philox.Stream) at `offsets` (uint64, n <= size)."""
        schedule = key_schedule(stream.key)
        low, high = stream.counter & ((1 << 64) - 1), stream.counter >> 64
        n = offsets.shape[0]
        self.even = even = self._words[0, :2 * n].reshape(2, n)
        self.odd = odd = self._words[1, :2 * n].reshape(2, n)
        counter = np.add(offsets, _U64(low), out=self._counter[:n])  # wraps modulo 2**64
        halves = counter.view(_U32).reshape(n, 2)
        even[0], odd[0] = halves[:, _LOW], halves[:, _HIGH]
        carried = counter < _U64(low)
        if carried.any():
            high_counter = (_U64(high) + carried.astype(_U64)).view(_U32).reshape(n, 2)
            even[1], odd[1] = high_counter[:, _LOW], high_counter[:, _HIGH]
        else:
            even[1], odd[1] = high & 0xFFFFFFFF, (high >> 32) & 0xFFFFFFFF
        self._rounds(schedule, n)

    def _rounds(self, schedule, n):
        """Ten rounds: `even` (words 0, 2) in place; words 1 and 3 are the low halves of the
        products of words 2 and 0, read from the product buffers."""
        even, odd = self.even, self.odd
        views = self._views.get(n)
        if views is None:
            views = self._views[n] = [_product_views(p, n) for p in self._products]
        multiply, xor = np.multiply, np.bitwise_xor
        for round_, key in enumerate(schedule):
            products, high, low = views[round_ & 1]
            multiply(even, _MULTIPLIERS, out=products)
            xor(high, odd, out=even)
            xor(even, key, out=even)
            odd = low
        self.odd[...] = odd


def _product_views(buffer, n):
    """A product buffer as [2, n] uint64 and the [2, n] high and low uint32 halves of the
    products of words 2 and 0 (the rows swapped)."""
    products = buffer[:2 * n].reshape(2, n)
    halves = products.view(_U32).reshape(2, n, 2)[::-1]
    return products, halves[:, :, _HIGH], halves[:, :, _LOW]


def _in_blocks(count, work, scratch=True):
    """Runs work(block, start, stop) over [0, count) in BLOCK-sized pieces, on this thread and,
    for more than SHARED_ABOVE calls, the helper threads; each thread has its own Block (None
    without `scratch`)."""
    size = min(BLOCK, max(count, 1))
    starts = range(0, count, size)

    def run(share):
        block = Block(size) if scratch else None
        for start in share:
            work(block, start, min(start + size, count))

    helpers = sliced_updates.helper_pool() if count > SHARED_ABOVE else None
    if helpers is None or len(starts) < 2:
        run(starts)
        return
    pool, threads = helpers
    bounds = [len(starts) * i // (threads + 1) for i in range(threads + 2)]
    shares = [starts[lo:hi] for lo, hi in zip(bounds, bounds[1:])]
    pending = [pool.submit(run, share) for share in shares[1:]]
    try:
        run(shares[0])
    finally:
        for done in pending:
            done.result()


def _calls(block, stream, start, stop):
    if _engine_runs(stop - start):
        block.load(engine_words(stream, start, stop - start))
    else:
        block.run(stream, np.arange(start, stop, dtype=_U64))


# --- uniform floats -------------------------------------------------------------------------
_MANTISSA = _U32(0x7FFFFF)
_ONE_BITS = _U32(0x3F800000)


def uniform_from(stream, shape, dtype):
    """philox.uniform_from's values (RandomUniform), in blocks."""
    dtype = np.dtype(dtype)
    if dtype != np.float32:
        return philox.uniform_from(stream, shape, dtype)
    size = math.prod(shape)
    calls = -(-size // 4)
    out = np.empty((calls, 2, 2), _F32)  # out[i, j] = values of words 2j, 2j + 1 of call i
    bits = out.view(_U32)

    def work(block, start, stop):
        n = stop - start
        here = bits[start:stop]
        if block is None:
            words = engine_words(stream, start, n).reshape(n, 2, 2)
            np.bitwise_and(words, _MANTISSA, out=here, casting="unsafe")
        else:
            _calls(block, stream, start, stop)
            # words[half, j, i] goes to here[i, j, half]; the loop runs in the words' order
            np.bitwise_and(block.words(n).reshape(2, 2, n), _MANTISSA,
                           out=here.transpose(2, 1, 0))
        np.bitwise_or(here, _ONE_BITS, out=here)
        floats = out[start:stop]
        np.subtract(floats, _F32(1.0), out=floats)

    _in_blocks(calls, work, scratch=not _engine_runs(min(calls, BLOCK)))
    return out.reshape(-1)[:size].reshape(shape)


# --- Box-Muller -----------------------------------------------------------------------------
_TWO_PI_STEP = 2.0 * math.pi / (1 << 23)  # the angle per unit of a uniform's 23 bits
_SMALLEST = float(np.float32(1.0e-7))
# sin and cos at multiples k * _STEP of an angle step near 2 pi / 1024 with 41 bits, so that
# k * _STEP is exact and so is angle - k * _STEP (both multiples of 2**-48, under 2**-7)
_STEP = math.ldexp(round(math.ldexp(2.0 * math.pi / 1024, 48)), -48)
_SINES = np.sin(np.arange(1026) * _STEP)
_COSINES = np.cos(np.arange(1026) * _STEP)
_ROUNDING_BITS = _U64((1 << 29) - 1)  # a float64's mantissa bits below a float32's
_DOUBT = 1 << 12  # float64 units around a rounding midpoint where the polynomial may err
_DOUBT_SHIFT = _U64((_DOUBT - (1 << 28)) % (1 << 29))


def _sin_cos(angle, block, n):
    """sin and cos of float64 `angle` (2n values in [0, 2 pi]) to within 2**-48 (relative):
    [2, 2n] float64 (block scratch). sin(k s + d) = sin(k s) cos(d) + cos(k s) sin(d), with
    the table's k s nearest the angle and short Taylor series of d (|d| < 0.0031)."""
    turns = np.multiply(angle, 1.0 / _STEP, out=block.floats(n, 2))
    np.rint(turns, out=turns)
    index = block.index[:2 * n]
    np.copyto(index, turns, casting="unsafe")
    turns *= _STEP
    rest = np.subtract(angle, turns, out=turns)  # exact
    table_sin = _SINES.take(index, out=block.floats(n, 5))
    table_cos = _COSINES.take(index, out=block.floats(n, 6))
    square = np.multiply(rest, rest, out=block.floats(n, 3))
    sin_rest = np.multiply(square, 1.0 / 120, out=block.floats(n, 4))
    sin_rest -= 1.0 / 6
    sin_rest *= square
    sin_rest += 1.0
    sin_rest *= rest
    cos_rest = np.multiply(square, 1.0 / 24, out=rest)
    cos_rest -= 0.5
    cos_rest *= square
    cos_rest += 1.0
    both = block.pair
    sin, cos = both[0, :2 * n], both[1, :2 * n]
    np.multiply(table_sin, cos_rest, out=sin)
    sin += np.multiply(table_cos, sin_rest, out=square)
    np.multiply(table_cos, cos_rest, out=cos)
    cos -= np.multiply(table_sin, sin_rest, out=square)
    return both[:, :2 * n]


def _doubtful(values):
    """Where rounding `values` (float64) to float32 could go either way: within _DOUBT units
    of the last place of a midpoint between two float32 values."""
    bits = np.add(values.view(_U64), _DOUBT_SHIFT)
    np.bitwise_and(bits, _ROUNDING_BITS, out=bits)
    return np.less(bits, _U64(2 * _DOUBT))


def box_muller(block, n, into):
    """philox.box_muller32 of the block's n calls into `into` ([n, 2, 2] float32): [i, j, 0]
    is sin * radius and [i, j, 1] cos * radius of the pair (word 2j, word 2j + 1) of call i."""
    uniform = block.floats(n, 0)
    np.bitwise_and(block.even.reshape(-1), _MANTISSA, out=uniform, casting="unsafe")
    uniform *= 1.0 / (1 << 23)
    np.maximum(uniform, _SMALLEST, out=uniform)
    logs = np.log(uniform, out=uniform)
    radius = block.singles(n, 0)  # float32(-2 log u) = -2 float32(log u): 2 scales exactly
    np.multiply(logs, -2.0, out=radius, casting="same_kind")
    np.sqrt(radius, out=radius)
    angle, angle32 = block.floats(n, 1), block.singles(n, 1)
    np.bitwise_and(block.odd.reshape(-1), _MANTISSA, out=angle, casting="unsafe")
    np.multiply(angle, _TWO_PI_STEP, out=angle32, casting="same_kind")
    np.copyto(angle, angle32)
    both = _sin_cos(angle, block, n)
    both32 = block.pair32[:, :2 * n]
    np.copyto(both32, both, casting="same_kind")
    doubt = _doubtful(both)
    redo = np.flatnonzero(doubt[0] | doubt[1])
    if redo.size:  # rounding that may go either way: NumPy's own sin and cos decide
        both32[0, redo] = np.sin(angle[redo])
        both32[1, redo] = np.cos(angle[redo])
    # both32[k, j * n + i] * radius[j * n + i] goes to into[i, j, k], in the sources' order
    np.multiply(both32.reshape(2, 2, n), radius.reshape(1, 2, n), out=into.transpose(2, 1, 0))


def normal_from(stream, shape, dtype):
    """philox.normal_from's values (RandomStandardNormal), in blocks."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float16):
        return philox.normal_from(stream, shape, dtype)
    size = math.prod(shape)
    calls = -(-size // 4)
    out = np.empty((calls, 2, 2), _F32)  # out[i, j] = the pair of words 2j, 2j + 1 of call i

    def work(block, start, stop):
        _calls(block, stream, start, stop)
        here = out[start:stop]
        box_muller(block, stop - start, here)

    _in_blocks(calls, work)
    return out.reshape(-1)[:size].astype(dtype, copy=False).reshape(shape)


def truncated_normal_from(stream, shape, dtype):
    """philox.truncated_normal_from's values (TruncatedNormal): group g's first call (256 g)
    for every group in blocks, the groups it leaves short completed with their further calls
    as the reference does."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float16):
        return philox.truncated_normal_from(stream, shape, dtype)
    size = math.prod(shape)
    groups = -(-size // 4)
    out = np.empty((groups, 2, 2), _F32)
    filled = np.empty(groups, np.int64)
    spacing = _U64(256)  # calls reserved per group

    def draw(block, rows, call, into):
        block.run(stream, rows.astype(_U64) * spacing + _U64(call))
        box_muller(block, rows.size, into)
        return into.reshape(-1, 4)

    def work(block, start, stop):  # the first call of groups start .. stop - 1, in place
        here = draw(block, np.arange(start, stop, dtype=_U64), 0, out[start:stop])
        keep = np.abs(here) < 2.0
        whole = keep.view(np.uint32).reshape(-1) == 0x01010101  # all four bytes true
        filled[start:stop] = 4
        short = np.flatnonzero(~whole)
        kept, compact = _compacted(here[short], keep[short])
        here[short] = compact
        filled[start + short] = kept

    _in_blocks(groups, work)
    out = out.reshape(groups, 4)
    active = np.flatnonzero(filled < 4)
    call = 1
    block = Block(max(1, min(BLOCK, active.size)))
    while active.size:
        for at in range(0, active.size, block.size):
            rows = active[at:at + block.size]
            values = draw(block, rows, call, np.empty((rows.size, 2, 2), _F32))
            kept, compact = _compacted(values, np.abs(values) < 2.0)
            before = filled[rows]
            for slot in range(4):  # the kept values go after the group's earlier ones
                to = np.flatnonzero(slot < np.minimum(kept, 4 - before))
                out[rows[to], before[to] + slot] = compact[to, slot]
            filled[rows] = np.minimum(before + kept, 4)
        active = active[filled[active] < 4]
        call += 1
    return out.reshape(-1)[:size].astype(dtype, copy=False).reshape(shape)


# For each 4-bit code of the values kept from a call (bit 3 - i: value i is kept): how many,
# and the order of the four that puts the kept ones first, in order.
_KEPT_COUNT = np.array([bin(code).count("1") for code in range(16)])
_KEPT_FIRST = np.array([sorted(range(4), key=lambda i: not code >> (3 - i) & 1)
                        for code in range(16)])


def _compacted(values, keep):
    """(how many of each row's 4 values are kept, the rows with their kept values first)."""
    flags = keep.view(np.uint32).reshape(-1)  # byte i of a row's word: value i is kept
    code = (flags * np.uint32(0x08040201)) >> np.uint32(24)  # byte 3 gathers 8 b0 + .. + b3
    order = _KEPT_FIRST[code] + (4 * np.arange(values.shape[0]))[:, None]
    return _KEPT_COUNT[code], values.reshape(-1)[order]


# --- the variants -----------------------------------------------------------------------------
def stateful_kernel(reference, draw):
    """A stateful random op's kernel drawing with `draw` (ahead where it can, draws_ahead.py),
    reserving 256 calls per output as the reference does; shape arguments the reference refuses
    go to the reference."""
    @functools.wraps(reference)
    def kernel(state, name, shape, *, dtype, seed, seed2):
        if shape.ndim != 1 or (shape < 0).any():
            return reference(state, name, shape, dtype=dtype, seed=seed, seed2=seed2)
        dims = tuple(int(d) for d in shape)
        seeded = state.random_stream(name, seed, seed2)
        stream = seeded.reserve_outputs(math.prod(dims))
        return draws_ahead.drawn(seeded, stream, dims, np.dtype(dtype), draw)
    return kernel


def stateless_kernel(reference, draw):
    """A stateless random op's kernel drawing with `draw` on the stream of its seed input;
    seeds the reference refuses go to the reference."""
    @functools.wraps(reference)
    def kernel(shape, seed, **attrs):
        if np.shape(seed) != (2,) or np.ndim(shape) != 1 or (np.asarray(shape) < 0).any():
            return reference(shape, seed, **attrs)
        dims = tuple(int(d) for d in shape)
        return draw(philox.stateless_stream(seed), dims, np.dtype(attrs["dtype"]))
    return kernel


_SINGLE = (np.float32, np.float16)


def _choose(make, draw, single_only):
    def choose(op):
        dtype = op.attrs.get("dtype")
        if dtype is None or (single_only and np.dtype(dtype.as_numpy_dtype) not in _SINGLE):
            return None
        return make(op.op_def.kernel, draw)
    return choose


for _op_type, _make, _draw in (
        ("RandomUniform", stateful_kernel, uniform_from),
        ("RandomStandardNormal", stateful_kernel, normal_from),
        ("TruncatedNormal", stateful_kernel, truncated_normal_from),
        ("StatelessRandomUniform", stateless_kernel, uniform_from),
        ("StatelessRandomNormal", stateless_kernel, normal_from),
        ("StatelessTruncatedNormal", stateless_kernel, truncated_normal_from)):
    variants.register_variant(_op_type, _choose(_make, _draw, _op_type != "RandomUniform"))
