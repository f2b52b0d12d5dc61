"""TF 1.15's projector_config.proto (package tensorflow), declared from its field numbers and
built with the protobuf package: SpriteMetadata, EmbeddingInfo, ProjectorConfig.

Its text format is what TensorBoard's projector reads from `projector_config.pbtxt`."""
import functools

# (message, [(field, number, type, repeated, message type)])
MESSAGES = [
    ("SpriteMetadata", [("image_path", 1, "TYPE_STRING", False, None),
                        ("single_image_dim", 2, "TYPE_UINT32", True, None)]),
    ("EmbeddingInfo", [("tensor_name", 1, "TYPE_STRING", False, None),
                       ("metadata_path", 2, "TYPE_STRING", False, None),
                       ("bookmarks_path", 3, "TYPE_STRING", False, None),
                       ("tensor_shape", 4, "TYPE_UINT32", True, None),
                       ("sprite", 5, "TYPE_MESSAGE", False, ".tensorflow.SpriteMetadata"),
                       ("tensor_path", 6, "TYPE_STRING", False, None)]),
    ("ProjectorConfig", [("model_checkpoint_path", 1, "TYPE_STRING", False, None),
                         ("embeddings", 2, "TYPE_MESSAGE", True, ".tensorflow.EmbeddingInfo"),
                         ("model_checkpoint_dir", 3, "TYPE_STRING", False, None)]),
]


@functools.lru_cache(maxsize=None)
def message_classes():
    """{name: message class}, built on first use."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    field_type = descriptor_pb2.FieldDescriptorProto.Type
    label = descriptor_pb2.FieldDescriptorProto.Label
    file_proto = descriptor_pb2.FileDescriptorProto(
        name="tensorweave/projector_config.proto", package="tensorflow", syntax="proto3")
    for name, fields in MESSAGES:
        message = file_proto.message_type.add(name=name)
        for field_name, number, kind, repeated, type_name in fields:
            field = message.field.add(
                name=field_name, number=number, type=field_type.Value(kind),
                label=label.Value("LABEL_REPEATED" if repeated else "LABEL_OPTIONAL"))
            if type_name:
                field.type_name = type_name
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file_proto)
    classes = {}
    for name, _ in MESSAGES:
        descriptor = pool.FindMessageTypeByName(f"tensorflow.{name}")
        if hasattr(message_factory, "GetMessageClass"):
            classes[name] = message_factory.GetMessageClass(descriptor)
        else:  # protobuf < 4.21
            classes[name] = message_factory.MessageFactory(pool).GetPrototype(descriptor)
    return classes


def __getattr__(name):
    if name in dict(MESSAGES):
        return message_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
