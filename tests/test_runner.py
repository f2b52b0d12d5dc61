"""`python -m tensorweave PROGRAM` runs TF1 programs whose imports say `tensorflow`."""
import subprocess
import sys
import textwrap

import pytest

import tensorweave
from tensorweave import runner


def run_tensorweave(args, cwd):
    return subprocess.run([sys.executable, "-m", "tensorweave", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def write(path, text):
    path.write_text(textwrap.dedent(text))
    return path


def test_program_runs_with_its_argv_helpers_and_tensorflow_imports(tmp_path):
    write(tmp_path / "helper.py", "SCALE = 3.0\n")
    write(tmp_path / "train.py", """
        import sys
        import tensorflow as tf
        import tensorflow.compat.v1 as tf1
        from tensorflow.examples.tutorials.mnist import input_data
        from tensorflow.contrib import rnn
        import helper
        x = tf.placeholder("float32", [None, 2])
        with tf.Session() as sess:
            total = sess.run(tf.reduce_sum(x) * helper.SCALE, {x: [[1.0, 2.0]]})
        print(sys.argv, total, tf1 is tf, input_data.__name__, rnn.__name__)
        print(tf.compat.as_text(b"ok"), __name__)
    """)
    result = run_tensorweave(["train.py", "--steps", "5", "extra"], tmp_path)
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first == ("['train.py', '--steps', '5', 'extra'] 9.0 True "
                     "tensorweave.examples.tutorials.mnist.input_data tensorweave.contrib.rnn")
    assert second == "ok __main__"


def test_module_mode_runs_a_package_module_as_main(tmp_path):
    package = tmp_path / "trainer"
    package.mkdir()
    write(package / "__init__.py", "")
    write(package / "model.py", "import tensorflow as tf\nUNITS = tf.constant(4)\n")
    write(package / "task.py", """
        import sys
        import tensorflow as tf
        from trainer import model
        with tf.Session() as sess:
            print(sys.argv[1:], sess.run(model.UNITS), __name__)
    """)
    result = run_tensorweave(["-m", "trainer.task", "--epochs", "2"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['--epochs', '2'] 4 __main__"


def test_missing_tensorflow_module_names_itself(tmp_path):
    write(tmp_path / "prog.py", "import tensorflow.no_such_module\n")
    result = run_tensorweave(["prog.py"], tmp_path)
    assert result.returncode == 1
    assert ("ModuleNotFoundError: No module named 'tensorflow.no_such_module': tensorweave "
            "does not implement tensorflow.no_such_module") in result.stderr


def test_program_exit_status_and_traceback_reach_the_shell(tmp_path):
    write(tmp_path / "fails.py", "import sys\nsys.exit(3)\n")
    assert run_tensorweave(["fails.py"], tmp_path).returncode == 3
    write(tmp_path / "raises.py", "import tensorflow as tf\nraise RuntimeError('boom')\n")
    result = run_tensorweave(["raises.py"], tmp_path)
    assert result.returncode == 1
    assert 'raises.py", line 2' in result.stderr and "RuntimeError: boom" in result.stderr


def test_missing_program_file_is_a_clear_error(tmp_path):
    result = run_tensorweave(["nowhere.py"], tmp_path)
    assert result.returncode != 0
    assert "can't open file 'nowhere.py'" in result.stderr


def test_alias_is_opt_in_and_removable():
    assert not any(isinstance(f, runner.TensorflowAliasFinder) for f in sys.meta_path)
    runner.install_tensorflow_alias()
    try:
        import tensorflow  # noqa: F401 - resolved by the alias
        import tensorflow.python.ops.array_ops as array_ops
        assert sys.modules["tensorflow"] is tensorweave
        assert array_ops is sys.modules["tensorweave.ops.array_ops"]
        assert array_ops.__spec__.name == "tensorweave.ops.array_ops"  # its own spec kept
    finally:
        runner.remove_tensorflow_alias()
    assert "tensorflow" not in sys.modules
    assert not any(isinstance(f, runner.TensorflowAliasFinder) for f in sys.meta_path)


@pytest.mark.parametrize("tf_name, tw_name", [
    ("tensorflow", "tensorweave"),
    ("tensorflow.compat.v1", "tensorweave"),
    ("tensorflow.compat.v1.layers", "tensorweave.layers"),
    ("tensorflow.contrib.rnn", "tensorweave.contrib.rnn"),
    ("tensorflow.python.training.saver", "tensorweave.train.saver"),
    ("tensorflow.python.framework.ops", "tensorweave.framework_ops"),
    ("tensorflow.python.ops.lookup_ops", "tensorweave.lookup_ops"),
    ("tensorflow.python.framework.graph_util", "tensorweave.graph_util"),
    ("tensorflow.python.feature_column.feature_column", "tensorweave.estimator.feature_column"),
    ("tensorflow.python.feature_column.feature_column_v2",
     "tensorweave.estimator.feature_column"),
])
def test_module_name_mapping(tf_name, tw_name):
    assert runner.tensorweave_module_name(tf_name) == tw_name


def test_lookup_ops_module_as_programs_use_it(tmp_path):
    # tensorflow/nmt's iterator tests: `from tensorflow.python.ops import lookup_ops`
    write(tmp_path / "prog.py", """
        import tensorflow as tf
        from tensorflow.python.ops import lookup_ops
        import tensorflow.python.ops.lookup_ops as by_path
        table = lookup_ops.index_table_from_tensor(tf.constant(["a", "b", "eos"]))
        ids = table.lookup(tf.constant(["b", "x", "eos"]))
        with tf.Session() as sess:
            sess.run(tf.tables_initializer())
            print(by_path is lookup_ops, sess.run(ids).tolist(),
                  lookup_ops.HashTable is tf.contrib.lookup.HashTable)
    """)
    result = run_tensorweave(["prog.py"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True [1, -1, 2] True"]


def test_feature_column_modules_as_programs_use_them(tmp_path):
    # lebinlebin/TensorFlowCtrCvrStutyGuideBook's column probes import TF 1.x's _LazyBuilder;
    # tf.feature_column must stay the column module after that import (TF 2.15 prints the same)
    write(tmp_path / "prog.py", """
        import tensorflow as tf
        from tensorflow.python.feature_column.feature_column import _LazyBuilder
        from tensorflow.python.feature_column import feature_column_v2 as fc_v2
        years = tf.feature_column.bucketized_column(
            fc_v2.numeric_column('years'), [1990, 2000, 2010])
        builder = _LazyBuilder({'years': [[1999], [2013], [1987], [2005]]})
        ids = builder.get(years)
        color = tf.feature_column.categorical_column_with_vocabulary_list(
            'color', ['R', 'G', 'B', 'A'], dtype=tf.string, default_value=-1)
        weighted = tf.feature_column.weighted_categorical_column(color, 'weight')
        dense = tf.feature_column.input_layer(
            {'color': [['R'], ['A'], ['G']], 'weight': [[1.0], [5.0], [4.0]]},
            [tf.feature_column.indicator_column(weighted)])
        with tf.Session() as sess:
            sess.run(tf.tables_initializer())
            print(sess.run(ids).ravel().tolist(), sess.run(dense).tolist())
    """)
    result = run_tensorweave(["prog.py"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "[1, 3, 0, 2] [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 5.0], [0.0, 4.0, 0.0, 0.0]]"]


def test_framework_graph_util_module_as_programs_use_it(tmp_path):
    # the book TensorFlow实战Google深度学习框架's freezing script, chapter 5
    write(tmp_path / "prog.py", """
        import tensorflow as tf
        from tensorflow.python.framework import graph_util
        import tensorflow.python.framework.graph_util as by_path
        v1 = tf.Variable(tf.constant(1.0, shape=[1]), name="v1")
        v2 = tf.Variable(tf.constant(2.0, shape=[1]), name="v2")
        result = v1 + v2
        with tf.Session() as sess:
            tf.global_variables_initializer().run()
            frozen = graph_util.convert_variables_to_constants(
                sess, tf.get_default_graph().as_graph_def(), ["add"])
        print(by_path is graph_util, graph_util is tf.graph_util,
              sorted(n.op for n in frozen.node))
    """)
    result = run_tensorweave(["prog.py"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True True ['Add', 'Const', 'Const', 'Identity', "
                                          "'Identity']"]


def test_framework_ops_module_as_programs_use_it(tmp_path):
    write(tmp_path / "prog.py", """
        import tensorflow as tf
        from tensorflow.python.framework import ops
        from tensorflow.python.ops import rnn, rnn_cell, array_ops
        print(rnn.dynamic_rnn is tf.nn.dynamic_rnn, rnn_cell.BasicLSTMCell is
              tf.nn.rnn_cell.BasicLSTMCell, array_ops.__name__)
        ops.reset_default_graph()
        first = ops.get_default_graph()
        a = tf.constant(2.0, name="a")
        ops.reset_default_graph()
        with ops.name_scope("outer"):
            print(ops.get_name_scope(), ops.convert_to_tensor(1.0).name)

        @ops.RegisterGradient("ZeroGradForTest")
        def _zero(op, grad):
            return tf.zeros_like(op.inputs[0])

        x = tf.constant(3.0)
        with ops.get_default_graph().gradient_override_map({"Square": "ZeroGradForTest"}):
            y = tf.square(x)
        with tf.Session() as sess:
            print(first is not ops.get_default_graph(), a.graph is first,
                  sess.run(tf.gradients(y, x))[0], ops.GraphKeys.TRAINABLE_VARIABLES)
    """)
    result = run_tensorweave(["prog.py"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True True tensorweave.ops.array_ops",
                                          "outer outer/Const:0",
                                          "True True 0.0 trainable_variables"]


def test_version_names_say_tf_1_15_with_our_label():
    assert tensorweave.__version__.startswith("1.15.") and "+tensorweave" in tensorweave.__version__
    assert tensorweave.VERSION == "1.15.0"
    assert tensorweave.compat.v1 is tensorweave


def test_compat_text_conversions_follow_tf():
    compat = tensorweave.compat
    assert compat.as_bytes("é") == "é".encode() and compat.as_bytes(bytearray(b"a")) == b"a"
    assert compat.as_text(b"abc") == "abc" and compat.as_str("abc") == "abc"
    assert compat.as_str_any(3) == "3" and compat.as_str_any(b"x") == "x"
    with pytest.raises(TypeError, match="Expected binary or unicode string"):
        compat.as_bytes(3)
    with pytest.raises(TypeError, match="Expected binary or unicode string"):
        compat.as_text(None)
    import pathlib
    assert compat.path_to_str(pathlib.Path("a/b")) == "a/b" and compat.path_to_str(3) == 3
    assert compat.forward_compatible(2019, 1, 1) and not compat.forward_compatible(2030, 1, 1)


def test_lazy_namespace_attributes_load_once_and_name_what_is_missing():
    from tensorweave.util import lazy
    module = type(sys)("tensorweave_lazy_probe")
    sys.modules[module.__name__] = module
    try:
        module.__getattr__ = lazy.attributes(module.__name__, {
            "dumps": "json:dumps", "json": "json"})
        import json
        assert module.__getattr__("dumps") is json.dumps and module.dumps is json.dumps
        assert module.__getattr__("json") is json
        with pytest.raises(AttributeError, match="'tensorweave_lazy_probe' has no attribute"):
            module.__getattr__("loads")
    finally:
        del sys.modules[module.__name__]
    assert lazy.names_from("m", "a", "b") == {"a": "m:a", "b": "m:b"}


def test_standalone_keras_maps_to_tf_keras(tmp_path):
    """`import keras` (Keras 2.2 on its TensorFlow backend) runs on tf.keras."""
    program = tmp_path / "keras_program.py"
    program.write_text(
        "import numpy as np\n"
        "import keras\n"
        "from keras.models import Sequential\n"
        "from keras.layers import Dense\n"
        "model = Sequential([Dense(2, input_shape=(3,))])\n"
        "model.compile('sgd', 'mse')\n"
        "model.fit(np.ones((4, 3)), np.zeros((4, 2)), epochs=1, verbose=0)\n"
        "print('backend', keras.backend.backend())\n")
    result = subprocess.run([sys.executable, "-m", "tensorweave", str(program)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "backend tensorflow" in result.stdout
