"""Reader op types (TF 1.x's io_ops readers) and the file ops ReadFile, WriteFile,
MatchingFiles and DecodeRaw.

A reader op (TextLineReaderV2, FixedLengthRecordReaderV2, TFRecordReaderV2,
WholeFileReaderV2, IdentityReaderV2) outputs a resource handle naming a reader in the Session's
state. `ReaderReadV2(reader, queue)` gives the next (key, value) record: when the reader has
no file ("work unit") open it dequeues the next file name from `queue`, blocking as the queue
does, and at the end of the last one the queue's OutOfRangeError ends the input. Readers are
used by one thread at a time (`state.blocking`, runtime/blocking.py).

    tf.decode_raw(tf.constant([b"\\x01\\x02"]), tf.int16)   # [[513]]
"""
import io
import os
import struct
import zlib

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.graph import create_op
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.lib import crc32c
from tensorweave.lib.paths import glob_matches

__all__ = ["decode_raw", "matching_files", "read_file", "write_file"]


def _bytes(value):
    value = value.item() if isinstance(value, np.ndarray) else value
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _path(value):
    return _bytes(value).decode("utf-8")


def _not_found(path):
    return errors.NotFoundError(None, None, f"{path}; No such file or directory")


def _open(path, compression=""):
    """`path` opened for binary reading, decompressed as `compression` ("", "ZLIB", "GZIP")
    says; NotFoundError / DataLossError naming the file."""
    try:
        if compression == "GZIP":
            import gzip  # here: loading it costs every `import tensorweave`
            with gzip.open(path, "rb") as f:
                return io.BytesIO(f.read())
        if compression == "ZLIB":
            with open(path, "rb") as f:
                return io.BytesIO(zlib.decompress(f.read()))
        return open(path, "rb")  # noqa: SIM115 - the reader closes it at the file's end
    except FileNotFoundError:
        raise _not_found(path) from None
    except IsADirectoryError:
        raise errors.FailedPreconditionError(None, None, f"{path}; Is a directory") from None
    except (OSError, EOFError, zlib.error) as e:
        raise errors.DataLossError(None, None, f"corrupted {compression} data in {path} "
                                   f"({e})") from None


# --- readers: what a work unit (a file name) yields ------------------------------------------
class RecordReader:
    """TensorFlow's ReaderBase: work units come from a queue of strings, one at a time.

    `work` is the current (or last) work unit; it is in progress while work_started >
    work_finished. A reader whose work units hold one record each (`one_record_per_work`)
    finishes the unit with that record, as TensorFlow's IdentityReader and WholeFileReader."""

    kind = "ReaderBase"
    one_record_per_work = False
    serializable = False  # whether serialize/restore work (TF: IdentityReader, WholeFile)

    def __init__(self):
        self.work = b""
        self.reset()

    def reset(self):
        self.close_work()
        self.work = b""
        self.work_started = 0
        self.work_finished = 0
        self.records_produced = 0

    def in_progress(self):
        return self.work_started > self.work_finished

    # subclass hooks
    def start_work(self, work):
        """Opens work unit `work` (bytes)."""

    def next_record(self):
        """(key, value) of the next record of the open work unit, or None at its end."""
        raise NotImplementedError

    def close_work(self):
        """Closes what start_work opened."""

    def _next_work(self, queue):
        element = queue.dequeue(1)[0]
        if len(element) != 1 or np.asarray(element[0]).dtype != object:
            raise errors.InvalidArgumentError(
                None, None, "Expected to dequeue a one-element string tuple, got "
                f"{len(element)} components")
        self.work = _bytes(element[0])
        self.start_work(self.work)
        self.work_started += 1

    def _finish_work(self):
        self.close_work()
        self.work_finished = self.work_started

    def _next(self, queue):
        """The next record of the current work unit, or None when it ended without one."""
        if not self.in_progress():
            self._next_work(queue)
        record = self.next_record()
        if record is None or self.one_record_per_work:
            self._finish_work()
        if record is not None:
            self.records_produced += 1
        return record

    def read(self, queue):
        """The next (key, value), moving on to the next work unit from `queue` as needed."""
        while True:
            record = self._next(queue)
            if record is not None:
                return record

    def read_up_to(self, queue, count):
        """Up to `count` records: fewer at the end of a work unit once some were read."""
        keys, values = [], []
        while len(keys) < count:
            record = self._next(queue)
            if record is not None:
                keys.append(record[0])
                values.append(record[1])
            if not self.in_progress() and keys:
                break
        return keys, values

    def serialize(self):
        """The reader's counts and work unit as TensorFlow's ReaderBaseState."""
        if not self.serializable:
            raise errors.UnimplementedError(None, None, "Reader SerializeState")
        return encode_reader_state(self.work_started, self.work_finished,
                                   self.records_produced, self.work)

    def restore(self, data):
        """Takes back a state that serialize gave (between work units only, as TF)."""
        if not self.serializable:
            raise errors.UnimplementedError(None, None, "Reader RestoreState")
        started, finished, produced, work = decode_reader_state(data, self.kind)
        if started < 0 or finished < 0 or produced < 0:
            raise errors.InvalidArgumentError(
                None, None, f"Unexpected negative value when restoring in {self.kind}")
        if started > finished:
            raise errors.InvalidArgumentError(
                None, None, f"Inconsistent work started vs. finished when restoring in "
                f"{self.kind}")
        self.close_work()
        self.work_started, self.work_finished, self.records_produced = started, finished, produced
        self.work = work or b""


class TextLineReader(RecordReader):
    """Lines of a text file without their line ending; key "file:line number"."""

    kind = "TextLineReader"

    def __init__(self, skip_header_lines=0):
        self._file = None
        self.skip_header_lines = skip_header_lines
        super().__init__()

    def start_work(self, work):
        self._file = _open(_path(work))
        self._line = 0
        for _ in range(self.skip_header_lines):
            if not self._file.readline():
                break
            self._line += 1

    def next_record(self):
        line = self._file.readline()
        if not line:
            return None
        self._line += 1
        if line.endswith(b"\n"):
            line = line[:-1]
        if line.endswith(b"\r"):
            line = line[:-1]
        return self.work + b":" + str(self._line).encode(), line

    def close_work(self):
        if self._file is not None:
            self._file.close()
            self._file = None


class FixedLengthRecordReader(RecordReader):
    """Records of `record_bytes` between a header and a footer, each `hop_bytes` after the
    last (0: right after it); a partial record at the end is dropped. Key "file:index"."""

    kind = "FixedLengthRecordReader"

    def __init__(self, record_bytes, header_bytes=0, footer_bytes=0, hop_bytes=0, encoding=""):
        self._data = None
        self.record_bytes, self.header_bytes = record_bytes, header_bytes
        self.footer_bytes, self.hop_bytes, self.encoding = footer_bytes, hop_bytes, encoding
        super().__init__()

    def start_work(self, work):
        with _open(_path(work), self.encoding) as f:
            self._data = f.read()
        self._end = len(self._data) - self.footer_bytes
        self._index = 0

    def next_record(self):
        start = self.header_bytes + self._index * (self.hop_bytes or self.record_bytes)
        if start + self.record_bytes > self._end:
            return None
        key = self.work + b":" + str(self._index).encode()
        self._index += 1
        return key, self._data[start:start + self.record_bytes]

    def close_work(self):
        self._data = None


_LENGTH = struct.Struct("<Q")
_CHECKSUM = struct.Struct("<I")


class TFRecordReader(RecordReader):
    """The records of a TFRecord file (checksums checked); key "file:byte offset"."""

    kind = "TFRecordReader"

    def __init__(self, compression_type=""):
        self._file = None
        self.compression_type = compression_type
        super().__init__()

    def start_work(self, work):
        self._file = _open(_path(work), self.compression_type)
        self._offset = 0

    def _damaged(self, what):
        return errors.DataLossError(None, None, f"{what} record at {self._offset} in "
                                    f"{_path(self.work)}")

    def next_record(self):
        header = self._file.read(12)
        if not header:
            return None
        if len(header) < 12:
            raise self._damaged("truncated")
        if crc32c.mask(crc32c.value(header[:8])) != _CHECKSUM.unpack(header[8:])[0]:
            raise self._damaged("corrupted")
        (length,) = _LENGTH.unpack(header[:8])
        data = self._file.read(length)
        footer = self._file.read(4)
        if len(data) < length or len(footer) < 4:
            raise self._damaged("truncated")
        if crc32c.mask(crc32c.value(data)) != _CHECKSUM.unpack(footer)[0]:
            raise self._damaged("corrupted")
        key = self.work + b":" + str(self._offset).encode()
        self._offset += 16 + length
        return key, data

    def close_work(self):
        if self._file is not None:
            self._file.close()
            self._file = None


class WholeFileReader(RecordReader):
    """One record per file: (file name, contents)."""

    kind = "WholeFileReader"
    serializable = True
    one_record_per_work = True

    def next_record(self):
        with _open(_path(self.work)) as f:
            return self.work, f.read()


class IdentityReader(RecordReader):
    """One record per work unit: (work, work). Its state can be serialized."""

    kind = "IdentityReader"
    serializable = True
    one_record_per_work = True

    def next_record(self):
        return self.work, self.work



# TensorFlow's ReaderBaseState protocol buffer: 1 work_started, 2 work_finished,
# 3 num_records_produced (int64 varints), 4 current_work (bytes).
def _varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def encode_reader_state(started, finished, produced, work):
    """A serialized ReaderBaseState (fields left out when zero or empty, as protobuf does)."""
    out = b""
    for number, value in ((1, started), (2, finished), (3, produced)):
        if value:
            out += _varint(number << 3) + _varint(value)
    if work:
        out += _varint((4 << 3) | 2) + _varint(len(work)) + work
    return out


def decode_reader_state(data, kind="IdentityReader"):
    """(work_started, work_finished, num_records_produced, current_work or None);
    InvalidArgumentError when `data` is not a ReaderBaseState."""
    fields = {1: 0, 2: 0, 3: 0, 4: None}
    pos = 0

    def varint():
        nonlocal pos
        value = shift = 0
        while True:
            if pos >= len(data):
                raise errors.InvalidArgumentError(None, None, f"Could not parse state for "
                                                  f"{kind}: truncated ReaderBaseState")
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value
    while pos < len(data):
        tag = varint()
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            fields[number] = varint()
        elif wire == 2:
            length = varint()
            fields[number] = bytes(data[pos:pos + length])
            pos += length
        else:
            raise errors.InvalidArgumentError(None, None, f"Could not parse state for "
                                              f"{kind}: not a ReaderBaseState")
    return fields[1], fields[2], fields[3], fields[4]


# --- the reader ops --------------------------------------------------------------------------
def _handle_shape(**attrs):
    return [(dtypes.resource, TensorShape([]))]


def _reader_kernel(make):
    def kernel(state, op_name, *, container="", shared_name="", **attrs):
        blocking = state.blocking
        name = blocking.handle_for(op_name, container, shared_name,
                                   lambda name: blocking.guarded(make(**attrs), name))
        return np.array(name.encode("utf-8"), dtype=object)
    return kernel


def _fixed_length_shape(*, record_bytes, header_bytes=0, footer_bytes=0, hop_bytes=0,
                        **attrs):
    for attr, value in (("header_bytes", header_bytes), ("footer_bytes", footer_bytes),
                        ("hop_bytes", hop_bytes)):
        if value < 0:
            raise ValueError(f"FixedLengthRecordReaderV2 requires {attr} >= 0, got {value}")
    if record_bytes <= 0:
        raise ValueError(f"FixedLengthRecordReaderV2 requires record_bytes > 0, got "
                         f"{record_bytes}")
    return _handle_shape()


def _compression_shape(attr, op_type):
    def rule(**attrs):
        if attrs.get(attr, "") not in ("", "ZLIB", "GZIP"):
            raise ValueError(f"{op_type} requires {attr} '', 'ZLIB' or 'GZIP', got "
                             f"{attrs[attr]!r}")
        return _handle_shape()
    return rule


def _text_line_shape(*, skip_header_lines=0, **attrs):
    if skip_header_lines < 0:
        raise ValueError(f"TextLineReaderV2 requires skip_header_lines >= 0, got "
                         f"{skip_header_lines}")
    return _handle_shape()


register_op("TextLineReaderV2", shape=_text_line_shape, kernel=_reader_kernel(TextLineReader),
            stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("FixedLengthRecordReaderV2", shape=_fixed_length_shape,
            kernel=_reader_kernel(FixedLengthRecordReader), stateful=True,
            grad=NOT_DIFFERENTIABLE)
register_op("TFRecordReaderV2", shape=_compression_shape("compression_type", "TFRecordReaderV2"),
            kernel=_reader_kernel(TFRecordReader), stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("WholeFileReaderV2", shape=_handle_shape, kernel=_reader_kernel(WholeFileReader),
            stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("IdentityReaderV2", shape=_handle_shape, kernel=_reader_kernel(IdentityReader),
            stateful=True, grad=NOT_DIFFERENTIABLE)

READER_TYPES = ("TextLineReaderV2", "FixedLengthRecordReaderV2", "TFRecordReaderV2",
                "WholeFileReaderV2", "IdentityReaderV2")


def _check_handle(op_type, handle, what="reader"):
    if handle.dtype not in (dtypes.resource, dtypes.string):
        raise TypeError(f"{op_type} requires a {what} handle (resource), got "
                        f"{handle.dtype.name}")
    if handle.shape.ndims not in (None, 0):
        raise ValueError(f"{op_type} requires a scalar {what} handle, got shape {handle.shape}")


def _use(state, handle, use):
    """use(reader) with the reader `handle` names, while no other thread uses it."""
    return state.blocking.get(_bytes(handle)).exclusive(use)


def _read_shape(reader, queue):
    _check_handle("ReaderReadV2", reader)
    _check_handle("ReaderReadV2", queue, "queue")
    return [(dtypes.string, TensorShape([])), (dtypes.string, TensorShape([]))]


def _read_kernel(state, op_name, reader, queue):
    work_queue = state.blocking.get(_bytes(queue))
    key, value = _use(state, reader, lambda r: r.read(work_queue))
    return np.array(key, dtype=object), np.array(value, dtype=object)


def _read_up_to_shape(reader, queue, num_records):
    _check_handle("ReaderReadUpToV2", reader)
    _check_handle("ReaderReadUpToV2", queue, "queue")
    if num_records.shape.ndims not in (None, 0):
        raise ValueError(f"ReaderReadUpToV2 requires a scalar num_records, got shape "
                         f"{num_records.shape}")
    return [(dtypes.string, TensorShape([None])), (dtypes.string, TensorShape([None]))]


def _read_up_to_kernel(state, op_name, reader, queue, num_records):
    count = int(num_records)
    if count <= 0:
        raise errors.InvalidArgumentError(
            None, None, f"num_records ({count}) must be > 0")
    work_queue = state.blocking.get(_bytes(queue))
    keys, values = _use(state, reader, lambda r: r.read_up_to(work_queue, count))
    as_array = np.empty(len(keys), dtype=object), np.empty(len(values), dtype=object)
    as_array[0][:], as_array[1][:] = keys, values
    return as_array


register_op("ReaderReadV2", shape=_read_shape, kernel=_read_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)
register_op("ReaderReadUpToV2", shape=_read_up_to_shape, kernel=_read_up_to_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)


def _reader_scalar_op(op_type, dtype, use):
    def rule(reader):
        _check_handle(op_type, reader)
        return [(dtype, TensorShape([]))] if dtype is not None else []

    def kernel(state, op_name, reader):
        return _use(state, reader, use)
    register_op(op_type, shape=rule, kernel=kernel, stateful=True, grad=NOT_DIFFERENTIABLE)


def _reset(reader):
    reader.reset()
    return ()


_reader_scalar_op("ReaderNumRecordsProducedV2", dtypes.int64,
                  lambda r: np.array(r.records_produced, np.int64))
_reader_scalar_op("ReaderNumWorkUnitsCompletedV2", dtypes.int64,
                  lambda r: np.array(r.work_finished, np.int64))
_reader_scalar_op("ReaderResetV2", None, _reset)
_reader_scalar_op("ReaderSerializeStateV2", dtypes.string,
                  lambda r: np.array(r.serialize(), dtype=object))


def _restore_shape(reader, state):
    _check_handle("ReaderRestoreStateV2", reader)
    if state.dtype is not dtypes.string or state.shape.ndims not in (None, 0):
        raise ValueError(f"ReaderRestoreStateV2 requires a scalar string state, got "
                         f"{state.dtype.name} {state.shape}")
    return []


def _restore_kernel(state, op_name, reader, data):
    _use(state, reader, lambda r: r.restore(_bytes(data)))
    return ()


register_op("ReaderRestoreStateV2", shape=_restore_shape, kernel=_restore_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)


def reader_op(op_type, name, **attrs):
    """The handle of a new reader op of `op_type` ("TextLineReaderV2", ...)."""
    if op_type not in READER_TYPES:
        raise ValueError(f"{op_type!r} is not a reader op type")
    return create_op(op_type, [], name=name, container="", shared_name="",
                     **attrs).outputs[0]


def reader_call(op_type, inputs, name):
    """The op `op_type` (ReaderReadV2, ReaderResetV2, ...) on the reader and other inputs."""
    return create_op(op_type, list(inputs), name=name)


# --- files -----------------------------------------------------------------------------------
def _scalar_string_rule(op_type, *names):
    def rule(*inputs):
        for name, t in zip(names, inputs):
            if t.dtype is not dtypes.string:
                raise TypeError(f"{op_type} requires a string {name}, got {t.dtype.name}")
            if t.shape.ndims not in (None, 0):
                raise ValueError(f"{op_type} requires a scalar {name}, got shape {t.shape}")
        return [(dtypes.string, TensorShape([]))] if op_type == "ReadFile" else []
    return rule


def _read_file_kernel(state, op_name, filename):
    path = _path(filename)
    with _open(path) as f:
        return np.array(f.read(), dtype=object)


def _write_file_kernel(state, op_name, filename, contents):
    path = _path(filename)
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "wb") as f:
        f.write(_bytes(contents))
    return ()


register_op("ReadFile", shape=_scalar_string_rule("ReadFile", "filename"),
            kernel=_read_file_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("WriteFile", shape=_scalar_string_rule("WriteFile", "filename", "contents"),
            kernel=_write_file_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)


def _matching_files_shape(pattern):
    if pattern.dtype is not dtypes.string:
        raise TypeError(f"MatchingFiles requires a string pattern, got {pattern.dtype.name}")
    if pattern.shape.ndims is not None and pattern.shape.ndims > 1:
        raise ValueError(f"MatchingFiles requires a scalar or vector pattern, got shape "
                         f"{pattern.shape}")
    return [(dtypes.string, TensorShape([None]))]


def _matching_files_kernel(state, op_name, pattern):
    found = set()
    for item in np.asarray(pattern, dtype=object).reshape(-1):
        found.update(glob_matches(_path(item)))
    result = np.empty(len(found), dtype=object)
    result[:] = [p.encode("utf-8") for p in sorted(found)]
    return result


register_op("MatchingFiles", shape=_matching_files_shape, kernel=_matching_files_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)


# --- DecodeRaw -------------------------------------------------------------------------------
_RAW_TYPES = ("float16", "float32", "float64", "int32", "uint16", "uint8", "int16", "int8",
              "int64", "complex64", "complex128", "bool")


def _decode_raw_shape(data, *, out_type, little_endian=True):
    if data.dtype is not dtypes.string:
        raise TypeError(f"DecodeRaw requires string bytes, got {data.dtype.name}")
    if out_type.name not in _RAW_TYPES:
        raise TypeError(f"DecodeRaw does not decode {out_type.name}: out_type must be one of "
                        f"{', '.join(_RAW_TYPES)}")
    return [(out_type, data.shape.concatenate([None]))]


def _decode_raw_kernel(data, *, out_type, little_endian=True):
    dtype = np.dtype(out_type)
    items = np.asarray(data, dtype=object)
    flat = [_bytes(v) for v in items.reshape(-1)]
    width = len(flat[0]) if flat else 0
    if width % dtype.itemsize:
        raise errors.InvalidArgumentError(
            None, None, f"Input to DecodeRaw has length {width} that is not a multiple of "
            f"{dtype.itemsize}, the size of {dtypes.as_dtype(dtype).name}")
    for i, value in enumerate(flat):
        if len(value) != width:
            raise errors.InvalidArgumentError(
                None, None, f"DecodeRaw requires input strings to all be the same size, but "
                f"element {i} has size {width} != {len(value)}")
    order = "<" if little_endian else ">"
    stored = dtype.newbyteorder(order) if dtype.itemsize > 1 else dtype
    values = np.frombuffer(b"".join(flat), dtype=stored).astype(dtype)
    return values.reshape(items.shape + (width // dtype.itemsize,))


register_op("DecodeRaw", shape=_decode_raw_shape, kernel=_decode_raw_kernel,
            grad=NOT_DIFFERENTIABLE)


# --- public functions (tf.read_file, tf.io.decode_raw, ...) ----------------------------------
def read_file(filename, name=None):
    """The contents of the file `filename` (a scalar string tensor)."""
    filename = convert_to_tensor(filename, dtype=dtypes.string)
    return create_op("ReadFile", [filename], name=name or "ReadFile").outputs[0]


def write_file(filename, contents, name=None):
    """An op writing `contents` to `filename`, creating its directory when missing."""
    filename = convert_to_tensor(filename, dtype=dtypes.string)
    contents = convert_to_tensor(contents, dtype=dtypes.string)
    return create_op("WriteFile", [filename, contents], name=name or "WriteFile")


def matching_files(pattern, name=None):
    """The sorted names of the files matching the glob `pattern` (or vector of patterns)."""
    pattern = convert_to_tensor(pattern, dtype=dtypes.string)
    return create_op("MatchingFiles", [pattern], name=name or "MatchingFiles").outputs[0]


def decode_raw(input_bytes=None, out_type=None, little_endian=True, name=None,
               bytes=None):  # noqa: A002 - TF's argument name
    """The bytes of each string reinterpreted as a vector of `out_type` (all strings the same
    length): shape input shape + [length / itemsize]."""
    if bytes is not None:
        if input_bytes is not None:
            raise ValueError("Cannot specify both 'input_bytes' and 'bytes'.")
        input_bytes = bytes
    if input_bytes is None:
        raise ValueError("decode_raw requires input_bytes")
    if out_type is None:
        raise ValueError("decode_raw requires out_type")
    data = convert_to_tensor(input_bytes, dtype=dtypes.string)
    return create_op("DecodeRaw", [data], name=name or "DecodeRaw",
                     out_type=dtypes.as_dtype(out_type),
                     little_endian=bool(little_endian)).outputs[0]
