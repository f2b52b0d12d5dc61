"""Pooling layers: max/average pooling 1D/2D/3D and global pooling."""
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras import backend as K
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import InputSpec, Layer
from tensorweave.keras.layers import conv_utils


class Pooling(Layer):
    """Max or average pooling over `rank` spatial axes."""

    rank = 2
    mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        if strides is None:
            strides = pool_size
        self.pool_size = conv_utils.normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = conv_utils.normalize_tuple(strides, self.rank, "strides")
        self.padding = conv_utils.normalize_padding(padding)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        if self.rank == 1:
            axis = 3 if self.data_format == "channels_first" else 2
            x = T.expand_dims(inputs, axis)
            out = K.pool2d(x, self.pool_size + (1,), self.strides + (1,), self.padding,
                           self.data_format, pool_mode=self.mode)
            return T.squeeze(out, [axis])
        if self.rank == 2:
            return K.pool2d(inputs, self.pool_size, self.strides, self.padding,
                            self.data_format, pool_mode=self.mode)
        return K.pool3d(inputs, self.pool_size, self.strides, self.padding, self.data_format,
                        pool_mode=self.mode)

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        axes = range(2, 2 + self.rank) if self.data_format == "channels_first" \
            else range(1, 1 + self.rank)
        for i, axis in enumerate(axes):
            shape[axis] = conv_utils.conv_output_length(shape[axis], self.pool_size[i],
                                                        self.padding, self.strides[i])
        return TensorShape(shape)

    def get_config(self):
        config = {"pool_size": self.pool_size, "padding": self.padding,
                  "strides": self.strides, "data_format": self.data_format}
        if self.rank == 1:
            config = {"strides": self.strides, "pool_size": self.pool_size,
                      "padding": self.padding, "data_format": self.data_format}
        return {**super().get_config(), **config}


def _pool(name, rank, mode, default_format="channels_last"):
    def __init__(self, pool_size=2 if rank == 1 else (2,) * rank, strides=None,
                 padding="valid", data_format=None if rank > 1 else default_format, **kwargs):
        Pooling.__init__(self, pool_size, strides, padding, data_format, **kwargs)
    return type(name, (Pooling,), {"rank": rank, "mode": mode, "__init__": __init__,
                                   "__doc__": f"{mode} pooling over {rank} spatial axes.",
                                   "__module__": __name__})


MaxPooling1D = _pool("MaxPooling1D", 1, "max")
AveragePooling1D = _pool("AveragePooling1D", 1, "avg")
MaxPooling2D = _pool("MaxPooling2D", 2, "max")
AveragePooling2D = _pool("AveragePooling2D", 2, "avg")
MaxPooling3D = _pool("MaxPooling3D", 3, "max")
AveragePooling3D = _pool("AveragePooling3D", 3, "avg")


class GlobalPooling(Layer):
    """Max or mean over every spatial axis."""

    rank = 2
    mode = "max"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.supports_masking = self.rank == 1 and self.mode == "avg"

    def _axes(self):
        return list(range(2, 2 + self.rank)) if self.data_format == "channels_first" \
            else list(range(1, 1 + self.rank))

    def call(self, inputs, mask=None):
        if self.mode == "max":
            return T.reduce_max(inputs, axis=self._axes(), keepdims=self.keepdims)
        if mask is not None:
            mask = T.cast(mask, inputs.dtype)
            mask = T.expand_dims(mask, 2 if self.data_format == "channels_last" else 1)
            inputs = T.multiply(inputs, mask)
            return T.reduce_sum(inputs, axis=self._axes(), keepdims=self.keepdims) / \
                T.reduce_sum(mask, axis=self._axes(), keepdims=self.keepdims)
        return T.reduce_mean(inputs, axis=self._axes(), keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        if self.keepdims:
            for axis in self._axes():
                shape[axis] = 1
            return TensorShape(shape)
        channel = shape[1] if self.data_format == "channels_first" else shape[-1]
        return TensorShape([shape[0], channel])

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


def _global(name, rank, mode):
    return type(name, (GlobalPooling,), {"rank": rank, "mode": mode, "__module__": __name__,
                                         "__doc__": f"Global {mode} pooling ({rank}D)."})


GlobalMaxPooling1D = _global("GlobalMaxPooling1D", 1, "max")
GlobalAveragePooling1D = _global("GlobalAveragePooling1D", 1, "avg")
GlobalMaxPooling2D = _global("GlobalMaxPooling2D", 2, "max")
GlobalAveragePooling2D = _global("GlobalAveragePooling2D", 2, "avg")
GlobalMaxPooling3D = _global("GlobalMaxPooling3D", 3, "max")
GlobalAveragePooling3D = _global("GlobalAveragePooling3D", 3, "avg")

MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = (GlobalMaxPooling1D, GlobalMaxPooling2D,
                                                     GlobalMaxPooling3D)
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (GlobalAveragePooling1D,
                                                     GlobalAveragePooling2D,
                                                     GlobalAveragePooling3D)
