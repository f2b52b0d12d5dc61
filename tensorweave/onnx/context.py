"""What a converter sees of one TensorFlow node while it is written as ONNX nodes.

A converter is a function `convert(ctx) -> [onnx value name per TF output]` (a single name for
one output; None for an output no ONNX value stands for). Through `ctx` it reads the node's
attrs, its inputs as ONNX value names, their constant values, static shapes and dtypes, and adds
ONNX nodes and constants:

    def convert_relu6(ctx):
        return ctx.add("Clip", [ctx.input(0), ctx.const(0, ctx.dtype(0)),
                                ctx.const(6, ctx.dtype(0))])
"""
import numpy as np

from tensorweave.core import graph_def as graph_def_format

INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min
NHWC_TO_NCHW = [0, 3, 1, 2]
NCHW_TO_NHWC = [0, 2, 3, 1]
_MISSING = object()


class ExportError(ValueError):
    """A graph (or a node of it) that cannot be written as ONNX; the message names the node."""


def require_onnx():
    """The `onnx` module, or ImportError naming the extra that brings it."""
    try:
        import onnx
        import onnx.numpy_helper  # noqa: F401 - loads the helper submodule
    except ImportError as e:
        raise ImportError("tensorweave.onnx needs the onnx package: "
                          "pip install tensorweave[onnx]") from e
    return onnx


def tensor_name(name):
    """'a' -> 'a:0'; 'a:1' stays."""
    return name if ":" in name else f"{name}:0"


def data_inputs(node):
    """The NodeDef's data inputs as tensor names ('x:0'), control inputs left out."""
    return [tensor_name(i) for i in node.input if not i.startswith("^")]


def decode_attr(value):
    """A NodeDef AttrValue as a Python value (types as NumPy dtypes, shapes as lists)."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "list":
        lst = value.list
        for field in ("i", "f", "b", "s", "type", "shape", "tensor"):
            items = list(getattr(lst, field))
            if items:
                return [_decode_scalar(field, v) for v in items]
        return []
    return _decode_scalar(kind, getattr(value, kind))


def _decode_scalar(kind, raw):
    if kind == "s":
        return raw.decode("utf-8", "replace")
    if kind == "type":
        return np.dtype(graph_def_format.dtype_from_enum(raw).as_numpy_dtype)
    if kind == "shape":
        shape = graph_def_format.shape_from_proto(raw)
        return None if shape.ndims is None else shape.as_list()
    if kind == "tensor":
        return graph_def_format.tensor_value(raw)
    return raw


def same_pads(size, kernel, stride, dilation):
    """TensorFlow's SAME padding of one spatial dimension: (before, after)."""
    effective = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


class OnnxGraphBuilder:
    """The ONNX nodes and initializers being written, with unique value names."""

    def __init__(self, onnx, opset):
        self.onnx, self.opset = onnx, opset
        self.nodes, self.initializers = [], []
        self._used = set()

    def reserve(self, name):
        self._used.add(name)

    def fresh(self, base):
        name, n = base, 0
        while name in self._used:
            n += 1
            name = f"{base}_{n}"
        self._used.add(name)
        return name

    def add_node(self, op_type, inputs, base, outputs=1, **attrs):
        names = [self.fresh(f"{base}/{op_type}" + (f":{k}" if outputs > 1 else ""))
                 for k in range(outputs)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(self.onnx.helper.make_node(
            op_type, list(inputs), names, name=self.fresh(f"{base}/{op_type}/node"), **attrs))
        return names[0] if outputs == 1 else names

    def add_initializer(self, array, base):
        name = self.fresh(base)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(array), name))
        return name

    def onnx_dtype(self, dtype):
        return self.onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


class NodeContext:
    """One TensorFlow node during conversion (see the module docstring)."""

    def __init__(self, exporter, node):
        self.node, self._exporter = node, exporter
        self.builder = exporter.builder
        self.inputs = data_inputs(node)

    # --- the node ---------------------------------------------------------------------------
    @property
    def op(self):
        return self.node.op

    @property
    def name(self):
        return self.node.name

    @property
    def opset(self):
        return self.builder.opset

    def attr(self, name, default=_MISSING):
        if name in self.node.attr:
            return decode_attr(self.node.attr[name])
        if default is _MISSING:
            self.fail(f"has no attr '{name}'")
        return default

    def fail(self, message):
        raise ExportError(f"ONNX export of node '{self.name}' (op type {self.op}): {message}")

    # --- its inputs and outputs -------------------------------------------------------------
    def input(self, i):
        return self._exporter.onnx_value(self.inputs[i])

    def value(self, i):
        """The constant value of input `i` (NumPy), or None when it is computed at run time."""
        return self._exporter.constant(self.inputs[i])

    def require_value(self, i, what):
        value = self.value(i)
        if value is None:
            self.fail(f"its {what} (input {i}) must be a constant")
        return value

    def shape(self, i):
        return self._exporter.static_shape(self.inputs[i])

    def rank(self, i):
        shape = self.shape(i)
        return None if shape is None else len(shape)

    def require_rank(self, i):
        rank = self.rank(i)
        if rank is None:
            self.fail(f"the rank of input {i} must be known")
        return rank

    def dtype(self, i):
        return self._exporter.dtype(self.inputs[i])

    def out_shape(self, k=0):
        return self._exporter.static_shape(f"{self.name}:{k}")

    def out_dtype(self, k=0):
        return self._exporter.dtype(f"{self.name}:{k}")

    # --- writing ----------------------------------------------------------------------------
    def add(self, op_type, inputs, outputs=1, **attrs):
        """Adds an ONNX node; returns its output name (a list for several outputs)."""
        return self.builder.add_node(op_type, inputs, self.name, outputs, **attrs)

    def const(self, value, dtype=None):
        """An initializer holding `value` (with `dtype` when given)."""
        array = np.asarray(value, dtype=dtype)
        return self.builder.add_initializer(array, f"{self.name}/const")

    def int64(self, i):
        """Input `i` as int64 (a constant when it is one)."""
        value = self.value(i)
        if value is not None:
            return self.const(np.asarray(value, np.int64))
        if self.dtype(i) == np.int64:
            return self.input(i)
        return self.add("Cast", [self.input(i)], to=self.builder.onnx_dtype(np.int64))

    def cast(self, name, dtype):
        return self.add("Cast", [name], to=self.builder.onnx_dtype(dtype))

    def transpose(self, name, perm):
        return self.add("Transpose", [name], perm=list(perm))

    def unsqueeze(self, name, axes):
        return self.add("Unsqueeze", [name, self.const(np.asarray(axes, np.int64))])

    def squeeze(self, name, axes=None):
        inputs = [name] if axes is None else [name, self.const(np.asarray(axes, np.int64))]
        return self.add("Squeeze", inputs)

    def reduce(self, onnx_op, name, axes, keepdims):
        """ReduceX over `axes` (a list) in the form the opset wants (axes attr or input)."""
        axes = [int(a) for a in np.asarray(axes).reshape(-1)]
        if not axes:
            return self.add("Identity", [name])
        if onnx_op == "ReduceSum" or self.opset >= 18:
            return self.add(onnx_op, [name, self.const(np.asarray(axes, np.int64))],
                            keepdims=int(keepdims))
        return self.add(onnx_op, [name], axes=axes, keepdims=int(keepdims))
