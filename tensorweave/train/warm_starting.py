"""tf.train.warm_start: initialize variables from another model's checkpoint, optionally
renamed and with embedding rows remapped to a new vocabulary (TF's warm_starting_util).

    tf.train.warm_start("/tmp/old_model", vars_to_warm_start=".*embedding.*",
                        var_name_to_vocab_info={"input_layer/embedding": tf.train.VocabInfo(
                            new_vocab="new.txt", new_vocab_size=100, num_oov_buckets=1,
                            old_vocab="old.txt")})
    init = tf.global_variables_initializer()   # runs the new initializers

Partitioned variables are not supported.
"""
import collections
import re

import numpy as np

from tensorweave import variables
from tensorweave.core.constants import constant
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.lib.paths import path_str
from tensorweave.ops import array
from tensorweave.platform import tf_logging as logging
from tensorweave.train import checkpoint_utils


class VocabInfo(collections.namedtuple("VocabInfo", [
        "new_vocab", "new_vocab_size", "num_oov_buckets", "old_vocab", "old_vocab_size",
        "backup_initializer", "axis"])):
    """How to remap a variable along `axis` (0: rows, as for an embedding; 1: columns, as
    for an output layer) from the old vocabulary file's order to the new one's. Entries of
    the new vocabulary missing from the old one, and the `num_oov_buckets` extra entries,
    get `backup_initializer` (zeros by default). Vocabulary files have one token a line;
    sizes of -1 mean the whole file."""

    def __new__(cls, new_vocab, new_vocab_size, num_oov_buckets, old_vocab, old_vocab_size=-1,
                backup_initializer=None, axis=0):
        if axis not in (0, 1):
            raise ValueError(f"The only supported values for the axis argument are 0 and 1.  "
                             f"Provided axis: {axis}")
        return super().__new__(cls, new_vocab, new_vocab_size, num_oov_buckets, old_vocab,
                               old_vocab_size, backup_initializer, axis)


def _read_vocab(path, size):
    with open(path_str(path), encoding="utf-8") as f:
        tokens = [line.rstrip("\r\n") for line in f]
    if size is not None and size >= 0:
        if size > len(tokens):
            raise ValueError(f"Vocabulary file {path} has {len(tokens)} entries, fewer than "
                             f"the {size} asked for")
        tokens = tokens[:size]
    return tokens


def _remapped_value(var, old_value, vocab_info):
    """The initial value of `var`: the old tensor's slices along the axis for tokens of the
    new vocabulary found in the old one, the backup initializer's values elsewhere."""
    axis = vocab_info.axis
    new_tokens = _read_vocab(vocab_info.new_vocab, vocab_info.new_vocab_size)
    old_tokens = _read_vocab(vocab_info.old_vocab, vocab_info.old_vocab_size)
    shape = var.shape.as_list()
    if shape[axis] != len(new_tokens) + vocab_info.num_oov_buckets:
        raise ValueError(f"Variable {var.op.name} has {shape[axis]} entries along axis {axis}; "
                         f"the new vocabulary gives {len(new_tokens)} + "
                         f"{vocab_info.num_oov_buckets} OOV buckets")
    old_index = {token: i for i, token in enumerate(old_tokens)}
    moved = np.moveaxis(np.zeros(shape, var.dtype.as_numpy_dtype), axis, 0)
    old_moved = np.moveaxis(np.asarray(old_value), axis, 0)
    found = np.zeros(shape[axis], bool)
    for i, token in enumerate(new_tokens):
        j = old_index.get(token)
        if j is not None and j < old_moved.shape[0]:
            moved[i] = old_moved[j]
            found[i] = True
    logging.info("Warm-starting %s: %d of %d vocabulary entries found in the old vocabulary",
                 var.op.name, int(found.sum()), len(new_tokens))
    values = np.moveaxis(moved, 0, axis)
    mask_shape = [1] * len(shape)
    mask_shape[axis] = shape[axis]
    mask = np.broadcast_to(found.reshape(mask_shape), shape)
    initializer = vocab_info.backup_initializer
    if initializer is None:
        return constant(values, dtype=var.dtype)
    backup = initializer(shape, dtype=var.dtype)
    return array.where(constant(mask), constant(values, dtype=var.dtype), backup)


def _variables_to_warm_start(vars_to_warm_start, vocab_names):
    if isinstance(vars_to_warm_start, str):
        return variables.trainable_variables(vars_to_warm_start)
    if vars_to_warm_start is None:
        pattern = "|".join(re.escape(n) + "$" for n in vocab_names)
        return variables.trainable_variables(pattern) if pattern else []
    items = list(vars_to_warm_start)
    if all(isinstance(v, str) for v in items):
        found = []
        for scope in items:
            found += [v for v in get_default_graph().get_collection(
                GraphKeys.GLOBAL_VARIABLES, scope) if v not in found]
        return found
    if all(isinstance(v, variables.Variable) for v in items):
        return items
    raise ValueError("vars_to_warm_start must be a regular expression, a list of them or a "
                     "list of Variables")


def warm_start(ckpt_to_initialize_from, vars_to_warm_start=".*", var_name_to_vocab_info=None,
               var_name_to_prev_var_name=None):
    """Replaces the initializers of `vars_to_warm_start` with values from the checkpoint
    (a file prefix or a directory's newest): the variable of the same name, or the one named in
    `var_name_to_prev_var_name`, remapped by `var_name_to_vocab_info` where given.

    vars_to_warm_start: a regular expression over trainable variables, a list of regular
    expressions over all global variables, a list of Variables, or None (only the variables
    named in var_name_to_vocab_info).
    """
    vocab_infos = dict(var_name_to_vocab_info or {})
    prev_names = dict(var_name_to_prev_var_name or {})
    targets = _variables_to_warm_start(vars_to_warm_start, vocab_infos)
    logging.info("Warm-starting from: %s", ckpt_to_initialize_from)
    used_prev, used_vocab = set(), set()
    reader = None
    for var in targets:
        name = var.op.name
        prev_name = prev_names.get(name, name)
        if name in prev_names:
            used_prev.add(name)
        vocab_info = vocab_infos.get(name)
        if vocab_info is None:
            logging.debug("Warm-starting variable: %s; prev_var_name: %s", name, prev_name)
            checkpoint_utils.init_from_checkpoint(ckpt_to_initialize_from, {prev_name: var})
            continue
        used_vocab.add(name)
        if reader is None:
            reader = checkpoint_utils.load_checkpoint(ckpt_to_initialize_from)
        if not reader.has_tensor(prev_name):
            raise ValueError(f"Tensor {prev_name} is not found in {ckpt_to_initialize_from} "
                             "checkpoint")
        with var.graph.as_default():
            value = _remapped_value(var, reader.get_tensor(prev_name), vocab_info)
        checkpoint_utils.set_initial_value(var, value)
    unused_prev = set(prev_names) - used_prev
    if unused_prev:
        raise ValueError(f"You provided the following variables in var_name_to_prev_var_name "
                         f"that were not used: {unused_prev}.  Perhaps you misspelled them?  "
                         f"Here is the list of viable variable names: "
                         f"{[v.op.name for v in targets]}")
    unused_vocab = set(vocab_infos) - used_vocab
    if unused_vocab:
        raise ValueError(f"You provided the following variables in var_name_to_vocab_info "
                         f"that were not used: {unused_vocab}.  Perhaps you misspelled them?  "
                         f"Here is the list of viable variable names: "
                         f"{[v.op.name for v in targets]}")
