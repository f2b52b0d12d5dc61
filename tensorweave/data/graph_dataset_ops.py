"""TensorFlow's tf.data ops, as they appear in GraphDefs TensorFlow writes (every Estimator
checkpoint's .meta), so those graphs import.

A dataset op outputs a scalar `variant`: a tensorweave Dataset built from its inputs' values
when it runs. Datasets of constants and placeholders (from_tensor_slices, from_tensors, range,
batch, repeat, take, skip, prefetch) run, and `MakeIteratorFromDataset` (TensorFlow's
MakeIterator(dataset, iterator), renamed on import) starts an iterator over one. Dataset ops
whose work is a function in the GraphDef's library (map, filter, interleave, ...) or that read
files import too, and raise UnimplementedError naming the op if they run; the rest of the
graph works.
"""
import numpy as np

from tensorweave.data import dataset_ops, iterator_ops
from tensorweave.framework import dtypes, errors
from tensorweave.framework.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.framework.tensor_shape import TensorShape


def _variant(dataset):
    holder = np.empty((), dtype=object)
    holder[()] = dataset
    return holder


def _variant_shape(*inputs):
    return [(dtypes.variant, TensorShape([]))]


def _dataset(variant):
    return variant.item() if isinstance(variant, np.ndarray) else variant


def _structure(components):
    return components[0] if len(components) == 1 else tuple(components)


# op type -> the Dataset its input values make (a dataset input arrives as its variant)
_RUNNABLE = {
    "TensorSliceDataset": lambda *c: dataset_ops.Dataset.from_tensor_slices(_structure(c)),
    "TensorDataset": lambda *c: dataset_ops.Dataset.from_tensors(_structure(c)),
    "RangeDataset": lambda start, stop, step: dataset_ops.Dataset.range(
        int(start), int(stop), int(step)),
    "BatchDataset": lambda d, size: _dataset(d).batch(int(size)),
    "BatchDatasetV2": lambda d, size, drop: _dataset(d).batch(int(size), bool(drop)),
    "RepeatDataset": lambda d, count: _dataset(d).repeat(int(count)),
    "TakeDataset": lambda d, count: _dataset(d).take(int(count)),
    "SkipDataset": lambda d, count: _dataset(d).skip(int(count)),
    "PrefetchDataset": lambda d, size: _dataset(d),
    # TensorFlow's graph rewrites and performance options: the input dataset unchanged
    "OptimizeDataset": lambda d, *options: _dataset(d),
    "OptimizeDatasetV2": lambda d, *options: _dataset(d),
    "ModelDataset": lambda d: _dataset(d),
    "MaxIntraOpParallelismDataset": lambda d, *options: _dataset(d),
    "PrivateThreadPoolDataset": lambda d, *options: _dataset(d),
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


def _runnable_kernel(make):
    def kernel(*values):
        return _variant(make(*values))
    return kernel


def _not_runnable_kernel(op_type):
    def kernel(*values):
        raise errors.UnimplementedError(
            None, None, f"{op_type} was imported from a GraphDef; tensorweave does not run "
            "TensorFlow's dataset functions or file readers from GraphDefs. Build the input "
            "pipeline in code, or feed the tensors its IteratorGetNext gives.")
    return kernel


for _op_type, _make in _RUNNABLE.items():
    register_op(_op_type, shape=_variant_shape, kernel=_runnable_kernel(_make),
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
    name = handle.item()
    state.resources[(iterator_ops.RESOURCE, name)] = iterator_ops.start_iterator(
        state, name.decode("utf-8"), _dataset(dataset), [], op_name)
    return ()


register_op("MakeIteratorFromDataset", shape=_make_iterator_shape, kernel=_make_iterator_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)
