"""Convolution layers (Conv1D/2D/3D, transposes, separable, depthwise) and the shape layers
beside them (UpSampling, ZeroPadding, Cropping)."""
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras import backend as K
from tensorweave.keras.engine import resolve
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import InputSpec, Layer
from tensorweave.keras.layers import conv_utils
from tensorweave.keras.layers.base import config_of, options


class Conv(Layer):
    """The N-D convolution layer: kernel (*kernel_size, in_channels, filters), bias (filters,)."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
                 groups=1, **kwargs):
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=resolve.regularizer(activity_regularizer)
                         if activity_regularizer is not None else None, **kwargs)
        self.rank = rank
        self.filters = int(filters) if filters is not None else None
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides")
        self.padding = conv_utils.normalize_padding(padding)
        if self.padding == "causal" and type(self).__name__ not in ("Conv1D", "SeparableConv1D"):
            raise ValueError("Causal padding is only supported for `Conv1D` and "
                             "``SeparableConv1D`.")
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate")
        self.groups = int(groups or 1)
        if self.filters is not None and self.filters % self.groups != 0:
            raise ValueError("The number of filters must be evenly divisible by the number of "
                             f"groups. Received: groups={self.groups}, filters={self.filters}")
        self.use_bias = use_bias
        options(self, activation=activation, kernel_initializer=kernel_initializer,
                bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                bias_constraint=bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def _input_channels(self, input_shape):
        dim = TensorShape(input_shape).as_list()[self._channel_axis()]
        if dim is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             "`None`.")
        return dim

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        if channels % self.groups != 0:
            raise ValueError(
                "The number of input channels must be evenly divisible by the number of "
                f"groups. Received groups={self.groups}, but the input has {channels} "
                f"channels (full input shape is {TensorShape(input_shape)}).")
        self._add_kernel(self.kernel_size + (channels // self.groups, self.filters))
        self._add_bias()
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis(): channels})
        self.built = True

    def _add_kernel(self, shape):
        self.kernel = self.add_weight("kernel", shape=shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)

    def _add_bias(self):
        self.bias = self.add_weight("bias", shape=(self.filters,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None

    def _convolve(self, inputs):
        if self.rank == 1 and self.padding == "causal":
            inputs = T.pad(inputs, [[0, 0], [self.dilation_rate[0] * (
                self.kernel_size[0] - 1), 0], [0, 0]])
        if self.groups == 1:
            return self._convolve_with(inputs, self.kernel)
        return self._grouped_convolution(inputs)

    def _convolve_with(self, inputs, kernel):
        padding = "valid" if self.padding == "causal" else self.padding
        if self.rank == 1:
            return K.conv1d(inputs, kernel, self.strides[0], padding, self.data_format,
                            self.dilation_rate[0])
        if self.rank == 2:
            return K.conv2d(inputs, kernel, self.strides, padding, self.data_format,
                            self.dilation_rate)
        return K.conv3d(inputs, kernel, self.strides, padding, self.data_format,
                        self.dilation_rate)

    def _grouped_convolution(self, inputs):
        """`groups` independent convolutions over consecutive slices of the channels, their
        outputs concatenated; one group per channel in 2-D is a depthwise convolution."""
        channels = self.kernel.shape.as_list()[-2] * self.groups
        if self.rank == 2 and channels == self.groups:
            multiplier = self.filters // self.groups
            depthwise = T.reshape(self.kernel, list(self.kernel_size) + [channels, multiplier])
            return K.depthwise_conv2d(inputs, depthwise, self.strides, self.padding,
                                      self.data_format, self.dilation_rate)
        axis = 1 if self.data_format == "channels_first" else self.rank + 1
        pieces = T.split(inputs, self.groups, axis=axis)
        kernels = T.split(self.kernel, self.groups, axis=self.rank + 1)
        return T.concat([self._convolve_with(x, k) for x, k in zip(pieces, kernels)], axis)

    def call(self, inputs):
        outputs = self._convolve(inputs)
        if self.use_bias:
            outputs = K.bias_add(outputs, self.bias, data_format=self.data_format)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def _output_length(self, length, i):
        """The output's length along spatial axis `i` for an input of `length` there."""
        return conv_utils.conv_output_length(length, self.kernel_size[i], self.padding,
                                             self.strides[i], self.dilation_rate[i])

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        space = shape[2:] if self.data_format == "channels_first" else shape[1:-1]
        new = [self._output_length(d, i) for i, d in enumerate(space)]
        if self.data_format == "channels_first":
            return TensorShape([shape[0], self.filters] + new)
        return TensorShape([shape[0]] + new + [self.filters])

    def _output_shape_tensor(self, inputs):
        """The output shape for `inputs` as a tensor (static lengths where known)."""
        shape = T.shape(inputs)
        static = TensorShape(inputs.shape).as_list()
        first = self.data_format == "channels_first"
        space_axes = range(2, 2 + self.rank) if first else range(1, 1 + self.rank)
        dims = [self._output_length(static[axis] if static[axis] is not None else shape[axis], i)
                for i, axis in enumerate(space_axes)]
        return T.stack([shape[0], self.filters] + dims if first
                       else [shape[0]] + dims + [self.filters])

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                **config_of(self, "activation"),
                "use_bias": self.use_bias,
                **config_of(self, "kernel_initializer", "bias_initializer",
                            "kernel_regularizer", "bias_regularizer"),
                "activity_regularizer": resolve.serialize("regularizers",
                                                          self.activity_regularizer),
                **config_of(self, "kernel_constraint", "bias_constraint")}


class Conv1D(Conv):
    """1D convolution over (batch, steps, channels); padding may be 'causal'."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, groups=groups, **kwargs)


class Conv2D(Conv):
    """2D convolution over (batch, rows, cols, channels)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, groups=groups, **kwargs)


class Conv3D(Conv):
    """3D convolution over (batch, depth, rows, cols, channels)."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(3, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, groups=groups, **kwargs)


class Conv2DTranspose(Conv2D):
    """Transposed 2D convolution: kernel (rows, cols, filters, in_channels)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        Conv.__init__(self, 2, filters, kernel_size, strides, padding, data_format,
                      dilation_rate, activation, use_bias, kernel_initializer,
                      bias_initializer, kernel_regularizer, bias_regularizer,
                      activity_regularizer, kernel_constraint, bias_constraint, **kwargs)
        self.output_padding = None if output_padding is None else \
            conv_utils.normalize_tuple(output_padding, 2, "output_padding")

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self._add_kernel(self.kernel_size + (self.filters, channels))
        self._add_bias()
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis(): channels})
        self.built = True

    def _convolve(self, inputs):
        output_shape = self._output_shape_tensor(inputs)
        if self.rank == 2:
            out = K.conv2d_transpose(inputs, self.kernel, output_shape, self.strides,
                                     self.padding, self.data_format, self.dilation_rate)
        else:
            out = K.conv3d_transpose(inputs, self.kernel, output_shape, self.strides,
                                     self.padding, self.data_format)
        out.set_shape(self.compute_output_shape(inputs.shape))
        return out

    def _output_length(self, length, i):
        pad = (self.output_padding or (None,) * self.rank)[i]
        return conv_utils.deconv_output_length(length, self.kernel_size[i], self.padding, pad,
                                               self.strides[i], self.dilation_rate[i])

    def get_config(self):
        return {**super().get_config(), "output_padding": self.output_padding}


class Conv3DTranspose(Conv2DTranspose):
    """Transposed 3D convolution: kernel (depth, rows, cols, filters, in_channels)."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 output_padding=None, data_format=None, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        Conv.__init__(self, 3, filters, kernel_size, strides, padding, data_format, 1,
                      activation, use_bias, kernel_initializer, bias_initializer,
                      kernel_regularizer, bias_regularizer, activity_regularizer,
                      kernel_constraint, bias_constraint, **kwargs)
        self.output_padding = None if output_padding is None else \
            conv_utils.normalize_tuple(output_padding, 3, "output_padding")


class SeparableConv(Conv):
    """Depthwise then pointwise convolution: depthwise_kernel, pointwise_kernel, bias."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, depth_multiplier=1, activation=None,
                 use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(rank, filters, kernel_size, strides, padding, data_format,
                         dilation_rate, activation, use_bias, bias_initializer=bias_initializer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier
        options(self, depthwise_initializer=depthwise_initializer,
                pointwise_initializer=pointwise_initializer,
                depthwise_regularizer=depthwise_regularizer,
                pointwise_regularizer=pointwise_regularizer,
                depthwise_constraint=depthwise_constraint,
                pointwise_constraint=pointwise_constraint)

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", shape=(1,) * self.rank + (channels * self.depth_multiplier,
                                                          self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        self._add_bias()
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis(): channels})
        self.built = True

    def _convolve(self, inputs):
        if self.rank == 1:
            if self.padding == "causal":
                inputs = T.pad(inputs, [[0, 0], [self.dilation_rate[0] * (
                    self.kernel_size[0] - 1), 0], [0, 0]])
            return K.separable_conv1d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                      self.strides[0],
                                      "valid" if self.padding == "causal" else self.padding,
                                      self.data_format, self.dilation_rate[0])
        return K.separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                  self.strides, self.padding, self.data_format,
                                  self.dilation_rate)

    def get_config(self):
        config = super().get_config()
        for key in ("kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key)
        return {**config, "depth_multiplier": self.depth_multiplier,
                **config_of(self, "depthwise_initializer", "pointwise_initializer",
                            "depthwise_regularizer", "pointwise_regularizer",
                            "depthwise_constraint", "pointwise_constraint")}


class SeparableConv1D(SeparableConv):
    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, depth_multiplier=1, **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         depth_multiplier, **kwargs)


class SeparableConv2D(SeparableConv):
    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), depth_multiplier=1, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         depth_multiplier, **kwargs)


class DepthwiseMixin:
    """What DepthwiseConv1D and DepthwiseConv2D add to their convolution: a depthwise_kernel
    (*kernel_size, channels, depth_multiplier) with the depthwise_* options in place of the
    kernel and its kernel_* options; filters = channels * depth_multiplier."""

    def _depthwise_options(self, depth_multiplier, initializer, regularizer, constraint):
        self.depth_multiplier = depth_multiplier
        options(self, depthwise_initializer=initializer, depthwise_regularizer=regularizer,
                depthwise_constraint=constraint)

    def _build_depthwise(self, channels):
        self.filters = channels * self.depth_multiplier
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self._add_bias()
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis(): channels})
        self.built = True

    def compute_output_shape(self, input_shape):
        channels = TensorShape(input_shape).as_list()[self._channel_axis()]
        self.filters = channels * self.depth_multiplier if channels else None
        return super().compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        for key in ("filters", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key, None)
        return {**config, "depth_multiplier": self.depth_multiplier,
                **config_of(self, "depthwise_initializer", "depthwise_regularizer",
                            "depthwise_constraint")}


class DepthwiseConv2D(DepthwiseMixin, Conv2D):
    """Depthwise 2D convolution: depthwise_kernel (rows, cols, channels, depth_multiplier)."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(None, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self._depthwise_options(depth_multiplier, depthwise_initializer, depthwise_regularizer,
                                depthwise_constraint)

    def build(self, input_shape):
        self._build_depthwise(self._input_channels(input_shape))

    def _convolve(self, inputs):
        return K.depthwise_conv2d(inputs, self.depthwise_kernel, self.strides, self.padding,
                                  self.data_format, self.dilation_rate)


class _Spatial(Layer):
    """Shape layers over the spatial axes of (batch, *space, channels) inputs."""

    rank = 2

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _space_axes(self):
        return list(range(2, 2 + self.rank)) if self.data_format == "channels_first" \
            else list(range(1, 1 + self.rank))

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        for i, axis in enumerate(self._space_axes()):
            shape[axis] = self._new_length(shape[axis], i)
        return TensorShape(shape)


class UpSampling1D(Layer):
    """Repeats each step `size` times."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return K.repeat_elements(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        return TensorShape([shape[0], None if shape[1] is None else shape[1] * self.size,
                            shape[2]])

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class UpSampling2D(_Spatial):
    """Repeats rows and columns (nearest) or resizes bilinearly."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = conv_utils.normalize_tuple(size, 2, "size")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError("`interpolation` argument should be one of `\"nearest\"` or "
                             "`\"bilinear\"`.")
        self.interpolation = interpolation

    def _new_length(self, length, i):
        return None if length is None else length * self.size[i]

    def call(self, inputs):
        return K.resize_images(inputs, self.size[0], self.size[1], self.data_format,
                               interpolation=self.interpolation)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


class UpSampling3D(_Spatial):
    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = conv_utils.normalize_tuple(size, 3, "size")

    def _new_length(self, length, i):
        return None if length is None else length * self.size[i]

    def call(self, inputs):
        return K.resize_volumes(inputs, self.size[0], self.size[1], self.size[2],
                                self.data_format)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}


def _pairs(value, rank, name):
    if isinstance(value, int):
        return ((value, value),) * rank
    value = tuple(value)
    if len(value) != rank:
        raise ValueError(f"`{name}` should have {rank} elements. Found: {value}")
    return tuple(conv_utils.normalize_tuple(v, 2, f"{i + 1}st entry of {name}")
                 for i, v in enumerate(value))


class ZeroPadding1D(Layer):
    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = conv_utils.normalize_tuple(padding, 2, "padding")
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return T.pad(inputs, [[0, 0], list(self.padding), [0, 0]])

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        length = None if shape[1] is None else shape[1] + sum(self.padding)
        return TensorShape([shape[0], length, shape[2]])

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


class ZeroPadding2D(_Spatial):
    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        if isinstance(padding, int) or (len(tuple(padding)) == 2 and
                                        all(isinstance(p, int) for p in padding)):
            padding = ((padding, padding), (padding, padding)) if isinstance(padding, int) \
                else ((padding[0], padding[0]), (padding[1], padding[1]))
        self.padding = _pairs(padding, self.rank, "padding")

    def _new_length(self, length, i):
        return None if length is None else length + sum(self.padding[i])

    def call(self, inputs):
        pads = [[0, 0]] * (self.rank + 2)
        for i, axis in enumerate(self._space_axes()):
            pads[axis] = list(self.padding[i])
        return T.pad(inputs, pads)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding,
                "data_format": self.data_format}


class ZeroPadding3D(ZeroPadding2D):
    rank = 3

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        _Spatial.__init__(self, data_format, **kwargs)
        if isinstance(padding, int):
            padding = ((padding, padding),) * 3
        elif all(isinstance(p, int) for p in padding):
            padding = tuple((p, p) for p in padding)
        self.padding = _pairs(padding, 3, "padding")


class Cropping1D(Layer):
    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = conv_utils.normalize_tuple(cropping, 2, "cropping")
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        end = -self.cropping[1] if self.cropping[1] else None
        return inputs[:, self.cropping[0]:end, :]

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        length = None if shape[1] is None else shape[1] - sum(self.cropping)
        return TensorShape([shape[0], length, shape[2]])

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}


class Cropping2D(_Spatial):
    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        if isinstance(cropping, int):
            cropping = ((cropping, cropping),) * self.rank
        elif all(isinstance(c, int) for c in cropping):
            cropping = tuple((c, c) for c in cropping)
        self.cropping = _pairs(cropping, self.rank, "cropping")

    def _new_length(self, length, i):
        return None if length is None else length - sum(self.cropping[i])

    def call(self, inputs):
        index = [slice(None)] * (self.rank + 2)
        for i, axis in enumerate(self._space_axes()):
            start, stop = self.cropping[i]
            index[axis] = slice(start, -stop if stop else None)
        return inputs[tuple(index)]

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}


class Cropping3D(Cropping2D):
    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
Deconvolution2D = Deconv2D = Conv2DTranspose
Deconvolution3D = Deconv3D = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
