"""Element streams: what a dataset's iterator runs, for tf.data's pipeline (data/pipeline.py)
and for TensorFlow's dataset ops imported from GraphDefs (ops/dataset.py).

An element is a flat tuple of NumPy arrays; a *chunk* a flat tuple of arrays holding 1..n
stacked elements. Every stream answers `next()` (an element or None at the end) and
`next_chunk(n)` (a chunk of at most n elements or None), and keeps answering None after the end.
A function a stage calls (map's, filter's) is a callable on a flat element that also answers
`can_batch()` and, where that is True, `call_batch(chunk)` on a chunk.
"""
import itertools

import numpy as np

from tensorweave.core import errors
from tensorweave.core.tensor_shape import shape_text
from tensorweave.ops import philox


# --- element streams -------------------------------------------------------------------------
def invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def rows(chunk):
    return len(chunk[0])


def row(chunk, i):
    return tuple(a[i, ...] for a in chunk)


def _batch_error(component, first, index, other):
    return invalid(f"Cannot batch tensors with different shapes in component {component}. "
                   f"First element had shape {shape_text(first)} and element {index} had "
                   f"shape {shape_text(other)}.")


def stack(elements):
    """Elements (flat tuples of arrays) stacked into one chunk."""
    out = []
    for c, parts in enumerate(zip(*elements)):
        first = parts[0].shape
        for i, p in enumerate(parts):
            if p.shape != first:
                raise _batch_error(c, first, i, p.shape)
        out.append(np.stack(parts))
    return tuple(out)


def concat(chunks):
    """Chunks joined along their rows (one chunk is returned as is)."""
    if len(chunks) == 1:
        return chunks[0]
    out = []
    for c, parts in enumerate(zip(*chunks)):
        first = parts[0].shape[1:]
        for p in parts:
            if p.shape[1:] != first:
                raise _batch_error(c, first, 0, p.shape[1:])
        out.append(np.concatenate(parts))
    return tuple(out)


class Iter:
    """Base iterator: chunks are gathered element by element."""

    def next(self):
        raise NotImplementedError

    def next_chunk(self, n):
        elements = []
        for _ in range(n):
            e = self.next()
            if e is None:
                break
            elements.append(e)
        return stack(elements) if elements else None

    def skip(self, n):
        """Drops up to n elements (all when n < 0); False when the end was reached."""
        count = 0
        while n < 0 or count < n:
            if self.next() is None:
                return False
            count += 1
        return True


class Empty(Iter):
    def next(self):
        return None

    def next_chunk(self, n):
        return None


class Slices(Iter):
    """Rows of arrays with a common first dimension (from_tensor_slices, cache replay)."""

    def __init__(self, arrays):
        self.arrays = tuple(arrays)
        self.i = 0
        self.n = len(self.arrays[0]) if self.arrays else 0

    def next(self):
        i = self.i
        if i >= self.n:
            return None
        self.i = i + 1
        return row(self.arrays, i)

    def next_chunk(self, n):
        i = self.i
        if i >= self.n:
            return None
        self.i = min(i + n, self.n)
        return tuple(a[i:self.i] for a in self.arrays)

    def skip(self, n):
        self.i = self.n if n < 0 else min(self.i + n, self.n)
        return self.i < self.n


class Range(Iter):
    def __init__(self, start, stop, step):
        self.values = range(start, stop, step)
        self.i = 0

    def next(self):
        if self.i >= len(self.values):
            return None
        self.i += 1
        return (np.array(self.values[self.i - 1], dtype=np.int64),)

    def next_chunk(self, n):
        if self.i >= len(self.values):
            return None
        part = self.values[self.i:self.i + n]
        self.i += len(part)
        return (np.arange(part.start, part.stop, part.step, dtype=np.int64),)

    def skip(self, n):
        self.i = len(self.values) if n < 0 else min(self.i + n, len(self.values))
        return self.i < len(self.values)


class Elements(Iter):
    """A fixed list of elements (from_tensors)."""

    def __init__(self, elements):
        self.elements = iter(elements)

    def next(self):
        return next(self.elements, None)


class Batch(Iter):
    def __init__(self, upstream, size, drop_remainder):
        self.up = upstream
        self.size = size
        self.drop = drop_remainder

    def next(self):
        parts, have = [], 0
        while have < self.size:
            c = self.up.next_chunk(self.size - have)
            if c is None:
                break
            parts.append(c)
            have += rows(c)
        if not have or (self.drop and have < self.size):
            return None
        return concat(parts)


class Window(Iter):
    """Dataset.window: windows of up to `size` elements, element `stride` apart, each starting
    `shift` elements after the last one's start; an element is the window's elements stacked
    (its dataset's rows). Short windows at the end unless `drop_remainder`."""

    def __init__(self, upstream, size, shift, stride, drop_remainder):
        self.up = upstream
        self.size, self.shift, self.stride = size, shift, stride
        self.drop = drop_remainder
        self.buffer, self.base = [], 0  # buffer[0] is upstream element number `base`
        self.start = 0
        self.ended = False

    def _fill(self, index):
        while not self.ended and self.base + len(self.buffer) <= index:
            e = self.up.next()
            if e is None:
                self.ended = True
            else:
                self.buffer.append(e)

    def next(self):
        last = self.start + (self.size - 1) * self.stride
        self._fill(last)
        have = self.base + len(self.buffer)
        picked = [self.buffer[i - self.base]
                  for i in range(self.start, min(last, have - 1) + 1, self.stride)]
        if not picked or (self.drop and len(picked) < self.size):
            return None
        self.start += self.shift
        dropped = min(self.start - self.base, len(self.buffer))
        del self.buffer[:dropped]
        self.base += dropped
        return stack(picked)


class Repeat(Iter):
    def __init__(self, make_upstream, count):
        self.make = make_upstream
        self.left = count  # < 0: forever
        self.current = make_upstream() if count != 0 else None
        self.produced = False

    def _pull(self, fetch):
        while self.current is not None:
            out = fetch(self.current)
            if out is not None:
                self.produced = True
                return out
            if not self.produced or self.left == 1:  # an empty epoch ends the repetition
                self.current = None
                break
            if self.left > 0:
                self.left -= 1
            self.current = self.make()
            self.produced = False
        return None

    def next(self):
        return self._pull(lambda it: it.next())

    def next_chunk(self, n):
        return self._pull(lambda it: it.next_chunk(n))


class Take(Iter):
    def __init__(self, upstream, count):
        self.up = upstream
        self.left = count  # < 0: all

    def next(self):
        if self.left == 0:
            return None
        e = self.up.next()
        if e is None:
            self.left = 0
        elif self.left > 0:
            self.left -= 1
        return e

    def next_chunk(self, n):
        if self.left == 0:
            return None
        c = self.up.next_chunk(n if self.left < 0 else min(n, self.left))
        if c is None:
            self.left = 0
        elif self.left > 0:
            self.left -= rows(c)
        return c


class Skip(Iter):
    def __init__(self, upstream, count):
        self.up = upstream
        self.count = count  # < 0: everything

    def _skip_first(self):
        if self.count:
            self.up.skip(self.count)
            self.count = 0

    def next(self):
        self._skip_first()
        return self.up.next()

    def next_chunk(self, n):
        self._skip_first()
        return self.up.next_chunk(n)


class IteratorResource:
    """The iterator a session keeps for one iterator op: stays at the end once reached.

    `start(seed_log)` begins a new iteration of the pipeline whose unseeded shuffles take their
    seeds from `seed_log` (a SeedLog); None for an iteration that cannot be started again.
    The position (`consumed`, `ended`, the seeds drawn) is what an iterator checkpoint saves:
    `restore` starts the pipeline again with those seeds and skips what was consumed;
    `stateful_op` names an op type of the pipeline's functions whose state keeps it from being
    saved (None if there is none)."""

    def __init__(self, it=None, start=None, stateful_op=None):
        self.start = start
        self.stateful_op = stateful_op
        self.seed_log = SeedLog()
        self.it = start(self.seed_log) if start is not None else it
        self.consumed = 0

    def next(self):
        if self.it is None:
            return None
        e = self.it.next()
        if e is None:
            self.it = None
        else:
            self.consumed += 1
        return e

    @property
    def ended(self):
        return self.it is None

    @property
    def restartable(self):
        return self.start is not None

    def restore(self, consumed, ended, seeds):
        """Puts the iterator after its first `consumed` elements (at the end if `ended`), its
        unseeded shuffles seeded with `seeds` ((seed, seed2) pairs in the order drawn)."""
        self.seed_log = SeedLog(seeds)
        self.consumed = consumed
        self.it = None if ended else self.start(self.seed_log)
        if self.it is not None and consumed and not self.it.skip(consumed):
            self.it = None


# --- sources -----------------------------------------------------------------------------------
class Strings(Iter):
    """Scalar strings from a Python iterator of bytes (file readers, list_files)."""

    def __init__(self, items):
        self.items = iter(items)

    def next(self):
        item = next(self.items, None)
        return None if item is None else (np.array(item, dtype=object),)

    def next_chunk(self, n):
        items = list(itertools.islice(self.items, n))
        if not items:
            return None
        out = np.empty(len(items), dtype=object)
        out[:] = items
        return (out,)


# --- transformations -------------------------------------------------------------------------
class Map(Iter):
    def __init__(self, upstream, fn):
        self.up = upstream
        self.fn = fn
        self.by_chunk = fn.can_batch()

    def next(self):
        e = self.up.next()
        return None if e is None else self.fn(e)

    def next_chunk(self, n):
        if not self.by_chunk:
            return Iter.next_chunk(self, n)
        c = self.up.next_chunk(n)
        return None if c is None else self.fn.call_batch(c)


class Filter(Iter):
    def __init__(self, upstream, predicate):
        self.up = upstream
        self.pred = predicate
        self.by_chunk = predicate.can_batch()

    def next(self):
        while True:
            e = self.up.next()
            if e is None or self.pred(e)[0]:
                return e

    def next_chunk(self, n):
        if not self.by_chunk:
            return Iter.next_chunk(self, n)
        while True:
            c = self.up.next_chunk(n)
            if c is None:
                return None
            keep = self.pred.call_batch(c)[0]
            if keep.all():
                return c
            if keep.any():
                return tuple(a[keep] for a in c)


class Interleave(Iter):
    """TF's interleave: `cycle` open inner iterators, `block` elements from each in turn; an
    exhausted one is replaced by the iterator of the next input element in its place."""

    def __init__(self, upstream, open_inner, cycle, block):
        self.up = upstream
        self.open_inner = open_inner
        self.cycle = [None] * cycle
        self.block = block
        self.index = 0
        self.taken = 0
        self.open = 0
        self.input_done = False

    def _advance(self):
        self.taken = 0
        self.index = (self.index + 1) % len(self.cycle)

    def _open_next(self):
        x = self.up.next()
        if x is None:
            self.input_done = True
        else:
            self.cycle[self.index] = self.open_inner(x)
            self.open += 1

    def next(self):
        while not self.input_done or self.open:
            inner = self.cycle[self.index]
            if inner is not None:
                e = inner.next()
                if e is not None:
                    self.taken += 1
                    if self.taken == self.block:
                        self._advance()
                    return e
                self.cycle[self.index] = None
                self.open -= 1
                self._advance()
            elif not self.input_done:
                self._open_next()
            else:
                self._advance()
        return None

    def next_chunk(self, n):
        if len(self.cycle) != 1:
            return Iter.next_chunk(self, n)
        while True:  # flat_map: the inner iterators' own chunks, one after another
            inner = self.cycle[0]
            if inner is None:
                if self.input_done:
                    return None
                self._open_next()
                continue
            c = inner.next_chunk(n)
            if c is not None:
                return c
            self.cycle[0] = None
            self.open -= 1


class PaddedBatch(Iter):
    def __init__(self, upstream, size, shapes, values, drop_remainder):
        self.up = upstream
        self.size = size
        self.shapes = shapes  # flat TensorShapes (None dims: the batch's longest)
        self.values = values  # flat padding scalars
        self.drop = drop_remainder

    def next(self):
        elements = []
        while len(elements) < self.size:
            e = self.up.next()
            if e is None:
                break
            elements.append(e)
        if not elements or (self.drop and len(elements) < self.size):
            return None
        return tuple(_pad(parts, shape, value)
                     for parts, shape, value in zip(zip(*elements), self.shapes, self.values))


def _pad(parts, shape, value):
    dims = shape.as_tuple()
    for p in parts:
        if p.ndim != len(dims):
            raise invalid(f"All elements in a batch must have the same rank as the padded "
                          f"shape: expected rank {len(dims)}, got shape {list(p.shape)}.")
    target = tuple(max(p.shape[i] for p in parts) if d is None else d
                   for i, d in enumerate(dims))
    out = np.full((len(parts),) + target, value, dtype=parts[0].dtype)
    for i, p in enumerate(parts):
        if any(a > b for a, b in zip(p.shape, target)):
            raise invalid("Attempted to pad to a smaller size than the input element.")
        out[(i,) + tuple(slice(0, d) for d in p.shape)] = p
    return out


class Unbatch(Iter):
    """Rows of each upstream element, which must share their first dimension."""

    def __init__(self, upstream):
        self.up = upstream
        self.current = None
        self.pos = 0

    def _fill(self):
        while self.current is None or self.pos >= rows(self.current):
            e = self.up.next()
            if e is None:
                self.current = None
                return False
            if any(a.ndim == 0 for a in e) or len({len(a) for a in e}) != 1:
                raise invalid("Input element must have the same batch size in each component "
                              f"and rank >= 1, got shapes {[list(a.shape) for a in e]}.")
            self.current, self.pos = e, 0
        return True

    def next(self):
        if not self._fill():
            return None
        self.pos += 1
        return row(self.current, self.pos - 1)

    def next_chunk(self, n):
        if not self._fill():
            return None
        start, self.pos = self.pos, min(self.pos + n, rows(self.current))
        return tuple(a[start:self.pos] for a in self.current)


class Shuffle(Iter):
    """TF's shuffle buffer (ShuffleDatasetOp): a ring of `size` elements, filled before each
    output. An output takes the element at offset `word % held` from the ring's start (`word`
    the next 32-bit Philox sample of `draws`); the element at the start moves into its place,
    the start advances, and the next input element is appended at the end.

    With `by_rows` (elements of fully known shape) the ring is a set of arrays and a chunk of
    outputs moves with fancy-indexing copies; otherwise it is a list of elements. Both read one
    sample per output, so chunking never changes the order."""

    def __init__(self, upstream, size, draws, by_rows):
        self.up = upstream
        self.size = size
        self.draws = draws
        self.by_rows = by_rows
        self.buffer = None
        self.start = 0  # ring position of the oldest element; slots are positions % size
        self.held = 0
        self.done = False

    def _fill_list(self):
        self.buffer = []
        while len(self.buffer) < self.size:
            e = self.up.next()
            if e is None:
                self.done = True
                break
            self.buffer.append(e)
        self.held = len(self.buffer)

    def next(self):
        if self.by_rows:
            c = self.next_chunk(1)
            return None if c is None else row(c, 0)
        if self.buffer is None:
            self._fill_list()
        if not self.held:
            return None
        buffer, size = self.buffer, self.size
        first = self.start % size
        slot = (self.start + self.draws.take(1)[0] % self.held) % size
        e = buffer[slot]
        buffer[slot] = buffer[first]
        self.start += 1
        incoming = None if self.done else self.up.next()
        if incoming is None:
            self.done = True
            self.held -= 1
        else:  # the ring was full: the freed first slot is its new end
            buffer[first] = incoming
        return e

    def next_chunk(self, n):
        if not self.by_rows:
            return Iter.next_chunk(self, n)
        if self.buffer is None:
            self._fill_rows()
        if not self.held:
            return None
        incoming = None if self.done else self.up.next_chunk(n)
        if incoming is None:  # the input has ended: the ring drains
            self.done = True
            arriving, count = 0, min(n, self.held)
        else:  # as many outputs as arrivals, so the ring stays full
            arriving = count = rows(incoming)
        # Slots name rows of the stored arrays through `self.rows`, so a swap moves no data.
        # An output's row takes the arriving element; arrivals are written after the outputs
        # are read (`pending`: row -> index in `incoming`).
        slot_rows, pending, sources = self.rows, {}, []
        size, start, held = self.size, self.start, self.held
        for t, word in enumerate(self.draws.take(count)):
            first = start % size
            slot = (start + word % held) % size
            r = slot_rows[slot]
            sources.append(-1 - pending.pop(r) if r in pending else r)
            slot_rows[slot] = slot_rows[first]
            if t < arriving:
                slot_rows[first] = r
                pending[r] = t
            else:
                held -= 1
            start += 1
        self.start, self.held = start, held
        sources = np.array(sources)
        from_buffer = sources >= 0
        out = []
        for c, stored in enumerate(self.buffer):
            taken = stored[np.where(from_buffer, sources, 0)]
            if not from_buffer.all():
                taken[~from_buffer] = incoming[c][-1 - sources[~from_buffer]]
            out.append(taken)
        if pending:
            written = np.array(list(pending.keys()))
            arrivals = np.array(list(pending.values()))
            for c, stored in enumerate(self.buffer):
                stored[written] = incoming[c][arrivals]
        return tuple(out)

    def _fill_rows(self):
        parts, have = [], 0
        while have < self.size:
            c = self.up.next_chunk(self.size - have)
            if c is None:
                self.done = True
                break
            parts.append(c)
            have += rows(c)
        self.buffer = [np.array(a) for a in concat(parts)] if parts else []
        self.rows = list(range(have))
        self.held = have


class ShuffleDraws:
    """The 32-bit samples a shuffle reads, one per output: TF's SingleSampleAdapter over
    PhiloxRandom(seed, seed2), each Philox call's four words in turn, made in blocks."""

    _BLOCK = 256  # Philox calls per block

    def __init__(self, seed, seed2):
        self.stream = philox.SeededStream(seed, seed2).reserve(0)
        self.calls = 0
        self.words = []
        self.pos = 0

    def take(self, n):
        """The next n samples, as Python ints."""
        while len(self.words) - self.pos < n:
            block = max(self._BLOCK, -(-(n - len(self.words) + self.pos) // 4))
            fresh = self.stream.calls(block, self.calls).reshape(-1).tolist()
            self.calls += block
            self.words = self.words[self.pos:] + fresh
            self.pos = 0
        out = self.words[self.pos:self.pos + n]
        self.pos += n
        return out


class SeedStream:
    """The shuffle seeds of one instantiated dataset, as TF's seed generators give them: with
    `reshuffle` each iteration is seeded by the next two samples of Philox(seed, seed2) (TF's
    RandomSeedGenerator), else every iteration uses (seed, seed2) (FixedSeedGenerator). Seeds
    (0, 0) mean fresh entropy, drawn once per instantiation (from `seed_log`, a SeedLog)."""

    def __init__(self, seed, seed2, reshuffle, seed_log=None):
        if not (seed or seed2):
            seed, seed2 = (seed_log if seed_log is not None else SeedLog()).fresh()
        self.seeds = (seed, seed2)
        self.generator = ShuffleDraws(seed, seed2) if reshuffle else None

    def next_draws(self):
        """The samples of the next iteration."""
        if self.generator is None:
            return ShuffleDraws(*self.seeds)
        return ShuffleDraws(*self.generator.take(2))


class SeedLog:
    """The fresh seeds one iteration's unseeded shuffles drew, in order: a restored iterator
    replays `replay` (the pairs a saved one drew) before drawing new ones."""

    def __init__(self, replay=()):
        self.replay = [tuple(pair) for pair in replay]
        self.drawn = []

    def fresh(self):
        """The next (seed, seed2): the next replayed pair, or fresh entropy."""
        if len(self.drawn) < len(self.replay):
            pair = self.replay[len(self.drawn)]
        else:
            pair = tuple(int(v) for v in np.random.default_rng().integers(1, 2 ** 63, 2))
        self.drawn.append(pair)
        return pair


class Shard(Iter):
    """Elements whose position modulo `shards` is `index`."""

    def __init__(self, upstream, shards, index):
        self.up = upstream
        self.gap = shards - 1
        self.pending = index

    def next(self):
        if self.pending:
            self.up.skip(self.pending)
        self.pending = self.gap
        return self.up.next()


class Zip(Iter):
    def __init__(self, upstreams):
        self.ups = upstreams

    def next(self):
        out = []
        for up in self.ups:
            e = up.next()
            if e is None:
                return None
            out.extend(e)
        return tuple(out)

    def next_chunk(self, n):
        first = self.ups[0].next_chunk(n)
        if first is None:
            return None
        parts = [first]
        count = rows(first)
        for up in self.ups[1:]:
            got = _read_up_to(up, count)
            if got is None:
                return None
            count = min(count, rows(got))
            parts.append(got)
        return tuple(a[:count] for part in parts for a in part)


def _read_up_to(it, n):
    """Chunks of `it` joined until n rows (or the end); None if there are none."""
    parts, have = [], 0
    while have < n:
        c = it.next_chunk(n - have)
        if c is None:
            break
        parts.append(c)
        have += rows(c)
    return concat(parts) if parts else None


class Concatenate(Iter):
    def __init__(self, first, make_second):
        self.current = first
        self.make_second = make_second

    def _pull(self, fetch):
        while self.current is not None:
            out = fetch(self.current)
            if out is not None:
                return out
            self.current = self.make_second() if self.make_second else None
            self.make_second = None
        return None

    def next(self):
        return self._pull(lambda it: it.next())

    def next_chunk(self, n):
        return self._pull(lambda it: it.next_chunk(n))


class CacheStore:
    """What `cache` has recorded: elements and chunks in order, complete after one full pass."""

    def __init__(self, by_rows):
        self.entries = None
        self.by_rows = by_rows

    def iterate(self, make_upstream):
        if self.entries is not None:
            return Replay(self.entries)
        return Recording(make_upstream(), self)

    def finish(self, entries):
        if self.by_rows and entries:
            chunks = [e if is_chunk else tuple(a[None] for a in e) for is_chunk, e in entries]
            entries = [(True, concat(chunks))]
        self.entries = entries


class Recording(Iter):
    def __init__(self, upstream, store):
        self.up = upstream
        self.store = store
        self.entries = []

    def _record(self, out, is_chunk):
        if out is None:
            if self.entries is not None:
                self.store.finish(self.entries)
                self.entries = None
        elif self.entries is not None:
            self.entries.append((is_chunk, out))
        return out

    def next(self):
        return self._record(self.up.next(), False)

    def next_chunk(self, n):
        return self._record(self.up.next_chunk(n), True)


class Replay(Iter):
    def __init__(self, entries):
        self.entries = iter(entries)
        self.current = None

    def _current(self):
        while self.current is None or not self.current.n or self.current.i >= self.current.n:
            entry = next(self.entries, None)
            if entry is None:
                return None
            is_chunk, value = entry
            self.current = Slices(value if is_chunk else tuple(a[None] for a in value))
        return self.current

    def next(self):
        current = self._current()
        return None if current is None else current.next()

    def next_chunk(self, n):
        current = self._current()
        return None if current is None else current.next_chunk(n)
