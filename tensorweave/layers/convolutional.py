"""Convolution layers of tf.layers (1-, 2- and 3-D, transposed, depthwise-separable) and their
functional forms. One N-d class per kind; the rank-specific classes only fix the rank.

    h = tf.layers.conv1d(sequences, filters=16, kernel_size=3, padding="causal")
    v = tf.layers.conv3d(volumes, 8, [3, 3, 3], strides=2)
    s = tf.layers.separable_conv2d(images, 32, 3, depth_multiplier=2)
"""
from tensorweave import init_ops
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.layers.base import Layer
from tensorweave.nn import conv_nd
from tensorweave.ops import array, conv_ops, nn_ops

_NN_FORMATS = {1: ("NWC", "NCW"), 2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}


# --- arguments -------------------------------------------------------------------------------
def n_tuple(value, n, name):
    """An int or a sequence of n ints as a tuple of n."""
    values = (int(value),) * n if isinstance(value, int) else tuple(int(v) for v in value)
    if len(values) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                         f"Received: {value!r}")
    return values


def pair(value, name):
    """An int or a pair of ints as a tuple of two."""
    return n_tuple(value, 2, name)


def padding_name(padding, allow_causal=False):
    """'valid' / 'same' (and 'causal' for 1-D convolutions) as TF's op padding."""
    name = padding.upper() if isinstance(padding, str) else padding
    allowed = ("SAME", "VALID", "CAUSAL") if allow_causal else ("SAME", "VALID")
    if name not in allowed:
        raise ValueError(f"The `padding` argument must be a list/tuple or one of "
                         f"{[a.lower() for a in allowed]}. Received: {padding!r}")
    return name


def channels_format(data_format):
    """'channels_last' or 'channels_first' (None means channels_last)."""
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be one of 'channels_first', "
                         f"'channels_last'. Received: {data_format!r}")
    return data_format


def nn_data_format(data_format, rank=2):
    """'channels_last' / 'channels_first' as tf.nn's format of that rank ('NHWC' / 'NCHW')."""
    return _NN_FORMATS[rank][channels_format(data_format) == "channels_first"]


def full_spatial(values, channels_first):
    """Spatial values with 1 for the batch and channel dimensions, in the layout's order."""
    return [1, 1, *values] if channels_first else [1, *values, 1]


def input_channels(layer, shape):
    """The defined channel size of `shape`, checking the rank the layer expects."""
    shape = TensorShape(shape)
    rank = layer.rank + 2
    if shape.ndims is not None and shape.ndims != rank:
        raise ValueError(f"Input 0 of layer {layer.name} is incompatible with the layer: "
                         f"expected ndim={rank}, found ndim={shape.ndims}. Full shape "
                         f"received: {shape.as_list()}")
    channels = shape[1 if layer.data_format == "channels_first" else -1].value \
        if shape.ndims is not None else None
    if channels is None:
        raise ValueError("The channel dimension of the inputs should be defined. "
                         f"Found `None` (layer {layer.name}, input shape {shape}).")
    return channels


def _functional(cls, arguments):
    """Builds `cls` from a functional form's arguments (name doubles as the scope) and applies
    it to `inputs`."""
    arguments = dict(arguments)
    inputs, reuse = arguments.pop("inputs"), arguments.pop("reuse")
    return cls(**arguments, _scope=arguments["name"], _reuse=reuse)(inputs)


# --- N-d convolution ---------------------------------------------------------------------------
def _conv_op(rank):
    """The tf.nn convolution of `rank` spatial dimensions, with full-length strides."""
    def conv1d(x, w, strides, padding, data_format, dilations):
        return conv_nd.conv1d(x, w, strides, padding, data_format=data_format,
                              dilations=dilations, name="Conv1D")

    def conv2d(x, w, strides, padding, data_format, dilations):
        return conv_ops.conv2d(x, w, strides, padding, data_format=data_format,
                               dilations=dilations, name="Conv2D")

    def conv3d(x, w, strides, padding, data_format, dilations):
        return conv_nd.conv3d(x, w, strides, padding, data_format, dilations, name="Conv3D")
    return {1: conv1d, 2: conv2d, 3: conv3d}[rank]


class _Conv(Layer):
    """N-d convolution (rank: 1, 2 or 3): kernel [*kernel_size, in, filters], then bias and
    activation."""

    rank = None

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, activation=None,
                 use_bias=True, kernel_initializer=None,
                 bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        n = self.rank
        self.filters = int(filters)
        self.kernel_size = n_tuple(kernel_size, n, "kernel_size")
        self.strides = n_tuple(strides, n, "strides")
        self.padding = padding_name(padding, allow_causal=n == 1).lower()
        self.data_format = channels_format(data_format)
        self.dilation_rate = n_tuple(dilation_rate, n, "dilation_rate")
        self._keep_kernel_options(activation, use_bias, kernel_initializer, bias_initializer,
                                  kernel_regularizer, bias_regularizer, kernel_constraint,
                                  bias_constraint)

    # --- shared pieces ---------------------------------------------------------------------
    @property
    def channels_first(self):
        return self.data_format == "channels_first"

    @property
    def nn_format(self):
        """tf.nn's name of the layout ('NWC', 'NCHW', 'NDHWC', ...)."""
        return nn_data_format(self.data_format, self.rank)

    def full(self, values):
        return full_spatial(values, self.channels_first)

    def causal_padded(self, inputs):
        """`inputs` padded on the left so that a VALID convolution is causal (1-D only)."""
        if self.padding != "causal":
            return inputs
        left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
        pads = [[0, 0], [0, 0], [left, 0]] if self.channels_first else \
            [[0, 0], [left, 0], [0, 0]]
        return array.pad(inputs, pads)

    def op_padding(self):
        return "VALID" if self.padding == "causal" else self.padding.upper()

    def add_bias_and_activation(self, outputs):
        """Adds the bias along the channel dimension (as TF does), then the activation."""
        if self.use_bias:
            outputs = self.add_bias(outputs)
        return self.activation(outputs) if self.activation is not None else outputs

    def add_bias(self, outputs):
        if self.rank == 1 and self.channels_first:
            return outputs + array.reshape(self.bias, [1, self.filters, 1])
        return nn_ops.bias_add(outputs, self.bias,
                               data_format="NCHW" if self.channels_first else "NHWC")

    # --- the layer ---------------------------------------------------------------------------
    def build(self, input_shape):
        channels = input_channels(self, input_shape)
        self._add_kernel_and_bias(list(self.kernel_size) + [channels, self.filters],
                                  self.filters)

    def call(self, inputs):
        outputs = _conv_op(self.rank)(self.causal_padded(inputs), self.kernel,
                                      self.full(self.strides), self.op_padding(),
                                      self.nn_format, self.full(self.dilation_rate))
        return self.add_bias_and_activation(outputs)


class Conv1D(_Conv):
    """1-D convolution layer (temporal): kernel [width, in, filters]; padding may be 'causal'."""

    rank = 1


class Conv2D(_Conv):
    """2-D convolution layer: kernel [kh, kw, in, filters], then bias and activation."""

    rank = 2


class Conv3D(_Conv):
    """3-D convolution layer: kernel [kd, kh, kw, in, filters]."""

    rank = 3


# --- transposed ------------------------------------------------------------------------------
def _deconv_length(size, k, stride, padding):
    """The output length of a transposed convolution (None when `size` is unknown)."""
    if size is None:
        return None
    return size * stride + max(k - stride, 0) if padding == "valid" else size * stride


def _transpose_op(rank):
    def conv2d_transpose(x, w, output_shape, strides, padding, data_format):
        return conv_ops.conv2d_transpose(x, w, output_shape, strides, padding,
                                         data_format=data_format)

    def conv3d_transpose(x, w, output_shape, strides, padding, data_format):
        return conv_nd.conv3d_transpose(x, w, output_shape, strides, padding, data_format)
    return {2: conv2d_transpose, 3: conv3d_transpose}[rank]


class _ConvTranspose(_Conv):
    """Transposed N-d convolution: kernel [*kernel_size, filters, in]; each spatial length
    grows to size * stride (+ max(kernel - stride, 0) with 'valid')."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, **kwargs)

    def build(self, input_shape):
        channels = input_channels(self, input_shape)
        self._add_kernel_and_bias(list(self.kernel_size) + [self.filters, channels],
                                  self.filters)

    def call(self, inputs):
        first = self.channels_first
        static = inputs.shape.as_list()
        spatial = static[2:] if first else static[1:-1]
        dynamic = array.shape(inputs)
        lengths = []
        for i, (size, k, stride) in enumerate(zip(spatial, self.kernel_size, self.strides)):
            length = _deconv_length(size, k, stride, self.padding)
            if length is None:
                grow = max(k - stride, 0) if self.padding == "valid" else 0
                length = dynamic[i + (2 if first else 1)] * stride + grow
            lengths.append(length)
        batch = static[0] if static[0] is not None else dynamic[0]
        dims = [batch, self.filters, *lengths] if first else [batch, *lengths, self.filters]
        outputs = _transpose_op(self.rank)(inputs, self.kernel, array.stack(dims),
                                           self.full(self.strides), self.padding.upper(),
                                           self.nn_format)
        return self.add_bias_and_activation(outputs)


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2-D convolution layer: kernel [kh, kw, filters, in]."""

    rank = 2


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3-D convolution layer: kernel [kd, kh, kw, filters, in]."""

    rank = 3


# --- depthwise-separable ---------------------------------------------------------------------
class _SeparableConv(_Conv):
    """A depthwise convolution (depthwise_kernel [*kernel_size, in, depth_multiplier]) then a
    pointwise one (pointwise_kernel [1, ..., in * depth_multiplier, filters]), bias,
    activation. The 1-D form runs the 2-D op on a unit height, as TF does."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, depth_multiplier=1,
                 activation=None, use_bias=True, depthwise_initializer=None,
                 pointwise_initializer=None, bias_initializer=init_ops.zeros_initializer(),
                 depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, trainable=True, name=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, trainable=trainable, name=name,
                         **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer = depthwise_initializer
        self.pointwise_initializer = pointwise_initializer
        self.depthwise_regularizer = depthwise_regularizer
        self.pointwise_regularizer = pointwise_regularizer
        self.depthwise_constraint = depthwise_constraint
        self.pointwise_constraint = pointwise_constraint
        self.depthwise_kernel = self.pointwise_kernel = None

    def build(self, input_shape):
        channels = input_channels(self, input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", list(self.kernel_size) + [channels, self.depth_multiplier],
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", [1] * self.rank + [channels * self.depth_multiplier,
                                                   self.filters],
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.filters],
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        inputs = self.causal_padded(inputs)
        depthwise, pointwise = self.depthwise_kernel, self.pointwise_kernel
        strides, rates = list(self.strides), list(self.dilation_rate)
        unit_axis = None
        if self.rank == 1:  # a unit height before the width
            unit_axis = 2 if self.channels_first else 1
            inputs = array.expand_dims(inputs, unit_axis)
            depthwise = array.expand_dims(depthwise, 0)
            pointwise = array.expand_dims(pointwise, 0)
            strides, rates = [1] + strides, [1] + rates
        fmt = nn_data_format(self.data_format, 2)
        outputs = conv_ops.separable_conv2d(inputs, depthwise, pointwise,
                                            full_spatial(strides, self.channels_first),
                                            self.op_padding(), rate=rates, data_format=fmt)
        if self.use_bias:
            outputs = nn_ops.bias_add(outputs, self.bias, data_format=fmt)
        if unit_axis is not None:
            outputs = array.squeeze(outputs, [unit_axis])
        return self.activation(outputs) if self.activation is not None else outputs


class SeparableConv1D(_SeparableConv):
    """Depthwise-separable 1-D convolution layer."""

    rank = 1


class SeparableConv2D(_SeparableConv):
    """Depthwise-separable 2-D convolution layer."""

    rank = 2


# --- functional forms ------------------------------------------------------------------------
def conv1d(inputs, filters, kernel_size, strides=1, padding="valid",
           data_format="channels_last", dilation_rate=1, activation=None, use_bias=True,
           kernel_initializer=None, bias_initializer=init_ops.zeros_initializer(),
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
           kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
           reuse=None):
    """Functional Conv1D: `tf.layers.conv1d(x, 16, 3)` on [batch, width, channels]."""
    return _functional(Conv1D, locals())


def conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
           data_format="channels_last", dilation_rate=(1, 1), activation=None, use_bias=True,
           kernel_initializer=None, bias_initializer=init_ops.zeros_initializer(),
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
           kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
           reuse=None):
    """Functional Conv2D: `tf.layers.conv2d(x, 32, [5, 5], padding="same")`."""
    return _functional(Conv2D, locals())


def conv3d(inputs, filters, kernel_size, strides=(1, 1, 1), padding="valid",
           data_format="channels_last", dilation_rate=(1, 1, 1), activation=None,
           use_bias=True, kernel_initializer=None,
           bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None,
           bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
           bias_constraint=None, trainable=True, name=None, reuse=None):
    """Functional Conv3D on [batch, depth, height, width, channels]."""
    return _functional(Conv3D, locals())


def conv2d_transpose(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
                     data_format="channels_last", activation=None, use_bias=True,
                     kernel_initializer=None, bias_initializer=init_ops.zeros_initializer(),
                     kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
                     reuse=None):
    """Functional Conv2DTranspose."""
    return _functional(Conv2DTranspose, locals())


def conv3d_transpose(inputs, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                     data_format="channels_last", activation=None, use_bias=True,
                     kernel_initializer=None, bias_initializer=init_ops.zeros_initializer(),
                     kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
                     reuse=None):
    """Functional Conv3DTranspose."""
    return _functional(Conv3DTranspose, locals())


def separable_conv1d(inputs, filters, kernel_size, strides=1, padding="valid",
                     data_format="channels_last", dilation_rate=1, depth_multiplier=1,
                     activation=None, use_bias=True, depthwise_initializer=None,
                     pointwise_initializer=None, bias_initializer=init_ops.zeros_initializer(),
                     depthwise_regularizer=None, pointwise_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None,
                     depthwise_constraint=None, pointwise_constraint=None,
                     bias_constraint=None, trainable=True, name=None, reuse=None):
    """Functional SeparableConv1D."""
    return _functional(SeparableConv1D, locals())


def separable_conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
                     data_format="channels_last", dilation_rate=(1, 1), depth_multiplier=1,
                     activation=None, use_bias=True, depthwise_initializer=None,
                     pointwise_initializer=None, bias_initializer=init_ops.zeros_initializer(),
                     depthwise_regularizer=None, pointwise_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None,
                     depthwise_constraint=None, pointwise_constraint=None,
                     bias_constraint=None, trainable=True, name=None, reuse=None):
    """Functional SeparableConv2D: `tf.layers.separable_conv2d(x, 32, 3)`."""
    return _functional(SeparableConv2D, locals())
