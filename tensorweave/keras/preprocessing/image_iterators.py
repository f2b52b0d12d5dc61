"""The batch iterators of ImageDataGenerator: Iterator, NumpyArrayIterator, DirectoryIterator.

They draw from NumPy's global generator, reseeded with `seed + batches seen` when a seed is
given, as Keras does, so a seeded flow gives Keras' batches."""
import os
import threading
import warnings

import numpy as np

from tensorweave.keras import backend as K
from tensorweave.keras.preprocessing import image_io
from tensorweave.keras.utils import data_utils


class Iterator(data_utils.Sequence):
    """Batches of indices into `n` samples (shuffled each epoch with `shuffle`); subclasses
    turn them into data in `_get_batches_of_transformed_samples`."""

    white_list_formats = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")

    def __init__(self, n, batch_size, shuffle, seed):
        self.n = n
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def _set_index_array(self):
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = np.random.permutation(self.n)

    def __getitem__(self, idx):
        if idx >= len(self):
            raise ValueError(f"Asked to retrieve element {idx}, but the Sequence has length "
                             f"{len(self)}")
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        index_array = self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)]
        return self._get_batches_of_transformed_samples(index_array)

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self):
        self._set_index_array()

    def reset(self):
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            current_index = (self.batch_index * self.batch_size) % self.n if self.n else 0
            if self.n > current_index + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current_index:current_index + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        with self.lock:
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def next(self):
        return self.__next__()

    def _get_batches_of_transformed_samples(self, index_array):
        raise NotImplementedError

    def _save_batch(self, batch_x, index_array):
        for i, j in enumerate(index_array):
            img = image_io.array_to_img(batch_x[i], self.data_format, scale=True)
            fname = (f"{self.save_prefix}_{j}_{np.random.randint(1e4)}."
                     f"{self.save_format}")
            img.save(os.path.join(self.save_to_dir, fname))

    def _transform(self, x):
        generator = self.image_data_generator
        params = generator.get_random_transform(x.shape)
        x = generator.apply_transform(x.astype(self.dtype), params)
        return generator.standardize(x)


class NumpyArrayIterator(Iterator):
    """Augmented batches of a rank-4 image array `x` (with labels `y`, sample weights, and
    extra arrays when `x` is `(images, [arrays])`)."""

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False,
                 sample_weight=None, seed=None, data_format=None, save_to_dir=None,
                 save_prefix="", save_format="png", subset=None, dtype=None):
        dtype = dtype or K.floatx()
        data_format = data_format or K.image_data_format()
        if isinstance(x, (tuple, list)):
            misc = x[1] if isinstance(x[1], list) else [x[1]]
            x_misc = [np.asarray(xx) for xx in misc]
            x = x[0]
            for xx in x_misc:
                if len(x) != len(xx):
                    raise ValueError("All of the arrays in `x` should have the same length. "
                                     f"Found a pair with: len(x[0]) = {len(x)}, len(x[?]) = "
                                     f"{len(xx)}")
        else:
            x_misc = []
        if y is not None and len(x) != len(y):
            raise ValueError("`x` (images tensor) and `y` (labels) should have the same length. "
                             f"Found: x.shape = {np.asarray(x).shape}, y.shape = "
                             f"{np.asarray(y).shape}")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError("`x` (images tensor) and `sample_weight` should have the same "
                             f"length. Found: x.shape = {np.asarray(x).shape}, "
                             f"sample_weight.shape = {np.asarray(sample_weight).shape}")
        if subset is not None:
            if subset not in {"training", "validation"}:
                raise ValueError("Invalid subset name:", subset,
                                 '; expected "training" or "validation".')
            split_idx = int(len(x) * image_data_generator.validation_split)
            if y is not None and not np.array_equal(np.unique(y[:split_idx]),
                                                    np.unique(y[split_idx:])):
                raise ValueError("Training and validation subsets have different number of "
                                 "classes after the split. If your numpy arrays are sorted by "
                                 "label, you might want to shuffle them.")
            part = slice(None, split_idx) if subset == "validation" else slice(split_idx, None)
            x = x[part]
            x_misc = [np.asarray(xx[part]) for xx in x_misc]
            if y is not None:
                y = y[part]
            if sample_weight is not None:
                sample_weight = sample_weight[part]
        self.dtype = dtype
        self.x = np.asarray(x, dtype=dtype)
        self.x_misc = x_misc
        if self.x.ndim != 4:
            raise ValueError("Input data in `NumpyArrayIterator` should have rank 4. You passed "
                             f"an array with shape {self.x.shape}")
        channels_axis = 3 if data_format == "channels_last" else 1
        if self.x.shape[channels_axis] not in {1, 3, 4}:
            warnings.warn(f'NumpyArrayIterator is set to use the data format convention '
                          f'"{data_format}" (channels on axis {channels_axis}), i.e. expected '
                          f'either 1, 3, or 4 channels on axis {channels_axis}. However, it was '
                          f'passed an array with shape {self.x.shape} '
                          f'({self.x.shape[channels_axis]} channels).')
        self.y = np.asarray(y) if y is not None else None
        self.sample_weight = np.asarray(sample_weight) if sample_weight is not None else None
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        for i, j in enumerate(index_array):
            batch_x[i] = self._transform(self.x[j])
        if self.save_to_dir:
            self._save_batch(batch_x, index_array)
        misc = [xx[index_array] for xx in self.x_misc]
        output = (batch_x if not misc else [batch_x] + misc,)
        if self.y is None:
            return output[0]
        output += (self.y[index_array],)
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output


def _iter_valid_files(directory, formats, follow_links):
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links),
                                 key=lambda walked: walked[0]):
        for fname in sorted(files):
            if fname.lower().endswith(".tiff"):
                warnings.warn('Using ".tiff" files with multiple bands will cause distortion. '
                              'Please verify your output.')
            if fname.lower().endswith(formats):
                yield root, fname


def list_valid_filenames(directory, formats, split, class_indices, follow_links):
    """(class indices, paths relative to the parent of `directory`) of its image files, only
    the `split` (start, stop) fraction of them when given."""
    dirname = os.path.basename(directory)
    files = list(_iter_valid_files(directory, formats, follow_links))
    if split:
        start, stop = int(split[0] * len(files)), int(split[1] * len(files))
        files = files[start:stop]
    classes, filenames = [], []
    for root, fname in files:
        classes.append(class_indices[dirname])
        absolute = os.path.join(root, fname)
        filenames.append(os.path.join(dirname, os.path.relpath(absolute, directory)))
    return classes, filenames


class DirectoryIterator(Iterator):
    """Augmented batches of the images in `directory`, one subdirectory per class."""

    allowed_class_modes = {"categorical", "binary", "sparse", "input", None}

    def __init__(self, directory, image_data_generator, target_size=(256, 256),
                 color_mode="rgb", classes=None, class_mode="categorical", batch_size=32,
                 shuffle=True, seed=None, data_format=None, save_to_dir=None, save_prefix="",
                 save_format="png", follow_links=False, subset=None, interpolation="nearest",
                 dtype=None):
        self.dtype = dtype or K.floatx()
        self.data_format = data_format or K.image_data_format()
        self.directory = directory
        self.image_data_generator = image_data_generator
        self.target_size = tuple(target_size)
        if color_mode not in {"rgb", "rgba", "grayscale"}:
            raise ValueError("Invalid color mode:", color_mode,
                             '; expected "rgb", "rgba", or "grayscale".')
        self.color_mode = color_mode
        channels = {"rgba": 4, "rgb": 3, "grayscale": 1}[color_mode]
        self.image_shape = (self.target_size + (channels,) if self.data_format ==
                            "channels_last" else (channels,) + self.target_size)
        if class_mode not in self.allowed_class_modes:
            raise ValueError(f"Invalid class_mode: {class_mode}; expected one of: "
                             f"{self.allowed_class_modes}")
        self.class_mode = class_mode
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.interpolation = interpolation
        split = None
        if subset is not None:
            validation_split = image_data_generator.validation_split
            if subset == "validation":
                split = (0, validation_split)
            elif subset == "training":
                split = (validation_split, 1)
            else:
                raise ValueError(f"Invalid subset name: {subset};expected \"training\" or "
                                 f"\"validation\"")
        self.subset = subset
        if not classes:
            classes = [name for name in sorted(os.listdir(directory))
                       if os.path.isdir(os.path.join(directory, name))]
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))
        class_list, self.filenames = [], []
        for name in classes:
            found, names = list_valid_filenames(os.path.join(directory, name),
                                                self.white_list_formats, split,
                                                self.class_indices, follow_links)
            class_list.extend(found)
            self.filenames.extend(names)
        self.samples = len(self.filenames)
        self.classes = np.array(class_list, dtype="int32")
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__(self.samples, batch_size, shuffle, seed)

    @property
    def filepaths(self):
        return [os.path.join(self.directory, fname) for fname in self.filenames]

    @property
    def labels(self):
        return self.classes

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        paths = self.filepaths
        for i, j in enumerate(index_array):
            img = image_io.load_img(paths[j], color_mode=self.color_mode,
                                    target_size=self.target_size,
                                    interpolation=self.interpolation)
            x = image_io.img_to_array(img, data_format=self.data_format)
            img.close()
            if self.image_data_generator:
                x = self._transform(x)
            batch_x[i] = x
        if self.save_to_dir:
            self._save_batch(batch_x, index_array)
        if self.class_mode == "input":
            batch_y = batch_x.copy()
        elif self.class_mode == "sparse":
            batch_y = self.classes[index_array]
        elif self.class_mode == "binary":
            batch_y = self.classes[index_array].astype(self.dtype)
        elif self.class_mode == "categorical":
            batch_y = np.zeros((len(batch_x), self.num_classes), dtype=self.dtype)
            for i, label in enumerate(self.classes[index_array]):
                batch_y[i, label] = 1.
        else:
            return batch_x
        return batch_x, batch_y
