"""A checkpoint index whose entry claims more bytes than its data file holds is DataLossError
naming the tensor and the file, raised before anything of that size is allocated. (TensorFlow
itself aborts or segfaults on a 64 GiB float entry; for strings it says "Invalid size in bundle
entry".)"""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.lib import protos, table, tensor_bundle

pytest.importorskip("google.protobuf", reason="checkpoints need the `checkpoint` extra")

GIB = 1 << 30


def forge(prefix, shape, dtype=tf.float32, size=None, offset=0):
    """A bundle of one tensor `w` whose index entry claims `shape` (`size` bytes at
    `offset`, by default what the shape needs) over a 16-byte data file."""
    tensor_bundle.write_bundle(prefix, {"w": np.arange(4, dtype=np.float32)})
    index = tensor_bundle.index_filename(prefix)
    with open(index, "rb") as f:
        entries = table.read_table(f.read(), index)
    entry = protos.messages().BundleEntryProto.FromString(entries[1][1])
    del entry.shape.dim[:]
    for d in shape:
        entry.shape.dim.add(size=d)
    entry.dtype = tensor_bundle.dtype_enum(dtype)
    entry.size = int(np.prod(shape, dtype=object)) * dtype.size if size is None else size
    entry.offset = offset
    entries[1] = (entries[1][0], entry.SerializeToString())
    with open(index, "wb") as f:
        table.write_table(f, entries)
    return prefix


CASES = {
    "64 GiB of float32": dict(shape=[16 * GIB], size=64 * GIB),
    "a huge offset": dict(shape=[4], offset=1 << 40),
    "a shape whose int64 product wraps to 0": dict(shape=[1 << 32, 1 << 32], size=0),
    "2**40 strings in 16 bytes": dict(shape=[1 << 40], dtype=tf.string, size=16),
}


@pytest.mark.parametrize("case", list(CASES))
def test_forged_sizes_are_data_loss(tmp_path, case):
    prefix = forge(str(tmp_path / "forged"), **CASES[case])
    with tensor_bundle.BundleReader(prefix) as reader:
        with pytest.raises(tf.errors.DataLossError) as info:
            reader.read("w")
    message = str(info.value)
    assert "tensor w" in message and prefix in message


def test_the_data_file_is_named_when_it_is_too_short(tmp_path):
    prefix = forge(str(tmp_path / "forged"), **CASES["64 GiB of float32"])
    with pytest.raises(tf.errors.DataLossError, match="forged.data-00000-of-00001") as info:
        tf.train.load_checkpoint(prefix).get_tensor("w")
    assert "68719476736 bytes" in str(info.value)


def test_intact_bundles_still_read(tmp_path):
    prefix = str(tmp_path / "ok")
    tensor_bundle.write_bundle(prefix, {"w": np.arange(4, dtype=np.float32),
                                        "s": np.array([b"ab", b""], dtype=object),
                                        "e": np.zeros((0, 3), np.float32)})
    with tensor_bundle.BundleReader(prefix) as reader:
        np.testing.assert_array_equal(reader.read("w"), np.arange(4))
        assert reader.read("s").tolist() == [b"ab", b""]
        assert reader.read("e").shape == (0, 3)
