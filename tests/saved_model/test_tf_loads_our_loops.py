"""Models with loops that tensorweave builds (tf.while_loop, nested loops, dynamic_rnn, map_fn,
scan, a tf.cond in a loop) are written in TensorFlow 1's frame and TensorArrayV3 forms: as a
SavedModel and as a frozen GraphDef, (a) tensorweave reads them back (its importer rebuilds
the frames as While ops) with the same outputs, and (b) real TensorFlow loads them with
tf.compat.v1.saved_model.loader.load, tf.saved_model.load and tf.import_graph_def and gives
the same outputs (issue 22 part 5); a frozen graph read back by tensorweave and written again
goes through both as well. (b) runs tests/fixtures/tf_load_our_loops.py under
TENSORWEAVE_TF_PYTHON (a Python with TensorFlow) and is skipped without one."""
import json
import os
import subprocess

import numpy as np
import pytest

import tensorweave as tf
import tensorweave.saved_model as saved_model
from tensorweave.saved_model import loader

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures",
                      "tf_load_our_loops.py")
RNG = np.random.RandomState(7)


def _counter():
    n = tf.placeholder(tf.int32, [], name="n")
    i, total = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + 2 * i), [0, 1])
    return {"n": n}, {"i": i, "total": total}, {"n": np.array(6, np.int32)}  # While:k


def _accumulate():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    rows = tf.shape(x)[0]
    _, acc = tf.while_loop(lambda k, a: k < rows,
                           lambda k, a: (k + 1, a * 0.5 + tf.gather(x, k) * tf.reduce_sum(x)),
                           [tf.constant(0), tf.zeros([3])])
    return {"x": x}, {"acc": tf.identity(acc, name="acc")}, \
        {"x": RNG.randn(4, 3).astype(np.float32)}


def _nested():
    x = tf.placeholder(tf.float32, [3], name="x")

    def outer_body(i, s):
        _, inner = tf.while_loop(lambda j, t: j < i, lambda j, t: (j + 1, t + x * 0.5),
                                 [0, s])
        return i + 1, inner + 1.0
    _, s = tf.while_loop(lambda i, s: i < 4, outer_body, [0, tf.zeros([3])])
    return {"x": x}, {"s": tf.identity(s, name="s")}, {"x": RNG.randn(3).astype(np.float32)}


def _rnn(cell):
    def build():
        tf.set_random_seed(3)
        x = tf.placeholder(tf.float32, [None, 5, 3], name="x")
        lengths = tf.placeholder(tf.int32, [None], name="lengths")
        outputs, state = tf.nn.dynamic_rnn(cell(), x, sequence_length=lengths,
                                           dtype=tf.float32)
        state = state.h if isinstance(state, tf.nn.rnn_cell.LSTMStateTuple) else state
        return {"x": x, "lengths": lengths}, \
            {"outputs": tf.identity(outputs, name="outputs"),
             "state": tf.identity(state, name="state")}, \
            {"x": RNG.randn(2, 5, 3).astype(np.float32), "lengths": np.array([5, 3], np.int32)}
    return build


def _map_fn():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.map_fn(lambda row: tf.reduce_sum(row * row) + row, x)
    return {"x": x}, {"y": tf.identity(y, name="y")}, {"x": RNG.randn(4, 3).astype(np.float32)}


def _scan():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = tf.scan(lambda acc, row: acc * 0.9 + row, x, initializer=tf.ones([2]))
    return {"x": x}, {"y": tf.identity(y, name="y")}, {"x": RNG.randn(5, 2).astype(np.float32)}


def _cond_in_loop():
    x = tf.placeholder(tf.float32, [3], name="x")

    def body(i, s):
        s = tf.cond(tf.equal(i % 2, 0), lambda: s + x, lambda: s * 0.5)
        return i + 1, s
    _, s = tf.while_loop(lambda i, s: i < 10, body, [0, tf.ones([3])], maximum_iterations=5)
    return {"x": x}, {"s": tf.identity(s, name="s")}, {"x": RNG.randn(3).astype(np.float32)}


def _cond():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    total = tf.reduce_sum(x)
    y = tf.cond(total > 0.0, lambda: x * 2.0, lambda: tf.zeros_like(x) - 1.0)
    z = tf.case([(total > 5.0, lambda: tf.constant(5.0)), (total > 0.0, lambda: total)],
                default=lambda: -total)
    return {"x": x}, {"y": y, "z": z}, {"x": RNG.randn(3, 2).astype(np.float32)}


def _nested_map_fn():
    x = tf.placeholder(tf.float32, [None, 3, 2], name="x")
    y = tf.map_fn(lambda m: tf.map_fn(lambda r: r * 2.0 + tf.reduce_sum(r), m), x)
    return {"x": x}, {"y": y}, {"x": RNG.randn(2, 3, 2).astype(np.float32)}


def _bidirectional():
    tf.set_random_seed(1)
    x = tf.placeholder(tf.float32, [None, 4, 3], name="x")
    lengths = tf.placeholder(tf.int32, [None], name="lengths")
    (fw, bw), _ = tf.nn.bidirectional_dynamic_rnn(
        tf.nn.rnn_cell.GRUCell(3), tf.nn.rnn_cell.GRUCell(3), x, sequence_length=lengths,
        dtype=tf.float32)
    return {"x": x, "lengths": lengths}, {"fw": fw, "bw": bw}, \
        {"x": RNG.randn(2, 4, 3).astype(np.float32), "lengths": np.array([4, 2], np.int32)}


def _growing_array():
    n = tf.placeholder(tf.int32, [], name="n")
    ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
    _, ta = tf.while_loop(lambda i, ta: i < n,
                          lambda i, ta: (i + 1, ta.write(i, tf.cast(i, tf.float32) ** 2)),
                          [0, ta])
    return {"n": n}, {"y": ta.stack(), "size": ta.size()}, {"n": np.array(5, np.int32)}


def _odd_bodies():
    """Body results that are a captured value, a constant, and an array made in the body."""
    x = tf.placeholder(tf.float32, [2], name="x")

    def body(i, a, b, c):
        ta = tf.TensorArray(tf.float32, size=2).write(0, a).write(1, x * 3.0)
        return i + 1, x, b + tf.reduce_sum(ta.stack(), 0), tf.constant(7.0)
    _, a, b, c = tf.while_loop(lambda i, a, b, c: i < 3, body,
                               [0, tf.zeros([2]), tf.zeros([2]), 1.0])
    return {"x": x}, {"a": a, "b": b, "c": c}, {"x": np.array([1.0, 2.0], np.float32)}


def _loop_in_cond():
    x = tf.placeholder(tf.float32, [], name="x")
    y = tf.cond(x > 0, lambda: tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * x),
                                             [0, 1.0])[1], lambda: -x)
    return {"x": x}, {"y": y}, {"x": np.array(2.0, np.float32)}


MODELS = {"counter": _counter, "accumulate": _accumulate, "nested": _nested,
          "gru": _rnn(lambda: tf.nn.rnn_cell.GRUCell(4)),
          "lstm": _rnn(lambda: tf.nn.rnn_cell.BasicLSTMCell(4)),
          "map_fn": _map_fn, "scan": _scan, "cond_in_loop": _cond_in_loop, "cond": _cond,
          "nested_map_fn": _nested_map_fn, "bidirectional": _bidirectional,
          "growing_array": _growing_array, "odd_bodies": _odd_bodies,
          "loop_in_cond": _loop_in_cond}


def _write(name, build, root):
    """Builds the model; writes its SavedModel and frozen GraphDef; returns the paths, the
    output keys, the inputs and tensorweave's outputs."""
    export_dir = os.path.join(root, name)
    frozen = os.path.join(root, name + ".pb")
    with tf.Graph().as_default(), tf.Session() as sess:
        inputs, outputs, values = build()
        sess.run(tf.global_variables_initializer())
        keys = sorted(outputs)
        expected = sess.run([outputs[k] for k in keys], {inputs[k]: v for k, v in values.items()})
        saved_model.simple_save(sess, export_dir, inputs, outputs)
        graph_def = tf.graph_util.convert_variables_to_constants(
            sess, sess.graph.as_graph_def(), [outputs[k].op.name for k in keys])
        with open(frozen, "wb") as f:
            f.write(graph_def.SerializeToString())
        feeds = {inputs[k].name: v for k, v in values.items()}
        fetches = [outputs[k].name for k in keys]
    with tf.Graph().as_default() as graph:  # read back (frames -> While) and written again
        tf.import_graph_def(graph_def, name="")
        with open(os.path.join(root, name + "_again.pb"), "wb") as f:
            f.write(graph.as_graph_def().SerializeToString())
    return export_dir, frozen, keys, values, feeds, fetches, expected


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("loops"))
    return root, {name: _write(name, build, root) for name, build in MODELS.items()}


def _loop_ops(graph_def):
    return {n.op for n in graph_def.node} & {"While", "LoopInput", "TensorArray",
                                              "TensorArrayWrite", "TensorArrayRead"}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_written_in_tensorflow_forms_and_read_back(written, name):
    _, models = written
    export_dir, frozen, keys, values, feeds, fetches, expected = models[name]
    for path in (frozen, frozen[:-3] + "_again.pb"):
        graph_def = tf.GraphDef()
        with open(path, "rb") as f:
            graph_def.ParseFromString(f.read())
        assert not _loop_ops(graph_def)
        if name not in ("lstm", "cond"):  # dynamic_rnn runs a BasicLSTMCell as one BlockLSTM
            assert "Enter" in {n.op for n in graph_def.node}
        with tf.Graph().as_default(), tf.Session() as sess:
            tf.import_graph_def(graph_def, name="")
            got = sess.run(fetches, feeds)
        for k, ours, theirs in zip(keys, expected, got):
            np.testing.assert_allclose(theirs, ours, rtol=1e-6, atol=1e-6,
                                       err_msg=f"{path} {k}")
    with tf.Graph().as_default(), tf.Session() as sess:
        meta_graph_def = loader.load(sess, ["serve"], export_dir)
        assert not _loop_ops(meta_graph_def.graph_def)
        signature = meta_graph_def.signature_def["serving_default"]
        got = sess.run([signature.outputs[k].name for k in keys],
                       {signature.inputs[k].name: v for k, v in values.items()})
    for k, ours, theirs in zip(keys, expected, got):
        np.testing.assert_allclose(theirs, ours, rtol=1e-6, atol=1e-6, err_msg=f"{name} {k}")


def _cond_training(root):
    """A checkpoint and meta graph of a model with a tf.cond and its gradient; the losses of
    three steps in tensorweave, for each branch."""
    path = os.path.join(root, "cond_training", "model")
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.Variable([[0.5], [-0.3]], name="w")
        h = tf.matmul(x, w)
        flag = tf.placeholder_with_default(True, [], name="flag")
        loss = tf.reduce_mean(tf.cond(flag, lambda: tf.nn.relu(h) * 2.0, lambda: h * h),
                              name="loss")
        tf.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, path)
    feeds = [{"x:0": np.array([[1.0, 2.0], [3.0, -1.0]], np.float32), "flag:0": np.array(f)}
             for f in (True, False)]
    losses = []
    for feed in feeds:
        with tf.Graph().as_default(), tf.Session() as sess:
            tf.train.import_meta_graph(path + ".meta").restore(sess, path)
            losses.append([sess.run(["loss:0", "train"], feed)[0] for _ in range(3)])
    return path, feeds, losses


def test_cond_training_graph_read_back(tmp_path):
    _, _, losses = _cond_training(str(tmp_path))
    np.testing.assert_allclose(losses[0], [1.8, 0.8, 0.0], atol=1e-6)
    assert losses[1][0] > losses[1][1] > losses[1][2] > 0


def test_loop_gradients_keep_tensorweaves_form():
    """A graph with a loop's gradient (WhileGrad) keeps tensorweave's forms for its loops."""
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [3], name="x")
        _, s = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * x), [0, tf.ones([3])])
        tf.gradients(s, x)
        ops = {n.op for n in graph.as_graph_def().node}
    assert {"While", "WhileGrad"} <= ops and "Enter" not in ops


def test_tensorflow_runs_them(written):
    python = os.environ.get("TENSORWEAVE_TF_PYTHON")
    if not python:
        pytest.skip("set TENSORWEAVE_TF_PYTHON to a Python with TensorFlow 2.x to run "
                    "TensorFlow's loaders on tensorweave's loops")
    root, models = written
    manifest = []
    for name, (export_dir, frozen, keys, values, feeds, fetches, _) in models.items():
        np.savez(os.path.join(root, name + "_in.npz"), **values)
        np.savez(os.path.join(root, name + "_feeds.npz"), **feeds)
        manifest.append({"kind": "saved_model", "path": export_dir, "outputs": keys,
                         "inputs": os.path.join(root, name + "_in.npz"),
                         "out": os.path.join(root, name + "_sm")})
        manifest.append({"kind": "frozen", "path": frozen, "outputs": fetches,
                         "inputs": os.path.join(root, name + "_feeds.npz"),
                         "out": os.path.join(root, name + "_pb")})
        manifest.append({"kind": "frozen", "path": frozen[:-3] + "_again.pb",
                         "outputs": fetches, "inputs": os.path.join(root, name + "_feeds.npz"),
                         "out": os.path.join(root, name + "_again")})
    path, feeds, losses = _cond_training(root)
    for k, feed in enumerate(feeds):
        np.savez(os.path.join(root, f"train{k}_feeds.npz"), **feed)
        manifest.append({"kind": "train", "path": path, "outputs": ["loss:0"], "train": "train",
                         "steps": 3, "inputs": os.path.join(root, f"train{k}_feeds.npz"),
                         "out": os.path.join(root, f"train{k}")})
    with open(os.path.join(root, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    result = subprocess.run([python, SCRIPT, os.path.join(root, "manifest.json")],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    failures = []
    for name, model in models.items():
        keys, expected = model[2], model[6]
        for out, loaders in ((name + "_sm", ("v1", "v2")), (name + "_pb", ("v1",)),
                             (name + "_again", ("v1",))):
            for which in loaders:
                path = os.path.join(root, f"{out}_{which}")
                if os.path.exists(path + ".error"):
                    with open(path + ".error") as f:
                        failures.append(f"{out} {which}: {f.read()[:600]}")
                    continue
                with np.load(path + ".npz") as theirs:
                    for k, (key, ours) in enumerate(zip(keys, expected)):
                        np.testing.assert_allclose(theirs[f"out{k}"], ours, rtol=1e-5,
                                                   atol=1e-5, err_msg=f"{out} {key} ({which})")
    for k, ours in enumerate(losses):
        path = os.path.join(root, f"train{k}_v1")
        if os.path.exists(path + ".error"):
            with open(path + ".error") as f:
                failures.append(f"cond training {k}: {f.read()[:600]}")
            continue
        with np.load(path + ".npz") as theirs:
            np.testing.assert_allclose(theirs["out0"], ours, rtol=1e-5, atol=1e-6)
    assert not failures, "\n".join(failures)
