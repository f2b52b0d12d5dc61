"""Reading checkpoints directly: tf.train.load_checkpoint, list_variables, load_variable,
NewCheckpointReader, and init_from_checkpoint (initialize variables from a checkpoint).

>>> tf.train.list_variables("/tmp/train")        # the newest checkpoint in the directory
[('global_step', []), ('hidden1/biases', [128]), ...]
>>> tf.train.load_variable("/tmp/train", "hidden1/biases")
array([...], dtype=float32)
"""
import collections.abc
import os
import time

from tensorweave.core import errors
from tensorweave.core.graph import get_default_graph
from tensorweave.lib import protos, tensor_bundle
from tensorweave.lib.paths import path_str
from tensorweave.ops import io_ops, state_ops
from tensorweave.platform import tf_logging as logging
from tensorweave.train import checkpoint_management
from tensorweave.variable_scope import variable_store
from tensorweave.variables import Variable


class CheckpointReader:
    """The tensors of one checkpoint (TF's CheckpointReader, made by NewCheckpointReader)."""

    def __init__(self, checkpoint_prefix):
        self._prefix = path_str(checkpoint_prefix)
        self._reader = tensor_bundle.BundleReader(self._prefix)

    def get_tensor(self, tensor_str):
        """The value of tensor `tensor_str` as a NumPy array (a NumPy scalar for 0-d tensors,
        bytes for a string scalar); NotFoundError if the checkpoint has no such tensor."""
        name = _text(tensor_str)
        if name not in self._reader:
            raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint")
        value = self._reader.read(name)
        return value[()] if value.ndim == 0 else value

    def has_tensor(self, tensor_str):
        return _text(tensor_str) in self._reader

    def get_variable_to_shape_map(self):
        """{tensor name: shape as a list of ints}."""
        return {name: list(self._reader.shape(name)) for name in self._reader.keys()}

    def get_variable_to_dtype_map(self):
        """{tensor name: tensorweave dtype}."""
        return {name: self._reader.dtype(name) for name in self._reader.keys()}

    def debug_string(self):
        """One line per tensor: name, dtype and shape (bytes, like TensorFlow's)."""
        lines = []
        for name in self._reader.keys():
            entry = self._reader.entry(name)
            dtype = {v: k for k, v in protos.DATA_TYPES.items()}.get(entry.dtype, entry.dtype)
            shape = ",".join(str(d.size) for d in entry.shape.dim)
            lines.append(f"{name} ({dtype}) [{shape}]\n")
        return "".join(lines).encode()

    def close(self):
        self._reader.close()


def NewCheckpointReader(filepattern):  # noqa: N802 - TensorFlow's name
    """A CheckpointReader for the checkpoint at prefix `filepattern`; NotFoundError if there is
    none, DataLossError if its index is corrupt."""
    return CheckpointReader(filepattern)


def _text(name):
    return name.decode() if isinstance(name, bytes) else str(name)


def _checkpoint_filename(ckpt_dir_or_file):
    path = path_str(ckpt_dir_or_file)
    if os.path.isdir(path):
        return checkpoint_management.latest_checkpoint(path)
    return path


def load_checkpoint(ckpt_dir_or_file):
    """A CheckpointReader for a checkpoint prefix or the newest checkpoint of a directory."""
    filename = _checkpoint_filename(ckpt_dir_or_file)
    if filename is None:
        raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory "
                         f"{ckpt_dir_or_file}")
    return NewCheckpointReader(filename)


def load_variable(ckpt_dir_or_file, name):
    """The value of tensor `name` ('w' or 'w:0') in the checkpoint."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def list_variables(ckpt_dir_or_file):
    """[(name, shape)] of every tensor in the checkpoint, sorted by name."""
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return [(name, shapes[name]) for name in sorted(shapes)]


# --- initializing variables from a checkpoint ------------------------------------------------
def init_from_checkpoint(ckpt_dir_or_file, assignment_map):
    """Makes variables' initializers load their values from a checkpoint.

    `assignment_map` maps checkpoint names to graph variables:
    - 'ckpt_name': 'graph_name' (a variable made with tf.get_variable) or a Variable;
    - 'ckpt_scope/': 'graph_scope/' maps every variable of the graph scope made with
      tf.get_variable to the checkpoint tensor of the same name under ckpt_scope;
    - '/': 'graph_scope/' (or 'ckpt_scope/': '/') drops the scope on one side.
    Call it before creating the init op (tf.global_variables_initializer()), which runs the
    new initializers.
    """
    ckpt_file = _checkpoint_filename(ckpt_dir_or_file)
    reader = load_checkpoint(ckpt_dir_or_file)
    stored = reader.get_variable_to_shape_map()
    pairs = assignment_map.items() if isinstance(assignment_map, collections.abc.Mapping) \
        else assignment_map
    store = None
    for ckpt_name, target in sorted(pairs, key=lambda pair: pair[0]):
        if isinstance(target, Variable):
            var = target
        elif isinstance(target, str):
            if store is None:
                store = variable_store(get_default_graph())
            var = store.get(target)
        else:
            raise TypeError(f"init_from_checkpoint maps checkpoint names to variables or "
                            f"variable names; got {target!r} for {ckpt_name!r} (partitioned "
                            "variables are not supported)")
        if var is not None:
            if ckpt_name not in stored:
                raise ValueError(f"Tensor {ckpt_name} is not found in {ckpt_dir_or_file} "
                                 f"checkpoint {stored}")
            if not var.shape.is_compatible_with(stored[ckpt_name]):
                raise ValueError(f"Shape of variable {var.name} ({var.shape}) doesn't match "
                                 f"with shape of tensor {ckpt_name} ({stored[ckpt_name]}) "
                                 "from checkpoint reader.")
            _initialize_from(var, ckpt_file, ckpt_name)
            continue
        _map_scope(ckpt_dir_or_file, ckpt_file, ckpt_name, target, store, stored)


def _map_scope(ckpt_dir_or_file, ckpt_file, ckpt_name, target, store, stored):
    scope = target[:target.rindex("/")] if "/" in target else ""
    if not ckpt_name.endswith("/"):
        raise ValueError(f"Assignment map with scope only name {scope} should map to scope "
                         f"only {ckpt_name}. Should be 'scope/': 'other_scope/'.")
    names = sorted(n for n in store if not scope or n.startswith(scope + "/"))
    for var_name in names:
        rest = var_name[len(scope):]
        if target != "/":
            rest = rest[1:]
        full_name = rest if ckpt_name == "/" else ckpt_name + rest
        if full_name.endswith("/"):
            full_name = full_name[:-1]
        if full_name not in stored:
            raise ValueError(f"Tensor {full_name} ({var_name[len(scope) + 1:]} in {ckpt_name})"
                             f" is not found in {ckpt_dir_or_file} checkpoint")
        _initialize_from(store[var_name], ckpt_file, full_name)


def _initialize_from(var, ckpt_file, tensor_name):
    """Replaces `var`'s initializer with an assignment of the checkpoint's tensor."""
    with var.graph.as_default():
        value = io_ops.restore_v2(ckpt_file, [tensor_name], [""], [var.dtype],
                                  name="checkpoint_initializer")[0]
    set_initial_value(var, value)
    logging.debug("Initialize variable %s from checkpoint %s with %s", var.name, ckpt_file,
                  tensor_name)


def set_initial_value(var, value):
    """Replaces `var`'s initializer with an assignment of the tensor `value` (built in the
    variable's graph), which becomes its initial value."""
    ref = var._ref()
    with ref.graph.as_default():
        value.set_shape(var.shape)
        assign = state_ops.assign(ref, value, validate_shape=var.shape.is_fully_defined())
    var._initializer_op = assign.op
    var._initial_value = value


__all__ = ["CheckpointReader", "NewCheckpointReader", "init_from_checkpoint",
           "list_variables", "load_checkpoint", "load_variable"]


def wait_for_new_checkpoint(checkpoint_dir, last_checkpoint=None, seconds_to_sleep=1,
                            timeout=None):
    """The newest checkpoint of `checkpoint_dir` once it differs from `last_checkpoint`
    (checked every `seconds_to_sleep`), or None after `timeout` seconds."""
    logging.info("Waiting for new checkpoint at %s", checkpoint_dir)
    stop_time = time.time() + timeout if timeout is not None else None
    while True:
        path = checkpoint_management.latest_checkpoint(checkpoint_dir)
        if path is not None and path != last_checkpoint:
            logging.info("Found new checkpoint at %s", path)
            return path
        if stop_time is not None and time.time() + seconds_to_sleep > stop_time:
            return None
        time.sleep(seconds_to_sleep)


def checkpoints_iterator(checkpoint_dir, min_interval_secs=0, timeout=None, timeout_fn=None):
    """Yields each new checkpoint of `checkpoint_dir` as it appears, at most one every
    `min_interval_secs`. After `timeout` seconds without one it ends, unless `timeout_fn()`
    returns False (then it keeps waiting).

        for path in tf.train.checkpoints_iterator(train_dir, timeout=600):
            evaluate(path)
    """
    path = None
    while True:
        new_path = wait_for_new_checkpoint(checkpoint_dir, path, timeout=timeout)
        if new_path is None:
            if not timeout_fn:
                logging.info("Timed-out waiting for a checkpoint.")
                return
            if timeout_fn():
                return
            continue
        start = time.time()
        path = new_path
        yield path
        wait = start + min_interval_secs - time.time()
        if wait > 0:
            time.sleep(wait)
