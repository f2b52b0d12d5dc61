"""The `SavedModel` message of TensorFlow's saved_model.proto (the `saved_model.pb` file):

    message SavedModel {
      int64 saved_model_schema_version = 1;
      repeated MetaGraphDef meta_graphs = 2;
    }

declared here from those field numbers on top of the MetaGraphDef class the `tensorboard`
package ships (the wire format does not carry package names, so TensorFlow reads it), and
the file's reading and writing. protobuf loads when these functions run.
"""
import functools
import os

from tensorweave.core import graph_io
from tensorweave.saved_model import constants

_FILE_NAME = "tensorweave/saved_model/saved_model.proto"


@functools.lru_cache(maxsize=None)
def saved_model_class():
    """The SavedModel message class (its meta_graphs are tensorboard's MetaGraphDef)."""
    try:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
        from tensorboard.compat.proto import meta_graph_pb2
    except ImportError as e:
        raise ImportError("SavedModels need the protobuf classes of the tensorboard package: "
                          "pip install 'tensorweave[tensorboard]'") from e
    pool = descriptor_pool.Default()
    try:
        descriptor = pool.FindMessageTypeByName("tensorweave.SavedModel")
    except KeyError:
        field = descriptor_pb2.FieldDescriptorProto
        file_proto = descriptor_pb2.FileDescriptorProto(
            name=_FILE_NAME, package="tensorweave", syntax="proto3",
            dependency=[meta_graph_pb2.DESCRIPTOR.name])
        message = file_proto.message_type.add(name="SavedModel")
        message.field.add(name="saved_model_schema_version", number=1,
                          type=field.TYPE_INT64, label=field.LABEL_OPTIONAL)
        message.field.add(name="meta_graphs", number=2, type=field.TYPE_MESSAGE,
                          label=field.LABEL_REPEATED,
                          type_name="." + meta_graph_pb2.MetaGraphDef.DESCRIPTOR.full_name)
        pool.Add(file_proto)
        descriptor = pool.FindMessageTypeByName("tensorweave.SavedModel")
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)  # protobuf < 4.21


def new_saved_model():
    return saved_model_class()(saved_model_schema_version=constants.SAVED_MODEL_SCHEMA_VERSION)


def write(saved_model, export_dir, as_text=False):
    """Writes `saved_model` to export_dir/saved_model.pb (or .pbtxt); returns the path."""
    if as_text:
        from google.protobuf import text_format
        path = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PBTXT)
        data = text_format.MessageToString(saved_model).encode("utf-8")
    else:
        path = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PB)
        data = saved_model.SerializeToString(deterministic=True)
    return graph_io.write_atomically(path, data)


def parse_saved_model(export_dir):
    """The SavedModel in export_dir (saved_model.pb, else saved_model.pbtxt); IOError as
    TensorFlow gives when neither exists or the file does not parse."""
    export_dir = os.fspath(export_dir)
    if isinstance(export_dir, bytes):
        export_dir = export_dir.decode()
    path_pb = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PB)
    path_pbtxt = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PBTXT)
    saved_model = saved_model_class()()
    if os.path.isfile(path_pb):
        with open(path_pb, "rb") as f:
            data = f.read()
        try:
            saved_model.ParseFromString(data)
        except Exception as e:  # protobuf's DecodeError
            raise IOError(f"Cannot parse file {path_pb}: {e}.") from None
    elif os.path.isfile(path_pbtxt):
        from google.protobuf import text_format
        with open(path_pbtxt, "rb") as f:
            data = f.read()
        try:
            text_format.Parse(data.decode("utf-8"), saved_model)
        except Exception as e:  # text_format.ParseError, UnicodeDecodeError
            raise IOError(f"Cannot parse file {path_pbtxt}: {e}.") from None
    else:
        raise IOError(f"SavedModel file does not exist at: {export_dir}{os.path.sep}"
                      f"{{{constants.SAVED_MODEL_FILENAME_PBTXT}|"
                      f"{constants.SAVED_MODEL_FILENAME_PB}}}")
    return saved_model
