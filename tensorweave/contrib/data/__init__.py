"""tf.contrib.data: TF 1.x's contrib home of the input pipeline, handed on to tf.data.

Older programs build pipelines from `tf.contrib.data.Dataset`, `Iterator`, `TFRecordDataset`,
`TextLineDataset` (the tf.data classes themselves here); TF 1.15's contrib.data holds the
transformations for `Dataset.apply`:

    dataset = dataset.apply(tf.contrib.data.batch_and_drop_remainder(32))
"""
from tensorweave.data.dataset_ops import Dataset  # noqa: F401
from tensorweave.data.experimental import (CsvDataset, make_csv_dataset,  # noqa: F401
                                           map_and_batch, shuffle_and_repeat, unbatch)
from tensorweave.data.iterator_ops import Iterator, make_saveable_from_iterator  # noqa: F401
from tensorweave.data.readers import (FixedLengthRecordDataset, TextLineDataset,  # noqa: F401
                                      TFRecordDataset)

__all__ = ["Dataset", "Iterator", "TFRecordDataset", "TextLineDataset",
           "FixedLengthRecordDataset", "CsvDataset", "make_csv_dataset", "map_and_batch",
           "shuffle_and_repeat", "unbatch", "batch_and_drop_remainder",
           "padded_batch_and_drop_remainder", "parallel_interleave", "sloppy_interleave",
           "enumerate_dataset", "make_saveable_from_iterator"]


def batch_and_drop_remainder(batch_size):
    """`dataset.batch(batch_size, drop_remainder=True)`, for Dataset.apply."""
    return lambda dataset: dataset.batch(batch_size, drop_remainder=True)


def padded_batch_and_drop_remainder(batch_size, padded_shapes, padding_values=None):
    """`dataset.padded_batch(..., drop_remainder=True)`, for Dataset.apply."""
    return lambda dataset: dataset.padded_batch(batch_size, padded_shapes, padding_values,
                                                drop_remainder=True)


def parallel_interleave(map_func, cycle_length, block_length=1, sloppy=False,
                        buffer_output_elements=None, prefetch_input_elements=None):
    """`dataset.interleave(map_func, cycle_length, block_length)`, for Dataset.apply. Elements
    come in the deterministic order (which `sloppy=True` allows as one of its orders)."""
    return lambda dataset: dataset.interleave(map_func, cycle_length, block_length)


def sloppy_interleave(map_func, cycle_length, block_length=1):
    """parallel_interleave with sloppy=True."""
    return parallel_interleave(map_func, cycle_length, block_length, sloppy=True)


def enumerate_dataset(start=0):
    """`dataset.enumerate(start)`: (index, element) pairs, for Dataset.apply."""
    return lambda dataset: dataset.enumerate(start)
