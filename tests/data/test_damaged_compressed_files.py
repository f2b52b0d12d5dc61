"""Damaged GZIP/ZLIB input to the TFRecord iterator and the file datasets is DataLossError
naming the file, as in TensorFlow (which says e.g. "truncated record at 8032' failed with EOF
reached" or "inflate() failed with error -3: incorrect header check")."""
import gzip

import pytest

import tensorweave as tf
from data_helpers import elements

GZIP = tf.python_io.TFRecordOptions(tf.python_io.TFRecordCompressionType.GZIP)
RECORDS = [b"record %d " % i * 20 for i in range(100)]


@pytest.fixture
def good_gzip(tmp_path):
    path = tmp_path / "good.tfrecord.gz"
    with tf.python_io.TFRecordWriter(str(path), GZIP) as writer:
        for record in RECORDS:
            writer.write(record)
    return path


def damaged(tmp_path, good_gzip):
    """name -> (path, message pattern) of each kind of damage."""
    data = good_gzip.read_bytes()
    cases = {"truncated": (data[:len(data) // 2], "truncated"),
             "truncated_header": (data[:5], "truncated"),
             "not_gzip": (b"just some text that is not gzip\n", "corrupted GZIP"),
             "bad_crc": (data[:-8] + bytes([data[-8] ^ 1]) + data[-7:], "corrupted GZIP")}
    out = {}
    for name, (content, message) in cases.items():
        path = tmp_path / f"{name}.gz"
        path.write_bytes(content)
        out[name] = (str(path), message)
    return out


KINDS = ["truncated", "truncated_header", "not_gzip", "bad_crc"]


@pytest.mark.parametrize("kind", KINDS)
def test_tf_record_iterator(tmp_path, good_gzip, kind):
    path, message = damaged(tmp_path, good_gzip)[kind]
    with pytest.raises(tf.errors.DataLossError, match=message) as info:
        list(tf.python_io.tf_record_iterator(path, GZIP))
    assert path in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("reader", [tf.data.TFRecordDataset, tf.data.TextLineDataset])
def test_datasets(tmp_path, good_gzip, kind, reader):
    path, message = damaged(tmp_path, good_gzip)[kind]
    with pytest.raises(tf.errors.DataLossError, match=message) as info:
        elements(reader(path, compression_type="GZIP"))
    assert path in str(info.value)


def test_fixed_length_records(tmp_path, good_gzip):
    path, _ = damaged(tmp_path, good_gzip)["not_gzip"]
    with pytest.raises(tf.errors.DataLossError, match="corrupted GZIP"):
        elements(tf.data.FixedLengthRecordDataset(path, 4, compression_type="GZIP"))


def test_records_before_the_damage_are_read(tmp_path, good_gzip):
    path, _ = damaged(tmp_path, good_gzip)["truncated"]
    got = []
    with pytest.raises(tf.errors.DataLossError):
        for record in tf.python_io.tf_record_iterator(path, GZIP):
            got.append(record)
    assert 0 < len(got) < len(RECORDS) and got == RECORDS[:len(got)]


def test_corrupt_zlib_names_the_file(tmp_path):
    path = tmp_path / "bad.z"
    path.write_bytes(b"not zlib at all")
    with pytest.raises(tf.errors.DataLossError, match="corrupted ZLIB") as info:
        elements(tf.data.TFRecordDataset(str(path), compression_type="ZLIB"))
    assert str(path) in str(info.value)


def test_intact_gzip_still_reads(good_gzip):
    assert list(tf.python_io.tf_record_iterator(str(good_gzip), GZIP)) == RECORDS
    with gzip.open(good_gzip) as f:
        assert f.read()  # the file is ordinary GZIP


def test_make_csv_dataset_probing_damaged_gzip(tmp_path):
    data = gzip.compress(b"a,b\n" + b"1,2\n" * 1000)
    path = tmp_path / "rows.csv.gz"
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(tf.errors.DataLossError, match="truncated") as info:
        tf.data.experimental.make_csv_dataset(str(path), batch_size=2, compression_type="GZIP")
    assert str(path) in str(info.value)
