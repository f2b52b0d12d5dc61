"""tf.data.experimental: CSV datasets, transformations for `Dataset.apply`, and iterator
checkpoints (make_saveable_from_iterator)."""
import collections
import csv
import glob
import io

import numpy as np

from tensorweave.core import dtypes
from tensorweave.io import tf_record
from tensorweave.io.parsing_ops import decode_csv
from tensorweave.data.dataset_ops import AUTOTUNE, Dataset  # noqa: F401
from tensorweave.data.iterator_ops import make_saveable_from_iterator  # noqa: F401
from tensorweave.data.readers import TextLineDataset

def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """`dataset.shuffle(buffer_size, seed).repeat(count)`, for Dataset.apply."""
    return lambda dataset: dataset.shuffle(buffer_size, seed).repeat(count)


def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False,
                  num_parallel_calls=None):
    """`dataset.map(map_func).batch(batch_size, drop_remainder)`, for Dataset.apply."""
    return lambda dataset: dataset.map(map_func).batch(batch_size, drop_remainder)


def unbatch():
    """`dataset.unbatch()`, for Dataset.apply."""
    return lambda dataset: dataset.unbatch()


def _record_defaults(defaults):
    """CSV defaults where a bare dtype marks a required column of that type."""
    return [np.zeros(0, d.as_numpy_dtype) if isinstance(d, dtypes.DType) else d
            for d in defaults]


def CsvDataset(filenames, record_defaults, compression_type=None, buffer_size=None,  # noqa: N802
               header=False, field_delim=",", use_quote_delim=True, na_value="",
               select_cols=None):
    """The records of CSV files as tuples, one component per (selected) column."""
    defaults = _record_defaults(record_defaults)
    files = Dataset.from_tensor_slices(_as_list(filenames))

    def lines(name):
        return TextLineDataset(name, compression_type).skip(1 if header else 0)

    def parse(line):
        return tuple(decode_csv(line, defaults, field_delim, use_quote_delim,
                                na_value=na_value, select_cols=select_cols))
    return files.flat_map(lines).map(parse)


def _as_list(filenames):
    if isinstance(filenames, (str, bytes)):
        return [filenames]
    return filenames


def _file_names(file_pattern):
    patterns = [file_pattern] if isinstance(file_pattern, str) else list(file_pattern)
    names = [n for p in patterns for n in sorted(glob.glob(p))]
    if not names:
        raise ValueError(f"No files match {file_pattern!r}.")
    return names


def _open_text(name, compression):
    if compression == "GZIP":
        return io.TextIOWrapper(tf_record.open_input(name, "GZIP"), newline="")
    if compression:
        raise ValueError(f"compression_type {compression!r} is not supported for probing "
                         "columns; pass column_names and column_defaults.")
    return open(name, newline="")


def _csv_rows(names, compression, field_delim, use_quote_delim, header):
    for name in names:
        with _open_text(name, compression) as f:
            rows = csv.reader(f, delimiter=field_delim,
                              quoting=csv.QUOTE_MINIMAL if use_quote_delim else csv.QUOTE_NONE)
            if header:
                next(rows, None)
            yield from rows


_WIDENING = (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64, dtypes.string)


def _parses_as(text, dtype):
    try:
        value = (int if dtype.is_integer else float)(text)
    except ValueError:
        return False
    if dtype.is_integer:
        info = (-2 ** 31, 2 ** 31 - 1) if dtype is dtypes.int32 else (-2 ** 63, 2 ** 63 - 1)
        return info[0] <= value <= info[1]
    return True


def _infer_type(text, na_value, previous):
    """The narrowest CSV type holding `text` that is at least as wide as `previous`."""
    if text == "" or text == na_value:
        return previous
    start = 0 if previous is None else _WIDENING.index(previous)
    for dtype in _WIDENING[start:]:
        if dtype is dtypes.string or _parses_as(text, dtype):
            return dtype
    return dtypes.string


def _infer_defaults(names, compression, field_delim, use_quote_delim, na_value, header,
                    rows_for_inference, columns, count):
    inferred = [None] * len(columns)
    rows = _csv_rows(names, compression, field_delim, use_quote_delim, header)
    for i, row in enumerate(rows):
        if rows_for_inference is not None and i >= rows_for_inference:
            break
        if len(row) != count:
            raise ValueError("Problem inferring types: CSV row has different number of fields "
                             "than expected.")
        inferred = [_infer_type(row[c], na_value, t) for c, t in zip(columns, inferred)]
    return [[""] if t in (None, dtypes.string) else _typed_zero(t) for t in inferred]


def _typed_zero(dtype):
    return np.zeros(1, dtype.as_numpy_dtype)


def _column_indices(select_columns, column_names):
    index = {n: i for i, n in enumerate(column_names)}
    out = []
    for c in select_columns:
        if isinstance(c, int):
            if not 0 <= c < len(column_names):
                raise ValueError(f"Column index {c} specified in select_columns out of valid "
                                 "range.")
            out.append(c)
        elif c in index:
            out.append(index[c])
        else:
            raise ValueError(f"Value '{c}' specified in select_columns not a valid column "
                             "index or name.")
    if len(set(out)) != len(out):
        raise ValueError("select_columns contains duplicate columns")
    return sorted(out)


def make_csv_dataset(file_pattern, batch_size, column_names=None, column_defaults=None,
                     label_name=None, select_columns=None, field_delim=",",
                     use_quote_delim=True, na_value="", header=True, num_epochs=None,
                     shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                     prefetch_buffer_size=None, num_parallel_reads=None, sloppy=False,
                     num_rows_for_inference=100, compression_type=None, ignore_errors=False):
    """Batches of CSV rows as (features dict, label) pairs (or features dicts).

    Column names come from the header when not given; column types are inferred from the
    first `num_rows_for_inference` rows when no defaults are given (numbers default to 0 and
    strings to "" then). Without num_epochs the data repeats forever in full batches."""
    names = _file_names(file_pattern)
    compression = (compression_type or "").upper()
    if column_names is None:
        if not header:
            raise ValueError("Cannot infer column names without a header line.")
        first = next(_csv_rows(names[:1], compression, field_delim, use_quote_delim, False),
                     None)
        if first is None:
            raise ValueError(f"Cannot infer column names: {names[0]} is empty.")
        column_names = first
    column_names = list(column_names)
    if len(set(column_names)) != len(column_names):
        raise ValueError("Cannot have duplicate column names.")
    columns = (_column_indices(select_columns, column_names) if select_columns is not None
               else list(range(len(column_names))))
    if column_defaults is None:
        column_defaults = _infer_defaults(names, compression, field_delim, use_quote_delim,
                                          na_value, header, num_rows_for_inference, columns,
                                          len(column_names))
    defaults = _record_defaults(column_defaults)
    if len(defaults) != len(columns):
        raise ValueError("If specified, column_defaults and select_columns must have same "
                         "length.")
    keys = [column_names[c] for c in columns]
    if label_name is not None and label_name not in keys:
        raise ValueError("`label_name` provided must be one of the columns.")

    files = Dataset.from_tensor_slices(names)
    if shuffle:
        files = files.shuffle(len(names), shuffle_seed)

    def lines(name):
        return TextLineDataset(name, compression).skip(1 if header else 0)

    dataset = files.interleave(lines, cycle_length=num_parallel_reads or 1, block_length=1)
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer_size, shuffle_seed)
    if num_epochs != 1:
        dataset = dataset.repeat(num_epochs)
    dataset = dataset.batch(batch_size, drop_remainder=num_epochs is None)
    select = columns if select_columns is not None else None

    def parse(batch):
        values = decode_csv(batch, defaults, field_delim, use_quote_delim, na_value=na_value,
                            select_cols=select)
        features = collections.OrderedDict(zip(keys, values))
        if label_name is None:
            return features
        label = features.pop(label_name)
        return features, label
    dataset = dataset.map(parse)
    return dataset.prefetch(AUTOTUNE if prefetch_buffer_size is None else prefetch_buffer_size)
