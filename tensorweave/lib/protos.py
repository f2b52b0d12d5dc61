"""Protocol buffer messages of TensorFlow's checkpoint files, built with the protobuf package.

The messages are declared here from their published field numbers (package `tensorflow`, so
their text format and binary encoding are TensorFlow's) in a private descriptor pool, and the
protobuf package does all encoding and parsing:

- `BundleHeaderProto`, `BundleEntryProto`: the entries of a checkpoint's `.index` table;
- `TensorShapeProto`, `TensorSliceProto`, `VersionDef`: the parts they are made of;
- `CheckpointState`: the text `checkpoint` file naming the latest checkpoints;
- `SaverDef`: how a graph's Saver is wired (filename tensor, save tensor, restore op);
- `QueueRunnerDef`: a QueueRunner in a MetaGraphDef's queue_runners collection (its queue,
  enqueue, close and cancel ops by name, and the error codes that end it).

protobuf is an optional dependency (`pip install tensorweave[checkpoint]`); it is imported on
first use, so `import tensorweave` does not load it.

>>> entry = messages().BundleEntryProto(dtype=1, offset=0, size=16)
"""
import functools
import types

# TensorFlow's DataType enum values (types.proto); the names are TensorFlow's.
DATA_TYPES = {
    "DT_INVALID": 0, "DT_FLOAT": 1, "DT_DOUBLE": 2, "DT_INT32": 3, "DT_UINT8": 4,
    "DT_INT16": 5, "DT_INT8": 6, "DT_STRING": 7, "DT_COMPLEX64": 8, "DT_INT64": 9,
    "DT_BOOL": 10, "DT_QINT8": 11, "DT_QUINT8": 12, "DT_QINT32": 13, "DT_BFLOAT16": 14,
    "DT_QINT16": 15, "DT_QUINT16": 16, "DT_UINT16": 17, "DT_COMPLEX128": 18, "DT_HALF": 19,
    "DT_RESOURCE": 20, "DT_VARIANT": 21, "DT_UINT32": 22, "DT_UINT64": 23,
}

_INSTALL_HINT = ("tensorweave reads and writes TensorFlow checkpoints with the protobuf "
                 "package; install it with `pip install 'tensorweave[checkpoint]'` (or "
                 "`pip install protobuf google-crc32c`).")

# (message, [(field, number, type, label, message/enum type or None, in a oneof)],
#  nested messages, nested enums). Types and labels use descriptor.proto's names.
_OPTIONAL, _REPEATED = "LABEL_OPTIONAL", "LABEL_REPEATED"
_MESSAGES = [
    ("TensorShapeProto",
     [("dim", 2, "TYPE_MESSAGE", _REPEATED, ".tensorflow.TensorShapeProto.Dim"),
      ("unknown_rank", 3, "TYPE_BOOL", _OPTIONAL, None)],
     [("Dim", [("size", 1, "TYPE_INT64", _OPTIONAL, None),
               ("name", 2, "TYPE_STRING", _OPTIONAL, None)])],
     []),
    ("TensorSliceProto",
     [("extent", 1, "TYPE_MESSAGE", _REPEATED, ".tensorflow.TensorSliceProto.Extent")],
     [("Extent", [("start", 1, "TYPE_INT64", _OPTIONAL, None),
                  ("length", 2, "TYPE_INT64", _OPTIONAL, None, "has_length")])],
     []),
    ("VersionDef",
     [("producer", 1, "TYPE_INT32", _OPTIONAL, None),
      ("min_consumer", 2, "TYPE_INT32", _OPTIONAL, None),
      ("bad_consumers", 3, "TYPE_INT32", _REPEATED, None)],
     [], []),
    ("BundleHeaderProto",
     [("num_shards", 1, "TYPE_INT32", _OPTIONAL, None),
      ("endianness", 2, "TYPE_ENUM", _OPTIONAL, ".tensorflow.BundleHeaderProto.Endianness"),
      ("version", 3, "TYPE_MESSAGE", _OPTIONAL, ".tensorflow.VersionDef")],
     [], [("Endianness", {"LITTLE": 0, "BIG": 1})]),
    ("BundleEntryProto",
     [("dtype", 1, "TYPE_ENUM", _OPTIONAL, ".tensorflow.DataType"),
      ("shape", 2, "TYPE_MESSAGE", _OPTIONAL, ".tensorflow.TensorShapeProto"),
      ("shard_id", 3, "TYPE_INT32", _OPTIONAL, None),
      ("offset", 4, "TYPE_INT64", _OPTIONAL, None),
      ("size", 5, "TYPE_INT64", _OPTIONAL, None),
      ("crc32c", 6, "TYPE_FIXED32", _OPTIONAL, None),
      ("slices", 7, "TYPE_MESSAGE", _REPEATED, ".tensorflow.TensorSliceProto")],
     [], []),
    ("CheckpointState",
     [("model_checkpoint_path", 1, "TYPE_STRING", _OPTIONAL, None),
      ("all_model_checkpoint_paths", 2, "TYPE_STRING", _REPEATED, None),
      ("all_model_checkpoint_timestamps", 3, "TYPE_DOUBLE", _REPEATED, None),
      ("last_preserved_timestamp", 4, "TYPE_DOUBLE", _OPTIONAL, None)],
     [], []),
    ("SaverDef",
     [("filename_tensor_name", 1, "TYPE_STRING", _OPTIONAL, None),
      ("save_tensor_name", 2, "TYPE_STRING", _OPTIONAL, None),
      ("restore_op_name", 3, "TYPE_STRING", _OPTIONAL, None),
      ("max_to_keep", 4, "TYPE_INT32", _OPTIONAL, None),
      ("sharded", 5, "TYPE_BOOL", _OPTIONAL, None),
      ("keep_checkpoint_every_n_hours", 6, "TYPE_FLOAT", _OPTIONAL, None),
      ("version", 7, "TYPE_ENUM", _OPTIONAL, ".tensorflow.SaverDef.CheckpointFormatVersion")],
     [], [("CheckpointFormatVersion", {"LEGACY": 0, "V1": 1, "V2": 2})]),
    ("QueueRunnerDef",  # queue_closed_exception_types: error.Code values (packed varints)
     [("queue_name", 1, "TYPE_STRING", _OPTIONAL, None),
      ("enqueue_op_name", 2, "TYPE_STRING", _REPEATED, None),
      ("close_op_name", 3, "TYPE_STRING", _OPTIONAL, None),
      ("cancel_op_name", 4, "TYPE_STRING", _OPTIONAL, None),
      ("queue_closed_exception_types", 5, "TYPE_INT32", _REPEATED, None)],
     [], []),
]


def _fill_message(descriptor_pb2, proto, name, fields, nested=(), enums=()):
    proto.name = name
    oneofs = []
    for spec in fields:
        field_name, number, kind, label, type_name = spec[:5]
        field = proto.field.add(name=field_name, number=number,
                                type=descriptor_pb2.FieldDescriptorProto.Type.Value(kind),
                                label=descriptor_pb2.FieldDescriptorProto.Label.Value(label))
        if type_name:
            field.type_name = type_name
        if len(spec) > 5:  # a member of a oneof
            if spec[5] not in oneofs:
                oneofs.append(spec[5])
                proto.oneof_decl.add(name=spec[5])
            field.oneof_index = oneofs.index(spec[5])
    for nested_name, nested_fields in nested:
        _fill_message(descriptor_pb2, proto.nested_type.add(), nested_name, nested_fields)
    for enum_name, values in enums:
        _fill_enum(proto.enum_type.add(), enum_name, values)


def _fill_enum(proto, name, values):
    proto.name = name
    for value_name, number in values.items():
        proto.value.add(name=value_name, number=number)


@functools.lru_cache(maxsize=None)
def messages():
    """A namespace of the message classes (and `DataType` values); ImportError with install
    advice when protobuf is missing."""
    try:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e
    file_proto = descriptor_pb2.FileDescriptorProto(
        name="tensorweave/tensorflow_checkpoint.proto", package="tensorflow", syntax="proto3")
    _fill_enum(file_proto.enum_type.add(), "DataType", DATA_TYPES)
    for name, fields, nested, enums in _MESSAGES:
        _fill_message(descriptor_pb2, file_proto.message_type.add(), name, fields, nested, enums)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file_proto)
    classes = {}
    for name, *_ in _MESSAGES:
        descriptor = pool.FindMessageTypeByName(f"tensorflow.{name}")
        if hasattr(message_factory, "GetMessageClass"):
            classes[name] = message_factory.GetMessageClass(descriptor)
        else:  # protobuf < 4.21
            classes[name] = message_factory.MessageFactory(pool).GetPrototype(descriptor)
    return types.SimpleNamespace(**classes)


def text_format():
    """protobuf's text_format module (for the `checkpoint` state file)."""
    try:
        from google.protobuf import text_format as module
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e
    return module


def __getattr__(name):
    """The message classes as module attributes (`protos.SaverDef`), built on first use."""
    if name.startswith("__") or name not in {n for n, *_ in _MESSAGES}:
        raise AttributeError(f"module 'tensorweave.lib.protos' has no attribute {name!r}")
    return getattr(messages(), name)
