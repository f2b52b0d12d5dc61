"""TensorFlow's tf.data ops, as they appear in GraphDefs TensorFlow writes (every Estimator
checkpoint's .meta), so those graphs import; and the element streams their kernels run, which
tf.data's pipeline (data/pipeline.py) runs too.

A dataset op outputs a scalar `variant` holding a function that starts a fresh stream over the
dataset its input values make (a dataset input arrives as its variant). Datasets of constants
and placeholders (from_tensor_slices, from_tensors, range, batch, repeat, take, skip,
prefetch) run, and `MakeIteratorFromDataset` (TensorFlow's MakeIterator(dataset, iterator),
renamed on import) starts an iterator over one. Dataset ops whose work is a function in the
GraphDef's library (map, filter, interleave, ...) or that read files import too, and raise
UnimplementedError naming the op if they run; the rest of the graph works.

An element is a flat tuple of NumPy arrays; a *chunk* a flat tuple of arrays holding 1..n
stacked elements. Every stream answers `next()` (an element or None at the end) and
`next_chunk(n)` (a chunk of at most n elements or None), and keeps answering None after the end.
"""
import numpy as np

from tensorweave.core import dtypes, errors, tf_form
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op, register_tf_form
from tensorweave.core.tensor_shape import TensorShape, shape_text
from tensorweave.ops import iterator


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
    """The iterator a session keeps for one iterator op: stays at the end once reached."""

    def __init__(self, it):
        self.it = it

    def next(self):
        if self.it is None:
            return None
        e = self.it.next()
        if e is None:
            self.it = None
        return e


# --- TensorFlow's dataset ops ----------------------------------------------------------------
def _variant(make):
    holder = np.empty((), dtype=object)
    holder[()] = make
    return holder


def _variant_shape(*inputs):
    return [(dtypes.variant, TensorShape([]))]


def _stream_factory(variant):
    return variant.item() if isinstance(variant, np.ndarray) else variant


def _slices(*components):
    arrays = [np.array(c) for c in components]  # copies: the stream outlives this run
    sizes = {len(a) if a.ndim else None for a in arrays}
    if None in sizes or len(sizes) != 1:
        raise invalid(f"Expected slices of rank >= 1 with one first dimension, got shapes "
                      f"{[list(a.shape) for a in arrays]}")
    return lambda: Slices(arrays)


def _tensors(*components):
    element = tuple(np.array(c) for c in components)
    return lambda: Elements([element])


def _range(start, stop, step):
    start, stop, step = int(start), int(stop), int(step)
    if step == 0:
        raise invalid("step must be a non-zero integer.")
    return lambda: Range(start, stop, step)


def _batch(dataset, size, drop_remainder=False):
    make, size, drop = _stream_factory(dataset), int(size), bool(drop_remainder)
    if size <= 0:
        raise invalid("batch_size must be greater than zero.")
    return lambda: Batch(make(), size, drop)


def _counted(stage):
    def factory(dataset, count):
        make, count = _stream_factory(dataset), int(count)
        return lambda: stage(make(), count)
    return factory


def _repeat(dataset, count):
    make, count = _stream_factory(dataset), int(count)
    return lambda: Repeat(make, count)  # Repeat restarts its input, so it takes the factory


def _unchanged(dataset, *options):
    return _stream_factory(dataset)


# op type -> the stream factory its input values make
_RUNNABLE = {
    "TensorSliceDataset": _slices,
    "TensorDataset": _tensors,
    "RangeDataset": _range,
    "BatchDataset": _batch,
    "BatchDatasetV2": _batch,
    "RepeatDataset": _repeat,
    "TakeDataset": _counted(Take),
    "SkipDataset": _counted(Skip),
    "PrefetchDataset": _unchanged,
    # TensorFlow's graph rewrites and performance options: the input dataset unchanged
    "OptimizeDataset": _unchanged,
    "OptimizeDatasetV2": _unchanged,
    "ModelDataset": _unchanged,
    "MaxIntraOpParallelismDataset": _unchanged,
    "PrivateThreadPoolDataset": _unchanged,
}

# Dataset ops that import but do not run here: functions of the GraphDef's library, files
NOT_RUNNABLE = (
    "MapDataset", "ParallelMapDataset", "ParallelMapDatasetV2", "FilterDataset",
    "FlatMapDataset", "InterleaveDataset", "ParallelInterleaveDatasetV2",
    "ParallelInterleaveDatasetV3", "ParallelInterleaveDatasetV4", "MapAndBatchDataset",
    "GeneratorDataset", "ShuffleDataset", "ShuffleDatasetV2", "ShuffleDatasetV3",
    "ShuffleAndRepeatDataset", "ShuffleAndRepeatDatasetV2", "PaddedBatchDatasetV2",
    "CacheDataset", "CacheDatasetV2", "ShardDataset", "ZipDataset", "ConcatenateDataset",
    "TFRecordDataset", "TextLineDataset", "FixedLengthRecordDatasetV2", "UnbatchDataset",
)


def _runnable_kernel(factory):
    def kernel(*values):
        return _variant(factory(*values))
    return kernel


def _not_runnable_kernel(op_type):
    def kernel(*values):
        raise errors.UnimplementedError(
            None, None, f"{op_type} was imported from a GraphDef; tensorweave does not run "
            "TensorFlow's dataset functions or file readers from GraphDefs. Build the input "
            "pipeline in code, or feed the tensors its IteratorGetNext gives.")
    return kernel


for _op_type, _factory in _RUNNABLE.items():
    register_op(_op_type, shape=_variant_shape, kernel=_runnable_kernel(_factory),
                grad=NOT_DIFFERENTIABLE)
for _op_type in NOT_RUNNABLE:
    register_op(_op_type, shape=_variant_shape, kernel=_not_runnable_kernel(_op_type),
                grad=NOT_DIFFERENTIABLE)


# --- MakeIteratorFromDataset: TensorFlow's MakeIterator(dataset, iterator) -------------------
def _make_iterator_shape(dataset, handle):
    if dataset.dtype is not dtypes.variant:
        raise TypeError(f"MakeIterator requires a dataset (variant), got {dataset.dtype.name}")
    return []


def _make_iterator_kernel(state, op_name, dataset, handle):
    iterator.store_iterator(state, handle.item(), IteratorResource(_stream_factory(dataset)()))
    return ()


register_op("MakeIteratorFromDataset", shape=_make_iterator_shape, kernel=_make_iterator_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)


# TensorFlow's MakeIterator(dataset, iterator) is MakeIteratorFromDataset (core/tf_form.py)
register_tf_form("MakeIteratorFromDataset", marker="dataset", reads=("MakeIterator",),
                 from_tf=tf_form.renamed("MakeIteratorFromDataset"),
                 to_tf=tf_form.renamed_to("MakeIterator"))
