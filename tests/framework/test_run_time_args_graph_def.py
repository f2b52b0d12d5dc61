"""Graphs whose shape arguments are computed at run time, in TensorFlow's GraphDef form: a graph
TensorFlow 2.15 wrote (tests/fixtures/make_run_time_args_fixture.py, which also checks that
TensorFlow runs tensorweave's export of the same graph) imports with TF's static shapes and
runs to TF's values; tensorweave's export writes TF's op types and re-imports."""
import importlib.util
import pathlib

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.core import graph_def as graph_def_codec
from tensorweave.core import tensorflow_forms as tf_forms

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
EXPECTED = dict(np.load(FIXTURES / "run_time_args" / "expected.npz", allow_pickle=False))
NAMES = sorted(k[len("out/"):] for k in EXPECTED if k.startswith("out/"))
FEEDS = {k[len("feed/"):] + ":0": v for k, v in EXPECTED.items() if k.startswith("feed/")}


def _fixture_module():
    spec = importlib.util.spec_from_file_location(
        "make_run_time_args_fixture", FIXTURES / "make_run_time_args_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(graph, prefix=""):
    with tf.Session(graph=graph) as sess:
        feeds = {prefix + k: v for k, v in FEEDS.items()}
        return dict(zip(NAMES, sess.run([f"{prefix}out_{n}:0" for n in NAMES], feeds)))


def _check_values(values):
    for name in NAMES:
        np.testing.assert_allclose(values[name], EXPECTED["out/" + name], rtol=1e-6,
                                   err_msg=name)
        assert values[name].dtype == EXPECTED["out/" + name].dtype, name


def test_tensorflow_graph_with_run_time_arguments_imports_with_tf_shapes_and_values():
    graph_def = graph_def_codec.graph_pb2.GraphDef()
    graph_def.ParseFromString((FIXTURES / "run_time_args" / "graph.pb").read_bytes())
    assert {"Tile", "Pad", "PadV2", "MirrorPad", "Transpose", "Slice", "SplitV", "Split",
            "GatherV2", "ArgMax", "TopKV2", "StridedSlice", "ConcatV2", "ExpandDims"} <= \
        {n.op for n in graph_def.node}
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def, name="")
    for name in NAMES:
        shape = graph.get_tensor_by_name(f"out_{name}:0").shape
        if "shape/" + name in EXPECTED:
            assert shape.as_list() == [None if d < 0 else int(d)
                                       for d in EXPECTED["shape/" + name]], name
        else:
            assert shape.ndims is None, name
    _check_values(_run(graph))


def test_export_writes_tensorflow_op_types_and_reimports(tmp_path):
    with tf.Graph().as_default() as graph:
        outputs = _fixture_module().build_graph(tf)
        static = {name: t.shape.as_list() if t.shape.ndims is not None else None
                  for name, t in outputs.items()}
        written = tf_forms.to_tensorflow(graph)
        tf.train.export_meta_graph(str(tmp_path / "graph.meta"))
    _check_values(_run(graph))
    dynamic = sorted({n.op for n in written.node if n.op.startswith("Dynamic")})
    assert not dynamic, f"written in tensorweave's form: {dynamic}"
    with tf.Graph().as_default() as reimported:
        tf.train.import_meta_graph(str(tmp_path / "graph.meta"))
    for name, shape in static.items():
        t = reimported.get_tensor_by_name(f"out_{name}:0")
        assert (t.shape.as_list() if t.shape.ndims is not None else None) == shape, name
    _check_values(_run(reimported))


@pytest.mark.parametrize("build", [
    lambda x, n: tf.reduce_min(x, n, keepdims=True),
    lambda x, n: tf.reduce_any(x > 2.0, n),
    lambda x, n: tf.pad(x, [[n, 0], [0, n]], mode="SYMMETRIC"),
    lambda x, n: tf.gradients(tf.reduce_sum(tf.pad(x, [[n, 0], [0, 1]], mode="REFLECT")),
                              x)[0],
    lambda x, n: tf.gradients(tf.reduce_sum(x[n::2] * 3.0), x)[0],
], ids=["min", "any", "symmetric_pad", "mirror_pad_grad", "strided_slice_grad"])
def test_more_run_time_forms_round_trip(build):
    feeds = {"x:0": np.arange(12.0, dtype=np.float32).reshape(4, 3), "n:0": 1}
    with tf.Graph().as_default() as graph:
        out = build(tf.placeholder(tf.float32, [None, 3], name="x"),
                    tf.placeholder(tf.int32, [], name="n"))
        written = tf_forms.to_tensorflow(graph)
        with tf.Session() as sess:
            expected = sess.run(out, feeds)
    ops = {n.op for n in written.node}
    assert not {op for op in ops if op.startswith("Dynamic")}, ops
    with tf.Graph().as_default():
        tf.import_graph_def(written, name="")
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(out.name, feeds), expected)
