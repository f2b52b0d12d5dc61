"""TensorFlow's dataset ops in .meta files TensorFlow wrote run here: pipelines with library
functions (map, filter, flat_map, interleave, parse_example), shuffle, padded_batch, zip,
cache, file readers; a TF1 training program fed by a one-shot iterator continues with TF's
losses. Fixtures: tests/fixtures/make_tf_data_graphs_fixture.py."""
import json
import pathlib

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.train import saver as saver_module

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures" / "tf_data_graphs"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text())
FILES = {"examples": "examples.tfrecord", "records": "records.tfrecord.gz",
         "lines": "lines.txt", "lines_gz": "lines.txt.gz", "fixed": "fixed.bin"}
PIPELINES = sorted(k for k, v in MANIFEST.items() if "count" in v)


def _run_pipeline(name, meta_graph=None):
    """All elements of pipeline `name` (its .meta, or the MetaGraphDef `meta_graph`)."""
    entry = MANIFEST[name]
    graph = tf.Graph()
    with graph.as_default():
        saver_module.import_meta_graph(meta_graph or str(FIXTURES / f"{name}.meta"))
        outputs = [graph.get_tensor_by_name(t) for t in entry["outputs"]]
        feed = {graph.get_tensor_by_name(t): str(FIXTURES / FILES[k])
                for k, t in entry["files"].items()}
        with tf.Session() as sess:
            sess.run(graph.get_operation_by_name(entry["initializer"].split(":")[0]), feed)
            got = []
            while True:
                try:
                    got.append(sess.run(outputs))
                except tf.errors.OutOfRangeError:
                    return got


def _expected(name):
    arrays = np.load(FIXTURES / f"{name}.npz", allow_pickle=False)
    entry = MANIFEST[name]
    width = len(entry["outputs"])
    return [[arrays[f"e{i}_{j}"] for j in range(width)] for i in range(entry["count"])]


def _same(got, want):
    got = np.asarray(got)
    if want.dtype.kind == "S":
        assert got.shape == want.shape
        assert [bytes(v) for v in got.reshape(-1)] == [bytes(v) for v in want.reshape(-1)]
    else:
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("name", PIPELINES)
def test_pipeline_gives_tensorflow_elements(name):  # seeded shuffles too: TF's exact order
    got, want = _run_pipeline(name), _expected(name)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        for a, b in zip(g, w):
            _same(a, b)


def test_seeded_shuffle_is_reproducible():
    first = np.concatenate([e[0] for e in _run_pipeline("shuffle_repeat_batch")])
    again = np.concatenate([e[0] for e in _run_pipeline("shuffle_repeat_batch")])
    np.testing.assert_array_equal(first, again)


def run_function_calls():
    """The outputs of the PartitionedCall / StatefulPartitionedCall nodes of TF's graph."""
    entry = MANIFEST["function_calls"]
    graph = tf.Graph()
    with graph.as_default():
        saver_module.import_meta_graph(str(FIXTURES / "function_calls.meta"))
        outputs = [graph.get_tensor_by_name(t) for t in entry["outputs"]]
        with tf.Session() as sess:
            sess.run(graph.get_operation_by_name(entry["init"]))
            return sess.run(outputs, {graph.get_tensor_by_name(entry["x"]): [1.0, 2.0]})


def test_function_calls_give_tensorflow_outputs():
    for got, want in zip(run_function_calls(), MANIFEST["function_calls"]["values"]):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def _train(name):
    entry = MANIFEST[name]
    graph = tf.Graph()
    with graph.as_default():
        saver = saver_module.import_meta_graph(str(FIXTURES / (entry["checkpoint"] + ".meta")))
        loss = graph.get_tensor_by_name(entry["loss"])
        train = graph.get_operation_by_name(entry["train"].split(":")[0])
        x = graph.get_tensor_by_name(entry["x"])
        with tf.Session() as sess:
            saver.restore(sess, str(FIXTURES / entry["checkpoint"]))
            first = sess.run(x)  # the batch TF's step 0 took (iterators are not checkpointed)
            losses = [float(sess.run([train, loss])[1]) for _ in range(3)]
    return first, losses


def test_training_from_a_one_shot_iterator_continues_with_tensorflow_losses():
    first, losses = _train("train")
    assert first.shape == (4, 3)
    np.testing.assert_allclose(losses, MANIFEST["train"]["losses"], rtol=1e-5)


def test_training_with_a_seeded_shuffle_continues_with_tensorflow_losses():
    first, losses = _train("train_shuffle")  # the shuffle gives TF's batches
    assert first.shape == (4, 3)
    np.testing.assert_allclose(losses, MANIFEST["train_shuffle"]["losses"], rtol=1e-5)


def test_function_attrs_survive_a_tensorweave_meta_round_trip(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        saver_module.import_meta_graph(str(FIXTURES / "map_filter.meta"))
        saver_module.export_meta_graph(str(tmp_path / "again.meta"))
    graph = tf.Graph()
    entry = MANIFEST["map_filter"]
    with graph.as_default():
        saver_module.import_meta_graph(str(tmp_path / "again.meta"))
        outputs = [graph.get_tensor_by_name(t) for t in entry["outputs"]]
        with tf.Session() as sess:
            sess.run(graph.get_operation_by_name(entry["initializer"].split(":")[0]))
            first = sess.run(outputs)
    for a, b in zip(first, _expected("map_filter")[0]):
        _same(a, b)
