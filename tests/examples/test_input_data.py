"""MNIST loader: TF 1.x split, dtypes, batching and seeding; file lookup, download and errors."""

import functools
import gzip
import http.server
import os
import socket
import struct
import threading
from pathlib import Path

import numpy as np
import pytest

from tensorweave.contrib.learn.datasets import mnist as mnist_reader
from tensorweave.examples.tutorials.mnist import input_data

REPO_ROOT = Path(__file__).resolve().parents[2]
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def _real_mnist_dir():
    candidates = [os.environ.get(input_data.MNIST_DIR_ENV),
                  REPO_ROOT / '..' / 'shared' / 'data' / 'mnist']
    for candidate in candidates:
        if candidate and all((Path(candidate) / name).is_file()
                             for name in input_data.MNIST_FILES):
            return Path(candidate).resolve()
    return None


MNIST_DIR = _real_mnist_dir()
needs_mnist = pytest.mark.skipif(
    MNIST_DIR is None, reason='the four MNIST .gz files are not in $TENSORWEAVE_MNIST_DIR '
                              'nor in ../shared/data/mnist beside the repository')


def _raw_labels(name):
    with gzip.open(MNIST_DIR / name) as stream:
        return np.frombuffer(stream.read(), dtype=np.uint8, offset=8)


def _raw_images(name):
    with gzip.open(MNIST_DIR / name) as stream:
        return np.frombuffer(stream.read(), dtype=np.uint8, offset=16).reshape(-1, 784)


@pytest.fixture(scope='module')
def mnist():
    return input_data.read_data_sets(str(MNIST_DIR))


@pytest.fixture(scope='module')
def mnist_one_hot_uint8():
    return input_data.read_data_sets(str(MNIST_DIR), one_hot=True, dtype='uint8', reshape=False)


# ---------------------------------------------------------------------------------------------
# Small IDX files written by the tests


def _idx_bytes(magic, array):
    header = struct.pack('>%dI' % (1 + array.ndim), magic, *array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write_gz(path, payload):
    path.write_bytes(gzip.compress(payload))


def _write_tiny_mnist(directory, train=12, test=4):
    """Four valid IDX files whose pixel (0, 0) holds the example's index (mod 256)."""
    directory.mkdir(parents=True, exist_ok=True)
    for images_name, labels_name, count in ((input_data.TRAIN_IMAGES, input_data.TRAIN_LABELS,
                                             train),
                                            (input_data.TEST_IMAGES, input_data.TEST_LABELS,
                                             test)):
        images = np.zeros((count, 28, 28), dtype=np.uint8)
        images[:, 0, 0] = np.arange(count) % 256
        _write_gz(directory / images_name, _idx_bytes(2051, images))
        _write_gz(directory / labels_name, _idx_bytes(2049, np.arange(count) % 10))
    return directory


@pytest.fixture
def no_env_dir(monkeypatch):
    monkeypatch.delenv(input_data.MNIST_DIR_ENV, raising=False)


@pytest.fixture
def closed_port_url():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    return 'http://127.0.0.1:%d/' % port


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve_directory():
    """Starts HTTP servers on 127.0.0.1 for directories; returns their base URLs."""
    servers = []

    def start(directory):
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.02},
                         daemon=True).start()
        servers.append(server)
        return 'http://127.0.0.1:%d/' % server.server_port

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _redirect_default_source(monkeypatch, base_url):
    """Makes downloads from DEFAULT_SOURCE_URL fetch from `base_url` instead."""
    real_open_url = mnist_reader._open_url  # input_data hands on the contrib.learn reader

    def open_url(url):
        assert url.startswith(input_data.DEFAULT_SOURCE_URL), url
        return real_open_url(base_url + url[len(input_data.DEFAULT_SOURCE_URL):])

    monkeypatch.setattr(mnist_reader, '_open_url', open_url)


# ---------------------------------------------------------------------------------------------
# The real files


@needs_mnist
def test_split_sizes_and_file_order(mnist):
    assert (mnist.train.num_examples, mnist.validation.num_examples,
            mnist.test.num_examples) == (55000, 5000, 10000)
    raw_train = _raw_labels(input_data.TRAIN_LABELS)
    # As TF 1.x: validation is the first 5000 training examples, train the remaining 55000.
    np.testing.assert_array_equal(mnist.validation.labels, raw_train[:5000])
    np.testing.assert_array_equal(mnist.train.labels, raw_train[5000:])
    assert mnist.train.labels[0] == raw_train[5000]
    assert mnist.validation.labels[-1] == raw_train[4999]
    np.testing.assert_array_equal(mnist.test.labels, _raw_labels(input_data.TEST_LABELS))


@needs_mnist
def test_images_are_float32_in_unit_range(mnist):
    images = mnist.train.images
    assert images.shape == (55000, 784) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0
    assert mnist.train.labels.dtype == np.uint8 and mnist.train.labels.shape == (55000,)
    raw = _raw_images(input_data.TEST_IMAGES)
    expected = raw.astype(np.float32) * np.float32(1.0 / 255.0)
    np.testing.assert_array_equal(mnist.test.images, expected)


@needs_mnist
def test_uint8_unreshaped_one_hot(mnist_one_hot_uint8):
    train = mnist_one_hot_uint8.train
    assert train.images.shape == (55000, 28, 28, 1) and train.images.dtype == np.uint8
    assert train.images.max() == 255
    assert train.labels.shape == (55000, 10) and train.labels.dtype == np.float64
    np.testing.assert_array_equal(train.labels.sum(axis=1), 1.0)
    raw_train = _raw_labels(input_data.TRAIN_LABELS)
    np.testing.assert_array_equal(train.labels.argmax(axis=1), raw_train[5000:])


@needs_mnist
def test_label_counts(mnist):
    train_and_validation = np.concatenate([mnist.train.labels, mnist.validation.labels])
    assert np.bincount(train_and_validation).tolist() == TRAIN_COUNTS
    assert np.bincount(mnist.test.labels).tolist() == TEST_COUNTS


@needs_mnist
def test_epoch_ends_lazily_on_real_train_set():
    train = input_data.read_data_sets(str(MNIST_DIR), dtype=np.uint8, seed=7).train
    labels = np.concatenate([train.next_batch(100)[1] for _ in range(550)])
    assert train.epochs_completed == 0
    raw_train = _raw_labels(input_data.TRAIN_LABELS)
    assert np.bincount(labels).tolist() == np.bincount(raw_train[5000:]).tolist()
    images, _ = train.next_batch(100)
    assert train.epochs_completed == 1 and images.shape == (100, 784)


@needs_mnist
def test_seeded_first_batch_matches_tf_shuffle(mnist):
    state_before = np.random.get_state()[1].copy()
    images, labels = input_data.read_data_sets(str(MNIST_DIR), seed=42).train.next_batch(100)
    order = np.random.RandomState(42).permutation(55000)[:100]
    np.testing.assert_array_equal(images, mnist.train.images[order])
    np.testing.assert_array_equal(labels, mnist.train.labels[order])
    np.testing.assert_array_equal(np.random.get_state()[1], state_before)


# ---------------------------------------------------------------------------------------------
# DataSet batching on small arrays


def _indexed_data_set(count, seed=None):
    """A uint8 DataSet whose label i sits beside image i filled with i."""
    images = np.repeat(np.arange(count, dtype=np.uint8), 4).reshape(count, 2, 2, 1)
    return input_data.DataSet(images, np.arange(count, dtype=np.uint8), dtype=np.uint8,
                              seed=seed)


def test_batch_crossing_epoch_is_rest_then_new_shuffle():
    data = _indexed_data_set(10, seed=3)
    rng = np.random.RandomState(3)
    first_order = rng.permutation(10)
    second_order = first_order[rng.permutation(10)]  # TF reshuffles the shuffled arrays.
    batches = [data.next_batch(4) for _ in range(4)]
    np.testing.assert_array_equal(batches[0][1], first_order[0:4])
    np.testing.assert_array_equal(batches[1][1], first_order[4:8])
    np.testing.assert_array_equal(batches[2][1], np.concatenate([first_order[8:],
                                                                 second_order[:2]]))
    np.testing.assert_array_equal(batches[3][1], second_order[2:6])
    assert data.epochs_completed == 1
    for images, labels in batches:
        np.testing.assert_array_equal(images[:, 0], labels)


def test_epochs_completed_counts_crossings():
    data = _indexed_data_set(10, seed=0)
    data.next_batch(5)
    data.next_batch(5)
    assert data.epochs_completed == 0
    data.next_batch(5)
    assert data.epochs_completed == 1


def test_each_example_once_per_epoch():
    data = _indexed_data_set(10, seed=1)
    stream = np.concatenate([data.next_batch(3)[1] for _ in range(20)])
    for epoch in range(6):
        assert sorted(stream[10 * epoch:10 * (epoch + 1)].tolist()) == list(range(10))
    assert data.epochs_completed == 5


def test_no_shuffle_keeps_file_order():
    data = _indexed_data_set(10)
    labels = [data.next_batch(4, shuffle=False)[1].tolist() for _ in range(3)]
    assert labels == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]]


def test_same_seed_same_batches():
    first, second, other = (_indexed_data_set(10, seed=seed) for seed in (9, 9, 10))
    for _ in range(5):
        np.testing.assert_array_equal(first.next_batch(7)[1], second.next_batch(7)[1])
    assert any((first.next_batch(7)[1] != other.next_batch(7)[1]).any() for _ in range(5))


def test_seed_leaves_global_rng_alone():
    state_before = np.random.get_state()[1].copy()
    data = _indexed_data_set(10, seed=5)
    for _ in range(5):
        data.next_batch(4)
    np.testing.assert_array_equal(np.random.get_state()[1], state_before)


def test_float32_scaling_and_reshape():
    images = np.full((3, 28, 28, 1), 255, dtype=np.uint8)
    data = input_data.DataSet(images, np.zeros(3, dtype=np.uint8))
    assert data.images.shape == (3, 784) and data.images.dtype == np.float32
    assert data.images.max() == 1.0


def test_mismatched_images_and_labels():
    with pytest.raises(ValueError, match='images.shape'):
        input_data.DataSet(np.zeros((3, 28, 28, 1), np.uint8), np.zeros(2, np.uint8))


class _DTypeLike:
    def __init__(self, numpy_type):
        self.as_numpy_dtype = numpy_type


@pytest.mark.parametrize('dtype', [np.float32, 'float32', np.dtype('uint8'),
                                   _DTypeLike(np.uint8), _DTypeLike(np.float32)])
def test_accepted_dtypes(dtype):
    input_data.DataSet(np.zeros((2, 28, 28, 1), np.uint8), np.zeros(2, np.uint8), dtype=dtype)


@pytest.mark.parametrize('dtype', [np.float64, 'int32', _DTypeLike(np.int64), 'nonsense'])
def test_rejected_dtypes(dtype):
    with pytest.raises(TypeError, match='Invalid image dtype .* expected uint8 or float32'):
        input_data.DataSet(np.zeros((2, 28, 28, 1), np.uint8), np.zeros(2, np.uint8),
                           dtype=dtype)


def test_tensorweave_dtype_accepted():
    dtypes = pytest.importorskip('tensorweave.core.dtypes')
    data = input_data.read_data_sets('', fake_data=True, dtype=dtypes.uint8)
    assert data.train.next_batch(2)[0].dtype == np.uint8


@pytest.mark.parametrize('one_hot', [False, True])
def test_fake_data(one_hot):
    data = input_data.read_data_sets('unused', fake_data=True, one_hot=one_hot)
    assert isinstance(data, input_data.Datasets)
    assert data.train.num_examples == data.validation.num_examples == 10000
    images, labels = data.train.next_batch(5, fake_data=True)
    np.testing.assert_array_equal(images, np.ones((5, 784)))
    expected_label = [1] + [0] * 9 if one_hot else 0
    assert [np.asarray(label).tolist() for label in labels] == [expected_label] * 5
    assert not os.path.exists('unused')


def test_dense_to_one_hot():
    one_hot = input_data.dense_to_one_hot(np.array([0, 3, 9], np.uint8), 10)
    assert one_hot.dtype == np.float64 and one_hot.shape == (3, 10)
    assert one_hot.argmax(axis=1).tolist() == [0, 3, 9] and one_hot.sum() == 3
    with pytest.raises(ValueError, match='Labels must be in'):
        input_data.dense_to_one_hot(np.array([10]), 10)


# ---------------------------------------------------------------------------------------------
# Finding files, downloading, corrupt files


def test_reads_any_directory_with_the_four_files(tmp_path, no_env_dir, closed_port_url):
    directory = _write_tiny_mnist(tmp_path / 'fashion', train=12, test=4)
    data = input_data.read_data_sets(str(directory), validation_size=2, dtype=np.uint8,
                                     source_url=closed_port_url)
    assert (data.train.num_examples, data.validation.num_examples,
            data.test.num_examples) == (10, 2, 4)
    assert data.validation.images[:, 0].tolist() == [0, 1]
    assert data.train.images[:, 0].tolist() == list(range(2, 12))


def test_validation_size_out_of_range(tmp_path, no_env_dir):
    directory = _write_tiny_mnist(tmp_path / 'tiny', train=12)
    with pytest.raises(ValueError, match=r'between 0 and 12\. Received: 13\.'):
        input_data.read_data_sets(str(directory), validation_size=13)
    with pytest.raises(ValueError, match='Received: -1'):
        input_data.read_data_sets(str(directory), validation_size=-1)


def test_environment_directory_is_the_fallback(tmp_path, monkeypatch, closed_port_url):
    shared = _write_tiny_mnist(tmp_path / 'shared', train=12)
    monkeypatch.setenv(input_data.MNIST_DIR_ENV, str(shared))
    empty_train_dir = tmp_path / 'train_dir'
    data = input_data.read_data_sets(str(empty_train_dir), validation_size=2,
                                     source_url=closed_port_url)
    assert data.train.num_examples == 10
    assert not empty_train_dir.exists()


def test_missing_environment_directory_is_named_before_the_download(tmp_path, monkeypatch,
                                                                     closed_port_url):
    missing = tmp_path / 'no_such_dir'
    monkeypatch.setenv(input_data.MNIST_DIR_ENV, str(missing))
    with pytest.warns(UserWarning, match='%s=%s names no directory' % (
            input_data.MNIST_DIR_ENV, missing)):
        with pytest.raises(input_data.MnistDownloadError):
            input_data.read_data_sets(str(tmp_path / 'train_dir'), source_url=closed_port_url)


def test_train_dir_wins_over_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(input_data.MNIST_DIR_ENV,
                       str(_write_tiny_mnist(tmp_path / 'shared', train=12)))
    local = _write_tiny_mnist(tmp_path / 'local', train=8)
    data = input_data.read_data_sets(str(local), validation_size=2)
    assert data.train.num_examples == 6


def test_download_from_other_source_skips_checksums(tmp_path, no_env_dir, serve_directory):
    url = serve_directory(_write_tiny_mnist(tmp_path / 'remote', train=12))
    train_dir = tmp_path / 'downloaded'
    data = input_data.read_data_sets(str(train_dir), validation_size=2, source_url=url)
    assert data.train.num_examples == 10
    assert sorted(os.listdir(train_dir)) == sorted(input_data.MNIST_FILES)


@needs_mnist
def test_download_from_default_source_is_verified(tmp_path, no_env_dir, serve_directory,
                                                  monkeypatch):
    _redirect_default_source(monkeypatch, serve_directory(MNIST_DIR))
    train_dir = tmp_path / 'downloaded'
    data = input_data.read_data_sets(str(train_dir))
    assert data.train.num_examples == 55000
    assert sorted(os.listdir(train_dir)) == sorted(input_data.MNIST_FILES)


def test_checksum_mismatch_keeps_nothing(tmp_path, no_env_dir, serve_directory, monkeypatch):
    _redirect_default_source(monkeypatch, serve_directory(_write_tiny_mnist(tmp_path / 'bad')))
    train_dir = tmp_path / 'downloaded'
    with pytest.raises(input_data.MnistChecksumError, match='SHA-256') as caught:
        input_data.read_data_sets(str(train_dir))
    assert input_data.TRAIN_IMAGES in str(caught.value)
    assert os.listdir(train_dir) == []


def test_maybe_download_checks_given_sha256(tmp_path, serve_directory):
    url = serve_directory(_write_tiny_mnist(tmp_path / 'remote'))
    name = input_data.TEST_LABELS
    with pytest.raises(input_data.MnistChecksumError):
        input_data.maybe_download(name, str(tmp_path / 'a'), url + name, sha256='0' * 64)
    assert os.listdir(tmp_path / 'a') == []
    path = input_data.maybe_download(name, str(tmp_path / 'b'), url + name)
    assert path == os.path.join(str(tmp_path / 'b'), name) and os.path.isfile(path)


def test_offline_error_says_what_to_do(tmp_path, no_env_dir, closed_port_url):
    train_dir = tmp_path / 'offline'
    with pytest.raises(input_data.MnistDownloadError) as caught:
        input_data.read_data_sets(str(train_dir), source_url=closed_port_url)
    assert isinstance(caught.value, OSError)
    message = str(caught.value)
    for name in input_data.MNIST_FILES:
        assert name in message
    assert str(train_dir.resolve()) in message and input_data.MNIST_DIR_ENV in message
    assert os.listdir(train_dir) == []


def _load_with_bad_file(tmp_path, name, payload, compress=True):
    directory = _write_tiny_mnist(tmp_path / 'broken', train=12)
    path = directory / name
    if compress:
        _write_gz(path, payload)
    else:
        path.write_bytes(payload)
    with pytest.raises(ValueError) as caught:
        input_data.read_data_sets(str(directory), validation_size=2)
    assert str(path) in str(caught.value)
    return str(caught.value)


def test_truncated_gzip_names_the_file(tmp_path, no_env_dir):
    whole = gzip.compress(_idx_bytes(2049, np.arange(12) % 10))
    message = _load_with_bad_file(tmp_path, input_data.TRAIN_LABELS, whole[:len(whole) // 2],
                                  compress=False)
    assert 'gzip' in message


def test_not_gzip_names_the_file(tmp_path, no_env_dir):
    _load_with_bad_file(tmp_path, input_data.TEST_IMAGES, b'plain bytes, not gzip',
                        compress=False)


def test_bad_magic_names_the_file(tmp_path, no_env_dir):
    message = _load_with_bad_file(tmp_path, input_data.TRAIN_IMAGES,
                                  _idx_bytes(2049, np.zeros((12, 28, 28))))
    assert 'Invalid magic number 2049 in MNIST image file' in message


def test_short_idx_body_names_the_file(tmp_path, no_env_dir):
    payload = _idx_bytes(2051, np.zeros((12, 28, 28)))[:-100]
    message = _load_with_bad_file(tmp_path, input_data.TRAIN_IMAGES, payload)
    assert 'promises' in message


def test_empty_file_names_the_file(tmp_path, no_env_dir):
    _load_with_bad_file(tmp_path, input_data.TEST_LABELS, b'')


def test_extract_functions_take_file_objects(tmp_path):
    directory = _write_tiny_mnist(tmp_path / 'tiny', train=12)
    with open(directory / input_data.TRAIN_IMAGES, 'rb') as stream:
        images = input_data.extract_images(stream)
    with open(directory / input_data.TRAIN_LABELS, 'rb') as stream:
        labels = input_data.extract_labels(stream, one_hot=True)
    assert images.shape == (12, 28, 28, 1) and images.dtype == np.uint8
    assert labels.shape == (12, 10) and labels.dtype == np.float64


def test_load_mnist_alias(tmp_path, monkeypatch):
    directory = _write_tiny_mnist(tmp_path / 'tiny', train=5002)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(input_data.MNIST_DIR_ENV, str(directory))
    data = input_data.load_mnist()
    assert (data.train.num_examples, data.validation.num_examples) == (2, 5000)
