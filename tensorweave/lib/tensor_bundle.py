"""TensorFlow's V2 checkpoint format ("tensor bundle"): writing and reading named tensors.

A checkpoint with prefix P is two files:

- `P.data-00000-of-00001`: the tensors' bytes, one after another. Numeric tensors are stored
  as their raw little-endian elements. A string tensor is stored as the varint64 length of
  each element, a 4-byte masked CRC-32C of those lengths (each taken as a little-endian uint32,
  or uint64 when it does not fit), then the elements' bytes.
- `P.index`: a LevelDB table (see `tensorweave.lib.table`). Its first entry, under the empty
  key, is a BundleHeaderProto (number of data shards, endianness, format version); every other
  entry maps a tensor name to a BundleEntryProto: dtype, shape, shard, offset and size in the
  data file, and the masked CRC-32C of the stored bytes.

`BundleWriter` writes both files under temporary names and renames them into place when
complete, the data file first. `BundleReader` reads any unsliced, uncompressed bundle that
TensorFlow 1.x or 2.x writes and verifies every checksum.

>>> writer = BundleWriter("/tmp/model.ckpt")
>>> writer.add("w", np.ones((2, 3), np.float32))
>>> writer.finish()
>>> BundleReader("/tmp/model.ckpt").read("w").shape
(2, 3)
"""
import math
import os
import struct

import numpy as np

from tensorweave.core import dtypes as _dtypes
from tensorweave.core import errors
from tensorweave.lib import crc32c, protos, table

HEADER_KEY = b""
FORMAT_VERSION = 1        # the bundle version this code writes (TensorFlow's, too)
MIN_PRODUCER = 0          # the oldest producer version this code reads
_BIG_ENDIAN = 1

# tensorweave dtype name <-> TensorFlow DataType enum value
_ENUM_OF = {
    "float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6, "string": 7,
    "complex64": 8, "int64": 9, "bool": 10, "uint16": 17, "complex128": 18, "float16": 19,
    "uint32": 22, "uint64": 23,
}
_DTYPE_OF = {number: _dtypes.as_dtype(name) for name, number in _ENUM_OF.items()}
_ENUM_NAME = {number: name for name, number in protos.DATA_TYPES.items()}


def data_filename(prefix, shard=0, num_shards=1):
    """The name of data shard `shard` of the bundle at `prefix`."""
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


def index_filename(prefix):
    """The name of the index file of the bundle at `prefix`."""
    return f"{prefix}.index"


def dtype_enum(dtype):
    """TensorFlow's DataType number for a tensorweave dtype."""
    return _ENUM_OF[_dtypes.as_dtype(dtype).name]


def dtype_from_enum(number, name="<tensor>"):
    """The tensorweave dtype for TensorFlow DataType `number`; UnimplementedError if none."""
    try:
        return _DTYPE_OF[number]
    except KeyError:
        raise errors.UnimplementedError(
            None, None, f"Tensor {name} has dtype {_ENUM_NAME.get(number, number)}, which "
            "tensorweave cannot represent.") from None


def _little_endian(dtype):
    return np.dtype(dtype.as_numpy_dtype).newbyteorder("<")


def _encode_strings(array):
    """The stored bytes of a string tensor and their unmasked CRC-32C."""
    items = [x.encode("utf-8") if isinstance(x, str) else bytes(x) for x in array.reshape(-1)]
    lengths = b"".join(table.encode_varint(len(x)) for x in items)
    checksum = 0
    for x in items:
        size = len(x)
        checksum = crc32c.extend(checksum, struct.pack("<I" if size <= 0xFFFFFFFF else "<Q",
                                                       size))
    length_checksum = struct.pack("<I", crc32c.mask(checksum))
    checksum = crc32c.extend(checksum, length_checksum)
    body = b"".join(items)
    checksum = crc32c.extend(checksum, body)
    return lengths + length_checksum + body, checksum


def _decode_strings(data, count, name, prefix):
    """The `count` strings of string tensor `name` stored in the checkpoint at `prefix` and the
    unmasked CRC-32C of its bytes."""
    pos, lengths, checksum = 0, [], 0
    try:
        for _ in range(count):
            size, pos = table.decode_varint(data, pos)
            lengths.append(size)
            checksum = crc32c.extend(checksum, struct.pack(
                "<I" if size <= 0xFFFFFFFF else "<Q", size))
    except ValueError:
        raise _data_loss(name, prefix, "its string lengths are truncated or corrupt") from None
    if pos + 4 > len(data):
        raise _data_loss(name, prefix, "its string data is truncated")
    stored = data[pos:pos + 4]
    if crc32c.unmask(struct.unpack("<I", stored)[0]) != checksum:
        raise _data_loss(name, prefix, "the checksum of its string lengths does not match")
    checksum = crc32c.extend(checksum, stored)
    pos += 4
    if pos + sum(lengths) != len(data):
        raise _data_loss(name, prefix, "its string data has the wrong size")
    checksum = crc32c.extend(checksum, data[pos:])
    items = np.empty(count, dtype=object)
    for i, size in enumerate(lengths):
        items[i] = data[pos:pos + size]
        pos += size
    return items, checksum


def _data_loss(name, prefix, detail):
    return errors.DataLossError(None, None, f"Checkpoint tensor {name}: {detail}. The "
                                f"checkpoint {prefix} is truncated or corrupt.")


def _replace(tmp, final):
    os.replace(tmp, final)


class BundleWriter:
    """Collects named tensors and writes them as the bundle at `prefix` on `finish()`.

    Nothing under the final file names exists until `finish` succeeds: both files are written
    under temporary names, then renamed (the data file first, so an index never names a data
    file that is not there).
    """

    def __init__(self, prefix):
        self.prefix = os.fspath(prefix)
        self._entries = {}
        self._chunks = []
        self._size = 0

    def add(self, name, value, dtype=None):
        """Adds tensor `name` (a str) with `value` (an array; `dtype` a tensorweave dtype,
        inferred from the array when None)."""
        key = name.encode("utf-8") if isinstance(name, str) else bytes(name)
        if key == HEADER_KEY:
            raise errors.InvalidArgumentError(None, None, "A checkpoint tensor needs a name.")
        if key in self._entries:
            raise errors.InvalidArgumentError(None, None,
                                              f"Adding duplicate key to a checkpoint: {name}")
        array = np.asarray(value)
        if dtype is None:
            dtype = _dtypes.as_dtype(array.dtype) if array.dtype != object else _dtypes.string
        dtype = _dtypes.as_dtype(dtype)
        if dtype is _dtypes.string:
            stored, checksum = _encode_strings(np.asarray(array, dtype=object))
        else:
            stored = np.ascontiguousarray(array, dtype=_little_endian(dtype)).tobytes()
            checksum = crc32c.value(stored)
        entry = protos.messages().BundleEntryProto(
            dtype=dtype_enum(dtype), shard_id=0, offset=self._size, size=len(stored),
            crc32c=crc32c.mask(checksum))
        for d in array.shape:
            entry.shape.dim.add(size=d)
        self._entries[key] = entry
        self._chunks.append(stored)
        self._size += len(stored)

    def finish(self):
        """Writes the data and index files; raises NotFoundError if the directory cannot be
        made (only the last level of the prefix's directory is created, as TensorFlow does)."""
        directory = os.path.dirname(self.prefix)
        if directory and not os.path.isdir(directory):
            try:
                os.mkdir(directory)
            except FileExistsError:
                pass
            except OSError as e:
                raise errors.NotFoundError(None, None, f"Failed to create a directory: "
                                           f"{directory}; {e.strerror}") from None
        # Data is stored little-endian whatever the machine (see `add`).
        header = protos.messages().BundleHeaderProto(num_shards=1)
        header.version.producer = FORMAT_VERSION
        items = [(HEADER_KEY, header.SerializeToString())]
        items += [(k, self._entries[k].SerializeToString()) for k in sorted(self._entries)]
        suffix = f".tempstate{int.from_bytes(os.urandom(8), 'little')}"
        data_path, index_path = data_filename(self.prefix), index_filename(self.prefix)
        written = []
        try:
            for path, write in ((data_path, self._write_data),
                                (index_path, lambda f: table.write_table(f, items))):
                written.append(path + suffix)
                with open(path + suffix, "wb") as f:
                    write(f)
            _replace(data_path + suffix, data_path)
            written.pop(0)
            _replace(index_path + suffix, index_path)
            written.pop(0)
        except OSError as e:
            raise _os_error(e, self.prefix) from None
        finally:
            for path in written:  # an interrupted write leaves no temporary file behind
                try:
                    os.remove(path)
                except OSError:
                    pass
        self._chunks = []

    def _write_data(self, f):
        for chunk in self._chunks:
            f.write(chunk)


def _os_error(e, prefix):
    if isinstance(e, FileNotFoundError):
        cls = errors.NotFoundError
    elif isinstance(e, PermissionError):
        cls = errors.PermissionDeniedError
    else:
        cls = errors.UnknownError
    return cls(None, None, f"{e.strerror or e}: {e.filename or prefix}")


def write_bundle(prefix, tensors):
    """Writes the dict `tensors` (name -> array) as the bundle at `prefix`."""
    writer = BundleWriter(prefix)
    for name, value in tensors.items():
        writer.add(name, value)
    writer.finish()


class BundleReader:
    """Reads the bundle at `prefix`: its tensor names, their dtypes and shapes, and values.

    Raises NotFoundError when the index file is missing and DataLossError when it is corrupt.
    """

    def __init__(self, prefix):
        self.prefix = os.fspath(prefix)
        path = index_filename(self.prefix)
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            raise errors.NotFoundError(
                None, None, f"Unsuccessful TensorSliceReader constructor: Failed to find any "
                f"matching files for {self.prefix}") from None
        except OSError as e:
            raise _os_error(e, path) from None
        entries = table.read_table(raw, path)
        messages = protos.messages()
        if not entries or entries[0][0] != HEADER_KEY:
            raise errors.DataLossError(None, None, f"Unable to read file ({path}): the "
                                       "checkpoint index has no header entry.")
        header = messages.BundleHeaderProto()
        try:
            header.ParseFromString(entries[0][1])
        except Exception:  # noqa: BLE001 - protobuf's DecodeError and friends
            raise errors.DataLossError(None, None, f"Unable to read file ({path}): its header "
                                       "cannot be parsed.") from None
        version = header.version
        if version.producer < MIN_PRODUCER or version.min_consumer > FORMAT_VERSION or \
                FORMAT_VERSION in version.bad_consumers:
            raise errors.InvalidArgumentError(
                None, None, f"Checkpoint {self.prefix} has format version "
                f"{version.producer} (needs a reader of version >= {version.min_consumer}); "
                f"tensorweave reads version {FORMAT_VERSION}.")
        self.num_shards = header.num_shards
        self._swap = header.endianness == _BIG_ENDIAN
        self._raw_entries = {k.decode("utf-8", "surrogateescape"): v for k, v in entries[1:]}
        self._parsed = {}
        self._data = {}

    def keys(self):
        """The tensor names, sorted."""
        return sorted(self._raw_entries)

    def __contains__(self, name):
        return name in self._raw_entries

    def entry(self, name):
        """The BundleEntryProto of tensor `name`; NotFoundError if there is none."""
        entry = self._parsed.get(name)
        if entry is None:
            try:
                raw = self._raw_entries[name]
            except KeyError:
                raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint") \
                    from None
            entry = protos.messages().BundleEntryProto()
            try:
                entry.ParseFromString(raw)
            except Exception:  # noqa: BLE001
                raise errors.DataLossError(None, None,
                                           f"Entry for key {name} not parseable.") from None
            if any(d.size < 0 for d in entry.shape.dim):
                raise errors.DataLossError(None, None, f"Invalid tensor shape: {name}")
            self._parsed[name] = entry
        return entry

    def dtype(self, name):
        """The tensorweave dtype of tensor `name`."""
        return dtype_from_enum(self.entry(name).dtype, name)

    def shape(self, name):
        """The shape of tensor `name` as a tuple."""
        return tuple(d.size for d in self.entry(name).shape.dim)

    def read(self, name):
        """The value of tensor `name` as a new NumPy array (strings: object array of bytes)."""
        entry = self.entry(name)
        if len(entry.slices):
            raise errors.UnimplementedError(
                None, None, f"Tensor {name} is stored in slices (a partitioned variable); "
                "tensorweave reads only whole tensors.")
        dtype = dtype_from_enum(entry.dtype, name)
        shape = tuple(d.size for d in entry.shape.dim)
        count = math.prod(shape)  # Python ints: a forged shape cannot wrap around
        if dtype is not _dtypes.string:
            item = np.dtype(dtype.as_numpy_dtype).itemsize
            if entry.size != count * item:
                raise _data_loss(name, self.prefix,
                                 f"its entry says {entry.size} bytes but shape {list(shape)} "
                                 f"of {dtype.name} needs {count * item}")
        elif count and entry.size < count + 4:  # a varint length per element, 4-byte checksum
            raise _data_loss(name, self.prefix, f"its entry says {entry.size} bytes but "
                             f"{count} strings need at least {count + 4}")
        data = self._read_bytes(entry, name)
        if dtype is _dtypes.string:
            items, checksum = _decode_strings(data, count, name, self.prefix) if entry.size else \
                (np.empty(0, dtype=object), 0)
            if crc32c.unmask(entry.crc32c) != checksum:
                raise _data_loss(name, self.prefix, "its checksum does not match")
            return items.reshape(shape)
        if crc32c.unmask(entry.crc32c) != crc32c.value(data):
            raise _data_loss(name, self.prefix, "its checksum does not match")
        stored = np.dtype(dtype.as_numpy_dtype).newbyteorder(">" if self._swap else "<")
        array = np.frombuffer(data, dtype=stored).reshape(shape)
        return array.astype(dtype.as_numpy_dtype)  # native byte order, writable, owned

    def _read_bytes(self, entry, name):
        if not 0 <= entry.shard_id < max(self.num_shards, 1):
            raise _data_loss(name, self.prefix, f"its shard {entry.shard_id} is not one of "
                             f"the {self.num_shards} data files")
        if entry.size == 0:
            return b""
        path = data_filename(self.prefix, entry.shard_id, self.num_shards)
        f = self._data.get(entry.shard_id)
        if f is None:
            try:
                f = open(path, "rb")
            except FileNotFoundError:
                raise errors.NotFoundError(None, None, f"Checkpoint data file {path} of "
                                           f"tensor {name} not found") from None
            self._data[entry.shard_id] = f
        file_size = os.fstat(f.fileno()).st_size
        if entry.offset + entry.size > file_size:  # checked before allocating `entry.size`
            raise _data_loss(name, self.prefix, f"its data file {path} ({file_size} bytes) "
                             f"ends before the {entry.size} bytes at offset {entry.offset}")
        f.seek(entry.offset)
        data = f.read(entry.size)
        if len(data) != entry.size:
            raise _data_loss(name, self.prefix, f"its data file {path} ends before the "
                             f"{entry.size} bytes at offset {entry.offset}")
        return data

    def close(self):
        for f in self._data.values():
            f.close()
        self._data.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass
