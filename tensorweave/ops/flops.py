"""The "flops" statistic of op types, counted as TensorFlow's RegisterStatistics rules count it.

TensorFlow registers these statistics apart from its op definitions (the profiler's
flops_registry, and nn_ops for the convolutions), and so does tensorweave: importing this
module registers them (tensorweave.profiler does). A rule needs the shapes it reads to be fully
known while building the graph, else it raises ValueError and the op has no count, as in TF.

>>> registry.statistics_for(matmul_op, "flops")   # 2 * k * output elements
"""
import numpy as np

from tensorweave.core import registry

FLOPS = "flops"


def _known(shape, what):
    if not shape.is_fully_defined():
        raise ValueError(f"The shape of {what} is not fully defined: {shape}")
    return shape


def input_shape(op, index):
    """The fully known static shape of input `index` of `op`; ValueError when it is not."""
    return _known(op.inputs[index].shape, op.inputs[index].name)


def output_shape(op, index=0):
    """The fully known static shape of output `index` of `op`; ValueError when it is not."""
    return _known(op.outputs[index].shape, op.outputs[index].name)


def _count(shape):
    return int(np.prod(shape.as_list(), dtype=np.int64))


def _check_nhwc(op):
    if op.attrs.get("data_format", "NHWC") not in ("NHWC", b"NHWC"):
        raise ValueError("Only NHWC format is supported in flops computations")


def _per_input_element(ops_per_element):
    return lambda op: _count(input_shape(op, 0)) * ops_per_element


def _per_output_element(ops_per_element):
    return lambda op: _count(output_shape(op)) * ops_per_element


def _reduction(reduce_flops, finalize_flops):
    def rule(op):
        return (_count(input_shape(op, 0)) * reduce_flops
                + _count(output_shape(op)) * (finalize_flops - reduce_flops))
    return rule


def _l2_loss(op):
    return _count(input_shape(op, 0)) * 3 - 1


def _kernel_area(op):
    return int(np.prod([int(k) for k in op.attrs["ksize"]], dtype=np.int64))


def _pool(op):
    _check_nhwc(op)
    return _kernel_area(op) * _count(output_shape(op))


def _avg_pool_grad(op):
    _check_nhwc(op)
    return _kernel_area(op) * _count(input_shape(op, 1)) * 2


def _max_pool_grad(op):
    _check_nhwc(op)
    original_output = _count(input_shape(op, 1))
    return _kernel_area(op) * original_output + original_output


def _stride_area(op):
    strides = [int(s) for s in op.attrs["strides"]]
    return strides[1] * strides[2]


def _conv2d_backprop_input(op):
    _check_nhwc(op)
    out = output_shape(op)
    kernel = input_shape(op, 1)
    return int(2 * _count(out) * _count(kernel) / (int(out[-1]) * _stride_area(op)))


def _conv2d_backprop_filter(op):
    _check_nhwc(op)
    image = input_shape(op, 0)
    kernel = output_shape(op)
    return int(2 * _count(image) * _count(kernel) / (int(image[-1]) * _stride_area(op)))


def _add_n(op):
    if not op.inputs:
        return 0
    return _count(input_shape(op, 0)) * (len(op.inputs) - 1)


def _matmul(op):
    a = input_shape(op, 0)
    transposed = bool(op.attrs.get("transpose_a", False) or op.attrs.get("adj_x", False))
    k = int(a[-2]) if transposed else int(a[-1])
    return k * _count(output_shape(op)) * 2


def _conv2d(op):
    input_shape(op, 0)
    kernel = input_shape(op, 1)
    return _count(output_shape(op)) * int(kernel[2]) * int(kernel[0]) * int(kernel[1]) * 2


def _conv3d(op):
    input_shape(op, 0)
    kernel = input_shape(op, 1)
    return (_count(output_shape(op)) * int(kernel[3]) * int(kernel[0]) * int(kernel[1])
            * int(kernel[2]) * 2)


def _window2d(op):
    """Depthwise convolution and dilation: 2 flops per output element and window entry."""
    input_shape(op, 0)
    kernel = input_shape(op, 1)
    return _count(output_shape(op)) * int(kernel[0]) * int(kernel[1]) * 2


RULES = {
    **{name: _per_input_element(1) for name in
       ("Reciprocal", "Square", "Log", "Neg", "AssignSub", "AssignAdd")},
    "Rsqrt": _per_input_element(2),
    "Softmax": _per_input_element(5),
    "L2Loss": _l2_loss,
    **{name: _per_output_element(1) for name in
       ("Add", "AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "Pow", "GreaterEqual",
        "Greater", "LessEqual", "Less", "Equal", "NotEqual")},
    "RsqrtGrad": _per_output_element(4),
    "SquaredDifference": _per_output_element(2),
    "Mean": _reduction(1, 1),
    **{name: _reduction(1, 0) for name in ("Sum", "ArgMax", "ArgMin", "BiasAddGrad")},
    "AvgPool": _pool,
    "MaxPool": _pool,
    "AvgPoolGrad": _avg_pool_grad,
    "MaxPoolGrad": _max_pool_grad,
    "Conv2DBackpropInput": _conv2d_backprop_input,
    "Conv2DBackpropFilter": _conv2d_backprop_filter,
    "AddN": _add_n,
    **{name: _matmul for name in ("MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3")},
    "Conv2D": _conv2d,
    "Conv3D": _conv3d,
    "DepthwiseConv2dNative": _window2d,
    "Dilation2D": _window2d,
    "BiasAdd": lambda op: _count(input_shape(op, 0)),
}

_REGISTERED = registry.registered_op_types()
for _op_type, _rule in RULES.items():
    if _op_type in _REGISTERED and FLOPS not in _REGISTERED[_op_type].statistics:
        registry.register_statistics(_op_type, FLOPS, _rule)
