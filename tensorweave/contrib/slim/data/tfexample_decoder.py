"""slim.tfexample_decoder: decodes serialized tf.Examples into items, each made by an
ItemHandler from one or more parsed features.

    decoder = slim.tfexample_decoder.TFExampleDecoder(
        {"image/encoded": tf.FixedLenFeature((), tf.string, default_value=""),
         "image/format": tf.FixedLenFeature((), tf.string, default_value="png"),
         "image/class/label": tf.FixedLenFeature([], tf.int64)},
        {"image": slim.tfexample_decoder.Image(), "label":
         slim.tfexample_decoder.Tensor("image/class/label")})
"""
import abc

from tensorweave.contrib.slim.data import data_decoder
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.sparse_tensor import SparseTensor as SparseTensorValue
from tensorweave.image import codecs, color
from tensorweave.nn import functional
from tensorweave.ops import array, control, example_parsing, math_ops, reader_ops
from tensorweave.ops import sparse_array_ops, sparse_ops

__all__ = ["BackupHandler", "BoundingBox", "Image", "ItemHandler", "ItemHandlerCallback",
           "LookupTensor", "SparseTensor", "TFExampleDecoder", "Tensor"]


class ItemHandler(abc.ABC):
    """Makes one item from the parsed tensors of its `keys`."""

    def __init__(self, keys):
        if not isinstance(keys, (tuple, list)):
            keys = [keys]
        self._keys = keys

    @property
    def keys(self):
        return self._keys

    @abc.abstractmethod
    def tensors_to_item(self, keys_to_tensors):
        """The item from {key: parsed tensor}."""


class ItemHandlerCallback(ItemHandler):
    """An item made by `func(keys_to_tensors)`."""

    def __init__(self, keys, func):
        super().__init__(keys)
        self._func = func

    def tensors_to_item(self, keys_to_tensors):
        return self._func(keys_to_tensors)


class BoundingBox(ItemHandler):
    """[num_boxes, 4] boxes from the features <prefix>ymin, xmin, ymax, xmax."""

    def __init__(self, keys=None, prefix=""):
        if keys is None:
            keys = ["ymin", "xmin", "ymax", "xmax"]
        elif len(keys) != 4:
            raise ValueError(f"BoundingBox expects 4 keys but got {len(keys)}")
        self._prefix = prefix
        self._full_keys = [prefix + k for k in keys]
        super().__init__(self._full_keys)

    def tensors_to_item(self, keys_to_tensors):
        sides = []
        for key in self._full_keys:
            side = keys_to_tensors[key]
            if isinstance(side, SparseTensorValue):
                side = side.values
            sides.append(array.expand_dims(side, 0))
        return array.transpose(array.concat(sides, 0))


class Tensor(ItemHandler):
    """The feature `tensor_key`, reshaped to `shape` (or to the values of `shape_keys`);
    a sparse feature is made dense with `default_value`."""

    def __init__(self, tensor_key, shape_keys=None, shape=None, default_value=0):
        if shape_keys and shape is not None:
            raise ValueError("Cannot specify both shape_keys and shape parameters.")
        if shape_keys and not isinstance(shape_keys, list):
            shape_keys = [shape_keys]
        self._tensor_key = tensor_key
        self._shape_keys = shape_keys
        self._shape = shape
        self._default_value = default_value
        keys = [tensor_key] + (list(shape_keys) if shape_keys else [])
        super().__init__(keys)

    def tensors_to_item(self, keys_to_tensors):
        tensor = keys_to_tensors[self._tensor_key]
        shape = self._shape
        if self._shape_keys:
            dims = []
            for key in self._shape_keys:
                dim = keys_to_tensors[key]
                if isinstance(dim, SparseTensorValue):
                    dim = sparse_ops.sparse_tensor_to_dense(dim)
                dims.append(dim)
            shape = array.reshape(array.stack(dims), [-1])
        if isinstance(tensor, SparseTensorValue):
            if shape is not None:
                tensor = sparse_array_ops.sparse_reshape(tensor, shape)
            return sparse_ops.sparse_tensor_to_dense(tensor, self._default_value)
        if shape is not None:
            tensor = array.reshape(tensor, shape)
        return tensor


class LookupTensor(Tensor):
    """A Tensor item mapped through a lookup `table` (e.g. strings to ids)."""

    def __init__(self, tensor_key, table, shape_keys=None, shape=None, default_value=""):
        self._table = table
        super().__init__(tensor_key, shape_keys, shape, default_value)

    def tensors_to_item(self, keys_to_tensors):
        return self._table.lookup(super().tensors_to_item(keys_to_tensors))


class BackupHandler(ItemHandler):
    """The item of `handler`, or of `backup` when the first key's feature is empty."""

    def __init__(self, handler, backup):
        if not isinstance(handler, ItemHandler) or not isinstance(backup, ItemHandler):
            raise ValueError("Primary and backup handlers must be ItemHandler instances")
        self._handler, self._backup = handler, backup
        super().__init__(handler.keys + backup.keys)

    def tensors_to_item(self, keys_to_tensors):
        first = keys_to_tensors[self._handler.keys[0]]
        if isinstance(first, SparseTensorValue):
            first = first.values
        return control.cond(math_ops.equal(array.size(first), 0),
                            lambda: self._backup.tensors_to_item(keys_to_tensors),
                            lambda: self._handler.tensors_to_item(keys_to_tensors))


class SparseTensor(ItemHandler):
    """A SparseTensor item from index and value features (dense when `densify`)."""

    def __init__(self, indices_key=None, values_key=None, shape_key=None, shape=None,
                 densify=False, default_value=0):
        indices_key = indices_key or "indices"
        values_key = values_key or "values"
        self._indices_key, self._values_key = indices_key, values_key
        self._shape_key, self._shape = shape_key, shape
        self._densify, self._default_value = densify, default_value
        keys = [indices_key, values_key] + ([shape_key] if shape_key else [])
        super().__init__(keys)

    def tensors_to_item(self, keys_to_tensors):
        indices = keys_to_tensors[self._indices_key]
        values = keys_to_tensors[self._values_key]
        if self._shape_key:
            shape = keys_to_tensors[self._shape_key]
            if isinstance(shape, SparseTensorValue):
                shape = sparse_ops.sparse_tensor_to_dense(shape)
        elif self._shape:
            shape = self._shape
        else:
            shape = indices.dense_shape
        ids = array.cast(indices.values, dtypes.int64)
        kept_columns = indices.indices[:, :-1]  # all but the last index column
        new_indices = array.concat([kept_columns, array.reshape(ids, [-1, 1])], 1)
        result = SparseTensorValue(new_indices, values.values,
                                   array.cast(convert_to_tensor(shape), dtypes.int64))
        if self._densify:
            return sparse_ops.sparse_tensor_to_dense(result, self._default_value)
        return result


class Image(ItemHandler):
    """An image decoded from the features `image_key` (the encoded bytes) and `format_key`
    ('raw'/'RAW' bytes, JPEG, or anything tf.image.decode_image reads)."""

    def __init__(self, image_key=None, format_key=None, shape=None, channels=3,
                 dtype=dtypes.uint8, repeated=False, dct_method=""):
        image_key = image_key or "image/encoded"
        format_key = format_key or "image/format"
        super().__init__([image_key, format_key])
        self._image_key, self._format_key = image_key, format_key
        self._shape, self._channels = shape, channels
        self._dtype = dtypes.as_dtype(dtype)
        self._repeated, self._dct_method = repeated, dct_method

    def tensors_to_item(self, keys_to_tensors):
        image_buffer = keys_to_tensors[self._image_key]
        image_format = keys_to_tensors[self._format_key]
        if self._repeated:
            return functional.map_fn(lambda x: self._decode(x, image_format), image_buffer,
                                     dtype=self._dtype)
        return self._decode(image_buffer, image_format)

    def _decode(self, image_buffer, image_format):
        def decode_image():
            return codecs.decode_image(image_buffer, channels=self._channels,
                                       dtype=self._dtype)

        def decode_jpeg():
            image = codecs.decode_jpeg(image_buffer, channels=self._channels,
                                       dct_method=self._dct_method)
            if self._dtype is not dtypes.uint8:
                image = color.convert_image_dtype(image, self._dtype)
            return image

        def check_jpeg():
            return control.cond(codecs.is_jpeg(image_buffer), decode_jpeg, decode_image,
                                name="cond_jpeg")

        def decode_raw():
            return reader_ops.decode_raw(image_buffer, out_type=self._dtype)
        is_raw = math_ops.logical_or(math_ops.equal(image_format, "raw"),
                                     math_ops.equal(image_format, "RAW"))
        image = control.case([(is_raw, decode_raw)], default=check_jpeg, exclusive=True)
        if self._shape is not None:
            image = array.reshape(image, self._shape)
        else:
            image.set_shape([None, None, self._channels])
        return image


class TFExampleDecoder(data_decoder.DataDecoder):
    """Parses a serialized tf.Example with `keys_to_features` and makes each item with its
    handler."""

    def __init__(self, keys_to_features, items_to_handlers):
        self._keys_to_features = keys_to_features
        self._items_to_handlers = items_to_handlers

    def list_items(self):
        return list(self._items_to_handlers)

    def decode(self, serialized_example, items=None):
        """The decoded tensors of `items` (all items when None), in that order."""
        example = example_parsing.parse_single_example(serialized_example,
                                                       self._keys_to_features)
        for key in sorted(self._keys_to_features):
            feature = self._keys_to_features[key]
            if isinstance(feature, example_parsing.FixedLenFeature):
                example[key] = array.reshape(example[key], feature.shape)
        items = items or list(self._items_to_handlers)
        outputs = []
        for item in items:
            handler = self._items_to_handlers[item]
            outputs.append(handler.tensors_to_item({key: example[key] for key in handler.keys}))
        return outputs
