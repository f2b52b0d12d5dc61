"""Datasets of file contents: lines of text files, TFRecord records, fixed-length records.

Each reads its files in order (or, with `num_parallel_reads` > 1, one record from each of
that many files in turn, as TF's parallel interleave does) when the iterator runs.
"""
from tensorweave.core import dtypes
from tensorweave.io import tf_record
from tensorweave.data import pipeline, structure
from tensorweave.data.dataset_ops import Dataset, flat_texts, scalar_arg, strings_arg
from tensorweave.data.structure import Spec


class _FileDataset(Dataset):
    """Scalar strings read from `filenames` by `self._records(path, compression)`; TF's
    `buffer_size` (a read buffer) is accepted and has nothing to tune here."""

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None, extra_args=()):
        self._filenames = strings_arg(filenames, "filenames")
        shape = structure.spec_of(self._filenames).shape
        if shape.ndims not in (None, 0, 1):
            raise ValueError(f"`filenames` must be a scalar or a vector, got shape {shape}")
        self._compression = scalar_arg(compression_type or "", dtypes.string, "compression_type")
        self._parallel = int(num_parallel_reads or 1)
        super().__init__(Spec(dtypes.string, []),
                         args=[self._filenames, self._compression] + list(extra_args))

    def _instantiate(self, ctx):
        names = flat_texts(ctx.value(self._filenames))
        compression = tf_record.TFRecordOptions.get_compression_type_string(
            flat_texts(ctx.value(self._compression))[0])
        settings = self._settings(ctx)

        def records(name):
            return self._records(name, compression, *settings)

        if self._parallel <= 1:
            return lambda: pipeline.Strings(r for name in names for r in records(name))
        return lambda: pipeline.Interleave(
            pipeline.Elements([(name,) for name in names]),
            lambda element: pipeline.Strings(records(element[0])), self._parallel, 1)

    def _settings(self, ctx):
        return ()


class TextLineDataset(_FileDataset):
    """The lines of text files, without their line endings (\\n or \\r\\n)."""

    @staticmethod
    def _records(name, compression):
        with tf_record.open_input(name, compression) as f:
            for line in f:
                if line.endswith(b"\n"):
                    line = line[:-1]
                if line.endswith(b"\r"):
                    line = line[:-1]
                yield line


class TFRecordDataset(_FileDataset):
    """The records of TFRecord files, as scalar strings."""

    @staticmethod
    def _records(name, compression):
        with tf_record.open_input(name, compression) as f:
            yield from tf_record.read_records(f, name)


class FixedLengthRecordDataset(_FileDataset):
    """Records of `record_bytes` bytes each, between a header and a footer of given sizes."""

    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None,
                 buffer_size=None, compression_type=None, num_parallel_reads=None):
        self._sizes = [scalar_arg(v or 0, dtypes.int64, what) for v, what in (
            (record_bytes, "record_bytes"), (header_bytes, "header_bytes"),
            (footer_bytes, "footer_bytes"))]
        super().__init__(filenames, compression_type, num_parallel_reads=num_parallel_reads,
                         extra_args=self._sizes)

    def _settings(self, ctx):
        record, header, footer = (int(ctx.scalar(v)) for v in self._sizes)
        if record <= 0:
            raise pipeline.invalid("record_bytes must be greater than zero.")
        return record, header, footer

    @staticmethod
    def _records(name, compression, record, header, footer):
        with tf_record.open_input(name, compression) as f:
            data = f.read()
        body = data[header:len(data) - footer]
        for start in range(0, len(body) - record + 1, record):
            yield body[start:start + record]
