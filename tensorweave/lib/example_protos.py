"""TensorFlow's Example protocol buffers (tf.train.Example and friends), built with protobuf.

The messages of TensorFlow's `feature.proto` and `example.proto` are declared here from their
published field numbers, in package `tensorflow` (so the binary and text formats are
TensorFlow's), in a private descriptor pool:

- `BytesList`, `FloatList`, `Int64List`: one repeated `value` field each;
- `Feature`: a oneof `kind` of the three lists;
- `Features`: a map from names to `Feature`s; `FeatureList`: a repeated `Feature`;
- `FeatureLists`: a map from names to `FeatureList`s;
- `Example` (`features`) and `SequenceExample` (`context`, `feature_lists`).

protobuf is imported on first use, so `import tensorweave` does not load it.

>>> m = messages()
>>> ex = m.Example(features=m.Features(feature={
...     "x": m.Feature(float_list=m.FloatList(value=[1.0, 2.0]))}))
>>> m.Example.FromString(ex.SerializeToString()).features.feature["x"].float_list.value[1]
2.0
"""
import functools
import types

NAMES = ("BytesList", "FloatList", "Int64List", "Feature", "Features", "FeatureList",
         "FeatureLists", "Example", "SequenceExample")

_INSTALL_HINT = ("tensorweave reads and writes tf.train.Example protos with the protobuf "
                 "package; install it with `pip install protobuf`.")


def _declare(descriptor_pb2):
    """The FileDescriptorProto of TensorFlow's feature.proto and example.proto, in one file."""
    field_type = descriptor_pb2.FieldDescriptorProto
    optional, repeated = field_type.LABEL_OPTIONAL, field_type.LABEL_REPEATED
    file_proto = descriptor_pb2.FileDescriptorProto(
        name="tensorweave/tensorflow_example.proto", package="tensorflow", syntax="proto3")

    def message(name, parent=None):
        proto = (parent.nested_type if parent is not None else file_proto.message_type).add()
        proto.name = name
        return proto

    def field(proto, name, number, kind, label=optional, type_name=None, oneof=None,
              packed=False):
        f = proto.field.add(name=name, number=number, type=kind, label=label)
        if type_name:
            f.type_name = type_name
        if oneof is not None:
            f.oneof_index = oneof
        if packed:
            f.options.packed = True
        return f

    def map_field(proto, name, number, entry_name, value_type):
        entry = message(entry_name, proto)
        entry.options.map_entry = True
        field(entry, "key", 1, field_type.TYPE_STRING)
        field(entry, "value", 2, field_type.TYPE_MESSAGE, type_name=value_type)
        field(proto, name, number, field_type.TYPE_MESSAGE, repeated,
              f".tensorflow.{proto.name}.{entry.name}")

    field(message("BytesList"), "value", 1, field_type.TYPE_BYTES, repeated)
    field(message("FloatList"), "value", 1, field_type.TYPE_FLOAT, repeated, packed=True)
    field(message("Int64List"), "value", 1, field_type.TYPE_INT64, repeated, packed=True)
    feature = message("Feature")
    feature.oneof_decl.add(name="kind")
    for number, (kind, type_name) in enumerate((("bytes_list", "BytesList"),
                                                 ("float_list", "FloatList"),
                                                 ("int64_list", "Int64List")), 1):
        field(feature, kind, number, field_type.TYPE_MESSAGE, type_name=".tensorflow." + type_name,
              oneof=0)
    map_field(message("Features"), "feature", 1, "FeatureEntry", ".tensorflow.Feature")
    field(message("FeatureList"), "feature", 1, field_type.TYPE_MESSAGE, repeated,
          ".tensorflow.Feature")
    map_field(message("FeatureLists"), "feature_list", 1, "FeatureListEntry",
              ".tensorflow.FeatureList")
    field(message("Example"), "features", 1, field_type.TYPE_MESSAGE,
          type_name=".tensorflow.Features")
    sequence = message("SequenceExample")
    field(sequence, "context", 1, field_type.TYPE_MESSAGE, type_name=".tensorflow.Features")
    field(sequence, "feature_lists", 2, field_type.TYPE_MESSAGE,
          type_name=".tensorflow.FeatureLists")
    return file_proto


@functools.lru_cache(maxsize=None)
def messages():
    """A namespace of the message classes; ImportError with install advice without protobuf."""
    try:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    except ImportError as e:
        raise ImportError(_INSTALL_HINT) from e
    pool = descriptor_pool.DescriptorPool()
    pool.Add(_declare(descriptor_pb2))
    classes = {}
    for name in NAMES:
        descriptor = pool.FindMessageTypeByName(f"tensorflow.{name}")
        if hasattr(message_factory, "GetMessageClass"):
            classes[name] = message_factory.GetMessageClass(descriptor)
        else:  # protobuf < 4.21
            classes[name] = message_factory.MessageFactory(pool).GetPrototype(descriptor)
    return types.SimpleNamespace(**classes)


def decode_error():
    """protobuf's DecodeError class (what parsing a corrupt message raises)."""
    from google.protobuf.message import DecodeError
    return DecodeError


def __getattr__(name):
    """The message classes as module attributes (`example_protos.Example`), built on first use."""
    if name not in NAMES:
        raise AttributeError(f"module 'tensorweave.lib.example_protos' has no attribute {name!r}")
    return getattr(messages(), name)
