"""The running side of tf.data: iterators kept in the Session's state.

An element is a flat tuple of NumPy arrays (the dataset's structure flattened); a *chunk* is a
flat tuple of arrays holding 1..n stacked elements. Every iterator answers `next()` (an element
or None at the end) and `next_chunk(n)` (a chunk of at most n elements or None). Sources that
hold arrays and row-wise functions answer `next_chunk` with slicing and one call per chunk, so
`batch` and `shuffle` move rows with NumPy instead of Python loops. After the end, iterators
keep answering None.

The chunk helpers, the iterator protocol (`Iter`) and the stages TensorFlow's own dataset ops
also run (Slices, Range, Elements, Batch, Repeat, Take, Skip, IteratorResource) are in
ops/dataset.py; this module adds the rest of tf.data's stages.
"""
import itertools
import os
import queue
import threading
import weakref

import numpy as np

from tensorweave.data import cache_file
from tensorweave.ops.dataset import (Batch, Elements, Empty, Iter,  # noqa: F401
                                     IteratorResource, Range, Repeat, Skip, Slices, Take,
                                     concat, invalid, row, rows, stack)


class RunContext:
    """What an instantiated pipeline reads: captured tensor values and the session state."""

    def __init__(self, values, state):
        self.values = values
        self.state = state

    def value(self, arg):
        """The value of a dataset argument (a captured Tensor or a NumPy constant)."""
        if isinstance(arg, np.ndarray):
            return arg
        value = self.values[arg]
        if isinstance(value, np.ndarray):
            return value
        return np.asarray(value, dtype=arg.dtype.as_numpy_dtype)

    def scalar(self, arg):
        return self.value(arg).item() if arg is not None else None


class ScopedState:
    """The session state as seen by one iterator's functions: random streams are its own."""

    def __init__(self, state, prefix):
        self._state = state
        self._prefix = prefix

    def random_generator(self, op_name, seed, seed2):
        return self._state.random_generator(f"{self._prefix}/{op_name}", seed, seed2)

    def __getattr__(self, name):
        return getattr(self._state, name)


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


class FromGenerator(Iter):
    """Elements yielded by a Python generator, converted and checked against `specs` (the
    nested structure of Specs)."""

    def __init__(self, generator, specs):
        self.generator = iter(generator)
        self.specs = specs

    def next(self):
        if self.generator is None:
            return None
        try:
            value = next(self.generator)
        except StopIteration:
            self.generator = None
            return None
        return tuple(_convert_yielded(v, s) for v, s in _paired(self.specs, value))


def _paired(specs, value):
    """(value leaf, spec) pairs of a yielded element, in flattened order."""
    if isinstance(specs, dict):
        if not isinstance(value, dict) or sorted(value) != sorted(specs):
            raise invalid(f"`generator` yielded an element that did not match the expected "
                          f"structure: expected keys {sorted(specs)}, got {value!r}.")
        return [pair for k in sorted(specs) for pair in _paired(specs[k], value[k])]
    if isinstance(specs, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(specs):
            raise invalid(f"`generator` yielded an element that did not match the expected "
                          f"structure: expected {len(specs)} components, got {value!r}.")
        return [pair for s, v in zip(specs, value) for pair in _paired(s, v)]
    return [(value, specs)]


def _convert_yielded(value, spec):
    if spec.dtype.name == "string":
        array = np.asarray(value, dtype=object)
        if array.size:
            array = np.vectorize(lambda s: s.encode() if isinstance(s, str) else s,
                                 otypes=[object])(array)
    else:
        try:
            array = np.asarray(value, dtype=spec.np_dtype)
        except (TypeError, ValueError):
            raise invalid(f"`generator` yielded an element of type {type(value).__name__} "
                          f"where an element of type {spec.dtype.name} was expected.") from None
    if not spec.shape.is_compatible_with(array.shape):
        raise invalid(f"`generator` yielded an element of shape {array.shape} where an element "
                      f"of shape {spec.shape} was expected.")
    return array


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
    """TF's shuffle buffer: `size` elements are held; each output is drawn uniformly from the
    buffer and its place is taken by the next input element.

    With `by_rows` (elements of fully known shape) the buffer is a set of arrays and a chunk
    of outputs moves with two fancy-indexing copies; otherwise it is a list of elements."""

    def __init__(self, upstream, size, rng, by_rows):
        self.up = upstream
        self.size = size
        self.rng = rng
        self.by_rows = by_rows
        self.buffer = None
        self.done = False

    def _fill_list(self):
        self.buffer = []
        while len(self.buffer) < self.size:
            e = self.up.next()
            if e is None:
                self.done = True
                break
            self.buffer.append(e)

    def next(self):
        if self.by_rows:
            c = self.next_chunk(1)
            return None if c is None else row(c, 0)
        if self.buffer is None:
            self._fill_list()
        buffer = self.buffer
        if not buffer:
            return None
        j = int(self.rng.random() * len(buffer))
        e = buffer[j]
        incoming = None if self.done else self.up.next()
        if incoming is None:
            self.done = True
            buffer[j] = buffer[-1]
            buffer.pop()
        else:
            buffer[j] = incoming
        return e

    def next_chunk(self, n):
        if not self.by_rows:
            return Iter.next_chunk(self, n)
        if self.buffer is None:
            self._fill_rows()
        live = self.live
        if not live:
            return None
        incoming = None if self.done else self.up.next_chunk(n)
        if incoming is None:  # the input has ended: the buffer drains
            self.done = True
            arriving, count = 0, min(n, len(live))
        else:  # as many outputs as arrivals, so the buffer stays full
            arriving = count = rows(incoming)
        holder = self.holder  # slot -> index into `incoming` of the element it now holds
        picks, sources = [], []
        for t, draw in enumerate(self.rng.random(count).tolist()):
            j = int(draw * len(live))
            slot = live[j]
            picks.append(slot)
            sources.append(holder.get(slot, -1))
            if t < arriving:
                holder[slot] = t
            else:
                live[j] = live[-1]
                live.pop()
        sources = np.array(sources)
        from_buffer = sources < 0
        picks = np.array(picks)
        out = []
        for c, stored in enumerate(self.buffer):
            taken = stored[picks]
            if not from_buffer.all():
                taken[~from_buffer] = incoming[c][sources[~from_buffer]]
            out.append(taken)
        if holder:
            slots = np.array(list(holder.keys()))
            positions = np.array(list(holder.values()))
            for c, stored in enumerate(self.buffer):
                stored[slots] = incoming[c][positions]
            holder.clear()
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
        self.live = list(range(have))
        self.holder = {}


class SeedStream:
    """The shuffle seeds of one instantiated dataset: a new stream per iteration when
    reshuffling, else the same one each time. Seeds (0, 0) mean fresh entropy."""

    def __init__(self, seed, seed2, reshuffle):
        entropy = [seed, seed2] if (seed or seed2) else None
        self.sequence = np.random.SeedSequence(entropy)
        self.reshuffle = reshuffle

    def next_rng(self):
        if self.reshuffle:
            return np.random.default_rng(self.sequence.spawn(1)[0])
        return np.random.default_rng(self.sequence)


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


class FileCacheStore(CacheStore):
    """A CacheStore kept in the file `<filename>.tw-cache` (see `cache_file`), reused by later
    programs whose elements have the same flat `specs`."""

    def __init__(self, filename, by_rows, specs):
        super().__init__(by_rows)
        self.path = filename + ".tw-cache"
        self.specs = specs
        if os.path.exists(self.path):
            self.entries = cache_file.read(self.path, specs)

    def finish(self, entries):
        super().finish(entries)
        cache_file.write(self.path, self.entries, self.specs)


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


class Prefetch(Iter):
    """Elements produced ahead by a background thread, up to `size` of them.

    The thread holds no reference to this object, so dropping the iterator (re-initializing,
    closing the session) stops it."""

    _END = object()

    def __init__(self, upstream, size):
        self.queue = queue.Queue(maxsize=max(1, size))
        self.stop = threading.Event()
        self.finished = False
        self.thread = threading.Thread(target=_produce, args=(upstream, self.queue, self.stop),
                                       name="tensorweave-prefetch", daemon=True)
        weakref.finalize(self, self.stop.set)
        self.thread.start()

    def next(self):
        if self.finished:
            return None
        item = self.queue.get()
        if item is Prefetch._END:
            self.finished = True
            return None
        if isinstance(item, BaseException):
            self.finished = True
            raise item
        return item


def _produce(upstream, out, stop):
    while not stop.is_set():
        try:
            item = upstream.next()
        except BaseException as e:  # noqa: BLE001 - handed to the consumer
            item = e
        if item is None:
            item = Prefetch._END
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                break
            except queue.Full:
                continue
        if item is Prefetch._END or isinstance(item, BaseException):
            return


