"""TensorFlow's protocol buffer messages that programs build or read (tf.GraphDef, tf.NodeDef,
tf.Summary, tf.Event, ...), from the copies of TF's .proto files the `tensorboard` package
ships (an optional extra), loaded on first use.

>>> graph_def = tf.GraphDef(); graph_def.ParseFromString(open("graph.pb", "rb").read())
"""
import importlib

# The tf.<name> of each message and the tensorboard.compat.proto module that defines it.
MESSAGES = {
    "AttrValue": "attr_value_pb2", "NameAttrList": "attr_value_pb2",
    "GraphDef": "graph_pb2", "NodeDef": "node_def_pb2", "MetaGraphDef": "meta_graph_pb2",
    "TensorInfo": "meta_graph_pb2", "Event": "event_pb2", "SessionLog": "event_pb2",
    "LogMessage": "event_pb2", "Summary": "summary_pb2", "SummaryMetadata": "summary_pb2",
    "HistogramProto": "summary_pb2",
    "TensorProto": "tensor_pb2", "TensorShapeProto": "tensor_shape_pb2",
}


def message(name):
    """The protobuf message class TensorFlow calls `tf.<name>`."""
    try:
        module = importlib.import_module(f"tensorboard.compat.proto.{MESSAGES[name]}")
    except ImportError as e:
        raise ImportError(f"tf.{name} is a protocol buffer message from TensorFlow's .proto "
                          f"files, which tensorweave takes from the `tensorboard` package: "
                          f"pip install 'tensorweave[tensorboard]'") from e
    return getattr(module, name)


def __getattr__(name):
    if name in MESSAGES:
        return message(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
