"""N-d convolution and pooling front ends of tf.nn: conv1d, conv3d, convolution, pool, the
_v2 pools by rank, transposed convolutions, atrous convolutions and with_space_to_batch.

They build the 2-D op types of ops/conv_ops.py (1-D inputs get a size-1 height) and the 3-D
op types of ops/conv3d_ops.py.

    y = tf.nn.convolution(x, w, padding="SAME", dilation_rate=[2, 2])
"""
import numpy as np

from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.ops import array, conv_ops, dilation_ops, math_ops
from tensorweave.ops.array import rearrange
from tensorweave.ops import conv3d_ops  # noqa: F401 - registers the 3-D op types
from tensorweave.ops._common import one

_DEFAULT_FORMATS = {1: "NWC", 2: "NHWC", 3: "NDHWC"}
_FIRST_FORMATS = {1: "NCW", 2: "NCHW", 3: "NCDHW"}


# --- arguments -----------------------------------------------------------------------------------
def _ints(value, n, name, default=1):
    """An int or a 1-, n- or (n + 2)-sequence as n spatial values (the (n+2)-form's spatial
    part is taken as given by the caller's layout)."""
    if value is None:
        value = default
    if isinstance(value, Tensor):
        value = constant_value(value)
    values = [int(v) for v in np.atleast_1d(value)]
    if len(values) == 1:
        return values * n
    if len(values) != n:
        raise ValueError(f"{name} should be of length 1, {n} or {n + 2} but was {len(values)}")
    return values


def _spatial_values(value, n, name, channels_first, default=1):
    """n spatial values from an int or a 1-, n- or (n + 2)-sequence."""
    if value is None:
        value = default
    if isinstance(value, Tensor):
        value = constant_value(value)
    values = [int(v) for v in np.atleast_1d(value)]
    if len(values) == n + 2:
        return values[2:] if channels_first else values[1:-1]
    return _ints(values, n, name)


def _full(spatial, channels_first):
    return [1, 1] + list(spatial) if channels_first else [1] + list(spatial) + [1]


def _rank_of(x, filter_shape=None):
    if x.shape.ndims is not None:
        return x.shape.ndims - 2
    if filter_shape is not None and filter_shape.ndims is not None:
        return filter_shape.ndims - 2
    raise ValueError("rank of input must be known")


def _format(data_format, n):
    if data_format is None:
        return _DEFAULT_FORMATS[n], False
    if data_format.startswith("NC"):
        return _FIRST_FORMATS[n], True
    if data_format.startswith("N") and data_format.endswith("C"):
        return _DEFAULT_FORMATS[n], False
    raise ValueError(f"data_format must be \"N...C\" or \"NC...\", got {data_format!r}")


def _padding(padding):
    padding = padding.upper() if isinstance(padding, str) else padding
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"Unknown padding type: {padding!r}")
    return padding


def _same(a, b):
    return a is None or b is None or a == b


# --- 1-D through 2-D ops -------------------------------------------------------------------------
def _conv1d_format(data_format):
    if data_format in (None, "NWC", "NHWC"):
        return "NHWC", 1
    if data_format in ("NCW", "NCHW"):
        return "NCHW", 2
    raise ValueError(f"data_format must be \"NWC\" or \"NCW\", got {data_format!r}")


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None,
           data_format=None, name=None, input=None, dilations=None):  # noqa: A002
    """1-D convolution of [batch, width, in] `value` with a [width, in, out] filter."""
    value = input if value is None else value
    fmt, axis = _conv1d_format(data_format)
    first = fmt == "NCHW"
    with name_scope(name, "conv1d", [value, filters]) as scope:
        stride = _spatial_values(stride, 1, "stride", first)[0]
        rate = _spatial_values(dilations, 1, "dilations", first)[0]
        x = array.expand_dims(convert_to_tensor(value), axis)
        w = array.expand_dims(convert_to_tensor(filters), 0)
        y = conv_ops.conv2d(x, w, strides=_full([1, stride], first), padding=padding,
                            data_format=fmt, dilations=_full([1, rate], first))
        return array.squeeze(y, [axis], name=scope[:-1] + "/")


def _insert_unit(output_shape, axis):
    """output_shape with a 1 inserted at `axis` (a list or an int tensor)."""
    if isinstance(output_shape, Tensor) and constant_value(output_shape) is None:
        ones = array.ones([1], dtype=output_shape.dtype)
        return array.concat([output_shape[:axis], ones, output_shape[axis:]], 0)
    values = [int(v) for v in np.asarray(constant_value(output_shape)
                                         if isinstance(output_shape, Tensor) else output_shape)]
    return values[:axis] + [1] + values[axis:]


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NWC", dilations=None, name=None):
    """The transpose of conv1d: `filters` is [width, out, in]; the result has output_shape."""
    fmt, axis = _conv1d_format(data_format)
    first = fmt == "NCHW"
    with name_scope(name, "conv1d_transpose", [input, filters, output_shape]) as scope:
        stride = _spatial_values(strides, 1, "strides", first)[0]
        rate = _spatial_values(dilations, 1, "dilations", first)[0]
        x = array.expand_dims(convert_to_tensor(input), axis)
        w = array.expand_dims(convert_to_tensor(filters), 0)
        y = conv_ops.conv2d_backprop_input(_insert_unit(output_shape, axis), w, x,
                                           strides=_full([1, stride], first), padding=padding,
                                           data_format=fmt, dilations=_full([1, rate], first))
        return array.squeeze(y, [axis], name=scope[:-1] + "/")


def _pool1d(op, input, ksize, strides, padding, data_format, name, default):  # noqa: A002
    fmt, axis = _conv1d_format(data_format)
    first = fmt == "NCHW"
    with name_scope(name, default, [input]) as scope:
        k = _spatial_values(ksize, 1, "ksize", first)[0]
        s = _spatial_values(strides, 1, "strides", first)[0]
        x = array.expand_dims(convert_to_tensor(input), axis)
        y = op(x, _full([1, k], first), _full([1, s], first), padding, data_format=fmt)
        return array.squeeze(y, [axis], name=scope[:-1] + "/")


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """1-D max pooling of [batch, width, channels] `input`."""
    return _pool1d(conv_ops.max_pool, input, ksize, strides, padding, data_format, name,
                   "MaxPool1d")


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """1-D average pooling of [batch, width, channels] `input`."""
    return _pool1d(conv_ops.avg_pool, input, ksize, strides, padding, data_format, name,
                   "AvgPool1D")


# --- 3-D ops -----------------------------------------------------------------------------------
def _format3d(data_format):
    fmt = data_format or "NDHWC"
    if fmt not in ("NDHWC", "NCDHW"):
        raise ValueError(f"data_format must be 'NDHWC' or 'NCDHW', got {fmt!r}")
    return fmt


def _five(value, name, fmt, default=1):
    return _full(_spatial_values(value, 3, name, fmt == "NCDHW", default), fmt == "NCDHW")


def _conv3d_attrs(strides, padding, data_format, dilations):
    fmt = _format3d(data_format)
    return {"strides": _five(strides, "strides", fmt), "padding": _padding(padding),
            "data_format": fmt, "dilations": _five(dilations, "dilations", fmt)}


def _sizes(sizes):
    if isinstance(sizes, Tensor):
        return sizes
    return convert_to_tensor(np.asarray(sizes, dtype=np.int32))


def conv3d(input, filter=None, strides=None, padding=None, data_format="NDHWC",  # noqa: A002
           dilations=(1, 1, 1, 1, 1), name=None, filters=None):
    """3-D convolution of a 5-D `input` with a [depth, height, width, in, out] filter."""
    filter = filters if filter is None else filter  # noqa: A001
    x = convert_to_tensor(input)
    w = convert_to_tensor(filter, dtype=x.dtype)
    attrs = _conv3d_attrs(strides, padding, data_format, dilations)
    return one(create_op("Conv3D", [x, w], name=name or "Conv3D", **attrs))


def conv3d_backprop_filter_v2(input, filter_sizes, out_backprop, strides,  # noqa: A002
                              padding, data_format="NDHWC", dilations=(1, 1, 1, 1, 1),
                              name=None):
    """The gradient of conv3d with respect to its filter, of shape `filter_sizes`."""
    x = convert_to_tensor(input)
    dy = convert_to_tensor(out_backprop, dtype=x.dtype)
    attrs = _conv3d_attrs(strides, padding, data_format, dilations)
    return one(create_op("Conv3DBackpropFilterV2", [x, _sizes(filter_sizes), dy],
                          name=name or "Conv3DBackpropFilterV2", **attrs))


conv3d_backprop_filter = conv3d_backprop_filter_v2


def conv3d_backprop_input_v2(input_sizes, filter, out_backprop, strides,  # noqa: A002
                             padding, data_format="NDHWC", dilations=(1, 1, 1, 1, 1),
                             name=None):
    """The gradient of conv3d with respect to its input, of shape `input_sizes`."""
    w = convert_to_tensor(filter)
    dy = convert_to_tensor(out_backprop, dtype=w.dtype)
    attrs = _conv3d_attrs(strides, padding, data_format, dilations)
    return one(create_op("Conv3DBackpropInputV2", [_sizes(input_sizes), w, dy],
                          name=name or "Conv3DBackpropInputV2", **attrs))


def conv3d_transpose(value, filter=None, output_shape=None, strides=None,  # noqa: A002
                     padding="SAME", data_format="NDHWC", name=None, input=None,  # noqa: A002
                     filters=None, dilations=None):
    """The transpose of conv3d: `filter` is [depth, height, width, out, in]."""
    value = input if value is None else value
    filter = filters if filter is None else filter  # noqa: A001
    with name_scope(name, "conv3d_transpose", [value, filter, output_shape]) as scope:
        w = convert_to_tensor(filter, name="filter")
        x = convert_to_tensor(value, dtype=w.dtype, name="value")
        fmt = _format3d(data_format)
        axis = 1 if fmt == "NCDHW" else 4
        if x.shape.ndims == 5 and w.shape.ndims == 5:
            if not _same(x.shape[axis].value, w.shape[4].value):
                raise ValueError(f"input channels does not match filter's input channels, "
                                 f"{x.shape[axis].value} != {w.shape[4].value}")
        return conv3d_backprop_input_v2(output_shape, w, x, strides, padding, fmt,
                                        dilations or 1, name=scope[:-1] + "/")


def _pool3d(op_type, input, ksize, strides, padding, data_format, name):  # noqa: A002
    fmt = _format3d(data_format)
    return one(create_op(op_type, [convert_to_tensor(input)], name=name or op_type,
                          ksize=_five(ksize, "ksize", fmt), strides=_five(strides, "strides", fmt),
                          padding=_padding(padding), data_format=fmt))


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """The maximum of each 3-D window of a 5-D input."""
    return _pool3d("MaxPool3D", input, ksize, strides, padding, data_format, name)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """The mean of each 3-D window of a 5-D input (SAME: of its real elements)."""
    return _pool3d("AvgPool3D", input, ksize, strides, padding, data_format, name)


# --- by rank --------------------------------------------------------------------------------------
def _pool_by_rank(kind, input, ksize, strides, padding, data_format, name):  # noqa: A002
    x = convert_to_tensor(input)
    if x.shape.ndims is None:
        raise ValueError("The rank of the input to a pool must be known")
    n = x.shape.ndims - 2
    if n not in (1, 2, 3):
        raise ValueError(f"Input tensor must be of rank 3, 4 or 5 but was {n + 2}.")
    fmt = data_format or _DEFAULT_FORMATS[n]
    first = fmt.startswith("NC")
    if n == 1:
        op = max_pool1d if kind == "MAX" else avg_pool1d
        return op(x, ksize, strides, padding, fmt, name)
    if n == 2:
        op = conv_ops.max_pool if kind == "MAX" else conv_ops.avg_pool
        return op(x, _full(_spatial_values(ksize, 2, "ksize", first), first),
                  _full(_spatial_values(strides, 2, "strides", first), first), padding,
                  data_format=fmt, name=name)
    op = max_pool3d if kind == "MAX" else avg_pool3d
    return op(x, ksize, strides, padding, fmt, name)


def max_pool_v2(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """Max pooling of a 3-, 4- or 5-D input (1-, 2- or 3-D windows)."""
    return _pool_by_rank("MAX", input, ksize, strides, padding, data_format, name)


def avg_pool_v2(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """Average pooling of a 3-, 4- or 5-D input (1-, 2- or 3-D windows)."""
    return _pool_by_rank("AVG", input, ksize, strides, padding, data_format, name)


def _conv_by_rank(x, w, n, padding, strides, dilations, data_format, name):
    fmt, first = _format(data_format, n)
    if n == 1:
        return conv1d(x, w, strides[0], padding, data_format=fmt, name=name,
                      dilations=dilations[0])
    if n == 2:
        return conv_ops.conv2d(x, w, _full(strides, first), padding, data_format=fmt,
                               dilations=_full(dilations, first), name=name)
    if n == 3:
        return conv3d(x, w, _full(strides, first), padding, fmt, _full(dilations, first), name)
    raise ValueError(f"Input rank must be 3, 4 or 5, got {n + 2}")


def convolution(input, filter=None, padding=None, strides=None,  # noqa: A002
                dilation_rate=None, name=None, data_format=None, filters=None,
                dilations=None):
    """N-d convolution (1-, 2- or 3-D by the input's rank), strided or dilated (not both)."""
    filter = filters if filter is None else filter  # noqa: A001
    dilation_rate = dilations if dilation_rate is None else dilation_rate
    with name_scope(name, "convolution", [input, filter]) as scope:
        x = convert_to_tensor(input, name="input")
        w = convert_to_tensor(filter, dtype=x.dtype, name="filter")
        n = _rank_of(x, w.shape)
        _, first = _format(data_format, n)
        if x.shape.ndims is not None and w.shape.ndims is not None \
                and w.shape.ndims != x.shape.ndims:
            raise ValueError(f"filter rank ({w.shape.ndims}) does not match input rank "
                             f"({x.shape.ndims})")
        strides = _ints(strides, n, "strides")
        rates = _ints(dilation_rate, n, "dilation_rate")
        if min(strides) < 1 or min(rates) < 1:
            raise ValueError("strides and dilation_rate must be positive")
        if max(strides) > 1 and max(rates) > 1:
            raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
        return _conv_by_rank(x, w, n, _padding(padding), strides, rates,
                             data_format, scope[:-1] + "/")


def conv_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                   data_format=None, dilations=None, name=None):
    """The transpose of convolution, by the length of output_shape (3, 4 or 5)."""
    with name_scope(name, "conv_transpose", [input, filters, output_shape]) as scope:
        if isinstance(output_shape, Tensor) and output_shape.shape.ndims == 1 \
                and output_shape.shape[0].value is not None:
            n = output_shape.shape[0].value - 2
        elif not isinstance(output_shape, Tensor):
            n = len(output_shape) - 2
        else:
            n = _rank_of(convert_to_tensor(input))
        fmt, first = _format(data_format, n)
        name = scope[:-1] + "/"
        if n == 1:
            return conv1d_transpose(input, filters, output_shape, strides, padding, fmt,
                                    dilations, name)
        if n == 2:
            s = _spatial_values(strides, 2, "strides", first)
            d = _spatial_values(dilations, 2, "dilations", first)
            return conv_ops.conv2d_transpose(input, filters, output_shape, _full(s, first),
                                             padding, fmt, name, dilations=_full(d, first))
        if n == 3:
            return conv3d_transpose(input, filters, output_shape, strides, padding, fmt, name,
                                    dilations=dilations)
        raise ValueError(f"output_shape must be of length 3, 4 or 5 but was {n + 2}.")


# --- atrous --------------------------------------------------------------------------------------
def atrous_conv2d(value, filters, rate, padding, name=None):
    """2-D convolution with a filter dilated by `rate` (holes between its taps)."""
    if int(rate) < 1:
        raise ValueError(f"rate {rate} cannot be less than one")
    return convolution(value, filters, padding, dilation_rate=[int(rate)] * 2, name=name)


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None):
    """The transpose of atrous_conv2d: `filters` is [height, width, out, in]."""
    with name_scope(name, "atrous_conv2d_transpose", [value, filters, output_shape]) as scope:
        x = convert_to_tensor(value, name="value")
        w = convert_to_tensor(filters, dtype=x.dtype, name="filters")
        if x.shape.ndims == 4 and w.shape.ndims == 4 \
                and not _same(x.shape[3].value, w.shape[3].value):
            raise ValueError(f"value's input channels does not match filters' input channels, "
                             f"{x.shape[3].value} != {w.shape[3].value}")
        if int(rate) < 1:
            raise ValueError(f"rate {rate} cannot be less than one")
        padding = _padding(padding)
        return conv_ops.conv2d_backprop_input(output_shape, w, x, [1, 1, 1, 1], padding,
                                              dilations=[1, int(rate), int(rate), 1],
                                              name=scope[:-1] + "/")


# --- depthwise gradients under their public names ----------------------------------------------
def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop,  # noqa: A002
                                           strides, padding, data_format="NHWC",
                                           dilations=(1, 1, 1, 1), name=None):
    """The gradient of depthwise_conv2d_native with respect to its input."""
    w = convert_to_tensor(filter)
    dy = convert_to_tensor(out_backprop, dtype=w.dtype)
    attrs = conv_ops.conv_attrs(strides, padding, data_format, dilations,
                                "depthwise_conv2d_backprop_input")
    return one(create_op("DepthwiseConv2dNativeBackpropInput", [_sizes(input_sizes), w, dy],
                          name=name or "DepthwiseConv2dNativeBackpropInput", **attrs))


def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop,  # noqa: A002
                                            strides, padding, data_format="NHWC",
                                            dilations=(1, 1, 1, 1), name=None):
    """The gradient of depthwise_conv2d_native with respect to its filter."""
    x = convert_to_tensor(input)
    dy = convert_to_tensor(out_backprop, dtype=x.dtype)
    attrs = conv_ops.conv_attrs(strides, padding, data_format, dilations,
                                "depthwise_conv2d_backprop_filter")
    return one(create_op("DepthwiseConv2dNativeBackpropFilter",
                          [x, _sizes(filter_sizes), dy],
                          name=name or "DepthwiseConv2dNativeBackpropFilter", **attrs))


depthwise_conv2d_backprop_input = depthwise_conv2d_native_backprop_input
depthwise_conv2d_backprop_filter = depthwise_conv2d_native_backprop_filter


# --- space to batch ------------------------------------------------------------------------------
def with_space_to_batch(input, dilation_rate, padding, op, filter_shape=None,  # noqa: A002
                        spatial_dims=None, data_format=None):
    """Runs op(converted_input, num_spatial_dims, padding) on the input moved into the batch
    by `dilation_rate` (so a plain op acts as a dilated one), then moves the result back."""
    x = convert_to_tensor(input, name="input")
    rates = [int(r) for r in np.atleast_1d(constant_value(convert_to_tensor(dilation_rate)))]
    n = len(rates)
    if spatial_dims is None:
        start = 2 if data_format is not None and data_format.startswith("NC") else 1
        spatial_dims = list(range(start, start + n))
    spatial_dims = [int(d) for d in spatial_dims]
    if sorted(spatial_dims) != spatial_dims or len(spatial_dims) != n:
        raise ValueError("spatial_dims must be a sorted list of unique integers, one per rate")
    if min(rates) < 1:
        raise ValueError("dilation_rate must be positive")
    padding = _padding(padding)
    if max(rates) == 1:
        return op(x, n, padding)
    # Block shape over dims 1..last spatial dim: 1 for the non-spatial ones between them.
    last = spatial_dims[-1]
    block = [1] * last
    for d, r in zip(spatial_dims, rates):
        block[d - 1] = r
    if padding == "SAME":
        if filter_shape is None:
            raise ValueError("filter_shape must be specified for SAME padding")
        fs = [int(v) for v in np.atleast_1d(constant_value(convert_to_tensor(filter_shape)))]
        extra = [(k - 1) * r for k, r in zip(fs, rates)]
        base = [(e // 2, e - e // 2) for e in extra]
    else:
        base = [(0, 0)] * n
    dims = x.shape.as_list() if x.shape.ndims is not None else None
    if dims is None or any(dims[d] is None for d in spatial_dims):
        raise ValueError("with_space_to_batch needs the input's spatial dimensions while "
                         "building the graph")
    paddings, crops = [[0, 0]] * last, [[0, 0]] * last
    for (d, r), (start, end) in zip(zip(spatial_dims, rates), base):
        extra_end = (r - (dims[d] + start + end) % r) % r
        paddings[d - 1] = [start, end + extra_end]
        crops[d - 1] = [0, extra_end]
    converted = rearrange.space_to_batch_nd(x, block, paddings)
    result = op(converted, n, "VALID")
    return rearrange.batch_to_space_nd(result, block, crops)


# --- pool ----------------------------------------------------------------------------------------
def pool(input, window_shape, pooling_type, padding, dilation_rate=None,  # noqa: A002
         strides=None, name=None, data_format=None, dilations=None):
    """N-d pooling ("MAX" or "AVG") over windows of `window_shape`, strided or dilated (not
    both; dilated windows with VALID padding only); dilated windows run through
    with_space_to_batch, as in TF."""
    dilation_rate = dilations if dilation_rate is None else dilation_rate
    with name_scope(name, f"{pooling_type.lower()}_pool", [input]) as scope:
        x = convert_to_tensor(input, name="input")
        window_shape = [int(v) for v in np.atleast_1d(window_shape)]
        n = len(window_shape)
        if n not in (1, 2, 3):
            raise ValueError(f"window_shape must be of length 1, 2 or 3, got {n}")
        if x.shape.ndims is not None and x.shape.ndims != n + 2:
            raise ValueError(f"Input tensor must be of rank {n + 2} but was {x.shape.ndims}")
        if pooling_type not in ("MAX", "AVG"):
            raise ValueError(f"Invalid pooling_type: {pooling_type!r}")
        strides = _ints(strides, n, "strides")
        rates = _ints(dilation_rate, n, "dilation_rate")
        if max(strides) > 1 and max(rates) > 1:
            raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
        if _padding(padding) == "SAME" and max(rates) > 1:
            raise ValueError("pooling with SAME padding is not implemented for dilation_rate "
                             "> 1")
        fmt, first = _format(data_format, n)

        def run(converted, _n, pad):
            return _pool_by_rank(pooling_type, converted, window_shape, strides, pad, fmt,
                                 None)

        result = with_space_to_batch(x, rates, padding, run, filter_shape=window_shape,
                                     data_format=fmt)
        return array.identity(result, name=scope[:-1] + "/")


# --- morphology -----------------------------------------------------------------------------------
def erosion2d(value, kernel, strides, rates, padding, name=None):
    """Grayscale erosion: -dilation2d(-value, kernel reversed in height and width)."""
    with name_scope(name, "erosion2d", [value, kernel]) as scope:
        kernel = convert_to_tensor(kernel)
        flipped = kernel[::-1, ::-1]
        dilated = dilation_ops.dilation2d(math_ops.negative(value), flipped, strides, rates,
                                          padding)
        return math_ops.negative(dilated, name=scope[:-1] + "/")


# --- TF 2's raw-op forms under tf. (top-level names) ----------------------------------------------
def _explicit_pairs(padding, explicit_paddings):
    if padding != "EXPLICIT":
        return padding
    values = [int(v) for v in explicit_paddings]
    return [values[i:i + 2] for i in range(0, len(values), 2)]


def conv2d_backprop_filter_v2(input, filter, out_backprop, strides, padding,  # noqa: A002
                              use_cudnn_on_gpu=True, explicit_paddings=(),
                              data_format="NHWC", dilations=(1, 1, 1, 1), name=None):
    """The gradient of conv2d with respect to `filter`, shaped like it (the filter's values
    are not read)."""
    return conv_ops.conv2d_backprop_filter(
        input, array.shape(filter), out_backprop, strides,
        _explicit_pairs(padding, explicit_paddings), data_format=data_format,
        dilations=dilations, name=name or "Conv2DBackpropFilterV2")


def conv2d_backprop_input_v2(input, filter, out_backprop, strides, padding,  # noqa: A002
                             use_cudnn_on_gpu=True, explicit_paddings=(),
                             data_format="NHWC", dilations=(1, 1, 1, 1), name=None):
    """The gradient of conv2d with respect to `input`, shaped like it (the input's values are
    not read)."""
    return conv_ops.conv2d_backprop_input(
        array.shape(input), filter, out_backprop, strides,
        _explicit_pairs(padding, explicit_paddings), data_format=data_format,
        dilations=dilations, name=name or "Conv2DBackpropInputV2")


def conv(input, filter, strides, padding, explicit_paddings=(),  # noqa: A002
         data_format="CHANNELS_LAST", dilations=(), batch_dims=1, groups=1, name=None):
    """2-D or 3-D convolution with TF's full-length strides and dilations,
    data_format CHANNELS_LAST or CHANNELS_FIRST, and grouped channels."""
    if batch_dims != 1:
        raise ValueError("conv supports batch_dims=1 only")
    if data_format not in ("CHANNELS_LAST", "CHANNELS_FIRST"):
        raise ValueError(f"data_format must be CHANNELS_LAST or CHANNELS_FIRST, got "
                         f"{data_format!r}")
    x = convert_to_tensor(input)
    w = convert_to_tensor(filter, dtype=x.dtype)
    if x.shape.ndims is None:
        raise ValueError("conv needs an input of known rank")
    n = x.shape.ndims - 2
    if n not in (2, 3):
        raise ValueError(f"Input tensor must be rank 4 or 5, excluding extra batch dimensions, "
                         f"but got: {x.shape.ndims}")
    first = data_format == "CHANNELS_FIRST"
    fmt = _FIRST_FORMATS[n] if first else _DEFAULT_FORMATS[n]
    strides = [int(s) for s in strides]
    dilations = [int(d) for d in dilations] or [1] * (n + 2)
    padding = _explicit_pairs(padding, explicit_paddings)
    if not isinstance(padding, str):
        if n != 2:
            raise ValueError("explicit padding is supported for 2-D convolutions only")
    with name_scope(name, "Conv", [x, w]) as scope:
        axis = 1 if first else n + 1
        xs = array.split(x, groups, axis=axis) if groups > 1 else [x]
        ws = array.split(w, groups, axis=n + 1) if groups > 1 else [w]
        outs = []
        for xg, wg in zip(xs, ws):
            if n == 2:
                outs.append(conv_ops.conv2d(xg, wg, strides, padding, data_format=fmt,
                                            dilations=dilations))
            else:
                outs.append(conv3d(xg, wg, strides, padding, fmt, dilations))
        out = outs[0] if groups == 1 else array.concat(outs, axis)
        return array.identity(out, name=scope[:-1] + "/")
