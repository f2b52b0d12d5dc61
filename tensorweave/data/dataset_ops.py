"""tf.data.Dataset: an input pipeline described in Python, run by an iterator in a Session.

A Dataset holds its element structure (nested `Spec`s: dtype and static shape per component),
its input datasets, and its arguments: NumPy constants, or Tensors of the graph that the
iterator op takes as inputs (*captures*) and evaluates when the iterator is initialized.
`_instantiate(ctx)` turns the description into a function that starts a fresh iteration
(`pipeline.Iter`); per-instantiation state (shuffle seeds, a cache) lives in that closure.

    dataset = tf.data.Dataset.from_tensor_slices((features, labels))
    dataset = dataset.shuffle(1000).repeat().batch(32)
    images, labels = dataset.make_one_shot_iterator().get_next()
"""
import copy
import glob
import itertools
import os
import weakref

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant_array, constant_value, convert_to_tensor
from tensorweave.core.graph import get_default_graph
from tensorweave.core.operation import TensorLike
from tensorweave.core.seeds import get_seed
from tensorweave.core.tensor_shape import TensorShape, as_shape
from tensorweave.data import pipeline, structure
from tensorweave.data.function import TracedFunction, as_tensor, check_predicate, holds_tensor
from tensorweave.data.structure import Spec
from tensorweave.ops import iterator as iterator_op_types

AUTOTUNE = -1
_AUTOTUNE_PREFETCH = 2


# --- arguments -------------------------------------------------------------------------------
def _constant(value, dtype=None):
    """A read-only NumPy copy of a Python/NumPy/pandas value, with TF's dtype inference."""
    if hasattr(value, "to_numpy") and not isinstance(value, np.ndarray):
        value = value.to_numpy()  # pandas Series / DataFrame
    array = constant_array(value, dtype)
    if isinstance(value, np.ndarray) and np.may_share_memory(array, value):
        array = array.copy()
    array.setflags(write=False)
    return array


def _component(value):
    """One leaf of an element: a Tensor (captured) or a read-only NumPy constant."""
    if isinstance(value, TensorLike) or (isinstance(value, list) and holds_tensor(value)):
        return as_tensor(value)
    return _constant(value)


def scalar_arg(value, dtype, what):
    """A scalar argument (a count, a size, a file name): a Tensor or a 0-d NumPy array."""
    dtype = dtypes.as_dtype(dtype)
    if isinstance(value, TensorLike):
        t = convert_to_tensor(value)
        if t.dtype is not dtype and not (t.dtype.is_integer and dtype.is_integer):
            raise TypeError(f"`{what}` must be a {dtype.name} tensor, got {t.dtype.name}")
        if not t.shape.is_compatible_with(TensorShape([])):
            raise ValueError(f"`{what}` must be a scalar, got shape {t.shape}")
        return t
    array = _constant(value, dtype)
    if array.ndim:
        raise ValueError(f"`{what}` must be a scalar, got {value!r}")
    return array


def _known(arg):
    """The value of a scalar argument if known while building, else None."""
    if isinstance(arg, np.ndarray):
        return arg.item()
    value = constant_value(arg)
    return None if value is None else np.asarray(value).item()


def strings_arg(value, what):
    """A string argument of rank 0 or 1 (file names, patterns)."""
    if isinstance(value, TensorLike):
        t = convert_to_tensor(value)
        if t.dtype is not dtypes.string:
            raise TypeError(f"`{what}` must be a string tensor, got {t.dtype.name}")
        return t
    return _constant(value, dtypes.string)


def flat_texts(array):
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v)
            for v in np.asarray(array, dtype=object).reshape(-1)]


def _shuffle_seeds(seed):
    """(seed, seed2) for a shuffle from the graph and op seeds; (0, 0) means random. Without an
    op seed, the graph's shuffles take op seeds 0, 1, 2, ... in the order they are made (TF
    2's per-graph count of unseeded ops; tensorweave counts shuffles only)."""
    graph = get_default_graph()
    if seed is None and graph.seed is not None:
        seed = next(graph.extension(_shuffle_seeds, itertools.count))
    seed, seed2 = get_seed(seed)
    if seed is None:
        return 0, 0
    return int(seed), int(seed2)


# --- the Dataset -----------------------------------------------------------------------------
class Dataset(structure.Structured):
    """A sequence of elements, each a nested structure of tensors (TF's tf.data.Dataset)."""

    def __init__(self, specs, inputs=(), args=(), functions=()):
        self._specs = specs
        self._inputs = tuple(inputs)
        self._args = [a for a in args if a is not None]
        self._functions = tuple(functions)
        self._capture_list = None

    def _captures(self):
        """The graph tensors this dataset (with its inputs and functions) reads, in order."""
        if self._capture_list is None:
            seen = {}
            for d in self._inputs:
                seen.update(dict.fromkeys(d._captures()))
            for a in self._args:
                if isinstance(a, TensorLike):
                    seen[a] = None
            for f in self._functions:
                seen.update(dict.fromkeys(f.captures))
            self._capture_list = list(seen)
        return self._capture_list

    def _instantiate(self, ctx):
        """A function starting a new iteration over this dataset in the context `ctx`."""
        raise NotImplementedError

    def start_iterator(self, state, name, captures):
        """A new iteration for the iterator `name` in the session state `state`, with the
        values of `_captures()` (the iterator ops of ops/iterator.py call this)."""
        values = dict(zip(self._captures(), captures))
        state = weakref.proxy(state)

        def start(seed_log):
            ctx = pipeline.RunContext(values, pipeline.ScopedState(state, name, seed_log))
            return self._instantiate(ctx)()
        return pipeline.IteratorResource(start=start, stateful_op=self._stateful_op_type())

    def _stateful_op_type(self):
        """The op type in this pipeline's functions (or a generator's PyFunc) whose state keeps
        its iterator from being saved, or None."""
        for f in self._functions:
            found = iterator_op_types.unsaveable_op_type(f.graph.get_operations())
            if found is None and f.kind == "dataset":
                found = f.dataset._stateful_op_type()
            if found is not None:
                return found
        return next((t for t in (d._stateful_op_type() for d in self._inputs) if t), None)

    # --- structure (output_types, output_shapes, ...: structure.Structured) ---------------
    def __repr__(self):
        """TF 1.15's: the v1 class's name (DatasetV1Adapter around every source and
        transformation; TFRecordDatasetV1 etc. for the file readers), shapes and types."""
        name = type(self).__name__
        name = "DatasetV1Adapter" if name.startswith("_") else name + "V1"
        types = structure.map_structure(lambda s: f"tf.{s.dtype.name}", self._specs)
        return f"<{name} shapes: {_text(self.output_shapes)}, types: {_text(types)}>"

    def __iter__(self):
        raise RuntimeError("dataset.__iter__() is only supported when eager execution is "
                           "enabled. Use dataset.make_one_shot_iterator() and get_next() in "
                           "a Session.")

    # --- sources --------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors):
        """Elements are the slices of `tensors` (a nested structure) along their first axis."""
        return _TensorSlices(tensors)

    @staticmethod
    def from_tensors(tensors):
        """A single element: `tensors`."""
        return _Tensors(tensors)

    @staticmethod
    def range(*args):
        """int64 elements like Python's range(start, stop, step)."""
        return _Range(*args)

    @staticmethod
    def zip(datasets):
        """Elements of the nested `datasets` side by side, until the shortest ends."""
        return _Zip(datasets)

    @staticmethod
    def from_generator(generator, output_types, output_shapes=None, args=None):
        """Elements yielded by `generator(*args)` (called again for each iteration)."""
        return _Generator(generator, output_types, output_shapes, args)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None):
        """The file names matching `file_pattern` (shuffled unless shuffle=False)."""
        return _ListFiles(file_pattern, True if shuffle is None else shuffle, seed)

    # --- transformations ------------------------------------------------------------------
    def map(self, map_func, num_parallel_calls=None):
        """`map_func` applied to each element (traced once into graph ops)."""
        return _Map(self, map_func)

    def filter(self, predicate):
        """The elements for which `predicate` (a scalar tf.bool function) is true."""
        return _Filter(self, predicate)

    def flat_map(self, map_func):
        """The elements of the datasets `map_func` returns for each element, in order."""
        return _Interleave(self, map_func, 1, 1)

    def interleave(self, map_func, cycle_length=AUTOTUNE, block_length=1,
                   num_parallel_calls=None):
        """Elements of `cycle_length` inner datasets, `block_length` at a time from each."""
        if cycle_length == AUTOTUNE:
            cycle_length = os.cpu_count() or 1
        return _Interleave(self, map_func, cycle_length, block_length)

    def batch(self, batch_size, drop_remainder=False):
        """Consecutive elements stacked `batch_size` at a time (the last batch may be short)."""
        return _Batch(self, batch_size, drop_remainder)

    def window(self, size, shift=None, stride=1, drop_remainder=False):
        """Windows of `size` elements, `stride` apart, each starting `shift` (default `size`)
        elements after the last one's; each component of a window is a Dataset (as `map` and
        `flat_map` functions receive it). Short windows at the end unless `drop_remainder`."""
        return _Window(self, size, size if shift is None else shift, stride, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False):
        """Batches whose components are padded to `padded_shapes` (None: the longest)."""
        return _PaddedBatch(self, batch_size, padded_shapes, padding_values, drop_remainder)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None):
        """Elements drawn at random from a buffer of `buffer_size` upcoming elements."""
        return _Shuffle(self, buffer_size, seed,
                        True if reshuffle_each_iteration is None else reshuffle_each_iteration)

    def repeat(self, count=None):
        """This dataset `count` times (forever when None or -1)."""
        return _Repeat(self, -1 if count is None else count)

    def take(self, count):
        """At most `count` elements (all when -1)."""
        return _Take(self, count)

    def skip(self, count):
        """The elements after the first `count` (none when -1)."""
        return _Skip(self, count)

    def shard(self, num_shards, index):
        """Every `num_shards`-th element, starting at `index`."""
        return _Shard(self, num_shards, index)

    def prefetch(self, buffer_size):
        """Elements prepared ahead by a background thread, up to `buffer_size`."""
        return _Prefetch(self, buffer_size)

    def cache(self, filename=""):
        """Elements of the first full iteration, replayed afterwards (in memory, or in
        `filename` across programs)."""
        return _Cache(self, filename)

    def options(self):
        """The tf.data.Options of this dataset: its inputs' merged, then its own."""
        from tensorweave.data.options import Options
        merged = Options()
        for dataset in self._inputs:
            merged = merged.merge(dataset.options())
        own = getattr(self, "_own_options", None)
        return merged if own is None else merged.merge(own)

    def with_options(self, options):
        """This dataset with `options` merged into its own. Options record choices; the
        elements are the same (pipelines here run in order, in one thread)."""
        dataset = copy.copy(self)
        dataset._own_options = self.options().merge(options)
        return dataset

    def concatenate(self, dataset):
        """The elements of this dataset, then those of `dataset`."""
        return _Concatenate(self, dataset)

    def unbatch(self):
        """Each element split into the slices along its first axis."""
        return _Unbatch(self)

    def enumerate(self, start=0):
        """(index, element) pairs, counting from `start`."""
        return Dataset.zip((Dataset.range(start, np.iinfo(np.int64).max), self))

    def apply(self, transformation_func):
        """transformation_func(self), which must return a Dataset."""
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError("`transformation_func` must return a Dataset.")
        return result

    # --- iterators ------------------------------------------------------------------------
    def make_one_shot_iterator(self):
        """An iterator that initializes itself on first use."""
        from tensorweave.data import iterator_ops
        return iterator_ops.make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name=None):
        """An iterator to start (again) with `sess.run(iterator.initializer)`."""
        from tensorweave.data import iterator_ops
        return iterator_ops.make_initializable_iterator(self, shared_name)


def _text(structure_value):
    if isinstance(structure_value, dict):
        return "{" + ", ".join(f"{k}: {_text(v)}" for k, v in structure_value.items()) + "}"
    if isinstance(structure_value, tuple):
        return "(" + ", ".join(_text(v) for v in structure_value) + ")"
    return str(structure_value)


# --- sources ---------------------------------------------------------------------------------
def _normalize(tensors):
    """The element structure with each leaf a Tensor or NumPy constant (lists are leaves)."""
    return structure.map_structure(_component, tensors)


class _TensorSlices(Dataset):
    def __init__(self, tensors):
        components = _normalize(tensors)
        flat = structure.flatten(components)
        if not flat:
            raise ValueError("from_tensor_slices needs at least one tensor")
        first = TensorShape([None])
        for c in flat:
            shape = structure.spec_of(c).shape
            if shape.ndims == 0:
                raise ValueError("Unbatching a tensor is only supported for rank >= 1")
            if shape.ndims is not None:
                if not first.is_compatible_with(shape[:1]):
                    raise ValueError(f"Dimensions {first[0].value} and {shape[0].value} are "
                                     "not compatible")
                first = first.merge_with(shape[:1])
        specs = structure.map_structure(lambda c: Spec(structure.spec_of(c).dtype,
                                                        structure.spec_of(c).shape[1:]),
                                        components)
        super().__init__(specs, args=flat)
        self._components = flat

    def _instantiate(self, ctx):
        arrays = [ctx.value(c) for c in self._components]
        sizes = {len(a) if a.ndim else None for a in arrays}
        if None in sizes or len(sizes) != 1:
            raise pipeline.invalid(f"Expected slices of rank >= 1 with one first dimension, "
                                   f"got shapes {[list(a.shape) for a in arrays]}")
        return lambda: pipeline.Slices(arrays)


class _Tensors(Dataset):
    def __init__(self, tensors):
        components = _normalize(tensors)
        flat = structure.flatten(components)
        specs = structure.pack_as(components, [structure.spec_of(c) for c in flat])
        super().__init__(specs, args=flat)
        self._components = flat

    def _instantiate(self, ctx):
        element = tuple(ctx.value(c) for c in self._components)
        return lambda: pipeline.Elements([element])


class _Range(Dataset):
    def __init__(self, *args):
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Dataset.range takes 1 to 3 arguments, got {len(args)}")
        if len(args) == 1:
            args = (0, args[0], 1)
        elif len(args) == 2:
            args = (args[0], args[1], 1)
        self._bounds = [scalar_arg(a, dtypes.int64, name)
                        for a, name in zip(args, ("start", "stop", "step"))]
        super().__init__(Spec(dtypes.int64, []), args=self._bounds)

    def _instantiate(self, ctx):
        start, stop, step = (int(ctx.scalar(a)) for a in self._bounds)
        if step == 0:
            raise pipeline.invalid("step must be a non-zero integer.")
        return lambda: pipeline.Range(start, stop, step)


class _Zip(Dataset):
    def __init__(self, datasets):
        if isinstance(datasets, list):
            datasets = tuple(datasets)
        flat = structure.flatten(datasets)
        if not flat or not all(isinstance(d, Dataset) for d in flat):
            raise TypeError(f"Dataset.zip needs a nested structure of Datasets, got "
                            f"{datasets!r}")
        specs = structure.pack_as(datasets, [d._specs for d in flat])
        super().__init__(specs, inputs=flat)

    def _instantiate(self, ctx):
        makers = [d._instantiate(ctx) for d in self._inputs]
        return lambda: pipeline.Zip([make() for make in makers])


class _Generator(Dataset):
    def __init__(self, generator, output_types, output_shapes, args):
        if not callable(generator):
            raise TypeError("`generator` must be callable.")
        if isinstance(output_types, list):
            output_types = tuple(output_types)
        if isinstance(output_shapes, list) and structure.is_nested(output_types):
            output_shapes = tuple(output_shapes)
        specs = structure.specs_from(output_types, output_shapes)
        self._generator = generator
        self._call_args = [_component(a) for a in (args or ())]
        super().__init__(specs, args=self._call_args)

    def _stateful_op_type(self):
        return iterator_op_types.PY_FUNC  # TF runs the generator in a PyFunc

    def _instantiate(self, ctx):
        values = [ctx.value(a) for a in self._call_args]
        return lambda: pipeline.FromGenerator(self._generator(*values), self._specs)


class _ListFiles(Dataset):
    def __init__(self, file_pattern, shuffle, seed):
        self._pattern = strings_arg(file_pattern, "file_pattern")
        self._shuffle = shuffle
        self._seeds = _shuffle_seeds(seed) if shuffle else None
        super().__init__(Spec(dtypes.string, []), args=[self._pattern])

    def _instantiate(self, ctx):
        patterns = flat_texts(ctx.value(self._pattern))
        names = [name.encode("utf-8") for p in patterns for name in sorted(glob.glob(p))]
        if not names:
            raise pipeline.invalid(f"No files matched pattern: {', '.join(patterns)}")
        if not self._shuffle:
            return lambda: pipeline.Strings(names)
        seeds = pipeline.SeedStream(*self._seeds, reshuffle=True, seed_log=ctx.state.seed_log)
        return lambda: pipeline.Shuffle(pipeline.Strings(names), len(names), seeds.next_draws(),
                                        by_rows=True)


# --- transformations -------------------------------------------------------------------------
def _given_windows(func, specs):
    """`func`, given each window component of an element (a DatasetSpec component, traced as
    its elements stacked) as the Dataset of those elements, as TF hands windows to functions."""
    flat_specs = structure.flatten(specs)
    if not any(isinstance(s, structure.DatasetSpec) for s in flat_specs):
        return func

    def given(*args):
        element = args if type(specs) is tuple else args[0]
        parts = [Dataset.from_tensor_slices(t) if isinstance(s, structure.DatasetSpec) else t
                 for s, t in zip(flat_specs, structure.flatten(element))]
        element = structure.pack_as(specs, parts)
        return func(*element) if type(element) is tuple else func(element)
    return given


class _PerElement(Dataset):
    """A stage applying one traced function `fn` to each element; `_stage(input iterator,
    instantiated fn)` runs it."""

    _stage = None

    def __init__(self, dataset, specs, fn):
        super().__init__(specs, inputs=[dataset], functions=[fn])
        self._fn = fn

    def _instantiate(self, ctx):
        make = self._inputs[0]._instantiate(ctx)
        fn, stage = self._fn.instantiate(ctx), type(self)._stage
        return lambda: stage(make(), fn)


class _Map(_PerElement):
    _stage = pipeline.Map

    def __init__(self, dataset, map_func):
        fn = TracedFunction(_given_windows(map_func, dataset._specs), dataset._specs,
                            "tensors", "MapDataset")
        super().__init__(dataset, fn.output_specs, fn)


class _Filter(_PerElement):
    _stage = pipeline.Filter

    def __init__(self, dataset, predicate):
        fn = TracedFunction(_given_windows(predicate, dataset._specs), dataset._specs,
                            "tensors", "FilterDataset")
        check_predicate(fn)
        super().__init__(dataset, dataset._specs, fn)


class _Interleave(Dataset):
    def __init__(self, dataset, map_func, cycle_length, block_length):
        fn = TracedFunction(_given_windows(map_func, dataset._specs), dataset._specs,
                            "dataset", "InterleaveDataset")
        self._cycle = scalar_arg(cycle_length, dtypes.int64, "cycle_length")
        self._block = scalar_arg(block_length, dtypes.int64, "block_length")
        super().__init__(fn.dataset._specs, inputs=[dataset], args=[self._cycle, self._block],
                         functions=[fn])
        self._fn = fn

    def _instantiate(self, ctx):
        make = self._inputs[0]._instantiate(ctx)
        fn = self._fn.instantiate(ctx)
        inner = self._fn.dataset
        inner_captures = inner._captures()
        cycle, block = int(ctx.scalar(self._cycle)), int(ctx.scalar(self._block))
        if cycle < 1 or block < 1:
            raise pipeline.invalid("cycle_length and block_length must be positive.")

        def open_inner(element):
            values = dict(zip(inner_captures, fn(element)))
            return inner._instantiate(pipeline.RunContext(values, ctx.state))()
        return lambda: pipeline.Interleave(make(), open_inner, cycle, block)


def _batched_specs(specs, size, drop_remainder):
    n = _known(size) if drop_remainder else None
    return structure.map_structure(
        lambda s: Spec(s.dtype, TensorShape([n]).concatenate(s.shape)), specs)


class _Batch(Dataset):
    def __init__(self, dataset, batch_size, drop_remainder):
        self._size = scalar_arg(batch_size, dtypes.int64, "batch_size")
        self._drop = bool(drop_remainder)
        super().__init__(_batched_specs(dataset._specs, self._size, self._drop),
                         inputs=[dataset], args=[self._size])

    def _instantiate(self, ctx):
        make = self._inputs[0]._instantiate(ctx)
        size = _positive(ctx.scalar(self._size), "batch_size")
        return lambda: pipeline.Batch(make(), size, self._drop)


class _Window(Dataset):
    def __init__(self, dataset, size, shift, stride, drop_remainder):
        self._size = scalar_arg(size, dtypes.int64, "size")
        self._shift = scalar_arg(shift, dtypes.int64, "shift")
        self._stride = scalar_arg(stride, dtypes.int64, "stride")
        self._drop = bool(drop_remainder)
        specs = structure.map_structure(
            lambda s: structure.DatasetSpec(s.dtype, s.shape), dataset._specs)
        super().__init__(specs, inputs=[dataset], args=[self._size, self._shift, self._stride])

    def _instantiate(self, ctx):
        make = self._inputs[0]._instantiate(ctx)
        size = _positive(ctx.scalar(self._size), "size")
        shift = _positive(ctx.scalar(self._shift), "shift")
        stride = _positive(ctx.scalar(self._stride), "stride")
        return lambda: pipeline.Window(make(), size, shift, stride, self._drop)


def _positive(value, what):
    if int(value) <= 0:
        raise pipeline.invalid(f"{what} must be greater than zero.")
    return int(value)


def _up_to(specs, values, what):
    """Leaves of `values` matched to the components of `specs` (each may be a list/tuple)."""
    if isinstance(specs, dict):
        if not isinstance(values, dict) or set(values) != set(specs):
            raise ValueError(f"`{what}` must match the element structure {specs!r}")
        return [v for k in sorted(specs) for v in _up_to(specs[k], values[k], what)]
    if isinstance(specs, tuple):
        if not isinstance(values, (tuple, list)) or len(values) != len(specs):
            raise ValueError(f"`{what}` must match the element structure {specs!r}")
        return [v for s, x in zip(specs, values) for v in _up_to(s, x, what)]
    return [values]


class _PaddedBatch(Dataset):
    def __init__(self, dataset, batch_size, padded_shapes, padding_values, drop_remainder):
        flat = dataset._flat_specs()
        if padded_shapes is None:
            shapes = [s.shape for s in flat]
        else:
            shapes = [_padded_shape(p) for p in _up_to(dataset._specs, padded_shapes,
                                                        "padded_shapes")]
        for spec, shape in zip(flat, shapes):
            if shape.ndims is None:
                raise ValueError("padded_batch needs component shapes of known rank; pass "
                                 "`padded_shapes`.")
            if not spec.shape.is_compatible_with(shape) and not (
                    spec.shape.ndims == shape.ndims and all(
                        a is None or b is None or a <= b
                        for a, b in zip(spec.shape.as_tuple(), shape.as_tuple()))):
                raise ValueError(f"The padded shape {shape} is not compatible with the "
                                 f"corresponding input component shape {spec.shape}.")
        if padding_values is None:
            values = [b"" if s.dtype is dtypes.string else 0 for s in flat]
        else:
            values = _up_to(dataset._specs, padding_values, "padding_values")
        self._shapes = shapes
        self._values = [_padding_value(v, s) for v, s in zip(values, flat)]
        self._size = scalar_arg(batch_size, dtypes.int64, "batch_size")
        self._drop = bool(drop_remainder)
        padded = structure.pack_as(dataset._specs, [Spec(s.dtype, shape)
                                                    for s, shape in zip(flat, shapes)])
        tensors = [v for v in self._values if isinstance(v, TensorLike)]
        super().__init__(_batched_specs(padded, self._size, self._drop), inputs=[dataset],
                         args=[self._size] + tensors)

    def _instantiate(self, ctx):
        make = self._inputs[0]._instantiate(ctx)
        size = _positive(ctx.scalar(self._size), "batch_size")
        values = [ctx.value(v) if isinstance(v, TensorLike) else v for v in self._values]
        return lambda: pipeline.PaddedBatch(make(), size, self._shapes, values, self._drop)


def _padding_value(value, spec):
    """A padding value: a NumPy scalar of the component's dtype, or a scalar Tensor of that
    dtype read when the iterator starts (TF's padded_batch takes either)."""
    if isinstance(value, TensorLike):
        t = convert_to_tensor(value)
        if not t.shape.is_compatible_with(TensorShape([])):
            raise ValueError(f"Padding value should be a scalar, but is not: {t}")
        if t.dtype.base_dtype is not spec.dtype:
            raise TypeError(f"Padding value tensor ({t}) does not match output type: "
                            f"{spec.dtype.name}")
        return t
    return np.asarray(value.encode() if isinstance(value, str) else value, dtype=spec.np_dtype)


def _padded_shape(value):
    if isinstance(value, TensorLike):
        value = constant_value(convert_to_tensor(value))
        if value is None:
            raise ValueError("padded_shapes must be known while building the graph.")
    if isinstance(value, np.ndarray):
        value = value.tolist()
    return as_shape(value)


class _Shuffle(Dataset):
    def __init__(self, dataset, buffer_size, seed, reshuffle):
        self._size = scalar_arg(buffer_size, dtypes.int64, "buffer_size")
        self._seeds = _shuffle_seeds(seed)
        self._reshuffle = bool(reshuffle)
        super().__init__(dataset._specs, inputs=[dataset], args=[self._size])

    def _instantiate(self, ctx):
        make = self._inputs[0]._instantiate(ctx)
        size = _positive(ctx.scalar(self._size), "buffer_size")
        seeds = pipeline.SeedStream(*self._seeds, reshuffle=self._reshuffle,
                                    seed_log=ctx.state.seed_log)
        by_rows = all(s.shape.is_fully_defined() for s in self._flat_specs())
        return lambda: pipeline.Shuffle(make(), size, seeds.next_draws(), by_rows)


class _Counted(Dataset):
    """A stage with one int64 `count` argument; `_stage(input iterator, count)` runs it."""

    _stage = None

    def __init__(self, dataset, count):
        self._count = scalar_arg(count, dtypes.int64, "count")
        super().__init__(dataset._specs, inputs=[dataset], args=[self._count])

    def _instantiate(self, ctx):
        make = self._inputs[0]._instantiate(ctx)
        count, stage = int(ctx.scalar(self._count)), type(self)._stage
        return lambda: stage(make(), count)


class _Repeat(_Counted):
    def _instantiate(self, ctx):  # Repeat restarts its input, so it takes the factory
        make = self._inputs[0]._instantiate(ctx)
        count = int(ctx.scalar(self._count))
        return lambda: pipeline.Repeat(make, count)


class _Take(_Counted):
    _stage = pipeline.Take


class _Skip(_Counted):
    _stage = pipeline.Skip


class _Shard(Dataset):
    def __init__(self, dataset, num_shards, index):
        self._shards = scalar_arg(num_shards, dtypes.int64, "num_shards")
        self._index = scalar_arg(index, dtypes.int64, "index")
        super().__init__(dataset._specs, inputs=[dataset], args=[self._shards, self._index])

    def _instantiate(self, ctx):
        make = self._inputs[0]._instantiate(ctx)
        shards, index = int(ctx.scalar(self._shards)), int(ctx.scalar(self._index))
        if shards < 1 or not 0 <= index < shards:
            raise pipeline.invalid(f"Shard index {index} must be in [0, {shards}).")
        return lambda: pipeline.Shard(make(), shards, index)


class _Prefetch(Dataset):
    def __init__(self, dataset, buffer_size):
        self._size = scalar_arg(buffer_size, dtypes.int64, "buffer_size")
        super().__init__(dataset._specs, inputs=[dataset], args=[self._size])

    def _instantiate(self, ctx):
        make = self._inputs[0]._instantiate(ctx)
        size = int(ctx.scalar(self._size))
        if size == AUTOTUNE:
            size = _AUTOTUNE_PREFETCH
        if size == 0:
            return make
        return lambda: pipeline.Prefetch(make(), size)


class _Cache(Dataset):
    def __init__(self, dataset, filename):
        self._filename = scalar_arg(filename, dtypes.string, "filename")
        super().__init__(dataset._specs, inputs=[dataset], args=[self._filename])

    def _instantiate(self, ctx):
        make = self._inputs[0]._instantiate(ctx)
        filename = flat_texts(ctx.value(self._filename))[0]
        specs = self._flat_specs()
        by_rows = all(s.shape.is_fully_defined() for s in specs)
        store = (pipeline.FileCacheStore(filename, by_rows, specs) if filename
                 else pipeline.CacheStore(by_rows))
        return lambda: store.iterate(make)


class _Concatenate(Dataset):
    def __init__(self, first, second):
        if not structure.same_structure(first._specs, second._specs) or \
                first.output_types != second.output_types:
            raise TypeError(f"Two datasets to concatenate have different types "
                            f"{first.output_types} and {second.output_types}")
        specs = structure.map_structure(
            lambda a, b: Spec(a.dtype, structure.most_specific_compatible(a.shape, b.shape)),
            first._specs, second._specs)
        super().__init__(specs, inputs=[first, second])

    def _instantiate(self, ctx):
        first, second = (d._instantiate(ctx) for d in self._inputs)
        return lambda: pipeline.Concatenate(first(), second)


class _Unbatch(Dataset):
    def __init__(self, dataset):
        for s in dataset._flat_specs():
            if s.shape.ndims == 0:
                raise ValueError("Cannot unbatch an input with scalar components.")
        specs = structure.map_structure(lambda s: Spec(s.dtype, s.shape[1:]), dataset._specs)
        super().__init__(specs, inputs=[dataset])

    def _instantiate(self, ctx):
        make = self._inputs[0]._instantiate(ctx)
        return lambda: pipeline.Unbatch(make())
