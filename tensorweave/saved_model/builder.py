"""tf.saved_model.builder.SavedModelBuilder: writes a SavedModel directory in TensorFlow's
format: `saved_model.pb` (a SavedModel proto of tagged MetaGraphDefs with SignatureDefs),
`variables/variables.{index,data-00000-of-00001}` (a V2 checkpoint) and `assets/`.

    builder = tf.saved_model.builder.SavedModelBuilder("/tmp/model/1")
    builder.add_meta_graph_and_variables(
        sess, [tf.saved_model.tag_constants.SERVING],
        signature_def_map={"serving_default": signature})
    builder.save()
"""
import os
import shutil

from tensorweave.core.operation import Operation, Tensor
from tensorweave.platform import tf_logging as logging
from tensorweave.saved_model import constants
from tensorweave.saved_model import saved_model_proto
from tensorweave.train import saver as saver_module

_ASSET_TYPE_URL = "type.googleapis.com/tensorflow.AssetFileDef"


def get_variables_dir(export_dir):
    return os.path.join(os.fspath(export_dir), constants.VARIABLES_DIRECTORY)


def get_variables_path(export_dir):
    """The checkpoint prefix of a SavedModel's variables: export_dir/variables/variables."""
    return os.path.join(get_variables_dir(export_dir), constants.VARIABLES_FILENAME)


def get_assets_dir(export_dir):
    return os.path.join(os.fspath(export_dir), constants.ASSETS_DIRECTORY)


def _asset_path(tensor):
    """The file path a string Const tensor holds (TypeError otherwise), as TF requires."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"Asset path tensor {tensor} must be a Tensor.")
    from tensorweave.core.constants import constant_value
    value = constant_value(tensor)
    if value is None:
        raise TypeError(f"Asset path tensor {tensor} must be of type constant.Has type "
                        f"{tensor.op.type} instead.")
    if tensor.dtype.name != "string":
        raise TypeError(f"Asset path tensor {tensor}` must be of dtype string.Has type "
                        f"{tensor.dtype.name} instead.")
    if getattr(value, "size", 1) != 1 or getattr(value, "ndim", 0) != 0:
        raise TypeError(f"Asset path tensor {tensor} must be a scalar.")
    value = value.item() if hasattr(value, "item") else value
    return value.decode() if isinstance(value, bytes) else str(value)


def _same_file(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


class SavedModelBuilder:
    """Builds a SavedModel: one call to add_meta_graph_and_variables (saves the variables),
    then any number of add_meta_graph calls (more tagged graphs sharing those variables),
    then save()."""

    def __init__(self, export_dir):
        export_dir = os.fspath(export_dir)
        if isinstance(export_dir, bytes):
            export_dir = export_dir.decode()
        self._export_dir = export_dir
        if os.path.exists(export_dir):
            if os.listdir(export_dir):
                raise AssertionError(
                    "Export directory already exists, and isn't empty. Please choose a "
                    "different export directory, or delete all the contents of the specified "
                    f"directory: {export_dir}")
        else:
            os.makedirs(export_dir)
        self._saved_model = saved_model_proto.new_saved_model()
        self._has_saved_variables = False
        self._saved_asset_files = set()
        self._asset_names = {}  # basename in assets/ -> source path
        # the asset entries added to each graph: TF keeps them in the graph's collection, so
        # later meta graphs of the same graph carry them too
        self._graph_assets = {}

    # --- validation ---------------------------------------------------------------------
    @staticmethod
    def _validate_tensor_info(tensor_info):
        if tensor_info is None:
            raise AssertionError("All TensorInfo protos used in the SignatureDefs must have "
                                 "the name and dtype fields set.")
        if tensor_info.WhichOneof("encoding") is None:
            raise AssertionError(f"Invalid `tensor_info`: {tensor_info}. All TensorInfo protos "
                                 "used in the SignatureDefs must have one of the 'encoding' "
                                 "fields (e.g., name or coo_sparse) set.")
        if tensor_info.dtype == 0:
            raise AssertionError(f"Invalid `tensor_info`: {tensor_info}. All TensorInfo protos "
                                 "used in the SignatureDefs must have the dtype field set.")

    def _validate_signature_def_map(self, signature_def_map):
        for signature_def in signature_def_map.values():
            for info in signature_def.inputs.values():
                self._validate_tensor_info(info)
            for info in signature_def.outputs.values():
                self._validate_tensor_info(info)
        for key, what in ((constants.INIT_OP_SIGNATURE_KEY, "initialization"),
                          (constants.TRAIN_OP_SIGNATURE_KEY, "the train op")):
            if key in signature_def_map:
                raise KeyError(f"SignatureDef map key \"{key}\" is reserved for {what}. Please "
                               "use a different key.")

    # --- collections and assets -----------------------------------------------------------
    def _asset_entries(self, assets_collection):
        """[(basename, tensor name)] of the asset tensors, copying the files into assets/."""
        entries = []
        for tensor in assets_collection or ():
            source = _asset_path(tensor)
            if not source:
                raise ValueError(f"Asset filepath tensor {tensor} in is invalid.")
            name = os.path.basename(source)
            if name in self._asset_names and self._asset_names[name] != source and not (
                    os.path.exists(source) and _same_file(source, self._asset_names[name])):
                base, k = name, 1
                while name in self._asset_names:
                    name, k = f"{base}_{k}", k + 1
            self._asset_names[name] = source
            entries.append((name, tensor.name))
            destination = os.path.join(get_assets_dir(self._export_dir), name)
            if (os.path.exists(source) and source != destination
                    and destination not in self._saved_asset_files):
                os.makedirs(get_assets_dir(self._export_dir), exist_ok=True)
                shutil.copyfile(source, destination)
                self._saved_asset_files.add(destination)
        if not entries:
            logging.info("No assets to write.")
        return entries

    @staticmethod
    def _add_main_op(graph, main_op):
        if main_op is None:
            return
        if not isinstance(main_op, Operation):
            raise TypeError(f"Expected {main_op} to be an Operation but got type "
                            f"{type(main_op)} instead.")
        for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
            if graph.get_collection(key):
                raise ValueError("Graph already contains one or more main ops under the "
                                 f"collection {key}.")
        graph.add_to_collection(constants.MAIN_OP_KEY, main_op)

    def _meta_graph(self, saver, graph, clear_devices, strip_default_attrs, assets):
        meta_graph_def = saver.export_meta_graph(clear_devices=clear_devices,
                                                 strip_default_attrs=strip_default_attrs,
                                                 graph=graph)
        recorded = self._graph_assets.setdefault(id(graph), (graph, []))[1]
        recorded.extend(a for a in assets if a not in recorded)
        assets = recorded
        if assets:
            from tensorboard.compat.proto import meta_graph_pb2
            any_list = meta_graph_def.collection_def[constants.ASSETS_KEY].any_list
            for filename, tensor_name in assets:
                asset = meta_graph_pb2.AssetFileDef(filename=filename)
                asset.tensor_info.name = tensor_name
                any_list.value.add(type_url=_ASSET_TYPE_URL,
                                   value=asset.SerializeToString(deterministic=True))
        return meta_graph_def

    def _tag_and_add_meta_graph(self, meta_graph_def, tags, signature_def_map):
        for tag in tags or ():
            meta_graph_def.meta_info_def.tags.append(tag)
        for key, signature_def in (signature_def_map or {}).items():
            meta_graph_def.signature_def[key].ParseFromString(signature_def.SerializeToString())
        self._saved_model.meta_graphs.add().CopyFrom(meta_graph_def)

    @staticmethod
    def _default_saver(graph, saver):
        if saver is not None:
            return saver
        with graph.as_default():
            return saver_module.Saver(sharded=True, allow_empty=True)

    # --- the public methods ---------------------------------------------------------------
    def add_meta_graph(self, tags, signature_def_map=None, assets_collection=None,
                       legacy_init_op=None, clear_devices=False, main_op=None,
                       strip_default_attrs=False, saver=None):
        """Adds the default graph, tagged `tags`, sharing the variables saved by
        add_meta_graph_and_variables (which must come first)."""
        from tensorweave.core.graph import get_default_graph
        if not self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has not been "
                                 "saved yet. Please invoke `add_meta_graph_and_variables()` "
                                 "first.")
        signature_def_map = signature_def_map or {}
        self._validate_signature_def_map(signature_def_map)
        graph = get_default_graph()
        assets = self._asset_entries(assets_collection)
        self._add_main_op(graph, main_op if main_op is not None else legacy_init_op)
        saver = self._default_saver(graph, saver)
        meta_graph_def = self._meta_graph(saver, graph, clear_devices, strip_default_attrs,
                                          assets)
        self._tag_and_add_meta_graph(meta_graph_def, tags, signature_def_map)

    def add_meta_graph_and_variables(self, sess, tags, signature_def_map=None,
                                     assets_collection=None, legacy_init_op=None,
                                     clear_devices=False, main_op=None,
                                     strip_default_attrs=False, saver=None):
        """Saves the variables' values in `sess` under variables/ and adds `sess.graph`,
        tagged `tags`, with its SignatureDefs, assets (string Const tensors naming files,
        copied to assets/) and main op (run after the variables are restored at load)."""
        if self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has already "
                                 "been saved. Please invoke `add_meta_graph()` instead.")
        signature_def_map = signature_def_map or {}
        self._validate_signature_def_map(signature_def_map)
        graph = sess.graph
        assets = self._asset_entries(assets_collection)
        self._add_main_op(graph, main_op or legacy_init_op)
        os.makedirs(get_variables_dir(self._export_dir), exist_ok=True)
        saver = self._default_saver(graph, saver)
        saver.save(sess, get_variables_path(self._export_dir), write_meta_graph=False,
                   write_state=False)
        meta_graph_def = self._meta_graph(saver, graph, clear_devices, strip_default_attrs,
                                          assets)
        self._tag_and_add_meta_graph(meta_graph_def, tags, signature_def_map)
        self._has_saved_variables = True

    def save(self, as_text=False):
        """Writes saved_model.pb (or saved_model.pbtxt with as_text=True); returns its path."""
        os.makedirs(self._export_dir, exist_ok=True)
        path = saved_model_proto.write(self._saved_model, self._export_dir, as_text=as_text)
        logging.info("SavedModel written to: %s", path)
        return path.encode() if isinstance(path, str) else path


Builder = SavedModelBuilder
