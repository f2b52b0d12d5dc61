"""The sorted string table (SSTable) of LevelDB, which TensorFlow uses for checkpoint indexes.

A table file is a sequence of blocks followed by a fixed-size footer:

    [data block 0] ... [data block N-1] [metaindex block] [index block] [footer: 48 bytes]

- A block holds key/value entries in key order. Each entry stores the length of the prefix it
  shares with the previous key, the lengths of the rest of the key and of the value, then the
  unshared key bytes and the value (three varint32s, then bytes). Every `restart_interval`
  entries the prefix sharing starts over at a *restart point*; the block ends with the offsets
  of the restart points (fixed32 each) and their count (fixed32).
- On disk each block is followed by a 5-byte trailer: the compression type (0 = none) and the
  masked CRC-32C of the block's bytes plus that type byte.
- The index block has one entry per data block: a key at least as large as every key of the
  block (and smaller than the keys of the next one) mapped to the block's handle (its offset
  and size as two varint64s, the trailer not counted).
- The footer holds the handles of the metaindex and index blocks, zero-padded to 40 bytes, then
  the magic number 0xdb4775248b80fb57 as a little-endian fixed64.

TensorFlow writes tables uncompressed, with an empty metaindex block. `write_table` produces
that layout; `read_table` reads any uncompressed table and checks every block's checksum.
"""
import struct

from tensorweave.core import errors
from tensorweave.lib import crc32c

MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
_HANDLES_SIZE = 40
_TRAILER_SIZE = 5
_NO_COMPRESSION = 0
_SNAPPY_COMPRESSION = 1


# --- varints -------------------------------------------------------------------------------
def encode_varint(number):
    """`number` (>= 0) as a little-endian base-128 varint."""
    out = bytearray()
    while number >= 0x80:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    out.append(number)
    return bytes(out)


def decode_varint(data, pos, limit=None):
    """(number, position after it) of the varint at data[pos]; ValueError if malformed."""
    limit = len(data) if limit is None else limit
    result = shift = 0
    while pos < limit and shift <= 63:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
    raise ValueError("malformed or truncated varint")


# --- writing -------------------------------------------------------------------------------
class _BlockBuilder:
    """Accumulates the entries of one block with prefix-shared keys and restart points."""

    def __init__(self, restart_interval):
        self._restart_interval = restart_interval
        self.reset()

    def reset(self):
        self._buffer = bytearray()
        self._restarts = [0]
        self._since_restart = 0
        self._last_key = b""
        self.entries = 0

    def add(self, key, value):
        shared = 0
        if self._since_restart < self._restart_interval:
            limit = min(len(key), len(self._last_key))
            while shared < limit and key[shared] == self._last_key[shared]:
                shared += 1
        else:
            self._restarts.append(len(self._buffer))
            self._since_restart = 0
        self._buffer += encode_varint(shared)
        self._buffer += encode_varint(len(key) - shared)
        self._buffer += encode_varint(len(value))
        self._buffer += key[shared:]
        self._buffer += value
        self._last_key = key
        self._since_restart += 1
        self.entries += 1

    def size_estimate(self):
        return len(self._buffer) + 4 * len(self._restarts) + 4

    def finish(self):
        restarts = struct.pack(f"<{len(self._restarts) + 1}I", *self._restarts,
                               len(self._restarts))
        return bytes(self._buffer) + restarts


def _encode_handle(offset, size):
    return encode_varint(offset) + encode_varint(size)


class TableWriter:
    """Writes a table of sorted (key, value) byte strings to the binary file object `file`.

    >>> with open(path, "wb") as f:
    ...     writer = TableWriter(f)
    ...     writer.add(b"a", b"1"); writer.add(b"b", b"2")
    ...     writer.finish()
    """

    def __init__(self, file, block_size=262144, restart_interval=16):
        self._file = file
        self._block_size = block_size
        self._offset = 0
        self._data = _BlockBuilder(restart_interval)
        self._index = _BlockBuilder(1)
        self._last_key = None
        self._pending_handle = None  # the handle of a data block not yet in the index
        self._finished = False

    def add(self, key, value):
        """Appends an entry; keys must be added in strictly increasing byte order."""
        if self._finished:
            raise ValueError("The table is already finished.")
        if self._last_key is not None and key <= self._last_key:
            raise ValueError(f"Table keys must be added in increasing order: {key!r} after "
                             f"{self._last_key!r}")
        if self._pending_handle is not None:
            # The last key of the previous block separates it from this one.
            self._index.add(self._last_key, self._pending_handle)
            self._pending_handle = None
        self._data.add(key, value)
        self._last_key = key
        if self._data.size_estimate() >= self._block_size:
            self._flush()

    def _flush(self):
        if self._data.entries:
            self._pending_handle = self._write_block(self._data)
            self._data.reset()

    def _write_block(self, builder):
        contents = builder.finish()
        kind = bytes([_NO_COMPRESSION])
        checksum = crc32c.mask(crc32c.value(contents + kind))
        self._file.write(contents)
        self._file.write(kind + struct.pack("<I", checksum))
        handle = _encode_handle(self._offset, len(contents))
        self._offset += len(contents) + _TRAILER_SIZE
        return handle

    def finish(self):
        """Writes the remaining data block, the metaindex and index blocks and the footer."""
        self._flush()
        metaindex = self._write_block(_BlockBuilder(1))
        if self._pending_handle is not None:
            self._index.add(self._last_key, self._pending_handle)
            self._pending_handle = None
        index = self._write_block(self._index)
        handles = metaindex + index
        self._file.write(handles + bytes(_HANDLES_SIZE - len(handles)))
        self._file.write(struct.pack("<Q", MAGIC))
        self._offset += FOOTER_SIZE
        self._finished = True
        return self._offset


def write_table(file, items):
    """Writes the (key, value) pairs of `items` (already sorted) as a table to `file`."""
    writer = TableWriter(file)
    for key, value in items:
        writer.add(key, value)
    return writer.finish()


# --- reading -------------------------------------------------------------------------------
def _corrupt(name, detail):
    return errors.DataLossError(None, None, f"Unable to read table file {name}: {detail}. "
                                "The file is truncated or corrupt.")


def _decode_handle(data, pos, name):
    try:
        offset, pos = decode_varint(data, pos)
        size, pos = decode_varint(data, pos)
    except ValueError:
        raise _corrupt(name, "bad block handle") from None
    return offset, size, pos


def _read_block(data, offset, size, limit, name):
    """The contents of the block at `offset`, after checking its trailer's checksum."""
    end = offset + size
    if end + _TRAILER_SIZE > limit:
        raise _corrupt(name, f"block at offset {offset} ({size} bytes) runs past the end of "
                             f"the data")
    block = data[offset:end + 1]  # the contents and the compression-type byte
    stored = struct.unpack_from("<I", data, end + 1)[0]
    if crc32c.unmask(stored) != crc32c.value(block):
        raise _corrupt(name, f"block checksum mismatch at offset {offset}")
    kind = block[-1]
    if kind == _SNAPPY_COMPRESSION:
        raise errors.UnimplementedError(
            None, None, f"Table file {name} has a snappy-compressed block, which tensorweave "
            "cannot read (TensorFlow writes checkpoint indexes uncompressed).")
    if kind != _NO_COMPRESSION:
        raise _corrupt(name, f"unknown block compression type {kind}")
    return block[:-1]


def _block_entries(block, name):
    """The (key, value) pairs of a block, in order."""
    if len(block) < 4:
        raise _corrupt(name, "block too short")
    restarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    limit = len(block) - 4 * (restarts + 1)
    if restarts == 0 or limit < 0:
        raise _corrupt(name, "bad restart array in block")
    pos, key = 0, b""
    entries = []
    try:
        while pos < limit:
            shared, pos = decode_varint(block, pos, limit)
            unshared, pos = decode_varint(block, pos, limit)
            value_size, pos = decode_varint(block, pos, limit)
            if shared > len(key) or pos + unshared + value_size > limit:
                raise ValueError("entry runs past the block")
            key = key[:shared] + bytes(block[pos:pos + unshared])
            pos += unshared
            entries.append((key, bytes(block[pos:pos + value_size])))
            pos += value_size
    except ValueError as e:
        raise _corrupt(name, f"bad block entry ({e})") from None
    return entries


def read_table(data, name="<table>"):
    """The (key, value) pairs of the table held in the bytes `data`, in key order.

    Raises tw.errors.DataLossError naming `name` for a truncated or corrupt table.
    """
    data = memoryview(data)
    if len(data) < FOOTER_SIZE:
        raise _corrupt(name, f"{len(data)} bytes is too short to be a table")
    footer_start = len(data) - FOOTER_SIZE
    if struct.unpack_from("<Q", data, footer_start + _HANDLES_SIZE)[0] != MAGIC:
        raise _corrupt(name, "bad magic number (not a table)")
    meta_offset, meta_size, pos = _decode_handle(data, footer_start, name)
    index_offset, index_size, _ = _decode_handle(data, pos, name)
    _read_block(data, meta_offset, meta_size, footer_start, name)  # checked, though unused
    index = _read_block(data, index_offset, index_size, footer_start, name)
    entries = []
    for _, handle in _block_entries(index, name):
        offset, size, _ = _decode_handle(handle, 0, name)
        entries.extend(_block_entries(_read_block(data, offset, size, footer_start, name),
                                      name))
    return entries
