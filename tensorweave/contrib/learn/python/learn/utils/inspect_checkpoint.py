"""tf.contrib.learn's inspect_checkpoint (deprecated in TF 1.x): print a checkpoint's
variables, or one tensor, as TensorFlow 1.15's contrib module prints them.

    from tensorflow.contrib.learn.python.learn.utils import inspect_checkpoint
    inspect_checkpoint.print_tensors_in_checkpoint_file("/tmp/model.ckpt", "")
"""
from tensorweave.train.checkpoint_utils import list_variables, load_variable

__all__ = ["print_tensors_in_checkpoint_file"]


def print_tensors_in_checkpoint_file(file_name, tensor_name):
    """Prints each variable's name and shape when `tensor_name` is empty, else that tensor's
    value; a failure is printed, not raised, as TensorFlow does."""
    try:
        if not tensor_name:
            for name, shape in list_variables(file_name):
                print("%s\t%s" % (name, str(shape)))
        else:
            print("tensor_name: ", tensor_name)
            print(load_variable(file_name, tensor_name))
    except Exception as e:  # noqa: BLE001 - TensorFlow prints any failure
        print(str(e))
        if "corrupted compressed block contents" in str(e):
            print("It's likely that your checkpoint file has been compressed with SNAPPY.")
