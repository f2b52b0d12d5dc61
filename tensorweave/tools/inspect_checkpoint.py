"""tensorflow.python.tools.inspect_checkpoint: print a checkpoint's tensors, as TensorFlow
1.15's module prints them.

    from tensorflow.python.tools import inspect_checkpoint as chkp
    chkp.print_tensors_in_checkpoint_file("model.ckpt", tensor_name="", all_tensors=True)
"""
import re

import numpy as np

from tensorweave.train.checkpoint_utils import NewCheckpointReader


def _count_total_params(reader, count_exclude_pattern=""):
    """The number of scalars in the checkpoint's tensors (those matching the pattern left
    out)."""
    var_to_shape_map = reader.get_variable_to_shape_map()
    if count_exclude_pattern:
        pattern = re.compile(count_exclude_pattern)
        kept = {}
        exclude_num_tensors = exclude_num_params = 0
        for v, shape in var_to_shape_map.items():
            if pattern.search(v):
                exclude_num_tensors += 1
                exclude_num_params += np.prod(shape)
            else:
                kept[v] = shape
        var_to_shape_map = kept
        print("# Excluding %d tensors (%d params) that match %s when counting." % (
            exclude_num_tensors, exclude_num_params, count_exclude_pattern))
    return np.sum([np.prod(shape) for shape in var_to_shape_map.values()], dtype=int)


def print_tensors_in_checkpoint_file(file_name, tensor_name, all_tensors,
                                     all_tensor_names=False, count_exclude_pattern=""):
    """Prints every tensor's name (with its value when `all_tensors`), or the checkpoint's
    summary when no `tensor_name` is given, or that tensor; then the total number of
    parameters. A failure is printed, not raised, as TensorFlow 1.15 does (TF 2.x also
    prints each tensor's dtype and shape)."""
    try:
        reader = NewCheckpointReader(file_name)
        if all_tensors or all_tensor_names:
            for key in sorted(reader.get_variable_to_shape_map()):
                print("tensor_name: ", key)
                if all_tensors:
                    print(reader.get_tensor(key))
        elif not tensor_name:
            print(reader.debug_string().decode("utf-8"))
        else:
            print("tensor_name: ", tensor_name)
            print(reader.get_tensor(tensor_name))
        print("# Total number of params: %d" % _count_total_params(
            reader, count_exclude_pattern=count_exclude_pattern))
    except Exception as e:  # noqa: BLE001 - TensorFlow prints any failure
        print(str(e))
        if "corrupted compressed block contents" in str(e):
            print("It's likely that your checkpoint file has been compressed with SNAPPY.")
        if "Data loss" in str(e) and any(x in file_name for x in [".index", ".meta", ".data"]):
            proposed_file = ".".join(file_name.split(".")[0:-1])
            print("\nIt's likely that this is a V2 checkpoint and you need to provide the "
                  "filename\n*prefix*.  Try removing the '.' and extension.  Try:\n"
                  "inspect checkpoint --file_name = {}".format(proposed_file))
