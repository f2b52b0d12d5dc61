"""The `checkpoint` state file and finding checkpoints (TF's tf.train.latest_checkpoint etc.).

A directory of checkpoints holds a text file, `checkpoint` by default, with a CheckpointState
message in protobuf text format naming the newest checkpoint prefix and the ones still kept:

    model_checkpoint_path: "model.ckpt-2000"
    all_model_checkpoint_paths: "model.ckpt-1000"
    all_model_checkpoint_paths: "model.ckpt-2000"

Paths in it may be relative to the directory. The file is replaced atomically (written under a
temporary name, then renamed), so a reader never sees half of it.
"""
import glob
import os
import re

from tensorweave.lib import protos, tensor_bundle
from tensorweave.lib.paths import path_str
from tensorweave.platform import tf_logging as logging

DEFAULT_STATE_FILENAME = "checkpoint"


def _state_path(checkpoint_dir, latest_filename):
    return os.path.join(checkpoint_dir, latest_filename or DEFAULT_STATE_FILENAME)


def meta_graph_filename(checkpoint_filename, meta_graph_suffix="meta"):
    """'model.ckpt-10' -> 'model.ckpt-10.meta' (a sharded name's '-?????-of-N' is dropped)."""
    base = re.sub(r"-[\d?]+-of-\d+$", "", path_str(checkpoint_filename))
    return f"{base}.{meta_graph_suffix}"


def generate_checkpoint_state_proto(save_dir, model_checkpoint_path,
                                    all_model_checkpoint_paths=None,
                                    all_model_checkpoint_timestamps=None,
                                    last_preserved_timestamp=None):
    """A CheckpointState; `model_checkpoint_path` is appended to the list of all paths if it is
    not its last element. Relative paths become relative to a relative `save_dir`."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    timestamps = list(all_model_checkpoint_timestamps or [])
    if timestamps and len(timestamps) != len(paths):
        raise ValueError(f"Checkpoint timestamps, if provided, must match checkpoint paths "
                         f"({len(timestamps)} vs {len(paths)})")
    if not os.path.isabs(save_dir):
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, save_dir)
        paths = [p if os.path.isabs(p) else os.path.relpath(p, save_dir) for p in paths]
    state = protos.messages().CheckpointState(
        model_checkpoint_path=model_checkpoint_path, all_model_checkpoint_paths=paths,
        all_model_checkpoint_timestamps=timestamps)
    if last_preserved_timestamp is not None:
        state.last_preserved_timestamp = last_preserved_timestamp
    return state


def update_checkpoint_state(save_dir, model_checkpoint_path, all_model_checkpoint_paths=None,
                            latest_filename=None, all_model_checkpoint_timestamps=None,
                            last_preserved_timestamp=None, save_relative_paths=False):
    """Rewrites the state file in `save_dir` to name `model_checkpoint_path` as the newest
    checkpoint and `all_model_checkpoint_paths` as the ones kept (oldest first)."""
    save_dir, model_checkpoint_path = path_str(save_dir), path_str(model_checkpoint_path)
    all_model_checkpoint_paths = [path_str(p) for p in all_model_checkpoint_paths or []]
    path = _state_path(save_dir, latest_filename)
    if save_relative_paths:
        def relative(p):
            return os.path.relpath(p, save_dir) if os.path.isabs(p) else p
        model_checkpoint_path = relative(model_checkpoint_path)
        all_model_checkpoint_paths = [relative(p) for p in all_model_checkpoint_paths]
    state = generate_checkpoint_state_proto(
        save_dir, model_checkpoint_path, all_model_checkpoint_paths,
        all_model_checkpoint_timestamps, last_preserved_timestamp)
    if os.path.abspath(path) == os.path.abspath(
            os.path.join(save_dir, state.model_checkpoint_path)):
        raise RuntimeError(f"Save path '{model_checkpoint_path}' conflicts with path used for "
                           "checkpoint state.  Please use a different save path.")
    _atomic_write(path, protos.text_format().MessageToString(state))


update_checkpoint_state_internal = update_checkpoint_state


def _atomic_write(path, text):
    temp = f"{path}.tmp{int.from_bytes(os.urandom(8), 'little'):x}"
    try:
        with open(temp, "w", encoding="utf-8") as f:
            f.write(text)
        _replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise


def _replace(temp, path):
    os.replace(temp, path)


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The CheckpointState in `checkpoint_dir`'s state file with paths made relative to the
    directory joined to it; None if there is no readable state file."""
    checkpoint_dir = path_str(checkpoint_dir)
    path = _state_path(checkpoint_dir, latest_filename)
    if not os.path.isfile(path):
        return None
    text_format = protos.text_format()
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        state = protos.messages().CheckpointState()
        text_format.Merge(text, state)
    except (OSError, UnicodeDecodeError, text_format.ParseError) as e:
        logging.warning("%s: %s", type(e).__name__, e)
        logging.warning("%s: Checkpoint ignored", path)
        return None
    if not state.model_checkpoint_path:
        raise ValueError(f"Invalid checkpoint state loaded from {checkpoint_dir}")
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    for i, p in enumerate(state.all_model_checkpoint_paths):
        if not os.path.isabs(p):
            state.all_model_checkpoint_paths[i] = os.path.join(checkpoint_dir, p)
    return state


def checkpoint_exists(checkpoint_prefix):
    """Whether a V2 checkpoint (its index file) exists for `checkpoint_prefix`, or a V1
    checkpoint file matches it."""
    prefix = path_str(checkpoint_prefix)
    if os.path.isfile(tensor_bundle.index_filename(prefix)):
        return True
    return bool(glob.glob(prefix))


checkpoint_exists_internal = checkpoint_exists


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint named by the state file in `checkpoint_dir`, or
    None if there is none (or its files are gone).

    >>> saver.restore(sess, tf.train.latest_checkpoint("checkpoints"))
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state and state.model_checkpoint_path:
        if checkpoint_exists(state.model_checkpoint_path):
            return state.model_checkpoint_path
        logging.error("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None


def get_checkpoint_mtimes(checkpoint_prefixes):
    """The modification times of the checkpoints' index files (missing ones are skipped)."""
    times = []
    for prefix in map(path_str, checkpoint_prefixes):
        try:
            times.append(os.path.getmtime(tensor_bundle.index_filename(prefix)))
        except OSError:
            try:
                times.append(os.path.getmtime(prefix))
            except OSError:
                pass
    return times


def checkpoint_files(prefix, meta_graph_suffix="meta"):
    """The files of the V2 checkpoint at `prefix` that exist (index, data shards, meta graph)."""
    prefix = path_str(prefix)
    names = [tensor_bundle.index_filename(prefix), meta_graph_filename(prefix, meta_graph_suffix)]
    names += glob.glob(glob.escape(prefix) + ".data-?????-of-?????")
    return [n for n in names if os.path.exists(n)]


def remove_checkpoint(checkpoint_prefix, checkpoint_format_version=2,
                      meta_graph_suffix="meta"):
    """Deletes the files of the checkpoint at `checkpoint_prefix` (missing ones are ignored)."""
    for name in checkpoint_files(checkpoint_prefix, meta_graph_suffix):
        try:
            os.remove(name)
        except OSError as e:
            logging.warning("Ignoring: %s", e)
