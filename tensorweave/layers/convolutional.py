"""Conv2D and Conv2DTranspose layers and their functional forms."""
from tensorweave import init_ops
from tensorweave.layers.base import Layer
from tensorweave.ops import array, conv_ops, nn_ops


def pair(value, name):
    """An int or a pair of ints as a tuple of two."""
    values = (value, value) if isinstance(value, int) else tuple(int(v) for v in value)
    if len(values) != 2:
        raise ValueError(f"The `{name}` argument must be a tuple of 2 integers, got {value!r}")
    return values


def padding_name(padding):
    name = padding.upper()
    if name not in ("SAME", "VALID"):
        raise ValueError(f"The `padding` argument must be 'valid' or 'same', got {padding!r}")
    return name


def nn_data_format(data_format):
    """'channels_last' / 'channels_first' as 'NHWC' / 'NCHW'."""
    formats = {"channels_last": "NHWC", "channels_first": "NCHW"}
    if (data_format or "channels_last") not in formats:
        raise ValueError(f"The `data_format` argument must be 'channels_last' or "
                         f"'channels_first', got {data_format!r}")
    return formats[data_format or "channels_last"]


class _Conv2DBase(Layer):
    """What Conv2D and Conv2DTranspose share: arguments, kernel and bias creation."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format="channels_last", dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer=None,
                 bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.filters = int(filters)
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.strides = pair(strides, "strides")
        self.padding = padding_name(padding)
        self.data_format = nn_data_format(data_format)
        self.dilation_rate = pair(dilation_rate, "dilation_rate")
        self._keep_kernel_options(activation, use_bias, kernel_initializer, bias_initializer,
                                  kernel_regularizer, bias_regularizer, kernel_constraint,
                                  bias_constraint)

    def _channels(self, shape):
        axis = 1 if self.data_format == "NCHW" else -1
        channels = shape[axis].value if shape.ndims == 4 else None
        if channels is None:
            raise ValueError(f"The channel dimension of the inputs to `{type(self).__name__}` "
                             f"should be defined and the inputs 4-D, got shape {shape}")
        return channels

    def _build(self, kernel_shape):
        self._add_kernel_and_bias(kernel_shape, self.filters)

    def _finish(self, outputs):
        if self.use_bias:
            outputs = nn_ops.bias_add(outputs, self.bias, data_format=self.data_format)
        return self.activation(outputs) if self.activation is not None else outputs

    def _four(self, pair_):
        return [1, 1, *pair_] if self.data_format == "NCHW" else [1, *pair_, 1]


class Conv2D(_Conv2DBase):
    """2-D convolution layer: kernel [kh, kw, in, filters], then bias and activation."""

    def build(self, input_shape):
        self._build(list(self.kernel_size) + [self._channels(input_shape), self.filters])

    def call(self, inputs):
        outputs = conv_ops.conv2d(inputs, self.kernel, self._four(self.strides), self.padding,
                                  data_format=self.data_format,
                                  dilations=self._four(self.dilation_rate))
        return self._finish(outputs)


def conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
           data_format="channels_last", dilation_rate=(1, 1), activation=None, use_bias=True,
           kernel_initializer=None, bias_initializer=init_ops.zeros_initializer(),
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
           kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
           reuse=None):
    """Functional Conv2D: `tf.layers.conv2d(x, 32, [5, 5], padding="same")`."""
    layer = Conv2D(filters, kernel_size, strides=strides, padding=padding,
                   data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                   use_bias=use_bias, kernel_initializer=kernel_initializer,
                   bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                   bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                   kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                   trainable=trainable, name=name, _scope=name, _reuse=reuse)
    return layer(inputs)


def _deconv_length(size, k, stride, padding):
    """The output length of a transposed convolution (None when `size` is unknown)."""
    if size is None:
        return None
    return size * stride + max(k - stride, 0) if padding == "VALID" else size * stride


class Conv2DTranspose(_Conv2DBase):
    """Transposed 2-D convolution layer: kernel [kh, kw, filters, in]."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format="channels_last", **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, **kwargs)

    def build(self, input_shape):
        self._build(list(self.kernel_size) + [self.filters, self._channels(input_shape)])

    def call(self, inputs):
        nchw = self.data_format == "NCHW"
        static = inputs.shape.as_list()
        spatial = static[2:] if nchw else static[1:3]
        out_hw = [_deconv_length(s, k, st, self.padding)
                  for s, k, st in zip(spatial, self.kernel_size, self.strides)]
        dynamic = array.shape(inputs)
        for i, length in enumerate(out_hw):
            if length is None:
                axis = i + (2 if nchw else 1)
                out_hw[i] = dynamic[axis] * self.strides[i] + (
                    max(self.kernel_size[i] - self.strides[i], 0) if self.padding == "VALID"
                    else 0)
        batch = static[0] if static[0] is not None else dynamic[0]
        dims = [batch, self.filters] + out_hw if nchw else [batch] + out_hw + [self.filters]
        outputs = conv_ops.conv2d_transpose(inputs, self.kernel, array.stack(dims),
                                            self._four(self.strides), self.padding,
                                            data_format=self.data_format)
        return self._finish(outputs)


def conv2d_transpose(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
                     data_format="channels_last", activation=None, use_bias=True,
                     kernel_initializer=None, bias_initializer=init_ops.zeros_initializer(),
                     kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
                     reuse=None):
    """Functional Conv2DTranspose."""
    layer = Conv2DTranspose(filters, kernel_size, strides=strides, padding=padding,
                            data_format=data_format, activation=activation, use_bias=use_bias,
                            kernel_initializer=kernel_initializer,
                            bias_initializer=bias_initializer,
                            kernel_regularizer=kernel_regularizer,
                            bias_regularizer=bias_regularizer,
                            activity_regularizer=activity_regularizer,
                            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                            trainable=trainable, name=name, _scope=name, _reuse=reuse)
    return layer(inputs)
