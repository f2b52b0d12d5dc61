"""Locally connected layers: convolutions whose kernel differs at every output position.

Three ways to compute the same thing, as Keras offers them (`implementation`):
1. one small matmul per output position, kernel (positions, window * channels, filters);
2. one dense matmul with a kernel over every (input, output) position pair, masked to the
   pairs a window connects: kernel (*input space, channels, *output space, filters) in
   channels_last order, (channels, *input space, filters, *output space) in channels_first;
3. one matmul with a matrix built from only the connected entries: kernel (entries,).
"""
import itertools

import numpy as np

from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras import backend as K, backend_nn
from tensorweave.keras.engine import resolve
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import InputSpec, Layer
from tensorweave.keras.layers import conv_utils
from tensorweave.keras.layers.base import config_of, options


def connected_inputs(input_shape, kernel_size, strides, padding, position):
    """The ranges of input positions (one per spatial axis) a window at output `position`
    covers; 'same' windows are centred and clipped at the borders."""
    ranges = []
    for size, kernel, stride, out in zip(input_shape, kernel_size, strides, position):
        left = kernel // 2
        centre = out * stride + (left if padding == "valid" else 0)
        ranges.append(range(max(0, centre - left), min(size, centre + kernel - left)))
    return ranges


def output_sizes(input_shape, kernel_size, strides, padding):
    return tuple(0 if n == 0 else conv_utils.conv_output_length(n, k, padding, s)
                 for n, k, s in zip(input_shape, kernel_size, strides))


def connection_mask(input_shape, kernel_size, strides, padding):
    """A bool array (*input space, *output space): True where a window connects the two."""
    outputs = output_sizes(input_shape, kernel_size, strides, padding)
    mask = np.zeros(tuple(input_shape) + outputs, bool)
    for position in itertools.product(*[range(n) for n in outputs]):
        for source in itertools.product(*connected_inputs(input_shape, kernel_size, strides,
                                                          padding, position)):
            mask[source + position] = True
    return mask


def connection_indices(input_shape, kernel_size, strides, padding, channels, filters,
                       data_format):
    """The sorted (flat output index, flat input index) pairs a window connects, channels
    included, flat indices in the layout of `data_format`."""
    outputs = output_sizes(input_shape, kernel_size, strides, padding)
    out_count, in_count = int(np.prod(outputs)), int(np.prod(input_shape))
    first = data_format == "channels_first"

    def flat(spatial, count, ids):
        """Flat indices of one spatial position for every channel id in `ids`."""
        return ids * count + spatial if first else spatial * len(ids) + ids
    filter_ids, channel_ids = np.arange(filters), np.arange(channels)
    out_ids, in_ids = [], []
    for position in itertools.product(*[range(n) for n in outputs]):
        out_spatial = int(np.ravel_multi_index(position, outputs))
        out_flat = flat(out_spatial, out_count, filter_ids)
        for source in itertools.product(*connected_inputs(input_shape, kernel_size, strides,
                                                          padding, position)):
            in_spatial = int(np.ravel_multi_index(source, tuple(input_shape)))
            in_flat = flat(in_spatial, in_count, channel_ids)
            # every (input channel, filter) pair of this connection
            out_ids.append(np.tile(out_flat, channels))
            in_ids.append(np.repeat(in_flat, filters))
    out_ids = np.concatenate(out_ids) if out_ids else np.zeros(0, np.int64)
    in_ids = np.concatenate(in_ids) if in_ids else np.zeros(0, np.int64)
    order = np.lexsort((in_ids, out_ids))
    return [(int(o), int(i)) for o, i in zip(out_ids[order], in_ids[order])]


class LocallyConnected(Layer):
    """The N-D locally connected layer (N = 1 or 2)."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 implementation=1, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.filters = filters
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = conv_utils.normalize_tuple(strides, self.rank, "strides")
        self.padding = conv_utils.normalize_padding(padding)
        if self.padding != "valid" and implementation == 1:
            raise ValueError(f"Invalid border mode for {type(self).__name__} (only \"valid\" is "
                             f"supported if implementation is 1): {padding}")
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.use_bias = use_bias
        options(self, activation=activation, kernel_initializer=kernel_initializer,
                bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                bias_constraint=bias_constraint)
        self.implementation = implementation
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _split(self, input_shape):
        """(spatial sizes, channels) of an input shape."""
        shape = TensorShape(input_shape).as_list()
        if self.data_format == "channels_first":
            return shape[2:], shape[1]
        return shape[1:-1], shape[-1]

    def _check_input(self, space, channels):
        if channels is None or None in space:
            raise ValueError(f"The spatial and channel dimensions of the inputs to a "
                             f"{type(self).__name__} layer should be fully-defined, but the "
                             f"layer received the inputs shape "
                             f"{[None] + list(space) + [channels]}")

    def build(self, input_shape):
        space, channels = self._split(input_shape)
        self._check_input(space, channels)
        self.input_space = tuple(space)
        self.output_space = output_sizes(space, self.kernel_size, self.strides, self.padding)
        if min(self.output_space) <= 0:
            raise ValueError(f"One of the dimensions in the output is <= 0 due to downsampling "
                             f"in {self.name}. Consider increasing the input size. Received "
                             f"input shape {TensorShape(input_shape)} which would produce "
                             f"output shape with a zero or negative value in a dimension.")
        first = self.data_format == "channels_first"
        if self.implementation == 1:
            kernel_shape = (int(np.prod(self.output_space)),
                            int(np.prod(self.kernel_size)) * channels, self.filters)
        elif self.implementation == 2:
            kernel_shape = ((channels,) + self.input_space + (self.filters,) +
                            self.output_space) if first else \
                (self.input_space + (channels,) + self.output_space + (self.filters,))
            mask = connection_mask(self.input_space, self.kernel_size, self.strides,
                                   self.padding)
            # Unit axes where the channels sit, so the mask broadcasts over the kernel.
            if first:
                mask = mask.reshape((1,) + self.input_space + (1,) + self.output_space)
            else:
                mask = mask.reshape(self.input_space + (1,) + self.output_space + (1,))
            self.kernel_mask = mask
        elif self.implementation == 3:
            self.kernel_idxs = connection_indices(self.input_space, self.kernel_size,
                                                  self.strides, self.padding, channels,
                                                  self.filters, self.data_format)
            self.kernel_shape = (int(np.prod(self.output_space)) * self.filters,
                                 int(np.prod(self.input_space)) * channels)
            kernel_shape = (len(self.kernel_idxs),)
        else:
            raise ValueError(f"Unrecognized implementation mode: {self.implementation}.")
        self.kernel = self.add_weight("kernel", shape=kernel_shape,
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight("bias", shape=self.output_space + (self.filters,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=self.rank + 2,
                                    axes={1 if first else -1: channels})
        self.built = True

    def _output_dims(self):
        if self.data_format == "channels_first":
            return [self.filters] + list(self.output_space)
        return list(self.output_space) + [self.filters]

    def call(self, inputs):
        if self.implementation == 1:
            outputs = backend_nn.local_conv(inputs, self.kernel, self.kernel_size,
                                            self.strides, self.output_space, self.data_format)
        else:
            batch = T.shape(inputs)[0]
            flat = T.reshape(inputs, T.stack([batch, -1]))
            if self.implementation == 2:
                kernel = T.multiply(self.kernel, T.constant(self.kernel_mask,
                                                            dtype=self.kernel.dtype))
                split = len(self.kernel.shape.as_list()) // 2
                dims = self.kernel.shape.as_list()
                kernel = T.reshape(kernel, [int(np.prod(dims[:split])),
                                            int(np.prod(dims[split:]))])
            else:
                kernel = self._dense_kernel()
            outputs = T.reshape(T.matmul(flat, kernel), T.stack([batch] + self._output_dims()))
        if self.use_bias:
            outputs = K.bias_add(outputs, self.bias, data_format=self.data_format)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def _dense_kernel(self):
        """The (inputs, outputs) matrix holding the implementation-3 kernel's entries at their
        connections (zero elsewhere), gathered so gradients reach the entries."""
        outputs, inputs = self.kernel_shape
        where = np.zeros((inputs, outputs), np.int64)
        pairs = np.asarray(self.kernel_idxs, np.int64).reshape(-1, 2)
        where[pairs[:, 1], pairs[:, 0]] = np.arange(1, len(pairs) + 1)
        padded = T.concat([T.zeros([1], dtype=self.kernel.dtype), self.kernel], 0)
        return T.gather(padded, T.constant(where))

    def compute_output_shape(self, input_shape):
        shape = TensorShape(input_shape).as_list()
        space, _ = self._split(input_shape)
        new = [conv_utils.conv_output_length(n, k, self.padding, s)
               for n, k, s in zip(space, self.kernel_size, self.strides)]
        if self.data_format == "channels_first":
            return TensorShape([shape[0], self.filters] + new)
        return TensorShape([shape[0]] + new + [self.filters])

    def get_config(self):
        config = {"filters": self.filters, "kernel_size": self.kernel_size,
                  "strides": self.strides, "padding": self.padding,
                  "data_format": self.data_format, **config_of(self, "activation"),
                  "use_bias": self.use_bias,
                  **config_of(self, "kernel_initializer", "bias_initializer",
                              "kernel_regularizer", "bias_regularizer"),
                  "activity_regularizer": resolve.serialize("regularizers",
                                                            self.activity_regularizer),
                  **config_of(self, "kernel_constraint", "bias_constraint"),
                  "implementation": self.implementation}
        return {**super().get_config(), **config}


class LocallyConnected1D(LocallyConnected):
    """Locally connected 1D layer over (batch, steps, channels)."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 implementation=1, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint,
                         bias_constraint, implementation, **kwargs)


class LocallyConnected2D(LocallyConnected):
    """Locally connected 2D layer over (batch, rows, cols, channels)."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 implementation=1, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint,
                         bias_constraint, implementation, **kwargs)
