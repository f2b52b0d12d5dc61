"""Max and average pooling layers of tf.layers (1-, 2- and 3-D) and their functional forms.
One N-d class; the rank-specific classes fix the rank and the tf.nn op.

    p = tf.layers.max_pooling1d(sequences, pool_size=2, strides=2)
    q = tf.layers.average_pooling3d(volumes, [2, 2, 2], 2, padding="same")
"""
from tensorweave.layers.base import Layer
from tensorweave.layers.convolutional import (channels_format, full_spatial, n_tuple,
                                              nn_data_format, padding_name)
from tensorweave.nn import conv_nd
from tensorweave.ops import conv_ops


class _Pooling(Layer):
    """Pools windows of `pool_size`, `strides` apart, over `rank` spatial dimensions."""

    rank = None
    _pool = None  # the tf.nn pool op, taking full-length ksize and strides

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last",
                 name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = n_tuple(pool_size, self.rank, "pool_size")
        self.strides = n_tuple(strides, self.rank, "strides")
        self.padding = padding_name(padding).lower()
        self.data_format = channels_format(data_format)

    def build(self, input_shape):
        if input_shape.ndims is not None and input_shape.ndims != self.rank + 2:
            raise ValueError(f"Input 0 of layer {self.name} is incompatible with the layer: "
                             f"expected ndim={self.rank + 2}, found ndim={input_shape.ndims}. "
                             f"Full shape received: {input_shape.as_list()}")
        self.built = True

    def call(self, inputs):
        first = self.data_format == "channels_first"
        return type(self)._pool(inputs, full_spatial(self.pool_size, first),
                                full_spatial(self.strides, first), self.padding.upper(),
                                data_format=nn_data_format(self.data_format, self.rank))


class MaxPooling1D(_Pooling):
    """The maximum of each window of [batch, width, channels] inputs."""

    rank = 1
    _pool = staticmethod(conv_nd.max_pool1d)


class AveragePooling1D(_Pooling):
    """The mean of each window of [batch, width, channels] inputs."""

    rank = 1
    _pool = staticmethod(conv_nd.avg_pool1d)


class MaxPooling2D(_Pooling):
    """The maximum of each `pool_size` window, windows `strides` apart."""

    rank = 2
    _pool = staticmethod(conv_ops.max_pool)


class AveragePooling2D(_Pooling):
    """The mean of each `pool_size` window (SAME padding averages real pixels only)."""

    rank = 2
    _pool = staticmethod(conv_ops.avg_pool)


class MaxPooling3D(_Pooling):
    """The maximum of each window of [batch, depth, height, width, channels] inputs."""

    rank = 3
    _pool = staticmethod(conv_nd.max_pool3d)


class AveragePooling3D(_Pooling):
    """The mean of each 3-D window (SAME padding averages real elements only)."""

    rank = 3
    _pool = staticmethod(conv_nd.avg_pool3d)


def max_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                  name=None):
    """Functional MaxPooling1D."""
    return MaxPooling1D(pool_size, strides, padding, data_format, name=name)(inputs)


def average_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                      name=None):
    """Functional AveragePooling1D."""
    return AveragePooling1D(pool_size, strides, padding, data_format, name=name)(inputs)


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                  name=None):
    """Functional MaxPooling2D: `tf.layers.max_pooling2d(x, pool_size=[2, 2], strides=2)`."""
    return MaxPooling2D(pool_size, strides, padding, data_format, name=name)(inputs)


def average_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                      name=None):
    """Functional AveragePooling2D."""
    return AveragePooling2D(pool_size, strides, padding, data_format, name=name)(inputs)


def max_pooling3d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                  name=None):
    """Functional MaxPooling3D."""
    return MaxPooling3D(pool_size, strides, padding, data_format, name=name)(inputs)


def average_pooling3d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                      name=None):
    """Functional AveragePooling3D."""
    return AveragePooling3D(pool_size, strides, padding, data_format, name=name)(inputs)
