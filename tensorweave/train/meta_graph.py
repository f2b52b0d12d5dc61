"""Meta graphs: tf.train.export_meta_graph, and the graph and collections of
tf.train.import_meta_graph (train/saver.py, which makes the Saver it returns).

A `MetaGraphDef` (TensorFlow's meta_graph.proto, the `.meta` file a Saver writes beside each
checkpoint) holds the GraphDef, the SaverDef naming the save and restore ops, and the graph's
collections: variables as `VariableDef`s, ops and tensors by name (`node_list`), and strings,
ints and floats as `bytes_list`, `int64_list` and `float_list`. Importing one rebuilds the graph
and its collections, so a model can be restored and run (or trained on) without its code:

    saver = tf.train.import_meta_graph("/tmp/model.ckpt-1000.meta")
    saver.restore(sess, "/tmp/model.ckpt-1000")
    logits = tf.get_default_graph().get_tensor_by_name("softmax_linear/add:0")
    train_op = tf.get_collection("train_op")[0]

The message classes are TensorBoard's copies of TensorFlow's protos; protobuf loads when these
functions run.
"""
import os

from tensorweave.core import graph_io
from tensorweave.core.graph import (GraphKeys, get_default_graph, name_within_scope,
                                    prepend_name_scope)
from tensorweave.core.operation import Operation, Tensor
from tensorweave.lib import protos
from tensorweave.lib.paths import path_str
from tensorweave.platform import tf_logging as logging
from tensorweave.train.queue_runner import QueueRunner
from tensorweave.variables import Variable

# The TensorFlow API level tensorweave implements; readers of a .meta only report it.
TENSORFLOW_VERSION = "1.15.0"
# Collections TF stores as VariableDefs (its proto registry for collections)
_VARIABLE_COLLECTIONS = ("variables", "trainable_variables", "local_variables",
                         "model_variables", "moving_average_variables", "metric_variables",
                         "global_step", "concatenated_variables")


def _protos():
    try:
        from tensorboard.compat.proto import meta_graph_pb2, saver_pb2, variable_pb2
    except ImportError as error:
        raise ImportError("Meta graphs (.meta files) need the protobuf classes of the "
                          "tensorboard package: pip install 'tensorweave[checkpoint]' (or pass "
                          "write_meta_graph=False to Saver.save)") from error
    from tensorweave.core import graph_def
    return meta_graph_pb2, saver_pb2, variable_pb2, graph_def


# --- collections -------------------------------------------------------------------------------
def _variable_def(variable, variable_pb2, scope):
    names = [name_within_scope(n, scope) for n in (
        variable.name, variable.initial_value.name, variable.initializer.name,
        variable.value().name)]
    if None in names:
        return None
    return variable_pb2.VariableDef(
        variable_name=names[0], initial_value_name=names[1], initializer_name=names[2],
        snapshot_name=names[3], trainable=bool(variable.trainable)).SerializeToString()


def _collection_def(items, meta_graph_pb2, variable_pb2, scope):
    """The CollectionDef of a collection's items (of one kind, as TF requires); None for
    items a CollectionDef cannot hold."""
    proto = meta_graph_pb2.CollectionDef()
    first = items[0]
    if isinstance(first, Variable):
        encoded = [_variable_def(v, variable_pb2, scope) if isinstance(v, Variable) else None
                   for v in items]
        field, values = proto.bytes_list, [e for e in encoded if e is not None]
    elif isinstance(first, (Tensor, Operation)):
        if not all(isinstance(v, (Tensor, Operation)) for v in items):
            return None
        field = proto.node_list
        values = [n for n in (name_within_scope(v.name, scope) for v in items) if n is not None]
    elif all(hasattr(v, "as_saver_def") for v in items):  # the SAVERS collection
        field, values = proto.bytes_list, [v.as_saver_def().SerializeToString() for v in items]
    elif all(isinstance(v, QueueRunner) for v in items):  # QueueRunnerDefs, as TF stores them
        encoded = [v.to_proto(scope) for v in items]
        field, values = proto.bytes_list, [e.SerializeToString() for e in encoded
                                           if e is not None]
    elif all(isinstance(v, (str, bytes)) for v in items):
        field, values = proto.bytes_list, [v.encode() if isinstance(v, str) else v
                                           for v in items]
    elif all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        field, values = proto.int64_list, items
    elif all(isinstance(v, float) for v in items):
        field, values = proto.float_list, items
    else:
        return None
    field.value.extend(values)
    return proto


def _add_collections(meta_graph_def, graph, collection_list, scope, meta_graph_pb2,
                     variable_pb2):
    keys = graph.get_all_collection_keys() if collection_list is None else collection_list
    for key in keys:
        items = graph.get_collection(key)
        if not items:
            continue
        proto = _collection_def(items, meta_graph_pb2, variable_pb2, scope)
        if proto is None:
            logging.warning("Issue encountered when serializing %s: its items (%s) cannot be "
                            "stored in a MetaGraphDef; the collection is left out.", key,
                            type(items[0]).__name__)
            continue
        meta_graph_def.collection_def[key].CopyFrom(proto)


def _restore_collections(meta_graph_def, graph, scope, variable_pb2, saver_pb2,
                         saver_from_def):
    for key, proto in meta_graph_def.collection_def.items():
        kind = proto.WhichOneof("kind")
        if kind is None:
            continue
        values = getattr(proto, kind).value
        if kind == "node_list":
            items = [graph.as_graph_element(prepend_name_scope(n, scope)) for n in values]
        elif kind == "bytes_list" and key in _VARIABLE_COLLECTIONS:
            items = [_variable_from_def(v, graph, scope, variable_pb2) for v in values]
        elif kind == "bytes_list" and key == GraphKeys.SAVERS:
            items = [saver_from_def(saver_pb2.SaverDef.FromString(v)) for v in values]
        elif kind == "bytes_list" and key == GraphKeys.QUEUE_RUNNERS:
            with graph.as_default():
                items = [QueueRunner.from_proto(protos.QueueRunnerDef.FromString(v), scope)
                         for v in values]
        elif kind == "bytes_list":
            items = list(values)
        elif kind == "any_list":  # e.g. a SavedModel's AssetFileDefs, kept as Any protos
            items = list(values)
        elif kind in ("int64_list", "float_list"):
            items = [int(v) if kind == "int64_list" else float(v) for v in values]
        else:
            logging.warning("Cannot restore collection %s: %s entries are not supported.",
                            key, kind)
            continue
        for item in items:
            graph.add_to_collection(key, item)


def _variable_from_def(serialized, graph, scope, variable_pb2):
    """The Variable of a VariableDef, around the imported ops (one object per variable)."""
    variable_def = variable_pb2.VariableDef()
    variable_def.ParseFromString(serialized)
    # a resource variable's ops were read as a reference variable's (ops/state_ops.py)
    known = graph.extension(_variable_from_def, dict)  # name -> the Variable made for it
    name = prepend_name_scope(variable_def.variable_name, scope)
    if name not in known:
        def element(n):
            return graph.as_graph_element(prepend_name_scope(n, scope)) if n else None
        initial_value = element(variable_def.initial_value_name)
        known[name] = Variable(variable_def=(
            element(variable_def.variable_name), element(variable_def.initializer_name),
            element(variable_def.snapshot_name), initial_value, variable_def.trainable))
    return known[name]


# --- export ------------------------------------------------------------------------------------
def _scoped_graph_def(graph_def, scope, graph_def_module):
    """The nodes under `scope`, named relative to it; ValueError for inputs from outside."""
    scoped = graph_def_module.graph_pb2.GraphDef()
    scoped.versions.CopyFrom(graph_def.versions)
    for node in graph_def.node:
        name = name_within_scope(node.name, scope)
        if name is None:
            continue
        copy = scoped.node.add()
        copy.CopyFrom(node)
        copy.name = name
        del copy.input[:]
        for source in node.input:
            inner = name_within_scope(source, scope)
            if inner is None:
                raise ValueError(f"Node '{node.name}' reads '{source}', which is outside "
                                 f"export_scope '{scope}'")
            copy.input.append(inner)
    return scoped


def _as_saver_def(saver_def, saver_pb2):
    if saver_def is None or isinstance(saver_def, saver_pb2.SaverDef):
        return saver_def
    converted = saver_pb2.SaverDef()
    converted.ParseFromString(saver_def.SerializeToString())
    return converted


def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None,
                      collection_list=None, as_text=False, graph=None, export_scope=None,
                      clear_devices=False, clear_extraneous_savers=False,
                      strip_default_attrs=False, save_debug_info=False, **kwargs):
    """The MetaGraphDef of `graph` (default: the default graph), written to `filename` when
    given (binary, or text format with as_text=True), replacing the file atomically.

    meta_info_def: a MetaInfoDef to start from; graph_def: the GraphDef to store instead of
    the graph's own; saver_def: the SaverDef to store; collection_list: the collection keys to
    store (default all; collections of objects a CollectionDef cannot hold are left out with a
    warning); export_scope: store only the ops under this name scope, named relative to it;
    clear_devices: drop device placements.
    """
    meta_graph_pb2, saver_pb2, variable_pb2, graph_def_module = _protos()
    graph = graph if graph is not None else get_default_graph()
    scope = export_scope.rstrip("/") if export_scope else None
    meta_graph_def = meta_graph_pb2.MetaGraphDef()
    if meta_info_def is not None:
        meta_graph_def.meta_info_def.ParseFromString(meta_info_def.SerializeToString())
    info = meta_graph_def.meta_info_def
    info.tensorflow_version = info.tensorflow_version or TENSORFLOW_VERSION
    info.tensorflow_git_version = info.tensorflow_git_version or "tensorweave"
    info.stripped_default_attrs = bool(strip_default_attrs)
    if graph_def is None:  # TensorFlow's op forms, so TensorFlow can import the file too
        from tensorweave.core import tensorflow_forms
        graph_def = tensorflow_forms.to_tensorflow(graph)
    elif not isinstance(graph_def, graph_def_module.graph_pb2.GraphDef):
        converted = graph_def_module.graph_pb2.GraphDef()
        converted.ParseFromString(graph_def.SerializeToString())
        graph_def = converted
    if scope:
        graph_def = _scoped_graph_def(graph_def, scope, graph_def_module)
    meta_graph_def.graph_def.CopyFrom(graph_def)
    if clear_devices:
        for node in meta_graph_def.graph_def.node:
            node.device = ""
    saver_def = _as_saver_def(saver_def, saver_pb2)
    if saver_def is not None:
        meta_graph_def.saver_def.CopyFrom(saver_def)
    _add_collections(meta_graph_def, graph, collection_list, scope, meta_graph_pb2,
                     variable_pb2)
    if filename:
        if as_text:
            from google.protobuf import text_format
            data = text_format.MessageToString(meta_graph_def).encode("utf-8")
        else:
            data = meta_graph_def.SerializeToString(deterministic=True)
        graph_io.write_atomically(path_str(filename), data)
    return meta_graph_def


# --- import ------------------------------------------------------------------------------------
def read_meta_graph_file(filename):
    """The MetaGraphDef in a .meta file, binary or text format (IOError if missing)."""
    meta_graph_pb2 = _protos()[0]
    filename = path_str(filename)
    if not os.path.exists(filename):
        raise IOError(f"File {filename} does not exist.")
    with open(filename, "rb") as f:
        data = f.read()
    meta_graph_def = meta_graph_pb2.MetaGraphDef()
    try:
        meta_graph_def.ParseFromString(data)
    except Exception:  # protobuf's DecodeError; fall back to the text format, as TF does
        from google.protobuf import text_format
        try:
            text_format.Merge(data.decode("utf-8"), meta_graph_def)
        except Exception as e:
            raise IOError(f"Cannot parse file {filename}: {e}") from None
    return meta_graph_def


def import_graph_and_collections(meta_graph_or_file, clear_devices, import_scope,
                                 saver_from_def, input_map=None, return_elements=None):
    """Rebuilds the graph and collections of a MetaGraphDef (or .meta file) in the default
    graph, under `import_scope` if given (with `input_map` standing for some of its tensors,
    as import_graph_def takes it), and returns (the MetaGraphDef, the `return_elements` of
    the imported graph or None). saver_from_def(SaverDef) makes the Saver for each entry of
    the `savers` collection."""
    from tensorweave.core import importer
    meta_graph_pb2, saver_pb2, variable_pb2, _ = _protos()
    if isinstance(meta_graph_or_file, meta_graph_pb2.MetaGraphDef):
        meta_graph_def = meta_graph_or_file
    elif hasattr(meta_graph_or_file, "graph_def"):
        meta_graph_def = meta_graph_pb2.MetaGraphDef()
        meta_graph_def.ParseFromString(meta_graph_or_file.SerializeToString())
    else:
        meta_graph_def = read_meta_graph_file(meta_graph_or_file)
    graph_def = meta_graph_def.graph_def
    if clear_devices:
        graph_def = type(graph_def)()
        graph_def.CopyFrom(meta_graph_def.graph_def)
        for node in graph_def.node:
            node.device = ""
    graph = get_default_graph()
    scope = import_scope.rstrip("/") if import_scope else None
    with graph.as_default():
        elements = importer.import_graph_def(graph_def, input_map=input_map,
                                             return_elements=return_elements,
                                             name=scope + "/" if scope else "")
        _restore_collections(meta_graph_def, graph, scope, variable_pb2, saver_pb2,
                             saver_from_def)
    return meta_graph_def, elements
