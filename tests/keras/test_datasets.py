"""tf.keras.datasets: loaders read small files made here in each data set's real format (no
network): the cache under a temporary HOME, downloads from file:// URLs, hashes checked, object
arrays decoded without unpickling, and TF 1.15's processing (shuffles, imdb/reuters indices)."""
import gzip
import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.errors import DataLossError
from tensorweave.keras.datasets import (boston_housing, cifar10, cifar100, fashion_mnist, imdb,
                                        loading, mnist, npz, reuters)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh HOME (so ~/.keras/datasets is empty) and no MNIST directory."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TENSORWEAVE_MNIST_DIR", raising=False)
    datasets = tmp_path / "home" / ".keras" / "datasets"
    datasets.mkdir(parents=True)
    return datasets


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def md5(path):
    return hashlib.md5(open(path, "rb").read()).hexdigest()


def idx_bytes(array):
    codes = {np.dtype(np.uint8): 0x08}
    header = bytes([0, 0, codes[array.dtype], array.ndim])
    header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


def object_array(lists):
    array = np.empty(len(lists), dtype=object)
    array[:] = lists
    return array


def write_npy_pickled(path, arrays, protocol):
    """An .npz whose object arrays are pickled with `protocol` (as older NumPy wrote them)."""
    import zipfile
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            if array.dtype.hasobject:
                np.lib.format.write_array_header_1_0(
                    buffer, {"descr": "|O", "fortran_order": False, "shape": array.shape})
                pickle.dump(array, buffer, protocol=protocol)
            else:
                np.lib.format.write_array(buffer, array)
            archive.writestr(name + ".npy", buffer.getvalue())


# --- mnist ----------------------------------------------------------------------------------
MNIST_DIR = os.environ.get("TENSORWEAVE_MNIST_DIR", "/work/shared/data/mnist")


def test_mnist_from_idx_directory_matches_npz_layout(home, monkeypatch):
    if not os.path.isdir(MNIST_DIR):
        pytest.skip("no MNIST directory")
    monkeypatch.setenv("TENSORWEAVE_MNIST_DIR", MNIST_DIR)
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]  # MNIST's first labels
    assert y_test[:5].tolist() == [7, 2, 1, 0, 4]
    assert abs(x_train.mean() / 255 - 0.1307) < 1e-4  # MNIST's well-known pixel mean
    assert int(x_train.sum()) == 1_567_298_545 and int(x_test.sum()) == 264_923_200


def test_mnist_npz_in_cache_wins_and_is_hash_checked(home, monkeypatch, tmp_path):
    rng = np.random.RandomState(0)
    arrays = {"x_train": rng.randint(0, 256, (6, 28, 28)).astype(np.uint8),
              "y_train": rng.randint(0, 10, 6).astype(np.uint8),
              "x_test": rng.randint(0, 256, (2, 28, 28)).astype(np.uint8),
              "y_test": rng.randint(0, 10, 2).astype(np.uint8)}
    np.savez(home / "mnist.npz", **arrays)
    monkeypatch.setattr(mnist, "FILE_HASH", sha256(home / "mnist.npz"))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    # a copy that does not match the hash is downloaded again: offline that is a clear error
    monkeypatch.setattr(mnist, "FILE_HASH", "0" * 64)
    monkeypatch.setattr(loading, "ORIGIN_FOLDER", (tmp_path / "nowhere").as_uri() + "/")
    with pytest.raises(loading.DatasetUnavailableError, match="does not match the expected"):
        mnist.load_data()


def test_mnist_download_through_get_file(home, monkeypatch, tmp_path):
    server = tmp_path / "server"
    server.mkdir()
    arrays = {k: np.zeros(s, np.uint8) for k, s in
              [("x_train", (3, 28, 28)), ("y_train", (3,)), ("x_test", (1, 28, 28)),
               ("y_test", (1,))]}
    np.savez(server / "mnist.npz", **arrays)
    monkeypatch.setattr(loading, "ORIGIN_FOLDER", server.as_uri() + "/")
    monkeypatch.setattr(mnist, "FILE_HASH", sha256(server / "mnist.npz"))
    (x_train, _), _ = mnist.load_data()
    assert x_train.shape == (3, 28, 28)
    assert (home / "mnist.npz").exists()
    # a download that does not match the hash is discarded
    (home / "mnist.npz").unlink()
    monkeypatch.setattr(mnist, "FILE_HASH", "1" * 64)
    with pytest.raises(ValueError, match="hash does not match"):
        mnist.load_data()
    assert not (home / "mnist.npz").exists()


def test_offline_error_is_clear(home, monkeypatch, tmp_path):
    monkeypatch.setattr(loading, "ORIGIN_FOLDER", (tmp_path / "nowhere").as_uri() + "/")
    with pytest.raises(loading.DatasetUnavailableError) as info:
        boston_housing.load_data()
    message = str(info.value)
    assert "there is no copy there" in message
    assert str(home / "boston_housing.npz") in message


def test_fashion_mnist_reads_gzipped_idx(home, monkeypatch, tmp_path):
    server = tmp_path / "server"
    server.mkdir()
    rng = np.random.RandomState(1)
    data = {"train-labels-idx1-ubyte.gz": rng.randint(0, 10, 5).astype(np.uint8),
            "train-images-idx3-ubyte.gz": rng.randint(0, 256, (5, 28, 28)).astype(np.uint8),
            "t10k-labels-idx1-ubyte.gz": rng.randint(0, 10, 2).astype(np.uint8),
            "t10k-images-idx3-ubyte.gz": rng.randint(0, 256, (2, 28, 28)).astype(np.uint8)}
    for name, array in data.items():
        with gzip.open(server / name, "wb") as f:
            f.write(idx_bytes(array))
    monkeypatch.setattr(loading, "ORIGIN_FOLDER", server.as_uri() + "/")
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, data["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, data["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(x_test, data["t10k-images-idx3-ubyte.gz"])
    assert x_test.dtype == np.uint8 and y_test.dtype == np.uint8
    assert (home / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz").exists()


def test_truncated_idx_is_data_loss(tmp_path):
    path = tmp_path / "bad-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros((2, 3, 3), np.uint8))[:-1])
    with pytest.raises(DataLossError, match="truncated"):
        loading.read_idx(str(path))


# --- boston housing --------------------------------------------------------------------------
def test_boston_housing_split_and_shuffle(home, monkeypatch):
    x = np.arange(50 * 13, dtype=np.float64).reshape(50, 13)
    y = np.arange(50, dtype=np.float64) * 1.5
    np.savez(home / "boston_housing.npz", x=x, y=y)
    monkeypatch.setattr(boston_housing, "FILE_HASH", sha256(home / "boston_housing.npz"))
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(test_split=0.2, seed=7)
    np.random.seed(7)  # TF 1.15's steps
    indices = np.arange(50)
    np.random.shuffle(indices)
    assert x_train.shape == (40, 13) and x_test.shape == (10, 13)
    np.testing.assert_array_equal(x_train, x[indices][:40])
    np.testing.assert_array_equal(y_test, y[indices][40:])


# --- cifar -----------------------------------------------------------------------------------
def cifar_records(rng, n, label_bytes):
    labels = rng.randint(0, 100, (n, label_bytes)).astype(np.uint8)
    pixels = rng.randint(0, 256, (n, 3, 32, 32)).astype(np.uint8)
    raw = np.concatenate([labels, pixels.reshape(n, -1)], axis=1).tobytes()
    return raw, pixels, labels


def add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def test_cifar10_binary_archive(home, monkeypatch, tmp_path):
    rng = np.random.RandomState(2)
    archive = tmp_path / "cifar-10-binary.tar.gz"
    pixels, labels = [], []
    with tarfile.open(archive, "w:gz") as tar:
        for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
            raw, p, lab = cifar_records(rng, 3, 1)
            add_bytes(tar, "cifar-10-batches-bin/" + name, raw)
            pixels.append(p)
            labels.append(lab)
    monkeypatch.setattr(cifar10, "ORIGIN", archive.as_uri())
    monkeypatch.setattr(cifar10, "FILE_HASH", md5(archive))
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.cifar10.load_data()
    assert x_train.shape == (15, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (15, 1) and y_train.dtype == np.uint8
    assert x_test.shape == (3, 32, 32, 3) and y_test.dtype == np.uint8
    np.testing.assert_array_equal(x_train, np.concatenate(pixels[:5]).transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_train, np.concatenate(labels[:5]))
    np.testing.assert_array_equal(x_test[1, :, :, 2], pixels[5][1, 2])  # blue plane
    # the extracted directory is a local copy: it is read even without the archive
    (home / "cifar-10-batches-bin.tar.gz").unlink()
    monkeypatch.setattr(cifar10, "ORIGIN", (tmp_path / "gone.tar.gz").as_uri())
    (again, _), _ = cifar10.load_data()
    np.testing.assert_array_equal(again, x_train)


def test_cifar100_binary_labels(home, monkeypatch, tmp_path):
    rng = np.random.RandomState(3)
    directory = home / "cifar-100-binary"
    directory.mkdir()
    train_raw, train_pixels, train_labels = cifar_records(rng, 4, 2)
    test_raw, _, test_labels = cifar_records(rng, 2, 2)
    (directory / "train.bin").write_bytes(train_raw)
    (directory / "test.bin").write_bytes(test_raw)
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode="fine")
    assert x_train.shape == (4, 32, 32, 3) and y_train.shape == (4, 1)
    assert y_train.dtype == np.int64
    np.testing.assert_array_equal(y_train[:, 0], train_labels[:, 1])
    np.testing.assert_array_equal(x_train, train_pixels.transpose(0, 2, 3, 1))
    _, (_, coarse) = cifar100.load_data(label_mode="coarse")
    np.testing.assert_array_equal(coarse[:, 0], test_labels[:, 0])
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data(label_mode="medium")
    (directory / "test.bin").write_bytes(test_raw[:-5])
    with pytest.raises(DataLossError, match="truncated"):
        cifar100.load_data()


# --- imdb and reuters ------------------------------------------------------------------------
def reference_imdb(x_train, labels_train, x_test, labels_test, num_words=None, skip_top=0,
                   maxlen=None, seed=113, start_char=1, oov_char=2, index_from=3):
    """TF 1.15's imdb.load_data steps, written out for the test."""
    np.random.seed(seed)
    indices = np.arange(len(x_train))
    np.random.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    np.random.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]
    xs = list(x_train) + list(x_test)
    labels = list(labels_train) + list(labels_test)
    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]
    if maxlen:
        kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
        xs, labels = [k[0] for k in kept], [k[1] for k in kept]
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    idx = len(x_train)
    return (xs[:idx], labels[:idx]), (xs[idx:], labels[idx:])


def random_reviews(rng, n):
    return object_array([rng.randint(1, 60, size=rng.randint(2, 20)).tolist()
                         for _ in range(n)])


@pytest.fixture
def imdb_file(home, monkeypatch):
    rng = np.random.RandomState(4)
    arrays = {"x_train": random_reviews(rng, 30), "y_train": rng.randint(0, 2, 30),
              "x_test": random_reviews(rng, 20), "y_test": rng.randint(0, 2, 20)}
    write_npy_pickled(home / "imdb.npz", arrays, protocol=2)  # as older NumPy wrote it
    monkeypatch.setattr(imdb, "FILE_HASH", sha256(home / "imdb.npz"))
    return arrays


@pytest.mark.parametrize("options", [
    {}, {"num_words": 30, "skip_top": 5}, {"maxlen": 12}, {"seed": 1, "oov_char": None},
    {"start_char": None, "index_from": 0}, {"num_words": 20, "start_char": None},
])
def test_imdb_processing_matches_tf(imdb_file, options):
    (x_train, y_train), (x_test, y_test) = imdb.load_data(**options)
    (rx_train, ry_train), (rx_test, ry_test) = reference_imdb(
        imdb_file["x_train"], imdb_file["y_train"], imdb_file["x_test"], imdb_file["y_test"],
        **options)
    assert [list(x) for x in x_train] == rx_train and [list(x) for x in x_test] == rx_test
    assert y_train.tolist() == [int(y) for y in ry_train]
    assert y_test.tolist() == [int(y) for y in ry_test]
    assert x_train.dtype == object and x_train.ndim == 1 and y_train.dtype == np.int64


def test_imdb_keyword_errors(imdb_file):
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        imdb.load_data(nb_wrds=10)
    with pytest.raises(ValueError, match="no sequence was kept"):
        imdb.load_data(maxlen=1)
    (a, _), _ = imdb.load_data(nb_words=10)
    assert max(max(x) for x in a) < 10


def test_imdb_word_index(home, monkeypatch):
    (home / "imdb_word_index.json").write_text('{"the": 1, "and": 2}')
    monkeypatch.setattr(imdb, "WORD_INDEX_HASH", md5(home / "imdb_word_index.json"))
    assert imdb.get_word_index() == {"the": 1, "and": 2}


def test_reuters_split_and_processing(home, monkeypatch):
    rng = np.random.RandomState(5)
    xs, ys = random_reviews(rng, 25), rng.randint(0, 46, 25)
    np.savez(home / "reuters.npz", x=xs, y=ys)  # NumPy 2 pickles with protocol 4
    monkeypatch.setattr(reuters, "FILE_HASH", sha256(home / "reuters.npz"))
    (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=40, test_split=0.2)
    np.random.seed(113)
    indices = np.arange(25)
    np.random.shuffle(indices)
    expected = [[1] + [w + 3 if w + 3 < 40 else 2 for w in xs[i]] for i in indices]
    assert len(x_train) == 20 and len(x_test) == 5
    assert [list(x) for x in x_train] + [list(x) for x in x_test] == expected
    assert y_train.tolist() + y_test.tolist() == ys[indices].tolist()
    (home / "reuters_word_index.json").write_text('{"said": 1}')
    monkeypatch.setattr(reuters, "WORD_INDEX_HASH", md5(home / "reuters_word_index.json"))
    assert reuters.get_word_index() == {"said": 1}


# --- the .npz reader never unpickles ---------------------------------------------------------
class Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned > /tmp/tensorweave_pwned",))


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
def test_object_arrays_decode_in_every_protocol(tmp_path, protocol):
    lists = object_array([[1, 2, 3], [70000, 2 ** 40, -5], [], ["text", b"raw", 1.5, None]])
    write_npy_pickled(tmp_path / "a.npz", {"x": lists, "y": np.arange(4)}, protocol)
    arrays = npz.load(str(tmp_path / "a.npz"))
    assert [list(x) for x in arrays["x"]] == [list(x) for x in lists]
    np.testing.assert_array_equal(arrays["y"], np.arange(4))


@pytest.mark.parametrize("protocol", [0, 2, 4])
def test_code_in_an_npz_is_refused(tmp_path, protocol):
    evil = object_array([[1], Exploit()])
    write_npy_pickled(tmp_path / "evil.npz", {"x": evil}, protocol)
    with pytest.raises(DataLossError, match="not plain data"):
        npz.load(str(tmp_path / "evil.npz"))
    assert not os.path.exists("/tmp/tensorweave_pwned")


def test_corrupt_npz_is_data_loss(tmp_path):
    (tmp_path / "bad.npz").write_bytes(b"not a zip file")
    with pytest.raises(DataLossError, match="not a readable .npz"):
        npz.load(str(tmp_path / "bad.npz"))
    lists = object_array([[1, 2], [3]])
    write_npy_pickled(tmp_path / "cut.npz", {"x": lists}, 2)
    import zipfile
    with zipfile.ZipFile(tmp_path / "cut.npz") as z:
        data = z.read("x.npy")
    with zipfile.ZipFile(tmp_path / "cut.npz", "w") as z:
        z.writestr("x.npy", data[:-6])
    with pytest.raises(DataLossError):
        npz.load(str(tmp_path / "cut.npz"))
