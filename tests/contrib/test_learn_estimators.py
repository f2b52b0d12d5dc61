"""tf.contrib.learn's Estimator (fit/evaluate/predict over ModelFnOps, the legacy tuple),
LinearRegressor over contrib.layers.real_valued_column, and contrib.learn.io.numpy_input_fn,
as TF 1.0's getting-started guide uses them."""
import numpy as np
import pytest

import tensorweave as tf

X = np.array([1., 2., 3., 4.], dtype=np.float32)
Y = np.array([0., -1., -2., -3.], dtype=np.float32)


def _model(features, labels, mode):
    w = tf.get_variable("w", [1], dtype=tf.float32)
    b = tf.get_variable("b", [1], dtype=tf.float32)
    y = w * features["x"] + b
    loss = tf.reduce_sum(tf.square(y - labels))
    train = tf.group(tf.train.GradientDescentOptimizer(0.01).minimize(loss),
                     tf.assign_add(tf.train.get_global_step(), 1))
    return tf.contrib.learn.ModelFnOps(mode=mode, predictions=y, loss=loss, train_op=train)


def test_custom_model_fn_fits_the_line(tmp_path):
    est = tf.contrib.learn.Estimator(model_fn=_model, model_dir=str(tmp_path))
    input_fn = tf.contrib.learn.io.numpy_input_fn({"x": X}, Y, 4, num_epochs=1000)
    assert est.fit(input_fn=input_fn, steps=1000) is est
    result = est.evaluate(input_fn=input_fn, steps=10)
    assert result["global_step"] == 1000
    assert result["loss"] < 1e-3
    assert abs(est.get_variable_value("w")[0] + 1.0) < 0.02
    predict_fn = tf.contrib.learn.io.numpy_input_fn({"x": X}, shuffle=False)
    predictions = np.array(list(est.predict(input_fn=predict_fn)))
    np.testing.assert_allclose(predictions, Y, atol=0.05)


def test_legacy_tuple_and_mode_keys(tmp_path):
    def legacy(features, labels):
        w = tf.get_variable("w", [1])
        y = w * features["x"]
        loss = tf.reduce_mean(tf.square(y - labels))
        train = tf.train.GradientDescentOptimizer(0.05).minimize(
            loss, global_step=tf.train.get_global_step())
        return y, loss, train

    est = tf.contrib.learn.Estimator(model_fn=legacy, model_dir=str(tmp_path))
    input_fn = tf.contrib.learn.io.numpy_input_fn({"x": X}, -X, 4, num_epochs=None)
    est.fit(input_fn=input_fn, steps=200)
    assert est.evaluate(input_fn=input_fn, steps=1)["loss"] < 1e-3
    assert tf.contrib.learn.ModeKeys.INFER == tf.estimator.ModeKeys.PREDICT


def test_model_fn_ops_requires_what_its_mode_needs():
    with pytest.raises(ValueError, match="Missing train_op"):
        tf.contrib.learn.ModelFnOps(mode=tf.contrib.learn.ModeKeys.TRAIN, loss=tf.constant(1.))
    with pytest.raises(ValueError, match="Missing loss"):
        tf.contrib.learn.ModelFnOps(mode=tf.contrib.learn.ModeKeys.EVAL)
    with pytest.raises(TypeError):  # TF 1.x's keyword is predictions
        tf.contrib.learn.ModelFnOps(mode="infer", prediction=tf.constant(1.))


def test_linear_regressor_on_real_valued_column(tmp_path):
    features = [tf.contrib.layers.real_valued_column("x", dimension=1)]
    est = tf.contrib.learn.LinearRegressor(feature_columns=features, model_dir=str(tmp_path))
    input_fn = tf.contrib.learn.io.numpy_input_fn({"x": X}, Y, batch_size=4, num_epochs=1000)
    est.fit(input_fn=input_fn, steps=1000)
    result = est.evaluate(input_fn=input_fn)
    assert sorted(result) == ["global_step", "loss"]
    assert result["global_step"] == 1000 and result["loss"] < 1e-4
    predict_fn = tf.contrib.learn.io.numpy_input_fn({"x": X}, shuffle=False)
    scores = np.array(list(est.predict_scores(input_fn=predict_fn)))
    np.testing.assert_allclose(scores, Y, atol=0.02)


def test_contrib_feature_columns_are_core_columns():
    column = tf.contrib.layers.real_valued_column("age", dimension=2)
    assert column == tf.feature_column.numeric_column("age", shape=(2,))
    hashed = tf.contrib.layers.sparse_column_with_hash_bucket("lang", hash_bucket_size=20)
    assert hashed == tf.feature_column.categorical_column_with_hash_bucket("lang", 20)
    with pytest.raises(NotImplementedError):
        tf.contrib.layers.real_valued_column("v", dimension=None)


def test_numpy_input_fn_shuffles_by_default():
    with tf.Graph().as_default():
        features = tf.contrib.learn.io.numpy_input_fn(
            {"x": np.arange(100.)}, batch_size=100)()
        with tf.train.MonitoredSession() as sess:
            values = sess.run(features["x"])
    assert sorted(values) == list(np.arange(100.)) and list(values) != sorted(values)


def test_model_fn_module_path_of_tf_1_tutorials():
    """`from tensorflow.contrib.learn.python.learn.estimators import model_fn as model_fn_lib`
    (TF 1.x's layers tutorial) gives ModelFnOps and ModeKeys."""
    from tensorweave.contrib import learn
    from tensorweave.contrib.learn.python.learn.estimators import model_fn as model_fn_lib
    assert model_fn_lib.ModelFnOps is learn.ModelFnOps
    assert model_fn_lib.ModeKeys.INFER == "infer"


def test_linear_regressor_on_numpy_x_y_predicts_scores(tmp_path):
    """x/y fed by the data feeders (features a lone Tensor, the column named ""); predict
    gives the scores, as TF 1.x's contrib regressors do."""
    x = np.linspace(0, 1, 40, dtype=np.float32).reshape(-1, 2)
    y = x @ np.array([1.0, -2.0], np.float32) + 0.5
    est = tf.contrib.learn.LinearRegressor(
        feature_columns=tf.contrib.learn.infer_real_valued_columns_from_input(x),
        model_dir=str(tmp_path), optimizer=tf.train.GradientDescentOptimizer(0.5))
    est.fit(x=x, y=y, steps=300)
    assert est.evaluate(x=x, y=y)["loss"] < 1e-3
    np.testing.assert_allclose(np.array(list(est.predict(x=x))), y, atol=0.05)


def test_skcompat_from_the_estimator_module_path_predicts_without_warning(tmp_path, caplog):
    """`from tensorflow.contrib.learn.python.learn.estimators.estimator import SKCompat`
    (TensorFlow实战Google's sin-predicting LSTM): SKCompat(Estimator(legacy tuple model_fn))
    fits numpy x/y and predicts them stacked, and predict does not warn that it "yields
    forever" (TF 1.x's contrib predict never does; core tf.estimator's still does)."""
    from tensorweave.contrib.learn.python.learn.estimators.estimator import (
        Estimator, SKCompat)
    assert Estimator is tf.contrib.learn.Estimator and SKCompat is tf.contrib.learn.SKCompat

    def legacy(features, labels):
        w = tf.get_variable("w", [1])
        y = tf.reshape(w * features, [-1])
        loss = tf.losses.mean_squared_error(y, tf.reshape(labels, [-1]))
        train = tf.contrib.layers.optimize_loss(
            loss, tf.contrib.framework.get_global_step(), optimizer="SGD", learning_rate=0.1)
        return y, loss, train

    x = np.linspace(-1, 1, 16, dtype=np.float32).reshape(-1, 1)
    regressor = SKCompat(Estimator(model_fn=legacy, model_dir=str(tmp_path / "skcompat")))
    regressor.fit(x, -2 * x, batch_size=4, steps=200)
    with caplog.at_level("WARNING"):
        predicted = regressor.predict(x)
    np.testing.assert_allclose(predicted, -2 * x.ravel(), atol=1e-3)
    assert "yields forever" not in caplog.text

    def core_model(features, labels, mode):
        tf.get_variable("v", [1])
        return tf.estimator.EstimatorSpec(mode, predictions=features["x"] * 2.0)

    core = tf.estimator.Estimator(core_model, model_dir=str(tmp_path / "core"))
    with caplog.at_level("WARNING"):
        assert next(core.predict(lambda: {"x": tf.ones([1])})) == 2.0
    assert "yields forever" in caplog.text
