"""TensorFlow's tf.data ops, as they appear in GraphDefs TensorFlow writes (every Estimator
checkpoint's .meta, every TF1 input pipeline), so those graphs import and run.

A dataset op outputs a scalar `variant` holding a function that starts a fresh stream (see
ops/dataset_streams.py) over the dataset its input values make (a dataset input arrives as its
variant). Sources (tensor slices, tensors, range, TFRecord, text-line and fixed-length record
files) and transformations (batch, padded batch, unbatch, repeat, take, skip, shard, shuffle,
shuffle-and-repeat, zip, concatenate, cache, prefetch) run; so do those whose work is a function
of the GraphDef's library (map, parallel map, filter, flat map, interleave, parallel
interleave, map-and-batch), each through a sub-Plan of its imported function
(ops/imported_functions.py). `MakeIteratorFromDataset` (TensorFlow's MakeIterator(dataset,
iterator), renamed on import) starts an iterator over a dataset; TensorFlow's OneShotIterator
with a `dataset_factory` function reads as DatasetFromFunction + OneShotIteratorFromDataset.

Where TensorFlow differs: shuffles draw from NumPy's generator seeded by (seed, seed2), so a
seeded shuffle is reproducible here but not in TensorFlow's order; parallel and sloppy
interleaves and maps run in the deterministic order; a cache with a file name keeps its
elements in memory (TensorFlow's cache files are not written or read). GeneratorDataset (a
Python function, which a GraphDef cannot hold) imports and raises UnimplementedError if run.
The forms that take a seed-generator or memory-cache resource (ShuffleDatasetV2/V3,
ShuffleAndRepeatDatasetV2, CacheDatasetV2; TF 2's eager tf.data) are not registered.
"""
import functools
import os
import zlib

import numpy as np

from tensorweave.core import dtypes, errors, tf_form
from tensorweave.core.registry import (NOT_DIFFERENTIABLE, register_op, register_tf_form,
                                       register_tf_graph_form)
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import imported_functions, iterator, reader_ops
from tensorweave.ops.dataset_streams import (Batch, CacheStore, Concatenate, Elements, Filter,
                                             Interleave, IteratorResource, Map, PaddedBatch,
                                             Range, Repeat, SeedStream, Shard, Shuffle, Skip,
                                             Slices, Strings, Take, Unbatch, Zip, invalid)


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

def _shuffle_seeds(seed, seed2, reshuffle):
    return SeedStream(int(seed), int(seed2), bool(reshuffle))


def _shuffle(dataset, buffer_size, seed=0, seed2=0, reshuffle_each_iteration=True):
    make, size = _stream_factory(dataset), int(buffer_size)
    if size <= 0:
        raise invalid("buffer_size must be greater than zero.")
    seeds = _shuffle_seeds(seed, seed2, reshuffle_each_iteration)
    return lambda: Shuffle(make(), size, seeds.next_draws(), False)


def _shuffle_and_repeat(dataset, buffer_size, seed, seed2, count,
                        reshuffle_each_iteration=True):
    shuffled = _shuffle(dataset, buffer_size, seed, seed2,
                        reshuffle_each_iteration=reshuffle_each_iteration)
    return _repeat(shuffled, count)


def _zip(*datasets):
    makes = [_stream_factory(d) for d in datasets]
    return lambda: Zip([make() for make in makes])


def _concatenate(dataset, other):
    first, second = _stream_factory(dataset), _stream_factory(other)
    return lambda: Concatenate(first(), second)


def _padded_batch(dataset, batch_size, *rest, N=None):
    count = N if N is not None else (len(rest) - 1) // 2
    shapes = [TensorShape([None if d < 0 else int(d) for d in np.reshape(s, -1)])
              for s in rest[:count]]
    values = [np.asarray(v) for v in rest[count:2 * count]]
    drop = bool(rest[2 * count]) if len(rest) > 2 * count else False
    make, size = _stream_factory(dataset), int(batch_size)
    if size <= 0:
        raise invalid("batch_size must be greater than zero.")
    return lambda: PaddedBatch(make(), size, shapes, values, drop)


def _cache(dataset, filename):
    make, store = _stream_factory(dataset), CacheStore(False)
    return lambda: store.iterate(make)  # file caches too are kept in memory (see the top)


def _shard(dataset, num_shards, index, require_non_empty=False):
    make, shards, index = _stream_factory(dataset), int(num_shards), int(index)
    if shards <= 0:
        raise invalid(f"Number of shards must be greater than zero (currently num_shards = "
                      f"{shards}).")
    if not 0 <= index < shards:
        raise invalid(f"Index must be between 0 and {shards - 1} (currently index = {index}).")
    return lambda: Shard(make(), shards, index)


def _unbatch(dataset):
    make = _stream_factory(dataset)
    return lambda: Unbatch(make())


# --- file readers: ops/reader_ops.py's readers over each file in turn -----------------------
def _file_names(filenames):
    return [f if isinstance(f, bytes) else str(f).encode("utf-8")
            for f in np.asarray(filenames, dtype=object).reshape(-1)]


def _text(value):
    value = np.asarray(value).reshape(-1)[0] if np.ndim(value) else np.asarray(value).item()
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _compression(value):
    name = _text(value).upper()
    if name not in ("", "ZLIB", "GZIP"):
        raise invalid(f"Unsupported compression_type: {_text(value)}.")
    return name


def _records(new_reader, names):
    """The values of the records `new_reader()` reads from each file in `names`."""
    for name in names:
        reader = new_reader()
        reader.work = name
        reader.start_work(name)
        try:
            while (record := reader.next_record()) is not None:
                yield record[1]
        finally:
            reader.close_work()


def _decompressed(name, compression):
    """The contents of file `name` (bytes) decompressed as `compression` says."""
    path = name.decode("utf-8")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None
    try:
        if compression == "GZIP":
            import gzip  # here: loading it costs every `import tensorweave`
            return gzip.decompress(data)
        return zlib.decompress(data)
    except (OSError, EOFError, zlib.error) as e:
        raise errors.DataLossError(None, None, f"corrupted {compression} data in {path} "
                                   f"({e})") from None


def _lines(names, compression):
    """The lines of compressed text files, without their line endings."""
    for name in names:
        lines = _decompressed(name, compression).split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for line in lines:
            yield line[:-1] if line.endswith(b"\r") else line


def _tf_record(filenames, compression_type, buffer_size=None):
    names, compression = _file_names(filenames), _compression(compression_type)
    return lambda: Strings(_records(lambda: reader_ops.TFRecordReader(compression), names))


def _text_line(filenames, compression_type, buffer_size=None):
    names, compression = _file_names(filenames), _compression(compression_type)
    if not compression:
        return lambda: Strings(_records(reader_ops.TextLineReader, names))
    return lambda: Strings(_lines(names, compression))


def _fixed_length(filenames, header_bytes, record_bytes, footer_bytes, buffer_size=None,
                  compression_type=""):
    names, compression = _file_names(filenames), _compression(compression_type)
    header, record, footer = int(header_bytes), int(record_bytes), int(footer_bytes)
    if record <= 0:
        raise invalid("record_bytes must be greater than zero.")
    return lambda: Strings(_records(lambda: reader_ops.FixedLengthRecordReader(
        record, header, footer, 0, compression), names))


_RUNNABLE.update({
    "ShuffleDataset": _shuffle,
    "ShuffleAndRepeatDataset": _shuffle_and_repeat,
    "ZipDataset": _zip,
    "ConcatenateDataset": _concatenate,
    "PaddedBatchDataset": _padded_batch,
    "PaddedBatchDatasetV2": _padded_batch,
    "CacheDataset": _cache,
    "ShardDataset": _shard,
    "UnbatchDataset": _unbatch,
    "TFRecordDataset": _tf_record,
    "TextLineDataset": _text_line,
    "FixedLengthRecordDatasetV2": _fixed_length,
})
# these make an object (seeds, a cache) each time they run: never folded while planning
_RUN_EACH_TIME = {"ShuffleDataset", "ShuffleAndRepeatDataset", "CacheDataset"}

# Dataset ops that import but do not run here: a Python generator cannot be in a GraphDef
NOT_RUNNABLE = ("GeneratorDataset",)


def _runnable_kernel(factory):
    @functools.wraps(factory)  # its signature: the importer keeps the attrs `factory` takes
    def kernel(*values, **attrs):
        return _variant(factory(*values, **attrs))
    return kernel


def _not_runnable_kernel(op_type):
    def kernel(*values):
        raise errors.UnimplementedError(
            None, None, f"{op_type} was imported from a GraphDef; its work is a Python "
            "function, which a GraphDef cannot hold. Build the input pipeline in code, or "
            "feed the tensors its IteratorGetNext gives.")
    return kernel


def _dataset_shape(*inputs, **attrs):
    return [(dtypes.variant, TensorShape([]))]


for _op_type, _factory in _RUNNABLE.items():
    register_op(_op_type, shape=_dataset_shape, kernel=_runnable_kernel(_factory),
                foldable=_op_type not in _RUN_EACH_TIME, grad=NOT_DIFFERENTIABLE)
for _op_type in NOT_RUNNABLE:
    register_op(_op_type, shape=_variant_shape, kernel=_not_runnable_kernel(_op_type),
                grad=NOT_DIFFERENTIABLE)


# --- dataset ops whose work is a function of the GraphDef's library -------------------------
def _parallel_cycle(value):
    cycle = int(value)
    return (os.cpu_count() or 1) if cycle == -1 else cycle  # AUTOTUNE: one per core, as TF


def _map_stage(make, call, trailing):
    return lambda: Map(make(), call)


def _filter_stage(make, call, trailing):
    def keep(element):
        return (np.asarray(call(element)[0]),)
    keep.can_batch = call.can_batch
    return lambda: Filter(make(), keep)


def _opener(call):
    def open_inner(element):
        return _stream_factory(call(element)[0])()
    return open_inner


def _flat_map_stage(make, call, trailing):
    return lambda: Interleave(make(), _opener(call), 1, 1)


def _interleave_stage(make, call, trailing):
    cycle, block = _parallel_cycle(trailing[0]), int(trailing[1])
    if cycle <= 0:
        raise invalid(f"cycle_length must be greater than zero, got {cycle}")
    if block <= 0:
        raise invalid(f"block_length must be greater than zero, got {block}")
    return lambda: Interleave(make(), _opener(call), cycle, block)


def _map_and_batch_stage(make, call, trailing):
    size, drop = int(trailing[0]), bool(trailing[2])
    if size <= 0:
        raise invalid("batch_size must be greater than zero.")
    return lambda: Batch(Map(make(), call), size, drop)


# op type -> (function attr, how many inputs follow the captured ones, the stage it makes)
_FUNCTION_DATASETS = {
    "MapDataset": ("f", 0, _map_stage),
    "ParallelMapDataset": ("f", 1, _map_stage),
    "ParallelMapDatasetV2": ("f", 1, _map_stage),
    "FilterDataset": ("predicate", 0, _filter_stage),
    "FlatMapDataset": ("f", 0, _flat_map_stage),
    "InterleaveDataset": ("f", 2, _interleave_stage),
    "ParallelInterleaveDataset": ("f", 5, _interleave_stage),
    "ParallelInterleaveDatasetV2": ("f", 3, _interleave_stage),
    "ParallelInterleaveDatasetV3": ("f", 3, _interleave_stage),
    "ParallelInterleaveDatasetV4": ("f", 5, _interleave_stage),
    "LegacyParallelInterleaveDatasetV2": ("f", 4, _interleave_stage),
    "MapAndBatchDataset": ("f", 3, _map_and_batch_stage),
}


def _function_dataset_shape(op_type, attr):
    def shape(input_dataset, *inputs, **attrs):
        function = attrs.get(attr)
        if function is not None and not isinstance(function, imported_functions.ImportedFunction):
            raise ValueError(f"{op_type} needs its function `{attr}` from the GraphDef's "
                             "library")
        if input_dataset.dtype is not dtypes.variant:
            raise TypeError(f"{op_type} requires a dataset (variant) input, got "
                            f"{input_dataset.dtype.name}")
        return [(dtypes.variant, TensorShape([]))]
    return shape


def _bind_function_dataset(attr, trailing, stage):
    def bind(op, make_plan, is_used):
        function = imported_functions.require_function(op, attr)
        plan = imported_functions.plan_of(function, make_plan)
        captured = len(op.inputs) - 1 - trailing

        def run(dataset, *values):
            call = imported_functions.FunctionCall(plan, values[:captured])
            return _variant(stage(_stream_factory(dataset), call, values[captured:]))
        return run
    return bind


for _op_type, (_attr, _trailing, _stage) in _FUNCTION_DATASETS.items():
    register_op(_op_type, shape=_function_dataset_shape(_op_type, _attr), kernel=None,
                bind=_bind_function_dataset(_attr, _trailing, _stage), foldable=False,
                grad=NOT_DIFFERENTIABLE)
    imported_functions.function_codec(_op_type, _attr, 1)


# --- DatasetFromFunction + OneShotIteratorFromDataset: TF's OneShotIterator(dataset_factory) --
def _factory_shape(**attrs):
    if not isinstance(attrs.get("dataset_factory"), imported_functions.ImportedFunction):
        raise ValueError("DatasetFromFunction needs its `dataset_factory` function from the "
                         "GraphDef's library")
    return [(dtypes.variant, TensorShape([]))]


def _bind_factory(op, make_plan, is_used):
    plan = imported_functions.plan_of(
        imported_functions.require_function(op, "dataset_factory"), make_plan)
    return lambda: plan.run_raw([])[0]


register_op("DatasetFromFunction", shape=_factory_shape, kernel=None, bind=_bind_factory,
            foldable=False, grad=NOT_DIFFERENTIABLE)
imported_functions.function_codec("DatasetFromFunction", "dataset_factory", 0)


def _one_shot_shape(dataset, **attrs):
    if dataset.dtype is not dtypes.variant:
        raise TypeError(f"OneShotIterator requires a dataset (variant), got "
                        f"{dataset.dtype.name}")
    return [(dtypes.string, TensorShape([]))]


def _one_shot_kernel(state, op_name, dataset):
    handle = np.array(op_name.encode("utf-8"), dtype=object)
    if (iterator.RESOURCE, handle.item()) not in state.resources:
        iterator.store_iterator(state, handle.item(),
                                IteratorResource(_stream_factory(dataset)()))
    return handle


register_op("OneShotIteratorFromDataset", shape=_one_shot_shape, kernel=_one_shot_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)


def _split_one_shot_iterators(graph_def):
    """TensorFlow's OneShotIterator with a dataset_factory function: a DatasetFromFunction
    node that makes the dataset and, under the iterator's name, the iterator over it."""
    found = [n for n in graph_def.node if n.op == "OneShotIterator"
             and "dataset_factory" in n.attr and "dataset" not in n.attr]
    if not found:
        return graph_def
    rewritten = type(graph_def)()
    rewritten.CopyFrom(graph_def)
    taken = {n.name for n in rewritten.node}
    for node in [n for n in rewritten.node if n.name in {f.name for f in found}]:
        name = node.name + "/dataset_factory"
        while name in taken:
            name += "_1"
        taken.add(name)
        factory = rewritten.node.add(name=name, op="DatasetFromFunction", device=node.device)
        factory.attr["dataset_factory"].CopyFrom(node.attr["dataset_factory"])
        node.op = "OneShotIteratorFromDataset"
        controls = [i for i in node.input if i.startswith("^")]
        del node.input[:]
        node.input.extend([name] + controls)
        for key in list(node.attr):
            if not key.startswith("_"):
                del node.attr[key]
    return rewritten


register_tf_graph_form(_split_one_shot_iterators)


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
