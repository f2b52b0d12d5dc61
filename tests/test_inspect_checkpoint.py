"""tensorflow.python.tools.inspect_checkpoint (TF 1.15's printing): every tensor with its
value, one tensor, the parameter count, and failures printed rather than raised."""
import tensorweave as tf
from tensorweave.tools import inspect_checkpoint as chkp


def _checkpoint(tmp_path):
    with tf.Graph().as_default():
        tf.get_variable("b", [2, 3], initializer=tf.ones_initializer)
        tf.get_variable("a", [4], initializer=tf.zeros_initializer)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return saver.save(sess, str(tmp_path / "model.ckpt"))


def test_prints_every_tensor_sorted_then_the_parameter_count(tmp_path, capsys):
    path = _checkpoint(tmp_path)
    chkp.print_tensors_in_checkpoint_file(path, tensor_name="", all_tensors=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "tensor_name:  a"
    assert lines[1] == "[0. 0. 0. 0.]"
    assert lines[2] == "tensor_name:  b"
    assert lines[-1] == "# Total number of params: 10"
    chkp.print_tensors_in_checkpoint_file(path, tensor_name="", all_tensors=False,
                                          all_tensor_names=True)
    assert capsys.readouterr().out.splitlines() == [
        "tensor_name:  a", "tensor_name:  b", "# Total number of params: 10"]


def test_prints_one_tensor_and_counts_with_an_exclude_pattern(tmp_path, capsys):
    path = _checkpoint(tmp_path)
    chkp.print_tensors_in_checkpoint_file(path, tensor_name="b", all_tensors=False,
                                          count_exclude_pattern="^a$")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "tensor_name:  b"
    assert out[1:3] == ["[[1. 1. 1.]", " [1. 1. 1.]]"]
    assert out[3] == "# Excluding 1 tensors (4 params) that match ^a$ when counting."
    assert out[4] == "# Total number of params: 6"


def test_failures_are_printed_not_raised(tmp_path, capsys):
    path = _checkpoint(tmp_path)
    chkp.print_tensors_in_checkpoint_file(path, tensor_name="nope", all_tensors=False)
    out = capsys.readouterr().out
    assert "tensor_name:  nope" in out and "nope not found in checkpoint" in out
    chkp.print_tensors_in_checkpoint_file(str(tmp_path / "absent"), "", True)
    assert capsys.readouterr().out.strip()


def test_the_runner_finds_it_under_tensorflows_name():
    from tensorweave.runner import tensorweave_module_name
    assert tensorweave_module_name("tensorflow.python.tools.inspect_checkpoint") == \
        "tensorweave.tools.inspect_checkpoint"
