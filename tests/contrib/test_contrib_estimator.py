"""tf.contrib.estimator: the heads against TF 1.15's (computed in TF 2.15 by
tests/fixtures/make_contrib_estimator_reference.py: losses, eval metrics, predictions, export
keys and train summaries), and the extenders, early stopping, in-memory evaluation, logit
function builders, one-tower replication and per-mode export."""
import json
import os
import sys

import numpy as np
import pytest

import tensorweave as tf

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
sys.path.insert(0, FIXTURES)
import contrib_estimator_cases as cases  # noqa: E402
import estimator_extra_cases as extra_cases  # noqa: E402

REFERENCE = json.load(open(os.path.join(FIXTURES, "contrib_estimator_reference.json")))


@pytest.mark.parametrize("name", sorted(cases.HEAD_CASES))
def test_head_equals_tensorflows(name):
    got = cases.run_head_case(tf, tf.contrib.estimator, cases.HEAD_CASES[name], extra_cases.plain)
    want = REFERENCE["heads"][name]
    np.testing.assert_allclose(got["loss"], want["loss"], rtol=1e-6)
    np.testing.assert_allclose(got["eval_loss"], want["eval_loss"], rtol=1e-6)
    assert got["summaries"] == want["summaries"]
    assert sorted(got["metrics"]) == sorted(want["metrics"])
    for key, value in want["metrics"].items():
        np.testing.assert_allclose(got["metrics"][key], value, rtol=1e-5, atol=1e-7,
                                   err_msg=key)
    assert got["export_keys"] == want["export_keys"]
    assert sorted(got["predictions"]) == sorted(want["predictions"])
    for key, value in want["predictions"].items():
        if isinstance(value[0], str) or (isinstance(value, list) and value and
                                         isinstance(np.ravel(value)[0], str)):
            assert got["predictions"][key] == value, key
        else:
            np.testing.assert_allclose(got["predictions"][key], value, rtol=1e-6, err_msg=key)


def test_head_arguments_are_checked_as_tfs():
    contrib = tf.contrib.estimator
    with pytest.raises(ValueError, match="n_classes must be > 2"):
        contrib.multi_class_head(2)
    with pytest.raises(ValueError, match="thresholds"):
        contrib.binary_classification_head(thresholds=[1.5])
    with pytest.raises(ValueError, match="Invalid loss_reduction"):
        contrib.regression_head(loss_reduction="none")
    with pytest.raises(ValueError, match="loss_fn must contain argument: labels"):
        contrib.regression_head(loss_fn=lambda logits: logits)
    with pytest.raises(ValueError, match="must have name"):
        contrib.multi_head([contrib.regression_head()])
    with pytest.raises(ValueError, match="same size"):
        contrib.multi_head([contrib.regression_head(name="a")], head_weights=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"range \[0, 2\]"):
        contrib.multi_label_head(3, classes_for_class_based_metrics=[3])
    head = contrib.multi_label_head(3, label_vocabulary=["a", "b", "c"],
                                    classes_for_class_based_metrics=["c"])
    assert head.logits_dimension == 3 and head.name is None
    assert contrib.multi_head([contrib.regression_head(name="a"),
                               contrib.multi_class_head(4, name="b")]).name == "a_b"


def test_multi_label_sparse_labels_equal_multi_hot():
    """Integer SparseTensor labels are the multi-hot labels they index."""
    head = tf.contrib.estimator.multi_label_head(3)
    logits = tf.constant(np.asarray(cases.LOGITS_3, np.float32))
    sparse = tf.SparseTensor(indices=[[0, 0], [0, 1], [1, 0], [2, 0], [2, 1], [3, 0]],
                             values=tf.constant([0, 2, 2, 0, 1, 1], tf.int64),
                             dense_shape=[4, 2])
    dense = head.create_loss({}, "train", logits, tf.constant(cases.MULTI_HOT))
    from_sparse = head.create_loss({}, "train", logits, sparse)
    with tf.Session() as sess:
        a, b = sess.run([dense.training_loss, from_sparse.training_loss])
        assert sess.run(from_sparse.processed_labels).tolist() == cases.MULTI_HOT.tolist()
    np.testing.assert_allclose(a, b, rtol=1e-7)
    np.testing.assert_allclose(a, REFERENCE["heads"]["multi_label"]["loss"], rtol=1e-6)


def _trained_estimator(name, tmp_path):
    class_name, label_key, (head_name, head_kwargs), init, pattern = \
        cases.ESTIMATOR_CASES[name]
    head = getattr(tf.contrib.estimator, head_name)(**head_kwargs)
    columns = [tf.feature_column.numeric_column("x"), tf.feature_column.numeric_column("z")]
    base = getattr(tf.contrib.estimator, class_name)(
        model_dir=str(tmp_path / "base"), **cases.estimator_kwargs(tf, class_name, head,
                                                                     columns))
    ckpt = extra_cases.write_checkpoint(tf, init, str(tmp_path / "init" / "init"))
    estimator = tf.estimator.Estimator(
        model_fn=base.model_fn, model_dir=str(tmp_path / "model"),
        warm_start_from=tf.estimator.WarmStartSettings(ckpt, vars_to_warm_start=pattern))
    input_fn = cases.estimator_input_fn(tf, label_key)
    estimator.train(input_fn, steps=3)
    return estimator, input_fn


@pytest.mark.parametrize("name", sorted(cases.ESTIMATOR_CASES))
def test_estimator_with_contrib_head_equals_tensorflows(name, tmp_path):
    want = REFERENCE["estimators"][name]
    estimator, input_fn = _trained_estimator(name, tmp_path)
    for variable, value in want["variables"].items():
        np.testing.assert_allclose(estimator.get_variable_value(variable), value, rtol=2e-5,
                                   atol=1e-7, err_msg=variable)
    metrics = estimator.evaluate(input_fn, steps=1)
    assert metrics.pop("global_step") == 3
    assert sorted(metrics) == sorted(want["metrics"])
    for key, value in want["metrics"].items():
        np.testing.assert_allclose(metrics[key], value, rtol=2e-5, atol=1e-7, err_msg=key)
    predictions = next(estimator.predict(lambda: input_fn()[0], yield_single_examples=False))
    assert sorted(predictions) == sorted(want["predictions"])
    for key, value in want["predictions"].items():
        if isinstance(np.ravel(value)[0], str):
            assert extra_cases.plain(predictions[key]) == value
        else:
            np.testing.assert_allclose(predictions[key], value, rtol=2e-5, err_msg=key)


def _saved_model_structure(path):
    saved = tf.saved_model.loader.SavedModelLoader(path).saved_model
    train_ops = [list(m.collection_def["saved_model_train_op"].node_list.value)
                 for m in saved.meta_graphs if "saved_model_train_op" in m.collection_def]
    return cases.saved_model_structure(saved.meta_graphs), train_ops


def test_export_per_mode_writes_tensorflows_signatures(tmp_path):
    """export_all_saved_models / export_saved_model_for_mode give TF's MetaGraphs (tags) and
    SignatureDefs (keys, methods, input and output names); the TRAIN graph keeps its train
    op; the SavedModel loads for each tag and its train signature trains."""
    class_name, label_key, (head_name, head_kwargs), _, _ = \
        cases.ESTIMATOR_CASES["linear_poisson"]
    head = getattr(tf.contrib.estimator, head_name)(**head_kwargs)
    columns = [tf.feature_column.numeric_column("x"), tf.feature_column.numeric_column("z")]
    estimator = getattr(tf.contrib.estimator, class_name)(
        model_dir=str(tmp_path / "model"),
        **cases.estimator_kwargs(tf, class_name, head, columns))
    estimator.train(cases.estimator_input_fn(tf, label_key), steps=2)
    with tf.Graph().as_default():
        receivers = cases.export_receivers(tf)
    want = REFERENCE["export"]
    path = tf.contrib.estimator.export_all_saved_models(estimator, str(tmp_path / "all"),
                                                        receivers)
    structure, train_ops = _saved_model_structure(path)
    assert structure == want["all"] and train_ops == want["all_train_op"]
    for mode in ("train", "eval"):
        single = tf.contrib.estimator.export_saved_model_for_mode(
            estimator, str(tmp_path / mode), receivers[mode], mode=mode)
        structure, train_ops = _saved_model_structure(single)
        assert structure == want[mode] and train_ops == want[mode + "_train_op"]
    with tf.Graph().as_default() as graph, tf.Session() as sess:
        meta = tf.saved_model.loader.load(sess, ["train"], path)
        signature = meta.signature_def["train"]
        loss = graph.get_tensor_by_name(signature.outputs["loss"].name)
        feed = {graph.get_tensor_by_name(signature.inputs[k].name): v for k, v in
                (("x", cases.EST_X), ("z", cases.EST_Z),
                 ("label", cases.EST_LABELS["counts"]))}
        train_op = graph.get_collection("saved_model_train_op")[0]
        before = sess.run(loss, feed)
        for _ in range(3):
            sess.run(train_op, feed)
        assert sess.run(loss, feed) < before
    with tf.Graph().as_default(), tf.Session() as sess:
        assert "predict" in tf.saved_model.loader.load(sess, ["serve"], path).signature_def


def test_forward_features_and_add_metrics(tmp_path):
    def model_fn(features, labels, mode):
        weight = tf.get_variable("w", [], initializer=tf.constant_initializer(0.5))
        prediction = features["x"] * weight
        loss = tf.reduce_mean(tf.square(prediction - labels)) if labels is not None else None
        train_op = (tf.train.GradientDescentOptimizer(0.1).minimize(
            loss, tf.train.get_global_step()) if mode == "train" else None)
        return tf.estimator.EstimatorSpec(mode, predictions={"y": prediction}, loss=loss,
                                          train_op=train_op, export_outputs={
                                              "serving_default": tf.estimator.export
                                              .PredictOutput({"y": prediction})})

    def input_fn():
        return ({"x": tf.constant([[1.0], [2.0]]), "id": tf.constant([[7], [8]])},
                tf.constant([[1.0], [1.0]]))
    base = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    base.train(input_fn, steps=1)
    forwarded = tf.contrib.estimator.forward_features(base, "id")
    assert forwarded.model_dir == base.model_dir
    batch = next(forwarded.predict(lambda: input_fn()[0], yield_single_examples=False))
    assert batch["id"].tolist() == [[7], [8]] and sorted(batch) == ["id", "y"]
    everything = next(tf.contrib.estimator.forward_features(base).predict(
        lambda: input_fn()[0], yield_single_examples=False))
    assert sorted(everything) == ["id", "x", "y"]
    with pytest.raises(ValueError, match="keys should be exist in features"):
        next(tf.contrib.estimator.forward_features(base, "nope").predict(
            lambda: input_fn()[0]))
    with pytest.raises(TypeError, match="string or a list of strings"):
        tf.contrib.estimator.forward_features(base, 3)
    with tf.Graph().as_default():
        spec = forwarded.model_fn(*input_fn(), "infer", forwarded.config)
        assert sorted(spec.export_outputs["serving_default"].outputs) == ["id", "y"]
    extended = tf.contrib.estimator.add_metrics(
        base, lambda labels, features: {"x_mean": tf.metrics.mean(features["x"])})
    metrics = extended.evaluate(input_fn, steps=1)
    assert metrics["x_mean"] == pytest.approx(1.5) and metrics["global_step"] == 1


def test_clip_gradients_by_norm_clips_the_global_norm():
    """One SGD step with gradients (3, 4) (global norm 5) clipped to norm 1: (0.6, 0.8)."""
    a = tf.Variable(0.0)
    b = tf.Variable(0.0)
    loss = 3.0 * a + 4.0 * b
    base = tf.train.GradientDescentOptimizer(1.0)
    optimizer = tf.contrib.estimator.clip_gradients_by_norm(base, 1.0)
    assert optimizer.get_name() == "ClipByNormGradientDescent"
    step = optimizer.minimize(loss, global_step=tf.train.get_or_create_global_step())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        np.testing.assert_allclose(sess.run([a, b]), [-0.6, -0.8], rtol=1e-6)
        assert sess.run(tf.train.get_global_step()) == 1
    momentum = tf.contrib.estimator.clip_gradients_by_norm(
        tf.train.MomentumOptimizer(0.1, 0.9), 1.0)
    momentum.minimize(loss)
    assert momentum.get_slot_names() == ["momentum"]
    assert momentum.get_slot(a, "momentum") is not None


def _write_eval_events(eval_dir, values_by_step):
    writer = tf.summary.FileWriter(eval_dir)
    for step, values in values_by_step.items():
        summary = tf.Summary()
        for tag, value in values.items():
            summary.value.add(tag=tag, simple_value=value)
        writer.add_summary(summary, step)
    writer.close()


def test_read_eval_metrics_and_early_stopping_hooks(tmp_path):
    pytest.importorskip("tensorboard")
    estimator = tf.estimator.Estimator(lambda features, labels, mode: None,
                                       model_dir=str(tmp_path))
    _write_eval_events(estimator.eval_dir(), {30: {"loss": 0.5, "auc": 0.7},
                                              10: {"loss": 0.9},
                                              20: {"loss": 0.6, "auc": 0.6}})
    read = tf.contrib.estimator.read_eval_metrics(estimator.eval_dir())
    assert list(read) == [10, 20, 30]
    assert read[20] == {"loss": pytest.approx(0.6), "auc": pytest.approx(0.6)}
    contrib = tf.contrib.estimator

    def stops(hook):
        return hook._should_stop_fn()  # noqa: SLF001 - the predicate each hook asks
    assert stops(contrib.stop_if_lower_hook(estimator, "loss", 0.55))
    assert not stops(contrib.stop_if_lower_hook(estimator, "loss", 0.4))
    assert not stops(contrib.stop_if_higher_hook(estimator, "loss", 0.95))
    assert stops(contrib.stop_if_higher_hook(estimator, "loss", 0.85))
    assert not stops(contrib.stop_if_higher_hook(estimator, "loss", 0.85, min_steps=20))
    assert stops(contrib.stop_if_no_decrease_hook(estimator, "loss", 0))
    assert not stops(contrib.stop_if_no_decrease_hook(estimator, "loss", 10))
    assert stops(contrib.stop_if_no_increase_hook(estimator, "loss", 10, min_steps=20))
    assert not stops(contrib.stop_if_no_increase_hook(estimator, "auc", 10, min_steps=20))
    with pytest.raises(ValueError, match="Only one of"):
        contrib.make_early_stopping_hook(estimator, lambda: True, 1, 1)
    with pytest.raises(TypeError, match="tf.estimator.Estimator"):
        contrib.make_early_stopping_hook(object(), lambda: True)


def test_early_stopping_stops_training_and_sets_the_stop_variable(tmp_path):
    def model_fn(features, labels, mode):
        w = tf.get_variable("w", [], initializer=tf.zeros_initializer())
        loss = tf.square(w - 1.0)
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=tf.train
                                          .GradientDescentOptimizer(0.1)
                                          .minimize(loss, tf.train.get_global_step()))
    estimator = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) >= 3
    hook = tf.contrib.estimator.make_early_stopping_hook(estimator, should_stop,
                                                         run_every_secs=None,
                                                         run_every_steps=2)
    estimator.train(lambda: ({"x": tf.zeros([1])}, None), hooks=[hook], steps=50)
    assert estimator.get_variable_value("global_step") == 5  # asked at steps 1, 3, 5
    assert estimator.get_variable_value("signal_early_stopping/STOP")
    stop = tf.contrib.estimator.make_stop_at_checkpoint_step_hook(estimator, 7)
    estimator.train(lambda: ({"x": tf.zeros([1])}, None), hooks=[stop])
    assert estimator.get_variable_value("global_step") == 7


def test_in_memory_evaluator_hook(tmp_path):
    """Evaluates before training, every 2 steps and at the end, with the training session's
    variable values; the results are those evaluate() gives from a checkpoint of them."""
    def model_fn(features, labels, mode):
        w = tf.get_variable("w", [], initializer=tf.constant_initializer(0.0))
        loss = tf.reduce_mean(tf.square(features["x"] * w - labels))
        train_op = (tf.train.GradientDescentOptimizer(0.1).minimize(
            loss, tf.train.get_global_step()) if mode == "train" else None)
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op,
                                          eval_metric_ops={"w": tf.metrics.mean(w)})

    def input_fn():
        return {"x": tf.constant([[1.0], [2.0]])}, tf.constant([[2.0], [4.0]])
    estimator = tf.estimator.Estimator(model_fn, model_dir=str(tmp_path))
    hook = tf.contrib.estimator.InMemoryEvaluatorHook(estimator, input_fn, steps=1,
                                                      every_n_iter=2, name="mem")
    estimator.train(input_fn, hooks=[hook], steps=5)
    results = tf.contrib.estimator.read_eval_metrics(estimator.eval_dir("mem"))
    assert list(results) == [0, 2, 4, 5]
    w = 0.0
    expected = {0: 0.0}
    for step in range(1, 6):
        w -= 0.1 * 2 * np.mean(np.array([1.0, 2.0]) * (np.array([1.0, 2.0]) * w - [2, 4]))
        expected[step] = w
    for step, found in results.items():
        assert found["w"] == pytest.approx(expected[step], rel=1e-5)
        assert found["loss"] == pytest.approx(
            np.mean((np.array([1.0, 2.0]) * expected[step] - [2, 4]) ** 2), rel=1e-5)
    final = estimator.evaluate(input_fn, steps=1)
    assert final["w"] == pytest.approx(results[5]["w"], rel=1e-6)
    with pytest.raises(ValueError, match="every_n_iter"):
        tf.contrib.estimator.InMemoryEvaluatorHook(estimator, input_fn, every_n_iter=0)


def test_logit_fn_builders_name_variables_as_the_canned_models():
    columns = [tf.feature_column.numeric_column("x"), tf.feature_column.numeric_column("z")]
    features = {"x": tf.constant(cases.EST_X), "z": tf.constant(cases.EST_Z)}
    dnn_fn = tf.contrib.estimator.dnn_logit_fn_builder(
        units=2, hidden_units=[3], feature_columns=columns, activation_fn=tf.nn.relu,
        dropout=None)
    linear_fn = tf.contrib.estimator.linear_logit_fn_builder(units=1, feature_columns=columns)
    with tf.variable_scope("dnn"):
        logits = tf.contrib.estimator.call_logit_fn(dnn_fn, features, "train", None, None)
    with tf.variable_scope("linear"):
        linear = tf.contrib.estimator.call_logit_fn(linear_fn, features, "train", None, None)
    assert logits.shape.as_list() == [4, 2] and linear.shape.as_list() == [4, 1]
    names = sorted(v.op.name for v in tf.global_variables())
    assert names == ["dnn/hiddenlayer_0/bias", "dnn/hiddenlayer_0/kernel", "dnn/logits/bias",
                     "dnn/logits/kernel", "linear/linear_model/bias_weights",
                     "linear/linear_model/x/weights", "linear/linear_model/z/weights"]
    with pytest.raises(ValueError, match="logit_fn should return a Tensor"):
        tf.contrib.estimator.call_logit_fn(lambda features: [1], features, "train", None, None)
    got = tf.contrib.estimator.call_logit_fn(
        lambda features, params, mode: {"a": features["x"] * params["s"]}, features, "eval",
        {"s": 2.0}, None)
    with tf.Session() as sess:
        assert sess.run(got["a"]).ravel().tolist() == [1.0, 2.0, -2.0, 4.0]
    with pytest.raises(ValueError, match="units must be an int"):
        tf.contrib.estimator.dnn_logit_fn_builder(2.0, [1], columns, tf.nn.relu, None)


def test_replicate_model_fn_with_one_tower_trains_as_the_model_fn(tmp_path):
    def model_fn(features, labels, mode, params):
        w = tf.get_variable("w", [], initializer=tf.constant_initializer(0.0))
        loss = tf.reduce_mean(tf.square(features["x"] * w - labels))
        optimizer = tf.contrib.estimator.TowerOptimizer(
            lambda: tf.train.GradientDescentOptimizer(params["lr"]))
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=optimizer.minimize(
            loss, tf.train.get_global_step()))

    def input_fn():
        return {"x": tf.constant([[1.0], [2.0]])}, tf.constant([[2.0], [4.0]])
    plain_estimator = tf.estimator.Estimator(model_fn, str(tmp_path / "plain"),
                                             params={"lr": 0.1})
    replicated = tf.estimator.Estimator(tf.contrib.estimator.replicate_model_fn(model_fn),
                                        str(tmp_path / "replicated"), params={"lr": 0.1})
    for estimator in (plain_estimator, replicated):
        estimator.train(input_fn, steps=3)
    assert replicated.get_variable_names() == plain_estimator.get_variable_names()
    assert replicated.get_variable_value("w") == plain_estimator.get_variable_value("w")
    with pytest.raises(ValueError, match="reduced in some way"):
        tf.contrib.estimator.replicate_model_fn(model_fn, loss_reduction="none")
    with pytest.raises(NotImplementedError, match="one tower"):
        tf.contrib.estimator.replicate_model_fn(model_fn, devices=["/gpu:0", "/gpu:1"])


def test_parts_not_provided_raise_contrib_not_implemented():
    for name in ("boosted_trees_classifier_train_in_memory",
                 "boosted_trees_regressor_train_in_memory"):
        with pytest.raises(NotImplementedError, match=name):
            getattr(tf.contrib.estimator, name)
        assert not hasattr(tf.contrib.estimator, name)


@pytest.mark.parametrize("name", sorted(cases.RNN_CASES))
def test_rnn_classifier_equals_tensorflows(name, tmp_path):
    """RNNClassifier (num_units/cell_type, or an rnn_cell_fn of stacked LSTM and GRU cells)
    trained 3 SGD steps from fixed weights: TF 1.15's variables, metrics and predictions."""
    label_key, n_classes, cell_type, num_units, with_context, init = cases.RNN_CASES[name]
    cell_args = dict(num_units=num_units, cell_type=cell_type) if cell_type else dict(
        rnn_cell_fn=lambda mode: tf.nn.rnn_cell.MultiRNNCell([
            tf.nn.rnn_cell.BasicLSTMCell(num_units[0]), tf.nn.rnn_cell.GRUCell(num_units[1])]))
    base = tf.contrib.estimator.RNNClassifier(
        sequence_feature_columns=[tf.contrib.feature_column.sequence_numeric_column("tokens")],
        context_feature_columns=[tf.feature_column.numeric_column("age")] if with_context
        else None, n_classes=n_classes, optimizer=tf.train.GradientDescentOptimizer(0.1),
        model_dir=str(tmp_path / "base"), **cell_args)
    ckpt = extra_cases.write_checkpoint(tf, init, str(tmp_path / "init" / "init"))
    estimator = tf.estimator.Estimator(
        model_fn=base.model_fn, model_dir=str(tmp_path / "model"),
        warm_start_from=tf.estimator.WarmStartSettings(ckpt, vars_to_warm_start="rnn/.*"))
    input_fn = cases.rnn_input_fn(tf, label_key)
    estimator.train(input_fn, steps=3)
    want = REFERENCE["rnn"][name]
    assert sorted(n for n in estimator.get_variable_names() if n.startswith("rnn/")) == \
        sorted(want["variables"])
    for variable, value in want["variables"].items():
        np.testing.assert_allclose(estimator.get_variable_value(variable), value, rtol=2e-5,
                                   atol=1e-7, err_msg=variable)
    metrics = estimator.evaluate(input_fn, steps=1)
    metrics.pop("global_step")
    assert sorted(metrics) == sorted(want["metrics"])
    for key, value in want["metrics"].items():
        np.testing.assert_allclose(metrics[key], value, rtol=2e-5, atol=1e-7, err_msg=key)
    predictions = next(estimator.predict(lambda: input_fn()[0], yield_single_examples=False))
    for key, value in want["predictions"].items():
        if not isinstance(np.ravel(value)[0], str):
            np.testing.assert_allclose(predictions[key], value, rtol=2e-5, err_msg=key)


def test_rnn_estimator_arguments_and_default_optimizer(tmp_path):
    column = tf.contrib.feature_column.sequence_numeric_column("tokens")
    with pytest.raises(ValueError, match="must not be specified when using rnn_cell_fn"):
        tf.contrib.estimator.RNNEstimator(tf.contrib.estimator.regression_head(), [column],
                                          num_units=[2], rnn_cell_fn=lambda mode: None)
    estimator = tf.contrib.estimator.RNNEstimator(
        tf.contrib.estimator.regression_head(label_dimension=1), [column], num_units=[2],
        cell_type="lstm", return_sequences=False, model_dir=str(tmp_path))

    def input_fn():
        return ({"tokens": tf.SparseTensor(**cases.RNN_TOKENS)},
                tf.constant([[1.0], [0.0], [2.0]]))
    estimator.train(input_fn, steps=2)  # Adagrad at 0.05 with gradients clipped to norm 5
    names = estimator.get_variable_names()
    assert "rnn/rnn/basic_lstm_cell/kernel" in names and "rnn/logits/dense/kernel" in names
    assert any(n.endswith("basic_lstm_cell/kernel/Adagrad") for n in names)
    with pytest.raises(ValueError, match="Supported cell types"):
        tf.contrib.estimator.RNNClassifier([column], num_units=[2], cell_type="nope").train(
            input_fn, steps=1)


def test_saved_model_estimator_equals_tensorflows(tmp_path):
    """An Estimator over a SavedModel of all three modes: evaluates and predicts from the
    SavedModel's variables, then trains on in its own model_dir, as TF's does."""
    estimator = tf.estimator.Estimator(cases.sme_model_fn(tf), model_dir=str(tmp_path / "m"))
    estimator.train(lambda: cases.sme_input_fn(tf), steps=2)
    with tf.Graph().as_default():
        receivers = cases.sme_receivers(tf)
    path = tf.contrib.estimator.export_all_saved_models(estimator, str(tmp_path / "export"),
                                                        receivers)
    got = cases.run_saved_model_estimator(tf, tf.contrib.estimator.SavedModelEstimator, path,
                                          str(tmp_path / "continued"), extra_cases.plain)
    want = REFERENCE["saved_model_estimator"]
    for key in ("before", "after", "first", "last"):
        assert sorted(got[key]) == sorted(want[key]), key
        for name, value in want[key].items():
            np.testing.assert_allclose(got[key][name], value, rtol=1e-5, err_msg=key + name)
    np.testing.assert_allclose(got["w"], want["w"], rtol=1e-5)
    only_predict = tf.contrib.estimator.export_saved_model_for_mode(
        estimator, str(tmp_path / "serve"), receivers["infer"])
    serving = tf.contrib.estimator.SavedModelEstimator(only_predict, str(tmp_path / "s"))
    with pytest.raises(RuntimeError, match="train mode is not available"):
        serving.train(lambda: cases.sme_input_fn(tf), steps=1)
    with pytest.raises(ValueError, match='Key "x" not found'):
        next(serving.predict(lambda: {"z": tf.constant(cases.SME_X)}))


def test_tf_estimator_experimental_names_the_same_functions():
    experimental = tf.estimator.experimental
    for name in ("stop_if_no_decrease_hook", "InMemoryEvaluatorHook", "call_logit_fn",
                 "make_stop_at_checkpoint_step_hook", "dnn_logit_fn_builder"):
        assert getattr(experimental, name) is getattr(tf.contrib.estimator, name)
    assert experimental.KMeans is tf.contrib.factorization.KMeansClustering
    assert callable(experimental.build_raw_supervised_input_receiver_fn)
