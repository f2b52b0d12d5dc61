"""contrib.learn's numpy data feeders, DNNClassifier/DNNRegressor, RunConfig, SKCompat,
ValidationMonitor and load_dataset("iris") (TF 1.15 contrib.learn semantics)."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.contrib import learn
from tensorweave.contrib.learn import feeders


def _data(n=60, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 4)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 0.5)
    return x, y


def test_feeder_whole_array_per_batch_and_epochs():
    x, y = _data(10)
    feeder = feeders.DataFeeder(x, y, None, batch_size=None, shuffle=False, epochs=1)
    with tf.Graph().as_default():
        inp, out = feeder.input_builder()
        assert inp.op.name == "input" and out.op.name == "output"
        assert inp.shape.as_list() == [None, 4] and out.shape.as_list() == [None]
        feed_fn = feeder.get_feed_dict_fn()
        feed = feed_fn()
        np.testing.assert_array_equal(feed[inp], x)
        np.testing.assert_array_equal(feed[out], y)
        with pytest.raises(StopIteration):
            feed_fn()


def test_feeder_shuffles_with_random_state_42_and_one_hot():
    x, y = _data(10)
    feeder = feeders.DataFeeder(x, y, 3, batch_size=4)
    with tf.Graph().as_default():
        inp, out = feeder.input_builder()
        feed = feeder.get_feed_dict_fn()()
    order = np.random.RandomState(42).permutation(10)[:4]
    np.testing.assert_array_equal(feed[inp], x[order])
    np.testing.assert_array_equal(feed[out], np.eye(3, dtype=np.float32)[y[order]])


def test_feeder_refuses_bad_batch_size():
    x, y = _data(10)
    with pytest.raises(ValueError):
        feeders.DataFeeder(x, y, None, batch_size=0)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _forward(est, x, layers):
    net = x.astype(np.float32)
    for i in range(layers):
        w = est.get_variable_value(f"dnn/hiddenlayer_{i}/weights")
        b = est.get_variable_value(f"dnn/hiddenlayer_{i}/biases")
        net = np.maximum(net @ w + b, 0)
    return net @ est.get_variable_value("dnn/logits/weights") + \
        est.get_variable_value("dnn/logits/biases")


def test_dnn_classifier_fit_evaluate_predict(tmp_path):
    x, y = _data()
    est = learn.DNNClassifier(hidden_units=[8, 6],
                              feature_columns=learn.infer_real_valued_columns_from_input(x),
                              n_classes=3, model_dir=str(tmp_path))
    est.fit(x, y, steps=30)
    names = est.get_variable_names()
    for name in ["dnn/hiddenlayer_0/weights", "dnn/hiddenlayer_0/biases",
                 "dnn/hiddenlayer_1/weights", "dnn/logits/weights", "dnn/logits/biases",
                 "global_step"]:
        assert name in names
    result = est.evaluate(x, y)
    assert sorted(result) == ["accuracy", "global_step", "loss"]
    assert result["global_step"] == 30
    logits = _forward(est, x, 2)
    p = _softmax(logits)
    np.testing.assert_allclose(result["loss"], np.mean(-np.log(p[np.arange(len(y)), y])),
                               rtol=1e-4)
    np.testing.assert_allclose(result["accuracy"], np.mean(p.argmax(1) == y), rtol=1e-6)
    classes = list(est.predict(x))
    np.testing.assert_array_equal(classes, p.argmax(1))
    proba = np.array(list(est.predict_proba(x[:3])))
    np.testing.assert_allclose(proba, p[:3], rtol=1e-4, atol=1e-6)
    both = list(est.predict(x[:2], outputs=["classes", "probabilities"]))
    assert set(both[0]) == {"classes", "probabilities"}


def test_dnn_classifier_default_adagrad_step(tmp_path):
    # One full-batch step of Adagrad(0.05, initial accumulator 0.1) from the initial weights.
    x, y = _data(20)
    est = learn.DNNClassifier(hidden_units=[5], n_classes=3, model_dir=str(tmp_path),
                              feature_columns=learn.infer_real_valued_columns_from_input(x),
                              config=learn.RunConfig(tf_random_seed=3))
    est.fit(x, y, steps=1)
    w1 = est.get_variable_value("dnn/logits/weights")
    acc = est.get_variable_value("dnn/dnn/logits/weights/Adagrad")
    grad_sq = acc - 0.1
    assert np.all(grad_sq >= -1e-7)
    assert est.get_variable_value("dnn/learning_rate") == pytest.approx(0.05)
    assert w1.shape == (5, 3)


def test_binary_dnn_classifier_metrics(tmp_path):
    x, y = _data()
    y = (y > 0).astype(np.int64)
    est = learn.DNNClassifier(hidden_units=[6], n_classes=2, model_dir=str(tmp_path),
                              feature_columns=learn.infer_real_valued_columns_from_input(x))
    est.fit(x, y, steps=20, batch_size=16)
    result = est.evaluate(x, y)
    for key in ["loss", "accuracy", "auc", "labels/actual_label_mean",
                "labels/prediction_mean", "accuracy/baseline_label_mean", "global_step"]:
        assert key in result
    z = _forward(est, x, 1)[:, 0]
    loss = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    np.testing.assert_allclose(result["loss"], loss, rtol=1e-4)
    np.testing.assert_allclose(result["labels/actual_label_mean"], y.mean(), rtol=1e-6)
    np.testing.assert_array_equal(list(est.predict(x)), (z > 0).astype(np.int64))


def test_dnn_regressor_squared_error(tmp_path):
    x, _ = _data()
    y = x @ np.array([1.0, -2.0, 0.5, 0.0]) + 1.0
    est = learn.DNNRegressor(hidden_units=[8], model_dir=str(tmp_path),
                             feature_columns=learn.infer_real_valued_columns_from_input(x))
    est.fit(x, y, steps=50)
    result = est.evaluate(x, y)
    scores = np.array(list(est.predict(x)))
    np.testing.assert_allclose(scores, _forward(est, x, 1)[:, 0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(result["loss"], np.mean((scores - y) ** 2), rtol=1e-4)


def test_estimator_x_y_and_input_fn_are_exclusive(tmp_path):
    x, y = _data()
    est = learn.DNNRegressor(hidden_units=[2], model_dir=str(tmp_path),
                             feature_columns=learn.infer_real_valued_columns_from_input(x))
    with pytest.raises(ValueError):
        est.fit(x, y, input_fn=lambda: (None, None), steps=1)
    with pytest.raises(ValueError):
        est.fit(steps=1)


def test_skcompat_predict_stacks(tmp_path):
    x, y = _data()
    est = learn.SKCompat(learn.DNNClassifier(
        hidden_units=[4], n_classes=3, model_dir=str(tmp_path),
        feature_columns=learn.infer_real_valued_columns_from_input(x)))
    est.fit(x, y, steps=5)
    assert est.score(x, y)["global_step"] == 5
    out = est.predict(x)
    assert out["classes"].shape == (60,) and out["probabilities"].shape == (60, 3)


def test_validation_monitor_stops_early(tmp_path):
    x, y = _data()
    monitor = learn.monitors.ValidationMonitor(x, y, every_n_steps=5,
                                               early_stopping_rounds=10,
                                               early_stopping_metric="accuracy",
                                               early_stopping_metric_minimize=False,
                                               check_interval_secs=None)
    est = learn.DNNClassifier(hidden_units=[4], n_classes=3, model_dir=str(tmp_path),
                              feature_columns=learn.infer_real_valued_columns_from_input(x),
                              config=learn.RunConfig(save_checkpoints_steps=5))
    est.fit(x, y, steps=10000, monitors=[monitor])
    step = est.get_variable_value("global_step")
    assert monitor.early_stopped and step < 10000
    assert step - monitor.best_step >= 10  # TF 1.x: stops at early_stopping_rounds


def test_load_iris_and_run_config():
    iris = learn.datasets.load_dataset("iris")
    assert iris.data.shape == (150, 4) and iris.data.dtype == np.float64
    assert list(np.bincount(iris.target)) == [50, 50, 50]
    np.testing.assert_allclose(iris.data[0], [5.1, 3.5, 1.4, 0.2])
    config = learn.RunConfig(num_cores=3, gpu_memory_fraction=0.6)
    assert config.save_checkpoints_secs == 600 and config.num_cores == 3
    assert learn.RunConfig(save_checkpoints_secs=1).save_checkpoints_secs == 1
    assert learn.estimators.RunConfig is learn.RunConfig
