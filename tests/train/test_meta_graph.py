"""Meta graphs: export_meta_graph / import_meta_graph, the .meta file Saver.save writes, the
classic "restore without the model code" workflow, and interchange with TensorFlow."""
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import tensorweave as tf  # noqa: E402
from tensorweave.train import meta_graph  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "meta_graph"
MNIST_DIR = pathlib.Path(os.environ.get("TENSORWEAVE_MNIST_DIR",
                                        REPO.parent / "shared" / "data" / "mnist"))
# A Python with a real TensorFlow (tensorflow-cpu 2.15) for the cross-check; never a dependency.
TF_PYTHON = pathlib.Path(os.environ.get("TENSORWEAVE_TF_PYTHON", "/opt/tfref/bin/python"))


def _load_fixture_script():
    spec = importlib.util.spec_from_file_location(
        "make_meta_graph_fixture", REPO / "tests" / "fixtures" / "make_meta_graph_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_FIXTURE_SCRIPT = _load_fixture_script()
_X, _Y = _FIXTURE_SCRIPT.X, _FIXTURE_SCRIPT.Y


def _linear_model():
    """The fixture's model (x @ w + b, squared loss, GradientDescent), built by tensorweave."""
    return _FIXTURE_SCRIPT.linear_model(tf)


def test_meta_graph_def_contents():
    with tf.Graph().as_default():
        _, _, w, _, y, loss, train_op = _linear_model()
        tf.add_to_collection("names", "first")
        tf.add_to_collection("names", b"second")
        tf.add_to_collection("sizes", 3)
        tf.add_to_collection("rates", 0.5)
        tf.add_to_collection("objects", object())  # left out, with a warning
        saver = tf.train.Saver(max_to_keep=3, keep_checkpoint_every_n_hours=2.0)
        meta = saver.export_meta_graph()
    assert meta.meta_info_def.tensorflow_version == meta_graph.TENSORFLOW_VERSION
    assert [n.name for n in meta.graph_def.node][:2] == ["x", "y_"]
    assert meta.saver_def.filename_tensor_name == "save/Const:0"
    assert meta.saver_def.save_tensor_name == "save/control_dependency:0"
    assert meta.saver_def.restore_op_name == "save/restore_all"
    assert (meta.saver_def.max_to_keep, meta.saver_def.keep_checkpoint_every_n_hours) == (3, 2.0)
    assert meta.saver_def.version == 2  # V2
    from tensorboard.compat.proto import variable_pb2
    variables = [variable_pb2.VariableDef.FromString(v)
                 for v in meta.collection_def["variables"].bytes_list.value]
    weights = variables[0]
    assert (weights.variable_name, weights.initializer_name, weights.snapshot_name,
            weights.initial_value_name, weights.trainable) == (
        "linear/weights:0", "linear/weights/Assign", "linear/weights/read:0",
        "linear/weights/initial_value:0", True)
    assert [variable_pb2.VariableDef.FromString(v).variable_name
            for v in meta.collection_def["trainable_variables"].bytes_list.value] == \
        ["linear/weights:0", "linear/biases:0"]
    assert len(meta.collection_def["global_step"].bytes_list.value) == 1
    assert list(meta.collection_def["train_op"].node_list.value) == [train_op.name]
    assert list(meta.collection_def["losses"].node_list.value) == [loss.name]
    assert list(meta.collection_def["names"].bytes_list.value) == [b"first", b"second"]
    assert list(meta.collection_def["sizes"].int64_list.value) == [3]
    assert list(meta.collection_def["rates"].float_list.value) == [0.5]
    assert "objects" not in meta.collection_def


def _train_and_save(prefix, steps):
    """Trains the linear model `steps` steps and saves it at global step `steps`; returns
    the checkpoint prefix, [y, loss] then, and the variables after one more step."""
    with tf.Graph().as_default():
        x, y_, w, b, y, loss, train_op = _linear_model()
        saver = tf.train.Saver()
        feed = {x: _X, y_: _Y}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(steps):
                sess.run(train_op, feed)
            path = saver.save(sess, str(prefix), global_step=steps)
            expected = sess.run([y, loss], feed)
            sess.run(train_op, feed)
            return path, expected, sess.run([w, b])


def test_save_writes_meta_and_import_restores_and_trains(tmp_path):
    path, expected, after = _train_and_save(tmp_path / "model.ckpt", 1)
    assert os.path.isfile(path + ".meta")
    assert not [f for f in os.listdir(tmp_path) if ".tmp" in f]
    with tf.Graph().as_default() as graph:
        restored = tf.train.import_meta_graph(path + ".meta")
        assert isinstance(restored, tf.train.Saver)
        assert [v.name for v in tf.trainable_variables()] == ["linear/weights:0",
                                                              "linear/biases:0"]
        with tf.Session() as sess:
            restored.restore(sess, path)
            got = sess.run(["linear/y:0", graph.get_tensor_by_name("loss:0")],
                           {"x:0": _X, "y_:0": _Y})
            np.testing.assert_array_equal(got[0], expected[0])
            assert got[1] == expected[1]
            sess.run(tf.get_collection("train_op")[0], {"x:0": _X, "y_:0": _Y})
            for value, want in zip(sess.run(tf.trainable_variables()), after):
                np.testing.assert_array_equal(value, want)
            assert sess.run(tf.train.get_global_step()) == 2
            again = restored.save(sess, str(tmp_path / "again"))
        assert os.path.isfile(again + ".meta")


def test_savers_collection_round_trips_as_saver_defs(tmp_path, caplog, capfd):
    v = tf.Variable(3.0, name="v")
    saver = tf.train.Saver()
    tf.add_to_collection(tf.GraphKeys.SAVERS, saver)  # as Scaffold and Estimator do
    with tf.Session() as sess:
        sess.run(v.initializer)
        path = saver.save(sess, str(tmp_path / "model"))
    assert "Issue encountered" not in caplog.text + capfd.readouterr().err
    tf.reset_default_graph()
    tf.train.import_meta_graph(path + ".meta")
    (restored,) = tf.get_collection(tf.GraphKeys.SAVERS)
    with tf.Session() as sess:
        restored.restore(sess, path)
        assert sess.run("v:0") == 3.0


def test_import_scope_clear_devices_and_text_format(tmp_path):
    with tf.Graph().as_default():
        with tf.device("/cpu:0"):
            x, y_, _, _, y, _, _ = _linear_model()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = saver.save(sess, str(tmp_path / "m"), write_meta_graph=False)
            expected = sess.run(y, {x: _X})
        saver.export_meta_graph(str(tmp_path / "m.pbtxt"), as_text=True)
    assert (tmp_path / "m.pbtxt").read_text().startswith("meta_info_def")
    with tf.Graph().as_default() as graph:
        restored = tf.train.import_meta_graph(str(tmp_path / "m.pbtxt"), clear_devices=True,
                                              import_scope="net")
        y = graph.get_tensor_by_name("net/linear/y:0")
        assert y.op.device == ""
        assert restored.saver_def.restore_op_name == "net/save/restore_all"
        assert tf.global_variables()[0].name == "net/linear/weights:0"
        with tf.Session() as sess:
            restored.restore(sess, path)
            np.testing.assert_array_equal(sess.run(y, {"net/x:0": _X}), expected)


def test_export_scope_and_saver_def_round_trip():
    with tf.Graph().as_default():
        with tf.name_scope("tower"):
            a = tf.placeholder(tf.float32, [2], name="a")
            tf.identity(a * 2.0, name="double")
        tf.constant(1.0, name="outside")
        meta = tf.train.export_meta_graph(export_scope="tower")
        saver_def = tf.train.Saver([tf.Variable(1.0, name="v")]).as_saver_def()
    assert sorted(n.name for n in meta.graph_def.node) == ["a", "double", "mul", "mul/y"]
    assert not meta.HasField("saver_def")
    with tf.Graph().as_default() as graph:
        assert tf.train.import_meta_graph(meta) is None  # no variables, no Saver
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run("double:0", {"a:0": [1.0, 2.0]}), [2, 4])
    with tf.Graph().as_default():
        tf.Variable(1.0, name="v")
        tf.train.Saver()
        again = tf.train.Saver(saver_def=saver_def)
        assert again.as_saver_def().restore_op_name == "save/restore_all"


def test_import_meta_graph_errors(tmp_path):
    with pytest.raises(IOError):
        tf.train.import_meta_graph(str(tmp_path / "missing.meta"))
    (tmp_path / "bad.meta").write_bytes(b"\xff\xfe not a proto")
    with pytest.raises(IOError, match="Cannot parse"):
        tf.train.import_meta_graph(str(tmp_path / "bad.meta"))


def test_meta_written_by_tensorflow_imports_restores_and_trains():
    expected = np.load(FIXTURE / "expected.npz")
    with tf.Graph().as_default() as graph:
        saver = tf.train.import_meta_graph(str(FIXTURE / "linear.ckpt-3.meta"))
        assert [v.name for v in tf.trainable_variables()] == ["linear/weights:0",
                                                              "linear/biases:0"]
        with tf.Session() as sess:
            saver.restore(sess, str(FIXTURE / "linear.ckpt-3"))
            feeds = {"x:0": expected["x"], "y_:0": expected["y"]}
            pred, loss = sess.run([graph.get_tensor_by_name("linear/y:0"), "loss:0"], feeds)
            np.testing.assert_allclose(pred, expected["pred"], rtol=1e-6)
            np.testing.assert_allclose(loss, expected["loss"], rtol=1e-6)
            sess.run(tf.get_collection("train_op")[0], feeds)
            w, b = sess.run(tf.trainable_variables())
            np.testing.assert_allclose(w, expected["w_after"], rtol=1e-5, atol=1e-7)
            np.testing.assert_allclose(b, expected["b_after"], rtol=1e-5, atol=1e-7)
            assert sess.run(tf.train.get_global_step()) == 4


@pytest.mark.skipif(not (MNIST_DIR / "train-images-idx3-ubyte.gz").is_file(),
                    reason=f"MNIST files not found in {MNIST_DIR} (set TENSORWEAVE_MNIST_DIR)")
def test_fully_connected_feed_checkpoint_restores_without_model_code(tmp_path):
    from tensorweave.examples.tutorials.mnist import input_data, mnist
    data = input_data.read_data_sets(str(MNIST_DIR), seed=1)
    images, labels = data.test.images[:200], data.test.labels[:200]
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        images_pl = tf.placeholder(tf.float32, [None, mnist.IMAGE_PIXELS], name="images")
        labels_pl = tf.placeholder(tf.int32, [None], name="labels")
        logits = mnist.inference(images_pl, 32, 16)
        loss = mnist.loss(logits, labels_pl)
        train_op = mnist.training(loss, 0.1)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(100):
                batch = data.train.next_batch(100)
                sess.run(train_op, {images_pl: batch[0], labels_pl: batch[1]})
            path = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=99)
            expected = sess.run(logits, {images_pl: images})
    assert logits.name == "softmax_linear/add:0" and path.endswith("model.ckpt-99")
    np.save(tmp_path / "images.npy", images)
    np.save(tmp_path / "labels.npy", labels)
    script = textwrap.dedent(f"""
        import numpy as np
        import tensorweave as tf
        images = np.load({str(tmp_path / "images.npy")!r})
        labels = np.load({str(tmp_path / "labels.npy")!r})
        saver = tf.train.import_meta_graph({path + ".meta"!r})
        graph = tf.get_default_graph()
        logits = graph.get_tensor_by_name("softmax_linear/add:0")
        loss = tf.get_collection("losses")[0]
        train_op = tf.get_collection("train_op")[0]
        feed = {{"images:0": images, "labels:0": labels}}
        with tf.Session() as sess:
            saver.restore(sess, {path!r})
            np.save({str(tmp_path / "logits.npy")!r}, sess.run(logits, feed))
            before = sess.run(loss, feed)
            for _ in range(20):
                sess.run(train_op, feed)
            print(before, sess.run(loss, feed), sess.run(tf.train.get_global_step()))
    """)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    before, after, step = out.stdout.split()
    np.testing.assert_array_equal(np.load(tmp_path / "logits.npy"), expected)
    assert float(after) < float(before) and int(step) == 120
    assert (np.argmax(expected, 1) == labels).mean() > 0.7


@pytest.mark.skipif(not TF_PYTHON.is_file(),
                    reason="no TensorFlow reference: set TENSORWEAVE_TF_PYTHON")
def test_tensorflow_imports_our_meta_graph(tmp_path):
    """Checked against real TensorFlow where it is installed (never needed in CI)."""
    path, (expected, _), trained = _train_and_save(tmp_path / "ours", 0)
    script = textwrap.dedent(f"""
        import os
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        import numpy as np
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        saver = tf.train.import_meta_graph({path + ".meta"!r})
        x = np.load({str(tmp_path / "x.npy")!r})
        y_ = np.load({str(tmp_path / "y.npy")!r})
        with tf.Session() as sess:
            saver.restore(sess, {path!r})
            np.save({str(tmp_path / "pred.npy")!r}, sess.run("linear/y:0", {{"x:0": x}}))
            sess.run(tf.get_collection("train_op")[0], {{"x:0": x, "y_:0": y_}})
            np.save({str(tmp_path / "w.npy")!r}, sess.run("linear/weights:0"))
    """)
    np.save(tmp_path / "x.npy", _X)
    np.save(tmp_path / "y.npy", _Y)
    out = subprocess.run([str(TF_PYTHON), "-c", script], capture_output=True, text=True,
                         timeout=600, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    assert out.returncode == 0, out.stderr[-3000:]
    np.testing.assert_allclose(np.load(tmp_path / "pred.npy"), expected, rtol=1e-6)
    np.testing.assert_allclose(np.load(tmp_path / "w.npy"), trained[0], rtol=1e-5)


# --- zeros, ones and constant initializers stay small (tests/fixtures/graph_def) ---------------
GRAPH_DEF_FIXTURE = REPO / "tests" / "fixtures" / "graph_def"


def _load_graph_def_fixture_script():
    spec = importlib.util.spec_from_file_location(
        "make_graph_def_fixtures", REPO / "tests" / "fixtures" / "make_graph_def_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_GRAPH_DEF_SCRIPT = _load_graph_def_fixture_script()
_TENSORFLOW = json.loads((GRAPH_DEF_FIXTURE / "tensorflow.json").read_text())


@pytest.mark.parametrize("case", sorted(_TENSORFLOW["nodes"]))
def test_filled_initializers_write_tensorflows_nodes(case):
    """zeros of 1000+ elements are Fill(shape, value) as in TF; smaller zeros and
    constant_initializer are one Const holding the shape and a single value."""
    graph = tf.Graph()
    with graph.as_default():
        _GRAPH_DEF_SCRIPT.initializer_graphs(tf)[case]()
    ours = _GRAPH_DEF_SCRIPT.describe_nodes(meta_graph.export_meta_graph(graph=graph).graph_def)
    theirs = _TENSORFLOW["nodes"][case]
    if case == "adam":  # the initializers and variables; TF's gradient graph differs
        def keep(rows):
            return [r for r in rows if "Initializer" in r[0] or r[1] == "VariableV2"]
        ours, theirs = keep(ours), keep(theirs)
    assert [r[:2] for r in ours] == [r[:2] for r in theirs]
    assert [r[0] for r in ours if r[2] == "content"] == \
        [r[0] for r in theirs if r[2] == "content" and r[0].split("/")[-1] != "shape_as_tensor"]


def test_meta_of_a_large_variable_with_adam_is_as_small_as_tensorflows(tmp_path):
    path = str(tmp_path / "adam.meta")
    size = _GRAPH_DEF_SCRIPT.adam_meta(tf, path)
    assert size < 2 * _TENSORFLOW["adam_meta_bytes"]  # TF: 11666 bytes; dense zeros: 8 MB
    for meta in (path, str(GRAPH_DEF_FIXTURE / "adam_1000.meta")):  # ours, and TensorFlow's
        with tf.Graph().as_default():
            tf.train.import_meta_graph(meta)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                m, v = sess.run(["w/Adam:0", "w/Adam_1:0"])
        assert m.shape == v.shape == (1000, 1000) and not m.any() and not v.any()


def test_constant_initializer_value_survives_the_compact_form(tmp_path):
    with tf.Graph().as_default():
        tf.get_variable("c", [300, 400], initializer=tf.constant_initializer(0.5))
        tf.get_variable("d", [4], initializer=tf.constant_initializer([1, 2, 3, 4]))
        meta = tf.train.export_meta_graph(str(tmp_path / "c.meta"))
    assert meta.ByteSize() < 5000
    with tf.Graph().as_default():
        tf.train.import_meta_graph(str(tmp_path / "c.meta"))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            c, d = sess.run(["c:0", "d:0"])
    np.testing.assert_array_equal(c, np.full((300, 400), 0.5, np.float32))
    np.testing.assert_array_equal(d, [1, 2, 3, 4])


def test_meta_tensorflow_wrote_for_a_tf_data_graph_imports_and_runs():
    """TensorFlow's dataset ops (TensorSliceDataset, BatchDatasetV2, RepeatDataset,
    MakeIterator over IteratorV2) run, and so does its one-shot iterator, whose dataset is a
    function in the GraphDef's library."""
    directory = GRAPH_DEF_FIXTURE / "tf_data"
    expected = np.load(directory / "expected.npz")
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(str(directory / "data.ckpt-1.meta"))
        with tf.Session() as sess:
            saver.restore(sess, str(directory / "data.ckpt-1"))
            assert sess.run("twice_v:0") == expected["twice_v"]
            sess.run("MakeIterator", {"p:0": expected["fed"]})
            np.testing.assert_array_equal(sess.run("IteratorGetNext_1:0"),
                                          expected["initializable"])
            x, y = sess.run(["IteratorGetNext:0", "IteratorGetNext:1"])
            np.testing.assert_array_equal(x, expected["one_shot_x"])
            np.testing.assert_array_equal(y, expected["one_shot_y"])


def test_meta_of_a_tf_data_graph_we_wrote_imports_back(tmp_path):
    with tf.Graph().as_default():
        elements = tf.data.Dataset.from_tensor_slices(np.arange(6, dtype=np.float32)).batch(4)
        batch = elements.make_one_shot_iterator().get_next()
        v = tf.Variable(2.0, name="v")
        tf.add(tf.reduce_sum(batch), v, name="total")
        tf.multiply(v, 3.0, name="thrice_v")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = tf.train.Saver().save(sess, str(tmp_path / "data.ckpt"))
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(path + ".meta")
        with tf.Session() as sess:
            saver.restore(sess, path)
            assert sess.run("thrice_v:0") == 6.0
            with pytest.raises(tf.errors.UnimplementedError, match="tf.data pipeline"):
                sess.run("total:0")


# --- queue runners: the queue_runners collection holds QueueRunnerDefs, as TensorFlow's -------
QUEUE_FIXTURE = FIXTURE / "queue_runner"  # tests/fixtures/make_queue_runner_meta.py, TF 2.15


def _first_batch(sess, batch):
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(sess, coord)
    values = sorted(int(v) for v in sess.run(batch))
    coord.request_stop()
    coord.join(threads)
    return values


def test_queue_runners_in_a_tensorflow_meta_graph_run_after_import():
    expected = json.loads((QUEUE_FIXTURE / "expected.json").read_text())
    with tf.Graph().as_default():
        tf.train.import_meta_graph(str(QUEUE_FIXTURE / "queue_runner.meta"))
        runners = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
        assert len(runners) == 1 and runners[0].name == expected["queue_name"]
        assert runners[0].queue_closed_exception_types == (tf.errors.OutOfRangeError,)
        assert runners[0].to_proto().SerializeToString().hex() == expected["serialized_hex"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert _first_batch(sess, "input/batch:0") == expected["first_batch_sorted"]


def _queue_graph():
    with tf.name_scope("input"):
        counter = tf.Variable(0, name="counter")
        queue = tf.FIFOQueue(8, [tf.int32], shapes=[[]], name="fifo")
        enqueue = queue.enqueue([tf.assign_add(counter, 1) * 10])
        tf.train.add_queue_runner(tf.train.QueueRunner(
            queue, [enqueue], queue_closed_exception_types=(tf.errors.OutOfRangeError,
                                                            tf.errors.CancelledError)))
        tf.identity(queue.dequeue_many(4), name="batch")


def test_queue_runners_round_trip_through_a_meta_graph(tmp_path, caplog):
    path = str(tmp_path / "queue.meta")
    with tf.Graph().as_default():
        _queue_graph()
        runner, = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
        exported = tf.train.export_meta_graph(path)
        assert "cannot be stored" not in caplog.text
        codes = list(runner.to_proto().queue_closed_exception_types)
        assert codes == [tf.errors.OUT_OF_RANGE, tf.errors.CANCELLED]
    assert list(exported.collection_def["queue_runners"].bytes_list.value) == [
        runner.to_proto().SerializeToString()]
    with tf.Graph().as_default():
        tf.train.import_meta_graph(path, import_scope="copy")
        imported, = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
        assert imported.name == "copy/input/fifo"
        assert [op.name for op in imported.enqueue_ops] == ["copy/input/fifo_enqueue"]
        assert imported.queue_closed_exception_types == (tf.errors.OutOfRangeError,
                                                         tf.errors.CancelledError)
        assert imported.to_proto(export_scope="copy").SerializeToString() == \
            runner.to_proto().SerializeToString()
        assert imported.to_proto(export_scope="elsewhere") is None
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert _first_batch(sess, "copy/input/batch:0") == [10, 20, 30, 40]


def test_queue_runner_takes_a_queue_or_a_queue_runner_def():
    with tf.Graph().as_default():
        queue = tf.FIFOQueue(2, [tf.float32], name="q")
        runner = tf.train.QueueRunner(queue, [queue.enqueue([1.0])])
        with pytest.raises(ValueError, match="mutually exclusive"):
            tf.train.QueueRunner(queue, queue_runner_def=runner.to_proto())
        copy = tf.train.QueueRunner.from_proto(runner.to_proto())
        assert copy.queue is queue.queue_ref.op and copy.close_op is runner.close_op
