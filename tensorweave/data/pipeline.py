"""The running side of tf.data: iterators kept in the Session's state.

An element is a flat tuple of NumPy arrays (the dataset's structure flattened); a *chunk* is a
flat tuple of arrays holding 1..n stacked elements. Every iterator answers `next()` (an element
or None at the end) and `next_chunk(n)` (a chunk of at most n elements or None). Sources that
hold arrays and row-wise functions answer `next_chunk` with slicing and one call per chunk, so
`batch` and `shuffle` move rows with NumPy instead of Python loops. After the end, iterators
keep answering None.

The chunk helpers, the iterator protocol (`Iter`) and the stages TensorFlow's own dataset ops
also run (sources, batch, repeat, map, filter, interleave, shuffle, zip, cache, ...) are in
ops/dataset_streams.py; this module adds the rest: generators, the file cache, prefetching.
"""
import os
import queue
import threading
import weakref

import numpy as np

from tensorweave.data import cache_file
from tensorweave.ops.dataset_streams import (  # noqa: F401
    Batch, CacheStore, Concatenate, Elements, Empty, Filter, Interleave, Iter, IteratorResource,
    Map, PaddedBatch, Range, Recording, Repeat, Replay, SeedLog, SeedStream, Shard, Shuffle, Skip,
    Slices, Strings, Take, Unbatch, Window, Zip, concat, invalid, row, rows, stack)


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
    """The session state as seen by one iterator's functions: random streams are its own, and
    its unseeded shuffles draw their seeds from `seed_log` (a SeedLog, which a checkpoint of
    the iterator saves)."""

    def __init__(self, state, prefix, seed_log=None):
        self._state = state
        self._prefix = prefix
        self.seed_log = seed_log if seed_log is not None else SeedLog()

    def random_generator(self, op_name, seed, seed2):
        return self._state.random_generator(f"{self._prefix}/{op_name}", seed, seed2)

    def __getattr__(self, name):
        return getattr(self._state, name)


# --- sources -----------------------------------------------------------------------------------
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


