"""TF-slim's layers (tf.contrib.layers): functions that build a layer's variables under a
variable scope named as TF 1.15 names it, with slim's variable names and collections.

    net = slim.conv2d(images, 64, [3, 3], scope="conv1")     # conv1/weights, conv1/biases
    net = slim.max_pool2d(net, [2, 2], scope="pool1")
    net = slim.fully_connected(slim.flatten(net), 10, activation_fn=None, scope="logits")

Every variable is a model variable (MODEL_VARIABLES and GLOBAL_VARIABLES); `fully_connected`,
`conv2d`, `conv2d_transpose` and `batch_norm` build on tf.layers' Dense, Conv2D,
Conv2DTranspose and BatchNormalization with a custom getter renaming `kernel`/`bias` to
`weights`/`biases`, as TF does.
"""
import functools

from tensorweave import init_ops
from tensorweave.contrib.framework import variables
from tensorweave.contrib.framework.arg_scope import add_arg_scope
from tensorweave.contrib.layers import initializers, utils
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import get_default_graph, name_scope
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.gradient_overrides import custom_gradient
from tensorweave.layers import convolutional as conv_layers
from tensorweave.layers import core as core_layers
from tensorweave.nn import conv_nd, embedding
from tensorweave.ops import array, conv_ops, math_ops, nn_ops, norm_ops, sort_ops
from tensorweave.ops import scatter_ops
from tensorweave.ops.array import diagonal, structural
from tensorweave.variable_scope import variable_scope

DATA_FORMAT_NCHW = "NCHW"
DATA_FORMAT_NHWC = "NHWC"
DATA_FORMAT_NCDHW = "NCDHW"
DATA_FORMAT_NDHWC = "NDHWC"

__all__ = ["avg_pool2d", "avg_pool3d", "bias_add", "bow_encoder", "conv1d", "conv2d",
           "conv2d_in_plane", "conv3d", "conv2d_transpose", "conv3d_transpose", "convolution",
           "convolution1d", "convolution2d", "convolution2d_in_plane", "convolution2d_transpose",
           "convolution3d", "convolution3d_transpose", "dense_to_sparse", "dropout", "elu",
           "embed_sequence", "embedding_lookup_unique", "flatten", "fully_connected", "linear",
           "max_pool2d", "max_pool3d", "maxout", "one_hot_encoding", "relu", "relu6", "repeat",
           "separable_conv2d", "separable_convolution2d", "softmax", "spatial_softmax", "stack",
           "unit_norm"]


# --- variables ------------------------------------------------------------------------------
def layer_variable_getter(rename=None, regularizers=None):
    """A custom getter making a core layer's variables model variables, renamed by `rename`
    (short name -> slim name) and regularized by `regularizers` (short name -> function)."""
    def getter(true_getter, name, shape=None, dtype=None, initializer=None, regularizer=None,
               trainable=True, collections=None, **_):
        parts = name.split("/")
        short = parts[-1]
        if regularizers and regularizers.get(short) is not None:
            regularizer = regularizers[short]
        if rename and short in rename:
            parts[-1] = rename[short]
        return variables.model_variable(
            "/".join(parts), shape=shape, dtype=dtype, initializer=initializer,
            regularizer=regularizer, collections=collections,
            trainable=True if trainable is None else trainable, custom_getter=true_getter)
    return getter


def add_to_collections(variable, variables_collections, name):
    graph = get_default_graph()
    for collection in utils.get_variable_collections(variables_collections, name) or []:
        if variable not in graph.get_collection(collection):
            graph.add_to_collection(collection, variable)


def collected_model_variable(name, shape, dtype, initializer, regularizer, trainable,
                    variables_collections, collection_name):
    return variables.model_variable(
        name, shape=shape, dtype=dtype, initializer=initializer, regularizer=regularizer,
        trainable=trainable,
        collections=utils.get_variable_collections(variables_collections, collection_name))


def finish_layer(outputs, normalizer_fn, normalizer_params, activation_fn, outputs_collections,
            alias):
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return utils.collect_named_outputs(outputs_collections, alias, outputs)


def _channels_format(data_format):
    return "channels_first" if data_format and data_format.startswith("NC") else \
        "channels_last"


_KERNEL_NAMES = {"bias": "biases", "kernel": "weights"}


# --- dense and convolution ------------------------------------------------------------------
@add_arg_scope
def fully_connected(inputs, num_outputs, activation_fn=nn_ops.relu, normalizer_fn=None,
                    normalizer_params=None,
                    weights_initializer=initializers.xavier_initializer(),
                    weights_regularizer=None,
                    biases_initializer=init_ops.zeros_initializer(), biases_regularizer=None,
                    reuse=None, variables_collections=None, outputs_collections=None,
                    trainable=True, scope=None):
    """activation_fn(normalizer_fn(inputs @ weights) or inputs @ weights + biases) over the
    last axis; variables `<scope>/weights` [in, num_outputs] and `<scope>/biases`."""
    if isinstance(num_outputs, bool) or not isinstance(num_outputs, int):
        raise ValueError(f"num_outputs type should be one of [<class 'int'>], got "
                         f"{type(num_outputs)}.")
    getter = layer_variable_getter(_KERNEL_NAMES, {"kernel": weights_regularizer,
                                           "bias": biases_regularizer})
    with variable_scope(scope, "fully_connected", [inputs], reuse=reuse,
                        custom_getter=getter) as sc:
        inputs = convert_to_tensor(inputs)
        layer = core_layers.Dense(
            units=num_outputs, activation=None,
            use_bias=not normalizer_fn and biases_initializer is not None,
            kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
            trainable=trainable, name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc,
            _reuse=reuse)
        outputs = layer.apply(inputs)
        add_to_collections(layer.kernel, variables_collections, "weights")
        if layer.bias is not None:
            add_to_collections(layer.bias, variables_collections, "biases")
        return finish_layer(outputs, normalizer_fn, normalizer_params, activation_fn,
                       outputs_collections, sc.name)


linear = functools.partial(fully_connected, activation_fn=None)
relu = functools.partial(fully_connected, activation_fn=nn_ops.relu)
relu6 = functools.partial(fully_connected, activation_fn=nn_ops.relu6)
elu = functools.partial(fully_connected, activation_fn=nn_ops.elu)


@add_arg_scope
def convolution(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None,
                rate=1, activation_fn=nn_ops.relu, normalizer_fn=None, normalizer_params=None,
                weights_initializer=initializers.xavier_initializer(),
                weights_regularizer=None, biases_initializer=init_ops.zeros_initializer(),
                biases_regularizer=None, reuse=None, variables_collections=None,
                outputs_collections=None, trainable=True, scope=None, conv_dims=None):
    """An N-D convolution (N from the rank of `inputs`, 1 to 3), then normalizer or biases and
    activation; variables `<scope>/weights` [*kernel_size, in, num_outputs], `biases`."""
    if data_format not in (None, "NWC", "NCW", "NHWC", "NCHW", "NDHWC", "NCDHW"):
        raise ValueError(f"Invalid data_format: {data_format!r}")
    getter = layer_variable_getter(_KERNEL_NAMES, {"kernel": weights_regularizer,
                                           "bias": biases_regularizer})
    with variable_scope(scope, "Conv", [inputs], reuse=reuse, custom_getter=getter) as sc:
        inputs = convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if conv_dims is not None and conv_dims + 2 != rank:
            raise ValueError(f"Convolution expects input with rank {conv_dims + 2}, got "
                             f"{rank}")
        if rank not in (3, 4, 5):
            raise ValueError(f"Convolution not supported for input with rank {rank}")
        use_bias = not normalizer_fn and biases_initializer is not None
        df = _channels_format(data_format)
        if rank == 4:
            layer = conv_layers.Conv2D(
                filters=num_outputs, kernel_size=kernel_size, strides=stride, padding=padding,
                data_format=df, dilation_rate=rate, activation=None, use_bias=use_bias,
                kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
                trainable=trainable, name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc,
                _reuse=reuse)
            outputs = layer.apply(inputs)
            kernel, bias = layer.kernel, layer.bias
        else:
            outputs, kernel, bias = _convolution_nd(
                inputs, rank - 2, num_outputs, kernel_size, stride, padding, df, rate,
                use_bias, weights_initializer, weights_regularizer, biases_initializer,
                biases_regularizer, trainable)
        add_to_collections(kernel, variables_collections, "weights")
        if bias is not None:
            add_to_collections(bias, variables_collections, "biases")
        return finish_layer(outputs, normalizer_fn, normalizer_params, activation_fn,
                       outputs_collections, sc.name)


def _convolution_nd(inputs, n, num_outputs, kernel_size, stride, padding, df, rate, use_bias,
                    weights_initializer, weights_regularizer, biases_initializer,
                    biases_regularizer, trainable):
    """The 1-D or 3-D convolution TF builds with Conv1D/Conv3D: (outputs, kernel, bias)."""
    first = df == "channels_first"
    channels = utils.channel_dimension(inputs.shape, "NC" if first else "NHWC", min_rank=n + 2)
    kernel_size = utils.n_positive_integers(n, kernel_size)
    dtype = inputs.dtype.base_dtype
    kernel = variables.model_variable("weights", shape=list(kernel_size) + [channels,
                                                                            num_outputs],
                                      dtype=dtype, initializer=weights_initializer,
                                      regularizer=weights_regularizer, trainable=trainable)
    bias = None
    if use_bias:
        bias = variables.model_variable("biases", shape=[num_outputs], dtype=dtype,
                                        initializer=biases_initializer,
                                        regularizer=biases_regularizer, trainable=trainable)
    formats = {1: ("NCW", "NWC"), 3: ("NCDHW", "NDHWC")}[n]
    data_format = formats[0] if first else formats[1]
    outputs = conv_nd.convolution(inputs, kernel, padding=padding.upper(),
                                  strides=utils.n_positive_integers(n, stride),
                                  dilation_rate=utils.n_positive_integers(n, rate),
                                  data_format=data_format)
    if bias is not None:
        if first:
            outputs = outputs + array.reshape(bias, [1, num_outputs] + [1] * n)
        else:
            outputs = nn_ops.bias_add(outputs, bias)
    return outputs, kernel, bias


@add_arg_scope
def convolution1d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None,
                  rate=1, activation_fn=nn_ops.relu, normalizer_fn=None,
                  normalizer_params=None,
                  weights_initializer=initializers.xavier_initializer(),
                  weights_regularizer=None, biases_initializer=init_ops.zeros_initializer(),
                  biases_regularizer=None, reuse=None, variables_collections=None,
                  outputs_collections=None, trainable=True, scope=None):
    """convolution on rank-3 inputs."""
    return convolution(inputs, num_outputs, kernel_size, stride, padding, data_format, rate,
                       activation_fn, normalizer_fn, normalizer_params, weights_initializer,
                       weights_regularizer, biases_initializer, biases_regularizer, reuse,
                       variables_collections, outputs_collections, trainable, scope,
                       conv_dims=1)


@add_arg_scope
def convolution2d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None,
                  rate=1, activation_fn=nn_ops.relu, normalizer_fn=None,
                  normalizer_params=None,
                  weights_initializer=initializers.xavier_initializer(),
                  weights_regularizer=None, biases_initializer=init_ops.zeros_initializer(),
                  biases_regularizer=None, reuse=None, variables_collections=None,
                  outputs_collections=None, trainable=True, scope=None):
    """convolution on rank-4 inputs (slim.conv2d)."""
    return convolution(inputs, num_outputs, kernel_size, stride, padding, data_format, rate,
                       activation_fn, normalizer_fn, normalizer_params, weights_initializer,
                       weights_regularizer, biases_initializer, biases_regularizer, reuse,
                       variables_collections, outputs_collections, trainable, scope,
                       conv_dims=2)


@add_arg_scope
def convolution3d(inputs, num_outputs, kernel_size, stride=1, padding="SAME", data_format=None,
                  rate=1, activation_fn=nn_ops.relu, normalizer_fn=None,
                  normalizer_params=None,
                  weights_initializer=initializers.xavier_initializer(),
                  weights_regularizer=None, biases_initializer=init_ops.zeros_initializer(),
                  biases_regularizer=None, reuse=None, variables_collections=None,
                  outputs_collections=None, trainable=True, scope=None):
    """convolution on rank-5 inputs."""
    return convolution(inputs, num_outputs, kernel_size, stride, padding, data_format, rate,
                       activation_fn, normalizer_fn, normalizer_params, weights_initializer,
                       weights_regularizer, biases_initializer, biases_regularizer, reuse,
                       variables_collections, outputs_collections, trainable, scope,
                       conv_dims=3)


conv1d = convolution1d
conv2d = convolution2d
conv3d = convolution3d


@add_arg_scope
def convolution2d_transpose(inputs, num_outputs, kernel_size, stride=1, padding="SAME",
                            data_format=DATA_FORMAT_NHWC, activation_fn=nn_ops.relu,
                            normalizer_fn=None, normalizer_params=None,
                            weights_initializer=initializers.xavier_initializer(),
                            weights_regularizer=None,
                            biases_initializer=init_ops.zeros_initializer(),
                            biases_regularizer=None, reuse=None, variables_collections=None,
                            outputs_collections=None, trainable=True, scope=None):
    """A transposed 2-D convolution; `<scope>/weights` [kh, kw, num_outputs, in]."""
    getter = layer_variable_getter(_KERNEL_NAMES, {"kernel": weights_regularizer,
                                           "bias": biases_regularizer})
    with variable_scope(scope, "Conv2d_transpose", [inputs], reuse=reuse,
                        custom_getter=getter) as sc:
        if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
            raise ValueError("data_format has to be either NCHW or NHWC.")
        inputs = convert_to_tensor(inputs)
        layer = conv_layers.Conv2DTranspose(
            filters=num_outputs, kernel_size=kernel_size, strides=stride, padding=padding,
            data_format=_channels_format(data_format), activation=None,
            use_bias=not normalizer_fn and biases_initializer is not None,
            kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
            trainable=trainable, name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc,
            _reuse=reuse)
        outputs = layer.apply(inputs)
        add_to_collections(layer.kernel, variables_collections, "weights")
        if layer.bias is not None:
            add_to_collections(layer.bias, variables_collections, "biases")
        return finish_layer(outputs, normalizer_fn, normalizer_params, activation_fn,
                       outputs_collections, sc.name)


conv2d_transpose = convolution2d_transpose


@add_arg_scope
def convolution3d_transpose(inputs, num_outputs, kernel_size, stride=1, padding="SAME",
                            data_format=DATA_FORMAT_NDHWC, activation_fn=nn_ops.relu,
                            normalizer_fn=None, normalizer_params=None,
                            weights_initializer=initializers.xavier_initializer(),
                            weights_regularizer=None,
                            biases_initializer=init_ops.zeros_initializer(),
                            biases_regularizer=None, reuse=None, variables_collections=None,
                            outputs_collections=None, trainable=True, scope=None):
    """A transposed 3-D convolution; `<scope>/weights` [kd, kh, kw, num_outputs, in]."""
    with variable_scope(scope, "Conv3d_transpose", [inputs], reuse=reuse) as sc:
        if data_format not in (DATA_FORMAT_NCDHW, DATA_FORMAT_NDHWC):
            raise ValueError("data_format has to be either NCDHW or NDHWC.")
        inputs = convert_to_tensor(inputs)
        first = data_format == DATA_FORMAT_NCDHW
        channels = utils.channel_dimension(inputs.shape, data_format, min_rank=5)
        sizes = utils.n_positive_integers(3, kernel_size)
        steps = utils.n_positive_integers(3, stride)
        padding = padding.upper()
        dtype = inputs.dtype.base_dtype
        kernel = collected_model_variable(
            "weights", list(sizes) + [num_outputs, channels], dtype, weights_initializer,
            weights_regularizer, trainable, variables_collections, "weights")
        static = inputs.shape.as_list()
        dynamic = array.shape(inputs)
        spatial_axes = [2, 3, 4] if first else [1, 2, 3]
        lengths = []
        for axis, k, st in zip(spatial_axes, sizes, steps):
            extra = max(k - st, 0) if padding == "VALID" else 0
            size = static[axis]
            lengths.append(size * st + extra if size is not None else dynamic[axis] * st + extra)
        batch = static[0] if static[0] is not None else dynamic[0]
        dims = [batch, num_outputs] + lengths if first else [batch] + lengths + [num_outputs]
        full_steps = [1, 1] + list(steps) if first else [1] + list(steps) + [1]
        outputs = conv_nd.conv3d_transpose(inputs, kernel, array.stack(dims), full_steps,
                                           padding, data_format=data_format)
        outputs.set_shape([d if isinstance(d, int) else None for d in dims])
        if normalizer_fn is None and biases_initializer is not None:
            biases = collected_model_variable("biases", [num_outputs], dtype,
                                              biases_initializer, biases_regularizer,
                                              trainable, variables_collections, "biases")
            outputs = outputs + (array.reshape(biases, [1, num_outputs, 1, 1, 1]) if first
                                 else biases)
        return finish_layer(outputs, normalizer_fn, normalizer_params, activation_fn,
                            outputs_collections, sc.name)


conv3d_transpose = convolution3d_transpose


@add_arg_scope
def convolution2d_in_plane(inputs, kernel_size, stride=1, padding="SAME",
                           activation_fn=nn_ops.relu, normalizer_fn=None,
                           normalizer_params=None,
                           weights_initializer=initializers.xavier_initializer(),
                           weights_regularizer=None,
                           biases_initializer=init_ops.zeros_initializer(),
                           biases_regularizer=None, reuse=None, variables_collections=None,
                           outputs_collections=None, trainable=True, scope=None):
    """One [kh, kw] kernel (`<scope>/weights` [kh, kw, 1, 1]) convolved with every channel
    separately, then biases per channel."""
    with variable_scope(scope, "ConvInPlane", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        dtype = inputs.dtype.base_dtype
        kh, kw = utils.two_element_tuple(kernel_size)
        sh, sw = utils.two_element_tuple(stride)
        channels = utils.last_dimension(inputs.shape, min_rank=4)
        weights = collected_model_variable("weights", [kh, kw, 1, 1], dtype,
                                           weights_initializer, weights_regularizer,
                                           trainable, variables_collections, "weights")
        depthwise = array.tile(weights, [1, 1, channels, 1])
        outputs = conv_ops.depthwise_conv2d(inputs, depthwise, [1, sh, sw, 1], padding.upper())
        if normalizer_fn is None and biases_initializer is not None:
            biases = collected_model_variable("biases", [channels], dtype, biases_initializer,
                                              biases_regularizer, trainable,
                                              variables_collections, "biases")
            outputs = nn_ops.bias_add(outputs, biases)
        return finish_layer(outputs, normalizer_fn, normalizer_params, activation_fn,
                            outputs_collections, sc.name)


conv2d_in_plane = convolution2d_in_plane


@add_arg_scope
def separable_convolution2d(inputs, num_outputs, kernel_size, depth_multiplier=1, stride=1,
                            padding="SAME", data_format=DATA_FORMAT_NHWC, rate=1,
                            activation_fn=nn_ops.relu, normalizer_fn=None,
                            normalizer_params=None,
                            weights_initializer=initializers.xavier_initializer(),
                            pointwise_initializer=None, weights_regularizer=None,
                            biases_initializer=init_ops.zeros_initializer(),
                            biases_regularizer=None, reuse=None, variables_collections=None,
                            outputs_collections=None, trainable=True, scope=None):
    """A depthwise convolution (`depthwise_weights` [kh, kw, in, depth_multiplier]), then,
    when num_outputs is not None, a 1x1 pointwise one (`pointwise_weights`); then biases."""
    if pointwise_initializer is None:
        pointwise_initializer = weights_initializer
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with variable_scope(scope, "SeparableConv2d", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        dtype = inputs.dtype.base_dtype
        kh, kw = utils.two_element_tuple(kernel_size)
        sh, sw = utils.two_element_tuple(stride)
        rates = utils.two_element_tuple(rate)
        channels = utils.channel_dimension(inputs.shape, data_format, min_rank=4)
        depthwise = collected_model_variable("depthwise_weights", [kh, kw, channels, depth_multiplier],
                                    dtype, weights_initializer, weights_regularizer,
                                    trainable, variables_collections, "weights")
        strides = [1, 1, sh, sw] if data_format == DATA_FORMAT_NCHW else [1, sh, sw, 1]
        padding = padding.upper()
        if num_outputs is not None:
            pointwise = collected_model_variable(
                "pointwise_weights", [1, 1, channels * depth_multiplier, num_outputs], dtype,
                pointwise_initializer, weights_regularizer, trainable, variables_collections,
                "weights")
            outputs = conv_ops.separable_conv2d(inputs, depthwise, pointwise, strides,
                                                padding, rate=rates, data_format=data_format)
        else:
            outputs = conv_ops.depthwise_conv2d(inputs, depthwise, strides, padding,
                                                rate=rates, data_format=data_format)
            num_outputs = depth_multiplier * channels
        if normalizer_fn is None and biases_initializer is not None:
            biases = collected_model_variable("biases", [num_outputs], dtype, biases_initializer,
                                     biases_regularizer, trainable, variables_collections,
                                     "biases")
            outputs = nn_ops.bias_add(outputs, biases, data_format=data_format)
        return finish_layer(outputs, normalizer_fn, normalizer_params, activation_fn,
                       outputs_collections, sc.name)


separable_conv2d = separable_convolution2d


@add_arg_scope
def bias_add(inputs, activation_fn=None, initializer=init_ops.zeros_initializer(),
             regularizer=None, reuse=None, variables_collections=None,
             outputs_collections=None, trainable=True, data_format=DATA_FORMAT_NHWC,
             scope=None):
    """inputs + `<scope>/biases` over the channel axis, then activation_fn."""
    if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with variable_scope(scope, "BiasAdd", [inputs], reuse=reuse) as sc:
        inputs = convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None:
            raise ValueError("Dims of shape must be known but is None")
        if rank != 4 and data_format == DATA_FORMAT_NCHW:
            raise ValueError("Data format NCHW only supports 4D Tensor")
        num_features = inputs.shape[1 if data_format == DATA_FORMAT_NCHW else -1].value
        if num_features is None:
            raise ValueError("`C` dimension must be known but is None")
        biases = collected_model_variable("biases", [num_features], inputs.dtype.base_dtype,
                                 initializer, regularizer, trainable, variables_collections,
                                 "biases")
        outputs = nn_ops.bias_add(inputs, biases, data_format=data_format)
        return finish_layer(outputs, None, None, activation_fn, outputs_collections, sc.name)


# --- pooling, reshaping ---------------------------------------------------------------------
def _pool(kind, default_name, inputs, kernel_size, stride, padding, data_format,
          outputs_collections, scope, n):
    formats = {2: (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC), 3: (DATA_FORMAT_NCDHW,
                                                           DATA_FORMAT_NDHWC)}[n]
    if data_format not in formats:
        raise ValueError(f"data_format has to be either {formats[0]} or {formats[1]}.")
    with name_scope(scope, default_name, [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        window = list(utils.n_positive_integers(n, kernel_size))
        steps = list(utils.n_positive_integers(n, stride))
        first = data_format.startswith("NC")
        ksize = [1, 1] + window if first else [1] + window + [1]
        strides = [1, 1] + steps if first else [1] + steps + [1]
        if n == 2:
            op = conv_ops.max_pool if kind == "max" else conv_ops.avg_pool
        else:
            op = conv_nd.max_pool3d if kind == "max" else conv_nd.avg_pool3d
        outputs = op(inputs, ksize, strides, padding.upper(), data_format=data_format)
        return utils.collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def max_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format=DATA_FORMAT_NHWC,
               outputs_collections=None, scope=None):
    """The maximum over kernel_size windows, `stride` apart (VALID padding by default)."""
    return _pool("max", "MaxPool2D", inputs, kernel_size, stride, padding, data_format,
                 outputs_collections, scope, 2)


@add_arg_scope
def avg_pool2d(inputs, kernel_size, stride=2, padding="VALID", data_format=DATA_FORMAT_NHWC,
               outputs_collections=None, scope=None):
    """The mean over kernel_size windows, `stride` apart (VALID padding by default)."""
    return _pool("avg", "AvgPool2D", inputs, kernel_size, stride, padding, data_format,
                 outputs_collections, scope, 2)


@add_arg_scope
def max_pool3d(inputs, kernel_size, stride=2, padding="VALID", data_format=DATA_FORMAT_NDHWC,
               outputs_collections=None, scope=None):
    """3-D max pooling."""
    return _pool("max", "MaxPool3D", inputs, kernel_size, stride, padding, data_format,
                 outputs_collections, scope, 3)


@add_arg_scope
def avg_pool3d(inputs, kernel_size, stride=2, padding="VALID", data_format=DATA_FORMAT_NDHWC,
               outputs_collections=None, scope=None):
    """3-D average pooling."""
    return _pool("avg", "AvgPool3D", inputs, kernel_size, stride, padding, data_format,
                 outputs_collections, scope, 3)


@add_arg_scope
def flatten(inputs, outputs_collections=None, scope=None):
    """[batch, ...] -> [batch, k], k the product of the other dimensions."""
    with name_scope(scope, "Flatten", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims is None:
            raise ValueError("Inputs must have a least 2 dimensions.")
        outputs = core_layers.flatten(inputs)
        return utils.collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def one_hot_encoding(labels, num_classes, on_value=1.0, off_value=0.0,
                     outputs_collections=None, scope=None):
    """One-hot float rows of `labels` (int32 labels are widened to int64 first, as TF)."""
    with name_scope(scope, "OneHotEncoding", [labels, num_classes]) as sc:
        labels = convert_to_tensor(labels)
        if labels.dtype is dtypes.int32:
            labels = array.cast(labels, dtypes.int64)
        outputs = array.one_hot(labels, num_classes, on_value=on_value, off_value=off_value)
        return utils.collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def softmax(logits, scope=None):
    """Softmax over the last axis of a tensor of any rank >= 2."""
    with variable_scope(scope, "softmax", [logits]):
        logits = convert_to_tensor(logits)
        num_logits = utils.last_dimension(logits.shape, min_rank=2)
        flat = array.reshape(logits, [-1, num_logits])
        predictions = nn_ops.softmax(flat)
        predictions = array.reshape(predictions, array.shape(logits))
        predictions.set_shape(logits.shape)
        return predictions


@add_arg_scope
def unit_norm(inputs, dim, epsilon=1e-7, scope=None):
    """inputs / sqrt(epsilon + sum(inputs ** 2 over `dim`))."""
    with variable_scope(scope, "UnitNorm", [inputs]):
        inputs = convert_to_tensor(inputs)
        if inputs.shape.ndims is None:
            raise ValueError("The input rank must be known.")
        rank = inputs.shape.ndims
        if dim < 0 or dim >= rank:
            raise ValueError("dim must be positive but smaller than the input rank.")
        lengths = math_ops.sqrt(epsilon + math_ops.reduce_sum(math_ops.square(inputs), dim,
                                                              keepdims=True))
        return math_ops.truediv(inputs, lengths)


@add_arg_scope
def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True,
            outputs_collections=None, scope=None, seed=None):
    """Keeps each input with probability keep_prob (scaled by 1 / keep_prob) when training;
    `is_training` may be a boolean tensor."""
    with variable_scope(scope, "Dropout", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        layer = core_layers.Dropout(rate=1 - keep_prob, noise_shape=noise_shape, seed=seed,
                                    name=sc.name, _scope=sc)
        outputs = layer.apply(inputs, training=is_training)
        return utils.collect_named_outputs(outputs_collections, sc.name, outputs)


def embed_sequence(ids, vocab_size=None, embed_dim=None, unique=False, initializer=None,
                   regularizer=None, trainable=True, scope=None, reuse=None):
    """Embeds the ids [batch, length] with `<scope>/embeddings` [vocab_size, embed_dim]."""
    if not (reuse or (vocab_size and embed_dim)):
        raise ValueError(f"Must specify vocab size and embedding dimension when not reusing. "
                         f"Got vocab_size={vocab_size} and embed_dim={embed_dim}")
    with variable_scope(scope, "EmbedSequence", [ids], reuse=reuse):
        shape = [vocab_size, embed_dim]
        if (reuse and vocab_size is None) or embed_dim is None:
            shape = None
        embeddings = variables.model_variable("embeddings", shape=shape,
                                              initializer=initializer,
                                              regularizer=regularizer, trainable=trainable)
        if unique:
            return embedding_lookup_unique(embeddings, ids)
        return norm_ops.embedding_lookup(embeddings, ids)


def bow_encoder(ids, vocab_size, embed_dim, sparse_lookup=True, initializer=None,
                regularizer=None, trainable=True, scope=None, reuse=None):
    """The mean of the embeddings `<scope>/embeddings` [vocab_size, embed_dim] of each row of
    ids [batch, length] (TF 1.x contrib encoders): with sparse_lookup, ids equal to 0 are
    left out (a dense Tensor becomes a SparseTensor of its non-zero ids) and an empty row
    gets the embedding of id 0; otherwise every id is averaged."""
    if not vocab_size or not embed_dim:
        raise ValueError("Must specify vocab size and embedding dimension")
    with variable_scope(scope, "bow_encoder", [ids], reuse=reuse):
        embeddings = variables.model_variable("embeddings", shape=[vocab_size, embed_dim],
                                              initializer=initializer,
                                              regularizer=regularizer, trainable=trainable)
        if sparse_lookup:
            sparse_ids = ids if isinstance(ids, SparseTensor) else dense_to_sparse(ids)
            return embedding.safe_embedding_lookup_sparse([embeddings], sparse_ids,
                                                          combiner="mean", default_id=0)
        if isinstance(ids, SparseTensor):
            raise TypeError("ids are expected to be dense Tensor, got: %s" % ids)
        return math_ops.reduce_mean(norm_ops.embedding_lookup(embeddings, ids), axis=1)


def images_to_sequence(inputs, data_format="NHWC", outputs_collections=None, scope=None):
    """[batch, height, width, depth] images (NCHW with data_format "NC..") as a sequence over
    their columns: [width, batch * height, depth]."""
    with variable_scope(scope, "ImagesToSequence", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        if data_format and data_format.startswith("NC"):
            inputs = array.transpose(inputs, [0, 2, 3, 1])
        _, _, width, depth = inputs.shape.as_list()
        shape = array.shape(inputs)
        outputs = array.reshape(array.transpose(inputs, [2, 0, 1, 3]),
                                [width, shape[0] * shape[1], depth])
        return utils.collect_named_outputs(outputs_collections, sc.name, outputs)


def sequence_to_images(inputs, height, output_data_format="channels_last",
                       outputs_collections=None, scope=None):
    """images_to_sequence undone: [width, batch * height, depth] back to [batch, height,
    width, depth] ([batch, depth, height, width] for "channels_first")."""
    with variable_scope(scope, "SequenceToImages", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        width, batches, depth = inputs.shape.as_list()
        batches = -1 if batches is None else batches // height
        reshaped = array.reshape(inputs, [width, batches, height, depth])
        order = [1, 3, 2, 0] if output_data_format == "channels_first" else [1, 2, 0, 3]
        return utils.collect_named_outputs(outputs_collections, sc.name,
                                           array.transpose(reshaped, order))


def scale_gradient(inputs, gradient_multiplier):
    """`inputs` as they are, with their gradient multiplied by `gradient_multiplier`."""
    @custom_gradient
    def scaled(x):
        return array.identity(x), lambda dy: dy * gradient_multiplier
    return scaled(convert_to_tensor(inputs))


def maxout(inputs, num_units, axis=-1, scope=None):
    """The maximum over groups of num_channels / num_units consecutive features on `axis`."""
    with variable_scope(scope, "MaxOut", [inputs]):
        inputs = convert_to_tensor(inputs)
        shape = inputs.shape.as_list()
        num_channels = shape[axis]
        if num_channels % num_units:
            raise ValueError(f"number of features({num_channels}) is not a multiple of "
                             f"num_units({num_units})")
        shape[axis] = num_units
        shape += [num_channels // num_units]
        dynamic = array.shape(inputs)
        shape = [dynamic[i] if d is None else d for i, d in enumerate(shape)]
        if any(not isinstance(d, int) for d in shape):
            shape = array.stack(shape)
        return math_ops.reduce_max(array.reshape(inputs, shape), -1, keepdims=False)


def spatial_softmax(features, temperature=None, name=None, variables_collections=None,
                    trainable=True, data_format="NHWC"):
    """The expected (x, y) image position of each channel's softmax over its pixels:
    [batch, 2 * channels], positions running from -1 to 1; `<scope>/temperature` divides
    the features first."""
    with variable_scope(name, "spatial_softmax"):
        shape = array.shape(features)
        static = features.shape
        if data_format == DATA_FORMAT_NHWC:
            height, width, num_channels = shape[1], shape[2], static[3].value
        elif data_format == DATA_FORMAT_NCHW:
            num_channels, height, width = static[1].value, shape[2], shape[3]
        else:
            raise ValueError("data_format has to be either NCHW or NHWC.")
        if num_channels is None:
            raise ValueError("The num_channels dimension of the inputs to `spatial_softmax` "
                             "should be defined. Found `None`.")
        with name_scope("spatial_softmax_op", "spatial_softmax_op", [features]):
            pos_x, pos_y = structural.meshgrid(diagonal.lin_space(-1.0, 1.0, num=height),
                                               diagonal.lin_space(-1.0, 1.0, num=width),
                                               indexing="ij")
            pos_x = array.reshape(pos_x, [height * width])
            pos_y = array.reshape(pos_y, [height * width])
            initializer = init_ops.ones_initializer() if temperature is None else \
                init_ops.constant_initializer(temperature)
            collections = utils.get_variable_collections(variables_collections,
                                                         "temperature") if trainable else None
            temperature = variables.model_variable(
                "temperature", shape=(), dtype=dtypes.float32, initializer=initializer,
                collections=collections, trainable=trainable)
            if data_format == DATA_FORMAT_NCHW:
                features = array.reshape(features, [-1, height * width])
            else:
                features = array.reshape(array.transpose(features, [0, 3, 1, 2]),
                                          [-1, height * width])
            attention = nn_ops.softmax(features / temperature)
            expected_x = math_ops.reduce_sum(pos_x * attention, [1], keepdims=True)
            expected_y = math_ops.reduce_sum(pos_y * attention, [1], keepdims=True)
            keypoints = array.reshape(array.concat([expected_x, expected_y], 1),
                                      [-1, num_channels * 2])
            keypoints.set_shape([None, num_channels * 2])
    return keypoints


def dense_to_sparse(tensor, eos_token=0, outputs_collections=None, scope=None):
    """A SparseTensor of the entries of `tensor` that differ from eos_token."""
    with variable_scope(scope, "dense_to_sparse", [tensor]) as sc:
        tensor = convert_to_tensor(tensor)
        indices = array.where(math_ops.not_equal(tensor, array.cast(eos_token, tensor.dtype)))
        values = scatter_ops.gather_nd(tensor, indices)
        shape = array.cast(array.shape(tensor), dtypes.int64)
        outputs = SparseTensor(indices, values, shape)
        if outputs_collections:
            get_default_graph().add_to_collections(outputs_collections, outputs)
        del sc
        return outputs


def embedding_lookup_unique(params, ids, partition_strategy="mod", name=None):
    """embedding_lookup that looks each distinct id up once (ids of any shape)."""
    with name_scope(name, "EmbeddingLookupUnique", [params, ids]):
        ids = convert_to_tensor(ids)
        values, index = sort_ops.unique(array.reshape(ids, [-1]))
        found = norm_ops.embedding_lookup(params, values, partition_strategy=partition_strategy)
        gathered = array.gather(found, index)
        target = array.concat([array.shape(ids), array.shape(found)[1:]], 0)
        result = array.reshape(gathered, target)
        params_shape = params[0].shape if isinstance(params, (list, tuple)) else params.shape
        result.set_shape(ids.shape.concatenate(params_shape[1:]))
        return result


# --- repeat and stack -----------------------------------------------------------------------
def _layer_name(layer, default):
    if hasattr(layer, "__name__"):
        return layer.__name__
    if hasattr(layer, "func") and hasattr(layer.func, "__name__"):
        return layer.func.__name__
    return default


def repeat(inputs, repetitions, layer, *args, **kwargs):
    """Applies `layer` `repetitions` times under `<scope>/<scope>_1`, `<scope>_2`, ...

        net = slim.repeat(net, 3, slim.conv2d, 256, [3, 3], scope="conv3")
        # conv3/conv3_1/weights, conv3/conv3_2/weights, conv3/conv3_3/weights
    """
    scope = kwargs.pop("scope", None)
    with variable_scope(scope, "Repeat", [inputs]):
        inputs = convert_to_tensor(inputs)
        if scope is None:
            scope = _layer_name(layer, "repeat")
        outputs = inputs
        for i in range(repetitions):
            kwargs["scope"] = f"{scope}_{i + 1}"
            outputs = layer(outputs, *args, **kwargs)
        return outputs


def stack(inputs, layer, stack_args, **kwargs):
    """Applies `layer` once per entry of stack_args (its extra positional arguments), under
    `<scope>/<scope>_1`, `<scope>_2`, ...

        x = slim.stack(x, slim.fully_connected, [32, 64, 128], scope="fc")
    """
    scope = kwargs.pop("scope", None)
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError("stack_args need to be a list or tuple")
    with variable_scope(scope, "Stack", [inputs]):
        inputs = convert_to_tensor(inputs)
        if scope is None:
            scope = _layer_name(layer, "stack")
        outputs = inputs
        for i, layer_args in enumerate(stack_args):
            kwargs["scope"] = f"{scope}_{i + 1}"
            if not isinstance(layer_args, (list, tuple)):
                layer_args = [layer_args]
            outputs = layer(outputs, *layer_args, **kwargs)
        return outputs
