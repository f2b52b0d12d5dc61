"""TFRecord files (TF's tf.python_io): a sequence of records, each framed as

    uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)

in little-endian, optionally compressed as a whole with GZIP or ZLIB.

    with tf.python_io.TFRecordWriter("/tmp/data.tfrecord") as writer:
        writer.write(b"first record")
    list(tf.python_io.tf_record_iterator("/tmp/data.tfrecord"))   # [b'first record']
"""
import contextlib
import gzip
import io
import struct
import zlib

from tensorweave.core import errors
from tensorweave.lib import crc32c, event_files

_LENGTH = struct.Struct("<Q")
_CHECKSUM = struct.Struct("<I")


class TFRecordCompressionType:
    """How a TFRecord file is compressed."""

    NONE = 0
    ZLIB = 1
    GZIP = 2


_NAMES = {TFRecordCompressionType.NONE: "", TFRecordCompressionType.ZLIB: "ZLIB",
          TFRecordCompressionType.GZIP: "GZIP"}


class TFRecordOptions:
    """Options for reading and writing TFRecord files (only the compression type is used)."""

    compression_type_map = dict(_NAMES)

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        self.compression_type = compression_type
        self.compression_level = compression_level

    @classmethod
    def get_compression_type_string(cls, options):
        """'', 'ZLIB' or 'GZIP' for options given as TFRecordOptions, a name or an enum."""
        if options is None:
            return ""
        if isinstance(options, TFRecordOptions):
            return cls.get_compression_type_string(options.compression_type)
        if isinstance(options, int):
            try:
                return _NAMES[options]
            except KeyError:
                raise ValueError(f"Unknown compression type {options!r}") from None
        name = (options.decode() if isinstance(options, bytes) else str(options)).upper()
        if name not in ("", "ZLIB", "GZIP"):
            raise ValueError(f"Unknown compression type {options!r}; use '', 'ZLIB' or 'GZIP'")
        return name


def _masked_crc(data):
    return crc32c.mask(crc32c.value(data))


encode_record = event_files.frame_record  # `data` framed as one TFRecord


class _GzipInput(gzip.GzipFile):
    """A GZIP file opened for reading whose damage (truncated, not GZIP, failed checksum)
    raises DataLossError naming the file instead of EOFError, BadGzipFile or zlib.error."""

    def __init__(self, path):
        super().__init__(path, "rb")
        self.path = path

    @contextlib.contextmanager
    def _damage_is_data_loss(self):
        try:
            yield
        except EOFError:
            raise errors.DataLossError(None, None, f"truncated GZIP data in {self.path}: "
                                       "the file ends inside its compressed stream") from None
        except (gzip.BadGzipFile, zlib.error) as e:
            raise errors.DataLossError(None, None, f"corrupted GZIP data in {self.path} "
                                       f"({e})") from None

    def read(self, size=-1):
        with self._damage_is_data_loss():
            return super().read(size)

    def read1(self, size=-1):
        with self._damage_is_data_loss():
            return super().read1(size)

    def peek(self, n):
        with self._damage_is_data_loss():
            return super().peek(n)

    def readline(self, size=-1):
        with self._damage_is_data_loss():
            return super().readline(size)

    def seek(self, offset, whence=io.SEEK_SET):
        with self._damage_is_data_loss():
            return super().seek(offset, whence)


def open_input(path, compression=""):
    """`path` opened for binary reading, decompressing GZIP or ZLIB; damaged compressed data
    raises DataLossError naming the file."""
    try:
        if compression == "GZIP":
            return _GzipInput(path)
        if compression == "ZLIB":
            with open(path, "rb") as f:
                return io.BytesIO(zlib.decompress(f.read()))
        return open(path, "rb")
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None
    except zlib.error as e:
        raise errors.DataLossError(None, None, f"corrupted ZLIB data in {path} ({e})") from None


def read_records(f, name="<stream>"):
    """Yields the data of each record in the binary stream `f`, checking both checksums."""
    offset = 0
    while True:
        header = f.read(12)
        if not header:
            return
        if len(header) < 12:
            raise errors.DataLossError(None, None, f"truncated record at {offset} in {name}")
        length_bytes = header[:8]
        if _masked_crc(length_bytes) != _CHECKSUM.unpack(header[8:])[0]:
            raise errors.DataLossError(None, None, f"corrupted record at {offset} in {name}")
        (length,) = _LENGTH.unpack(length_bytes)
        data = f.read(length)
        footer = f.read(4)
        if len(data) < length or len(footer) < 4:
            raise errors.DataLossError(None, None, f"truncated record at {offset} in {name}")
        if _masked_crc(data) != _CHECKSUM.unpack(footer)[0]:
            raise errors.DataLossError(None, None, f"corrupted record at {offset} in {name}")
        offset += 16 + length
        yield data


def tf_record_iterator(path, options=None):
    """Yields the records of the TFRecord file at `path` as bytes."""
    compression = TFRecordOptions.get_compression_type_string(options)
    with open_input(path, compression) as f:
        yield from read_records(f, path)


class _ZlibFile:
    """A write-only binary file compressing everything with zlib."""

    def __init__(self, path, level):
        self._file = open(path, "wb")
        self._compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION if level is None
                                            else level)

    def write(self, data):
        self._file.write(self._compressor.compress(data))

    def flush(self):
        self._file.write(self._compressor.flush(zlib.Z_SYNC_FLUSH))
        self._file.flush()

    def close(self):
        self._file.write(self._compressor.flush())
        self._file.close()


class TFRecordWriter:
    """Writes records to a TFRecord file: `write(record)`, then `close()` (or use `with`)."""

    def __init__(self, path, options=None):
        compression = TFRecordOptions.get_compression_type_string(options)
        level = options.compression_level if isinstance(options, TFRecordOptions) else None
        if compression == "GZIP":
            self._file = gzip.open(path, "wb", compresslevel=9 if level is None else level)
        elif compression == "ZLIB":
            self._file = _ZlibFile(path, level)
        else:
            self._file = open(path, "wb")

    def write(self, record):
        """Appends one record (bytes, or str encoded as UTF-8)."""
        if isinstance(record, str):
            record = record.encode("utf-8")
        self._file.write(encode_record(bytes(record)))

    def flush(self):
        self._file.flush()

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, tb):
        self.close()
