"""MNIST for TF 1.x programs: `tf.contrib.learn.datasets.mnist` (TF's
`tensorflow.contrib.learn.python.learn.datasets.mnist`), which
`tensorflow.examples.tutorials.mnist.input_data` hands on.

    from tensorweave.examples.tutorials.mnist import input_data
    mnist = input_data.read_data_sets('/tmp/mnist', one_hot=True)
    images, labels = mnist.train.next_batch(100)   # float32 [100, 784], float64 [100, 10]

The four IDX files are taken from `train_dir` when it holds all of them, else from the directory
named by $TENSORWEAVE_MNIST_DIR, else downloaded into `train_dir`. Any directory with the four
files works, so Fashion-MNIST loads the same way. As in TF, validation is the first
`validation_size` training images in file order and train is the rest.
"""

import collections
import gzip
import hashlib
import os
import tempfile
import warnings
import zlib

import numpy as np

# The mirror of Yann LeCun's files that TF 1.15 downloads from.
DEFAULT_SOURCE_URL = 'https://storage.googleapis.com/cvdf-datasets/mnist/'
MNIST_DIR_ENV = 'TENSORWEAVE_MNIST_DIR'
DOWNLOAD_TIMEOUT_SECONDS = 60

TRAIN_IMAGES = 'train-images-idx3-ubyte.gz'
TRAIN_LABELS = 'train-labels-idx1-ubyte.gz'
TEST_IMAGES = 't10k-images-idx3-ubyte.gz'
TEST_LABELS = 't10k-labels-idx1-ubyte.gz'
MNIST_FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

# Checked only for downloads from DEFAULT_SOURCE_URL; local files are checked for structure.
MNIST_SHA256 = {
    TRAIN_IMAGES: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    TRAIN_LABELS: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
    TEST_IMAGES: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    TEST_LABELS: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
}

IDX_IMAGE_MAGIC = 2051
IDX_LABEL_MAGIC = 2049
NUM_CLASSES = 10
FAKE_NUM_EXAMPLES = 10000
FAKE_IMAGE_SIZE = 784

Datasets = collections.namedtuple('Datasets', ['train', 'validation', 'test'])


class MnistDownloadError(OSError):
    """An MNIST file is missing locally and could not be downloaded."""


class MnistChecksumError(MnistDownloadError):
    """A downloaded MNIST file does not match its published SHA-256; nothing was kept."""


# ---------------------------------------------------------------------------------------------
# Parsing IDX files


def _read_idx(stream, magic, ndim, kind):
    """The uint8 array in a gzipped IDX stream, after checking its magic number and size."""
    name = getattr(stream, 'name', '<stream>')
    try:
        data = gzip.decompress(stream.read())
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError('MNIST %s file %s is not a valid gzip file (%s); it may be truncated. '
                         'Delete it to download it again, or replace it with a good copy.'
                         % (kind, name, error)) from error
    header_size = 4 * (1 + ndim)
    if len(data) < header_size:
        raise ValueError('MNIST %s file %s is too short (%d bytes) to hold an IDX header.'
                         % (kind, name, len(data)))
    header = np.frombuffer(data, dtype='>u4', count=1 + ndim)
    if header[0] != magic:
        raise ValueError('Invalid magic number %d in MNIST %s file: %s' % (header[0], kind, name))
    shape = tuple(int(size) for size in header[1:])
    expected_size = header_size + int(np.prod(shape))
    if len(data) != expected_size:
        raise ValueError('MNIST %s file %s holds %d bytes but its header %s promises %d.'
                         % (kind, name, len(data), list(shape), expected_size))
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(shape)


def extract_images(f):
    """The images of a gzipped IDX3 file object as uint8 [index, y, x, depth=1]."""
    print('Extracting', getattr(f, 'name', '<stream>'))
    images = _read_idx(f, IDX_IMAGE_MAGIC, 3, 'image')
    return images.reshape(images.shape + (1,))


def dense_to_one_hot(labels_dense, num_classes):
    """Class ids [N] as one-hot float64 rows [N, num_classes] (TF's dtype)."""
    labels_dense = np.asarray(labels_dense).ravel()
    if labels_dense.size and (labels_dense.min() < 0 or labels_dense.max() >= num_classes):
        raise ValueError('Labels must be in [0, %d), got values from %d to %d.'
                         % (num_classes, labels_dense.min(), labels_dense.max()))
    one_hot = np.zeros((labels_dense.shape[0], num_classes))
    one_hot[np.arange(labels_dense.shape[0]), labels_dense] = 1
    return one_hot


def extract_labels(f, one_hot=False, num_classes=NUM_CLASSES):
    """The labels of a gzipped IDX1 file object: uint8 [index], or one-hot float64 rows."""
    print('Extracting', getattr(f, 'name', '<stream>'))
    labels = _read_idx(f, IDX_LABEL_MAGIC, 1, 'label')
    return dense_to_one_hot(labels, num_classes) if one_hot else labels


# ---------------------------------------------------------------------------------------------
# DataSet


def _image_dtype(dtype):
    """np.uint8 or np.float32 from a tensorweave DType, numpy dtype or name; TypeError otherwise."""
    base = getattr(dtype, 'base_dtype', dtype)
    base = getattr(base, 'as_numpy_dtype', base)
    try:
        resolved = np.dtype(base)
    except (TypeError, ValueError):
        resolved = None
    if resolved not in (np.dtype(np.uint8), np.dtype(np.float32)):
        raise TypeError('Invalid image dtype %r, expected uint8 or float32' % (dtype,))
    return resolved.type


class DataSet:
    """Images and labels of one split, served in mini-batches reshuffled every epoch.

    `dtype` float32 scales pixels into [0, 1]; uint8 keeps [0, 255]. `reshape` flattens
    [N, 28, 28, 1] images to [N, 784]. `seed` seeds this data set's own shuffling stream
    (numpy's RandomState, so a seed gives the shuffles TF 1.x gave); the global numpy RNG is
    never touched.
    """

    def __init__(self, images, labels, fake_data=False, one_hot=False, dtype=np.float32,
                 reshape=True, seed=None):
        self._image_dtype = _image_dtype(dtype)
        self._rng = np.random.RandomState(seed)
        self._fake = fake_data
        images, labels = np.asarray(images), np.asarray(labels)
        if fake_data:
            self.one_hot = one_hot
            self._num_examples = FAKE_NUM_EXAMPLES
        else:
            if images.shape[0] != labels.shape[0]:
                raise ValueError('images.shape: %s labels.shape: %s'
                                 % (images.shape, labels.shape))
            self.one_hot = labels.ndim == 2
            self._num_examples = images.shape[0]
            if reshape:
                if images.ndim != 4 or images.shape[3] != 1:
                    raise ValueError('reshape=True needs images of shape [N, rows, cols, 1], '
                                     'got %s' % (images.shape,))
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
        # Pixels stay as given (uint8 for MNIST) and are scaled to float32 on the way out, batch
        # by batch: a quarter of the memory traffic per batch, and no upfront pass.
        self._pixels = images
        self._scale = np.float32(1.0 / 255.0) if self._image_dtype == np.float32 else None
        self._scaled_images = None  # `images`, once a caller has asked for all of them
        self._labels = labels
        self._order = None  # the current shuffle, as rows of the stored arrays (applied lazily)
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self):
        self._apply_order()
        if self._scaled_images is None:
            self._scaled_images = self._scaled(self._pixels)
        return self._scaled_images

    @property
    def labels(self):
        self._apply_order()
        return self._labels

    def _scaled(self, pixels):
        """Pixels as the images TF's DataSet holds: float32 in [0, 1], or as stored."""
        if self._scale is None:
            return pixels
        return np.multiply(pixels, self._scale, dtype=np.float32)

    def _apply_order(self):
        if self._order is not None:
            self._pixels, self._labels = self._pixels[self._order], self._labels[self._order]
            self._scaled_images = None
            self._order = None

    def _rows(self, start, end):
        """Examples start..end of the current epoch's order."""
        if self._order is None:
            return self._scaled(self._pixels[start:end]), self._labels[start:end]
        picked = self._order[start:end]
        return self._scaled(self._pixels.take(picked, axis=0)), self._labels[picked]

    @property
    def num_examples(self):
        return self._num_examples

    @property
    def epochs_completed(self):
        return self._epochs_completed

    def next_batch(self, batch_size, fake_data=False, shuffle=True):
        """The next `batch_size` (images, labels); a batch crossing an epoch end is the rest
        of the old epoch followed by the start of the newly shuffled one."""
        if fake_data or self._fake:
            return self._fake_batch(batch_size)
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._shuffle()
        end = start + batch_size
        if end <= self._num_examples:
            self._index_in_epoch = end
            return self._rows(start, end)
        self._epochs_completed += 1
        rest_images, rest_labels = self._rows(start, self._num_examples)
        if shuffle:
            self._shuffle()
        self._index_in_epoch = batch_size - rest_images.shape[0]
        new_images, new_labels = self._rows(0, self._index_in_epoch)
        return (np.concatenate((rest_images, new_images), axis=0),
                np.concatenate((rest_labels, new_labels), axis=0))

    def _shuffle(self):
        """Permutes the examples as TF does (rows = rows[permutation]), without copying them."""
        permutation = self._rng.permutation(self._num_examples)
        self._order = permutation if self._order is None else self._order[permutation]

    def _fake_batch(self, batch_size):
        """All-ones images with label 0 (one-hot [1, 0, ...]), as TF's fake data."""
        images = np.ones((batch_size, FAKE_IMAGE_SIZE), dtype=self._image_dtype)
        if self.one_hot:
            labels = np.zeros((batch_size, NUM_CLASSES))
            labels[:, 0] = 1
        else:
            labels = np.zeros(batch_size, dtype=np.uint8)
        return images, labels


# ---------------------------------------------------------------------------------------------
# Finding and downloading the files


def _files_to_provide(directory, filename):
    """The files a user must supply by hand: every MNIST file still missing, or just `filename`."""
    if filename not in MNIST_FILES:
        return [filename]
    return [name for name in MNIST_FILES if not os.path.isfile(os.path.join(directory, name))]


def _download_failure(filename, directory, url, error):
    names = ''.join('\n    ' + name for name in _files_to_provide(directory, filename))
    return MnistDownloadError(
        'Could not download %s from %s: %s\nTo run offline, put these files in %s:%s\n'
        'or set %s to a directory that holds all four MNIST files (%s).'
        % (filename, url, error, os.path.abspath(directory), names, MNIST_DIR_ENV,
           ', '.join(MNIST_FILES)))


def _open_url(url):
    import urllib.request  # Imported here: only downloads need it, and it is slow to import.
    return urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS)


def _download(url, destination, sha256):
    """Fetch `url` to `destination` via a temp file renamed into place only when complete."""
    directory, name = os.path.split(destination)
    fd, partial_path = tempfile.mkstemp(dir=directory, prefix='.%s.' % name, suffix='.part')
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, 'wb') as partial, _open_url(url) as response:
            for chunk in iter(lambda: response.read(1 << 20), b''):
                digest.update(chunk)
                partial.write(chunk)
            partial.flush()
            os.fsync(partial.fileno())
        if sha256 is not None and digest.hexdigest() != sha256:
            raise MnistChecksumError(
                'Downloaded %s from %s but its SHA-256 is %s, not the published %s; the file '
                'was discarded. Try again, or put a good copy in %s.'
                % (name, url, digest.hexdigest(), sha256, os.path.abspath(directory)))
        os.chmod(partial_path, 0o644)
        os.replace(partial_path, destination)
    except BaseException:
        if os.path.exists(partial_path):
            os.remove(partial_path)
        raise


def maybe_download(filename, work_directory, source_url, sha256=None):
    """The path of `filename` in `work_directory`, downloading it from `source_url` if absent.

    `source_url` is the file's full URL; when `sha256` is given the download must match it.
    Raises MnistDownloadError (MnistChecksumError on a mismatch) when the download fails.
    """
    if work_directory:
        os.makedirs(work_directory, exist_ok=True)
    filepath = os.path.join(work_directory, filename)
    if os.path.exists(filepath):
        return filepath
    import http.client
    try:
        _download(source_url, filepath, sha256)
    except MnistDownloadError:
        raise
    except (OSError, http.client.HTTPException) as error:
        raise _download_failure(filename, work_directory, source_url, error) from error
    print('Successfully downloaded', filename, os.path.getsize(filepath), 'bytes.')
    return filepath


def _holds_all_files(directory):
    return all(os.path.isfile(os.path.join(directory, name)) for name in MNIST_FILES)


def _environment_directory():
    """$TENSORWEAVE_MNIST_DIR, or None; warns when it names no directory (a typo would else
    pass unnoticed as a download)."""
    directory = os.environ.get(MNIST_DIR_ENV) or None
    if directory is not None and not os.path.isdir(directory):
        warnings.warn('%s=%s names no directory; downloading the MNIST files into train_dir '
                      'instead.' % (MNIST_DIR_ENV, directory), stacklevel=4)
    return directory


def _locate_files(train_dir, source_url):
    """Paths of the four files: from train_dir, else $TENSORWEAVE_MNIST_DIR, else downloaded."""
    if _holds_all_files(train_dir):
        return {name: os.path.join(train_dir, name) for name in MNIST_FILES}
    directory = _environment_directory()
    if directory is not None and _holds_all_files(directory):
        return {name: os.path.join(directory, name) for name in MNIST_FILES}
    checksums = MNIST_SHA256 if source_url == DEFAULT_SOURCE_URL else {}
    return {name: maybe_download(name, train_dir, source_url + name, checksums.get(name))
            for name in MNIST_FILES}


def _extract(path, extractor, **options):
    with open(path, 'rb') as stream:
        return extractor(stream, **options)


def read_data_sets(train_dir, fake_data=False, one_hot=False, dtype=np.float32, reshape=True,
                   validation_size=5000, seed=None, source_url=DEFAULT_SOURCE_URL):
    """Datasets(train, validation, test) of MNIST, downloading the files if needed."""
    if fake_data:
        def fake():
            return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)
        return Datasets(train=fake(), validation=fake(), test=fake())

    paths = _locate_files(train_dir, source_url or DEFAULT_SOURCE_URL)
    train_images = _extract(paths[TRAIN_IMAGES], extract_images)
    train_labels = _extract(paths[TRAIN_LABELS], extract_labels, one_hot=one_hot)
    test_images = _extract(paths[TEST_IMAGES], extract_images)
    test_labels = _extract(paths[TEST_LABELS], extract_labels, one_hot=one_hot)

    if not 0 <= validation_size <= len(train_images):
        raise ValueError('Validation size should be between 0 and {}. Received: {}.'
                         .format(len(train_images), validation_size))

    options = dict(dtype=dtype, reshape=reshape, seed=seed)
    validation = DataSet(train_images[:validation_size], train_labels[:validation_size],
                         **options)
    train = DataSet(train_images[validation_size:], train_labels[validation_size:], **options)
    test = DataSet(test_images, test_labels, **options)
    return Datasets(train=train, validation=validation, test=test)


def load_mnist(train_dir='MNIST-data'):
    """read_data_sets(train_dir) with the defaults."""
    return read_data_sets(train_dir)
