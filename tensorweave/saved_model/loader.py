"""tf.saved_model.loader: loads a SavedModel's tagged MetaGraphDef into a Session, restores
its variables and runs its main op (with the asset paths fed).

    with tf.Session(graph=tf.Graph()) as sess:
        meta_graph_def = tf.saved_model.loader.load(sess, ["serve"], export_dir)
        signature = meta_graph_def.signature_def["serving_default"]

Loading reads protocol buffers and checkpoint tensors only: nothing in the files is executed
as code; op types the registry does not know are an error naming the node.
"""
import os

from tensorweave.core.graph import get_default_graph
from tensorweave.platform import tf_logging as logging
from tensorweave.saved_model import builder as builder_module
from tensorweave.saved_model import constants
from tensorweave.saved_model import saved_model_proto
from tensorweave.saved_model import signature_def_utils
from tensorweave.train import saver as saver_module

parse_saved_model = saved_model_proto.parse_saved_model


def maybe_saved_model_directory(export_dir):
    """True if export_dir holds saved_model.pb or saved_model.pbtxt (it may still not load)."""
    export_dir = os.fspath(export_dir)
    if isinstance(export_dir, bytes):
        export_dir = export_dir.decode()
    return any(os.path.isfile(os.path.join(export_dir, name)) for name in (
        constants.SAVED_MODEL_FILENAME_PBTXT, constants.SAVED_MODEL_FILENAME_PB))


def contains_saved_model(export_dir):
    """tf.saved_model.contains_saved_model (TF 2's name of maybe_saved_model_directory)."""
    return maybe_saved_model_directory(export_dir)


def get_asset_tensors(export_dir, meta_graph_def, import_scope=None):
    """{asset tensor name: path of the file under export_dir/assets}."""
    from tensorboard.compat.proto import meta_graph_pb2
    protos = list(meta_graph_def.asset_file_def)
    if not protos and constants.ASSETS_KEY in meta_graph_def.collection_def:
        for packed in meta_graph_def.collection_def[constants.ASSETS_KEY].any_list.value:
            if not packed.type_url.endswith(".AssetFileDef"):
                raise ValueError(f"Collection {constants.ASSETS_KEY} holds a "
                                 f"{packed.type_url}, not an AssetFileDef")
            protos.append(meta_graph_pb2.AssetFileDef.FromString(packed.value))
    assets_dir = builder_module.get_assets_dir(export_dir)
    tensors = {}
    for proto in protos:
        if os.path.isabs(proto.filename) or ".." in proto.filename.replace("\\", "/").split("/"):
            raise ValueError(f"Asset filename {proto.filename!r} leaves the assets directory")
        name = proto.tensor_info.name
        tensors[f"{import_scope}/{name}" if import_scope else name] = os.path.join(
            assets_dir, proto.filename)
    return tensors


def _op_from_collection(meta_graph_def, graph, key):
    if key not in meta_graph_def.collection_def:
        return None
    names = meta_graph_def.collection_def[key].node_list.value
    if len(names) != 1:
        raise RuntimeError(f"Expected exactly one SavedModel init op. Found {len(names)}: "
                           f"{list(names)}.")
    return graph.get_collection(key)[0]


def _op_from_signature(meta_graph_def, key, import_scope):
    if key not in meta_graph_def.signature_def:
        return None
    return signature_def_utils.load_op_from_signature_def(meta_graph_def.signature_def[key],
                                                          key, import_scope)


def get_init_op(meta_graph_def, import_scope=None):
    """The op a loader runs after restoring: the `__saved_model_init_op` signature's, else
    the main op, else the legacy init op; None if there is none."""
    graph = get_default_graph()
    return (_op_from_signature(meta_graph_def, constants.INIT_OP_SIGNATURE_KEY, import_scope)
            or _op_from_collection(meta_graph_def, graph, constants.MAIN_OP_KEY)
            or _op_from_collection(meta_graph_def, graph, constants.LEGACY_INIT_OP_KEY))


def get_train_op(meta_graph_def, import_scope=None):
    op = _op_from_signature(meta_graph_def, constants.TRAIN_OP_SIGNATURE_KEY, import_scope)
    if op is None:
        op = _op_from_collection(meta_graph_def, get_default_graph(), constants.TRAIN_OP_KEY)
    return op


class SavedModelLoader:
    """Loads graphs and restores variable values from a SavedModel."""

    def __init__(self, export_dir):
        export_dir = os.fspath(export_dir)
        self._export_dir = export_dir.decode() if isinstance(export_dir, bytes) else export_dir
        self._variables_path = builder_module.get_variables_path(self._export_dir)
        self._saved_model = parse_saved_model(self._export_dir)

    @property
    def export_dir(self):
        return self._export_dir

    @property
    def variables_path(self):
        return self._variables_path

    @property
    def saved_model(self):
        return self._saved_model

    def get_meta_graph_def_from_tags(self, tags):
        """The MetaGraphDef whose tag set equals `tags`; RuntimeError as TF gives otherwise."""
        available = []
        for meta_graph_def in self._saved_model.meta_graphs:
            available.append(set(meta_graph_def.meta_info_def.tags))
            if set(meta_graph_def.meta_info_def.tags) == set(tags):
                return meta_graph_def
        raise RuntimeError(
            f"MetaGraphDef associated with tags {str(tags).strip('[]')} could not be found in "
            f"SavedModel, with available tags '{available}'. To inspect available tag-sets "
            "in the SavedModel, please use the SavedModel CLI: `saved_model_cli`.")

    def load_graph(self, graph, tags, import_scope=None, **saver_kwargs):
        """Imports the tagged meta graph into `graph` (`input_map` standing for some of its
        tensors); returns (its Saver or None, its `return_elements` or None)."""
        meta_graph_def = self.get_meta_graph_def_from_tags(tags)
        with graph.as_default():
            return saver_module.import_meta_graph_with_return_elements(
                meta_graph_def, import_scope=import_scope, **saver_kwargs)

    def restore_variables(self, sess, saver, import_scope=None):
        """Restores the variables from export_dir/variables/variables through `saver`."""
        with sess.graph.as_default():
            if saver is None:
                if sess.graph.get_collection("variables"):
                    raise ValueError(
                        "No tf.train.Saver object was passed to the function "
                        "`SavedModelLoader.restore_variables`. Since there are variables in "
                        "the graph, a saver is required.")
                logging.info("The specified SavedModel has no variables; no checkpoints were "
                             "restored.")
                return
            saver.restore(sess, self._variables_path)

    def run_init_ops(self, sess, tags, import_scope=None):
        """Runs the init (main) op with the asset paths fed."""
        meta_graph_def = self.get_meta_graph_def_from_tags(tags)
        with sess.graph.as_default():
            assets = get_asset_tensors(self._export_dir, meta_graph_def, import_scope)
            init_op = get_init_op(meta_graph_def, import_scope)
            if init_op is not None:
                sess.run(fetches=[init_op], feed_dict=assets)

    def load(self, sess, tags, import_scope=None, **saver_kwargs):
        """Loads the tagged meta graph into sess.graph, restores and initializes; returns the
        MetaGraphDef."""
        with sess.graph.as_default():
            saver, _ = self.load_graph(sess.graph, tags, import_scope, **saver_kwargs)
            self.restore_variables(sess, saver, import_scope)
            self.run_init_ops(sess, tags, import_scope)
        return self.get_meta_graph_def_from_tags(tags)


def load(sess, tags, export_dir, import_scope=None, **saver_kwargs):
    """Loads the MetaGraphDef tagged `tags` from the SavedModel in export_dir into `sess`
    (graph, variable values, main op run) and returns it. RuntimeError when no meta graph has
    exactly these tags; IOError when export_dir holds no SavedModel."""
    return SavedModelLoader(export_dir).load(sess, tags, import_scope, **saver_kwargs)
