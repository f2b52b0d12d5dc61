"""tf.train.Saver and the checkpoint helpers, in TensorFlow's own V2 checkpoint format.

- round trips for every dtype, max_to_keep and the `checkpoint` state file, crash safety,
  restore errors that name the variable;
- checkpoints made by TensorFlow (tests/fixtures/checkpoints, made by
  tests/fixtures/make_checkpoint_fixtures.py) restore here;
- checkpoints made here are read and restored by TensorFlow itself when its reference
  interpreter is installed (TENSORWEAVE_TF_PYTHON, default /opt/tfref/bin/python).
"""
import inspect
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import tensorweave as tf

pytest.importorskip("google.protobuf", reason="checkpoints need the `checkpoint` extra")

from checkpoint_helpers import (VALUES, assign_all, make_variables, save_steps,  # noqa: E402
                                small_model)
from tensorweave.lib import tensor_bundle  # noqa: E402
from tensorweave.train import checkpoint_management  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "checkpoints"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())
TF_PYTHON = os.environ.get("TENSORWEAVE_TF_PYTHON", "/opt/tfref/bin/python")


# --- round trips -----------------------------------------------------------------------------
def test_round_trip_every_dtype(tmp_path):
    made = make_variables(VALUES)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assign_all(sess, made, VALUES)
        path = saver.save(sess, str(tmp_path / "model.ckpt"))
    assert path == str(tmp_path / "model.ckpt")
    with tf.Session() as sess:
        saver.restore(sess, path)
        for name, var in made.items():
            value = sess.run(var)
            assert np.asarray(value).dtype == VALUES[name].dtype, name
            np.testing.assert_array_equal(value, VALUES[name], err_msg=name)
    reader = tf.train.NewCheckpointReader(path)
    assert reader.get_variable_to_dtype_map() == {n: tf.as_dtype(n) for n in VALUES}
    assert reader.get_variable_to_shape_map() == {n: list(v.shape) for n, v in VALUES.items()}


def test_saver_graph_is_tensorflows(tmp_path):
    small_model()
    saver = tf.train.Saver()
    saver_def = saver.as_saver_def()
    assert saver_def.filename_tensor_name == "save/Const:0"
    assert saver_def.save_tensor_name == "save/control_dependency:0"
    assert saver_def.restore_op_name == "save/restore_all"
    assert saver_def.max_to_keep == 5
    assert saver_def.keep_checkpoint_every_n_hours == 10000
    assert saver_def.version == tf.train.SaverDef.V2
    graph = tf.get_default_graph()
    save = graph.get_operation_by_name("save/SaveV2")
    restore = graph.get_operation_by_name("save/RestoreV2")
    assert [t.name for t in save.inputs] == [
        "save/Const:0", "save/SaveV2/tensor_names:0", "save/SaveV2/shape_and_slices:0",
        "layer/b:0", "w:0"]
    assert list(tf.Session().run(restore.inputs[1])) == [b"layer/b", b"w"]
    assert [op.type for op in graph.get_operation_by_name("save/restore_all")
            .control_inputs] == ["Assign", "Assign"]
    second = tf.train.Saver()  # a second saver gets its own scope
    assert second.saver_def.filename_tensor_name == "save_1/Const:0"


def test_var_list_as_list_and_dict(tmp_path):
    w, b = small_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        only_w = tf.train.Saver([w]).save(sess, str(tmp_path / "w"), write_meta_graph=False)
        renamed = tf.train.Saver({"renamed/weights": w, "bias": b})
        renamed.save(sess, str(tmp_path / "d"), write_meta_graph=False)
    assert tf.train.list_variables(only_w) == [("w", [2, 3])]
    assert tf.train.list_variables(str(tmp_path / "d")) == [("bias", [3]),
                                                            ("renamed/weights", [2, 3])]
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path / "d"),
                                                         "renamed/weights"),
                                  np.arange(6).reshape(2, 3))
    with pytest.raises(ValueError, match="same name: w"):
        tf.train.Saver([w, w])
    with pytest.raises(TypeError, match="not a Variable"):
        tf.train.Saver([w.value()])


def test_no_variables(tmp_path):
    with pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver()
    saver = tf.train.Saver(allow_empty=True)
    with tf.Session() as sess:
        assert saver.save(sess, str(tmp_path / "empty")) is None
        saver.restore(sess, str(tmp_path / "empty"))
    assert os.listdir(tmp_path) == ["empty.meta"]  # TF writes the meta graph even so


def test_global_step_forms(tmp_path):
    small_model()
    step = tf.train.get_or_create_global_step()
    saver = tf.train.Saver(max_to_keep=None)
    padded = tf.train.Saver(pad_step_number=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(step, 42))
        base = str(tmp_path / "model.ckpt")
        assert saver.save(sess, base, global_step=7) == base + "-7"
        assert saver.save(sess, base, global_step=np.int64(8)) == base + "-8"
        assert saver.save(sess, base, global_step=step) == base + "-42"
        assert padded.save(sess, base, global_step=step) == base + "-00000042"
    assert tf.train.load_variable(base + "-42", "global_step") == 42


def test_restore_into_a_new_graph_and_keep_training(tmp_path):
    w, b = small_model()
    loss = tf.reduce_sum(tf.square(tf.matmul(tf.ones([1, 2]), w) + b))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        saved = sess.run([w, b])
        path = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=1)
        sess.run(train)
        continued = sess.run([w, b])
    graph = tf.Graph()
    with graph.as_default():
        w2, b2 = small_model()
        loss2 = tf.reduce_sum(tf.square(tf.matmul(tf.ones([1, 2]), w2) + b2))
        train2 = tf.train.GradientDescentOptimizer(0.1).minimize(loss2)
        saver2 = tf.train.Saver()
    with tf.Session(graph=graph) as sess:
        saver2.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
        for got, want in zip(sess.run([w2, b2]), saved):
            np.testing.assert_array_equal(got, want)
        sess.run(train2)
        for got, want in zip(sess.run([w2, b2]), continued):
            np.testing.assert_allclose(got, want, rtol=1e-6)
    assert path.endswith("model.ckpt-1")


def test_reshape_restores_same_size_shapes(tmp_path):
    tf.Variable(np.arange(6.0).reshape(2, 3), name="v")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, str(tmp_path / "m"), write_meta_graph=False)
    graph = tf.Graph()
    with graph.as_default():
        v = tf.Variable(np.zeros((3, 2)), name="v")
        strict, reshaping = tf.train.Saver(), tf.train.Saver(reshape=True)
    with tf.Session(graph=graph) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="shapes"):
            strict.restore(sess, str(tmp_path / "m"))
        reshaping.restore(sess, str(tmp_path / "m"))
        np.testing.assert_array_equal(sess.run(v), np.arange(6.0).reshape(3, 2))


# --- max_to_keep and the state file ----------------------------------------------------------
def _files(directory):
    return sorted(os.listdir(directory))


def test_max_to_keep_and_state_file(tmp_path):
    saver = save_steps(tmp_path, range(4), "model.ckpt", max_to_keep=2)
    base = str(tmp_path / "model.ckpt")
    assert saver.last_checkpoints == [base + "-2", base + "-3"]
    assert _files(tmp_path) == ["checkpoint", "model.ckpt-2.data-00000-of-00001",
                                "model.ckpt-2.index", "model.ckpt-3.data-00000-of-00001",
                                "model.ckpt-3.index"]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == base + "-3"
    assert list(state.all_model_checkpoint_paths) == [base + "-2", base + "-3"]
    assert (tmp_path / "checkpoint").read_text() == (
        f'model_checkpoint_path: "{base}-3"\n'
        f'all_model_checkpoint_paths: "{base}-2"\n'
        f'all_model_checkpoint_paths: "{base}-3"\n')
    assert tf.train.latest_checkpoint(str(tmp_path)) == base + "-3"


def test_saving_the_same_prefix_again_keeps_one_entry(tmp_path):
    saver = save_steps(tmp_path, (1, 2, 1), max_to_keep=2)
    base = str(tmp_path / "m")
    assert saver.last_checkpoints == [base + "-2", base + "-1"]
    assert tf.train.checkpoint_exists(base + "-1") and tf.train.checkpoint_exists(base + "-2")


def test_max_to_keep_none_keeps_everything(tmp_path):
    saver = save_steps(tmp_path, range(3), max_to_keep=0)
    assert len([f for f in _files(tmp_path) if f.endswith(".index")]) == 3
    assert saver.last_checkpoints == []
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert list(state.all_model_checkpoint_paths) == [str(tmp_path / "m-2")]


def test_keep_checkpoint_every_n_hours_preserves_old_files(tmp_path):
    saver = save_steps(tmp_path, range(3), max_to_keep=1, keep_checkpoint_every_n_hours=1e-9)
    assert saver.last_checkpoints == [str(tmp_path / "m-2")]
    assert len([f for f in _files(tmp_path) if f.endswith(".index")]) == 3


def test_relative_paths_and_latest_filename(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    small_model()
    saver = tf.train.Saver(save_relative_paths=True)
    os.mkdir("train")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = saver.save(sess, os.path.join(str(tmp_path), "train", "model"), global_step=3,
                          latest_filename="state", write_meta_graph=False)
        tf.train.Saver().save(sess, "train/rel", global_step=1, write_meta_graph=False)
        tf.train.Saver().save(sess, "train/nostate", write_state=False, write_meta_graph=False)
    assert (tmp_path / "train" / "state").read_text() == (
        'model_checkpoint_path: "model-3"\nall_model_checkpoint_paths: "model-3"\n')
    assert tf.train.latest_checkpoint("train", latest_filename="state") == \
        os.path.join("train", "model-3")
    assert tf.train.latest_checkpoint(str(tmp_path / "train"), "state") == path
    assert (tmp_path / "train" / "checkpoint").read_text() == (
        'model_checkpoint_path: "rel-1"\nall_model_checkpoint_paths: "rel-1"\n')
    assert tf.train.latest_checkpoint("train") == os.path.join("train", "rel-1")


def test_save_path_errors(tmp_path):
    small_model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(ValueError, match="collides"):
            saver.save(sess, str(tmp_path / "checkpoint"))
        with pytest.raises(ValueError, match="Parent directory of .* doesn't exist"):
            saver.save(sess, str(tmp_path / "no" / "such" / "model"))
        saver.save(sess, str(tmp_path / "made" / "model"), write_meta_graph=False)
        assert tf.train.checkpoint_exists(str(tmp_path / "made" / "model"))
        with pytest.raises(TypeError, match="must be a Session"):
            saver.save(None, str(tmp_path / "m"))


def test_saving_uninitialized_variables_fails(tmp_path):
    small_model()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized"):
            tf.train.Saver().save(sess, str(tmp_path / "m"))
    assert not os.listdir(tmp_path)


def test_recover_and_set_last_checkpoints(tmp_path):
    save_steps(tmp_path, range(2), max_to_keep=2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        state = tf.train.get_checkpoint_state(str(tmp_path))
        later = tf.train.Saver(max_to_keep=2)
        later.recover_last_checkpoints(list(state.all_model_checkpoint_paths) +
                                       [str(tmp_path / "gone")])
        assert later.last_checkpoints == [str(tmp_path / "m-0"), str(tmp_path / "m-1")]
        later.save(sess, str(tmp_path / "m"), global_step=2, write_meta_graph=False)
    assert not tf.train.checkpoint_exists(str(tmp_path / "m-0"))  # the recovered list rolled
    later.set_last_checkpoints_with_time([("a", 1.0), ("b", 2.0)])
    assert later.last_checkpoints == ["a", "b"]
    with pytest.raises(TypeError):
        later.set_last_checkpoints_with_time(("a", 1.0))


def test_checkpoint_state_helpers(tmp_path):
    directory = str(tmp_path)
    assert tf.train.get_checkpoint_state(directory) is None
    assert tf.train.latest_checkpoint(directory) is None
    tf.train.update_checkpoint_state(directory, os.path.join(directory, "b"),
                                     [os.path.join(directory, "a")])
    state = tf.train.get_checkpoint_state(directory)
    assert state.model_checkpoint_path == os.path.join(directory, "b")
    assert list(state.all_model_checkpoint_paths) == [os.path.join(directory, p)
                                                      for p in ("a", "b")]
    assert tf.train.latest_checkpoint(directory) is None  # no files for 'b'
    tensor_bundle.write_bundle(os.path.join(directory, "b"), {"x": np.zeros(1)})
    assert tf.train.latest_checkpoint(directory) == os.path.join(directory, "b")
    assert len(tf.train.get_checkpoint_mtimes([os.path.join(directory, "b"),
                                               os.path.join(directory, "a")])) == 1
    tf.train.remove_checkpoint(os.path.join(directory, "b"))
    assert not tf.train.checkpoint_exists(os.path.join(directory, "b"))
    (tmp_path / "checkpoint").write_text("this is { not a CheckpointState")
    assert tf.train.get_checkpoint_state(directory) is None
    (tmp_path / "checkpoint").write_text("")
    with pytest.raises(ValueError, match="Invalid checkpoint state"):
        tf.train.get_checkpoint_state(directory)
    with pytest.raises(RuntimeError, match="conflicts"):
        tf.train.update_checkpoint_state(directory, os.path.join(directory, "checkpoint"))
    assert checkpoint_management.meta_graph_filename("m-10") == "m-10.meta"
    assert checkpoint_management.meta_graph_filename("m-10-?????-of-00002", "x") == "m-10.x"


# --- crash safety ----------------------------------------------------------------------------
def _two_saves_with_crash(tmp_path, monkeypatch, target, attribute, after_calls=0):
    """Saves step 1, then crashes the save of step 2 inside `target.attribute`."""
    w, b = small_model()
    saver = tf.train.Saver(max_to_keep=1)
    base = str(tmp_path / "m")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, base, global_step=1, write_meta_graph=False)
        state_before = (tmp_path / "checkpoint").read_text()
        files_before = _files(tmp_path)
        sess.run(tf.assign_add(b, tf.ones([3])))
        real = getattr(target, attribute)
        calls = []

        def crash(*args, **kwargs):
            calls.append(args)
            if len(calls) > after_calls:
                raise KeyboardInterrupt("simulated crash")
            return real(*args, **kwargs)
        monkeypatch.setattr(target, attribute, crash)
        with pytest.raises(KeyboardInterrupt):
            saver.save(sess, base, global_step=2, write_meta_graph=False)
        monkeypatch.undo()
    return base, state_before, files_before, b


@pytest.mark.parametrize("where", ["data file", "index file", "between renames",
                                   "state file"])
def test_interrupted_save_leaves_the_previous_checkpoint(tmp_path, monkeypatch, where):
    target, attribute, after = {
        "data file": (tensor_bundle.BundleWriter, "_write_data", 0),
        "index file": (tensor_bundle.table, "write_table", 0),
        "between renames": (tensor_bundle, "_replace", 1),
        "state file": (checkpoint_management, "_replace", 0),
    }[where]
    base, state_before, files_before, b = _two_saves_with_crash(tmp_path, monkeypatch, target,
                                                                attribute, after)
    assert (tmp_path / "checkpoint").read_text() == state_before
    assert tf.train.latest_checkpoint(str(tmp_path)) == base + "-1"
    leftovers = set(_files(tmp_path)) - set(files_before)
    if where in ("between renames", "state file"):
        assert "m-2.data-00000-of-00001" in leftovers  # renamed before the crash; harmless
    if where == "state file":
        assert "m-2.index" in leftovers  # complete, but the state file does not name it yet
    assert not [f for f in leftovers if "tmp" in f or "tempstate" in f]
    assert all(f in _files(tmp_path) for f in files_before)  # max_to_keep deleted nothing
    graph = tf.Graph()
    with graph.as_default():
        _, b2 = small_model()
        saver = tf.train.Saver()
    with tf.Session(graph=graph) as sess:
        saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
        np.testing.assert_array_equal(sess.run(b2), [0, 0, 0])


def test_killed_process_leaves_the_previous_checkpoint(tmp_path):
    """A real crash: the process exits (os._exit) in the middle of writing the index file."""
    script = textwrap.dedent(f"""
        import os, numpy as np, tensorweave as tf
        from tensorweave.lib import table
        v = tf.Variable(np.arange(1000.0), name="v")
        saver = tf.train.Saver(max_to_keep=1)
        with tf.Session() as sess:
            sess.run(v.initializer)
            saver.save(sess, {str(tmp_path / 'm')!r}, global_step=1)
            sess.run(v.assign(v + 1))
            real = table.TableWriter.finish
            def die(self):
                self._file.write(b"partial")
                self._file.flush()
                os._exit(3)
            table.TableWriter.finish = die
            saver.save(sess, {str(tmp_path / 'm')!r}, global_step=2)
    """)
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                            env=dict(os.environ, PYTHONPATH=str(root)), timeout=120)
    assert result.returncode == 3, result.stderr.decode()
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "m-1")
    assert not tf.train.checkpoint_exists(str(tmp_path / "m-2"))
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path), "v"),
                                  np.arange(1000.0))


# --- restore errors --------------------------------------------------------------------------
@pytest.fixture
def checkpoint(tmp_path):
    """A checkpoint of w: float32 [2, 3] and layer/b: float32 [3]."""
    small_model()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"),
                                     write_meta_graph=False)


def _restore_into(build, path):
    graph = tf.Graph()
    with graph.as_default():
        made = build()
        init = tf.global_variables_initializer()
        saver = tf.train.Saver()
    sess = tf.Session(graph=graph)
    sess.run(init)
    before = {v.op.name: sess.run(v) for v in made}
    return saver, sess, made, before


def _unchanged(sess, made, before):
    for v in made:
        np.testing.assert_array_equal(sess.run(v), before[v.op.name])


def test_missing_key_is_not_found_naming_the_variable(checkpoint):
    saver, sess, made, before = _restore_into(
        lambda: [tf.Variable(np.ones((2, 3), np.float32), name="w"),
                 tf.Variable(np.ones(4, np.float32), name="extra")], checkpoint)
    with pytest.raises(tf.errors.NotFoundError, match="Key extra not found in checkpoint") as e:
        saver.restore(sess, checkpoint)
    assert "restoring variable 'extra'" in str(e.value)
    assert "a Variable name or other graph key that is missing" in str(e.value)
    _unchanged(sess, made, before)  # nothing was assigned


def test_shape_mismatch_is_invalid_argument_naming_the_variable(checkpoint):
    saver, sess, made, before = _restore_into(
        lambda: [tf.Variable(np.ones((3, 2), np.float32), name="w")], checkpoint)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"lhs shape= \[3, 2\] rhs shape= \[2, 3\].*variable 'w'"):
        saver.restore(sess, checkpoint)
    _unchanged(sess, made, before)


def test_dtype_mismatch_is_invalid_argument_naming_the_variable(checkpoint):
    saver, sess, made, before = _restore_into(
        lambda: [tf.Variable(np.ones((2, 3)), name="w")], checkpoint)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="tensor_name = w; expected dtype float64 does not equal original "
                             "dtype float32.*variable 'w'"):
        saver.restore(sess, checkpoint)
    _unchanged(sess, made, before)


def test_corrupt_and_truncated_files_are_data_loss(checkpoint):
    saver, sess, made, before = _restore_into(
        lambda: [tf.Variable(np.ones((2, 3), np.float32), name="w")], checkpoint)
    data = checkpoint + ".data-00000-of-00001"
    original = open(data, "rb").read()
    flipped = bytearray(original)
    flipped[-1] ^= 0x40  # the last byte of 'w' (saved after 'layer/b')
    open(data, "wb").write(bytes(flipped))
    with pytest.raises(tf.errors.DataLossError, match="tensor w: its checksum does not match"):
        saver.restore(sess, checkpoint)
    open(data, "wb").write(original[:-4])
    with pytest.raises(tf.errors.DataLossError, match="tensor w"):
        saver.restore(sess, checkpoint)
    open(data, "wb").write(original)
    index = checkpoint + ".index"
    open(index, "wb").write(open(index, "rb").read()[:-30])
    with pytest.raises(tf.errors.DataLossError, match="model.ckpt.index"):
        saver.restore(sess, checkpoint)


def test_restore_from_nothing(tmp_path, checkpoint):
    saver, sess, _, _ = _restore_into(
        lambda: [tf.Variable(np.ones((2, 3), np.float32), name="w")], checkpoint)
    with pytest.raises(ValueError, match="not a valid checkpoint"):
        saver.restore(sess, str(tmp_path / "nothing"))
    with pytest.raises(ValueError, match="None"):
        saver.restore(sess, None)


# --- reading checkpoints ---------------------------------------------------------------------
def test_checkpoint_reader(checkpoint, tmp_path):
    reader = tf.train.NewCheckpointReader(checkpoint)
    assert reader.has_tensor("w") and not reader.has_tensor("v")
    assert reader.get_variable_to_shape_map() == {"w": [2, 3], "layer/b": [3]}
    assert reader.get_variable_to_dtype_map() == {"w": tf.float32, "layer/b": tf.float32}
    np.testing.assert_array_equal(reader.get_tensor("w"), np.arange(6).reshape(2, 3))
    assert reader.debug_string() == b"layer/b (DT_FLOAT) [3]\nw (DT_FLOAT) [2,3]\n"
    with pytest.raises(tf.errors.NotFoundError, match="Key v not found"):
        reader.get_tensor("v")
    with pytest.raises(tf.errors.NotFoundError):
        tf.train.NewCheckpointReader(str(tmp_path / "none"))
    assert tf.train.load_checkpoint(str(tmp_path)).has_tensor("layer/b")
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path), "layer/b:0"), [0] * 3)
    assert tf.train.list_variables(checkpoint) == [("layer/b", [3]), ("w", [2, 3])]
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file"):
        tf.train.load_checkpoint(str(tmp_path / "empty"))


# --- init_from_checkpoint --------------------------------------------------------------------
@pytest.fixture
def trained(tmp_path):
    with tf.variable_scope("old"):
        tf.get_variable("w", dtype=tf.float64, initializer=np.arange(6.0).reshape(2, 3))
        tf.get_variable("b", dtype=tf.float64, initializer=np.array([1.0, 2.0, 3.0]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return tf.train.Saver().save(sess, str(tmp_path / "m"), write_meta_graph=False)


def _fresh(scope="new"):
    graph = tf.Graph()
    with graph.as_default(), tf.variable_scope(scope):
        w = tf.get_variable("w", [2, 3], tf.float64, initializer=tf.zeros_initializer())
        b = tf.get_variable("b", [3], tf.float64, initializer=tf.zeros_initializer())
    return graph, w, b


@pytest.mark.parametrize("assignment", ["scope", "names", "variables"])
def test_init_from_checkpoint(trained, assignment):
    graph, w, b = _fresh()
    with graph.as_default():
        mapping = {"scope": {"old/": "new/"},
                   "names": {"old/w": "new/w", "old/b": "new/b"},
                   "variables": {"old/w": w, "old/b": b}}[assignment]
        tf.train.init_from_checkpoint(trained, mapping)
        init = tf.global_variables_initializer()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        np.testing.assert_array_equal(sess.run(w), np.arange(6.0).reshape(2, 3))
        np.testing.assert_array_equal(sess.run(b), [1.0, 2.0, 3.0])


def test_init_from_checkpoint_root_mapping_and_errors(trained, tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        w = tf.get_variable("w", [2, 3], tf.float64)
        tf.train.init_from_checkpoint(str(tmp_path), {"old/": "/"})
        with tf.Session() as sess:
            sess.run(w.initializer)
            np.testing.assert_array_equal(sess.run(w), np.arange(6.0).reshape(2, 3))
    graph, w, b = _fresh()
    with graph.as_default():
        with pytest.raises(ValueError, match="Tensor old/nope is not found"):
            tf.train.init_from_checkpoint(trained, {"old/nope": "new/w"})
        with pytest.raises(ValueError, match="Shape of variable new/b"):
            tf.train.init_from_checkpoint(trained, {"old/w": "new/b"})
        with pytest.raises(ValueError, match="should map to scope only"):
            tf.train.init_from_checkpoint(trained, {"old": "new/"})
        with pytest.raises(ValueError, match="is not found in"):
            tf.train.init_from_checkpoint(trained, {"other/": "new/"})


# --- the SaveV2 and RestoreV2 ops ------------------------------------------------------------
def test_save_and_restore_ops_directly(tmp_path):
    from tensorweave.core.graph import create_op
    from tensorweave.ops import io_ops
    prefix = tf.placeholder(tf.string, [])
    save = io_ops.save_v2(prefix, ["a", "b"], ["", ""],
                          [tf.constant([1.0, 2.0]), tf.constant([b"x"])])
    a, b = io_ops.restore_v2(prefix, ["a", "b"], ["", ""], [tf.float32, tf.string])
    with pytest.raises(TypeError, match="SaveV2 requires a string prefix"):
        create_op("SaveV2", [tf.constant(1.0), tf.constant(["a"]), tf.constant([""]),
                             tf.constant(1.0)], dtypes=[tf.float32])
    with pytest.raises(TypeError, match="SaveV2 requires tensors of dtypes"):
        create_op("SaveV2", [prefix, tf.constant(["a"]), tf.constant([""]),
                             tf.constant(1.0)], dtypes=[tf.int32])
    with pytest.raises(ValueError, match="SaveV2 requires 1 tensor_names"):
        io_ops.save_v2(prefix, ["a", "b"], ["", ""], [tf.constant(1.0)])
    with tf.Session() as sess:
        sess.run(save, {prefix: str(tmp_path / "ops")})
        got_a, got_b = sess.run([a, b], {prefix: str(tmp_path / "ops")})
        np.testing.assert_array_equal(got_a, [1.0, 2.0])
        assert list(got_b) == [b"x"]
        wrong = io_ops.restore_v2(prefix, ["a"], [""], [tf.int32])[0]
        with pytest.raises(tf.errors.InvalidArgumentError, match="expected dtype int32"):
            sess.run(wrong, {prefix: str(tmp_path / "ops")})
        sliced = io_ops.restore_v2(prefix, ["a"], ["2 0,1"], [tf.float32])[0]
        with pytest.raises(tf.errors.UnimplementedError, match="slice"):
            sess.run(sliced, {prefix: str(tmp_path / "ops")})


def test_import_does_not_load_protobuf():
    code = ("import sys, tensorweave as tf; assert 'google.protobuf' not in sys.modules; "
            "tf.train.Saver; assert 'google.protobuf' not in sys.modules; "
            "tf.train.SaverDef; assert 'google.protobuf' in sys.modules")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True,
                   env=dict(os.environ, PYTHONPATH=str(root)), timeout=120)


# --- checkpoints made by TensorFlow ----------------------------------------------------------
def _expected_value(spec):
    dtype, value = spec["dtype"], spec["value"]
    if dtype == "string":
        array = np.vectorize(bytes.fromhex, otypes=[object])(np.array(value, dtype=object)) \
            if isinstance(value, list) else np.array(bytes.fromhex(value), dtype=object)
    elif dtype.startswith("complex"):
        array = np.array(value[0], dtype) + 1j * np.array(value[1], dtype)
    else:
        array = np.array(value, dtype=dtype)
    return array.astype(object if dtype == "string" else dtype).reshape(spec["shape"])


@pytest.mark.parametrize("prefix", ["tf1_saver/model.ckpt-7", "tf2_object/ckpt"])
def test_reading_tensorflow_checkpoints(prefix):
    expected = EXPECTED[prefix]
    reader = tf.train.NewCheckpointReader(str(FIXTURES / prefix))
    assert reader.get_variable_to_shape_map() == {n: s["shape"] for n, s in expected.items()}
    assert {n: d.name for n, d in reader.get_variable_to_dtype_map().items()} == \
        {n: s["dtype"] for n, s in expected.items()}
    for name, spec in expected.items():
        value = reader.get_tensor(name)
        if spec["dtype"] == "string" and not spec["shape"]:
            assert isinstance(value, bytes)  # a string scalar comes back as bytes, as in TF
            value = np.array(value, dtype=object)
        value = np.asarray(value)
        want = _expected_value(spec)
        assert value.dtype == want.dtype, name
        np.testing.assert_array_equal(value, want, err_msg=name)


def test_tensorflow_state_file_and_latest_checkpoint():
    directory = str(FIXTURES / "tf1_saver")
    assert tf.train.latest_checkpoint(directory) == os.path.join(directory, "model.ckpt-7")
    state = tf.train.get_checkpoint_state(directory)
    assert list(state.all_model_checkpoint_paths) == [
        os.path.join(directory, "model.ckpt-5"), os.path.join(directory, "model.ckpt-7")]
    assert tf.train.list_variables(directory)[0] == ("bool", [1, 3])


def test_restoring_a_tensorflow_checkpoint_with_saver():
    expected = EXPECTED["tf1_saver/model.ckpt-7"]
    values = {name: _expected_value(spec) for name, spec in expected.items()}
    made = make_variables(values)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, tf.train.latest_checkpoint(str(FIXTURES / "tf1_saver")))
        for name, var in made.items():
            np.testing.assert_array_equal(sess.run(var), values[name], err_msg=name)
        saver.restore(sess, str(FIXTURES / "tf1_saver" / "model.ckpt-5"))
        step5 = EXPECTED["tf1_saver/model.ckpt-5"]
        assert sess.run(made["global_step"]) == step5["global_step"]
        np.testing.assert_allclose(sess.run(made["hidden1/biases"]), step5["hidden1/biases"])


# --- TensorFlow reading and restoring our checkpoints ----------------------------------------
def _flat(value, dtype):
    """A value as JSON-comparable lists (also run inside TensorFlow's interpreter)."""
    value = np.asarray(value)
    if dtype == "string":
        return [b.hex() for b in value.reshape(-1)]
    if dtype.startswith("complex"):
        return [value.real.reshape(-1).tolist(), value.imag.reshape(-1).tolist()]
    return value.astype(np.float64 if dtype == "float16" else value.dtype).reshape(-1).tolist()


_TF_SCRIPT = r"""
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow.compat.v1 as tf

directory = sys.argv[1]
prefix = tf.train.latest_checkpoint(directory)
out = {"latest": prefix, "values": {}, "restored": {}}

""" + inspect.getsource(_flat) + r"""
reader = tf.train.load_checkpoint(directory)
dtypes = reader.get_variable_to_dtype_map()
shapes = reader.get_variable_to_shape_map()
for name in sorted(shapes):
    dtype = dtypes[name].name
    out["values"][name] = {"dtype": dtype, "shape": shapes[name],
                           "value": _flat(reader.get_tensor(name), dtype)}
graph = tf.Graph()
with graph.as_default():
    made = {}
    for name in sorted(shapes):
        dtype = dtypes[name]
        zero = np.full(shapes[name], b"", dtype=object) if dtype == tf.string else \
            np.zeros(shapes[name], dtype.as_numpy_dtype)
        made[name] = tf.Variable(zero, dtype=dtype, name=name)
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, prefix)
        for name, var in made.items():
            out["restored"][name] = _flat(sess.run(var), dtypes[name].name)
print("RESULT" + json.dumps(out))
"""


def _run_tensorflow(directory):
    if not os.path.exists(TF_PYTHON):
        pytest.skip(f"TensorFlow's reference interpreter {TF_PYTHON} is not installed (set "
                    "TENSORWEAVE_TF_PYTHON)")
    result = subprocess.run([TF_PYTHON, "-c", _TF_SCRIPT, str(directory)], capture_output=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    line = [x for x in result.stdout.decode().splitlines() if x.startswith("RESULT")][-1]
    return json.loads(line[len("RESULT"):])


def test_tensorflow_reads_and_restores_our_checkpoints(tmp_path):
    values = dict(VALUES)
    values["hidden1/weights"] = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)
    values["empty"] = np.zeros((0, 3), np.float32)
    made = make_variables({k: v for k, v in values.items() if k in VALUES})
    made["hidden1/weights"] = tf.Variable(values["hidden1/weights"], name="hidden1/weights")
    made["empty"] = tf.Variable(values["empty"], name="empty")
    saver = tf.train.Saver(max_to_keep=2)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, str(tmp_path / "model.ckpt"), global_step=1, write_meta_graph=False)
        assign_all(sess, {k: v for k, v in made.items() if k in VALUES}, VALUES)
        saver.save(sess, str(tmp_path / "model.ckpt"), global_step=2, write_meta_graph=False)
    out = _run_tensorflow(tmp_path)
    assert out["latest"] == str(tmp_path / "model.ckpt-2")
    assert sorted(out["values"]) == sorted(values)
    for name, value in values.items():
        dtype = tf.as_dtype(value.dtype).name if value.dtype != object else "string"
        seen = out["values"][name]
        assert (seen["dtype"], seen["shape"]) == (dtype, list(value.shape)), name
        assert seen["value"] == _flat(value, dtype), name
        assert out["restored"][name] == _flat(value, dtype), name


def test_saver_from_a_saver_def_reuses_the_graph(tmp_path):
    w, _ = small_model()
    original = tf.train.Saver()
    count = len(tf.get_default_graph().get_operations())
    again = tf.train.Saver.from_proto(original.as_saver_def())
    assert len(tf.get_default_graph().get_operations()) == count  # no new ops
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        path = again.save(sess, str(tmp_path / "m"), write_meta_graph=False)
        sess.run(tf.assign(w, tf.zeros([2, 3])))
        again.restore(sess, path)
        np.testing.assert_array_equal(sess.run(w), np.arange(6).reshape(2, 3))
    assert not (tmp_path / "m.meta").exists()  # write_meta_graph=False


@pytest.mark.parametrize("as_path", [os.fsencode, Path], ids=["bytes", "pathlib"])
def test_checkpoint_paths_as_bytes_or_path_like(tmp_path, as_path):
    """TF accepts bytes in Saver.save/restore and the checkpoint readers, and os.PathLike in
    several of them; tensorweave accepts both everywhere a checkpoint path goes."""
    prefix = str(tmp_path / "model.ckpt")
    with tf.Graph().as_default():
        v = tf.Variable(3.0, name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(v.initializer)
            assert saver.save(sess, as_path(prefix), global_step=7) == prefix + "-7"
            assert tf.train.latest_checkpoint(as_path(str(tmp_path))) == prefix + "-7"
            state = tf.train.get_checkpoint_state(as_path(str(tmp_path)))
            assert state.model_checkpoint_path == prefix + "-7"
            assert tf.train.checkpoint_exists(as_path(prefix + "-7"))
            sess.run(v.assign(0.0))
            saver.restore(sess, as_path(prefix + "-7"))
            assert sess.run(v) == 3.0
        tf.train.export_meta_graph(as_path(str(tmp_path / "graph.meta")))
    assert tf.train.NewCheckpointReader(as_path(prefix + "-7")).get_tensor("v") == 3.0
    assert tf.train.list_variables(as_path(prefix + "-7")) == [("v", [])]
    assert tf.train.load_variable(as_path(str(tmp_path)), "v") == 3.0
    with tf.Graph().as_default():
        restorer = tf.train.import_meta_graph(as_path(prefix + "-7.meta"))
        assert restorer is not None
    with tf.Graph().as_default():
        tf.train.import_meta_graph(as_path(str(tmp_path / "graph.meta")))
    writer = tf.summary.FileWriter(as_path(str(tmp_path / "events")))
    writer.close()
    assert writer.get_logdir() == str(tmp_path / "events")
    assert os.listdir(str(tmp_path / "events"))
