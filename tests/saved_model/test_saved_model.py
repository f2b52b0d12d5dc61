"""tf.saved_model (TF 1.15's builder/loader API), the Estimator's export and the
`python -m tensorweave.saved_model` command line."""
import io
import os

import numpy as np
import pytest

import tensorweave as tf
import tensorweave.saved_model as saved_model
from tensorweave.saved_model import (builder, cli, constants, loader, signature_constants,
                                     signature_def_utils, tag_constants, utils)


def _linear_model():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
    counter = tf.Variable(0, name="counter", collections=[tf.GraphKeys.LOCAL_VARIABLES])
    y = tf.matmul(x, w, name="y")
    return x, w, counter, y


def test_simple_save_and_load_round_trip(tmp_path):
    export_dir = str(tmp_path / "model")
    with tf.Graph().as_default(), tf.Session() as sess:
        x, w, _, y = _linear_model()
        sess.run(tf.global_variables_initializer())
        sess.run(w.assign(w * 2))
        saved_model.simple_save(sess, export_dir, {"x": x}, {"y": y})
    assert sorted(os.listdir(export_dir)) == ["saved_model.pb", "variables"]
    assert sorted(os.listdir(os.path.join(export_dir, "variables"))) == [
        "variables.data-00000-of-00001", "variables.index"]
    assert saved_model.maybe_saved_model_directory(export_dir)
    assert saved_model.contains_saved_model(export_dir)
    assert not saved_model.contains_saved_model(str(tmp_path))
    with tf.Graph().as_default(), tf.Session() as sess:
        meta_graph_def = saved_model.loader.load(sess, [tag_constants.SERVING], export_dir,
                                                 import_scope="imported")
        signature = meta_graph_def.signature_def[
            signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY]
        assert signature.method_name == "tensorflow/serving/predict"
        x = utils.get_tensor_from_tensor_info(signature.inputs["x"], import_scope="imported")
        y = utils.get_tensor_from_tensor_info(signature.outputs["y"], import_scope="imported")
        assert x.name == "imported/x:0"
        np.testing.assert_allclose(sess.run(y, {x: np.ones((1, 3))}), [[12, 18]])


def test_builder_assets_main_op_several_meta_graphs_and_text(tmp_path):
    asset_file = tmp_path / "vocab.txt"
    asset_file.write_text("a\nb\n")
    export_dir = str(tmp_path / "model")
    with tf.Graph().as_default() as graph, tf.Session() as sess:
        x, w, counter, y = _linear_model()
        asset = tf.constant(str(asset_file), name="asset_path")
        graph.add_to_collection(tf.GraphKeys.ASSET_FILEPATHS, asset)
        sess.run(tf.global_variables_initializer())
        main_op = tf.group(tf.local_variables_initializer(), counter.assign_add(5).op)
        model = builder.SavedModelBuilder(export_dir)
        model.add_meta_graph_and_variables(
            sess, ["serve"], signature_def_map={"predict": signature_def_utils.
                                                predict_signature_def({"x": x}, {"y": y})},
            assets_collection=[asset], main_op=main_op)
        model.add_meta_graph(["train", "gpu"])
        with pytest.raises(AssertionError, match="already been saved"):
            model.add_meta_graph_and_variables(sess, ["eval"])
        path = model.save(as_text=True)
    assert path.endswith(b"saved_model.pbtxt")
    assert os.path.isfile(os.path.join(export_dir, "assets", "vocab.txt"))
    with tf.Graph().as_default(), tf.Session() as sess:
        meta_graph_def = loader.load(sess, ["gpu", "train"], export_dir)
        assert set(meta_graph_def.meta_info_def.tags) == {"train", "gpu"}
        assert sess.run("counter:0") == 5  # the main op ran after restoring
        np.testing.assert_allclose(sess.run("w:0"), np.arange(6).reshape(3, 2))
        assets = loader.get_asset_tensors(export_dir, meta_graph_def)
        assert assets == {"asset_path:0": os.path.join(export_dir, "assets", "vocab.txt")}


def test_load_errors_as_tensorflow_gives_them(tmp_path):
    with pytest.raises(IOError, match="SavedModel file does not exist at"):
        loader.load(None, ["serve"], str(tmp_path))
    export_dir = str(tmp_path / "model")
    with tf.Graph().as_default(), tf.Session() as sess:
        x, _, _, y = _linear_model()
        sess.run(tf.global_variables_initializer())
        saved_model.simple_save(sess, export_dir, {"x": x}, {"y": y})
    with tf.Graph().as_default(), tf.Session() as sess:
        with pytest.raises(RuntimeError, match="MetaGraphDef associated with tags 'foo' could "
                                               "not be found in SavedModel"):
            loader.load(sess, ["foo"], export_dir)
    for name in os.listdir(os.path.join(export_dir, "variables")):
        os.remove(os.path.join(export_dir, "variables", name))
    with tf.Graph().as_default(), tf.Session() as sess:
        with pytest.raises(ValueError, match="not a valid checkpoint"):
            loader.load(sess, ["serve"], export_dir)
    with open(os.path.join(export_dir, "saved_model.pb"), "wb") as f:
        f.write(b"\xff\xff not a protocol buffer")
    with pytest.raises(IOError, match="Cannot parse file"):
        loader.load(None, ["serve"], export_dir)
    with pytest.raises(AssertionError, match="Export directory already exists"):
        builder.SavedModelBuilder(export_dir)


def test_signature_defs_and_their_checks():
    with tf.Graph().as_default():
        examples = tf.placeholder(tf.string, [None], name="examples")
        scores = tf.placeholder(tf.float32, [None, 3], name="scores")
        classes = tf.placeholder(tf.string, [None, 3], name="classes")
        ints = tf.placeholder(tf.int32, [None], name="ints")
        classify = signature_def_utils.classification_signature_def(examples, classes, scores)
        assert classify.method_name == signature_constants.CLASSIFY_METHOD_NAME
        assert sorted(classify.outputs) == ["classes", "scores"]
        assert signature_def_utils.is_valid_signature(classify)
        regress = signature_def_utils.regression_signature_def(examples, scores)
        assert regress.inputs["inputs"].name == "examples:0"
        assert signature_def_utils.is_valid_signature(regress)
        with pytest.raises(ValueError, match="Classification input tensors must be of type "
                                             "string"):
            signature_def_utils.classification_signature_def(ints, classes, scores)
        with pytest.raises(ValueError, match="cannot both be None"):
            signature_def_utils.classification_signature_def(examples, None, None)
        with pytest.raises(ValueError, match="Regression output tensors must be of type float"):
            signature_def_utils.regression_signature_def(examples, ints)
        with pytest.raises(ValueError, match="Prediction `inputs` cannot be None or empty"):
            signature_def_utils.predict_signature_def({}, {"s": scores})
        odd = signature_def_utils.build_signature_def(
            {"inputs": utils.build_tensor_info(ints)}, {"outputs": utils.build_tensor_info(
                scores)}, signature_constants.REGRESS_METHOD_NAME)
        assert not signature_def_utils.is_valid_signature(odd)
        info = utils.build_tensor_info(scores)
        assert info.name == "scores:0" and info.dtype == 1
        assert [d.size for d in info.tensor_shape.dim] == [-1, 3]
        sparse = tf.SparseTensor([[0, 0]], [1.0], [2, 2])
        sparse_info = utils.build_tensor_info(sparse)
        assert sparse_info.WhichOneof("encoding") == "coo_sparse"
        back = utils.get_tensor_from_tensor_info(sparse_info)
        assert back.values.name == sparse.values.name


def test_reserved_signature_keys_are_refused(tmp_path):
    with tf.Graph().as_default(), tf.Session() as sess:
        x, _, _, y = _linear_model()
        sess.run(tf.global_variables_initializer())
        signature = signature_def_utils.predict_signature_def({"x": x}, {"y": y})
        model = builder.SavedModelBuilder(str(tmp_path / "model"))
        with pytest.raises(KeyError, match="reserved for initialization"):
            model.add_meta_graph_and_variables(
                sess, ["serve"], signature_def_map={constants.INIT_OP_SIGNATURE_KEY: signature})


def test_method_name_updater(tmp_path):
    export_dir = str(tmp_path / "model")
    with tf.Graph().as_default(), tf.Session() as sess:
        x, _, _, y = _linear_model()
        sess.run(tf.global_variables_initializer())
        saved_model.simple_save(sess, export_dir, {"x": x}, {"y": y})
    updater = signature_def_utils.MethodNameUpdater(export_dir)
    updater.replace_method_name("serving_default", "tensorflow/serving/regress", tags="serve")
    with pytest.raises(ValueError, match="does not have a signature_def with key"):
        updater.replace_method_name("nothing", "x")
    updater.save(str(tmp_path / "updated"))  # only saved_model.pb, as TF writes it
    (meta_graph_def,) = loader.parse_saved_model(str(tmp_path / "updated")).meta_graphs
    assert meta_graph_def.signature_def["serving_default"].method_name == \
        "tensorflow/serving/regress"


def test_main_op_initializes_local_variables_and_tables():
    with tf.Graph().as_default(), tf.Session() as sess:
        _, _, counter, _ = _linear_model()
        sess.run(saved_model.main_op.main_op())
        assert sess.run(counter) == 0


# --- the Estimator's export ----------------------------------------------------------------------
def _trained_classifier(tmp_path, n_classes):
    x = np.random.RandomState(0).randn(64, 4).astype(np.float32)
    y = ((x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0)) % n_classes
    columns = [tf.feature_column.numeric_column("x", shape=[4])]
    estimator = tf.estimator.DNNClassifier([8], columns, n_classes=n_classes,
                                           model_dir=str(tmp_path / "model"))
    estimator.train(tf.estimator.inputs.numpy_input_fn({"x": x}, y, batch_size=16,
                                                       num_epochs=None, shuffle=False), steps=5)
    return estimator, x


def _examples(rows):
    return [tf.train.Example(features=tf.train.Features(feature={
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=row))})).SerializeToString()
        for row in rows]


@pytest.mark.parametrize("n_classes", [2, 3])
def test_canned_classifier_exports_tfs_signatures(tmp_path, n_classes):
    estimator, x = _trained_classifier(tmp_path, n_classes)
    serving_fn = tf.estimator.export.build_parsing_serving_input_receiver_fn(
        {"x": tf.FixedLenFeature([4], tf.float32)})
    export_dir = estimator.export_saved_model(str(tmp_path / "export"), serving_fn,
                                              assets_extra={"notes/readme.txt": __file__})
    assert os.path.isfile(os.path.join(export_dir.decode(), "assets.extra", "notes",
                                       "readme.txt"))
    expected = np.array([p["probabilities"] for p in estimator.predict(
        tf.estimator.inputs.numpy_input_fn({"x": x[:3]}, shuffle=False))])
    with tf.Graph().as_default(), tf.Session() as sess:
        meta_graph_def = loader.load(sess, ["serve"], export_dir)
        keys = {"serving_default", "classification", "predict"}
        assert set(meta_graph_def.signature_def) == keys | ({"regression"} if n_classes == 2
                                                            else set())
        signature = meta_graph_def.signature_def["serving_default"]
        assert signature.method_name == "tensorflow/serving/classify"
        scores, classes = sess.run([signature.outputs["scores"].name,
                                    signature.outputs["classes"].name],
                                   {signature.inputs["inputs"].name: _examples(x[:3])})
    np.testing.assert_allclose(scores, expected, rtol=1e-6)
    assert classes.tolist() == [[str(i).encode() for i in range(n_classes)]] * 3


def test_raw_serving_input_keeps_only_the_predict_signature(tmp_path):
    estimator, x = _trained_classifier(tmp_path, 3)
    serving_fn = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, [None, 4])}, default_batch_size=None)
    export_dir = estimator.export_savedmodel(str(tmp_path / "export"), serving_fn)
    with tf.Graph().as_default(), tf.Session() as sess:
        meta_graph_def = loader.load(sess, ["serve"], export_dir)
        assert sorted(meta_graph_def.signature_def) == ["predict"]
        signature = meta_graph_def.signature_def["predict"]
        assert "probabilities" in signature.outputs and "x" in signature.inputs


def test_export_needs_a_checkpoint_and_checks_receivers(tmp_path):
    estimator = tf.estimator.DNNRegressor([4], [tf.feature_column.numeric_column("x")],
                                          model_dir=str(tmp_path / "empty"))
    with pytest.raises(ValueError, match="Couldn't find trained model"):
        estimator.export_saved_model(str(tmp_path / "export"), lambda: None)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="feature must be defined"):
            tf.estimator.export.ServingInputReceiver(None, tf.placeholder(tf.float32))
        receiver = tf.estimator.export.TensorServingInputReceiver(
            tf.placeholder(tf.float32, name="t"), tf.placeholder(tf.float32, name="r"))
        assert receiver.features.name == "t:0" and list(receiver.receiver_tensors) == ["input"]


# --- the command line ----------------------------------------------------------------------------
def _served_model(tmp_path):
    export_dir = str(tmp_path / "model")
    with tf.Graph().as_default(), tf.Session() as sess:
        x, _, _, y = _linear_model()
        sess.run(tf.global_variables_initializer())
        saved_model.simple_save(sess, export_dir, {"x": x}, {"y": y})
    return export_dir


def test_cli_show(tmp_path):
    export_dir = _served_model(tmp_path)
    out = io.StringIO()
    assert cli.main(["show", "--dir", export_dir], out) == 0
    assert "'serve'" in out.getvalue()
    out = io.StringIO()
    assert cli.main(["show", "--dir", export_dir, "--tag_set", "serve"], out) == 0
    assert 'SignatureDef key: "serving_default"' in out.getvalue()
    out = io.StringIO()
    assert cli.main(["show", "--dir", export_dir, "--all"], out) == 0
    text = out.getvalue()
    assert "inputs['x'] tensor_info:" in text and "shape: (-1, 3)" in text
    assert "Method name is: tensorflow/serving/predict" in text


def test_cli_run_with_files_and_safe_expressions(tmp_path, capsys):
    export_dir = _served_model(tmp_path)
    np.save(tmp_path / "x.npy", np.ones((2, 3), np.float32))
    out = io.StringIO()
    assert cli.main(["run", "--dir", export_dir, "--tag_set", "serve", "--signature_def",
                     "serving_default", "--inputs", f"x={tmp_path / 'x.npy'}",
                     "--outdir", str(tmp_path / "out")], out) == 0
    np.testing.assert_allclose(np.load(tmp_path / "out" / "y.npy"), [[6, 9], [6, 9]])
    np.savez(tmp_path / "in.npz", a=np.zeros((1, 3)), b=np.ones((1, 3)))
    out = io.StringIO()
    assert cli.main(["run", "--dir", export_dir, "--tag_set", "serve", "--signature_def",
                     "serving_default", "--inputs", f"x={tmp_path / 'in.npz'}[b]"], out) == 0
    assert "[[6. 9.]]" in out.getvalue()
    out = io.StringIO()
    assert cli.main(["run", "--dir", export_dir, "--tag_set", "serve", "--signature_def",
                     "serving_default", "--input_exprs", "x=np.full((1, 3), 2.0)"], out) == 0
    assert "[[12. 18.]]" in out.getvalue()
    assert cli.evaluate_expression("[[1, 2], [3, 4]]").shape == (2, 2)
    for hostile in ('__import__("os").system("true")', "np.load('x')", "open('f')",
                    "np.ones(len('ab'))"):
        with pytest.raises(ValueError):
            cli.evaluate_expression(hostile)
    assert cli.main(["run", "--dir", export_dir, "--tag_set", "serve", "--signature_def",
                     "serving_default", "--input_exprs", "x=exec('1')"], io.StringIO()) == 1
    assert "calls are allowed" in capsys.readouterr().err
