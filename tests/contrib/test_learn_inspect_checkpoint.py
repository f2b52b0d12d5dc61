"""tensorflow.contrib.learn.python.learn.utils.inspect_checkpoint (TF 1.x, deprecated)."""
import numpy as np

import tensorweave as tf
from tensorweave.contrib.learn.python.learn.utils import inspect_checkpoint as inspect


def _save(tmp_path):
    with tf.Graph().as_default():
        tf.Variable(3, name="v1")
        tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="weights")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return saver.save(sess, str(tmp_path / "model.ckpt"))


def test_lists_names_and_shapes_without_a_tensor_name(tmp_path, capsys):
    inspect.print_tensors_in_checkpoint_file(_save(tmp_path), "")
    assert capsys.readouterr().out == "v1\t[]\nweights\t[3, 2]\n"


def test_prints_one_tensor(tmp_path, capsys):
    inspect.print_tensors_in_checkpoint_file(_save(tmp_path), "v1")
    assert capsys.readouterr().out == "tensor_name:  v1\n3\n"


def test_a_failure_is_printed_not_raised(tmp_path, capsys):
    inspect.print_tensors_in_checkpoint_file(_save(tmp_path), "missing")
    out = capsys.readouterr().out
    assert out.startswith("tensor_name:  missing\n") and "missing" in out.splitlines()[1]
