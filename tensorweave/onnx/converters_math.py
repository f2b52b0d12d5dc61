"""ONNX converters of TensorFlow's element-wise math, reductions, matrix products and casts."""
import numpy as np


def elementwise(onnx_op):
    """A converter writing `onnx_op` on all the node's inputs."""
    def convert(ctx):
        return ctx.add(onnx_op, [ctx.input(i) for i in range(len(ctx.inputs))])
    convert.__name__ = f"convert_to_{onnx_op}"
    return convert


def convert_identity(ctx):
    return ctx.input(0)


def convert_identity_n(ctx):
    return [ctx.input(i) for i in range(len(ctx.inputs))]


def convert_no_op(ctx):
    return []


def convert_placeholder(ctx):
    ctx.fail("a placeholder the outputs need is not among the inputs; list it in `inputs`")


def convert_placeholder_with_default(ctx):
    return ctx.input(0)


def convert_squared_difference(ctx):
    diff = ctx.add("Sub", [ctx.input(0), ctx.input(1)])
    return ctx.add("Mul", [diff, diff])


def convert_square(ctx):
    return ctx.add("Mul", [ctx.input(0), ctx.input(0)])


def convert_rsqrt(ctx):
    return ctx.add("Reciprocal", [ctx.add("Sqrt", [ctx.input(0)])])


def convert_log1p(ctx):
    return ctx.add("Log", [ctx.add("Add", [ctx.input(0), ctx.const(1, ctx.dtype(0))])])


def convert_not_equal(ctx):
    return ctx.add("Not", [ctx.add("Equal", [ctx.input(0), ctx.input(1)])])


def convert_real_div(ctx):
    if not np.issubdtype(ctx.dtype(0), np.floating):
        ctx.fail("integer division has no ONNX converter (ONNX Div truncates, TF floors)")
    return ctx.add("Div", [ctx.input(0), ctx.input(1)])


def convert_floor_div(ctx):
    if not np.issubdtype(ctx.dtype(0), np.floating):
        ctx.fail("integer floor division has no ONNX converter")
    return ctx.add("Floor", [ctx.add("Div", [ctx.input(0), ctx.input(1)])])


def convert_relu6(ctx):
    dtype = ctx.dtype(0)
    return ctx.add("Clip", [ctx.input(0), ctx.const(0, dtype), ctx.const(6, dtype)])


def convert_elu(ctx):
    return ctx.add("Elu", [ctx.input(0)], alpha=1.0)


def convert_selu(ctx):
    # TensorFlow's constants, which are ONNX's defaults too
    return ctx.add("Selu", [ctx.input(0)], alpha=1.6732632423543772,
                   gamma=1.0507009873554805)


def convert_leaky_relu(ctx):
    return ctx.add("LeakyRelu", [ctx.input(0)], alpha=float(ctx.attr("alpha", 0.2)))


def convert_clip_by_value(ctx):
    # TensorFlow: max(min(x, clip_max), clip_min), with broadcasting
    return ctx.add("Max", [ctx.add("Min", [ctx.input(0), ctx.input(2)]), ctx.input(1)])


def convert_add_n(ctx):
    return ctx.add("Sum", [ctx.input(i) for i in range(len(ctx.inputs))])


# --- matrix products ---------------------------------------------------------------------------
def _transposed_last_two(ctx, i):
    value = ctx.value(i)
    if value is not None:
        return ctx.const(np.swapaxes(value, -1, -2))
    rank = ctx.require_rank(i)
    perm = list(range(rank - 2)) + [rank - 1, rank - 2]
    return ctx.transpose(ctx.input(i), perm)


def matmul(flag_a, flag_b):
    def convert(ctx):
        a = _transposed_last_two(ctx, 0) if ctx.attr(flag_a, False) else ctx.input(0)
        b = _transposed_last_two(ctx, 1) if ctx.attr(flag_b, False) else ctx.input(1)
        return ctx.add("MatMul", [a, b])
    return convert


def convert_einsum(ctx):
    equation = ctx.attr("equation").replace(" ", "")
    if "..." in equation and "->" not in equation:
        ctx.fail("an implicit-output equation with an ellipsis is not supported")
    return ctx.add("Einsum", [ctx.input(i) for i in range(len(ctx.inputs))], equation=equation)


# --- reductions ----------------------------------------------------------------------------------
def reduction(onnx_op, boolean=False):
    def convert(ctx):
        axes = ctx.require_value(1, "reduction axes")
        keep = bool(ctx.attr("keep_dims", False))
        source = ctx.input(0)
        if boolean:  # ONNX reduces numbers: bool -> int32 -> bool
            source = ctx.cast(source, np.int32)
            out = ctx.reduce(onnx_op, source, axes, keep)
            return ctx.cast(out, np.bool_)
        return ctx.reduce(onnx_op, source, axes, keep)
    return convert


def arg_reduction(onnx_op):
    def convert(ctx):
        axis = int(ctx.require_value(1, "axis"))
        out = ctx.add(onnx_op, [ctx.input(0)], axis=axis, keepdims=0)
        if ctx.out_dtype() != np.int64:
            out = ctx.cast(out, ctx.out_dtype())
        return out
    return convert


# --- casts, selection, generation ------------------------------------------------------------
def convert_cast(ctx):
    return ctx.cast(ctx.input(0), ctx.attr("DstT"))


def convert_select(ctx):
    return ctx.add("Where", [ctx.input(0), ctx.input(1), ctx.input(2)])


def convert_select_v1(ctx):
    """TF's Select: a vector condition with matrices picks whole rows (no broadcasting)."""
    cond, rank_c, rank_t = ctx.input(0), ctx.rank(0), ctx.rank(1)
    if rank_c is None or rank_t is None:
        ctx.fail("the ranks of its condition and values must be known")
    if rank_c == 1 and rank_t > 1:
        cond = ctx.add("Reshape", [cond, ctx.const([-1] + [1] * (rank_t - 1), np.int64)])
    return ctx.add("Where", [cond, ctx.input(1), ctx.input(2)])


def convert_fill(ctx):
    return ctx.add("Expand", [ctx.input(1), ctx.int64(0)])


def convert_range(ctx):
    dtype = ctx.out_dtype()
    inputs = []
    for i in range(3):
        value = ctx.value(i)
        inputs.append(ctx.const(value, dtype) if value is not None
                      else ctx.cast(ctx.input(i), dtype) if ctx.dtype(i) != dtype
                      else ctx.input(i))
    return ctx.add("Range", inputs)


def random(onnx_op):
    """RandomUniform / RandomStandardNormal: ONNX draws its own numbers (not TF's stream)."""
    def convert(ctx):
        dtype = ctx.attr("dtype")
        zeros = ctx.add("ConstantOfShape", [ctx.int64(0)])
        seed = ctx.attr("seed2", 0) or ctx.attr("seed", 0)
        return ctx.add(onnx_op, [zeros], dtype=ctx.builder.onnx_dtype(dtype),
                       seed=float(seed) if seed else None)
    return convert


def convert_size(ctx):
    out = ctx.add("Size", [ctx.input(0)])
    return ctx.cast(out, ctx.attr("out_type", np.dtype(np.int32)))


UNARY = {
    "Neg": "Neg", "Exp": "Exp", "Log": "Log", "Sqrt": "Sqrt", "Abs": "Abs", "Tanh": "Tanh",
    "Sigmoid": "Sigmoid", "Relu": "Relu", "Softplus": "Softplus", "Softsign": "Softsign",
    "Floor": "Floor", "Ceil": "Ceil", "Round": "Round", "Sign": "Sign", "Reciprocal": "Reciprocal",
    "Inv": "Reciprocal", "Sin": "Sin", "Cos": "Cos", "Tan": "Tan", "Asin": "Asin",
    "Acos": "Acos", "Atan": "Atan", "Sinh": "Sinh", "Cosh": "Cosh", "Asinh": "Asinh",
    "Acosh": "Acosh", "Atanh": "Atanh", "Erf": "Erf", "LogicalNot": "Not", "IsNan": "IsNaN",
}
BINARY = {
    "Add": "Add", "AddV2": "Add", "Sub": "Sub", "Mul": "Mul", "Maximum": "Max",
    "Minimum": "Min", "Pow": "Pow", "Greater": "Greater", "GreaterEqual": "GreaterOrEqual",
    "Less": "Less", "LessEqual": "LessOrEqual", "Equal": "Equal", "LogicalAnd": "And",
    "LogicalOr": "Or",
}

CONVERTERS = {
    **{tf_op: elementwise(onnx_op) for tf_op, onnx_op in {**UNARY, **BINARY}.items()},
    "Identity": convert_identity, "StopGradient": convert_identity,
    "PreventGradient": convert_identity, "Snapshot": convert_identity,
    "IdentityN": convert_identity_n, "NoOp": convert_no_op,
    "Placeholder": convert_placeholder, "PlaceholderWithDefault": convert_placeholder_with_default,
    "RealDiv": convert_real_div, "Div": convert_real_div, "FloorDiv": convert_floor_div,
    "SquaredDifference": convert_squared_difference, "Square": convert_square,
    "Rsqrt": convert_rsqrt, "Log1p": convert_log1p, "NotEqual": convert_not_equal,
    "Relu6": convert_relu6, "Elu": convert_elu, "Selu": convert_selu,
    "LeakyRelu": convert_leaky_relu, "ClipByValue": convert_clip_by_value,
    "AddN": convert_add_n,
    "MatMul": matmul("transpose_a", "transpose_b"),
    "BatchMatMul": matmul("adj_x", "adj_y"), "BatchMatMulV2": matmul("adj_x", "adj_y"),
    "BatchMatMulV3": matmul("adj_x", "adj_y"),
    "Einsum": convert_einsum,
    "Mean": reduction("ReduceMean"), "Sum": reduction("ReduceSum"),
    "Max": reduction("ReduceMax"), "Min": reduction("ReduceMin"),
    "Prod": reduction("ReduceProd"), "All": reduction("ReduceMin", boolean=True),
    "Any": reduction("ReduceMax", boolean=True),
    "ArgMax": arg_reduction("ArgMax"), "ArgMin": arg_reduction("ArgMin"),
    "Cast": convert_cast, "Select": convert_select_v1, "SelectV2": convert_select,
    "Fill": convert_fill, "Range": convert_range, "Size": convert_size,
    "RandomUniform": random("RandomUniformLike"),
    "RandomStandardNormal": random("RandomNormalLike"),
}
