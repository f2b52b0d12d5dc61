"""The file formats under checkpoints: CRC-32C, LevelDB tables and V2 tensor bundles.

Interchange with TensorFlow itself is tested in tests/train/test_saver.py; here the formats
round-trip, and damaged files fail with DataLossError naming what is damaged.
"""
import io
import os
import struct

import numpy as np
import pytest

import tensorweave as tf
from checkpoint_helpers import VALUES
from tensorweave.core import dtypes
from tensorweave.lib import crc32c, protos, table, tensor_bundle

pytest.importorskip("google.protobuf", reason="checkpoints need the `checkpoint` extra")


# --- CRC-32C ---------------------------------------------------------------------------------
def test_crc32c_known_values():
    assert crc32c.value(b"") == 0
    assert crc32c.value(b"123456789") == 0xE3069283  # the standard check value
    assert crc32c.value(bytes(32)) == 0x8A9136AA     # RFC 3720, 32 zero bytes
    assert crc32c.value(b"\xff" * 32) == 0x62A8AB43


def test_crc32c_extend_and_python_fallback_agree():
    data = np.random.RandomState(0).bytes(1000)
    assert crc32c.extend(crc32c.value(data[:300]), data[300:]) == crc32c.value(data)
    assert crc32c.python_extend(0, data) == crc32c.value(data)
    assert crc32c.python_extend(crc32c.value(data[:7]), data[7:]) == crc32c.value(data)


def test_crc32c_mask_round_trip():
    for crc in (0, 1, 0xE3069283, 0xFFFFFFFF):
        assert crc32c.unmask(crc32c.mask(crc)) == crc
    assert crc32c.mask(0) == 0xA282EAD8
    assert crc32c.mask(crc32c.value(b"foo")) != crc32c.value(b"foo")


# --- tables ----------------------------------------------------------------------------------
def _table_bytes(items, **options):
    f = io.BytesIO()
    writer = table.TableWriter(f, **options)
    for key, value in items:
        writer.add(key, value)
    writer.finish()
    return f.getvalue()


def _items(n):
    return [(b"key/%06d/%s" % (i, b"x" * (i % 7)), b"value %d" % i * (i % 3)) for i in range(n)]


@pytest.mark.parametrize("n, block_size, restart", [(1, 4096, 16), (300, 4096, 16),
                                                    (300, 128, 1), (1000, 300, 5)])
def test_table_round_trip(n, block_size, restart):
    items = _items(n)
    data = _table_bytes(items, block_size=block_size, restart_interval=restart)
    assert struct.unpack("<Q", data[-8:])[0] == table.MAGIC
    assert table.read_table(data) == items


def test_table_with_the_empty_key_and_binary_keys():
    items = [(b"", b"header"), (b"\x00", b""), (b"a", b"\xff" * 300), (b"a\x00b", b"1")]
    assert table.read_table(_table_bytes(items)) == items


def test_empty_table():
    data = _table_bytes([])
    assert len(data) == 2 * 13 + table.FOOTER_SIZE  # two empty blocks (8 bytes + trailer)
    assert table.read_table(data) == []


def test_table_keys_must_increase():
    writer = table.TableWriter(io.BytesIO())
    writer.add(b"b", b"")
    with pytest.raises(ValueError, match="increasing order"):
        writer.add(b"a", b"")
    with pytest.raises(ValueError, match="increasing order"):
        writer.add(b"b", b"")


def test_table_damage_is_data_loss():
    data = _table_bytes(_items(50), block_size=256)
    with pytest.raises(tf.errors.DataLossError, match="too short"):
        table.read_table(data[:20], "t.index")
    with pytest.raises(tf.errors.DataLossError, match="magic"):
        table.read_table(data[:-1] + b"\x00", "t.index")
    with pytest.raises(tf.errors.DataLossError, match="t.index"):
        table.read_table(data[:len(data) // 2] + data[-48:], "t.index")  # blocks cut off
    for position in (3, len(data) // 2, len(data) - 60):
        flipped = bytearray(data)
        flipped[position] ^= 0x10
        with pytest.raises(tf.errors.DataLossError, match="checksum|bad"):
            table.read_table(bytes(flipped), "t.index")


def test_varint():
    for number in (0, 1, 127, 128, 300, 2 ** 32, 2 ** 64 - 1):
        encoded = table.encode_varint(number)
        assert table.decode_varint(encoded, 0) == (number, len(encoded))
    with pytest.raises(ValueError):
        table.decode_varint(b"\x80\x80", 0)


# --- bundles ---------------------------------------------------------------------------------
def test_every_dtype_has_a_value():
    assert {d.name for d in dtypes._ALL} == set(VALUES)


@pytest.mark.parametrize("dtype", sorted(VALUES))
def test_bundle_round_trip_every_dtype(tmp_path, dtype):
    prefix = str(tmp_path / "ckpt")
    value = VALUES[dtype]
    writer = tensor_bundle.BundleWriter(prefix)
    writer.add("x", value, tf.as_dtype(dtype))
    writer.add("scope/empty", np.zeros((0, 2), value.dtype), tf.as_dtype(dtype))
    writer.finish()
    assert sorted(os.listdir(tmp_path)) == ["ckpt.data-00000-of-00001", "ckpt.index"]
    with tensor_bundle.BundleReader(prefix) as reader:
        assert reader.keys() == ["scope/empty", "x"]
        assert reader.dtype("x") is tf.as_dtype(dtype)
        assert reader.shape("x") == value.shape
        got = reader.read("x")
        assert got.dtype == value.dtype and got.shape == value.shape
        np.testing.assert_array_equal(got, value)
        got[...] = got  # a restored value is the caller's writable copy
        assert reader.read("scope/empty").shape == (0, 2)


def test_bundle_layout_matches_the_format(tmp_path):
    """The data file is the raw little-endian bytes in the order added; the index is sorted
    and holds the header first."""
    prefix = str(tmp_path / "m")
    tensor_bundle.write_bundle(prefix, {"b": np.array([1.0, 2.0], np.float32),
                                        "a": np.array([7], np.int64)})
    data = (tmp_path / "m.data-00000-of-00001").read_bytes()
    assert data == np.array([1, 2], "<f4").tobytes() + np.array([7], "<i8").tobytes()
    entries = table.read_table((tmp_path / "m.index").read_bytes())
    assert [k for k, _ in entries] == [b"", b"a", b"b"]
    messages = protos.messages()
    header = messages.BundleHeaderProto.FromString(entries[0][1])
    assert header.num_shards == 1 and header.endianness == 0 and header.version.producer == 1
    entry = messages.BundleEntryProto.FromString(entries[2][1])
    assert (entry.dtype, entry.offset, entry.size) == (1, 0, 8)
    assert [d.size for d in entry.shape.dim] == [2]
    assert crc32c.unmask(entry.crc32c) == crc32c.value(data[:8])
    entry = messages.BundleEntryProto.FromString(entries[1][1])
    assert (entry.dtype, entry.offset, entry.size) == (9, 8, 8)


def test_string_tensor_layout(tmp_path):
    prefix = str(tmp_path / "s")
    tensor_bundle.write_bundle(prefix, {"s": np.array([b"ab", b"c" * 200], dtype=object)})
    data = (tmp_path / "s.data-00000-of-00001").read_bytes()
    lengths = b"\x02" + b"\xc8\x01"  # varint64 lengths
    assert data[:3] == lengths
    length_crc = crc32c.value(struct.pack("<II", 2, 200))
    assert struct.unpack("<I", data[3:7])[0] == crc32c.mask(length_crc)
    assert data[7:] == b"ab" + b"c" * 200


def test_bundle_with_many_tensors_spans_index_blocks(tmp_path):
    prefix = str(tmp_path / "many")
    tensors = {f"layer_{i:04d}/" + "w" * 40: np.full((i % 5,), i, np.float32)
               for i in range(7000)}
    tensor_bundle.write_bundle(prefix, tensors)
    assert os.path.getsize(prefix + ".index") > 262144  # more than one data block
    with tensor_bundle.BundleReader(prefix) as reader:
        assert reader.keys() == sorted(tensors)
        for name in list(tensors)[::700]:
            np.testing.assert_array_equal(reader.read(name), tensors[name])


def test_bundle_with_pure_python_checksums(tmp_path, monkeypatch):
    monkeypatch.setattr(crc32c, "_accelerated", None)
    assert crc32c.implementation() == "python"
    prefix = str(tmp_path / "py")
    tensor_bundle.write_bundle(prefix, {"x": VALUES["float64"], "s": VALUES["string"]})
    monkeypatch.undo()
    with tensor_bundle.BundleReader(prefix) as reader:
        np.testing.assert_array_equal(reader.read("x"), VALUES["float64"])
        np.testing.assert_array_equal(reader.read("s"), VALUES["string"])


def test_bundle_writer_refuses_duplicates_and_the_header_key(tmp_path):
    writer = tensor_bundle.BundleWriter(str(tmp_path / "d"))
    writer.add("x", np.zeros(2))
    with pytest.raises(tf.errors.InvalidArgumentError, match="duplicate key"):
        writer.add("x", np.zeros(2))
    with pytest.raises(tf.errors.InvalidArgumentError):
        writer.add("", np.zeros(2))


# --- damaged bundles -------------------------------------------------------------------------
@pytest.fixture
def saved(tmp_path):
    prefix = str(tmp_path / "c")
    tensor_bundle.write_bundle(prefix, {"weights": np.arange(100, dtype=np.float32),
                                        "names": np.array([b"abc", b"de"], dtype=object)})
    return prefix


def _damage(path, position, length=None):
    data = bytearray(open(path, "rb").read())
    if length is None:
        data[position] ^= 0x01
    else:
        del data[position:position + length]
    open(path, "wb").write(bytes(data))


def test_flipped_data_byte_is_data_loss_naming_the_tensor(saved):
    _damage(saved + ".data-00000-of-00001", 40)  # inside 'weights' (stored first)
    with tensor_bundle.BundleReader(saved) as reader:
        np.testing.assert_array_equal(reader.read("names"), [b"abc", b"de"])
        with pytest.raises(tf.errors.DataLossError, match="weights.*checksum"):
            reader.read("weights")


def test_flipped_string_byte_is_data_loss(saved):
    start = 400  # 'names' follows the 100 float32 of 'weights'
    _damage(saved + ".data-00000-of-00001", start + 8)
    with tensor_bundle.BundleReader(saved) as reader:
        with pytest.raises(tf.errors.DataLossError, match="names"):
            reader.read("names")
    _damage(saved + ".data-00000-of-00001", start + 8)
    _damage(saved + ".data-00000-of-00001", start)  # a length: its own checksum catches it
    with tensor_bundle.BundleReader(saved) as reader:
        with pytest.raises(tf.errors.DataLossError, match="names"):
            reader.read("names")


def test_truncated_data_file_is_data_loss(saved):
    path = saved + ".data-00000-of-00001"
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(size - 10)
    with tensor_bundle.BundleReader(saved) as reader:
        with pytest.raises(tf.errors.DataLossError, match="names.*ends before"):
            reader.read("names")
        assert reader.read("weights").shape == (100,)


def test_damaged_or_truncated_index_is_data_loss(saved):
    path = saved + ".index"
    original = open(path, "rb").read()
    footer = len(original) - table.FOOTER_SIZE
    # every byte but the footer's zero padding after the two block handles
    for position in [*range(footer + 4), *range(len(original) - 8, len(original))]:
        _damage(path, position)
        with pytest.raises(tf.errors.DataLossError, match="c.index"):
            tensor_bundle.BundleReader(saved)
        open(path, "wb").write(original)
    for keep in (0, 10, len(original) - 49, len(original) - 1):
        open(path, "wb").write(original[:keep])
        with pytest.raises(tf.errors.DataLossError):
            tensor_bundle.BundleReader(saved)


def test_missing_files(saved, tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files"):
        tensor_bundle.BundleReader(str(tmp_path / "nothing"))
    os.remove(saved + ".data-00000-of-00001")
    with tensor_bundle.BundleReader(saved) as reader:
        assert reader.keys() == ["names", "weights"]
        with pytest.raises(tf.errors.NotFoundError, match="data file"):
            reader.read("weights")
        with pytest.raises(tf.errors.NotFoundError, match="Key nope not found in checkpoint"):
            reader.read("nope")


def test_big_endian_bundles_are_byte_swapped(tmp_path):
    """A bundle written on a big-endian machine says so in its header."""
    prefix = str(tmp_path / "be")
    value = np.arange(5, dtype=np.float64) - 2
    messages = protos.messages()
    stored = value.astype(">f8").tobytes()
    header = messages.BundleHeaderProto(num_shards=1, endianness=1)
    header.version.producer = 1
    entry = messages.BundleEntryProto(dtype=2, offset=0, size=len(stored),
                                      crc32c=crc32c.mask(crc32c.value(stored)))
    entry.shape.dim.add(size=5)
    with open(prefix + ".data-00000-of-00001", "wb") as f:
        f.write(stored)
    with open(prefix + ".index", "wb") as f:
        table.write_table(f, [(b"", header.SerializeToString()),
                              (b"v", entry.SerializeToString())])
    with tensor_bundle.BundleReader(prefix) as reader:
        got = reader.read("v")
    assert got.dtype == np.float64 and got.dtype.isnative
    np.testing.assert_array_equal(got, value)


def test_newer_format_versions_are_refused(tmp_path):
    prefix = str(tmp_path / "new")
    header = protos.messages().BundleHeaderProto(num_shards=1)
    header.version.producer = 5
    header.version.min_consumer = 3
    with open(prefix + ".index", "wb") as f:
        table.write_table(f, [(b"", header.SerializeToString())])
    with pytest.raises(tf.errors.InvalidArgumentError, match="version"):
        tensor_bundle.BundleReader(prefix)


def test_unsupported_dtypes_are_named(tmp_path):
    prefix = str(tmp_path / "bf16")
    entry = protos.messages().BundleEntryProto(dtype=14, size=0)
    header = protos.messages().BundleHeaderProto(num_shards=1)
    with open(prefix + ".index", "wb") as f:
        table.write_table(f, [(b"", header.SerializeToString()),
                              (b"half_brain", entry.SerializeToString())])
    with tensor_bundle.BundleReader(prefix) as reader:
        with pytest.raises(tf.errors.UnimplementedError, match="half_brain.*DT_BFLOAT16"):
            reader.read("half_brain")
