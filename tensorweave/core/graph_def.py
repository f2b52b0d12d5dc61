"""The graph as TensorFlow's `GraphDef` protocol buffer: what TensorBoard's graph dashboard draws
and `tf.train.write_graph` saves.

Protobuf classes come from the optional `tensorboard` package (`pip install
tensorweave[tensorboard]`); this module is imported only when a GraphDef is asked for, so
`import tensorweave` never loads protobuf.

    graph_def = tf.get_default_graph().as_graph_def(add_shapes=True)
    [n.name for n in graph_def.node]
"""
import numbers

import numpy as np

from tensorweave.core import dtypes as _dtypes
from tensorweave.core import tf_op_signatures
from tensorweave.core.operation import Operation, Tensor
from tensorweave.core.tensor_shape import TensorShape

try:
    from tensorboard.compat.proto import (attr_value_pb2, graph_pb2, node_def_pb2,
                                          tensor_pb2, tensor_shape_pb2, types_pb2)
except ImportError as _error:  # pragma: no cover - exercised only without the extra
    raise ImportError("GraphDef export needs the `tensorboard` package: "
                      "pip install 'tensorweave[tensorboard]'") from _error

# GraphDef.versions.producer: readers only check it against their minimum consumer version (0).
GRAPH_DEF_PRODUCER = 134

_DATATYPE_BY_NAME = {
    "float16": types_pb2.DT_HALF, "float32": types_pb2.DT_FLOAT,
    "float64": types_pb2.DT_DOUBLE, "int8": types_pb2.DT_INT8, "int16": types_pb2.DT_INT16,
    "int32": types_pb2.DT_INT32, "int64": types_pb2.DT_INT64, "uint8": types_pb2.DT_UINT8,
    "uint16": types_pb2.DT_UINT16, "uint32": types_pb2.DT_UINT32,
    "uint64": types_pb2.DT_UINT64, "bool": types_pb2.DT_BOOL,
    "complex64": types_pb2.DT_COMPLEX64, "complex128": types_pb2.DT_COMPLEX128,
    "string": types_pb2.DT_STRING, "variant": types_pb2.DT_VARIANT,
    "resource": types_pb2.DT_RESOURCE,  # queue and reader handles
    "qint8": types_pb2.DT_QINT8, "quint8": types_pb2.DT_QUINT8,
    "qint16": types_pb2.DT_QINT16, "quint16": types_pb2.DT_QUINT16,
    "qint32": types_pb2.DT_QINT32, "bfloat16": types_pb2.DT_BFLOAT16,
}
_DTYPE_BY_DATATYPE = {enum: _dtypes.as_dtype(name) for name, enum in _DATATYPE_BY_NAME.items()}


def datatype_enum(dtype):
    """The `DataType` enum value (types.proto) of a tensorweave DType or NumPy dtype."""
    return _DATATYPE_BY_NAME[_dtypes.as_dtype(dtype).name]


def dtype_from_enum(enum):
    """The tensorweave DType of a `DataType` enum value."""
    return _DTYPE_BY_DATATYPE[enum]


def shape_proto(shape):
    """A `TensorShapeProto`: unknown rank, or dims with -1 for unknown sizes."""
    shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
    dims = shape.as_tuple()
    if dims is None:
        return tensor_shape_pb2.TensorShapeProto(unknown_rank=True)
    return tensor_shape_pb2.TensorShapeProto(
        dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=-1 if d is None else d) for d in dims])


def tensor_proto(value, dtype=None):
    """A `TensorProto` holding NumPy-convertible `value` (strings as bytes in string_val).

    Scalars, and tensors whose elements are all the same, are written as TensorFlow writes a
    constant made from a scalar: the shape and one value in the typed field (float_val, ...),
    which readers repeat, so `tf.constant(0.5, shape=[1000, 1000])` takes a few bytes, not 4 MB.
    """
    dtype = _dtypes.as_dtype(dtype) if dtype is not None else None
    if dtype is None:
        array = np.asarray(value)
        dtype = _dtypes.string if array.dtype.kind in "OSU" else _dtypes.as_dtype(array.dtype)
    proto = tensor_pb2.TensorProto(dtype=datatype_enum(dtype),
                                   tensor_shape=shape_proto(np.shape(value)))
    if dtype is _dtypes.string:
        items = [_as_bytes(v) for v in np.asarray(value, dtype=object).flat]
        proto.string_val.extend(items[:1] if len(set(items)) == 1 else items)
        return proto
    array = np.asarray(value, dtype=dtype.as_numpy_dtype)
    if array.size <= 1 or _is_splat(array):
        _set_values(proto, dtype, array.reshape(-1)[:1])
    else:
        proto.tensor_content = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
    return proto


def _is_splat(array):
    """True if every element of `array` has the same bytes (so -0.0 and 0.0 differ)."""
    flat = np.ascontiguousarray(array).reshape(-1)
    as_bytes = flat.view(np.uint8).reshape(flat.size, -1)
    return bool((as_bytes == as_bytes[0]).all())


def _set_values(proto, dtype, values):
    """Fills the typed value field of `proto` (float_val, int_val, ...) with `values`."""
    field = getattr(proto, _VALUE_FIELDS[dtype.name])
    if dtype is _dtypes.float16:
        field.extend(int(v) for v in values.view(np.uint16))
    elif dtype.is_complex:
        for v in values:
            field.extend((float(v.real), float(v.imag)))
    else:
        field.extend(v.item() for v in values)


def _as_bytes(value):
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")


# Values that are not plain AttrValue data travel as a `func` (NameAttrList) whose name says
# what they are; TensorFlow never reads these attrs (its ops do not have them).
_TUPLE, _LIST, _DICT = "tensorweave.tuple", "tensorweave.list", "tensorweave.dict"
_SLICE, _ELLIPSIS = "tensorweave.slice", "tensorweave.Ellipsis"
_TENSOR, _OPERATION, _OPAQUE = "tensorweave.Tensor", "tensorweave.Operation", "tensorweave.opaque"


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def _is_real(v):
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


# (test for every item, ListValue field, item encoder) for lists of plain data, in order
_LIST_FIELDS = (
    (lambda v: isinstance(v, _dtypes.DType), "type", datatype_enum),
    (lambda v: isinstance(v, TensorShape), "shape", shape_proto),
    (lambda v: isinstance(v, (bool, np.bool_)), "b", bool),
    (_is_int, "i", int),
    (_is_real, "f", float),
    (lambda v: isinstance(v, str), "s", lambda v: v.encode("utf-8")),
    (lambda v: isinstance(v, bytes), "s", bytes),
    (lambda v: isinstance(v, np.ndarray), "tensor", tensor_proto),
)


def _func(kind, attrs=None):
    Attr = attr_value_pb2.AttrValue
    value = Attr(func=attr_value_pb2.NameAttrList(name=kind))
    for key, item in (attrs or {}).items():
        value.func.attr[key].CopyFrom(item)
    return value


def attr_value(value):
    """An `AttrValue` for an op attr: DTypes as DataType enums, shapes as TensorShapeProtos,
    arrays as tensors, Python scalars and homogeneous lists as such, None as an empty value;
    other tuples, lists, dicts, slices, Tensors and Operations as a named `func`; anything
    else as an opaque marker that tf.import_graph_def refuses."""
    Attr = attr_value_pb2.AttrValue
    if value is None:
        return Attr()
    if isinstance(value, _dtypes.DType):
        return Attr(type=datatype_enum(value))
    if isinstance(value, TensorShape):
        return Attr(shape=shape_proto(value))
    if isinstance(value, (bool, np.bool_)):
        return Attr(b=bool(value))
    if _is_int(value):
        return Attr(i=int(value))
    if _is_real(value):
        return Attr(f=float(value))
    if isinstance(value, str):
        return Attr(s=value.encode("utf-8"))
    if isinstance(value, bytes):
        return Attr(s=value)
    if isinstance(value, np.ndarray):
        return Attr(tensor=tensor_proto(value))
    if isinstance(value, (list, tuple)):
        for test, field, encode in _LIST_FIELDS:
            if value and all(test(v) for v in value):
                return Attr(list=Attr.ListValue(**{field: [encode(v) for v in value]}))
        if not value:
            return Attr(list=Attr.ListValue())
        items = {str(i): attr_value(v) for i, v in enumerate(value)}
        return _func(_TUPLE if isinstance(value, tuple) else _LIST, items)
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return _func(_DICT, {k: attr_value(v) for k, v in value.items()})
    if isinstance(value, slice):
        return _func(_SLICE, {"start": attr_value(value.start), "stop": attr_value(value.stop),
                              "step": attr_value(value.step)})
    if value is Ellipsis:
        return _func(_ELLIPSIS)
    kind = type(value).__name__
    if isinstance(value, (Tensor, Operation)):
        return _func(_TENSOR if isinstance(value, Tensor) else _OPERATION,
                     {"name": Attr(s=value.name.encode("utf-8"))})
    return _func(_OPAQUE, {"type": Attr(s=kind.encode("utf-8")),
                           "repr": Attr(s=repr(value)[:200].encode("utf-8"))})


# --- reading ----------------------------------------------------------------------------------
_VALUE_FIELDS = {
    "float32": "float_val", "float64": "double_val", "float16": "half_val",
    "int8": "int_val", "int16": "int_val", "int32": "int_val", "uint8": "int_val",
    "uint16": "int_val", "int64": "int64_val", "uint32": "uint32_val", "uint64": "uint64_val",
    "bool": "bool_val", "complex64": "scomplex_val", "complex128": "dcomplex_val",
}


def tensor_value(proto):
    """The NumPy array a `TensorProto` holds (TF's tf.make_ndarray): from tensor_content, or
    from the typed value fields, whose last value fills the rest of the shape."""
    dtype = dtype_from_enum(proto.dtype)
    shape = tuple(d.size for d in proto.tensor_shape.dim)
    size = int(np.prod(shape, dtype=np.int64))
    if dtype is _dtypes.string:
        values = list(proto.string_val)
        array = np.empty(size, dtype=object)
        array[:len(values)] = values
        if values and len(values) < size:
            array[len(values):] = values[-1]
        return array.reshape(shape)
    np_dtype = np.dtype(dtype.as_numpy_dtype)
    if proto.tensor_content:
        return np.frombuffer(proto.tensor_content, np_dtype.newbyteorder("<")) \
            .astype(np_dtype).reshape(shape)
    raw = list(getattr(proto, _VALUE_FIELDS[dtype.name]))
    if dtype is _dtypes.float16:
        flat = np.array(raw, np.uint16).view(np.float16)
    elif dtype.is_complex:
        flat = np.array(raw[0::2], np_dtype) + 1j * np.array(raw[1::2], np_dtype)
    else:
        flat = np.array(raw, np_dtype)
    if flat.size == size:
        return flat.reshape(shape)
    filled = np.zeros(size, np_dtype)
    filled[:flat.size] = flat
    if flat.size:
        filled[flat.size:] = flat[-1]
    return filled.reshape(shape)


def shape_from_proto(proto):
    """The TensorShape of a `TensorShapeProto` (-1 sizes unknown)."""
    if proto.unknown_rank:
        return TensorShape(None)
    return TensorShape([None if d.size < 0 else d.size for d in proto.dim])


def _text(raw):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


_LIST_DECODERS = (("type", dtype_from_enum), ("shape", shape_from_proto), ("b", bool),
                  ("i", int), ("f", float), ("s", _text), ("tensor", tensor_value))


def attr_from_value(value, resolve):
    """The Python value of an `AttrValue` written by `attr_value` (or by TensorFlow);
    `resolve(name, is_tensor)` finds the Tensor or Operation a reference names."""
    field = value.WhichOneof("value")
    if field is None:
        return None
    if field == "list":
        for name, decode in _LIST_DECODERS:
            items = getattr(value.list, name)
            if len(items):
                return tuple(decode(v) for v in items)
        return ()
    if field == "func":
        return _func_value(value.func, resolve)
    if field == "placeholder":
        raise ValueError(f"attr placeholder '{value.placeholder}' outside a function")
    decode = {"type": dtype_from_enum, "shape": shape_from_proto, "tensor": tensor_value,
              "s": _text}.get(field, lambda v: v)
    return decode(getattr(value, field))


def _func_value(func, resolve):
    attrs = func.attr
    if func.name in (_TUPLE, _LIST):
        items = [attr_from_value(attrs[str(i)], resolve) for i in range(len(attrs))]
        return tuple(items) if func.name == _TUPLE else items
    if func.name == _DICT:
        return {k: attr_from_value(v, resolve) for k, v in attrs.items()}
    if func.name == _SLICE:
        return slice(*(attr_from_value(attrs[k], resolve) for k in ("start", "stop", "step")))
    if func.name == _ELLIPSIS:
        return Ellipsis
    if func.name in (_TENSOR, _OPERATION):
        return resolve(_text(attrs["name"].s), func.name == _TENSOR)
    if func.name == _OPAQUE:
        raise ValueError(f"it holds a Python object ({_text(attrs['type'].s)}) that a GraphDef "
                         "cannot carry; build that part of the graph in code instead")
    raise ValueError(f"function attrs ({func.name!r}) are not supported by tensorweave")


def attr_references(value):
    """Names of the Tensors and Operations an `AttrValue` refers to (the ops it needs)."""
    if value.WhichOneof("value") != "func":
        return []
    if value.func.name in (_TENSOR, _OPERATION):
        return [_text(value.func.attr["name"].s)]
    return [name for item in value.func.attr.values() for name in attr_references(item)]


def input_name(tensor):
    """TF's input naming: 'op' for output 0, 'op:k' for output k."""
    return tensor.op.name if tensor.value_index == 0 else f"{tensor.op.name}:{tensor.value_index}"


def _typed_by_t(op):
    """The input whose dtype TensorFlow's OpDef of op.type names `T` (Select's x, not its
    condition; DynamicStitch's data, not its indices); the first input when the OpDef is not
    known or its inputs do not line up."""
    signature = tf_op_signatures.SIGNATURES.get(op.type)
    if signature is None:
        return op.inputs[0]
    per_input = []  # the type word of each input, lists expanded by their number attr
    for word in signature[0].split():
        base, _, count = word.partition("*")
        repeat = op.attrs.get(count, 1) if count else 1
        if not isinstance(repeat, int):
            return op.inputs[0]
        per_input += [base] * repeat
    if len(per_input) == len(op.inputs) and "T" in per_input:
        return op.inputs[per_input.index("T")]
    return op.inputs[0]


def node_def(op, add_shapes=False):
    """The `NodeDef` of Operation `op`: name, op type, inputs (control inputs as '^name'),
    device and attrs. Ops with inputs also get `T`, the dtype of the input TensorFlow's OpDef
    types by `T` (else the first input's); `add_shapes` adds `_output_shapes`."""
    node = node_def_pb2.NodeDef(name=op.name, op=op.type, device=op.device)
    node.input.extend(input_name(t) for t in op.inputs)
    node.input.extend("^" + c.name for c in op.control_inputs)
    codecs = op.op_def.attr_codecs
    for key, value in {**op.attrs, **op.internal_attrs}.items():
        if key in codecs:
            value = codecs[key][0](value)
        node.attr[key].CopyFrom(attr_value(value))
    if op.inputs and "T" not in op.attrs:
        node.attr["T"].type = datatype_enum(_typed_by_t(op).dtype)
    if add_shapes:
        node.attr["_output_shapes"].list.shape.extend(shape_proto(t.shape) for t in op.outputs)
    return node


def graph_to_graph_def(graph, from_version=None, add_shapes=False):
    """`graph` as a `GraphDef` (TF's Graph.as_graph_def): the ops in creation order; with
    `from_version`, only the ops after the first `from_version` ones (TF numbers ops from 1
    and keeps those whose id is above `from_version`)."""
    graph_def = graph_pb2.GraphDef()
    graph_def.versions.producer = GRAPH_DEF_PRODUCER
    ops = graph.get_operations()
    if from_version is not None:
        ops = ops[max(int(from_version), 0):]
    graph_def.node.extend(node_def(op, add_shapes) for op in ops)
    return graph_def

