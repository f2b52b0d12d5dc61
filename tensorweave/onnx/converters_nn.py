"""ONNX converters of TensorFlow's neural-network ops: convolutions, pooling, batch norm,
softmax, bias and image resizing.

TensorFlow's default layout is NHWC and ONNX's Conv, pooling and Resize work on NCHW: for NHWC
nodes the input is transposed to NCHW, the ONNX op runs, and the result is transposed back
(runtimes such as onnxruntime cancel the transposes between neighbouring ops).
"""
import numpy as np

from tensorweave.onnx.context import NCHW_TO_NHWC, NHWC_TO_NCHW, same_pads


def _nhwc(ctx):
    data_format = ctx.attr("data_format", "NHWC")
    if data_format not in ("NHWC", "NCHW"):
        ctx.fail(f"data_format {data_format} is not supported (only NHWC and NCHW)")
    return data_format == "NHWC"


def _spatial(values, nhwc):
    """The two spatial entries of a 4-entry NHWC or NCHW list."""
    return list(values[1:3]) if nhwc else list(values[2:4])


def _to_nchw(ctx, name, nhwc):
    return ctx.transpose(name, NHWC_TO_NCHW) if nhwc else name


def _from_nchw(ctx, name, nhwc):
    return ctx.transpose(name, NCHW_TO_NHWC) if nhwc else name


def _padding(ctx, kernel, strides, dilations, nhwc, input_index=0):
    """ONNX pads (or auto_pad) of a TF convolution or pooling node."""
    padding = ctx.attr("padding")
    if padding == "VALID":
        return {"pads": [0, 0, 0, 0]}
    if padding == "EXPLICIT":
        explicit = ctx.attr("explicit_paddings")
        pairs = [explicit[2 * d:2 * d + 2] for d in ((1, 2) if nhwc else (2, 3))]
        return {"pads": [pairs[0][0], pairs[1][0], pairs[0][1], pairs[1][1]]}
    if padding != "SAME":
        ctx.fail(f"padding {padding} is not supported")
    shape = ctx.shape(input_index)
    sizes = _spatial(shape, nhwc) if shape is not None else [None, None]
    if any(s is None for s in sizes):
        return {"auto_pad": "SAME_UPPER"}  # TF's SAME puts the odd pixel after, as SAME_UPPER
    pads = [same_pads(n, k, s, d) for n, k, s, d in zip(sizes, kernel, strides, dilations)]
    return {"pads": [pads[0][0], pads[1][0], pads[0][1], pads[1][1]]}


def _filter(ctx, i, reshape=None):
    """A TF filter [kh, kw, in, out] as ONNX's [out, in, kh, kw] (reshaped first if asked)."""
    value = ctx.value(i)
    if value is not None:
        if reshape is not None:
            value = value.reshape(reshape)
        return ctx.const(np.ascontiguousarray(value.transpose(3, 2, 0, 1)))
    name = ctx.input(i)
    if reshape is not None:
        name = ctx.add("Reshape", [name, ctx.const(np.asarray(reshape, np.int64))])
    return ctx.transpose(name, [3, 2, 0, 1])


def _strides_dilations(ctx, nhwc):
    strides = _spatial(ctx.attr("strides"), nhwc)
    dilations = _spatial(ctx.attr("dilations", [1, 1, 1, 1]), nhwc)
    return strides, dilations


def convert_conv2d(ctx):
    nhwc = _nhwc(ctx)
    filter_shape = ctx.shape(1)
    if filter_shape is None or any(d is None for d in filter_shape):
        ctx.fail("the filter's shape must be known")
    strides, dilations = _strides_dilations(ctx, nhwc)
    in_shape = ctx.shape(0)
    channels = None if in_shape is None else (in_shape[3] if nhwc else in_shape[1])
    group = channels // filter_shape[2] if channels else 1
    out = ctx.add("Conv", [_to_nchw(ctx, ctx.input(0), nhwc), _filter(ctx, 1)],
                  kernel_shape=filter_shape[:2], strides=strides, dilations=dilations,
                  group=group if group > 1 else None,
                  **_padding(ctx, filter_shape[:2], strides, dilations, nhwc))
    return _from_nchw(ctx, out, nhwc)


def convert_depthwise_conv2d(ctx):
    nhwc = _nhwc(ctx)
    filter_shape = ctx.shape(1)
    if filter_shape is None or any(d is None for d in filter_shape):
        ctx.fail("the filter's shape must be known")
    kh, kw, channels, multiplier = filter_shape
    strides, dilations = _strides_dilations(ctx, nhwc)
    weights = _filter(ctx, 1, reshape=[kh, kw, 1, channels * multiplier])
    out = ctx.add("Conv", [_to_nchw(ctx, ctx.input(0), nhwc), weights], kernel_shape=[kh, kw],
                  strides=strides, dilations=dilations, group=channels,
                  **_padding(ctx, [kh, kw], strides, dilations, nhwc))
    return _from_nchw(ctx, out, nhwc)


def convert_conv2d_backprop_input(ctx):
    """The transposed convolution: ConvTranspose with the pads that give TF's input_sizes."""
    nhwc = _nhwc(ctx)
    sizes = ctx.value(0)
    sizes = _spatial(list(sizes) if sizes is not None else ctx.out_shape() or [None] * 4, nhwc)
    if any(s is None for s in sizes):
        ctx.fail("the spatial entries of input_sizes must be known while building the graph")
    sizes = [int(s) for s in sizes]
    filter_shape, grad_shape = ctx.shape(1), ctx.shape(2)
    if filter_shape is None or any(d is None for d in filter_shape):
        ctx.fail("the filter's shape must be known")
    grad_sizes = _spatial(grad_shape, nhwc) if grad_shape is not None else [None, None]
    if any(s is None for s in grad_sizes):
        ctx.fail("the spatial size of out_backprop must be known")
    strides, dilations = _strides_dilations(ctx, nhwc)
    padding = ctx.attr("padding")
    begins, ends, extra = [], [], []
    for axis in range(2):
        n, o, k = sizes[axis], grad_sizes[axis], filter_shape[axis]
        s, d = strides[axis], dilations[axis]
        if padding == "SAME":
            before = same_pads(n, k, s, d)[0]
        elif padding == "VALID":
            before = 0
        elif padding == "EXPLICIT":
            explicit = ctx.attr("explicit_paddings")
            before = explicit[2 * ((1, 2) if nhwc else (2, 3))[axis]]
        else:
            ctx.fail(f"padding {padding} is not supported")
        full = (o - 1) * s + (k - 1) * d + 1
        after = full - before - n
        begins.append(before)
        ends.append(max(after, 0))
        extra.append(max(-after, 0))
    out = ctx.add("ConvTranspose", [_to_nchw(ctx, ctx.input(2), nhwc), _filter(ctx, 1)],
                  kernel_shape=filter_shape[:2], strides=strides, dilations=dilations,
                  pads=begins + ends, output_padding=extra if any(extra) else None)
    return _from_nchw(ctx, out, nhwc)


def pool(onnx_op):
    def convert(ctx):
        nhwc = _nhwc(ctx)
        ksize, strides = ctx.attr("ksize"), ctx.attr("strides")
        if len(ksize) != 4 or ksize[0] != 1 or ksize[3 if nhwc else 1] != 1:
            ctx.fail("pooling across the batch or the channels is not supported")
        kernel, strides = _spatial(ksize, nhwc), _spatial(strides, nhwc)
        extra = {"count_include_pad": 0} if onnx_op == "AveragePool" else {}
        out = ctx.add(onnx_op, [_to_nchw(ctx, ctx.input(0), nhwc)], kernel_shape=kernel,
                      strides=strides, **extra, **_padding(ctx, kernel, strides, [1, 1], nhwc))
        return _from_nchw(ctx, out, nhwc)
    return convert


def _channel_vector(ctx, name, nhwc, rank):
    """A [C] vector shaped to broadcast along the channel axis."""
    if nhwc:
        return name
    return ctx.add("Reshape", [name, ctx.const([-1] + [1] * (rank - 2), np.int64)])


def convert_fused_batch_norm(ctx):
    """Inference batch norm, x * scale / sqrt(variance + epsilon) + (offset - mean * that)."""
    if ctx.attr("is_training", True):
        ctx.fail("is_training=True (batch statistics) is not supported; export the inference "
                 "graph (is_training=False)")
    nhwc = _nhwc(ctx)
    rank = 4 if nhwc else ctx.require_rank(0)
    epsilon = float(ctx.attr("epsilon", 1e-4))
    dtype = ctx.dtype(0)
    values = [ctx.value(i) for i in range(1, 5)]
    if all(v is not None for v in values):
        scale, offset, mean, variance = (np.asarray(v, np.float64) for v in values)
        multiplier = scale / np.sqrt(variance + epsilon)
        mul = ctx.const(multiplier.astype(dtype))
        add = ctx.const((offset - mean * multiplier).astype(dtype))
    else:
        inputs = [ctx.input(i) for i in range(1, 5)]
        if ctx.dtype(1) != dtype:
            inputs = [ctx.cast(name, dtype) for name in inputs]
        scale, offset, mean, variance = inputs
        std = ctx.add("Sqrt", [ctx.add("Add", [variance, ctx.const(epsilon, dtype)])])
        mul = ctx.add("Div", [scale, std])
        add = ctx.add("Sub", [offset, ctx.add("Mul", [mean, mul])])
    mul, add = (_channel_vector(ctx, name, nhwc, rank) for name in (mul, add))
    return [ctx.add("Add", [ctx.add("Mul", [ctx.input(0), mul]), add])]


def convert_bias_add(ctx):
    nhwc = _nhwc(ctx)
    bias = ctx.input(1)
    if not nhwc:
        bias = _channel_vector(ctx, bias, False, ctx.require_rank(0))
    return ctx.add("Add", [ctx.input(0), bias])


def softmax(onnx_op):
    def convert(ctx):
        return ctx.add(onnx_op, [ctx.input(0)], axis=-1)
    return convert


def resize(mode):
    """TF 1.x resize: align_corners / half_pixel_centers as ONNX coordinate modes."""
    def convert(ctx):
        align, half = ctx.attr("align_corners", False), ctx.attr("half_pixel_centers", False)
        if align and half:
            ctx.fail("align_corners and half_pixel_centers cannot both be set")
        transform = "align_corners" if align else "half_pixel" if half else "asymmetric"
        extra = {}
        if mode == "nearest":
            # TF rounds half up with align_corners, floors (x + 0.5) * scale with half-pixel
            # centers (ONNX half_pixel then rounds half up), floors x * scale otherwise
            extra["nearest_mode"] = "floor" if transform == "asymmetric" else "round_prefer_ceil"
        image = ctx.input(0)
        if ctx.out_dtype() != ctx.dtype(0):  # TF's ResizeBilinear computes in float32
            image = ctx.cast(image, ctx.out_dtype())
        image = ctx.transpose(image, NHWC_TO_NCHW)
        shape = ctx.add("Shape", [image])
        batch_channels = ctx.add("Slice", [shape, ctx.const(np.asarray([0], np.int64)),
                                           ctx.const(np.asarray([2], np.int64))])
        sizes = ctx.add("Concat", [batch_channels, ctx.int64(1)], axis=0)
        out = ctx.add("Resize", [image, "", "", sizes], mode=mode,
                      coordinate_transformation_mode=transform, **extra)
        return ctx.transpose(out, NCHW_TO_NHWC)
    return convert


def space_depth(onnx_op):
    def convert(ctx):
        nhwc = _nhwc(ctx)
        extra = {"mode": "DCR"} if onnx_op == "DepthToSpace" else {}
        out = ctx.add(onnx_op, [_to_nchw(ctx, ctx.input(0), nhwc)],
                      blocksize=int(ctx.attr("block_size")), **extra)
        return _from_nchw(ctx, out, nhwc)
    return convert


CONVERTERS = {
    "Conv2D": convert_conv2d, "DepthwiseConv2dNative": convert_depthwise_conv2d,
    "Conv2DBackpropInput": convert_conv2d_backprop_input,
    "MaxPool": pool("MaxPool"), "AvgPool": pool("AveragePool"),
    "FusedBatchNorm": convert_fused_batch_norm, "FusedBatchNormV2": convert_fused_batch_norm,
    "FusedBatchNormV3": convert_fused_batch_norm,
    "BiasAdd": convert_bias_add, "BiasAddV1": convert_bias_add,
    "Softmax": softmax("Softmax"), "LogSoftmax": softmax("LogSoftmax"),
    "ResizeBilinear": resize("linear"), "ResizeNearestNeighbor": resize("nearest"),
    "DepthToSpace": space_depth("DepthToSpace"), "SpaceToDepth": space_depth("SpaceToDepth"),
}
