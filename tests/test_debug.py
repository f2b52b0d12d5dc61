"""tfdbg as programs import it: `from tensorflow.python import debug as tf_debug`."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tensorweave import debug as tf_debug


def test_programs_import_tfdbg_and_run_without_it(tmp_path):
    (tmp_path / "prog.py").write_text(textwrap.dedent("""
        import tensorflow as tf
        from tensorflow.python import debug as tf_debug
        x = tf.constant([100, 200, 300], name="x")
        with tf.Session() as sess:
            print(sess.run(tf.reduce_sum(x)), tf_debug.__name__)
    """))
    result = subprocess.run([sys.executable, "-m", "tensorweave", "prog.py"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["600", "tensorweave.debug"]


def test_has_inf_or_nan_as_tf():
    assert tf_debug.has_inf_or_nan(None, np.array([1.0, np.inf]))
    assert tf_debug.has_inf_or_nan(None, np.array([[np.nan]], np.float32))
    assert not tf_debug.has_inf_or_nan(None, np.array([1.0, -2.0]))
    assert not tf_debug.has_inf_or_nan(None, np.array([3, 4], np.int32))
    assert not tf_debug.has_inf_or_nan(None, np.array([b"nan"]))


def test_watch_options_defaults():
    options = tf_debug.WatchOptions(node_name_regex_whitelist=r"dense/.*")
    assert options.debug_ops == ["DebugIdentity"]
    assert options.node_name_regex_whitelist == r"dense/.*"
    assert options.tolerate_debug_op_creation_failures is False


@pytest.mark.parametrize("name", ["LocalCLIDebugWrapperSession", "LocalCLIDebugHook",
                                  "DumpingDebugWrapperSession", "TensorBoardDebugHook"])
def test_debugger_sessions_and_hooks_say_there_is_no_runtime(name):
    with pytest.raises(NotImplementedError, match=name):
        getattr(tf_debug, name)(None)
