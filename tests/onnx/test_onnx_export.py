"""tensorweave.onnx.export (issue 22 part 6): graphs TensorFlow wrote (tf.keras.applications
MobileNet v1/v2, ResNet-50, Inception v3 frozen and as SavedModels) and graphs tensorweave builds
(the MNIST tutorials' inference parts, a tf.layers CNN, one graph per op family) are written as
ONNX models that pass onnx.checker and give tensorweave's outputs in onnxruntime (1e-4)."""
import os
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")

import tensorweave as tf  # noqa: E402
import tensorweave.onnx as tw_onnx  # noqa: E402
from tensorweave.examples.tutorials.mnist import mnist as mnist_tutorial  # noqa: E402
from tensorweave.examples.tutorials.mnist import mnist_deep  # noqa: E402
from tensorweave.onnx import cli  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "fixtures")
GRAPHS = os.path.join(FIXTURES, "tf_graphs")
SIZES = {"mobilenet_v1": 96, "mobilenet_v2": 96, "resnet50": 64, "inception_v3": 75}


def run_onnx(model, feeds):
    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def assert_close(got, expected, name=""):
    expected = np.asarray(expected)
    assert np.shape(got) == expected.shape, name
    if expected.dtype.kind in "biu":
        np.testing.assert_array_equal(got, expected, err_msg=name)
        return
    scale = np.abs(expected).max() if expected.size else 1.0
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * scale + 1e-30,
                               err_msg=name)


def check_export(source, feeds, outputs, expected, opset=tw_onnx.DEFAULT_OPSET, **kwargs):
    """Exports, checks the model, runs it in onnxruntime and compares with `expected`."""
    names = list(feeds)
    model = tw_onnx.export(source, names, outputs, opset=opset, **kwargs)
    onnx.checker.check_model(model)
    assert [i.name for i in model.graph.input] == names
    got = run_onnx(model, {k: np.asarray(v) for k, v in feeds.items()})
    for name, g, e in zip(outputs, got, expected):
        assert_close(g, e, name)
    return model


# --- TensorFlow-written image models --------------------------------------------------------
def model_input(size):
    """The images make_tf_graphs_reference.py runs the models on."""
    return np.random.RandomState(5).rand(2, size, size, 3).astype(np.float32) * 2 - 1


def read_graph_def(path):
    graph_def = tf.GraphDef()
    with open(path, "rb") as f:
        graph_def.ParseFromString(f.read())
    return graph_def


def layer_outputs(graph_def, output_name, count=12):
    """Tensors spread through the network (the random models' activations shrink layer by
    layer, so the final softmax alone would hide mistakes), and the output."""
    names = [f"{n.name}:0" for n in graph_def.node
             if n.op not in ("Const", "Identity", "Placeholder")]
    picked = names[::max(1, len(names) // count)]
    return list(dict.fromkeys(picked + [output_name]))


def check_tf_model(directory, name):
    reference = np.load(os.path.join(directory, name + "_io.npz"))
    input_name, output_name = str(reference["input_name"]), str(reference["output_name"])
    image = model_input(SIZES[name])
    graph_def = read_graph_def(os.path.join(directory, name + "_frozen.pb"))
    outputs = layer_outputs(graph_def, output_name)
    with tf.Graph().as_default(), tf.Session() as sess:
        tf.import_graph_def(graph_def, name="")
        expected = sess.run(outputs, {input_name: image})
    model = check_export(graph_def, {input_name: image}, outputs, expected)
    assert_close(run_onnx(model, {input_name: image})[-1], reference["output"], "TF's output")
    shape = model.graph.input[0].type.tensor_type.shape
    assert [d.dim_value if d.HasField("dim_value") else None for d in shape.dim] == \
        [None, SIZES[name], SIZES[name], 3]
    # the SavedModel TF wrote, through the command line (its signature's inputs and outputs)
    out_path = os.path.join(directory, name + ".onnx")
    assert cli.main(["export", "--saved_model_dir", os.path.join(directory, name + "_savedmodel"),
                     "--output", out_path]) == 0
    served = ort.InferenceSession(out_path, providers=["CPUExecutionProvider"])
    assert [i.name for i in served.get_inputs()] == [input_name]
    assert_close(served.run(None, {input_name: image})[0], reference["output"], "SavedModel")


def test_mobilenet_v1_written_by_tf_exports(tmp_path):
    for suffix in ("_frozen.pb", "_io.npz"):
        with open(os.path.join(GRAPHS, "mobilenet_v1" + suffix), "rb") as f:
            (tmp_path / ("mobilenet_v1" + suffix)).write_bytes(f.read())
    os.symlink(os.path.join(GRAPHS, "mobilenet_v1_savedmodel"),
               tmp_path / "mobilenet_v1_savedmodel")
    check_tf_model(str(tmp_path), "mobilenet_v1")


@pytest.mark.parametrize("name", ["mobilenet_v2", "resnet50", "inception_v3"])
def test_keras_applications_written_by_tf_export(name, tmp_path):
    python = os.environ.get("TENSORWEAVE_TF_PYTHON")
    if not python:
        pytest.skip("set TENSORWEAVE_TF_PYTHON to a Python with TensorFlow to export the model")
    subprocess.run([python, os.path.join(FIXTURES, "make_tf_graphs_reference.py"),
                    str(tmp_path), "--models", name], check=True, capture_output=True,
                   timeout=900)
    check_tf_model(str(tmp_path), name)


# --- graphs tensorweave builds ------------------------------------------------------------------
def test_mnist_mlp_tutorial_inference_from_a_session():
    images = tf.placeholder(tf.float32, [None, mnist_tutorial.IMAGE_PIXELS], name="images")
    logits = mnist_tutorial.inference(images, 16, 8)
    probabilities = tf.nn.softmax(logits)
    batch = np.random.RandomState(0).rand(5, 784).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected = sess.run([logits, probabilities], {images: batch})
        model = check_export(sess, {"images:0": batch}, [logits.name, probabilities.name],
                             expected)
    assert not any(n.op_type == "Identity" and n.input[0] == n.output[0]
                   for n in model.graph.node)


def test_mnist_deep_cnn_with_keep_prob_input():
    # dropout's RandomUniform becomes RandomUniformLike; keep_prob 1 keeps every unit
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    y_conv, keep_prob = mnist_deep.deepnn(x)
    batch = np.random.RandomState(1).rand(3, 784).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        expected = sess.run([y_conv], {x: batch, keep_prob: 1.0})
        with pytest.raises(tw_onnx.ExportError, match="rank of input dropout/Placeholder:0 is not"):
            tw_onnx.export(sess, [x, keep_prob], [y_conv])
        check_export(sess, {"x:0": batch, keep_prob.name: np.float32(1.0)}, [y_conv.name],
                     expected, input_shapes={keep_prob.name: []})


def test_tf_layers_cnn_exported_from_a_frozen_graph_def(tmp_path):
    tf.set_random_seed(3)
    x = tf.placeholder(tf.float32, [None, 21, 21, 2], name="x")
    h = tf.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu)
    h = tf.layers.max_pooling2d(h, 3, 2, padding="same")
    h = tf.layers.batch_normalization(h, training=False)
    depthwise = tf.get_variable("depthwise", [3, 3, 4, 2])
    pointwise = tf.get_variable("pointwise", [1, 1, 8, 5])
    h = tf.nn.relu6(tf.nn.separable_conv2d(h, depthwise, pointwise, [1, 2, 2, 1], "VALID"))
    h = tf.layers.average_pooling2d(h, 2, 1, padding="same")
    h = tf.layers.conv2d_transpose(h, 3, 3, strides=2, padding="same")
    h = tf.layers.flatten(h)
    h = tf.layers.dense(h, 8, activation=tf.nn.elu)
    h = tf.nn.dropout(h, rate=tf.placeholder_with_default(0.0, []))
    y = tf.nn.log_softmax(tf.layers.dense(h, 3), name="scores")
    batch = np.random.RandomState(2).rand(2, 21, 21, 2).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        # moving statistics other than 0 and 1
        for var in tf.global_variables():
            if "moving" in var.name:
                sess.run(var.assign(np.random.RandomState(4).rand(*var.shape.as_list()) + 0.5))
        expected = sess.run([y], {x: batch})
        frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph_def, ["scores"])
    tf.io.write_graph(frozen, str(tmp_path), "frozen.pb", as_text=False)
    graph_def = read_graph_def(str(tmp_path / "frozen.pb"))
    check_export(graph_def, {"x:0": batch}, ["scores:0"], expected)
    onnx_path = str(tmp_path / "cnn.onnx")
    assert cli.main(["export", "--graph_def", str(tmp_path / "frozen.pb"), "--inputs", "x:0",
                     "--outputs", "scores:0", "--output", onnx_path, "--opset", "18"]) == 0
    served = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    assert_close(served.run(None, {"x:0": batch})[0], expected[0])


# --- one graph per op family -------------------------------------------------------------------
def _x(shape, seed=0, name="x", dtype=np.float32):
    value = (np.random.RandomState(seed).rand(*shape) * 2 - 1).astype(dtype)
    return tf.placeholder(tf.as_dtype(dtype), [None] + list(shape[1:]), name=name), value


def case_elementwise():
    x, xv = _x([3, 4])
    y, yv = _x([1, 4], seed=1, name="y")
    pos = tf.abs(x) + 0.5
    outs = [x + y, x - y, x * y, x / (tf.abs(y) + 1), tf.maximum(x, y), tf.minimum(x, y),
            tf.pow(pos, y), tf.squared_difference(x, y), -x, tf.exp(x), tf.log(pos),
            tf.sqrt(pos), tf.rsqrt(pos), tf.square(x), tf.tanh(x), tf.sigmoid(x),
            tf.nn.relu(x), tf.nn.relu6(x * 10), tf.nn.elu(x), tf.nn.selu(x),
            tf.nn.leaky_relu(x, alpha=0.3), tf.nn.softplus(x), tf.erf(x),
            tf.clip_by_value(x, -0.3, 0.4), tf.floor(x * 3), tf.round(x * 3),
            tf.cast(x > y, tf.float32), tf.cast(tf.logical_and(x > 0, y < 0.5), tf.int32),
            tf.add_n([x, y, x]), tf.nn.softmax(x), tf.nn.log_softmax(x),
            tf.sin(x), tf.cos(x), tf.tan(x), tf.asin(x * 0.9), tf.acos(x * 0.9), tf.atan(x),
            tf.sinh(x), tf.cosh(x), tf.asinh(x), tf.acosh(pos + 1), tf.atanh(x * 0.9),
            tf.sign(x), tf.reciprocal(pos), tf.ceil(x * 3), tf.log1p(pos), tf.nn.softsign(x),
            tf.floordiv(x * 4, pos), tf.cast(tf.is_nan(tf.log(x)), tf.int32),
            tf.cast(tf.logical_or(tf.logical_not(x >= y), tf.not_equal(x, x)), tf.float32),
            tf.cast(tf.equal(tf.sign(x), tf.sign(y)), tf.float32) + tf.cast(x < y, tf.float32)
            + tf.cast(x <= y, tf.float32), tf.reduce_any(x > 0.9, 1),
            x + 0 * tf.random_normal(tf.shape(x)), x + 0 * tf.random_uniform(tf.shape(x))]
    return {x: xv, y: yv}, outs


def case_reductions_and_products():
    x, xv = _x([2, 3, 4])
    m, mv = _x([4, 5], seed=2, name="m")
    outs = [tf.reduce_mean(x, [1, 2]), tf.reduce_sum(x, 1, keepdims=True),
            tf.reduce_max(x, -1), tf.reduce_min(x, [0]), tf.reduce_prod(x, 2),
            tf.reduce_all(x > -0.9, 1), tf.argmax(x, 2), tf.argmin(x, 1, output_type=tf.int32),
            tf.matmul(x[0], m), tf.matmul(m, x[1], transpose_a=True, transpose_b=True),
            tf.matmul(x, x, adjoint_b=True), tf.einsum("bij,jk->bik", x, m),
            tf.nn.bias_add(x, tf.constant([1.0, 2.0, 3.0, 4.0]))]
    return {x: xv, m: mv}, outs


def case_shapes_and_indexing():
    x, xv = _x([4, 5, 6])
    i = tf.placeholder(tf.int32, [None], name="i")
    outs = [x[1:, ..., ::2], x[:, None, -1, 3:0:-1], x[..., 2], x[::-1, 1:-1],
            tf.slice(x, [1, 0, 2], [2, -1, 3]), tf.gather(x, i, axis=1), tf.gather(x, i),
            tf.reshape(x, [-1, 30]), tf.squeeze(x[:, :1], [1]), tf.squeeze(x[0, :1]),
            tf.expand_dims(x, -1),
            tf.concat([x, x * 2], axis=-1), tf.transpose(x, [2, 0, 1]),
            tf.pad(x, [[0, 0], [1, 2], [2, 1]]), tf.pad(x, [[1, 1], [0, 0], [0, 0]],
                                                        constant_values=3.0),
            tf.pad(x, [[0, 0], [2, 1], [1, 2]], mode="REFLECT"),
            tf.shape(x), tf.size(x), tf.tile(x, [1, 2, 1]), tf.stack([x, -x], axis=1),
            tf.unstack(x, axis=2)[4], tf.fill(tf.shape(x)[:2], 2.5),
            tf.range(0, tf.shape(x)[0] * 2, 3), tf.where(x > 0, x, -x * 2),
            tf.where_v2(x > 0, x, 0.5), tf.zeros_like(x), tf.ones_like(i),
            tf.split(x, 2, axis=0)[1], tf.split(x, [1, -1, 2], axis=2)[1],
            tf.nn.space_to_depth(x[:, :4, :4, None], 2),
            tf.nn.depth_to_space(tf.tile(x[:, :2, :2, None], [1, 1, 1, 4]), 2)]
    return {x: xv, i: np.array([3, 0, 1], np.int32)}, outs


def case_convolutions():
    x, xv = _x([2, 11, 10, 3])
    rng = np.random.RandomState(7)
    w = tf.constant(rng.rand(3, 3, 3, 4).astype(np.float32) - 0.5)
    dw = tf.constant(rng.rand(3, 2, 3, 2).astype(np.float32) - 0.5)
    tw = tf.constant(rng.rand(3, 3, 5, 3).astype(np.float32) - 0.5)
    outs = [tf.nn.conv2d(x, w, [1, 2, 2, 1], "SAME"), tf.nn.conv2d(x, w, [1, 1, 2, 1], "VALID"),
            tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME", dilations=[1, 2, 2, 1]),
            tf.nn.depthwise_conv2d(x, dw, [1, 2, 2, 1], "SAME"),
            tf.nn.conv2d_transpose(x, tw, [2, 22, 20, 5], [1, 2, 2, 1], "SAME"),
            tf.nn.conv2d_transpose(x, tw, [2, 24, 21, 5], [1, 2, 2, 1], "VALID"),
            tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME"),
            tf.nn.avg_pool(x, [1, 3, 2, 1], [1, 2, 2, 1], "SAME"),
            tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"),
            tf.nn.fused_batch_norm(x, [1.0, 2.0, 0.5], [0.1, 0.2, 0.3], mean=[0.1, -0.2, 0.3],
                                   variance=[1.5, 0.5, 2.0], is_training=False)[0]]
    return {x: xv}, outs


def case_resize():
    x, xv = _x([1, 5, 7, 2])
    outs = []
    for size in ([9, 12], [3, 4]):
        for align, half in ((False, False), (True, False), (False, True)):
            outs.append(tf.image.resize_bilinear(x, size, align_corners=align,
                                                 half_pixel_centers=half))
            outs.append(tf.image.resize_nearest_neighbor(x, size, align_corners=align,
                                                         half_pixel_centers=half))
    return {x: xv}, outs


CASES = [case_elementwise, case_reductions_and_products, case_shapes_and_indexing,
         case_convolutions, case_resize]


@pytest.mark.parametrize("opset", [tw_onnx.DEFAULT_OPSET, 18])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_op_family_gives_tensorweaves_outputs(case, opset):
    feeds, outputs = case()
    with tf.Session() as sess:
        expected = sess.run(outputs, feeds)
        graph_def = sess.graph_def
    check_export(graph_def, {t.name: v for t, v in feeds.items()}, [t.name for t in outputs],
                 expected, opset=opset)


# --- errors and the package's manners -------------------------------------------------------
def test_op_type_without_converter_names_it_the_node_and_the_supported_types():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.cumsum(x, axis=1, name="running")
    with pytest.raises(tw_onnx.ExportError,
                       match=r"no converter for op type Cumsum \(node 'running'\).*"
                             r"Supported op types.*Conv2D"):
        tw_onnx.export(tf.get_default_graph(), [x], [y])


def test_placeholder_not_among_inputs_and_variables_without_session():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    scale = tf.placeholder(tf.float32, [], name="scale")
    with pytest.raises(tw_onnx.ExportError, match="node 'scale'.*list it in `inputs`"):
        tw_onnx.export(tf.get_default_graph(), [x], [x * scale])
    v = tf.Variable(tf.ones([3]), name="v")
    with pytest.raises(tw_onnx.ExportError, match="VariableV2 .*pass the Session"):
        tw_onnx.export(tf.get_default_graph(), [x], [x * v])


def test_training_batch_norm_bad_opset_and_missing_tensor_are_refused():
    x = tf.placeholder(tf.float32, [None, 4, 4, 2], name="x")
    y = tf.nn.fused_batch_norm(x, [1.0, 1.0], [0.0, 0.0], is_training=True)[0]
    with pytest.raises(tw_onnx.ExportError, match="is_training=True"):
        tw_onnx.export(tf.get_default_graph(), [x], [y])
    with pytest.raises(ValueError, match="opset"):
        tw_onnx.export(tf.get_default_graph(), [x], [x + 1], opset=9)
    with pytest.raises(ValueError, match="nope:0 is not in the graph"):
        tw_onnx.export(tf.get_default_graph(), [x], ["nope:0"])


def test_missing_onnx_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with pytest.raises(ImportError, match=r"pip install tensorweave\[onnx\]"):
        tw_onnx.export(tf.get_default_graph(), [x], [x + 1])


def test_import_tensorweave_does_not_load_onnx():
    code = ("import sys, tensorweave, tensorweave.onnx; "
            "print('onnx' in sys.modules, 'onnxruntime' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]


def test_command_line_lists_the_supported_op_types(capsys):
    assert cli.main(["ops"]) == 0
    listed = capsys.readouterr().out.split()
    assert listed == list(tw_onnx.SUPPORTED_OP_TYPES)
    assert {"Conv2D", "FusedBatchNormV3", "ResizeBilinear", "StridedSlice"} <= set(listed)
