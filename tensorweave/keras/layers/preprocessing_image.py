"""Image preprocessing layers: Rescaling, Resizing, CenterCrop (TF 2.15's Keras layers, in graph
mode). Resizing follows `tf.image.resize` of TF 2 (half-pixel centers)."""
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.image import geometry
from tensorweave.keras import backend as K
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import Layer

H_AXIS = -3
W_AXIS = -2

# TF 2's tf.image.resize: every method but "area" samples at pixel centers.
_METHODS = {
    "bilinear": lambda images, size: geometry.resize_bilinear(images, size,
                                                              half_pixel_centers=True),
    "nearest": lambda images, size: geometry.resize_nearest_neighbor(images, size,
                                                                     half_pixel_centers=True),
    "bicubic": lambda images, size: geometry.resize_bicubic(images, size,
                                                            half_pixel_centers=True),
    "area": lambda images, size: geometry.resize_area(images, size),
}
_KNOWN = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian",
          "mitchellcubic")


def get_interpolation(interpolation):
    """The resize function for an interpolation name (Keras's names)."""
    key = interpolation.lower()
    if key not in _KNOWN:
        raise NotImplementedError(
            f"Value not recognized for `interpolation`: {interpolation}. Supported values "
            f"are: dict_keys({list(_KNOWN)})")
    if key not in _METHODS:
        raise NotImplementedError(
            f"Interpolation {interpolation!r} (TF's ScaleAndTranslate kernel) is not available "
            f"in tensorweave; use one of {sorted(_METHODS)}.")
    return _METHODS[key]


def _resize(images, size, method):
    """TF 2's tf.image.resize of a 3-D or 4-D tensor to the static `size`."""
    with T.name_scope("resize"):
        rank = images.shape.ndims
        if rank == 3:
            images = T.expand_dims(images, 0)
        out = method(images, T.constant(list(size), dtype="int32", name="size"))
        out.set_shape([None, size[0], size[1], None])
        if rank == 3:
            out = T.squeeze(out, [0])
        return out


def smart_resize(x, size, interpolation="bilinear"):
    """Resizes `x` to `size` after taking the largest centered crop of the target's aspect
    ratio (Keras's `smart_resize`, as graph ops)."""
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    img = T.convert_to_tensor(x)
    rank = img.shape.ndims
    if rank is not None and (rank < 3 or rank > 4):
        raise ValueError("Expected an image array with shape `(height, width, channels)`, or "
                         "`(batch_size, height, width, channels)`, but got input with incorrect "
                         f"rank, of shape {img.shape}.")
    shape = T.shape(img)
    height, width = shape[-3], shape[-2]
    target_height, target_width = int(size[0]), int(size[1])
    channels = img.shape[-1] if rank is not None else None
    channels = getattr(channels, "value", channels)
    crop_height = T.cast(T.cast(width * target_height, "float32") / float(target_width),
                         "int32")
    crop_width = T.cast(T.cast(height * target_width, "float32") / float(target_height),
                        "int32")
    crop_height = T.minimum(height, crop_height)
    crop_width = T.minimum(width, crop_width)
    h_start = T.cast(T.cast(height - crop_height, "float32") / 2.0, "int32")
    w_start = T.cast(T.cast(width - crop_width, "float32") / 2.0, "int32")
    if rank == 4:
        begin = T.stack([0, h_start, w_start, 0])
        extent = T.stack([-1, crop_height, crop_width, -1])
    else:
        begin = T.stack([h_start, w_start, 0])
        extent = T.stack([crop_height, crop_width, -1])
    img = T.slice(img, begin, extent)
    method = get_interpolation(interpolation) if isinstance(interpolation, str) \
        else interpolation
    img = _resize(img, (target_height, target_width), method)
    if rank == 4:
        img.set_shape((None, None, None, channels))
    elif rank == 3:
        img.set_shape((None, None, channels))
    return img


def _compute_dtype(layer):
    return layer.dtype or K.floatx()


def _image_output_shape(layer, input_shape):
    shape = TensorShape(input_shape).as_list()
    shape[H_AXIS] = layer.height
    shape[W_AXIS] = layer.width
    return TensorShape(shape)


class Rescaling(Layer):
    """outputs = inputs * scale + offset (in the layer's float dtype)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        self.scale = scale
        self.offset = offset
        super().__init__(**kwargs)

    def call(self, inputs):
        dtype = _compute_dtype(self)
        inputs = T.cast(T.convert_to_tensor(inputs), dtype)
        scale = T.cast(self.scale, dtype)
        offset = T.cast(self.offset, dtype)
        return inputs * scale + offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Resizing(Layer):
    """Resizes images (3-D or 4-D, channels last) to (height, width)."""

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 **kwargs):
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self._method = get_interpolation(interpolation)
        super().__init__(**kwargs)

    def call(self, inputs):
        dtype = _compute_dtype(self) if self.interpolation == "nearest" else "float32"
        inputs = T.convert_to_tensor(inputs)
        if inputs.dtype.base_dtype.name != dtype:
            inputs = T.cast(inputs, dtype)
        size = (self.height, self.width)
        if self.crop_to_aspect_ratio:
            outputs = smart_resize(inputs, size, self._method)
        else:
            outputs = _resize(inputs, size, self._method)
        return T.cast(outputs, _compute_dtype(self))

    def compute_output_shape(self, input_shape):
        return _image_output_shape(self, input_shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio}


class CenterCrop(Layer):
    """Crops the central (height, width) window; smaller images are first resized by
    `smart_resize`."""

    def __init__(self, height, width, **kwargs):
        self.height = height
        self.width = width
        super().__init__(**kwargs)

    def _crop(self, inputs, h_start, w_start):
        rank = inputs.shape.ndims
        lead = [0] * (rank - 3)
        begin = T.stack(lead + [h_start, w_start, 0])
        extent = [-1] * (rank - 3) + [self.height, self.width, -1]
        out = T.slice(inputs, begin, extent)
        shape = inputs.shape.as_list()
        shape[H_AXIS], shape[W_AXIS] = self.height, self.width
        out.set_shape(shape)
        return out

    def _upsize(self, inputs):
        return T.cast(smart_resize(inputs, [self.height, self.width]), _compute_dtype(self))

    def call(self, inputs):
        dtype = _compute_dtype(self)
        inputs = T.convert_to_tensor(inputs)
        if inputs.dtype.base_dtype.name != dtype:
            inputs = T.cast(inputs, dtype)
        if inputs.shape.ndims is None:
            raise ValueError("CenterCrop needs inputs of known rank (3 or 4).")
        static = inputs.shape.as_list()
        in_h, in_w = static[H_AXIS], static[W_AXIS]
        if in_h is not None and in_w is not None:
            h_diff, w_diff = in_h - self.height, in_w - self.width
            if h_diff >= 0 and w_diff >= 0:
                return self._crop(inputs, h_diff // 2, w_diff // 2)
            return self._upsize(inputs)
        shape = T.shape(inputs)
        h_diff = shape[H_AXIS] - self.height
        w_diff = shape[W_AXIS] - self.width
        fits = T.logical_and(T.greater_equal(h_diff, 0), T.greater_equal(w_diff, 0))
        return T.cond(fits,
                      lambda: self._crop(inputs, h_diff // 2, w_diff // 2),
                      lambda: self._upsize(inputs))

    def compute_output_shape(self, input_shape):
        return _image_output_shape(self, input_shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}
