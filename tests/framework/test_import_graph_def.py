"""tf.import_graph_def, and the registry property that every op serializes to a NodeDef and
rebuilds from it: each row of the op table is exported, imported into a fresh graph and run;
outputs and gradients must equal the original graph's."""
import importlib.util
import json
import pathlib
import sys

import numpy as np
import pytest

pytest.importorskip("tensorboard")

import tensorweave as tf  # noqa: E402
from tensorweave.core import graph_def as codec  # noqa: E402
from tensorweave.core import tensorflow_forms as tf_forms  # noqa: E402
from tensorboard.compat.proto import types_pb2  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).parent.parent / "ops"))
from op_cases import CASES  # noqa: E402


def _build(case):
    """The case's op in a fresh graph: (graph, input tensors, outputs, op, feeds by name)."""
    graph = tf.Graph()
    with graph.as_default():
        inputs = [tf.constant(a) for a in case.inputs]
        built = case.build(*inputs)
        if isinstance(built, tf.Operation):
            op, outputs = built, list(built.outputs)
        else:
            outputs = list(built)
            op = outputs[0].op
        feeds = {t.name: v for t, v in (case.feed(outputs) if case.feed else {}).items()}
    return graph, inputs, outputs, op, feeds


def _round_trip(graph, tensorflow_forms=False):
    graph_def = tf_forms.to_tensorflow(graph) if tensorflow_forms else \
        codec.graph_to_graph_def(graph)  # tensorweave's own forms, one node per op
    imported = tf.Graph()
    with imported.as_default():
        assert tf.import_graph_def(graph_def, name="") is None
    return imported


def _run(graph, fetches, feeds):
    with tf.Session(graph=graph) as sess:
        return sess.run(fetches, feeds)


def _float_sum(graph, outputs, values):
    """sum(out * w) over the float outputs, with fixed weights, in `graph`."""
    rng = np.random.RandomState(3)
    with graph.as_default():
        terms = [tf.reduce_sum(t * tf.constant(rng.standard_normal(
            np.shape(v)).astype(t.dtype.as_numpy_dtype)))
            for t, v in zip(outputs, values) if t.dtype.is_floating]
        return tf.add_n(terms)


def _assert_same(a, b):
    """Equal, up to float attrs, which a NodeDef holds in float32 (as in TensorFlow)."""
    assert len(a) == len(b)
    for x, y in zip(a, b):
        x, y = np.asarray(x), np.asarray(y)
        if x.dtype.kind in "fc":
            np.testing.assert_allclose(x, y, rtol=1e-6, atol=0)
        else:
            np.testing.assert_array_equal(x, y)


# tensorweave ops that TensorFlow's form writes as several ops (under the op's name), or as an
# op that comes back static: the Dynamic<op> forms are TF's <op>, which imports as tensorweave's
# attr form when its axes, sizes, ... are constants (as here)
_REFORMED = ("SumToShape", "BroadcastReduced", "TileGrad", "ConcatGrad", "Softmax", "LogSoftmax")


@pytest.mark.parametrize("tensorflow_forms", [False, True], ids=["ours", "tf_forms"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_op_rebuilds_from_its_node_def(case, tensorflow_forms):
    """Also through TensorFlow's op forms (what a .meta holds): constants TF passes as inputs
    are extra ops then, and some ops are several."""
    graph, inputs, outputs, op, feeds = _build(case)
    imported = _round_trip(graph, tensorflow_forms)
    names = [o.name for o in imported.get_operations()]
    if tensorflow_forms:
        assert set(o.name for o in graph.get_operations()) <= set(names)
    else:
        assert names == [o.name for o in graph.get_operations()]
    new_op = imported.get_operation_by_name(op.name)
    reformed = tensorflow_forms and (op.type in _REFORMED or op.type.startswith("Dynamic"))
    if not reformed:
        assert new_op.type == op.type
        assert [t.name for t in new_op.inputs] == [t.name for t in op.inputs]
    for t in outputs:
        new = imported.get_tensor_by_name(t.name)
        assert new.dtype is t.dtype
        if reformed:
            assert new.shape.is_compatible_with(t.shape)
        else:
            assert new.shape.as_list() == t.shape.as_list() if t.shape.ndims is not None \
                else new.shape.ndims is None
    names = [t.name for t in outputs] or [op.name]
    values = _run(graph, names, feeds)
    _assert_same(values, _run(imported, names, feeds))
    if case.wrt and any(t.dtype.is_floating for t in outputs):
        grads = []
        for g, ts in ((graph, outputs), (imported, [imported.get_tensor_by_name(t.name)
                                                    for t in outputs])):
            y = _float_sum(g, ts, values)
            xs = [g.get_tensor_by_name(inputs[i].name) for i in case.wrt]
            with g.as_default():
                dx = [tf.convert_to_tensor(d) for d in tf.gradients(y, xs)
                      if d is not None]  # GatherV2's IndexedSlices, densified
            grads.append(_run(g, dx, feeds))
        _assert_same(*grads)


def _linear_graph():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.constant([[1.0], [2.0]], name="w")
        with tf.device("/cpu:0"):
            y = tf.matmul(x, w, name="y")
        with tf.control_dependencies([y]):
            z = tf.identity(y * 3.0, name="z")
    return graph


def test_prefix_input_map_and_return_elements():
    graph_def = _linear_graph().as_graph_def()
    with tf.Graph().as_default() as g:
        feed = tf.constant([[1.0, 1.0], [0.0, 2.0]], name="feed")
        y, z, z_op = tf.import_graph_def(graph_def, input_map={"x:0": feed},
                                         return_elements=["y:0", "z:0", "z"])
        assert y.name == "import/y:0" and z_op.name == "import/z"
        assert z_op.outputs[0] is z
        assert [c.name for c in z.op.control_inputs] == ["import/y"]
        assert y.op.device == "/device:CPU:0" and y.op.inputs[0] is feed
        assert [c.name for c in g.get_operation_by_name("import/mul").control_inputs] == \
            ["import/y"]
        again = tf.import_graph_def(graph_def, return_elements=["x:0"])[0]
        assert again.name == "import_1/x:0"
        assert tf.identity(feed, name="import").name == "import_2:0"
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(z), [[9.0], [12.0]])


def test_import_with_empty_name_keeps_names():
    graph_def = _linear_graph().as_graph_def()
    with tf.Graph().as_default() as g:
        tf.import_graph_def(graph_def, name="")
        assert g.get_tensor_by_name("z:0").shape.as_list() == [None, 1]
        assert tf.constant(1.0, name="y").name == "y_1:0"


def test_import_with_empty_name_into_a_graph_with_those_names_renames_as_tensorflow():
    """TF's uniquify_names (checked on TF 2.15): a node named as an op or a name scope of the
    graph takes name_1, skipping names the GraphDef holds; inputs and return_elements follow."""
    with tf.Graph().as_default() as source:
        x = tf.constant(1.0, name="x")
        with tf.name_scope("rn"):
            m = tf.constant(2.0, name="m")
            k = tf.constant(4.0, name="k")
        rn = tf.add(m, x, name="rn")
        tf.add(rn, k, name="x_1")
    with tf.Graph().as_default() as g:
        with tf.name_scope("rn"):
            tf.constant(5.0, name="m")
        tf.constant(5.0, name="x")
        out, = tf.import_graph_def(source.as_graph_def(), name="", return_elements=["x_1:0"])
        assert [op.name for op in g.get_operations()] == \
            ["rn/m", "x", "x_2", "rn/m_1", "rn/k", "rn_1", "x_1"]
        assert [t.name for t in g.get_operation_by_name("rn_1").inputs] == ["rn/m_1:0", "x_2:0"]
        assert out.name == "x_1:0" and out.op.inputs[0].name == "rn_1:0"
        assert tf.constant(0.0, name="x").name == "x_3:0"
        with tf.Session() as sess:
            assert sess.run(out) == 7.0


def test_import_errors():
    graph_def = _linear_graph().as_graph_def()
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="not found in graph_def"):
            tf.import_graph_def(graph_def, input_map={"nope:0": tf.constant(1.0)})
        with pytest.raises(ValueError, match="return_element 'nope:0' not found"):
            tf.import_graph_def(graph_def, return_elements=["nope:0"])
        with pytest.raises(TypeError):
            tf.import_graph_def(graph_def, input_map={"x:0": 3.0})
        with pytest.raises(ValueError, match="requires|shape|Dimensions"):
            tf.import_graph_def(graph_def, input_map={"x:0": tf.zeros([2, 5])})
    bad = _linear_graph().as_graph_def()
    bad.node[1].op = "NoSuchOp"
    with tf.Graph().as_default(), \
            pytest.raises(tf.errors.NotFoundError, match="not registered 'NoSuchOp'"):
        tf.import_graph_def(bad)
    bad = _linear_graph().as_graph_def()
    bad.node[2].input[0] = "missing:0"
    with tf.Graph().as_default(), pytest.raises(ValueError, match="Unknown input node"):
        tf.import_graph_def(bad)
    with pytest.raises(TypeError):
        tf.import_graph_def("not a graph def")


def test_nodes_out_of_order_are_sorted():
    graph_def = _linear_graph().as_graph_def()
    nodes = list(graph_def.node)
    del graph_def.node[:]
    graph_def.node.extend(reversed(nodes))
    with tf.Graph().as_default():
        z, = tf.import_graph_def(graph_def, input_map={"x": tf.ones([1, 2])},
                                 return_elements=["z:0"])
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(z), [[9.0]])


@pytest.mark.parametrize("tensorflow_forms", [False, True], ids=["ours", "tf_forms"])
def test_cond_while_and_tensor_array_round_trip_with_gradients(tensorflow_forms):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float64, [], name="x")
        c = tf.cond(x > 0, lambda: x * x, lambda: -x, name="c")
        _, total = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * x + 1.0),
                                 [0, tf.constant(1.0, tf.float64)], name="loop")
        squares = tf.map_fn(lambda v: v * v, tf.stack([x, 2.0 * x]))
        out = tf.identity(c + total + tf.reduce_sum(squares), name="out")
        grad = tf.identity(tf.gradients(out, x)[0], name="grad")
    imported = _round_trip(graph, tensorflow_forms)
    feeds = {"x:0": 1.5}
    _assert_same(_run(graph, ["out:0", "grad:0"], feeds),
                 _run(imported, ["out:0", "grad:0"], feeds))
    with imported.as_default():  # a new gradient through the imported loop and cond
        again = tf.gradients(imported.get_tensor_by_name("out:0"),
                             imported.get_tensor_by_name("x:0"))[0]
    for value in (1.5, -0.5):
        np.testing.assert_allclose(_run(imported, again, {"x:0": value}),
                                   _run(graph, "grad:0", {"x:0": value}))


@pytest.mark.parametrize("tensorflow_forms", [False, True], ids=["ours", "tf_forms"])
def test_graphs_reading_datasets_import_and_the_rest_runs(tensorflow_forms):
    """A tf.data pipeline is Python code, which a GraphDef cannot hold: its iterator ops import
    and raise UnimplementedError naming the op when run; the rest of the graph works."""
    graph = tf.Graph()
    with graph.as_default():
        limit = tf.placeholder(tf.int64, [], name="limit")
        one_shot = tf.data.Dataset.range(5).map(lambda v: v * 2).make_one_shot_iterator()
        iterator = tf.data.Dataset.range(limit).make_initializable_iterator()
        tf.identity(one_shot.get_next() + iterator.get_next(), name="out")
        tf.multiply(tf.constant(3.0), 2.0, name="other")
    imported = _round_trip(graph, tensorflow_forms)
    with tf.Session(graph=imported) as sess:
        assert sess.run("other:0") == 6.0
        with pytest.raises(tf.errors.UnimplementedError, match="'OneShotIterator'.*tf.data"):
            sess.run("out:0")
        with pytest.raises(tf.errors.UnimplementedError, match="'MakeIterator'"):
            sess.run(imported.get_operation_by_name("MakeIterator"), {"limit:0": 3})


def test_tensorflow_lstm_block_cell_graph_imports_with_tensorflows_numbers():
    """A GraphDef TensorFlow wrote with LSTMBlockCell and LSTMBlockCellGrad (peepholes):
    rebuilt here, both give TensorFlow's values (tests/fixtures/make_lstm_block_cell_fixture.py)."""
    graph_pb2 = pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    fixture = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "lstm_block_cell"
    graph_def = graph_pb2.GraphDef()
    graph_def.ParseFromString((fixture / "graph.pb").read_bytes())
    expected = np.load(fixture / "values.npz")
    names = [f"cell:{k}" for k in range(7)] + [f"back:{k}" for k in range(5)]
    with tf.Graph().as_default():
        outputs = tf.import_graph_def(graph_def, return_elements=names, name="")
        got = tf.Session().run(outputs)
    for k, (name, value) in enumerate(zip(names, got)):
        np.testing.assert_allclose(value, expected[f"arr_{k}"], rtol=1e-5, atol=1e-6,
                                   err_msg=name)


def _graph_def_fixture_script():
    path = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "make_graph_def_fixtures.py"
    spec = importlib.util.spec_from_file_location("make_graph_def_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_MALFORMED = _graph_def_fixture_script().malformed_graph_defs(tf, types_pb2)
_TENSORFLOW_ERRORS = json.loads((pathlib.Path(__file__).resolve().parents[1] / "fixtures" /
                                 "graph_def" / "tensorflow.json").read_text())["import_errors"]


@pytest.mark.parametrize("case", sorted(_MALFORMED))
def test_malformed_graph_defs_are_refused_as_tensorflow_refuses_them(case):
    """The exception type TensorFlow raises (tests/fixtures/graph_def/tensorflow.json), with a
    message naming the node: a T attr contradicting the inputs, too many or too few inputs,
    an unknown op type, inputs naming missing nodes or outputs."""
    error_type, message = _TENSORFLOW_ERRORS[case]
    expected = {"ValueError": ValueError, "NotFoundError": tf.errors.NotFoundError}[error_type]
    with tf.Graph().as_default(), pytest.raises(expected, match="sum") as raised:
        tf.import_graph_def(_MALFORMED[case], name="")
    if case in ("missing_input_node", "missing_output", "attr_contradicts_inputs"):
        assert str(raised.value) == message.replace("float ", "float32 ")
    if case.startswith("too_"):  # TF: "NodeDef expected inputs 'float, float' do not match 3"
        assert "NodeDef expected 2 inputs" in str(raised.value)
