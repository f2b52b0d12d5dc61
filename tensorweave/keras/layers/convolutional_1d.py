"""Conv1DTranspose (Convolution1DTranspose) and DepthwiseConv1D, beside the convolutions of
convolutional.py."""
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras import backend as K
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import InputSpec
from tensorweave.keras.layers import conv_utils
from tensorweave.keras.layers.convolutional import Conv, Conv1D, DepthwiseMixin
from tensorweave.nn import conv_nd


class Conv1DTranspose(Conv1D):
    """Transposed 1D convolution over (batch, steps, channels): kernel (kernel_size, filters,
    in_channels), bias (filters,)."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
        self.output_padding = output_padding
        if output_padding is not None:
            self.output_padding = conv_utils.normalize_tuple(output_padding, 1,
                                                             "output_padding")
            for stride, pad in zip(self.strides, self.output_padding):
                if pad >= stride:
                    raise ValueError(f"Strides must be greater than output padding. Received "
                                     f"strides={self.strides}, "
                                     f"output_padding={self.output_padding}.")

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.ndims != 3:
            raise ValueError(f"Inputs should have rank 3. Received input_shape={input_shape}.")
        axis = 1 if self.data_format == "channels_first" else 2
        channels = input_shape.as_list()[axis]
        if channels is None:
            raise ValueError(f"The channel dimension of the inputs to `Conv1DTranspose` should "
                             f"be defined. The input_shape received is {input_shape}, where "
                             f"axis {axis} (0-based) is the channel dimension, which found to "
                             f"be `None`.")
        self.input_spec = InputSpec(ndim=3, axes={axis: channels})
        self._add_kernel(self.kernel_size + (self.filters, channels))
        self._add_bias()
        self.built = True

    def _output_length(self, length, i):
        return conv_utils.deconv_output_length(
            length, self.kernel_size[0], self.padding,
            None if self.output_padding is None else self.output_padding[0],
            self.strides[0], self.dilation_rate[0])

    def _convolve(self, inputs):
        first = self.data_format == "channels_first"
        out = conv_nd.conv1d_transpose(inputs, self.kernel, self._output_shape_tensor(inputs),
                                       self.strides, padding=self.padding.upper(),
                                       data_format="NCW" if first else "NWC",
                                       dilations=self.dilation_rate)
        out.set_shape(self.compute_output_shape(inputs.shape))
        return out

    def get_config(self):
        return {**super().get_config(), "output_padding": self.output_padding}


Convolution1DTranspose = Conv1DTranspose


class DepthwiseConv1D(DepthwiseMixin, Conv):
    """Depthwise 1D convolution: each input channel convolved with its own depth_multiplier
    filters; depthwise_kernel (kernel_size, channels, depth_multiplier)."""

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, None, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self._depthwise_options(depth_multiplier, depthwise_initializer, depthwise_regularizer,
                                depthwise_constraint)

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.ndims != 3:
            raise ValueError(f"Inputs to `DepthwiseConv1D` should have rank 3. Received input "
                             f"shape: {input_shape}")
        channels = input_shape.as_list()[self._channel_axis()]
        if channels is None:
            raise ValueError("The channel dimension of the inputs to `DepthwiseConv` should be "
                             f"defined. The input_shape received is {input_shape}, where axis "
                             f"{self._channel_axis()} (0-based) is the channel dimension, "
                             "which found to be `None`.")
        self._build_depthwise(channels)

    def _convolve(self, inputs):
        space_axis = 2 if self.data_format == "channels_first" else 1
        out = K.depthwise_conv2d(T.expand_dims(inputs, space_axis),
                                 T.expand_dims(self.depthwise_kernel, 0),
                                 (1,) + self.strides, self.padding, self.data_format,
                                 (1,) + self.dilation_rate)
        return T.squeeze(out, [space_axis])
