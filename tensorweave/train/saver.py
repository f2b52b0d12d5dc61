"""tf.train.Saver: saves variables to TensorFlow V2 checkpoints and restores them.

The Saver adds TensorFlow's own save/restore subgraph under the name scope `save`:

    save/Const            a string PlaceholderWithDefault: the checkpoint prefix to feed
    save/SaveV2           writes every saved variable to the checkpoint at that prefix
    save/control_dependency   the prefix again, available once SaveV2 has run
    save/RestoreV2        reads the variables' tensors back
    save/Assign, save/Assign_1, ...   store them in the variables
    save/restore_all      runs all the assignments

and describes it with a SaverDef (`saver.saver_def`), so checkpoints and graphs interchange
with TensorFlow. `save` writes the checkpoint (atomically: temporary files renamed into place),
then the `checkpoint` state file, and only then deletes checkpoints beyond `max_to_keep`.

>>> saver = tf.train.Saver()
>>> path = saver.save(sess, "/tmp/model.ckpt", global_step=1000)   # '/tmp/model.ckpt-1000'
>>> saver.restore(sess, tf.train.latest_checkpoint("/tmp"))
"""
import numbers
import os
import time

from tensorweave.core import errors
from tensorweave.core.constants import constant, constant_value
from tensorweave.core.graph import GraphKeys, get_default_graph, prepend_name_scope
from tensorweave.core.operation import Operation, Tensor
from tensorweave.lib import protos, tensor_bundle
from tensorweave.lib.paths import path_str
from tensorweave.ops import array, control, io_ops, state_ops
from tensorweave.platform import tf_logging as logging
from tensorweave.train import checkpoint_management, meta_graph, training_util
from tensorweave.train.saveable_object import SaveableObject
from tensorweave.variables import Variable

_V2 = 2
_RESTORE_FAILED = ("Restoring from checkpoint failed. This is most likely due to {} from the "
                   "checkpoint. Please ensure that you have not altered the graph expected "
                   "based on the checkpoint. Original error:\n\n{}")
_MISSING_KEY = "a Variable name or other graph key that is missing"
_MISMATCH = "a mismatch between the current graph and the graph"


def _variable_tensor(value):
    """The VariableV2 output behind a Variable or a variable reference tensor, else None."""
    if isinstance(value, Variable):
        return value._ref()
    if isinstance(value, Tensor) and state_ops.is_variable_op(value.op):
        return value
    return None


def saveable_name_map(var_list):
    """{checkpoint name: variable tensor or SaveableObject} for a list of variables (named by
    their op names) and saveable objects (by their names) or a dict name -> variable;
    ValueError for duplicate names, TypeError for anything else."""
    if isinstance(var_list, dict):
        items = list(var_list.items())
    else:
        if isinstance(var_list, (set, frozenset)):
            var_list = sorted(var_list, key=lambda v: v.name)
        items = []
        for v in var_list:
            if isinstance(v, SaveableObject):
                items.append((v.name, v))
                continue
            ref = _variable_tensor(v)
            items.append((ref.op.name if ref is not None else None, v))
    names = {}
    for name, value in items:
        if isinstance(value, SaveableObject):
            if name in names:
                raise ValueError(f"At least two variables have the same name: {name}")
            names[name] = value
            continue
        ref = _variable_tensor(value)
        if ref is None:
            raise TypeError(f"Variable to save is not a Variable: {value!r}. tensorweave's "
                            "Saver saves Variables and variable reference tensors.")
        if not isinstance(name, str):
            raise TypeError(f"Variable names in a var_list dict must be strings, got {name!r}")
        if name in names:
            raise ValueError(f"At least two variables have the same name: {name}")
        names[name] = ref
    return names


def _all_saveable_objects(graph):
    return graph.get_collection(GraphKeys.GLOBAL_VARIABLES) + \
        graph.get_collection(GraphKeys.SAVEABLE_OBJECTS)


def _saver_def_copy(saver_def):
    """A tensorweave SaverDef with the fields of `saver_def` (any SaverDef-like message)."""
    copy = protos.messages().SaverDef()
    for field in ("filename_tensor_name", "save_tensor_name", "restore_op_name", "max_to_keep",
                  "sharded", "keep_checkpoint_every_n_hours", "version"):
        setattr(copy, field, getattr(saver_def, field))
    return copy


class Saver:
    """Saves and restores variables (TF's tf.train.Saver), in TensorFlow's V2 checkpoint format.

    var_list: None (all global variables and saveable objects), a list of variables (saved
    under their op names) or a dict checkpoint name -> variable.
    """

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
                 saver_def=None, builder=None, defer_build=False, allow_empty=False,
                 write_version=_V2, pad_step_number=False, save_relative_paths=False,
                 filename=None):
        if defer_build and var_list:
            raise ValueError("If `var_list` is provided then build cannot be deferred. Either "
                             "set defer_build=False or var_list=None.")
        if write_version != _V2:
            logging.warning("tensorweave writes only V2 checkpoints; write_version=%s is "
                            "ignored.", write_version)
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._name = name
        self._restore_sequentially = restore_sequentially
        self.saver_def = _saver_def_copy(saver_def) if saver_def is not None else None
        self._builder = builder
        self._is_built = False
        self._is_empty = False
        self._allow_empty = allow_empty
        self._pad_step_number = pad_step_number
        self._save_relative_paths = save_relative_paths
        self._filename = filename
        self._graph = get_default_graph()
        self._last_checkpoints = []  # [(prefix, time saved)], oldest first
        self._checkpoints_to_be_deleted = []
        self._next_checkpoint_time = time.time() + keep_checkpoint_every_n_hours * 3600
        if not defer_build:
            self.build()

    # --- building the graph ----------------------------------------------------------------
    def build(self):
        """Adds the save and restore ops (done by the constructor unless defer_build=True)."""
        if self._is_built:
            return
        self._is_built = True
        if self.saver_def is None:
            if self._var_list is None:
                self._var_list = _all_saveable_objects(self._graph)
            if not self._var_list:
                if self._allow_empty:
                    self._is_empty = True
                    return
                raise ValueError("No variables to save")
            self.saver_def = self._build_graph(saveable_name_map(self._var_list))
        elif self._name:  # a SaverDef imported under a scope
            for field in ("filename_tensor_name", "save_tensor_name", "restore_op_name"):
                setattr(self.saver_def, field,
                        prepend_name_scope(getattr(self.saver_def, field), self._name))
        self._check_saver_def()
        self._next_checkpoint_time = (
            time.time() + self.saver_def.keep_checkpoint_every_n_hours * 3600)

    def _build_graph(self, names_to_refs):
        names = sorted(names_to_refs)
        entries = [names_to_refs[n] for n in names]
        keys, tensors = [], []  # checkpoint keys and the tensors saved under them
        for name, entry in zip(names, entries):
            if isinstance(entry, SaveableObject):
                keys += [spec.name for spec in entry.specs]
                tensors += [spec.tensor for spec in entry.specs]
            else:
                keys.append(name)
                tensors.append(entry)
        graph = tensors[0].graph
        if any(t.graph is not graph for t in tensors):
            raise ValueError("The variables to save must all be in the same graph.")
        self._graph = graph
        with graph.as_default(), graph.name_scope(self._name or "save"):
            default = constant(self._filename or "model", name="filename/input")
            filename = array.placeholder_with_default(default, shape=(), name="filename")
            filename = array.placeholder_with_default(filename, shape=(), name="Const")
            save = io_ops.save_v2(filename, keys, [""] * len(keys), tensors)
            with graph.control_dependencies([save]):
                save_tensor = array.identity(filename, name="control_dependency")
            restored = list(io_ops.restore_v2(filename, keys, [""] * len(keys),
                                              [t.dtype for t in tensors]))
            assigns = []
            for entry in entries:
                if isinstance(entry, SaveableObject):
                    count = len(entry.specs)
                    values, restored = restored[:count], restored[count:]
                    assign = entry.restore(values, None)
                    assign = assign if isinstance(assign, Operation) else assign.op
                else:
                    ref, value = entry, restored.pop(0)
                    validate = not self._reshape and ref.shape.is_fully_defined()
                    if self._reshape and ref.shape.is_fully_defined():
                        value = array.reshape(value, ref.shape.as_list())
                    assign = state_ops.assign(ref, value, validate_shape=validate).op
                if self._restore_sequentially and assigns:
                    assign.add_control_input(assigns[-1])
                assigns.append(assign)
            restore_all = control.group(*assigns, name="restore_all")
        saver_def = protos.messages().SaverDef(
            filename_tensor_name=filename.name, save_tensor_name=save_tensor.name,
            restore_op_name=restore_all.name, max_to_keep=self._max_to_keep or 0,
            sharded=bool(self._sharded),
            keep_checkpoint_every_n_hours=self._keep_checkpoint_every_n_hours, version=_V2)
        return saver_def

    def _check_saver_def(self):
        for field in ("filename_tensor_name", "save_tensor_name", "restore_op_name"):
            if not getattr(self.saver_def, field):
                raise ValueError(f"saver_def must specify the {field}: {self.saver_def}")

    def as_saver_def(self):
        """The SaverDef describing this saver's ops."""
        return self.saver_def

    def to_proto(self, export_scope=None):
        """The SaverDef, with names relative to `export_scope`."""
        if export_scope is None:
            return self.saver_def
        strip = export_scope.rstrip("/") + "/"
        if not self.saver_def.filename_tensor_name.startswith(strip):
            return None
        copy = _saver_def_copy(self.saver_def)
        for field in ("filename_tensor_name", "save_tensor_name", "restore_op_name"):
            setattr(copy, field, getattr(copy, field)[len(strip):])
        return copy

    @staticmethod
    def from_proto(saver_def, import_scope=None):
        """A Saver around the ops a SaverDef names (in the default graph)."""
        return Saver(saver_def=saver_def, name=import_scope)

    # --- the checkpoint list ---------------------------------------------------------------
    @property
    def last_checkpoints(self):
        """The prefixes of the checkpoints this saver keeps, oldest first."""
        return [p for p, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints):
        """Deprecated: use set_last_checkpoints_with_time."""
        if not isinstance(last_checkpoints, list):
            raise TypeError("last_checkpoints must be a list.")
        self._last_checkpoints = [(p, None) for p in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time):
        """Sets the kept checkpoints from a list of (prefix, timestamp), oldest first."""
        if not isinstance(last_checkpoints_with_time, list):
            raise TypeError("last_checkpoints_with_time must be a list.")
        self._last_checkpoints = list(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths):
        """Takes over checkpoints a previous run left (e.g. from get_checkpoint_state's
        all_model_checkpoint_paths), with their files' modification times."""
        found = []
        for path in checkpoint_paths:
            mtimes = checkpoint_management.get_checkpoint_mtimes([path])
            if mtimes:
                found.append((path, mtimes[0]))
        self.set_last_checkpoints_with_time(found)

    def _record_last_checkpoint(self, path):
        if not self.saver_def.max_to_keep:
            return
        self._last_checkpoints = [p for p in self._last_checkpoints if p[0] != path]
        self._last_checkpoints.append((path, time.time()))
        if len(self._last_checkpoints) > self.saver_def.max_to_keep:
            self._checkpoints_to_be_deleted.append(self._last_checkpoints.pop(0))

    def _delete_old_checkpoints(self, meta_graph_suffix):
        while self._checkpoints_to_be_deleted:
            path, saved_at = self._checkpoints_to_be_deleted.pop(0)
            if saved_at is not None and saved_at > self._next_checkpoint_time:
                # keep_checkpoint_every_n_hours: one checkpoint per period stays for good
                self._next_checkpoint_time += self.saver_def.keep_checkpoint_every_n_hours * 3600
                continue
            checkpoint_management.remove_checkpoint(path, meta_graph_suffix=meta_graph_suffix)

    # --- saving and restoring --------------------------------------------------------------
    def save(self, sess, save_path, global_step=None, latest_filename=None,
             meta_graph_suffix="meta", write_meta_graph=True, write_state=True,
             strip_default_attrs=False, save_debug_info=False):
        """Writes the variables' values in `sess` to the checkpoint `save_path` (with
        '-<global_step>' appended when given) and returns its prefix (None for an empty
        saver). Then updates the state file `latest_filename` ('checkpoint') beside it and
        deletes checkpoints beyond `max_to_keep`."""
        if not self._is_built:
            raise RuntimeError("`build()` should be called before save if defer_build==True")
        if latest_filename is None:
            latest_filename = checkpoint_management.DEFAULT_STATE_FILENAME
        save_path = path_str(save_path)
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        if global_step is not None:
            if isinstance(global_step, numbers.Integral):
                global_step = int(global_step)
            else:
                global_step = training_util.global_step(sess, global_step)
            checkpoint_file = (f"{save_path}-{global_step:08d}" if self._pad_step_number
                               else f"{save_path}-{global_step}")
        else:
            checkpoint_file = save_path
            if os.path.basename(save_path) == latest_filename and not self._sharded:
                raise ValueError(f"'latest_filename' collides with 'save_path': "
                                 f"'{latest_filename}' and '{save_path}'")
        if not hasattr(sess, "run"):
            raise TypeError(f"'sess' must be a Session; {sess}")
        save_dir = os.path.dirname(save_path)
        model_checkpoint_path = None
        if not self._is_empty:
            try:
                result = sess.run(self.saver_def.save_tensor_name,
                                  {self.saver_def.filename_tensor_name: checkpoint_file})
            except (errors.FailedPreconditionError, errors.NotFoundError) as e:
                if save_dir and not os.path.isdir(save_dir):
                    raise ValueError(f"Parent directory of {save_path} doesn't exist, can't "
                                     "save.") from e
                raise
            model_checkpoint_path = result.decode() if isinstance(result, bytes) else result
            if write_state:
                self._record_last_checkpoint(model_checkpoint_path)
                checkpoint_management.update_checkpoint_state(
                    save_dir, model_checkpoint_path, self.last_checkpoints,
                    latest_filename=latest_filename,
                    save_relative_paths=self._save_relative_paths)
                self._delete_old_checkpoints(meta_graph_suffix)
        if write_meta_graph:
            self._write_meta_graph(checkpoint_management.meta_graph_filename(
                checkpoint_file, meta_graph_suffix), sess, strip_default_attrs)
        return model_checkpoint_path

    def _write_meta_graph(self, filename, sess, strip_default_attrs):
        graph = getattr(sess, "graph", None) or self._graph
        self.export_meta_graph(filename, graph=graph, strip_default_attrs=strip_default_attrs)

    def restore(self, sess, save_path):
        """Restores the variables in `sess` from the checkpoint at prefix `save_path`.

        Raises ValueError if there is no checkpoint there, NotFoundError if a variable's key
        is missing from it, InvalidArgumentError if a variable's shape or dtype differs from
        the stored tensor's, and DataLossError if the files are truncated or corrupt.
        """
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        save_path = path_str(save_path)
        if not checkpoint_management.checkpoint_exists(save_path):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {save_path}")
        logging.info("Restoring parameters from %s", save_path)
        self._check_against_checkpoint(sess, save_path)
        try:
            sess.run(self.saver_def.restore_op_name,
                     {self.saver_def.filename_tensor_name: save_path})
        except errors.NotFoundError as e:
            raise type(e)(e.node_def, e.op, _RESTORE_FAILED.format(_MISSING_KEY, e.message)) \
                from e
        except errors.InvalidArgumentError as e:
            raise type(e)(e.node_def, e.op, _RESTORE_FAILED.format(_MISMATCH, e.message)) \
                from e

    def _check_against_checkpoint(self, sess, save_path):
        """Before anything is assigned: every restored variable's key must be in the
        checkpoint with the variable's dtype and a compatible shape."""
        graph = getattr(sess, "graph", None) or self._graph
        targets = _restore_targets(graph, self.saver_def.restore_op_name)
        if not targets:
            return
        with tensor_bundle.BundleReader(save_path) as reader:
            for key, ref, restore_op, reshaped in targets:
                where = (f"(restoring variable '{ref.op.name}' from checkpoint tensor "
                         f"'{key}' of {save_path})")
                if key not in reader:
                    raise errors.NotFoundError(restore_op.node_def, restore_op,
                                               _RESTORE_FAILED.format(
                                                   _MISSING_KEY, f"Key {key} not found in "
                                                   f"checkpoint {where}"))
                dtype, shape = reader.dtype(key), reader.shape(key)
                if dtype is not ref.dtype:
                    raise errors.InvalidArgumentError(
                        restore_op.node_def, restore_op, _RESTORE_FAILED.format(
                            _MISMATCH, f"tensor_name = {key}; expected dtype "
                            f"{ref.dtype.name} does not equal original dtype {dtype.name} "
                            f"{where}"))
                wanted = ref.shape
                fits = (wanted.num_elements() in (None, _size(shape)) if reshaped
                        else wanted.is_compatible_with(shape))
                if not fits:
                    raise errors.InvalidArgumentError(
                        restore_op.node_def, restore_op, _RESTORE_FAILED.format(
                            _MISMATCH, f"Assign requires shapes of both tensors to match. "
                            f"lhs shape= {wanted.as_list()} rhs shape= {list(shape)} {where}"))

    # --- meta graphs -----------------------------------------------------------------------
    def export_meta_graph(self, filename=None, collection_list=None, as_text=False,
                          export_scope=None, clear_devices=False, clear_extraneous_savers=False,
                          strip_default_attrs=False, save_debug_info=False, graph=None):
        """Writes (and returns) the MetaGraphDef of this saver's graph, with its SaverDef."""
        return export_meta_graph(
            filename=filename, graph=graph if graph is not None else self._graph,
            saver_def=self.to_proto(export_scope) if self.saver_def is not None else None,
            collection_list=collection_list, as_text=as_text, export_scope=export_scope,
            clear_devices=clear_devices, clear_extraneous_savers=clear_extraneous_savers,
            strip_default_attrs=strip_default_attrs)


def export_meta_graph(filename=None, meta_info_def=None, graph_def=None, saver_def=None,
                      collection_list=None, as_text=False, graph=None, export_scope=None,
                      clear_devices=False, clear_extraneous_savers=False,
                      strip_default_attrs=False, save_debug_info=False, **kwargs):
    """TF's tf.train.export_meta_graph (see tensorweave.train.meta_graph)."""
    return meta_graph.export_meta_graph(
        filename, meta_info_def, graph_def, saver_def, collection_list, as_text, graph,
        export_scope, clear_devices, clear_extraneous_savers, strip_default_attrs,
        save_debug_info, **kwargs)


def import_meta_graph(meta_graph_or_file, clear_devices=False, import_scope=None, **kwargs):
    """TF's tf.train.import_meta_graph: rebuilds the graph and collections of a MetaGraphDef
    (or .meta file) in the default graph, under `import_scope` if given (see
    tensorweave.train.meta_graph; `input_map` as import_graph_def takes it), and returns a
    Saver for its SaverDef: a new Saver of all variables when the meta graph has no SaverDef,
    None when it has no variables."""
    return import_meta_graph_with_return_elements(meta_graph_or_file, clear_devices,
                                                  import_scope, **kwargs)[0]


def import_meta_graph_with_return_elements(meta_graph_or_file, clear_devices=False,
                                           import_scope=None, input_map=None,
                                           return_elements=None, **kwargs):
    """import_meta_graph's (Saver, the imported graph's `return_elements` or None)."""
    graph = get_default_graph()
    scope = import_scope.rstrip("/") if import_scope else None
    with graph.as_default():
        meta_graph_def, elements = meta_graph.import_graph_and_collections(
            meta_graph_or_file, clear_devices, import_scope,
            saver_from_def=lambda saver_def: Saver(saver_def=saver_def), input_map=input_map,
            return_elements=return_elements)
        if meta_graph_def.HasField("saver_def"):
            return Saver(saver_def=meta_graph_def.saver_def, name=scope), elements
        if graph.get_collection("variables"):
            return Saver(), elements
    logging.info("Saver not created because there are no variables in the graph to restore")
    return None, elements


def _size(shape):
    size = 1
    for d in shape:
        size *= d
    return size


def _restore_targets(graph, restore_op_name):
    """[(checkpoint key, variable tensor, RestoreV2 op, reshaped)] for the Assign ops that the
    restore op runs, when it has the shape a Saver builds; [] otherwise."""
    try:
        restore_all = graph.as_graph_element(restore_op_name, allow_tensor=False)
    except (KeyError, ValueError, TypeError):
        return []
    targets = []
    for op in restore_all.control_inputs:
        if not state_ops.is_assign_op(op):
            continue
        ref, value = op.inputs
        value, reshaped = io_ops.restored_output(value)
        if value is None or not state_ops.is_variable_op(ref.op):
            continue
        source = value.op
        names = constant_value(source.inputs[1])
        if names is None:
            continue
        key = names.reshape(-1)[value.value_index]
        targets.append((key.decode() if isinstance(key, bytes) else str(key), ref, source,
                        reshaped))
    return targets
