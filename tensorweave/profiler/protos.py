"""tfprof's result messages (TensorFlow's tfprof_output.proto, package `tensorflow.tfprof`).

GraphNodeProto, MultiGraphNodeProto and AdviceProto are declared here from their published
field numbers in a private descriptor pool, so their binary and text forms are TensorFlow's;
OpLogProto (tfprof_log.proto) is the `tensorboard` package's. protobuf loads on first use.

>>> messages().GraphNodeProto(name="_TFProfRoot", total_float_ops=7138)
"""
import functools
import types

_INSTALL_HINT = ("tf.profiler builds TensorFlow's protocol buffers with the protobuf package "
                 "(and OpLogProto from the tensorboard package): pip install 'tensorweave"
                 "[tensorboard]'")
_O, _R = "LABEL_OPTIONAL", "LABEL_REPEATED"
_SHAPE = ".tensorflow.TensorShapeProto"


def _totals(fields):
    return [(name, number, "TYPE_INT64", _O, None) for name, number in fields]


# (message, [(field, number, type, label, type name)], nested messages (the same form plus
#  whether it is a map entry)); numbers are tfprof_output.proto's.
_GRAPH_NODE = (
    [("name", 1, "TYPE_STRING", _O, None),
     ("tensor_value", 15, "TYPE_MESSAGE", _O, ".tensorflow.tfprof.TFProfTensorProto")]
    + _totals([("run_count", 21), ("exec_micros", 2), ("accelerator_exec_micros", 17),
               ("cpu_exec_micros", 18), ("requested_bytes", 3), ("peak_bytes", 24),
               ("residual_bytes", 25), ("output_bytes", 26), ("parameters", 4),
               ("float_ops", 13)])
    + [("devices", 10, "TYPE_STRING", _R, None)]
    + _totals([("total_definition_count", 23), ("total_run_count", 22),
               ("total_exec_micros", 6), ("total_accelerator_exec_micros", 19),
               ("total_cpu_exec_micros", 20), ("total_requested_bytes", 7),
               ("total_peak_bytes", 27), ("total_residual_bytes", 28),
               ("total_output_bytes", 29), ("total_parameters", 8), ("total_float_ops", 14)])
    + [("shapes", 11, "TYPE_MESSAGE", _R, _SHAPE),
       ("input_shapes", 16, "TYPE_MESSAGE", _R,
        ".tensorflow.tfprof.GraphNodeProto.InputShapesEntry"),
       ("children", 12, "TYPE_MESSAGE", _R, ".tensorflow.tfprof.GraphNodeProto")])
_MULTI_GRAPH_NODE = (
    [("name", 1, "TYPE_STRING", _O, None)]
    + _totals([("exec_micros", 2), ("accelerator_exec_micros", 12), ("cpu_exec_micros", 13),
               ("requested_bytes", 3), ("peak_bytes", 16), ("residual_bytes", 17),
               ("output_bytes", 18), ("parameters", 4), ("float_ops", 5),
               ("total_exec_micros", 6), ("total_accelerator_exec_micros", 14),
               ("total_cpu_exec_micros", 15), ("total_requested_bytes", 7),
               ("total_peak_bytes", 19), ("total_residual_bytes", 20),
               ("total_output_bytes", 21), ("total_parameters", 8), ("total_float_ops", 9)])
    + [("graph_nodes", 10, "TYPE_MESSAGE", _R, ".tensorflow.tfprof.GraphNodeProto"),
       ("children", 11, "TYPE_MESSAGE", _R, ".tensorflow.tfprof.MultiGraphNodeProto")])
_MESSAGES = [
    ("TFProfTensorProto",
     [("dtype", 1, "TYPE_ENUM", _O, ".tensorflow.DataType"),
      ("value_double", 2, "TYPE_DOUBLE", _R, None),
      ("value_int64", 3, "TYPE_INT64", _R, None),
      ("value_str", 4, "TYPE_STRING", _R, None)], []),
    ("GraphNodeProto", _GRAPH_NODE,
     [("InputShapesEntry", [("key", 1, "TYPE_INT32", _O, None),
                            ("value", 2, "TYPE_MESSAGE", _O, _SHAPE)], True)]),
    ("MultiGraphNodeProto", _MULTI_GRAPH_NODE, []),
    ("AdviceProto",
     [("checkers", 1, "TYPE_MESSAGE", _R, ".tensorflow.tfprof.AdviceProto.CheckersEntry")],
     [("CheckersEntry", [("key", 1, "TYPE_STRING", _O, None),
                         ("value", 2, "TYPE_MESSAGE", _O,
                          ".tensorflow.tfprof.AdviceProto.Checker")], True),
      ("Checker", [("reports", 2, "TYPE_STRING", _R, None)], False)]),
]
# What the messages above need from TensorFlow's framework protos (package `tensorflow`).
_SHAPE_MESSAGE = [("dim", 2, "TYPE_MESSAGE", _R, ".tensorflow.TensorShapeProto.Dim"),
                  ("unknown_rank", 3, "TYPE_BOOL", _O, None)]
_DIM_MESSAGE = [("size", 1, "TYPE_INT64", _O, None), ("name", 2, "TYPE_STRING", _O, None)]
_DATA_TYPES = {"DT_INVALID": 0, "DT_FLOAT": 1, "DT_DOUBLE": 2, "DT_INT32": 3, "DT_UINT8": 4,
               "DT_INT16": 5, "DT_INT8": 6, "DT_STRING": 7, "DT_COMPLEX64": 8, "DT_INT64": 9,
               "DT_BOOL": 10, "DT_BFLOAT16": 14, "DT_UINT16": 17, "DT_COMPLEX128": 18,
               "DT_HALF": 19, "DT_UINT32": 22, "DT_UINT64": 23}


def _fill(descriptor_pb2, proto, name, fields):
    proto.name = name
    for field_name, number, kind, label, type_name in fields:
        field = proto.field.add(name=field_name, number=number,
                                type=descriptor_pb2.FieldDescriptorProto.Type.Value(kind),
                                label=descriptor_pb2.FieldDescriptorProto.Label.Value(label))
        if type_name:
            field.type_name = type_name


@functools.lru_cache(maxsize=None)
def messages():
    """A namespace of the message classes; ImportError with install advice without protobuf."""
    try:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e
    framework = descriptor_pb2.FileDescriptorProto(
        name="tensorweave/tfprof_framework.proto", package="tensorflow", syntax="proto3")
    shape = framework.message_type.add()
    _fill(descriptor_pb2, shape, "TensorShapeProto", _SHAPE_MESSAGE)
    _fill(descriptor_pb2, shape.nested_type.add(), "Dim", _DIM_MESSAGE)
    data_type = framework.enum_type.add(name="DataType")
    for value_name, number in _DATA_TYPES.items():
        data_type.value.add(name=value_name, number=number)
    output = descriptor_pb2.FileDescriptorProto(
        name="tensorflow/core/profiler/tfprof_output.proto", package="tensorflow.tfprof",
        syntax="proto3", dependency=[framework.name])
    for name, fields, nested in _MESSAGES:
        message = output.message_type.add()
        _fill(descriptor_pb2, message, name, fields)
        for nested_name, nested_fields, is_map in nested:
            inner = message.nested_type.add()
            _fill(descriptor_pb2, inner, nested_name, nested_fields)
            if is_map:
                inner.options.map_entry = True
    pool = descriptor_pool.DescriptorPool()
    pool.Add(framework)
    pool.Add(output)
    classes = {}
    for name, *_ in _MESSAGES:
        descriptor = pool.FindMessageTypeByName(f"tensorflow.tfprof.{name}")
        if hasattr(message_factory, "GetMessageClass"):
            classes[name] = message_factory.GetMessageClass(descriptor)
        else:  # protobuf < 4.21
            classes[name] = message_factory.MessageFactory(pool).GetPrototype(descriptor)
    try:
        from tensorboard.compat.proto import tfprof_log_pb2
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e
    classes["OpLogProto"] = tfprof_log_pb2.OpLogProto
    classes["OpLogEntry"] = tfprof_log_pb2.OpLogEntry
    return types.SimpleNamespace(**classes)


def __getattr__(name):
    """The message classes as module attributes, built on first use."""
    if name in {"TFProfTensorProto", "GraphNodeProto", "MultiGraphNodeProto", "AdviceProto",
                "OpLogProto", "OpLogEntry"}:
        return getattr(messages(), name)
    raise AttributeError(f"module 'tensorweave.profiler.protos' has no attribute {name!r}")
